"""Runs a training job: checks, the model_dir lock, resume, the loop, checkpoints, TensorBoard.

`train(config)` is the library entry point behind `python -m infogan_tf.main`.
It checks everything it can (settings, data, the checkpoint to resume from and
its signature) before it writes anything, so a refused run leaves model_dir as
it was. It then takes the model_dir's lock (one trainer per folder) and resumes
from the newest complete checkpoint (see recovery.py), or a new run starts from
--init_from's checkpoint (warm_start.py). SIGINT/SIGTERM save a
checkpoint before the run exits; a NaN loss stops the run or, with
--on_nan=rollback, restores the last checkpoint with halved learning rates.
"""

import json
import math
import os
import sys
import time
from typing import Dict, Optional

import keras
import tensorflow as tf

from infogan_tf import checkpointing
from infogan_tf import contrastive
from infogan_tf import data as data_lib
from infogan_tf import determinism
from infogan_tf import networks
from infogan_tf import recovery
from infogan_tf import strategies
from infogan_tf import train_summaries
from infogan_tf import warm_start
from infogan_tf.config import ConfigError, TrainConfig, validate_config
from infogan_tf.interrupts import StopSignals, TrainingInterrupted
from infogan_tf.rollbacks import RollbackLog
from infogan_tf.run_lock import RunLock
from infogan_tf.trainer import InfoGANTrainer


class TrainingDivergedError(RuntimeError):
    """A loss became NaN or infinite; the message names the step and last checkpoint."""


def _prepare(config: TrainConfig):
    """Every check that can refuse the run, before anything is written."""
    validate_config(config)
    if config.deterministic:  # Before the strategy: it initialises TensorFlow's runtime.
        determinism.enable()
    # MultiWorkerMirroredStrategy must exist before TensorFlow runs any op.
    strategy = strategies.make_strategy(config.strategy, config.cpu_replicas)
    architecture = networks.get_architecture(config.architecture)
    train_data = data_lib.load_dataset(config.dataset, config.data_dir, "train",
                                       config.dataset_options())
    if train_data.images.shape[1:] != architecture.image_shape:
        raise ConfigError(f"--dataset={config.dataset} has images of "
                          f"{train_data.images.shape[1:]}, but --architecture="
                          f"{config.architecture} takes {architecture.image_shape}")
    if config.batch_size % strategy.num_replicas_in_sync:
        raise ConfigError(f"--batch_size={config.batch_size} does not divide evenly over "
                          f"{strategy.num_replicas_in_sync} replicas")
    warm_start.source_for(config, _resume_point(config))
    return architecture, train_data, strategy


def _resume_point(config: TrainConfig) -> recovery.ResumePoint:
    resume = recovery.find_resume_point(config.model_dir)
    if resume.path:
        checkpointing.check_signature(config.model_dir, resume.path, config.run_signature())
    return resume


def _warn(message: str) -> None:
    print(f"infogan_tf: warning: {message}", file=sys.stderr, flush=True)


def _save_run_config(config: TrainConfig) -> None:
    path = os.path.join(config.model_dir, "run_config.json")
    if not os.path.exists(path):  # The first run's settings are the run's record.
        recovery.write_json_atomically(path, config.to_dict())


