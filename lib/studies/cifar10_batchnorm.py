"""Study 1, CIFAR-10 batch-norm ablation: its measures and the seed's claims.

Convergence speed (epochs to a validation-accuracy threshold), per-class
error. Verdicts on the seed's claims come from lib.experiments.claims.judge.
"""
from __future__ import annotations

import numpy as np

from ..experiments.claims import Claim


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


# Seed 000's claims, quoted briefly; each is tested as it was stated.
BN, PLAIN = "batch-norm CNN", "plain CNN"
BATCHNORM = [
    Claim("s1.accuracy", "000", "batch normalisation improves accuracy", "test accuracy", kind="improves",
          measure="test_accuracy", variant=BN, baseline=PLAIN, seed_budget=15),
    Claim("s1.error", "000", "batch normalisation lowers the error rate", "test error rate (1 − accuracy)",
          kind="improves", higher_is_better=False, measure="test_error", variant=BN, baseline=PLAIN,
          seed_budget=15),
    Claim("s1.convergence", "000", "batch normalisation improves convergence",
          "epochs to the validation-accuracy threshold", kind="improves", higher_is_better=False,
          measure="epochs_to_threshold", variant=BN, baseline=PLAIN, seed_budget=15, scale=1.0, unit=" epochs"),
    Claim("s1.overfitting", "000", "batch normalisation reduces overfitting",
          "train − validation accuracy gap (inference mode)", kind="improves", higher_is_better=False,
          measure="train_val_gap", variant=BN, baseline=PLAIN, seed_budget=15),
]
