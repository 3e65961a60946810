"""Seed-to-seed statistics: mean ± sd, the comparisons a design calls for, and Holm's correction.

A :class:`Comparison` is the difference b − a over training runs: "Welch t" (the
default: each seed is one training run of each arm) or "paired t" (only where the
arms share initialisation, data order and batches, declared before the run).
"McNemar exact" compares two models image by image on the same test images: it
measures test-set noise only, never training noise, so it is supporting evidence
and decides no claim. :func:`one_run_interval` is the prediction interval for one
more run of a procedure, the yardstick for a seed's single-run number.
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
    PAIRED: "paired t-test over seeds on the per-seed differences, only where the arms share initialisation, "
            "data order and batches and that was declared before the run",
    WELCH: "Welch's t-test over seeds, each seed one training run of each arm (the default)",
    MCNEMAR: "McNemar's exact test on the test images one model classifies correctly and the other not: test-set "
             "noise only, shown as supporting evidence, never deciding",
}


def mean_sd(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else float("nan")


def fmt_mean_sd(values, scale: float = 100.0, digits: int = 2, unit: str = "%") -> str:
    """'91.23 ± 0.15 %' from a list of fractions; a single run shows no ± part; a measure with no value in some run
    (undefined there, e.g. a window longer than its run) shows a dash, not nan."""
    m, s = mean_sd(np.asarray(values, dtype=float) * scale)
    if math.isnan(m):
        return "—"
    return f"{m:.{digits}f}{unit}" if math.isnan(s) else f"{m:.{digits}f} ± {s:.{digits}f}{unit}"


@dataclass
class Comparison:
    """b − a: its mean, 95 % interval and two-sided p against no difference, from ``test``.

    ``n`` counts seeds (per arm for Welch: the smaller). ``se``/``df`` give
    intervals at any level (:meth:`interval`); McNemar's carry the discordant counts
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
    mean_a: float = float("nan")   # the baseline arm's mean (a relative smallest effect is a share of it)
    sd_a: float = float("nan")     # per-arm sample sds and run counts (the size interval uses them)
    sd_b: float = float("nan")
    n_a: int = 0
    n_b: int = 0

    def significant(self, alpha: float = 0.05) -> bool:
        return not math.isnan(self.p) and self.p < alpha

    def mirrored(self, centre: float) -> "Comparison":
        """The same evidence reflected about ``centre`` (d -> 2·centre − d): for the symmetry tests."""
        m = 2 * centre - self.mean_diff
        test = self.test if centre == 0.0 or self.test != MCNEMAR else "McNemar exact (mirrored)"
        return Comparison(self.n, m, self.sd_diff, 2 * centre - self.ci_high, 2 * centre - self.ci_low, -self.t,
                          self.p if centre == 0 else float("nan"), test, self.se, self.df, self.a_only, self.b_only,
                          self.items, self.mean_a, self.sd_a, self.sd_b, self.n_a, self.n_b)

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """The two-sided ``level`` interval of b − a (NaN where there is no test: no spread, one seed)."""
        if math.isnan(self.se) or self.se == 0.0 or self.n < 2:
            return float("nan"), float("nan")
        q = float(sps.norm.ppf(0.5 + level / 2) if self.test == MCNEMAR else sps.t.ppf(0.5 + level / 2, self.df))
        return self.mean_diff - q * self.se, self.mean_diff + q * self.se

    def detectable(self, alpha: float = 0.05, power: float = 0.8) -> float:
        """The smallest |b − a| a two-sided test at ``alpha`` detects with ``power``, for this se and df."""
        if math.isnan(self.se) or self.se == 0.0 or self.n < 2:
            return float("nan")
        return float((sps.t.ppf(1 - alpha / 2, self.df) + sps.t.ppf(power, self.df)) * self.se)

    def size_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Where one more pair of single runs' difference would fall: d̄ ± t(ν)·√((1 + 1/n_A)s_A² + (1 + 1/n_B)s_B²),
        ν by Welch–Satterthwaite on those terms (per-arm sds, also for paired arms: a seed's two runs were
        not paired)."""
        if self.n_a < 2 or self.n_b < 2 or math.isnan(self.sd_a) or math.isnan(self.sd_b):
            return float("nan"), float("nan")
        va, vb = (1 + 1 / self.n_a) * self.sd_a ** 2, (1 + 1 / self.n_b) * self.sd_b ** 2
        if va + vb == 0.0:
            return float("nan"), float("nan")
        nu = (va + vb) ** 2 / (va ** 2 / (self.n_a - 1) + vb ** 2 / (self.n_b - 1))
        half = float(sps.t.ppf(0.5 + level / 2, nu) * math.sqrt(va + vb))
        return self.mean_diff - half, self.mean_diff + half

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
    arms = _arms(a, b)
    if n < 2:
        nan = float("nan")
        return Comparison(n, float(d.mean()), nan, nan, nan, nan, nan, PAIRED, **arms)
    sd = float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    if sd == 0.0:  # every seed gave the same difference: no spread, no test
        nan = float("nan")
        return Comparison(n, float(d.mean()), 0.0, nan, nan, nan, nan, PAIRED, 0.0, float(n - 1), **arms)
    t, p = (float(x) for x in sps.ttest_rel(b, a))
    half = float(sps.t.ppf(0.975, n - 1) * se)
    return Comparison(n, float(d.mean()), sd, float(d.mean()) - half, float(d.mean()) + half, t, p, PAIRED, se,
                      float(n - 1), **arms)


def _arms(a: np.ndarray, b: np.ndarray) -> dict:
    sd = lambda v: float(v.std(ddof=1)) if len(v) > 1 else float("nan")  # noqa: E731
    return dict(mean_a=float(a.mean()), sd_a=sd(a), sd_b=sd(b), n_a=len(a), n_b=len(b))


def welch_comparison(a, b) -> Comparison:
    """Compare b against a as independent samples (Welch's unequal-variance t-test)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 1 or b.ndim != 1 or not len(a) or not len(b):
        raise ValueError("welch_comparison needs two non-empty 1-D sequences")
    n, diff = min(len(a), len(b)), float(b.mean() - a.mean())
    arms = _arms(a, b)
    nan = float("nan")
    if n < 2:
        return Comparison(n, diff, nan, nan, nan, nan, nan, WELCH, **arms)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = float(math.sqrt(va + vb))
    if se == 0.0:  # integer measures can tie in every run: no spread, no test (never a p of 0)
        return Comparison(n, diff, 0.0, nan, nan, nan, nan, WELCH, 0.0, float(n - 1), **arms)
    df = float((va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)))
    res = sps.ttest_ind(b, a, equal_var=False)
    half = float(sps.t.ppf(0.975, df) * se)
    return Comparison(n, diff, nan, diff - half, diff + half, float(res.statistic), float(res.pvalue), WELCH,
                      se, df, **arms)


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


