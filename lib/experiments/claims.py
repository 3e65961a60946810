"""Seed claims as declared records, and the one rule that turns our training runs into verdicts on them.

A :class:`Claim` records, before any run, what a seed project said (briefly quoted), the metric that tests
it and its kind (which fixes the smallest effect of interest, :data:`SESOI`, the same in every study), the
test over training runs (Welch by default), the dataset the claim is about and the seed's budget (the gate:
below it the row is *not tested here*). :func:`judge_all` decides a study's claims together, once, as one
Holm family. The words, the gates and the smallest effects are defined here once (:data:`VERDICTS`,
:data:`RULE`, :data:`SESOI`, :data:`STATUS`); the index legend and every page's rule text are generated from
them.

The unit of every test is the training run: a claim about a procedure is decided over seeds, each seed one
run. A seed's own number is one run too, so it is set against the prediction interval for one run of ours,
never tested as if exact. Direction and size are separate questions: the verdict asks the direction (against
0 and the smallest effect of interest), the size column asks whether the seed's difference lies where one
more pair of our runs would fall.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from scipy import stats as sps

from ..data.fallback import PRETTY
from .stats import MCNEMAR, PAIRED, TESTS, WELCH, Comparison, OneRun, holm, one_run_interval, rate_interval

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

MIN_SEEDS = 3
ALPHA = 0.05
MIN_BUDGET_SHARE = 0.5   # the budget gate: below half the seed's (or the named reference's) budget, no verdict
ONE_RUN, EVERY_SEED = "one-run prediction interval", "every seed"


@dataclass(frozen=True)
class Sesoi:
    """A smallest effect of interest for one kind of metric: ``size`` in the metric's own units, or a share
    of the baseline arm's value when ``relative``."""
    size: float
    relative: bool
    text: str
    why: str


# One smallest effect of interest per kind of metric, the same in every study, never the seed's own difference.
SESOI = {
    "accuracy": Sesoi(0.01, False, "1 point",
                      "accuracies and accuracy gaps: about three times the test-set sampling error of one model's "
                      "accuracy on 10,000 images (0.3 points near 90 %), the least a reader would act on"),
    "loss": Sesoi(0.05, True, "5 % of the baseline arm's value",
                  "losses and other scale-free measures (a loss, a spread): a share of the baseline, since their "
                  "units differ between models and datasets"),
    "fid": Sesoi(5.0, False, "5 points of FID gap closed",
                 "FID and KID, as the share of the untrained-to-real gap a run closes: raw FID units depend on the "
                 "feature network, the gap closed does not"),
    "classes": Sesoi(1.0, False, "1 class",
                     "counts of classes covered: one class is the smallest change a count can show"),
}

VERDICTS = {
    "reproduced": "the claim's direction and size hold: our Holm-adjusted interval of the effect lies wholly beyond "
                  "the smallest effect of interest; a yes/no property held in every seed",
    "direction reproduced, size not established": "our Holm-adjusted interval lies above zero but still includes "
                                                  "the smallest effect of interest",
    "not reproduced": "our Holm-adjusted interval lies wholly below the smallest effect of interest, saying which: "
                      "reversed (wholly below zero), negligible (within ± the smallest effect), real but smaller "
                      "(above zero), or smaller than the smallest effect; a yes/no property held in no seed",
    "inconclusive": "our Holm-adjusted interval includes both zero and the smallest effect of interest, or there is "
                    "no spread over seeds to test with; a yes/no property held in some seeds only",
    "consistent with the seed's run": "the seed's single-run number lies inside our Holm-adjusted prediction "
                                      "interval for one run: three seeds cannot tell it apart (never counted as "
                                      "reproduced)",
    "differs from the seed's run": "the seed's single-run number lies outside our Holm-adjusted prediction interval "
                                   "for one run; the row says in which direction and by how much (a higher number "
                                   "of ours is a discrepancy to explain, not a win)",
    "indicative": f"fewer than {MIN_SEEDS} seeds: the direction is shown, no verdict and no interval are drawn",
    "not tested here": "this run cannot test the claim (another dataset, under "
                       f"{MIN_BUDGET_SHARE:.0%} of the seed's budget, a skipped part, no finished run): the reason is "
                       "given, our number is shown as context with the way it pointed, and the row is counted apart",
}
BUDGET_NOTE = (f"beside any verdict drawn with less than the seed's budget (but at least {MIN_BUDGET_SHARE:.0%} of "
               "it), whichever way it points; such rows are counted in the summary")
