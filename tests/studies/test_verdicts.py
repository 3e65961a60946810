"""Issue 33: verdicts on the seeds' claims. Each situation is built from made-up evidence and checked against
the verdict the principle gives: the training run as the unit, a seed's number as one run, direction and size
judged apart, no verdict where the run cannot test the claim, Holm within a study, mirrored evidence."""
import importlib
import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats as sps

from lib.experiments import Claim, Evidence, RunResult, RunSet, judge, judge_all
from lib.experiments import stats
from lib.experiments.claims import MIN_BUDGET_SHARE, RULE, SESOI, STATUS, VERDICTS, rule_text, tally
from lib.studies.cifar10_batchnorm import BATCHNORM
from lib.studies.fashion_fcn_vs_alexnet import FCN_VS_ALEXNET
from lib.studies.fashion_regularisation import REGULARISATION

pytestmark = pytest.mark.unit
CLAIM = {c.key: c for c in BATCHNORM + REGULARISATION + FCN_VS_ALEXNET}
ACCURACY = Claim("acc", "000", "A improves accuracy", "test accuracy", kind="improves", measure="test_accuracy",
                 variant="b", baseline="a")


def _welch(mean_diff, half_width, n=3):
    """A Welch comparison of two arms of n runs whose 95 % interval has about this centre and half-width."""
    a = np.linspace(-1, 1, n)
    sd = half_width / sps.t.ppf(0.975, 2 * (n - 1)) / math.sqrt(2 / n)
    base = 0.80 + a * sd / a.std(ddof=1)
    return stats.welch_comparison(base, base[::-1] + mean_diff)


# --- 1. the unit is the training run ------------------------------------------------------------------------

def test_pooled_per_image_evidence_significant_while_the_seeds_spread_is_not_decides_nothing():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 10_000)
    runs = RunSet()
    for seed, (acc_a, acc_b) in enumerate([(0.80, 0.79), (0.78, 0.82), (0.80, 0.84)]):
        for arm, acc in (("a", acc_a), ("b", acc_b)):
            right = rng.random(10_000) < acc
            pred = np.where(right, labels, (labels + 1) % 10)
            runs.add(arm, RunResult(label=arm, seed=seed, metrics={"test_accuracy": float(right.mean())},
                                    artifacts={"test_predictions": pred.tolist()}))
    per_image = runs.mcnemar("a", "b", labels)
    assert per_image.p < 1e-6                       # 30,000 image pairs: "significant"
    note = runs.per_image_note("a", "b", labels)
    v = judge(ACCURACY, runs.evidence(ACCURACY, supporting=note))
    assert v.kind == "inconclusive" and v.test == stats.WELCH   # three runs per arm cannot tell
    assert "McNemar" in v.detail and "test-set noise only" in v.detail and "supporting, not counted" in v.detail
    with pytest.raises(ValueError, match="decided over training runs"):
        Claim("x", "0", "w", "m", kind="improves", test=stats.MCNEMAR)


def test_a_paired_test_is_used_only_where_declared():
    paired = replace(ACCURACY, test=stats.PAIRED)
    c = stats.welch_comparison([0.80, 0.81, 0.82], [0.83, 0.84, 0.85])
    with pytest.raises(ValueError, match="declares the paired t test"):
        judge(paired, Evidence(comparison=c))
    runs = RunSet()
    for seed, (a, b) in enumerate([(0.80, 0.83), (0.81, 0.84), (0.82, 0.85)]):
        runs.add("a", RunResult(label="a", seed=seed, metrics={"test_accuracy": a}))
        runs.add("b", RunResult(label="b", seed=seed, metrics={"test_accuracy": b}))
    assert runs.evidence(paired).comparison.test == stats.PAIRED
    assert runs.evidence(ACCURACY).comparison.test == stats.WELCH


# --- 2. a seed's number is one run, measured the seed's way ------------------------------------------------

SEED_RUN = Claim("one", "004", "reached 93.14 %", "test accuracy", seed_value=0.9314,
                 seed_measured="maximum over epochs", measure="max_test_accuracy", variant="cnn")


