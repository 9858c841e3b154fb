#!/usr/bin/env bash
# One command from the FER-2013 training folder to the shipped model files:
#   bash training/run.sh /path/to/fer-train [out-dir]
# 1. trains with training/config.json into out-dir (default training/out/run, ignored by git);
# 2. when config.json has "distill": scores every training image with each browser teacher
#    model (npm run eval --per-image, WASM; writes labels.csv into the class-folder directory),
#    mixes them with the first stage's probabilities (teachers.py -> out-dir/teacher.npz) and
#    fine-tunes the first stage's best weights against that teacher into out-dir/distill;
# 3. exports the last stage's best hold-out checkpoint to models/callmood-emotion.{json,bin}
#    and writes the browser parity fixture test/fixtures/emotion-model-parity.json.
# RESUME=1 continues an interrupted run (each stage from its last.pt; teacher files already
# written are kept). PYTHON picks the interpreter (default /usr/bin/python3, Debian's, which
# has python3-torch).
set -euo pipefail
DATA=${1:?usage: bash training/run.sh /path/to/fer-train [out-dir]}
OUT=${2:-training/out/run}
PY=${PYTHON:-/usr/bin/python3}
cd "$(dirname "$0")/.."
"$PY" training/train.py --data "$DATA" --out "$OUT" ${RESUME:+--resume}
BEST="$OUT/best.pt"
TEACHERS=$("$PY" -c 'import json; print(" ".join(json.load(open("training/config.json")).get("distill", {}).get("teachers", {})))')
if [ -n "$TEACHERS" ]; then
  CLASSES="$DATA"
  [ -d "$DATA/angry" ] || CLASSES="$DATA/train"
  BROWSER=()
  for name in $TEACHERS; do
    [ "$name" = callmood ] && continue
    file="$OUT/teacher-$name.json"
    if [ ! -s "$file" ]; then
      npm run eval -- --data "$CLASSES" --make-labels --mode crop \
        --config "{\"emotionModel\":\"$name\",\"temperature\":1,\"flipAverage\":false}" \
        --out "$OUT/eval-train-$name.json" --per-image "$file"
    fi
    BROWSER+=(--browser "$name=$file")
  done
  "$PY" training/teachers.py --data "$DATA" --checkpoint "$BEST" "${BROWSER[@]}" --out "$OUT/teacher.npz"
  "$PY" training/train.py --data "$DATA" --out "$OUT/distill" --teacher "$OUT/teacher.npz" --init "$BEST" ${RESUME:+--resume}
  BEST="$OUT/distill/best.pt"
fi
"$PY" training/export_tfjs.py --checkpoint "$BEST" --data "$DATA" \
  --out models/callmood-emotion.json --fixture test/fixtures/emotion-model-parity.json
