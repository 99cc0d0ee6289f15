"""--choose_checkpoint_from: the run's result is its most informative late checkpoint."""

import datetime
import json
import os

import numpy as np
import pytest

from run_helpers import checksums, cli_flags, run_main, short_config

from infogan_tf import candidates
from infogan_tf import checkpointing
from infogan_tf import data as data_lib
from infogan_tf import evaluation
from infogan_tf import final_checkpoint
from infogan_tf.checkpointing import CheckpointMismatchError
from infogan_tf.config import ConfigError, validate_config
from infogan_tf.latent import LatentSpec
from infogan_tf.model_io import load_trained_model
from infogan_tf.run_lock import ModelDirLockedError, RunLock
from infogan_tf.training import train


@pytest.mark.parametrize("overrides, message", [
    (dict(choose_checkpoint_from=-1), "must be between 0"),
    (dict(choose_checkpoint_from=5), "must be between 0"),
    (dict(choose_checkpoint_from=2, latent=LatentSpec.from_counts(8, [], 2)),
     "needs a categorical code"),
    (dict(choose_checkpoint_from=2, strategy="multi_worker"), "multi_worker"),
    # Checkpoints at 1, 2, 3, 4 but only 3 kept: step 1 would be deleted before the choice.
    (dict(choose_checkpoint_from=1, checkpoint_every=1, keep_checkpoints=3),
     "chooses among 4 checkpoints .* raise --keep_checkpoints to 4"),
    # Checkpoints at 3 and 5 (the last step is always saved), 1 kept.
    (dict(choose_checkpoint_from=3, checkpoint_every=3, train_steps=5, keep_checkpoints=1),
     "chooses among 2 checkpoints"),
])
def test_bad_final_choice_settings_are_refused(tmp_path, overrides, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(short_config(tmp_path / "run", None, **overrides))
    validate_config(short_config(tmp_path / "run", None, choose_checkpoint_from=3,
                                 checkpoint_every=1, keep_checkpoints=2))


def test_the_most_informative_late_checkpoint_becomes_the_result(tmp_path, mnist_dir, capsys,
                                                                 monkeypatch):
    monkeypatch.setattr(candidates, "SCORE_IMAGES", 2000)  # Fewer real images: a faster test.
    run_dir = tmp_path / "run"
    flags = cli_flags(run_dir, mnist_dir, "--checkpoint_every=1", "--choose_checkpoint_from=2")
    status, err = run_main(flags, capsys)
    assert status == 0, err
    choice = json.loads((run_dir / checkpointing.FINAL_CHOICE_FILE).read_text())
    assert choice["from_step"] == 2 and choice["latest_checkpoint"] == "ckpt-4"
    assert [c["step"] for c in choice["candidates"]] == [2, 3, 4]  # Step 1 is before the window.
    # Each score recomputed from Q's softmax on the same real images, with numpy.
    images = data_lib.load_dataset("mnist", mnist_dir, "train").images[:2000]
    for entry in choice["candidates"]:
        assert entry["checkpoint"] == f"ckpt-{entry['step']}"
        model = load_trained_model(str(run_dir), str(run_dir / "checkpoints" / entry["checkpoint"]))
        real = data_lib.scale_images(images, model.architecture.output_range).numpy()
        logits = np.asarray(evaluation.discriminate(model, real).categorical_logits[0], np.float64)
        q = np.exp(logits - logits.max(axis=1, keepdims=True))
        q /= q.sum(axis=1, keepdims=True)
        marginal = q.mean(axis=0)
        information = -np.sum(marginal * np.log(marginal)) + np.mean(np.sum(q * np.log(q), 1))
        assert entry["mutual_information"] == pytest.approx(information, abs=1e-6)
    best = max(choice["candidates"], key=lambda c: c["mutual_information"])
    assert choice["chosen"]["step"] == best["step"]
    assert load_trained_model(str(run_dir)).step == best["step"]

    # Run again: nothing is trained or scored again, and the choice stays as it was.
    before = checksums(str(run_dir))
    monkeypatch.setattr(candidates, "score_checkpoint", _must_not_score)
    status, err = run_main(flags, capsys)
    assert status == 0, err
    assert {k: v for k, v in checksums(str(run_dir)).items() if not k.startswith("train")} == {
        k: v for k, v in before.items() if not k.startswith("train")}

    # Run without the flag: the choice is set aside (kept) and the latest is the result.
    monkeypatch.setattr(final_checkpoint.datetime, "datetime", _FixedNow)
    status, err = run_main([f for f in flags if not f.startswith("--choose")], capsys)
    assert status == 0, err
    assert checkpointing.chosen_checkpoint(str(run_dir)) is None
    assert json.loads((run_dir / "final_checkpoint.withdrawn-20261125-080000.json")
                      .read_text()) == choice
    assert load_trained_model(str(run_dir)).step == 4

    # Trained on past a choice (by the library, which never chooses): the latest again.
    (run_dir / "final_checkpoint.withdrawn-20261125-080000.json").rename(
        run_dir / checkpointing.FINAL_CHOICE_FILE)
    assert load_trained_model(str(run_dir)).step == best["step"]
    train(short_config(run_dir, mnist_dir, train_steps=5, checkpoint_every=1))
    assert checkpointing.chosen_checkpoint(str(run_dir)) is None
    assert load_trained_model(str(run_dir)).step == 5


class _FixedNow(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.datetime(2026, 11, 25, 8, 0, 0)


def _must_not_score(*args, **kwargs):
    raise AssertionError("a choice already made was scored again")


def test_the_choice_file_points_loading_at_its_checkpoint_or_fails_clearly(tmp_path, mnist_dir):
    run_dir = tmp_path / "run"
    train(short_config(run_dir, mnist_dir, train_steps=2, checkpoint_every=1))
    path = run_dir / checkpointing.FINAL_CHOICE_FILE
    path.write_text(json.dumps({"latest_checkpoint": "ckpt-2",
                                "chosen": {"checkpoint": "ckpt-1"}}))
    assert load_trained_model(str(run_dir)).step == 1
    assert load_trained_model(str(run_dir), str(run_dir / "checkpoints" / "ckpt-2")).step == 2
    path.write_text("{not json")
    with pytest.raises(CheckpointMismatchError, match="unreadable .* delete it"):
        load_trained_model(str(run_dir))
    path.unlink()
    with RunLock(str(run_dir)):  # A trainer is using the folder: nothing is chosen.
        with pytest.raises(ModelDirLockedError, match="in use by another trainer"):
            final_checkpoint.choose_final_checkpoint(str(run_dir), 1, mnist_dir)
    assert not os.path.exists(path)
    with pytest.raises(ConfigError, match="keeps no checkpoint at step >= 3"):
        final_checkpoint.choose_final_checkpoint(str(run_dir), 3, mnist_dir, log=lambda _: None)
    assert not os.path.exists(path)
