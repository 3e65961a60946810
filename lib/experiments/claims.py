"""Seed claims as data, and the one rule that turns our measurements into a verdict.

A :class:`Claim` records what a seed project said (briefly quoted), which
metric tests it, in which direction, and at what budget. :func:`judge` is the
only place a verdict is decided; every page and the index use its words,
defined in :data:`VERDICTS`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as sps

from .stats import PairedComparison

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

MIN_SEEDS = 3

VERDICTS = {
    "reproduced": "our mean lies within the stated tolerance of the seed's number, or, for a claimed "
                  "improvement, our paired 95 % interval lies entirely on the claimed side of zero, or a "
                  "yes/no property holds for every seed",
    "beaten": "our 95 % interval lies entirely beyond the seed's number (plus tolerance) on the better side",
    "not reproduced": "our 95 % interval lies entirely on the worse side of the seed's number (minus "
                      "tolerance), or a claimed improvement is significantly reversed or smaller than the "
                      "seed's own reported size, at the seed's budget or more",
    "inconclusive": "the interval is too wide to decide either way: seed-to-seed noise covers both answers",
    "not tested at the seed's budget": "we trained with less (epochs, steps or data) than the seed and fell "
                                       "short; the percentage is our share of the seed's budget",
    "indicative": "fewer than three seeds: the direction is shown, no verdict is drawn",
    "n/a": "the claim cannot be tested in this run (another dataset, a skipped part, no finished run); "
           "the reason is given",
}


@dataclass(frozen=True)
class Claim:
    """One thing a seed project said, and how we test it.

    ``kind``: "absolute" (our mean against ``seed_value``), "improves" (a
    paired difference b − a over seeds, claimed to favour b; ``seed_effect`` is
    the size the seed reported, if any) or "qualitative" (a yes/no property
    per seed, e.g. "not mode-collapsed"). ``seed_budget`` is what the seed
    trained with (epochs or steps), in the unit the evidence's ``budget`` uses.
    ``addition`` marks our own comparisons, which no seed claimed.
    """
    key: str
    seed: str
    words: str
    metric: str
    kind: str = "absolute"
    seed_value: float | None = None
    tolerance: float = 0.0
    higher_is_better: bool = True
    seed_effect: float | None = None
    seed_budget: float | None = None
    scale: float = 100.0
    unit: str = " %"
    addition: bool = False
    digits: int = 2          # decimals shown (4 for a loss)
    measure: str = ""        # the RunResult metric (or RunSet measure) that tests it
    variant: str = ""        # the arm the claim is about
    baseline: str = ""       # for "improves": the arm it improves on

    def __post_init__(self):
        if self.kind not in ("absolute", "improves", "qualitative"):
            raise ValueError(f"claim {self.key}: kind {self.kind!r} is not absolute, improves or qualitative")
        if self.kind == "absolute" and self.seed_value is None:
            raise ValueError(f"claim {self.key}: an absolute claim needs the seed's value")

    def seed_text(self) -> str:
        d = self.digits
        if self.kind == "absolute":
            return f"{self.seed_value * self.scale:.{d}f}{self.unit}"
        if self.kind == "improves" and self.seed_effect is not None:
            return f"{self.seed_effect * self.scale:+.{d}f}{_points(self.unit)}"
        return "—"


@dataclass
class Evidence:
    """What our runs measured for a claim.

    ``values``: per-seed measurements (absolute), or 1/0 per seed (qualitative).
    ``comparison``: the paired difference (improves). ``budget``: what we trained
    with, in the claim's ``seed_budget`` unit. ``applicable`` False (with a
    ``reason``) when this run cannot test the claim at all. ``scope`` says what
    the numbers were measured on (subset, epochs, seeds), shown beside them.
    """
    values: list[float] = field(default_factory=list)
    comparison: PairedComparison | None = None
    budget: float | None = None
    applicable: bool = True
    reason: str = ""
    scope: str = ""

    @property
    def n(self) -> int:
        return self.comparison.n if self.comparison is not None else len(self.values)


@dataclass(frozen=True)
class Verdict:
    word: str          # a key of VERDICTS, with its count or percentage where it has one
    ours: str          # our measurement, formatted
    detail: str        # why: interval, test, budget or reason

    @property
    def kind(self) -> str:
        """The vocabulary word without its count ('indicative (2 seeds)' -> 'indicative')."""
        return self.word.split(" (")[0]


def _points(unit: str) -> str:
    return " points" if unit.strip() == "%" else unit


def _mean_ci(values) -> tuple[float, float, float]:
    v = np.asarray(values, dtype=float)
    m = float(v.mean())
    if len(v) < 2:
        return m, float("nan"), float("nan")
    half = float(sps.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return m, m - half, m + half


def judge(claim: Claim, evidence: Evidence) -> Verdict:
    """The verdict on ``claim`` from ``evidence``: the report's one rule (see :data:`VERDICTS`)."""
    if not evidence.applicable:
        return Verdict("n/a", "—", evidence.reason or "not testable in this run")
    n = evidence.n
    if n == 0:
        return Verdict("n/a", "—", evidence.reason or "no finished run to test it on")
    short = (claim.seed_budget is not None and evidence.budget is not None and evidence.budget < claim.seed_budget)
    fraction = f"{evidence.budget / claim.seed_budget:.0%}" if short else ""
    ours, detail, word = _measure(claim, evidence)
    if word in ("reproduced", "beaten") and n >= MIN_SEEDS:
        return Verdict(word, ours, detail)
    if short:
        return Verdict(f"not tested at the seed's budget ({fraction})", ours,
                       f"{detail}; we trained with {fraction} of the seed's budget")
    if n < MIN_SEEDS:
        return Verdict(f"indicative ({n} seed{'s' if n != 1 else ''})", ours,
                       f"{detail}; fewer than {MIN_SEEDS} seeds: no verdict")
    return Verdict(word, ours, detail)


