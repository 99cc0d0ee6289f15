"""The dSprites disentanglement study: InfoGAN vs InfoGAN-CR over seeds, scored by evaluate.

Runs (each a model_dir under `study_dir`): `infogan_seed_<N>` (flags/dsprites.cfg)
and `cr_seed_<N>` (flags/dsprites_cr.cfg), both for `train_steps` steps; the CR
runs switch the regularizer on at the authors' fraction of training (288,000 of
322,560 steps), rounded to a checkpoint of the InfoGAN run, and start from that
checkpoint of the InfoGAN run of their seed (--init_from): the same weights as
training them from scratch (warm_start.py), without repeating those steps. Each
run is trained and then evaluated with
`evaluate --metrics=factorvae,mig,dci,sap` by the project's own commands (see
`study.run_command`: resumable, finished runs skipped). `render_section`
writes the table of docs/RESULTS.md beside the published numbers.
"""

import dataclasses
import os
from typing import Dict, List, Optional, Tuple

import numpy as np

from infogan_tf import study
from infogan_tf import study_archive

METRICS = ("factorvae_score", "mig", "dci_disentanglement", "sap")
# Lin et al. 2020 (InfoGAN-CR), Table 1: 50-run means on the full dSprites (../shared/PAPER.md).
PUBLISHED = {"InfoGAN (tuned)": {"factorvae_score": 0.82, "mig": 0.22, "dci_disentanglement": 0.60},
             "InfoGAN-CR": {"factorvae_score": 0.88, "mig": 0.37, "dci_disentanglement": 0.71},
             "FactorVAE (γ = 40)": {"factorvae_score": 0.82, "mig": 0.43,
                                    "dci_disentanglement": 0.74}}
TARGETS = {"InfoGAN": {"factorvae_score": 0.82, "mig": 0.22},
           "InfoGAN-CR": {"factorvae_score": 0.88, "mig": 0.37}}
FACTOR_NAMES = {"x_position": "x", "y_position": "y"}  # Short names in the report.
AUTHORS_STEPS, AUTHORS_CR_START = 322_560, 288_000
CHECKPOINT_EVERY, KEEP_CHECKPOINTS = 1000, 5  # flags/dsprites*.cfg and the trainer's default.
MODELS = (("InfoGAN", "infogan", "flags/dsprites.cfg"), ("InfoGAN-CR", "cr", "flags/dsprites_cr.cfg"))


@dataclasses.dataclass(frozen=True)
class DspritesStudyConfig:
    """What the study runs (see the reproduce_dsprites command's flags)."""

    study_dir: str = "runs/dsprites_study"
    data_dir: Optional[str] = None
    seeds: Tuple[int, ...] = (0, 1, 2)
    train_steps: int = 30_000
    models: Tuple[str, ...] = ("infogan", "cr")
    train_args: Tuple[str, ...] = ()  # Appended to both flagfiles' training commands.
    eval_args: Tuple[str, ...] = ()
    archive_dir: Optional[str] = None  # None: no archive (study_archive.py).


def cr_start_step(train_steps: int) -> int:
    """The step InfoGAN-CR's regularizer starts at: the authors' fraction of training,
    rounded to the nearest checkpoint (the CR runs start from the InfoGAN run's)."""
    fraction = train_steps * AUTHORS_CR_START / AUTHORS_STEPS
    return max(CHECKPOINT_EVERY, CHECKPOINT_EVERY * round(fraction / CHECKPOINT_EVERY))


