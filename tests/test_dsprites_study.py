"""The dSprites study's plan, its collection of evaluated runs and the RESULTS.md section."""

import json
import os
import subprocess

import numpy as np
import pytest

from infogan_tf import dsprites_study
from infogan_tf import study
from infogan_tf import study_archive

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_plan_commands_and_the_scaled_start_of_the_regularizer(tmp_path):
    config = dsprites_study.DspritesStudyConfig(study_dir=str(tmp_path), data_dir="/d",
                                                seeds=(0, 4), train_steps=10000)
    runs = dsprites_study.plan(config)
    assert [r.name for r in runs] == ["infogan_seed_0", "infogan_seed_4", "cr_seed_0",
                                      "cr_seed_4"]
    # 10000 * 288000 / 322560 = 8929, rounded to the InfoGAN run's checkpoint at 9000.
    assert dsprites_study.cr_start_step(10000) == 9000
    assert dsprites_study.cr_start_step(322560) == 288000
    assert dsprites_study.cr_start_step(30000) == 27000  # 26786
    cr = runs[3].train_command
    assert "--flagfile=flags/dsprites_cr.cfg" in cr and "--seed=4" in cr
    assert cr[-3:] == ["--train_steps=10000", "--cr_start_step=9000",
                       f"--init_from={tmp_path}/infogan_seed_4/checkpoints/ckpt-9000"]
    # The default 5 kept checkpoints (6000-10000) hold ckpt-9000.
    assert not any("cr_start_step" in a or "keep_checkpoints" in a
                   for a in runs[0].train_command)
    long_runs = dsprites_study.plan(config.__class__(study_dir=str(tmp_path),
                                                     train_steps=100_000))
    assert dsprites_study.cr_start_step(100_000) == 89_000
    assert "--keep_checkpoints=12" in long_runs[0].train_command  # 89000 ... 100000.
    assert "--metrics=factorvae,mig,dci,sap" in runs[0].eval_command
    only_cr = dsprites_study.plan(config.__class__(study_dir=str(tmp_path), models=("cr",)))
    assert [r.name for r in only_cr] == ["cr_seed_0", "cr_seed_1", "cr_seed_2"]
    assert not any(a.startswith("--init_from") for a in only_cr[0].train_command)



def test_train_args_reach_both_models_and_the_section(tmp_path):
    config = dsprites_study.DspritesStudyConfig(study_dir=str(tmp_path), seeds=(0,),
                                                train_steps=10000,
                                                train_args=("--lambda_continuous=0.5",))
    infogan, cr = dsprites_study.plan(config)
    assert infogan.train_command[-2:] == ["--train_steps=10000", "--lambda_continuous=0.5"]
    # After the flagfile, so they override it; the CR run's own flags still follow.
    assert cr.train_command.index("--lambda_continuous=0.5") > cr.train_command.index(
        "--flagfile=flags/dsprites_cr.cfg")
    assert cr.train_command[-2:] == [
        "--cr_start_step=9000", f"--init_from={tmp_path}/infogan_seed_0/checkpoints/ckpt-9000"]
    assert "--lambda_continuous" not in " ".join(infogan.eval_command)
    intro = dsprites_study.render_section({}, config, "cmd")
    assert "overridden by `--lambda_continuous=0.5`" in intro
    plain = dsprites_study.render_section({}, config.__class__(study_dir=str(tmp_path)), "cmd")
    assert "overridden" not in plain

def test_code_factors_names_each_codes_main_factor_and_its_share():
    scores = {"codes": ["c1", "c2", "c3"], "factors": ["shape", "x_position", "y_position"],
              "details": {"dci": {"importance": [[0.0, 0.1, 0.3],    # y, 0.3 / 0.4
                                                 [0.5, 0.0, 0.0],    # shape alone
                                                 [0.0, 0.02, 0.0]]}}}  # 0.02 / 0.92 < 5 %
    assert dsprites_study.code_factors(scores) == "c1 y 0.75, c2 shape 1.00, c3 –"
    assert dsprites_study.code_factors({"codes": ["c1"], "factors": ["x"]}) == "—"


