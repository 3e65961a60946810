"""Monitoring a GAN's training as Keras callbacks (the epoch logger, the stop on NaN/inf and the
epoch checkpoint are the shared ones of :mod:`lib.train.callbacks`).

* :class:`ImageGrid`: images from fixed noise every N epochs, saved as PNG files.
* :class:`PeriodicMetrics`: a metrics function of the generator every N epochs.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from .. import io
from .checkpoints import GanState


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

    def __init__(self, state: GanState, run_dir: Path, noise: np.ndarray, labels: np.ndarray | None, cols: int,
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

    def __init__(self, state: GanState, fn: Callable, every: int, epochs: int):
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
