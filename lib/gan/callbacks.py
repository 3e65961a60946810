"""Monitoring a GAN's training as Keras callbacks.

* :class:`EpochProgress`: a progress bar when run interactively, one flushed line
  per epoch in batch (papermill, CI logs).
* :class:`ImageGrid`: images from fixed noise every N epochs, saved as PNG files.
* :class:`PeriodicMetrics`: a metrics function of the generator every N epochs.
* :class:`Checkpoint`: the whole training state after every epoch (resume).
* :class:`StopOnNonFinite`: stops the run when a loss becomes NaN or infinite.
"""
from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from .. import io
from .checkpoints import RunState, save_checkpoint

PROGRESS_ENV = "SMALLIMG_PROGRESS"


def progress_mode() -> str:
    """"bar" in a terminal or a notebook a person runs in Jupyter; "lines" in batch.

    ``$SMALLIMG_PROGRESS`` (``bar`` or ``lines``) overrides the guess.
    Jupyter's server names each kernel's notebook in ``$JPY_SESSION_NAME``;
    papermill's kernels have no such variable.
    """
    forced = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if forced in ("bar", "lines"):
        return forced
    interactive = (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()) or "JPY_SESSION_NAME" in os.environ
    return "bar" if interactive else "lines"


def _fmt(logs: dict) -> str:
    return " ".join(f"{k} {float(v):.4f}" for k, v in logs.items())


class EpochProgress(keras.callbacks.Callback):
    def __init__(self, label: str, epochs: int, steps: int, mode: str | None = None):
        super().__init__()
        self.label, self.epochs, self.steps = label, epochs, steps
        self.mode = mode or progress_mode()

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()
        self._epoch = epoch
        self._bar = None
        if self.mode == "bar":
            print(f"[{self.label}] epoch {epoch + 1}/{self.epochs}", flush=True)

    def on_train_batch_end(self, batch, logs=None):
        if self.mode == "bar":
            logs = logs or {}
            if self._bar is None:  # the logs are running means already: show them as they are
                self._bar = keras.utils.Progbar(self.steps, stateful_metrics=list(logs))
            self._bar.update(batch + 1, [(k, float(v)) for k, v in logs.items()])

    def on_epoch_end(self, epoch, logs=None):
        if self.mode == "lines":
            print(f"[{self.label}] epoch {epoch + 1}/{self.epochs} {_fmt(logs or {})} "
                  f"({time.perf_counter() - self._t:.1f} s)", flush=True)


class StopOnNonFinite(keras.callbacks.Callback):
    """Stop at the end of an epoch whose losses are not finite; remember which."""

    def __init__(self):
        super().__init__()
        self.bad_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        if any(not math.isfinite(float(v)) for k, v in (logs or {}).items() if k.endswith("loss")):
            self.bad_epoch = epoch + 1
            self.model.stop_training = True


def tile_images(images: np.ndarray, cols: int, pad: int = 1) -> np.ndarray:
    """(n, h, w, c) images in [0, 1] -> one (rows*(h+pad)+pad, cols*(w+pad)+pad, c) mosaic."""
    n, h, w, c = images.shape
    rows = math.ceil(n / cols)
    out = np.ones((rows * (h + pad) + pad, cols * (w + pad) + pad, c), dtype=np.float32)
    for i, img in enumerate(images):
        r, q = divmod(i, cols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + q * (w + pad): pad + q * (w + pad) + w] = img
    return out


def save_png(mosaic: np.ndarray, path: str | Path) -> Path:
    import matplotlib.pyplot as plt

    img = mosaic[..., 0] if mosaic.shape[-1] == 1 else mosaic
    return io.atomic_write(path, lambda p: plt.imsave(p, np.clip(img, 0, 1), cmap="gray", vmin=0, vmax=1,
                                                      format="png"))


class ImageGrid(keras.callbacks.Callback):
    """Save ``generate(noise, labels)`` as ``grids/epoch_XXX.png`` at epoch 0, every ``every`` epochs and at the end."""

    def __init__(self, state: RunState, run_dir: Path, noise: np.ndarray, labels: np.ndarray | None, cols: int,
                 every: int, epochs: int):
        super().__init__()
        self.state, self.dir = state, Path(run_dir) / "grids"
        self.noise, self.labels, self.cols, self.every, self.epochs = noise, labels, cols, every, epochs

    def save(self, epoch: int) -> None:
        images = np.asarray(self.model.generate(self.noise, self.labels, training=False), dtype=np.float32)
        name = f"epoch_{epoch:03d}.png"
        save_png(tile_images((images + 1.0) / 2.0, self.cols), self.dir / name)
        self.state.grids = [g for g in self.state.grids if g[0] != epoch] + [[epoch, name]]

    def on_train_begin(self, logs=None):
        if self.state.epoch == 0:
            self.save(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.epochs:
            self.save(epoch + 1)


class PeriodicMetrics(keras.callbacks.Callback):
    """``state.progress`` gets ``{"epoch": e, **fn(model)}`` at epoch 0, every ``every`` epochs and at the end."""

    def __init__(self, state: RunState, fn: Callable, every: int, epochs: int):
        super().__init__()
        self.state, self.fn, self.every, self.epochs = state, fn, every, epochs

    def _record(self, epoch: int) -> None:
        self.state.progress = [p for p in self.state.progress if p["epoch"] != epoch]
        self.state.progress.append({"epoch": epoch, **self.fn(self.model)})

    def on_train_begin(self, logs=None):
        if self.state.epoch == 0:
            self._record(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.epochs:
            self._record(epoch + 1)


class Checkpoint(keras.callbacks.Callback):
    """Record the epoch's logs in ``state`` and write the checkpoint. Put it after the other callbacks."""

    def __init__(self, state: RunState, path: Path, stop: StopOnNonFinite | None = None):
        super().__init__()
        self.state, self.path, self.stop = state, Path(path), stop

    def on_epoch_end(self, epoch, logs=None):
        self.state.record_epoch(logs or {})
        if self.stop is None or self.stop.bad_epoch is None:  # never checkpoint a diverged model
            save_checkpoint(self.model, self.state, self.path)
