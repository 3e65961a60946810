"""How much training each study does in a profile, in one unit, for the report's time estimate.

The unit is the **image-epoch**, weighted by what it costs in the model that trains it (:data:`COST`): one
training image passed through a model once in an epoch (a GAN's
epoch counts its training images once, however many networks see them). A study's work is a list of
:class:`Part` (runs × epochs × images per epoch), in the order its notebook trains them, computed from its
resolved parameters alone: nothing is loaded or built, so ``make report`` can estimate before a study starts.

What it leaves out, so what an estimate built on it cannot see:

* how the cost of an image in each model changes from machine to machine: :data:`COST` was measured on one
  kind of CPU, two runs at a time, so a speed measured on one study is a rough guide to another elsewhere;
* everything that is not a training epoch (loading data, evaluation, Study 4's FID and KID, figures,
  starting the kernel) except as one declared factor per study (:data:`WALL_FACTOR`), measured on one run;
* what is decided while a study runs: early stopping (each run is counted at its maximum epochs), Study 3's
  seed setting carried on beside the better half of a rung, Study 5's ImageNet VGG-16 (only where its weights
  are found), a fallback dataset of another size (Study 5 is counted on the dataset it asks for);
* runs the run cache holds: the progress view skips those as their markers announce them (a part whose runs
  print no marker, Study 4's classifier, is skipped when the next marker arrives).

This is one table rather than a function beside each study because the study modules are part of the run
cache's key: editing one would retrain its runs; this module is declared neutral.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

from ..data import DATASETS
from ..data.prepare import GENERATED_SIZES

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

# Training images of each official release (the stand-in data holds what its parameters ask for).
TRAIN_IMAGES = {"fashion_mnist": 60_000, "cifar10": 50_000, "cifar100": 50_000}


# What an image-epoch of each model costs in wall time, relative to the median epoch of Study 1's CNNs (all four:
# both networks at both widths): the median seconds per epoch over images of each part's epoch lines (first
# epochs left out) in a quick run from an empty cache (15d2d38, 2026-12-06, 2-core Intel Xeon with AMX, two runs
# at a time; `python -m tools.work_costs`). Study 5's arms score 2,000 validation images after every epoch of
# about 1,250, which their cost carries. Without these a speed measured on Study 1 put Study 3's fully connected
# networks at about five times their time.
COST = {"cifar_cnn": 1.0, "fashion_cnn": 1.18, "fcn": 0.16, "alexnet": 1.12, "fashion_classifier": 0.6,
        "fashion_gan": 7.12, "cifar_acgan": 6.36, "vgg_arm": 4.73}

# Study 1's CNNs apart, on the same scale, at the two widths that run measured: (cost, convolution multiply-adds
# per image) at 32-64-64 with a 64-unit dense layer (the reference) and at 16-32-64 without (the narrow reading).
# The batch-norm CNN costs 1.5 times the plain one at the reference widths and twice at the narrow ones (batch
# norm's cost follows the activations, not the multiply-adds), so a single cost for both put the first estimate,
# read off the batch-norm runs the executor hands out first, 50 % high. Other widths: a power law in the
# multiply-adds through the two points.
CIFAR_CNN = {True: ((1.59, 884_736), (0.98, 311_296)), False: ((1.03, 884_736), (0.48, 311_296))}


# What a study takes beyond its training epochs, as a factor on them: the study's wall time in the run COST was
# read from over its image-epochs at that run's median speed (9.9 s an epoch of Study 1's CNN, two runs at once).
# It carries starting the kernel, loading data, each run's start and final evaluation, the idle tail of each
# executor call, Study 4's FID and KID, the figures; and that an epoch's mean time is above its median. Without
# it a cold quick run's first estimate (at its first pace line, same kind of CPU) read 43 min; 15d2d38 took 59.
# Once a study's epochs are timed by the wall clock they carry some of this already, so the estimate then errs
# long, by about a tenth (303aeb7: 47 min at the first pace line, then 54-59 min, against 53 min 25 s).
WALL_FACTOR = {"cifar10_batchnorm": 1.2, "fashion_regularisation": 1.16, "fashion_fcn_vs_alexnet": 1.46,
               "fashion_gans": 1.61, "cifar100_vgg_synthetic": 1.42}


def cifar_cnn_cost(multiply_adds: float, batch_norm: bool) -> float:
    """An image-epoch of Study 1's CNN (batch norm or not) whose convolutions do ``multiply_adds`` per image."""
    (c1, m1), (c2, m2) = CIFAR_CNN[batch_norm]
    return c1 * (multiply_adds / m1) ** (math.log(c1 / c2) / math.log(m1 / m2))


