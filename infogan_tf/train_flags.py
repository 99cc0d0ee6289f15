"""The training command's absl flags, defined in one place, and their conversion.

Only entry points import this module; libraries take a `TrainConfig`.
"""

from absl import flags

from infogan_tf.config import (ON_NAN_ACTIONS, PRECISIONS, STRATEGIES, ConfigError,
                               TrainConfig, resolve_dataset_and_architecture)
from infogan_tf.data import BASICPROP_NOISE, dataset_names
from infogan_tf.latent import CONTINUOUS_PRIORS, LatentSpec, NOISE_PRIORS
from infogan_tf.networks import NetworkOptions, architecture_names

FLAGS = flags.FLAGS

# Data and output.
flags.DEFINE_string("dataset", None, f"Dataset: {', '.join(dataset_names())}. Default: the "
                    "--architecture's dataset, or mnist.")
flags.DEFINE_string("data_dir", None,
                    "Folder with the dataset's local files (MNIST/Fashion-MNIST IDX files, SVHN "
                    "train_32x32.mat, a dSprites .npz, the images of --dataset=folder), or the "
                    "tensorflow-datasets data_dir.")
flags.DEFINE_string("model_dir", None, "Where checkpoints, run_config.json and TensorBoard "
                    "events go. Training again with the same folder resumes.")
flags.DEFINE_string("architecture", None, f"Networks: {', '.join(architecture_names())}. "
                    "Default: the --dataset's (svhn for celeb_a, faces for folder).")
flags.DEFINE_enum("basicprop_noise", "foreground", BASICPROP_NOISE, "Pixel noise of the "
                  "generated BasicProp images: lit pixels 150..239 (foreground), dark pixels "
                  "0..59 (background), both, or none (pure 0/255).")

# Latent space.
flags.DEFINE_integer("noise_dim", 62, "Dimension of the incompressible noise z.")
flags.DEFINE_enum("noise_prior", "uniform", NOISE_PRIORS, "Prior of z.")
flags.DEFINE_list("categorical", ["10"], "Categories of each categorical code, comma "
                  "separated: '10' is one 10-way code, '10,10' two, '' none.")
flags.DEFINE_integer("continuous", 2, "Number of continuous codes.")
flags.DEFINE_enum("continuous_prior", "uniform", CONTINUOUS_PRIORS,
                  "Prior of the continuous codes: uniform = Unif(-1,1), normal = N(0,1).")

# Objective.
flags.DEFINE_float("lambda_categorical", 1.0, "Weight of L_I for categorical codes.")
flags.DEFINE_float("lambda_continuous", 1.0, "Weight of L_I for continuous codes.")
flags.DEFINE_integer("generator_mi_warmup_steps", 0, "Ramp the weight of L_I in G's loss "
                     "linearly from 0 to 1 over the first N steps (0 = full from the start); "
                     "Q learns L_I at full weight throughout.")
flags.DEFINE_float("categorical_rotation_degrees", 0.0, "Q reads the categorical codes "
                   "from copies of G's images rotated by up to this many degrees (0 = off); "
                   "see infogan_tf/code_augmentation.py.")
flags.DEFINE_float("categorical_shear", 0.0, "... and sheared by up to this factor (0 = off).")
flags.DEFINE_float("categorical_stroke", 0.0, "... and with strokes thickened or thinned "
                   "by up to this fraction of a 3x3 dilation/erosion, applied first (0 = off; "
                   "1 = about one pixel per edge).")
flags.DEFINE_float("categorical_elastic_alpha", 0.0, "... and elastically distorted (Simard "
                   "et al. 2003; sigma 4 px, this alpha; 34 = Simard's MNIST setting; 0 = off).")
flags.DEFINE_integer("categorical_erase_size", 0, "... and, last, a square of this many "
                     "pixels a side erased to the background at a random place (Cutout; "
                     "0 = off).")
