"""Trains step-2,000 candidates of a study seed as candidates.py does, with z ~ N(0, 1).

Usage, from the repository root (the run_config.json of a factor-check study seed):
  PYTHONPATH=. python docs/studies/probe_normal_noise_candidates/candidates_normal.py \
      runs/study_factor_check/seed_0/run_config.json runs/probe_normal_noise/seed_0 0 1000 2000
"""
import dataclasses
import json
import sys

from infogan_tf import candidates
from infogan_tf.config import TrainConfig
from infogan_tf.training import train
run_config, out_dir, seeds = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
with open(run_config) as f:
    config = TrainConfig.from_dict(json.load(f))
latent = dataclasses.replace(config.latent, noise_prior="normal")
config = dataclasses.replace(config, model_dir=out_dir, init_from=None, latent=latent)
for seed in seeds:
    c = candidates.candidate_config(config, seed)
    print("training", c.seed, c.model_dir, c.train_steps, c.latent.noise_prior, flush=True)
    train(c)
