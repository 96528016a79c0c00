"""CXR-LLaVA v2 checkpoint -> the browser model folder (manifest.json and everything it lists).

  python models/convert.py --hf ECOFRI/CXR-LLAVA-v2 --out public/models/cxr-llava-v2
  python models/convert.py CHECKPOINT_DIR --out MODEL_DIR [--skip-mlc] [--onnx-decoder yes|no]
  python models/convert.py --rehash MODEL_DIR      # after replacing files (e.g. mlc_llm output)

Writes vision.onnx (+ vision.fp16.onnx), embed.onnx + decoder.onnx (ONNX decoder backend),
tokenizer files, mlc-q4f16_1/ and mlc-q4f32_1/ WebLLM weight folders, mlc-commands.txt (the
official mlc_llm route) and manifest.json. Sizes always come from the checkpoint's config.json.
"""

import argparse
import datetime
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import checkpoint as ckpt  # noqa: E402
import manifest as mf  # noqa: E402

LIB_PREFIX = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/'
# WebLLM 0.2.86's prebuiltAppConfig serves Llama-2-7b-chat-hf (4k and 1k context) with these libs.
MODEL_LIBS = {
    'q4f16_1': LIB_PREFIX + 'Llama-2-7b-chat-hf-q4f16_1_cs1k-webgpu.wasm',
    'q4f32_1': LIB_PREFIX + 'Llama-2-7b-chat-hf-q4f32_1_cs1k-webgpu.wasm',
}
LLAMA2_7B = {'hidden_size': 4096, 'intermediate_size': 11008, 'num_hidden_layers': 32,
             'num_attention_heads': 32, 'num_key_value_heads': 32, 'vocab_size': 32000}
MLC_QUANTS = ('q4f16_1', 'q4f32_1')
# vram_required_MB of Llama-2-7b-chat-hf-{q4f16_1,q4f32_1}-MLC (4k context) in WebLLM 0.2.86.
VRAM_MB_7B_4K = {'q4f16_1': 6749.02, 'q4f32_1': 9109.03}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkpoint', nargs='?', help='local checkpoint folder (or use --hf)')
    ap.add_argument('--out', help='model folder to write (served by the app)')
    ap.add_argument('--hf', help='Hugging Face repo id to download, e.g. ECOFRI/CXR-LLAVA-v2')
    ap.add_argument('--revision', default=None, help='revision for --hf')
    ap.add_argument('--id', default=None, help='manifest id (default: the --out folder name)')
    ap.add_argument('--name', default=None, help='display name')
    ap.add_argument('--random-weights', action='store_true', help='mark the manifest as a random test model')
    ap.add_argument('--description', default=None)
    ap.add_argument('--source-name', default=None, help="manifest source.checkpoint (default: repo id or folder)")
    ap.add_argument('--created-at', default=None, help='ISO time for the manifest (reproducible builds)')
    ap.add_argument('--skip-mlc', action='store_true', help='do not write the WebLLM (MLC) folders')
    ap.add_argument('--onnx-decoder', choices=('auto', 'yes', 'no'), default='auto',
                    help='auto: only for models under 1B parameters (a 7B fp32 export is ~27 GB)')
    ap.add_argument('--no-fp16', action='store_true', help='skip vision.fp16.onnx')
    ap.add_argument('--hf-llama-dir', default=None,
                    help='where to write the renamed HF Llama folder for mlc_llm '
                         '(default: models/work/ID-hf-llama, outside the served folder)')
    ap.add_argument('--no-hf-llama', action='store_true', help='do not write the HF Llama folder')
    ap.add_argument('--context-window', type=int, default=None,
                    help="WebLLM context window (default: llama max_position_embeddings, at most 4096)")
    ap.add_argument('--prefill-chunk', type=int, default=1024, help='WebLLM prefill chunk')
    ap.add_argument('--tokenizer-json', default=None,
                    help='tokenizer.json to use when the checkpoint has only tokenizer.model')
    ap.add_argument('--ignore-config-key', action='append', default=[], metavar='KEY',
                    help='a top-level config.json field you have checked does not change the model')
    ap.add_argument('--rehash', metavar='MODEL_DIR', help='only recompute manifest.json file hashes')
    args = ap.parse_args(argv)
    if not args.rehash and (not args.out or not (args.checkpoint or args.hf)):
        ap.error('need CHECKPOINT or --hf, and --out')
    return args


