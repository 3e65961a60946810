"""Tables for the GAN studies: the families compared and every metric per variant, mean ± sd over seeds."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...experiments.stats import fmt_mean_sd
from ...gan.families import family

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

# (key, column title, digits); arrows say which direction is better. KID is shown × 10³ (SCALE): its unbiased
# estimate is near zero for good generators and can be negative.
SCALE = {"kid": 1000.0}
METRICS = (("fid", "FID ↓", 2), ("fid_gap_closed", "FID gap closed ↑", 0),
           ("kid", "KID × 10³ ↓ (unbiased: can be negative)", 2),
           ("is", "classifier score ↑", 2), ("classes_covered", "classes covered ↑", 1),
           ("kl_real", "class KL to real ↓", 3), ("precision", "precision ↑", 3), ("recall", "recall ↑", 3),
           ("density", "density", 3), ("coverage", "coverage ↑", 3), ("memorised", "memorised share ↓", 3),
           ("mean_pixel", "mean pixel", 3))
METRICS_KEYS = tuple(k for k, _, _ in METRICS if k != "fid_gap_closed") + ("collapsed", "memorising")


def family_table(names, image_shape=(28, 28, 1), num_classes: int = 10) -> pd.DataFrame:
    """One row per family: what it is, its noise size, parameter counts and optimiser settings."""
    from ...gan.models import build_networks

    rows = []
    for name in names:
        f = family(name)
        g, d = build_networks(name, image_shape, num_classes)
        rows.append({"family": name, "title": f.title, "noise dim": f.noise_dim,
                     "G parameters": f"{g.count_params():,}", "D parameters": f"{d.count_params():,}",
                     "Adam lr (G / D)": f"{f.g_lr:g} / {f.d_lr:g}", "betas": f"({f.beta_1:g}, {f.beta_2:g})",
                     "design": f.description})
    return pd.DataFrame(rows).set_index("family")


def fid_gap_closed(fid: float, untrained_fid: float, real_fid: float) -> float:
    """Share (%) of the FID distance from the untrained generator to the real baseline that training closed."""
    span = untrained_fid - real_fid
    return float("nan") if span <= 0 else 100.0 * (untrained_fid - fid) / span


def with_gap(metrics: dict, untrained: dict, baseline: dict) -> dict:
    return {**metrics, "fid_gap_closed": fid_gap_closed(metrics["fid"], untrained["fid"], baseline["fid"])}


def _cell(values, digits: int) -> str:
    values = [v for v in values if v is not None and np.isfinite(v)]
    return fmt_mean_sd(values, scale=1.0, digits=digits, unit="") if values else "—"


def _collapse_cell(flags: list[bool]) -> str:
    if len(flags) == 1:
        return "yes" if flags[0] else "no"
    return f"yes in {sum(flags)} of {len(flags)} seeds" if any(flags) else f"no (all {len(flags)} seeds)"


def metrics_row(runs: list[dict]) -> dict:
    """Formatted cells (mean ± sd over the runs) for one table row; ``runs`` are metric dicts."""
    row = {title: _cell([r.get(key, np.nan) * SCALE.get(key, 1.0) for r in runs], digits)
           for key, title, digits in METRICS}
    row["mode collapse flagged"] = _collapse_cell([bool(r["collapsed"]) for r in runs])
    row["memorising flagged"] = _collapse_cell([bool(r.get("memorising", 0)) for r in runs])
    row["seeds"] = len(runs)
    return row


def comparison_table(baseline: dict, results: dict) -> pd.DataFrame:
    """Rows: the real-vs-real baseline, then per variant the trained and the untrained generator.

    ``results`` maps a variant to its finished ``RunResult``s (from ``run_gan_experiment``).
    """
    rows = {"real vs real, disjoint test images (baseline)": metrics_row([{**baseline, "fid_gap_closed": 100.0}])}
    for name, runs in results.items():
        rows[name] = metrics_row([with_gap(r.metrics, r.artifacts["untrained"], baseline) for r in runs])
    for name, runs in results.items():
        rows[f"{name}, untrained generator"] = metrics_row([{**r.artifacts["untrained"], "fid_gap_closed": 0.0}
                                                            for r in runs])
    return pd.DataFrame(rows).T


def gap_closed(run, baseline: dict) -> float:
    """FID gap closed (%) of one run's report sample."""
    return fid_gap_closed(run.metrics["fid"], run.artifacts["untrained"]["fid"], baseline["fid"])


def balanced_table(results: dict) -> pd.DataFrame:
    """Per family: FID on the report sample and on the class-balanced sample (mean ± sd over seeds), and how much
    of the balanced sample's per-class quotas the pool filled (below 100 %: some class was too rare)."""
    rows = {}
    for name, runs in results.items():
        bal = [r.artifacts["balanced"] for r in runs]
        rows[name] = {"FID, report sample ↓": _cell([r.metrics["fid"] for r in runs], 2),
                      "FID, class-balanced sample ↓": _cell([b["fid"] for b in bal], 2),
                      "class quotas filled": _cell([100.0 * b["balanced_share"] for b in bal], 0) + " %",
                      "seeds": len(runs)}
    return pd.DataFrame(rows).T

