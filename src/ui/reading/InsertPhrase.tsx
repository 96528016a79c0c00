import { useMemo, useRef } from 'react';
import { usablePhrases } from '../../report/phrases';
import { useAppStore } from '../store-context';

/**
 * "Insert phrase": the reader's phrases (Settings), each put into the report where the caret was,
 * as a line of its own, the caret after it. A list of buttons, not a select: arrow keys on a closed
 * select would put a phrase in as they pass it.
 */
export function InsertPhrase({ focusReport }: { focusReport: () => void }) {
  const phrases = useAppStore((s) => s.settings.phrases);
  const usable = useMemo(() => usablePhrases(phrases), [phrases]);
  const signed = useAppStore((s) => s.signature !== null);
  const insert = useAppStore((s) => s.insertReportLine);
  const menu = useRef<HTMLDetailsElement>(null);
  if (!usable.length) return null;
  const close = () => {
    if (menu.current) menu.current.open = false;
  };
  return (
    <details
      className="phrase-menu"
      ref={menu}
      data-disabled={signed || undefined}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !menu.current?.open) return;
        e.preventDefault();
        e.stopPropagation();
        close();
        menu.current.querySelector('summary')?.focus();
      }}
      onToggle={() => menu.current?.open && menu.current.querySelector('button')?.focus()}
    >
      {/* A signed report takes nothing in: the summary is inert then, like a disabled button. */}
      <summary aria-disabled={signed || undefined} onClick={(e) => signed && e.preventDefault()} title="Puts one of your phrases (Settings) into the report where the caret was">
        Insert phrase
      </summary>
      <ul aria-label="Report phrases">
        {usable.map((p) => (
          <li key={p.name}>
            <button
              type="button"
              title={p.text}
              onClick={() => {
                insert(p.text);
                close();
                requestAnimationFrame(focusReport);
              }}
            >
              {p.name}
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
