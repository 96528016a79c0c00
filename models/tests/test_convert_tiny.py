"""End to end on a fresh tiny checkpoint: the converter reproduces the bundled folder bit for bit,
its PyTorch modules agree with the independent reference, and the HF Llama folder reads back."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

import _paths
import checkpoint as ckpt
import reference as ref
from llama_export import Decoder
from vision_export import VisionEncoder


class ConvertTinyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='cxr-convert-test-')
        cls.ckpt = os.path.join(cls.tmp, 'checkpoint')
        cls.out = os.path.join(cls.tmp, 'cxr-llava-tiny')
        cls.hf = os.path.join(cls.tmp, 'hf-llama')
        run = [sys.executable, os.path.join(_paths.MODELS, 'make_tiny_checkpoint.py'),
               '--out', cls.ckpt, '--tokenizer-dir', _paths.TINY]
        subprocess.run(run, check=True, stdout=subprocess.DEVNULL)
        run = [sys.executable, os.path.join(_paths.MODELS, 'convert.py'), cls.ckpt, '--out', cls.out,
               '--random-weights', '--hf-llama-dir', cls.hf, '--created-at', '2026-01-01T00:00:00Z']
        subprocess.run(run, check=True, stdout=subprocess.DEVNULL)
        cls.sd = ckpt.load_state_dict(cls.ckpt)
        cls.config = ckpt.load_config(cls.ckpt)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_weights_files_match_the_bundled_model(self):
        def hashes(folder):
            with open(os.path.join(folder, 'manifest.json'), encoding='utf-8') as f:
                return {e['path']: e['sha256'] for e in json.load(f)['files']}
        fresh, bundled = hashes(self.out), hashes(_paths.TINY)
        for path, sha in bundled.items():
            if path == 'mlc-commands.txt':  # holds the output paths
                continue
            self.assertEqual(fresh.get(path), sha, path)

    def test_vision_module_matches_the_reference(self):
        vcfg = ckpt.vision_config(self.config)
        enc = VisionEncoder(vcfg, self.config, self.sd)
        x = torch.from_numpy(np.fromfile(os.path.join(_paths.GOLDEN, 'pixel_values.f32'), '<f4')).view(1, 1, 512, 512)
        with torch.no_grad():
            a = enc(x)
            b = ref.vision_rows(self.sd, self.config['clip_vision_cfg'], x)
        self.assertLess(float((a - b).abs().max()), 1e-5)

    def test_decoder_module_with_cache_matches_the_reference(self):
        lcfg = ckpt.llama_config(self.config)
        dec = Decoder(lcfg, self.sd)
        model = ref.Llama(self.sd, self.config['llama'])
        ids = [1, 15043, 3186, 29892, 920, 526, 366]
        emb = model.embed(ids)
        d = lcfg['head_dim']
        past = [torch.zeros(1, lcfg['num_key_value_heads'], 0, d)] * (2 * lcfg['num_hidden_layers'])
        with torch.no_grad():
            # prefill 5, then 2 single steps through the returned cache
            out = dec(emb[None, :5], torch.ones(1, 5, dtype=torch.int64), torch.arange(5)[None], *past)
            logits, past = out[0], list(out[1:])
            for pos in (5, 6):
                out = dec(emb[None, pos:pos + 1], torch.ones(1, pos + 1, dtype=torch.int64),
                          torch.tensor([[pos]]), *past)
                logits, past = out[0], list(out[1:])
            expected = model.logits(emb)
        self.assertLess(float((logits[0, -1] - expected).abs().max()), 1e-4)

    def test_hf_llama_folder_reads_back(self):
        with open(os.path.join(self.hf, 'config.json'), encoding='utf-8') as f:
            cfg = json.load(f)
        self.assertEqual((cfg['model_type'], cfg['architectures']), ('llama', ['LlamaForCausalLM']))
        back = ckpt.load_state_dict(self.hf)
        self.assertTrue(torch.equal(back['model.layers.1.mlp.down_proj.weight'],
                                    self.sd['llama.layers.1.mlp.down_proj.weight']))
        self.assertEqual(back['lm_head.weight'].dtype, torch.bfloat16)
        self.assertEqual(len(back), sum(1 for k in self.sd if k.startswith('llama.')) + 1)

    def test_twin_is_in_the_published_schema(self):
        real = os.path.join(_paths.MODELS, 'real-schema')
        with open(os.path.join(real, 'config.json'), encoding='utf-8') as f:
            published = json.load(f)

        def shape(d):  # the key tree, values' types (sizes differ)
            return {k: shape(v) if isinstance(v, dict) else type(v).__name__ for k, v in d.items()}
        self.assertEqual(shape(self.config), shape(published))
        self.assertEqual(sorted(self.config['clip_vision_cfg']), ['image_size', 'layers', 'patch_size', 'width'])
        self.assertIsInstance(self.config['image_preprocess_cfg']['mean'], float)
        for name in ('generation_config.json', 'special_tokens_map.json', 'added_tokens.json'):
            with open(os.path.join(real, name), 'rb') as a, open(os.path.join(self.ckpt, name), 'rb') as b:
                self.assertEqual(a.read(), b.read(), name)
        with open(os.path.join(self.ckpt, 'model.safetensors.index.json'), encoding='utf-8') as f:
            shards = set(json.load(f)['weight_map'].values())
        self.assertGreaterEqual(len(shards), 3)
        self.assertTrue(all(t.dtype == torch.bfloat16 for t in self.sd.values()))
        # The published naming: no 'model.' prefix, lm_head at the top level.
        prefixes = {k.split('.')[0] for k in self.sd}
        self.assertEqual(prefixes, {'vision_tower', 'mm_projector', 'llama', 'lm_head'})

    def test_bin_shards_give_the_same_model(self):
        only_bin = os.path.join(self.tmp, 'only-bin')
        shutil.copytree(self.ckpt, only_bin)
        for name in os.listdir(only_bin):
            if 'safetensors' in name:
                os.remove(os.path.join(only_bin, name))
        sd = ckpt.load_state_dict(only_bin)
        self.assertEqual(sorted(sd), sorted(self.sd))
        self.assertTrue(all(torch.equal(sd[k], self.sd[k]) for k in sd))

    def test_tokenizer_flags_come_from_tokenizer_config(self):
        with open(os.path.join(self.out, 'manifest.json'), encoding='utf-8') as f:
            manifest = json.load(f)
        with open(os.path.join(self.ckpt, 'tokenizer_config.json'), encoding='utf-8') as f:
            tc = json.load(f)
        self.assertEqual((manifest['tokenizer']['legacy'], manifest['tokenizer']['addBosToken'],
                          manifest['tokenizer']['addEosToken']),
                         (tc['legacy'], tc['add_bos_token'], tc['add_eos_token']))
        self.assertEqual(manifest['generation']['topK'], 50)
        self.assertEqual(manifest['vision']['mean'], [0.5518136078431373])

    def test_missing_tokenizer_config_is_refused_with_the_command(self):
        bare = os.path.join(self.tmp, 'no-tokenizer-config')
        shutil.copytree(self.ckpt, bare)
        os.remove(os.path.join(bare, 'tokenizer_config.json'))
        run = [sys.executable, os.path.join(_paths.MODELS, 'convert.py'), bare, '--out',
               os.path.join(self.tmp, 'never2'), '--skip-mlc', '--no-hf-llama']
        res = subprocess.run(run, capture_output=True, text=True)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('no tokenizer_config.json', res.stderr)
        self.assertIn('"legacy": false', res.stderr)
        self.assertIn(bare + '/tokenizer_config.json', res.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'never2')))

    def test_missing_tokenizer_json_is_explained(self):
        bare = os.path.join(self.tmp, 'bare')
        shutil.copytree(self.ckpt, bare)
        os.remove(os.path.join(bare, 'tokenizer.json'))
        open(os.path.join(bare, 'tokenizer.model'), 'wb').close()
        run = [sys.executable, os.path.join(_paths.MODELS, 'convert.py'), bare, '--out',
               os.path.join(self.tmp, 'never')]
        res = subprocess.run(run, capture_output=True, text=True)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('save_pretrained', res.stderr)


if __name__ == '__main__':
    unittest.main()
