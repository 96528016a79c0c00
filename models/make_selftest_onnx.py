"""Writes public/selftest.onnx: a small graph with the operators the vision encoder leans on
(MatMul, Add, exact-erf GELU, LayerNormalization, Softmax), used by the app's GPU self-test to
check that the WebGPU execution provider computes what the wasm one does on this machine.

Deterministic (fixed seed), so the committed file can be rebuilt bit for bit:
    /usr/bin/python3 models/make_selftest_onnx.py public/selftest.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TOKENS, WIDTH = 64, 128


def build() -> onnx.ModelProto:
    rng = np.random.default_rng(20261128)
    w = numpy_helper.from_array((rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH)).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal(WIDTH).astype(np.float32) * 0.1, "b")
    gamma = numpy_helper.from_array(np.ones(WIDTH, np.float32), "gamma")
    beta = numpy_helper.from_array(np.zeros(WIDTH, np.float32), "beta")
    consts = [
        numpy_helper.from_array(np.array(np.sqrt(2.0), np.float32), "sqrt2"),
        numpy_helper.from_array(np.array(0.5, np.float32), "half"),
        numpy_helper.from_array(np.array(1.0, np.float32), "one"),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["mm"]),
        helper.make_node("Add", ["mm", "b"], ["h"]),
        # GELU written out with Erf, as torch exports nn.GELU() at opset 17.
        helper.make_node("Div", ["h", "sqrt2"], ["h_s"]),
        helper.make_node("Erf", ["h_s"], ["erf"]),
        helper.make_node("Add", ["erf", "one"], ["erf1"]),
        helper.make_node("Mul", ["h", "erf1"], ["g0"]),
        helper.make_node("Mul", ["g0", "half"], ["g"]),
        helper.make_node("LayerNormalization", ["g", "gamma", "beta"], ["ln"], axis=-1, epsilon=1e-5),
        helper.make_node("Softmax", ["ln"], ["y"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "selftest",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, TOKENS, WIDTH])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, TOKENS, WIDTH])],
        [w, b, gamma, beta, *consts],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="cxr-llava-web")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "public/selftest.onnx"
    onnx.save(build(), out)
    print(f"wrote {out}")
