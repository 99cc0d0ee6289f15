"""Exports a trained InfoGAN as a SavedModel that TF Serving can serve.

`export(trained, export_dir)` writes `<export_dir>/<version>/` with three
signatures (see `export_signatures`): `serving_default` (generate),
`sample` and `encode` (Q as an encoder), plus a JSON description in
`assets/`. Every signature validates its inputs in the graph, so a bad
request fails with an InvalidArgumentError that names the input instead of
producing a wrong image or an error deep inside the network. (The shapes a
signature declares are not enforced when it runs: a loaded signature called
with a [3, 61] noise reaches the graph.)

A version is written to a hidden temporary folder (which TF Serving ignores)
and renamed into place, so a crash never leaves a half-written version, and
versions are numbered above every existing one, so nothing is overwritten.
"""

import json
import os
import shutil
import tempfile
from typing import List, NamedTuple

import tensorflow as tf

import infogan_tf
from infogan_tf import export_layout
from infogan_tf import export_signatures as sigs
from infogan_tf import losses
from infogan_tf.latent import NORMAL, LatentBatch
from infogan_tf.model_io import TrainedModel


class ExportError(Exception):
    """The export cannot be written where asked; the message says why and what to do."""


class ExportResult(NamedTuple):
    """Where an export went: its folder, its version number and the broken versions seen."""
    path: str
    version: int
    broken_versions: List[int]  # Integer-named entries found that are not SavedModels.


def _checked(tensor: tf.Tensor, checks: list) -> tf.Tensor:
    """`tensor`, computed only after `checks` passed (so they fail before any other op)."""
    with tf.control_dependencies(checks):
        return tf.identity(tensor)


def _ensure_shape(tensor: tf.Tensor, name: str, shape: List[int]) -> tf.Tensor:
    """Checks rank and every known dimension (-1 = any) at run time.

    EnsureShape is used rather than comparisons of tf.shape() because its check
    cannot be folded away on the strength of the signature's declared shape,
    and its error names the input: "Shape of tensor noise [3,61] is not
    compatible with expected shape [?,62]".
    """
    return tf.ensure_shape(tensor, [None if size < 0 else size for size in shape],
                           name=f"check_{name}_shape")


class InfoGANServing(tf.Module):
    """G and D/Q behind the three serving signatures, in inference mode."""

    def __init__(self, trained: TrainedModel, info_path: str):
        super().__init__(name="infogan")
        self.generator = trained.generator
        self.discriminator = trained.discriminator
        # Tracked so tf.saved_model.save copies the file into assets/.
        self.export_info = tf.saved_model.Asset(info_path)
        self._spec = trained.config.latent
        self._image_shape = list(trained.architecture.image_shape)
        self._low, self._high = trained.architecture.output_range
        self._learn_std = trained.config.learn_continuous_std
        self._std_floor = trained.config.continuous_std_floor
        self._table = sigs.signature_table(self._spec, self._image_shape, self._learn_std)
        self.generate = self._function(self._generate, sigs.GENERATE)
        self.sample = self._function(self._sample, sigs.SAMPLE)
        self.encode = self._function(self._encode, sigs.ENCODE)

    def _function(self, method, signature_name: str):
        return tf.function(method,
                           input_signature=sigs.input_signature(self._table[signature_name]))

    def signatures(self) -> dict:
        return {sigs.GENERATE: self.generate.get_concrete_function(),
                sigs.SAMPLE: self.sample.get_concrete_function(),
                sigs.ENCODE: self.encode.get_concrete_function()}

    def _validated_latents(self, noise, categorical, continuous):
        table = self._table[sigs.GENERATE]["inputs"]
        inputs = {name: _ensure_shape(tensor, name, table[name]["shape"]) for name, tensor in
                  (("noise", noise), ("categorical", categorical), ("continuous", continuous))}
        batch = tf.shape(inputs["noise"])[0]
        checks = [tf.debugging.assert_equal(
            tf.shape(inputs[name])[0], batch,
            message=f"{name} has another batch size (first dimension) than noise")
            for name in ("categorical", "continuous")]
        for name in ("noise", "continuous"):
            checks.append(tf.debugging.assert_all_finite(
                inputs[name], message=f"{name} contains NaN or Inf values"))
        code_names = self._spec.code_names()
        for i, code in enumerate(self._spec.categorical_codes):
            column = inputs["categorical"][:, i]
            message = (f"categorical[:, {i}] (code {code_names[i]}) must be a class index in "
                       f"[0, {code.num_categories})")
            checks.append(tf.debugging.assert_non_negative(column, message=message))
            checks.append(tf.debugging.assert_less(column, code.num_categories, message=message))
        return [_checked(tensor, checks) for tensor in inputs.values()]

    def _images_from_latents(self, noise, categorical, continuous):
        latent = self._spec.generator_input(LatentBatch(noise, categorical, continuous))
        images = self.generator(latent, training=False)
        return tf.clip_by_value((images - self._low) / (self._high - self._low), 0.0, 1.0)

    def _generate(self, noise, categorical, continuous):
        noise, categorical, continuous = self._validated_latents(noise, categorical, continuous)
        return {"images": self._images_from_latents(noise, categorical, continuous)}

    def _sample(self, seed, num):
        num = _checked(num, [
            tf.debugging.assert_positive(num, message="num must be at least 1"),
            tf.debugging.assert_less_equal(num, sigs.MAX_SAMPLE_NUM,
                                           message=f"num must be at most {sigs.MAX_SAMPLE_NUM}")])
        spec = self._spec
        seeds = tf.random.experimental.stateless_split(
            tf.stack([seed, tf.constant(0, tf.int64)]), num=1 + len(spec.codes))
        noise = _stateless_draw(spec.noise_prior, [num, spec.noise_dim], seeds[0])
        categorical = [tf.random.stateless_uniform([num], seeds[1 + i], minval=0,
                                                   maxval=code.num_categories, dtype=tf.int32)
                       for i, code in enumerate(spec.categorical_codes)]
        continuous = [_stateless_draw(code.kind, [num, 1], seeds[1 + spec.num_categorical + j])
                      for j, code in enumerate(spec.continuous_codes)]
        categorical = (tf.stack(categorical, axis=1) if categorical
                       else tf.zeros([num, 0], tf.int32))
        continuous = (tf.concat(continuous, axis=1) if continuous
                      else tf.zeros([num, 0], tf.float32))
        return {"images": self._images_from_latents(noise, categorical, continuous),
                "noise": noise, "categorical": categorical, "continuous": continuous}

    def _encode(self, images):
        images = _ensure_shape(images, "images", [-1] + self._image_shape)
        images = _checked(images, [
            tf.debugging.assert_all_finite(images, message="images contain NaN or Inf values"),
            tf.debugging.assert_greater_equal(images, 0.0,
                                              message="images must have values in [0, 1]"),
            tf.debugging.assert_less_equal(images, 1.0,
                                           message="images must have values in [0, 1]")])
        outputs = self.discriminator(images * (self._high - self._low) + self._low,
                                     training=False)
        result = {}
        argmax = []
        for i, name in enumerate(self._spec.code_names()[:self._spec.num_categorical]):
            logits = outputs[f"categorical_{i}"]
            result[f"{name}_probabilities"] = tf.nn.softmax(logits)
            argmax.append(tf.argmax(logits, axis=1, output_type=tf.int32))
        batch = tf.shape(images)[0]
        result["categorical"] = (tf.stack(argmax, axis=1) if argmax
                                 else tf.zeros([batch, 0], tf.int32))
        if self._spec.num_continuous:
            result["continuous"] = outputs["continuous_mean"]
            if self._learn_std:
                result["continuous_std"] = losses.continuous_std(
                    outputs["continuous_log_std"], True, self._std_floor)
        else:
            result["continuous"] = tf.zeros([batch, 0], tf.float32)
        result["real_probability"] = tf.sigmoid(outputs["validity"][:, 0])
        return result


