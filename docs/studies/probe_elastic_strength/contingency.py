"""Prints c1's test contingency matrix of each run, columns ordered by matched digit.

The 4/9 counts of the α 0 candidates in README.md come from here (labels for analysis only).
Usage, from the repository root:
  PYTHONPATH=. python docs/studies/probe_elastic_strength/contingency.py \
      --data_dir=../shared/data/mnist runs/elastic0/seed_0 runs/elastic0/seed_1
"""
import sys

import numpy as np

from infogan_tf import data as data_lib
from infogan_tf import evaluation
from infogan_tf.model_io import load_trained_model

data_dir = sys.argv[1].split("=", 1)[1]
test = data_lib.load_dataset("mnist", data_dir, "test")
for model_dir in sys.argv[2:]:
    c1 = evaluation.categorical_as_classifier(load_trained_model(model_dir, weights="trained"),
                                              test)["c1"]
    mapping = {int(k): v for k, v in c1["cluster_to_label"].items()}
    order = sorted(mapping, key=mapping.get)
    print(f"{model_dir}: rows = true digits 0-9, columns = categories matched to 0-9")
    print(np.asarray(c1["contingency"])[:, order])
