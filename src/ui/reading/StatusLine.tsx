import { useAppStore } from '../store-context';

const ms = (v?: number) => (v === undefined ? '–' : `${v.toFixed(0)} ms`);

/** Stage and speed figures, always visible. */
export function StatusLine() {
  const stage = useAppStore((s) => s.stage);
  const error = useAppStore((s) => s.stageError);
  const m = useAppStore((s) => s.metrics);
  const load = useAppStore((s) => s.load);
  const info = load.status === 'loaded' ? load.info : null;
  return (
    <footer className="status-line" role="status" data-testid="status-line" data-stage={stage}>
      <span className="stage">{stageLabel(stage)}</span>
      {error && <span className="error-text">{error}</span>}
      <span>encoder {ms(m.encodeMs)}</span>
      <span>prefill {ms(m.prefillMs)}</span>
      <span>first token {ms(m.timeToFirstTokenMs)}</span>
      {m.dropToFirstTokenMs !== undefined && <span data-testid="drop-to-first-token">drop → first token {ms(m.dropToFirstTokenMs)}</span>}
      <span>{m.tokensPerSecond ? `${m.tokensPerSecond.toFixed(1)} tok/s` : '– tok/s'}</span>
      {m.promptTokens !== undefined && <GivesWay text={`prompt ${m.promptTokens} tokens${m.reusedTokens ? ` (${m.reusedTokens} cached)` : ''}`} />}
      {m.budgetNote && <GivesWay text={m.budgetNote} testId="budget-note" />}
      {info && <GivesWay text={`${info.backend} · vision ${info.visionProvider} ${info.visionDtype}`} />}
    </footer>
  );
}

/** A figure that a narrow window may cut short (styles.css): its whole text stays in the title. */
function GivesWay({ text, testId }: { text: string; testId?: string }) {
  return (
    <span className="gives-way" title={text} data-testid={testId}>
      {text}
    </span>
  );
}

function stageLabel(stage: string): string {
  return (
    {
      idle: 'Ready',
      loading: 'Loading model…',
      decoding: 'Decoding image…',
      encoding: 'Encoding image…',
      prefill: 'Reading the prompt…',
      generating: 'Generating…',
      error: 'Error',
    }[stage] ?? stage
  );
}
