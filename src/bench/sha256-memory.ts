// `npx tsx src/bench/sha256-memory.ts [--mib N]`
// What hashing one large model file costs in memory and time in Node, one method per child process
// so each has its own peak: WebCrypto's one-shot crypto.subtle.digest (what fetchArtifact used;
// it copies its input first) against hash-wasm's incremental SHA-256 fed 64 KiB chunks (as a
// network or cache body arrives; what fetchArtifact does now). Default size: 1,231,444,357 bytes,
// the fp32 vision export of CXR-LLaVA v2. Peak RSS is the kernel's high-water mark
// (process.resourceUsage().maxRSS), before and after the hash, over a buffer already filled.
// Node's WebCrypto is not Chromium's; the browser numbers come from `npm run bench:fullsize`.
import { execFileSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createSHA256 } from 'hash-wasm';

const MiB = 2 ** 20;
const method = process.argv[2];

async function child(kind: string, bytes: number): Promise<void> {
  const buf = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 4096) buf[i] = (i >>> 12) & 0xff; // touch every page
  const before = process.resourceUsage().maxRSS * 1024;
  const t = performance.now();
  let hex: string;
  if (kind === 'webcrypto') {
    hex = Buffer.from(await webcrypto.subtle.digest('SHA-256', buf)).toString('hex');
  } else {
    const h = await createSHA256();
    for (let at = 0; at < bytes; at += 64 * 1024) h.update(buf.subarray(at, at + 64 * 1024));
    hex = h.digest('hex');
  }
  const ms = performance.now() - t;
  const after = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ kind, bytes, ms, peakRssBeforeMiB: before / MiB, peakRssAfterMiB: after / MiB, sha256: hex }));
}

if (method === 'webcrypto' || method === 'hash-wasm') {
  await child(method, Number(process.argv[3]));
} else {
  const i = process.argv.indexOf('--mib');
  const bytes = i >= 0 ? Number(process.argv[i + 1]) * MiB : 1_231_444_357;
  const load = loadavg()[0] ?? 0;
  const rows = ['webcrypto', 'hash-wasm'].map((kind) => {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), kind, String(bytes)], { encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').at(-1)!) as { kind: string; ms: number; peakRssBeforeMiB: number; peakRssAfterMiB: number; sha256: string };
  });
  if (rows[0]!.sha256 !== rows[1]!.sha256) throw new Error(`the two sha256 differ: ${rows[0]!.sha256} vs ${rows[1]!.sha256}`);
  console.log(`${bytes} bytes, Node ${process.version}, load average ${load.toFixed(2)} at start`);
  for (const r of rows) {
    console.log(`${r.kind.padEnd(10)} ${(r.ms / 1000).toFixed(2)} s, ${((bytes / MiB) / (r.ms / 1000)).toFixed(0)} MiB/s; peak RSS ${r.peakRssBeforeMiB.toFixed(0)} MiB with the buffer, ${r.peakRssAfterMiB.toFixed(0)} MiB after hashing (+${(r.peakRssAfterMiB - r.peakRssBeforeMiB).toFixed(0)} MiB)`);
  }
}
