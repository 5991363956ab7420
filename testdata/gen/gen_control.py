"""testdata/models/if_gate: an ONNX If whose condition is computed at run
time, built with onnx.helper (no torch needed).

Run here, from the repository root:

    /usr/bin/python3 testdata/gen/gen_control.py
    (cd /work/ort && node /work/i10r/testdata/gen/ort_reference.js \
        $PWD/testdata/models/if_gate x)

The first writes model.onnx and the inputs (x.npy: batch 3, x_neg.npy: the
same rows negated, so the other branch runs); the second writes ONNX
Runtime's (CPU) outputs to expected/ and expected_neg/.

The graph: s = ReduceSum(x) (all elements); c = s > 0; If c then
relu(x @ W1 + b1) else (x @ W2) * 0.5 - b1 (both read x, b1 from outside;
W1, W2 are branch constants); y = softmax(branch + x @ W3) over the last
axis. Six nodes, five of them compute ops (the default --min-block-size).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "if_gate")
os.makedirs(out, exist_ok=True)

W1 = rng.standard_normal((4, 4)).astype(np.float32)
W2 = rng.standard_normal((4, 4)).astype(np.float32)
W3 = rng.standard_normal((4, 4)).astype(np.float32) * 0.1
b1 = rng.standard_normal(4).astype(np.float32)

then_g = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W1"], ["t1"]),
     helper.make_node("Add", ["t1", "b1"], ["t2"]),
     helper.make_node("Relu", ["t2"], ["then_out"])],
    "then_body", [], [helper.make_tensor_value_info("then_out", TensorProto.FLOAT, ["N", 4])],
    [numpy_helper.from_array(W1, "W1")])
else_g = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W2"], ["e1"]),
     helper.make_node("Mul", ["e1", "half"], ["e2"]),
     helper.make_node("Sub", ["e2", "b1"], ["else_out"])],
    "else_body", [], [helper.make_tensor_value_info("else_out", TensorProto.FLOAT, ["N", 4])],
    [numpy_helper.from_array(W2, "W2"), numpy_helper.from_array(np.array(0.5, np.float32), "half")])
nodes = [
    helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
    helper.make_node("Greater", ["s", "zero"], ["c"]),
    helper.make_node("If", ["c"], ["branch"], then_branch=then_g, else_branch=else_g),
    helper.make_node("MatMul", ["x", "W3"], ["skip"]),
    helper.make_node("Add", ["branch", "skip"], ["z"]),
    helper.make_node("Softmax", ["z"], ["y"], axis=-1),
]
g = helper.make_graph(nodes, "if_gate",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
                      [numpy_helper.from_array(b1, "b1"), numpy_helper.from_array(W3, "W3"),
                       numpy_helper.from_array(np.array(0, np.float32), "zero")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.checker.check_model(m, full_check=True)
onnx.save(m, os.path.join(out, "model.onnx"))
x = np.abs(rng.standard_normal((3, 4)).astype(np.float32))
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "x_neg.npy"), -x)
