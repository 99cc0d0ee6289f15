"""What the MNIST study's report reads: its evaluated runs, from their folders or the archive.

`collect_results` gathers every evaluated run of a study (the seeds and the
Figure 1 pair) from the study folder and, for runs whose folder is not on this
machine, from the study's archive (study_archive.py); `write_report` turns them
into docs/RESULTS.md and docs/figures/.
"""

import glob
import os
import shutil
from typing import Optional

from infogan_tf import candidates
from infogan_tf import events
from infogan_tf import figures
from infogan_tf import report
from infogan_tf import study_archive

FIGURE1_TAG = "information/mi_c1"


def figure1_curve(model_dir: str) -> Optional[dict]:
    """The logged L_I of c1 as {"steps", "values"}, or None if the run logged none.

    A run continued from a --candidates candidate starts with that candidate's curve.
    """
    selection = study_archive.read_json(os.path.join(model_dir, candidates.SELECTION_FILE))
    parts = ([selection["chosen"]["model_dir"]] if selection else []) + [model_dir]
    steps, values = [], []
    for part in parts:
        curves = events.read_scalars(os.path.join(part, "train"), [FIGURE1_TAG])
        if FIGURE1_TAG in curves:
            steps += list(curves[FIGURE1_TAG][0])
            values += list(curves[FIGURE1_TAG][1])
    return {"steps": steps, "values": values} if steps else None


def _local_run(model_dir: str) -> Optional[dict]:
    metrics = study_archive.read_json(os.path.join(model_dir, "eval", "metrics.json"))
    if metrics is None:
        return None
    return {"metrics": metrics,
            "record": study_archive.read_json(os.path.join(model_dir, study_archive.RECORD)) or {},
            "curve": figure1_curve(model_dir),
            "figures": sorted(glob.glob(os.path.join(model_dir, "eval", "*.png")))}


def _run(study_dir: str, archive_dir: Optional[str], name: str) -> Optional[dict]:
    """A run from its folder if it was evaluated there, else from the archive."""
    run = _local_run(os.path.join(study_dir, name))
    if run is None and archive_dir:
        run = study_archive.load(archive_dir, name)
    return run


def collect_results(study_dir: str, notes_path: Optional[str] = None,
                    archive_dir: Optional[str] = None) -> dict:
    """Everything the report needs, from the evaluated runs of the study.

    Args:
      study_dir: the study's run folders.
      notes_path: hand-written analysis included in the report, if it exists.
      archive_dir: the study's archive; its runs count where `study_dir` has none.
    """
    names = {os.path.basename(path) for path in glob.glob(os.path.join(study_dir, "seed_*"))}
    if archive_dir:
        names.update(study_archive.names(archive_dir, "seed_"))
    seeds = []
    for name in names:
        run = _run(study_dir, archive_dir, name)
        if run is not None:
            run["seed"] = int(name.split("_", 1)[1])
            run["curve"] = run["curve"] or {"steps": [], "values": []}
            seeds.append(run)
    seeds.sort(key=lambda r: r["seed"])
    figure1 = {}
    for key in ("infogan", "gan"):
        name = f"figure1_{key}"
        run = _run(study_dir, archive_dir, name)
        # A run not yet evaluated still has its logged curve to plot.
        curve = run["curve"] if run else figure1_curve(os.path.join(study_dir, name))
        if curve:
            figure1[key] = dict(run or {"metrics": {}, "record": {}}, curve=curve)
    notes = open(notes_path).read() if notes_path and os.path.exists(notes_path) else None
    return {"study_dir": study_dir, "seeds": seeds, "figure1": figure1, "notes": notes,
            "notes_path": notes_path}


def write_report(results: dict, docs_dir: str) -> str:
    """Draws Figure 1, copies the median seed's Figure 2 panels and writes RESULTS.md."""
    figure_dir = os.path.join(docs_dir, "figures")
    os.makedirs(figure_dir, exist_ok=True)
    paths = {}
    if results["figure1"]:
        series = {("InfoGAN" if k == "infogan" else "GAN (no MI term for G)"):
                  (v["curve"]["steps"], v["curve"]["values"])
                  for k, v in results["figure1"].items()}
        chart = figures.line_chart(series, "iteration", "L_I (nats)", reference=(2.303, "H(c)"),
                                   title="Figure 1: L_I of the 10-way code c1")
        figures.save_png(chart, os.path.join(figure_dir, "figure1.png"))
        paths["figure1"] = "figures/figure1.png"
    median = report.median_seed(results["seeds"])
    if median is not None:
        run = next(r for r in results["seeds"] if r["seed"] == median)
        for png in run.get("figures", []):
            shutil.copyfile(png, os.path.join(figure_dir, os.path.basename(png)))
            paths[os.path.basename(png)[:-4]] = f"figures/{os.path.basename(png)}"
        paths["figure2_seed"] = median
    path = os.path.join(docs_dir, "RESULTS.md")
    others = report.sections_of_other_commands(open(path).read()) if os.path.exists(path) else ""
    with open(path, "w") as f:
        f.write(report.render_results(dict(results, figure_paths=paths)))
        if others:
            f.write("\n" + others)
    return path
