"""Writes a tiny random CXR-LLaVA v2 checkpoint: the Hugging Face folder layout, config.json
schema and parameter names of ECOFRI/CXR-LLAVA-v2 (as read by the reference CXR_LLAVA_HF.py),
with toy sizes. Same seed, same bytes.

Usage: make_tiny_checkpoint.py --out DIR --tokenizer-dir DIR_WITH_tokenizer.json
"""

import argparse
import json
import os
import shutil

import torch

SEED = 20240601

VISION = {
    # The keys of the reference's CLIPVisionCfg dataclass only: it is built with
    # CLIPVisionCfg(**clip_vision_cfg), so an extra key (e.g. in_channels) would break the
    # reference code. The channel count (1) lives in conv1.weight's shape.
    'image_size': 512, 'patch_size': 16, 'width': 64, 'layers': 2, 'head_width': 32,
    'mlp_ratio': 4.0, 'ls_init_value': None, 'patch_dropout': 0.0, 'attentional_pool': False,
    'attn_pooler_queries': 256, 'attn_pooler_heads': 8, 'no_ln_pre': False,
    'pos_embed_type': 'learnable', 'final_ln_after_pool': False, 'pool_type': 'tok',
    'output_tokens': False,
}
CLIP_EMBED_DIM = 32  # width of CLIP's contrastive `proj`, unused by LLaVA
LLAMA = {
    'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'hidden_act': 'silu',
    'hidden_size': 64, 'intermediate_size': 172, 'num_hidden_layers': 2,
    'num_attention_heads': 4, 'num_key_value_heads': 4, 'vocab_size': 32000,
    'rms_norm_eps': 1e-5, 'rope_theta': 10000.0, 'rope_scaling': None,
    'max_position_embeddings': 2048, 'initializer_range': 0.02, 'pretraining_tp': 1,
    'attention_bias': False, 'tie_word_embeddings': False, 'use_cache': True,
    'bos_token_id': 1, 'eos_token_id': 2, 'pad_token_id': 0, 'torch_dtype': 'bfloat16',
}


def config():
    return {
        'architectures': ['CXRLLAVAModel'],
        'auto_map': {'AutoConfig': 'CXR_LLAVA_HF.CXRLLAVAConfig',
                     'AutoModel': 'CXR_LLAVA_HF.CXRLLAVAModel'},
        'model_type': 'CXR-LLAVA',
        'clip_vision_cfg': VISION,
        'clip_embed_dim': CLIP_EMBED_DIM,
        'clip_vision_tower_dtype': 'bf16',
        'image_preprocess_cfg': {'mean': [0.5518], 'std': [0.3822]},
        'mm_projector_dim': VISION['width'],
        'llama': LLAMA,
        'torch_dtype': 'bfloat16',
        'transformers_version': '4.36.2',
    }


