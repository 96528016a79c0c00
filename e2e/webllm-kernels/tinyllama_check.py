"""The Python half of the 4-bit kernel check (e2e/webllm-kernels.e2e.ts drives it).

  write DIR                random TinyLlama-1.1B-shaped weights (fixed seed, the checkpoint's
                           `llama.*` names) written by OUR writer, models/mlc_weights.py
                           (mlc_params + write_tensor_cache, q4f32_1), into DIR/resolve/main/, with
                           the cache file also under the name web-llm 0.2.79 reads
                           (ndarray-cache.json), mlc-chat-config.json and the LLaMA-2 tokenizer.
  reference DIR RUN.json   reads the cache back exactly as the kernels get it (bf16-stored float32
                           decoded, q4 dequantised), runs a plain float32 PyTorch LLaMA over the
                           embeddings the browser fed (text ids embedded from the q4 table, image
                           rows injected as given) and prints the logits comparison as JSON.

Nothing here shares code with the writer's quantiser except the dequantiser, whose inverse
property models/tests/test_mlc_weights.py checks bit for bit.
"""

import hashlib
import json
import os
import shutil
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'models'))

import mlc_weights as mw  # noqa: E402

QUANT = 'q4f32_1'
SEED = 1234
# TinyLlama-1.1B-Chat-v0.4, the shape the compiled library's kernels are built for (its
# metadata: models/tests/webllm-libs/); the vocabulary is symbolic there, 32000 here.
LCFG = {'hidden_size': 2048, 'intermediate_size': 5632, 'num_hidden_layers': 22,
        'num_attention_heads': 32, 'num_key_value_heads': 4, 'head_dim': 64, 'vocab_size': 32000,
        'rms_norm_eps': 1e-5, 'rope_theta': 10000.0, 'bos_token_id': 1, 'eos_token_id': 2,
        'max_position_embeddings': 2048}
CONTEXT, PREFILL_CHUNK = 1024, 1024


def source_shape(name):
    h, i, v = LCFG['hidden_size'], LCFG['intermediate_size'], LCFG['vocab_size']
    q, kv = LCFG['num_attention_heads'] * LCFG['head_dim'], LCFG['num_key_value_heads'] * LCFG['head_dim']
    table = {'embed_tokens.weight': (v, h), 'lm_head.weight': (v, h), 'q_proj.weight': (q, h),
             'k_proj.weight': (kv, h), 'v_proj.weight': (kv, h), 'o_proj.weight': (h, q),
             'gate_proj.weight': (i, h), 'up_proj.weight': (i, h), 'down_proj.weight': (h, i),
             'norm.weight': (h,), 'layernorm.weight': (h,)}
    return next(shape for suffix, shape in table.items() if name.endswith(suffix))


class RandomCheckpoint(dict):
    """A state dict that makes each tensor on demand from a per-name seed, so 1.1B parameters
    never sit in memory at once. Norm weights near 1, everything else N(0, 0.02) (LLaMA's init)."""

    def __missing__(self, name):
        seed = int.from_bytes(hashlib.sha256(('%d:%s' % (SEED, name)).encode()).digest()[:4], 'little')
        gen = torch.Generator().manual_seed(seed)
        shape = source_shape(name)
        if len(shape) == 1:
            return 1.0 + 0.1 * torch.randn(shape, generator=gen)
        return 0.02 * torch.randn(shape, generator=gen)


def write(out):
    folder = os.path.join(out, 'resolve', 'main')
    os.makedirs(folder, exist_ok=True)
    source_params = sum(int(np.prod(source_shape(s))) for p in mw.mlc_layout(LCFG, QUANT) for s in set(p['sources']))
    mw.write_tensor_cache(mw.mlc_params(RandomCheckpoint(), LCFG, QUANT), folder, source_params)
    shutil.copyfile(os.path.join(folder, 'tensor-cache.json'), os.path.join(folder, 'ndarray-cache.json'))
    chat = mw.mlc_chat_config(LCFG, QUANT, CONTEXT, PREFILL_CHUNK, ['tokenizer.json'],
                              'Random weights: no meaning.', 0.0, 1.0)
    with open(os.path.join(folder, 'mlc-chat-config.json'), 'w', encoding='utf-8') as f:
        json.dump(chat, f, indent=2)
    shutil.copyfile(os.path.join(REPO, 'public', 'models', 'cxr-llava-tiny', 'tokenizer.json'),
                    os.path.join(folder, 'tokenizer.json'))


