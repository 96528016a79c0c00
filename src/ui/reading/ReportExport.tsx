import { useState } from 'react';
import { useAppStore } from '../store-context';

/** Copy and plain-text export; the FHIR export joins here in the reading-room work. */
export function ReportExport() {
  const report = useAppStore((s) => s.report);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(report);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const download = (ext: 'txt' | 'md') => {
    const blob = new Blob([report], { type: ext === 'md' ? 'text/markdown' : 'text/plain' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `cxr-report.${ext}`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <span className="export">
      <button type="button" onClick={() => void copy()} disabled={!report}>
        {copied ? 'Copied' : 'Copy'}
      </button>
      <button type="button" onClick={() => download('txt')} disabled={!report}>
        Export .txt
      </button>
      <button type="button" onClick={() => download('md')} disabled={!report}>
        Export .md
      </button>
    </span>
  );
}
