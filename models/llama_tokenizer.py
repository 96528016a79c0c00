"""A small, independent LLaMA-2 tokenizer read from a Hugging Face tokenizer.json, for the
PyTorch reference and its golden token ids (transformers is not needed).

Semantics (tokenizers' LLaMA "legacy" pipeline, which the reference's slow SentencePiece
LlamaTokenizer matches): special tokens (<s>, </s>, <unk>) are split out of the text first;
every other non-empty segment is normalised on its own (prepend '▁', ' ' -> '▁') and BPE-encoded
as one word (merges by rank, lowest first), characters missing from the vocabulary fall back to
their UTF-8 bytes <0xNN>; encode() puts BOS in front, as tokenizer(text) does."""

import json
import re

SPIECE = '\u2581'


class LlamaTokenizer:
    """legacy=True: every non-special segment gets the dummy prefix '▁' (transformers' legacy
    LlamaTokenizer, and tokenizer.json's own pipeline). legacy=False (transformers 4.36
    LlamaTokenizer.tokenize/_tokenize with legacy=False): '▁' + text (literal '▁' read as ' '),
    split on special tokens, each segment encoded with NO dummy prefix, and a lone leading '▁'
    dropped when a special token follows it; so '<s>[INST]' gives <s>, '[' (29961)."""

    def __init__(self, path, legacy=True):
        self.legacy = legacy
        with open(path, encoding='utf-8') as f:
            spec = json.load(f)
        model = spec['model']
        if model.get('type') != 'BPE' or not model.get('byte_fallback'):
            raise ValueError('expected a byte-fallback BPE tokenizer.json (LLaMA)')
        self.vocab = model['vocab']
        self.pieces = {i: p for p, i in self.vocab.items()}
        merges = [m.split(' ') if isinstance(m, str) else m for m in model['merges']]
        self.ranks = {(a, b): i for i, (a, b) in enumerate(merges)}
        self.special = {t['content']: t['id'] for t in spec['added_tokens'] if t.get('special')}
        for t in spec['added_tokens']:
            self.pieces[t['id']] = t['content']
        self.bos_id = self.special['<s>']
        self.eos_id = self.special['</s>']
        # Longest first, so a special token that contains another one wins.
        alternatives = sorted(self.special, key=len, reverse=True)
        self._special_re = re.compile('(' + '|'.join(re.escape(s) for s in alternatives) + ')')

    def encode(self, text, add_bos=True):
        ids = [self.bos_id] if add_bos else []
        if self.legacy:
            for segment in self._special_re.split(text):
                if not segment:
                    continue
                if segment in self.special:
                    ids.append(self.special[segment])
                else:
                    ids.extend(self._bpe(SPIECE + segment.replace(' ', SPIECE)))
            return ids
        if not text:
            return ids
        pieces = []  # (piece text, id)
        for segment in self._special_re.split(SPIECE + text.replace(SPIECE, ' ')):
            if not segment:
                continue
            if segment in self.special:
                pieces.append((segment, self.special[segment]))
            else:
                pieces.extend((self.pieces[i], i) for i in self._bpe(segment.replace(' ', SPIECE)))
        if len(pieces) > 1 and pieces[0][0] == SPIECE and pieces[1][0] in self.special:
            pieces = pieces[1:]
        return ids + [i for _, i in pieces]

    def _bpe(self, word):
        symbols = []
        for ch in word:
            if ch in self.vocab:
                symbols.append(ch)
            else:  # byte fallback, one symbol per UTF-8 byte; byte pieces never merge
                symbols.extend('<0x%02X>' % b for b in ch.encode('utf-8'))
        while len(symbols) > 1:
            best, best_rank = None, None
            for i in range(len(symbols) - 1):
                rank = self.ranks.get((symbols[i], symbols[i + 1]))
                if rank is not None and (best_rank is None or rank < best_rank):
                    best, best_rank = i, rank
            if best is None:
                break
            symbols[best:best + 2] = [symbols[best] + symbols[best + 1]]
        return [self.vocab[s] for s in symbols]

    def decode(self, ids, skip_special_tokens=True):
        """tokenizer.json's decoder: '▁' -> ' ', byte pieces -> UTF-8 (a group that is not valid
        UTF-8 becomes one U+FFFD per byte), then one leading space stripped."""
        out, pending = [], bytearray()

        def flush():
            if pending:
                try:
                    out.append(pending.decode('utf-8'))
                except UnicodeDecodeError:
                    out.append('\ufffd' * len(pending))
                pending.clear()

        for i in ids:
            piece = self.pieces[i]
            if piece in self.special:
                if skip_special_tokens:
                    continue
                flush()
                out.append(piece)
            elif re.fullmatch(r'<0x[0-9A-F]{2}>', piece):
                pending.append(int(piece[3:5], 16))
            else:
                flush()
                out.append(piece.replace(SPIECE, ' '))
        flush()
        text = ''.join(out)
        return text[1:] if text.startswith(' ') else text


def tokenizer_image_token(prompt, tokenizer, image_token_index=-200):
    """LLaVA's tokenizer_image_token: tokenize each '<image>'-separated chunk with BOS, keep the
    first chunk's BOS once, drop the first token of every chunk, and put image_token_index
    where '<image>' stood."""
    chunks = [tokenizer.encode(c) for c in prompt.split('<image>')]
    ids, offset = [], 0
    if chunks and chunks[0] and chunks[0][0] == tokenizer.bos_id:
        offset = 1
        ids.append(chunks[0][0])
    for i, chunk in enumerate(chunks):
        if i > 0:
            ids.extend(([image_token_index] * (offset + 1))[offset:])
        ids.extend(chunk[offset:])
    return ids
