import { describeUnanswered, followUpFor } from '../../report/clinical-question';
import { useController } from '../controller-context';
import { useAppStore } from '../store-context';
import { useUnansweredQuestions } from './report-checks';

/**
 * Under the reason for the study: what it asks that the report does not answer, and for each, the
 * question to put to the model about the image ("Is there a pneumothorax?"). The answer streams
 * into the follow-up chat, where the reader can add it to the report; the model never sees the order.
 */
export function ClinicalQuestion() {
  const controller = useController();
  const left = useUnansweredQuestions();
  const signed = useAppStore((s) => s.signature !== null);
  const canAsk = useAppStore((s) => s.load.status === 'loaded' && s.hasImage && !s.streaming);
  const sentence = describeUnanswered(left);
  if (!sentence || signed) return null;
  return (
    <div className="warning report-question-box">
      <p data-testid="report-question">{sentence}</p>
      <div className="toolbar" role="group" aria-label="Ask the model">
        {left.map((what) => {
          const ask = followUpFor(what);
          return (
            ask && (
              <button key={what} type="button" disabled={!canAsk} onClick={() => void controller.ask(ask)} title="Asks the model about the image, in the follow-up below">
                Ask: {ask}
              </button>
            )
          );
        })}
      </div>
    </div>
  );
}
