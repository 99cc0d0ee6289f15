"""The reproduction study: train and evaluate every run, then write docs/RESULTS.md.

Runs (each a model_dir under `study_dir`):
  seed_<N>          the main configuration (flags/mnist.cfg) with --seed=N
  figure1_infogan   flags/mnist_gan_baseline.cfg with --generator_mi=true  } Figure 1,
  figure1_gan       flags/mnist_gan_baseline.cfg (G gets no MI term)       } logged every step
Each run is trained and evaluated by the project's own commands, in
subprocesses, so the report can quote the exact commands. Every run keeps a
`reproduce_record.json` (commands, wall time per session); a run whose
recorded commands match and whose metrics.json is for its result checkpoint is
skipped, and an interrupted training resumes from its checkpoint. With an
archive (study_archive.py, committed under docs/studies/), each evaluated run's
record and metrics are kept there too, and a run the archive holds with the same
commands is not trained again on a machine that lacks its folder.
"""

import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from typing import Callable, List, NamedTuple, Optional, Tuple

from infogan_tf import checkpointing
from infogan_tf import flagfile_guard
from infogan_tf import study_archive
from infogan_tf import study_results
from infogan_tf.study_archive import read_json

RECORD = study_archive.RECORD


class StudyError(Exception):
    """A run failed or the study is misconfigured; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class StudyConfig:
    """What the study runs (see the reproduce command's flags)."""

    study_dir: str = "runs/study"
    docs_dir: str = "docs"
    data_dir: Optional[str] = None
    seeds: Tuple[int, ...] = (0, 1, 2, 3, 4)
    train_flagfile: str = "flags/mnist.cfg"
    baseline_flagfile: str = "flags/mnist_gan_baseline.cfg"
    figure1: bool = True
    figure1_steps: int = 1000
    train_args: Tuple[str, ...] = ()
    eval_args: Tuple[str, ...] = ()
    classifier_dir: Optional[str] = None
    archive_dir: Optional[str] = None  # None: no archive.

    @property
    def resolved_classifier_dir(self) -> str:
        return self.classifier_dir or os.path.join(self.study_dir, "classifier")


class PlannedRun(NamedTuple):
    """One run of a study: its folder and its training and evaluation commands."""
    name: str
    seed: int
    model_dir: str
    train_command: List[str]
    eval_command: List[str]


def plan(config: StudyConfig) -> List[PlannedRun]:
    """Every run of the study with its commands (as shown in the report: `python -m ...`)."""
    data = [f"--data_dir={config.data_dir}"] if config.data_dir else []
    runs = []

    def add(name, seed, flagfile, extra):
        model_dir = os.path.join(config.study_dir, name)
        overridden = tuple(arg.split("=")[0] + "=" for arg in extra)
        train = (["python", "-m", "infogan_tf.main", f"--flagfile={flagfile}"] + data
                 + [f"--model_dir={model_dir}", f"--seed={seed}", "--progress=false"]
                 + [a.replace("{seed}", str(seed)) for a in config.train_args
                    if not a.startswith(overridden)] + extra)
        evaluate = (["python", "-m", "infogan_tf.evaluate", f"--model_dir={model_dir}",
                     f"--classifier_dir={config.resolved_classifier_dir}"] + data
                    + list(config.eval_args))
        runs.append(PlannedRun(name, seed, model_dir, train, evaluate))

    for seed in config.seeds:
        add(f"seed_{seed}", seed, config.train_flagfile, [])
    if config.figure1:
        figure1 = [f"--train_steps={config.figure1_steps}", "--log_every=1"]
        add("figure1_infogan", 0, config.baseline_flagfile, figure1 + ["--generator_mi=true"])
        add("figure1_gan", 0, config.baseline_flagfile, figure1 + ["--generator_mi=false"])
    return runs


def _write_json(path: str, value: dict) -> None:
    with open(path + ".tmp", "w") as f:
        json.dump(value, f, indent=2, sort_keys=True)
    os.replace(path + ".tmp", path)


def latest_step(model_dir: str) -> Optional[int]:
    """The step of the latest checkpoint, read from TensorFlow's `checkpoint` index file."""
    index = os.path.join(model_dir, "checkpoints", "checkpoint")
    if not os.path.exists(index):
        return None
    match = re.search(r'model_checkpoint_path: ".*?ckpt-(\d+)"', open(index).read())
    return int(match.group(1)) if match else None


def result_step(model_dir: str) -> Optional[int]:
    """The step of the run's result: the checkpoint --choose_checkpoint_from chose, else
    the latest (what evaluate reads by default)."""
    chosen = checkpointing.chosen_checkpoint(model_dir)
    return int(chosen.rsplit("-", 1)[1]) if chosen else latest_step(model_dir)


def run_status(run: PlannedRun) -> Tuple[bool, bool]:
    """(needs training, needs evaluation) of a planned run, from what is on disk."""
    record = read_json(os.path.join(run.model_dir, RECORD)) or {}
    recorded = record.get("train", {})
    # A changed --choose_checkpoint_from reruns training's command, which only chooses again.
    trained = (latest_step(run.model_dir) is not None
               and recorded.get("completed_command") == run.train_command
               and not flagfile_guard.result_settings_changed(recorded, run.train_command))
    metrics = read_json(os.path.join(run.model_dir, "eval", "metrics.json"))
    evaluated = (trained and metrics is not None
                 and metrics.get("step") == result_step(run.model_dir)
                 and record.get("eval", {}).get("completed_command") == run.eval_command)
    return not trained, not evaluated


def check_same_flagfile(run: PlannedRun) -> None:
    """Refuses to resume, or skip as done, a run whose flag settings changed since training.

    Its command line is unchanged, so nothing else would notice that continuing it, or
    skipping it as done, mixes two configurations. A record written before the per-flag
    record existed is upgraded in place while its flagfile is still byte-identical.
    """
    record_path = os.path.join(run.model_dir, RECORD)
    record = read_json(record_path) or {}
    recorded = record.get("train", {})
    if flagfile_guard.upgrade_legacy_record(recorded, run.train_command):
        _write_json(record_path, record)
    change = flagfile_guard.changed_settings(recorded, run.train_command)
    if change is not None:
        raise StudyError(f"[{run.name}] {run.model_dir}: {change}, so its results are not "
                         "this configuration's. Use a new --study_dir, or move that run away "
                         "to retrain it. Nothing was changed.")


def _init_from(command: List[str]) -> Optional[str]:
    values = [a.split("=", 1)[1] for a in command if a.startswith("--init_from=")]
    return values[-1] if values else None


def check_same_warm_start(run: PlannedRun) -> None:
    """Refuses to resume a run whose command now starts it from another checkpoint.

    A run with a checkpoint of its own resumes it and ignores --init_from, so a
    command whose source changed (a longer dSprites study moves InfoGAN-CR's start)
    would silently continue the old run under the new command.
    """
    recorded = (read_json(os.path.join(run.model_dir, RECORD)) or {}).get("train", {})
    before, now = _init_from(recorded.get("command", [])), _init_from(run.train_command)
    if before != now and latest_step(run.model_dir) is not None:
        raise StudyError(f"[{run.name}] {run.model_dir} was started from "
                         f"{before or 'scratch'}, but its command now starts it from "
                         f"{now or 'scratch'}; it would resume its own checkpoint instead. "
                         "Move that folder away (e.g. add .old to its name) to rerun it, or "
                         "use a new --study_dir. Nothing was changed.")


def run_command(run: PlannedRun, part: str, command: List[str], log_dir: str,
                 log: Callable[[str], None]) -> None:
    """Runs one command, appending its output to a log, and records its wall time."""
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, f"{run.name}.{part}.log")
    log(f"[{run.name}] {part}: {' '.join(command)}  (log: {log_path})")
    start = time.time()
    with open(log_path, "a") as output:
        output.write(f"\n$ {' '.join(command)}\n")
        output.flush()
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        code = subprocess.call([sys.executable] + command[1:], stdout=output,
                               stderr=subprocess.STDOUT, env=env)
    seconds = time.time() - start
    os.makedirs(run.model_dir, exist_ok=True)
    record_path = os.path.join(run.model_dir, RECORD)
    record = read_json(record_path) or {}
    entry = record.setdefault(part, {"sessions": []})
    entry["command"] = command
    if part == "train":
        entry.update(flagfile_guard.settings_record(command))
    entry["sessions"].append({"seconds": seconds, "returncode": code,
                              "finished": time.strftime("%Y-%m-%d %H:%M:%S")})
    if code == 0:
        entry["completed_command"] = command
    _write_json(record_path, record)
    if code != 0:
        raise StudyError(f"[{run.name}] {part} failed (exit status {code}); see {log_path}. "
                         "Fix the cause and run the same reproduce command again: finished "
                         "runs are kept and an interrupted training resumes.")
    log(f"[{run.name}] {part} done in {seconds / 60:.1f} min")


