"""config.json and weight-layout checks on the PUBLISHED ECOFRI/CXR-LLAVA-v2 config
(models/real-schema/config.json): accepted as it is, and every unknown or contradictory field is
an error that names the field."""

import copy
import json
import os
import shutil
import tempfile
import unittest

import torch

import _paths
import checkpoint as ckpt

REAL = os.path.join(_paths.MODELS, 'real-schema')


def published():
    with open(os.path.join(REAL, 'config.json'), encoding='utf-8') as f:
        return json.load(f)


class PublishedConfigTest(unittest.TestCase):
    def test_published_config_is_accepted_with_open_clip_defaults(self):
        config = published()
        ckpt.check_config(config)
        v = ckpt.vision_config(config)
        self.assertEqual((v['width'], v['layers'], v['heads'], v['grid'], v['mlp_ratio']), (1024, 24, 16, 32, 4.0))
        self.assertEqual(ckpt.image_token_count(v), 1024)
        pre = ckpt.preprocess_config(config, 1)
        self.assertEqual(pre, {'mean': [0.5518136078431373], 'std': [0.3821719215686275]})
        llama = ckpt.llama_config(config)
        self.assertEqual((llama['hidden_size'], llama['head_dim'], llama['num_key_value_heads'], llama['rms_norm_eps']),
                         (4096, 128, 32, 1e-5))
        # The reference's budget reads a top-level max_position_embeddings, which v2 lacks.
        self.assertEqual(ckpt.context_length(config), 2048)

    def test_mean_std_as_lists(self):
        config = published()
        config['image_preprocess_cfg'] = {'mean': [0.5], 'std': [0.25]}
        self.assertEqual(ckpt.preprocess_config(config, 1), {'mean': [0.5], 'std': [0.25]})
        self.assertEqual(ckpt.preprocess_config(config, 3)['mean'], [0.5, 0.5, 0.5])

    def assertRefused(self, mutate, *words, check=None):
        config = published()
        mutate(config)
        with self.assertRaises(ckpt.ConfigError) as cm:
            (check or (lambda c: (ckpt.check_config(c), ckpt.vision_config(c), ckpt.llama_config(c),
                                  ckpt.preprocess_config(c, 1))))(config)
        for w in words:
            self.assertIn(w, str(cm.exception))

    def test_unknown_and_contradictory_fields_name_the_field(self):
        self.assertRefused(lambda c: c.update(vision_flag=1), 'vision_flag', '--ignore-config-key')
        self.assertRefused(lambda c: c['clip_vision_cfg'].update(in_chans=3), 'clip_vision_cfg', 'in_chans')
        self.assertRefused(lambda c: c['clip_vision_cfg'].update(head_width=48), 'head_width 48')
        self.assertRefused(lambda c: c['clip_vision_cfg'].update(pool_type='cls'), 'pool_type')
        self.assertRefused(lambda c: c['clip_vision_cfg'].update(timm_model_name='vit'), 'timm_model_name')
        self.assertRefused(lambda c: c['image_preprocess_cfg'].update(mean=[0.5, 0.5, 0.5]), 'image_preprocess_cfg.mean', '3 values')
        self.assertRefused(lambda c: c['image_preprocess_cfg'].update(std='0.3'), 'image_preprocess_cfg.std')
        self.assertRefused(lambda c: c['image_preprocess_cfg'].update(std=0), 'image_preprocess_cfg.std')
        self.assertRefused(lambda c: c['image_preprocess_cfg'].update(crop=1), 'image_preprocess_cfg', 'crop')
        self.assertRefused(lambda c: c['llama'].update(rope_scaling={'type': 'linear', 'factor': 2.0}), 'llama.rope_scaling')
        self.assertRefused(lambda c: c['llama'].update(hidden_act='gelu'), 'llama.hidden_act')
        self.assertRefused(lambda c: c['llama'].update(head_dim=64), 'llama.head_dim')
        self.assertRefused(lambda c: c['llama'].update(attention_bias=True), 'llama.attention_bias')
        self.assertRefused(lambda c: c['llama'].update(sliding_window=4096), 'llama', 'sliding_window')
        self.assertRefused(lambda c: c.update(clip_vision_tower_dtype='int8'), 'clip_vision_tower_dtype')
        self.assertRefused(lambda c: c.update(tune_mm_mlp_adapter=True, mm_use_im_start_end=True), 'mm_use_im_start_end')
        # An unknown top-level field passes once named.
        config = published()
        config['vision_flag'] = 1
        ckpt.check_config(config, ignore=['vision_flag'])


