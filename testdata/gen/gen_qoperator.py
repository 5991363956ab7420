# Makes testdata/models/qlinear_conv: a QOperator-format int8 model (the
# form ONNX Runtime's quantize_static writes with QuantFormat.QOperator and
# symmetric int8 activations): QuantizeLinear -> three QLinearConv
# (constant per-channel int8 weights, int32 bias) -> DequantizeLinear,
# built with onnx.helper. Its expected output comes from ONNX Runtime's CPU
# provider through gen_qoperator_ref.js. Run, from the repository root:
#   /usr/bin/python3 testdata/gen/gen_qoperator.py
#   (cd /work/ort && NODE_PATH=/work/ort/node_modules node <repo>/testdata/gen/gen_qoperator_ref.js <repo>/testdata/models/qlinear_conv)
#   /usr/bin/python3 testdata/gen/gen_qoperator.py --npy
import os, sys
import numpy as np
import onnx
from onnx import helper, TensorProto, numpy_helper

d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "qlinear_conv")
os.makedirs(os.path.join(d, "expected"), exist_ok=True)
if "--npy" in sys.argv:  # the raw float32 output of the ONNX Runtime run, as .npy
    y = np.fromfile(os.path.join(d, "y.f32"), dtype=np.float32).reshape(1, 6, 4, 4)
    np.save(os.path.join(d, "expected", "y.npy"), y)
    os.remove(os.path.join(d, "y.f32"))
    sys.exit(0)
rng = np.random.default_rng(3)
x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
np.save(os.path.join(d, "x.npy"), x)
x.tofile(os.path.join(d, "x.f32"))


def qconv(name, cin, cout, stride):
    w = rng.integers(-127, 128, (cout, cin, 3, 3)).astype(np.int8)
    ws = (rng.uniform(0.5, 2, cout) / 127).astype(np.float32)
    b = rng.integers(-3000, 3000, cout).astype(np.int32)
    inits = [numpy_helper.from_array(w, name + "_w"), numpy_helper.from_array(ws, name + "_ws"),
             numpy_helper.from_array(np.zeros(cout, np.int8), name + "_wzp"), numpy_helper.from_array(b, name + "_b")]
    return inits, (name + "_w", name + "_ws", name + "_wzp", name + "_b"), stride


scalar = lambda n, v, t: helper.make_tensor(n, t, [], [v])
inits = [scalar("xs", 0.03, TensorProto.FLOAT), scalar("z", 0, TensorProto.INT8),
         scalar("s1", 0.05, TensorProto.FLOAT), scalar("s2", 0.15, TensorProto.FLOAT),
         scalar("s3", 0.8, TensorProto.FLOAT)]
i1, c1, _ = qconv("c1", 3, 6, 1)
i2, c2, _ = qconv("c2", 6, 6, 2)
i3, c3, _ = qconv("c3", 6, 6, 1)
inits += i1 + i2 + i3
nodes = [
    helper.make_node("QuantizeLinear", ["x", "xs", "z"], ["xq"]),
    helper.make_node("QLinearConv", ["xq", "xs", "z", c1[0], c1[1], c1[2], "s1", "z", c1[3]], ["h"], pads=[1, 1, 1, 1]),
    helper.make_node("QLinearConv", ["h", "s1", "z", c2[0], c2[1], c2[2], "s2", "z", c2[3]], ["h2"], pads=[1, 1, 1, 1], strides=[2, 2]),
    helper.make_node("QLinearConv", ["h2", "s2", "z", c3[0], c3[1], c3[2], "s3", "z", c3[3]], ["yq"], pads=[1, 1, 1, 1]),
    helper.make_node("DequantizeLinear", ["yq", "s3", "z"], ["y"]),
]
g = helper.make_graph(nodes, "qlinear_conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 6, 4, 4])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="trtc gen_qoperator.py")
m.ir_version = 7
onnx.checker.check_model(m)
onnx.save(m, os.path.join(d, "model.onnx"))
