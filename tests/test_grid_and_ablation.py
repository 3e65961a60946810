"""Study 1's ablation measures (Study 3's grid tests are in tests/studies/test_fashion_fcn_vs_alexnet.py)."""
import math

import pytest

from lib.studies import cifar10_batchnorm as ablation


def test_epochs_to_threshold_and_censoring():
    h = {"val_accuracy": [0.3, 0.55, 0.62, 0.7]}
    assert ablation.epochs_to_threshold(h, 0.6) == 3
    assert ablation.epochs_to_threshold(h, 0.3) == 1
    assert ablation.epochs_to_threshold(h, 0.9) is None
    assert ablation.censored_epochs([3, None, 1], epochs=4) == [3, 5, 1]


def test_per_class_error_counts_mistakes_per_true_class():
    err = ablation.per_class_error([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 0], num_classes=4)
    assert err[:3].tolist() == pytest.approx([0.5, 1 / 3, 1.0]) and math.isnan(err[3])
