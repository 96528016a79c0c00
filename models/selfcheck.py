"""selfcheck.json: what a correct runtime must produce for the bundled sample radiograph, so the
app can prove a converted model on the user's own device (src/selfcheck/).

Computed in PyTorch (float32 arithmetic) by models/reference.py's independent implementation, on
the checkpoint's own weights, for the sample at public/samples/cxr-sample.jpg:

  vision    the image rows (vision tower + projector): every row's L2 norm and ROW_SAMPLES full
            rows at fixed, evenly spaced indices -> per-row cosine and norm ratio in the app
  prompt    the report prompt's token ids (image position = -200), as the app must build them
  decoders  for the report prompt, the first STEPS greedy tokens (stopping after </s>) and the
            top-2 logit margin of each step, for
              checkpoint   the checkpoint's weights (bf16 in CXR-LLaVA) -- what the ONNX decoder runs
              q4f16_1 /    the weights read back from the MLC folder this converter wrote (shards
              q4f32_1      decoded as WebLLM decodes them, q4 dequantised) -- what WebLLM runs

A step whose margin is small can flip between runtimes that are both correct (fp16 kernels,
another summation order); the app compares tokens only up to the first step whose reference
margin is under its tolerance (src/selfcheck/compare.ts).

The decoder runs with a KV cache and reads each weight when it needs it (q4 ones dequantised on
the fly), so a 7B model needs the bf16 state dict + one q4 copy in memory, not fp32 copies.
"""

import hashlib
import inspect
import json
import os

import numpy as np
import torch

import manifest as mf
import mlc_weights as mw
import reference as ref
from llama_tokenizer import LlamaTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(os.path.dirname(HERE), 'public', 'samples', 'cxr-sample.jpg')
# Where the app serves the same file (relative to its base URL).
SAMPLE_URL = 'samples/cxr-sample.jpg'
FILE = 'selfcheck.json'
STEPS = 32
ROW_SAMPLES = 8


def _g(x, digits=7):
    """A float rounded for JSON (float32 has ~7 significant digits)."""
    return float('%.*g' % (digits, float(x)))


class LazyWeights:
    """name -> float32 tensor, converted when asked for (never all at once)."""

    def __init__(self, get):
        self.get = get

    def __getitem__(self, name):
        return self.get(name)


class CachedLlama(ref.Llama):
    """reference.Llama's arithmetic, plus a KV cache so a 7B prefill + 32 steps is affordable."""

    def __init__(self, weights, cfg):
        self.p = weights
        self.configure(cfg)
        self.cache = []

    def step(self, embeds):
        """embeds [L, hidden] appended after the cache -> logits of the last position."""
        return self.forward(embeds, self.cache)


def greedy_with_margins(model, ids, rows, steps, eos):
    """Greedy decoding (argmax; stops after </s>, which is kept) with each step's top-2 margin."""
    tokens, margins = [], []
    model.cache = []
    with torch.no_grad():
        logits = model.step(ref.multimodal_embeds(model, ids, rows))
        for _ in range(steps):
            top = torch.topk(logits, 2)
            tokens.append(int(top.indices[0]))
            margins.append(_g(top.values[0] - top.values[1], 5))
            if tokens[-1] == eos or len(tokens) == steps:
                break
            logits = model.step(model.embed([tokens[-1]]))
    return tokens, margins


# --- the MLC folders, read back as WebLLM reads them -----------------------------------------

_NP = {'uint32': np.uint32, 'float16': np.float16, 'float32': np.float32}


def read_tensor_cache(folder):
    """tensor-cache.json + params_shard_*.bin -> {name: ndarray} (memory-mapped shards; float32
    records stored as bfloat16 are widened back, as tvmjs does)."""
    with open(os.path.join(folder, 'tensor-cache.json'), encoding='utf-8') as f:
        cache = json.load(f)
    out = {}
    for shard in cache['records']:
        data = np.memmap(os.path.join(folder, shard['dataPath']), dtype=np.uint8, mode='r')
        for rec in shard['records']:
            raw = data[rec['byteOffset']:rec['byteOffset'] + rec['nbytes']]
            if rec['dtype'] == 'float32' and rec.get('format') == 'f32-to-bf16':
                arr = (np.asarray(raw).view('<u2').astype(np.uint32) << 16).view(np.float32)
            else:
                arr = np.asarray(raw).view(_NP[rec['dtype']])
            out[rec['name']] = arr.reshape(rec['shape'])
    return out


def q4_weights(params, lcfg):
    """Our (llama.*) weight names -> float32 tensors dequantised from the MLC parameters."""
    h, inter = lcfg['hidden_size'], lcfg['intermediate_size']
    qd, kvd = lcfg['num_attention_heads'] * lcfg['head_dim'], lcfg['num_key_value_heads'] * lcfg['head_dim']

    def deq(prefix, k):
        return mw.dequantize_q4(params[prefix + '.q_weight'], params[prefix + '.q_scale'], k)

    def get(name):
        if name == 'llama.embed_tokens.weight':
            return deq('model.embed_tokens', h)
        if name == 'lm_head.weight':
            return deq('lm_head', h)
        if name == 'llama.norm.weight':
            return torch.from_numpy(params['model.norm.weight'].astype(np.float32))
        layer, rest = name[len('llama.layers.'):].split('.', 1)
        m = 'model.layers.%s.' % layer
        if rest.endswith('layernorm.weight'):
            return torch.from_numpy(params[m + rest].astype(np.float32))
        proj = rest.split('.')[1]
        if proj in ('q_proj', 'k_proj', 'v_proj'):
            w = deq(m + 'self_attn.qkv_proj', h)
            return {'q_proj': w[:qd], 'k_proj': w[qd:qd + kvd], 'v_proj': w[qd + kvd:]}[proj]
        if proj == 'o_proj':
            return deq(m + 'self_attn.o_proj', qd)
        if proj in ('gate_proj', 'up_proj'):
            w = deq(m + 'mlp.gate_up_proj', h)
            return w[:inter] if proj == 'gate_proj' else w[inter:]
        if proj == 'down_proj':
            return deq(m + 'mlp.down_proj', inter)
        raise KeyError(name)

    return LazyWeights(get)


