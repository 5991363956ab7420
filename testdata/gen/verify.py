#!/usr/bin/env python3
"""Check an unpacked testdata/ tree with numpy + onnx only (no torch needed).

- every file is under 10 MB, and the total size is reported;
- every .npy loads, and the input/expected files named in meta.json exist and
  match the dtypes (and the static dims) that meta.json gives;
- each models/*/model.onnx has exactly the op counts that its meta.json records;
- each pt2/*/*.pt2 is a readable zip archive.

Usage: /usr/bin/python3 testdata/gen/verify.py [testdata_dir]   (exit status 1 on any problem)
"""

import collections
import glob
import json
import os
import sys
import zipfile

import numpy as np
import onnx

MAX = 10 * 1000 * 1000


def iter_nodes(graph):
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from iter_nodes(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    yield from iter_nodes(g)


def op_counts(model):
    c = collections.Counter(n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}::{n.op_type}"
                            for n in iter_nodes(model.graph))
    return dict(sorted(c.items()))


def check_tensor(problems, folder, rel, desc, static_only=True):
    p = os.path.join(folder, rel)
    if not os.path.exists(p):
        problems.append(f"missing {p}")
        return
    a = np.load(p)
    if str(a.dtype) != desc["dtype"]:
        problems.append(f"{p}: dtype {a.dtype} != meta {desc['dtype']}")
    shape = desc["shape"]
    if len(shape) != a.ndim or any(isinstance(s, int) and s != n for s, n in zip(shape, a.shape)):
        problems.append(f"{p}: shape {list(a.shape)} != meta {shape}")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    root = os.path.abspath(root)
    problems, total = [], 0
    for dirpath, _, files in os.walk(root):
        for fn in files:
            p = os.path.join(dirpath, fn)
            n = os.path.getsize(p)
            total += n
            if n >= MAX:
                problems.append(f"{p}: {n} bytes >= 10 MB")
            if fn.endswith(".npy"):
                try:
                    np.load(p)
                except Exception as e:  # noqa: BLE001
                    problems.append(f"{p}: np.load failed: {e}")
    print(f"total bytes under {root}: {total} ({total / 1e6:.2f} MB)")

    for meta_path in sorted(glob.glob(os.path.join(root, "models", "*", "meta.json"))):
        folder = os.path.dirname(meta_path)
        name = os.path.basename(folder)
        meta = json.load(open(meta_path))
        model = onnx.load(os.path.join(folder, meta["files"]["model"]))
        got = op_counts(model)
        status = "ok" if got == meta["op_counts"] else "MISMATCH"
        if got != meta["op_counts"]:
            problems.append(f"models/{name}: ops {got} != meta {meta['op_counts']}")
        opset = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
        print(f"models/{name}: {meta['exporter']} opset {opset} ops[{status}] {got}")
        for d in meta["inputs"]:
            check_tensor(problems, folder, meta["files"]["inputs"][d["name"]], d)
        for d in meta["outputs"]:
            check_tensor(problems, folder, meta["files"]["expected"][d["name"]], d)
        for s in meta.get("sets", []):
            for kind in ("inputs", "expected"):
                for rel in s[kind].values():
                    if not os.path.exists(os.path.join(folder, rel)):
                        problems.append(f"models/{name}: missing {rel}")

    for meta_path in sorted(glob.glob(os.path.join(root, "pt2", "*", "meta.json"))):
        folder = os.path.dirname(meta_path)
        name = os.path.basename(folder)
        meta = json.load(open(meta_path))
        for pt2 in sorted(glob.glob(os.path.join(folder, "*.pt2"))):
            try:
                with zipfile.ZipFile(pt2) as z:
                    bad = z.testzip()
                    if bad:
                        problems.append(f"{pt2}: corrupt member {bad}")
            except zipfile.BadZipFile as e:
                problems.append(f"{pt2}: not a zip: {e}")
        for d in meta["inputs"]:
            check_tensor(problems, folder, meta["files"]["inputs"][d["name"]], d)
        for d in meta["outputs"]:
            check_tensor(problems, folder, meta["files"]["expected"][d["name"]], d)
        for s in meta.get("sets", []):
            for kind in ("inputs", "expected"):
                for rel in s[kind].values():
                    if not os.path.exists(os.path.join(folder, rel)):
                        problems.append(f"pt2/{name}: missing {rel}")
        print(f"pt2/{name}: {meta['op_counts']}")
        if "op_counts_decomposed" in meta:
            print(f"pt2/{name} (decomposed): {meta['op_counts_decomposed']}")

    if problems:
        print("\nPROBLEMS:\n  " + "\n  ".join(problems))
        return 1
    print("\nverify: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
