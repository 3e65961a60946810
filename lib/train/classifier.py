"""``train_classifier``: the classifier training loop shared by the classification studies."""
from __future__ import annotations

import contextlib
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from .. import io
from ..data.splits import Split
from ..errors import DataError, ParamError
from ..experiments.record import RunResult
from .runtime import reseed
from .callbacks import EpochCheckpoint, EpochLogger, StopOnNonFinite, TestSetMonitor
from .checkpoints import CHECKPOINT, RunState, restore_checkpoint
from .datasets import make_dataset, make_mixed_dataset, one_hot_labels


# Steps run per call into the traced graph. One call per step pays Python, callbacks and dispatch each
# time; on the Study 2 CNN at batch 32, 16 steps per call ran at 1.39x the seeds' way against 1.04x for
# one (make bench levers, 2026-12-01, AMD EPYC); at batch 128 the two were within the rounds' spread.
# The steps and their results are the same; callbacks see every 8th batch (on_train_batch_*).
STEPS_PER_EXECUTION = 8


@dataclass(frozen=True)
class TrainConfig:
    """How a classifier is trained: the recipe, apart from the model, the data and the run's identity.

    ``early_stopping_patience``: stop when validation loss has not improved for that many epochs and restore the
    best weights. ``one_hot``: one-hot labels, categorical cross-entropy. ``augment``: a layer, or
    ``seed -> layer`` (:func:`lib.train.augment.fashion_augmentation`). ``optimizer_options``: more optimiser
    config, e.g. ``{"momentum": 0.9}``. ``test_curve``: test loss and accuracy per epoch in the history, for
    display only. ``extra_callbacks``: more Keras callbacks. ``lr_schedule``: "constant", or "cosine" (half
    cosine from ``learning_rate`` to 0 over all ``epochs``). ``steps_per_epoch``: epochs of that many steps from
    a shuffled, repeating stream of the training part (default: one pass).
    """
    epochs: int
    batch_size: int
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    optimizer_options: dict | None = None
    lr_schedule: str = "constant"
    early_stopping_patience: int | None = None
    steps_per_epoch: int | None = None
    steps_per_execution: int = STEPS_PER_EXECUTION
    one_hot: bool = False
    augment: Callable | None = None
    test_curve: bool = False
    extra_callbacks: list | None = None


def train_classifier(build_model: Callable, data: Split, config: TrainConfig, *, label: str,
                     seed: int, log: bool = True, checkpoint_dir: Path | None = None, strategy=None,
                     real_train: tuple[np.ndarray, np.ndarray] | None = None,
                     extra_train: tuple[np.ndarray, np.ndarray, int] | None = None) -> RunResult:
    """Train ``build_model()`` on ``data`` as ``config`` says and evaluate it on all three splits; a NaN/inf loss
    ends the run as ``"diverged"``.

    ``checkpoint_dir``: an epoch checkpoint (weights, optimizer, epoch, history; :mod:`lib.train.checkpoints`)
    there as ``checkpoint.npz`` lets a killed run resume, losing at most the epoch in progress (patience restarts);
    the final weights are saved there as ``final.weights.h5``. ``strategy``: a ``tf.distribute`` strategy, with
    ``batch_size`` the global batch (:mod:`lib.train.distribute`). ``real_train``: (x, y) the ``train_`` metrics
    are measured on (default: the training part). ``extra_train``: (x, y, k): k of these added on top of every
    batch from their own repeating stream, an epoch still one pass over the training part
    (:func:`.datasets.make_mixed_dataset`). uint8 images: scaled once, there.
    """
    _check_finite(data)
    reseed(seed)
    checkpoint = Path(checkpoint_dir) / CHECKPOINT if checkpoint_dir is not None else None
    steps = config.steps_per_epoch or math.ceil(len(data.y_train) / config.batch_size)
    model, state = _compiled(build_model, strategy, checkpoint, config, steps)
    if state.epoch and log:
        print(f"[{label}] resumed from the checkpoint after epoch {state.epoch}", flush=True)
    labels = one_hot_labels(model) if config.one_hot else (lambda y: y)
    stop = StopOnNonFinite()
    monitor = (TestSetMonitor(make_dataset(data.x_test, labels(data.y_test), 1024)) if config.test_curve
               else None)
    callbacks = _callbacks(stop, monitor, checkpoint, state, EpochLogger(label, config.epochs) if log else None,
                           config.extra_callbacks, config.early_stopping_patience)
    history, seconds = _fit(model, data, labels, config, seed=seed, initial_epoch=state.epoch,
                            callbacks=callbacks, extra=extra_train)
    hist = (state.history if checkpoint is not None
            else {k: [float(v) for v in vals] for k, vals in history.history.items()})
    hist = {**hist, **(monitor.history if monitor is not None else {})}
    result = RunResult(label=label, seed=seed, history=hist, epochs_run=len(hist.get("loss", [])),
                       seconds=seconds, artifacts={"parameters": int(model.count_params())})
    if stop.bad_epoch is not None:
        return _diverged(result, stop.bad_epoch)
    val_loss = hist.get("val_loss", [])
    result.best_epoch = (int(np.argmin(val_loss)) + 1 if (config.early_stopping_patience and val_loss)
                         else result.epochs_run)
    result.metrics["steps"] = float(result.epochs_run * steps)
    _evaluate(model, data, labels, result, real_train)
    _save_final(model, checkpoint)
    return _logged(result, log)


