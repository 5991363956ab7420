#!/usr/bin/env bash
# Regenerate testdata/models/ and testdata/pt2/ (and gen/MANIFEST.md) into a staging
# dir and pack them as $OUT/testdata.tgz (OUT defaults to /tmp/trtc-testdata).
# Needs python3 with torch, torchvision, onnx, onnxruntime, onnxscript, numpy; no GPU
# is used (all references are computed on CPU). Unpack with:
#   cat $OUT/testdata.tgz* | tar -xz -C testdata/   (the archive may be split into .part-NN)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT_DIR="${OUT:-/tmp/trtc-testdata}"
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/trtc-testdata-stage.XXXXXX")"
mkdir -p "$OUT_DIR"
export PYTHONHASHSEED=0 CUDA_VISIBLE_DEVICES="" PYTHONUNBUFFERED=1

rc=0
echo "== staging in $STAGE"
python3 "$HERE/gen_onnx.py" --out "$STAGE" || rc=1
python3 "$HERE/gen_pt2.py" --out "$STAGE" || rc=1
python3 "$HERE/make_manifest.py" --stage "$STAGE" --gen "$HERE" || rc=1

echo "== staged files"
(cd "$STAGE" && find . -type f -printf '%10s  %p\n' | sort -k2)
du -sh "$STAGE"
tar -czf "$OUT_DIR/testdata.tgz" -C "$STAGE" models pt2 gen/MANIFEST.md || rc=1
# the device tool returns files of at most 16 MiB: split a larger archive into
# testdata.tgz.part-00, -01, ... (rejoin with: cat testdata.tgz.part-* | tar -xz)
if [ "$(stat -c %s "$OUT_DIR/testdata.tgz")" -gt $((15 * 1024 * 1024)) ]; then
  split -b 12m -d -a 2 "$OUT_DIR/testdata.tgz" "$OUT_DIR/testdata.tgz.part-" && rm "$OUT_DIR/testdata.tgz"
fi
ls -l "$OUT_DIR"/testdata.tgz*
echo "== run_all.sh exit status $rc"
exit $rc
