import type { FormEvent } from 'react';
import { canContinueAnswer } from '../../state/report-slice';
import { useAppStore } from '../store-context';
import { useController } from '../controller-context';
import { useInsertReportLine } from './insert-into-report';

/**
 * Follow-up questions about the same image; answers stream in as plain text. An answer can go into
 * the report, where it counts as the model's text (the sign form and exports say how much is).
 */
export function ChatPanel() {
  const controller = useController();
  const chat = useAppStore((s) => s.chat);
  const streaming = useAppStore((s) => s.streaming);
  const ready = useAppStore((s) => s.load.status === 'loaded' && s.hasImage);
  // In the store, not component state: drafts save the half-typed question with the report.
  const question = useAppStore((s) => s.chatInput);
  const setQuestion = useAppStore((s) => s.setChatInput);
  const insert = useInsertReportLine();
  const signed = useAppStore((s) => s.signature !== null);
  const continuable = useAppStore((s) => ready && canContinueAnswer(s));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!question.trim() || streaming) return;
    const q = question;
    setQuestion('');
    void controller.ask(q);
  };
  return (
    <section className="panel chat" aria-labelledby="chat-heading">
      <div className="panel-title">
        <h2 id="chat-heading">Follow-up</h2>
        <button type="button" onClick={() => void controller.newConversation()} disabled={!!streaming || chat.length === 0}>
          New conversation
        </button>
      </div>
      <ol className="chat-log" aria-live="polite" data-testid="chat-log">
        {chat.map((m, i) => (
          <li key={i} className={`msg ${m.role}`} data-role={m.role} data-streaming={!!m.streaming}>
            <span className="who">{m.role === 'user' ? 'You' : 'Model'}</span>
            <span className="text">{m.text || (m.streaming ? '…' : '')}</span>
            {m.interrupted && <span className="muted"> (stopped)</span>}
            {m.atLimit && <span className="muted"> (stopped at the length limit)</span>}
            {i === chat.length - 1 && continuable && (
              <button type="button" className="chat-to-report" onClick={() => void controller.continueAnswer()} aria-label="Continue this answer" title="The model finishes this answer from where it stopped">
                Continue
              </button>
            )}
            {m.role === 'assistant' && !m.streaming && m.text.trim() && (
              <button
                type="button"
                className="chat-to-report"
                disabled={signed}
                onClick={() => insert(m.text.trim(), { fromModel: true })}
                title="Puts this answer into the report where the caret was, as a line of its own; it counts as the model's text, not yours"
              >
                Add to report
              </button>
            )}
          </li>
        ))}
      </ol>
      <form onSubmit={submit} className="chat-form">
        <input
          aria-label="Ask a follow-up question"
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
          placeholder={ready ? 'e.g. Is there a pleural effusion?' : 'Load the model and open an image first'}
          disabled={!ready}
        />
        <button type="submit" disabled={!ready || !!streaming || !question.trim()}>
          Ask
        </button>
      </form>
    </section>
  );
}