class Cache:
    """The tensor cache as the kernels see it: float32 records were stored as bfloat16."""

    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, 'tensor-cache.json'), encoding='utf-8') as f:
            shards = json.load(f)['records']
        self.records = {r['name']: (s['dataPath'], r) for s in shards for r in s['records']}

    def array(self, name, rows=None):
        path, r = self.records[name]
        with open(os.path.join(self.folder, path), 'rb') as f:
            f.seek(r['byteOffset'])
            raw = f.read(r['nbytes'])
        if r['dtype'] == 'uint32':
            a = np.frombuffer(raw, np.uint32).reshape(r['shape'])
        elif r['dtype'] == 'float32' and r['format'] == 'f32-to-bf16':
            a = (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32).reshape(r['shape'])
        else:
            a = np.frombuffer(raw, r['dtype']).reshape(r['shape'])
        return a if rows is None else a[rows]

    def linear(self, prefix, k, rows=None):
        return mw.dequantize_q4(self.array(prefix + '.q_weight', rows), self.array(prefix + '.q_scale', rows), k)

    def vector(self, name):
        return torch.from_numpy(self.array(name).astype(np.float32))


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, positions, theta):
    """Rotate-half RoPE (LLaMA / MLC): x [heads, n, d]."""
    d = x.shape[-1]
    inv = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    ang = positions.double()[:, None] * inv[None, :]
    cos, sin = torch.cat([ang.cos(), ang.cos()], -1).float(), torch.cat([ang.sin(), ang.sin()], -1).float()
    half = torch.cat([-x[..., d // 2:], x[..., :d // 2]], -1)
    return x * cos + half * sin


def llama_logits(cache, batch):
    """A float32 LLaMA over input embeddings, for each [n, hidden] in `batch` (each layer's
    weights dequantised once for all); logits [n, vocab] each. Causal, GQA grouped (query head j
    reads KV head j // (heads / kv_heads)), SiLU MLP, separate lm_head."""
    c = LCFG
    h, heads, kvh, d = c['hidden_size'], c['num_attention_heads'], c['num_key_value_heads'], c['head_dim']
    xs = [e.float() for e in batch]
    for i in range(c['num_hidden_layers']):
        p = 'model.layers.%d.' % i
        ln1, ln2 = cache.vector(p + 'input_layernorm.weight'), cache.vector(p + 'post_attention_layernorm.weight')
        qkv_w, o_w = cache.linear(p + 'self_attn.qkv_proj', h), cache.linear(p + 'self_attn.o_proj', heads * d)
        gu_w, down_w = cache.linear(p + 'mlp.gate_up_proj', h), cache.linear(p + 'mlp.down_proj', c['intermediate_size'])
        for b, x in enumerate(xs):
            n = x.shape[0]
            pos = torch.arange(n)
            mask = torch.full((n, n), float('-inf')).triu(1)
            q, k, v = (rms_norm(x, ln1, c['rms_norm_eps']) @ qkv_w.T).split([heads * d, kvh * d, kvh * d], dim=-1)
            q = rope(q.view(n, heads, d).transpose(0, 1), pos, c['rope_theta'])
            k = rope(k.view(n, kvh, d).transpose(0, 1), pos, c['rope_theta'])
            v = v.view(n, kvh, d).transpose(0, 1)
            k, v = k.repeat_interleave(heads // kvh, 0), v.repeat_interleave(heads // kvh, 0)
            att = torch.softmax(q @ k.transpose(1, 2) / d ** 0.5 + mask, -1) @ v
            x = x + att.transpose(0, 1).reshape(n, heads * d) @ o_w.T
            gate, up = (rms_norm(x, ln2, c['rms_norm_eps']) @ gu_w.T).chunk(2, dim=-1)
            xs[b] = x + (torch.nn.functional.silu(gate) * up) @ down_w.T
    norm, head = cache.vector('model.norm.weight'), cache.linear('lm_head', h)
    return [rms_norm(x, norm, c['rms_norm_eps']) @ head.T for x in xs]


def compare(got, want):
    got, want = torch.tensor(got, dtype=torch.float64), want.double()
    return {'cosine': float(torch.nn.functional.cosine_similarity(got, want, dim=0)),
            'maxAbsDiff': float((got - want).abs().max()), 'maxAbsLogit': float(want.abs().max()),
            'argmax': int(got.argmax()), 'refArgmax': int(want.argmax()),
            'top5': got.topk(5).indices.tolist(), 'refTop5': want.topk(5).indices.tolist()}


def reference(out, run_path):
    """run.json: {pieces: [{ids} | {rows: [[...]]}...], steps: [{name, upto, logits}], isolate:
    [{name, pieces, logits}]}; each step's logits are for the last of the first `upto` positions,
    an isolating case's for its last position."""
    with open(run_path, encoding='utf-8') as f:
        run = json.load(f)
    cache = Cache(os.path.join(out, 'resolve', 'main'))
    h = LCFG['hidden_size']

    def embed(pieces):
        return [cache.linear('model.embed_tokens', h, rows=p['ids']) if 'ids' in p else torch.tensor(p['rows'], dtype=torch.float32) for p in pieces]

    parts = embed(run['pieces'])
    embeds = torch.cat(parts)
    isolate = run.get('isolate', [])
    # Control: the same prompt with the injected rows zeroed. If the kernels ignored the injected
    # rows, this (not the real reference) would match them.
    image = [i for i, p in enumerate(run['pieces']) if 'rows' in p]
    zeroed = torch.cat([torch.zeros_like(p) if i in image else p for i, p in enumerate(parts)])
    with torch.no_grad():
        logits, alt, *isolated = llama_logits(cache, [embeds, zeroed] + [torch.cat(embed(c['pieces'])) for c in isolate])
    result = {'positions': embeds.shape[0], 'steps': {}, 'isolate': {}}
    for c, ref in zip(isolate, isolated):
        result['isolate'][c['name']] = compare(c['logits'], ref[-1])
    for step in run['steps']:
        result['steps'][step['name']] = compare(step['logits'], logits[step['upto'] - 1])
    first = run['steps'][0]
    result['withoutInjectedRows'] = compare(first['logits'], alt[first['upto'] - 1])
    print(json.dumps(result))


if __name__ == '__main__':
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    if sys.argv[1] == 'write':
        write(sys.argv[2])
    elif sys.argv[1] == 'reference':
        reference(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