def test_the_one_run_interval_is_the_prediction_interval_for_one_more_run():
    values = [0.925, 0.930, 0.935]
    r = stats.one_run_interval(values, 0.9314)
    half = sps.t.ppf(0.975, 2) * np.std(values, ddof=1) * math.sqrt(1 + 1 / 3)
    assert r.interval() == pytest.approx((0.93 - half, 0.93 + half))
    with_images = stats.one_run_interval(values, 0.9314, m_ours=10_000, m_seed=10_000)
    term = 0.93 * 0.07 * (2 / 10_000)
    assert with_images.scale == pytest.approx(math.sqrt((half / sps.t.ppf(0.975, 2)) ** 2 + term))


def test_a_seeds_number_inside_our_one_run_interval_is_consistent_never_reproduced():
    v = judge(SEED_RUN, Evidence(values=[0.925, 0.930, 0.935]))
    assert v.word == "consistent with the seed's run" and v.kind != "reproduced"
    assert "one-run prediction interval" in v.seed_check and "93.14" in v.seed_check
    assert "maximum over epochs" in v.ours


def test_a_seeds_number_outside_our_interval_says_which_way_and_how_far_and_a_higher_number_is_no_win():
    higher = judge(SEED_RUN, Evidence(values=[0.950, 0.951, 0.952]))
    lower = judge(SEED_RUN, Evidence(values=[0.900, 0.901, 0.902]))
    assert higher.word == "differs from the seed's run (ours higher by 1.96 points)"
    assert "discrepancy to explain" in higher.detail and "not a win" in higher.detail
    assert lower.word == "differs from the seed's run (ours lower by 3.04 points)"
    assert "beaten" not in VERDICTS


def test_a_maximum_over_epochs_is_measured_as_the_seed_measured_it_with_the_final_epoch_beside():
    from lib.studies.fashion_fcn_vs_alexnet import ALEXNET, FCN, RIVAL, max_test_accuracy

    runs = RunSet()
    for seed in range(3):
        for arm, curve in ((FCN, [0.86, 0.88, 0.87]), (RIVAL, [0.85, 0.89 + seed / 1000, 0.86]),
                           (ALEXNET, [0.90, 0.93, 0.92])):
            runs.add(arm, RunResult(label=arm, seed=seed, history={"test_accuracy": curve},
                                    metrics={"test_accuracy": curve[-1]}))
    max_test_accuracy(runs)
    assert runs.values(FCN, "max_test_accuracy") == pytest.approx([0.89, 0.891, 0.892])  # over both FCNs
    assert runs.values(ALEXNET, "max_test_accuracy") == pytest.approx([0.93] * 3)
    ev = runs.evidence(CLAIM["s3.fcn"], final="test_accuracy", budget=50)
    assert ev.final == pytest.approx([0.87] * 3)
    assert "final epoch 87.00 %" in judge(CLAIM["s3.fcn"], ev).ours


# --- 3. direction and size are two questions ---------------------------------------------------------------

@pytest.mark.parametrize("centre, half, word", [
    (0.030, 0.010, "reproduced"),                                            # wholly beyond +1 point
    (0.012, 0.008, "direction reproduced, size not established"),            # above 0, includes +1
    (-0.030, 0.010, "not reproduced (reversed)"),                            # wholly below 0
    (0.000, 0.005, "not reproduced (negligible)"),                           # within ±1
    (0.005, 0.003, "not reproduced (real but smaller)"),                     # above 0, below +1
    (0.005, 0.020, "inconclusive"),                                          # 0 and +1 both inside
])
def test_each_direction_outcome_on_the_interval(centre, half, word):
    v = judge(ACCURACY, Evidence(comparison=_welch(centre, half)))
    assert v.word == word, (v.ours, v.detail)
    assert v.half.startswith("at half the smallest effect: ")


