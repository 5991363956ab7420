#!/usr/bin/python3
"""testdata/models/scaled_swish: the custom-op example of docs/custom-ops.md
in its ONNX form, a node of domain com.acme, op type ScaledSwish, which
plugins/scaled_swish defines.

    y = ScaledSwish(x @ W + b, alpha=1.5),  ScaledSwish(h) = h * sigmoid(alpha * h)

x has a symbolic batch dim "N". The expected output is computed here with
numpy in float64 from the float32 inputs, independently of trtc (ONNX Runtime
cannot run the com.acme domain without a custom-op library). Needs only numpy
and onnx (Debian's python3-numpy, python3-onnx); from the repo root:

    /usr/bin/python3 testdata/gen/gen_custom_op.py
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ALPHA = 1.5
OUT = os.path.join(os.path.dirname(__file__), "..", "models", "scaled_swish")


def scaled_swish(h, alpha):
    return h / (1.0 + np.exp(-alpha * h))


def main():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((8, 8)).astype(np.float32) * np.float32(0.5)
    b = rng.standard_normal((8,)).astype(np.float32) * np.float32(0.1)
    x = rng.standard_normal((3, 8)).astype(np.float32)

    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["h0"], name="node_matmul"),
        helper.make_node("Add", ["h0", "b"], ["h"], name="node_add"),
        helper.make_node("ScaledSwish", ["h"], ["y"], name="node_swish",
                         domain="com.acme", alpha=ALPHA),
    ]
    graph = helper.make_graph(
        nodes, "scaled_swish",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8])],
        initializer=[numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, producer_name="trtc testdata/gen/gen_custom_op.py",
                              opset_imports=[helper.make_opsetid("", 17),
                                             helper.make_opsetid("com.acme", 1)])
    model.ir_version = 8
    onnx.checker.check_model(model)  # the custom domain is not checked by schema

    y = scaled_swish(x.astype(np.float64) @ w.astype(np.float64) + b.astype(np.float64), ALPHA)
    y = y.astype(np.float32)

    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    onnx.save(model, os.path.join(OUT, "model.onnx"))
    np.save(os.path.join(OUT, "x.npy"), x)
    np.save(os.path.join(OUT, "expected", "y.npy"), y)
    meta = {
        "name": "scaled_swish",
        "description": "MatMul(8x8) -> Add -> com.acme.ScaledSwish(alpha=1.5); x is [N, 8]",
        "exporter": "onnx.helper (testdata/gen/gen_custom_op.py)",
        "opset": 17,
        "custom_domains": {"com.acme": 1},
        "inputs": [{"name": "x", "dtype": "float32", "shape": list(x.shape)}],
        "outputs": [{"name": "y", "dtype": "float32", "shape": list(y.shape)}],
        "op_counts": {"Add": 1, "MatMul": 1, "com.acme::ScaledSwish": 1},
        "files": {"model": "model.onnx", "inputs": {"x": "x.npy"}, "expected": {"y": "expected/y.npy"}},
        "reference": "numpy float64: h = x@W + b; y = h / (1 + exp(-alpha*h)), rounded to float32",
        "alpha": ALPHA,
        "seed": 0,
        "versions": {"numpy": np.__version__, "onnx": onnx.__version__},
    }
    with open(os.path.join(OUT, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
