"""Seed-to-seed statistics: mean ± sd, the comparisons a design calls for, and Holm's correction.

A :class:`Comparison` is the difference b − a from one of three tests, named by
``test``: "paired t" (the arms share initialisation, data subset and order per
seed), "Welch t" (they do not) and "McNemar exact" (two models scored on the
same images: per-image correctness, discordant pairs summed over seeds).
Verdicts are drawn in :mod:`lib.experiments.claims`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

PAIRED, WELCH, MCNEMAR = "paired t", "Welch t", "McNemar exact"
TESTS = {
    PAIRED: "paired t-test on the per-seed differences (the arms share initialisation, data subset and order "
            "within a seed)",
    WELCH: "Welch's t-test (the arms do not share what a seed fixes, so pairing by seed would be wrong)",
    MCNEMAR: "McNemar's exact test on the images one model classifies correctly and the other not (both scored "
             "on the same images), discordant pairs summed over seeds",
}


def mean_sd(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else float("nan")


def fmt_mean_sd(values, scale: float = 100.0, digits: int = 2, unit: str = "%") -> str:
    """'91.23 ± 0.15 %' from a list of fractions; a single run shows no ± part."""
    m, s = mean_sd(np.asarray(values, dtype=float) * scale)
    return f"{m:.{digits}f}{unit}" if math.isnan(s) else f"{m:.{digits}f} ± {s:.{digits}f}{unit}"


@dataclass
class Comparison:
    """b − a: its mean, 95 % interval and two-sided p against no difference, from ``test``.

    ``n`` counts seeds (per arm for Welch: the smaller). ``se``/``df`` give one-sided
    tests against any margin (:meth:`p_above`); McNemar's carry the discordant counts
    ``b_only`` (b right, a wrong) and ``a_only`` over ``items`` scored images.
    """
    n: int
    mean_diff: float
    sd_diff: float
    ci_low: float
    ci_high: float
    t: float
    p: float
    test: str = PAIRED
    se: float = float("nan")
    df: float = float("nan")
    b_only: int = 0
    a_only: int = 0
    items: int = 0

    def significant(self, alpha: float = 0.05) -> bool:
        return not math.isnan(self.p) and self.p < alpha

    def p_above(self, null: float) -> float:
        """One-sided p against 'the difference is at most ``null``' (small: it is larger)."""
        if self.test == MCNEMAR and null == 0.0:
            k = self.b_only + self.a_only
            return float(sps.binom.sf(self.b_only - 1, k, 0.5)) if k else 1.0
        if math.isnan(self.se):
            return float("nan")
        if self.se == 0.0:
            return 0.0 if self.mean_diff > null else 1.0
        z = (self.mean_diff - null) / self.se
        return float(sps.norm.sf(z) if self.test == MCNEMAR else sps.t.sf(z, self.df))

    def p_below(self, null: float) -> float:
        """One-sided p against 'the difference is at least ``null``' (small: it is smaller)."""
        if self.test == MCNEMAR and null == 0.0:
            k = self.b_only + self.a_only
            return float(sps.binom.cdf(self.b_only, k, 0.5)) if k else 1.0
        return self.mirrored(0.0).p_above(-null)

    def mirrored(self, centre: float) -> "Comparison":
        """The same evidence reflected about ``centre`` (d -> 2·centre − d): for the symmetry tests."""
        m = 2 * centre - self.mean_diff
        test = self.test if centre == 0.0 or self.test != MCNEMAR else "McNemar exact (mirrored)"
        return Comparison(self.n, m, self.sd_diff, 2 * centre - self.ci_high, 2 * centre - self.ci_low, -self.t,
                          self.p if centre == 0 else float("nan"), test, self.se, self.df, self.a_only, self.b_only,
                          self.items)

    def describe(self, scale: float = 100.0, unit: str = " points") -> str:
        if self.n < 2 and self.test != MCNEMAR:
            return (f"difference {self.mean_diff * scale:+.2f}{unit} from a single seed pair "
                    f"(no test possible; run more seeds)")
        over = f"{self.items:,} images × seeds" if self.test == MCNEMAR else f"{self.n} seeds"
        return (f"mean difference {self.mean_diff * scale:+.2f}{unit} "
                f"(95% CI {self.ci_low * scale:+.2f} to {self.ci_high * scale:+.2f}; "
                f"{self.test} over {over}, p = {self.p:.3g})")


# Earlier name, kept for callers that build one by hand.
PairedComparison = Comparison


def empty(test: str) -> Comparison:
    nan = float("nan")
    return Comparison(0, nan, nan, nan, nan, nan, nan, test)


def paired_comparison(a, b) -> Comparison:
    """Compare b against a, paired by seed: the differences are b - a."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError("paired_comparison needs two equal-length, non-empty 1-D sequences")
    d = b - a
    n = len(d)
    if n < 2:
        return Comparison(n, float(d.mean()), float("nan"), float("nan"), float("nan"), float("nan"), float("nan"))
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        t, p = (float("inf") * np.sign(d.mean()) if d.mean() else float("nan")), (0.0 if d.mean() else 1.0)
    else:
        t, p = (float(x) for x in sps.ttest_rel(b, a))
    se = sd / math.sqrt(n)
    half = float(sps.t.ppf(0.975, n - 1) * se)
    return Comparison(n, float(d.mean()), sd, float(d.mean()) - half, float(d.mean()) + half, t, p, PAIRED, se,
                      float(n - 1))


