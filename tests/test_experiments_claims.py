"""The verdict rule, each word of its vocabulary, and sentences built from numbers both ways."""
import pytest

from lib.experiments import stats
from lib.experiments import VERDICTS, Claim, Evidence, RunResult, RunSet, judge, sentences

ACC = Claim("acc", "000", "reaches 70 %", "test accuracy", kind="absolute", seed_value=0.70, tolerance=0.005,
            seed_budget=15)
IMPROVES = Claim("bn", "000", "BN improves accuracy", "test accuracy", kind="improves", margin=0.01,
                 test=stats.PAIRED)
IMPROVES_BY = Claim("reg", "002", "regularisation improves val accuracy", "val accuracy", kind="improves",
                    seed_effect=0.0048, test=stats.PAIRED)
LOSS_DROPS = Claim("loss", "002", "val loss drops", "val loss", kind="improves", higher_is_better=False,
                   scale=1.0, unit="", margin=0.01, test=stats.PAIRED)
STABLE = Claim("stable", "003", "no mode collapse", "classes covered", kind="qualitative")


def _cmp(a, b):
    return stats.paired_comparison(a, b)


@pytest.mark.parametrize("values, word", [
    ([0.7001, 0.6999, 0.7002], "reproduced"),
    ([0.701, 0.699, 0.704], "inconclusive"),  # the mean is within tolerance, the interval is not
    ([0.73, 0.74, 0.735], "beaten"),
    ([0.60, 0.61, 0.605], "not reproduced"),
    ([0.60, 0.80, 0.75], "inconclusive"),
])
def test_absolute_claims_at_full_budget(values, word):
    assert judge(ACC, Evidence(values=values, budget=15)).word == word


def test_a_short_budget_is_stated_beside_the_verdict_whichever_way_it_points():
    short = judge(ACC, Evidence(values=[0.60, 0.61, 0.605], budget=6))
    assert short.word == "not reproduced (at 40 % of the seed's budget)" and short.kind == "not reproduced"
    beaten = judge(ACC, Evidence(values=[0.73, 0.74, 0.735], budget=6))
    assert beaten.word == "beaten (at 40 % of the seed's budget)" and beaten.short_budget == "40 %"


@pytest.mark.parametrize("n", [1, 2])
def test_fewer_than_three_seeds_is_only_indicative(n):
    v = judge(ACC, Evidence(values=[0.9] * n, budget=15))
    assert v.word == f"indicative ({n} seed{'s' if n > 1 else ''})" and v.kind == "indicative"
    c = _cmp([0.5] * n, [0.6] * n)
    assert judge(IMPROVES, Evidence(comparison=c)).kind == "indicative"


def test_improvement_claims():
    assert judge(IMPROVES, Evidence(comparison=_cmp([0.67, 0.67, 0.68], [0.72, 0.73, 0.73]))).word == "reproduced"
    assert judge(IMPROVES, Evidence(comparison=_cmp([0.72, 0.73, 0.73], [0.67, 0.67, 0.68]))).word == \
        "not reproduced"
    assert judge(IMPROVES, Evidence(comparison=_cmp([0.70, 0.71, 0.72], [0.71, 0.70, 0.725]))).word == \
        "inconclusive"


def test_an_improvement_smaller_than_the_seeds_own_is_not_reproduced():
    # ours: +0.0 ± tiny; the seed's +0.48 points lies above our interval
    c = _cmp([0.900, 0.910, 0.920], [0.9001, 0.9099, 0.9202])
    assert judge(IMPROVES_BY, Evidence(comparison=c)).word == "not reproduced"
    # a noisy interval that still includes +0.48 points stays inconclusive
    c = _cmp([0.90, 0.91, 0.92], [0.91, 0.90, 0.925])
    assert judge(IMPROVES_BY, Evidence(comparison=c)).word == "inconclusive"


def test_lower_is_better_claims_flip_the_sign():
    drop = _cmp([0.35, 0.36, 0.34], [0.29, 0.30, 0.295])
    assert judge(LOSS_DROPS, Evidence(comparison=drop)).word == "reproduced"
    rise = _cmp([0.29, 0.30, 0.295], [0.35, 0.36, 0.34])
    assert judge(LOSS_DROPS, Evidence(comparison=rise)).word == "not reproduced"


def test_qualitative_claims():
    assert judge(STABLE, Evidence(values=[1, 1, 1])).word == "reproduced"
    assert judge(STABLE, Evidence(values=[0, 0, 0])).word == "not reproduced"
    assert judge(STABLE, Evidence(values=[1, 0, 1])).word == "inconclusive"


