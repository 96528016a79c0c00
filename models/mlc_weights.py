"""MLC-LLM weight folders written without mlc_llm: the q4f16_1 / q4f32_1 group quantisation and
the tvmjs tensor cache (tensor-cache.json + params_shard_*.bin), as WebLLM 0.2.86 loads them.

Mirrors, by reading their sources (see models/README.md):
- mlc_llm/quantization/group_quantization.py: group 32 along the input (last) dim, int4 stored
  8 per uint32 (element k of a row at bits 4*(k%8) of word k//8), scale = max|w| / 7 in the
  model dtype, q = clip(round(w / scale + 7), 0, 14), w ~ (q - 7) * scale; rows whose length is
  not a multiple of 32 are padded with zero nibbles up to whole groups.
- tvm.contrib.tvmjs.dump_tensor_cache: 32 MiB shards, a record of >= 16 MiB alone in its own
  shard, float32 stored as bfloat16 ("f32-to-bf16", rounded to nearest even), every record
  carrying the cache's encode format, an md5sum per shard.
"""

import hashlib
import json
import os

import numpy as np
import torch

GROUP = 32
PER_WORD = 8
MAX_INT = 7
QUANTS = {'q4f16_1': 'float16', 'q4f32_1': 'float32'}


def _round_model_dtype(x, model_dtype):
    """Round float32 values to the model dtype, as TVM's arithmetic in that dtype does."""
    return x.half().float() if model_dtype == 'float16' else x


