#!/usr/bin/env python3
"""Generate torch.export archives under <out>/pt2/ with eager PyTorch references.

For every model: model.pt2 (torch.export.save of torch.export.export), graph.txt
(str(ep.graph)), one <user input name>.npy per input, expected/output_<i>.npy from
the eager module (CPU, eval, no_grad), and meta.json with the call_function op
counts. cnn and gpt also get the decomposed form, ep.run_decompositions(), as
model_decomposed.pt2 + graph_decomposed.txt (its op counts in meta.json).
dyn_mlp is exported with a dynamic batch Dim("batch", min=1, max=8) and has two
sets: x_b2.npy / expected_b2/ and x_b5.npy / expected_b5/ (x.npy / expected/ repeat b2).

Each saved archive is loaded back with torch.export.load and run on every input set;
its outputs must match the eager ones (max abs diffs are recorded in meta.json).

Usage: python3 gen_pt2.py --out STAGING_DIR   (writes STAGING_DIR/pt2/...)
"""

import argparse
import collections
import os
import sys
import traceback

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402


def target_name(target):
    if isinstance(target, (torch._ops.OpOverload, torch._ops.OpOverloadPacket)):
        return str(target)  # e.g. aten.conv2d.default
    mod = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", None) or str(target)
    return f"{mod}.{name}" if mod else name  # e.g. _operator.getitem


def call_function_counts(ep):
    counts = collections.Counter(target_name(n.target) for n in ep.graph.nodes if n.op == "call_function")
    return dict(sorted(counts.items()))


def placeholder_kinds(ep):
    """How many graph placeholders are parameters / buffers / constants / user inputs."""
    sig = ep.graph_signature
    return {"user_inputs": list(sig.user_inputs), "user_outputs": list(sig.user_outputs),
            "num_parameters": len(sig.parameters), "num_buffers": len(sig.buffers),
            "num_lifted_tensor_constants": len(getattr(sig, "lifted_tensor_constants", []))}


def tensor_desc(name, arr):
    return {"name": name, "dtype": str(arr.dtype), "shape": list(arr.shape)}


def run_program(ep, arrays):
    with torch.no_grad():
        return C.to_numpy_list(ep.module()(*[torch.from_numpy(a) for a in arrays]))


def check_close(tag, got, ref, diffs):
    if len(got) != len(ref):
        raise ValueError(f"{tag}: {len(got)} outputs vs {len(ref)} eager outputs")
    for i, (g, r) in enumerate(zip(got, ref)):
        d = C.max_abs_diff(g, r)
        diffs[f"{tag}/output_{i}"] = d
        if d > 1e-4 * max(1.0, float(abs(r).max()) if r.size else 1.0):
            raise ValueError(f"{tag}: output_{i} differs from eager by {d:.3g}")


def save_and_reload(ep, path, input_sets, eager_sets, tag, diffs):
    torch.export.save(ep, path)
    C.check_size(path)
    loaded = torch.export.load(path)
    for set_name, arrays in input_sets.items():
        check_close(f"{tag}:{set_name}", run_program(loaded, arrays), eager_sets[set_name], diffs)
    return loaded


def export_dynamic(model, args):
    """Export with Dim('batch', min=1, max=8) on input 0, falling back to min=2 if refused."""
    errors = []
    for lo in (1, 2):
        try:
            ep = torch.export.export(model, args, dynamic_shapes=({0: torch.export.Dim("batch", min=lo, max=8)},))
            return ep, {"dim": "batch", "min": lo, "max": 8, "input": 0, "axis": 0,
                        "rejected": errors}
        except Exception as e:  # noqa: BLE001
            errors.append(f"Dim('batch', min={lo}, max=8): {type(e).__name__}: {str(e)[:400]}")
            print(f"  dynamic export with min={lo} failed: {e}", flush=True)
    raise RuntimeError(f"dynamic export failed: {errors}")


def single(arr):
    return {"default": [arr]}


SPECS = [
    dict(name="cnn", build=C.build_resnet, inputs=lambda: single(C.image_input()), decompose=True),
    dict(name="gpt", build=C.build_gpt, inputs=lambda: single(C.token_input()), decompose=True),
    dict(name="gelu_tanh", build=lambda: C.build_gelu("tanh"), inputs=lambda: single(C.gelu_input())),
    dict(name="gelu_erf", build=lambda: C.build_gelu("none"), inputs=lambda: single(C.gelu_input())),
    dict(name="dyn_mlp", build=C.build_mlp, inputs=lambda: {k: [v] for k, v in C.mlp_inputs().items()},
         dynamic_batch=True),
]