flags.DEFINE_list("continuous_codes_from_views", [], "Continuous codes (e.g. c3) that Q "
                  "reads from distorted copies of G's images: the categorical codes' views, "
                  "or their own with the next three flags (continuous_views.py).")
flags.DEFINE_float("continuous_view_rotation_degrees", 0.0, "If > 0, those codes are read "
                   "instead from their own copies rotated by up to this many degrees "
                   "(180 = any angle; no shear or elastic distortion; 0 = not rotated).")
flags.DEFINE_boolean("continuous_view_shift", False, "... and rolled (cyclically) to a "
                     "random position, so those codes cannot be position either.")
flags.DEFINE_float("continuous_view_stretch", 0.0, "If > 0, those codes' own copies are "
                   "first stretched or squeezed along the image's x axis by a factor "
                   "log-uniform in [1/(1+s), 1+s], so breadth follows those codes less (in "
                   "[0, 1]; 0 = off; docs/studies/probe_stretch/).")
flags.DEFINE_list("continuous_codes_from_stroke_views", [], "Continuous codes (e.g. c2) that "
                  "Q reads from copies of G's images with strokes thickened or thinned by a "
                  "random amount up to --continuous_view_stroke, so they carry little stroke "
                  "width (continuous_views.py).")
flags.DEFINE_float("continuous_view_stroke", 0.0, "The largest stroke change of those "
                   "copies, a fraction of a 3x3 dilation/erosion (1 = about one pixel per "
                   "edge); > 0 when codes are named.")
flags.DEFINE_boolean("fused_batch_norm", False, "Batch norm with TensorFlow's fused op when "
                     "training (faster in bfloat16; off by default: not bit-reproducible on "
                     "resume and differs under XLA).")
flags.DEFINE_float("noise_scale", 1.0, "G multiplies the noise z by this before its first "
                   "layer: a prior this much narrower (ClusterGAN uses 0.1); z is still fed "
                   "from the prior.")
flags.DEFINE_boolean("generator_mi", True, "Whether G also maximises L_I. False gives the "
                     "paper's Figure 1 baseline: Q is trained, G gets no MI term.")
flags.DEFINE_boolean("learn_continuous_std", False, "Let Q learn the std of its Gaussian "
                     "(exp of the log-std head) instead of fixing it to 1 (authors' code).")
flags.DEFINE_float("continuous_std_floor", 0.01, "Lower bound of a learned std.")

# Networks and optimisation.
flags.DEFINE_float("leaky_relu_slope", 0.1, "Negative slope of D's leaky ReLUs (paper: 0.1).")
flags.DEFINE_float("init_stddev", 0.02, "Std of the N(0, s) weight initialiser.")
flags.DEFINE_float("batch_norm_momentum", 0.9, "Momentum of batch-norm moving averages.")
flags.DEFINE_integer("batch_size", 128, "Global batch size (split over replicas).")
flags.DEFINE_float("d_learning_rate", 2e-4, "Adam learning rate of D/Q.")
flags.DEFINE_float("g_learning_rate", 1e-3, "Adam learning rate of G.")
flags.DEFINE_float("q_learning_rate", None, "Adam learning rate of Q's own layers (its "
                   "FC-BN-lReLU layer and the code heads; the trunk shared with D keeps "
                   "--d_learning_rate). Unset: Q learns at D's rate, as in the authors' code; "
                   "the paper gives no rate for Q.")
flags.DEFINE_integer("generator_updates", 1, "G's Adam steps per training step, each on "
                     "the same latents (InfoGAN-CR's code takes 2 on dSprites; the paper and "
                     "openai/InfoGAN 1).")
flags.DEFINE_string("init_from", None, "Start a new run from another run's checkpoint (a "
                    "checkpoint path or a model_dir for its latest): G, D/Q, optimizers, latent "
                    "RNG and step, not a contrastive classifier. Used only when --model_dir has "
                    "no checkpoint yet; resuming uses the run's own.")
