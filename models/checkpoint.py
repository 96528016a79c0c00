"""Reads a CXR-LLaVA v2 checkpoint folder: config.json, the weights (any of the Hugging Face
layouts) and the tokenizer files. Nothing here knows a model size: every number comes from
config.json, so the same code reads the 7B checkpoint and the tiny random twin."""

import json
import os
import struct

import numpy as np
import torch

class ConfigError(ValueError):
    """config.json (or the weights) say something this converter cannot reproduce exactly, or
    contradict each other. The message names the field."""


# CLIPVisionCfg of the reference code (CXR_LLAVA_HF.py, open_clip's dataclass): every field with
# its default. The published v2 config.json sets only image_size/layers/patch_size/width, so the
# rest (head_width 64, mlp_ratio 4.0, ...) comes from here.
VISION_DEFAULTS = {
    'layers': 12, 'width': 768, 'head_width': 64, 'mlp_ratio': 4.0, 'patch_size': 16,
    'image_size': 224, 'ls_init_value': None, 'patch_dropout': 0.0, 'attentional_pool': False,
    'attn_pooler_queries': 256, 'attn_pooler_heads': 8, 'no_ln_pre': False,
    'pos_embed_type': 'learnable', 'final_ln_after_pool': False, 'pool_type': 'tok',
    'output_tokens': False, 'act_kwargs': None, 'norm_kwargs': None,
}
# The timm_* fields exist in the dataclass but only matter with timm_model_name (refused).
VISION_TIMM_FIELDS = ('timm_model_name', 'timm_model_pretrained', 'timm_pool', 'timm_proj',
                      'timm_proj_bias', 'timm_drop', 'timm_drop_path')

# Top-level config.json fields: those of the published ECOFRI/CXR-LLAVA-v2 config (see
# models/tests/real-schema/) plus PretrainedConfig's bookkeeping and the LLaVA flags the reference
# reads. The reference (CXRLLAVAConfig) takes any key; a key unknown here might change what the
# model computes, so it stops the converter unless named with --ignore-config-key.
TOP_LEVEL_KEYS = {
    '_name_or_path', 'architectures', 'attn_implementation', 'auto_map', 'clip_embed_dim',
    'clip_quick_gelu', 'clip_vision_cfg', 'clip_vision_tower_dtype', 'clip_vision_tower_path',
    'freeze_mm_mlp_adapter', 'image_aspect_ratio', 'image_grid_pinpoints', 'image_preprocess_cfg',
    'llama', 'llama_model_dtype', 'llama_model_path', 'mm_projector_dim', 'mm_projector_dtype',
    'mm_projector_path', 'model_type', 'torch_dtype', 'transformers_version',
    # read by the reference when present:
    'max_position_embeddings', 'tune_mm_mlp_adapter', 'mm_use_im_start_end',
    # PretrainedConfig bookkeeping that never changes the computation:
    'use_cache', 'return_dict', 'output_hidden_states', 'output_attentions', 'torchscript',
    'use_bfloat16', 'tie_word_embeddings', 'is_encoder_decoder', 'is_decoder',
}
DTYPES = ('fp32', 'fp16', 'bf16')  # the reference's convert_dtype refuses anything else

