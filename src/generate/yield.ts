/**
 * Lets queued events run (an interrupt message, a UI update) between tokens. Awaiting ORT's or
 * WebLLM's promises alone only chains microtasks, so a worker's `message` event — the Stop
 * button — would wait until the whole answer was done. setImmediate (Node) and a MessageChannel
 * (browsers, workers) give a macrotask turn without setTimeout's 4 ms clamp.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
