#!/bin/bash
# The paired comparison behind this study's notes: after `reproduce` has evaluated a seed (on
# its averaged weights, the run's result), evaluate the same run on its trained weights and on
# the averaged D/Q with the trained G, and score every kept checkpoint on both kinds of
# weights. Labels are read only to report test accuracy, never to choose.
#
# Usage, from the repository root:
#   bash docs/studies/study_weight_average/compare_weights.sh STUDY_DIR SEED [DATA_DIR]
# e.g. STUDY_DIR=runs/study_weight_average, SEED=0, DATA_DIR=../shared/data/mnist.
# Writes docs/studies/study_weight_average/weights/seed_SEED_{trained,averaged_discriminator}
# _metrics.json (evaluate's metrics.json), seed_SEED_scores.jsonl (score_checkpoints, one
# row per checkpoint and kind of weights) and seed_SEED_candidates.jsonl (the candidates'
# step-2,000 checkpoints, trained weights: they keep no averages; their test accuracy checks
# the label-free choice afterwards).
set -euo pipefail
STUDY_DIR=$1
SEED=$2
DATA_DIR=${3:-../shared/data/mnist}
RUN=$STUDY_DIR/seed_$SEED
OUT=docs/studies/study_weight_average/weights
mkdir -p "$OUT"
for WEIGHTS in trained averaged_discriminator; do
  ./run.sh python -m infogan_tf.evaluate --model_dir="$RUN" --data_dir="$DATA_DIR" \
    --classifier_dir="$STUDY_DIR/classifier" --weights=$WEIGHTS \
    --output_dir="$RUN/eval_$WEIGHTS" 2>/dev/null | tail -2
  cp "$RUN/eval_$WEIGHTS/metrics.json" "$OUT/seed_${SEED}_${WEIGHTS}_metrics.json"
done
CHECKPOINTS=()
for STEP in $(ls "$RUN/checkpoints" | sed -n 's/^ckpt-\([0-9]*\)\.index$/\1/p' | sort -n); do
  CHECKPOINTS+=("$RUN:$STEP")
done
./run.sh python -m infogan_tf.score_checkpoints --data_dir="$DATA_DIR" --with_test_accuracy \
  --weights=trained,averaged "${CHECKPOINTS[@]}" 2>/dev/null > "$OUT/seed_${SEED}_scores.jsonl"
cut -c1-250 "$OUT/seed_${SEED}_scores.jsonl"
CANDIDATES=()
for CANDIDATE in "$RUN"/candidates/seed_*; do
  CANDIDATES+=("$CANDIDATE:2000")
done
./run.sh python -m infogan_tf.score_checkpoints --data_dir="$DATA_DIR" --with_test_accuracy \
  "${CANDIDATES[@]}" 2>/dev/null > "$OUT/seed_${SEED}_candidates.jsonl"
cut -c1-250 "$OUT/seed_${SEED}_candidates.jsonl"
