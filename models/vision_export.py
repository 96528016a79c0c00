"""The CXR-LLaVA image encoder (open_clip VisionTransformer + mm_projector) rebuilt in plain
PyTorch from config.json, loaded with the checkpoint's own parameter names, and exported to ONNX.

It reproduces the reference `encode_images`: conv1 (no bias) -> flatten -> class token -> + pos
-> ln_pre -> resblocks -> ln_post / pooling as config says -> tokens -> mm_projector. The graph
is fp32 (the reference runs bf16; fp32 is the better-defined target for parity tests)."""

import torch
import torch.nn.functional as F
from torch import nn

from checkpoint import image_token_count
from onnx_export import onnx_export


class LayerScale(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class SelfAttention(nn.Module):
    """nn.MultiheadAttention's parameter names (fused in_proj), written out so the export is a
    plain MatMul/Softmax graph that every ORT backend runs."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = width // heads  # Python ints: the traced graph gets constants, not Pow
        self.scale = self.head_dim ** -0.5
        self.in_proj_weight = nn.Parameter(torch.empty(3 * width, width))
        self.in_proj_bias = nn.Parameter(torch.empty(3 * width))
        self.out_proj = nn.Linear(width, width)

    def forward(self, x):
        b, n, _ = x.shape
        qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias)
        qkv = qkv.reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = torch.softmax((q * self.scale) @ k.transpose(-1, -2), dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, n, self.heads * self.head_dim)
        return self.out_proj(out)


class ResidualBlock(nn.Module):
    def __init__(self, width, heads, mlp_width, eps, layer_scale):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width, eps=eps)
        self.attn = SelfAttention(width, heads)
        self.ln_2 = nn.LayerNorm(width, eps=eps)
        self.mlp = nn.Sequential()
        self.mlp.add_module('c_fc', nn.Linear(width, mlp_width))
        self.mlp.add_module('gelu', nn.GELU())  # exact erf GELU, as the reference's nn.GELU
        self.mlp.add_module('c_proj', nn.Linear(mlp_width, width))
        self.ls_1 = LayerScale(width) if layer_scale else nn.Identity()
        self.ls_2 = LayerScale(width) if layer_scale else nn.Identity()

    def forward(self, x):
        x = x + self.ls_1(self.attn(self.ln_1(x)))
        return x + self.ls_2(self.mlp(self.ln_2(x)))


class Transformer(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        self.resblocks = nn.ModuleList(blocks)


class VisionTower(nn.Module):
    """Holds exactly the checkpoint's `vision_tower.*` names so load_state_dict(strict=True)
    proves the mapping."""

    def __init__(self, cfg, channels, has_proj):
        super().__init__()
        width, patch, grid, eps = cfg['width'], cfg['patch_size'], cfg['grid'], cfg['ln_eps']
        self.cfg = cfg
        self.conv1 = nn.Conv2d(channels, width, kernel_size=patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(torch.empty(width))
        self.positional_embedding = nn.Parameter(torch.empty(grid * grid + 1, width))
        self.ln_pre = nn.Identity() if cfg['no_ln_pre'] else nn.LayerNorm(width, eps=eps)
        mlp_width = int(width * cfg['mlp_ratio'])
        layer_scale = cfg['ls_init_value'] is not None
        self.transformer = Transformer([
            ResidualBlock(width, cfg['heads'], mlp_width, eps, layer_scale)
            for _ in range(cfg['layers'])])
        self.ln_post = nn.LayerNorm(width, eps=eps)
        # `proj` maps the pooled class token for CLIP's contrastive head; LLaVA never uses it.
        if has_proj:
            self.proj = nn.Parameter(torch.empty(0))

    def tokens(self, x):
        x = self.conv1(x).flatten(2).transpose(1, 2)
        cls = self.class_embedding.view(1, 1, -1).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x)
        for block in self.transformer.resblocks:
            x = block(x)
        # final_ln_after_pool: ln_post is applied to the pooled vector only, not to the tokens.
        if not self.cfg['final_ln_after_pool']:
            x = self.ln_post(x)
        return x if self.cfg['pool_type'] == 'none' else x[:, 1:]


class VisionEncoder(nn.Module):
    def __init__(self, vcfg, config, state_dict):
        super().__init__()
        vt_sd = {k[len('vision_tower.'):]: v.float() for k, v in state_dict.items()
                 if k.startswith('vision_tower.')}
        channels = vt_sd['conv1.weight'].shape[1]
        self.vision_tower = VisionTower(vcfg, channels, 'proj' in vt_sd)
        if 'proj' in vt_sd:
            self.vision_tower.proj = nn.Parameter(torch.empty_like(vt_sd['proj']))
        self.vision_tower.load_state_dict(vt_sd, strict=True)
        w = state_dict['mm_projector.weight'].float()
        if w.shape[1] != vcfg['width']:
            raise ValueError('mm_projector input %d != vision width %d' % (w.shape[1], vcfg['width']))
        self.mm_projector = nn.Linear(w.shape[1], w.shape[0])
        self.mm_projector.load_state_dict(
            {'weight': w, 'bias': state_dict['mm_projector.bias'].float()})
        self.channels = channels
        self.rows = image_token_count(vcfg)
        self.eval()

    def forward(self, pixel_values):
        return self.mm_projector(self.vision_tower.tokens(pixel_values))


def export_vision(encoder, path, image_size):
    dummy = torch.zeros(1, encoder.channels, image_size, image_size)
    with torch.no_grad():
        onnx_export(
            encoder, (dummy,), path, input_names=['pixel_values'], output_names=['image_rows'],
            opset_version=17, do_constant_folding=True)