@dataclass(frozen=True)
class Part:
    """``runs`` training runs of ``epochs`` epochs, each epoch a pass over ``images`` images of a model whose
    image-epoch costs ``cost`` times one of Study 1's CNN (:data:`COST`); ``announced``: its runs print a ``::run``
    marker (lib.experiments.run_variants), as those of a single cached call do not."""
    runs: int
    epochs: int
    images: int
    announced: bool = True
    cost: float = 1.0


@dataclass(frozen=True)
class Work:
    """A study's training, part by part in the order it runs; each epoch line it prints is one epoch of a part.
    ``wall_factor``: the study's wall time over its training time (:data:`WALL_FACTOR`)."""
    parts: tuple[Part, ...]
    wall_factor: float = 1.0

    @property
    def units(self) -> float:
        """Cost-weighted image-epochs: image-epochs of Study 1's CNN that take as long."""
        return sum(p.runs * p.epochs * p.images * p.cost for p in self.parts)

    @property
    def epochs(self) -> int:
        return sum(p.runs * p.epochs for p in self.parts)

    def units_before(self, lines: int) -> float:
        """Image-epochs of the first ``lines`` epochs, in the declared order; epochs past the declared work
        (a part this table does not know) count at the mean of the declared ones."""
        total, left = 0.0, max(0, lines)
        for p in self.parts:
            take = min(left, p.runs * p.epochs)
            total, left = total + take * p.images * p.cost, left - take
        return total + left * (self.units / self.epochs if self.epochs else 0.0)

    def at_marker(self, lines: int) -> int:
        """The epochs passed once a run marker arrives after ``lines``: a marker means any unannounced part the
        count is still in is over, its epochs trained or, from the cache, never printed."""
        start = 0
        for p in self.parts:
            end = start + p.runs * p.epochs
            if lines < end:
                if p.announced:
                    return lines
                lines = end
            start = end
        return lines


def _pool(P: dict, dataset: str, n_train: int | None, written: int | None = None, classes: int | None = None) -> int:
    """Images a study draws its training part from: ``n_train`` of the dataset (of its first ``classes``);
    ``written``: the images its stand-in data is written with, where the study's loader passes a number."""
    if P["data_source"] == "generated":
        full = written or GENERATED_SIZES["n_train"]
    else:
        full = TRAIN_IMAGES[dataset]
    if classes:
        full = full * classes // DATASETS[dataset].num_classes
    return min(n_train or full, full)


def _train_part(pool: int, val_fraction: float) -> int:
    """Images left for training once the validation part (lib.data.splits.train_val_split) is held out."""
    return pool - int(round(pool * val_fraction))


def cifar10_batchnorm(P: dict) -> Work:
    """Both CNNs over the seeds under the reference and each other reading, in one executor call that hands out
    the longest runs first (lib.experiments.run_groups); then the sweep's (first seed), in a second call."""
    from .cifar10_batchnorm.recipe import READINGS
    from .cifar10_batchnorm.runs import epoch_cost

    n = _train_part(_pool(P, "cifar10", P["n_train"], P["n_train"]), P["val_fraction"])

    def call(settings: list[dict], runs: int) -> list[Part]:
        # (epochs x the order's cost, part) per network and setting, sorted as the executor sorts its runs
        parts = [(S["epochs"] * epoch_cost(S, bn), Part(runs, S["epochs"], n, cost=round(
                  cifar_cnn_cost(epoch_cost(S, False) * 1e6, bn), 3))) for S in settings for bn in (True, False)]
        merged: list[Part] = []
        for _, part in sorted(parts, key=lambda pair: -pair[0]):
            if merged and replace(merged[-1], runs=part.runs) == part:  # the same runs, one after another
                part = replace(part, runs=merged.pop().runs + part.runs)
            merged.append(part)
        return merged

    readings = [P, *({**P, **READINGS[key].settings} for key in P["readings"] or [])]
    sweep = [{**P, "learning_rate": rate} for rate in P["lr_sweep"] or []]
    return Work((*call(readings, len(P["seeds"])), *call(sweep, 1)))