def _save_final(model: keras.Model, checkpoint: Path | None) -> None:
    """The final weights beside the epoch checkpoint, which a finished run no longer needs."""
    if checkpoint is not None:
        io.atomic_write(checkpoint.parent / "final.weights.h5", lambda p: model.save_weights(str(p)),
                        suffix=".weights.h5")
        checkpoint.unlink(missing_ok=True)


def _logged(result: RunResult, log: bool) -> RunResult:
    if log:
        split = "test" if "test_accuracy" in result.metrics else "val"
        print(f"[{result.label}] seed {result.seed}: {split} accuracy {result.metrics[f'{split}_accuracy']:.4f} after "
              f"{result.epochs_run} epochs (best epoch {result.best_epoch}, {result.seconds:.0f} s)", flush=True)
    return result


def _callbacks(stop, monitor, checkpoint: Path | None, state: RunState, logger, extra: list | None,
               patience: int | None) -> list:
    """The run's callbacks: the non-finite stop first (the checkpoint reads it), then the test curve, the epoch
    checkpoint, the logger, the caller's and early stopping."""
    return [stop, *([monitor] if monitor is not None else []),
            *([EpochCheckpoint(checkpoint, state, classifier_variables, stop)] if checkpoint is not None else []),
            *([logger] if logger is not None else []), *(extra or []),
            *([keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)]
              if patience else [])]


def _fit(model: keras.Model, data: Split, labels: Callable, config: TrainConfig, *, seed: int, initial_epoch: int,
         callbacks: list, extra=None):
    """``model.fit`` on the seeded training stream (with ``extra`` images added on top of every batch) with
    validation each epoch: (Keras history, seconds)."""
    augment, batch_size, steps_per_epoch = config.augment, config.batch_size, config.steps_per_epoch
    if augment is not None and not isinstance(augment, keras.layers.Layer):
        augment = augment(seed)  # a factory of the augmentation, seeded per run (keys the cache by name)
    if extra is not None:
        steps_per_epoch = steps_per_epoch or math.ceil(len(data.y_train) / batch_size)  # an endless stream
        train_ds = make_mixed_dataset(data.x_train, labels(data.y_train), extra[0], labels(extra[1]), batch_size,
                                      int(extra[2]), shuffle_seed=seed, augment=augment)
    else:
        train_ds = make_dataset(data.x_train, labels(data.y_train), batch_size, shuffle_seed=seed, augment=augment,
                                repeat=steps_per_epoch is not None)
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=make_dataset(data.x_val, labels(data.y_val), 1024),
                        epochs=config.epochs, initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
                        callbacks=callbacks, verbose=0, shuffle=False)  # the dataset shuffles itself, seeded
    return history, time.perf_counter() - start