RULE = (
    ("the gate", "a claim about another dataset than ours, or run under "
                 f"{MIN_BUDGET_SHARE:.0%} of the seed's budget (or of a named reference's where the seed states "
                 "none), is not tested here; the gate reads inputs only, declared with the claim"),
    ("too few seeds", f"fewer than {MIN_SEEDS} seeds give indicative, never a verdict"),
    ("the family", "each tested claim contributes one p (its test over training runs against no effect, or the "
                   "seed's number against our one-run prediction interval); the study's p-values are "
                   "Holm-adjusted together, and each claim's interval is drawn at the confidence Holm leaves it "
                   f"(1 − {ALPHA:g} × raw p / adjusted p)"),
    ("direction", "an effect is judged on its adjusted interval against zero and the smallest effect of interest "
                  "of its kind of metric; the verdict at half that effect is shown beside it"),
    ("size", "separately, the seed's single-run difference (a result to compare, never a threshold) is set "
             "against where one more pair of our runs would fall; this never changes the verdict"),
    ("readings", "where the seed left a setting open, the reference reading (a named reference or the seed's "
                 "framework default, declared before the run) decides and is counted; every other declared reading "
                 "run shows its estimate and verdict beside it, uncounted, and a claim is said to depend on the "
                 "choice only where the effects differ significantly between readings"),
)
STATUS = {
    "complete": "every arm the profile asks for ran and finished, on the dataset the study names, with at least "
                f"{MIN_SEEDS} seeds, and the page carries no warning",
    "partial": "something the study names is missing, and the reason is given: a fallback dataset, a skipped arm, "
               f"failed runs, fewer than {MIN_SEEDS} seeds, or another warning on the page",
}


def rule_text() -> str:
    """The verdict rule as a page states it: the order of steps, the smallest effects, the tests."""
    steps = "; ".join(f"({i}) {name}: {text}" for i, (name, text) in enumerate(RULE, 1))
    sesoi = "; ".join(f"*{kind}*: {s.text} ({s.why})" for kind, s in SESOI.items())
    return (f"**How verdicts are drawn** (in this order): {steps}. **Smallest effects of interest**, one per kind "
            f"of metric, the same in every study: {sesoi}. Tests: "
            + "; ".join(f"*{name}*: {text}" for name, text in TESTS.items()) + ".")


