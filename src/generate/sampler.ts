import { sampleTokenExact } from './sample-exact';
import { sampleTopK } from './sample-top-k';
import { argmax, GREEDY_AT_OR_BELOW, type Logits, type SamplingParams } from './sampling-basics';

/**
 * The sampler a generation calls each step (sampleToken): greedy, top-k, or a fast nucleus that
 * draws the same token as the exact computation (sample-exact.ts), bit for bit.
 */

export { argmax, createRng, GREEDY_AT_OR_BELOW, type SamplingParams } from './sampling-basics';
export { sampleTokenExact } from './sample-exact';
export { lastKeptCount } from './sample-top-k';

/** The largest value (NaNs skipped; -Infinity when there is none), four running maxima at a time. */
function maxOf(x: Logits): number {
  const n = x.length;
  const n4 = n - (n % 4);
  let m0 = -Infinity;
  let m1 = -Infinity;
  let m2 = -Infinity;
  let m3 = -Infinity;
  for (let i = 0; i < n4; i += 4) {
    const a = x[i]!;
    const b = x[i + 1]!;
    const c = x[i + 2]!;
    const d = x[i + 3]!;
    if (a > m0) m0 = a;
    if (b > m1) m1 = b;
    if (c > m2) m2 = c;
    if (d > m3) m3 = d;
  }
  for (let i = n4; i < n; i++) if (x[i]! > m0) m0 = x[i]!;
  return Math.max(m0, m1, m2, m3);
}

/**
 * Temperature then nucleus (top-p) sampling, as transformers' TemperatureLogitsWarper and
 * TopPLogitsWarper do: p_i = exp(l_i / T - max) / sum, then keep the smallest set of most likely
 * tokens (ties: lower id first) whose probability reaches top_p (always at least one), and draw
 * from it renormalised, with one rng() call.
 *
 * The token is, bit for bit and rng draw for rng draw, the one of the textbook computation (every
 * probability and their float sum in id order, one full sort, the nucleus: `sampleTokenExact`
 * computes the same), but a step costs about one pass over the logits instead of ~32k Math.exp
 * calls and sorts:
 * - only tokens near the top (x = l/T - max >= -8: a few dozen to a few hundred) get their exact
 *   probability; the nucleus lies among them whenever it ends above every other token;
 * - the others are only counted, in bins 1/128 nat wide, which bound the exact float sum from
 *   below and above to a fraction of a percent;
 * - the cut-off is taken only where both bounds agree on it; where they do not (a few percent of
 *   steps) or the nucleus reaches further, a deeper cut (x >= -14) is tried, and past that the
 *   exact computation runs. top_p >= 1 always takes the exact computation.
 * The pass starts from the previous step's maximum as a guess of this one's (it finds the true
 * one on the way); a guess too far off costs a second pass, never a different token.
 */
export function sampleToken(logits: Logits, params: SamplingParams, rng: () => number): number {
  if (!(params.temperature > GREEDY_AT_OR_BELOW)) return argmax(logits);
  const topK = Math.floor(params.topK ?? 0);
  if (topK > 0 && topK < logits.length) return sampleTopK(logits, params.temperature, topK, params.topP, rng);
  const invT = 1 / params.temperature;
  const topP = Math.min(1, Math.max(0, params.topP));
  if (!(topP < 1) || !(invT < Infinity)) return sampleTokenExact(logits, params, rng);
  let kept: number = WIDEN;
  if (Number.isFinite(lastMax)) kept = nucleus(logits, invT, lastMax + CANDIDATE_CUTS[0]! / invT, topP, true);
  if (kept === WIDEN || kept === AMBIGUOUS) {
    // From the true maximum; a deeper cut first where the bins were not precise enough.
    const lmax = maxOf(logits);
    for (let c = kept === AMBIGUOUS ? 1 : 0; c < CANDIDATE_CUTS.length; c++) {
      kept = nucleus(logits, invT, lmax + CANDIDATE_CUTS[c]! / invT, topP, false);
      if (kept !== WIDEN && kept !== AMBIGUOUS) break;
    }
  }
  if (kept <= 0) return sampleTokenExact(logits, params, rng);
  return draw(kept, rng);
}

/**
 * Candidates are the tokens with x = l/T - max >= cut: the first cut holds the nucleus of a
 * peaked distribution in a few hundred tokens; the second is tried where the nucleus reaches
 * past the first or the bins could not settle it.
 */
const CANDIDATE_CUTS = [-8, -14];
/**
 * Bins per nat (a power of two, so bin edges -b/K are exact) and the bins' span below the cut:
 * wide enough that nearly every token lands in a bin, so the branch that sends the rest past them
 * is predictable (a random-weight model's tokens spread over ~40 nats at T 0.2).
 */