def _compiled(build_model: Callable, strategy, checkpoint: Path | None, config: TrainConfig,
              steps: int) -> tuple[keras.Model, RunState]:
    """The model built and compiled (under ``strategy``) for ``config`` with ``steps`` steps an epoch, and the
    state of the run it resumes (or a fresh one)."""
    steps_per_execution = config.steps_per_execution
    if strategy is not None and strategy.num_replicas_in_sync > 1:
        steps_per_execution = 1  # Keras' multi-step loop fails on a distributed iterator (TF 2.21, Keras 3)
    optimizer = {"class_name": config.optimizer, "config": {
        "learning_rate": _schedule(config.lr_schedule, config.learning_rate, config.epochs, steps),
        **(config.optimizer_options or {})}}
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = build_model()
        model.compile(optimizer=keras.optimizers.get(optimizer),
                      loss="categorical_crossentropy" if config.one_hot else "sparse_categorical_crossentropy",
                      metrics=["accuracy"], steps_per_execution=steps_per_execution)
        return model, _resume(model, checkpoint)


def _diverged(result: RunResult, epoch: int) -> RunResult:
    result.status = "diverged"
    result.message = (f"{result.label} (seed {result.seed}): loss became NaN/inf in epoch {epoch}; "
                      f"lower the learning rate or check the inputs")
    print(f"[{result.label}] STOPPED: {result.message}", file=sys.stderr, flush=True)
    return result


def _check_finite(data: Split) -> None:
    for name, x in (("training", data.x_train), ("validation", data.x_val), ("test", data.x_test)):
        if not np.isfinite(x).all():  # oneDNN's ReLU maps NaN to 0: bad inputs would train silently
            raise DataError(f"{name} images contain NaN or infinite values; check the data preparation")


def _resume(model: keras.Model, checkpoint: Path | None) -> RunState:
    """The state saved by an interrupted run (weights and optimizer restored into ``model``), or a fresh one."""
    if checkpoint is not None and checkpoint.is_file():
        model.optimizer.build(model.trainable_variables)  # its variables exist only once built
        return restore_checkpoint(classifier_variables(model), checkpoint) or RunState()
    return RunState()


def _evaluate(model: keras.Model, data: Split, labels: Callable, result: RunResult,
              real_train: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Loss and accuracy on train (or ``real_train``), val and test, in inference mode; the test predictions.
    A split without images (a search's split has no test part) is not measured."""
    x_train, y_train = real_train if real_train is not None else (data.x_train, data.y_train)
    t = time.perf_counter()
    for split, x, y in (("train", x_train, y_train), ("val", data.x_val, data.y_val),
                        ("test", data.x_test, data.y_test)):
        if len(y):
            loss, acc = model.evaluate(make_dataset(x, labels(y), 1024), verbose=0)
            result.metrics[f"{split}_loss"], result.metrics[f"{split}_accuracy"] = float(loss), float(acc)
    if len(data.y_test):
        probs = model.predict(make_dataset(data.x_test, data.y_test, 1024), verbose=0)
        result.artifacts["test_predictions"] = np.argmax(probs, axis=1).astype(int).tolist()
    result.artifacts["eval_seconds"] = time.perf_counter() - t  # wall time, not a result: kept out of metrics


def classifier_variables(model: keras.Model) -> dict[str, list]:
    """What a classifier's checkpoint holds: the model's weights (batch-norm statistics included) and the
    optimizer's variables (step count, moments, loss scale)."""
    return {"model": model.weights, "optimizer": model.optimizer.variables}


def _schedule(kind: str, learning_rate: float, epochs: int, steps_per_epoch: int):
    """A constant rate, or a cosine decay to 0 over the whole run."""
    if kind not in ("constant", "cosine"):
        raise ParamError(f"lr_schedule {kind!r} is not one of 'constant', 'cosine'")
    if kind == "cosine":
        return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(1, epochs * steps_per_epoch))
    return learning_rate