@dataclass(frozen=True)
class Claim:
    """One thing a seed project said, and how we test it, declared before the run.

    ``kind``: "absolute" (the seed's single-run number ``seed_value`` against our one-run prediction
    interval; ``seed_images``: the images the seed scored it on, where they are not ours; ``seed_measured``:
    how the seed took it, e.g. "maximum over epochs", which our measure copies), "improves" (the difference
    ``variant`` − ``baseline`` over training runs, claimed to favour ``variant``, tested by ``test``) or
    "qualitative" (a yes/no property per seed). ``metric_kind`` picks the smallest effect of interest from
    :data:`SESOI`. ``seed_effect`` is the seed's own difference (the size column only). The gate: ``dataset``
    (what the claim is about) and ``seed_budget`` (in the evidence's budget unit; ``budget_source`` names a
    reference where the seed states none). ``addition`` marks our own comparisons, which no seed claimed.
    """
    key: str
    seed: str
    words: str
    metric: str
    kind: str = "absolute"
    metric_kind: str = "accuracy"
    seed_value: float | None = None
    seed_measured: str = "as reported"
    seed_images: int | None = None
    higher_is_better: bool = True
    seed_effect: float | None = None
    seed_budget: float | None = None
    budget_source: str = "the seed's"
    dataset: str = ""
    scale: float = 100.0
    unit: str = " %"
    addition: bool = False
    digits: int = 2          # decimals shown (4 for a loss)
    measure: str = ""        # the RunResult metric (or RunSet measure) that tests it
    variant: str = ""        # the arm the claim is about
    baseline: str = ""       # for "improves": the arm it improves on
    test: str = WELCH

    def __post_init__(self):
        if self.kind not in ("absolute", "improves", "qualitative"):
            raise ValueError(f"claim {self.key}: kind {self.kind!r} is not absolute, improves or qualitative")
        if self.kind == "absolute" and self.seed_value is None:
            raise ValueError(f"claim {self.key}: an absolute claim needs the seed's value")
        if self.metric_kind not in SESOI:
            raise ValueError(f"claim {self.key}: metric_kind {self.metric_kind!r} is none of {', '.join(SESOI)}")
        if self.kind == "improves" and self.test not in (PAIRED, WELCH):
            raise ValueError(f"claim {self.key}: a claim about a procedure is decided over training runs: test= "
                             f"{WELCH!r} (default) or {PAIRED!r} where declared; {self.test!r} decides nothing")

    @property
    def declared_test(self) -> str:
        return {"absolute": ONE_RUN, "qualitative": EVERY_SEED}.get(self.kind, self.test)

    def sesoi(self, baseline_value: float = float("nan")) -> float:
        """The smallest effect of interest in the metric's units (a relative one needs the baseline's value)."""
        s = SESOI[self.metric_kind]
        return abs(baseline_value) * s.size if s.relative else s.size

    def seed_text(self) -> str:
        """The seed's own number only (our thresholds go to :meth:`margin_text`)."""
        d = self.digits
        if self.kind == "absolute" and not self.addition:
            return f"{self.seed_value * self.scale:.{d}f}{self.unit} ({self.seed_measured}, one run)"
        if self.kind == "improves" and self.seed_effect is not None:
            return f"{self.seed_effect * self.scale:+.{d}f}{_points(self.unit)} (one run per arm)"
        return "—"

    def margin_text(self) -> str:
        """The declared metric, direction, smallest effect, test and gate, as the tables state them."""
        gate = []
        if self.dataset:
            gate.append(f"about {_named(self.dataset)}")
        if self.seed_budget is not None:
            gate.append(f"{self.budget_source} budget {self.seed_budget:,g}")
        gate_text = f"; gate: {', '.join(gate)}" if gate else ""
        if self.kind == "improves":
            way = "higher" if self.higher_is_better else "lower"
            return (f"{self.metric}; {way} is better; smallest effect of interest {SESOI[self.metric_kind].text} "
                    f"({self.metric_kind}); {self.test} over seeds{gate_text}")
        if self.kind == "absolute":
            images = "" if self.seed_images is None else f", the seed's {self.seed_images:,} other images"
            return f"{self.metric}, {self.seed_measured}; {ONE_RUN}{images}{gate_text}"
        return f"{self.metric}; per seed, with the rate's 95 % interval{gate_text}"


@dataclass
class Evidence:
    """What our runs measured for a claim.

    ``values``: per-seed measurements taken the seed's way (absolute), or 1/0 per seed (qualitative);
    ``final``: the same runs' final-epoch numbers, shown beside where the seed's way is a maximum.
    ``comparison``: the difference over runs and its test (improves). ``budget``: what we trained with, in
    the claim's ``seed_budget`` unit; ``dataset``: what we trained on (the gate compares it with the claim's).
    ``applicable`` False (with a ``reason``) when this run cannot test the claim. ``m_ours``: the images our
    number was scored on (the one-run interval's test term, where the seed scored others). ``measure`` names
    what the numbers are (checked against the claim's). ``supporting``: other evidence shown beside the
    verdict, never counted (e.g. a per-image test).
    """
    values: list[float] = field(default_factory=list)
    comparison: Comparison | None = None
    budget: float | None = None
    dataset: str = ""
    applicable: bool = True
    reason: str = ""
    scope: str = ""
    measure: str = ""
    supporting: str = ""
    final: list[float] = field(default_factory=list)
    m_ours: int | None = None

    @property
    def n(self) -> int:
        return self.comparison.n if self.comparison is not None else len(self.values)


