"""Tests of the study runner: its plan, which runs it skips, and its flagfile guard."""

import hashlib
import json
import os

import pytest

from infogan_tf import study
from infogan_tf import study_archive


def test_plan_quotes_the_commands_and_figure1_overrides(tmp_path):
    config = study.StudyConfig(study_dir=str(tmp_path), data_dir="/d", seeds=(3,),
                               train_args=("--train_steps=20", "--batch_size=8"),
                               figure1_steps=50)
    runs = {run.name: run for run in study.plan(config)}
    assert set(runs) == {"seed_3", "figure1_infogan", "figure1_gan"}
    seed = runs["seed_3"].train_command
    assert seed[:4] == ["python", "-m", "infogan_tf.main", "--flagfile=flags/mnist.cfg"]
    assert "--seed=3" in seed and "--train_steps=20" in seed and "--data_dir=/d" in seed
    gan = runs["figure1_gan"].train_command
    assert [a for a in gan if a.startswith("--train_steps")] == ["--train_steps=50"]
    assert gan[-1] == "--generator_mi=false" and "--batch_size=8" in gan
    assert f"--classifier_dir={tmp_path / 'classifier'}" in runs["seed_3"].eval_command


def test_plan_puts_each_runs_seed_into_train_args(tmp_path):
    config = study.StudyConfig(study_dir=str(tmp_path), seeds=(1, 4), figure1=False,
                               train_args=("--init_from=runs/a/seed_{seed}/checkpoints/ckpt-40",))
    commands = [run.train_command for run in study.plan(config)]
    assert commands[0][-1] == "--init_from=runs/a/seed_1/checkpoints/ckpt-40"
    assert commands[1][-1] == "--init_from=runs/a/seed_4/checkpoints/ckpt-40"


def test_run_status_skips_finished_runs_and_redoes_changed_ones(tmp_path):
    run = study.plan(study.StudyConfig(study_dir=str(tmp_path), seeds=(0,), figure1=False))[0]
    assert study.run_status(run) == (True, True)
    os.makedirs(os.path.join(run.model_dir, "checkpoints"))
    os.makedirs(os.path.join(run.model_dir, "eval"))
    with open(os.path.join(run.model_dir, "checkpoints", "checkpoint"), "w") as f:
        f.write('model_checkpoint_path: "ckpt-5000"\nall_model_checkpoint_paths: "ckpt-5000"\n')
    assert study.run_status(run) == (True, True)  # A checkpoint but no finished command.
    record = {"train": {"completed_command": run.train_command},
              "eval": {"completed_command": run.eval_command}}
    with open(os.path.join(run.model_dir, study.RECORD), "w") as f:
        json.dump(record, f)
    assert study.run_status(run) == (False, True)  # Trained, not evaluated.
    with open(os.path.join(run.model_dir, "eval", "metrics.json"), "w") as f:
        json.dump({"step": 4000}, f)
    assert study.run_status(run) == (False, True)  # Evaluated at an older checkpoint.
    with open(os.path.join(run.model_dir, "eval", "metrics.json"), "w") as f:
        json.dump({"step": 5000}, f)
    assert study.run_status(run) == (False, False)
    # A label-free choice of an earlier checkpoint (--choose_checkpoint_from) is the result.
    for step in (4000, 5000):
        with open(os.path.join(run.model_dir, "checkpoints", f"ckpt-{step}.index"), "w") as f:
            f.write("index")
    with open(os.path.join(run.model_dir, "final_checkpoint.json"), "w") as f:
        json.dump({"latest_checkpoint": "ckpt-5000", "chosen": {"checkpoint": "ckpt-4000"}}, f)
    assert study.result_step(run.model_dir) == 4000
    assert study.run_status(run) == (False, True)  # Evaluated at 5,000, not the result.
    with open(os.path.join(run.model_dir, "eval", "metrics.json"), "w") as f:
        json.dump({"step": 4000}, f)
    assert study.run_status(run) == (False, False)
    longer = study.plan(study.StudyConfig(study_dir=str(tmp_path), seeds=(0,), figure1=False,
                                          train_args=("--train_steps=8000",)))[0]
    assert study.run_status(longer) == (True, True)


