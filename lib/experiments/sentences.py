"""Sentences that state findings, built from the numbers so that no page states one by hand."""
from __future__ import annotations

import math

from .stats import PAIRED, PairedComparison, mean_sd
from .claims import MIN_SEEDS

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


def _pts(unit: str) -> str:
    return " points" if unit.strip() == "%" else unit


def difference(c: PairedComparison, scale: float = 100.0, unit: str = " %") -> str:
    """'+1.23 points (95 % CI +0.50 to +1.96, paired t-test over 3 seeds, p = 0.012)'.

    Intervals and p-values are shown only from three seeds up: from two, a
    t-interval is too wide to mean anything, so only the mean difference shows.
    """
    pts = _pts(unit)
    if c.n == 0:
        return "no seed finished both runs"
    if c.n >= 2 and c.se == 0.0:
        return f"{c.mean_diff * scale:+.2f}{pts} (every seed gave the same values: no spread, no test)"
    if c.n < MIN_SEEDS or math.isnan(c.ci_low):
        over = "paired seed" if c.test == PAIRED else "seed"
        return f"{c.mean_diff * scale:+.2f}{pts} (mean over {c.n} {over}{'s' if c.n != 1 else ''}; " \
               f"too few for an interval)"
    return (f"{c.mean_diff * scale:+.2f}{pts} (95 % CI {c.ci_low * scale:+.2f} to {c.ci_high * scale:+.2f}, "
            f"{'paired t-test' if c.test == PAIRED else c.test + ' test'} over {c.n} seeds, p = {c.p:.2g})")


def comparison(a: str, b: str, metric: str, c: PairedComparison, *, scale: float = 100.0, unit: str = " %",
               higher_is_better: bool = True) -> str:
    """One sentence on ``b`` against ``a``: which way the difference goes and whether it beats noise."""
    if c.n == 0:
        return f"{b} against {a}, {metric}: no seed finished both runs."
    d = c.mean_diff if higher_is_better else -c.mean_diff
    direction = "higher" if c.mean_diff > 0 else "lower" if c.mean_diff < 0 else "equal"
    if c.n >= MIN_SEEDS and c.se == 0.0:
        judgement = "no test possible without spread"
    elif c.n < MIN_SEEDS or math.isnan(c.p):
        judgement = f"indicative only ({c.n} seed{'s' if c.n != 1 else ''})"
    elif c.significant():
        judgement = f"larger than seed-to-seed noise, in {b}'s {'favour' if d > 0 else 'disfavour'}"
    else:
        judgement = "not distinguishable from seed-to-seed noise at the 5 % level"
    return f"{metric}, {b} − {a}: {difference(c, scale, unit)}, {b} {direction}; {judgement}."


def ratio(a: str, b: str, what: str, a_values, b_values, *, unit: str = "s") -> str:
    """'b took 1.48× a's time per epoch (medians …)': a measured ratio, never an adjective."""
    ma, _ = mean_sd(a_values)
    mb, _ = mean_sd(b_values)
    if not (ma > 0 and mb > 0):
        return f"{what}: not measured."
    r = mb / ma
    return (f"{what}: {b} {mb:.1f} {unit}, {a} {ma:.1f} {unit} (means over runs); {b} took {r:.2f}× "
            f"the time of {a} on this machine.")


def listing(names) -> str:
    """'a, b and c': for text that says what ran in this profile."""
    names = [str(n) for n in names]
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