def test_a_significant_effect_smaller_than_the_seeds_difference_is_reproduced_and_the_size_is_a_separate_column():
    claim = replace(CLAIM["s3.alexnet_better"], seed_budget=None)
    v = judge(claim, Evidence(comparison=_welch(0.021, 0.003)))
    assert v.word == "reproduced"                       # +2.1 points beyond the 1-point SESOI, not the seed's 4.68
    assert "lies above our 95 % interval for one pair of runs" in v.seed_check and "+4.68" in v.seed_check


def test_the_size_interval_uses_per_arm_sds_and_welch_satterthwaite():
    a, b = np.array([0.80, 0.81, 0.83]), np.array([0.84, 0.84, 0.86])
    c = stats.welch_comparison(a, b)
    va, vb = (4 / 3) * a.var(ddof=1), (4 / 3) * b.var(ddof=1)
    nu = (va + vb) ** 2 / (va ** 2 / 2 + vb ** 2 / 2)
    half = sps.t.ppf(0.975, nu) * math.sqrt(va + vb)
    assert c.size_interval() == pytest.approx((b.mean() - a.mean() - half, b.mean() - a.mean() + half))


def test_a_seed_effect_below_the_smallest_effect_of_interest_is_said_to_be_unreproducible():
    v = judge(CLAIM["s2.val_accuracy"], Evidence(comparison=_welch(0.005, 0.01), dataset="fashion_mnist"))
    assert "single-run difference (+0.48 points) is itself below this metric's smallest effect" in v.detail


def test_a_relative_smallest_effect_is_a_share_of_the_baseline_arm():
    loss = CLAIM["s2.val_loss"]
    assert SESOI["loss"].relative and loss.sesoi(0.30) == pytest.approx(0.015)
    base = np.array([0.300, 0.305, 0.310])
    v = judge(loss, Evidence(comparison=stats.welch_comparison(base, base - 0.05), dataset="fashion_mnist"))
    assert v.word == "reproduced"      # −0.05 with a tight interval, beyond 5 % of 0.305


def test_no_spread_over_seeds_gives_no_p_of_zero_and_no_verdict():
    c = stats.welch_comparison([10.0, 10.0, 10.0], [9.0, 9.0, 9.0])
    assert math.isnan(c.p) and all(math.isnan(x) for x in c.interval())
    claim = Claim("cov", "000", "covers more classes", "classes", kind="improves", metric_kind="classes",
                  scale=1.0, unit=" classes")
    other = replace(ACCURACY, key="other")
    verdicts = judge_all([(claim, Evidence(comparison=c)), (other, Evidence(comparison=_welch(0.03, 0.01)))])
    assert verdicts[0].kind == "inconclusive" and "no spread" in verdicts[0].detail and verdicts[0].test == ""
    assert math.isnan(verdicts[0].p)
    assert "over the study's 1 tested claims" in verdicts[1].detail     # the untestable one is not in the family


def test_a_yes_no_property_carries_its_uncertainty_both_ways():
    prop = Claim("yes", "003", "no collapse", "not collapsed", kind="qualitative")
    none, every = judge(prop, Evidence(values=[0, 0, 0])), judge(prop, Evidence(values=[1, 1, 1]))
    assert none.kind == "not reproduced" and "0 % to 71 %" in none.ours
    assert every.kind == "reproduced" and "29 % to 100 %" in every.ours
    assert stats.rate_interval(0, 3)[1] == pytest.approx(1 - 0.025 ** (1 / 3))


# --- 4. no verdict where the run cannot test the claim -----------------------------------------------------

@pytest.mark.parametrize("centre", [0.03, -0.03])
def test_a_row_below_the_budget_gate_is_not_tested_here_whichever_way_it_points(centre):
    claim = replace(ACCURACY, seed_budget=100)
    v = judge(claim, Evidence(comparison=_welch(centre, 0.005), budget=1))
    assert v.word == "not tested here" and v.short_budget == "1 %"
    assert f"under the {MIN_BUDGET_SHARE:.0%} gate" in v.detail
    assert ("the claimed way" if centre > 0 else "against the claim") in v.detail
    tested = judge(claim, Evidence(comparison=_welch(centre, 0.005), budget=80))
    assert "at 80 % of the seed's budget" in tested.word


