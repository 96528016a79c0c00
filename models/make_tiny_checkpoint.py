"""Writes a tiny random CXR-LLaVA v2 checkpoint in the PUBLISHED layout of ECOFRI/CXR-LLAVA-v2
(models/real-schema/): the same config.json keys and nesting (only sizes shrunk: 4-key
clip_vision_cfg, single-number mean/std, the llama block as transformers wrote it), the same
tensor names (vision_tower.*, mm_projector.*, llama.*, top-level lm_head.weight), every tensor
bf16, sharded safetensors + model.safetensors.index.json AND sharded .bin +
pytorch_model.bin.index.json (the published repo has both), the same generation_config.json,
special_tokens_map.json and added_tokens.json. Same seed, same bytes.

  make_tiny_checkpoint.py --out DIR --tokenizer-dir DIR_WITH_tokenizer.json
      the bundled twin: ViT width 128 x 2 layers, LLaMA hidden 64 x 2 layers, shards of at most
      MAX_SHARD bytes cut by transformers' rule (so one LLaMA layer straddles two shards)
  make_tiny_checkpoint.py --real-layout --out DIR --tokenizer-dir ...
      every one of the 589 published tensor names (24 vision blocks, 32 LLaMA layers) at toy
      widths, in the published shard files with the published index's assignment
"""

import argparse
import json
import os
import shutil
import struct

import torch

SEED = 20240601
HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, 'real-schema')
COPIED = ('generation_config.json', 'special_tokens_map.json', 'added_tokens.json')

# Sizes of the bundled twin. head_width is not in the published clip_vision_cfg, so open_clip's
# 64 applies: width 128 gives 2 heads.
TINY_VISION = {'image_size': 512, 'layers': 2, 'patch_size': 16, 'width': 128}
TINY_LLAMA = {'hidden_size': 64, 'intermediate_size': 172, 'num_hidden_layers': 2,
              'num_attention_heads': 4, 'num_key_value_heads': 4}
CLIP_EMBED_DIM = 32  # width of CLIP's contrastive `proj`, unused by LLaVA
# transformers' max_shard_size, scaled down so the ~9.4 MB twin has 4 shards.
MAX_SHARD = 4_150_000


def real_config():
    with open(os.path.join(REAL, 'config.json'), encoding='utf-8') as f:
        return json.load(f)


def config(vision, llama, clip_embed_dim):
    """The published config.json with only the size fields changed."""
    cfg = real_config()
    assert set(vision) == set(cfg['clip_vision_cfg']), 'the published clip_vision_cfg has 4 keys'
    cfg['clip_vision_cfg'] = dict(vision)
    cfg['clip_embed_dim'] = clip_embed_dim
    cfg['mm_projector_dim'] = vision['width']
    for k, v in llama.items():
        assert k in cfg['llama'], k
        cfg['llama'][k] = v
    return cfg


def weights(cfg, gen):
    """Scales chosen so every part matters to the output (image rows included), which keeps the
    golden tests sensitive: unit-variance residual streams, 1/sqrt(fan_in) projections. The
    insertion order is the model's module order (vision_tower, mm_projector, lm_head, llama), which
    is the order transformers shards in."""
    def randn(*shape, std=1.0):
        return torch.randn(*shape, generator=gen) * std

    def norm_weight(n):
        return 1.0 + randn(n, std=0.1)

    vision, llama = cfg['clip_vision_cfg'], cfg['llama']
    sd = {}
    w = vision['width']
    mlp = 4 * w  # open_clip's mlp_ratio default
    patch = vision['patch_size']
    grid = vision['image_size'] // patch
    v = 'vision_tower.'
    sd[v + 'class_embedding'] = randn(w, std=w ** -0.5)
    sd[v + 'positional_embedding'] = randn(grid * grid + 1, w, std=w ** -0.5)
    sd[v + 'proj'] = randn(w, cfg['clip_embed_dim'], std=w ** -0.5)
    sd[v + 'conv1.weight'] = randn(w, 1, patch, patch, std=1.0 / patch)
    sd[v + 'ln_pre.weight'], sd[v + 'ln_pre.bias'] = norm_weight(w), randn(w, std=0.02)
    for i in range(vision['layers']):
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

    h, inter, vocab = llama['hidden_size'], llama['intermediate_size'], llama['vocab_size']
    sd['mm_projector.weight'] = randn(h, w, std=w ** -0.5)
    sd['mm_projector.bias'] = randn(h, std=0.02)
    sd['lm_head.weight'] = randn(vocab, h, std=h ** -0.5)
    sd['llama.embed_tokens.weight'] = randn(vocab, h)
    for i in range(llama['num_hidden_layers']):
        b = 'llama.layers.%d.' % i
        for p in ('q', 'k', 'v', 'o'):
            sd[b + 'self_attn.%s_proj.weight' % p] = randn(h, h, std=h ** -0.5)
        sd[b + 'mlp.gate_proj.weight'] = randn(inter, h, std=h ** -0.5)
        sd[b + 'mlp.up_proj.weight'] = randn(inter, h, std=h ** -0.5)
        sd[b + 'mlp.down_proj.weight'] = randn(h, inter, std=inter ** -0.5)
        sd[b + 'input_layernorm.weight'] = norm_weight(h)
        sd[b + 'post_attention_layernorm.weight'] = norm_weight(h)
    sd['llama.norm.weight'] = norm_weight(h)
    # Stored in bf16, as the real checkpoint (every published tensor is BF16).
    return {k: t.to(torch.bfloat16).contiguous() for k, t in sd.items()}