def test_a_factorvae_zero_from_pruned_codes_says_so():
    pruned = {"factorvae_score": 0.0, "mig": 0.054,
              "details": {"factorvae": {"num_active_codes": 0}}}
    assert dsprites_study.score_cell(pruned, "factorvae_score") == "0.000 (no active code)"
    assert dsprites_study.score_cell(pruned, "mig") == "0.054"
    scored = {"factorvae_score": 0.0, "details": {"factorvae": {"num_active_codes": 5}}}
    assert dsprites_study.score_cell(scored, "factorvae_score") == "0.000"
    assert dsprites_study.score_cell({"factorvae_score": 0.5}, "factorvae_score") == "0.500"


def _fake_evaluated_run(run, scores, minutes):
    os.makedirs(os.path.join(run.model_dir, "eval"))
    with open(os.path.join(run.model_dir, "eval", "metrics.json"), "w") as f:
        json.dump({"step": 5000, "disentanglement": scores}, f)
    with open(os.path.join(run.model_dir, study.RECORD), "w") as f:
        json.dump({"train": {"sessions": [{"seconds": 60 * minutes}]}}, f)


def test_section_has_means_published_numbers_targets_and_commands(tmp_path):
    config = dsprites_study.DspritesStudyConfig(study_dir=str(tmp_path), seeds=(0, 1),
                                                train_steps=5000)
    runs = dsprites_study.plan(config)
    values = {"infogan_seed_0": 0.80, "infogan_seed_1": 0.90, "cr_seed_0": 0.95}
    for run in runs:
        if run.name in values:
            v = values[run.name]
            _fake_evaluated_run(run, {"factorvae_score": v, "mig": v / 4,
                                      "dci_disentanglement": v / 2, "sap": v / 10}, 12.5)
    results = dsprites_study.collect(config)
    assert sorted(results) == ["InfoGAN", "InfoGAN-CR"] and len(results["InfoGAN"]) == 2
    text = dsprites_study.render_section(results, config, "cmd")
    std = np.std([0.8, 0.9], ddof=1)
    mig = np.mean([0.8 / 4, 0.9 / 4])
    assert f"| InfoGAN (ours) | 2 | 0.850 ± {std:.3f} | {mig:.3f} ± {std / 4:.3f} |" in text
    assert "| InfoGAN-CR (ours) | 1 | 0.950 | 0.237 | 0.475 | 0.095 |" in text
    assert "| InfoGAN-CR (Lin et al. 2020) | 50 | 0.88 | 0.37 | 0.71 | — |" in text
    assert "- InfoGAN factorvae_score ≥ 0.82: 0.850 over 2 run(s), met" in text
    assert f"- InfoGAN mig ≥ 0.22: {mig:.3f} over 2 run(s), NOT met" in text
    assert "| InfoGAN | 1 | 5,000 | 0.900 | 0.225 | 0.450 | 0.090 | 12.5 |" in text
    assert "--cr_start_step=4000" in text and "Shorter than the published runs" in text
    assert "--init_from=" in text and "identical to training it from scratch" in text


