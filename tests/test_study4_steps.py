"""Study 4's notebook steps (lib/studies/fashion_gans/study.py) on fake runs: no training, no notebook."""
import numpy as np
import pytest

from lib.experiments import RunResult, RunSet
from lib.experiments.stats import WELCH
from lib.gan.evaluation import class_balanced
from lib.studies.fashion_gans import study, tables

P = dict(batch_size=64, epochs=2, n_eval=200, profile="smoke")


def _gan(variant, seed, fid, selection_fid, untrained_fid=300.0, collapsed=False, reasons=(), balanced_fid=None,
         grids=()):
    r = RunResult(label=variant, seed=seed, variant=variant,
                  history={"d_acc_fake": [0.9, 0.97], "d_loss": [1.0, 0.5]},
                  metrics={"fid": fid, "mean_pixel": 0.3, "collapsed": collapsed, "collapse_reasons": list(reasons),
                           "classes_covered": 9, "coverage": 0.4},
                  artifacts={"selection": {"fid": selection_fid}, "untrained": {"fid": untrained_fid},
                             "balanced": {"fid": fid if balanced_fid is None else balanced_fid,
                                          "balanced_share": 1.0},
                             "progress": [{"epoch": 1, "mean_pixel": 0.1}, {"epoch": 2, "mean_pixel": 0.25}],
                             "steps": 12, "seconds_per_step": 0.02, "grids": [list(g) for g in grids]})
    return r


class FakePage:
    """Records what a report step hands the page."""

    def __init__(self):
        self.calls, self.family, self.claim_rows = [], None, []

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append((name, args))

    def claims(self, family):
        assert self.family is None, "a study hands the page its claims in one call"
        self.family, self.claim_rows = family, family.rows
        self.calls += [("claims", (family,)), ("finding", (family.finding,))]

    def said(self) -> str:
        return "\n".join(a[0] for name, a in self.calls if name == "say")


def test_scope_states_the_steps_against_the_seeds_budget():
    text = study.scope(True, 384, P)
    assert text == ("generated stand-in data, 384 images × 2 epochs = 12 steps (0% of seed 003's 28,125), "
                    "metrics on 200 images, profile smoke")
    assert study.scope(False, 60_000, {**P, "epochs": 30}).startswith("60,000 images × 30 epochs = 28,110 steps (100%")


def test_the_batchnorm_pair_joins_the_families_table_only_when_it_runs():
    assert list(study.family_names(["dcgan", "vanilla"], [0, 1])) == ["dcgan", "vanilla", "vanilla_nobn"]
    assert list(study.family_names(["dcgan"], [])) == ["dcgan"]
    said = study.families_sentence(["dcgan", "vanilla"], [0], "s")
    assert said.endswith(". Scope: s.") and "Not trained in this profile" in said and "wgan_gp" in said
    assert "vanilla_nobn" not in said.split("Not trained")[1]
    every = ["vanilla", "seed003", "seed003_lr2e-4", "dcgan", "wgan_gp", "cgan"]
    assert "Not trained" not in study.families_sentence(every, [0], "s")


def _three(variant, fids, selection=None, balanced=None):
    return [_gan(variant, s, f, (selection or fids)[s], balanced_fid=None if balanced is None else balanced[s])
            for s, f in enumerate(fids)]


def test_ranking_orders_by_the_selection_sample_and_tests_neighbours_on_the_report_sample():
    ok = {"a": _three("a", [30.0, 31.0, 32.0]), "b": _three("b", [10.0, 10.5, 11.0]),
          "c": _three("c", [11.0, 10.2, 10.6], selection=[50.0, 50.0, 50.0])}
    rank = study.ranking(ok)
    assert rank["order"] == ["b", "a", "c"] and rank["enough"]
    assert rank["apart"] == [True, False]  # c's selection FID put it last, its report FID is lower than a's
    said = study.ranking_sentence(rank, "s")
    assert said.startswith("**b** has the lowest FID") and "a and c not told apart" in said
    assert "95 % CI" in said and said.endswith("Scope: s.")