const BINS_PER_NAT = 128;
const BIN_COUNT = BINS_PER_NAT * 48;
/** Relative slack on every bound: covers Math.exp's and the sums' rounding (< 1e-10 here) many times over. */
const MARGIN = 1e-8;
/** A guessed cut-off that lets in more candidates than this is retried from the true maximum. */
const GUESS_CANDIDATES = 4096;
const EXACT = 0;
const WIDEN = -1;
const AMBIGUOUS = -2;

interface Scratch {
  /** Candidate token ids, in id order. */
  cand: Int32Array;
  /** Their exact probabilities (unnormalised, as the reference computes them), in the same order. */
  p: Float64Array;
  /** How many candidates there are. */
  candidates: number;
  /** The first `count` of their probabilities sorted ascending (so the most likely come last). */
  sorted: Float64Array;
  count: number;
  /** Tail histograms, one for each token position mod 4. */
  hist0: Int32Array;
  hist1: Int32Array;
  hist2: Int32Array;
  hist3: Int32Array;
}
let scratch: Scratch | undefined;
/** exp(-b / BINS_PER_NAT) for b = 0..BIN_COUNT + 1. */
let binEdges: Float64Array | undefined;
/** The largest logit of the last sampled step: where this step's pass guesses the peak is. */
let lastMax = NaN;

function buffers(n: number): Scratch {
  if (!scratch || scratch.cand.length < n) {
    scratch = {
      cand: new Int32Array(n),
      p: new Float64Array(n),
      sorted: new Float64Array(n),
      candidates: 0,
      count: 0,
      hist0: new Int32Array(BIN_COUNT),
      hist1: new Int32Array(BIN_COUNT),
      hist2: new Int32Array(BIN_COUNT),
      hist3: new Int32Array(BIN_COUNT),
    };
  }
  if (!binEdges) {
    binEdges = new Float64Array(BIN_COUNT + 2);
    for (let b = 0; b <= BIN_COUNT + 1; b++) binEdges[b] = Math.exp(-b / BINS_PER_NAT);
  }
  return scratch;
}

/**
 * Finds the nucleus among the tokens with l >= lc: returns how many of the most likely (the last
 * of scratch.sorted) are kept; AMBIGUOUS when the bounds on the sum straddle top_p; WIDEN when the
 * nucleus may reach below lc (or, for a guessed lc, when the guess was too far off); EXACT when
 * only the exact computation will do (NaN logits, extreme scales).
 */