def quantize_q4(weight, model_dtype):
    """weight [n, k] -> (q_weight uint32 [n, groups*4], q_scale [n, groups] in model_dtype)."""
    w = _round_model_dtype(weight.float(), model_dtype)  # mlc_llm casts to the model dtype first
    n, k = w.shape
    groups = -(-k // GROUP)
    padded = torch.zeros(n, groups * GROUP)
    padded[:, :k] = w
    g = padded.view(n, groups, GROUP)
    scale = _round_model_dtype(g.abs().amax(dim=-1) / MAX_INT, model_dtype)
    safe = torch.where(scale == 0, torch.ones_like(scale), scale)
    # TVM evaluates w / scale + 7 in the model dtype, then round() (half away from zero; the
    # value is >= 0 here, so floor(x + 0.5)).
    t = _round_model_dtype(g / safe.unsqueeze(-1), model_dtype)
    t = _round_model_dtype(t + MAX_INT, model_dtype)
    q = torch.clamp(torch.floor(t + 0.5), 0, 2 * MAX_INT).to(torch.int64)
    q = q.view(n, groups * GROUP)
    q[:, k:] = 0  # pack_weight pads with zero bits
    words = q.view(n, -1, PER_WORD)
    shifts = torch.arange(PER_WORD, dtype=torch.int64) * 4
    packed = (words << shifts).sum(-1)  # < 2**32, exact in int64
    q_weight = packed.numpy().astype(np.uint32)
    q_scale = scale.numpy().astype(np.float16 if model_dtype == 'float16' else np.float32)
    return q_weight, q_scale


def dequantize_q4(q_weight, q_scale, k):
    """The inverse, for tests: float32 [n, k]."""
    qw = torch.from_numpy(q_weight.astype(np.int64))
    shifts = torch.arange(PER_WORD, dtype=torch.int64) * 4
    q = ((qw.unsqueeze(-1) >> shifts) & 0xF).reshape(qw.shape[0], -1)[:, :k]
    scale = torch.from_numpy(q_scale.astype(np.float32)).repeat_interleave(GROUP, dim=1)[:, :k]
    return (q.float() - MAX_INT) * scale


def mlc_layout(lcfg, quant):
    """MLC Llama's parameter list for this shape: dicts of name, shape, dtype (as the compiled
    library's embedded metadata lists them, same order; the vocab is a number here where the
    library has the symbol 'vocab_size'), plus how the writer builds each: 'q4' (the source
    weights concatenated along the output dim, then group-quantised) or 'norm' (cast). q/k/v and
    gate/up are fused as MLC's Llama fuses them (qkv_proj, gate_up_proj)."""
    model_dtype = QUANTS[quant]
    h, inter, v = lcfg['hidden_size'], lcfg['intermediate_size'], lcfg['vocab_size']
    heads, kvh, d = lcfg['num_attention_heads'], lcfg['num_key_value_heads'], lcfg['head_dim']
    layout = []

    def linear(prefix, sources, rows, k):
        groups = -(-k // GROUP)
        layout.append({'name': prefix + '.q_weight', 'shape': [rows, groups * GROUP // PER_WORD],
                       'dtype': 'uint32', 'kind': 'q4', 'sources': sources})
        layout.append({'name': prefix + '.q_scale', 'shape': [rows, groups], 'dtype': model_dtype,
                       'kind': 'q4', 'sources': sources})

    def norm(name, source):
        layout.append({'name': name, 'shape': [h], 'dtype': model_dtype, 'kind': 'norm',
                       'sources': [source]})

    linear('model.embed_tokens', ['llama.embed_tokens.weight'], v, h)
    for i in range(lcfg['num_hidden_layers']):
        src, dst = 'llama.layers.%d.' % i, 'model.layers.%d.' % i
        linear(dst + 'self_attn.qkv_proj', [src + 'self_attn.%s_proj.weight' % p for p in 'qkv'],
               (heads + 2 * kvh) * d, h)
        linear(dst + 'self_attn.o_proj', [src + 'self_attn.o_proj.weight'], h, heads * d)
        linear(dst + 'mlp.gate_up_proj', [src + 'mlp.gate_proj.weight', src + 'mlp.up_proj.weight'],
               2 * inter, h)
        linear(dst + 'mlp.down_proj', [src + 'mlp.down_proj.weight'], h, inter)
        norm(dst + 'input_layernorm.weight', src + 'input_layernorm.weight')
        norm(dst + 'post_attention_layernorm.weight', src + 'post_attention_layernorm.weight')
    norm('model.norm.weight', 'llama.norm.weight')
    linear('lm_head', ['lm_head.weight'], v, h)
    return layout


def mlc_params(state_dict, lcfg, quant):
    """Yields (name, ndarray) in the order of mlc_layout, quantised for `quant` (a generator, so a
    7B model is quantised and written one tensor at a time). Every array is checked against the
    layout, so the layout (tested against the real libraries' metadata) is what gets written."""
    model_dtype = QUANTS[quant]
    np_dtype = np.float16 if model_dtype == 'float16' else np.float32
    specs = iter(mlc_layout(lcfg, quant))
    for spec in specs:
        if spec['kind'] == 'norm':
            pairs = [(spec, state_dict[spec['sources'][0]].float().numpy().astype(np_dtype))]
        else:  # a q_weight, then its q_scale
            weight = torch.cat([state_dict[s].float() for s in spec['sources']], dim=0)
            q_weight, q_scale = quantize_q4(weight, model_dtype)
            pairs = [(spec, q_weight), (next(specs), q_scale)]
        for want, a in pairs:
            if list(a.shape) != want['shape'] or _dtype_name(a) != want['dtype']:
                raise ValueError('%s: wrote %s %s, the layout says %s %s' % (
                    want['name'], list(a.shape), _dtype_name(a), want['shape'], want['dtype']))
            yield want['name'], a


def f32_to_bf16(a):
    """tvmjs's encoder: round to nearest even inside the bf16 range, truncate outside it."""
    bits = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    limit = np.float32(np.frombuffer(np.uint32(0x7F7F0000).tobytes(), np.float32)[0])
    inside = (a < limit) & (a > -limit)
    bias = np.where(inside, ((bits >> 16) & 1) + 0x7FFF, 0)
    return ((bits + bias) >> 16).astype(np.uint16)


def _dtype_name(a):
    return {np.dtype(np.uint32): 'uint32', np.dtype(np.float16): 'float16',
            np.dtype(np.float32): 'float32'}[a.dtype]


def _stored_nbytes(shape, dtype, encode):
    item = {'uint32': 4, 'float16': 2, 'float32': 4}[dtype]
    if encode == 'f32-to-bf16' and dtype == 'float32':
        item = 2
    return int(np.prod(shape, dtype=np.int64)) * item


def _shards(items, shard_cap):
    """tvm.contrib.tvmjs's NDArrayCacheShardingManager rule. items: (record, data or None); yields
    (records with byteOffset, datas) per shard in commit order: when a record would fill the
    pending shard, a record of >= cap/2 goes alone into a shard of its own (committed first,
    "out of band"), a smaller one closes the pending shard and starts the next."""
    pending, datas, size = [], [], 0
    for rec, data in items:
        n = rec['nbytes']
        if size + n >= shard_cap:
            if n * 2 >= shard_cap:
                yield [dict(rec, byteOffset=0)], [data]
                continue
            yield pending, datas
            pending, datas, size = [], [], 0
        pending.append(dict(rec, byteOffset=size))
        datas.append(data)
        size += n
    if pending:
        yield pending, datas


def plan_tensor_cache(layout, shard_cap=32 << 20, encode='f32-to-bf16'):
    """The shards write_tensor_cache would write for this layout (dataPath, nbytes, records; no
    md5sum), computed from shapes alone, so a 7B layout is checked without quantising anything."""
    items = (({'name': p['name'], 'shape': list(p['shape']), 'dtype': p['dtype'], 'format': encode,
               'nbytes': _stored_nbytes(p['shape'], p['dtype'], encode)}, None) for p in layout)
    return [{'dataPath': 'params_shard_%d.bin' % i, 'format': 'raw-shard',
             'nbytes': sum(r['nbytes'] for r in records), 'records': records}
            for i, (records, _) in enumerate(_shards(items, shard_cap))]


def write_tensor_cache(params, out_dir, source_param_count, shard_cap=32 << 20, encode='f32-to-bf16'):
    """Writes (name, ndarray) pairs; metadata as mlc_llm's convert_weight: ParamSize (tensors),
    ParamBytes (bytes before encoding), BitsPerParam (per parameter of the source model)."""
    os.makedirs(out_dir, exist_ok=True)
    shards = []
    totals = {'count': 0, 'bytes': 0.0}

    def items():
        for name, a in params:
            totals['count'] += 1
            totals['bytes'] += a.nbytes
            dtype = _dtype_name(a)
            data = f32_to_bf16(a).tobytes() if encode == 'f32-to-bf16' and dtype == 'float32' else a.tobytes()
            yield {'name': name, 'shape': list(a.shape), 'dtype': dtype, 'format': encode,
                   'nbytes': len(data)}, data

    for records, datas in _shards(items(), shard_cap):
        data = b''.join(datas)
        path = 'params_shard_%d.bin' % len(shards)
        with open(os.path.join(out_dir, path), 'wb') as f:
            f.write(data)
        shards.append({'dataPath': path, 'format': 'raw-shard', 'nbytes': len(data),
                       'records': records, 'md5sum': hashlib.md5(data).hexdigest()})
    metadata = {'ParamSize': totals['count'], 'ParamBytes': totals['bytes'],
                'BitsPerParam': totals['bytes'] * 8.0 / source_param_count}
    with open(os.path.join(out_dir, 'tensor-cache.json'), 'w', encoding='utf-8') as f:
        json.dump({'metadata': metadata, 'records': shards}, f, indent=4)
    return shards


LLAMA2_CONV_TEMPLATE = {
    # mlc_llm's registered "llama-2" conversation template, as gen_config writes it.
    'name': 'llama-2',
    'system_template': '[INST] <<SYS>>\n{system_message}\n<</SYS>>\n\n',
    'system_message': 'You are a helpful, respectful and honest assistant.',
    'system_prefix_token_ids': [1],
    'add_role_after_system_message': False,
    'roles': {'user': '[INST]', 'assistant': '[/INST]', 'tool': '[INST]'},
    'role_templates': {'user': '{user_message}', 'assistant': '{assistant_message}',
                       'tool': '{tool_message}'},
    'messages': [],
    'seps': [' '],
    'role_content_sep': ' ',
    'role_empty_sep': ' ',
    'stop_str': ['[INST]'],
    'stop_token_ids': [2],
    'function_string': '',
    'use_function_calling': False,
}


def mlc_chat_config(lcfg, quant, context_window, prefill_chunk, tokenizer_files, system_message,
                    temperature, top_p):
    conv = dict(LLAMA2_CONV_TEMPLATE)
    conv['system_message'] = system_message
    model_config = {
        'hidden_size': lcfg['hidden_size'],
        'intermediate_size': lcfg['intermediate_size'],
        'num_attention_heads': lcfg['num_attention_heads'],
        'num_hidden_layers': lcfg['num_hidden_layers'],
        'rms_norm_eps': lcfg['rms_norm_eps'],
        'vocab_size': lcfg['vocab_size'],
        'tie_word_embeddings': bool(lcfg.get('tie_word_embeddings', False)),
        'position_embedding_base': float(lcfg['rope_theta']),
        'rope_scaling': None,
        'context_window_size': context_window,
        'prefill_chunk_size': prefill_chunk,
        'num_key_value_heads': lcfg['num_key_value_heads'],
        'head_dim': lcfg['head_dim'],
        'tensor_parallel_shards': 1,
        'pipeline_parallel_stages': 1,
        'max_batch_size': 1,
    }
    return {
        'version': '0.1.0',
        'model_type': 'llama',
        'quantization': quant,
        'model_config': model_config,
        'vocab_size': lcfg['vocab_size'],
        'context_window_size': context_window,
        'sliding_window_size': -1,
        'prefill_chunk_size': prefill_chunk,
        'attention_sink_size': -1,
        'tensor_parallel_shards': 1,
        'pipeline_parallel_stages': 1,
        'temperature': temperature,
        'presence_penalty': 0.0,
        'frequency_penalty': 0.0,
        'repetition_penalty': 1.0,
        'top_p': top_p,
        'tokenizer_files': tokenizer_files,
        'tokenizer_info': {'token_postproc_method': 'byte_fallback',
                           'prepend_space_in_encode': False, 'strip_space_in_decode': False},
        'conv_template': conv,
        'pad_token_id': 0,
        'bos_token_id': lcfg['bos_token_id'],
        'eos_token_id': lcfg['eos_token_id'],
    }


def weight_bytes(quant, lcfg):
    """Bytes of the quantised weights (for the manifest's vramBytes estimate)."""
    h, i, v = lcfg['hidden_size'], lcfg['intermediate_size'], lcfg['vocab_size']
    heads, kvh, d = lcfg['num_attention_heads'], lcfg['num_key_value_heads'], lcfg['head_dim']
    scale_bytes = 2 if quant == 'q4f16_1' else 4

    def q(n, k):
        g = -(-k // GROUP)
        return n * g * 4 * 4 + n * g * scale_bytes

    layer = q((heads + 2 * kvh) * d, h) + q(h, heads * d) + q(2 * i, h) + q(h, i) + 2 * h * scale_bytes
    return q(v, h) * 2 + lcfg['num_hidden_layers'] * layer + h * scale_bytes


def kv_cache_bytes(quant, lcfg, context):
    elem = 2 if quant == 'q4f16_1' else 4
    return 2 * lcfg['num_hidden_layers'] * context * lcfg['num_key_value_heads'] * lcfg['head_dim'] * elem
