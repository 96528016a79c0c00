import { headerField } from '../../report/context';
import { useAppStore } from '../store-context';

/**
 * Why the study was asked for: the question the report answers. The file's reason for the study
 * (its order's) where the header has one; the reader can type it where it has none (every PNG or
 * JPEG) or says less than the order did. What they type is kept with the study's draft, fills a
 * phrase's {indication}, and is what the report is checked against (report/clinical-question.ts).
 */
export function StudyIndication() {
  const fromFile = useAppStore((s) => headerField(s.study?.image ?? null, 'indication'));
  const typed = useAppStore((s) => s.indication);
  const shown = useAppStore((s) => s.study !== null || s.indication !== null);
  const signed = useAppStore((s) => s.signature !== null);
  const setIndication = useAppStore((s) => s.setIndication);
  if (!shown) return null;
  const value = typed ?? fromFile ?? '';
  return (
    <div className="report-indication">
      <label>
        <span className="muted">Reason for the study</span>
        <input
          type="text"
          data-testid="report-indication"
          value={value}
          title={value || undefined}
          readOnly={signed}
          maxLength={500}
          placeholder={fromFile === undefined ? 'Not in the file: type it, and the report is checked against it' : undefined}
          // Typing the file's own words back is the file's again, so a changed header is followed.
          onChange={(e) => setIndication(e.target.value === (fromFile ?? '') ? null : e.target.value)}
        />
      </label>
      {fromFile !== undefined && typed === null && <span className="muted" data-testid="report-indication-source">from the file</span>}
      {fromFile !== undefined && typed !== null && !signed && (
        <button type="button" onClick={() => setIndication(null)} title={`The file says: ${fromFile}`}>
          Use the file's
        </button>
      )}
    </div>
  );
}