def shard_by_size(sd, max_bytes):
    """transformers' shard_checkpoint: walk the state dict in order, start a new shard when the
    next tensor would pass max_bytes. Returns {name: shard number from 1}."""
    out, shard, size = {}, 1, 0
    for name, t in sd.items():
        nbytes = t.numel() * t.element_size()
        if size + nbytes > max_bytes and size > 0:
            shard, size = shard + 1, 0
        out[name] = shard
        size += nbytes
    return out


def write_safetensors(path, tensors):
    """The safetensors format (8-byte little-endian header length, JSON header padded with spaces
    to 8 bytes, raw little-endian data, names sorted), written here so the twin needs no package."""
    header, offset, blobs = {'__metadata__': {'format': 'pt'}}, 0, []
    for name in sorted(tensors):
        t = tensors[name]
        assert t.dtype == torch.bfloat16
        data = t.contiguous().view(torch.int16).numpy().tobytes()
        header[name] = {'dtype': 'BF16', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(',', ':')).encode('utf-8')
    raw += b' ' * (-len(raw) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def write_sharded(out, sd, shard_of, names):
    """One published format (by the file names: .safetensors or .bin) with its index (weight_map
    sorted by name, total_size in bytes)."""
    safetensors = names[0].endswith('.safetensors')
    total = sum(t.numel() * t.element_size() for t in sd.values())
    for number, file_name in enumerate(names, start=1):
        tensors = {k: t for k, t in sd.items() if shard_of[k] == number}
        if safetensors:
            write_safetensors(os.path.join(out, file_name), tensors)
        else:
            torch.save(tensors, os.path.join(out, file_name))
    index = {'metadata': {'total_size': total}, 'weight_map': {k: names[shard_of[k] - 1] for k in sorted(sd)}}
    index_name = 'model.safetensors.index.json' if safetensors else 'pytorch_model.bin.index.json'
    with open(os.path.join(out, index_name), 'w', encoding='utf-8') as f:
        json.dump(index, f, indent=2)
        f.write('\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--tokenizer-dir', required=True,
                    help='folder with the LLaMA-2 tokenizer.json and tokenizer_config.json')
    ap.add_argument('--real-layout', action='store_true',
                    help='the 589 published tensor names in the published shards (24 vision blocks, '
                         '32 LLaMA layers) at toy widths')
    ap.add_argument('--llm-hidden', type=int, default=TINY_LLAMA['hidden_size'],
                    help='timing-only larger decoders: LLaMA hidden size (heads of 128 as LLaMA-2-7B, '
                         'MLP 8/3 x hidden rounded up to 8); the default is the bundled tiny twin')
    ap.add_argument('--llm-layers', type=int, default=TINY_LLAMA['num_hidden_layers'])
    args = ap.parse_args()
    vision, llama = dict(TINY_VISION), dict(TINY_LLAMA)
    if args.real_layout:
        real = real_config()
        vision.update(layers=real['clip_vision_cfg']['layers'], width=64)
        llama.update(hidden_size=32, intermediate_size=64, num_attention_heads=4, num_key_value_heads=4,
                     num_hidden_layers=real['llama']['num_hidden_layers'])
    else:
        if args.llm_hidden != llama['hidden_size']:
            heads = max(1, args.llm_hidden // 128)
            llama.update(hidden_size=args.llm_hidden, num_attention_heads=heads, num_key_value_heads=heads,
                         intermediate_size=-(-args.llm_hidden * 8 // 3 // 8) * 8)
        llama['num_hidden_layers'] = args.llm_layers
    cfg = config(vision, llama, CLIP_EMBED_DIM)
    gen = torch.Generator().manual_seed(SEED)
    sd = weights(cfg, gen)

    os.makedirs(args.out, exist_ok=True)
    if args.real_layout:
        with open(os.path.join(REAL, 'model.safetensors.index.json'), encoding='utf-8') as f:
            real_map = json.load(f)['weight_map']
        if set(real_map) != set(sd):
            raise SystemExit('the twin\'s names differ from the published index: %s'
                             % sorted(set(real_map) ^ set(sd))[:5])
        st_names = sorted(set(real_map.values()))
        shard_of = {k: st_names.index(real_map[k]) + 1 for k in sd}
        # The published .bin shards: 2 files, the same names (9.96 / 4.14 GB).
        bin_of = shard_by_size(sd, sum(t.numel() * t.element_size() for t in sd.values()) * 0.71)
        n_bin = max(bin_of.values())
        bin_names = ['pytorch_model-%05d-of-%05d.bin' % (i, n_bin) for i in range(1, n_bin + 1)]
        write_sharded(args.out, sd, shard_of, st_names)
        write_sharded(args.out, sd, bin_of, bin_names)
    else:
        shard_of = shard_by_size(sd, MAX_SHARD)
        n = max(shard_of.values())
        st_names = ['model-%05d-of-%05d.safetensors' % (i, n) for i in range(1, n + 1)]
        bin_names = ['pytorch_model-%05d-of-%05d.bin' % (i, n) for i in range(1, n + 1)]
        write_sharded(args.out, sd, shard_of, st_names)
        write_sharded(args.out, sd, shard_of, bin_names)
    with open(os.path.join(args.out, 'config.json'), 'w', encoding='utf-8') as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write('\n')
    for name in COPIED:
        shutil.copyfile(os.path.join(REAL, name), os.path.join(args.out, name))
    for name in ('tokenizer.json', 'tokenizer_config.json'):
        shutil.copyfile(os.path.join(args.tokenizer_dir, name), os.path.join(args.out, name))
    print('tiny checkpoint written to', args.out)


if __name__ == '__main__':
    main()
