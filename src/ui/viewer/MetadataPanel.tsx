import { useAppStore } from '../store-context';

/** What the file says about itself. Patient-identifying fields are marked. */
export function MetadataPanel() {
  const study = useAppStore((s) => s.study);
  if (!study) {
    return (
      <section className="panel metadata" aria-label="Image information">
        <h2>Image information</h2>
        <p className="muted">No image open.</p>
      </section>
    );
  }
  const { image, fileName } = study;
  return (
    <section className="panel metadata" aria-label="Image information" data-testid="metadata">
      <h2>Image information</h2>
      <dl className="facts">
        <dt>File</dt>
        <dd data-field="file">{fileName}</dd>
        {image.meta.map((m) => (
          <div key={m.key} className="fact-row" data-field={m.key} data-identifying={m.identifying || undefined}>
            <dt>
              {m.label}
              {m.identifying && (
                <span className="pii" title="Identifies the patient">
                  identifying
                </span>
              )}
            </dt>
            <dd>{m.value}</dd>
          </div>
        ))}
      </dl>
      {image.notes.length > 0 && (
        <ul className="notes" data-testid="image-notes">
          {image.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
