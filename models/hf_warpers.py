"""A reference of what transformers 4.36 `generate(do_sample=True, temperature, top_k, top_p)`
does to the logits of one step, written from its LogitsWarper semantics, and the golden cases the
app's sampler (src/generate/sampler.ts) must reproduce token for token.

Semantics (transformers 4.36, generation/logits_process.py and utils.py):
- sampling happens only when temperature > 0.001 (CXR-LLaVA's `do_sample = temperature > 0.001`;
  otherwise greedy: the first maximum, torch.argmax);
- warpers run in this order: TemperatureLogitsWarper (x = logits / T), TopKLogitsWarper
  (top_k != 0: every x below the top_k-th largest becomes -inf, so ties at that value are all
  kept), TopPLogitsWarper (top_p < 1: softmax over what is left, sorted ASCENDING, cumulative sum;
  a token is removed where that sum <= 1 - top_p; the most likely is always kept);
- then probs = softmax(x) and one draw.
Numerics: float64 throughout (torch runs float32, so a case within float32 rounding of a cut-off
may differ from torch itself; the random cases here are continuous and never that close); every
sum is sequential in a stated order so the TS code can repeat it bit for bit. torch.multinomial's
own generator cannot be reproduced, so the draw is the inverse CDF of the kept tokens (most likely
first, ties lower id first) at a uniform u from the app's seeded mulberry32: the same distribution.

  /usr/bin/python3 models/hf_warpers.py --out models/sampling/hf-warpers-golden.json
"""

import argparse
import json
import math

import numpy as np


def warp(logits, temperature, top_k, top_p):
    """Kept token ids, most likely first (ties: lower id first), and their unnormalised
    probabilities exp(x - max)."""
    x = np.asarray(logits, np.float64) / temperature  # IEEE division, element by element
    valid = ~np.isnan(x)
    ids = np.nonzero(valid)[0]
    if top_k and top_k < len(ids):
        kth = np.partition(x[valid], len(ids) - top_k)[len(ids) - top_k]  # the top_k-th largest
        ids = np.nonzero(valid & (x >= kth))[0]
    ids = [int(i) for i in ids]
    m = float(max(x[i] for i in ids))
    p = {i: math.exp(float(x[i]) - m) for i in ids}
    order = sorted(ids, key=lambda i: (-p[i], i))  # most likely first
    if top_p < 1:
        ascending = order[::-1]
        total = 0.0
        for i in ascending:
            total += p[i]
        cum, removed = 0.0, 0
        for i in ascending[:-1]:  # the most likely is always kept (min_tokens_to_keep = 1)
            cum += p[i]
            if cum / total <= 1 - top_p:
                removed += 1
            else:
                break
        order = order[:len(order) - removed]
    return order, [p[i] for i in order]


def draw(order, probs, u):
    mass = 0.0
    for q in probs:
        mass += q
    r = u * mass
    for i, q in zip(order, probs):
        r -= q
        if r <= 0:
            return i
    return order[-1]


def sample(logits, temperature, top_k, top_p, u):
    if not temperature > 0.001:
        return int(np.argmax(logits))
    order, probs = warp(logits, temperature, top_k, top_p)
    return draw(order, probs, u)


class Mulberry32:
    """src/generate/sampler.ts createRng, bit for bit."""

    def __init__(self, seed):
        self.a = seed & 0xFFFFFFFF

    def __call__(self):
        def imul(x, y):
            return (x * y) & 0xFFFFFFFF
        self.a = (self.a + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296


def case_logits(rng, n, kind):
    """Float32 logits from +,-,* on exact uniforms only, so TS makes the same numbers: a spread
    shape (sum of three uniforms), a few dozen boosted tokens, and for 'ties' repeated values."""
    scale = {'peaked': 6.0, 'flat': 1.5, 'ties': 4.0}[kind]
    out = np.empty(n, np.float32)
    for i in range(n):
        v = (rng() + rng() + rng() - 1.5) * scale
        if rng() < 0.002:
            v += rng() * 12.0
        if kind == 'ties':
            v = math.floor(v * 4) / 4
        out[i] = v
    return out


CASE_KINDS = ('peaked', 'flat', 'ties')


def cases(count, seed):
    rng = Mulberry32(seed)
    out = []
    for c in range(count):
        kind = CASE_KINDS[c % 3]
        n = (32000, 4096, 512, 64, 7)[c % 5]
        logits = case_logits(rng, n, kind)
        temperature = [0.2, 0.7, 1.0, 1.3, 0.0005, 0.2][c % 6]
        top_k = [50, 50, 0, 5, 1, 50, 40000][c % 7]
        top_p = [0.8, 0.8, 1.0, 0.5, 0.95, 0.3, 0.8, 0.99][c % 8]
        us = [rng(), rng(), 1 - 2 ** -30, 0.0]
        if temperature > 0.001:
            order, probs = warp(logits, temperature, top_k, top_p)
            tokens, kept = [draw(order, probs, u) for u in us], len(order)
        else:
            tokens, kept = [int(np.argmax(logits))] * len(us), 1
        out.append({'n': n, 'kind': kind, 'temperature': temperature, 'topK': top_k, 'topP': top_p,
                    'u': us, 'tokens': tokens, 'kept': kept})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--count', type=int, default=3000)
    ap.add_argument('--seed', type=int, default=4242)
    args = ap.parse_args()
    data = {'about': __doc__.splitlines()[0], 'seed': args.seed, 'logits': 'case_logits() of models/hf_warpers.py',
            'cases': cases(args.count, args.seed)}
    with open(args.out, 'w', encoding='utf-8') as f:
        json.dump(data, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
