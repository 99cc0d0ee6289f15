"""Traversal latents and grid tiling."""

import numpy as np
import pytest

from infogan_tf import visualize
from infogan_tf.latent import LatentSpec

SPEC = LatentSpec.from_counts(4, [10], 2)


def test_categorical_traversal_has_one_column_per_category_and_fixed_noise_per_row():
    latents = visualize.categorical_traversal(SPEC, 0, rows=3, seed=0)
    cats = latents["categorical"][:, 0].reshape(3, 10)
    assert (cats == np.arange(10)).all()
    noise = latents["noise"].reshape(3, 10, 4)
    assert np.all(noise == noise[:, :1]) and not np.allclose(noise[0, 0], noise[1, 0])
    assert np.all(latents["continuous"] == 0)


def test_continuous_traversal_sweeps_minus_two_to_two():
    latents = visualize.continuous_traversal(SPEC, 1, rows=4, seed=0)
    sweep = latents["continuous"][:, 1].reshape(4, 10)
    np.testing.assert_allclose(sweep[0], np.linspace(-2, 2, 10), rtol=1e-6)
    assert np.all(latents["continuous"][:, 0] == 0)
    assert list(latents["categorical"][::10, 0]) == [0, 1, 2, 3]


def test_without_a_categorical_code_rows_draw_the_other_continuous_codes():
    spec = LatentSpec.from_counts(2, [], 3)
    latents = visualize.continuous_traversal(spec, 1, rows=5, seed=7)
    codes = latents["continuous"].reshape(5, 10, 3)
    np.testing.assert_allclose(codes[:, :, 1], np.tile(np.linspace(-2, 2, 10), (5, 1)),
                               rtol=1e-6)
    others = codes[:, :, [0, 2]]
    assert np.all(others == others[:, :1])  # Fixed along a row, so only c2 changes.
    assert np.all(np.abs(others) <= 1) and len(np.unique(others[:, 0, 0])) == 5
    again = visualize.continuous_traversal(spec, 1, rows=5, seed=7)["continuous"]
    np.testing.assert_array_equal(again, latents["continuous"])
    normal = LatentSpec.from_counts(2, [], 2, continuous_prior="normal")
    assert np.abs(visualize.continuous_traversal(normal, 0, rows=200, seed=0)
                  ["continuous"][:, 1]).max() > 1  # Drawn from N(0, 1), not Unif(-1, 1).


def test_tile_grid_places_images_row_major_with_padding():
    images = np.stack([np.full((2, 3, 1), i / 5.0) for i in range(6)])
    grid = visualize.tile_grid(images, rows=2, cols=3, padding=1)
    assert grid.shape == (2 * 3 - 1, 3 * 4 - 1, 1)
    assert grid[0, 0, 0] == 0.0 and grid[3, 4, 0] == pytest.approx(4 / 5.0)
    assert grid[2, 0, 0] == 1.0  # padding row is white
    tanh = visualize.tile_grid(-np.ones((1, 2, 2, 1)), 1, 1, output_range=(-1.0, 1.0))
    assert np.all(tanh == 0.0)
