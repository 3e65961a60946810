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
import time
from typing import Callable

import numpy as np

from ...data.splits import Split
from ...errors import ParamError
from ...experiments import RunResult
from ...train.recipes import Recipe
from ...train.runtime import reseed
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
    result = fit_steps(build, data, recipe, steps_per_epoch=steps, seed=seed, label=label, log=log,
                       real_train=(split.x_train, split.y_train))
    result.artifacts.update(n_train_images=int(len(data.y_train)), n_synthetic=int(len(data.y_train)) if synthetic_only
                            else n_added, steps_per_epoch=steps, fraction=fraction, synthetic_only=synthetic_only)
    return result


def fit_steps(build: Callable, data: Split, recipe: Recipe, *, steps_per_epoch: int, seed: int, label: str,
              real_train: tuple[np.ndarray, np.ndarray] | None = None, log: bool = True) -> RunResult:
    """``recipe.epochs`` epochs of ``steps_per_epoch`` steps each over a repeating shuffled stream of
    ``data``'s training part; then loss and accuracy on ``real_train`` (default: the training part), validation
    and test, in inference mode. A NaN/inf loss ends the run as ``"diverged"``."""
    import keras

    from ...train.callbacks import EpochLogger, StopOnNonFinite
    from ...train.datasets import make_dataset, one_hot_labels

    for name, x in (("training", data.x_train), ("validation", data.x_val), ("test", data.x_test)):
        if not np.isfinite(x).all():
            raise ParamError(f"{label}: {name} images contain NaN or infinite values; check the data preparation")
    reseed(seed)
    kw = recipe.train_kwargs(seed)
    model = build()
    model.compile(optimizer=keras.optimizers.get({"class_name": kw["optimizer"], "config": {
        "learning_rate": kw["learning_rate"], **kw["optimizer_options"]}}),
        loss="categorical_crossentropy", metrics=["accuracy"])
    hot = one_hot_labels(model)
    train = make_dataset(data.x_train, hot(data.y_train), kw["batch_size"], shuffle_seed=seed, augment=kw["augment"],
                         repeat=True)
    stop = StopOnNonFinite()
    callbacks = [stop, *kw["extra_callbacks"], *([EpochLogger(label, recipe.epochs)] if log else [])]
    if kw["early_stopping_patience"]:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=kw["early_stopping_patience"],
                                                       restore_best_weights=True))
    start = time.perf_counter()
    history = model.fit(train, validation_data=make_dataset(data.x_val, hot(data.y_val), 1024),
                        epochs=recipe.epochs, steps_per_epoch=steps_per_epoch, callbacks=callbacks, verbose=0)
    seconds = time.perf_counter() - start
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    result = RunResult(label=label, seed=seed, history=hist, epochs_run=len(hist.get("loss", [])), seconds=seconds,
                       artifacts={"parameters": int(model.count_params())})
    if stop.bad_epoch is not None:
        result.status = "diverged"
        result.message = f"{label}: loss became NaN/inf in epoch {stop.bad_epoch}; lower the learning rate"
        return result
    val_loss = hist.get("val_loss", [])
    result.best_epoch = (int(np.argmin(val_loss)) + 1 if kw["early_stopping_patience"] and val_loss
                         else result.epochs_run)
    x_tr, y_tr = real_train if real_train is not None else (data.x_train, data.y_train)
    t = time.perf_counter()
    for split, x, y in (("train", x_tr, y_tr), ("val", data.x_val, data.y_val), ("test", data.x_test, data.y_test)):
        loss, acc = model.evaluate(make_dataset(x, hot(y), 1024), verbose=0)
        result.metrics[f"{split}_loss"], result.metrics[f"{split}_accuracy"] = float(loss), float(acc)
    result.metrics["eval_seconds"] = time.perf_counter() - t
    result.metrics["steps"] = float(result.epochs_run * steps_per_epoch)
    if log:
        print(f"[{label}] test accuracy {result.metrics['test_accuracy']:.4f} after {result.epochs_run} x "
              f"{steps_per_epoch} steps ({seconds:.0f} s)", flush=True)
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
