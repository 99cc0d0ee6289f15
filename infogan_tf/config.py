"""The frozen configuration of a training run, and its validation.

Entry points turn flags into a `TrainConfig`; libraries only ever see this
object. `validate_config` checks everything that can be checked without
touching the disk, so a bad setting is refused before anything is written.
"""

import dataclasses
from typing import Optional, Tuple

from infogan_tf import data as data_lib
from infogan_tf import networks
from infogan_tf import selection_settings, view_settings
from infogan_tf.latent import LatentSpec
from infogan_tf.networks import NetworkOptions


class ConfigError(ValueError):
    """A setting is invalid; the message names it and says what is allowed."""


ON_NAN_ACTIONS = ("stop", "rollback")

# Performance settings: how a run is executed, never what it computes, so they are
# not part of the run signature (a run may be resumed with other values).
STRATEGIES = ("mirrored", "one_device", "multi_worker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run (see the flags' help for each)."""

    model_dir: str
    latent: LatentSpec
    network: NetworkOptions = NetworkOptions()
    dataset: str = "mnist"
    data_dir: Optional[str] = None
    architecture: str = "mnist"
    basicprop_noise: str = "foreground"
    lambda_categorical: float = 1.0
    lambda_continuous: float = 1.0
    generator_mi: bool = True
    generator_mi_warmup_steps: int = 0
    categorical_rotation_degrees: float = 0.0
    categorical_shear: float = 0.0
    categorical_stroke: float = 0.0
    categorical_elastic_alpha: float = 0.0
    categorical_erase_size: int = 0
    continuous_codes_from_views: Tuple[str, ...] = ()
    continuous_view_rotation_degrees: float = 0.0
    continuous_view_shift: bool = False
    continuous_view_stretch: float = 0.0
    continuous_codes_from_stroke_views: Tuple[str, ...] = ()
    continuous_view_stroke: float = 0.0
    learn_continuous_std: bool = False
    continuous_std_floor: float = 0.01
    batch_size: int = 128
    d_learning_rate: float = 2e-4
    g_learning_rate: float = 1e-3
    q_learning_rate: Optional[float] = None
    generator_updates: int = 1
    init_from: Optional[str] = None
    candidates: int = 1
    candidate_steps: int = 2000
    candidate_code_consistency: bool = False
    candidate_factor_check: bool = False
    candidate_limit: int = 0  # With candidate_factor_check: at most this many candidates.
    choose_checkpoint_from: int = 0
    weight_average_decay: float = 0.0
    weight_average_start: int = 0
    beta1: float = 0.5
    instance_noise_std: float = 0.0
    instance_noise_steps: int = 0
    contrastive_regularizer: float = 0.0
    cr_start_step: int = 0
    cr_gap: float = 0.0
    cr_gap_end_step: int = 0
    cr_share_noise: bool = True
    train_steps: int = 5000
    steps_per_loop: int = 10
    log_every: int = 10
    checkpoint_every: int = 1000
    keep_checkpoints: int = 5
    image_every: int = 500
    seed: int = 0
    cpu_replicas: int = 1
    progress: bool = True
    deterministic: bool = False
    on_nan: str = "stop"
    max_rollbacks: int = 3
    strategy: str = "mirrored"
    jit_compile: bool = False
    mixed_precision: str = "float32"
    fused_adam: bool = True
    share_generated_batch: bool = False

    def run_signature(self) -> dict:
        """Settings a checkpoint is tied to: resuming with others is refused."""
        arch = networks.get_architecture(self.architecture)
        signature = {"architecture": self.architecture,
                     "image_shape": list(arch.image_shape),
                     "latent_spec": self.latent.to_dict()}
        if self.contrastive_regularizer:
            # Only then: checkpoints of runs without it keep their signature.
            signature["contrastive_classifier"] = True
        if self.q_learning_rate is not None:
            # Q's own layers then have their own optimizer in the checkpoint.
            signature["q_optimizer"] = True
        if self.weight_average_decay:
            signature["averaged_weights"] = True  # The averaged copies are in the checkpoint.
        return signature

    def dataset_options(self) -> data_lib.DatasetOptions:
        """What the data loader needs besides the name: the architecture's image shape
        (a `folder` dataset is resized to it) and the BasicProp noise."""
        arch = networks.get_architecture(self.architecture)
        return data_lib.DatasetOptions(image_shape=arch.image_shape,
                                       basicprop_noise=self.basicprop_noise)

    def to_dict(self) -> dict:
        result = dataclasses.asdict(self)
        result["latent"] = self.latent.to_dict()
        return result

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        """Inverse of to_dict; unknown keys (from newer versions) are ignored."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in values.items() if k in known}
        values["latent"] = LatentSpec.from_dict(values["latent"])
        values["network"] = NetworkOptions(**values.get("network", {}))
        for name in ("continuous_codes_from_views", "continuous_codes_from_stroke_views"):
            values[name] = tuple(values.get(name, ()))
        return cls(**values)


def validate_config(config: TrainConfig) -> None:
    """Raises ConfigError for the first invalid setting found."""
    _require(bool(config.model_dir), "--model_dir is required: where checkpoints and "
             "TensorBoard events go")
    _require(config.dataset in data_lib.dataset_names(),
             f"--dataset={config.dataset!r} is unknown; known: {', '.join(data_lib.dataset_names())}")
    _require(config.architecture in networks.architecture_names(),
             f"--architecture={config.architecture!r} is unknown; known: "
             f"{', '.join(networks.architecture_names())}")
    for name in ("batch_size", "train_steps", "steps_per_loop", "log_every", "checkpoint_every",
                 "keep_checkpoints", "image_every", "cpu_replicas", "generator_updates"):
        value = getattr(config, name)
        _require(value > 0, f"--{name} must be a positive integer, got {value}")
    for name in ("d_learning_rate", "g_learning_rate", "continuous_std_floor"):
        value = getattr(config, name)
        _require(value > 0, f"--{name} must be positive, got {value}")
    if config.q_learning_rate is not None:
        _require(config.q_learning_rate > 0,
                 "--q_learning_rate must be positive (or unset: D's rate), got "
                 f"{config.q_learning_rate}")
        _require(config.mixed_precision != "mixed_float16",
                 "--q_learning_rate is not supported with --mixed_precision=mixed_float16 "
                 "(one loss scale would serve two optimizers): use mixed_bfloat16, which needs "
                 "no loss scaling, or leave --q_learning_rate unset")
    for name in ("lambda_categorical", "lambda_continuous"):
        value = getattr(config, name)
        _require(value >= 0, f"--{name} must be >= 0, got {value}")
    _require(config.basicprop_noise in data_lib.BASICPROP_NOISE,
             f"--basicprop_noise={config.basicprop_noise!r}; expected one of "
             f"{', '.join(data_lib.BASICPROP_NOISE)}")
    _require(config.instance_noise_std >= 0,
             f"--instance_noise_std must be >= 0, got {config.instance_noise_std}")
    _require(config.generator_mi_warmup_steps >= 0, "--generator_mi_warmup_steps must be "
             f">= 0 (0 = full weight from the start), got {config.generator_mi_warmup_steps}")
    _require(config.network.noise_scale > 0, "--noise_scale must be positive, got "
             f"{config.network.noise_scale}")
    _require(config.instance_noise_steps >= 0, "--instance_noise_steps must be >= 0 (0 = "
             f"never annealed), got {config.instance_noise_steps}")
    _require(0 <= config.beta1 < 1, f"--beta1 must be in [0, 1), got {config.beta1}")
    _require(config.network.leaky_relu_slope >= 0,
             f"--leaky_relu_slope must be >= 0, got {config.network.leaky_relu_slope}")
    _require(config.network.init_stddev > 0,
             f"--init_stddev must be positive, got {config.network.init_stddev}")
    _require(config.seed >= 0, f"--seed must be >= 0, got {config.seed}")
    _require(config.on_nan in ON_NAN_ACTIONS,
             f"--on_nan={config.on_nan!r} is unknown; use one of {', '.join(ON_NAN_ACTIONS)}")
    _require(config.max_rollbacks >= 0,
             f"--max_rollbacks must be >= 0, got {config.max_rollbacks}")
    _require(config.strategy in STRATEGIES,
             f"--strategy={config.strategy!r} is unknown; use one of {', '.join(STRATEGIES)}")
    _require(config.mixed_precision in PRECISIONS, f"--mixed_precision="
             f"{config.mixed_precision!r} is unknown; use one of {', '.join(PRECISIONS)}")
    _require(config.strategy == "mirrored" or config.cpu_replicas == 1,
             f"--cpu_replicas={config.cpu_replicas} needs --strategy=mirrored")
    _validate_contrastive(config)
    _validate_shared_batch(config)
    for error in (selection_settings.selection_setting_error(config),
                  view_settings.view_setting_error(config)):
        _require(error is None, error)


def _validate_shared_batch(config: TrainConfig) -> None:
    """--share_generated_batch (trainer.py): one G forward pass serves both players."""
    if not config.share_generated_batch:
        return
    _require(not config.jit_compile, "--share_generated_batch keeps G's tape open across "
             "D/Q's update, which XLA's separately compiled passes cannot: drop --jit_compile "
             "or --share_generated_batch")
    _require(not config.contrastive_regularizer, "--share_generated_batch covers the plain "
             "InfoGAN step; with --contrastive_regularizer leave it off")


def _validate_contrastive(config: TrainConfig) -> None:
    """The InfoGAN-CR settings (see contrastive.py)."""
    weight = config.contrastive_regularizer
    _require(weight >= 0, f"--contrastive_regularizer must be >= 0, got {weight}")
    for name in ("cr_start_step", "cr_gap_end_step"):
        _require(getattr(config, name) >= 0,
                 f"--{name} must be >= 0, got {getattr(config, name)}")
    _require(0 <= config.cr_gap < 2, "--cr_gap must be in [0, 2) (codes in [-1, 1] can differ "
             f"by less than 2), got {config.cr_gap}")
    if not weight:
        changed = [name for name in ("cr_start_step", "cr_gap", "cr_gap_end_step")
                   if getattr(config, name)] + ([] if config.cr_share_noise
                                                 else ["cr_share_noise"])
        _require(not changed, f"--{', --'.join(changed)} only act with "
                 "--contrastive_regularizer > 0")
        return
    continuous = config.latent.num_continuous
    _require(continuous >= 2, "--contrastive_regularizer: its classifier tells which of the "
             f"continuous codes a pair of images shares, so it needs >= 2; got {continuous}")
    _require(not config.cr_gap or all(c.kind == "uniform" for c in config.latent.continuous_codes),
             "--cr_gap needs --continuous_prior=uniform (the gap keeps codes in [-1, 1])")
    _require(not config.cr_gap_end_step or (config.cr_gap and
                                            config.cr_gap_end_step > config.cr_start_step),
             f"--cr_gap_end_step={config.cr_gap_end_step} needs --cr_gap > 0 and a step after "
             f"--cr_start_step={config.cr_start_step}")


def resolve_dataset_and_architecture(dataset: Optional[str],
                                     architecture: Optional[str]) -> Tuple[str, str]:
    """Fills in whichever of --dataset / --architecture is missing from the other.

    --dataset=svhn alone trains the svhn architecture, --architecture=chairs alone
    the folder dataset; neither gives MNIST.

    Raises:
      ConfigError: the given name is unknown.
    """
    if architecture is None:
        dataset = dataset or "mnist"
        try:
            return dataset, data_lib.default_architecture(dataset)
        except data_lib.DataError:
            raise ConfigError(f"--dataset={dataset!r} is unknown; known: "
                              f"{', '.join(data_lib.dataset_names())}") from None
    if dataset is None:
        try:
            return networks.get_architecture(architecture).default_dataset, architecture
        except ValueError:
            raise ConfigError(f"--architecture={architecture!r} is unknown; known: "
                              f"{', '.join(networks.architecture_names())}") from None
    return dataset, architecture


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)
