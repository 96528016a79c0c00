"""Reads a CXR-LLaVA v2 checkpoint folder: config.json, the weights (any of the Hugging Face
layouts) and the tokenizer files. Nothing here knows a model size: every number comes from
config.json, so the same code reads the 7B checkpoint and the tiny random twin."""

import json
import os
import struct

import numpy as np
import torch

# CLIPVisionCfg defaults of the reference code (CXR_LLAVA_HF.py); config.json overrides them.
VISION_DEFAULTS = {
    'layers': 12, 'width': 768, 'head_width': 64, 'mlp_ratio': 4.0, 'patch_size': 16,
    'image_size': 224, 'ls_init_value': None, 'patch_dropout': 0.0, 'attentional_pool': False,
    'attn_pooler_queries': 256, 'attn_pooler_heads': 8, 'no_ln_pre': False,
    'pos_embed_type': 'learnable', 'final_ln_after_pool': False, 'pool_type': 'tok',
    'output_tokens': False, 'act_kwargs': None, 'norm_kwargs': None,
}

TOKENIZER_FILES = ('tokenizer.json', 'tokenizer.model', 'tokenizer_config.json',
                   'special_tokens_map.json')


def load_config(ckpt_dir):
    with open(os.path.join(ckpt_dir, 'config.json'), encoding='utf-8') as f:
        return json.load(f)


def vision_config(config):
    cfg = dict(VISION_DEFAULTS)
    cfg.update(config['clip_vision_cfg'])
    if cfg.get('timm_model_name'):
        raise ValueError('timm vision towers are not supported (config names %r)' % cfg['timm_model_name'])
    if cfg['attentional_pool']:
        # The reference keeps CoCa's attentional pooler as a code path; CXR-LLaVA v2 does not use
        # it, and exporting an untested path would hide a mismatch. Fail loudly instead.
        raise ValueError('attentional_pool is set in config.json: not supported by this converter')
    if cfg['pool_type'] not in ('tok', 'avg', 'none'):
        raise ValueError('unknown pool_type %r' % cfg['pool_type'])
    if cfg['pos_embed_type'] != 'learnable':
        raise ValueError('only learnable positional embeddings are supported')
    if cfg['act_kwargs']:
        raise ValueError('act_kwargs %r not supported (exact GELU assumed)' % cfg['act_kwargs'])
    size = cfg['image_size']
    patch = cfg['patch_size']
    if isinstance(size, (list, tuple)) or isinstance(patch, (list, tuple)):
        raise ValueError('non-square image_size/patch_size not supported')
    cfg['heads'] = cfg['width'] // cfg['head_width']
    cfg['grid'] = size // patch
    cfg['ln_eps'] = (cfg['norm_kwargs'] or {}).get('eps', 1e-5)
    return cfg


def image_token_count(vcfg):
    """Rows the vision tower hands to the LLM: 'tok'/'avg' drop the class token, 'none' keeps it."""
    n = vcfg['grid'] * vcfg['grid']
    return n + 1 if vcfg['pool_type'] == 'none' else n


def llama_config(config):
    cfg = dict(config['llama'])
    cfg.setdefault('num_key_value_heads', cfg['num_attention_heads'])
    cfg.setdefault('rms_norm_eps', 1e-6)
    cfg.setdefault('rope_theta', 10000.0)
    cfg.setdefault('max_position_embeddings', 2048)
    cfg.setdefault('bos_token_id', 1)
    cfg.setdefault('eos_token_id', 2)
    cfg['head_dim'] = cfg['hidden_size'] // cfg['num_attention_heads']
    if cfg.get('rope_scaling'):
        raise ValueError('rope_scaling %r not supported' % cfg['rope_scaling'])
    if cfg.get('hidden_act', 'silu') != 'silu':
        raise ValueError('hidden_act %r not supported' % cfg['hidden_act'])
    return cfg


def context_length(config):
    # The reference reads the top-level max_position_embeddings with 2048 as fallback.
    return int(config.get('max_position_embeddings', 2048))


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


def weight_files(ckpt_dir):
    for index_name, reader in (('model.safetensors.index.json', _read_safetensors),
                               ('pytorch_model.bin.index.json', _read_bin)):
        index = os.path.join(ckpt_dir, index_name)
        if os.path.exists(index):
            with open(index, encoding='utf-8') as f:
                shards = sorted(set(json.load(f)['weight_map'].values()))
            return [(os.path.join(ckpt_dir, s), reader) for s in shards]
    for name, reader in (('model.safetensors', _read_safetensors), ('pytorch_model.bin', _read_bin)):
        path = os.path.join(ckpt_dir, name)
        if os.path.exists(path):
            return [(path, reader)]
    raise FileNotFoundError('no model.safetensors / pytorch_model.bin (or sharded index) in ' + ckpt_dir)


def load_state_dict(ckpt_dir):
    sd = {}
    for path, reader in weight_files(ckpt_dir):
        sd.update(reader(path))
    # Some trainers save a wrapped model ("model.llama..."); the reference names have no prefix.
    if not any(k.startswith('llama.') for k in sd) and any(k.startswith('model.llama.') for k in sd):
        sd = {k[len('model.'):]: v for k, v in sd.items()}
    return sd


def tokenizer_files(ckpt_dir):
    return [n for n in TOKENIZER_FILES if os.path.exists(os.path.join(ckpt_dir, n))]


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
