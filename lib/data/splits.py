"""Subsets, validation splits and scaling, all seeded and stratified."""
from __future__ import annotations

import numpy as np


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
    return (x.astype(np.float32) / 255.0)
