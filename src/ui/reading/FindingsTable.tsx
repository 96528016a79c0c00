import type { FindingRow } from '../../report/findings';

/** The findings answer as the 14 CheXpert observations, each with the sentence that decided it. */
export function FindingsTable({ rows, caption = true, testId = 'findings-table' }: { rows: FindingRow[]; caption?: boolean; testId?: string }) {
  return (
    <table className="findings-table" data-testid={testId}>
      {caption && <caption>CheXpert observations, read from the answer above by simple rules: check them against the text.</caption>}
      <thead>
        <tr>
          <th scope="col">Observation</th>
          <th scope="col">Label</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.observation}>
            <th scope="row">{r.observation}</th>
            <td data-label={r.label} title={r.evidence.join(' · ') || undefined}>
              {r.label}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
