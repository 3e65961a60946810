"""The training loop on generated data: determinism, divergence, early stopping."""
import dataclasses

import numpy as np
import pytest

from lib.models import build_fashion_cnn
from lib.experiments import RunSet
from lib.train.classifier import TrainConfig, train_classifier
from lib.errors import DataError, TrainingDiverged

pytestmark = pytest.mark.slow  # every test here trains a model


def _train(split, **kw):
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    config = TrainConfig(**{"epochs": 2, "batch_size": 32, **{k: v for k, v in kw.items() if k in fields}})
    args = {"label": "t", "seed": 3, "log": False, **{k: v for k, v in kw.items() if k not in fields}}
    return train_classifier(build_fashion_cnn, split, config, **args)


def test_two_seeded_runs_are_identical(split):
    a, b = _train(split), _train(split)
    assert a.history == b.history
    assert a.metrics == b.metrics
    assert a.test_predictions == b.test_predictions


def test_different_seeds_differ(split):
    assert _train(split, seed=1).history["loss"] != _train(split, seed=2).history["loss"]


def test_metrics_cover_all_splits_and_learning_happens(split):
    r = _train(split, epochs=3)
    assert set(r.metrics) == {f"{s}_{m}" for s in ("train", "val", "test") for m in ("loss", "accuracy")} | {"steps"}
    assert r.metrics["steps"] == 3 * -(-len(split.y_train) // 32)          # optimiser steps: epochs x batches
    assert r.history["loss"][-1] < r.history["loss"][0]
    assert len(r.test_predictions) == len(split.y_test)


def test_exploding_loss_stops_the_run_with_a_clear_message(split):
    r = _train(split, epochs=3, optimizer="sgd", learning_rate=1e12)
    assert r.status == "diverged" and r.epochs_run == 1
    assert "NaN/inf in epoch 1" in r.message and "learning rate" in r.message
    with pytest.raises(TrainingDiverged):
        RunSet({"t": [r]}).raise_if_all_failed()


def test_early_stopping_restores_the_best_epoch(split):
    r = _train(split, epochs=30, early_stopping_patience=1, learning_rate=0.01)
    assert r.epochs_run < 30
    assert r.best_epoch == int(np.argmin(r.history["val_loss"])) + 1
    # Evaluated on the restored weights: validation loss equals the best epoch's.
    assert r.metrics["val_loss"] == pytest.approx(min(r.history["val_loss"]), rel=1e-4)


def test_non_finite_inputs_are_refused_before_training(split):
    import dataclasses
    bad = dataclasses.replace(split, x_val=np.full_like(split.x_val, np.nan))
    with pytest.raises(DataError) as e:
        _train(bad)
    assert "validation images contain NaN" in str(e.value)
