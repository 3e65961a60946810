"""Real + synthetic training sets, and the Classification Accuracy Score split.

``fraction`` is the number of synthetic images *added*, as a share of the
real training images: 0.25 with 2,000 real images adds 500 synthetic ones,
spread over the classes in the real set's proportions. They are added on
top: every batch keeps its real images (the same ones, in the same order, in
every arm) and gets ``fraction`` of its size in synthetic images besides, so
every arm sees the real images equally often. Validation and test stay real.
Real and synthetic images stay uint8 and are scaled once, at the model's input.

The Classification Accuracy Score (Ravuri & Vinyals, 2019) trains a
classifier on synthetic images only, as many per class as the real training
set has, with a held-out synthetic validation part, and tests it on the real
test set.
"""
from __future__ import annotations

import math

import numpy as np

from ...errors import ParamError
from ...data.splits import Split


def class_counts(y: np.ndarray, num_classes: int) -> np.ndarray:
    """Images of each class 0..num_classes-1 in ``y``."""
    return np.bincount(np.asarray(y, dtype=np.int64), minlength=num_classes)


def quotas(counts: np.ndarray, n: int) -> np.ndarray:
    """``n`` split over classes in proportion to ``counts`` (largest remainders get the rest)."""
    counts = np.asarray(counts, dtype=float)
    exact = counts / counts.sum() * n
    q = np.floor(exact).astype(int)
    q[np.argsort(-(exact - q), kind="stable")[: n - q.sum()]] += 1
    return q


def pick_per_class(y: np.ndarray, per_class: np.ndarray, seed: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """Indices of ``per_class[c]`` images of each class c (seeded, without replacement), sorted.

    Each class's images are put in one seeded order and the first ``k`` are
    taken, so with the same seed a smaller request is a subset of a larger one
    (the 10 % mix is part of the 25 % mix).
    """
    rng = np.random.default_rng(seed)
    free = np.ones(len(y), dtype=bool)
    if exclude is not None:
        free[exclude] = False
    picked = []
    for c, k in enumerate(per_class):
        pool = np.flatnonzero((y == c) & free)
        if k > len(pool):
            raise ParamError(f"need {k} synthetic images of class {c} but the artifact has {len(pool)}; "
                             f"generate more per class")
        picked.append(rng.permutation(pool)[: int(k)])
    return np.sort(np.concatenate(picked)) if picked else np.array([], dtype=np.int64)


def synthetic_per_class(split: Split, num_classes: int, fractions) -> int:
    """Images per class the artifact needs: the largest mix, and a full-size CAS train + validation set."""
    train, val = class_counts(split.y_train, num_classes), class_counts(split.y_val, num_classes)
    need_mix = quotas(train, int(round(max(fractions, default=0) * len(split.y_train)))).max(initial=0)
    return int(max(need_mix, (train + val).max()))


def pick_synthetic(split: Split, x_syn: np.ndarray, y_syn: np.ndarray, fraction: float, num_classes: int,
                   seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``round(fraction * n_real)`` synthetic images (uint8) and labels, spread over the classes in the real
    training part's proportions: the set an arm adds *on top* of its real batches. Nested over fractions."""
    if fraction < 0 or not math.isfinite(fraction):
        raise ParamError(f"synthetic fraction {fraction} must be a finite number >= 0")
    if x_syn.dtype != np.uint8 or split.x_train.dtype != np.uint8:
        raise ValueError("real and synthetic images must both be uint8, so both are scaled once, the same way")
    n_add = int(round(fraction * len(split.y_train)))
    idx = pick_per_class(y_syn, quotas(class_counts(split.y_train, num_classes), n_add), seed)
    return x_syn[idx], y_syn[idx].astype(split.y_train.dtype)


def per_batch(fraction: float, batch_size: int) -> int:
    """Synthetic images added on top of each real batch of ``batch_size``: ``fraction`` of it, at least one."""
    return max(1, int(round(fraction * batch_size)))


def cas_split(split: Split, x_syn: np.ndarray, y_syn: np.ndarray, num_classes: int, seed: int) -> Split:
    """Synthetic-only training and validation parts sized like ``split``'s real ones; ``split``'s real test set."""
    n_train = class_counts(split.y_train, num_classes)
    n_val = class_counts(split.y_val, num_classes)
    tr = pick_per_class(y_syn, n_train, seed)
    va = pick_per_class(y_syn, n_val, seed + 1, exclude=tr)
    return Split(x_syn[tr], y_syn[tr].astype(split.y_train.dtype), x_syn[va], y_syn[va].astype(split.y_val.dtype),
                 split.x_test, split.y_test)