flags.DEFINE_integer("candidates", 1, "Label-free restarts: train this many candidates "
                     "(seeds seed, seed+1000, ...) for --candidate_steps steps, then continue "
                     "the one whose Q carries the most information about real training images "
                     "(candidates.py; no labels). 1: a single run.")
flags.DEFINE_integer("candidate_steps", 2000, "Steps each candidate trains before the choice "
                     "(with --candidates > 1).")
flags.DEFINE_boolean("candidate_code_consistency", False, "With --candidates: rank "
                     "candidates whose continuous codes move some categories against the "
                     "others (e.g. turn the 1s one way and every other digit the other; "
                     "code_consistency.py, G's images, no labels) after those that do not, "
                     "among the candidates within 0.04 nats of the best I(x; c).")
flags.DEFINE_boolean("candidate_factor_check", False, "With --candidates: rank first the "
                     "candidates whose codes named rotation and width follow slant and stroke "
                     "width the same way in every category (code_consistency.factor_check, "
                     "G's images, no labels), among those within 0.04 nats of the best "
                     "I(x; c); while none does, train more, up to --candidate_limit.")
flags.DEFINE_integer("candidate_limit", 0, "With --candidate_factor_check: the most candidates "
                     "to train in all (seeds seed, seed+1000, ...); 0: --candidates.")
flags.DEFINE_integer("choose_checkpoint_from", 0, "After training, make the run's result "
                     "the kept checkpoint at this step or later whose Q carries the most "
                     "information about real training images (final_checkpoint.py; no "
                     "labels); evaluate, export and score_checkpoints then use it. 0: the "
                     "latest checkpoint.")
flags.DEFINE_float("weight_average_decay", 0.0, "Also keep exponential moving averages of "
                   "G's and D/Q's weights with this decay per step (e.g. 0.999; "
                   "weight_averaging.py); evaluate, export and score_checkpoints then use "
                   "them (evaluate --weights=trained: the trained ones). 0: none.")
flags.DEFINE_integer("weight_average_start", 0, "With --weight_average_decay: the averages "
                     "are the weights themselves up to this step and average from it on "
                     "(start after the early training, whose batch-norm statistics differ "
                     "by orders of magnitude).")
flags.DEFINE_float("beta1", 0.5, "Adam beta_1 of both optimizers.")
flags.DEFINE_float("instance_noise_std", 0.0, "Std of Gaussian instance noise added to every "
                   "image D sees, real and generated (in G's output units), 0 for none.")
flags.DEFINE_integer("instance_noise_steps", 0, "Anneal the instance noise linearly to 0 over "
                     "this many steps (0: keep it constant).")

# InfoGAN-CR (Lin et al. 2020; see infogan_tf/contrastive.py).
flags.DEFINE_float("contrastive_regularizer", 0.0, "lambda_cr of InfoGAN-CR's contrastive "
                   "regularizer: a classifier must tell which continuous code a pair of "
                   "generated images shares; G and it minimise its cross-entropy times this. "
                   "0 = off. Needs >= 2 continuous codes.")
flags.DEFINE_integer("cr_start_step", 0, "The regularizer (and its classifier's training) "
                     "starts at this step; the authors' dSprites runs start it at 89% of "
                     "training.")
flags.DEFINE_float("cr_gap", 0.0, "Contrastive gap: the codes a pair does not share differ by "
                   "at least this much (0..2, uniform codes), until --cr_gap_end_step.")
flags.DEFINE_integer("cr_gap_end_step", 0, "The gap drops to 0 at this step and the classifier "
                     "restarts from its initial weights (0: the gap is kept).")
flags.DEFINE_boolean("cr_share_noise", True, "The two images of a pair share the noise z (the "
                     "authors' code); false draws it independently.")

