"""Writes src/imaging/warm-up-jpeg.ts: the JPEGs the app decodes at start so that the user's first
image finds the JPEG decoder ready. Both 8-bit grey, baseline, quality 90, as radiographs exported
to JPEG mostly are:
- TEXTURED, 256x256: synthetic content (a smooth field plus blurred noise, so every 8x8 block has
  AC coefficients and the full inverse DCT runs); a few decodes make libjpeg-turbo's functions hot.
- LARGE, 2048x2048 mid-grey (optimised Huffman tables: 16 KB): one decode grows the codec's
  WebAssembly memory to a radiograph's size, which otherwise the first image pays (in Node the
  first 1024x1024 decode took 76-93 ms against 25-34 ms later; after this one, 28-29 ms).

Deterministic (fixed seed), so the committed file can be rebuilt bit for bit:
    /usr/bin/python3 models/make_warm_up_jpeg.py src/imaging/warm-up-jpeg.ts
"""
import base64
import io
import sys
import textwrap

import numpy as np
import PIL
from PIL import Image, ImageFilter

SIDE = 256
LARGE_SIDE = 2048


def textured() -> bytes:
    rng = np.random.default_rng(20261206)
    y, x = np.mgrid[0:SIDE, 0:SIDE] / SIDE
    field = 120 + 80 * np.sin(3 * x) * np.cos(2 * y) + rng.normal(0, 25, (SIDE, SIDE))
    img = Image.fromarray(np.clip(field, 0, 255).astype(np.uint8), 'L').filter(ImageFilter.GaussianBlur(0.8))
    out = io.BytesIO()
    img.save(out, 'JPEG', quality=90)
    return out.getvalue()


def large() -> bytes:
    out = io.BytesIO()
    Image.new('L', (LARGE_SIDE, LARGE_SIDE), 128).save(out, 'JPEG', quality=90, optimize=True)
    return out.getvalue()


def constant(name: str, what: str, data: bytes) -> str:
    b64 = '\n'.join(f"  '{line}' +" for line in textwrap.wrap(base64.b64encode(data).decode(), 96))[: -len(' +')]
    return f'/** {what} ({len(data)} bytes), base64. */\nexport const {name} =\n{b64};\n'


def main(path: str) -> None:
    with open(path, 'w') as f:
        f.write(f'// Written by models/make_warm_up_jpeg.py (Pillow {PIL.__version__}); do not edit.\n')
        f.write(constant('WARM_UP_JPEG_BASE64', f'A {SIDE}x{SIDE} 8-bit grey baseline JPEG with texture in every block', textured()))
        f.write(constant('WARM_UP_LARGE_JPEG_BASE64', f'A {LARGE_SIDE}x{LARGE_SIDE} mid-grey baseline JPEG', large()))


if __name__ == '__main__':
    main(sys.argv[1])
