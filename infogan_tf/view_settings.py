"""Validating the view settings of a TrainConfig (code_augmentation, continuous_views)."""


def continuous_view_is_own(config) -> bool:
    """Whether the --continuous_codes_from_views have copies of their own, not the
    categorical codes' (continuous_views.continuous_view)."""
    return bool(config.continuous_view_rotation_degrees or config.continuous_view_shift
                or config.continuous_view_stretch)


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
              ("continuous_view_rotation_degrees", 180), ("continuous_view_stroke", 1),
              ("continuous_view_stretch", 1))
    for name, high in ranges:
        if not 0 <= getattr(config, name) <= high:
            return f"--{name} must be in [0, {high}], got {getattr(config, name)}"
    error = _stroke_view_setting_error(config)
    if error:
        return error
    own_view = continuous_view_is_own(config)
    if not config.continuous_codes_from_views:
        return None if not own_view else (
            "--continuous_view_rotation_degrees, --continuous_view_stretch and "
            "--continuous_view_shift change the copies of --continuous_codes_from_views, "
            "which names no code: name the codes (e.g. c3) or leave them off")
    try:
        continuous_view_indices(config.latent, config.continuous_codes_from_views)
    except ValueError as error:
        return f"--continuous_codes_from_views: {error}"
    if not (own_view or views_are_on(config)):
        return ("--continuous_codes_from_views reads codes from distorted copies of G's "
                "images, but none are made: set --continuous_view_rotation_degrees, "
                "--continuous_view_stretch or --continuous_view_shift, or one of "
                "--categorical_rotation_degrees, --categorical_shear, --categorical_stroke, "
                "--categorical_elastic_alpha, --categorical_erase_size")
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
