"""Times the reference preprocessing (PIL resize + crop + numpy normalise, as models/reference.py)
on a grey image read from stdin. Prints one JSON line of timings, then the last run's crop."""

import json
import statistics
import sys
import time

import numpy as np
import PIL
from PIL import Image


def preprocess(img, size, mean, std):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(size * long / short)
    new_w, new_h = (size, new_long) if w <= h else (new_long, size)
    img = img.resize((new_w, new_h), resample=1)
    top, left = (new_h - size) // 2, (new_w - size) // 2
    crop = np.asarray(img, dtype=np.uint8)[top:top + size, left:left + size]
    x = (crop * (1 / 255)).astype(np.float32)
    x = (x - np.array([mean], np.float32)) / np.array([std], np.float32)
    return crop, x.reshape(1, 1, size, size)


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
