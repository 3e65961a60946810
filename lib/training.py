"""The classifier training loop shared by the classification studies."""
from __future__ import annotations

import contextlib
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from . import io
from .errors import DataError, ParamError, TrainingDiverged
from .data.splits import Split
from .experiments.record import RunResult
from .runtime import reseed


class EpochLogger(keras.callbacks.Callback):
    """One line per epoch, flushed: readable in batch logs and in notebooks alike."""

    def __init__(self, label: str, epochs: int):
        super().__init__()
        self.label, self.epochs = label, epochs

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        parts = " ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items() if k != "learning_rate")
        print(f"[{self.label}] epoch {epoch + 1}/{self.epochs} {parts} "
              f"({time.perf_counter() - self._t:.1f} s)", flush=True)


class StopOnNonFinite(keras.callbacks.Callback):
    """Stop training the moment the loss is NaN or infinite, remembering the epoch."""

    def __init__(self):
        super().__init__()
        self.bad_epoch = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.bad_epoch = self._epoch + 1
            self.model.stop_training = True


class EpochCheckpoint(keras.callbacks.Callback):
    """After every epoch: the whole model (weights and optimizer state) and the history.

    Both are written atomically, the model under a per-epoch name first and
    ``state.json`` (which names it) second, so a kill at any moment leaves a
    consistent pair: at most the epoch in progress is lost.
    """

    def __init__(self, directory: Path, history: dict | None = None):
        super().__init__()
        self.directory = Path(directory)
        self.history: dict[str, list[float]] = {k: list(v) for k, v in (history or {}).items()}

    def on_epoch_end(self, epoch, logs=None):
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))
        name = f"epoch-{epoch + 1:04d}.keras"
        io.atomic_write(self.directory / name, lambda p: self.model.save(str(p)), suffix=".keras")
        io.write_json(self.directory / "state.json", {"epoch": epoch + 1, "checkpoint": name,
                                                      "history": self.history})
        for old in self.directory.glob("epoch-*.keras"):
            if old.name != name:
                old.unlink()

    @staticmethod
    def load(directory: Path):
        """(epoch, history, model path) of an interrupted run in ``directory``, or None."""
        state_path = Path(directory) / "state.json"
        if not state_path.is_file():
            return None
        state = io.read_json(state_path)
        return state["epoch"], state["history"], Path(directory) / state["checkpoint"]

    @staticmethod
    def clear(directory: Path) -> None:
        for path in [*Path(directory).glob("epoch-*.keras"), Path(directory) / "state.json"]:
            path.unlink(missing_ok=True)


