"""PyTorch reference for CXR-LLaVA, written from the reference code's semantics (CXR_LLAVA_HF.py,
open_clip's VisionTransformer, transformers' LlamaModel and generate) and sharing no code with
the converter's export modules: it reads the checkpoint's state dict and config and computes,
in float32, what the browser pipeline must reproduce. It writes the golden files the tests use:

  cxr-sample-512.pgm       the preprocessed 8-bit image (after resize + centre crop)
  pixel_values.f32         the normalised input tensor [1, 1, S, S], float32 little-endian
  image_rows.f32           vision tower + mm_projector output [1, rows, hidden]
  golden.json              shapes, prompt token ids, greedy token ids (report; two-turn chat)
  weights.f32 / weights.json  a few fp32 LLaMA matrices, to check the q4 (MLC) weights against

Usage: reference.py --checkpoint DIR --image cxr-sample.jpg --out models/tiny/golden
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from checkpoint import load_state_dict  # noqa: E402  (file reading only, no model code)
from clip_preprocess import preprocess_image  # noqa: E402
from llama_tokenizer import LlamaTokenizer, tokenizer_image_token  # noqa: E402

IMAGE_TOKEN_INDEX = -200
SYSTEM = ('You are a helpful radiologist. Try to interpret chest x ray image and answer to the '
          'question that user provides.')
REPORT = ('<image>\nWrite a radiologic report on the given chest radiograph, including information '
          'about atelectasis, cardiomegaly, consolidation, pulmonary edema, pleural effusion, and '
          'pneumothorax.\n')
FOLLOW_UP = 'Is there a pleural effusion?'


# --- preprocessing: CLIPImageProcessor(do_resize shortest_edge, resample=True (=1, LANCZOS),
# center crop, rescale 1/255, normalize) on an 8-bit 'L' image ----------------------------------

def preprocess(path, size, mean, std):
    return preprocess_image(Image.open(path).convert('L'), size, mean, std)


# --- vision: encode_images() of CXR_LLAVA_HF.py, in open_clip's LND layout ----------------------

def vision_rows(sd, vcfg, pixels):
    p = {k[len('vision_tower.'):]: v.float() for k, v in sd.items() if k.startswith('vision_tower.')}
    width = vcfg['width']
    # open_clip's CLIPVisionCfg default (the published config leaves head_width out).
    heads = width // vcfg.get('head_width', 64)
    eps = (vcfg.get('norm_kwargs') or {}).get('eps', 1e-5)

    def ln(x, name):
        return F.layer_norm(x, (width,), p[name + '.weight'], p[name + '.bias'], eps)

    x = F.conv2d(pixels, p['conv1.weight'], stride=vcfg['patch_size'])
    x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
    x = torch.cat([p['class_embedding'].view(1, 1, -1).expand(x.shape[0], -1, -1), x], dim=1)
    x = x + p['positional_embedding']
    if not vcfg.get('no_ln_pre', False):
        x = ln(x, 'ln_pre')
    x = x.permute(1, 0, 2)  # NLD -> LND, as nn.MultiheadAttention (batch_first=False) wants
    for i in range(vcfg['layers']):
        b = 'transformer.resblocks.%d.' % i
        h = ln(x, b + 'ln_1')
        a, _ = F.multi_head_attention_forward(
            h, h, h, width, heads, p[b + 'attn.in_proj_weight'], p[b + 'attn.in_proj_bias'],
            None, None, False, 0.0, p[b + 'attn.out_proj.weight'], p[b + 'attn.out_proj.bias'],
            training=False, need_weights=False)
        if b + 'ls_1.gamma' in p:
            a = a * p[b + 'ls_1.gamma']
        x = x + a
        m = F.linear(ln(x, b + 'ln_2'), p[b + 'mlp.c_fc.weight'], p[b + 'mlp.c_fc.bias'])
        m = F.linear(F.gelu(m), p[b + 'mlp.c_proj.weight'], p[b + 'mlp.c_proj.bias'])
        if b + 'ls_2.gamma' in p:
            m = m * p[b + 'ls_2.gamma']
        x = x + m
    x = x.permute(1, 0, 2)
    if vcfg.get('attentional_pool'):
        raise NotImplementedError('attentional_pool')
    pool = vcfg.get('pool_type', 'tok')

    def global_pool(t):
        return t if pool == 'none' else t[:, 1:]

    if vcfg.get('final_ln_after_pool', False):
        tokens = global_pool(x)  # ln_post goes to the pooled vector only
    else:
        tokens = global_pool(ln(x, 'ln_post'))
    return F.linear(tokens, sd['mm_projector.weight'].float(), sd['mm_projector.bias'].float())


# --- LLaMA: transformers' LlamaModel + lm_head, full recompute each step -----------------------

class Llama:
    def __init__(self, sd, cfg):
        self.p = {k: v.float() for k, v in sd.items() if k.startswith('llama.') or k == 'lm_head.weight'}
        self.configure(cfg)

    def configure(self, cfg):
        """The shape and RoPE settings every LLaMA here computes with (also the cached one's)."""
        self.cfg = cfg
        self.heads = cfg['num_attention_heads']
        self.kv_heads = cfg.get('num_key_value_heads', self.heads)
        self.head_dim = cfg['hidden_size'] // self.heads
        self.eps = cfg.get('rms_norm_eps', 1e-6)
        theta = float(cfg.get('rope_theta', 10000.0))
        d = self.head_dim
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))

    def embed(self, ids):
        return self.p['llama.embed_tokens.weight'][torch.tensor(ids, dtype=torch.int64)]

    def rms(self, x, w):
        return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    def logits(self, embeds):
        """embeds [L, hidden] -> logits of the last position [vocab], causal mask, batch 1.
        (Only the last row is projected: the others are never used by greedy decoding.)"""
        return self.forward(embeds)

    def forward(self, embeds, cache=None):
        """logits() after the keys and values of `cache` (a list of per-layer (k, v), extended in
        place): positions continue after the cached ones. With no cache it is exactly the
        uncached computation, so the goldens and the self-check's cached decoder share one copy of
        the arithmetic."""
        past = cache[0][0].shape[1] if cache else 0
        L = embeds.shape[0]
        t = torch.arange(past, past + L, dtype=torch.int64).float()
        freqs = torch.outer(t, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None], emb.sin()[None]  # [1, L, d]

        def rope(x):  # x [heads, L, d]
            half = x.shape[-1] // 2
            rot = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
            return x * cos + rot * sin

        mask = torch.full((L, past + L), torch.finfo(torch.float32).min).triu(past + 1)
        x = embeds
        rep = self.heads // self.kv_heads
        for i in range(self.cfg['num_hidden_layers']):
            b = 'llama.layers.%d.' % i
            h = self.rms(x, self.p[b + 'input_layernorm.weight'])
            q = (h @ self.p[b + 'self_attn.q_proj.weight'].T).view(L, self.heads, -1).transpose(0, 1)
            k = (h @ self.p[b + 'self_attn.k_proj.weight'].T).view(L, self.kv_heads, -1).transpose(0, 1)
            v = (h @ self.p[b + 'self_attn.v_proj.weight'].T).view(L, self.kv_heads, -1).transpose(0, 1)
            q, k = rope(q), rope(k)
            if cache is not None:
                if len(cache) > i:
                    k = torch.cat([cache[i][0], k], dim=1)
                    v = torch.cat([cache[i][1], v], dim=1)
                    cache[i] = (k, v)
                else:
                    cache.append((k, v))
            n = k.shape[1]
            k = k[:, None].expand(self.kv_heads, rep, n, self.head_dim).reshape(self.heads, n, -1)
            v = v[:, None].expand(self.kv_heads, rep, n, self.head_dim).reshape(self.heads, n, -1)
            att = torch.softmax(q @ k.transpose(1, 2) / self.head_dim ** 0.5 + mask, dim=-1)
            o = (att @ v).transpose(0, 1).reshape(L, -1)
            x = x + o @ self.p[b + 'self_attn.o_proj.weight'].T
            h = self.rms(x, self.p[b + 'post_attention_layernorm.weight'])
            g = F.silu(h @ self.p[b + 'mlp.gate_proj.weight'].T) * (h @ self.p[b + 'mlp.up_proj.weight'].T)
            x = x + g @ self.p[b + 'mlp.down_proj.weight'].T
        x = self.rms(x[-1], self.p['llama.norm.weight'])
        return x @ self.p['lm_head.weight'].T