def _trained_run(tmp_path, monkeypatch, flag_text):
    flagfile = tmp_path / "main.cfg"
    flagfile.write_text(flag_text)
    config = study.StudyConfig(study_dir=str(tmp_path / "study"), seeds=(0,), figure1=False,
                               train_flagfile=str(flagfile))
    run = study.plan(config)[0]
    calls = []
    monkeypatch.setattr(study.subprocess, "call", lambda *a, **k: calls.append(a) or 0)
    study.run_command(run, "train", run.train_command, str(tmp_path / "logs"), lambda _: None)
    return flagfile, run, calls


def test_a_run_whose_flag_settings_changed_since_training_is_refused(tmp_path, monkeypatch):
    flagfile, run, calls = _trained_run(tmp_path, monkeypatch, "# a\n--train_steps=3\n")
    record = study_archive.read_json(os.path.join(run.model_dir, study.RECORD))
    assert record["train"]["flagfile_settings"] == ["--train_steps=3"]
    study.check_same_flagfile(run)  # Unchanged: accepted.
    flagfile.write_text("# a comment, reworded\n\n  --train_steps=3\n")
    study.check_same_flagfile(run)  # Only comments and blank lines changed: accepted.
    before = open(os.path.join(run.model_dir, study.RECORD)).read()
    flagfile.write_text("--train_steps=4\n--categorical_stroke=0.5\n")
    with pytest.raises(study.StudyError, match=r"seed_0\] .*main.cfg changed since this run was "
                                               r"trained \(it had --train_steps=3; it now has "
                                               r"--train_steps=4, --categorical_stroke=0.5\)"
                                               r".*Use a new --study_dir"):
        study.execute_runs([run], str(tmp_path / "logs"), lambda _: None)
    assert len(calls) == 1  # Nothing was run...
    assert open(os.path.join(run.model_dir, study.RECORD)).read() == before  # ...or written.


def test_a_changed_result_choice_reruns_training_to_choose_again(tmp_path, monkeypatch):
    flagfile, run, calls = _trained_run(tmp_path, monkeypatch, "--train_steps=3\n")
    os.makedirs(os.path.join(run.model_dir, "checkpoints"))
    with open(os.path.join(run.model_dir, "checkpoints", "checkpoint"), "w") as f:
        f.write('model_checkpoint_path: "ckpt-3"\n')
    assert study.run_status(run)[0] is False
    flagfile.write_text("--train_steps=3\n--choose_checkpoint_from=2\n")
    study.check_same_flagfile(run)  # It changes the result, not the training: accepted...
    assert study.run_status(run)[0] is True  # ...and training's command runs again to choose.
    study.run_command(run, "train", run.train_command, str(tmp_path / "logs"), lambda _: None)
    assert len(calls) == 2 and study.run_status(run)[0] is False
    flagfile.write_text("--train_steps=4\n--choose_checkpoint_from=2\n")
    with pytest.raises(study.StudyError, match="it had --train_steps=3; it now has "
                                               "--train_steps=4\\)"):
        study.check_same_flagfile(run)


def test_a_record_from_before_the_settings_record_is_upgraded_or_refused(tmp_path,
                                                                         monkeypatch):
    flagfile, run, _ = _trained_run(tmp_path, monkeypatch, "# a\n--train_steps=3\n")
    record_path = os.path.join(run.model_dir, study.RECORD)
    record = study_archive.read_json(record_path)
    del record["train"]["flagfile_settings"]  # As the first version of the record kept it.
    assert record["train"]["flagfile_sha256"] == hashlib.sha256(
        b"# a\n--train_steps=3\n").hexdigest()
    legacy = json.dumps(record)
    with open(record_path, "w") as f:
        f.write(legacy)
    study.check_same_flagfile(run)  # Byte-identical: accepted, and the settings are added.
    assert study_archive.read_json(record_path)["train"]["flagfile_settings"] == ["--train_steps=3"]
    flagfile.write_text("# reworded\n--train_steps=3\n")
    study.check_same_flagfile(run)  # Upgraded, so a comment edit is now harmless.

    with open(record_path, "w") as f:
        f.write(legacy)
    with pytest.raises(study.StudyError, match=r"sha256 was [0-9a-f]{12}, now [0-9a-f]{12}; "
                                               r"this run's record predates"):
        study.check_same_flagfile(run)  # Legacy record, file changed: cannot tell, refused.
    assert open(record_path).read() == legacy
