"""Seed 004's claims, quoted briefly, and the evidence each takes from the runs.

Each is tested as it was stated, over training runs (each seed one run of each final model). Different networks
share no initialisation: Welch over seeds decides; a per-image test of the same models stands beside as supporting
evidence only. The seed's two numbers are single-run maxima ("reached up to" over epochs; "the highest" over epochs
and tuned configurations), so ours are taken the same way (the maximum of the per-epoch test accuracy, for the FCN
over the configurations trained at the full budget), the final epoch shown beside, and set against our one-run
prediction interval (same 10,000 test images as the seed's). "Most effective" compares the seed's preferred FCN
setting with the best other finalist of the successive-halving search, both trained at the seed's 50 epochs with
every seed, on test images no choice saw.
"""
from __future__ import annotations

from dataclasses import replace

from ...experiments.claims import Claim, Evidence, Family, judge_family
from .recipe import (SEED_ALEXNET_ACCURACY, SEED_ALEXNET_EPOCHS, SEED_BEST, SEED_FCN_ACCURACY, SEED_FCN_EPOCHS,
                     SEED_MAXIMUM, budget_share)
from .runs import ALEXNET, FCN, RIVAL, epochs_of
from .search import Halving, seed_setting

_S004 = dict(dataset="fashion_mnist")
FCN_VS_ALEXNET = [
    Claim("s3.fcn", "004", f"FCN: at best {SEED_FCN_ACCURACY * 100:.2f} % test accuracy in {SEED_FCN_EPOCHS} epochs",
          "test accuracy", seed_value=SEED_FCN_ACCURACY, seed_measured=SEED_MAXIMUM["fcn"],
          measure="max_test_accuracy", variant=FCN, seed_budget=SEED_FCN_EPOCHS, **_S004),
    Claim("s3.alexnet", "004", f"AlexNet-style CNN: {SEED_ALEXNET_ACCURACY * 100:.2f} % test accuracy in "
          f"{SEED_ALEXNET_EPOCHS} epochs", "test accuracy", seed_value=SEED_ALEXNET_ACCURACY,
          seed_measured=SEED_MAXIMUM["alexnet"], measure="max_test_accuracy", variant=ALEXNET,
          seed_budget=SEED_ALEXNET_EPOCHS, **_S004),
    Claim("s3.alexnet_better", "004", "AlexNet gives significantly better classification than the FCN",
          "test accuracy at the last epoch, AlexNet-style − FCN", kind="improves", measure="test_accuracy",
          variant=ALEXNET, baseline=FCN, seed_effect=SEED_ALEXNET_ACCURACY - SEED_FCN_ACCURACY,
          seed_budget=SEED_FCN_EPOCHS, budget_source=f"the seed's (the smaller share of its {SEED_FCN_EPOCHS} FCN "
                                                     f"and {SEED_ALEXNET_EPOCHS} AlexNet epochs)", **_S004),
    Claim("s3.best_config", "004", "Adam + Kaiming uniform + batch norm proved the most effective FCN setting",
          "test accuracy of the final FCNs at the last epoch, the seed's setting − the best other finalist",
          kind="improves", measure="test_accuracy", seed_budget=SEED_FCN_EPOCHS, **_S004),
]


def max_test_accuracy(runs) -> None:
    """Each final model's best per-epoch test accuracy, the seed's way; an FCN's is the best over the FCN
    configurations trained at the full budget with the same seed (the chosen one and the other finalist)."""
    best = {v: {r.seed: max(r.history["test_accuracy"]) for r in runs.ok(v)} for v in runs.variants}
    fcns = {}
    for v in (FCN, RIVAL):
        for seed, value in best.get(v, {}).items():
            fcns[seed] = max(fcns.get(seed, value), value)
    for r in runs.all():
        if r.ok:
            r.metrics["max_test_accuracy"] = fcns[r.seed] if r.variant in (FCN, RIVAL) else best[r.variant][r.seed]


def seed_setting_claim(h: Halving, runs, common: dict, scope: str):
    """(Claim, Evidence) for s3.best_config: the final FCN with the seed's setting against the other finalist,
    over seeds; not tested here when the search lacks the seed's setting or a finalist."""
    claim, seed = FCN_VS_ALEXNET[3], seed_setting(h.order)
    if seed is None or h.rival is None:
        why = ("this profile's grid does not include " + " / ".join(SEED_BEST.values()) if seed is None
               else "the search left no other finalist")
        return claim, Evidence(applicable=False, reason=why, scope=scope)
    mine, other = (FCN, RIVAL) if seed == h.chosen else (RIVAL, FCN)
    names = {FCN: h.chosen.name, RIVAL: h.rival.name}
    claim = replace(claim, variant=mine, baseline=other)
    return claim, runs.evidence(claim, scope=f"{names[mine]} − {names[other]}; {scope}", **common)


def pairs(runs, P: dict, h: Halving, y_test, dataset: str, scope: str) -> list:
    """(Claim, Evidence) for each claim from one reading's final models."""
    ep = epochs_of(P)
    max_test_accuracy(runs)
    share = budget_share(P)
    support = {"s3.alexnet_better": runs.per_image_note(FCN, ALEXNET, y_test)}
    out = [(c, runs.evidence(c, budget=ep[c.variant] if c.kind == "absolute" else share, dataset=dataset,
                             scope=f"{scope}, {ep[c.variant]} epochs", final="test_accuracy" if c.kind == "absolute"
                             else None, supporting=support.get(c.key, ""))) for c in FCN_VS_ALEXNET[:3]]
    out.append(seed_setting_claim(h, runs, dict(budget=P["fcn_epochs"], dataset=dataset),
                                  f"{scope}, {P['fcn_epochs']} epochs"))
    return out


def family(final, P: dict, h: Halving, y_test, dataset: str, scope: str, others: dict | None = None) -> Family:
    """The seed's claims under the reference reading, judged once as the study's family, each other reading run
    beside (``others``: name -> (parameters, RunSet)); the finding is the deciding claim's row."""
    others = others or {}
    judged = judge_family(pairs(final, P, h, y_test, dataset, scope),
                          readings={name: pairs(rs, Pr, h, y_test, dataset, scope) for name, (Pr, rs) in others.items()})
    return judged.headline("AlexNet-style CNN − FCN, test accuracy (the seed's 'significantly better')",
                           "s3.alexnet_better", scope)