function nucleus(logits: Logits, invT: number, lc: number, topP: number, guessed: boolean): number {
  const n = logits.length;
  const s = buffers(n);
  const { cand, p } = s;
  const h0 = s.hist0;
  const h1 = s.hist1;
  const h2 = s.hist2;
  const h3 = s.hist3;
  h0.fill(0);
  h1.fill(0);
  h2.fill(0);
  h3.fill(0);
  // Token i is a candidate iff l_i >= lc; otherwise d = (lc - l_i) * K / T > 0 and its x lies in
  // (xc - (d + 1) / K, xc - d / K], where xc = lc / T - max, so its probability is within
  // [E * exp(-(b + 1) / K), E * exp(-b / K)] for E = exp(xc), b = floor(d). The maximum is among
  // the candidates, if there are any. Four tokens per iteration, each with its own histogram, so
  // increments of one bin rarely wait on each other.
  const scale = BINS_PER_NAT * invT;
  const cap = guessed ? GUESS_CANDIDATES : n;
  let nc = 0;
  let beyond = 0;
  let lmax = -Infinity;
  const n4 = n - (n % 4);
  for (let i = 0; i < n4; i += 4) {
    {
      const l = logits[i]!;
      const d = (lc - l) * scale;
      if (d <= 0) {
        if (nc === cap) return WIDEN;
        cand[nc++] = i;
        if (l > lmax) lmax = l;
      } else if (d < BIN_COUNT) {
        h0[d | 0]!++;
      } else {
        if (d !== d) return EXACT; // NaN
        beyond++;
      }
    }
    {
      const l = logits[i + 1]!;
      const d = (lc - l) * scale;
      if (d <= 0) {
        if (nc === cap) return WIDEN;
        cand[nc++] = i + 1;
        if (l > lmax) lmax = l;
      } else if (d < BIN_COUNT) {
        h1[d | 0]!++;
      } else {
        if (d !== d) return EXACT; // NaN
        beyond++;
      }
    }
    {
      const l = logits[i + 2]!;
      const d = (lc - l) * scale;
      if (d <= 0) {
        if (nc === cap) return WIDEN;
        cand[nc++] = i + 2;
        if (l > lmax) lmax = l;
      } else if (d < BIN_COUNT) {
        h2[d | 0]!++;
      } else {
        if (d !== d) return EXACT; // NaN
        beyond++;
      }
    }
    {
      const l = logits[i + 3]!;
      const d = (lc - l) * scale;
      if (d <= 0) {
        if (nc === cap) return WIDEN;
        cand[nc++] = i + 3;
        if (l > lmax) lmax = l;
      } else if (d < BIN_COUNT) {
        h3[d | 0]!++;
      } else {
        if (d !== d) return EXACT; // NaN
        beyond++;
      }
    }
  }
  for (let i = n4; i < n; i++) {
    {
      const l = logits[i]!;
      const d = (lc - l) * scale;
      if (d <= 0) {
        if (nc === cap) return WIDEN;
        cand[nc++] = i;
        if (l > lmax) lmax = l;
      } else if (d < BIN_COUNT) {
        h0[d | 0]!++;
      } else {
        if (d !== d) return EXACT; // NaN
        beyond++;
      }
    }
  }
  if (nc === 0) return WIDEN;
  // The reference's max over l_i / T is lmax * invT exactly: rounding is monotonic.
  const max = lmax * invT;
  lastMax = lmax;
  // Beyond this scale the bounds' rounding margin would not hold (and the reference's x lose bits).
  if (!(Math.abs(max) < 1e5)) return EXACT;
  const E = Math.exp(lc * invT - max);
  const edges = binEdges!;
  let tailHi = beyond * edges[BIN_COUNT]!;
  let tailLo = 0;
  for (let b = 0; b < BIN_COUNT; b++) {
    const c = h0[b]! + h1[b]! + h2[b]! + h3[b]!;
    if (c) {
      tailHi += c * edges[b]!;
      tailLo += c * edges[b + 1]!;
    }
  }
  tailHi *= E;
  tailLo *= E;
  let candMass = 0;
  for (let j = 0; j < nc; j++) {
    const pj = Math.exp(logits[cand[j]!]! * invT - max);
    p[j] = pj;
    candMass += pj;
  }
  s.candidates = nc;
  const sumHi = (candMass + tailHi) * (1 + MARGIN);
  const sumLo = (candMass + tailLo) * (1 - MARGIN);

  // The probabilities alone decide the cut and the draw (equal ones add the same mass, whichever
  // id they belong to), so a native numeric sort will do; ids are matched up afterwards. Most
  // steps need only the tokens within e^-4 of the peak: those are sorted first, on their own.
  const sorted = s.sorted;
  let top = 0;
  for (let j = 0; j < nc; j++) if (p[j]! >= NEAR_PEAK) sorted[top++] = p[j]!;
  const kept = cutOff(sorted, top, E, sumLo, sumHi, topP);
  if (kept !== WIDEN) {
    s.count = top;
    return kept;
  }
  sorted.set(p.subarray(0, nc));
  s.count = nc;
  return cutOff(sorted, nc, E, sumLo, sumHi, topP);
}

/** exp(-4): see nucleus. */
const NEAR_PEAK = Math.exp(-4);

/**
 * Sorts the first `count` probabilities ascending and walks them from the most likely: how many
 * are kept, AMBIGUOUS, or WIDEN (past the end, or down to where other tokens, at most E or below
 * the smallest of these, could come first).
 */
function cutOff(sorted: Float64Array, count: number, E: number, sumLo: number, sumHi: number, topP: number): number {
  if (count === 0) return WIDEN;
  sorted.subarray(0, count).sort();
  // Every token not among these is at most E (x <= xc) or below them all, so these, sorted,
  // are the start of the whole vocabulary's order as long as the kept ones lie above E.
  const tailMax = E * (1 + MARGIN);
  let mass = 0;
  for (let t = count - 1; t >= 0; t--) {
    const pt = sorted[t]!;
    if (!(pt > tailMax)) return WIDEN;
    mass += pt;
    // The exact test is mass / sum >= top_p for the exact sum, somewhere in [sumLo, sumHi].
    if (mass / sumLo >= topP) return mass / sumHi >= topP ? count - t : AMBIGUOUS;
  }
  return WIDEN;
}

/** The draw within the `kept` most likely candidates, then the id of the one drawn. */
function draw(kept: number, rng: () => number): number {
  const { cand, p, sorted, count, candidates } = scratch!;
  const last = count - kept;
  let keptMass = 0;
  for (let t = count - 1; t >= last; t--) keptMass += sorted[t]!;
  let r = rng() * keptMass;
  let at = last;
  for (let t = count - 1; t >= last; t--) {
    r -= sorted[t]!;
    if (r <= 0) {
      at = t;
      break;
    }
  }
  // Equal probabilities go in id order: the one drawn is the k-th of its value.
  const v = sorted[at]!;
  let k = 0;
  while (at + 1 + k < count && sorted[at + 1 + k] === v) k++;
  for (let j = 0; j < candidates; j++) if (p[j] === v && k-- === 0) return cand[j]!;
  throw new Error('sampler: the drawn probability is not among the candidates');
}
