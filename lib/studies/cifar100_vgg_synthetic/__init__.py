"""Study 5, VGG-16 trained on real plus GAN-synthetic images (CIFAR-100; CIFAR-10 as the stated fallback).

The notebook imports this file only: ``data``, ``runs``, ``report`` (one section at a time), ``claims``, ``golden``.

Modules, by role:

* ``recipe``    the seed's classifier recipe, our improved one and the GAN's, declared once, with the readings
                of what the seed left open about the GAN's images; the recipe table
* ``data``      the dataset (or its stated fallback), the classes kept, the split and its validation images
* ``runs``      one conditional GAN per seed, then every classifier arm, through the run cache and the executor
* ``gan_run``   train the AC-GAN of :mod:`lib.gan.acgan` (DiffAugment) and write the artifact (a run's unit)
* ``arms``      one classifier arm (real only, synthetic on top, synthetic only) at an equal number of steps
* ``mixing``    the synthetic images an arm adds on top of its real batches; the CAS split
* ``artifact``  class-balanced images from a trained conditional GAN, saved as an ``.npz`` with per-class grids
* ``claims``    the claim records, declared before the run; the comparisons and the CAS gate, seed by seed
* ``prose``     the sentences; ``figures`` the figures and tables; ``sections`` the report's sections
"""
from __future__ import annotations

# The submodules ``data``, ``runs`` and ``claims`` share their names with the functions below: they are loaded
# here, first, so that the functions defined after them keep those names on this package (a submodule first
# imported later would replace the function of its name). Import names from them: ``from .claims import X``.
from . import claims as _claims, data as _data, runs as _runs
from .recipe import READINGS, REFERENCE  # the declared readings, read by the parameter tests

KEY = "cifar100_vgg_synthetic"
SECTIONS = ("gans", "arms", "results", "conclusions")


def data(P: dict, page):
    """Load, split and describe the data on ``page`` (title, data line, scope, validation images)."""
    return _data.load(P, page)


def runs(P: dict, data, cache):
    """One GAN per seed, then every arm × seed on that seed's GAN images, then each other declared reading the
    profile lists, through the cache and the executor."""
    return _runs.train(P, data, cache)


def report(page, runs, P: dict, section: str) -> None:
    """One section's tables, figures and sentences on ``page``."""
    from .sections import SECTIONS as by_name

    by_name[section](page, runs, P)


def claims(runs, P: dict):
    """The seed's claims and ours, judged once as the study's family, with the page's finding."""
    return _claims.family(runs, P)


def golden(runs, P: dict) -> dict:
    """The numbers nbval's golden check compares (with a tolerance) in the smoke run, rounded to 2 digits."""
    import numpy as np

    c = runs.comparisons
    metrics = {"classes": runs.data.K, "synthetic_images": int(sum(len(y) for _, y in runs.synthetic.values())),
               "runs": len(runs.classifiers.all()),
               "vgg_bn_real_test_accuracy": float(np.mean(c.real)) if c.real else -1.0,
               "cas_test_accuracy": float(np.mean(c.cas)) if c.cas else -1.0}
    return {k: round(float(v), 2) for k, v in sorted(metrics.items())}
