import { useRef, useState } from 'react';
import { DEFAULT_PHRASES } from '../../report/phrases';
import { clearAllLocalData } from '../../session/clear-local-data';
import { runningDrafts, type DraftPersistence } from '../../session/drafts';
import { useAppStore } from '../store-context';

type Result = { status: 'idle' } | { status: 'busy' } | { status: 'done'; message: string } | { status: 'failed'; message: string };

/** "Clear all local data": drafts, lengths, the signing reader's name, their phrases and downloaded model files, after a confirm dialog. */
export function DataControls({ drafts = runningDrafts() }: { drafts?: DraftPersistence | null }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [result, setResult] = useState<Result>({ status: 'idle' });
  const updateSettings = useAppStore((s) => s.updateSettings);
  const confirm = async () => {
    dialog.current?.close();
    setResult({ status: 'busy' });
    try {
      // The name a reader signs with and their phrases are theirs: they go with the drafts.
      updateSettings({ reader: null, phrases: DEFAULT_PHRASES });
      const cleared = await clearAllLocalData(drafts);
      const models = cleared.caches.length + cleared.databases.length;
      setResult({ status: 'done', message: `Deleted all drafts and lengths${models ? ` and ${models} model cache${models === 1 ? '' : 's'}` : ''}.` });
    } catch (err) {
      setResult({ status: 'failed', message: `Could not clear everything: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  return (
    <div className="data-controls">
      <button type="button" className="danger" onClick={() => dialog.current?.showModal()} disabled={result.status === 'busy'} aria-haspopup="dialog">
        Clear all local data…
      </button>{' '}
      <span role="status" data-testid="clear-data-result" className={result.status === 'failed' ? 'error-text' : 'muted'}>
        {result.status === 'done' || result.status === 'failed' ? result.message : result.status === 'busy' ? 'Clearing…' : ''}
      </span>
      <dialog ref={dialog} aria-labelledby="clear-data-title" aria-describedby="clear-data-text" data-testid="clear-data-dialog">
        <h3 id="clear-data-title">Clear all local data?</h3>
        <p id="clear-data-text">
          This deletes every saved draft (reports, versions and chats of all studies), the lengths measured on every image, the name you sign
          reports with, your report phrases (back to the starting set), and the downloaded model files from this browser. The report on screen is emptied. A model already loaded keeps working until the page is closed; next time it is downloaded again.
        </p>
        <div className="toolbar">
          <button type="button" className="danger" onClick={() => void confirm()}>
            Delete everything
          </button>
          <button type="button" onClick={() => dialog.current?.close()} autoFocus>
            Cancel
          </button>
        </div>
      </dialog>
    </div>
  );
}