def generate(spec, out_root):
    name = spec["name"]
    print(f"\n=== pt2/{name} ===", flush=True)
    model, note = spec["build"]()
    input_sets = spec["inputs"]()
    with torch.no_grad():
        eager_sets = {k: C.to_numpy_list(model(*[torch.from_numpy(a) for a in arrs]))
                      for k, arrs in input_sets.items()}
    example_args = tuple(torch.from_numpy(a) for a in next(iter(input_sets.values())))

    dynamic = None
    if spec.get("dynamic_batch"):
        ep, dynamic = export_dynamic(model, example_args)
    else:
        ep = torch.export.export(model, example_args)

    d = C.ensure_dir(os.path.join(out_root, "pt2", name))
    diffs = {}
    for set_name, arrays in input_sets.items():  # the in-memory program first
        check_close(f"exported:{set_name}", run_program(ep, arrays), eager_sets[set_name], diffs)
    save_and_reload(ep, os.path.join(d, "model.pt2"), input_sets, eager_sets, "model.pt2", diffs)
    C.write_text(os.path.join(d, "graph.txt"), str(ep.graph))
    counts = call_function_counts(ep)
    print(f"  call_function targets: {counts}", flush=True)

    meta = {
        "name": name,
        "description": note,
        "exporter": "torch.export.export",
        "torch_version": torch.__version__,
        "files": {"program": "model.pt2", "graph": "graph.txt", "inputs": {}, "expected": {}},
        "signature": placeholder_kinds(ep),
        "op_counts": counts,
        "num_call_function": sum(counts.values()),
    }
    if dynamic:
        meta["dynamic_shapes"] = dynamic
        meta["range_constraints"] = {str(k): str(v) for k, v in ep.range_constraints.items()}

    if spec.get("decompose"):
        dep = ep.run_decompositions()
        for set_name, arrays in input_sets.items():
            check_close(f"decomposed:{set_name}", run_program(dep, arrays), eager_sets[set_name], diffs)
        save_and_reload(dep, os.path.join(d, "model_decomposed.pt2"), input_sets, eager_sets,
                        "model_decomposed.pt2", diffs)
        C.write_text(os.path.join(d, "graph_decomposed.txt"), str(dep.graph))
        dcounts = call_function_counts(dep)
        print(f"  decomposed call_function targets: {dcounts}", flush=True)
        meta["files"]["program_decomposed"] = "model_decomposed.pt2"
        meta["files"]["graph_decomposed"] = "graph_decomposed.txt"
        meta["decomposition"] = "ep.run_decompositions() (default table: core ATen)"
        meta["signature_decomposed"] = placeholder_kinds(dep)
        meta["op_counts_decomposed"] = dcounts
        meta["num_call_function_decomposed"] = sum(dcounts.values())

    input_names = list(ep.graph_signature.user_inputs)
    sets_meta = []
    for set_name, arrays in input_sets.items():
        outs = eager_sets[set_name]
        suffixes = [""] if set_name == "default" else ["_" + set_name] + ([""] if set_name == "b2" else [])
        for sfx in suffixes:
            set_files = {"inputs": {}, "expected": {}}
            for n, arr in zip(input_names, arrays):
                C.save_npy(os.path.join(d, f"{n}{sfx}.npy"), arr)
                set_files["inputs"][n] = f"{n}{sfx}.npy"
            for i, arr in enumerate(outs):
                C.save_npy(os.path.join(d, f"expected{sfx}", f"output_{i}.npy"), arr)
                set_files["expected"][f"output_{i}"] = f"expected{sfx}/output_{i}.npy"
            if sfx == "":
                meta["files"]["inputs"], meta["files"]["expected"] = set_files["inputs"], set_files["expected"]
                meta["inputs"] = [tensor_desc(n, a) for n, a in zip(input_names, arrays)]
                meta["outputs"] = [tensor_desc(f"output_{i}", a) for i, a in enumerate(outs)]
            else:
                sets_meta.append({"name": set_name, "batch": int(arrays[0].shape[0]), **set_files})
    if sets_meta:
        meta["sets"] = sets_meta
        meta["sets_note"] = "expected_<set>/ holds eager outputs for <input>_<set>.npy; x.npy/expected/ repeat set b2"
    meta.update({
        "reference": "eager PyTorch module (CPU, eval, no_grad)",
        "max_abs_diff_vs_eager": diffs,
        "torch_state_dict_sha256": C.state_dict_sha256(model),
        "seed": C.SEED,
        "versions": C.versions(),
    })
    C.write_json(os.path.join(d, "meta.json"), meta)
    print(f"  wrote {d}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="staging root; archives go to OUT/pt2/<name>/")
    ap.add_argument("--only", nargs="*", help="generate only these names")
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
        print("\nPT2 FAILURES:\n  " + "\n  ".join(failures), flush=True)
        return 1
    print("\npt2: all archives generated", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