def multimodal_embeds(model, ids, rows):
    """prepare_inputs_labels_for_multimodal: text embeddings with the image rows spliced in."""
    parts, start = [], 0
    for i, t in enumerate(ids):
        if t == IMAGE_TOKEN_INDEX:
            parts += [model.embed(ids[start:i]), rows]
            start = i + 1
    parts.append(model.embed(ids[start:]))
    return torch.cat(parts, dim=0)


def greedy(model, ids, rows, cap, eos):
    """generate(do_sample=False): argmax until </s> (kept in the output) or `cap` new tokens."""
    out = []
    with torch.no_grad():
        for _ in range(cap):
            logits = model.logits(multimodal_embeds(model, ids + out, rows))
            out.append(int(torch.argmax(logits)))
            if out[-1] == eos:
                break
    return out


# --- prompt: transformers 4.36's default LLaMA-2 chat template ---------------------------------

def render_llama2(messages, bos='<s>', eos='</s>'):
    system = None
    if messages[0]['role'] == 'system':
        system, messages = messages[0]['content'], messages[1:]
    out = ''
    for i, m in enumerate(messages):
        if (m['role'] == 'user') != (i % 2 == 0):
            raise ValueError('roles must alternate user/assistant')
        content = m['content']
        if i == 0 and system is not None:
            content = '<<SYS>>\n' + system + '\n<</SYS>>\n\n' + content
        if m['role'] == 'user':
            out += bos + '[INST] ' + content.strip() + ' [/INST]'
        else:
            out += ' ' + content.strip() + ' ' + eos
    return out


