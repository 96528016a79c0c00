import { useMemo, useRef } from 'react';
import { fieldValues, fillFields } from '../../report/phrase-fields';
import { blanks, usablePhrases } from '../../report/phrases';
import { studyIndication } from '../../state/report-slice';
import { useAppStore, useAppStoreApi } from '../store-context';
import { useInsertReportLine } from './insert-into-report';

/**
 * "Insert phrase": the reader's phrases (Settings), each put into the report where the caret was,
 * as a line of its own, the caret after it, or its first blank ("[interval]") selected, so typing
 * fills it. A list of buttons, not a select: arrow keys on a closed select would put a phrase in as
 * they pass it.
 */
export function InsertPhrase({ focusReport }: { focusReport: (select?: { start: number; end: number }) => void }) {
  const store = useAppStoreApi();
  const phrases = useAppStore((s) => s.settings.phrases);
  const usable = useMemo(() => usablePhrases(phrases), [phrases]);
  const signed = useAppStore((s) => s.signature !== null);
  const insert = useInsertReportLine();
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
                // Its fields ("{indication}") from the open study's header, as it goes in; the reason
                // for the study as the reader typed it, where they did.
                const s = store.getState();
                const text = fillFields(p.text, { ...fieldValues(s.study?.image ?? null, new Date()), indication: studyIndication(s) });
                insert(text);
                close();
                // The phrase ends where the caret now is (a line break may follow it).
                const { report, reportCaret } = store.getState();
                const start = report.lastIndexOf(text, reportCaret?.at ?? report.length);
                const [blank] = blanks(text);
                requestAnimationFrame(() => focusReport(blank && start >= 0 ? { start: start + blank.start, end: start + blank.end } : undefined));
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