def fashion_regularisation(P: dict) -> Work:
    """The baseline and the regularised CNN over the seeds, each for the whole budget."""
    n = _train_part(_pool(P, "fashion_mnist", P["n_train"], P["n_train"]), P["val_fraction"])
    return Work((Part(2 * len(P["seeds"]), P["epochs"], n, cost=COST["fashion_cnn"]),))


def fashion_fcn_vs_alexnet(P: dict) -> Work:
    """The search's rungs on its subset (first seed), then the final models on the whole training part under
    the reference and each other reading (AlexNets first, as the executor is handed them)."""
    n = _train_part(_pool(P, "fashion_mnist", P["n_train"], P["n_train"]), P["val_fraction"])
    grid_n = min(P["grid_n_train"] or n, n)
    alive = (len(P["grid_optimizers"]) * len(P["grid_initializers"]) * len(P["grid_regularizations"])
             * len(P["grid_normalizations"]))
    configs, parts = alive, []
    for epochs in P["halving_epochs"]:
        parts.append(Part(alive, epochs, grid_n, cost=COST["fcn"]))
        alive = min(alive, max(2, -(-alive // 2)))  # as survivors() keeps: the better half, at least two
    fcns = 1 + (configs > 1) + bool(P["dnn_units"])  # the chosen FCN, the other finalist, the DNN
    readings = len(P["seeds"]) * (1 + len(P["readings"] or []))
    # The AlexNets first: one executor call trains every final model, the longest runs first.
    return Work((*parts, Part(readings, P["alexnet_epochs"], n, cost=COST["alexnet"]),
                 Part(fcns * readings, P["fcn_epochs"], n, cost=COST["fcn"])))


def fashion_gans(P: dict) -> Work:
    """The feature classifier, then every family over the seeds and the batch-norm pair over ``bn_seeds`` (a
    vanilla run on a seed of both sets trains once)."""
    classifier = _train_part(_pool(P, "fashion_mnist", P["classifier_n_train"]), 0.1)
    gan_n = _pool(P, "fashion_mnist", P["n_train"])
    gans = len({(v, s) for v in P["variants"] for s in P["seeds"]}
               | {(v, s) for v in ("vanilla", "vanilla_nobn") for s in P["bn_seeds"]})
    return Work((Part(1, P["classifier_epochs"], classifier, announced=False, cost=COST["fashion_classifier"]),
                 Part(gans, P["epochs"], gan_n, cost=COST["fashion_gan"])))


def cifar100_vgg_synthetic(P: dict) -> Work:
    """A GAN per seed, then every arm over the seeds: real only, each synthetic share on top of the real batches,
    synthetic only (as many images as real ones) and the seed recipe on real only and on the compared share; then
    per other reading listed, its GANs and the arms that take their images.
    ``n_val`` (validation images drawn outside the training part) leaves the training part as it is."""
    n = _train_part(_pool(P, P["dataset"], P["n_train"], P["n_train"], P["n_classes"]), P["val_fraction"])
    shares = sorted(s for s in {P["compare_fraction"], *P["synthetic_fractions"]} if s > 0)
    arm, k = COST["vgg_arm"], len(P["seeds"])
    gans = Part(k, P["gan_epochs"], n, cost=COST["cifar_acgan"])
    # As the executor is handed them: the GANs with the arms that need no GAN image, then the synthetic arms.
    real = (Part(k, P["epochs"], n, cost=arm), Part(k, P["seed_epochs"], n, cost=arm))
    synthetic = (*(Part(k, P["epochs"], round(n * (1 + s)), cost=arm) for s in shares),
                 Part(k, P["epochs"], n, cost=arm),
                 Part(k, P["seed_epochs"], round(n * (1 + P["compare_fraction"])), cost=arm))
    # Each other reading trains its own GANs, then the arms that take their images (the real-only ones are shared).
    readings = (gans, *synthetic) * len(P.get("readings") or [])
    return Work((gans, *real, *synthetic, *readings))


WORK: dict[str, Callable[[dict], Work]] = {
    "cifar10_batchnorm": cifar10_batchnorm,
    "fashion_regularisation": fashion_regularisation,
    "fashion_fcn_vs_alexnet": fashion_fcn_vs_alexnet,
    "fashion_gans": fashion_gans,
    "cifar100_vgg_synthetic": cifar100_vgg_synthetic,
}


def work_units(key: str, P: dict) -> Work | None:
    """The study's work under its resolved parameters ``P``; None for a study this table does not know."""
    return replace(WORK[key](P), wall_factor=WALL_FACTOR[key]) if key in WORK else None