def prompt_record(tok, prompt):
    ids = tokenizer_image_token(prompt, tok, IMAGE_TOKEN_INDEX)
    return {'text': prompt, 'ids': ids, 'imageIndex': ids.index(IMAGE_TOKEN_INDEX) if IMAGE_TOKEN_INDEX in ids else -1}


def weight_subset(sd, layer=0, table_rows=64):
    """A few fp32 LLaMA matrices (one layer plus the first rows of the 32000-row tables)."""
    b = 'llama.layers.%d.' % layer
    names = [b + 'self_attn.%s_proj.weight' % p for p in 'qkvo']
    names += [b + 'mlp.%s_proj.weight' % p for p in ('gate', 'up', 'down')]
    names += [b + 'input_layernorm.weight', b + 'post_attention_layernorm.weight', 'llama.norm.weight']
    out = [(n, sd[n].float()) for n in names]
    out += [('llama.embed_tokens.weight[:%d]' % table_rows, sd['llama.embed_tokens.weight'][:table_rows].float()),
            ('lm_head.weight[:%d]' % table_rows, sd['lm_head.weight'][:table_rows].float())]
    return out


def write_f32(path, t):
    np.ascontiguousarray(t.detach().numpy() if torch.is_tensor(t) else t, dtype='<f4').tofile(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--image', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--max-new-tokens', type=int, default=24, help='cap per turn')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

    with open(os.path.join(args.checkpoint, 'config.json'), encoding='utf-8') as f:
        config = json.load(f)
    vcfg, lcfg = config['clip_vision_cfg'], config['llama']
    sd = load_state_dict(args.checkpoint)
    with open(os.path.join(args.checkpoint, 'tokenizer_config.json'), encoding='utf-8') as f:
        legacy = json.load(f).get('legacy')
    legacy = True if legacy is None else legacy  # transformers 4.36's default
    tok = LlamaTokenizer(os.path.join(args.checkpoint, 'tokenizer.json'), legacy=legacy)
    size = vcfg['image_size']
    mean, std = config['image_preprocess_cfg']['mean'], config['image_preprocess_cfg']['std']

    crop, pixels = preprocess(args.image, size, mean, std)
    with open(os.path.join(args.out, 'cxr-sample-512.pgm'), 'wb') as f:
        f.write(b'P5\n%d %d\n255\n' % (size, size) + crop.tobytes())
    write_f32(os.path.join(args.out, 'pixel_values.f32'), pixels)
    with torch.no_grad():
        rows = vision_rows(sd, vcfg, torch.from_numpy(pixels))
    write_f32(os.path.join(args.out, 'image_rows.f32'), rows)
    rows = rows[0]

    model = Llama(sd, lcfg)
    eos = lcfg.get('eos_token_id', 2)
    chat = [{'role': 'system', 'content': SYSTEM}, {'role': 'user', 'content': REPORT}]
    report = prompt_record(tok, render_llama2(chat))
    report['greedy'] = greedy(model, report['ids'], rows, args.max_new_tokens, eos)
    with torch.no_grad():
        last = model.logits(multimodal_embeds(model, report['ids'], rows))
        top = torch.topk(last, 5)
        blank = model.logits(multimodal_embeds(model, report['ids'], torch.zeros_like(rows)))
    report['firstLogitsTop5'] = {'ids': top.indices.tolist(), 'values': [float(v) for v in top.values]}
    # If zeroed image rows give another first token, the golden greedy ids prove the rows are used.
    report['firstTokenWithZeroImage'] = int(torch.argmax(blank))

    answer = tok.decode([t for t in report['greedy'] if t != eos], skip_special_tokens=True)
    chat2 = chat + [{'role': 'assistant', 'content': answer}, {'role': 'user', 'content': FOLLOW_UP}]
    turn2 = prompt_record(tok, render_llama2(chat2))
    turn2['greedy'] = greedy(model, turn2['ids'], rows, args.max_new_tokens, eos)
    turn2['turn1Answer'] = answer
    n1 = len(report['ids']) + len(report['greedy'])
    turn2['startsWithTurn1PromptAndAnswer'] = turn2['ids'][:n1] == report['ids'] + report['greedy']

    subset = weight_subset(sd)
    index, offset = [], 0
    for name, t in subset:
        index.append({'name': name, 'shape': list(t.shape), 'offset': offset})
        offset += t.numel()
    write_f32(os.path.join(args.out, 'weights.f32'), torch.cat([t.reshape(-1) for _, t in subset]))
    with open(os.path.join(args.out, 'weights.json'), 'w', encoding='utf-8') as f:
        json.dump({'dtype': 'float32', 'layout': 'little-endian, concatenated, offsets in elements',
                   'tensors': index}, f, indent=1)

    golden = {
        'about': 'PyTorch float32 reference (models/reference.py) for the tiny random CXR-LLaVA twin',
        'image': {'source': os.path.basename(args.image), 'pgm': 'cxr-sample-512.pgm',
                  'size': size, 'mean': mean, 'std': std, 'resample': 'PIL LANCZOS (resample=1)'},
        'pixelValues': {'file': 'pixel_values.f32', 'dtype': 'float32', 'shape': list(pixels.shape)},
        'imageRows': {'file': 'image_rows.f32', 'dtype': 'float32', 'shape': [1] + list(rows.shape)},
        'imageTokenIndex': IMAGE_TOKEN_INDEX,
        'tokenizer': {'legacy': legacy, 'about': 'transformers 4.36 LlamaTokenizer semantics (legacy=true: '
                      'dummy-prefix ▁ after special tokens; false: none); BOS added per chunk'},
        'maxNewTokensPerTurn': args.max_new_tokens,
        'eosTokenId': eos,
        'report': report,
        'chat': {'followUp': FOLLOW_UP, 'turn2': turn2},
        'tokenizerChecks': {s: tok.encode(s) for s in
                            ['Hello world', '\nWrite', '<s>[INST] <<SYS>>\n', ' [/INST] ok </s><s>[INST] q [/INST]']},
    }
    with open(os.path.join(args.out, 'golden.json'), 'w', encoding='utf-8') as f:
        json.dump(golden, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print('report prompt: %d ids, image at %d; greedy %s' % (len(report['ids']), report['imageIndex'], report['greedy']))
    print('first token with zeroed image rows: %d (with image: %d)' % (report['firstTokenWithZeroImage'], report['greedy'][0]))
    print('turn 2: %d ids; greedy %s' % (len(turn2['ids']), turn2['greedy']))


if __name__ == '__main__':
    main()
