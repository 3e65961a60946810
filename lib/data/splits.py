"""Subsets, validation splits and scaling, all seeded and stratified."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .. import io


def stratified_indices(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Pick ``n`` indices with class proportions kept (within one example per class)."""
    if n >= len(y):
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    quota = np.floor(counts / counts.sum() * n).astype(int)
    quota[np.argsort(-(counts / counts.sum() * n - quota))[: n - quota.sum()]] += 1
    picked = [rng.choice(np.flatnonzero(y == c), q, replace=False) for c, q in zip(classes, quota)]
    return np.sort(np.concatenate(picked))


def train_val_split(x: np.ndarray, y: np.ndarray, val_fraction: float, seed: int):
    """Stratified split of the training set into train and validation parts."""
    val_idx = stratified_indices(y, int(round(len(y) * val_fraction)), seed)
    mask = np.ones(len(y), dtype=bool)
    mask[val_idx] = False
    return x[mask], y[mask], x[val_idx], y[val_idx]


def scale_images(x: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [0, 1]."""
    # Divided in place: a second array of the same size costs as much again in fresh memory (about 5 s for
    # CIFAR-10's training part on a machine with slow page faults), for the same float32 values.
    scaled = x.astype(np.float32)
    scaled /= np.float32(255)
    return scaled


@dataclass
class Split:
    """Images and integer labels for train, validation and test: float32 in [0, 1], or uint8 in [0, 255] kept so
    until the input pipeline scales them (``classification_split(scale=False)``)."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def sizes(self) -> dict:
        return {"train": len(self.y_train), "val": len(self.y_val), "test": len(self.y_test)}

    def without_test(self) -> "Split":
        """The same training and validation images and no test images: what a model selection (a grid, a
        search) trains on, so that its runs cannot touch the test set that later scores the chosen model."""
        return Split(self.x_train, self.y_train, self.x_val, self.y_val, self.x_test[:0], self.y_test[:0])

    def cache_token(self) -> str:
        """A digest of all six arrays, computed once: the run cache keys a run by its data."""
        if getattr(self, "_token", None) is None:
            parts = [f"{name}:{io.array_digest(getattr(self, name))}"
                     for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")]
            object.__setattr__(self, "_token", hashlib.sha256(" ".join(parts).encode()).hexdigest()[:20])
        return self._token