@dataclass(frozen=True)
class Verdict:
    word: str          # a key of VERDICTS, with its qualifier and budget share where it has them
    ours: str          # our measurement, formatted (with its Holm-adjusted interval where there is one)
    detail: str        # why: boundaries, test, adjusted p, the gate's reason
    test: str = ""     # the test over runs that decided ("" where none did)
    p: float = float("nan")        # the claim's p in the study's family, raw
    p_holm: float = float("nan")   # and Holm-adjusted within the study
    short_budget: str = ""         # "80 %" when we trained with less than the seed
    seed_check: str = ""           # the seed's number against our interval (absolute), or its size (improves)
    fragility: str = ""            # how close the verdict sits to a boundary
    half: str = ""                 # the verdict at half the smallest effect of interest (improves)
    readings: str = ""             # the claim under the other declared readings: estimate, verdict (not counted)

    @property
    def kind(self) -> str:
        """The vocabulary word without its qualifiers ('not reproduced (reversed)' -> 'not reproduced')."""
        return self.word.split(" (")[0]


def _points(unit: str) -> str:
    return " points" if unit.strip() == "%" else unit


def _check_declared(claim: Claim, ev: Evidence) -> None:
    """A verdict is computed only from what the claim declared: its measure and its test over runs."""
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


def gate(claim: Claim, ev: Evidence) -> str:
    """Why this run cannot test ``claim`` ("" when it can): inputs only, never an outcome of the arms."""
    if not ev.applicable:
        return ev.reason or "not testable in this run"
    if ev.n == 0:
        return ev.reason or "no finished run to test it on"
    if claim.dataset and ev.dataset and ev.dataset != claim.dataset:
        return f"the claim is about {_named(claim.dataset)}; this run trained on {_named(ev.dataset)}"
    share = _share(claim, ev)
    if share is not None and share < MIN_BUDGET_SHARE:
        return (f"trained with {_pct(share)} of {claim.budget_source} budget ({ev.budget:,g} of "
                f"{claim.seed_budget:,g}), under the {MIN_BUDGET_SHARE:.0%} gate")
    return ""


def _named(dataset: str) -> str:
    return PRETTY.get(dataset, dataset)


def _share(claim: Claim, ev: Evidence) -> float | None:
    if claim.seed_budget is None or ev.budget is None or ev.budget >= claim.seed_budget:
        return None
    return ev.budget / claim.seed_budget


def _pct(share: float) -> str:
    return "<1 %" if 0 < share < 0.005 else f"{share:.0%}".replace("%", " %")


def judge(claim: Claim, evidence: Evidence) -> Verdict:
    """The verdict on one claim tested alone (a family of one): see :func:`judge_all`."""
    return judge_all([(claim, evidence)])[0]


def judge_all(pairs) -> list[Verdict]:
    """The verdicts on a study's claims, judged once as one family, in the order of :data:`RULE`."""
    pairs = list(pairs)
    for claim, ev in pairs:
        _check_declared(claim, ev)
    tested = [not gate(c, e) and e.n >= MIN_SEEDS for c, e in pairs]
    raw = [_family_p(c, e) if t else float("nan") for (c, e), t in zip(pairs, tested)]
    adjusted = holm(raw)
    family = sum(1 for p in raw if p == p)
    out = []
    for (claim, ev), t, p, adj in zip(pairs, tested, raw, adjusted):
        factor = 1.0 if p != p else (adj / p if p > 0 else float(family))
        out.append(_verdict(claim, ev, p, adj, max(1.0, factor), family))
    return out


