#!/usr/bin/env python3
"""Generate the ONNX test models under <out>/models/ with ONNX Runtime CPU references.

For every model: model.onnx, one <graph input name>.npy per graph input,
expected/<graph output name>.npy from ONNX Runtime's CPU execution provider, and
meta.json (exporter, opset, inputs, outputs, op_counts, ...).

Exporter policy: torch.onnx.export(dynamo=True) at opset 18 first (opset 20 for the
gelu_* models); the result is accepted only if it passes onnx.checker (full_check),
strict shape inference, uses only default-domain ONNX ops (no local functions),
meets the model's own requirement (a Gelu node, a symbolic batch dim), runs in ONNX
Runtime and matches the eager PyTorch output. Otherwise the next attempt is used:
torch.onnx.export(dynamo=False) at opset 17 (opset 20 for gelu_*), and for gelu_*
finally a graph built directly with onnx.helper (MatMul -> Add -> Gelu-20).
Every attempt and why it was rejected is recorded in meta.json.

Usage: python3 gen_onnx.py --out STAGING_DIR   (writes STAGING_DIR/models/...)
"""

import argparse
import collections
import io
import os
import sys
import traceback

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

DEFAULT_DOMAINS = ("", "ai.onnx")


# --------------------------------------------------------------------------- graph utilities

def iter_nodes(graph):
    """All nodes of a graph, including those in If/Loop/Scan subgraphs."""
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from iter_nodes(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    yield from iter_nodes(g)


def op_key(node):
    return node.op_type if node.domain in DEFAULT_DOMAINS else f"{node.domain}::{node.op_type}"


def op_counts(model):
    counts = collections.Counter(op_key(n) for n in iter_nodes(model.graph))
    return dict(sorted(counts.items()))


def default_opset(model):
    for o in model.opset_import:
        if o.domain in DEFAULT_DOMAINS:
            return o.version
    return None


def value_info_desc(vi):
    tt = vi.type.tensor_type
    dtype = str(np.dtype(helper.tensor_dtype_to_np_dtype(tt.elem_type)))
    shape = []
    for d in tt.shape.dim:
        if d.HasField("dim_value"):
            shape.append(d.dim_value)
        elif d.HasField("dim_param"):
            shape.append(d.dim_param)
        else:
            shape.append(None)
    return {"name": vi.name, "dtype": dtype, "shape": shape}


def graph_inputs(model):
    """Real graph inputs (initializers listed as inputs by old exporters excluded)."""
    inits = {i.name for i in model.graph.initializer}
    return [vi for vi in model.graph.input if vi.name not in inits]


def rename_dim_param(model, old, new):
    g = model.graph
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        for d in vi.type.tensor_type.shape.dim:
            if d.HasField("dim_param") and d.dim_param == old:
                d.dim_param = new


def uses_external_data(model):
    return any(t.data_location == TensorProto.EXTERNAL for t in model.graph.initializer)


# --------------------------------------------------------------------------- exporters

def export_dynamo(model, args, input_names, output_names, opset, dynamic_batch, batch_min=1):
    kwargs = {}
    if dynamic_batch:  # batch dim of the (single) input is dynamic; dynamic_shapes follows args order
        kwargs["dynamic_shapes"] = ({0: torch.export.Dim("batch", min=batch_min, max=8)},)
    prog = torch.onnx.export(model, args, dynamo=True, opset_version=opset,
                             input_names=input_names, output_names=output_names, **kwargs)
    return prog.model_proto


def export_legacy(model, args, input_names, output_names, opset, dynamic_batch):
    kwargs = {}
    if dynamic_batch:
        kwargs["dynamic_axes"] = {n: {0: "batch"} for n in input_names + output_names}
    buf = io.BytesIO()
    torch.onnx.export(model, args, buf, dynamo=False, opset_version=opset,
                      input_names=input_names, output_names=output_names,
                      do_constant_folding=True, **kwargs)
    return onnx.load_from_string(buf.getvalue())


def build_gelu_graph(model, approximate):
    """MatMul -> Add -> Gelu(approximate) with the weights of a common.GeluLinear."""
    w = model.linear.weight.detach().cpu().numpy().T.copy()  # [in, out]: x @ W
    b = model.linear.bias.detach().cpu().numpy().copy()
    nodes = [
        helper.make_node("MatMul", ["x", "linear.weight_t"], ["linear_out"], name="matmul"),
        helper.make_node("Add", ["linear_out", "linear.bias"], ["pre_gelu"], name="add"),
        helper.make_node("Gelu", ["pre_gelu"], ["y"], name="gelu", approximate=approximate),
    ]
    graph = helper.make_graph(
        nodes, f"gelu_{approximate}",
        inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 8])],
        outputs=[helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8])],
        initializer=[numpy_helper.from_array(w, "linear.weight_t"), numpy_helper.from_array(b, "linear.bias")],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)],
                          producer_name="trtc testdata/gen/gen_onnx.py")
    m.ir_version = 9  # the IR version that goes with opset 20
    return m


