import hashlib
import json
import os
import tempfile
import unittest

import numpy as np
import torch

import _paths  # noqa: F401
import mlc_weights as mw


class Q4Test(unittest.TestCase):
    def test_exact_grid_round_trips_bit_for_bit(self):
        # Values already on the int4 grid, with a group max of 7 steps, come back exactly.
        gen = torch.Generator().manual_seed(1)
        q = torch.randint(0, 15, (5, 64), generator=gen)
        q[:, 0], q[:, 32] = 14, 0  # each group reaches |q - 7| = 7
        scale = 2.0 ** -torch.randint(2, 6, (5, 2), generator=gen).float()
        w = (q - 7).float() * scale.repeat_interleave(32, dim=1)
        for quant in mw.QUANTS:
            qw, qs = mw.quantize_q4(w, mw.QUANTS[quant])
            self.assertEqual(qw.dtype, np.uint32)
            self.assertEqual(qw.shape, (5, 8))
            # element j at bits 4*(j%8) of word j//8
            self.assertEqual(int(qw[2, 3] >> 4 & 0xF), int(q[2, 25]))
            back = mw.dequantize_q4(qw, qs, 64)
            self.assertTrue(torch.equal(back, w), quant)

    def test_ragged_rows_pad_with_zero_nibbles_and_stay_within_bound(self):
        gen = torch.Generator().manual_seed(2)
        w = torch.randn(7, 172, generator=gen)  # 172 = 5 groups + 12
        qw, qs = mw.quantize_q4(w, 'float16')
        self.assertEqual(qw.shape, (7, 24))  # ceil(172/32) groups * 4 words
        self.assertEqual(qs.shape, (7, 6))
        self.assertEqual(qs.dtype, np.float16)
        self.assertTrue(np.all(qw[:, 21] >> 16 == 0))  # elements 172..175 of word 21 are zero
        self.assertTrue(np.all(qw[:, 22:] == 0))
        back = mw.dequantize_q4(qw, qs, 172)
        s = torch.from_numpy(qs.astype(np.float32)).repeat_interleave(32, dim=1)[:, :172]
        err = (back - w).abs()
        self.assertTrue(torch.all(err <= 0.52 * s + w.abs() * 2 ** -10))
        self.assertGreater(float(err.mean() / s.mean()), 0.1)  # it is really quantised

    def test_bf16_encoding_rounds_to_nearest_even(self):
        x = np.array([1.0, 1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, -2.5, np.finfo(np.float32).max], np.float32)
        bits = mw.f32_to_bf16(x)
        self.assertEqual(list(bits[:4]), [0x3F80, 0x3F80, 0x3F82, 0xC020])
        self.assertEqual(int(bits[4]), int(x[4:].view(np.uint32)[0] >> 16))  # out of range: truncated


class TensorCacheTest(unittest.TestCase):
    def test_sharding_like_tvmjs(self):
        params = [('a', np.zeros(100, np.uint32)), ('big', np.ones(300, np.uint32)),
                  ('b', np.full(100, 2, np.float16)), ('c', np.arange(50, dtype=np.float32))]
        with tempfile.TemporaryDirectory() as d:
            shards = mw.write_tensor_cache(iter(params), d, 1000, shard_cap=1000)
            with open(os.path.join(d, 'tensor-cache.json'), encoding='utf-8') as f:
                cache = json.load(f)
            self.assertEqual(cache['records'], shards)
            self.assertEqual(cache['metadata'], {'ParamSize': 4, 'ParamBytes': 2000.0, 'BitsPerParam': 16.0})
            # 'big' (1200 B, >= cap/2) goes out of band into its own shard, committed first.
            self.assertEqual([[r['name'] for r in s['records']] for s in shards], [['big'], ['a', 'b', 'c']])
            c = shards[1]['records'][2]
            self.assertEqual((c['dtype'], c['format'], c['nbytes'], c['byteOffset']), ('float32', 'f32-to-bf16', 100, 600))
            for s in shards:
                with open(os.path.join(d, s['dataPath']), 'rb') as f:
                    data = f.read()
                self.assertEqual(len(data), s['nbytes'])
                self.assertEqual(hashlib.md5(data).hexdigest(), s['md5sum'])

    def test_tiny_model_folders(self):
        for quant in mw.QUANTS:
            folder = os.path.join(_paths.TINY, 'mlc-%s' % quant, 'resolve', 'main')
            with open(os.path.join(folder, 'tensor-cache.json'), encoding='utf-8') as f:
                cache = json.load(f)
            recs = {r['name']: r for s in cache['records'] for r in s['records']}
            self.assertEqual(recs['model.layers.0.self_attn.qkv_proj.q_weight']['shape'], [192, 8])
            self.assertEqual(recs['model.layers.0.mlp.gate_up_proj.q_weight']['shape'], [344, 8])
            self.assertEqual(recs['model.layers.0.mlp.down_proj.q_weight']['shape'], [64, 24])
            self.assertEqual(recs['lm_head.q_scale']['dtype'], mw.QUANTS[quant])
            self.assertEqual(recs['model.norm.weight']['dtype'], mw.QUANTS[quant])
            self.assertEqual(cache['metadata']['ParamSize'], len(recs))


if __name__ == '__main__':
    unittest.main()
