# Makes trtc's deployment testdata models (recurrent, control flow, QDQ,
# float16/bfloat16, detection) on the GPU machine: each model with
# inputs (.npy) and ONNX Runtime outputs (.npy), plus a manifest saying
# which provider (or, where ONNX Runtime cannot run the model, which other
# reference) produced the outputs. Run: python3 gen_deploy.py OUTDIR
import json, os, sys, traceback
import numpy as np
import torch, torch.nn as nn
import onnx
from onnx import helper, TensorProto, numpy_helper
import onnxruntime as ort

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
rng = np.random.default_rng(0)
manifest = {"onnx": onnx.__version__, "onnxruntime": ort.__version__, "torch": torch.__version__, "models": {}}
dev = "cuda" if torch.cuda.is_available() else "cpu"


def save_io(name, feeds, outs, names, ref, note=""):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    for k, v in feeds.items():
        np.save(os.path.join(d, "in_" + k + ".npy"), v)
    for k, v in zip(names, outs):
        np.save(os.path.join(d, "out_" + k + ".npy"), np.asarray(v))
    manifest["models"][name] = {"reference": ref, "inputs": list(feeds), "outputs": names, "note": note}


def ort_run(path, feeds, providers):
    last = None
    for prov in providers:
        try:
            s = ort.InferenceSession(path, providers=[prov])
            names = [o.name for o in s.get_outputs()]
            return s.run(None, feeds), names, "onnxruntime " + prov
        except Exception as e:  # try the next provider
            last = e
    raise last


CPU = ["CPUExecutionProvider"]
GPU_CPU = ["CUDAExecutionProvider", "CPUExecutionProvider"]


def export(name, model, args, in_names, out_names, opset=17, dynamic_axes=None):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    torch_export(model, args, path, input_names=in_names, output_names=out_names,
                 opset_version=opset, dynamic_axes=dynamic_axes)
    return path


def torch_export(*a, **k):
    try:
        torch.onnx.export(*a, dynamo=False, **k)
    except TypeError:  # a torch without the dynamo switch
        torch.onnx.export(*a, **k)


def job(fn):
    only = os.environ.get("ONLY")
    if only and fn.__name__ not in only.split(","):
        return
    try:
        fn()
    except Exception:
        manifest["models"][fn.__name__] = {"error": traceback.format_exc()[-3000:]}


@job
def lstm():
    class M(nn.Module):
        def __init__(s):
            super().__init__()
            s.rnn = nn.LSTM(8, 16, num_layers=1, batch_first=True, bidirectional=True)
            s.fc = nn.Linear(32, 4)

        def forward(s, x):
            y, (h, c) = s.rnn(x)
            return s.fc(y[:, -1, :]), h

    m = M().eval()
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    path = export("lstm", m, (torch.from_numpy(x),), ["x"], ["logits", "h"])
    outs, names, ref = ort_run(path, {"x": x}, CPU)
    save_io("lstm", {"x": x}, outs, names, ref)


@job
def gru():
    class M(nn.Module):
        def __init__(s):
            super().__init__()
            s.rnn = nn.GRU(6, 12, num_layers=2)
            s.fc = nn.Linear(12, 3)

        def forward(s, x, h0):
            y, h = s.rnn(x, h0)
            return s.fc(y), h

    m = M().eval()
    x = rng.standard_normal((7, 2, 6)).astype(np.float32)
    h0 = rng.standard_normal((2, 2, 12)).astype(np.float32)
    path = export("gru", m, (torch.from_numpy(x), torch.from_numpy(h0)), ["x", "h0"], ["y", "h"])
    outs, names, ref = ort_run(path, {"x": x, "h0": h0}, CPU)
    save_io("gru", {"x": x, "h0": h0}, outs, names, ref)


