"""Random small rotations and shears of generated images, for Q's categorical heads.

Why: on MNIST, G can satisfy L_I for a 10-way code with categories that split
similar digits (4, 7, 9) by slant or stroke style instead of by digit, with z
choosing the digit. If Q must read the category from a randomly rotated and
sheared copy of G's image, a category that differs from another only by slant
cannot be read back, so L_I favours categories that survive these
transformations: digit identity. The continuous codes (and D's validity) still
see the images as generated, so a continuous code can still capture slant.
No labels are involved.

The same argument can separate the continuous codes (--continuous_codes_from_views), where
L_I with a fixed std is otherwise the same for any rotation of their plane and both codes
can mix slant and width. Turns within 25 degrees are not enough for that: a code's slant
range can be wider and stay readable (docs/studies/probe_continuous_views/). Copies turned
by any angle (continuous_view) carry no slant at all, so a code read from them is left to a
factor that survives rotation, such as stroke width; rolled copies likewise carry no
position (dSprites). Copies with strokes randomly thickened or thinned
(--continuous_codes_from_stroke_views) carry little stroke width, so a code read from them is
pushed towards a factor that survives it, such as slant.
"""

import math

import tensorflow as tf


def random_affine_transforms(rng: tf.random.Generator, batch, height: int, width: int,
                             max_rotation_degrees: float, max_shear: float) -> tf.Tensor:
    """[batch, 8] projective transforms (output -> input pixel coordinates), about the centre.

    Each image gets a rotation uniform in ±max_rotation_degrees and a horizontal
    shear uniform in ±max_shear (x += shear * y), both symmetric in sign.
    """
    angle = rng.uniform([batch], -1.0, 1.0) * (max_rotation_degrees * math.pi / 180.0)
    shear = rng.uniform([batch], -1.0, 1.0) * max_shear
    cos, sin = tf.cos(angle), tf.sin(angle)
    # M = R(angle) @ [[1, shear], [0, 1]]
    m00, m01 = cos, cos * shear - sin
    m10, m11 = sin, sin * shear + cos
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    zeros = tf.zeros_like(angle)
    return tf.stack([m00, m01, cx - m00 * cx - m01 * cy,
                     m10, m11, cy - m10 * cx - m11 * cy, zeros, zeros], axis=1)


def transform_images(images: tf.Tensor, transforms: tf.Tensor, fill_value: float) -> tf.Tensor:
    """Applies [B, 8] transforms to [B, H, W, C] images (bilinear; outside = fill_value).

    Differentiable with respect to the images, so G gets gradients through it.
    """
    height, width = images.shape[1], images.shape[2]
    dtype = images.dtype
    result = tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.cast(images, tf.float32), transforms=tf.cast(transforms, tf.float32),
        output_shape=tf.constant([height, width], tf.int32),
        fill_value=tf.constant(fill_value, tf.float32), interpolation="BILINEAR",
        fill_mode="CONSTANT")
    return tf.cast(result, dtype)


