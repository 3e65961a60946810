"""Study 5's classifier runs (real + synthetic, synthetic only) at an equal number of optimiser steps.

Every arm of the study, with or without synthetic images, takes the same
number of optimiser steps: an "epoch" here is ``ceil(n_real / batch)`` steps,
the length of one pass over the *real* training images, drawn from a
shuffled, repeating stream of the arm's training set. A larger (mixed)
training set therefore gets no extra updates, which a fixed number of passes
over it would give (and which would favour the synthetic data for a reason
that has nothing to do with the images). Validation and test are always real.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ...data.splits import Split
from ...errors import ParamError
from ...experiments import RunResult
from ...train.recipes import Recipe
from ...train.classifier import train_classifier
from .mixing import cas_split, mix_synthetic
from ...data.fallback import PRETTY

# Below this Classification Accuracy Score (a multiple of chance, 1/K) the synthetic images are taken to carry
# no usable class signal, and the page draws no conclusion about adding them: a classifier trained on them
# must at least double the accuracy of guessing before their effect on a real-data classifier means anything.
CAS_GATE_X_CHANCE = 2.0


def train_arm(split: Split, build: Callable, recipe: Recipe, *, num_classes: int, seed: int, label: str,
              x_syn: np.ndarray | None = None, y_syn: np.ndarray | None = None, fraction: float = 0.0,
              synthetic_only: bool = False, log: bool = True) -> RunResult:
    """Train ``build()`` with ``recipe`` on ``split``'s real images plus ``fraction`` synthetic ones, or (with
    ``synthetic_only``) on synthetic images alone, sized like the real set: the Classification Accuracy Score.

    Returns a RunResult whose metrics are measured on real images only
    (``train_accuracy`` on the real training images; ``val_``/``test_``).
    The synthetic images drawn depend on ``seed`` and are nested over fractions.
    """
    if (fraction > 0 or synthetic_only) and (x_syn is None or y_syn is None):
        raise ParamError(f"{label}: synthetic images are needed for fraction {fraction} / synthetic_only")
    if synthetic_only:
        data, n_added = cas_split(split, x_syn, y_syn, num_classes, seed=seed), 0
    else:
        data, n_added = mix_synthetic(split, x_syn, y_syn, fraction, num_classes, seed=seed) if fraction else (split, 0)
    steps = math.ceil(len(split.y_train) / recipe.batch_size)   # one pass over the real images, in every arm
    result = train_classifier(build, data, label=label, seed=seed, log=log, steps_per_epoch=steps,
                              real_train=(split.x_train, split.y_train), **recipe.train_kwargs(seed))
    result.artifacts.update(n_train_images=int(len(data.y_train)), n_synthetic=int(len(data.y_train)) if synthetic_only
                            else n_added, steps_per_epoch=steps, fraction=fraction, synthetic_only=synthetic_only)
    return result


def cas_gate(cas_values: list[float], num_classes: int, x_chance: float = CAS_GATE_X_CHANCE) -> tuple[bool, float]:
    """(whether the mean CAS reaches ``x_chance`` times chance, that threshold): the gate on augmentation claims."""
    threshold = x_chance / num_classes
    return bool(cas_values) and float(np.mean(cas_values)) >= threshold, threshold


def display_title(used: str, requested: str) -> str:
    """The page title, naming the dataset that actually ran (the registry's title names CIFAR-100)."""
    name = PRETTY.get(used, used)
    note = f" (fallback: {PRETTY.get(requested, requested)} unavailable)" if used != requested else ""
    return f"Study 5: {name} VGG-16 with GAN-synthetic training data{note}"