def test_no_ranking_from_fewer_than_three_seeds():
    ok = {"a": [_gan("a", 0, 30.0, 30.0)], "b": [_gan("b", 0, 10.0, 10.0)]}
    rank = study.ranking(ok)
    assert not rank["enough"] and rank["apart"] == [False]
    said = study.ranking_sentence(rank, "s")
    assert said.startswith("No ranking: some family has fewer than 3 seeds") and "(1 seed)" in said


def test_cgan_lead_splits_class_balance_from_the_rest():
    ok = {"cgan": _three("cgan", [10.0, 11.0, 12.0], balanced=[10.0, 11.0, 12.0]),
          "dcgan": _three("dcgan", [20.0, 21.0, 22.0], balanced=[14.0, 15.0, 16.0]),
          "vanilla": _three("vanilla", [40.0, 41.0, 42.0])}
    lead = study.cgan_lead(ok)
    assert lead["rival"] == "dcgan" and lead["plain"].test == WELCH
    assert lead["plain"].mean_diff == pytest.approx(10.0) and lead["balanced"].mean_diff == pytest.approx(4.0)
    said = study.cgan_lead_sentence(lead, "s")
    assert "Class balance accounts for about 60% of the lead" in said
    assert study.cgan_lead({"dcgan": ok["dcgan"]}) is None
    assert "did not both run" in study.cgan_lead_sentence(None, "s")
    table = tables.balanced_table(ok)
    assert table.loc["dcgan", "FID, class-balanced sample ↓"] == "15.00 ± 1.00"
    assert table.loc["dcgan", "class quotas filled"] == "100 ± 0 %"


def test_report_steps_hand_the_page_tables_and_sentences():
    ok = {"cgan": _three("cgan", [10.0, 11.0, 12.0]), "dcgan": _three("dcgan", [20.0, 21.0, 22.0])}
    page = FakePage()
    baseline = {"fid": 0.3, "mean_pixel": 0.3, "kid": 0.0, "is": 7.0, "precision": 0.9, "recall": 0.9,
                "density": 1.0, "coverage": 0.9, "collapsed": 0, "memorising": 0}
    for runs in ok.values():
        for r in runs:
            r.metrics.update({k: v for k, v in baseline.items() if k not in r.metrics})
            r.artifacts["untrained"] = {**r.metrics, "fid": 300.0, "collapsed": 1}
    rank = study.report_metrics(page, ok, baseline, "s")
    study.report_balanced(page, ok, "s")
    assert [c[1][1] for c in page.calls if c[0] == "table"] == ["metrics", "balanced"]
    assert rank["order"] == ["cgan", "dcgan"] and "lowest FID" in page.said()
    assert "The conditional GAN against dcgan" in page.said() and "the cGAN's (positive: the cGAN leads): +10.00 FID" \
        in page.said()


def test_learning_rate_lines_cover_every_seed_of_the_seed003_families():
    ok = {"seed003": [_gan("seed003", 0, 20.0, 20.0), _gan("seed003", 1, 20.0, 20.0)],
          "dcgan": [_gan("dcgan", 0, 20.0, 20.0)]}
    text = study.learning_rate_lines(ok, {"mean_pixel": 0.28}, "float32")
    assert text.startswith("- **seed003** (Adam G") and "1: 0.100, 2: 0.250 (real 0.280)" in text
    assert "seed 1:" in text and "20 ms per step (float32)" in text and "dcgan" not in text
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


