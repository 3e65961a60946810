"""Sentences built from numbers both ways, and runs over seeds (the verdict rule itself: test_verdicts.py)."""
import pytest

from lib.experiments import stats
from lib.experiments import RunResult, RunSet, sentences
from lib.experiments.claims import claim_finding


def _cmp(a, b):
    return stats.paired_comparison(a, b)


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


def test_a_finding_repeats_its_claims_row_and_names_no_test_it_was_not_judged_by():
    row = {"ours": "+2.10 points (97.5 % CI +0.95 to +3.25, Holm-adjusted)", "test": "Welch t",
           "p_holm_text": "0.02 (raw 0.01)", "verdict": "direction reproduced, size not established"}
    assert claim_finding("AlexNet − FCN", row, "3 seeds") == (
        "AlexNet − FCN: +2.10 points (97.5 % CI +0.95 to +3.25, Holm-adjusted), Welch t, Holm-adjusted p 0.02 "
        "(raw 0.01): direction reproduced, size not established (3 seeds).")
    untested = {"ours": "—", "test": "", "p_holm_text": "—", "verdict": "not tested here"}
    assert claim_finding("x", untested, "s") == "x: —: not tested here (s)."