# Schedule.
flags.DEFINE_integer("train_steps", 5000, "Total steps (each one D/Q and one G update).")
flags.DEFINE_integer("steps_per_loop", 10, "Steps run inside one tf.function call.")
flags.DEFINE_integer("log_every", 10, "Write scalars and update the progress bar every N steps.")
flags.DEFINE_integer("checkpoint_every", 1000, "Save a checkpoint every N steps (and at the end).")
flags.DEFINE_integer("keep_checkpoints", 5, "How many recent checkpoints to keep.")
flags.DEFINE_integer("image_every", 500, "Write latent traversal images every N steps.")
flags.DEFINE_integer("seed", 0, "Seed of weight init, data order and latent sampling.")
flags.DEFINE_integer("cpu_replicas", 1, "On a machine without GPUs, mirror over this many "
                     "logical CPU devices (GPUs, when present, are all used).")
flags.DEFINE_boolean("progress", True, "Show a progress bar.")

# Reliability.
flags.DEFINE_boolean("deterministic", False, "Enable TensorFlow op determinism: with the same "
                     "--seed, two runs (or a run killed and resumed) give bit-identical "
                     "weights on the same machine, or stop with an error naming an op that "
                     "has no deterministic kernel.")
flags.DEFINE_enum("on_nan", "stop", ON_NAN_ACTIONS, "On a NaN or infinite loss: stop, naming "
                  "the last good checkpoint, or roll back to that checkpoint and halve both "
                  "learning rates (recorded in <model_dir>/rollbacks.json).")
flags.DEFINE_integer("max_rollbacks", 3, "With --on_nan=rollback, stop after this many "
                     "rollbacks in the model_dir's lifetime.")

# Performance (how the steps run, not what they compute; see docs/PERFORMANCE.md).
flags.DEFINE_enum("strategy", "mirrored", STRATEGIES, "mirrored: all local GPUs (or "
                  "--cpu_replicas logical CPUs); one_device: one GPU or the CPU; multi_worker: "
                  "MultiWorkerMirroredStrategy over the machines in the TF_CONFIG variable "
                  "(only the chief writes files).")
flags.DEFINE_boolean("jit_compile", False, "Compile each replica's forward and backward "
                     "passes with XLA (the gradient all-reduce and updates stay outside).")
flags.DEFINE_enum("mixed_precision", "float32", PRECISIONS, "Keras mixed-precision policy: "
                  "layers compute in float16/bfloat16, weights, outputs and losses stay "
                  "float32; mixed_float16 adds dynamic loss scaling. For GPUs.")
flags.DEFINE_boolean("share_generated_batch", False, "G's update reuses the images G "
                     "generated for D/Q's update in the same step (same latents, one G forward "
                     "pass fewer), as PyTorch's DCGAN example does; off: G's update draws and "
                     "generates its own batch, as the authors' code.")
flags.DEFINE_boolean("fused_adam", True, "Adam's update as TensorFlow's fused kernel, one "
                     "pass over each variable (same variables and formula as Keras' Adam, "
                     "equal to float rounding); --nofused_adam runs Keras' element-wise ops.")
flags.DEFINE_boolean("sync_batch_norm", False, "Batch norm over the global batch (statistics "
                     "all-reduced across replicas) instead of each replica's share.")


