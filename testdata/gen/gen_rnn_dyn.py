"""Recurrent classifiers with a symbolic sequence length, for the loop
converters (converters/onnx/rnn.go, converters/aten/rnn.go).

    OUT=/tmp/out python3 testdata/gen/gen_rnn_dyn.py

(run on the GPU machine, which has torch and onnxruntime; nothing uses the
GPU: every model is in eval mode on the CPU). It writes, under
$OUT/testdata/:

  models/{lstm_dyn,gru_dyn}/  model.onnx (torch.onnx.export, dynamo=False,
      opset 17, the sequence axis of x named "seq"), x.npy (batch 2, 5
      steps), x_s9.npy (9 steps), expected/ and expected_s9/ (ONNX
      Runtime's CPU outputs logits.npy and h.npy)
  pt2/{lstm_dyn,gru_dyn}/  model.pt2 (torch.export.export with
      Dim("seq", min=2, max=32): aten.lstm.input / aten.gru.input keep a
      symbolic length, which pkg/lower does not unroll), x.npy, x_s9.npy,
      expected/ and expected_s9/ (eager PyTorch: output_0.npy, output_1.npy)

and $OUT/log.txt. With PyTorch 2.11 the torch.export part fails: nn.LSTM
and nn.GRU specialize the sequence length ("Constraints violated (seq)!
... your code specialized it to be a constant (5)"), so testdata has the
ONNX models only; the ATen loop converters are checked by convtest
(converters/aten/rnn_test.go) with symbolic lengths. The model: nn.LSTM or nn.GRU(8, 12, num_layers=2,
bidirectional=True, batch_first=True), the mean of its outputs over time
through Linear(24, 4) (logits), and h_n.
"""
import json
import os
import sys
import traceback

import numpy as np
import torch
import torch.nn as nn

out = os.path.join(os.environ.get("OUT", "/tmp/out"), "testdata")
log = []


class Classifier(nn.Module):
    def __init__(s, cell):
        super().__init__()
        s.cell = cell
        s.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](8, 12, num_layers=2, bidirectional=True, batch_first=True)
        s.fc = nn.Linear(24, 4)

    def forward(s, x):
        y, h = s.rnn(x)
        if s.cell == "lstm":
            h = h[0]
        return s.fc(y.mean(dim=1)), h


def save(d, name, a):
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, name), a)


for cell in ["lstm", "gru"]:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    m = Classifier(cell).eval()
    xs = {"": rng.standard_normal((2, 5, 8)).astype(np.float32), "_s9": rng.standard_normal((2, 9, 8)).astype(np.float32)}
    name = cell + "_dyn"
    try:
        d = os.path.join(out, "models", name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "model.onnx")
        torch.onnx.export(m, (torch.from_numpy(xs[""]),), path, input_names=["x"], output_names=["logits", "h"],
                          dynamic_axes={"x": {1: "seq"}}, opset_version=17, dynamo=False)
        import onnxruntime as ort
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        for sfx, x in xs.items():
            save(d, "x%s.npy" % sfx, x)
            res = sess.run(None, {"x": x})
            with torch.no_grad():
                eager = m(torch.from_numpy(x))
            for n, r, e in zip(["logits", "h"], res, eager):
                save(os.path.join(d, "expected" + sfx), n + ".npy", r)
                log.append("%s onnx%s %s: ort vs eager max abs diff %.3g" % (name, sfx, n, float(np.abs(r - e.numpy()).max())))
        import onnx
        g = onnx.load(path).graph
        log.append("%s onnx ops: %s" % (name, sorted({n.op_type for n in g.node})))
    except Exception:
        log.append("%s onnx FAILED:\n%s" % (name, traceback.format_exc()))
    try:
        d = os.path.join(out, "pt2", name)
        os.makedirs(d, exist_ok=True)
        seq = torch.export.Dim("seq", min=2, max=32)
        ep = torch.export.export(m, (torch.from_numpy(xs[""]),), dynamic_shapes={"x": {1: seq}})
        torch.export.save(ep, os.path.join(d, "model.pt2"))
        with open(os.path.join(d, "graph.txt"), "w") as f:
            f.write(str(ep.graph))
        ops = sorted({str(n.target) for n in ep.graph.nodes if n.op == "call_function"})
        log.append("%s pt2 ops: %s" % (name, ops))
        for sfx, x in xs.items():
            save(d, "x%s.npy" % sfx, x)
            with torch.no_grad():
                res = m(torch.from_numpy(x))
            for i, r in enumerate(res):
                save(os.path.join(d, "expected" + sfx), "output_%d.npy" % i, r.numpy())
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump({"name": name, "torch_version": torch.__version__, "ops": ops,
                       "description": "nn.%s(8, 12, num_layers=2, bidirectional=True, batch_first=True), mean over time, Linear(24, 4); h_n" % cell.upper(),
                       "dynamic": {"x": {"1": "seq in [2, 32]"}}}, f, indent=1)
    except Exception:
        log.append("%s pt2 FAILED:\n%s" % (name, traceback.format_exc()))

with open(os.path.join(os.path.dirname(out), "log.txt"), "w") as f:
    f.write("\n".join(log) + "\n")
print("\n".join(log))
