"""PIL/numpy reference outputs for the preprocessing parity tests (run with Debian's python3).

Raw bytes in on stdin, raw bytes out on stdout; sizes come as arguments.

  gray W H C                    RGB (C=3) / RGBA (C=4) pixels -> convert('L') bytes
  resize W H OUT_W OUT_H        'L' pixels -> resize((OUT_W, OUT_H), resample=1) bytes
  preprocess W H SIZE MEAN STD  'L' pixels -> crop uint8 (SIZE*SIZE), then the tensor as
                                models/reference.py makes it (float32), then (x/255-mean)/std
                                in float64
  decode PATH                   Image.open(PATH).convert('L'): one JSON line {width, height},
                                then the pixels
"""

import json
import sys

import numpy as np
from PIL import Image


def read_l(w, h):
    return Image.frombytes('L', (w, h), sys.stdin.buffer.read())


def main(argv):
    cmd, args = argv[0], argv[1:]
    out = sys.stdout.buffer
    if cmd == 'gray':
        w, h, c = map(int, args)
        img = Image.frombytes('RGB' if c == 3 else 'RGBA', (w, h), sys.stdin.buffer.read())
        out.write(img.convert('L').tobytes())
    elif cmd == 'resize':
        w, h, ow, oh = map(int, args)
        out.write(read_l(w, h).resize((ow, oh), resample=1).tobytes())
    elif cmd == 'preprocess':
        w, h, size = map(int, args[:3])
        mean, std = float(args[3]), float(args[4])
        img = read_l(w, h)
        # Same steps as models/reference.py preprocess().
        short, long = (w, h) if w <= h else (h, w)
        new_long = int(size * long / short)
        new_w, new_h = (size, new_long) if w <= h else (new_long, size)
        img = img.resize((new_w, new_h), resample=1)
        top, left = (new_h - size) // 2, (new_w - size) // 2
        crop = np.asarray(img, dtype=np.uint8)[top:top + size, left:left + size]
        x = (crop * (1 / 255)).astype(np.float32)
        x = (x - np.array([mean], np.float32)) / np.array([std], np.float32)
        x64 = (crop.astype(np.float64) / 255 - mean) / std
        out.write(np.ascontiguousarray(crop).tobytes())
        out.write(x.astype('<f4').tobytes())
        out.write(x64.astype('<f8').tobytes())
    elif cmd == 'decode':
        img = Image.open(args[0]).convert('L')
        out.write((json.dumps({'width': img.width, 'height': img.height}) + '\n').encode())
        out.write(img.tobytes())
    else:
        raise SystemExit('unknown command ' + cmd)


if __name__ == '__main__':
    main(sys.argv[1:])
