"""Writes a random-weight vision encoder of the REAL CXR-LLaVA v2 shape, for timing.

open_clip ViT-L/16 with 1 input channel at 512 px (1024 patches + class token), width 1024,
24 layers, 16 heads, MLP 4096, exact-erf GELU, ln_pre/ln_post, then mm_projector Linear
1024 -> 4096 on the 1024 patch tokens. The weights are random (fixed seed) but the graph is the
converter's own: a checkpoint in the CXR-LLaVA v2 config.json schema is built and handed to
models/convert.py's `export_vision` (VisionEncoder + vision_export.export_vision, and
onnx_fp16 for --dtype fp16), so a benchmark times exactly what the converter ships.

  /usr/bin/python3 models/bench/make_vision_large.py [--out DIR] [--dtype fp32|fp16] [--layers N]

--layers N < 24 gives a reduced-depth variant (same width and tokens) for slow backends;
--width W (multiple of 64) and --image-size S are for smoke tests only (the WebGPU code paths on
a software adapter, where the real shapes take minutes per run).
DIR (default models/work/bench/vit-l16-512, or ...-L<N> with --layers; git-ignored) receives:
  checkpoint/config.json, checkpoint/pytorch_model.bin   the checkpoint (bf16, vision + projector only)
  vision.onnx (+ vision.fp16.onnx)                        the converter's export (single file: ~1.2 GB fp32)
  input.bin     float32 [1, 1, 512, 512], a fixed-seed N(0, 1) input
  ref.bin       float32 [1, 1024, 4096], PyTorch fp32 (CPU) output of the same module on input.bin
  meta.json     sizes, FLOPs, seed, exporter, file sizes, op counts
A folder whose meta.json matches the request is reused (--force rebuilds it).
models/bench/torch_vision_bench.py loads checkpoint/ with the converter's code, so PyTorch and
ONNX Runtime run the same weights.
"""

import argparse
import datetime
import inspect
import json
import os
import sys
import time
from collections import Counter
from contextlib import contextmanager

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, MODELS)
sys.path.insert(0, HERE)

import torch  # noqa: E402

import checkpoint as ckpt  # noqa: E402
import convert  # noqa: E402  (its export_vision is the function under test)
from blas import loaded_blas, reexec_with_openblas  # noqa: E402

SEED = 20241108
INPUT_SEED = 7
FORMAT = 1  # bump when the folder layout or the weight recipe changes

# CXR-LLaVA v2's vision tower (MODEL.md): the keys of the reference's CLIPVisionCfg only.
VISION = {
    'image_size': 512, 'patch_size': 16, 'width': 1024, 'layers': 24, 'head_width': 64,
    'mlp_ratio': 4.0, 'ls_init_value': None, 'patch_dropout': 0.0, 'attentional_pool': False,
    'attn_pooler_queries': 256, 'attn_pooler_heads': 8, 'no_ln_pre': False,
    'pos_embed_type': 'learnable', 'final_ln_after_pool': False, 'pool_type': 'tok',
    'output_tokens': False,
}
CLIP_EMBED_DIM = 768
# LLaMA-2-7B-chat's shape: the projector's output width is its hidden size. No decoder weights
# are written; only the vision part of the checkpoint is used.
LLAMA = {
    'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'hidden_act': 'silu',
    'hidden_size': 4096, 'intermediate_size': 11008, 'num_hidden_layers': 32,
    'num_attention_heads': 32, 'num_key_value_heads': 32, 'vocab_size': 32000,
    'rms_norm_eps': 1e-5, 'rope_theta': 10000.0, 'rope_scaling': None,
    'max_position_embeddings': 4096, 'bos_token_id': 1, 'eos_token_id': 2, 'pad_token_id': 0,
    'torch_dtype': 'bfloat16',
}


def make_config(layers, width=VISION['width'], image_size=VISION['image_size']):
    vision = dict(VISION, layers=layers, width=width, image_size=image_size)
    return {
        'architectures': ['CXRLLAVAModel'],
        'model_type': 'CXR-LLAVA',
        'clip_vision_cfg': vision,
        'clip_embed_dim': CLIP_EMBED_DIM,
        'clip_vision_tower_dtype': 'bf16',
        'image_preprocess_cfg': {'mean': [0.5518], 'std': [0.3822]},
        'mm_projector_dim': vision['width'],
        'llama': LLAMA,
        'torch_dtype': 'bfloat16',
        'benchmark_only': 'random weights; vision tower + mm_projector only (models/bench)',
    }