def _family_p(claim: Claim, ev: Evidence) -> float:
    """The one p a claim brings to the study's Holm family (NaN: none, e.g. no spread or a yes/no claim)."""
    if claim.kind == "improves":
        return ev.comparison.p
    if claim.kind == "absolute":
        return _one_run(claim, ev).p
    return float("nan")


def _one_run(claim: Claim, ev: Evidence) -> OneRun:
    return one_run_interval(ev.values, claim.seed_value, m_ours=ev.m_ours if claim.seed_images else None,
                            m_seed=claim.seed_images)


def _verdict(claim: Claim, ev: Evidence, p: float, adj: float, factor: float, family: int) -> Verdict:
    why_not = gate(claim, ev)
    extra = f"; supporting, not counted: {ev.supporting}" if ev.supporting else ""
    share = _share(claim, ev)
    budget = f"at {_pct(share)} of {claim.budget_source} budget" if share is not None else ""
    if why_not:
        ours = _ours_plain(claim, ev) if ev.applicable and ev.n else "—"
        pointed = _pointed(claim, ev) if ev.applicable and ev.n else ""
        return Verdict("not tested here", ours, why_not + (f"; {pointed}" if pointed else "") + extra,
                       short_budget=_pct(share) if share is not None else "")
    if ev.n < MIN_SEEDS:
        qual = "; ".join(x for x in (f"{ev.n} seed{'s' if ev.n != 1 else ''}", budget) if x)
        return Verdict(f"indicative ({qual})", _ours_plain(claim, ev), f"fewer than {MIN_SEEDS} seeds: no verdict{extra}",
                       claim.declared_test, short_budget=_pct(share) if share is not None else "")
    level = 1 - ALPHA / factor
    if claim.kind == "improves":
        word, ours, detail, check, fragile, half = _improves(claim, ev, level)
    elif claim.kind == "absolute":
        word, ours, detail, check, fragile, half = _absolute(claim, ev, level)
    else:
        word, ours, detail, check, fragile, half = _qualitative(claim, ev)
    if p == p:
        detail += (f"; {claim.declared_test}, p = {p:.3g}, Holm-adjusted over the study's {family} tested claims: "
                   f"{adj:.3g}, so the interval is at {level:.1%}")
    word = f"{word}{' (' + budget + ')' if budget else ''}" if "(" not in word or not budget else \
        word[:-1] + f"; {budget})"
    return Verdict(word, ours, detail + extra, claim.declared_test if p == p else "", p, adj,
                   _pct(share) if share is not None else "", check, fragile, half)


@dataclass(frozen=True)
class Reading:
    """One declared way to fill what a seed left unsaid (widths, batch size, schedule, budget): its name, the
    settings it fixes, and where it comes from (a named reference, the seed's framework default, or ours with
    the reason). A study declares its readings before the run; one of them is the reference, which decides."""
    name: str
    settings: dict
    source: str
    reference: bool = False


def judge_readings(pairs, others: dict | None = None) -> list[Verdict]:
    """The reference reading's verdicts (the study's Holm family, the only ones counted), each carrying the same
    claim under every other reading run (``others``: reading name -> (Claim, Evidence) pairs in the same order,
    judged as a family of their own): estimate, verdict, and whether the effect differs between the readings
    (a difference of verdicts at three seeds is not evidence; a test of the difference of the effects is). A
    reading that cannot test a claim says why, as the gate words it."""
    pairs = list(pairs)
    verdicts = judge_all(pairs)
    texts = [[] for _ in pairs]
    for name, other in (others or {}).items():
        other = list(other)
        if [c.key for c, _ in other] != [c.key for c, _ in pairs]:
            raise ValueError(f"reading {name!r} must judge the same claims in the same order as the reference")
        for i, ((claim, ev), (_, ev2), v2) in enumerate(zip(pairs, other, judge_all(other))):
            why = f" ({gate(claim, ev2)})" if gate(claim, ev2) else ""
            texts[i].append(f"{name}: {v2.ours}: {v2.word}{why}{_between(claim, ev, ev2)}")
    return [replace(v, readings="; ".join(t)) if t else v for v, t in zip(verdicts, texts)]


