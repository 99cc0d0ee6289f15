"""Every flagfile parses into the paper's settings and builds G and D/Q of the right shapes.

The expected values are the paper's (appendix C), InfoGAN-CR's and seed 004's,
written out here independently of the flagfiles.
"""

import dataclasses
import glob
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from infogan_tf import networks
from infogan_tf.config import ConfigError, validate_config
from infogan_tf.latent import LatentSpec

FLAGS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "flags")

# name: (dataset, architecture, noise_dim, categorical, continuous, lambda_cat, lambda_cont,
#        lr D/Q, lr G, G's input width)
EXPECTED = {
    "mnist": ("mnist", "mnist", 62, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 74),
    "mnist_paper": ("mnist", "mnist", 62, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 74),
    "mnist_restarts": ("mnist", "mnist", 62, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 74),
    "mnist_code_views": ("mnist", "mnist", 62, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 74),
    "mnist_code_consistency": ("mnist", "mnist", 62, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 74),
    "mnist_weight_average": ("mnist", "mnist", 62, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 74),
    "mnist_factor_check": ("mnist", "mnist", 62, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 74),
    "mnist_mild_elastic": ("mnist", "mnist", 62, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 74),
    "svhn": ("svhn", "svhn", 124, (10,) * 4, 4, 1.0, 1.0, 2e-4, 1e-3, 168),
    "celeba": ("celeb_a", "svhn", 128, (10,) * 10, 0, 1.0, None, 2e-4, 1e-3, 228),
    "faces_azimuth": ("folder", "faces", 128, (), 5, None, 0.2, 2e-4, 5e-4, 133),
    "faces_elevation": ("folder", "faces", 128, (), 5, None, 0.1, 4e-4, 3e-4, 133),
    "faces_lighting": ("folder", "faces", 128, (), 5, None, 0.1, 8e-4, 3e-4, 133),
    "chairs_rotation": ("folder", "chairs", 128, (20,) * 3, 1, 1.0, 10.0, 2e-4, 1e-3, 189),
    "chairs_width": ("folder", "chairs", 128, (20,) * 3, 1, 2.0, 0.05, 2e-4, 1e-3, 189),
    "dsprites": ("dsprites", "dsprites", 5, (), 5, None, 0.05, 2e-3, 1e-3, 10),
    "dsprites_cr": ("dsprites", "dsprites", 5, (), 5, None, 0.05, 2e-3, 1e-3, 10),
    "basicprop_line": ("basicprop_line", "mnist", 62, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 74),
    "basicprop_rectangles": ("basicprop_rectangles", "mnist", 62, (10, 10), 2, 1.0, 1.0,
                             2e-4, 1e-3, 84),
    "mnist_gan_baseline": ("mnist", "mnist", 62, (10,), 0, 1.0, None, 2e-4, 1e-3, 72),
    "mnist_figure1_fast_q": ("mnist", "mnist", 62, (10,), 0, 1.0, None, 2e-4, 1e-3, 72),
    "mnist_figure1_normal_noise": ("mnist", "mnist", 62, (10,), 0, 1.0, None, 2e-4, 1e-3, 72),
    "mnist_no_noise": ("mnist", "mnist", 0, (10,), 2, 1.0, 1.0, 2e-4, 1e-3, 12),
    "mnist_categorical_only": ("mnist", "mnist", 0, (10,), 0, 1.0, None, 2e-4, 1e-3, 10),
    "mnist_vanilla_with_codes": ("mnist", "mnist", 62, (10,), 2, 0.0, 0.0, 2e-4, 1e-3, 74),
}
IMAGE_SHAPES = {"mnist": (28, 28, 1), "svhn": (32, 32, 3), "faces": (32, 32, 1),
                "chairs": (64, 64, 1), "dsprites": (64, 64, 1)}


def test_the_flagfiles_are_exactly_the_listed_ones():
    names = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(FLAGS_DIR, "*.cfg"))}
    assert names == set(EXPECTED)


def test_default_mnist_differs_from_the_paper_recipe_only_by_the_categorical_views(parse_flags):
    default, paper = parse_flags(flagfile="mnist"), parse_flags(flagfile="mnist_paper")
    views = ("categorical_rotation_degrees", "categorical_shear", "categorical_stroke",
             "categorical_elastic_alpha")
    assert [getattr(default, name) for name in views] == [25.0, 0.3, 0.0, 34.0]
    assert [getattr(paper, name) for name in views] == [0.0, 0.0, 0.0, 0.0]
    assert dataclasses.replace(default, **{name: 0.0 for name in views}) == paper


def test_mnist_restarts_is_mnist_with_a_faster_q_three_candidates_and_a_late_choice(
        parse_flags):
    default, restarts = parse_flags(flagfile="mnist"), parse_flags(flagfile="mnist_restarts")
    assert (restarts.q_learning_rate, restarts.candidates, restarts.candidate_steps,
            restarts.choose_checkpoint_from) == (1e-3, 3, 2000, 3000)
    assert dataclasses.replace(restarts, q_learning_rate=None, candidates=1,
                               choose_checkpoint_from=0) == default


