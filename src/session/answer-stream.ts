import { budgetNote } from '../generate/chat-session';
import type { AppStore } from '../state/store';
import type { Reply } from '../worker/protocol';

/**
 * Where one streamed answer lands: the report, or the chat's last answer, with the status line's
 * figures. One per request (SessionController hands it to the worker client). `openedAt`: for a
 * report that started by itself when its image opened, when that was (the drop → first token figure).
 */
export function answerStream(store: AppStore, target: 'report' | 'chat', o: { openedAt?: number } = {}): (r: Reply) => void {
  const s = () => store.getState();
  let firstToken = true;
  return (r) => {
    if (r.kind === 'prefill') {
      s().setStage('prefill');
      // A prompt prefilled on open shows that prefill's time, not the ~0 ms left for Generate.
      const primed = r.reusedTokens === r.promptTokens;
      s().mergeMetrics({ ...(primed ? {} : { prefillMs: r.prefillMs }), promptTokens: r.promptTokens, reusedTokens: r.reusedTokens, budgetNote: budgetNote(r.budget) });
      s().setStage('generating');
    } else if (r.kind === 'delta') {
      if (firstToken) {
        firstToken = false;
        if (o.openedAt !== undefined) s().mergeMetrics({ dropToFirstTokenMs: performance.now() - o.openedAt });
        // Shown from the first word on, not only when the answer is complete (minutes on a 7B).
        s().mergeMetrics({ timeToFirstTokenMs: r.timeToFirstTokenMs });
      }
      if (target === 'report') s().appendReport(r.text);
      else s().appendChat(r.text);
      s().mergeMetrics({ tokens: r.tokens, tokensPerSecond: r.tokensPerSecond });
    } else if (r.kind === 'complete') {
      if (target === 'report') s().setReportEnd({ reason: r.info.reason, added: r.info.tokenIds.length });
      s().mergeMetrics({ timeToFirstTokenMs: r.info.timeToFirstTokenMs, tokensPerSecond: r.info.tokensPerSecond, tokens: r.info.tokenIds.length });
    }
  };
}
