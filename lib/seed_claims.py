"""What the seed projects claimed, as records the report tests (see shared seeds' READMEs).

Each claim is quoted briefly and tested as it was stated: an improvement as a
paired difference over seeds, a number against our mean. Claims of Studies 4
and 5 live beside their study code (lib/gan, lib/synthetic).
"""
from __future__ import annotations

from .experiments.claims import Claim

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

FCN, ALEXNET = "FCN", "AlexNet-style CNN"
FCN_VS_ALEXNET = [
    Claim("s3.fcn", "004", "FCN: at best 88.46 % test accuracy in 50 epochs", "test accuracy", seed_value=0.8846,
          tolerance=0.005, measure="test_accuracy", variant=FCN, seed_budget=50),
    Claim("s3.alexnet", "004", "AlexNet-style CNN: 93.14 % test accuracy in 10 epochs", "test accuracy",
          seed_value=0.9314, tolerance=0.005, measure="test_accuracy", variant=ALEXNET, seed_budget=10),
    Claim("s3.alexnet_better", "004", "AlexNet gives significantly better classification than the FCN",
          "test accuracy, AlexNet-style − FCN", kind="improves", measure="test_accuracy", variant=ALEXNET,
          baseline=FCN),
    Claim("s3.best_config", "004", "Adam + Kaiming uniform + batch norm proved the most effective FCN setting",
          "validation accuracy in the FCN grid: is that setting within noise of the best?", kind="qualitative"),
]