@pytest.mark.parametrize("values", [[0.96, 0.961, 0.962], [0.90, 0.901, 0.902]])
def test_a_row_on_another_dataset_is_not_tested_here_whichever_way_it_points(values):
    claim = replace(SEED_RUN, dataset="cifar100")
    v = judge(claim, Evidence(values=values, dataset="cifar10"))
    assert v.word == "not tested here" and "about CIFAR-100" in v.detail and "trained on CIFAR-10" in v.detail
    assert ("above" if values[0] > 0.93 else "below") in v.detail
    assert math.isnan(v.p)


def test_the_summary_counts_untested_rows_apart_and_every_row_below_the_budget():
    rows = [{"verdict": "not tested here", "short_budget": "1 %", "claim": "a", "detail": "gate"},
            {"verdict": "reproduced (at 80 % of the seed's budget)", "short_budget": "80 %"},
            {"verdict": "not reproduced (reversed)", "short_budget": ""}]
    t = tally(rows)
    assert t["not tested here"] == 1 and t["reproduced"] == 1 and t["not reproduced"] == 1
    assert t["short_budget"] == 2 and t["not_testable"] == ["a: gate"]


# --- Holm, once per study, and the mirrored evidence --------------------------------------------------------

def test_holm_adjusts_a_studys_family_once_and_widens_each_interval_by_its_factor():
    strong, weak = _welch(0.03, 0.005), _welch(0.02, 0.015)
    alone = judge(ACCURACY, Evidence(comparison=weak))
    together = judge_all([(ACCURACY, Evidence(comparison=weak)), (replace(ACCURACY, key="b"), Evidence(comparison=strong))])
    assert together[0].p == pytest.approx(alone.p)
    assert together[0].p_holm == pytest.approx(stats.holm([weak.p, strong.p])[0])
    assert together[1].p_holm == pytest.approx(2 * strong.p)
    level = 1 - 0.05 * strong.p / together[1].p_holm       # 97.5 %
    lo, hi = strong.interval(level)
    assert f"{lo * 100:+.2f} to {hi * 100:+.2f}" in together[1].ours


def test_mirroring_the_evidence_around_the_smallest_effect_swaps_reproduced_and_not_reproduced():
    for centre, half in [(0.03, 0.01), (0.025, 0.004), (0.02, 0.006)]:
        c = _welch(centre, half)
        up = judge(ACCURACY, Evidence(comparison=c))
        mirrored = judge(ACCURACY, Evidence(comparison=c.mirrored(0.01)))
        assert up.kind == "reproduced" and mirrored.kind == "not reproduced"
        flip = judge(replace(ACCURACY, higher_is_better=False), Evidence(comparison=c.mirrored(0.0)))
        assert flip.word == up.word


def test_mirroring_a_seed_number_around_it_swaps_higher_and_lower():
    v = judge(SEED_RUN, Evidence(values=[0.950, 0.951, 0.952]))
    m = judge(SEED_RUN, Evidence(values=[2 * 0.9314 - x for x in [0.950, 0.951, 0.952]]))
    assert v.word.replace("higher", "lower") == m.word


def test_fewer_than_three_seeds_are_indicative_without_interval():
    v = judge(ACCURACY, Evidence(comparison=stats.welch_comparison([0.5, 0.6], [0.6, 0.75])))
    assert v.kind == "indicative" and "CI" not in v.ours
    assert judge(SEED_RUN, Evidence(values=[0.93])).word == "indicative (1 seed)"


# --- the declared records -----------------------------------------------------------------------------------

def test_a_verdict_from_anything_but_the_declared_measure_and_test_is_refused():
    claim = CLAIM["s2.val_accuracy"]
    welch = stats.welch_comparison([0.88, 0.885, 0.89], [0.89, 0.895, 0.9])
    with pytest.raises(ValueError, match="declares 'held_out_accuracy'"):
        judge(claim, Evidence(comparison=welch, measure="test_accuracy"))
    with pytest.raises(ValueError, match="declares the Welch t test"):
        judge(claim, Evidence(comparison=stats.paired_comparison([0.88, 0.885, 0.89], [0.89, 0.895, 0.9])))
    with pytest.raises(ValueError, match="metric_kind"):
        Claim("x", "0", "w", "m", kind="improves", metric_kind="points")