def _between(claim: Claim, ev: Evidence, ev2: Evidence) -> str:
    """Whether a comparison's effect differs between two readings (Welch–Satterthwaite on the two se's)."""
    if claim.kind != "improves" or gate(claim, ev) or gate(claim, ev2):
        return ""
    a, b = ev.comparison, ev2.comparison
    if not (a.se > 0 and b.se > 0):
        return ""
    se = math.sqrt(a.se ** 2 + b.se ** 2)
    df = se ** 4 / (a.se ** 4 / a.df + b.se ** 4 / b.df)
    p = float(2 * sps.t.sf(abs(b.mean_diff - a.mean_diff) / se, df))
    said = "the effect depends on this choice" if p < ALPHA else "no significant difference from the reference"
    return f" ({said}: difference of effects p = {p:.2g})"


def _direction(lo: float, hi: float, sesoi: float) -> tuple[str, str]:
    """The four outcomes of a claimed-direction effect's interval [lo, hi] (oriented: positive is the claim)."""
    if lo > sesoi:
        return "reproduced", "the interval lies wholly beyond the smallest effect of interest"
    if lo > 0 and hi >= sesoi:
        return "direction reproduced, size not established", "above zero, but it includes the smallest effect"
    if hi < sesoi:
        if hi < 0:
            return "not reproduced (reversed)", "the interval lies wholly below zero"
        if lo > -sesoi:
            which = "real but smaller" if lo > 0 else "negligible"
            return f"not reproduced ({which})", ("above zero but wholly below the smallest effect" if lo > 0 else
                                                 "the interval lies within ± the smallest effect of interest")
        return "not reproduced (smaller than the smallest effect)", "the interval lies wholly below the smallest effect"
    return "inconclusive", "the interval includes both zero and the smallest effect of interest"


def _improves(claim: Claim, ev: Evidence, level: float):
    c, s, d, pts = ev.comparison, claim.scale, claim.digits, _points(claim.unit)
    sign = 1.0 if claim.higher_is_better else -1.0
    sesoi = claim.sesoi(c.mean_a)
    lo, hi = c.interval(level)
    shown = f"{c.mean_diff * s:+.{d}f}{pts}"
    if lo != lo:
        return ("inconclusive", shown + " (no spread over seeds)",
                "every seed gave the same value in both arms: no spread, so no test and no p",
                _size(claim, c), "", "")
    olo, ohi = sorted((sign * lo, sign * hi))
    word, why = _direction(olo, ohi, sesoi)
    half_word, _ = _direction(olo, ohi, sesoi / 2)
    ours = f"{shown} ({level:.1%} CI {lo * s:+.{d}f} to {hi * s:+.{d}f}, Holm-adjusted)"
    detail = f"{why} ({SESOI[claim.metric_kind].text} = {sesoi * s:.{d}f}{pts})"
    if claim.seed_effect is not None and abs(claim.seed_effect) < sesoi:
        detail += (f"; the seed's single-run difference ({claim.seed_effect * s:+.{d}f}{pts}) is itself below this "
                   "metric's smallest effect of interest, so an exact replication of it would not count as an effect")
    fragile = f"80 % power to detect ±{c.detectable(1 - level) * s:.{d}f}{pts} at this level"
    return word, ours, detail, _size(claim, c), fragile, f"at half the smallest effect: {half_word}"


def _size(claim: Claim, c: Comparison) -> str:
    """The size question: the seed's difference against where one more pair of our runs' difference would fall."""
    if claim.seed_effect is None:
        return "the seed gave no difference"
    s, d, pts = claim.scale, claim.digits, _points(claim.unit)
    lo, hi = c.size_interval()
    if lo != lo:
        return "no interval (too few runs or no spread)"
    inside = lo <= claim.seed_effect <= hi
    where = "inside" if inside else ("above" if claim.seed_effect > hi else "below")
    return (f"the seed's {claim.seed_effect * s:+.{d}f}{pts} lies {where} our 95 % interval for one pair of runs, "
            f"{lo * s:+.{d}f} to {hi * s:+.{d}f}")