def test_mnist_code_views_is_mnist_restarts_with_c3_turned_and_c2_restroked(parse_flags):
    restarts = parse_flags(flagfile="mnist_restarts")
    views = parse_flags(flagfile="mnist_code_views")
    assert (views.continuous_codes_from_views, views.continuous_view_rotation_degrees,
            views.continuous_view_shift) == (("c3",), 180.0, False)
    assert (views.continuous_codes_from_stroke_views, views.continuous_view_stroke) == (
        ("c2",), 1.0)
    assert dataclasses.replace(views, continuous_codes_from_views=(),
                               continuous_view_rotation_degrees=0.0,
                               continuous_codes_from_stroke_views=(),
                               continuous_view_stroke=0.0) == restarts


def test_mnist_code_consistency_is_mnist_code_views_that_ranks_candidates_by_their_codes(
        parse_flags):
    views = parse_flags(flagfile="mnist_code_views")
    consistency = parse_flags(flagfile="mnist_code_consistency")
    assert consistency.candidate_code_consistency and not views.candidate_code_consistency
    assert dataclasses.replace(consistency, candidate_code_consistency=False) == views


def test_mnist_weight_average_is_mnist_code_views_with_averaged_weights(parse_flags):
    views = parse_flags(flagfile="mnist_code_views")
    averaged = parse_flags(flagfile="mnist_weight_average")
    assert averaged.weight_average_decay == 0.999 and views.weight_average_decay == 0
    assert averaged.weight_average_start == averaged.candidate_steps == 2000
    assert dataclasses.replace(averaged, weight_average_decay=0.0,
                               weight_average_start=0) == views


def test_mnist_factor_check_is_mnist_weight_average_that_looks_for_both_factors(parse_flags):
    averaged = parse_flags(flagfile="mnist_weight_average")
    checked = parse_flags(flagfile="mnist_factor_check")
    assert checked.candidate_factor_check and checked.candidate_limit == 6
    assert checked.candidates == 3 and not checked.candidate_code_consistency
    assert dataclasses.replace(checked, candidate_factor_check=False,
                               candidate_limit=0) == averaged


def test_mnist_mild_elastic_is_mnist_factor_check_with_half_the_elastic_strength(parse_flags):
    checked = parse_flags(flagfile="mnist_factor_check")
    mild = parse_flags(flagfile="mnist_mild_elastic")
    assert checked.categorical_elastic_alpha == 34 and mild.categorical_elastic_alpha == 17
    assert dataclasses.replace(mild, categorical_elastic_alpha=34) == checked


def test_the_fast_q_figure1_pair_is_the_baseline_pair_with_the_restarts_q_rate(parse_flags):
    baseline, fast = (parse_flags(flagfile="mnist_gan_baseline"),
                      parse_flags(flagfile="mnist_figure1_fast_q"))
    assert fast.q_learning_rate == parse_flags(flagfile="mnist_restarts").q_learning_rate
    assert dataclasses.replace(fast, q_learning_rate=None) == baseline


def test_the_normal_noise_figure1_pair_is_the_fast_q_pair_with_gaussian_z(parse_flags):
    fast, normal = (parse_flags(flagfile="mnist_figure1_fast_q"),
                    parse_flags(flagfile="mnist_figure1_normal_noise"))
    assert fast.latent.noise_prior == "uniform" and normal.latent.noise_prior == "normal"
    uniform_latent = dataclasses.replace(normal.latent, noise_prior="uniform")
    assert dataclasses.replace(normal, latent=uniform_latent) == fast


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_flagfile_parses_and_builds_networks_of_the_right_shapes(name, parse_flags):
    (dataset, arch_name, noise, categorical, continuous, lambda_cat, lambda_cont, d_lr, g_lr,
     input_dim) = EXPECTED[name]
    config = parse_flags(flagfile=name)
    validate_config(config)
    spec = config.latent
    assert (config.dataset, config.architecture, spec.noise_dim) == (dataset, arch_name, noise)
    assert tuple(c.num_categories for c in spec.categorical_codes) == categorical
    assert spec.num_continuous == continuous and spec.input_dim == input_dim
    if lambda_cat is not None:
        assert config.lambda_categorical == lambda_cat
    if lambda_cont is not None:
        assert config.lambda_continuous == lambda_cont
    assert (config.d_learning_rate, config.g_learning_rate) == (d_lr, g_lr)
    assert config.generator_mi == (name not in ("mnist_gan_baseline", "mnist_figure1_fast_q",
                                                "mnist_figure1_normal_noise"))

    arch = networks.get_architecture(arch_name)
    assert arch.image_shape == IMAGE_SHAPES[arch_name]
    generator = networks.build_generator(arch, spec, config.network)
    discriminator = networks.build_discriminator(arch, spec, config.network)
    images = generator(spec.generator_input(spec.sample(tf.random.Generator.from_seed(0), 4)),
                       training=False).numpy()
    low, high = arch.output_range
    assert images.shape == (4,) + arch.image_shape
    assert low <= images.min() and images.max() <= high
    assert (images.min() < 0) == (arch.output_activation == "tanh")
    outputs = discriminator(images, training=False)
    assert outputs["validity"].shape == (4, 1)
    for i, k in enumerate(categorical):
        assert outputs[f"categorical_{i}"].shape == (4, k)
    for part in ("continuous_mean", "continuous_log_std"):
        assert (outputs[part].shape == (4, continuous)) if continuous else part not in outputs


