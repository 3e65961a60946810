"""Study 4, GANs on Fashion-MNIST: the vanilla GAN with and without batch norm in G, seed 003's configuration, a
DCGAN, a WGAN-GP and a conditional GAN, measured offline in a trained classifier's feature space.

The study's face (the notebook imports nothing else of it): ``data``, ``runs``, ``report`` (one call per
``SECTIONS`` entry), ``claims`` and ``golden``. Inside, by role:

* ``recipe``    the seeds' budgets, the named references, the declared readings, the feature classifier's
                settings, declared once
* ``data``      the GANs' training set, the test reference and the real baseline sample, the classifier's split
* ``runs``      the feature classifier, the baseline, every GAN run (cache and executor), the constructed cases
* ``gan_run``   one family on one seed: the unit the cache stores (``run_gan_experiment``)
* ``claims``    the claim records and their evidence, judged once as the study's family
* ``findings``  the comparisons and the sentences that state them; ``sections`` lays them out on the page
* ``tables``, ``figures``  the tables and figures only this study draws

The reusable GAN code (families, networks, training loop, offline metrics) lives in ``lib.gan``.
"""
from __future__ import annotations

# The submodules named like the functions below (``data``, ``runs``, ``claims``) are imported here, before the
# functions are defined, so that no later import of them rebinds the package's names to the modules.
from . import claims as _claims
from . import data as _data
from . import runs as _runs
from . import sections as _sections

KEY = "fashion_gans"
SECTIONS = _sections.SECTIONS


def data(P: dict, page) -> _data.StudyData:
    """Load and split the data, and describe it on the page (data line, families, recipe and families tables)."""
    return _data.load(P, page)


def runs(P: dict, data: _data.StudyData, cache) -> _runs.StudyRuns:
    """Every training run: the feature classifier, the GAN families over ``seeds``, the batch-norm pair over
    ``bn_seeds``, and that pair under each other declared reading the profile lists; no page."""
    return _runs.train(P, data, cache)


def report(page, runs: _runs.StudyRuns, P: dict, section: str) -> None:
    """One section's tables, figures and sentences (``SECTIONS``)."""
    _sections.report(page, runs, P, section)


def claims(runs: _runs.StudyRuns, P: dict):
    """The seeds' claims judged once as the study's Holm family, with its finding."""
    return _claims.family(runs, P)


def golden(runs: _runs.StudyRuns, P: dict) -> dict:
    """The smoke profile's golden metrics (nbval)."""
    return _runs.golden(runs)
