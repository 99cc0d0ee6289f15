"""Scores finished step-2,000 candidates as candidates.py does (I(x; c), confidence, the
factor check on G's sweeps), plus, for this probe's evaluation only, the Hungarian test
accuracy of c1 (labels are never used to choose). One JSON line per candidate folder.

Usage, from the repository root:
  PYTHONPATH=. python docs/studies/probe_normal_noise_candidates/score_candidates.py \
      runs/study_weight_average/seed_0/candidates/seed_0 runs/probe_normal_noise/seed_0/candidates/seed_0
"""
import json
import sys

import numpy as np

from infogan_tf import candidates, code_consistency, metrics
from infogan_tf import data as data_lib
from infogan_tf.code_accuracy import predict_categories
from infogan_tf.model_io import load_trained_model

for model_dir in sys.argv[1:]:
    model = load_trained_model(model_dir, weights="trained")
    config = model.config
    train = data_lib.load_dataset(config.dataset, config.data_dir, "train",
                                  config.dataset_options())
    scores = candidates.score_model(model, train.images[:candidates.SCORE_IMAGES])
    check = code_consistency.factor_check(code_consistency.sweep_model(model, seed=0))
    test = data_lib.load_dataset(config.dataset, config.data_dir, "test",
                                 config.dataset_options())
    predicted = predict_categories(model, test.images)[:, 0]
    labels = test.labels
    contingency = metrics.contingency_matrix(labels, predicted, 10)
    print(json.dumps(dict(
        model_dir=model_dir, seed=config.seed, noise_prior=config.latent.noise_prior,
        step=scores["step"], mutual_information=round(scores["mutual_information"], 4),
        mean_confidence=round(scores["mean_confidence"], 4),
        factors_shown=check["factors_shown"],
        factors={r: {k: f[k] for k in ("code", "median_rho", "shown")} for r, f in check["factors"].items()},
        accuracy=round(100 * metrics.hungarian_accuracy(labels, predicted), 2),
        categories_used=int((np.asarray(contingency).sum(axis=0) > 0).sum()))), flush=True)
