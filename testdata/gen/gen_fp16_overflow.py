#!/usr/bin/python3
"""testdata/models/fp16_overflow: a small MLP with a float16 overflow that
only real inputs reach, for `trtc compare --fp16 --layerwise`
(docs/compare-and-bench.md).

    h = relu(x @ W1 + b1);  sq = h * h  (node "square");  y = (sq @ W2) * 1e-4

x is [1, 16]. W1, W2 are uniform in [0, 0.25), b1 in [0, 1). On the inputs
shipped here (x.npy, uniform in [100, 200), as a sensor reading might be)
h reaches about 250..500 and sq about 6e4..2.5e5, past float16's largest
finite value 65504: in float16, "square" gives inf and so does y. On
standard-normal inputs (what the autocast pass observes when it is given no
inputs) sq stays below 10, so the magnitude rule does not keep "square" in
float32: the overflow is found by comparing on the real inputs. The
expected output is numpy's, in float64 rounded to float32. Needs only numpy
and onnx (Debian's python3-numpy, python3-onnx); from the repo root:

    /usr/bin/python3 testdata/gen/gen_fp16_overflow.py
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "models", "fp16_overflow")


def main():
    rng = np.random.default_rng(0)
    w1 = (rng.random((16, 16)) * 0.25).astype(np.float32)
    b1 = rng.random((16,)).astype(np.float32)
    w2 = (rng.random((16, 8)) * 0.25).astype(np.float32)
    scale = np.array(1e-4, dtype=np.float32)
    x = (100 + 100 * rng.random((1, 16))).astype(np.float32)

    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["fc1"], name="fc1"),
        helper.make_node("Add", ["fc1", "b1"], ["fc1_bias"], name="fc1_bias"),
        helper.make_node("Relu", ["fc1_bias"], ["h"], name="act1"),
        helper.make_node("Mul", ["h", "h"], ["sq"], name="square"),
        helper.make_node("MatMul", ["sq", "W2"], ["fc2"], name="fc2"),
        helper.make_node("Mul", ["fc2", "scale"], ["y"], name="rescale"),
    ]
    graph = helper.make_graph(
        nodes, "fp16_overflow",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])],
        initializer=[numpy_helper.from_array(w1, "W1"), numpy_helper.from_array(b1, "b1"),
                     numpy_helper.from_array(w2, "W2"), numpy_helper.from_array(scale, "scale")],
    )
    model = helper.make_model(graph, producer_name="trtc testdata/gen/gen_fp16_overflow.py",
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)

    h = np.maximum(x.astype(np.float64) @ w1.astype(np.float64) + b1.astype(np.float64), 0)
    sq = h * h
    y = ((sq @ w2.astype(np.float64)) * float(scale)).astype(np.float32)
    assert sq.max() > 65504, "the inputs must overflow float16"

    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    onnx.save(model, os.path.join(OUT, "model.onnx"))
    np.save(os.path.join(OUT, "x.npy"), x)
    np.save(os.path.join(OUT, "expected", "y.npy"), y)
    meta = {
        "name": "fp16_overflow",
        "description": "relu(x@W1+b1) squared (node square: past 65504 on x.npy) -> @W2 -> *1e-4; x is [1, 16]",
        "exporter": "onnx.helper (testdata/gen/gen_fp16_overflow.py)",
        "opset": 17,
        "inputs": [{"name": "x", "dtype": "float32", "shape": list(x.shape)}],
        "outputs": [{"name": "y", "dtype": "float32", "shape": list(y.shape)}],
        "op_counts": {"Add": 1, "MatMul": 2, "Mul": 2, "Relu": 1},
        "files": {"model": "model.onnx", "inputs": {"x": "x.npy"}, "expected": {"y": "expected/y.npy"}},
        "reference": "numpy float64: h = relu(x@W1 + b1); y = (h*h)@W2 * 1e-4, rounded to float32",
        "max_square": float(sq.max()),
        "seed": 0,
        "versions": {"numpy": np.__version__, "onnx": onnx.__version__},
    }
    with open(os.path.join(OUT, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