def random_stroke_change(rng: tf.random.Generator, images: tf.Tensor,
                         max_change: float) -> tf.Tensor:
    """Thickens or thins each image's strokes by a random amount (grey-level morphology).

    Each image is blended with its 3x3 dilation (fraction t > 0) or erosion (t < 0), t
    uniform in ±max_change; strokes are the high values (the background is the low end of
    G's range). t = ±1 moves every edge by about one pixel. Differentiable in the images.
    """
    amount = rng.uniform([tf.shape(images)[0], 1, 1, 1], -1.0, 1.0) * max_change
    dilated = tf.nn.max_pool2d(images, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    target = tf.where(amount > 0, dilated, eroded)
    return images + tf.abs(amount) * (target - images)


ELASTIC_SIGMA = 4.0  # Smoothness of the displacement field, pixels (Simard et al. 2003).


def _gaussian_blur(fields: tf.Tensor, sigma: float) -> tf.Tensor:
    """Separable Gaussian blur of [B, H, W, C] (zero padding), per channel."""
    radius = int(math.ceil(2 * sigma))
    taps = tf.exp(-tf.range(-radius, radius + 1, dtype=tf.float32) ** 2 / (2 * sigma ** 2))
    taps /= tf.reduce_sum(taps)
    channels = fields.shape[-1]
    rows = tf.tile(tf.reshape(taps, [-1, 1, 1, 1]), [1, 1, channels, 1])
    columns = tf.tile(tf.reshape(taps, [1, -1, 1, 1]), [1, 1, channels, 1])
    fields = tf.nn.depthwise_conv2d(fields, rows, [1, 1, 1, 1], "SAME")
    return tf.nn.depthwise_conv2d(fields, columns, [1, 1, 1, 1], "SAME")


def bilinear_sample(images: tf.Tensor, x: tf.Tensor, y: tf.Tensor,
                    fill_value: float) -> tf.Tensor:
    """images [B, H, W, C] read at float pixel coordinates x, y [B, H, W]; outside = fill.

    Differentiable in the images (gather's gradient scatters back to the pixels read).
    """
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], constant_values=fill_value)
    # Padded coordinates; anything beyond the one-pixel border reads the border (= fill).
    x = tf.clip_by_value(x + 1.0, 0.0, width + 1.0)
    y = tf.clip_by_value(y + 1.0, 0.0, height + 1.0)
    x0, y0 = tf.floor(x), tf.floor(y)
    wx, wy = (x - x0)[..., None], (y - y0)[..., None]
    flat = tf.reshape(padded, [-1, images.shape[3]])
    base = tf.reshape(tf.range(batch) * (height + 2) * (width + 2), [-1, 1, 1])

    def pixel(yi, xi):
        yi = tf.minimum(tf.cast(yi, tf.int32), height + 1)
        xi = tf.minimum(tf.cast(xi, tf.int32), width + 1)
        return tf.gather(flat, base + yi * (width + 2) + xi)

    top = pixel(y0, x0) * (1 - wx) + pixel(y0, x0 + 1) * wx
    bottom = pixel(y0 + 1, x0) * (1 - wx) + pixel(y0 + 1, x0 + 1) * wx
    return top * (1 - wy) + bottom * wy


def random_elastic_distortion(rng: tf.random.Generator, images: tf.Tensor, alpha: float,
                              fill_value: float) -> tf.Tensor:
    """Simard et al.'s (2003) elastic distortion: each pixel is read from a point moved by
    a smooth random field (uniform noise blurred with sigma = ELASTIC_SIGMA, times alpha).

    Simard's MNIST setting is alpha = 34 (a displacement of ~1.4 pixels rms): it keeps the
    digit but changes its local shape.
    """
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    noise = rng.uniform(tf.stack([batch, height, width, 2]), -1.0, 1.0)
    field = _gaussian_blur(noise, ELASTIC_SIGMA) * alpha
    y, x = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32),
                       indexing="ij")
    return bilinear_sample(images, x + field[..., 0], y + field[..., 1], fill_value)


def random_erasing(rng: tf.random.Generator, images: tf.Tensor, size: int,
                   fill_value: float) -> tf.Tensor:
    """Cutout (DeVries & Taylor 2017): a size x size square of each image set to fill_value.

    The square's centre is uniform over the image, so it may lie partly outside. Why for
    c1: a category that differs from another only by one short stroke (a crossed 7 from a
    plain 7) cannot be read back when that stroke is missing. Differentiable in the images.
    """
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    centre_y = rng.uniform([batch, 1, 1], 0.0, float(height))
    centre_x = rng.uniform([batch, 1, 1], 0.0, float(width))
    y = tf.reshape(tf.range(height, dtype=tf.float32) + 0.5, [1, -1, 1])
    x = tf.reshape(tf.range(width, dtype=tf.float32) + 0.5, [1, 1, -1])
    inside = (tf.abs(y - centre_y) < size / 2.0) & (tf.abs(x - centre_x) < size / 2.0)
    return tf.where(inside[..., None], tf.cast(fill_value, images.dtype), images)


def views_are_on(config) -> bool:
    """Whether Q reads its categorical codes from distorted views (see categorical_view)."""
    return bool(config.latent.num_categorical
                and (config.categorical_rotation_degrees or config.categorical_shear
                     or config.categorical_stroke or config.categorical_elastic_alpha
                     or config.categorical_erase_size))


