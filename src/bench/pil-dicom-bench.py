"""The Python side of the DICOM bench (src/bench/dicom-bench.ts).

  make PATH W H       writes a W x H, 12-bit-in-16 MONOCHROME2 DICOM (explicit VR little endian) with
                      a rescale and a window, as a CR/DX modality would: the bench's input.
  bench PATH SIZE RUNS WARMUP MEAN STD
                      times what the reference stack does with that file: pydicom reads it, numpy
                      applies the modality LUT and the file's window (DICOM's linear function,
                      rounded half up, as src/imaging/default-voi.ts), PIL resizes and crops, numpy
                      normalises. Prints one JSON line of timings, then the last run's 8-bit crop.
"""

import json
import statistics
import sys
import time

import numpy as np
import PIL
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from PIL import Image

sys.path.insert(0, __file__.rsplit('/', 1)[0])
from importlib import import_module  # noqa: E402

preprocess = import_module('pil-preprocess-bench').preprocess


def make(path, w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = x / w - 0.5, y / h - 0.5
    body = 3200 * np.exp(-(u * u + v * v) * 6) + 300 * np.sin(x / 37) * np.cos(y / 53)
    noise = np.random.default_rng(7).normal(0, 40, (h, w))
    stored = np.clip(np.rint(body + noise + 400), 0, 4095).astype('<u2')

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.1.1'  # Digital X-Ray Image Storage - For Presentation
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = 'DX'
    ds.PatientName = 'Bench^Synthetic'
    ds.Rows, ds.Columns = h, w
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleSlope, ds.RescaleIntercept = 2, -1024
    ds.WindowCenter, ds.WindowWidth = 2600, 5200
    ds.PixelData = stored.tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)


def to_gray(path):
    """File -> the 8-bit default view: modality LUT, first window (linear), rounded half up."""
    ds = pydicom.dcmread(path)
    x = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    c, w = float(ds.WindowCenter), float(ds.WindowWidth)
    y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255
    y = np.where(x <= c - 0.5 - (w - 1) / 2, 0, np.where(x > c - 0.5 + (w - 1) / 2, 255, y))
    return Image.fromarray(np.clip(np.floor(y + 0.5), 0, 255).astype(np.uint8), 'L')


def bench(path, size, runs, warmup, mean, std):
    def once():
        return preprocess(to_gray(path), size, mean, std)

    for _ in range(warmup):
        once()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        crop, _x = once()
        times.append((time.perf_counter() - t) * 1000)
    out = sys.stdout.buffer
    out.write((json.dumps({'medianMs': statistics.median(times), 'minMs': min(times), 'runsMs': times,
                           'pillow': PIL.__version__, 'numpy': np.__version__,
                           'pydicom': pydicom.__version__}) + '\n').encode())
    out.write(np.ascontiguousarray(crop).tobytes())


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]))
