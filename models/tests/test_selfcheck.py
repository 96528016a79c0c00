"""selfcheck.json (models/selfcheck.py): its cached decoder equals the reference's full recompute,
its q4 weights read back from the written MLC folders equal the writer's quantisation, and the
bundled tiny model's record agrees with the golden files."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import torch

import _paths
import checkpoint as ckpt
import mlc_weights as mw
import reference as ref
import selfcheck as sc


class SelfCheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='cxr-selfcheck-test-')
        ckpt_dir = os.path.join(cls.tmp, 'checkpoint')
        subprocess.run([sys.executable, os.path.join(_paths.MODELS, 'make_tiny_checkpoint.py'),
                        '--out', ckpt_dir, '--tokenizer-dir', _paths.TINY], check=True, stdout=subprocess.DEVNULL)
        cls.sd = ckpt.load_state_dict(ckpt_dir)
        cls.lcfg = ckpt.llama_config(ckpt.load_config(ckpt_dir))
        with open(os.path.join(_paths.TINY, 'selfcheck.json'), encoding='utf-8') as f:
            cls.record = json.load(f)
        with open(os.path.join(_paths.GOLDEN, 'golden.json'), encoding='utf-8') as f:
            cls.golden = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_cached_decoder_equals_full_recompute(self):
        full = ref.Llama(self.sd, self.lcfg)
        cached = sc.CachedLlama(sc.LazyWeights(lambda n: self.sd[n].float()), self.lcfg)
        ids = [1, 1, 518, 25580, 29962, 3532, 14816, 29903, 6778]
        with torch.no_grad():
            a = cached.step(full.embed(ids[:6]))
            for i in range(6, len(ids)):
                a = cached.step(full.embed([ids[i]]))
            b = full.logits(full.embed(ids))
        self.assertLess(float((a - b).abs().max()), 1e-5)

    def test_q4_weights_read_back_equal_the_writer(self):
        for quant in ('q4f16_1', 'q4f32_1'):
            folder = os.path.join(_paths.TINY, 'mlc-%s' % quant, 'resolve', 'main')
            weights = sc.q4_weights(sc.read_tensor_cache(folder), self.lcfg)
            for name in ('llama.layers.1.self_attn.k_proj.weight', 'llama.layers.0.mlp.down_proj.weight',
                         'llama.layers.0.mlp.up_proj.weight', 'lm_head.weight'):
                w = self.sd[name].float()
                q, s = mw.quantize_q4(w, mw.QUANTS[quant])
                if quant == 'q4f32_1':  # the tensor cache stores float32 as bfloat16
                    s = (mw.f32_to_bf16(s).astype('uint32') << 16).view('float32')
                expected = mw.dequantize_q4(q, s, w.shape[1])
                self.assertTrue(torch.equal(weights[name], expected), '%s %s' % (quant, name))
            norm = weights['llama.layers.0.input_layernorm.weight']
            self.assertLess(float((norm - self.sd['llama.layers.0.input_layernorm.weight'].float()).abs().max()), 1e-2)

    def test_bundled_record_matches_the_golden_files_and_the_manifest(self):
        r = self.record
        self.assertEqual(r['prompt']['ids'], self.golden['report']['ids'])
        n = len(self.golden['report']['greedy'])
        self.assertEqual(r['decoders']['checkpoint']['tokens'][:n], self.golden['report']['greedy'])
        self.assertEqual(sorted(r['decoders']), ['checkpoint', 'q4f16_1', 'q4f32_1'])
        for d in r['decoders'].values():
            self.assertEqual(len(d['tokens']), r['steps'])
            self.assertEqual(len(d['margins']), len(d['tokens']))
            self.assertTrue(all(m >= 0 for m in d['margins']))
        # The fingerprint rows are the golden rows at those indices.
        import numpy as np
        rows = np.fromfile(os.path.join(_paths.GOLDEN, 'image_rows.f32'), '<f4').reshape(r['vision']['rows'], r['vision']['dim'])
        for i, row in zip(r['vision']['sampleIndices'], r['vision']['samples']):
            self.assertLess(float(np.abs(rows[i] - np.array(row)).max()), 1e-5)
        self.assertLess(float(np.abs(np.linalg.norm(rows, axis=1) - np.array(r['vision']['norms'])).max()), 1e-4)
        sample = os.path.join(_paths.REPO, 'public', r['image']['url'])
        with open(sample, 'rb') as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), r['image']['sha256'])
        with open(os.path.join(_paths.TINY, 'manifest.json'), encoding='utf-8') as f:
            manifest = json.load(f)
        self.assertEqual(manifest['selfCheck'], 'selfcheck.json')
        self.assertIn('selfcheck.json', [e['path'] for e in manifest['files']])


if __name__ == '__main__':
    unittest.main()