def execute(config: StudyConfig, log: Callable[[str], None] = print) -> None:
    """Trains and evaluates every planned run that is not already done."""
    for flagfile in {config.train_flagfile, config.baseline_flagfile}:
        if not os.path.exists(flagfile):
            raise StudyError(f"flagfile {flagfile} not found: run reproduce from the "
                             "repository root, or pass --train_flagfile/--baseline_flagfile")
    execute_runs(plan(config), os.path.join(config.study_dir, "logs"), log, config.archive_dir)


def check_same_archived_flagfile(run: PlannedRun, archive_dir: str) -> None:
    """Refuses a study whose archive holds this run trained with other flagfile settings:
    finishing the study would overwrite that committed result with another configuration's."""
    archived = study_archive.load(archive_dir, run.name)
    if archived is None:
        return
    change = flagfile_guard.changed_settings(archived["record"].get("train", {}),
                                             run.train_command)
    if change is not None:
        raise StudyError(f"[{run.name}] the archive {os.path.join(archive_dir, run.name)}: "
                         f"{change}, so it is not this configuration's result. Use a new "
                         "--study_dir (and so a new archive), or move that archive folder "
                         "away to retrain it. Nothing was changed.")


def check_warm_start_source(run: PlannedRun) -> None:
    """Refuses to train a run whose --init_from checkpoint is not on this machine (its source
    run was skipped as archived, say) before the training fails on it."""
    source = _init_from(run.train_command)
    if (source and latest_step(run.model_dir) is None
            and not os.path.exists(source + ".index")):
        raise StudyError(f"[{run.name}] starts from {source}, which is not on this machine "
                         "(a run only in the study's archive keeps no checkpoints). Move that "
                         "run's archive folder away so it is trained again, or train it with "
                         "the study's command first. Nothing was changed.")


