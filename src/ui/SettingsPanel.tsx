import { PhrasesEditor } from './PhrasesEditor';
import { DataControls } from './reading/DataControls';
import { useAppStore } from './store-context';

/**
 * Sampling and runtime settings (defaults are the reference's: temperature 0.2, top-p 0.8), and,
 * apart from them and far from the export buttons, "Clear all local data".
 */
export function SettingsPanel() {
  const settings = useAppStore((s) => s.settings);
  const update = useAppStore((s) => s.updateSettings);
  return (
    <section className="panel settings" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <div className="settings-grid">
        <label>
          Execution provider
          <select
            aria-label="Execution provider"
            value={settings.executionProvider}
            onChange={(e) => update({ executionProvider: e.target.value as typeof settings.executionProvider })}
          >
            <option value="auto">auto</option>
            <option value="webgpu">webgpu</option>
            <option value="wasm">wasm</option>
          </select>
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={settings.draftOnOpen}
            onChange={(e) => update({ draftOnOpen: e.target.checked })}
          />
          Draft the report as soon as an image opens
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={settings.besideOnOpen} onChange={(e) => update({ besideOnOpen: e.target.checked })} />
          Show the other view beside the frontal one when a study with several images opens
        </label>
        <label>
          Temperature (0 = greedy)
          <input aria-label="Temperature" type="number" min={0} max={2} step={0.05} value={settings.temperature} onChange={(e) => update({ temperature: clampNumber(e.target.value, 0, 2, 0.2) })} />
        </label>
        <label>
          Top-p
          <input aria-label="Top-p" type="number" min={0.05} max={1} step={0.05} value={settings.topP} onChange={(e) => update({ topP: clampNumber(e.target.value, 0.05, 1, 0.8) })} />
        </label>
        <label>
          Max new tokens
          <input aria-label="Max new tokens" type="number" min={1} max={4096} step={1} value={settings.maxNewTokens} onChange={(e) => update({ maxNewTokens: Math.round(clampNumber(e.target.value, 1, 4096, 512)) })} />
        </label>
        <label>
          Seed
          <input aria-label="Seed" type="number" step={1} value={settings.seed} onChange={(e) => update({ seed: Math.round(clampNumber(e.target.value, 0, 2 ** 31, 1)) })} />
        </label>
      </div>
      <h3 className="settings-subhead">Report phrases</h3>
      <PhrasesEditor />
      <h3 className="settings-subhead">Local data</h3>
      <DataControls />
    </section>
  );
}

function clampNumber(raw: string, min: number, max: number, fallback: number): number {
  const v = Number(raw);
  return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}
