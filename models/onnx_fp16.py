"""fp32 ONNX graph -> fp16 graph with float32 inputs and outputs.

Every float tensor inside becomes float16 (initializers, Constant values, Cast targets); a Cast
is added after each float input and before each float output, so the app feeds and reads the
same float32 tensors for both files. LayerNormalization keeps stash_type=1 (mean/variance in
float32 inside the op). onnxconverter-common would do the same; this avoids the dependency."""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32, F16 = TensorProto.FLOAT, TensorProto.FLOAT16


def _to_f16_tensor(t):
    if t.data_type != F32:
        return t
    arr = numpy_helper.to_array(t).astype(np.float16)
    return numpy_helper.from_array(arr, t.name)


def convert(model):
    graph = model.graph
    for i, init in enumerate(graph.initializer):
        graph.initializer[i].CopyFrom(_to_f16_tensor(init))
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR:
                attr.t.CopyFrom(_to_f16_tensor(attr.t))
            if node.op_type == 'Cast' and attr.name == 'to' and attr.i == F32:
                attr.i = F16
    for vi in list(graph.value_info):
        if vi.type.tensor_type.elem_type == F32:
            vi.type.tensor_type.elem_type = F16

    new_nodes = []
    for inp in graph.input:
        if inp.type.tensor_type.elem_type != F32:
            continue
        cast_name = inp.name + '_fp16'
        for node in graph.node:
            node.input[:] = [cast_name if x == inp.name else x for x in node.input]
        new_nodes.append(helper.make_node('Cast', [inp.name], [cast_name], to=F16,
                                          name='Cast_' + cast_name))
    tail = []
    for out in graph.output:
        if out.type.tensor_type.elem_type != F32:
            continue
        inner = out.name + '_fp16'
        for node in graph.node:
            node.output[:] = [inner if x == out.name else x for x in node.output]
            node.input[:] = [inner if x == out.name else x for x in node.input]
        tail.append(helper.make_node('Cast', [inner], [out.name], to=F32, name='Cast_' + out.name))
    nodes = new_nodes + list(graph.node) + tail
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def convert_file(src, dst):
    save(convert(onnx.load(src)), dst)
    onnx.checker.check_model(dst)  # by path: works past 2 GiB too


def save(model, path):
    """External data past protobuf's 2 GiB limit (a real ViT-L fp32 stays under it)."""
    if model.ByteSize() > 2_000_000_000:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=os.path.basename(path) + '.data')
    else:
        onnx.save_model(model, path)