def _next_event(step: int, config: TrainConfig) -> int:
    boundaries = [config.train_steps, step + config.steps_per_loop]
    # A loop call never crosses a change of the step itself (InfoGAN-CR's schedule).
    boundaries += [b for b in contrastive.schedule_boundaries(config) if b > step]
    for every in (config.log_every, config.checkpoint_every, config.image_every):
        boundaries.append((step // every + 1) * every)
    return min(boundaries)


def _weights_finite(trainer: InfoGANTrainer) -> bool:
    variables = trainer.generator.variables + trainer.discriminator.variables
    return all(bool(tf.reduce_all(tf.math.is_finite(v))) for v in variables)


def _is_event(step: int, config: TrainConfig) -> bool:
    """Whether `step` logs, writes images, saves or ends the run."""
    return step == config.train_steps or any(
        step % every == 0 for every in (config.log_every, config.checkpoint_every,
                                        config.image_every))


def train(config: TrainConfig) -> Dict[str, float]:
    """Trains (or resumes) until `config.train_steps`; returns the last logged metrics.

    Raises (each with a message saying what to do; nothing saved is changed):
      ConfigError, DataError, CheckpointMismatchError, CorruptCheckpointError: refused.
      ModelDirLockedError: another trainer uses the model_dir.
      CheckpointWriteError: a checkpoint could not be written (e.g. the disk is full).
      TrainingDivergedError: a non-finite loss (after --max_rollbacks rollbacks).
      TrainingInterrupted: SIGINT/SIGTERM; a checkpoint of the current step was saved.
    """
    architecture, train_data, strategy = _prepare(config)
    if not strategies.is_chief(strategy):
        # Another worker of a multi-worker job: it trains in lockstep with the chief,
        # which alone locks, tidies and writes the model_dir.
        with StopSignals() as stop:
            session = _Session(config, architecture, train_data, strategy, stop)
            resume = _resume_point(config)
            return session.run(resume, warm_start.source_for(config, resume))
    os.makedirs(config.model_dir, exist_ok=True)
    with RunLock(config.model_dir), StopSignals() as stop:
        resume = _resume_point(config)  # Again: the files may have changed before the lock.
        for warning in recovery.tidy(config.model_dir, resume):
            _warn(warning)
        session = _Session(config, architecture, train_data, strategy, stop)
        return session.run(resume, warm_start.source_for(config, resume))


class _Session:
    """One trainer process's work in a locked model_dir."""

    def __init__(self, config, architecture, train_data, strategy, stop: StopSignals):
        self.config, self.architecture, self.strategy = config, architecture, strategy
        self.train_data, self.stop = train_data, stop
        self.chief = strategies.is_chief(strategy)
        self.trainer = InfoGANTrainer(config, strategy)
        self.checkpoint = checkpointing.make_checkpoint(self.trainer.checkpoint_objects(),
                                                        config.run_signature())
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, strategies.checkpoint_write_dir(
                strategy, checkpointing.checkpoint_dir(config.model_dir)),
            max_to_keep=config.keep_checkpoints)
        self.rollbacks = RollbackLog(config.model_dir, read_only=not self.chief)
        self.saved_path: Optional[str] = None
        self.saved_step = -1
        self.step = 0
        self.iterator = self.writer = None
        self.progbar = keras.utils.Progbar(
            config.train_steps, verbose=1 if config.progress else 0,
            stateful_metrics=self.trainer.metric_names(contrastive_step=True) + ["steps/s"],
            unit_name="step")

    def run(self, resume: recovery.ResumePoint, source: Optional[str]) -> Dict[str, float]:
        config = self.config
        if resume.path:
            self._restore(resume.path)
        else:
            if source:  # --init_from: continue another run's weights from its step.
                averaged = warm_start.restore(self.trainer.checkpoint_objects(), source)
                if self.trainer.averages is not None and not averaged:
                    self.trainer.averages.reset()
                self.step = int(self.trainer.step.numpy())
            self._start_fresh()
        if self.chief:
            _save_run_config(config)
        if config.progress:
            print(f"InfoGAN on {config.dataset}: {config.latent.describe()}; "
                  f"{self.strategy.num_replicas_in_sync} replica(s); "
                  f"step {self.step} of {config.train_steps}")
        self._open_writer(resume.step if resume.path else -1)
        try:
            if not resume.path:
                with self.writer.as_default():
                    tf.summary.text("config", json.dumps(config.to_dict(), indent=2), step=0)
                if config.on_nan == "rollback":
                    self._save()  # Something to roll back to before the first checkpoint.
            values = self._loop()
        finally:
            self.writer.close()
        return dict(values, step=self.step)

    def _start_fresh(self) -> None:
        self._set_learning_rates()
        self.iterator = self._make_iterator()

    def _restore(self, path: str) -> None:
        self.checkpoint.restore(path).assert_existing_objects_matched()
        self.step = int(self.trainer.step.numpy())
        self.saved_path, self.saved_step = path, self.step
        # The flags' rates win over the checkpoint's, halved once per rollback so far.
        self._set_learning_rates()
        self.iterator = self._make_iterator()

    def _set_learning_rates(self) -> None:
        factor = self.rollbacks.learning_rate_factor
        self.trainer.d_optimizer.learning_rate = self.config.d_learning_rate * factor
        self.trainer.g_optimizer.learning_rate = self.config.g_learning_rate * factor
        if self.trainer.q_optimizer is not None:
            self.trainer.q_optimizer.learning_rate = self.config.q_learning_rate * factor
        if self.trainer.contrastive is not None:
            self.trainer.contrastive.optimizer.learning_rate = self.config.d_learning_rate * factor

    def _make_iterator(self):
        return iter(strategies.distributed_dataset(
            self.strategy, self.config, self.train_data.images, self.architecture.output_range,
            self.step))

    def _open_writer(self, last_kept_step: int) -> None:
        if not self.chief:
            self.writer = tf.summary.create_noop_writer()
            return
        logdir = os.path.join(self.config.model_dir, "train")
        recovery.purge_events_after(logdir, last_kept_step)
        self.writer = tf.summary.create_file_writer(logdir)

    def _loop(self) -> Dict[str, float]:
        config = self.config
        values: Dict[str, float] = {}
        last_time, last_step = time.time(), self.step
        while self.step < config.train_steps:
            if self.stop.received:
                self._stop_on_signal()
            target = _next_event(self.step, config)
            metrics = self.trainer.train_loop_at(self.step)(
                self.iterator, tf.constant(target - self.step, tf.int32))
            if not _is_event(target, config):
                # No host-device sync between events: the metrics stay on the device,
                # and a NaN shows in the next event's metrics (the weights carry it).
                self.step = target
                continue
            values = {name: float(value) for name, value in metrics.items()}
            if not all(math.isfinite(v) for v in values.values()):
                # The loop stops at the first non-finite step, so trainer.step names it.
                diverged_at = int(self.trainer.step.numpy())
                self._roll_back_or_stop(f"non-finite loss by step {diverged_at}: {values}.")
                last_time, last_step = time.time(), self.step
                continue
            self.step = target
            with self.writer.as_default():
                if self.step % config.log_every == 0 or self.step == config.train_steps:
                    now = time.time()
                    steps_per_sec = (self.step - last_step) / max(now - last_time, 1e-9)
                    last_time, last_step = now, self.step
                    train_summaries.write_scalars(values, steps_per_sec, self.step)
                    self.progbar.update(self.step, list(values.items()) +
                                        [("steps/s", steps_per_sec)])
                if self.chief and (self.step % config.image_every == 0 or
                                   self.step == config.train_steps):
                    train_summaries.write_images(self.trainer, self.step)
            if self.step % config.checkpoint_every == 0 or self.step == config.train_steps:
                self._save()
        self.writer.flush()
        return values

    def _save(self) -> None:
        if self.step == self.saved_step:
            return  # This step's checkpoint exists; never rewrite a saved checkpoint.
        if not _weights_finite(self.trainer):  # Finite losses can hide a NaN update.
            self._roll_back_or_stop(f"the weights are NaN or infinite after step {self.step}.")
            return
        self.writer.flush()  # Events up to a checkpoint are kept on resume: write them first.
        # Collective under MultiWorkerMirroredStrategy: every worker saves, only the
        # chief's copy is kept, and every worker resumes or rolls back from it.
        path = recovery.save_checkpoint(self.manager, self.step, self.saved_path)
        strategies.discard_write_dir(self.strategy, self.manager.directory)
        self.saved_path = os.path.join(checkpointing.checkpoint_dir(self.config.model_dir),
                                       os.path.basename(path))
        self.saved_step = self.step

    def _stop_on_signal(self) -> None:
        self._save()
        raise TrainingInterrupted(
            f"stopped by {self.stop.name} at step {self.step}; checkpoint {self.saved_path} "
            f"is saved. Run the same command again to resume from step {self.step}.",
            self.stop.received)

    def _roll_back_or_stop(self, problem: str) -> None:
        config = self.config
        step = int(self.trainer.step.numpy())
        if config.on_nan == "rollback" and len(self.rollbacks) < config.max_rollbacks:
            restored, restored_step = self.saved_path, self.saved_step
            d_rate, g_rate = (self.rollbacks.learning_rate_factor / 2 * rate for rate in
                              (config.d_learning_rate, config.g_learning_rate))
            self.rollbacks.record(step, restored, restored_step, d_rate, g_rate)
            self._restore(restored)
            self.writer.close()
            self._open_writer(self.step)
            _warn(f"{problem} Rollback {len(self.rollbacks)} of {config.max_rollbacks}: "
                  f"restored {restored} (step {restored_step}) and halved the learning "
                  f"rates to D {d_rate:.3g}, G {g_rate:.3g}.")
            return
        if config.on_nan == "rollback":
            problem += f" Stopping after {len(self.rollbacks)} rollback(s) (--max_rollbacks)."
            remedy = "raise --max_rollbacks"
        else:
            remedy = "train with --on_nan=rollback"
        raise TrainingDivergedError(
            f"{problem} Last good checkpoint: {self.saved_path or 'none'} (left untouched). "
            f"Lower the learning rates or the lambdas, add instance noise, or {remedy}.")