# --- selfcheck.json --------------------------------------------------------------------------

def preprocess(image, vision):
    """reference.preprocess's crop, normalised per channel as the manifest says (mean/std one
    value per channel; a grey image is the same in every channel)."""
    size, channels = vision['imageSize'], int(vision.get('channels', 1))
    mean = vision['mean'] if isinstance(vision['mean'], (list, tuple)) else [vision['mean']]
    std = vision['std'] if isinstance(vision['std'], (list, tuple)) else [vision['std']]
    mean = list(mean) * channels if len(mean) == 1 else list(mean)
    std = list(std) * channels if len(std) == 1 else list(std)
    crop, _ = ref.preprocess(image, size, [0.0], [1.0])
    x = (crop * (1 / 255)).astype(np.float32)
    planes = [(x - np.float32(m)) / np.float32(s) for m, s in zip(mean, std)]
    return np.stack(planes).reshape(1, channels, size, size).astype(np.float32)


def tokenizer(out_dir):
    """The folder's tokenizer, with tokenizer_config.json's `legacy` flag where the tokenizer
    module knows it (transformers 4.36 default: legacy)."""
    path = os.path.join(out_dir, 'tokenizer.json')
    legacy = None
    config = os.path.join(out_dir, 'tokenizer_config.json')
    if os.path.exists(config):
        with open(config, encoding='utf-8') as f:
            legacy = json.load(f).get('legacy')
    if 'legacy' in inspect.signature(LlamaTokenizer.__init__).parameters:
        return LlamaTokenizer(path, legacy=True if legacy is None else legacy)
    return LlamaTokenizer(path)


def row_indices(rows, n=ROW_SAMPLES):
    return sorted({round(i * (rows - 1) / (n - 1)) for i in range(n)}) if rows > 1 else [0]


def compute(out_dir, state_dict, vcfg, lcfg, vision, decoder, image=SAMPLE, steps=STEPS):
    """The selfcheck record (a dict). `vision` and `decoder` are the manifest's blocks, so the
    MLC folders are the ones this manifest lists."""
    with open(image, 'rb') as f:
        image_bytes = f.read()
    pixels = preprocess(image, vision)
    with torch.no_grad():
        rows = ref.vision_rows(state_dict, vcfg, torch.from_numpy(pixels))[0]
    norms = rows.norm(dim=-1)
    idx = row_indices(rows.shape[0])

    tok = tokenizer(out_dir)
    chat = [{'role': 'system', 'content': mf.PROMPTS['system']}, {'role': 'user', 'content': mf.PROMPTS['report']}]
    prompt = ref.prompt_record(tok, ref.render_llama2(chat))
    eos = lcfg['eos_token_id']

    def run(weights):
        tokens, margins = greedy_with_margins(CachedLlama(weights, lcfg), prompt['ids'], rows, steps, eos)
        return {'tokens': tokens, 'margins': margins}

    def checkpoint_weight(name):
        return state_dict[name].float()

    decoders = {'checkpoint': dict(run(LazyWeights(checkpoint_weight)), weights='checkpoint (%s), float32 arithmetic' % (
        str(state_dict['lm_head.weight'].dtype).replace('torch.', '')))}
    for quant, spec in sorted((decoder.get('webllm') or {}).items()):
        params = read_tensor_cache(os.path.join(out_dir, spec['modelFolder']))
        decoders[quant] = dict(run(q4_weights(params, lcfg)),
                               weights='%s read back from %s, dequantised, float32 arithmetic' % (quant, spec['modelFolder']))

    return {
        'schemaVersion': 1,
        'about': 'Reference outputs for the sample radiograph (models/selfcheck.py): PyTorch, float32 '
                 'arithmetic, on the checkpoint\'s own weights and on each MLC variant\'s q4 weights.',
        'image': {'url': SAMPLE_URL, 'bytes': len(image_bytes), 'sha256': hashlib.sha256(image_bytes).hexdigest()},
        'pixels': {'count': int(pixels.size), 'mean': _g(pixels.mean(dtype=np.float64)), 'std': _g(pixels.std(dtype=np.float64))},
        'vision': {'rows': int(rows.shape[0]), 'dim': int(rows.shape[1]), 'norms': [_g(v) for v in norms],
                   'sampleIndices': idx, 'samples': [[_g(v) for v in rows[i]] for i in idx]},
        'prompt': {'preset': 'report', 'ids': prompt['ids'], 'imageTokenId': ref.IMAGE_TOKEN_INDEX},
        'steps': steps,
        'eosTokenId': eos,
        'decoders': decoders,
    }


def write_selfcheck(out_dir, state_dict, vcfg, lcfg, vision, decoder, image=SAMPLE, steps=STEPS):
    """Writes selfcheck.json into the model folder; returns its path in the folder (for the
    manifest's selfCheck field)."""
    record = compute(out_dir, state_dict, vcfg, lcfg, vision, decoder, image, steps)
    with open(os.path.join(out_dir, FILE), 'w', encoding='utf-8') as f:
        json.dump(record, f, separators=(',', ':'))
        f.write('\n')
    for name, d in record['decoders'].items():
        low = sum(1 for m in d['margins'] if m < 0.1)
        print('selfcheck %s: %d tokens %s (%d steps with margin < 0.1)' % (name, len(d['tokens']), d['tokens'][:8], low))
    return FILE