# LlamaConfig (transformers 4.33-4.36) fields and PretrainedConfig's generic ones, as
# LlamaConfig.to_dict() writes them (the published `llama` block holds exactly such a dict).
LLAMA_KEYS = {
    'vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads',
    'num_key_value_heads', 'hidden_act', 'max_position_embeddings', 'initializer_range',
    'rms_norm_eps', 'use_cache', 'pad_token_id', 'bos_token_id', 'eos_token_id', 'pretraining_tp',
    'tie_word_embeddings', 'rope_theta', 'rope_scaling', 'attention_bias', 'attention_dropout',
    'head_dim', 'mlp_bias',
    '_name_or_path', 'add_cross_attention', 'architectures', 'bad_words_ids',
    'begin_suppress_tokens', 'chunk_size_feed_forward', 'cross_attention_hidden_size',
    'decoder_start_token_id', 'diversity_penalty', 'do_sample', 'early_stopping',
    'encoder_no_repeat_ngram_size', 'exponential_decay_length_penalty', 'finetuning_task',
    'forced_bos_token_id', 'forced_eos_token_id', 'id2label', 'is_decoder', 'is_encoder_decoder',
    'label2id', 'length_penalty', 'max_length', 'min_length', 'model_type', 'no_repeat_ngram_size',
    'num_beam_groups', 'num_beams', 'num_return_sequences', 'output_attentions',
    'output_hidden_states', 'output_scores', 'prefix', 'problem_type', 'pruned_heads',
    'remove_invalid_values', 'repetition_penalty', 'return_dict', 'return_dict_in_generate',
    'sep_token_id', 'suppress_tokens', 'task_specific_params', 'temperature', 'tf_legacy_loss',
    'tie_encoder_decoder', 'tokenizer_class', 'top_k', 'top_p', 'torch_dtype', 'torchscript',
    'transformers_version', 'typical_p', 'use_bfloat16', 'output_past', 'gradient_checkpointing',
    'attn_implementation', '_attn_implementation', 'torch_dtype',
}


TOKENIZER_FILES = ('tokenizer.json', 'tokenizer.model', 'tokenizer_config.json',
                   'special_tokens_map.json')


def load_config(ckpt_dir):
    with open(os.path.join(ckpt_dir, 'config.json'), encoding='utf-8') as f:
        return json.load(f)


def check_config(config, ignore=()):
    """The top-level fields: every one known (or named in `ignore`), the dtypes the reference
    accepts, and no LLaVA option the converter does not reproduce."""
    unknown = sorted(k for k in config if k not in TOP_LEVEL_KEYS and k not in ignore)
    if unknown:
        raise ConfigError(
            'config.json: unknown field(s) %s. The converter does not know whether they change the '
            'model; if they do not, pass --ignore-config-key %s' % (', '.join(unknown), ' --ignore-config-key '.join(unknown)))
    for key in ('clip_vision_cfg', 'image_preprocess_cfg', 'llama'):
        if not isinstance(config.get(key), dict):
            raise ConfigError('config.json: %s is missing or not an object' % key)
    if config.get('model_type', 'CXR-LLAVA') != 'CXR-LLAVA':
        raise ConfigError('config.json model_type: %r, expected "CXR-LLAVA"' % config['model_type'])
    for key in ('clip_vision_tower_dtype', 'mm_projector_dtype', 'llama_model_dtype'):
        if key in config and config[key] not in DTYPES:
            raise ConfigError('config.json %s: %r is none of %s' % (key, config[key], '/'.join(DTYPES)))
    if config.get('tune_mm_mlp_adapter') and config.get('mm_use_im_start_end'):
        raise ConfigError('config.json tune_mm_mlp_adapter and mm_use_im_start_end are both set: '
                          'the <im_start>/<im_end> image layout is not supported')
    if config.get('image_aspect_ratio') not in (None, 'square'):
        raise ConfigError('config.json image_aspect_ratio: %r not supported (only "square")' % config['image_aspect_ratio'])
    if config.get('image_grid_pinpoints'):
        raise ConfigError('config.json image_grid_pinpoints: set, but tiled images are not supported')
    for key in ('clip_vision_tower_path', 'mm_projector_path'):
        if config.get(key):
            raise ConfigError('config.json %s: %r points outside the checkpoint; the converter reads '
                              'the weights from the checkpoint only' % (key, config[key]))


