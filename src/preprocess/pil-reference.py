"""PIL/numpy reference outputs for the preprocessing parity tests (run with Debian's python3).

Raw bytes in on stdin, raw bytes out on stdout; sizes come as arguments.

  gray W H C                    RGB (C=3) / RGBA (C=4) pixels -> convert('L') bytes
  resize W H OUT_W OUT_H        'L' pixels -> resize((OUT_W, OUT_H), resample=1) bytes
  preprocess W H SIZE MEAN STD  'L' pixels -> crop uint8 (SIZE*SIZE), then the tensor as
                                models/clip_preprocess.py makes it (float32), then (x/255-mean)/std
                                in float64
  decode PATH                   Image.open(PATH).convert('L'): one JSON line {width, height},
                                then the pixels
"""

import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'models'))
from clip_preprocess import preprocess_image  # noqa: E402


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
        # The model's own preprocessing (models/clip_preprocess.py), and a float64 version of the
        # normalisation to measure the float32 rounding against.
        crop, x = preprocess_image(read_l(w, h), size, [mean], [std])
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