def _archive(run: PlannedRun, archive_dir: str, log: Callable[[str], None]) -> None:
    """Copies a run evaluated in its folder to the archive, unless it holds the same."""
    metrics = read_json(os.path.join(run.model_dir, "eval", "metrics.json"))
    archived = study_archive.load(archive_dir, run.name)
    if (archived is not None and archived["metrics"] == metrics
            and study_archive.is_done(archive_dir, run.name, run.train_command,
                                      run.eval_command)):
        return
    path = study_archive.save(run.name, run.model_dir, archive_dir,
                              study_results.figure1_curve(run.model_dir))
    log(f"[{run.name}] archived in {path}")


def execute_runs(runs: List[PlannedRun], log_dir: str, log: Callable[[str], None],
                 archive_dir: Optional[str] = None) -> None:
    """Trains and evaluates, in order, each run that is not already done.

    A run is done when its folder holds it evaluated by the planned commands or,
    where the folder does not, when `archive_dir` does; each run evaluated in its
    folder is then archived.
    """
    for run in runs:
        check_same_flagfile(run)
        check_same_warm_start(run)
        if archive_dir:
            check_same_archived_flagfile(run, archive_dir)
    for run in runs:
        needs_training, needs_evaluation = run_status(run)
        if not needs_training and not needs_evaluation:
            log(f"[{run.name}] already trained and evaluated; skipped")
        elif archive_dir and study_archive.is_done(archive_dir, run.name, run.train_command,
                                                   run.eval_command):
            log(f"[{run.name}] trained and evaluated in the archive "
                f"{os.path.join(archive_dir, run.name)}; skipped")
            continue
        else:
            if needs_training:
                check_warm_start_source(run)
                run_command(run, "train", run.train_command, log_dir, log)
            run_command(run, "eval", run.eval_command, log_dir, log)
        if archive_dir:
            _archive(run, archive_dir, log)
