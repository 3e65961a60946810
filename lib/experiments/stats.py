"""Seed-to-seed statistics: mean ± sd and paired comparisons (verdicts: lib.experiments.claims)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


def mean_sd(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else float("nan")


def fmt_mean_sd(values, scale: float = 100.0, digits: int = 2, unit: str = "%") -> str:
    """'91.23 ± 0.15 %' from a list of fractions; a single run shows no ± part."""
    m, s = mean_sd(np.asarray(values, dtype=float) * scale)
    return f"{m:.{digits}f}{unit}" if math.isnan(s) else f"{m:.{digits}f} ± {s:.{digits}f}{unit}"


@dataclass
class PairedComparison:
    n: int
    mean_diff: float
    sd_diff: float
    ci_low: float
    ci_high: float
    t: float
    p: float

    def significant(self, alpha: float = 0.05) -> bool:
        return not math.isnan(self.p) and self.p < alpha

    def describe(self, scale: float = 100.0, unit: str = " points") -> str:
        if self.n < 2:
            return (f"difference {self.mean_diff * scale:+.2f}{unit} from a single seed pair "
                    f"(no test possible; run more seeds)")
        return (f"mean difference {self.mean_diff * scale:+.2f}{unit} "
                f"(95% CI {self.ci_low * scale:+.2f} to {self.ci_high * scale:+.2f}; "
                f"paired t-test over {self.n} seeds, t = {self.t:.2f}, p = {self.p:.3g})")


def paired_comparison(a, b) -> PairedComparison:
    """Compare b against a, paired by seed: the differences are b - a."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError("paired_comparison needs two equal-length, non-empty 1-D sequences")
    d = b - a
    n = len(d)
    if n < 2:
        return PairedComparison(n, float(d.mean()), float("nan"), float("nan"), float("nan"),
                                float("nan"), float("nan"))
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        t, p = (float("inf") * np.sign(d.mean()) if d.mean() else float("nan")), (0.0 if d.mean() else 1.0)
    else:
        t, p = (float(x) for x in sps.ttest_rel(b, a))
    half = float(sps.t.ppf(0.975, n - 1) * sd / math.sqrt(n))
    return PairedComparison(n, float(d.mean()), sd, float(d.mean()) - half, float(d.mean()) + half, t, p)