def download(repo, revision):
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        sys.exit('--hf needs huggingface_hub: pip install huggingface_hub==0.26.2')
    # The published repo holds every weight twice (safetensors shards and .bin shards, 14 GB
    # each): take the safetensors, and the .bin only where there are none.
    small = ['*.json', 'tokenizer.model', '*.py', '*.txt', '*.md']
    path = snapshot_download(repo_id=repo, revision=revision, allow_patterns=small + ['*.safetensors'])
    if not any(n.endswith('.safetensors') for n in os.listdir(path)):
        path = snapshot_download(repo_id=repo, revision=revision, allow_patterns=small + ['*.bin'])
    return path


def prepare_out(out):
    """A fresh folder; an earlier converter output (it has manifest.json) is replaced."""
    if os.path.isdir(out) and os.listdir(out):
        if not os.path.exists(os.path.join(out, 'manifest.json')):
            sys.exit('%s exists and is not a converter output (no manifest.json): refusing to overwrite' % out)
        shutil.rmtree(out)
    os.makedirs(out)


def with_tokenizer_json(ckpt_dir, tokenizer_json):
    """A view of the checkpoint folder (symlinks) with the given tokenizer.json added, checked
    against the checkpoint's tokenizer.model when one exists."""
    import tempfile
    sp_model = os.path.join(ckpt_dir, 'tokenizer.model')
    if os.path.exists(sp_model):
        if ckpt.check_tokenizer_pair(sp_model, tokenizer_json):
            print('tokenizer.json matches tokenizer.model piece by piece')
        else:
            print('WARNING: sentencepiece not importable; tokenizer.json NOT checked against tokenizer.model')
    view = tempfile.mkdtemp(prefix='cxr-ckpt-')
    for name in os.listdir(ckpt_dir):
        if name != 'tokenizer.json':
            os.symlink(os.path.abspath(os.path.join(ckpt_dir, name)), os.path.join(view, name))
    shutil.copyfile(tokenizer_json, os.path.join(view, 'tokenizer.json'))
    return view


def copy_tokenizer(ckpt_dir, dst_dir, files):
    for name in files:
        shutil.copyfile(os.path.join(ckpt_dir, name), os.path.join(dst_dir, name))


def export_vision(config, state_dict, out, fp16, channels=None):
    import onnx_fp16
    from vision_export import VisionEncoder, export_vision as export

    vcfg = ckpt.vision_config(config)
    enc = VisionEncoder(vcfg, config, state_dict)
    path = os.path.join(out, 'vision.onnx')
    export(enc, path, vcfg['image_size'])
    onnx_files = {'fp32': 'vision.onnx'}
    if fp16:
        onnx_fp16.convert_file(path, os.path.join(out, 'vision.fp16.onnx'))
        onnx_files['fp16'] = 'vision.fp16.onnx'
    print('vision: %d rows x %d, pool_type=%s, final_ln_after_pool=%s' % (
        enc.rows, enc.mm_projector.out_features, vcfg['pool_type'], vcfg['final_ln_after_pool']))
    return {
        'onnx': onnx_files, 'inputName': 'pixel_values', 'outputName': 'image_rows',
        'imageSize': vcfg['image_size'], 'channels': enc.channels, 'patchSize': vcfg['patch_size'],
        'imageTokens': enc.rows, 'outputDim': enc.mm_projector.out_features,
        **ckpt.preprocess_config(config, channels or enc.channels),
        'resample': 'lanczos',
    }


def export_onnx_decoder(lcfg, state_dict, out):
    from llama_export import Decoder, Embed, export_decoder, export_embed

    export_embed(Embed(state_dict), os.path.join(out, 'embed.onnx'))
    export_decoder(Decoder(lcfg, state_dict), lcfg, os.path.join(out, 'decoder.onnx'))
    return {'embed': 'embed.onnx', 'decoder': 'decoder.onnx', 'dtype': 'float32'}


