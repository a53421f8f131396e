"""Writes runtime-check.onnx: y = tanh(x @ W + b) with fixed small weights, used by the engine's
system.info call to prove onnxruntime runs a real model. The expected output is recomputed in TypeScript."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

def main() -> None:
    w = (np.arange(12, dtype=np.float32).reshape(4, 3) - 5.5) / 8.0
    b = np.array([0.1, -0.2, 0.3], dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node('MatMul', ['x', 'W'], ['xw']), helper.make_node('Add', ['xw', 'b'], ['pre']),
         helper.make_node('Tanh', ['pre'], ['y'])],
        'runtime_check',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 4])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['N', 3])],
        [numpy_helper.from_array(w, 'W'), numpy_helper.from_array(b, 'b')],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 16)], producer_name='studio')
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, 'runtime-check.onnx')

if __name__ == '__main__':
    main()