# --------------------------------------------------------------------------- running

def run_ort(model, feeds):
    so = ort.SessionOptions()
    so.log_severity_level = 3
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    outs = sess.run(names, feeds)
    return dict(zip(names, outs))


def tolerance(ref):
    return 1e-3 * max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)


def validate(model, spec, input_sets, eager_sets, opset):
    """Raise if the model is not acceptable; return {set: {output: array}} from ORT and diffs."""
    if uses_external_data(model):
        raise ValueError("initializers use external data")
    onnx.checker.check_model(model, full_check=True)
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    bad = sorted({op_key(n) for n in iter_nodes(model.graph) if n.domain not in DEFAULT_DOMAINS})
    if bad or len(model.functions):
        raise ValueError(f"non-standard ops: {bad}, local functions: {[f.name for f in model.functions]}")
    got_opset = default_opset(model)
    if got_opset != opset:
        raise ValueError(f"default-domain opset is {got_opset}, wanted {opset}")
    counts = op_counts(model)
    for op in spec.get("require_ops", []):
        if op not in counts:
            raise ValueError(f"required op {op} not in graph (ops: {counts})")
    ins = graph_inputs(model)
    if len(ins) != len(spec["input_names"]):
        raise ValueError(f"graph has inputs {[i.name for i in ins]}, wanted {spec['input_names']}")
    if spec.get("dynamic_batch"):
        for vi in list(ins) + list(model.graph.output):
            d0 = vi.type.tensor_type.shape.dim[0]
            if not d0.HasField("dim_param"):
                raise ValueError(f"{vi.name} dim 0 is not symbolic: {value_info_desc(vi)['shape']}")
    results, diffs = {}, {}
    for set_name, arrays in input_sets.items():
        feeds = {vi.name: arr for vi, arr in zip(ins, arrays)}
        outs = run_ort(model, feeds)
        if len(outs) != len(eager_sets[set_name]):
            raise ValueError(f"{len(outs)} ORT outputs vs {len(eager_sets[set_name])} eager outputs")
        for (oname, got), ref in zip(outs.items(), eager_sets[set_name]):
            d = C.max_abs_diff(got, ref)
            if d > tolerance(ref):
                raise ValueError(f"set {set_name} output {oname}: ORT vs eager max abs diff {d:.3g}")
            diffs[f"{set_name}/{oname}"] = d
        results[set_name] = outs
    return results, diffs


# --------------------------------------------------------------------------- specs

def single(arr):
    return {"default": [arr]}


SPECS = [
    dict(name="cnn_mobilenet", build=C.build_mobilenet, input_names=["input"], output_names=["logits"],
         inputs=lambda: single(C.image_input()), opsets=(18, 17)),
    dict(name="cnn_resnet", build=C.build_resnet, input_names=["input"], output_names=["logits"],
         inputs=lambda: single(C.image_input()), opsets=(18, 17)),
    dict(name="gpt_tiny", build=C.build_gpt, input_names=["input_ids"], output_names=["logits"],
         inputs=lambda: single(C.token_input()), opsets=(18, 17)),
    dict(name="gelu_tanh", build=lambda: C.build_gelu("tanh"), input_names=["x"], output_names=["y"],
         inputs=lambda: single(C.gelu_input()), opsets=(20, 20), require_ops=["Gelu"], helper_gelu="tanh"),
    dict(name="gelu_erf", build=lambda: C.build_gelu("none"), input_names=["x"], output_names=["y"],
         inputs=lambda: single(C.gelu_input()), opsets=(20, 20), require_ops=["Gelu"], helper_gelu="none"),
    dict(name="dyn_mlp", build=C.build_mlp, input_names=["x"], output_names=["y"],
         inputs=lambda: {k: [v] for k, v in C.mlp_inputs().items()}, opsets=(18, 17), dynamic_batch=True),
]


