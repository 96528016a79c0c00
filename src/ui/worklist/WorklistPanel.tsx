import { useEffect, useMemo } from 'react';
import { readingOrder, STATE_LABEL } from '../../worklist/worklist-store';
import { useWorklist, useWorklistState } from './use-worklist';
import { PanelCount } from '../layout/PanelCount';
import { useAppStore } from '../store-context';
import './worklist.css';

/**
 * The worklist: several studies (files, a folder, or a server search), each with its state; the
 * others are drafted in the background while one is read. Alt+↓ / Alt+↑ open the next / previous.
 */
export function WorklistPanel() {
  const worklist = useWorklist();
  const all = useWorklistState((s) => s.items);
  // A reading preference, kept with the settings across reloads.
  const criticalFirst = useAppStore((s) => s.settings.criticalFirst);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const currentId = useWorklistState((s) => s.currentId);
  const items = useMemo(() => readingOrder({ items: all, criticalFirst }), [all, criticalFirst]);
  const flagged = all.filter((i) => i.critical).length;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
      e.preventDefault();
      void worklist.step(e.key === 'ArrowDown' ? 1 : -1);
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, [worklist]);

  const at = items.findIndex((i) => i.id === currentId);
  return (
    <section className="panel worklist" aria-labelledby="worklist-heading" data-testid="worklist">
      <div className="panel-title">
        <h2 id="worklist-heading">Worklist</h2>
        <div className="toolbar">
          <label className="button-like">
            Add files…
            <input
              type="file"
              multiple
              className="visually-hidden"
              aria-label="Add files to the worklist"
              onChange={(e) => {
                void worklist.addFiles(Array.from(e.currentTarget.files ?? []));
                e.currentTarget.value = '';
              }}
            />
          </label>
          <label className="button-like">
            Add folder…
            <input
              type="file"
              className="visually-hidden"
              aria-label="Add a folder to the worklist"
              ref={(el) => el?.setAttribute('webkitdirectory', '')}
              onChange={(e) => {
                void worklist.addFiles(Array.from(e.currentTarget.files ?? []));
                e.currentTarget.value = '';
              }}
            />
          </label>
        </div>
      </div>
      {items.length === 0 ? (
        <p className="muted">Drop or add several images or a folder, or add a server search, to read them one after another; the next drafts are written while you read.</p>
      ) : (
        <>
          <div className="toolbar">
            <button type="button" aria-keyshortcuts="Alt+ArrowUp" disabled={at <= 0} onClick={() => void worklist.step(-1)}>
              Previous
            </button>
            <span className="muted">
              {at + 1} of {items.length}
            </span>
            <button type="button" aria-keyshortcuts="Alt+ArrowDown" disabled={at >= items.length - 1} onClick={() => void worklist.step(1)}>
              Next
            </button>
            <button
              type="button"
              aria-pressed={criticalFirst}
              onClick={() => updateSettings({ criticalFirst: !criticalFirst })}
              title="Studies whose report names a possible critical result with no communication documented come first, the most urgent first; Next and Previous follow"
            >
              Critical first
            </button>
            {flagged > 0 && (
              <span className="worklist-critical" data-testid="worklist-critical-count">
                {flagged} possibly critical
              </span>
            )}
          </div>
          <ol className="worklist-items" aria-label="Worklist studies">
            {items.map((i) => (
              <li key={i.id} data-state={i.state} aria-current={i.id === currentId ? 'true' : undefined}>
                <button type="button" onClick={() => void worklist.open(i.id)}>
                  {i.label}
                </button>
                <span className={`worklist-state state-${i.state}`} data-testid="worklist-state">
                  {STATE_LABEL[i.state]}
                </span>
                {i.critical && (
                  <span
                    className={`worklist-critical urgency-${i.critical.urgency}`}
                    data-testid="worklist-critical"
                    title={`Its report names this, and documents no communication to the referring clinician (${i.critical.urgency === 'immediate' ? 'at once' : 'within hours'})`}
                  >
                    critical: {i.critical.names}
                  </span>
                )}
                {i.indication && (
                  <span className="worklist-indication muted" title={i.indication}>
                    {i.indication}
                  </span>
                )}
                {i.message && <span className="dicomweb-error">{i.message}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** How many studies the worklist holds, on its toggle: a drop of several studies fills it with the panel shut. */
export function WorklistCount() {
  const count = useWorklistState((s) => s.items.length);
  return <PanelCount count={count} testId="worklist-count" />;
}