def test_not_applicable_and_no_runs_are_na_with_the_reason():
    v = judge(ACC, Evidence(values=[0.5] * 3, applicable=False, reason="ran CIFAR-10, the claim is on CIFAR-100"))
    assert v.word == "n/a" and "CIFAR-100" in v.detail
    assert judge(ACC, Evidence(values=[])).word == "n/a"


def test_every_word_judge_can_return_is_defined_in_the_legend():
    cases = [judge(ACC, Evidence(values=v, budget=b)) for v, b in
             (([0.7001, 0.6999, 0.7002], 15), ([0.73, 0.74, 0.735], 15), ([0.6, 0.61, 0.605], 15), ([0.6, 0.8, 0.75], 15),
              ([0.6, 0.61, 0.605], 6), ([0.7], 15))] + [judge(ACC, Evidence(values=[], applicable=False))]
    assert {v.kind for v in cases} == set(VERDICTS)


def test_claim_records_refuse_an_unknown_kind_and_an_absolute_claim_without_a_number():
    with pytest.raises(ValueError):
        Claim("x", "0", "w", "m", kind="vibes")
    with pytest.raises(ValueError):
        Claim("x", "0", "w", "m", kind="absolute")


def test_comparison_sentence_follows_the_numbers_both_ways():
    up = sentences.comparison("plain", "BN", "test accuracy", _cmp([0.67, 0.67, 0.68], [0.72, 0.73, 0.73]))
    down = sentences.comparison("plain", "BN", "test accuracy", _cmp([0.72, 0.73, 0.73], [0.67, 0.67, 0.68]))
    flat = sentences.comparison("a", "b", "test accuracy", _cmp([0.70, 0.71, 0.72], [0.71, 0.70, 0.725]))
    assert "BN − plain: +5." in up and "BN higher" in up and "larger than seed-to-seed noise" in up
    assert "favour" in up and "BN − plain: -5." in down and "BN lower" in down and "disfavour" in down
    assert "not distinguishable" in flat


def test_two_seeds_show_no_interval_or_p_value():
    text = sentences.comparison("a", "b", "acc", _cmp([0.1, 0.2], [0.3, 0.1]))
    assert "CI" not in text and "p =" not in text and "indicative" in text


def test_ratio_sentence_states_the_measured_ratio_not_an_adjective():
    text = sentences.ratio("plain", "BN", "time per epoch", [28.0, 29.0], [42.0, 43.0])
    assert "1.49×" in text and "faster" not in text


def test_runset_pairs_by_seed_and_skips_failed_runs():
    rs = RunSet()
    for seed, (a, b) in enumerate([(0.5, 0.6), (0.55, 0.66), (0.52, 0.61)]):
        rs.add("a", RunResult(label="a", seed=seed, metrics={"acc": a}, seconds=10))
        rs.add("b", RunResult(label="b", seed=seed, metrics={"acc": b}, seconds=20))
    rs.add("b", RunResult(label="b", seed=3, status="diverged", message="nan", seconds=5))
    rs.add("a", RunResult(label="a", seed=3, metrics={"acc": 0.9}, seconds=10))
    c = rs.paired("a", "b", "acc")
    assert c.n == 3 and c.mean_diff == pytest.approx((0.1 + 0.11 + 0.09) / 3)
    assert len(rs.failed()) == 1 and rs.compute_seconds == pytest.approx(105)
    table = rs.table({"acc": ("acc", 100.0, 1, " %")})
    assert table.loc["b", "seeds"] == 3 and table.loc["a", "seeds"] == 4


def test_verdicts_from_two_seeds_show_no_interval():
    v = judge(IMPROVES, Evidence(comparison=_cmp([0.5, 0.6], [0.6, 0.75])))
    assert "CI" not in v.ours and "p =" not in v.detail and v.kind == "indicative"
    v = judge(ACC, Evidence(values=[0.7, 0.75], budget=15))
    assert "CI" not in v.ours


def test_a_finding_repeats_its_claims_row_and_names_no_test_it_was_not_judged_by():
    row = {"ours": "+2.10 points (95 % CI +1.76 to +2.44)", "test": "McNemar exact",
           "p_holm_text": "1.86e-49 (raw 4.64e-50)", "verdict": "not reproduced"}
    assert sentences.claim_finding("AlexNet − FCN", row, "3 seeds") == (
        "AlexNet − FCN: +2.10 points (95 % CI +1.76 to +2.44), McNemar exact, Holm-adjusted p 1.86e-49 "
        "(raw 4.64e-50): not reproduced (3 seeds).")
    untested = {"ours": "—", "test": "", "p_holm_text": "—", "verdict": "n/a"}
    assert sentences.claim_finding("x", untested, "s") == "x: —: n/a (s)."