def generate(spec, out_root):
    name = spec["name"]
    print(f"\n=== {name} ===", flush=True)
    model, note = spec["build"]()
    input_sets = spec["inputs"]()
    with torch.no_grad():
        eager_sets = {k: C.to_numpy_list(model(*[torch.from_numpy(a) for a in arrs]))
                      for k, arrs in input_sets.items()}
    first_set = next(iter(input_sets.values()))
    example_args = tuple(torch.from_numpy(a) for a in first_set)

    dyn_opset, legacy_opset = spec["opsets"]
    attempts = [("torch.onnx.export(dynamo=True)", dyn_opset,
                 lambda: export_dynamo(model, example_args, spec["input_names"], spec["output_names"],
                                       dyn_opset, spec.get("dynamic_batch", False)))]
    if spec.get("dynamic_batch"):  # if Dim(min=1) is refused, try min=2 before leaving the dynamo exporter
        attempts.append(("torch.onnx.export(dynamo=True) [Dim min=2]", dyn_opset,
                         lambda: export_dynamo(model, example_args, spec["input_names"], spec["output_names"],
                                               dyn_opset, True, batch_min=2)))
    attempts += [("torch.onnx.export(dynamo=False)", legacy_opset,
                 lambda: export_legacy(model, example_args, spec["input_names"], spec["output_names"],
                                       legacy_opset, spec.get("dynamic_batch", False)))]
    if spec.get("helper_gelu"):
        attempts.append(("onnx.helper", 20, lambda: build_gelu_graph(model, spec["helper_gelu"])))

    log, chosen = [], None
    for label, opset, fn in attempts:
        try:
            proto = fn()
            results, diffs = validate(proto, spec, input_sets, eager_sets, opset)
            log.append({"exporter": label, "opset": opset, "accepted": True})
            chosen = (label, opset, proto, results, diffs)
            print(f"  {label} opset {opset}: accepted; ops {op_counts(proto)}", flush=True)
            break
        except Exception as e:  # noqa: BLE001 - record and fall back
            msg = f"{type(e).__name__}: {e}"
            log.append({"exporter": label, "opset": opset, "accepted": False, "reason": msg[:600]})
            print(f"  {label} opset {opset}: REJECTED: {msg[:2000]}", flush=True)
            if not isinstance(e, ValueError):
                traceback.print_exc(limit=3)
    if chosen is None:
        raise RuntimeError(f"{name}: every export attempt failed: {log}")
    label, opset, proto, results, diffs = chosen

    ins = graph_inputs(proto)
    if spec.get("dynamic_batch"):
        old = ins[0].type.tensor_type.shape.dim[0].dim_param
        if old != "batch":
            rename_dim_param(proto, old, "batch")
            print(f"  renamed dim_param {old!r} -> 'batch'", flush=True)

    d = C.ensure_dir(os.path.join(out_root, "models", name))
    model_path = os.path.join(d, "model.onnx")
    onnx.save_model(proto, model_path, save_as_external_data=False)
    C.check_size(model_path)

    input_names = [vi.name for vi in ins]
    output_names = [vi.name for vi in proto.graph.output]
    files = {"model": "model.onnx", "inputs": {}, "expected": {}}
    sets_meta = []
    for set_name, arrays in input_sets.items():
        outs = results[set_name]
        if set_name == "default":
            suffixes = [""]
        else:  # dyn_mlp: x_b2.npy / expected_b2/ per set, plus b2 again as the default x.npy / expected/
            suffixes = ["_" + set_name] + ([""] if set_name == "b2" else [])
        for sfx in suffixes:
            set_files = {"inputs": {}, "expected": {}}
            for n, arr in zip(input_names, arrays):
                C.save_npy(os.path.join(d, f"{n}{sfx}.npy"), arr)
                set_files["inputs"][n] = f"{n}{sfx}.npy"
            for n in output_names:
                C.save_npy(os.path.join(d, f"expected{sfx}", f"{n}.npy"), outs[n])
                set_files["expected"][n] = f"expected{sfx}/{n}.npy"
            if sfx == "":
                files["inputs"], files["expected"] = set_files["inputs"], set_files["expected"]
            else:
                sets_meta.append({"name": set_name, "batch": int(arrays[0].shape[0]),
                                  "inputs_shapes": {n: list(a.shape) for n, a in zip(input_names, arrays)},
                                  **set_files})

    meta = {
        "name": name,
        "description": note,
        "exporter": label,
        "opset": opset,
        "ir_version": proto.ir_version,
        "producer": f"{proto.producer_name} {proto.producer_version}".strip(),
        "export_attempts": log,
        "inputs": [value_info_desc(vi) for vi in ins],
        "outputs": [value_info_desc(vi) for vi in proto.graph.output],
        "op_counts": op_counts(proto),
        "num_nodes": sum(1 for _ in iter_nodes(proto.graph)),
        "num_initializers": len(proto.graph.initializer),
        "files": files,
        "reference": "onnxruntime CPUExecutionProvider",
        "ort_vs_torch_eager_max_abs_diff": diffs,
        "torch_state_dict_sha256": C.state_dict_sha256(model),
        "seed": C.SEED,
        "versions": C.versions(),
    }
    if sets_meta:
        meta["sets"] = sets_meta
        meta["sets_note"] = "expected_<set>/ holds ORT outputs for <input>_<set>.npy; x.npy/expected/ repeat set b2"
    C.write_json(os.path.join(d, "meta.json"), meta)
    print(f"  wrote {d}: model.onnx {os.path.getsize(model_path)} bytes", flush=True)
    return {"name": name, "exporter": label, "opset": opset, "op_counts": meta["op_counts"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="staging root; models go to OUT/models/<name>/")
    ap.add_argument("--only", nargs="*", help="generate only these model names")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print("versions:", C.versions(), flush=True)
    failures = []
    for spec in SPECS:
        if args.only and spec["name"] not in args.only:
            continue
        try:
            generate(spec, args.out)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            failures.append(f"{spec['name']}: {e}")
    if failures:
        print("\nONNX FAILURES:\n  " + "\n  ".join(failures), flush=True)
        return 1
    print("\nONNX: all models generated", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
