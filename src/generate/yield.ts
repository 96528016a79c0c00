/**
 * Lets queued events run (an interrupt message, a UI update) between tokens. Awaiting ORT's or
 * WebLLM's promises alone only chains microtasks, so a worker's `message` event — the Stop
 * button — would wait until the whole answer was done. setImmediate (Node) and a MessageChannel
 * (browsers, workers) give a macrotask turn without setTimeout's 4 ms clamp; one channel serves
 * every call, so a yield costs one message, not a new channel.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((resolve) => {
      channel ??= openChannel();
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

function openChannel(): MessageChannel {
  const c = new MessageChannel();
  // One message per waiting call, delivered in order.
  c.port1.onmessage = () => waiting.shift()?.();
  return c;
}

