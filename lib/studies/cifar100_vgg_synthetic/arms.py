"""Study 5's classifier runs (real only, real + synthetic on top, synthetic only), all through
:func:`lib.train.classifier.train_classifier`.

Every arm sees the real training images equally often: an "epoch" is
``ceil(n_real / batch)`` steps, and each step's batch holds the same ``batch``
real images in every arm (one seeded stream of the real images); an arm with
a synthetic share adds ``round(share × batch)`` synthetic images *on top* of
each batch, from its own stream. So adding synthetic images never takes real
updates away ("synthetic images hurt" cannot be "less real training"); it
adds images to each step. The synthetic-only arm (the Classification Accuracy
Score, CAS) trains on as many synthetic images as there are real ones, for the
same steps. Validation and test are always real; images stay uint8 and are
scaled once, in the input pipeline.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

import numpy as np

from ...data.splits import Split
from ...errors import ParamError
from ...experiments import RunResult
from ...train.classifier import train_classifier
from .mixing import cas_split, per_batch, pick_synthetic
from .recipe import Recipe


def train_arm(split: Split, build: Callable, recipe: Recipe, *, num_classes: int, seed: int, label: str,
              x_syn: np.ndarray | None = None, y_syn: np.ndarray | None = None, fraction: float = 0.0,
              synthetic_only: bool = False, log: bool = True, checkpoint_dir: str | Path | None = None) -> RunResult:
    """Train ``build()`` with ``recipe`` on ``split``'s real images with ``fraction`` synthetic ones added on top
    of every batch, or (with ``synthetic_only``) on synthetic images alone, as many as the real ones: the CAS.

    Returns a RunResult whose metrics are measured on real images only (``train_accuracy`` on the real training
    images; ``val_``/``test_``). The synthetic images drawn depend on ``seed`` and are nested over fractions.
    ``checkpoint_dir``: the run's epoch checkpoint (an interrupted run resumes).
    """
    if (fraction > 0 or synthetic_only) and (x_syn is None or y_syn is None):
        raise ParamError(f"{label}: synthetic images are needed for fraction {fraction} / synthetic_only")
    data, extra, n_syn = split, None, 0
    if synthetic_only:
        data = cas_split(split, x_syn, y_syn, num_classes, seed=seed)
        n_syn = len(data.y_train)
    elif fraction > 0:
        xs, ys = pick_synthetic(split, x_syn, y_syn, fraction, num_classes, seed=seed)
        extra, n_syn = (xs, ys, per_batch(fraction, recipe.batch_size)), len(ys)
    steps = math.ceil(len(split.y_train) / recipe.batch_size)   # one pass over the real images, in every arm
    result = train_classifier(build, data, recipe.train_config(seed, steps_per_epoch=steps), label=label,
                              seed=seed, log=log, real_train=(split.x_train, split.y_train), extra_train=extra,
                              checkpoint_dir=checkpoint_dir)
    result.artifacts.update(n_train_images=int(len(data.y_train)) + (n_syn if extra else 0), n_synthetic=n_syn,
                            synthetic_per_batch=extra[2] if extra else 0, steps_per_epoch=steps, fraction=fraction,
                            synthetic_only=synthetic_only)
    return result



def mixed(name: str, fraction: float) -> str:
    """An arm's name on the +``fraction`` mix."""
    return f"{name}, +{fraction:.0%} synthetic"