def _kept_checkpoints(train_steps: int) -> int:
    """How many checkpoints the InfoGAN runs must keep to still hold cr_start_step's."""
    return max(KEEP_CHECKPOINTS,
               (train_steps - cr_start_step(train_steps)) // CHECKPOINT_EVERY + 1)


def plan(config: DspritesStudyConfig) -> List[study.PlannedRun]:
    """Every run with its commands, as they appear in the report."""
    data = [f"--data_dir={config.data_dir}"] if config.data_dir else []
    runs = []
    for _, key, flagfile in MODELS:
        if key not in config.models:
            continue
        for seed in config.seeds:
            model_dir = os.path.join(config.study_dir, f"{key}_seed_{seed}")
            train = (["python", "-m", "infogan_tf.main", f"--flagfile={flagfile}"] + data
                     + [f"--model_dir={model_dir}", f"--seed={seed}", "--progress=false",
                        f"--train_steps={config.train_steps}"] + list(config.train_args))
            start, kept = cr_start_step(config.train_steps), _kept_checkpoints(config.train_steps)
            if key == "infogan" and kept > KEEP_CHECKPOINTS:
                train.append(f"--keep_checkpoints={kept}")
            if key == "cr":
                train.append(f"--cr_start_step={start}")
                if "infogan" in config.models:
                    source = os.path.join(config.study_dir, f"infogan_seed_{seed}",
                                          "checkpoints", f"ckpt-{start}")
                    train.append(f"--init_from={source}")
            evaluate = (["python", "-m", "infogan_tf.evaluate", f"--model_dir={model_dir}",
                         "--metrics=factorvae,mig,dci,sap"] + data + list(config.eval_args))
            runs.append(study.PlannedRun(f"{key}_seed_{seed}", seed, model_dir, train, evaluate))
    return runs


def execute(config: DspritesStudyConfig, log=print) -> None:
    """Trains and evaluates every planned run not already done (in order)."""
    study.execute_runs(plan(config), os.path.join(config.study_dir, "logs"), log,
                       config.archive_dir)


def collect(config: DspritesStudyConfig) -> Dict[str, List[dict]]:
    """Model name -> evaluated runs: {"seed", "scores", "step", "train_minutes", "commands"}."""
    results = {}
    by_key = {key: name for name, key, _ in MODELS}
    for run in plan(config):
        metrics = study_archive.read_json(os.path.join(run.model_dir, "eval", "metrics.json"))
        record = study_archive.read_json(os.path.join(run.model_dir, study.RECORD)) or {}
        archived = (study_archive.load(config.archive_dir, run.name)
                    if config.archive_dir and not metrics else None)
        if archived:
            metrics, record = archived["metrics"], archived["record"]
        if not metrics or "disentanglement" not in metrics:
            continue
        minutes = sum(s["seconds"] for s in record.get("train", {}).get("sessions", [])) / 60
        results.setdefault(by_key[run.name.split("_seed_")[0]], []).append(
            {"seed": run.seed, "scores": metrics["disentanglement"], "step": metrics["step"],
             "train_minutes": minutes, "commands": [run.train_command, run.eval_command]})
    return results


def code_factors(scores: dict, minimum_share: float = 0.05) -> str:
    """"c1 y 0.93, c2 –, ...": each code's most important factor and its share of the code's
    importance (DCI's matrix in `scores`); "–" for a code below `minimum_share` of the total."""
    dci = scores.get("details", {}).get("dci")
    if not dci:
        return "—"
    importance = np.asarray(dci["importance"], np.float64)  # [codes, factors]
    total = importance.sum()
    parts = []
    for code, row in zip(scores["codes"], importance):
        if total <= 0 or row.sum() < minimum_share * total:
            parts.append(f"{code} –")
            continue
        best = int(row.argmax())
        factor = FACTOR_NAMES.get(scores["factors"][best], scores["factors"][best])
        parts.append(f"{code} {factor} {row[best] / row.sum():.2f}")
    return ", ".join(parts)


def score_cell(scores: dict, metric: str) -> str:
    """A run's score for the per-run table; a FactorVAE score of a run whose every code was
    pruned (std of Q's mean on the real images below 0.05) says so instead of a bare 0."""
    cell = f"{scores[metric]:.3f}"
    factorvae = scores.get("details", {}).get("factorvae", {})
    if metric == "factorvae_score" and factorvae.get("num_active_codes") == 0:
        cell += " (no active code)"
    return cell


def mean_std(values: List[float]) -> str:
    """"mean ± std" (sample std, ddof 1; just the value for one run)."""
    values = np.asarray(values, np.float64)
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{values.mean():.3f} ± {values.std(ddof=1):.3f}"


def _intro(config: DspritesStudyConfig, command: str) -> List[str]:
    """The section's opening paragraphs: how the runs were made and how they were scored."""
    steps = config.train_steps
    lines = [f"Written by `{command}`; do not edit by hand.", "",
             f"Q's continuous means (and categorical argmax) on the real images of the dSprites "
             f"subset (`../shared/data/dsprites`, 64,834 of the 737,280 images), scored against "
             f"shape, scale, orientation, x and y with `evaluate --metrics=factorvae,mig,dci,sap` "
             f"(definitions and defaults of disentanglement_lib; see README). Each run: "
             f"{steps:,} steps of batch 64; InfoGAN-CR's regularizer from step "
             f"{cr_start_step(steps):,}, each CR run continuing the InfoGAN run of its seed "
             f"from that step's checkpoint (`--init_from`, identical to training it from "
             f"scratch; its training minutes count only its own steps). "
             f"**Shorter than the published runs**: Lin et al. train "
             f"{AUTHORS_STEPS:,} steps (28 epochs of the full dataset) with the regularizer from "
             f"step {AUTHORS_CR_START:,}, and report means of 50 runs.", ""]
    if config.train_args:
        lines += [f"Both models' flagfiles are overridden by `{' '.join(config.train_args)}` "
                  f"(see the Commands below).", ""]
    return lines


def render_section(results: Dict[str, List[dict]], config: DspritesStudyConfig,
                   command: str) -> str:
    """Markdown for docs/RESULTS.md: our means ± std over seeds, the published numbers, runs."""
    lines = _intro(config, command) + [
        "| model | runs | FactorVAE score | MIG | DCI disentanglement | SAP |",
        "|---|---|---|---|---|---|"]
    for name, runs in results.items():
        cells = [mean_std([r["scores"][m] for r in runs]) for m in METRICS]
        lines.append(f"| {name} (ours) | {len(runs)} | " + " | ".join(cells) + " |")
    for name, numbers in PUBLISHED.items():
        cells = [f"{numbers[m]:.2f}" if m in numbers else "—" for m in METRICS]
        lines.append(f"| {name} (Lin et al. 2020) | 50 | " + " | ".join(cells) + " |")
    lines += ["", "Targets (issue 8, on this subset):", ""]
    for name, targets in TARGETS.items():
        runs = results.get(name, [])
        for metric, target in targets.items():
            if runs:
                mean = float(np.mean([r["scores"][metric] for r in runs]))
                verdict = "met" if mean >= target else "NOT met"
                lines.append(f"- {name} {metric} ≥ {target}: {mean:.3f} over {len(runs)} "
                             f"run(s), {verdict}")
            else:
                lines.append(f"- {name} {metric} ≥ {target}: not run yet")
    lines += ["", "| run | seed | step | FactorVAE | MIG | DCI dis. | SAP | training min |",
              "|---|---|---|---|---|---|---|---|"]
    for name, runs in results.items():
        for r in runs:
            lines.append(f"| {name} | {r['seed']} | {r['step']:,} | " + " | ".join(
                score_cell(r["scores"], m) for m in METRICS) + f" | {r['train_minutes']:.1f} |")
    lines += ["", "Which factor each code follows (DCI's lasso importances: the code's largest "
              "factor and that factor's share of the code's importance; `–` for a code with "
              "under 5 % of the total importance):", "",
              "| run | seed | codes |", "|---|---|---|"]
    for name, runs in results.items():
        lines += [f"| {name} | {r['seed']} | {code_factors(r['scores'])} |" for r in runs]
    lines += ["", "Commands:", ""]
    for runs in results.values():
        for r in runs:
            lines += [f"    {' '.join(c)}" for c in r["commands"]]
    return "\n".join(lines)
