import { budgetNote } from '../generate/chat-session';
import type { AppStore } from '../state/store';
import type { Reply } from '../worker/protocol';

/**
 * Where one streamed answer lands: the report, or the chat's last answer, with the status line's
 * figures. One per request (SessionController hands it to the worker client).
 * `continuing`: the text the answer goes on from (Continue); the model's next word brings its own
 * space, which a text ending in one (or a line break) does not need. `openedAt`: for a report that
 * started by itself when its image opened, when that was (the drop → first token figure).
 */
export function answerStream(store: AppStore, target: 'report' | 'chat', o: { continuing?: string; openedAt?: number } = {}): (r: Reply) => void {
  const s = () => store.getState();
  let firstToken = true;
  let dropSpace = o.continuing !== undefined && /\s$/.test(o.continuing);
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
      let text = r.text;
      if (dropSpace && text) {
        text = text.replace(/^ /, '');
        dropSpace = false;
      }
      if (target === 'report') s().appendReport(text);
      else s().appendChat(text);
      s().mergeMetrics({ tokens: r.tokens, tokensPerSecond: r.tokensPerSecond });
    } else if (r.kind === 'complete') {
      if (target === 'report') s().setReportEnd({ reason: r.info.reason, added: r.info.tokenIds.length });
      s().mergeMetrics({ timeToFirstTokenMs: r.info.timeToFirstTokenMs, tokensPerSecond: r.info.tokensPerSecond, tokens: r.info.tokenIds.length });
    }
  };
}
