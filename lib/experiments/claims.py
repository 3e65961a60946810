"""Seed claims as declared records, and the one rule that turns our measurements into verdicts.

A :class:`Claim` records, before any run, what a seed project said (briefly
quoted), the metric that tests it, its direction, the smallest effect that
counts (``margin``), the test the design calls for and the seed's budget.
:func:`judge_all` decides a study's claims together: every p-value a verdict
uses is Holm-adjusted within the study, and the adjusted value decides.
The words, the precedence and the status values are defined here once
(:data:`VERDICTS`, :data:`RULE`, :data:`STATUS`); the index legend and every
page's rule text are generated from them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .stats import MCNEMAR, PAIRED, TESTS, WELCH, Comparison, holm, paired_comparison

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

MIN_SEEDS = 3
ALPHA = 0.05
ONE_SAMPLE, EVERY_SEED = "one-sample t", "every seed"

VERDICTS = {
    "reproduced": "the claim holds: an improvement is significantly on the claimed side of zero and our interval "
                  "still includes the smallest effect that counts; a number lies within the stated tolerance of "
                  "the seed's (both one-sided tests significant); a yes/no property holds for every seed",
    "beaten": "our number is significantly better than the seed's number plus its tolerance",
    "not reproduced": "the claim is ruled out: an improvement is significantly smaller than the smallest effect that "
                      "counts (a reversal included); a number is significantly worse than the seed's minus its "
                      "tolerance; a yes/no property holds for no seed",
    "inconclusive": "neither side is significant: our interval straddles both the claim and its negation",
    "indicative": "fewer than three seeds: the direction is shown, no verdict is drawn, no interval; only a "
                  "per-image test of the models trained (McNemar) gives a p-value, which says nothing of training noise",
    "n/a": "the claim cannot be tested in this run (another dataset, a skipped part, no finished run); the reason "
           "is given",
}
BUDGET_NOTE = ("beside any verdict, whichever way it points, when we trained with "
               "less (epochs, steps or data) than the seed; the verdict is drawn all the same and counted as "
               "short of the seed's budget")
RULE = (
    ("not applicable", "a claim this run cannot test is n/a, with the reason"),
    ("too few seeds", f"fewer than {MIN_SEEDS} seeds give indicative, never a verdict"),
    ("the comparison", "each claim's declared test gives p-values (twice the one-sided) against its boundaries "
                       "(no effect and the smallest effect that counts, or the seed's number ± tolerance); within "
                       "a study each claim's smallest p is Holm-adjusted over the study's tested claims, and an "
                       f"adjusted p below {ALPHA:g} decides"),
    ("the budget", "a short budget never changes the verdict; it is stated beside it"),
)
STATUS = {
    "complete": "every arm the profile asks for ran and finished, on the dataset the study names, with at least "
                f"{MIN_SEEDS} seeds, and the page carries no warning",
    "partial": "something the study names is missing, and the reason is given: a fallback dataset, a skipped arm, "
               f"failed runs, fewer than {MIN_SEEDS} seeds, or another warning on the page",
}


def rule_text() -> str:
    """The verdict rule as a page states it: the precedence, then the tests' meaning."""
    steps = "; ".join(f"({i}) {name}: {text}" for i, (name, text) in enumerate(RULE, 1))
    return (f"**How verdicts are drawn** (in this order): {steps}. "
            "Tests: " + "; ".join(f"*{name}*: {text}" for name, text in TESTS.items()) + ".")