def _absolute(claim: Claim, ev: Evidence, level: float):
    s, d, u, pts = claim.scale, claim.digits, claim.unit, _points(claim.unit)
    r = _one_run(claim, ev)
    lo, hi = r.interval(level)
    final = ""
    if ev.final:
        fm = sum(ev.final) / len(ev.final)
        final = f"; final epoch {fm * s:.{d}f}{u}"
    shown = f"{r.mean * s:.{d}f}{u} ± {r.sd * s:.{d}f} over {r.n} runs ({claim.seed_measured}{final})"
    if lo != lo:
        return ("inconclusive", shown, "every run gave the same value: no spread, no interval", "", "", "")
    check = (f"the seed's {claim.seed_value * s:.{d}f}{u} against our {level:.1%} one-run prediction interval "
             f"{lo * s:.{d}f} to {hi * s:.{d}f}{u}")
    if lo <= claim.seed_value <= hi:
        return ("consistent with the seed's run", shown, "inside our one-run interval: three seeds cannot tell it apart",
                check, f"{min(claim.seed_value - lo, hi - claim.seed_value) * s:.{d}f}{pts} inside the nearer edge", "")
    gap = (r.mean - claim.seed_value) * s
    way = "higher" if gap > 0 else "lower"
    return (f"differs from the seed's run (ours {way} by {abs(gap):.{d}f}{pts})", shown,
            "outside our one-run interval" + ("; a discrepancy to explain (recipe, the seed's choice of its best "
                                              "run, evaluation set, data), not a win" if (gap > 0) == claim.higher_is_better
                                              else ""),
            check, f"{min(abs(claim.seed_value - lo), abs(claim.seed_value - hi)) * s:.{d}f}{pts} outside the nearer edge",
            "")


def _qualitative(claim: Claim, ev: Evidence):
    held = [bool(v) for v in ev.values]
    k, n = sum(held), len(held)
    lo, hi = rate_interval(k, n)
    ours = f"{k} of {n} seeds (rate 95 % CI {_pct(lo)} to {_pct(hi)})"
    if k == n:
        return "reproduced", ours, "held in every seed", "", f"a rate as low as {_pct(lo)} is not ruled out", ""
    if k == 0:
        return "not reproduced", ours, "held in no seed", "", f"a rate as high as {_pct(hi)} is not ruled out", ""
    return "inconclusive", ours, "held in some seeds only", "", "", ""


def _ours_plain(claim: Claim, ev: Evidence) -> str:
    """Our number without an interval (context for rows without a verdict)."""
    s, u, d = claim.scale, claim.unit, claim.digits
    if claim.kind == "qualitative":
        return f"{sum(bool(v) for v in ev.values)} of {len(ev.values)} seeds"
    if claim.kind == "improves":
        d_ = ev.comparison.mean_diff
        return f"{d_ * s:+.{d}f}{_points(u)}" if d_ == d_ else "— (not measurable in these runs)"
    return f"{sum(ev.values) / len(ev.values) * s:.{d}f}{u} ({claim.seed_measured})"


def _pointed(claim: Claim, ev: Evidence) -> str:
    """Which way an untested row pointed, as context (no verdict)."""
    if claim.kind == "improves":
        d = ev.comparison.mean_diff * (1 if claim.higher_is_better else -1)
        if d != d:
            return ""
        return "our runs pointed " + ("the claimed way" if d > 0 else "against the claim" if d < 0 else "nowhere")
    if claim.kind == "absolute":
        m = sum(ev.values) / len(ev.values)
        return f"ours {'above' if m > claim.seed_value else 'below'} the seed's number"
    k = sum(bool(v) for v in ev.values)
    return f"held in {k} of {len(ev.values)} seeds"