def view_setting_error(config):
    """The message for the first invalid view setting of a TrainConfig, or None."""
    ranges = (("categorical_rotation_degrees", 90), ("categorical_shear", 1),
              ("categorical_stroke", 1), ("categorical_elastic_alpha", 100),
              ("categorical_erase_size", 64),
              ("continuous_view_rotation_degrees", 180), ("continuous_view_stroke", 1))
    for name, high in ranges:
        if not 0 <= getattr(config, name) <= high:
            return f"--{name} must be in [0, {high}], got {getattr(config, name)}"
    error = _stroke_view_setting_error(config)
    if error:
        return error
    own_view = config.continuous_view_rotation_degrees or config.continuous_view_shift
    if not config.continuous_codes_from_views:
        return None if not own_view else (
            "--continuous_view_rotation_degrees and --continuous_view_shift change the copies "
            "of --continuous_codes_from_views, which names no code: name the codes (e.g. c3) "
            "or leave them off")
    try:
        continuous_view_indices(config.latent, config.continuous_codes_from_views)
    except ValueError as error:
        return f"--continuous_codes_from_views: {error}"
    if not (own_view or views_are_on(config)):
        return ("--continuous_codes_from_views reads codes from distorted copies of G's "
                "images, but none are made: set --continuous_view_rotation_degrees or "
                "--continuous_view_shift, or one of --categorical_rotation_degrees, "
                "--categorical_shear, --categorical_stroke, --categorical_elastic_alpha, "
                "--categorical_erase_size")
    return None


def _stroke_view_setting_error(config):
    """The message for an invalid --continuous_codes_from_stroke_views setting, or None."""
    names, stroke = config.continuous_codes_from_stroke_views, config.continuous_view_stroke
    if bool(names) != bool(stroke):
        return ("--continuous_codes_from_stroke_views and --continuous_view_stroke go "
                "together: name the codes (e.g. c2) and a stroke change in (0, 1], or neither")
    if not names:
        return None
    try:
        continuous_view_indices(config.latent, names)
    except ValueError as error:
        return f"--continuous_codes_from_stroke_views: {error}"
    both = sorted(set(names) & set(config.continuous_codes_from_views))
    if both:
        return (f"{', '.join(both)} named in both --continuous_codes_from_views and "
                "--continuous_codes_from_stroke_views: Q reads each code from one kind of copy")
    return None


def continuous_view_indices(spec, names) -> tuple:
    """Positions among the continuous codes of the codes named (e.g. ("c3",) -> (1,)).

    Raises:
      ValueError: a name that is not one of the spec's continuous codes.
    """
    continuous = spec.code_names()[spec.num_categorical:]
    unknown = [name for name in names if name not in continuous]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} not a continuous code of this latent space "
                         f"(its continuous codes: {', '.join(continuous) or 'none'})")
    return tuple(continuous.index(name) for name in names)


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


def continuous_view(config, architecture, rng: tf.random.Generator, images: tf.Tensor):
    """The copies Q reads the --continuous_codes_from_views from when they have their own:
    each image rotated by an angle uniform in ± --continuous_view_rotation_degrees (180 =
    any angle, so a code read from them carries no slant at all), then, with
    --continuous_view_shift, rolled to a random position (no position either). None when
    both are off: those codes are then read from categorical_view's copies.
    """
    if not (config.continuous_view_rotation_degrees or config.continuous_view_shift):
        return None
    if config.continuous_view_rotation_degrees:
        height, width = architecture.image_shape[:2]
        transforms = random_affine_transforms(rng, tf.shape(images)[0], height, width,
                                              config.continuous_view_rotation_degrees, 0.0)
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


def categorical_view(config, architecture, rng: tf.random.Generator,
                     images: tf.Tensor):
    """The copies Q reads the categorical codes from (strokes thickened or thinned by up
    to --categorical_stroke, elastically distorted, rotated and sheared, then a square of
    --categorical_erase_size pixels erased), or None when all these options are 0 or there
    is no categorical code.

    Args:
      config: the TrainConfig.
      architecture: networks.Architecture (image size; background = low end of its range).
      rng: the trainer's in-scope generator.
      images: [B, H, W, C] generated images.
    """
    if not views_are_on(config):
        return None
    # No extra draws for an option that is off: older runs keep their random streams.
    if config.categorical_stroke:
        images = random_stroke_change(rng, images, config.categorical_stroke)
    if config.categorical_elastic_alpha:
        images = random_elastic_distortion(rng, images, config.categorical_elastic_alpha,
                                           architecture.output_range[0])
    height, width = architecture.image_shape[:2]
    transforms = random_affine_transforms(rng, tf.shape(images)[0], height, width,
                                          config.categorical_rotation_degrees,
                                          config.categorical_shear)
    images = transform_images(images, transforms, architecture.output_range[0])
    if config.categorical_erase_size:
        images = random_erasing(rng, images, config.categorical_erase_size,
                                architecture.output_range[0])
    return images
