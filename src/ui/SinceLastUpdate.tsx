import { useEffect, useState } from 'react';

/** Shown once a step has gone this long without news; below it the time would only flicker. */
const SHOW_AFTER_S = 5;

/**
 * "12 s since the last update" while a load step runs long: ONNX Runtime's session creation and a
 * GPU's shader compilation report nothing for tens of seconds, and a stalled connection looks the
 * same; the count tells a user that the page is alive and for how long nothing has moved.
 */
export function SinceLastUpdate({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  // A new `since` (a fresh update) makes the stale `now` read as under SHOW_AFTER_S until the next tick.
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, [since]);
  const seconds = Math.floor((now - since) / 1000);
  if (seconds < SHOW_AFTER_S) return null;
  return <span data-testid="load-since-update"> · {seconds} s since the last update</span>;
}
