"""The copies of G's images that Q reads continuous codes from.

Why (see code_augmentation for the categorical case): with a fixed std, L_I of two
continuous codes is the same for any rotation of their plane, so both codes can mix slant
and width. A code read from copies turned by any angle carries no slant; rolled copies carry
no position (dSprites); copies with strokes randomly thickened or thinned carry little stroke
width. Turned copies keep the digit's breadth across its principal axis, which one seed's c3
took instead of stroke width (docs/studies/study_code_views/). Copies also stretched or
squeezed along the image's x axis before the turn (--continuous_view_stretch) make breadth a
noisier signal of the code; from a checkpoint already on breadth that weakened its hold on
c3 but did not hand c3 to stroke width (docs/studies/probe_stretch/), so it stays off.
"""

import math

import tensorflow as tf

from infogan_tf.code_augmentation import (random_affine_transforms, random_stroke_change,
                                          transform_images)
from infogan_tf.view_settings import continuous_view_is_own


def random_cyclic_shifts(rng: tf.random.Generator, images: tf.Tensor) -> tf.Tensor:
    """Each image rolled by a random whole number of pixels along each axis, any offset
    equally likely, so the result says nothing about where anything was (what leaves one
    edge comes back at the other). Differentiable in the images."""
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    dx = tf.floor(rng.uniform([batch], 0.0, float(width)))
    dy = tf.floor(rng.uniform([batch], 0.0, float(height)))
    ones, zeros = tf.ones_like(dx), tf.zeros_like(dx)
    # Output (x, y) reads input (x + dx, y + dy), wrapped.
    transforms = tf.stack([ones, zeros, dx, zeros, ones, dy, zeros, zeros], axis=1)
    result = tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.cast(images, tf.float32), transforms=transforms,
        output_shape=tf.constant([height, width], tf.int32),
        fill_value=tf.constant(0.0, tf.float32), interpolation="NEAREST", fill_mode="WRAP")
    return tf.cast(result, images.dtype)


def stretch_transforms(transforms: tf.Tensor, factors: tf.Tensor, height: int,
                       width: int) -> tf.Tensor:
    """[B, 8] transforms that first stretch each image along its own x axis by `factors`
    [B] (about the centre; > 1 wider, < 1 narrower), then apply `transforms`.

    The transforms map output to input coordinates, so stretching the input before the
    given map divides the x row of the map's linear part by the factor.
    """
    m00, m01 = transforms[:, 0] / factors, transforms[:, 1] / factors
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    return tf.concat([tf.stack([m00, m01, cx - m00 * cx - m01 * cy], axis=1),
                      transforms[:, 3:]], axis=1)


def continuous_view(config, architecture, rng: tf.random.Generator, images: tf.Tensor):
    """The copies Q reads the --continuous_codes_from_views from when they have their own:
    each image stretched or squeezed along its own x axis by a factor log-uniform in
    [1 / (1 + s), 1 + s] for s = --continuous_view_stretch (so breadth follows the code less),
    rotated by an angle uniform in ± --continuous_view_rotation_degrees (180 = any angle, so
    a code read from them carries no slant at all), then, with --continuous_view_shift,
    rolled to a random position (no position either). None when all are off: those codes
    are then read from categorical_view's copies.
    """
    if not continuous_view_is_own(config):
        return None
    if config.continuous_view_rotation_degrees or config.continuous_view_stretch:
        height, width = architecture.image_shape[:2]
        batch = tf.shape(images)[0]
        transforms = random_affine_transforms(rng, batch, height, width,
                                              config.continuous_view_rotation_degrees, 0.0)
        # No extra draws when the stretch is off: older runs keep their random streams.
        if config.continuous_view_stretch:
            factors = tf.exp(rng.uniform([batch], -1.0, 1.0)
                             * math.log1p(config.continuous_view_stretch))
            transforms = stretch_transforms(transforms, factors, height, width)
        images = transform_images(images, transforms, architecture.output_range[0])
    if config.continuous_view_shift:
        images = random_cyclic_shifts(rng, images)
    return images


def stroke_view(config, rng: tf.random.Generator, images: tf.Tensor):
    """The copies Q reads the --continuous_codes_from_stroke_views from: strokes thickened
    or thinned by a fraction uniform in ± --continuous_view_stroke (random_stroke_change),
    or None when no code is named."""
    if not config.continuous_codes_from_stroke_views:
        return None
    return random_stroke_change(rng, images, config.continuous_view_stroke)
