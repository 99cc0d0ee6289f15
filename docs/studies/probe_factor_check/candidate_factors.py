"""Which candidates show both factors at step 2,000 (code_consistency.factor_check)?

For every candidate of the given seeds of a study, at the step its seed chose at (its
selection.json), sweeps G's continuous codes (code_consistency.sweep_model: seed 0 latents,
200 rows, 9 values from -2 to 2; no data, no labels) and prints one JSON line: the candidate,
whether the study continued it, factor_check's verdict for the codes named rotation and
width, the dominant-measure check's count (code_consistency), and each code's rho with
slant and width per category of c1.

With --sweeps instead of a study, reads the step-2,000 records of a sweeps file written by
scripts/code_sweeps.py (docs/studies/study_code_views/seed_*_sweeps.jsonl) and scores them
the same way.

Usage, from the repository root:
  PYTHONPATH=. python docs/studies/probe_factor_check/candidate_factors.py \
      runs/study_weight_average 0 1 2 3 4
  PYTHONPATH=. python docs/studies/probe_factor_check/candidate_factors.py \
      --sweeps docs/studies/study_code_views/seed_0_sweeps.jsonl
"""

import json
import os
import sys

from infogan_tf import code_consistency, digit_measures

MEASURES = ("slant", "width")


def _record(sweep, **identity):
    factors = code_consistency.factor_check(sweep)
    return dict(identity, factors_shown=factors["factors_shown"],
                factors={role: {k: f[k] for k in ("code", "median_rho", "against", "shown")}
                         for role, f in factors["factors"].items()},
                inconsistent_codes=code_consistency.code_consistency(sweep)["inconsistent_codes"],
                codes={name: {kind: {"rho": round(float(m[kind]["spearman"]), 3),
                                     "by_category": {g: round(float(r), 2)
                                                     for g, r in m[kind]["by_group"].items()}}
                              for kind in MEASURES}
                       for name, m in sweep["codes"].items()})


def study_records(study_dir, seed):
    """One record per candidate of one seed of a study."""
    from infogan_tf import model_io  # TensorFlow only for this mode.
    run = os.path.join(study_dir, f"seed_{seed}")
    with open(os.path.join(run, "selection.json")) as f:
        selection = json.load(f)
    for candidate in selection["candidates"]:
        model_dir = os.path.join(run, "candidates", f"seed_{candidate['seed']}")
        checkpoint = os.path.join(model_dir, "checkpoints", f"ckpt-{candidate['step']}")
        model = model_io.load_trained_model(model_dir, checkpoint, weights="trained")
        yield _record(code_consistency.sweep_model(model), study=study_dir, seed=int(seed),
                      candidate=candidate["seed"], step=candidate["step"],
                      continued=candidate["seed"] == selection["chosen"]["seed"])


def sweeps_file_records(path):
    """One record per step-2,000 candidate checkpoint in a scripts/code_sweeps.py file; the
    continued candidate is read from the archived seed's metrics.json beside the file."""
    continued = {}
    for line in open(path):
        record = json.loads(line)
        if "/candidates/" not in record["checkpoint"]:
            continue
        codes = {name: {kind: {"spearman": m[kind], "by_group": m[f"{kind}_by_category"]}
                        for kind in ("slant", "width", "breadth")}
                 for name, m in record["codes"].items()}
        sweep = {"codes": codes, "names": digit_measures.name_codes(codes)}
        seed_dir, candidate = record["checkpoint"].split("/candidates/seed_")
        seed = int(seed_dir.split("_")[-1])
        if seed not in continued:
            with open(os.path.join(os.path.dirname(path), f"seed_{seed}", "metrics.json")) as f:
                continued[seed] = json.load(f)["selection"]["chosen"]["seed"]
        yield _record(sweep, study=os.path.dirname(seed_dir), seed=seed,
                      candidate=int(candidate.split("/")[0]), step=record["step"],
                      continued=int(candidate.split("/")[0]) == continued[seed],
                      rows=record["rows"])


def main(argv) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    records = (sweeps_file_records(argv[2]) if argv[1] == "--sweeps"
               else (r for seed in argv[2:] for r in study_records(argv[1], seed)))
    for record in records:
        print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
