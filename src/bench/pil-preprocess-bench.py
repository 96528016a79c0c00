"""Times the reference preprocessing (PIL resize + crop + numpy normalise, models/clip_preprocess.py)
on a grey image read from stdin. Prints one JSON line of timings, then the last run's crop."""

import json
import os
import statistics
import sys
import time

import numpy as np
import PIL
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'models'))
from clip_preprocess import preprocess_image as preprocess  # noqa: E402


def main():
    w, h, size, runs, warmup = map(int, sys.argv[1:6])
    mean, std = float(sys.argv[6]), float(sys.argv[7])
    img = Image.frombytes('L', (w, h), sys.stdin.buffer.read())
    for _ in range(warmup):
        preprocess(img, size, mean, std)
    times = []
    cpu = []
    for _ in range(runs):
        t = time.perf_counter()
        c = time.process_time()
        crop, _x = preprocess(img, size, mean, std)
        cpu.append((time.process_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    out = sys.stdout.buffer
    out.write((json.dumps({'medianMs': statistics.median(times), 'minMs': min(times), 'runsMs': times,
                           'cpuMedianMs': statistics.median(cpu),
                           'pillow': PIL.__version__, 'numpy': np.__version__}) + '\n').encode())
    out.write(np.ascontiguousarray(crop).tobytes())


if __name__ == '__main__':
    main()
