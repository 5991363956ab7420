#!/usr/bin/env bash
# Regenerate testdata/zoo/ (gen_zoo.py) into a staging dir and pack it as
# $OUT/zoo.tgz; the graph texts (for reading, not committed) go to $OUT/graphs.tgz.
# Unpack with: tar -xzf $OUT/zoo.tgz -C testdata/
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT_DIR="${OUT:-/tmp/trtc-zoo}"
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/trtc-zoo.XXXXXX")"
mkdir -p "$OUT_DIR"
export PYTHONHASHSEED=0 CUDA_VISIBLE_DEVICES="" PYTHONUNBUFFERED=1
rc=0
python3 "$HERE/gen_zoo.py" --out "$STAGE" "$@" || rc=1
(cd "$STAGE" && find zoo -type f -printf '%10s  %p\n' | sort -k2)
du -sh "$STAGE/zoo"
tar -czf "$OUT_DIR/zoo.tgz" -C "$STAGE" zoo || rc=1
tar -czf "$OUT_DIR/graphs.tgz" -C "$STAGE" graphs || true
ls -l "$OUT_DIR"
echo "== run_zoo.sh exit status $rc"
exit $rc
