"""The classifier training loop shared by the classification studies."""
from __future__ import annotations

import math
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import keras
import numpy as np

from .errors import DataError, TrainingDiverged
from .runtime import reseed


@dataclass
class Split:
    """Float32 images in [0, 1] and integer labels for train, validation and test."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def sizes(self) -> dict:
        return {"train": len(self.y_train), "val": len(self.y_val), "test": len(self.y_test)}


@dataclass
class RunResult:
    label: str
    seed: int
    status: str = "ok"                       # "ok" or "diverged"
    message: str = ""
    history: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    epochs_run: int = 0
    best_epoch: int = 0
    seconds: float = 0.0
    test_predictions: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "RunResult":
        return cls(**d)


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
                     log: bool = True) -> RunResult:
    """Train ``build_model()`` on ``data`` and evaluate it on all three splits.

    With ``early_stopping_patience`` the run stops when validation loss has
    not improved for that many epochs and the best weights are restored. A
    NaN or infinite loss ends the run with ``status="diverged"``.
    """
    for name, x in (("training", data.x_train), ("validation", data.x_val), ("test", data.x_test)):
        if not np.isfinite(x).all():  # oneDNN's ReLU maps NaN to 0: bad inputs would train silently
            raise DataError(f"{name} images contain NaN or infinite values; check the data preparation")
    reseed(seed)
    model = build_model()
    model.compile(optimizer=keras.optimizers.get({"class_name": optimizer,
                                                  "config": {"learning_rate": learning_rate}}),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    stop = StopOnNonFinite()
    callbacks = [stop]
    if log:
        callbacks.append(EpochLogger(label, epochs))
    if early_stopping_patience:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=early_stopping_patience,
                                                       restore_best_weights=True))
    train_ds = make_dataset(data.x_train, data.y_train, batch_size, shuffle_seed=seed, augment=augment)
    val_ds = make_dataset(data.x_val, data.y_val, 1024)
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, callbacks=callbacks, verbose=0,
                        shuffle=False)  # the dataset shuffles itself, seeded
    seconds = time.perf_counter() - start
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
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
        loss, acc = model.evaluate(make_dataset(x, y, 1024), verbose=0)
        result.metrics[f"{split}_loss"], result.metrics[f"{split}_accuracy"] = float(loss), float(acc)
    probs = model.predict(make_dataset(data.x_test, data.y_test, 1024), verbose=0)
    result.test_predictions = np.argmax(probs, axis=1).astype(int).tolist()
    if log:
        print(f"[{label}] seed {seed}: test accuracy {result.metrics['test_accuracy']:.4f} after "
              f"{result.epochs_run} epochs (best epoch {result.best_epoch}, {seconds:.0f} s)", flush=True)
    return result


def raise_if_all_diverged(results: list[RunResult]) -> None:
    """A study cannot report anything if every run diverged: fail loudly."""
    if results and all(r.status != "ok" for r in results):
        raise TrainingDiverged("; ".join(r.message for r in results))