def config_from_flags() -> TrainConfig:
    """Builds the frozen TrainConfig; raises ConfigError for malformed values."""
    try:
        categorical = tuple(int(k) for k in FLAGS.categorical if k.strip())
    except ValueError:
        raise ConfigError(f"--categorical={','.join(FLAGS.categorical)!r}: expected comma "
                          "separated category counts such as 10 or 10,10") from None
    try:
        latent = LatentSpec.from_counts(FLAGS.noise_dim, categorical, FLAGS.continuous,
                                        FLAGS.continuous_prior, FLAGS.noise_prior)
    except ValueError as e:
        raise ConfigError(f"latent codes (--noise_dim, --categorical, --continuous): {e}") from None
    dataset, architecture = resolve_dataset_and_architecture(FLAGS.dataset, FLAGS.architecture)
    return TrainConfig(
        model_dir=FLAGS.model_dir, latent=latent,
        network=NetworkOptions(FLAGS.leaky_relu_slope, FLAGS.init_stddev,
                               FLAGS.batch_norm_momentum, FLAGS.sync_batch_norm,
                               FLAGS.noise_scale, FLAGS.fused_batch_norm),
        dataset=dataset, data_dir=FLAGS.data_dir, architecture=architecture,
        basicprop_noise=FLAGS.basicprop_noise,
        lambda_categorical=FLAGS.lambda_categorical, lambda_continuous=FLAGS.lambda_continuous,
        generator_mi=FLAGS.generator_mi,
        generator_mi_warmup_steps=FLAGS.generator_mi_warmup_steps,
        categorical_rotation_degrees=FLAGS.categorical_rotation_degrees,
        categorical_shear=FLAGS.categorical_shear,
        categorical_stroke=FLAGS.categorical_stroke,
        categorical_elastic_alpha=FLAGS.categorical_elastic_alpha,
        categorical_erase_size=FLAGS.categorical_erase_size,
        continuous_codes_from_views=tuple(FLAGS.continuous_codes_from_views),
        continuous_view_rotation_degrees=FLAGS.continuous_view_rotation_degrees,
        continuous_view_shift=FLAGS.continuous_view_shift,
        continuous_view_stretch=FLAGS.continuous_view_stretch,
        continuous_codes_from_stroke_views=tuple(FLAGS.continuous_codes_from_stroke_views),
        continuous_view_stroke=FLAGS.continuous_view_stroke,
        learn_continuous_std=FLAGS.learn_continuous_std,
        continuous_std_floor=FLAGS.continuous_std_floor, batch_size=FLAGS.batch_size,
        d_learning_rate=FLAGS.d_learning_rate, g_learning_rate=FLAGS.g_learning_rate,
        q_learning_rate=FLAGS.q_learning_rate, generator_updates=FLAGS.generator_updates,
        init_from=FLAGS.init_from, candidates=FLAGS.candidates,
        candidate_steps=FLAGS.candidate_steps,
        candidate_code_consistency=FLAGS.candidate_code_consistency,
        candidate_factor_check=FLAGS.candidate_factor_check,
        candidate_limit=FLAGS.candidate_limit,
        choose_checkpoint_from=FLAGS.choose_checkpoint_from,
        weight_average_decay=FLAGS.weight_average_decay,
        weight_average_start=FLAGS.weight_average_start,
        beta1=FLAGS.beta1, instance_noise_std=FLAGS.instance_noise_std,
        instance_noise_steps=FLAGS.instance_noise_steps,
        contrastive_regularizer=FLAGS.contrastive_regularizer, cr_start_step=FLAGS.cr_start_step,
        cr_gap=FLAGS.cr_gap, cr_gap_end_step=FLAGS.cr_gap_end_step,
        cr_share_noise=FLAGS.cr_share_noise, train_steps=FLAGS.train_steps,
        steps_per_loop=FLAGS.steps_per_loop,
        log_every=FLAGS.log_every, checkpoint_every=FLAGS.checkpoint_every,
        keep_checkpoints=FLAGS.keep_checkpoints, image_every=FLAGS.image_every,
        seed=FLAGS.seed, cpu_replicas=FLAGS.cpu_replicas, progress=FLAGS.progress,
        deterministic=FLAGS.deterministic, on_nan=FLAGS.on_nan,
        max_rollbacks=FLAGS.max_rollbacks, strategy=FLAGS.strategy,
        jit_compile=FLAGS.jit_compile, mixed_precision=FLAGS.mixed_precision,
        fused_adam=FLAGS.fused_adam, share_generated_batch=FLAGS.share_generated_batch)