@dataclass(frozen=True)
class Claim:
    """One thing a seed project said, and how we test it, declared before the run.

    ``kind``: "absolute" (our mean against ``seed_value`` ± ``tolerance``),
    "improves" (the difference ``variant`` − ``baseline``, claimed to favour
    ``variant`` by at least ``margin``, tested by ``test``: paired t, Welch t or
    McNemar exact) or "qualitative" (a yes/no property per seed). ``margin`` is
    the smallest effect that counts, in the metric's units and positive; it
    defaults to the size of ``seed_effect``, the seed's own reported difference.
    ``seed_budget`` is what the seed trained with, in the evidence's budget unit.
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
    margin: float | None = None
    test: str = ""

    def __post_init__(self):
        if self.kind not in ("absolute", "improves", "qualitative"):
            raise ValueError(f"claim {self.key}: kind {self.kind!r} is not absolute, improves or qualitative")
        if self.kind == "absolute" and self.seed_value is None:
            raise ValueError(f"claim {self.key}: an absolute claim needs the seed's value")
        if self.kind == "improves":
            if self.margin is None and self.seed_effect is None:
                raise ValueError(f"claim {self.key}: an improvement needs its smallest effect that counts "
                                 f"(margin=) or the seed's reported difference (seed_effect=)")
            if self.effect_margin < 0:
                raise ValueError(f"claim {self.key}: the margin is a size, it cannot be negative")
            if self.test not in (PAIRED, WELCH, MCNEMAR):
                raise ValueError(f"claim {self.key}: declare its test (test=) as one of {PAIRED!r}, {WELCH!r}, "
                                 f"{MCNEMAR!r}; got {self.test!r}")
        elif self.test not in ("", self.declared_test):
            raise ValueError(f"claim {self.key}: a {self.kind} claim is tested by {self.declared_test!r}")

    @property
    def effect_margin(self) -> float:
        return abs(self.seed_effect) if self.margin is None else float(self.margin)

    @property
    def declared_test(self) -> str:
        return self.test or {"absolute": ONE_SAMPLE, "qualitative": EVERY_SEED}.get(self.kind, "")

    def seed_text(self) -> str:
        """The seed's own number only (our thresholds go to :meth:`margin_text`)."""
        d = self.digits
        if self.kind == "absolute" and not self.addition:
            return f"{self.seed_value * self.scale:.{d}f}{self.unit}"
        if self.kind == "improves" and self.seed_effect is not None:
            return f"{self.seed_effect * self.scale:+.{d}f}{_points(self.unit)}"
        return "—"

    def margin_text(self) -> str:
        """The declared metric, direction, smallest effect and test, as the tables state them."""
        d, s, pts = self.digits, self.scale, _points(self.unit)
        if self.kind == "improves":
            way = "higher" if self.higher_is_better else "lower"
            src = "the seed's own difference" if self.margin is None else "stated before the run"
            return (f"{self.metric}; {way} is better; smallest effect that counts {self.effect_margin * s:.{d}f}{pts} "
                    f"({src}); {self.test}")
        if self.kind == "absolute":
            return f"{self.metric}; tolerance ±{self.tolerance * s:.{d}f}{pts}; {ONE_SAMPLE} over seeds"
        return f"{self.metric}; must hold for every seed"


@dataclass
class Evidence:
    """What our runs measured for a claim.

    ``values``: per-seed measurements (absolute), or 1/0 per seed (qualitative).
    ``comparison``: the difference and its test (improves). ``budget``: what we
    trained with, in the claim's ``seed_budget`` unit. ``applicable`` False (with
    a ``reason``) when this run cannot test the claim. ``measure`` names what the
    numbers are (checked against the claim's declared measure). ``supporting``:
    other measures shown beside the verdict, never counted.
    """
    values: list[float] = field(default_factory=list)
    comparison: Comparison | None = None
    budget: float | None = None
    applicable: bool = True
    reason: str = ""
    scope: str = ""
    measure: str = ""
    supporting: str = ""

    @property
    def n(self) -> int:
        return self.comparison.n if self.comparison is not None else len(self.values)


@dataclass(frozen=True)
class Verdict:
    word: str          # a key of VERDICTS, with its count and budget share where it has them
    ours: str          # our measurement, formatted
    detail: str        # why: interval, test, adjusted p, budget or reason
    test: str = ""     # the test that decided ("" for n/a and qualitative)
    p: float = float("nan")        # the deciding p, raw
    p_holm: float = float("nan")   # and Holm-adjusted within the study
    short_budget: str = ""         # "40 %" when we trained with less than the seed

    @property
    def kind(self) -> str:
        """The vocabulary word without its qualifiers ('indicative (2 seeds)' -> 'indicative')."""
        return self.word.split(" (")[0]


def _points(unit: str) -> str:
    return " points" if unit.strip() == "%" else unit


def _check_declared(claim: Claim, ev: Evidence) -> None:
    """A verdict is computed only from what the claim declared: its measure and its test."""
    if ev.measure and claim.measure and ev.measure != claim.measure:
        raise ValueError(f"claim {claim.key} declares {claim.measure!r}; its evidence measures {ev.measure!r}")
    if not ev.applicable:
        return
    if claim.kind == "improves":
        if ev.comparison is None:
            raise ValueError(f"claim {claim.key}: an 'improves' claim needs a comparison")
        if ev.comparison.n and ev.comparison.test != claim.test:
            raise ValueError(f"claim {claim.key} declares the {claim.test} test; its evidence comes from "
                             f"{ev.comparison.test}")
    elif ev.comparison is not None:
        raise ValueError(f"claim {claim.key}: a {claim.kind} claim is judged from per-seed values, not a comparison")


