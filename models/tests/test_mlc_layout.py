"""The q4 layout our writer produces equals the parameter list that real prebuilt WebLLM model
libraries embed (models/tests/webllm-libs/, copied from mlc-ai/binary-mlc-llm-libs): names,
shapes, dtypes and order, for the Llama-2-7B shape (both quantisations) and TinyLlama-1.1B
(grouped-query attention). Computed from shapes only: nothing is quantised or written at 7B."""
import json
import os
import tempfile
import unittest

import torch

import _paths  # noqa: F401
import mlc_weights as mw

LIBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'webllm-libs')

LLAMA2_7B = {'hidden_size': 4096, 'intermediate_size': 11008, 'num_hidden_layers': 32,
             'num_attention_heads': 32, 'num_key_value_heads': 32, 'head_dim': 128,
             'vocab_size': 32000, 'rms_norm_eps': 1e-5, 'rope_theta': 10000.0,
             'bos_token_id': 1, 'eos_token_id': 2}
TINYLLAMA = dict(LLAMA2_7B, hidden_size=2048, intermediate_size=5632, num_hidden_layers=22,
                 num_key_value_heads=4, head_dim=64)

CASES = [
    ('v0_2_30-Llama-2-7b-chat-hf-q4f16_1-ctx4k_cs1k-webgpu.wasm', LLAMA2_7B, 'q4f16_1', 4096),
    ('v0_2_30-Llama-2-7b-chat-hf-q4f32_1-ctx4k_cs1k-webgpu.wasm', LLAMA2_7B, 'q4f32_1', 4096),
    ('v0_2_34-TinyLlama-1.1B-Chat-v0.4-q4f32_1-ctx1k-webgpu.wasm', TINYLLAMA, 'q4f32_1', 1024),
]


def lib_metadata(lib):
    with open(os.path.join(LIBS, lib + '.metadata.json'), encoding='utf-8') as f:
        return json.load(f)


def lib_params(meta, vocab):
    # The vocabulary is symbolic in the compiled library ('vocab_size', bound by the weights).
    return [(p['name'], [vocab if d == 'vocab_size' else d for d in p['shape']], p['dtype'])
            for p in meta['params']]


class LayoutEqualsRealLibraries(unittest.TestCase):
    def test_names_shapes_dtypes_and_order(self):
        for lib, lcfg, quant, _ in CASES:
            meta = lib_metadata(lib)
            self.assertEqual(meta['quantization'], quant, lib)
            self.assertTrue(all(p['preprocs'] == [] for p in meta['params']), lib)  # no load-time transform
            ours = [(p['name'], p['shape'], p['dtype']) for p in mw.mlc_layout(lcfg, quant)]
            self.assertEqual(ours, lib_params(meta, lcfg['vocab_size']), lib)
            self.assertEqual(len(ours), {32: 325, 22: 225}[lcfg['num_hidden_layers']])

    def test_chat_config_matches_the_compiled_kv_cache_and_windows(self):
        for lib, lcfg, quant, context in CASES:
            meta = lib_metadata(lib)
            chat = mw.mlc_chat_config(lcfg, quant, context, 1024, [], 'sys', 0.2, 0.8)
            for key in ('context_window_size', 'prefill_chunk_size', 'sliding_window_size',
                        'attention_sink_size', 'tensor_parallel_shards', 'quantization', 'model_type'):
                self.assertEqual(chat[key], meta[key], '%s %s' % (lib, key))
            for key, value in meta['kv_cache'].items():
                self.assertEqual(chat['model_config'][key], value, '%s %s' % (lib, key))

    def test_weight_bytes_is_the_layout_total(self):
        item = {'uint32': 4, 'float16': 2, 'float32': 4}
        for _, lcfg, quant, _ in CASES:
            total = sum(item[p['dtype']] * p['shape'][0] * (p['shape'][1] if len(p['shape']) > 1 else 1)
                        for p in mw.mlc_layout(lcfg, quant))
            self.assertEqual(mw.weight_bytes(quant, lcfg), total)

    def test_7b_shard_plan_without_writing(self):
        # mlc_llm writes through tvmjs with 32 MiB shards and float32 stored as bfloat16, so a
        # q4f32_1 folder is as small as a q4f16_1 one on disk. The metadata in the libraries has
        # no shard layout (params bind by name), and mlc_llm's own record order follows its
        # loader (source-file order), so the shard count is not compared with a real folder.
        for quant in mw.QUANTS:
            layout = mw.mlc_layout(LLAMA2_7B, quant)
            shards = mw.plan_tensor_cache(layout)
            records = [r for s in shards for r in s['records']]
            self.assertEqual(sorted(r['name'] for r in records), sorted(p['name'] for p in layout))
            total = sum(s['nbytes'] for s in shards)
            self.assertEqual(total, mw.weight_bytes('q4f16_1', LLAMA2_7B))  # 3.79 GB either way
            for s in shards:
                self.assertTrue(s['nbytes'] < 32 << 20 or len(s['records']) == 1)
                ends = [r['byteOffset'] + r['nbytes'] for r in s['records']]
                self.assertEqual([r['byteOffset'] for r in s['records']], [0] + ends[:-1])
                self.assertEqual(ends[-1], s['nbytes'])
            # embed_tokens / lm_head q_weight (62.5 MiB) and each gate_up_proj (43 MiB) go out of band
            alone = {s['records'][0]['name'] for s in shards if s['nbytes'] >= 16 << 20}
            self.assertIn('model.embed_tokens.q_weight', alone)
            self.assertIn('model.layers.31.mlp.gate_up_proj.q_weight', alone)


class WriterFollowsTheLayout(unittest.TestCase):
    def test_written_records_and_shards_equal_layout_and_plan(self):
        # A small GQA shape (ragged intermediate) through the real quantiser and writer.
        lcfg = dict(TINYLLAMA, hidden_size=64, intermediate_size=88, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, head_dim=16, vocab_size=300)
        gen = torch.Generator().manual_seed(3)
        state = {}
        for p in mw.mlc_layout(lcfg, 'q4f32_1'):
            for src in p['sources']:
                if src not in state:
                    state[src] = torch.randn(SOURCE_SHAPE(src, lcfg), generator=gen)
        for quant in mw.QUANTS:
            with tempfile.TemporaryDirectory() as d:
                shards = mw.write_tensor_cache(mw.mlc_params(state, lcfg, quant), d, 1, shard_cap=20000)
            layout = mw.mlc_layout(lcfg, quant)
            plan = mw.plan_tensor_cache(layout, shard_cap=20000)
            self.assertGreater(len(plan), 3)
            self.assertEqual([{k: v for k, v in s.items() if k != 'md5sum'} for s in shards], plan)


def SOURCE_SHAPE(name, lcfg):
    h, i, v = lcfg['hidden_size'], lcfg['intermediate_size'], lcfg['vocab_size']
    q, kv = lcfg['num_attention_heads'] * lcfg['head_dim'], lcfg['num_key_value_heads'] * lcfg['head_dim']
    for suffix, shape in (('embed_tokens.weight', (v, h)), ('lm_head.weight', (v, h)),
                          ('q_proj.weight', (q, h)), ('k_proj.weight', (kv, h)), ('v_proj.weight', (kv, h)),
                          ('o_proj.weight', (h, q)), ('gate_proj.weight', (i, h)), ('up_proj.weight', (i, h)),
                          ('down_proj.weight', (h, i)), ('norm.weight', (h,)), ('layernorm.weight', (h,))):
        if name.endswith(suffix):
            return shape
    raise KeyError(name)


if __name__ == '__main__':
    unittest.main()
