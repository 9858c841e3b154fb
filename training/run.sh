#!/usr/bin/env bash
# One command from the FER-2013 training folder to the shipped model files:
#   bash training/run.sh /path/to/fer-train [out-dir]
# trains with training/config.json (checkpoints in out-dir, default training/out/run, ignored
# by git), then exports the best hold-out checkpoint to models/callmood-emotion.{json,bin}
# and writes the browser parity fixture test/fixtures/emotion-model-parity.json.
# RESUME=1 continues an interrupted run from out-dir/last.pt. PYTHON picks the interpreter
# (default /usr/bin/python3, Debian's, which has python3-torch).
set -euo pipefail
DATA=${1:?usage: bash training/run.sh /path/to/fer-train [out-dir]}
OUT=${2:-training/out/run}
PY=${PYTHON:-/usr/bin/python3}
cd "$(dirname "$0")/.."
"$PY" training/train.py --data "$DATA" --out "$OUT" ${RESUME:+--resume}
"$PY" training/export_tfjs.py --checkpoint "$OUT/best.pt" --data "$DATA" \
  --out models/callmood-emotion.json --fixture test/fixtures/emotion-model-parity.json
