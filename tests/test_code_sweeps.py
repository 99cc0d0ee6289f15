"""scripts/code_sweeps.py: the per-code sweep record of a checkpoint."""

import json

import numpy as np

from infogan_tf import evaluation, model_io
from infogan_tf.config import TrainConfig
from infogan_tf.latent import LatentSpec
from infogan_tf.training import train
from run_helpers import load_script


def test_each_checkpoint_gets_the_sweeps_evaluate_measures(tmp_path, mnist_dir, capsys):
    train(TrainConfig(model_dir=str(tmp_path), data_dir=mnist_dir,
                      latent=LatentSpec.from_counts(8, [10], 2), batch_size=8, train_steps=2,
                      steps_per_loop=1, log_every=1, checkpoint_every=1, image_every=2,
                      progress=False, seed=4))
    checkpoints = [str(tmp_path / "checkpoints" / f"ckpt-{s}") for s in (1, 2)]
    script = load_script("code_sweeps")
    assert script.main(["code_sweeps", str(tmp_path)] + checkpoints + ["--rows=4"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["step"] for line in lines] == [1, 2]
    # The same numbers evaluate's continuous_codes gives for that checkpoint.
    model = model_io.load_trained_model(str(tmp_path), checkpoints[1])
    expected = evaluation.continuous_codes(model, 4, evaluation.sweep_values(9), seed=0)
    for name in ("c2", "c3"):
        for kind in ("slant", "width", "breadth"):
            np.testing.assert_allclose(lines[1]["codes"][name][kind],
                                       expected["codes"][name][kind]["spearman"], atol=1e-4)
        assert len(lines[1]["codes"][name]["breadth_curve"]) == 9
        # Rows cycle through the categories: 4 rows are categories 0-3.
        by_category = expected["codes"][name]["slant"]["by_group"]
        assert sorted(lines[1]["codes"][name]["slant_by_category"]) == sorted(by_category)
        assert sorted(by_category) == ["0", "1", "2", "3"]
    assert lines[1]["names"] == expected["names"]
    assert script.main(["code_sweeps", str(tmp_path)]) == 2
