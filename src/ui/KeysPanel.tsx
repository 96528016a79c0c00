import { PRIOR_KEYS, VIEWER_KEYS } from './viewer/viewer-keys';

const listed = (keys: typeof VIEWER_KEYS) => keys.map((k): [string, string] => [k.shown, k.does]);

/**
 * Every group in the order shown: the viewers' own keys from their tables (viewer-keys.ts), then
 * what they and the rest (ReportPanel, WorklistPanel, PanelDrawer, App) handle, as they work there.
 */
const GROUPS: { group: string; keys: [string, string][] }[] = [
  { group: 'Viewer (with the image focused)', keys: listed(VIEWER_KEYS) },
  {
    group: 'Viewer (with the image focused), also',
    keys: [
      ['1 – 9', 'Window presets (the default, then those in the file)'],
      ['← ↑ → ↓', 'Pan'],
      ['Drag', 'Window/level (Measure on: draw a length; Magnify on: hold the lens)'],
      ['Enter, then ← ↑ → ↓', 'Measure on: a point in the middle of the view, moved by the arrows (Shift: 1 pixel); Enter sets the start, then keeps the length; Escape drops it'],
      ['Enter, then ← ↑ → ↓', 'Magnify on: the lens in the middle of the view, moved by the arrows (Shift: slowly); Enter or Escape puts it away'],
      ['Shift+drag, right-drag', 'Pan'],
      ['Wheel', 'Zoom (the lens held: its magnification, 1 to 4 times; with Shift, its size)'],
    ],
  },
  { group: 'Image beside (a prior by Compare, the other view by Beside; with it focused)', keys: listed(PRIOR_KEYS) },
  {
    group: 'Image beside (with it focused), also',
    keys: [
      ['← ↑ → ↓', 'Pan'],
      ['Drag', 'Window/level (Magnify on: hold the lens)'],
      ['Enter, then ← ↑ → ↓', 'Magnify on: the lens in the middle, moved by the arrows; Enter or Escape puts it away'],
      ['Shift+drag, right-drag', 'Pan'],
      ['Wheel', 'Zoom (the lens held: its magnification; with Shift, its size)'],
    ],
  },
  {
    group: 'Report and follow-up',
    keys: [
      ['Ctrl+Enter', 'Generate report'],
      ['Ctrl+Shift+Enter', 'Continue: the model goes on writing from the end of the report'],
      ['Escape', 'Stop the answer being written'],
      ['Ctrl+Shift+S', 'Sign the report (opens the form; Enter signs, Escape cancels)'],
      ['Enter (in the question)', 'Ask'],
      ['Enter (on Insert phrase)', 'Open your phrases; Enter puts the focused one in where the caret was, Escape closes them'],
      ['Ctrl+Z / Ctrl+Shift+Z or Ctrl+Y (in the report)', 'Undo / redo your edits, a phrase, length, comparison or answer put in included; also while the model writes'],
      ['Tab / Shift+Tab (in the report)', 'Next / previous blank to fill ("[interval]"); with none that way, the focus moves on as usual'],
    ],
  },
  {
    group: 'Worklist and panels',
    keys: [
      ['Alt+↓ / Alt+↑', 'Next / previous study of the worklist'],
      ['Escape (in a panel)', 'Close the panel'],
      ['?', 'Open or close this list'],
    ],
  },
];

/** Every keyboard shortcut, where the user can find them (the buttons' titles name theirs too). */
export function KeysPanel() {
  return (
    <section className="panel keys" aria-labelledby="keys-heading" data-testid="keys-panel">
      <h2 id="keys-heading">Keyboard</h2>
      {GROUPS.map((g) => (
        <table key={g.group} className="keys-table">
          <caption>{g.group}</caption>
          <tbody>
            {g.keys.map(([key, does]) => (
              <tr key={`${key} ${does}`}>
                <th scope="row">
                  <kbd>{key}</kbd>
                </th>
                <td>{does}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}