class TestSetMonitor(keras.callbacks.Callback):
    """Loss and accuracy on the test set after every epoch, for display only.

    No decision (early stopping, model choice) reads these numbers; they let a
    page show training, validation and test curves side by side.
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset
        self.history = {"test_loss": [], "test_accuracy": []}

    def on_epoch_end(self, epoch, logs=None):
        loss, acc = self.model.evaluate(self.dataset, verbose=0)
        self.history["test_loss"].append(float(loss))
        self.history["test_accuracy"].append(float(acc))


def make_dataset(x, y, batch_size: int, shuffle_seed: int | None = None, augment=None):
    """An in-memory tf.data pipeline: shuffle, batch, vectorised augmentation, prefetch."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(y), seed=shuffle_seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if augment is not None:
        ds = ds.map(lambda a, b: (augment(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE,
                    deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def fashion_augmentation(seed: int):
    """Small shifts and horizontal flips: label-preserving for clothing images."""
    from keras import layers

    return keras.Sequential([layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed),
                             layers.RandomFlip("horizontal", seed=seed)], name="augmentation")


def train_classifier(build_model: Callable, data: Split, *, label: str, seed: int, epochs: int,
                     batch_size: int, learning_rate: float = 1e-3, optimizer: str = "adam",
                     early_stopping_patience: int | None = None, augment: Callable | None = None,
                     log: bool = True, steps_per_execution: int = 1, checkpoint_dir: Path | None = None,
                     strategy=None, one_hot: bool = False, optimizer_options: dict | None = None,
                     test_curve: bool = False, extra_callbacks: list | None = None,
                     lr_schedule: str = "constant") -> RunResult:
    """Train ``build_model()`` on ``data`` and evaluate it on all three splits.

    With ``early_stopping_patience`` the run stops when validation loss has
    not improved for that many epochs and the best weights are restored. A
    NaN or infinite loss ends the run with ``status="diverged"``.

    ``checkpoint_dir``: an epoch checkpoint (weights, optimizer, epoch) and the
    history are kept there, so a killed run resumes where it stopped, losing
    at most the epoch in progress (early stopping's patience restarts on
    resume); the final weights are saved there as ``final.weights.h5``.
    ``strategy``: a ``tf.distribute`` strategy; ``batch_size`` is then the
    global batch, split across its replicas (see :mod:`lib.distribute`).
    ``one_hot``: train on one-hot labels with categorical cross-entropy (the
    same loss values as the sparse form). ``augment``: an augmentation layer, or a
    function ``seed -> layer`` (such as :func:`fashion_augmentation`). ``optimizer_options``: more optimiser
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
    checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir is not None else None
    resume = EpochCheckpoint.load(checkpoint_dir) if checkpoint_dir is not None else None
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        if resume:
            model = keras.models.load_model(resume[2])
        else:
            model = build_model()
            model.compile(optimizer=keras.optimizers.get({"class_name": optimizer,
                                                          "config": {"learning_rate": _schedule(
                                                              lr_schedule, learning_rate, epochs,
                                                              math.ceil(len(data.y_train) / batch_size)),
                                                                     **(optimizer_options or {})}}),
                          loss="categorical_crossentropy" if one_hot else "sparse_categorical_crossentropy",
                          metrics=["accuracy"],
                          steps_per_execution=steps_per_execution)
    initial_epoch = resume[0] if resume else 0
    if resume and log:
        print(f"[{label}] resumed from the checkpoint after epoch {initial_epoch}", flush=True)
    labels = _one_hot_labels(model) if one_hot else (lambda y: y)
    stop = StopOnNonFinite()
    callbacks = [stop]
    monitor = TestSetMonitor(make_dataset(data.x_test, labels(data.y_test), 1024)) if test_curve else None
    if monitor is not None:
        callbacks.append(monitor)
    checkpoint = None
    if checkpoint_dir is not None:
        checkpoint = EpochCheckpoint(checkpoint_dir, resume[1] if resume else None)
        callbacks.append(checkpoint)
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
    hist = checkpoint.history if checkpoint else {k: [float(v) for v in vals] for k, vals in history.history.items()}
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
    if checkpoint_dir is not None:
        io.atomic_write(checkpoint_dir / "final.weights.h5", lambda p: model.save_weights(str(p)),
                        suffix=".weights.h5")
        EpochCheckpoint.clear(checkpoint_dir)
    if log:
        print(f"[{label}] seed {seed}: test accuracy {result.metrics['test_accuracy']:.4f} after "
              f"{result.epochs_run} epochs (best epoch {result.best_epoch}, {seconds:.0f} s)", flush=True)
    return result


def _schedule(kind: str, learning_rate: float, epochs: int, steps_per_epoch: int):
    """A constant rate, or a cosine decay to 0 over the whole run."""
    if kind == "cosine":
        return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(1, epochs * steps_per_epoch))
    return learning_rate


def _one_hot_labels(model):
    """Integer labels -> one-hot rows as wide as the model's output."""
    num_classes = int(model.output_shape[-1])
    return lambda y: keras.utils.to_categorical(y, num_classes).astype(np.float32)


def raise_if_all_diverged(results: list[RunResult]) -> None:
    """A study cannot report anything if every run diverged: fail loudly."""
    if results and all(r.status != "ok" for r in results):
        raise TrainingDiverged("; ".join(r.message for r in results))