def write_mlc(lcfg, state_dict, ckpt_dir, out, tok_files, args):
    import mlc_weights as mw

    source_params = sum(t.numel() for k, t in state_dict.items()
                        if k.startswith('llama.') or k == 'lm_head.weight')
    is_7b = all(lcfg.get(k) == v for k, v in LLAMA2_7B.items())
    specs = {}
    for quant in MLC_QUANTS:
        folder = 'mlc-%s/resolve/main/' % quant
        dst = os.path.join(out, folder)
        mw.write_tensor_cache(mw.mlc_params(state_dict, lcfg, quant), dst, source_params)
        chat = mw.mlc_chat_config(lcfg, quant, args.context_window, args.prefill_chunk, tok_files,
                                  mf.SYSTEM, mf.GENERATION['temperature'], mf.GENERATION['topP'])
        with open(os.path.join(dst, 'mlc-chat-config.json'), 'w', encoding='utf-8') as f:
            json.dump(chat, f, indent=2)
        copy_tokenizer(ckpt_dir, dst, tok_files)
        if is_7b and args.context_window == 4096:
            vram = int(VRAM_MB_7B_4K[quant] * 2 ** 20)  # WebLLM's own measurement
        else:  # weights + KV cache + a prefill workspace estimate
            vram = (mw.weight_bytes(quant, lcfg) + mw.kv_cache_bytes(quant, lcfg, args.context_window)
                    + args.prefill_chunk * (lcfg['vocab_size'] + 4 * lcfg['intermediate_size']) * 4)
        specs[quant] = {
            'modelFolder': folder,
            'modelLib': MODEL_LIBS[quant] if is_7b else '',
            'contextWindow': args.context_window,
            'prefillChunkSize': args.prefill_chunk,
            'vramBytes': vram,
        }
    if not is_7b:
        print('mlc: the LLaMA shape is not Llama-2-7B, so no prebuilt WebLLM model lib fits: modelLib = ""')
    return specs


def mlc_commands(hf_llama, out, args):
    lines = [
        '# The official route to the WebLLM weights, for a machine with mlc_llm installed',
        '# (pip install --pre -f https://mlc.ai/wheels mlc-llm-nightly-cpu mlc-ai-nightly-cpu).',
        '# %s is the checkpoint\'s language model as a plain Hugging Face Llama folder,' % hf_llama,
        '# written by models/convert.py (unless --no-hf-llama). convert.py writes the same format itself; these commands',
        '# replace its folders with mlc_llm\'s own output. Afterwards run:',
        '#   python models/convert.py --rehash %s' % out,
        '# gen_config takes the conversation template\'s default system message; the app sends its',
        '# own system prompt, so that field does not matter to it.',
    ]
    for quant in MLC_QUANTS:
        dst = os.path.join(out, 'mlc-%s' % quant, 'resolve', 'main')
        lines += [
            'mlc_llm convert_weight %s --quantization %s --model-type llama --source-format huggingface-safetensor --output %s'
            % (hf_llama, quant, dst),
            'mlc_llm gen_config %s --quantization %s --model-type llama --conv-template llama-2 '
            '--context-window-size %d --prefill-chunk-size %d --output %s'
            % (hf_llama, quant, args.context_window, args.prefill_chunk, dst),
        ]
    return '\n'.join(lines) + '\n'


def rehash(model_dir):
    with open(os.path.join(model_dir, 'manifest.json'), encoding='utf-8') as f:
        manifest = json.load(f)
    mf.write_manifest(model_dir, manifest)
    print('manifest.json files re-hashed:', len(manifest['files']))


