"""Writes models/tiny/golden/tokenizer-cases.json: seeded random texts (words, special tokens,
spaces, newlines, '▁', accents, emoji, CJK) with their ids in both `legacy` modes, from this
repo's independent Python LLaMA tokenizer (llama_tokenizer.py, its own BPE over tokenizer.json).
The app's tokenizer (web-tokenizers + src/generate/tokenizer.ts) must give the same ids
(src/generate/tokenizer.test.ts).

Usage: tokenizer_cases.py TOKENIZER_JSON OUT_JSON [--count N]
"""

import argparse
import json
import random

from llama_tokenizer import LlamaTokenizer

SEED = 1307
ATOMS = ['<s>', '</s>', '<unk>', '[INST]', '[/INST]', '<<SYS>>', '<</SYS>>', ' ', '  ', '\n', '\n\n', '\u2581',
         'Hello', 'world', 'pleural', 'effusion', 'No', ' acute', 'findings.', '?', 'x', '[', ']', 'é', 'ą',
         '😀', '안녕', '心', '\t', '0.5', 'cardiomegaly', ' </s>', '<s>[INST]']


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('tokenizer_json')
    ap.add_argument('out')
    ap.add_argument('--count', type=int, default=400)
    args = ap.parse_args()
    rng = random.Random(SEED)
    modes = {legacy: LlamaTokenizer(args.tokenizer_json, legacy=legacy) for legacy in (True, False)}
    cases = []
    for _ in range(args.count):
        text = ''.join(rng.choice(ATOMS) for _ in range(rng.randint(1, 10)))
        cases.append({'text': text, 'legacy': modes[True].encode(text, add_bos=False),
                      'nonLegacy': modes[False].encode(text, add_bos=False)})
    with open(args.out, 'w', encoding='utf-8') as f:
        json.dump({'about': __doc__.splitlines()[0], 'seed': SEED, 'cases': cases}, f, ensure_ascii=False, indent=0)
        f.write('\n')


if __name__ == '__main__':
    main()