def vision_config(config):
    raw = config['clip_vision_cfg']
    unknown = sorted(k for k in raw if k not in VISION_DEFAULTS and k not in VISION_TIMM_FIELDS)
    if unknown:
        raise ConfigError('config.json clip_vision_cfg: unknown field(s) %s (not in CLIPVisionCfg)' % ', '.join(unknown))
    cfg = dict(VISION_DEFAULTS)
    cfg.update(raw)
    if cfg.get('timm_model_name'):
        raise ConfigError('config.json clip_vision_cfg.timm_model_name: timm vision towers (%r) are not supported' % cfg['timm_model_name'])
    if cfg['attentional_pool']:
        # The reference keeps CoCa's attentional pooler as a code path; CXR-LLaVA v2 does not use
        # it, and exporting an untested path would hide a mismatch. Fail loudly instead.
        raise ConfigError('config.json clip_vision_cfg.attentional_pool is set: not supported by this converter')
    if cfg['pool_type'] not in ('tok', 'avg', 'none'):
        raise ConfigError('config.json clip_vision_cfg.pool_type: unknown value %r' % cfg['pool_type'])
    if cfg['pos_embed_type'] != 'learnable':
        raise ConfigError('config.json clip_vision_cfg.pos_embed_type: only "learnable" is supported, not %r' % cfg['pos_embed_type'])
    if cfg['act_kwargs']:
        raise ConfigError('config.json clip_vision_cfg.act_kwargs: %r not supported (exact GELU assumed)' % cfg['act_kwargs'])
    unknown_norm = sorted(set(cfg['norm_kwargs'] or {}) - {'eps'})
    if unknown_norm:
        raise ConfigError('config.json clip_vision_cfg.norm_kwargs: %s not supported (only eps)' % ', '.join(unknown_norm))
    for key in ('image_size', 'patch_size', 'layers'):
        if isinstance(cfg[key], (list, tuple)):
            raise ConfigError('config.json clip_vision_cfg.%s: %r; only a single number is supported' % (key, cfg[key]))
        if not isinstance(cfg[key], int) or cfg[key] <= 0:
            raise ConfigError('config.json clip_vision_cfg.%s: %r is not a positive integer' % (key, cfg[key]))
    size, patch, width, head_width = cfg['image_size'], cfg['patch_size'], cfg['width'], cfg['head_width']
    if size % patch:
        raise ConfigError('config.json clip_vision_cfg: image_size %d is not a multiple of patch_size %d' % (size, patch))
    if width % head_width:
        raise ConfigError('config.json clip_vision_cfg: width %d is not a multiple of head_width %d' % (width, head_width))
    cfg['heads'] = width // head_width
    cfg['grid'] = size // patch
    cfg['ln_eps'] = (cfg['norm_kwargs'] or {}).get('eps', 1e-5)
    return cfg


def preprocess_config(config, channels):
    """image_preprocess_cfg's mean and std as per-channel lists. The published config has single
    numbers (CLIPImageProcessor applies a number to every channel); lists of 1 or `channels`
    values are accepted too."""
    cfg = config['image_preprocess_cfg']
    unknown = sorted(set(cfg) - {'mean', 'std'})
    if unknown:
        raise ConfigError('config.json image_preprocess_cfg: unknown field(s) %s' % ', '.join(unknown))
    out = {}
    for key in ('mean', 'std'):
        if key not in cfg:
            raise ConfigError('config.json image_preprocess_cfg.%s is missing' % key)
        value = cfg[key]
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            raise ConfigError('config.json image_preprocess_cfg.%s: %r is not a number or a list of numbers' % (key, value))
        if len(values) == 1:
            values = values * channels
        if len(values) != channels:
            raise ConfigError('config.json image_preprocess_cfg.%s has %d values but the vision tower takes %d '
                              'channel(s) (vision_tower.conv1.weight)' % (key, len(values), channels))
        if key == 'std' and not all(v > 0 for v in values):
            raise ConfigError('config.json image_preprocess_cfg.std: %r must be positive' % (value,))
        out[key] = [float(v) for v in values]
    return out


def image_token_count(vcfg):
    """Rows the vision tower hands to the LLM: 'tok'/'avg' drop the class token, 'none' keeps it."""
    n = vcfg['grid'] * vcfg['grid']
    return n + 1 if vcfg['pool_type'] == 'none' else n