def _measure(claim: Claim, ev: Evidence) -> tuple[str, str, str]:
    """(our number, how it compares, the verdict it would get with enough seeds and budget)."""
    sign = 1.0 if claim.higher_is_better else -1.0
    s, u, d = claim.scale, claim.unit, claim.digits
    if claim.kind == "absolute":
        m, lo, hi = _mean_ci(ev.values)
        if len(ev.values) < MIN_SEEDS:  # a t-interval from one or two seeds is too wide to mean anything
            lo = hi = float("nan")
        ours = f"{m * s:.{d}f}{u}" if math.isnan(lo) else f"{m * s:.{d}f}{u} (95 % CI {lo * s:.{d}f} to {hi * s:.{d}f})"
        seed, tol = claim.seed_value, claim.tolerance
        diff = sign * (m - seed)
        inside = not math.isnan(lo) and lo <= seed <= hi
        detail = f"ours − seed's = {(m - seed) * s:+.{d}f}{_points(u)} (tolerance ±{tol * s:.{d}f})"
        if abs(diff) <= tol:
            return ours, detail, "reproduced"
        if inside:
            return ours, detail + "; the seed's number lies inside our interval", "inconclusive"
        if math.isnan(lo):
            return ours, detail, "beaten" if diff > 0 else "not reproduced"
        better_bound = lo if sign > 0 else hi   # the interval's end nearest the seed on the better side
        worse_bound = hi if sign > 0 else lo
        if sign * (better_bound - seed) > tol:
            return ours, detail, "beaten"
        if sign * (worse_bound - seed) < -tol:
            return ours, detail, "not reproduced"
        return ours, detail, "inconclusive"
    if claim.kind == "improves":
        c = ev.comparison
        if c is None:
            raise ValueError(f"claim {claim.key}: an 'improves' claim needs a paired comparison")
        pts = _points(u)
        if c.n < MIN_SEEDS or math.isnan(c.ci_low):
            ours = f"{c.mean_diff * s:+.{d}f}{pts}"
            return ours, f"mean over {c.n} paired seed{'s' if c.n != 1 else ''}", \
                ("reproduced" if sign * c.mean_diff > 0 else "not reproduced")
        ours = f"{c.mean_diff * s:+.{d}f}{pts} (95 % CI {c.ci_low * s:+.{d}f} to {c.ci_high * s:+.{d}f})"
        detail = f"paired over {c.n} seeds, p = {c.p:.3g}"
        lo, hi = (c.ci_low, c.ci_high) if sign > 0 else (-c.ci_high, -c.ci_low)
        if lo > 0:
            return ours, detail, "reproduced"
        if hi < 0:
            return ours, detail + "; significantly the other way", "not reproduced"
        if claim.seed_effect is not None and hi < sign * claim.seed_effect:
            return ours, detail + f"; the seed's {claim.seed_effect * s:+.{d}f}{pts} lies outside our interval", \
                "not reproduced"
        return ours, detail + "; the interval includes no difference", "inconclusive"
    held = [bool(v) for v in ev.values]
    ours = f"{sum(held)} of {len(held)} seeds"
    if all(held):
        return ours, "holds for every seed", "reproduced"
    if not any(held):
        return ours, "holds for no seed", "not reproduced"
    return ours, "holds for some seeds only", "inconclusive"