@job
def scan_loop():
    # Scan: a running sum over the sequence (loop-carried state and scan
    # output), then Loop: M iterations of y = y * 0.5 + w, with a scan
    # output per iteration and an outer-scope read of w.
    sb = helper.make_graph(
        [helper.make_node("Add", ["s_in", "x_t"], ["s_out"]),
         helper.make_node("Tanh", ["s_out"], ["y_t"])],
        "scan_body",
        [helper.make_tensor_value_info("s_in", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("x_t", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("s_out", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("y_t", TensorProto.FLOAT, [4])])
    lb = helper.make_graph(
        [helper.make_node("Mul", ["y_in", "half"], ["m"]),
         helper.make_node("Add", ["m", "w"], ["y_out"]),
         helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Relu", ["y_out"], ["scan_y"])],
        "loop_body",
        [helper.make_tensor_value_info("iter", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("y_in", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("y_out", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("scan_y", TensorProto.FLOAT, [4])])
    nodes = [
        helper.make_node("Scan", ["s0", "x"], ["s_final", "ys"], num_scan_inputs=1, body=sb),
        helper.make_node("Loop", ["trip", "cond", "s_final"], ["y_final", "loop_ys"], body=lb),
    ]
    g = helper.make_graph(nodes, "scan_loop",
                          [helper.make_tensor_value_info("s0", TensorProto.FLOAT, [4]),
                           helper.make_tensor_value_info("x", TensorProto.FLOAT, [6, 4])],
                          [helper.make_tensor_value_info("ys", TensorProto.FLOAT, [6, 4]),
                           helper.make_tensor_value_info("y_final", TensorProto.FLOAT, [4]),
                           helper.make_tensor_value_info("loop_ys", TensorProto.FLOAT, [3, 4])],
                          [numpy_helper.from_array(np.array(3, np.int64), "trip"),
                           numpy_helper.from_array(np.array(True), "cond"),
                           numpy_helper.from_array(np.array(0.5, np.float32), "half"),
                           numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "w")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8  # opset 17's IR version; ONNX Runtime refuses newer IR than it knows
    onnx.checker.check_model(m)
    d = os.path.join(out, "scan_loop")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(m, path)
    feeds = {"s0": rng.standard_normal(4).astype(np.float32), "x": rng.standard_normal((6, 4)).astype(np.float32)}
    outs, names, ref = ort_run(path, feeds, CPU)
    save_io("scan_loop", feeds, outs, names, ref)


class CNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(3, 8, 3, padding=1)
        s.bn = nn.BatchNorm2d(8)
        s.c2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        s.pool = nn.AdaptiveAvgPool2d(1)
        s.fc = nn.Linear(16, 10)

    def forward(s, x):
        x = torch.relu(s.bn(s.c1(x)))
        x = torch.relu(s.c2(x))
        x = torch.flatten(s.pool(x), 1)
        return s.fc(x)


@job
def qdq_cnn():
    from onnxruntime.quantization import quantize_static, QuantFormat, QuantType, CalibrationDataReader
    m = CNN().eval()
    x = rng.standard_normal((1, 3, 16, 16)).astype(np.float32)
    d = os.path.join(out, "qdq_cnn")
    os.makedirs(d, exist_ok=True)
    fp32 = os.path.join(out, "qdq_cnn_fp32.onnx")
    torch_export(m, (torch.from_numpy(x),), fp32, input_names=["x"], output_names=["y"], opset_version=17)

    class Reader(CalibrationDataReader):
        def __init__(s):
            s.data = iter([{"x": rng.standard_normal((1, 3, 16, 16)).astype(np.float32)} for _ in range(8)])

        def get_next(s):
            return next(s.data, None)

    path = os.path.join(d, "model.onnx")
    quantize_static(fp32, path, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)
    os.remove(fp32)
    outs, names, ref = ort_run(path, {"x": x}, CPU)
    save_io("qdq_cnn", {"x": x}, outs, names, ref)


@job
def fp16_cnn():
    m = CNN().eval().to(dev).half()
    x = rng.standard_normal((1, 3, 16, 16)).astype(np.float16)
    path = export("fp16_cnn", m, (torch.from_numpy(x).to(dev),), ["x"], ["y"])
    try:
        outs, names, ref = ort_run(path, {"x": x}, GPU_CPU)
        note = ""
    except Exception as e:
        with torch.no_grad():
            outs = [m(torch.from_numpy(x).to(dev)).float().cpu().numpy().astype(np.float16)]
        names, ref, note = ["y"], "torch " + dev, "onnxruntime failed: " + str(e)[:300]
    save_io("fp16_cnn", {"x": x}, outs, names, ref, note)


@job
def bf16_mlp():
    m = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 8)).eval().to(dev).to(torch.bfloat16)
    xt = torch.randn(4, 16, dtype=torch.bfloat16)
    path = export("bf16_mlp", m, (xt.to(dev),), ["x"], ["y"])
    # numpy has no bfloat16: the input and output are stored as float32
    # holding bfloat16 values exactly (out_y.npy, in_x.npy), and as the raw
    # bfloat16 bits (*.bf16.npy, uint16).
    x32 = xt.float().numpy()
    xbits = xt.view(torch.int16).numpy().view(np.uint16)
    try:
        import onnxruntime as o
        s = o.InferenceSession(path, providers=GPU_CPU)
        xv = o.OrtValue.ortvalue_from_numpy_with_onnx_type(xbits, onnx_element_type=TensorProto.BFLOAT16)
        res = s.run_with_ort_values(None, {"x": xv})
        ybits = res[0].numpy().view(np.uint16)
        ref, note = "onnxruntime " + s.get_providers()[0], ""
    except Exception as e:
        with torch.no_grad():
            y = m(xt.to(dev)).cpu()
        ybits = y.view(torch.int16).numpy().view(np.uint16)
        ref, note = "torch " + dev, "onnxruntime failed: " + str(e)[:300]
    y32 = (ybits.astype(np.uint32) << 16).view(np.float32)
    d = os.path.join(out, "bf16_mlp")
    np.save(os.path.join(d, "in_x.bf16.npy"), xbits)
    np.save(os.path.join(d, "out_y.bf16.npy"), ybits)
    save_io("bf16_mlp", {"x": x32}, [y32], ["y"], ref, note)


@job
def det_head():
    import torchvision

    class Det(nn.Module):
        def forward(s, boxes, scores):
            v, i = scores.topk(32)
            b = boxes[i]
            keep = torchvision.ops.nms(b, v, 0.5)
            return b[keep], v[keep]

    xy = rng.uniform(0, 50, (100, 2)).astype(np.float32)
    wh = rng.uniform(5, 30, (100, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + wh], 1)
    scores = rng.uniform(0, 1, 100).astype(np.float32)
    path = export("det_head", Det().eval(), (torch.from_numpy(boxes), torch.from_numpy(scores)),
                  ["boxes", "scores"], ["kept_boxes", "kept_scores"])
    feeds = {"boxes": boxes, "scores": scores}
    outs, names, ref = ort_run(path, feeds, CPU)
    save_io("det_head", feeds, outs, names, ref)


for name, info in manifest["models"].items():
    d = os.path.join(out, name, "model.onnx")
    if os.path.exists(d):
        m = onnx.load(d)
        info["ops"] = sorted({n.op_type for n in m.graph.node})
        info["nodes"] = len(m.graph.node)
        info["bytes"] = os.path.getsize(d)
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print(json.dumps(manifest, indent=1)[:6000])