def claim_row(claim: Claim, v: Verdict, scope: str) -> dict:
    """A judged claim as the page's table, summary.json, the index and the terminal summary read it."""
    adjusted = "" if v.p_holm != v.p_holm else f"{v.p_holm:.3g} (raw {v.p:.3g})"
    return {"key": claim.key, "seed": claim.seed, "claim": claim.words, "metric": claim.margin_text(),
            "seed_value": claim.seed_text(), "ours": v.ours, "verdict": v.word, "detail": v.detail,
            "scope": scope, "addition": claim.addition, "test": v.test, "p": None if v.p != v.p else v.p,
            "p_holm": None if v.p_holm != v.p_holm else v.p_holm, "p_holm_text": adjusted or "—",
            "short_budget": v.short_budget, "seed_check": v.seed_check, "fragility": v.fragility, "half": v.half,
            "readings": v.readings}


def claim_finding(lead: str, row: dict, scope: str) -> str:
    """A page's finding from its deciding claim's judged row, so that the headline states the number, the
    test and the Holm-adjusted p the verdict was reached with, never a second test of the same arms."""
    test = f", {row['test']}" if row.get("test") else ""
    p = f", Holm-adjusted p {row['p_holm_text']}" if row.get("p_holm_text", "—") != "—" else ""
    return f"{lead}: {row['ours']}{test}{p}: {row['verdict']} ({scope})."


@dataclass
class Family:
    """A study's claims judged once, as its declared Holm family: what a page renders and never re-judges.

    ``rows``: one :func:`claim_row` per claim, in the declared order; ``notes``: markdown lines the study
    states beside the table (built from the same runs); ``finding``: the study's one-line answer for the index,
    built from a judged row (:meth:`headline`)."""
    rows: list[dict]
    caption: str = "The seeds' claims against this run"
    notes: list[str] = field(default_factory=list)
    finding: str = ""

    def row(self, key: str) -> dict:
        return next(r for r in self.rows if r["key"] == key)

    def headline(self, lead: str, key: str, scope: str) -> "Family":
        """Set the finding from claim ``key``'s judged row (its number, test and Holm-adjusted p), so the
        headline is never a second test of the same arms."""
        self.finding = claim_finding(lead, self.row(key), scope)
        return self


def judge_family(pairs, *, scope: str = "", readings: dict | None = None,
                 caption: str = "The seeds' claims against this run") -> Family:
    """Judge a study's (Claim, Evidence) pairs once, as one family (:func:`judge_readings`: the reference
    reading counted, every other reading run shown beside it), into the rows a page renders. ``scope``: what
    the runs were, beside each row (default: each evidence's own)."""
    pairs = list(pairs)
    verdicts = judge_readings(pairs, readings)
    return Family([claim_row(c, v, scope or e.scope) for (c, e), v in zip(pairs, verdicts)], caption=caption)


def tally(rows: list[dict]) -> dict:
    """The reproducibility summary from claim rows (as pages store them): counts by verdict word, the rows
    short of the seed's budget (tested or not), and the rows not tested here with their reasons."""
    kinds = [str(r.get("verdict", "not tested here")).split(" (")[0] for r in rows]
    return {"claims": len(rows), **{w: kinds.count(w) for w in VERDICTS},
            "short_budget": sum(1 for r in rows if r.get("short_budget")),
            "not_testable": [f"{r.get('claim', '?')}: {r.get('detail', '')}" for r, k in zip(rows, kinds)
                             if k == "not tested here"]}


__all__ = ["ALPHA", "BUDGET_NOTE", "Claim", "EVERY_SEED", "Evidence", "Family", "MCNEMAR", "MIN_BUDGET_SHARE", "MIN_SEEDS",
           "ONE_RUN", "RULE", "Reading", "SESOI", "STATUS", "VERDICTS", "Verdict", "gate", "judge", "judge_all",
           "judge_family", "judge_readings", "claim_row", "rule_text", "tally"]