def main(argv=None):
    args = parse_args(argv)
    if args.rehash:
        return rehash(args.rehash)
    import torch
    torch.manual_seed(0)

    ckpt_dir = download(args.hf, args.revision) if args.hf else args.checkpoint
    source_name = args.source_name or args.hf or os.path.basename(os.path.abspath(ckpt_dir))
    config = ckpt.load_config(ckpt_dir)
    try:
        ckpt.check_config(config, args.ignore_config_key)
        ckpt.vision_config(config)
        lcfg = ckpt.llama_config(config)
    except ckpt.ConfigError as e:
        sys.exit('convert.py: %s' % e)
    if args.context_window is None:
        args.context_window = min(4096, int(lcfg['max_position_embeddings']))
    tok_files = ckpt.tokenizer_files(ckpt_dir)
    if args.tokenizer_json:
        ckpt_dir = with_tokenizer_json(ckpt_dir, args.tokenizer_json)
        tok_files = ckpt.tokenizer_files(ckpt_dir)
    if 'tokenizer.json' not in tok_files:
        sys.exit(ckpt.MISSING_TOKENIZER_JSON.replace('CHECKPOINT_DIR', ckpt_dir))
    try:
        tok_settings = ckpt.tokenizer_settings(ckpt_dir)
    except (FileNotFoundError, ckpt.ConfigError) as e:
        sys.exit('convert.py: %s' % e)
    try:
        state_dict = ckpt.load_state_dict(ckpt_dir)
        channels = ckpt.check_weights(config, state_dict)
        ckpt.preprocess_config(config, channels)
    except ckpt.ConfigError as e:
        sys.exit('convert.py: %s' % e)
    out = args.out.rstrip('/')
    prepare_out(out)
    copy_tokenizer(ckpt_dir, out, tok_files)

    vision = export_vision(config, state_dict, out, not args.no_fp16, channels)
    decoder = {
        'architecture': 'llama',
        'hiddenSize': lcfg['hidden_size'], 'numLayers': lcfg['num_hidden_layers'],
        'numHeads': lcfg['num_attention_heads'], 'numKeyValueHeads': lcfg['num_key_value_heads'],
        'headDim': lcfg['head_dim'], 'intermediateSize': lcfg['intermediate_size'],
        'vocabSize': lcfg['vocab_size'], 'rmsNormEps': lcfg['rms_norm_eps'],
        'ropeTheta': float(lcfg['rope_theta']), 'contextLength': ckpt.context_length(config),
        'bosTokenId': lcfg['bos_token_id'], 'eosTokenId': lcfg['eos_token_id'],
    }
    n_params = sum(t.numel() for t in state_dict.values())
    if args.onnx_decoder == 'yes' or (args.onnx_decoder == 'auto' and n_params < 1e9):
        decoder['onnx'] = export_onnx_decoder(lcfg, state_dict, out)
    else:
        print('onnx decoder: skipped (%.1fB parameters; pass --onnx-decoder yes to force)' % (n_params / 1e9))

    model_id = args.id or os.path.basename(out)
    hf_llama = args.hf_llama_dir or os.path.relpath(os.path.join(HERE, 'work', model_id + '-hf-llama'))
    if not args.no_hf_llama:
        from hf_llama import write_hf_llama
        write_hf_llama(state_dict, config, ckpt_dir, hf_llama, tok_files)
        print('hf llama folder (for mlc_llm, not served):', hf_llama)
    if not args.skip_mlc:
        decoder['webllm'] = write_mlc(lcfg, state_dict, ckpt_dir, out, tok_files, args)
        commands = mlc_commands(hf_llama, out, args)
        with open(os.path.join(out, 'mlc-commands.txt'), 'w', encoding='utf-8') as f:
            f.write(commands)
        print(commands)

    import selfcheck  # reference outputs for the app's on-device check (models/selfcheck.py)
    selfcheck_file = selfcheck.write_selfcheck(out, state_dict, ckpt.vision_config(config), lcfg, vision, decoder)

    tokenizer = {'json': 'tokenizer.json', **tok_settings}
    if 'tokenizer.model' in tok_files:
        tokenizer['sentencepiece'] = 'tokenizer.model'
    created = args.created_at or datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    manifest = {
        'schemaVersion': 1,
        'id': model_id,
        'name': args.name or model_id,
        'randomWeights': bool(args.random_weights),
        'description': args.description or (
            'CXR-LLaVA v2 (chest X-ray report assistant), converted for the browser: vision encoder '
            'in ONNX, LLaMA-2-7B decoder as MLC q4 weights for WebLLM.'),
        'license': mf.TINY_LICENSE if args.random_weights else mf.REAL_LICENSE,
        'source': {'checkpoint': source_name,
                   'converter': 'models/convert.py', 'createdAt': created},
        'vision': vision,
        'decoder': decoder,
        'tokenizer': tokenizer,
        'prompts': mf.PROMPTS,
        'generation': mf.GENERATION,
        'selfCheck': selfcheck_file,
    }
    mf.write_manifest(out, manifest)
    print('wrote', os.path.join(out, 'manifest.json'), 'with', len(manifest['files']), 'files')


if __name__ == '__main__':
    main()
