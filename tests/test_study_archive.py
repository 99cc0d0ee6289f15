"""The study archive: finished runs survive the loss of their folders (a new machine)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from infogan_tf import study
from infogan_tf import study_archive
from infogan_tf import study_results


def _fake_commands(monkeypatch, calls):
    """Stands in for training (writes a step-3 checkpoint) and evaluation (metrics, a PNG)."""
    def call(argv, **_):
        command = argv[1:]
        model_dir = next(a.split("=", 1)[1] for a in command if a.startswith("--model_dir="))
        calls.append(command[1])
        if command[1] == "infogan_tf.main":
            os.makedirs(os.path.join(model_dir, "checkpoints"), exist_ok=True)
            with open(os.path.join(model_dir, "checkpoints", "checkpoint"), "w") as f:
                f.write('model_checkpoint_path: "ckpt-3"\n')
        else:
            os.makedirs(os.path.join(model_dir, "eval"), exist_ok=True)
            seed = int(os.path.basename(model_dir).split("_")[1])
            with open(os.path.join(model_dir, "eval", "metrics.json"), "w") as f:
                json.dump({"step": 3, "accuracy_of_seed": seed}, f)
            with open(os.path.join(model_dir, "eval", "figure2_c1.png"), "wb") as f:
                f.write(b"png of seed %d" % seed)
        return 0
    monkeypatch.setattr(study.subprocess, "call", call)


def _config(tmp_path, flag_text="--train_steps=3\n", **kwargs):
    flagfile = tmp_path / "main.cfg"
    if not flagfile.exists():
        flagfile.write_text(flag_text)
    settings = dict(study_dir=str(tmp_path / "runs" / "study"), seeds=(0, 1), figure1=False,
                    train_flagfile=str(flagfile),
                    archive_dir=str(tmp_path / "docs" / "studies" / "study"))
    return study.StudyConfig(**dict(settings, **kwargs))


def _execute(config, logged=None):
    study.execute_runs(study.plan(config), os.path.join(config.study_dir, "logs"),
                       (logged if logged is not None else []).append, config.archive_dir)


def test_default_archive_is_named_after_the_study_folder():
    assert study_archive.default_archive_dir("runs/study_restarts/") == os.path.join(
        "docs", "studies", "study_restarts")


def test_save_and_load_keep_what_the_report_reads(tmp_path):
    model_dir = tmp_path / "seed_0"
    (model_dir / "eval").mkdir(parents=True)
    (model_dir / "reproduce_record.json").write_text(json.dumps({"train": {"sessions": []}}))
    (model_dir / "eval" / "metrics.json").write_text(json.dumps({"step": 5000, "x": 0.5}))
    (model_dir / "eval" / "figure2_c2.png").write_bytes(b"png")
    curve = {"steps": [10, 20], "values": [1.0000049, 2.2]}
    path = study_archive.save("seed_0", str(model_dir), str(tmp_path / "archive"), curve)
    loaded = study_archive.load(str(tmp_path / "archive"), "seed_0")
    assert loaded["metrics"] == {"step": 5000, "x": 0.5}
    assert loaded["record"] == {"train": {"sessions": []}}
    assert loaded["curve"] == {"steps": [10, 20], "values": [1.0, 2.2]}
    assert [os.path.basename(p) for p in loaded["figures"]] == ["figure2_c2.png"]
    assert set(os.listdir(path)) == {"reproduce_record.json", "metrics.json", "curve.json",
                                     "figures", "code.json"}
    assert study_archive.names(str(tmp_path / "archive"), "seed_") == ["seed_0"]
    assert study_archive.load(str(tmp_path / "archive"), "seed_9") is None


def test_an_interrupted_save_keeps_the_previous_archive(tmp_path, monkeypatch):
    model_dir = tmp_path / "seed_0"
    (model_dir / "eval").mkdir(parents=True)
    (model_dir / "reproduce_record.json").write_text("{}")
    (model_dir / "eval" / "metrics.json").write_text(json.dumps({"step": 1}))
    archive = str(tmp_path / "archive")
    study_archive.save("seed_0", str(model_dir), archive, None)
    (model_dir / "eval" / "metrics.json").write_text(json.dumps({"step": 2}))
    (model_dir / "eval" / "a.png").write_bytes(b"png")
    real_copy = shutil.copyfile

    def failing_copy(source, target):
        if source.endswith(".png"):
            raise OSError("disk full")
        return real_copy(source, target)
    monkeypatch.setattr(study_archive.shutil, "copyfile", failing_copy)
    with pytest.raises(OSError, match="disk full"):
        study_archive.save("seed_0", str(model_dir), archive, None)
    assert study_archive.load(archive, "seed_0")["metrics"] == {"step": 1}
    monkeypatch.setattr(study_archive.shutil, "copyfile", real_copy)
    study_archive.save("seed_0", str(model_dir), archive, None)
    assert study_archive.load(archive, "seed_0")["metrics"] == {"step": 2}
    assert sorted(os.listdir(archive)) == ["seed_0"]


def test_a_study_continues_from_its_archive_on_a_machine_without_its_runs(tmp_path,
                                                                           monkeypatch):
    calls = []
    _fake_commands(monkeypatch, calls)
    config = _config(tmp_path, seeds=(0,))
    logged = []
    _execute(config, logged)
    assert calls == ["infogan_tf.main", "infogan_tf.evaluate"]
    assert any("archived in" in line for line in logged)
    _execute(config)  # Done in its folder, and the archive holds the same: nothing rewritten.
    assert len(calls) == 2
    shutil.rmtree(tmp_path / "runs")  # A new machine: the archive was committed, runs/ not.
    config = _config(tmp_path)  # ...and the study now asks for a second seed.
    logged = []
    _execute(config, logged)
    assert calls[2:] == ["infogan_tf.main", "infogan_tf.evaluate"]  # Only seed 1 ran.
    assert any("seed_0] trained and evaluated in the archive" in line for line in logged)
    results = study_results.collect_results(config.study_dir, None, config.archive_dir)
    assert [(r["seed"], r["metrics"]["accuracy_of_seed"]) for r in results["seeds"]] == [
        (0, 0), (1, 1)]
    seed_0 = results["seeds"][0]
    assert seed_0["record"]["train"]["completed_command"] == study.plan(config)[0].train_command
    assert open(seed_0["figures"][0], "rb").read() == b"png of seed 0"
    # Without the archive, the report sees only the run that is on this machine.
    assert [r["seed"] for r in study_results.collect_results(config.study_dir)["seeds"]] == [1]


def test_a_changed_flagfile_is_refused_before_it_overwrites_an_archived_result(
        tmp_path, monkeypatch):
    calls = []
    _fake_commands(monkeypatch, calls)
    config = _config(tmp_path, seeds=(0,))
    _execute(config)
    shutil.rmtree(tmp_path / "runs")
    archived = open(os.path.join(config.archive_dir, "seed_0", "metrics.json")).read()
    (tmp_path / "main.cfg").write_text("# reworded\n--train_steps=3\n")
    _execute(config)  # A comment edit changes no setting: still done.
    assert len(calls) == 2
    (tmp_path / "main.cfg").write_text("--train_steps=4\n")
    with pytest.raises(study.StudyError, match=r"seed_0\] the archive .*main.cfg changed since "
                                               r"this run was trained \(it had --train_steps=3; "
                                               r"it now has --train_steps=4\).*Use a new "
                                               r"--study_dir"):
        _execute(config)
    assert len(calls) == 2
    assert open(os.path.join(config.archive_dir, "seed_0", "metrics.json")).read() == archived


def test_a_new_evaluation_command_reevaluates_and_replaces_the_archive(tmp_path, monkeypatch):
    calls = []
    _fake_commands(monkeypatch, calls)
    config = _config(tmp_path, seeds=(0,))
    _execute(config)
    config = _config(tmp_path, seeds=(0,), eval_args=("--num_samples=100",))
    _execute(config)
    assert calls == ["infogan_tf.main", "infogan_tf.evaluate", "infogan_tf.evaluate"]
    archived = study_archive.load(config.archive_dir, "seed_0")
    assert archived["record"]["eval"]["completed_command"][-1] == "--num_samples=100"


def test_reproduce_report_only_writes_the_report_from_the_archive_alone(tmp_path):
    from test_report import _metrics  # noqa: PLC0415  (the report's full metrics layout)
    archive = tmp_path / "archive"
    for seed, accuracy in ((0, 0.95), (1, 0.97)):
        model_dir = tmp_path / "gone" / f"seed_{seed}"
        (model_dir / "eval").mkdir(parents=True)
        (model_dir / "reproduce_record.json").write_text("{}")
        (model_dir / "eval" / "metrics.json").write_text(json.dumps(_metrics(seed, accuracy)))
        (model_dir / "eval" / "figure2_c1.png").write_bytes(b"png of seed %d" % seed)
        study_archive.save(f"seed_{seed}", str(model_dir), str(archive), None)
    docs = tmp_path / "docs"
    command = [sys.executable, "-m", "infogan_tf.reproduce", "--report_only",
               f"--study_dir={tmp_path / 'runs' / 'study'}", f"--docs_dir={docs}"]
    done = subprocess.run(command + [f"--archive_dir={archive}"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = (docs / "RESULTS.md").read_text()
    assert "| 0 | 5000 | 95.00 |" in text and "| 1 | 5000 | 97.00 |" in text
    assert (docs / "figures" / "figure2_c1.png").read_bytes().startswith(b"png of seed")
    assert f"notes go into `{docs / 'results_notes.md'}`" in text
    done = subprocess.run(command + ["--archive_dir=none"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0 and "no evaluated runs" in done.stderr
