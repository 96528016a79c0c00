"""torch.onnx.export pinned to the TorchScript exporter.

The converter's graphs (names, dynamic axes, opset 17, one file) are made by the TorchScript
exporter, the only one in the pinned torch 2.4 (models/README.md). torch >= 2.9 defaults to the
dynamo exporter, which gives a different graph and external data; ask for the legacy one where
the argument exists (older torch has only the TorchScript one)."""

import inspect

import torch


def onnx_export(*args, **kwargs):
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False
    return torch.onnx.export(*args, **kwargs)
