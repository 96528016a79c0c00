// Resident memory of every process below this one (Chromium's browser, renderer, GPU and utility
// processes), summed from /proc (Linux) every `everyMs`; `peakSince()` gives the highest sum since
// the last call, so each benchmark phase reports its own peak. Shared pages count once per
// process, so the sum is an upper bound of what the browser holds.
import { readFileSync, readdirSync } from 'node:fs';

const PAGE = 4096;

function treeRssBytes(): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      rss.set(Number(e), Number(readFileSync(`/proc/${e}/statm`, 'utf8').split(' ')[1]) * PAGE);
    } catch {
      // exited meanwhile
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid), n = 0; p !== undefined && n < 64; p = parent.get(p), n++) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, r] of rss) if (below(pid)) total += r;
  return total;
}

export interface RssSampler {
  /** Highest summed RSS since the previous call (or the start), in bytes. */
  peakSince(): number;
  stop(): void;
}

export function startRssSampler(everyMs = 100): RssSampler {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, treeRssBytes());
    } catch {
      // no /proc: peaks stay 0 and the report says so
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    peakSince() {
      sample();
      const p = peak;
      peak = treeRssBytes();
      return p;
    },
    stop: () => clearInterval(timer),
  };
}