def test_dsprites_flagfile_has_infogan_cr_settings(parse_flags):
    config = parse_flags(flagfile="dsprites")
    assert config.batch_size == 64 and config.network.leaky_relu_slope == 0.2
    assert not config.learn_continuous_std and config.latent.continuous_codes[0].kind == "uniform"
    # InfoGAN-CR's code runs G's update twice per iteration, in both of their models.
    assert config.generator_updates == 2
    assert parse_flags(flagfile="dsprites_cr").generator_updates == 2
    assert parse_flags(flagfile="mnist").generator_updates == 1


def test_dataset_alone_picks_its_architecture_and_vice_versa(parse_flags):
    parse = parse_flags
    assert (parse("--dataset=svhn").architecture, parse("--dataset=celeb_a").architecture) == \
        ("svhn", "svhn")
    assert parse("--architecture=chairs").dataset == "folder"
    assert (parse().dataset, parse().architecture) == ("mnist", "mnist")
    with pytest.raises(ConfigError, match="--dataset='cifar' is unknown"):
        parse("--dataset=cifar")


def test_instance_noise_and_basicprop_flags_are_validated(parse_flags):
    parse = parse_flags
    config = parse("--dataset=basicprop_line", "--instance_noise_std=0.2",
                   "--instance_noise_steps=100", "--basicprop_noise=both")
    assert (config.instance_noise_std, config.instance_noise_steps) == (0.2, 100)
    assert config.dataset_options().basicprop_noise == "both"
    with pytest.raises(ConfigError, match="--instance_noise_std must be >= 0"):
        validate_config(parse("--instance_noise_std=-1"))
    with pytest.raises(ConfigError, match="--instance_noise_steps must be >= 0"):
        validate_config(parse("--instance_noise_steps=-1"))


def _layers(model, kind):
    found = []
    for layer in model.layers:
        inner = getattr(layer, "layer", None)
        if isinstance(layer, kind) or isinstance(inner, kind):
            found.append(inner if isinstance(inner, kind) else layer)
    return found


def _conv_structure(model):
    return [(l.filters, l.strides[0]) for l in _layers(model, keras.layers.Conv2D)]


@pytest.mark.parametrize("arch_name, d_convs, g_upconvs, d_dense", [
    ("svhn", [(64, 2), (128, 2), (256, 2)], [(256, 2), (128, 2), (64, 2), (3, 2)], [1, 128]),
    ("faces", [(64, 2), (128, 2)], [(64, 2), (1, 2)], [1, 1024]),
    ("chairs", [(64, 2), (128, 2), (256, 2), (256, 1), (256, 1)],
     [(256, 1), (256, 1), (128, 2), (64, 2), (1, 2)], [1, 1024]),
    ("dsprites", [(32, 2), (32, 2), (64, 2), (64, 2)], [(64, 2), (32, 2), (32, 2), (1, 2)],
     [1, 128, 128]),
])
def test_architectures_follow_the_papers_tables(arch_name, d_convs, g_upconvs, d_dense):
    spec = LatentSpec.from_counts(4, [3], 0)
    arch = networks.get_architecture(arch_name)
    g = networks.build_generator(arch, spec, networks.NetworkOptions())
    d = networks.build_discriminator(arch, spec, networks.NetworkOptions())
    assert _conv_structure(d) == d_convs
    ups = [(l.filters, l.strides[0]) for l in _layers(g, keras.layers.Conv2DTranspose)]
    assert ups == g_upconvs
    dense_units = [l.units for l in _layers(d, keras.layers.Dense) if l.units != 3]
    assert sorted(dense_units) == d_dense
    spectral = [l for l in d.layers if isinstance(l, keras.layers.SpectralNormalization)]
    assert bool(spectral) == (arch_name == "dsprites")
    if arch_name == "dsprites":  # Every D/Q layer with a kernel is normalised, none batch-normed.
        assert len(spectral) == 4 + 1 + 1 + 1 + 1
        assert not [l for l in d.layers if isinstance(l, keras.layers.BatchNormalization)]
    assert np.prod(g.output_shape[1:]) == np.prod(arch.image_shape)
