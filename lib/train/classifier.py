"""``train_classifier``: the classifier training loop shared by the classification studies."""
from __future__ import annotations

import contextlib
import math
import sys
import time
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
from .datasets import make_dataset, one_hot_labels


# Steps run per call into the traced graph. One call per step pays Python, callbacks and dispatch each
# time; on the Study 2 CNN at batch 32, 16 steps per call ran at 1.39x the seeds' way against 1.04x for
# one (make bench levers, 2026-12-01, AMD EPYC); at batch 128 the two were within the rounds' spread.
# The steps and their results are the same; callbacks see every 8th batch (on_train_batch_*).
STEPS_PER_EXECUTION = 8


def train_classifier(build_model: Callable, data: Split, *, label: str, seed: int, epochs: int,
                     batch_size: int, learning_rate: float = 1e-3, optimizer: str = "adam",
                     early_stopping_patience: int | None = None, augment: Callable | None = None,
                     log: bool = True, steps_per_execution: int = STEPS_PER_EXECUTION, checkpoint_dir: Path | None = None,
                     strategy=None, one_hot: bool = False, optimizer_options: dict | None = None,
                     test_curve: bool = False, extra_callbacks: list | None = None,
                     lr_schedule: str = "constant") -> RunResult:
    """Train ``build_model()`` on ``data`` and evaluate it on all three splits.

    With ``early_stopping_patience`` the run stops when validation loss has
    not improved for that many epochs and the best weights are restored. A
    NaN or infinite loss ends the run with ``status="diverged"``.

    ``checkpoint_dir``: an epoch checkpoint (weights, optimizer, epoch and
    history; :mod:`lib.train.checkpoints`) is kept there as ``checkpoint.npz``,
    so a killed run resumes where it stopped, losing at most the epoch in
    progress (early stopping's patience restarts on resume); the final weights are saved there as ``final.weights.h5``.
    ``strategy``: a ``tf.distribute`` strategy; ``batch_size`` is then the
    global batch, split across its replicas (see :mod:`lib.train.distribute`).
    ``one_hot``: train on one-hot labels with categorical cross-entropy (the
    same loss values as the sparse form). ``augment``: an augmentation layer, or a
    function ``seed -> layer`` (such as :func:`lib.train.augment.fashion_augmentation`). ``optimizer_options``: more optimiser
    config, e.g. ``{"momentum": 0.9}``. ``test_curve``: record test loss and
    accuracy after every epoch in the history (``test_loss``,
    ``test_accuracy``), for display only. ``extra_callbacks``: further Keras
    callbacks (monitoring, timing). ``lr_schedule``: "constant", or "cosine"
    (the rate decays from ``learning_rate`` to 0 along a half cosine over all
    ``epochs``).
    """
    if lr_schedule not in ("constant", "cosine"):
        raise ParamError(f"lr_schedule {lr_schedule!r} is not one of 'constant', 'cosine'")
    for name, x in (("training", data.x_train), ("validation", data.x_val), ("test", data.x_test)):
        if not np.isfinite(x).all():  # oneDNN's ReLU maps NaN to 0: bad inputs would train silently
            raise DataError(f"{name} images contain NaN or infinite values; check the data preparation")
    reseed(seed)
    checkpoint = Path(checkpoint_dir) / CHECKPOINT if checkpoint_dir is not None else None
    if strategy is not None and strategy.num_replicas_in_sync > 1:
        steps_per_execution = 1  # Keras' multi-step loop fails on a distributed iterator (TF 2.21, Keras 3)
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = build_model()
        model.compile(optimizer=keras.optimizers.get({"class_name": optimizer,
                                                      "config": {"learning_rate": _schedule(
                                                          lr_schedule, learning_rate, epochs,
                                                          math.ceil(len(data.y_train) / batch_size)),
                                                                 **(optimizer_options or {})}}),
                      loss="categorical_crossentropy" if one_hot else "sparse_categorical_crossentropy",
                      metrics=["accuracy"],
                      steps_per_execution=steps_per_execution)
        state = None
        if checkpoint is not None and checkpoint.is_file():
            model.optimizer.build(model.trainable_variables)  # its variables exist only once built
            state = restore_checkpoint(classifier_variables(model), checkpoint)
    state = state or RunState()
    initial_epoch = state.epoch
    if initial_epoch and log:
        print(f"[{label}] resumed from the checkpoint after epoch {initial_epoch}", flush=True)
    labels = one_hot_labels(model) if one_hot else (lambda y: y)
    stop = StopOnNonFinite()
    callbacks = [stop]
    monitor = TestSetMonitor(make_dataset(data.x_test, labels(data.y_test), 1024)) if test_curve else None
    if monitor is not None:
        callbacks.append(monitor)
    if checkpoint is not None:
        callbacks.append(EpochCheckpoint(checkpoint, state, classifier_variables, stop))
    if log:
        callbacks.append(EpochLogger(label, epochs))
    callbacks += list(extra_callbacks or [])
    if early_stopping_patience:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=early_stopping_patience,
                                                       restore_best_weights=True))
    if augment is not None and not isinstance(augment, keras.layers.Layer):
        augment = augment(seed)  # a factory of the augmentation, seeded per run (keys the cache by name)
    train_ds = make_dataset(data.x_train, labels(data.y_train), batch_size, shuffle_seed=seed, augment=augment)
    val_ds = make_dataset(data.x_val, labels(data.y_val), 1024)
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, initial_epoch=initial_epoch,
                        callbacks=callbacks, verbose=0, shuffle=False)  # the dataset shuffles itself, seeded
    seconds = time.perf_counter() - start
    hist = state.history if checkpoint is not None else {k: [float(v) for v in vals] for k, vals in history.history.items()}
    if monitor is not None:
        hist = {**hist, **monitor.history}
    result = RunResult(label=label, seed=seed, history=hist, epochs_run=len(hist.get("loss", [])),
                       seconds=seconds)
    if stop.bad_epoch is not None:
        result.status = "diverged"
        result.message = (f"{label} (seed {seed}): loss became NaN/inf in epoch {stop.bad_epoch}; "
                          f"lower the learning rate or check the inputs")
        print(f"[{label}] STOPPED: {result.message}", file=sys.stderr, flush=True)
        return result
    val_loss = hist.get("val_loss", [])
    result.best_epoch = int(np.argmin(val_loss)) + 1 if (early_stopping_patience and val_loss) else result.epochs_run
    for split, x, y in (("train", data.x_train, data.y_train), ("val", data.x_val, data.y_val),
                        ("test", data.x_test, data.y_test)):
        loss, acc = model.evaluate(make_dataset(x, labels(y), 1024), verbose=0)
        result.metrics[f"{split}_loss"], result.metrics[f"{split}_accuracy"] = float(loss), float(acc)
    probs = model.predict(make_dataset(data.x_test, data.y_test, 1024), verbose=0)
    result.artifacts["test_predictions"] = np.argmax(probs, axis=1).astype(int).tolist()
    if checkpoint is not None:
        io.atomic_write(checkpoint.parent / "final.weights.h5", lambda p: model.save_weights(str(p)),
                        suffix=".weights.h5")
        checkpoint.unlink(missing_ok=True)
    if log:
        print(f"[{label}] seed {seed}: test accuracy {result.metrics['test_accuracy']:.4f} after "
              f"{result.epochs_run} epochs (best epoch {result.best_epoch}, {seconds:.0f} s)", flush=True)
    return result


def classifier_variables(model: keras.Model) -> dict[str, list]:
    """What a classifier's checkpoint holds: the model's weights (batch-norm statistics included) and the
    optimizer's variables (step count, moments, loss scale)."""
    return {"model": model.weights, "optimizer": model.optimizer.variables}


def _schedule(kind: str, learning_rate: float, epochs: int, steps_per_epoch: int):
    """A constant rate, or a cosine decay to 0 over the whole run."""
    if kind == "cosine":
        return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(1, epochs * steps_per_epoch))
    return learning_rate
