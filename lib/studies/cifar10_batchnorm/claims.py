"""Seed 000's claims, quoted briefly, and the evidence the runs give them; judged once as the study's family.

Each is tested as it was stated, over training runs (each seed one run of each arm). The seed gave directions, no
sizes: the smallest effects of interest are the report's, per kind of metric (lib.experiments.claims.SESOI). Batch
norm changes the network, so the arms share no initialisation and are compared as independent samples (Welch); a
per-image test of the same models stands beside the accuracy verdict as supporting evidence only. The error rate
is 1 − accuracy: the same test, not another claim. "Convergence" is measured without a threshold: the mean
validation accuracy over the epochs (the area under the validation curve), so no cut-off of ours can decide it.
Gate: CIFAR-10 and the seed's epochs (recipe.SEED).
"""
from __future__ import annotations

from ...experiments.claims import Claim
from .recipe import DATASET, SEED
from .runs import BN, PLAIN

_SEED_000 = dict(kind="improves", variant=BN, baseline=PLAIN, seed_budget=SEED["epochs"], dataset=DATASET)
BATCHNORM = [
    Claim("s1.accuracy", "000", "batch normalisation improves accuracy (and so lowers the error rate)",
          "test accuracy", measure="test_accuracy", **_SEED_000),
    Claim("s1.convergence", "000", "batch normalisation improves convergence",
          "mean validation accuracy over the epochs (the area under the validation curve)",
          measure="mean_val_accuracy", **_SEED_000),
    Claim("s1.overfitting", "000", "batch normalisation reduces overfitting",
          "train − validation accuracy gap (inference mode)", higher_is_better=False, measure="train_val_gap",
          **_SEED_000),
]


def pairs(runs, P: dict, data) -> list:
    """(Claim, Evidence) for every claim from one reading's RunSet, at this profile's budget and data."""
    support = {"s1.accuracy": runs.per_image_note(PLAIN, BN, data.split.y_test)}
    return [(c, runs.evidence(c, budget=P["epochs"], dataset=data.dataset, scope=data.scope,
                              supporting=support.get(c.key, ""))) for c in BATCHNORM]


def claims(runs, P: dict):
    """The seed's claims under the reference reading, judged once as the study's family, with each other reading
    run beside them; the comparisons in words as notes and the page's finding."""
    from ...experiments import sentences
    from ...experiments.claims import judge_family

    main, data = runs.main, runs.data
    family = judge_family(pairs(main, P, data),
                          readings={name: pairs(rs, P, data) for name, rs in runs.readings.items()})
    family.notes = [sentences.comparison(PLAIN, BN, "Test accuracy", main.welch(PLAIN, BN, "test_accuracy")),
                    sentences.comparison(PLAIN, BN, "Train − validation gap", main.welch(PLAIN, BN, "train_val_gap"),
                                         higher_is_better=False)]
    return family.headline("Batch norm − plain, test accuracy", "s1.accuracy", data.scope)
