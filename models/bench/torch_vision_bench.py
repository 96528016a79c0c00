"""Times PyTorch on the vision encoder that make_vision_large.py wrote (same checkpoint, same
module class as the converter: vision_export.VisionEncoder), and checks its output against the
fp32 reference. Prints one JSON object on stdout (last line).

  /usr/bin/python3 models/bench/torch_vision_bench.py --model DIR [--runs 5] [--warmup 1]
      [--device cpu|cuda] [--dtype fp32|bf16|fp32,bf16] [--threads N] [--blas auto|system|DIR]

Eager mode, batch 1, no autocast: the module is cast to the dtype (bf16: weights and
activations, as the reference CXR-LLaVA runs its tower). "first" is the first call after the
module is on the device (CUDA context, cuBLAS handles, allocator warm-up), then `warmup` untimed
calls, then `runs` timed calls (median reported). CUDA times are host wall-clock around the call
with torch.cuda.synchronize() on both sides.

--blas auto: with Debian's python3-torch (reference BLAS) the script re-runs itself with the
OpenBLAS of models/bench/get_openblas.sh when it is there (see blas.py). The loaded BLAS is
reported.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, MODELS)
sys.path.insert(0, HERE)

from blas import loaded_blas, reexec_with_openblas  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', required=True, help='folder written by make_vision_large.py')
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--device', choices=('cpu', 'cuda'), default='cpu')
    ap.add_argument('--dtype', default='fp32', help='fp32, bf16 or a comma list')
    ap.add_argument('--threads', type=int, default=0, help='CPU threads (0: all cores)')
    ap.add_argument('--blas', default='auto', help="auto | system | a folder holding libblas.so.3")
    return ap.parse_args(argv)


def error_stats(y, ref):
    import torch
    d = (y.float().cpu() - ref).reshape(-1)
    r = ref.reshape(-1)
    return {
        'maxAbs': float(d.abs().max()),
        'relL2': float(d.norm() / r.norm()),
        'maxAbsOverMaxRef': float(d.abs().max() / r.abs().max()),
    }


def main():
    args = parse_args(sys.argv[1:])
    if args.runs < 1:
        sys.exit('--runs must be at least 1')
    reexec_with_openblas(args.blas)
    import numpy as np
    import torch

    import checkpoint as ckpt
    from vision_export import VisionEncoder

    if args.device == 'cpu':
        torch.set_num_threads(args.threads or os.cpu_count() or 1)
    elif not torch.cuda.is_available():
        sys.exit('--device cuda: torch.cuda.is_available() is False')

    with open(os.path.join(args.model, 'meta.json'), encoding='utf-8') as f:
        meta = json.load(f)
    ck = os.path.join(args.model, 'checkpoint')
    t0 = time.perf_counter()
    config = ckpt.load_config(ck)
    sd = ckpt.load_state_dict(ck)
    enc = VisionEncoder(ckpt.vision_config(config), config, sd).eval()
    del sd
    load_s = time.perf_counter() - t0
    x32 = torch.from_numpy(np.fromfile(os.path.join(args.model, 'input.bin'), dtype='<f4').reshape(meta['inputShape']))
    ref = torch.from_numpy(np.fromfile(os.path.join(args.model, 'ref.bin'), dtype='<f4').reshape(meta['outputShape']))

    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if args.device == 'cuda' else (lambda: None)

    cpu_times = []

    def timed(m, x):
        sync()
        c = time.process_time()
        t = time.perf_counter()
        y = m(x)
        sync()
        cpu_times.append((time.process_time() - c) * 1e3)
        return y, (time.perf_counter() - t) * 1e3

    results = {}
    for name in [d.strip() for d in args.dtype.split(',') if d.strip()]:
        dtype = {'fp32': torch.float32, 'bf16': torch.bfloat16, 'fp16': torch.float16}[name]
        m = enc.to(dev, dtype)
        x = x32.to(dev, dtype)
        with torch.no_grad():
            y, first = timed(m, x)
            for _ in range(args.warmup):
                timed(m, x)
            del cpu_times[:]
            times = [timed(m, x)[1] for _ in range(args.runs)]
        results[name] = {
            'firstMs': round(first, 2), 'medianMs': round(statistics.median(times), 2),
            'minMs': round(min(times), 2), 'runsMs': [round(t, 2) for t in times],
            # CPU time of the process (all threads): robust where other jobs share the cores.
            'cpuMedianMs': round(statistics.median(cpu_times), 2),
            'error': error_stats(y, ref),
        }
        enc = m.to('cpu', torch.float32)
        print('torch %s %s: first %.1f ms, median %.1f ms' % (args.device, name, first, statistics.median(times)),
              file=sys.stderr)

    info = {
        'torch': torch.__version__, 'python': platform.python_version(), 'device': args.device,
        'runs': args.runs, 'warmup': args.warmup, 'loadSeconds': round(load_s, 2), 'results': results,
        'model': {k: meta.get(k) for k in ('layers', 'width', 'tokens', 'outputDim', 'flops')},
    }
    if args.device == 'cuda':
        info['gpu'] = torch.cuda.get_device_name(0)
        info['cudaVersion'] = torch.version.cuda
        info['tf32'] = {'matmul': torch.backends.cuda.matmul.allow_tf32, 'cudnn': torch.backends.cudnn.allow_tf32}
    else:
        info['cpu'] = platform.processor() or platform.machine()
        info['threads'] = torch.get_num_threads()
        info['blas'] = loaded_blas() or ['(none found in /proc/self/maps: statically linked)']
    print(json.dumps(info))


if __name__ == '__main__':
    main()
