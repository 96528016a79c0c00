"""Writes a random-weight model folder of the REAL CXR-LLaVA v2 sizes, for the full-size benchmark
(`npm run bench:fullsize`, src/bench/fullsize/). Not a model: its output means nothing.

  /usr/bin/python3 models/bench/make_fullsize_folder.py [--out DIR] [--vision DIR]

DIR (default models/work/fullsize/cxr-llava-fullsize, git-ignored, about 5 GB) receives:
  vision.onnx, vision.fp16.onnx   the converter's real-size vision export (ViT-L/16 @ 512 px +
                                  projector to 4096), copied from --vision, a folder written by
                                  models/bench/make_vision_large.py --dtype fp16 (default
                                  models/work/fullsize/vision-build; that script is what a
                                  conversion of the vision tower costs; run it under
                                  /usr/bin/time -v to time it)
  mlc-q4f16_1/resolve/main/       the q4f16_1 tensor cache of Llama-2-7B's layout
                                  (mlc_weights.plan_tensor_cache: the writer's own names, shapes and
                                  32 MB shards) filled with seeded random bytes, plus
                                  mlc-chat-config.json and the tokenizer; md5sum per shard as tvmjs
  tokenizer.json (+ config)       the Llama 2 tokenizer of the bundled tiny model
  manifest.json                   the converter's schema, sha256 per file (models/manifest.py)

The 7B is not quantised here (models/bench/time_7b_quant.py times that per layer): the shards
have the real sizes and layout but random contents, which is all a download / cache / hash
pipeline can tell apart. No selfcheck.json: random shards have no reference to check against.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
ROOT = os.path.dirname(MODELS)
sys.path.insert(0, MODELS)

import manifest as mf  # noqa: E402
import mlc_weights as mw  # noqa: E402

QUANT = 'q4f16_1'
SEED = 20261204
TINY = os.path.join(ROOT, 'public', 'models', 'cxr-llava-tiny')
TOKENIZER_FILES = ('tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json')
# Llama-2-7B (the decoder of CXR-LLaVA v2), as models/checkpoint.py's llama_config reads it.
LLAMA_7B = {
    'hidden_size': 4096, 'intermediate_size': 11008, 'num_hidden_layers': 32,
    'num_attention_heads': 32, 'num_key_value_heads': 32, 'head_dim': 128, 'vocab_size': 32000,
    'rms_norm_eps': 1e-5, 'rope_theta': 10000.0, 'bos_token_id': 1, 'eos_token_id': 2,
}
SOURCE_PARAMS = 6_738_415_616  # Llama-2-7B's parameter count (for tvmjs's BitsPerParam)
CONTEXT = 4096


def write_random_shards(dst, seed):
    """Shards of exactly the writer's plan, filled with random bytes one shard at a time (32 MB
    in memory at most)."""
    import numpy as np

    os.makedirs(dst, exist_ok=True)
    plan = mw.plan_tensor_cache(mw.mlc_layout(LLAMA_7B, QUANT))
    rng = np.random.default_rng(seed)
    for shard in plan:
        data = rng.bytes(shard['nbytes'])
        with open(os.path.join(dst, shard['dataPath']), 'wb') as f:
            f.write(data)
        shard['md5sum'] = hashlib.md5(data).hexdigest()
    params = sum(len(s['records']) for s in plan)
    param_bytes = sum(r['nbytes'] for s in plan for r in s['records'])
    metadata = {'ParamSize': params, 'ParamBytes': float(param_bytes),
                'BitsPerParam': param_bytes * 8.0 / SOURCE_PARAMS}
    with open(os.path.join(dst, 'tensor-cache.json'), 'w', encoding='utf-8') as f:
        json.dump({'metadata': metadata, 'records': plan}, f, indent=4)
    return plan


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=os.path.join(MODELS, 'work', 'fullsize', 'cxr-llava-fullsize'))
    ap.add_argument('--vision', default=os.path.join(MODELS, 'work', 'fullsize', 'vision-build'),
                    help='folder written by make_vision_large.py --dtype fp16')
    args = ap.parse_args()
    with open(os.path.join(args.vision, 'meta.json'), encoding='utf-8') as f:
        vmeta = json.load(f)
    if vmeta['layers'] != 24 or vmeta['width'] != 1024 or vmeta['imageSize'] != 512 or vmeta['dtype'] != 'fp16':
        sys.exit('%s is not the full-size fp32 + fp16 vision export (make_vision_large.py --dtype fp16)' % args.vision)
    with open(os.path.join(TINY, 'manifest.json'), encoding='utf-8') as f:
        tiny = json.load(f)

    out = args.out
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    t0 = time.perf_counter()
    for name in ('vision.onnx', 'vision.fp16.onnx'):
        shutil.copyfile(os.path.join(args.vision, name), os.path.join(out, name))
    for name in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(TINY, name), os.path.join(out, name))
    folder = 'mlc-%s/resolve/main/' % QUANT
    dst = os.path.join(out, folder)
    plan = write_random_shards(dst, SEED)
    chat = mw.mlc_chat_config(LLAMA_7B, QUANT, CONTEXT, 1024, list(TOKENIZER_FILES), mf.SYSTEM,
                              mf.GENERATION['temperature'], mf.GENERATION['topP'])
    with open(os.path.join(dst, 'mlc-chat-config.json'), 'w', encoding='utf-8') as f:
        json.dump(chat, f, indent=2)
    for name in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(TINY, name), os.path.join(dst, name))
    print('wrote %d shards (%.2f GB) in %.1f s' % (
        len(plan), sum(s['nbytes'] for s in plan) / 1e9, time.perf_counter() - t0))

    vision = dict(tiny['vision'], outputDim=LLAMA_7B['hidden_size'],
                  inputName=vmeta['inputName'], outputName=vmeta['outputName'],
                  imageSize=vmeta['imageSize'], patchSize=vmeta['patchSize'],
                  imageTokens=vmeta['imageRows'], channels=vmeta['channels'])
    decoder = {
        'architecture': 'llama',
        'hiddenSize': 4096, 'numLayers': 32, 'numHeads': 32, 'numKeyValueHeads': 32, 'headDim': 128,
        'intermediateSize': 11008, 'vocabSize': 32000, 'rmsNormEps': 1e-5, 'ropeTheta': 10000.0,
        'contextLength': 2048, 'bosTokenId': 1, 'eosTokenId': 2,
        'webllm': {QUANT: {
            'modelFolder': folder, 'modelLib': '', 'contextWindow': CONTEXT, 'prefillChunkSize': 1024,
            'vramBytes': mw.weight_bytes(QUANT, LLAMA_7B) + mw.kv_cache_bytes(QUANT, LLAMA_7B, CONTEXT),
        }},
    }
    manifest = {
        'schemaVersion': 1,
        'id': 'cxr-llava-fullsize-random',
        'name': 'Full-size random-weight benchmark folder',
        'randomWeights': True,
        'description': ('Random weights of the real CXR-LLaVA v2 file sizes, for the full-size '
                        'benchmark only (models/bench/make_fullsize_folder.py). Its output means nothing.'),
        'license': mf.TINY_LICENSE,
        'source': {'checkpoint': 'random (make_vision_large.py + make_fullsize_folder.py)',
                   'converter': 'models/bench/make_fullsize_folder.py',
                   'createdAt': vmeta['createdAt']},
        'vision': vision,
        'decoder': decoder,
        'tokenizer': tiny['tokenizer'],
        'prompts': tiny['prompts'],
        'generation': tiny['generation'],
    }
    t0 = time.perf_counter()
    mf.write_manifest(out, manifest)
    total = sum(f['bytes'] for f in manifest['files'])
    print('manifest: %d files, %.2f GB, hashed in %.1f s -> %s' % (
        len(manifest['files']), total / 1e9, time.perf_counter() - t0, out))


if __name__ == '__main__':
    main()
