"""Study 4's claims, declared before the run: seed 003's (its GAN configuration) and seed 000's (batch
norm in a vanilla GAN's generator), as (Claim, Evidence) pairs built from the runs.

Seed 003 judged its images by eye, so each of its claims is tested as a yes/no property per seed with a
threshold of ours, stated in the metric text (never as "the seed's number"). Seed 000's claims compare
the vanilla GAN with and without batch norm in G: the arms do not share their weights (batch norm changes
the generator), so they are compared as independent samples (Welch). Mode collapse is judged by the page's
own collapse measure, classes covered, declared here before the run.
"""
from __future__ import annotations

from ...experiments.claims import Claim, Evidence
from ...experiments.stats import WELCH
from .tables import gap_closed

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

SEED_STEPS = 30 * 60_000 // 64   # seed 003's budget: 30 epochs of all 60,000 images at batch 64
REALISTIC_SHARE = 90.0           # % of the FID gap (untrained -> real) a run must close to count as realistic
D_MISSES, DARKEST = 0.95, 0.5    # stability: D's last-epoch accuracy on fakes at most this; pixels ≥ half the real

REALISTIC = Claim("s003_realistic", "003", "realistic images",
                  f"FID gap closed ≥ {REALISTIC_SHARE:.0f} % (our threshold; the seed judged by eye)",
                  kind="qualitative", seed_budget=SEED_STEPS)
NO_COLLAPSE = Claim("s003_collapse", "003", "mode collapse prevention", "not flagged collapsed by the page's rule",
                    kind="qualitative", seed_budget=SEED_STEPS)
STABLE = Claim("s003_stability", "003", "training stability through careful learning rate tuning",
               f"D misses ≥ {1 - D_MISSES:.0%} of fakes in the last epoch and mean pixel ≥ half the real",
               kind="qualitative", seed_budget=SEED_STEPS)
BN_QUALITY = Claim("s000_bn_quality", "000", "batch normalization in the generator ... enhance image quality",
                   "FID, with BN − without", kind="improves", higher_is_better=False, scale=1.0, unit=" FID",
                   measure="fid", variant="vanilla", baseline="vanilla_nobn", margin=5.0, test=WELCH)
BN_COLLAPSE = Claim("s000_bn_collapse", "000", "addressed mode collapse issues (batch norm in G)",
                    "classes covered, with BN − without", kind="improves", scale=1.0, unit=" classes",
                    measure="classes_covered", variant="vanilla", baseline="vanilla_nobn", margin=1.0, test=WELCH)


def seed003_claims(runs: list, baseline: dict, scope: str) -> list[tuple[Claim, Evidence]]:
    """Seed 003's three claims from the seed-003 configuration's finished runs (none: n/a)."""
    if not runs:
        why = "the seed-003 configuration did not run or finish in this profile"
        return [(c, Evidence(applicable=False, reason=why, scope=scope)) for c in (REALISTIC, NO_COLLAPSE, STABLE)]
    steps = runs[0].artifacts["steps"]
    realistic = [float(gap_closed(r, baseline) >= REALISTIC_SHARE) for r in runs]
    collapse = [1.0 - float(r.metrics["collapsed"]) for r in runs]
    stable = [float(r.history["d_acc_fake"][-1] <= D_MISSES and r.metrics["mean_pixel"] >= baseline["mean_pixel"] * DARKEST)
              for r in runs]
    return [(REALISTIC, Evidence(values=realistic, budget=steps, scope=scope)),
            (NO_COLLAPSE, Evidence(values=collapse, budget=steps, scope=scope)),
            (STABLE, Evidence(values=stable, budget=steps, scope=scope))]


def batchnorm_claims(bn_runs, scope: str) -> list[tuple[Claim, Evidence]]:
    """Seed 000's two claims from the vanilla GAN with / without batch norm (a RunSet; None: n/a)."""
    pairs = []
    for claim in (BN_QUALITY, BN_COLLAPSE):
        if bn_runs is None or not (bn_runs.ok(claim.variant) and bn_runs.ok(claim.baseline)):
            pairs.append((claim, Evidence(applicable=False, reason="the batch-norm comparison did not run or finish",
                                          scope=scope)))
        else:
            pairs.append((claim, bn_runs.evidence(claim, scope=scope)))
    return pairs
