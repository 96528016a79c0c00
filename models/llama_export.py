"""The LLaMA decoder for the app's `onnx` backend, written out in plain PyTorch (transformers is
not needed) and exported as two graphs with the I/O contract of OnnxDecoderSpec
(src/model/manifest.ts):

  embed.onnx    input_ids int64 [1, n] -> inputs_embeds float32 [1, n, hidden]
  decoder.onnx  inputs_embeds, attention_mask int64 [1, past + n], position_ids int64 [1, n],
                past_key_values.{i}.key/value float32 [1, kvHeads, past, headDim]
                -> logits float32 [1, 1, vocab] (last position only), present.{i}.key/value [1, kvHeads, past + n, headDim]

Embedding is a separate graph because the app splices image rows between text embeddings.
Only the last position's logits leave the graph: generation needs no others, and a 1100-position
prefill would otherwise compute and copy 1100 x vocab floats (140 MB at vocab 32000)."""

import torch
import torch.nn.functional as F
from torch import nn

from onnx_export import onnx_export


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, d = cfg['hidden_size'], cfg['head_dim']
        self.heads, self.kv_heads, self.head_dim = cfg['num_attention_heads'], cfg['num_key_value_heads'], d
        bias = bool(cfg.get('attention_bias', False))
        self.q_proj = nn.Linear(h, self.heads * d, bias=bias)
        self.k_proj = nn.Linear(h, self.kv_heads * d, bias=bias)
        self.v_proj = nn.Linear(h, self.kv_heads * d, bias=bias)
        self.o_proj = nn.Linear(self.heads * d, h, bias=bias)

    def forward(self, x, cos, sin, mask_bias, past_k, past_v):
        b, n, _ = x.shape
        q = self.q_proj(x).view(b, n, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, n, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, n, self.kv_heads, self.head_dim).transpose(1, 2)
        # HF LLaMA layout: RoPE by rotate_half (the checkpoint's q/k rows are permuted for it).
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        present_k, present_v = k, v
        rep = self.heads // self.kv_heads
        if rep > 1:  # grouped-query attention: share each kv head among `rep` query heads
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        scores = (q @ k.transpose(-1, -2)) * self.head_dim ** -0.5 + mask_bias
        out = torch.softmax(scores, dim=-1) @ v
        out = out.transpose(1, 2).reshape(b, n, self.heads * self.head_dim)
        return self.o_proj(out), present_k, present_v


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, i = cfg['hidden_size'], cfg['intermediate_size']
        self.gate_proj = nn.Linear(h, i, bias=False)
        self.up_proj = nn.Linear(h, i, bias=False)
        self.down_proj = nn.Linear(i, h, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.input_layernorm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])
        self.post_attention_layernorm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])

    def forward(self, x, cos, sin, mask_bias, past_k, past_v):
        a, pk, pv = self.self_attn(self.input_layernorm(x), cos, sin, mask_bias, past_k, past_v)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), pk, pv


class Decoder(nn.Module):
    def __init__(self, cfg, state_dict):
        super().__init__()
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg['num_hidden_layers'])])
        self.norm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])
        self.lm_head = nn.Linear(cfg['hidden_size'], cfg['vocab_size'], bias=False)
        d = cfg['head_dim']
        inv_freq = 1.0 / (float(cfg['rope_theta']) ** (torch.arange(0, d, 2).float() / d))
        self.register_buffer('inv_freq', inv_freq, persistent=False)
        sd = {k[len('llama.'):]: v.float() for k, v in state_dict.items()
              if k.startswith('llama.') and not k.startswith('llama.embed_tokens.')
              and not k.endswith('rotary_emb.inv_freq')}
        sd['lm_head.weight'] = state_dict['lm_head.weight'].float()
        self.load_state_dict(sd, strict=True)
        self.eval()

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        n = inputs_embeds.shape[1]
        total = attention_mask.shape[1]
        freqs = position_ids.float().unsqueeze(-1) * self.inv_freq  # [1, n, d/2]
        emb = torch.cat([freqs, freqs], dim=-1).unsqueeze(1)  # [1, 1, n, d]
        cos, sin = emb.cos(), emb.sin()
        # Query i sits at absolute slot total - n + i; it sees slots <= that which the mask keeps.
        q_slot = torch.arange(n).unsqueeze(1) + (total - n)
        k_slot = torch.arange(total).unsqueeze(0)
        allowed = (k_slot <= q_slot).unsqueeze(0) & (attention_mask.unsqueeze(1) > 0)
        mask_bias = torch.where(allowed, torch.zeros(()), torch.full((), torch.finfo(torch.float32).min))
        mask_bias = mask_bias.unsqueeze(1)  # [1, 1, n, total]
        x = inputs_embeds
        presents = []
        for i, layer in enumerate(self.layers):
            x, pk, pv = layer(x, cos, sin, mask_bias, past[2 * i], past[2 * i + 1])
            presents += [pk, pv]
        return (self.lm_head(self.norm(x[:, -1:, :])), *presents)


class Embed(nn.Module):
    def __init__(self, state_dict):
        super().__init__()
        w = state_dict['llama.embed_tokens.weight'].float()
        self.embed_tokens = nn.Embedding(w.shape[0], w.shape[1])
        self.embed_tokens.load_state_dict({'weight': w})
        self.eval()

    def forward(self, input_ids):
        return self.embed_tokens(input_ids)


def export_embed(embed, path):
    with torch.no_grad():
        onnx_export(
            embed, (torch.tensor([[1, 2, 3]], dtype=torch.int64),), path,
            input_names=['input_ids'], output_names=['inputs_embeds'],
            dynamic_axes={'input_ids': {1: 'sequence'}, 'inputs_embeds': {1: 'sequence'}},
            opset_version=17, do_constant_folding=True)


def export_decoder(decoder, cfg, path):
    layers, kvh, d = cfg['num_hidden_layers'], cfg['num_key_value_heads'], cfg['head_dim']
    n, past = 3, 2  # traced with a non-empty past so the Concat stays dynamic; past = 0 works too
    args = [torch.zeros(1, n, cfg['hidden_size']), torch.ones(1, past + n, dtype=torch.int64),
            torch.arange(past, past + n, dtype=torch.int64).unsqueeze(0)]
    in_names = ['inputs_embeds', 'attention_mask', 'position_ids']
    out_names = ['logits']
    axes = {'inputs_embeds': {1: 'sequence'}, 'attention_mask': {1: 'total_sequence'},
            'position_ids': {1: 'sequence'}}
    for i in range(layers):
        for kind in ('key', 'value'):
            args.append(torch.zeros(1, kvh, past, d))
            in_names.append('past_key_values.%d.%s' % (i, kind))
            out_names.append('present.%d.%s' % (i, kind))
            axes[in_names[-1]] = {2: 'past_sequence'}
            axes[out_names[-1]] = {2: 'total_sequence'}
    with torch.no_grad():
        onnx_export(
            decoder, tuple(args), path, input_names=in_names, output_names=out_names,
            dynamic_axes=axes, opset_version=17, do_constant_folding=True)