def weights(gen):
    """Scales chosen so every part matters to the output (image rows included), which keeps the
    golden tests sensitive: unit-variance residual streams, 1/sqrt(fan_in) projections."""
    def randn(*shape, std=1.0):
        return torch.randn(*shape, generator=gen) * std

    def norm_weight(n):
        return 1.0 + randn(n, std=0.1)

    sd = {}
    w = VISION['width']
    mlp = int(w * VISION['mlp_ratio'])
    patch = VISION['patch_size']
    grid = VISION['image_size'] // patch
    v = 'vision_tower.'
    sd[v + 'conv1.weight'] = randn(w, 1, patch, patch, std=1.0 / patch)
    sd[v + 'class_embedding'] = randn(w, std=w ** -0.5)
    sd[v + 'positional_embedding'] = randn(grid * grid + 1, w, std=w ** -0.5)
    sd[v + 'ln_pre.weight'], sd[v + 'ln_pre.bias'] = norm_weight(w), randn(w, std=0.02)
    for i in range(VISION['layers']):
        b = v + 'transformer.resblocks.%d.' % i
        sd[b + 'ln_1.weight'], sd[b + 'ln_1.bias'] = norm_weight(w), randn(w, std=0.02)
        sd[b + 'attn.in_proj_weight'] = randn(3 * w, w, std=w ** -0.5)
        sd[b + 'attn.in_proj_bias'] = randn(3 * w, std=0.02)
        sd[b + 'attn.out_proj.weight'] = randn(w, w, std=w ** -0.5)
        sd[b + 'attn.out_proj.bias'] = randn(w, std=0.02)
        sd[b + 'ln_2.weight'], sd[b + 'ln_2.bias'] = norm_weight(w), randn(w, std=0.02)
        sd[b + 'mlp.c_fc.weight'] = randn(mlp, w, std=w ** -0.5)
        sd[b + 'mlp.c_fc.bias'] = randn(mlp, std=0.02)
        sd[b + 'mlp.c_proj.weight'] = randn(w, mlp, std=mlp ** -0.5)
        sd[b + 'mlp.c_proj.bias'] = randn(w, std=0.02)
    sd[v + 'ln_post.weight'], sd[v + 'ln_post.bias'] = norm_weight(w), randn(w, std=0.02)
    sd[v + 'proj'] = randn(w, CLIP_EMBED_DIM, std=w ** -0.5)

    h, inter = LLAMA['hidden_size'], LLAMA['intermediate_size']
    sd['mm_projector.weight'] = randn(h, w, std=w ** -0.5)
    sd['mm_projector.bias'] = randn(h, std=0.02)
    sd['llama.embed_tokens.weight'] = randn(LLAMA['vocab_size'], h)
    for i in range(LLAMA['num_hidden_layers']):
        b = 'llama.layers.%d.' % i
        for p in ('q', 'k', 'v', 'o'):
            sd[b + 'self_attn.%s_proj.weight' % p] = randn(h, h, std=h ** -0.5)
        sd[b + 'mlp.gate_proj.weight'] = randn(inter, h, std=h ** -0.5)
        sd[b + 'mlp.up_proj.weight'] = randn(inter, h, std=h ** -0.5)
        sd[b + 'mlp.down_proj.weight'] = randn(h, inter, std=inter ** -0.5)
        sd[b + 'input_layernorm.weight'] = norm_weight(h)
        sd[b + 'post_attention_layernorm.weight'] = norm_weight(h)
    sd['llama.norm.weight'] = norm_weight(h)
    sd['lm_head.weight'] = randn(LLAMA['vocab_size'], h, std=h ** -0.5)
    # Stored in bf16, as the real checkpoint (trained and saved in bf16).
    return {k: t.to(torch.bfloat16).contiguous() for k, t in sd.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--tokenizer-dir', required=True,
                    help='folder with the LLaMA-2 tokenizer.json (see llama2_tokenizer_json.py)')
    ap.add_argument('--llm-hidden', type=int, default=LLAMA['hidden_size'],
                    help='timing-only larger decoders: LLaMA hidden size (heads of 128 as LLaMA-2-7B, '
                         'MLP 8/3 x hidden rounded up to 8); the default is the bundled tiny twin')
    ap.add_argument('--llm-layers', type=int, default=LLAMA['num_hidden_layers'])
    args = ap.parse_args()
    if args.llm_hidden != LLAMA['hidden_size']:
        heads = max(1, args.llm_hidden // 128)
        LLAMA.update(hidden_size=args.llm_hidden, num_attention_heads=heads, num_key_value_heads=heads,
                     intermediate_size=-(-args.llm_hidden * 8 // 3 // 8) * 8)
    LLAMA['num_hidden_layers'] = args.llm_layers
    os.makedirs(args.out, exist_ok=True)
    gen = torch.Generator().manual_seed(SEED)
    torch.save(weights(gen), os.path.join(args.out, 'pytorch_model.bin'))
    with open(os.path.join(args.out, 'config.json'), 'w', encoding='utf-8') as f:
        json.dump(config(), f, indent=2)
    with open(os.path.join(args.out, 'generation_config.json'), 'w', encoding='utf-8') as f:
        json.dump({'bos_token_id': 1, 'eos_token_id': 2, 'pad_token_id': 0,
                   'transformers_version': '4.36.2'}, f, indent=2)
    for name in ('tokenizer.json', 'tokenizer_config.json'):
        shutil.copyfile(os.path.join(args.tokenizer_dir, name), os.path.join(args.out, name))
    print('tiny checkpoint written to', args.out)


if __name__ == '__main__':
    main()