def random_state_dict(vcfg, out_dim, seed):
    """The checkpoint's names (vision_tower.*, mm_projector.*), scaled like the tiny twin
    (unit-variance residual stream, 1/sqrt(fan_in) projections), stored bf16 like the real one."""
    gen = torch.Generator().manual_seed(seed)
    sd = {}

    def put(name, *shape, std=1.0, mean=0.0):
        sd[name] = (torch.randn(*shape, generator=gen) * std + mean).to(torch.bfloat16)

    w, patch, grid = vcfg['width'], vcfg['patch_size'], vcfg['grid']
    mlp = int(w * vcfg['mlp_ratio'])
    v = 'vision_tower.'
    put(v + 'conv1.weight', w, 1, patch, patch, std=1.0 / patch)
    put(v + 'class_embedding', w, std=w ** -0.5)
    put(v + 'positional_embedding', grid * grid + 1, w, std=w ** -0.5)
    put(v + 'ln_pre.weight', w, std=0.1, mean=1.0)
    put(v + 'ln_pre.bias', w, std=0.02)
    for i in range(vcfg['layers']):
        b = v + 'transformer.resblocks.%d.' % i
        put(b + 'ln_1.weight', w, std=0.1, mean=1.0)
        put(b + 'ln_1.bias', w, std=0.02)
        put(b + 'attn.in_proj_weight', 3 * w, w, std=w ** -0.5)
        put(b + 'attn.in_proj_bias', 3 * w, std=0.02)
        put(b + 'attn.out_proj.weight', w, w, std=w ** -0.5)
        put(b + 'attn.out_proj.bias', w, std=0.02)
        put(b + 'ln_2.weight', w, std=0.1, mean=1.0)
        put(b + 'ln_2.bias', w, std=0.02)
        put(b + 'mlp.c_fc.weight', mlp, w, std=w ** -0.5)
        put(b + 'mlp.c_fc.bias', mlp, std=0.02)
        put(b + 'mlp.c_proj.weight', w, mlp, std=mlp ** -0.5)
        put(b + 'mlp.c_proj.bias', w, std=0.02)
    put(v + 'ln_post.weight', w, std=0.1, mean=1.0)
    put(v + 'ln_post.bias', w, std=0.02)
    put(v + 'proj', w, CLIP_EMBED_DIM, std=w ** -0.5)
    put('mm_projector.weight', out_dim, w, std=w ** -0.5)
    put('mm_projector.bias', out_dim, std=0.02)
    return sd


def flops(vcfg, out_dim):
    """Multiply-adds x 2 of one encode (batch 1), by part."""
    w, grid, patch = vcfg['width'], vcfg['grid'], vcfg['patch_size']
    n = grid * grid + 1
    mlp = int(w * vcfg['mlp_ratio'])
    per_layer = 2 * n * w * (3 * w + w + 2 * mlp) + 4 * n * n * w
    return {
        'patchEmbed': 2 * grid * grid * patch * patch * w,
        'perLayer': per_layer,
        'layers': per_layer * vcfg['layers'],
        'projector': 2 * grid * grid * w * out_dim,
        'total': 2 * grid * grid * patch * patch * w + per_layer * vcfg['layers'] + 2 * grid * grid * w * out_dim,
    }


@contextmanager
def legacy_onnx_exporter():
    """The converter is pinned to torch 2.4 (models/README.md), whose torch.onnx.export is the
    TorchScript exporter. torch >= 2.9 defaults to dynamo=True, a different graph; ask for the
    legacy one where the argument exists, and fall back to dynamo (one file) where it is gone."""
    original = torch.onnx.export
    used = {'exporter': 'torchscript'}
    if 'dynamo' not in inspect.signature(original).parameters:
        yield used
        return

    def export(*args, **kwargs):
        kwargs.pop('dynamo', None)  # models/onnx_export.py already asks for dynamo=False
        try:
            return original(*args, dynamo=False, **kwargs)
        except Exception as err:  # noqa: BLE001 - report and try the other exporter
            print('legacy (TorchScript) ONNX export failed: %s; trying dynamo=True' % str(err)[:300])
            used['exporter'] = 'dynamo'
            return original(*args, dynamo=True, external_data=False, **kwargs)

    torch.onnx.export = export
    try:
        yield used
    finally:
        torch.onnx.export = original


def default_out(layers, width, image_size):
    base = os.path.join(MODELS, 'work', 'bench', 'vit-l16-%d' % image_size)
    if width != VISION['width']:
        base += '-W%d' % width
    return base if layers == VISION['layers'] else '%s-L%d' % (base, layers)


def up_to_date(out, want):
    try:
        with open(os.path.join(out, 'meta.json'), encoding='utf-8') as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return False
    if any(meta.get(k) != v for k, v in want.items() if k != 'dtype'):
        return False
    if want['dtype'] == 'fp16' and meta.get('dtype') != 'fp16':
        return False  # an fp16 folder also holds the fp32 graph, not the other way round
    files = ['vision.onnx', 'input.bin', 'ref.bin', 'checkpoint/pytorch_model.bin', 'checkpoint/config.json']
    if want['dtype'] == 'fp16':
        files.append('vision.fp16.onnx')
    return all(os.path.exists(os.path.join(out, f)) for f in files)


