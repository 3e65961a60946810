"""Measures for a with/without comparison (Study 1's batch-norm ablation).

Convergence speed (epochs to a validation-accuracy threshold), per-class
error. Verdicts on the seed's claims come from lib.experiments.claims.judge.
"""
from __future__ import annotations

import numpy as np


def epochs_to_threshold(history: dict, threshold: float, key: str = "val_accuracy") -> int | None:
    """First epoch (1-based) whose ``key`` reaches ``threshold``; None if it never does."""
    for epoch, value in enumerate(history.get(key, []), start=1):
        if value >= threshold:
            return epoch
    return None


def censored_epochs(values: list[int | None], epochs: int) -> list[int]:
    """Runs that never reached the threshold count as ``epochs + 1`` (a lower bound)."""
    return [epochs + 1 if v is None else int(v) for v in values]


def per_class_error(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Share of each true class that was misclassified (NaN for an absent class)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("per_class_error needs as many predictions as labels")
    total = np.bincount(y_true, minlength=num_classes).astype(float)
    wrong = np.bincount(y_true[y_true != y_pred], minlength=num_classes).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, wrong / total, np.nan)