def _hypotheses(claim: Claim, ev: Evidence) -> dict[str, float]:
    """Two-sided-equivalent p (2 × one-sided) for each boundary the verdict looks at.

    improves: "for" rejects 'no effect in the claimed direction', "against" rejects
    'an effect of at least the margin'. absolute: "beaten", "short" and "within"
    (both one-sided tests of the tolerance band). Qualitative claims have none.
    """
    sign = 1.0 if claim.higher_is_better else -1.0
    if claim.kind == "improves":
        c, m = ev.comparison, claim.effect_margin
        p_for = c.p_above(0.0) if sign > 0 else c.p_below(0.0)
        p_against = c.p_below(m) if sign > 0 else c.p_above(-m)
        return {"for": min(1.0, 2 * p_for), "against": min(1.0, 2 * p_against)}
    if claim.kind == "absolute":
        v, tol = claim.seed_value, claim.tolerance
        c = paired_comparison(np.full(len(ev.values), v), ev.values)  # one-sample: ours − the seed's
        beaten = c.p_above(tol) if sign > 0 else c.p_below(-tol)
        short = c.p_below(-tol) if sign > 0 else c.p_above(tol)
        out = {"beaten": min(1.0, 2 * beaten), "short": min(1.0, 2 * short)}
        if tol > 0:
            out["within"] = min(1.0, 2 * max(c.p_above(-tol), c.p_below(tol)))
        return out
    return {}


def judge(claim: Claim, evidence: Evidence) -> Verdict:
    """The verdict on one claim tested alone (a family of one): see :func:`judge_all`."""
    return judge_all([(claim, evidence)])[0]


def judge_all(pairs) -> list[Verdict]:
    """The verdicts on a study's claims: the report's one rule, in the order of :data:`RULE`.

    Every p-value a verdict looks at, over all the study's claims that reach step 3,
    is Holm-adjusted together; the adjusted values decide.
    """
    pairs = list(pairs)
    for claim, ev in pairs:
        _check_declared(claim, ev)
    hyps = [(_hypotheses(c, e) if _decidable(e) else {}) for c, e in pairs]
    # One p per claim (its smallest: a claim's boundaries are disjoint nulls, at most one of them true),
    # Holm over the study's claims; each boundary of a claim is scaled by that claim's Holm factor.
    least = [min(h.values()) if h else float("nan") for h in hyps]
    adjusted = holm(least)
    family = sum(1 for p in least if p == p)
    out = []
    for (claim, ev), h, raw, adj in zip(pairs, hyps, least, adjusted):
        factor = adj / raw if raw > 0 else float(family)
        scaled = {k: min(1.0, p * factor) for k, p in h.items()}
        out.append(_verdict(claim, ev, h, scaled, family))
    return out


def _decidable(ev: Evidence) -> bool:
    return ev.applicable and ev.n >= MIN_SEEDS


def _budget_share(claim: Claim, ev: Evidence) -> str:
    if claim.seed_budget is None or ev.budget is None or ev.budget >= claim.seed_budget:
        return ""
    share = ev.budget / claim.seed_budget
    return "<1 %" if share < 0.005 else f"{share:.0%}".replace("%", " %")


def _verdict(claim: Claim, ev: Evidence, raw: dict, adj: dict, family: int) -> Verdict:
    if not ev.applicable:
        return Verdict("n/a", "—", ev.reason or "not testable in this run")
    if ev.n == 0:
        return Verdict("n/a", "—", ev.reason or "no finished run to test it on")
    share = _budget_share(claim, ev)
    budget = f"at {share} of the seed's budget" if share else ""
    ours = _ours(claim, ev, with_interval=ev.n >= MIN_SEEDS)
    extra = f"; supporting, not counted: {ev.supporting}" if ev.supporting else ""
    if ev.n < MIN_SEEDS:
        qual = "; ".join(x for x in (f"{ev.n} seed{'s' if ev.n != 1 else ''}", budget) if x)
        c = ev.comparison
        per_image = (f"; {c.test} on these models' {c.items:,} image pairs: p = {c.p:.3g} (noise of the test "
                     f"images only, not of training)" if c is not None and c.test == MCNEMAR else "")
        return Verdict(f"indicative ({qual})", ours, f"fewer than {MIN_SEEDS} seeds: no verdict{per_image}{extra}",
                       claim.declared_test, short_budget=share)
    word, why = _decide(claim, ev, adj)
    detail = why + _p_text(claim, ev, raw, adj, family) + extra
    key = min(adj, key=adj.get) if adj else ""
    return Verdict(f"{word} ({budget})" if budget else word, ours, detail, claim.declared_test,
                   raw.get(key, float("nan")), adj.get(key, float("nan")), share)


