import type { CapabilityReport } from '../capabilities/types';
import type { InferenceEngine } from './engine';
import { serializeError } from './errors';
import type { Reply, Request, RequestEnvelope } from './protocol';

/**
 * One protocol message, answered: its replies, then `done` or `error`, each posted under its id.
 * The inference worker runs every message through here, and so can a test that drives the
 * controller with the engine in the same thread. Messages wait for the same engine promise, so
 * they reach it in the order they came.
 */
export async function answer(
  envelope: RequestEnvelope,
  engineReady: Promise<InferenceEngine>,
  probe: () => Promise<CapabilityReport>,
  post: (id: number, reply: Reply) => void,
): Promise<void> {
  const { id, request } = envelope;
  const emit = (reply: Reply) => post(id, reply);
  try {
    if (request.kind === 'check') emit({ kind: 'checked', caps: await probe() });
    else await route(request, emit, await engineReady);
    emit({ kind: 'done' });
  } catch (err) {
    emit({ kind: 'error', error: serializeError(err) });
  }
}

async function route(request: Exclude<Request, { kind: 'check' }>, emit: (reply: Reply) => void, engine: InferenceEngine): Promise<void> {
  switch (request.kind) {
    case 'load':
      emit({ kind: 'ready', info: await engine.load(request.options, emit) });
      break;
    case 'encode':
      emit({ kind: 'encoded', info: await engine.encode(request.image, request.history, request.prime) });
      break;
    case 'selfcheck':
      emit({ kind: 'selfchecked', result: await engine.selfCheck(request.image, request.sampleSha256, emit) });
      break;
    case 'generate':
      await engine.generate(request.options, emit);
      break;
    case 'interrupt':
      engine.interrupt();
      break;
    case 'reset':
      engine.reset();
      break;
    case 'dispose':
      await engine.dispose();
      break;
    case 'debug-destroy-device':
      await engine.destroyDeviceForTest();
      break;
  }
}
