/**
 * The viewer's keys: what the viewer does on each and its buttons' labels (Viewer.tsx), and what the Keyboard panel lists
 * (KeysPanel.tsx), from one table. Keys are matched lower case.
 */
export const VIEWER_KEYS: { keys: string[]; shown: string; action: string; does: string }[] = [
  { keys: ['i'], shown: 'I', action: 'invert', does: 'Invert' },
  { keys: ['['], shown: '[', action: 'rotate-left', does: 'Rotate left' },
  { keys: [']'], shown: ']', action: 'rotate-right', does: 'Rotate right' },
  { keys: ['h'], shown: 'H', action: 'flip-h', does: 'Flip horizontal' },
  { keys: ['v'], shown: 'V', action: 'flip-v', does: 'Flip vertical' },
  { keys: ['+', '='], shown: '+', action: 'zoom-in', does: 'Zoom in' },
  { keys: ['-'], shown: '−', action: 'zoom-out', does: 'Zoom out' },
  { keys: ['f'], shown: 'F', action: 'fit', does: 'Fit to window' },
  { keys: ['r'], shown: 'R', action: 'reset', does: 'Reset view' },
  { keys: ['m'], shown: 'M', action: 'measure', does: 'Measure lengths (drag on the image), on or off' },
  { keys: ['c'], shown: 'C', action: 'ratio', does: "Cardiothoracic ratio: draw the heart's width, then the chest's; on or off" },
  { keys: ['g'], shown: 'G', action: 'magnify', does: 'Magnifying glass (hold the mouse button down on the image, or Enter and the arrows), on or off' },
  { keys: ['delete', 'backspace'], shown: 'Delete', action: 'remove-length', does: 'Remove the last length' },
];

/** Key (lower case) -> action. */
export const KEY_ACTIONS: Record<string, string> = Object.fromEntries(VIEWER_KEYS.flatMap((k) => k.keys.map((key) => [key, k.action])));

/** The prior image's keys (Compare, with it focused): the open image's own where they do the same, and Link. */
export const PRIOR_KEYS: typeof VIEWER_KEYS = [
  ...VIEWER_KEYS.filter((k) => ['invert', 'zoom-in', 'zoom-out', 'fit'].includes(k.action)),
  { keys: ['g'], shown: 'G', action: 'magnify', does: 'Magnifying glass (hold the mouse button down on the image), on or off' },
  { keys: ['l'], shown: 'L', action: 'link', does: 'Link zoom and pan with the open image, on or off' },
];

/** Prior image key (lower case) -> action. */
export const PRIOR_KEY_ACTIONS: Record<string, string> = Object.fromEntries(PRIOR_KEYS.flatMap((k) => k.keys.map((key) => [key, k.action])));