def welch_comparison(a, b) -> Comparison:
    """Compare b against a as independent samples (Welch's unequal-variance t-test)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 1 or b.ndim != 1 or not len(a) or not len(b):
        raise ValueError("welch_comparison needs two non-empty 1-D sequences")
    n, diff = min(len(a), len(b)), float(b.mean() - a.mean())
    if n < 2:
        nan = float("nan")
        return Comparison(n, diff, nan, nan, nan, nan, nan, WELCH)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = float(math.sqrt(va + vb))
    if se == 0.0:
        return Comparison(n, diff, 0.0, diff, diff, float("nan"), 0.0 if diff else 1.0, WELCH, 0.0, float(n - 1))
    df = float((va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)))
    res = sps.ttest_ind(b, a, equal_var=False)
    half = float(sps.t.ppf(0.975, df) * se)
    return Comparison(n, diff, float("nan"), diff - half, diff + half, float(res.statistic), float(res.pvalue), WELCH,
                      se, df)


def mcnemar_comparison(a_correct, b_correct) -> Comparison:
    """b − a in accuracy from per-image correctness on the same images, one array pair per seed.

    The discordant pairs are summed over seeds (the Mantel–Haenszel test for matched pairs
    stratified by seed reduces to McNemar's on the summed counts); the exact p is a binomial
    test on them, the interval the Wald interval of a paired difference of proportions.
    """
    if len(a_correct) != len(b_correct) or not len(a_correct):
        raise ValueError("mcnemar_comparison needs per-image correctness of both models for the same seeds")
    b_only = a_only = items = 0
    for a, b in zip(a_correct, b_correct):
        a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
        if a.shape != b.shape or a.ndim != 1:
            raise ValueError("mcnemar_comparison: both models must be scored on the same images")
        b_only += int(np.sum(b & ~a))
        a_only += int(np.sum(a & ~b))
        items += len(a)
    diff = (b_only - a_only) / items
    se = math.sqrt(max(b_only + a_only - items * diff ** 2, 0.0)) / items
    k = b_only + a_only
    p = float(sps.binomtest(b_only, k, 0.5).pvalue) if k else 1.0
    half = 1.959963984540054 * se
    return Comparison(len(a_correct), diff, float("nan"), diff - half, diff + half, float("nan"), p, MCNEMAR, se,
                      float("inf"), b_only, a_only, items)


def holm(pvalues) -> list[float]:
    """Holm's step-down adjusted p-values (NaN entries pass through, and are not counted)."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = len(idx)
    running = 0.0
    for rank, i in enumerate(idx[np.argsort(p[idx], kind="stable")]):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return [float(x) for x in out]
