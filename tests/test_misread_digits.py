"""scripts/misread_digits.py: the confusions it names and the grids it writes."""

import json

import numpy as np
import pytest
from PIL import Image

from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentSpec
from infogan_tf.training import train
from run_helpers import load_script


def _script():
    return load_script("misread_digits")


def test_largest_confusions_are_counted_against_the_matched_categories():
    # Clusters are the labels renamed by +1 (mod 3); label 0 also loses four images to
    # label 2's cluster and label 1 one image to label 0's.
    labels = np.array([0] * 10 + [1] * 10 + [2] * 10)
    clusters = np.array([1] * 6 + [0] * 4 + [2] * 9 + [1] + [0] * 10)
    mapping, confusions = _script().largest_confusions(labels, clusters, top=5)
    assert mapping == {1: 0, 2: 1, 0: 2}
    assert confusions == [(0, 2, 4), (1, 0, 1)]
    assert _script().largest_confusions(labels, clusters, top=1)[1] == [(0, 2, 4)]


def test_report_writes_grids_of_each_confusion(tmp_path, mnist_dir, capsys):
    model_dir = str(tmp_path / "run")
    train(TrainConfig(model_dir=model_dir, data_dir=mnist_dir,
                      latent=LatentSpec.from_counts(8, [10], 2), batch_size=8, train_steps=2,
                      steps_per_loop=1, log_every=1, checkpoint_every=2, image_every=2,
                      progress=False, seed=1))
    script = _script()
    script.main([model_dir, str(tmp_path / "out"), "--top=2"])
    report = json.loads(capsys.readouterr().out)
    assert report["step"] == 2 and sum(report["test_images_per_label"]) == 10000
    assert len(report["largest_confusions"]) == 2
    for confusion in report["largest_confusions"]:
        digit, read_as = confusion["digit"], confusion["read_as"]
        assert digit != read_as and confusion["count"] > 0
        for name in (f"real_{digit}_read_as_{read_as}", f"real_{digit}_read_as_{digit}",
                     f"generated_{read_as}", f"generated_{digit}"):
            grid = np.asarray(Image.open(tmp_path / "out" / f"{name}.png"))
            assert grid.shape == (8 * 29 - 1, 8 * 29 - 1)
    # Images of the first confusion's digit in the category it is misread as are shown.
    first = report["largest_confusions"][0]
    shown = np.asarray(Image.open(
        tmp_path / "out" / f"real_{first['digit']}_read_as_{first['read_as']}.png"))
    assert shown[:28, :28].max() > 0


def test_a_run_without_categorical_code_gets_one_clear_message(tmp_path, mnist_dir):
    model_dir = str(tmp_path / "run")
    train(TrainConfig(model_dir=model_dir, data_dir=mnist_dir,
                      latent=LatentSpec.from_counts(8, [], 2), batch_size=8, train_steps=1,
                      steps_per_loop=1, log_every=1, checkpoint_every=1, image_every=1,
                      progress=False, seed=1))
    with pytest.raises(SystemExit, match="no categorical code"):
        _script().main([model_dir, str(tmp_path / "out")])
    assert not (tmp_path / "out").exists()
