"""Study 4's notebook steps (lib/studies/fashion_gans/study.py) on fake runs: no training, no notebook."""
import pytest

from lib.experiments import RunResult, RunSet
from lib.studies.fashion_gans import study

P = dict(batch_size=64, epochs=2, n_eval=200, profile="smoke")


def _gan(variant, seed, fid, selection_fid, untrained_fid=300.0, collapsed=False, reasons=()):
    r = RunResult(label=variant, seed=seed, variant=variant,
                  history={"d_acc_fake": [0.9, 0.97], "d_loss": [1.0, 0.5]},
                  metrics={"fid": fid, "mean_pixel": 0.3, "collapsed": collapsed, "collapse_reasons": list(reasons),
                           "classes_covered": 9, "coverage": 0.4},
                  artifacts={"selection": {"fid": selection_fid}, "untrained": {"fid": untrained_fid},
                             "progress": [{"epoch": 1, "mean_pixel": 0.1}, {"epoch": 2, "mean_pixel": 0.25}],
                             "steps": 12, "seconds_per_step": 0.02})
    return r


def test_scope_states_the_steps_against_the_seeds_budget():
    text = study.scope(True, 384, P)
    assert text == ("generated stand-in data, 384 images × 2 epochs = 12 steps (0% of seed 003's 28,125), "
                    "metrics on 200 images, profile smoke")
    assert study.scope(False, 60_000, {**P, "epochs": 30}).startswith("60,000 images × 30 epochs = 28,110 steps (100%")


def test_the_batchnorm_pair_joins_the_families_table_only_when_it_runs():
    assert list(study.family_names(["dcgan", "vanilla"], [0, 1])) == ["dcgan", "vanilla", "vanilla_nobn"]
    assert list(study.family_names(["dcgan"], [])) == ["dcgan"]
    assert study.families_sentence(["dcgan"], [], "s").endswith(". Scope: s.")


def test_best_variant_is_chosen_on_the_selection_sample_not_the_report_sample():
    ok = {"a": [_gan("a", 0, fid=10.0, selection_fid=50.0)], "b": [_gan("b", 0, fid=90.0, selection_fid=40.0),
                                                                    _gan("b", 1, fid=110.0, selection_fid=42.0)]}
    best, selection, gap = study.best_variant(ok, {"fid": 0.0, "mean_pixel": 0.3})
    assert best == "b" and selection == pytest.approx(41.0)
    assert gap == pytest.approx(((300 - 90) / 300 + (300 - 110) / 300) / 2 * 100)
    assert "**b** (our addition)" in study.best_sentence(best, selection, gap, "s")


def test_learning_rate_lines_cover_the_seed003_families_that_ran():
    ok = {"seed003": [_gan("seed003", 0, 20.0, 20.0)], "dcgan": [_gan("dcgan", 0, 20.0, 20.0)]}
    text = study.learning_rate_lines(ok, {"mean_pixel": 0.28}, "float32")
    assert text.startswith("- **seed003** (Adam G") and "1: 0.100, 2: 0.250 (real 0.280)" in text
    assert "20 ms per step (float32)" in text and "dcgan" not in text
    assert study.learning_rate_lines({}, {}, "float32") == "Neither seed-003 family ran in this profile."


def test_the_collapse_rule_is_judged_on_every_constructed_case():
    good = {"collapsed": 1, "memorising": 0, "classes_covered": 1, "kl_real": 2.0, "memorised": 0.0}
    known = {"one class": (good, True, False), "copies": ({**good, "collapsed": 0, "memorising": 1}, False, True)}
    assert study.rule_passes(known)
    assert not study.rule_passes({**known, "real": ({**good, "collapsed": 1}, False, False)})
    text = study.collapse_rule_text(known)
    assert "- one class: collapsed True (expected True)" in text and "- copies: collapsed False" in text


def test_flag_lines_name_every_run_and_its_reasons():
    ok = {"v": [_gan("v", 0, 1, 1, collapsed=True, reasons=["2 of 10 classes"]), _gan("v", 1, 1, 1)]}
    text = study.flag_lines(ok, "s")
    assert "- **v** (seed 0): 2 of 10 classes;" in text and "- **v** (seed 1): no flag;" in text


def test_batchnorm_comparison_needs_both_arms_and_pairs_by_seed():
    bn = RunSet()
    for seed, (with_bn, without) in enumerate([(30.0, 40.0), (32.0, 45.0), (31.0, 41.0)]):
        bn.add("vanilla", _gan("vanilla", seed, with_bn, with_bn))
        bn.add("vanilla_nobn", _gan("vanilla_nobn", seed, without, without))
    pairs, said = study.batchnorm_comparisons(bn)
    assert pairs["fid"].mean_diff == pytest.approx(-11.0) and pairs["fid"].n == 3 and len(said) == 3
    only = RunSet()
    only.add("vanilla", _gan("vanilla", 0, 1, 1))
    assert study.batchnorm_comparisons(only) == ({}, [])


def test_recorded_runs_list_a_shared_seed_once():
    runs, bn = RunSet(), RunSet()
    runs.add("vanilla", _gan("vanilla", 0, 1, 1))
    bn.add("vanilla", _gan("vanilla", 0, 1, 1))
    bn.add("vanilla", _gan("vanilla", 1, 1, 1))
    bn.add("vanilla_nobn", _gan("vanilla_nobn", 0, 1, 1))
    clf = RunResult(label="clf", seed=0)
    kept = study.recorded(clf, runs, bn, [0])
    assert [(r.variant, r.seed) for r in kept[1:]] == [("vanilla", 0), ("vanilla", 1), ("vanilla_nobn", 0)]
    assert study.finished(runs) == {"vanilla": runs.ok("vanilla")}
    assert study.seconds_per_step(study.finished(runs)) == {"vanilla": "0.0200 s/step"}