def test_report_only_without_runs_is_a_clear_error(tmp_path, python_env):
    env, python = python_env
    result = subprocess.run([python, "-m", "infogan_tf.reproduce_dsprites", "--report_only",
                             f"--study_dir={tmp_path}", f"--results_file={tmp_path}/R.md"],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "no evaluated runs" in result.stderr and "Traceback" not in result.stderr
    assert not os.path.exists(tmp_path / "R.md")


def test_report_only_writes_the_section_with_its_notes(tmp_path, python_env):
    env, python = python_env
    config = dsprites_study.DspritesStudyConfig(study_dir=str(tmp_path), seeds=(0,),
                                                train_steps=2000)
    _fake_evaluated_run(dsprites_study.plan(config)[0],
                        {"factorvae_score": 0.5, "mig": 0.1, "dci_disentanglement": 0.3,
                         "sap": 0.01}, 3.0)
    (tmp_path / "notes.md").write_text("The codes followed x and y.\n")
    (tmp_path / "R.md").write_text("# Results\n\n## Other\n\nkept\n")
    result = subprocess.run([python, "-m", "infogan_tf.reproduce_dsprites", "--report_only",
                             f"--study_dir={tmp_path}", "--seeds=0", "--train_steps=2000",
                             "--train_args=--lambda_continuous=0.5",
                             f"--results_file={tmp_path}/R.md",
                             f"--notes_file={tmp_path}/notes.md"],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "R.md").read_text()
    assert "## Other\n\nkept" in text and "| InfoGAN (ours) | 1 | 0.500 |" in text
    assert text.index("### Analysis") > text.index("| InfoGAN (ours)")
    assert "The codes followed x and y." in text
    # The command that wrote it, with every flag changed from its default.
    assert (f"`python -m infogan_tf.reproduce_dsprites --seeds=0 --train_steps=2000 "
            f"--study_dir={tmp_path} --train_args=--lambda_continuous=0.5 "
            f"--results_file={tmp_path}/R.md --notes_file={tmp_path}/notes.md`") in text


def test_a_longer_study_refuses_to_resume_cr_runs_started_elsewhere(tmp_path):
    short = dsprites_study.DspritesStudyConfig(study_dir=str(tmp_path), seeds=(0,),
                                               train_steps=10_000)
    cr_run = [run for run in dsprites_study.plan(short) if run.name == "cr_seed_0"][0]
    os.makedirs(os.path.join(cr_run.model_dir, "checkpoints"))
    with open(os.path.join(cr_run.model_dir, "checkpoints", "checkpoint"), "w") as f:
        f.write('model_checkpoint_path: "ckpt-10000"\n')
    with open(os.path.join(cr_run.model_dir, study.RECORD), "w") as f:
        json.dump({"train": {"command": cr_run.train_command}}, f)
    study.check_same_warm_start(cr_run)  # Same source: resuming is right.
    longer = dsprites_study.DspritesStudyConfig(study_dir=str(tmp_path), seeds=(0,),
                                                train_steps=30_000)
    longer_cr = [run for run in dsprites_study.plan(longer) if run.name == "cr_seed_0"][0]
    with pytest.raises(study.StudyError, match="ckpt-9000.*ckpt-27000.*Move that folder"):
        study.check_same_warm_start(longer_cr)
    os.rename(cr_run.model_dir, cr_run.model_dir + ".old")
    study.check_same_warm_start(longer_cr)  # Moved away: starts afresh from the new source.


def test_archived_runs_are_collected_and_a_cr_run_needs_its_sources_checkpoint(
        tmp_path, monkeypatch):
    archive = str(tmp_path / "archive")
    config = dsprites_study.DspritesStudyConfig(study_dir=str(tmp_path / "runs"), seeds=(0,),
                                                train_steps=10_000, archive_dir=archive)
    infogan, cr = dsprites_study.plan(config)
    _fake_evaluated_run(infogan, {"factorvae_score": 0.6, "mig": 0.1,
                                  "dci_disentanglement": 0.4, "sap": 0.02}, 5.0)
    record = study_archive.read_json(os.path.join(infogan.model_dir, study.RECORD))
    record["train"]["completed_command"] = infogan.train_command
    record["eval"] = {"completed_command": infogan.eval_command}
    with open(os.path.join(infogan.model_dir, study.RECORD), "w") as f:
        json.dump(record, f)
    study_archive.save(infogan.name, infogan.model_dir, archive, None)
    os.rename(infogan.model_dir, infogan.model_dir + ".elsewhere")  # A new machine.
    collected = dsprites_study.collect(config)
    assert [(r["seed"], r["scores"]["factorvae_score"], r["train_minutes"])
            for r in collected["InfoGAN"]] == [(0, 0.6, 5.0)]
    calls = []
    monkeypatch.setattr(study.subprocess, "call", lambda *a, **k: calls.append(a) or 0)
    # InfoGAN is done in the archive, but the CR run starts from its step-9,000 checkpoint.
    with pytest.raises(study.StudyError, match=r"cr_seed_0\] starts from .*ckpt-9000, which "
                                               r"is not on this machine.*archive folder away"):
        dsprites_study.execute(config, log=lambda _: None)
    assert calls == []
