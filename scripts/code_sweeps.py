"""What each continuous code changes, at given checkpoints of a run. Prints one JSON line each.

For every checkpoint, each continuous code is swept from -2 to 2 exactly as `evaluate` does
(`evaluation.continuous_codes`: 9 values, `--rows` fixed (z, c) samples, noise seed 0), and
the line gives, per code, Spearman's rho of the code value with slant, stroke width and
breadth (infogan_tf/digit_measures.py), the same per category of the first categorical code
(`slant_by_category`, ...: a code can turn some digits one way and the rest the other) and
the breadth and width curves (mean over rows at each value). No labels and no data are
read, so it runs on any checkpoint, candidates' included.

Usage: python scripts/code_sweeps.py MODEL_DIR CHECKPOINT [CHECKPOINT ...] [--rows=500]
(used for docs/studies/probe_stretch/).
"""

import json
import sys

from infogan_tf import evaluation, model_io

DEFAULT_ROWS = 500


def sweep_line(model_dir: str, checkpoint: str, rows: int) -> dict:
    """The JSON record of one checkpoint (see the module doc)."""
    model = model_io.load_trained_model(model_dir, checkpoint)
    result = evaluation.continuous_codes(model, rows, evaluation.sweep_values(9), seed=0)
    codes = {}
    for name, measures in result["codes"].items():
        codes[name] = {kind: round(m["spearman"], 4) for kind, m in measures.items()}
        for kind, m in measures.items():
            if "by_group" in m:
                codes[name][f"{kind}_by_category"] = {
                    category: round(rho, 4) for category, rho in m["by_group"].items()}
        for kind in ("width", "breadth"):
            codes[name][f"{kind}_curve"] = [round(v, 3) for v in measures[kind]["curve"]]
    return {"checkpoint": checkpoint, "step": model.step, "rows": rows,
            "values": result["values"], "names": result["names"], "codes": codes}


def main(argv) -> int:
    rows = DEFAULT_ROWS
    positional = []
    for arg in argv[1:]:
        if arg.startswith("--rows="):
            rows = int(arg.split("=", 1)[1])
        else:
            positional.append(arg)
    if len(positional) < 2 or rows < 2:
        print(__doc__, file=sys.stderr)
        return 2
    model_dir, checkpoints = positional[0], positional[1:]
    for checkpoint in checkpoints:
        print(json.dumps(sweep_line(model_dir, checkpoint, rows)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