def test_batchnorm_comparison_needs_both_arms_and_is_welch():
    bn = RunSet()
    for seed, (with_bn, without) in enumerate([(30.0, 40.0), (32.0, 45.0), (31.0, 41.0)]):
        bn.add("vanilla", _gan("vanilla", seed, with_bn, with_bn, grids=[(0, "a0"), (2, f"bn{seed}")]))
        bn.add("vanilla_nobn", _gan("vanilla_nobn", seed, without, without, grids=[(2, f"nobn{seed}")]))
    pairs, said = study.batchnorm_comparisons(bn)
    assert pairs["fid"].mean_diff == pytest.approx(-11.0) and pairs["fid"].n == 3 and len(said) == 3
    assert pairs["fid"].test == WELCH and "Welch" in said[0]
    assert study.batchnorm_grids(bn) == [(0, "bn0", "nobn0"), (1, "bn1", "nobn1"), (2, "bn2", "nobn2")]
    only = RunSet()
    only.add("vanilla", _gan("vanilla", 0, 1, 1))
    assert study.batchnorm_comparisons(only) == ({}, [])
    page = FakePage()
    assert not study.report_batchnorm(page, only, {}, "s", [0]) and "did not run" in page.said()


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


def test_the_claims_and_the_finding_go_to_the_page():
    ok = {"seed003": _three("seed003", [100.0, 110.0, 120.0])}
    page = FakePage()
    study.report_claims(page, ok, RunSet(), False, {"fid": 0.3, "mean_pixel": 0.3}, "fashion_mnist", "s", [0, 1, 2])
    assert len(page.claim_rows) == 5
    assert [c[0] for c in page.calls] == ["claims", "finding"]
    # 30 steps of seed 003's 28,125: under the gate, whichever way the runs pointed; the finding is a seed's row
    assert [c["verdict"] for c in page.claim_rows[:3]] == ["not tested here"] * 3
    assert page.calls[-1][1][0].startswith("Batch norm in the vanilla generator, FID gap closed (with − without): "
                                           "—: not tested here")


def test_feature_classifier_below_the_floor_is_warned_on_real_data_only():
    sizes = {"train": 54_000, "val": 6_000, "test": 10_000}
    split = type("S", (), {"sizes": lambda self: sizes})()
    sets = study.Sets(None, None, None, None, split)
    baseline = {"fid": 0.3, "kid": 0.0, "is": 7.0, "precision": 0.9, "recall": 0.9, "density": 1.0, "coverage": 0.9,
                "mean_pixel": 0.29}
    clf = RunResult(label="clf", seed=0, epochs_run=8, metrics={"test_accuracy": 0.905})
    space = study.Space(clf, None, None, baseline)
    page = FakePage()
    study.report_feature_space(page, space, sets, generated=False)
    assert "90.50%" in page.said() and "54,000 training images" in page.said()
    assert [c[0] for c in page.calls].count("warn") == 1
    quiet = FakePage()
    study.report_feature_space(quiet, space, sets, generated=True)
    assert [c[0] for c in quiet.calls].count("warn") == 0


def test_class_balanced_samples_fill_equal_quotas_where_the_pool_allows():
    pred = np.array([0] * 50 + [1] * 50 + [2] * 5)
    idx, share = class_balanced(pred, 30, 3, seed=0)
    assert len(idx) == 30 and len(set(idx)) == 30
    counts = np.bincount(pred[idx], minlength=3)
    assert counts[2] == 5 and counts[0] + counts[1] == 25 and min(counts[:2]) >= 10
    assert share == pytest.approx(25 / 30)
    idx, share = class_balanced(np.repeat(np.arange(3), 20), 30, 3)
    assert share == 1.0 and list(np.bincount(np.repeat(np.arange(3), 20)[idx])) == [10, 10, 10]
    from lib.errors import ParamError

    with pytest.raises(ParamError):
        class_balanced(pred, 200, 3)


def test_batchnorm_samples_sit_side_by_side_one_row_per_seed(tmp_path):
    import matplotlib.pyplot as plt

    from lib.studies.fashion_gans import figures

    path = tmp_path / "grid.png"
    plt.imsave(path, np.random.default_rng(0).random((28, 28)), cmap="gray")
    fig = figures.plot_grid_pairs([(0, path, path), (1, path, path)], ("with BN", "without"), title="t " * 80)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["with BN, seed 0", "without, seed 0", "with BN, seed 1", "without, seed 1"]
    assert max(len(line) for line in fig._suptitle.get_text().splitlines()) <= 80
    plt.close(fig)