def llama_config(config):
    raw = config['llama']
    unknown = sorted(k for k in raw if k not in LLAMA_KEYS)
    if unknown:
        raise ConfigError('config.json llama: unknown field(s) %s (not LlamaConfig fields)' % ', '.join(unknown))
    for key in ('hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'vocab_size'):
        if not isinstance(raw.get(key), int) or raw[key] <= 0:
            raise ConfigError('config.json llama.%s: %r is not a positive integer' % (key, raw.get(key)))
    cfg = dict(raw)
    # LlamaConfig's own defaults (transformers 4.36) for what the block leaves out.
    if cfg.get('num_key_value_heads') is None:
        cfg['num_key_value_heads'] = cfg['num_attention_heads']
    cfg.setdefault('rms_norm_eps', 1e-6)
    cfg.setdefault('rope_theta', 10000.0)
    cfg.setdefault('max_position_embeddings', 2048)
    cfg.setdefault('bos_token_id', 1)
    cfg.setdefault('eos_token_id', 2)
    if cfg.get('model_type', 'llama') != 'llama':
        raise ConfigError('config.json llama.model_type: %r, expected "llama"' % cfg['model_type'])
    if cfg['hidden_size'] % cfg['num_attention_heads']:
        raise ConfigError('config.json llama: hidden_size %d is not a multiple of num_attention_heads %d'
                          % (cfg['hidden_size'], cfg['num_attention_heads']))
    if cfg['num_attention_heads'] % cfg['num_key_value_heads']:
        raise ConfigError('config.json llama: num_attention_heads %d is not a multiple of num_key_value_heads %d'
                          % (cfg['num_attention_heads'], cfg['num_key_value_heads']))
    cfg['head_dim'] = cfg['hidden_size'] // cfg['num_attention_heads']
    if raw.get('head_dim') is not None and raw['head_dim'] != cfg['head_dim']:
        raise ConfigError('config.json llama.head_dim: %r contradicts hidden_size / num_attention_heads = %d'
                          % (raw['head_dim'], cfg['head_dim']))
    if cfg.get('rope_scaling'):
        raise ConfigError('config.json llama.rope_scaling: %r not supported' % (cfg['rope_scaling'],))
    if cfg.get('hidden_act', 'silu') != 'silu':
        raise ConfigError('config.json llama.hidden_act: %r not supported (silu only)' % cfg['hidden_act'])
    for key in ('attention_bias', 'mlp_bias'):
        if cfg.get(key):
            raise ConfigError('config.json llama.%s: biases in the LLaMA projections are not supported' % key)
    return cfg


def context_length(config):
    # The reference reads the top-level max_position_embeddings with 2048 as fallback.
    return int(config.get('max_position_embeddings', 2048))


def check_weights(config, sd):
    """The tensors against config.json: every name the model needs, no stranger, every shape as the
    config implies. Errors name the tensor and the config field."""
    vcfg, lcfg = vision_config(config), llama_config(config)
    w, grid, patch = vcfg['width'], vcfg['grid'], vcfg['patch_size']
    mlp = int(w * vcfg['mlp_ratio'])
    h, inter, vocab = lcfg['hidden_size'], lcfg['intermediate_size'], lcfg['vocab_size']
    kv = lcfg['num_key_value_heads'] * lcfg['head_dim']
    conv = sd.get('vision_tower.conv1.weight')
    if conv is None:
        raise ConfigError('weights: vision_tower.conv1.weight is missing (the checkpoint names its tensors '
                          'vision_tower.*, mm_projector.*, llama.* and lm_head.weight)')
    channels = conv.shape[1]
    expect = {
        'vision_tower.conv1.weight': (w, channels, patch, patch),
        'vision_tower.class_embedding': (w,),
        'vision_tower.positional_embedding': (grid * grid + 1, w),
        'vision_tower.ln_post.weight': (w,), 'vision_tower.ln_post.bias': (w,),
        'mm_projector.weight': (h, w), 'mm_projector.bias': (h,),
        'llama.embed_tokens.weight': (vocab, h), 'llama.norm.weight': (h,),
        'lm_head.weight': (vocab, h),
    }
    if not vcfg['no_ln_pre']:
        expect.update({'vision_tower.ln_pre.weight': (w,), 'vision_tower.ln_pre.bias': (w,)})
    for i in range(vcfg['layers']):
        b = 'vision_tower.transformer.resblocks.%d.' % i
        expect.update({
            b + 'ln_1.weight': (w,), b + 'ln_1.bias': (w,), b + 'ln_2.weight': (w,), b + 'ln_2.bias': (w,),
            b + 'attn.in_proj_weight': (3 * w, w), b + 'attn.in_proj_bias': (3 * w,),
            b + 'attn.out_proj.weight': (w, w), b + 'attn.out_proj.bias': (w,),
            b + 'mlp.c_fc.weight': (mlp, w), b + 'mlp.c_fc.bias': (mlp,),
            b + 'mlp.c_proj.weight': (w, mlp), b + 'mlp.c_proj.bias': (w,),
        })
        if vcfg['ls_init_value'] is not None:
            expect.update({b + 'ls_1.gamma': (w,), b + 'ls_2.gamma': (w,)})
    for i in range(lcfg['num_hidden_layers']):
        b = 'llama.layers.%d.' % i
        expect.update({
            b + 'self_attn.q_proj.weight': (h, h), b + 'self_attn.k_proj.weight': (kv, h),
            b + 'self_attn.v_proj.weight': (kv, h), b + 'self_attn.o_proj.weight': (h, h),
            b + 'mlp.gate_proj.weight': (inter, h), b + 'mlp.up_proj.weight': (inter, h),
            b + 'mlp.down_proj.weight': (h, inter),
            b + 'input_layernorm.weight': (h,), b + 'post_attention_layernorm.weight': (h,),
        })
    optional = {'vision_tower.proj'}  # CLIP's contrastive projection, unused by LLaVA
    missing = sorted(set(expect) - set(sd))
    if missing:
        raise ConfigError('weights: %d tensor(s) that config.json implies are missing, e.g. %s'
                          % (len(missing), ', '.join(missing[:5])))
    extra = sorted(set(sd) - set(expect) - optional)
    if extra:
        raise ConfigError('weights: %d tensor(s) the model does not have (a different architecture or '
                          'config.json?), e.g. %s' % (len(extra), ', '.join(extra[:5])))
    for name, shape in expect.items():
        if tuple(sd[name].shape) != shape:
            field = ('clip_vision_cfg' if name.startswith('vision_tower.') else
                     'llama' if name.startswith(('llama.', 'lm_head')) else 'mm_projector_dim / llama.hidden_size')
            raise ConfigError('weights: %s has shape %s but config.json (%s) implies %s'
                              % (name, list(sd[name].shape), field, list(shape)))
    if config.get('mm_projector_dim') not in (None, w):
        raise ConfigError('config.json mm_projector_dim: %r contradicts clip_vision_cfg.width %d' % (config['mm_projector_dim'], w))
    proj = sd.get('vision_tower.proj')
    if proj is not None and config.get('clip_embed_dim') not in (None, proj.shape[1]):
        raise ConfigError('config.json clip_embed_dim: %r contradicts vision_tower.proj %s'
                          % (config['clip_embed_dim'], list(proj.shape)))
    return channels


# --- weights -------------------------------------------------------------------------------

_ST_DTYPES = {
    'F32': (np.float32, None), 'F16': (np.float16, None), 'BF16': (np.int16, torch.bfloat16),  # torch.from_numpy has no uint16
    'I64': (np.int64, None), 'I32': (np.int32, None), 'U8': (np.uint8, None),
}


def _read_safetensors(path):
    """A minimal safetensors reader (8-byte header length, JSON header, raw little-endian data),
    memory-mapped so a 14 GB checkpoint does not have to fit in RAM twice."""
    with open(path, 'rb') as f:
        (header_len,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(header_len))
    # mode 'c' (copy-on-write) is lazily paged in and writeable, which torch.from_numpy wants.
    data = np.memmap(path, dtype=np.uint8, mode='c', offset=8 + header_len)
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        np_dtype, torch_view = _ST_DTYPES[info['dtype']]
        start, end = info['data_offsets']
        arr = data[start:end].view(np_dtype).reshape(info['shape'])
        t = torch.from_numpy(arr)
        out[name] = t.view(torch_view) if torch_view is not None else t
    return out


def _read_bin(path):
    sd = torch.load(path, map_location='cpu')
    if isinstance(sd, dict) and 'state_dict' in sd and isinstance(sd['state_dict'], dict):
        sd = sd['state_dict']
    return sd


def weight_index(ckpt_dir):
    """(index file name, {tensor name: shard}) of a sharded checkpoint, or (None, None). The
    published repo has both model.safetensors.index.json and pytorch_model.bin.index.json;
    safetensors win (memory-mapped, no pickle)."""
    for index_name in ('model.safetensors.index.json', 'pytorch_model.bin.index.json'):
        index = os.path.join(ckpt_dir, index_name)
        if os.path.exists(index):
            with open(index, encoding='utf-8') as f:
                weight_map = json.load(f).get('weight_map')
            if not isinstance(weight_map, dict) or not weight_map:
                raise ConfigError('%s has no weight_map' % index_name)
            shards = sorted(set(weight_map.values()))
            missing = [s for s in shards if not os.path.exists(os.path.join(ckpt_dir, s))]
            if missing and index_name.startswith('model.safetensors') and os.path.exists(
                    os.path.join(ckpt_dir, 'pytorch_model.bin.index.json')):
                continue  # e.g. only the .bin shards were downloaded
            if missing:
                raise FileNotFoundError('%s lists shard(s) not in %s: %s' % (index_name, ckpt_dir, ', '.join(missing)))
            return index_name, weight_map
    return None, None


def weight_files(ckpt_dir):
    index_name, weight_map = weight_index(ckpt_dir)
    if index_name:
        reader = _read_safetensors if index_name.startswith('model.safetensors') else _read_bin
        return [(os.path.join(ckpt_dir, s), reader) for s in sorted(set(weight_map.values()))]
    for name, reader in (('model.safetensors', _read_safetensors), ('pytorch_model.bin', _read_bin)):
        path = os.path.join(ckpt_dir, name)
        if os.path.exists(path):
            return [(path, reader)]
    raise FileNotFoundError('no model.safetensors / pytorch_model.bin (or sharded index) in ' + ckpt_dir)


def load_state_dict(ckpt_dir):
    sd = {}
    for path, reader in weight_files(ckpt_dir):
        sd.update(reader(path))
    index_name, weight_map = weight_index(ckpt_dir)
    if index_name:
        # The index is the list of record: a tensor it names must be in its shard, and a shard
        # must hold nothing it does not name.
        lost = sorted(set(weight_map) - set(sd))
        if lost:
            raise ConfigError('%s names %d tensor(s) its shards do not hold, e.g. %s' % (index_name, len(lost), ', '.join(lost[:5])))
        stray = sorted(set(sd) - set(weight_map))
        if stray:
            raise ConfigError('the shards hold %d tensor(s) %s does not name, e.g. %s' % (len(stray), index_name, ', '.join(stray[:5])))
    # Some trainers save a wrapped model ("model.llama..."); the reference names have no prefix.
    if not any(k.startswith('llama.') for k in sd) and any(k.startswith('model.llama.') for k in sd):
        sd = {k[len('model.'):]: v for k, v in sd.items()}
    # Older transformers saved LLaMA's rotary inverse frequencies as buffers; they are recomputed
    # from rope_theta, never read.
    return {k: v for k, v in sd.items() if not k.endswith('.rotary_emb.inv_freq')}


def tokenizer_files(ckpt_dir):
    return [n for n in TOKENIZER_FILES if os.path.exists(os.path.join(ckpt_dir, n))]


MISSING_TOKENIZER_CONFIG = (
    'The checkpoint has no tokenizer_config.json. Its `legacy` flag decides how text right after '
    '<s> or </s> is tokenised (legacy=false: "<s>[INST]" -> 1, 29961; legacy=true: 1, 518), so the '
    'converter will not guess it. Write the one the model was trained with, e.g. for LLaMA-2-chat '
    '(whose own tokenizer_config.json says legacy=false):\n'
    '  echo \'{"tokenizer_class": "LlamaTokenizer", "legacy": false, "add_bos_token": true, '
    '"add_eos_token": false}\' > CHECKPOINT_DIR/tokenizer_config.json\n'
    'or, with transformers installed: python -c "from transformers import LlamaTokenizer as T; '
    "T.from_pretrained('CHECKPOINT_DIR', legacy=False).save_pretrained('CHECKPOINT_DIR')\"\n"
    'Then run the converter again.')


def tokenizer_settings(ckpt_dir):
    """legacy / add_bos_token / add_eos_token from tokenizer_config.json, as transformers 4.36's
    LlamaTokenizer reads them (a missing `legacy` means True, with a warning)."""
    path = os.path.join(ckpt_dir, 'tokenizer_config.json')
    if not os.path.exists(path):
        raise FileNotFoundError(MISSING_TOKENIZER_CONFIG.replace('CHECKPOINT_DIR', ckpt_dir))
    with open(path, encoding='utf-8') as f:
        cfg = json.load(f)
    cls = cfg.get('tokenizer_class')
    if cls not in (None, 'LlamaTokenizer', 'LlamaTokenizerFast', 'CodeLlamaTokenizer'):
        raise ConfigError('tokenizer_config.json tokenizer_class: %r is not a LLaMA tokenizer' % cls)
    out = {}
    for key, name, default in (('legacy', 'legacy', True), ('addBosToken', 'add_bos_token', True),
                               ('addEosToken', 'add_eos_token', False)):
        value = cfg.get(name)
        if value is None:
            if name == 'legacy':
                print('tokenizer_config.json has no "legacy": transformers 4.36 then uses legacy=True (and warns)')
            value = default
        if not isinstance(value, bool):
            raise ConfigError('tokenizer_config.json %s: %r must be true or false' % (name, value))
        out[key] = value
    return out


MISSING_TOKENIZER_JSON = (
    'The checkpoint has no tokenizer.json (only tokenizer.model, SentencePiece). The app and '
    'WebLLM load the Hugging Face tokenizer.json. Either make it once, with transformers and '
    'sentencepiece installed:\n'
    '  python -c "from transformers import LlamaTokenizerFast as T; '
    "T.from_pretrained('CHECKPOINT_DIR', legacy=True).save_pretrained('CHECKPOINT_DIR')\"\n"
    'or pass --tokenizer-json with the stock LLaMA-2 one (models/llama2_tokenizer_json.py writes '
    'it; the converter checks it piece by piece against tokenizer.model when the sentencepiece '
    'module is importable). Then run the converter again (see models/README.md).')


def check_tokenizer_pair(model_path, json_path):
    """Every id must name the same piece in tokenizer.model and tokenizer.json. Returns False
    when sentencepiece is not importable (nothing checked), raises on a mismatch."""
    try:
        import sentencepiece
    except ImportError:
        return False
    sp = sentencepiece.SentencePieceProcessor(model_file=model_path)
    with open(json_path, encoding='utf-8') as f:
        spec = json.load(f)
    pieces = {i: p for p, i in spec['model']['vocab'].items()}
    if sp.get_piece_size() != len(pieces):
        raise ValueError('tokenizer.model has %d pieces, tokenizer.json %d' % (sp.get_piece_size(), len(pieces)))
    bad = [i for i in range(sp.get_piece_size()) if sp.id_to_piece(i) != pieces.get(i)]
    if bad:
        raise ValueError('tokenizer.json differs from tokenizer.model at ids %s' % bad[:10])
    return True
