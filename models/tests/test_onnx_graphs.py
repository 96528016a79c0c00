import json
import os
import unittest

import onnx
from onnx import TensorProto

import _paths


def io(model):
    def dims(vi):
        return [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]
    return ({i.name: (i.type.tensor_type.elem_type, dims(i)) for i in model.graph.input},
            {o.name: (o.type.tensor_type.elem_type, dims(o)) for o in model.graph.output})


class TinyOnnxGraphsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(_paths.TINY, 'manifest.json'), encoding='utf-8') as f:
            cls.manifest = json.load(f)

    def load(self, name):
        path = os.path.join(_paths.TINY, name)
        onnx.checker.check_model(path)
        return onnx.load(path)

    def test_vision_fp32(self):
        v = self.manifest['vision']
        ins, outs = io(self.load(v['onnx']['fp32']))
        self.assertEqual(ins, {'pixel_values': (TensorProto.FLOAT, [1, 1, 512, 512])})
        self.assertEqual(outs, {'image_rows': (TensorProto.FLOAT, [1, v['imageTokens'], v['outputDim']])})

    def test_vision_fp16_keeps_float32_io_and_stores_fp16_weights(self):
        m = self.load(self.manifest['vision']['onnx']['fp16'])
        ins, outs = io(m)
        self.assertEqual(ins['pixel_values'][0], TensorProto.FLOAT)
        self.assertEqual(outs['image_rows'][0], TensorProto.FLOAT)
        float_inits = [i for i in m.graph.initializer if i.data_type in (TensorProto.FLOAT, TensorProto.FLOAT16)]
        self.assertTrue(float_inits)
        self.assertTrue(all(i.data_type == TensorProto.FLOAT16 for i in float_inits))
        self.assertEqual(m.graph.node[0].op_type, 'Cast')
        self.assertEqual(m.graph.node[-1].op_type, 'Cast')

    def test_embed_and_decoder_follow_the_onnx_decoder_spec(self):
        d = self.manifest['decoder']
        ins, outs = io(self.load(d['onnx']['embed']))
        self.assertEqual(ins, {'input_ids': (TensorProto.INT64, [1, 'sequence'])})
        self.assertEqual(outs, {'inputs_embeds': (TensorProto.FLOAT, [1, 'sequence', d['hiddenSize']])})

        ins, outs = io(self.load(d['onnx']['decoder']))
        self.assertEqual(ins['inputs_embeds'], (TensorProto.FLOAT, [1, 'sequence', d['hiddenSize']]))
        self.assertEqual(ins['attention_mask'], (TensorProto.INT64, [1, 'total_sequence']))
        self.assertEqual(ins['position_ids'], (TensorProto.INT64, [1, 'sequence']))
        # Last position only: [1, 1, vocab] at run time (torch leaves the sliced dim symbolic).
        self.assertEqual(outs['logits'][0], TensorProto.FLOAT)
        self.assertEqual([outs['logits'][1][0], outs['logits'][1][2]], [1, d['vocabSize']])
        kv = [1, d['numKeyValueHeads'], None, d['headDim']]
        for i in range(d['numLayers']):
            for kind in ('key', 'value'):
                kv[2] = 'past_sequence'
                self.assertEqual(ins['past_key_values.%d.%s' % (i, kind)], (TensorProto.FLOAT, kv))
                kv[2] = 'total_sequence'
                self.assertEqual(outs['present.%d.%s' % (i, kind)], (TensorProto.FLOAT, kv))
        self.assertEqual(len(ins), 3 + 2 * d['numLayers'])
        self.assertEqual(len(outs), 1 + 2 * d['numLayers'])


if __name__ == '__main__':
    unittest.main()