def _stateless_draw(prior: str, shape, seed) -> tf.Tensor:
    if prior == NORMAL:
        return tf.random.stateless_normal(shape, seed, dtype=tf.float32)
    return tf.random.stateless_uniform(shape, seed, minval=-1.0, maxval=1.0, dtype=tf.float32)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def export_info(trained: TrainedModel) -> dict:
    """The JSON description written into the SavedModel's assets/."""
    spec = trained.config.latent
    arch = trained.architecture
    codes = [dict(name=name, kind=code.kind, num_categories=code.num_categories)
             for name, code in zip(spec.code_names(), spec.codes)]
    return {
        "format_version": 1,
        "exported_by": f"infogan_tf {infogan_tf.__version__}",
        "architecture": arch.name,
        "image_shape": list(arch.image_shape),
        "image_range": [0.0, 1.0],
        "generator_output_range": list(arch.output_range),
        "latent_spec": spec.to_dict(),
        "codes": codes,
        "learn_continuous_std": trained.config.learn_continuous_std,
        "training_step": trained.step,
        "weights": trained.weights,  # "averaged" with --weight_average_decay.
        "max_sample_num": sigs.MAX_SAMPLE_NUM,
        "signatures": sigs.signature_table(spec, arch.image_shape,
                                           trained.config.learn_continuous_std),
    }


def export(trained: TrainedModel, export_dir: str) -> ExportResult:
    """Writes `trained` as the next version in `export_dir` (created if needed).

    Raises:
      ExportError: export_dir is a file or cannot be written.
    """
    if os.path.exists(export_dir) and not os.path.isdir(export_dir):
        raise ExportError(f"--export_dir={export_dir} is a file; give a folder (one per model, "
                          "e.g. saved_models/mnist)")
    try:
        os.makedirs(export_dir, exist_ok=True)
        scan = export_layout.scan_versions(export_dir)
        version = scan.highest + 1
        final = os.path.join(export_dir, str(version))
        # Hidden and not an integer: TF Serving ignores it while it is being written.
        staging = tempfile.mkdtemp(prefix=f".export-{version}-", dir=export_dir)
    except OSError as e:
        raise ExportError(f"cannot write to --export_dir={export_dir}: {e}") from e
    try:
        with tempfile.TemporaryDirectory() as info_dir:
            info_path = os.path.join(info_dir, export_layout.ASSET_NAME)
            with open(info_path, "w", encoding="utf-8") as f:
                json.dump(export_info(trained), f, indent=2, sort_keys=True)
            module = InfoGANServing(trained, info_path)
            tf.saved_model.save(module, staging, signatures=module.signatures())
        if os.path.exists(final):  # Another export took this number meanwhile.
            raise ExportError(f"{final} appeared while exporting; run the export again")
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp made it private; servers must read it.
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(final, version, scan.broken)
