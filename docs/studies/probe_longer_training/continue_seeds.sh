#!/bin/bash
# The multi-seed test of this probe: continue each finished seed of the averaged-weights study
# from its step-5,000 checkpoint to step 8,000 with the same flags and the continued
# candidate's own seed (so the data order and latent draws are those an 8,000-step run would
# have had; --init_from restores weights, averages, optimizers, latent RNG and step), with the
# late choice over steps 6,000-8,000 (the last three kept checkpoints, as 3,000-5,000 are for
# 5,000 steps), then score those checkpoints on both kinds of weights. Labels are read only
# for the scores' test accuracy, never to choose.
#
# Usage, from the repository root:
#   bash docs/studies/probe_longer_training/continue_seeds.sh STUDY_DIR OUT_DIR DATA_DIR SEED...
# e.g. runs/study_weight_average runs/probe_longer ../shared/data/mnist 1 2 3 4
# Each seed waits until the study has evaluated it. Writes OUT_DIR/seed_N (the run) and
# OUT_DIR/seedN_scores.jsonl (score_checkpoints rows).
set -uo pipefail
STUDY=$1
OUT_DIR=$2
DATA_DIR=$3
shift 3
mkdir -p "$OUT_DIR"
for S in "$@"; do
  SRC=$STUDY/seed_$S
  until [ -f "$SRC/eval/metrics.json" ]; do sleep 60; done
  RUN_SEED=$(python3 -c "import json; print(json.load(open('$SRC/run_config.json'))['seed'])")
  OUT=$OUT_DIR/seed_$S
  echo "[seed $S] $(date +%T) continue with --seed=$RUN_SEED"
  ./run.sh python -m infogan_tf.main --flagfile=flags/mnist_weight_average.cfg \
    --data_dir="$DATA_DIR" --model_dir="$OUT" --seed="$RUN_SEED" --candidates=1 \
    --init_from="$SRC/checkpoints/ckpt-5000" --train_steps=8000 --choose_checkpoint_from=6000 \
    --progress=false > "$OUT.log" 2>&1
  echo "[seed $S] $(date +%T) trained rc=$?"
  ./run.sh python -m infogan_tf.score_checkpoints --data_dir="$DATA_DIR" --with_test_accuracy \
    --weights=trained,averaged "$OUT:6000" "$OUT:7000" "$OUT:8000" 2>/dev/null \
    > "$OUT_DIR/seed${S}_scores.jsonl"
  echo "[seed $S] $(date +%T) scored rc=$?"
done
