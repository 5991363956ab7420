#!/usr/bin/env python3
"""testdata/pt2/scaled_swish: the custom op of docs/custom-ops.md in its
PyTorch form, a torch.library.custom_op acme::scaled_swish exported with
torch.export (dynamic batch Dim "N"); plugins/scaled_swish defines it.

The module has the same weights as testdata/models/scaled_swish/model.onnx
(read from it: Linear weight = W^T, bias = b), so both forms compute

    y = scaled_swish(x @ W + b, alpha=1.5),  scaled_swish(h) = h * sigmoid(alpha * h)

Writes, under --out: model.pt2 (torch.export.save), graph.txt (str(ep.graph)),
x.npy, expected/output_0.npy (eager PyTorch, CPU, float32) and meta.json (with
the max abs difference from the archive reloaded, and from the ONNX form's
numpy reference). Needs torch, numpy, onnx (the GPU machine has them; no GPU
is used):

    python3 gen_custom_op_pt2.py --onnx testdata/models/scaled_swish/model.onnx \
        --x testdata/models/scaled_swish/x.npy \
        --expected testdata/models/scaled_swish/expected/y.npy --out OUT_DIR
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

ALPHA = 1.5


@torch.library.custom_op("acme::scaled_swish", mutates_args=())
def scaled_swish(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    return x * torch.sigmoid(alpha * x)


@scaled_swish.register_fake
def _(x, alpha=1.0):
    return torch.empty_like(x)


class Model(torch.nn.Module):
    def __init__(self, w, b):
        super().__init__()
        self.lin = torch.nn.Linear(8, 8)
        with torch.no_grad():
            self.lin.weight.copy_(torch.from_numpy(w.T.copy()))
            self.lin.bias.copy_(torch.from_numpy(b))

    def forward(self, x):
        return torch.ops.acme.scaled_swish(self.lin(x), ALPHA)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--x", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.manual_seed(0)
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(a.onnx).graph.initializer}
    m = Model(inits["W"], inits["b"]).eval()
    x = np.load(a.x)
    with torch.no_grad():
        eager = m(torch.from_numpy(x)).numpy()
    ep = torch.export.export(m, (torch.from_numpy(x),),
                             dynamic_shapes=({0: torch.export.Dim("N", min=1, max=64)},))
    os.makedirs(os.path.join(a.out, "expected"), exist_ok=True)
    path = os.path.join(a.out, "model.pt2")
    torch.export.save(ep, path)
    with open(os.path.join(a.out, "graph.txt"), "w") as f:
        f.write(str(ep.graph))
    np.save(os.path.join(a.out, "x.npy"), x)
    np.save(os.path.join(a.out, "expected", "output_0.npy"), eager)
    with torch.no_grad():
        reloaded = torch.export.load(path).module()(torch.from_numpy(x)).numpy()
    targets = sorted({str(n.target) for n in ep.graph.nodes if n.op == "call_function"})
    counts = {}
    for n in ep.graph.nodes:
        if n.op == "call_function":
            counts[str(n.target)] = counts.get(str(n.target), 0) + 1
    meta = {
        "name": "scaled_swish",
        "description": "Linear(8, 8) -> torch.ops.acme.scaled_swish(alpha=1.5), a torch.library.custom_op; x is [N, 8]",
        "exporter": "torch.export.export, dynamic_shapes Dim('N', min=1, max=64)",
        "call_functions": targets,
        "op_counts": dict(sorted(counts.items())),
        "files": {"program": "model.pt2", "graph": "graph.txt", "inputs": {"x": "x.npy"},
                  "expected": {"output_0": "expected/output_0.npy"}},
        "inputs": [{"name": "x", "dtype": "float32", "shape": list(x.shape)}],
        "outputs": [{"name": "output_0", "dtype": "float32", "shape": list(eager.shape)}],
        "reference": "eager PyTorch (CPU, float32)",
        "reloaded_vs_eager_max_abs_diff": float(np.abs(reloaded - eager).max()),
        "eager_vs_onnx_form_numpy_max_abs_diff": float(np.abs(eager - np.load(a.expected)).max()),
        "alpha": ALPHA,
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "onnx": onnx.__version__},
    }
    with open(os.path.join(a.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(json.dumps(meta, indent=2))
    print(ep.graph)


if __name__ == "__main__":
    main()
