"""Study 1's runs: both CNNs over the seeds under the reference reading and each other reading the profile lists,
and the learning-rate sweep (first seed), all through the run cache and the executor; the derived measures."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .recipe import READINGS

BN, PLAIN = "batch-norm CNN", "plain CNN"


@dataclass
class StudyData:
    """The data every run trains and is scored on, and what the page says it was."""
    ds: object
    split: object
    generated: bool
    scope: str
    dataset: str            # what the runs trained on, as the claims' dataset gate reads it


@dataclass
class StudyRuns:
    """Every run of the study: ``main`` (the reference reading), ``readings`` (reading name -> RunSet), ``sweep``
    (variant -> learning rate -> final validation accuracy, %) and the sweep's own RunSets."""
    data: StudyData
    main: object
    readings: dict = field(default_factory=dict)
    sweep: dict = field(default_factory=dict)
    sweep_runs: list = field(default_factory=list)

    def records(self) -> list:
        """Each run record once, for the page's header and the summary."""
        sets = [self.main, *self.readings.values(), *self.sweep_runs]
        return [r for rs in sets for r in rs.all()]


def epochs_to_threshold(history: dict, threshold: float, key: str = "val_accuracy") -> int | None:
    """First epoch (1-based) whose ``key`` reaches ``threshold``; None if it never does."""
    for epoch, value in enumerate(history.get(key, []), start=1):
        if value >= threshold:
            return epoch
    return None


def censored_epochs(values: list[int | None], epochs: int) -> list[int]:
    """Runs that never reached the threshold count as ``epochs + 1`` (a lower bound)."""
    return [epochs + 1 if v is None else int(v) for v in values]


def builders(P: dict) -> dict:
    """The plain and the batch-norm CNN, otherwise the same."""
    from functools import partial

    from ...models import build_cifar_cnn

    return {name: partial(build_cifar_cnn, batch_norm=bn, filters=P["conv_filters"], dense_units=P["dense_units"],
                          bn_momentum=P["bn_momentum"]) for name, bn in ((PLAIN, False), (BN, True))}


def epoch_cost(P: dict, batch_norm: bool) -> float:
    """An epoch's relative time, for the order runs are handed out (never part of a key): the convolutions'
    multiply-adds per image, half again for batch norm (epochs of 13.5 s against 8.9 s at 32-64-64, 6.3 against
    4.8 at 16-32-64, two at a time on a 2-core Xeon with AMX, quick run of 9e34f4e)."""
    side, channels, madds = 32, 3, 0
    for filters in P["conv_filters"]:  # each convolution is followed by a 2x2 pooling
        madds, side, channels = madds + side * side * channels * filters, max(1, side // 2), filters
    return madds / 1e6 * (1.5 if batch_norm else 1.0)


def variants(build: dict, split, P: dict, learning_rate: float | None = None) -> dict:
    """Both CNNs with the same data and settings (Adam, one-hot labels); ``learning_rate`` overrides the profile's."""
    from ...experiments import Variant
    from ...train.classifier import TrainConfig, train_classifier

    config = TrainConfig(epochs=P["epochs"], batch_size=P["batch_size"],
                         learning_rate=P["learning_rate"] if learning_rate is None else learning_rate,
                         lr_schedule=P["lr_schedule"], optimizer="adam", one_hot=True)
    return {name: Variant(train_classifier, dict(build_model=b, data=split, config=config), P["epochs"],
                          cost=epoch_cost(P, name == BN)) for name, b in build.items()}


def derive_measures(runs, threshold: float, epochs: int) -> None:
    """Adds epochs to the threshold (a run that never reached it counts as ``epochs + 1``: a lower bound on its
    true value), the test error, the mean validation accuracy over the epochs and the train − validation gap to
    every run."""
    from ...experiments import train_val_gap

    runs.derive("epochs_to_threshold",
                lambda r: censored_epochs([epochs_to_threshold(r.history, threshold)], epochs)[0])
    runs.derive("test_error", lambda r: 1 - r.metrics["test_accuracy"])
    runs.derive("mean_val_accuracy", lambda r: float(np.mean(r.history["val_accuracy"])))
    runs.derive("train_val_gap", train_val_gap)


def group(split, P: dict, seeds: list, learning_rate: float | None = None):
    """Both CNNs under the settings ``P`` over ``seeds``: one group of runs for the executor."""
    from ...experiments import RunGroup

    return RunGroup(variants(builders(P), split, P, learning_rate), seeds, workdir="checkpoint_dir")


def run_sweep(cache, split, P: dict) -> tuple[dict, list]:
    """Where the profile lists rates: both CNNs at each rate, first seed. Returns variant -> rate -> final
    validation accuracy (%, NaN for a failed run) and the sweep's RunSets."""
    from ...experiments import run_groups

    rates = P["lr_sweep"] or []
    sets = run_groups(cache, [group(split, P, P["seeds"][:1], learning_rate=lr) for lr in rates]) if rates else []
    sweep = {PLAIN: {}, BN: {}}
    for lr, lr_runs in zip(rates, sets):
        for name in sweep:
            sweep[name][lr] = (lr_runs.values(name, "val_accuracy") or [float("nan")])[0] * 100
    return sweep, sets


def runs(P: dict, data: StudyData, cache) -> StudyRuns:
    """Every training run: the reference reading (this profile's settings) and each other declared reading the
    profile lists (the same seeds), handed to the executor in one call, then the learning-rate sweep; the
    derived measures added to each finished run."""
    from ...experiments import run_groups

    others = {READINGS[key].name: {**P, **READINGS[key].settings} for key in P.get("readings") or []}
    settings = [P, *others.values()]
    sets = run_groups(cache, [group(data.split, Pr, P["seeds"]) for Pr in settings])
    for rs, Pr in zip(sets, settings):
        derive_measures(rs, Pr["accuracy_threshold"], Pr["epochs"])
    sweep, sweep_runs = run_sweep(cache, data.split, P)
    return StudyRuns(data, sets[0], dict(zip(others, sets[1:])), sweep, sweep_runs)