def test_every_claim_record_declares_its_metric_kind_test_and_gate_once():
    s5 = importlib.import_module("lib.studies.cifar100_vgg_synthetic.claims")  # the package's claims() shadows it
    s4 = importlib.import_module("lib.studies.fashion_gans.claims")

    records = BATCHNORM + REGULARISATION + FCN_VS_ALEXNET + [
        s4.REALISTIC, s4.NO_COLLAPSE, s4.STABLE, s4.BN_QUALITY, s4.BN_COLLAPSE, s5.TEST_ACCURACY,
        s5.TRAIN_ACCURACY, s5.GENERALISATION, s5.OVERFITTING, s5.BEATS_RESNET, s5.BEATS_IMAGENET]
    assert len({c.key for c in records}) == len(records)
    for c in records:
        assert c.metric and c.declared_test and c.dataset, c.key
        assert c.metric_kind in SESOI
        if c.kind == "improves":
            assert c.test == stats.WELCH and c.test in c.margin_text()
    assert s4.BN_QUALITY.seed_budget == 11_750 and "DCGAN tutorial" in s4.BN_QUALITY.budget_source


def test_study_4_and_5_claims_gate_on_budget_and_dataset():
    s5 = importlib.import_module("lib.studies.cifar100_vgg_synthetic.claims")  # the package's claims() shadows it
    s4 = importlib.import_module("lib.studies.fashion_gans.claims")

    runs = RunSet()
    for seed in range(3):
        for arm, acc in (("real", 0.50 + 0.01 * seed), ("mix", 0.44 - 0.01 * seed), ("cas", 0.32)):
            runs.add(arm, RunResult(label=arm, seed=seed, metrics={"test_accuracy": acc + 0.001 * seed,
                                                                   "train_accuracy": 0.7}))
    setting = s5.Setting(real="real", cas="cas", mixed="mix", seed_vgg="", imagenet="", comparable=False,
                         dataset="cifar10", why_not="CIFAR-10 fallback", cas_passed=True, gated="", overfits=True,
                         imagenet_why="no weights offline", resnet_why="not made")
    pairs = s5.claims(runs, setting, share=0.6)
    verdicts = {c.key: v for (c, _), v in zip(pairs, judge_all(pairs))}
    assert verdicts["synthetic_generalisation"].word == "not tested here"
    assert "about CIFAR-100" in verdicts["synthetic_generalisation"].detail
    assert "against the claim" in verdicts["synthetic_generalisation"].detail
    assert verdicts["seed_test_accuracy"].word == "not tested here"
    assert verdicts["cas_class_signal"].kind == "reproduced"            # our addition: no dataset gate
    gans = RunSet()
    for seed in range(3):
        for arm, fid in (("vanilla", 40.0 + seed), ("vanilla_nobn", 42.0 - seed)):
            gans.add(arm, RunResult(label=arm, seed=seed, metrics={"fid": fid, "classes_covered": 8},
                                    artifacts={"steps": 320, "untrained": {"fid": 230.0}}))
    bn = judge_all(s4.batchnorm_claims(gans, {"fid": 2.0}, "fashion_mnist", "3 seeds"))
    assert [v.word for v in bn] == ["not tested here"] * 2 and all("11,750" in v.detail for v in bn)
    assert all(v.word == "not tested here" for v in judge_all(s4.seed003_claims([], {}, "fashion_mnist", "none")))


# --- one set of definitions for the code, the pages and the index ------------------------------------------

