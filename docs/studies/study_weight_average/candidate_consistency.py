"""Would --candidate_code_consistency have continued another candidate in this study?

Scores each candidate's step-2,000 checkpoint of the given seeds with
infogan_tf.code_consistency (the check of flags/mnist_code_consistency.cfg: G's sweeps only,
no data, no labels) and prints one JSON line per candidate beside its I(x; c) and whether the
study continued it. The check ranks candidates by their count of inconsistent codes first,
then by I(x; c).

Usage, from the repository root:
  PYTHONPATH=. python docs/studies/study_weight_average/candidate_consistency.py \
      runs/study_weight_average 0 1 2 3 > docs/studies/study_weight_average/codes/candidate_consistency.jsonl
"""

import json
import os
import sys

from infogan_tf import code_consistency, model_io


def candidate_lines(study_dir: str, seed: str):
    """One record per candidate of one seed (see the module doc)."""
    run = os.path.join(study_dir, f"seed_{seed}")
    with open(os.path.join(run, "selection.json")) as f:
        selection = json.load(f)
    for candidate in selection["candidates"]:
        model_dir = os.path.join(run, "candidates", f"seed_{candidate['seed']}")
        checkpoint = os.path.join(model_dir, "checkpoints", f"ckpt-{candidate['step']}")
        check = code_consistency.score_model(model_io.load_trained_model(model_dir, checkpoint))
        yield {"seed": int(seed), "candidate": candidate["seed"],
               "mutual_information": round(candidate["mutual_information"], 4),
               "continued": candidate["seed"] == selection["chosen"]["seed"],
               "inconsistent_codes": check["inconsistent_codes"],
               "codes": {name: {"measure": code["measure"], "against": code["against"]}
                         for name, code in check["codes"].items()}}


def main(argv) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    for seed in argv[2:]:
        for line in candidate_lines(argv[1], seed):
            print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
