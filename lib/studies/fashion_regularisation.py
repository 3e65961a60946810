"""Study 2, Fashion-MNIST CNN regularisation: the seed's claims (seed 002)."""
from __future__ import annotations

from ..experiments.claims import Claim

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

REG, BASE = "regularised", "baseline"
# The seed's own numbers: validation accuracy 88.54 -> 89.02 %, loss 0.3538 -> 0.2923, and training
# accuracy 92.46 -> 86.97 %, i.e. a train - val gap of +3.92 -> -2.05 points.
REGULARISATION = [
    Claim("s2.val_accuracy", "002", "regularisation gives a higher validation accuracy (88.54 % → 89.02 %)",
          "validation accuracy", kind="improves", measure="val_accuracy", variant=REG, baseline=BASE,
          seed_effect=0.8902 - 0.8854),
    Claim("s2.val_loss", "002", "the validation loss decreased (0.3538 → 0.2923)", "validation loss",
          kind="improves", higher_is_better=False, measure="val_loss", variant=REG, baseline=BASE,
          seed_effect=0.2923 - 0.3538, scale=1.0, unit="", digits=4),
    Claim("s2.gap_logged", "002", "reduced overfitting: training and validation accuracies more aligned",
          "train − validation accuracy gap as Keras logs it (training mode, dropout on; the seed's measure)",
          kind="improves", higher_is_better=False, measure="logged_gap", variant=REG, baseline=BASE,
          seed_effect=(0.8697 - 0.8902) - (0.9246 - 0.8854)),
    Claim("s2.gap_inference", "002", "reduced overfitting: training and validation accuracies more aligned",
          "train − validation accuracy gap in inference mode (dropout off)", kind="improves",
          higher_is_better=False, measure="train_val_gap", variant=REG, baseline=BASE),
    Claim("s2.baseline_val", "002", "initial model: 88.54 % validation accuracy", "validation accuracy",
          seed_value=0.8854, tolerance=0.005, measure="val_accuracy", variant=BASE),
    Claim("s2.regularised_val", "002", "optimised model: 89.02 % validation accuracy", "validation accuracy",
          seed_value=0.8902, tolerance=0.005, measure="val_accuracy", variant=REG),
]