def test_the_rule_text_and_the_index_legend_come_from_the_definitions_the_code_uses(tmp_path):
    import html as h
    import json

    from lib.report import index
    from lib.studies.registry import STUDIES

    text = rule_text()
    for name, meaning in RULE:
        assert name in text and meaning in text
    for kind in SESOI.values():
        assert kind.text in text and kind.why in text
    for name, meaning in stats.TESTS.items():
        assert name in text and meaning in text
    key = next(iter(STUDIES))
    build, reports = tmp_path / "build", tmp_path / "reports"
    (build / key).mkdir(parents=True)
    reports.mkdir()
    (reports / STUDIES[key].page).write_text("<html></html>")
    row = {"claim": "c", "verdict": "not reproduced (reversed; at 80 % of the seed's budget)", "short_budget": "80 %",
           "test": stats.WELCH, "p_holm_text": "0.01 (raw 0.005)", "seed_check": "the seed's +4.68 lies above",
           "fragility": "80 % power to detect ±1.00 points"}
    (build / key / "summary.json").write_text(json.dumps(
        {"title": "t", "status": "ok", "claims": [row], "compute_seconds": 120.0,
         "completeness": {"status": "partial", "reasons": ["fewer than three seeds"]}}))
    page = " ".join(h.unescape(index.build_index("t", build, reports, {key: {"status": "ok"}}).read_text()).split())
    for word, meaning in {**VERDICTS, **STATUS}.items():
        assert word in page and meaning in page
    for name, meaning in RULE:
        assert meaning in page
    assert "1 claims in the table" in page and "1 not reproduced" in page and "0 not tested here" in page
    assert "1 rows (tested or not) ran with less than the seed's budget" in page
    assert "the seed's +4.68 lies above" in page and "80 % power to detect" in page
    assert "partial: fewer than three seeds" in page and "Welch t" in page and "0.01 (raw 0.005)" in page
    assert "Compute spent on the runs behind these pages: 2.0 min" in page


def test_no_notebook_states_a_rule_of_its_own():
    import json
    from pathlib import Path

    for path in sorted(Path("notebooks").glob("0*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                assert "not tested at the seed's budget" not in text and "must not exclude" not in text, path.name
                assert "McNemar" not in text or "supporting" in text, path.name


def test_early_stopping_applied_afterwards_keeps_the_epoch_keras_would_have_kept():
    import keras

    from lib.studies.fashion_regularisation import kept_epoch

    class Holder:
        stop_training = False

    for losses, patience in [([0.5, 0.4, 0.45, 0.3], 1), ([0.5, 0.4, 0.45, 0.41, 0.3, 0.35, 0.36], 2),
                             ([0.5, 0.4, 0.3, 0.2], 1), ([0.5, 0.6, 0.4], 1)]:
        cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)
        holder = Holder()
        cb.set_model(holder)
        cb.on_train_begin()
        for epoch, loss in enumerate(losses):
            cb.on_epoch_end(epoch, {"val_loss": loss})
            if holder.stop_training:
                break
        expected = cb.best_epoch + 1 if holder.stop_training else len(losses)
        assert kept_epoch({"val_loss": losses}, patience) == expected, (losses, patience)


# --- readings ---------------------------------------------------------------------------------------------------

def test_a_reading_beside_the_reference_shows_its_verdict_or_why_it_cannot_test_the_claim_and_is_not_counted():
    from lib.experiments.claims import judge_readings

    ok = Claim("ok", "000", "b improves on a", "test accuracy", kind="improves", measure="test_accuracy",
               variant="b", baseline="a")
    short = replace(ok, key="short")
    reference = [(ok, Evidence(comparison=_welch(0.04, 0.01))), (short, Evidence(comparison=_welch(0.04, 0.01)))]
    reading = [(ok, Evidence(comparison=_welch(0.0, 0.01))),
               (short, Evidence(applicable=False, reason="the window needs two changes"))]
    alone = judge_all(reference)
    verdicts = judge_readings(reference, {"at epoch 3": reading})
    assert [(v.word, v.p_holm) for v in verdicts] == [(v.word, v.p_holm) for v in alone]     # counted: the reference
    assert verdicts[0].readings.startswith("at epoch 3: +0.00 points (") and "the effect depends on this choice" in \
        verdicts[0].readings
    assert verdicts[1].readings == "at epoch 3: —: not tested here (the window needs two changes)"
    with pytest.raises(ValueError, match="same claims in the same order"):
        judge_readings(reference, {"x": reading[::-1]})