@dataclass
class OneRun:
    """Our runs against a seed's single-run number: the prediction interval for one more run of our procedure,
    x̄ ± t(0.975, n − 1)·√(s²(1 + 1/n) + test term) (Patil, Peng & Leek 2016), and the seed's number's place in
    it. The test term p(1 − p)(1/m_ours + 1/m_seed) enters where the seed scored other images than ours."""
    n: int
    mean: float
    sd: float
    seed_value: float
    scale: float          # √ of the predictive variance
    df: float

    @property
    def p(self) -> float:
        """Two-sided p of the seed's number under the one-run predictive distribution (NaN: no spread)."""
        if self.n < 2 or not self.scale > 0:
            return float("nan")
        return float(2 * sps.t.sf(abs(self.seed_value - self.mean) / self.scale, self.df))

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        if self.n < 2 or not self.scale > 0:
            return float("nan"), float("nan")
        half = float(sps.t.ppf(0.5 + level / 2, self.df) * self.scale)
        return self.mean - half, self.mean + half


def one_run_interval(values, seed_value: float, *, m_ours: int | None = None, m_seed: int | None = None) -> OneRun:
    """:class:`OneRun` of ``values`` (one per training run) against ``seed_value``; ``m_ours``/``m_seed``:
    the images each side scored, given only where they are not the same images (adds the test-set term)."""
    v = np.asarray(values, dtype=float)
    n = len(v)
    mean = float(v.mean()) if n else float("nan")
    sd = float(v.std(ddof=1)) if n > 1 else float("nan")
    var = sd ** 2 * (1 + 1 / n) if n > 1 else float("nan")
    if m_ours and m_seed and n > 1:
        var += mean * (1 - mean) * (1 / m_ours + 1 / m_seed)
    return OneRun(n, mean, sd, float(seed_value), math.sqrt(var) if var == var else float("nan"), float(max(n - 1, 1)))


def rate_interval(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper–Pearson interval of a yes/no rate (0 of 3 cannot rule out 71 %; 3 of 3 cannot rule out 29 %)."""
    if trials == 0:
        return float("nan"), float("nan")
    ci = sps.binomtest(successes, trials).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


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
