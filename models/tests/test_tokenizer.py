import json
import os
import unittest

import _paths  # noqa: F401  (puts models/ on sys.path)
from llama_tokenizer import LlamaTokenizer, tokenizer_image_token
from reference import REPORT, SYSTEM, render_llama2


class LlamaTokenizerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tok = LlamaTokenizer(_paths.TOKENIZER_JSON)

    def test_known_llama2_ids(self):
        # Ids of Meta's LLaMA-2 tokenizer (and of SentencePiece on tokenizer.model).
        self.assertEqual(self.tok.encode('Hello world'), [1, 15043, 3186])
        self.assertEqual(self.tok.encode('[INST]', add_bos=False), [518, 25580, 29962])
        self.assertEqual(self.tok.encode('<<SYS>>', add_bos=False), [3532, 14816, 29903, 6778])
        # A chunk that starts with "\n" gets the dummy-prefix '▁' (29871) before <0x0A> (13).
        self.assertEqual(self.tok.encode('\nWrite'), [1, 29871, 13, 6113])

    def test_special_tokens_split_first_and_each_segment_gets_the_prefix(self):
        self.assertEqual(self.tok.encode('<s>[INST] hi'), [1, 1, 518, 25580, 29962, 7251])
        self.assertEqual(self.tok.encode('ok </s><s>[INST]', add_bos=False), [3431, 29871, 2, 1, 518, 25580, 29962])

    def test_byte_fallback_and_decode(self):
        ids = self.tok.encode('x 😀', add_bos=False)
        self.assertEqual(ids[-4:], [243, 162, 155, 131])  # <0xF0><0x9F><0x98><0x80>
        for text in ['Hello world', 'naïve café 😀', '  two  spaces ', 'a\nb']:
            self.assertEqual(self.tok.decode(self.tok.encode(text)), text)
        self.assertEqual(self.tok.decode([243, 162]), '\ufffd\ufffd')  # cut UTF-8: one U+FFFD per byte

    def test_report_prompt_layout(self):
        prompt = render_llama2([{'role': 'system', 'content': SYSTEM}, {'role': 'user', 'content': REPORT}])
        ids = tokenizer_image_token(prompt, self.tok)
        # BOS from the tokenizer + the template's literal <s>: two BOS ids.
        self.assertEqual(ids[:5], [1, 1, 518, 25580, 29962])
        self.assertEqual(ids.count(-200), 1)
        at = ids.index(-200)
        self.assertEqual(ids[at - 2:at], [13, 13])  # "<</SYS>>\n\n"
        self.assertEqual(ids[at + 1:at + 4], [29871, 13, 6113])  # "▁", "\n", "Write"
        self.assertEqual(ids[-4:], [518, 29914, 25580, 29962])  # " [/INST]"
        with open(os.path.join(_paths.GOLDEN, 'golden.json'), encoding='utf-8') as f:
            golden = json.load(f)
        legacy = golden['tokenizer']['legacy']
        tok = self.tok if legacy else LlamaTokenizer(_paths.TOKENIZER_JSON, legacy=False)
        self.assertEqual(golden['report']['ids'], tokenizer_image_token(prompt, tok))
        self.assertEqual(golden['report']['text'], prompt)

    def test_non_legacy_mode(self):
        # transformers 4.36 LlamaTokenizer(legacy=False): no dummy prefix after a special token.
        tok = LlamaTokenizer(_paths.TOKENIZER_JSON, legacy=False)
        self.assertEqual(tok.encode('Hello world'), [1, 15043, 3186])
        self.assertEqual(tok.encode('<s>[INST] hi'), [1, 1, 29961, 25580, 29962, 7251])
        self.assertEqual(tok.encode('ok </s><s>[INST]', add_bos=False), [3431, 29871, 2, 1, 29961, 25580, 29962])
        self.assertEqual(tok.encode('\nWrite'), [1, 29871, 13, 6113])
        prompt = render_llama2([{'role': 'system', 'content': SYSTEM}, {'role': 'user', 'content': REPORT}])
        legacy_ids = tokenizer_image_token(prompt, self.tok)
        ids = tokenizer_image_token(prompt, tok)
        self.assertEqual(ids[:5], [1, 1, 29961, 25580, 29962])
        self.assertEqual(ids[3:], legacy_ids[3:])  # "[" after <s> is the only difference here
        chat = render_llama2([{'role': 'system', 'content': SYSTEM}, {'role': 'user', 'content': REPORT},
                              {'role': 'assistant', 'content': ' No acute findings. '},
                              {'role': 'user', 'content': 'Is there a pleural effusion?'}])
        self.assertEqual(tokenizer_image_token(chat, tok)[-30:], [
            1165, 29889, 518, 29914, 25580, 29962, 1939, 1274, 1082, 1284, 886, 29889, 29871, 2, 1, 29961, 25580,
            29962, 1317, 727, 263, 5644, 3631, 1801, 3958, 29973, 518, 29914, 25580, 29962])

    def test_image_token_helper_without_bos_chunks(self):
        class NoBos:
            bos_id = 1

            def encode(self, text):
                return [ord(c) for c in text]

        self.assertEqual(tokenizer_image_token('ab<image>c', NoBos()), [97, 98, -200, 99])


class TokenizerPairCheckTest(unittest.TestCase):
    def test_tokenizer_json_is_checked_piece_by_piece_against_tokenizer_model(self):
        try:
            import sentencepiece as spm
        except ImportError:
            self.skipTest('sentencepiece not installed')
        import tempfile
        from checkpoint import check_tokenizer_pair
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, 't.txt'), 'w', encoding='utf-8') as f:
                f.write('chest radiograph pleural effusion\n' * 50)
            spm.SentencePieceTrainer.train(input=os.path.join(d, 't.txt'), model_prefix=os.path.join(d, 'm'),
                                           vocab_size=40, model_type='bpe', minloglevel=2)
            sp = spm.SentencePieceProcessor(model_file=os.path.join(d, 'm.model'))
            vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
            path = os.path.join(d, 'tokenizer.json')
            for swap in (False, True):
                v = dict(vocab)
                if swap:
                    a, b = sp.id_to_piece(3), sp.id_to_piece(4)
                    v[a], v[b] = v[b], v[a]
                with open(path, 'w', encoding='utf-8') as f:
                    json.dump({'model': {'vocab': v}}, f)
                if swap:
                    self.assertRaises(ValueError, check_tokenizer_pair, os.path.join(d, 'm.model'), path)
                else:
                    self.assertTrue(check_tokenizer_pair(os.path.join(d, 'm.model'), path))


if __name__ == '__main__':
    unittest.main()
