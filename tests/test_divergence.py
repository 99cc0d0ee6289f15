"""Stopping a run: a NaN loss (stop, or roll back with halved learning rates) and SIGINT.

The NaN comes from the real training step: a hooked trainer sets G's first
kernel to NaN at a chosen step, as a blown-up update would.
"""

import dataclasses
import json
import os
import re
import signal

import numpy as np
import pytest
import tensorflow as tf
from run_helpers import checksums, cli_flags, logged_steps, run_main, short_config

from infogan_tf import recovery
from infogan_tf import training
from infogan_tf.config import ConfigError
from infogan_tf.trainer import InfoGANTrainer


def _hooked_trainer(hook):
    """InfoGANTrainer calling hook(trainer) before each train_loop call."""
    class Hooked(InfoGANTrainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            loop = self.train_loop

            def train_loop(iterator, num_steps):
                hook(self)
                return loop(iterator, num_steps)
            self.train_loop = train_loop
    return Hooked


def _poison_at(step, times, before_poisoning=lambda: None):
    """A hook making G's weights NaN before step `step` + 1, the first `times` times."""
    done = []

    def hook(trainer):
        if int(trainer.step.numpy()) == step and len(done) < times:
            before_poisoning()
            done.append(step)
            variable = trainer.generator.trainable_variables[0]
            variable.assign(tf.fill(variable.shape, np.nan))
    return hook


def _learning_rates(checkpoint_path):
    reader = tf.train.load_checkpoint(checkpoint_path)
    return tuple(float(reader.get_tensor(f"{name}/_learning_rate/.ATTRIBUTES/VARIABLE_VALUE"))
                 for name in ("d_optimizer", "g_optimizer"))


@pytest.mark.parametrize("overrides, message", [
    (dict(on_nan="retry"), "--on_nan='retry' is unknown; use one of stop, rollback"),
    (dict(max_rollbacks=-1), "--max_rollbacks must be >= 0, got -1"),
])
def test_bad_divergence_settings_are_refused(tmp_path, mnist_dir, overrides, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        training.train(short_config(tmp_path / "never", mnist_dir, **overrides))
    assert not (tmp_path / "never").exists()


def test_nan_stops_the_run_naming_the_last_good_checkpoint(tmp_path, mnist_dir, monkeypatch):
    checkpoints = tmp_path / "run" / "checkpoints"
    before = {}
    hook = _poison_at(3, 1, lambda: before.update(checksums(checkpoints)))
    monkeypatch.setattr(training, "InfoGANTrainer", _hooked_trainer(hook))
    with pytest.raises(training.TrainingDivergedError) as error:
        training.train(short_config(tmp_path / "run", mnist_dir, deterministic=False))
    message = str(error.value)
    assert message.startswith("non-finite loss by step 4: {") and "'d_loss': nan" in message
    assert f"Last good checkpoint: {checkpoints}/ckpt-2 (left untouched)" in message
    assert "or train with --on_nan=rollback" in message
    assert sorted(before) == ["checkpoint", "ckpt-2.data-00000-of-00001", "ckpt-2.index"]
    assert checksums(checkpoints) == before


def test_rollback_halves_the_rates_persistently_and_stops_after_max(tmp_path, mnist_dir,
                                                                     monkeypatch, capsys):
    model_dir = tmp_path / "rollback"
    checkpoints = model_dir / "checkpoints"
    config = short_config(model_dir, mnist_dir, on_nan="rollback", max_rollbacks=2,
                          d_learning_rate=2e-4, g_learning_rate=1e-3, deterministic=False)
    monkeypatch.setattr(training, "InfoGANTrainer", _hooked_trainer(_poison_at(3, 1)))
    assert training.train(config)["step"] == 4
    assert "Rollback 1 of 2: restored " + f"{checkpoints}/ckpt-2 (step 2) and halved the " \
           "learning rates to D 0.0001, G 0.0005." in capsys.readouterr().err
    with open(model_dir / "rollbacks.json") as f:
        log = json.load(f)["rollbacks"]
    assert log == [{"diverged_by_step": 4, "restored": f"{checkpoints}/ckpt-2",
                    "restored_step": 2, "d_learning_rate": 1e-4, "g_learning_rate": 5e-4}]
    assert _learning_rates(str(checkpoints / "ckpt-4")) == (np.float32(1e-4), np.float32(5e-4))

    # Resumed, the rates stay halved (ckpt-6); NaN at every try: one more rollback, a stop.
    monkeypatch.setattr(training, "InfoGANTrainer", _hooked_trainer(_poison_at(6, 10)))
    with pytest.raises(training.TrainingDivergedError) as error:
        training.train(dataclasses.replace(config, train_steps=8))
    assert "Stopping after 2 rollback(s) (--max_rollbacks)" in str(error.value)
    assert f"Last good checkpoint: {checkpoints}/ckpt-6" in str(error.value)
    assert _learning_rates(str(checkpoints / "ckpt-6")) == (np.float32(1e-4), np.float32(5e-4))
    with open(model_dir / "rollbacks.json") as f:
        second = json.load(f)["rollbacks"][1]
    assert second["restored_step"] == 6
    assert (second["d_learning_rate"], second["g_learning_rate"]) == (5e-5, 2.5e-4)
    assert logged_steps(str(model_dir)) == [1, 2, 3, 4, 5, 6]  # Diverged steps purged.


def _send_sigint_after_step_5(monkeypatch):
    """Makes the trainer send its own process SIGINT once step 5 is done."""
    def interrupt(trainer):
        if int(trainer.step.numpy()) == 5:
            os.kill(os.getpid(), signal.SIGINT)
    monkeypatch.setattr(training, "InfoGANTrainer", _hooked_trainer(interrupt))


@pytest.fixture
def sigint_handler():
    """Sets SIGINT's handler for one test; the suite's own is put back after it."""
    previous = signal.getsignal(signal.SIGINT)
    yield lambda handler: signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGINT, previous)


def test_sigint_saves_the_current_step_and_says_how_to_resume(tmp_path, mnist_dir, monkeypatch,
                                                              capsys, sigint_handler):
    _send_sigint_after_step_5(monkeypatch)
    # As in a terminal, even when the suite runs as a background job (SIGINT ignored).
    sigint_handler(signal.default_int_handler)
    status, err = run_main(cli_flags(tmp_path / "run", mnist_dir, "--train_steps=10",
                                     "--checkpoint_every=4", "--nodeterministic"), capsys)
    assert status == 130
    checkpoints = tmp_path / "run" / "checkpoints"
    assert (f"infogan_tf: stopped by SIGINT at step 6; checkpoint {checkpoints}/ckpt-6 is "
            "saved. Run the same command again to resume from step 6.") in err
    assert recovery.verify_checkpoint(str(checkpoints / "ckpt-6")) is None
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_run_started_with_sigint_ignored_keeps_ignoring_it(tmp_path, mnist_dir, monkeypatch,
                                                             capsys, sigint_handler):
    _send_sigint_after_step_5(monkeypatch)
    sigint_handler(signal.SIG_IGN)  # As `nohup` or a script's background job starts it.
    status, err = run_main(cli_flags(tmp_path / "run", mnist_dir, "--train_steps=8",
                                     "--checkpoint_every=4", "--nodeterministic"), capsys)
    assert status == 0 and "SIGINT" not in err
    assert recovery.find_resume_point(str(tmp_path / "run")).step == 8
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
