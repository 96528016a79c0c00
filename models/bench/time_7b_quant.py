"""Times the q4 quantisation of ONE LLaMA-2-7B decoder layer (random bf16 weights of the real
shapes: q/k/v/o 4096x4096, gate/up 11008x4096, down 4096x11008) with the converter's own
mlc_weights.quantize_q4, and the two 32000x4096 tables, then states the 7B total as
32 x layer + tables (a multiplication, not a run: a 7B state dict does not fit this machine
twice over). Peak RSS is of this process (one layer in bf16 + fp32 temporaries).

  nice /usr/bin/python3 models/bench/time_7b_quant.py [--quant q4f16_1] [--out FILE.json]
"""

import argparse
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import torch  # noqa: E402

import mlc_weights as mw  # noqa: E402

H, I, V, LAYERS = 4096, 11008, 32000, 32


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quant', default='q4f16_1', choices=('q4f16_1', 'q4f32_1'))
    ap.add_argument('--out', default=None)
    args = ap.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    model_dtype = 'float16' if args.quant == 'q4f16_1' else 'float32'
    gen = torch.Generator().manual_seed(1)
    cpu = [0.0]  # CPU seconds of the quantisation calls (wall time depends on the machine's load)

    def timed(shape):
        w = (torch.randn(*shape, generator=gen) * 0.02).to(torch.bfloat16)
        t0, c0 = time.perf_counter(), time.process_time()
        mw.quantize_q4(w, model_dtype)
        cpu[0] += time.process_time() - c0
        return time.perf_counter() - t0

    # One layer as mlc_weights groups it: qkv (3H x H), o (H x H), gate_up (2I x H), down (H x I).
    layer = {'qkv_proj': timed((3 * H, H)), 'o_proj': timed((H, H)), 'gate_up_proj': timed((2 * I, H)),
             'down_proj': timed((H, I))}
    tables = {'embed_tokens': timed((V, H)), 'lm_head': timed((V, H))}
    layer_s = sum(layer.values())
    total = LAYERS * layer_s + sum(tables.values())
    result = {
        'quant': args.quant, 'layerSeconds': layer, 'tableSeconds': tables,
        'oneLayerSeconds': layer_s,
        'estimated7bSeconds': total,
        'cpuSecondsMeasured': cpu[0],
        'estimated7bCpuSeconds': cpu[0] + (LAYERS - 1) * cpu[0] * layer_s / (layer_s + sum(tables.values())),
        'how': '32 x one layer + embed_tokens + lm_head, each timed once (not a full run)',
        'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'torchThreads': torch.get_num_threads(), 'loadavg': os.getloadavg(),
    }
    print(json.dumps(result, indent=1))
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            json.dump(result, f, indent=1)


if __name__ == '__main__':
    main()
