"""One classifier run on real + synthetic data (or synthetic only), cached; paired views of the results."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..recipes import Recipe
from ..runs import RunCache
from ..training import RunResult, Split, train_classifier
from .mixing import cas_split, mix_synthetic


def run_mixed(cache: RunCache, base_spec: dict, build: Callable, split: Split, x_syn: np.ndarray,
              y_syn: np.ndarray, *, model: str, recipe: Recipe, fraction: float, num_classes: int,
              seed: int) -> RunResult:
    """Train ``build()`` with ``recipe`` on ``split`` plus ``fraction`` synthetic images (0: real only).

    The synthetic images drawn depend on ``seed`` and are nested over
    fractions (see :func:`lib.synthetic.mixing.pick_per_class`).
    """
    mixed, n_added = mix_synthetic(split, x_syn, y_syn, fraction, num_classes, seed=seed)
    spec = {**base_spec, "kind": "mixed", "model": model, "recipe": recipe.spec(), "fraction": fraction,
            "n_added": n_added, "seed": seed}
    label = f"{model}, +{fraction:.0%} synthetic, seed {seed}"
    return RunResult.from_dict(cache.get_or_run(spec, train_classifier, build, mixed, label=label, seed=seed,
                                                **recipe.train_kwargs(seed)))


def run_cas(cache: RunCache, base_spec: dict, build: Callable, split: Split, x_syn: np.ndarray, y_syn: np.ndarray,
            *, model: str, recipe: Recipe, num_classes: int, seed: int) -> RunResult:
    """Classification Accuracy Score: train on synthetic images only, test on ``split``'s real test set."""
    synthetic = cas_split(split, x_syn, y_syn, num_classes, seed=seed)
    spec = {**base_spec, "kind": "cas", "model": model, "recipe": recipe.spec(), "seed": seed}
    return RunResult.from_dict(cache.get_or_run(spec, train_classifier, build, synthetic,
                                                label=f"{model}, synthetic only (CAS), seed {seed}", seed=seed,
                                                **recipe.train_kwargs(seed)))


def ok_runs(runs: list[RunResult]) -> list[RunResult]:
    return [r for r in runs if r.status == "ok"]


def paired_metric(runs_a: list[RunResult], runs_b: list[RunResult], key: str = "test_accuracy"):
    """(seeds, values of A, values of B) over the seeds where both finished: the input of a paired test."""
    a = {r.seed: r.metrics[key] for r in ok_runs(runs_a)}
    b = {r.seed: r.metrics[key] for r in ok_runs(runs_b)}
    seeds = sorted(set(a) & set(b))
    return seeds, [a[s] for s in seeds], [b[s] for s in seeds]