class WeightLayoutTest(unittest.TestCase):
    """The tiny real-layout checkpoint (589 published names) against config.json."""

    @classmethod
    def setUpClass(cls):
        import subprocess
        import sys
        cls.tmp = tempfile.mkdtemp(prefix='cxr-layout-test-')
        cls.ckpt = os.path.join(cls.tmp, 'ckpt')
        subprocess.run([sys.executable, os.path.join(_paths.MODELS, 'make_tiny_checkpoint.py'), '--real-layout',
                        '--out', cls.ckpt, '--tokenizer-dir', _paths.TINY], check=True, stdout=subprocess.DEVNULL)
        cls.config = ckpt.load_config(cls.ckpt)
        cls.sd = ckpt.load_state_dict(cls.ckpt)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_published_names_and_shards(self):
        with open(os.path.join(REAL, 'model.safetensors.index.json'), encoding='utf-8') as f:
            real = json.load(f)['weight_map']
        with open(os.path.join(self.ckpt, 'model.safetensors.index.json'), encoding='utf-8') as f:
            twin = json.load(f)['weight_map']
        self.assertEqual(twin, real)
        self.assertEqual(len(self.sd), 589)
        self.assertEqual(ckpt.check_weights(self.config, self.sd), 1)

    def test_converts_end_to_end_and_matches_the_reference(self):
        """The folder laid out exactly like ECOFRI/CXR-LLAVA-v2 (published small files, the 589
        names in the published shards, bf16) goes through convert.py; the converter's vision
        module equals the independent reference on the 24-block tower (ONNX Runtime runs the
        exported graphs in the TS tests; there is no Python onnxruntime here)."""
        import subprocess
        import sys
        import numpy as np
        import onnx
        out = os.path.join(self.tmp, 'model')
        res = subprocess.run([sys.executable, os.path.join(_paths.MODELS, 'convert.py'), self.ckpt, '--out', out,
                              '--skip-mlc', '--no-fp16', '--no-hf-llama', '--onnx-decoder', 'no',
                              '--created-at', '2026-01-01T00:00:00Z'], capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, res.stderr[-2000:])
        with open(os.path.join(out, 'manifest.json'), encoding='utf-8') as f:
            m = json.load(f)
        self.assertEqual((m['vision']['imageTokens'], m['vision']['channels'], m['vision']['mean'], m['vision']['std']),
                         (1024, 1, [0.5518136078431373], [0.3821719215686275]))
        self.assertEqual((m['decoder']['numLayers'], m['decoder']['contextLength']), (32, 2048))
        onnx.checker.check_model(os.path.join(out, 'vision.onnx'))
        import reference as ref
        from vision_export import VisionEncoder
        enc = VisionEncoder(ckpt.vision_config(self.config), self.config, self.sd)
        x = torch.from_numpy(np.random.default_rng(5).standard_normal((1, 1, 512, 512)).astype(np.float32))
        with torch.no_grad():
            got, want = enc(x), ref.vision_rows(self.sd, self.config['clip_vision_cfg'], x)
        self.assertEqual(tuple(got.shape), (1, 1024, 32))
        self.assertLess(float((got - want).abs().max()), 1e-4)

    def test_shape_contradicting_config_names_tensor_and_field(self):
        sd = dict(self.sd)
        sd['llama.layers.3.mlp.up_proj.weight'] = torch.zeros(65, 32, dtype=torch.bfloat16)
        with self.assertRaises(ckpt.ConfigError) as cm:
            ckpt.check_weights(self.config, sd)
        self.assertIn('llama.layers.3.mlp.up_proj.weight', str(cm.exception))
        config = copy.deepcopy(self.config)
        config['llama']['num_hidden_layers'] = 31
        with self.assertRaises(ckpt.ConfigError) as cm:
            ckpt.check_weights(config, self.sd)
        self.assertIn('llama.layers.31.', str(cm.exception))

    def test_stray_tensor_is_refused(self):
        sd = dict(self.sd)
        sd['vision_tower.attn_pool.query'] = torch.zeros(1)
        with self.assertRaises(ckpt.ConfigError) as cm:
            ckpt.check_weights(self.config, sd)
        self.assertIn('vision_tower.attn_pool.query', str(cm.exception))

    def test_index_naming_a_missing_tensor_is_refused(self):
        broken = os.path.join(self.tmp, 'broken')
        shutil.copytree(self.ckpt, broken)
        path = os.path.join(broken, 'model.safetensors.index.json')
        with open(path, encoding='utf-8') as f:
            index = json.load(f)
        index['weight_map']['llama.layers.32.mlp.up_proj.weight'] = 'model-00003-of-00003.safetensors'
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(index, f)
        with self.assertRaises(ckpt.ConfigError) as cm:
            ckpt.load_state_dict(broken)
        self.assertIn('llama.layers.32.mlp.up_proj.weight', str(cm.exception))


if __name__ == '__main__':
    unittest.main()
