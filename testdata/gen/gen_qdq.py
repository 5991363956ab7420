# Makes trtc's quantized testdata models on the GPU machine (ONNX Runtime's
# quantization tool is Python-only): a small CNN quantized by
# onnxruntime.quantization.quantize_static three ways, each with an input
# (.npy) and ONNX Runtime CPU outputs (.npy):
#   qdq_int8_sym  the form TensorRT users make: QDQ format, per-channel
#                 int8 weights, symmetric int8 activations
#                 (ActivationSymmetric/WeightSymmetric)
#   qdq_uint8     ONNX Runtime's defaults: uint8 asymmetric activations,
#                 per-tensor int8 weights
#   qdq_fp8       float8 e4m3fn activations and weights (QFLOAT8E4M3FN);
#                 if this ONNX Runtime cannot make it, the same graph is
#                 built with onnx.helper (the manifest says which)
# Run: python3 gen_qdq.py OUTDIR on the device machine (torch 2.11.0,
# onnx 1.23.1, onnxruntime 1.30.0; the versions are recorded in
# testdata/models/qdq_manifest.json), then copy OUTDIR/qdq_* to
# testdata/models/. This ONNX Runtime made the float8 model with
# quantize_static (the onnx.helper path below is for one that cannot).
import json, os, sys, traceback
import numpy as np
import torch, torch.nn as nn
import onnx
from onnx import helper, TensorProto, numpy_helper
import onnxruntime as ort
from onnxruntime.quantization import quantize_static, QuantFormat, QuantType, CalibrationDataReader, CalibrationMethod

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
rng = np.random.default_rng(1)
manifest = {"onnx": onnx.__version__, "onnxruntime": ort.__version__, "torch": torch.__version__, "models": {}}


class CNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(3, 8, 3, padding=1)
        s.bn = nn.BatchNorm2d(8)
        s.c2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        s.c3 = nn.Conv2d(16, 16, 3, padding=1)
        s.pool = nn.AdaptiveAvgPool2d(1)
        s.fc = nn.Linear(16, 10)

    def forward(s, x):
        x = torch.relu(s.bn(s.c1(x)))
        x = torch.relu(s.c2(x))
        x = torch.relu(s.c3(x)) + x
        x = torch.flatten(s.pool(x), 1)
        return s.fc(x)


m = CNN().eval()
with torch.no_grad():  # non-trivial batch-norm statistics
    m.bn.running_mean.uniform_(-0.5, 0.5)
    m.bn.running_var.uniform_(0.5, 2)
x = rng.standard_normal((1, 3, 16, 16)).astype(np.float32)
fp32 = os.path.join(out, "cnn_fp32.onnx")
try:
    torch.onnx.export(m, (torch.from_numpy(x),), fp32, input_names=["x"], output_names=["y"], opset_version=19, dynamo=False)
except TypeError:
    torch.onnx.export(m, (torch.from_numpy(x),), fp32, input_names=["x"], output_names=["y"], opset_version=19)
calib = [rng.standard_normal((1, 3, 16, 16)).astype(np.float32) for _ in range(16)]


class Reader(CalibrationDataReader):
    def __init__(s):
        s.it = iter([{"x": c} for c in calib])

    def get_next(s):
        return next(s.it, None)


def finish(name, path, note):
    d = os.path.join(out, name)
    so = ort.SessionOptions()
    if name == "qdq_fp8":  # ORT would fuse the Q/DQ into a QLinearConv, which has no float8 kernel
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    y = s.run(None, {"x": x})
    np.save(os.path.join(d, "x.npy"), x)
    os.makedirs(os.path.join(d, "expected"), exist_ok=True)
    for o, v in zip(s.get_outputs(), y):
        np.save(os.path.join(d, "expected", o.name + ".npy"), v)
    g = onnx.load(path).graph
    ops = {}
    for n in g.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    manifest["models"][name] = {"reference": "onnxruntime CPUExecutionProvider", "note": note, "ops": ops,
                                "nodes": len(g.node), "bytes": os.path.getsize(path)}


def job(name, fn):
    try:
        os.makedirs(os.path.join(out, name), exist_ok=True)
        fn(name)
    except Exception:
        manifest["models"][name] = {"error": traceback.format_exc()[-3000:]}


def int8_sym(name):
    p = os.path.join(out, name, "model.onnx")
    quantize_static(fp32, p, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    extra_options={"ActivationSymmetric": True, "WeightSymmetric": True})
    finish(name, p, "quantize_static QDQ, per-channel symmetric int8 weights, symmetric int8 activations")


def uint8(name):
    p = os.path.join(out, name, "model.onnx")
    quantize_static(fp32, p, Reader(), quant_format=QuantFormat.QDQ)
    finish(name, p, "quantize_static QDQ with ONNX Runtime's defaults (uint8 asymmetric activations, per-tensor int8 weights)")


def fp8(name):
    p = os.path.join(out, name, "model.onnx")
    try:
        quantize_static(fp32, p, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QFLOAT8E4M3FN, weight_type=QuantType.QFLOAT8E4M3FN,
                        calibrate_method=CalibrationMethod.Distribution,
                        extra_options={"ActivationSymmetric": True, "WeightSymmetric": True})
        finish(name, p, "quantize_static QDQ, float8 e4m3fn weights and activations (Distribution calibration)")
        return
    except Exception:
        manifest.setdefault("fp8_quantize_static_error", traceback.format_exc()[-2000:])
    # onnx.helper: the int8 symmetric model's graph with float8 types.
    q = onnx.load(os.path.join(out, "qdq_int8_sym", "model.onnx"))
    for init in q.graph.initializer:
        if init.data_type == TensorProto.INT8:
            a = numpy_helper.to_array(init).astype(np.float32)
            init.CopyFrom(helper.make_tensor(init.name, TensorProto.FLOAT8E4M3FN, a.shape, a.flatten().tolist()))
    onnx.save(q, p)
    finish(name, p, "onnx.helper: the int8 symmetric graph with float8e4m3fn quantized tensors")


job("qdq_int8_sym", int8_sym)
job("qdq_uint8", uint8)
job("qdq_fp8", fp8)
os.remove(fp32)
with open(os.path.join(out, "qdq_manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