def _decide(claim: Claim, ev: Evidence, adj: dict) -> tuple[str, str]:
    s, d, pts = claim.scale, claim.digits, _points(claim.unit)
    if claim.kind == "improves":
        m = f"{claim.effect_margin * s:.{d}f}{pts}"
        if adj["against"] < ALPHA:
            return "not reproduced", f"an effect of {m} or more is ruled out"
        if adj["for"] < ALPHA:
            return "reproduced", f"significantly on the claimed side, and an effect of {m} is not ruled out"
        return "inconclusive", f"our interval includes both no effect and {m}"
    if claim.kind == "absolute":
        tol = f"±{claim.tolerance * s:.{d}f}{pts}"
        if adj["beaten"] < ALPHA:
            return "beaten", f"significantly better than the seed's number {tol}"
        if adj["short"] < ALPHA:
            return "not reproduced", f"significantly worse than the seed's number {tol}"
        if adj.get("within", 1.0) < ALPHA:
            return "reproduced", f"within the seed's number {tol}"
        return "inconclusive", f"neither shown within the seed's number {tol} nor significantly beyond it"
    held = [bool(v) for v in ev.values]
    if all(held):
        return "reproduced", "holds for every seed"
    if not any(held):
        return "not reproduced", "holds for no seed"
    return "inconclusive", "holds for some seeds only"


def _p_text(claim: Claim, ev: Evidence, raw: dict, adj: dict, family: int) -> str:
    if not raw:
        return ""
    if claim.kind == "improves":
        c = ev.comparison
        over = f"{c.items:,} image pairs over {c.n} seed{'s' if c.n != 1 else ''}" if c.test == MCNEMAR \
            else f"{c.n} seeds"
        return (f"; {c.test} over {over}, p = {c.p:.3g} against no difference; Holm-adjusted over the study's "
                f"{family} tested claims: p = {adj['for']:.3g} for the claimed side, {adj['against']:.3g} for 'smaller "
                f"than the margin'")
    names = {"beaten": "better", "short": "worse", "within": "within tolerance"}
    return (f"; {ONE_SAMPLE} over {ev.n} seeds, Holm-adjusted over the study's {family} tested claims: "
            + ", ".join(f"p = {adj[k]:.3g} for {names[k]}" for k in adj))


def _ours(claim: Claim, ev: Evidence, with_interval: bool) -> str:
    s, u, d = claim.scale, claim.unit, claim.digits
    if claim.kind == "qualitative":
        return f"{sum(bool(v) for v in ev.values)} of {len(ev.values)} seeds"
    if claim.kind == "improves":
        c, pts = ev.comparison, _points(u)
        if not with_interval or math.isnan(c.ci_low):
            return f"{c.mean_diff * s:+.{d}f}{pts}"
        return f"{c.mean_diff * s:+.{d}f}{pts} (95 % CI {c.ci_low * s:+.{d}f} to {c.ci_high * s:+.{d}f})"
    c = paired_comparison(np.zeros(len(ev.values)), ev.values)
    if not with_interval or math.isnan(c.ci_low):
        return f"{c.mean_diff * s:.{d}f}{u}"
    return f"{c.mean_diff * s:.{d}f}{u} (95 % CI {c.ci_low * s:.{d}f} to {c.ci_high * s:.{d}f})"


def tally(rows: list[dict]) -> dict:
    """The reproducibility summary from claim rows (as pages store them): counts by verdict word,
    how many were short of the seed's budget, and the reasons of those not testable here."""
    kinds = [str(r.get("verdict", "n/a")).split(" (")[0] for r in rows]
    return {"claims": len(rows), **{w: kinds.count(w) for w in VERDICTS},
            "short_budget": sum(1 for r in rows if r.get("short_budget")),
            "not_testable": [f"{r.get('claim', '?')}: {r.get('detail', '')}" for r, k in zip(rows, kinds) if k == "n/a"]}
