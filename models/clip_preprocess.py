"""The model's image preprocessing, once: CLIPImageProcessor (do_resize shortest_edge, resample=True
(=1, LANCZOS), center crop, rescale 1/255, normalize) on an 8-bit 'L' image. Only PIL and numpy,
so the PIL baselines of the TypeScript port (src/preprocess/pil-reference.py, the preprocessing
bench) import it without PyTorch; models/reference.py builds on it."""

import numpy as np


def resize_crop(img, size):
    """The shortest edge resized to `size` with PIL's LANCZOS, then the centre `size` x `size`, as uint8."""
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(size * long / short)
    new_w, new_h = (size, new_long) if w <= h else (new_long, size)
    img = img.resize((new_w, new_h), resample=1)
    top, left = (new_h - size) // 2, (new_w - size) // 2
    return np.asarray(img, dtype=np.uint8)[top:top + size, left:left + size]


def normalise(crop, mean, std):
    """transformers' rescale (a float64 product, then float32) and normalise, as [1, 1, size, size]."""
    x = (crop * (1 / 255)).astype(np.float32)
    x = (x - np.array(mean, np.float32)) / np.array(std, np.float32)
    return x.reshape(1, 1, *crop.shape).astype(np.float32)


def preprocess_image(img, size, mean, std):
    """An 8-bit 'L' PIL image -> (uint8 crop, float32 pixel tensor [1, 1, size, size])."""
    crop = resize_crop(img, size)
    return crop, normalise(crop, mean, std)
