import { useEffect, useRef } from 'react';
import { FIELDS } from '../report/phrase-fields';
import { MAX_PHRASES, phraseProblem, type Phrase } from '../report/phrases';
import { useAppStore } from './store-context';

/**
 * The reader's report phrases, in Settings: a name and the text each puts in. Kept as typed (on
 * this device, with the settings); a phrase with no name, no text or a name used before is not
 * offered under the report until mended, and says why here.
 */
export function PhrasesEditor() {
  const phrases = useAppStore((s) => s.settings.phrases);
  const update = useAppStore((s) => s.updateSettings);
  const list = useRef<HTMLOListElement>(null);
  const added = useRef(false);
  useEffect(() => {
    if (!added.current) return;
    added.current = false;
    list.current?.querySelector<HTMLInputElement>('li:last-child input')?.focus();
  }, [phrases]);
  const set = (i: number, p: Phrase) => update({ phrases: phrases.map((q, j) => (j === i ? p : q)) });
  return (
    <div className="phrases-editor">
      <p className="muted">
        Put into the report with Insert phrase, where the caret was. A blank in brackets ([interval]) is selected to fill; a field in braces is filled from the
        open study: {Object.keys(FIELDS).map((f) => `{${f}}`).join(', ')} (a blank when the study does not say).
      </p>
      <ol ref={list} aria-label="Your report phrases">
        {phrases.map((p, i) => {
          const problem = phraseProblem(p, phrases.slice(0, i));
          return (
            <li key={i}>
              <label>
                Name
                <input value={p.name} onChange={(e) => set(i, { ...p, name: e.target.value })} />
              </label>
              <label>
                Text
                <textarea rows={2} value={p.text} onChange={(e) => set(i, { ...p, text: e.target.value })} />
              </label>
              <button type="button" onClick={() => update({ phrases: phrases.filter((_, j) => j !== i) })} aria-label={`Delete the phrase ${p.name.trim() || i + 1}`}>
                Delete
              </button>
              {problem && <span className="muted">{problem}</span>}
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        disabled={phrases.length >= MAX_PHRASES}
        onClick={() => {
          added.current = true;
          update({ phrases: [...phrases, { name: '', text: '' }] });
        }}
      >
        Add phrase
      </button>
    </div>
  );
}