def op_counts(path):
    try:
        import onnx
    except ImportError:
        return None
    model = onnx.load(path, load_external_data=False)
    return dict(sorted(Counter(n.op_type for n in model.graph.node).items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=None, help='output folder (default models/work/bench/vit-l16-512[-L<N>])')
    ap.add_argument('--dtype', choices=('fp32', 'fp16'), default='fp32',
                    help='fp16 also writes vision.fp16.onnx (the converter always writes fp32)')
    ap.add_argument('--layers', type=int, default=VISION['layers'],
                    help='transformer depth (24 = the real model; fewer for reduced-depth timing)')
    ap.add_argument('--width', type=int, default=VISION['width'],
                    help='SMOKE TESTS ONLY (e.g. 64: WebGPU code paths on a software adapter); the real width is 1024')
    ap.add_argument('--image-size', type=int, default=VISION['image_size'],
                    help='SMOKE TESTS ONLY (e.g. 64: 16 patches); the real size is 512')
    ap.add_argument('--threads', type=int, default=0, help='torch CPU threads (0: all cores)')
    ap.add_argument('--blas', default='auto', help='auto | system | folder with libblas.so.3 (see blas.py)')
    ap.add_argument('--force', action='store_true', help='rebuild even if DIR matches')
    args = ap.parse_args()
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    out = os.path.abspath(args.out or default_out(args.layers, args.width, args.image_size))
    if args.width % 64:
        ap.error('--width must be a multiple of 64 (head width 64)')
    want = {'format': FORMAT, 'seed': SEED, 'inputSeed': INPUT_SEED, 'layers': args.layers,
            'width': args.width, 'imageSize': args.image_size, 'dtype': args.dtype}
    if not args.force and up_to_date(out, want):
        print('up to date:', out)
        return
    reexec_with_openblas(args.blas)  # only now: a cached folder needs no BLAS
    os.makedirs(os.path.join(out, 'checkpoint'), exist_ok=True)

    config = make_config(args.layers, args.width, args.image_size)
    vcfg = ckpt.vision_config(config)
    out_dim = LLAMA['hidden_size']
    t0 = time.perf_counter()
    sd = random_state_dict(vcfg, out_dim, SEED)
    with open(os.path.join(out, 'checkpoint', 'config.json'), 'w', encoding='utf-8') as f:
        json.dump(config, f, indent=2)
    torch.save(sd, os.path.join(out, 'checkpoint', 'pytorch_model.bin'))
    params = sum(t.numel() for k, t in sd.items() if not k.endswith('.proj'))
    print('weights: %.1f M parameters (bf16) in %.1f s' % (params / 1e6, time.perf_counter() - t0))

    # The converter's export, exactly as convert.py runs it (fp32 graph, + fp16 graph on request).
    t0 = time.perf_counter()
    with legacy_onnx_exporter() as used:
        vision = convert.export_vision(config, sd, out, args.dtype == 'fp16')
    export_s = time.perf_counter() - t0
    print('export (%s) %.1f s' % (used['exporter'], export_s))

    # Reference output: the same module, fp32, CPU, on a fixed-seed input.
    from vision_export import VisionEncoder
    x = torch.randn(1, 1, vcfg['image_size'], vcfg['image_size'],
                    generator=torch.Generator().manual_seed(INPUT_SEED))
    enc = VisionEncoder(vcfg, config, sd)
    del sd
    t0 = time.perf_counter()
    with torch.no_grad():
        ref = enc(x)
    ref_s = time.perf_counter() - t0
    x.numpy().astype('<f4').tofile(os.path.join(out, 'input.bin'))
    ref.numpy().astype('<f4').tofile(os.path.join(out, 'ref.bin'))
    print('reference forward (fp32, CPU, %d threads) %.1f s, output %s' % (
        torch.get_num_threads(), ref_s, tuple(ref.shape)))

    files = {name: os.path.getsize(os.path.join(out, name)) for name in sorted(os.listdir(out))
             if os.path.isfile(os.path.join(out, name))}
    meta = dict(want)
    meta.update({
        'model': 'CXR-LLaVA v2 vision tower shape (open_clip ViT-L/16, 1 channel, 512 px) + mm_projector, random weights',
        'width': vcfg['width'], 'heads': vcfg['heads'], 'mlpWidth': int(vcfg['width'] * vcfg['mlp_ratio']),
        'imageSize': vcfg['image_size'], 'patchSize': vcfg['patch_size'], 'channels': enc.channels,
        'tokens': vcfg['grid'] ** 2 + 1, 'imageRows': enc.rows, 'outputDim': out_dim,
        'inputName': vision['inputName'], 'outputName': vision['outputName'],
        'inputShape': [1, enc.channels, vcfg['image_size'], vcfg['image_size']],
        'outputShape': [1, enc.rows, out_dim],
        'onnx': vision['onnx'], 'parameters': params, 'flops': flops(vcfg, out_dim),
        'exporter': used['exporter'], 'torch': torch.__version__, 'exportSeconds': round(export_s, 1),
        'reference': {'device': 'cpu', 'dtype': 'fp32', 'threads': torch.get_num_threads(),
                      'seconds': round(ref_s, 2), 'blas': loaded_blas(), 'absMax': float(ref.abs().max()),
                      'rms': float(ref.pow(2).mean().sqrt())},
        'files': files, 'opCounts': op_counts(os.path.join(out, 'vision.onnx')),
        'createdAt': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
    })
    with open(os.path.join(out, 'meta.json'), 'w', encoding='utf-8') as f:
        json.dump(meta, f, indent=2)
    print('written to', out)


if __name__ == '__main__':
    main()
