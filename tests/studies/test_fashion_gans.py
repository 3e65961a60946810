"""Study 4 (lib/studies/fashion_gans): its face, the runs it plans, its findings, sections and claims on fake runs
(unit), and one GAN run end to end through the run cache on generated data (slow)."""
from pathlib import Path
from importlib import import_module
from types import SimpleNamespace

import numpy as np
import pytest

import lib.studies.fashion_gans as study
from lib.experiments import Cache, RunResult, RunSet
from lib.experiments.stats import WELCH
from lib.studies.fashion_gans import findings, gan_run, recipe, sections, tables

# The package's ``data``, ``runs`` and ``claims`` are the study's functions (its face); their modules by name:
data_mod, runs_mod, claims_mod = (import_module(f"lib.studies.fashion_gans.{m}") for m in ("data", "runs", "claims"))

P = dict(batch_size=64, epochs=2, n_eval=200, profile="smoke", bn_seeds=[0, 1, 2])
EVERY = ["vanilla", "seed003", "seed003_lr2e-4", "dcgan", "wgan_gp", "cgan"]


def _gan(variant, seed, fid, selection_fid, untrained_fid=300.0, collapsed=False, reasons=(), balanced_fid=None,
         grids=()):
    r = RunResult(label=variant, seed=seed, variant=variant,
                  history={"d_acc_fake": [0.9, 0.97], "d_loss": [1.0, 0.5]},
                  metrics={"fid": fid, "mean_pixel": 0.3, "collapsed": collapsed, "collapse_reasons": list(reasons),
                           "classes_covered": 9, "coverage": 0.4},
                  artifacts={"selection": {"fid": selection_fid},
                             "untrained": {"fid": untrained_fid, "collapsed": True},
                             "balanced": {"fid": fid if balanced_fid is None else balanced_fid,
                                          "balanced_share": 1.0},
                             "progress": [{"epoch": 1, "mean_pixel": 0.1}, {"epoch": 2, "mean_pixel": 0.25}],
                             "steps": 12, "seconds_per_step": 0.02, "grids": [list(g) for g in grids]})
    return r


def _fake_runs(families=None, bn=None, baseline=None, known=None, generated=True, clf=None, sizes=None,
               readings=None):
    """A StudyRuns stand-in with only what the sections, claims and golden read."""
    split = SimpleNamespace(sizes=lambda: sizes or {})
    d = SimpleNamespace(scope="s", trained_on="fashion_mnist", generated=generated, clf_split=split,
                        x_gan=np.zeros((384, 28, 28, 1)))
    return SimpleNamespace(data=d, families=families or {}, bn=bn if bn is not None else RunSet(),
                           baseline=baseline or {}, known=known or {}, clf=clf, readings=readings or {})


class FakePage:
    """Records what a report step hands the page."""

    def __init__(self):
        self.calls, self.family, self.claim_rows = [], None, []
        self.runtime = {"precision": "float32"}

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append((name, args))

    def claims(self, family):
        assert self.family is None, "a study hands the page its claims in one call"
        self.family, self.claim_rows = family, family.rows
        self.calls += [("claims", (family,)), ("finding", (family.finding,))]

    def said(self) -> str:
        return "\n".join(a[0] for name, a in self.calls if name == "say")


# The study's face --------------------------------------------------------------------------------------------

def test_the_face_is_the_one_study_shape_and_survives_its_submodules_imports():
    import importlib

    for name in ("data", "runs", "claims", "sections", "gan_run", "recipe", "findings"):
        importlib.import_module(f"lib.studies.fashion_gans.{name}")
    assert study.KEY == "fashion_gans"
    assert study.SECTIONS == ("feature_space", "metrics", "balanced", "curves", "learning_rates", "collapse",
                              "batchnorm")
    for name in ("data", "runs", "report", "claims", "golden"):
        assert callable(getattr(study, name)) and not isinstance(getattr(study, name), type(study)), name
    with pytest.raises(ValueError, match="no section 'ranking'"):
        study.report(FakePage(), _fake_runs(), P, "ranking")


# The runs it plans -------------------------------------------------------------------------------------------

def test_the_plan_trains_the_shared_vanilla_run_once_and_groups_by_seed_set():
    smoke = {"variants": EVERY, "seeds": [0], "bn_seeds": [0, 1]}
    plan = runs_mod.plan(smoke)
    assert plan["vanilla"] == [0, 1] and plan["vanilla_nobn"] == [0, 1] and plan["dcgan"] == [0]
    assert sum(len(s) for s in plan.values()) == 6 + 3   # 6 families on seed 0, the pair on seed 1, nobn on 0
    assert runs_mod.by_seed_set(plan) == {(0,): ["seed003", "seed003_lr2e-4", "dcgan", "wgan_gp", "cgan"],
                                      (0, 1): ["vanilla", "vanilla_nobn"]}
    quick = {"variants": ["seed003", "seed003_lr2e-4", "vanilla", "dcgan", "cgan"], "seeds": [0, 1, 2],
             "bn_seeds": [0, 1, 2]}
    assert runs_mod.by_seed_set(runs_mod.plan(quick)) == {(0, 1, 2): [*quick["variants"], "vanilla_nobn"]}
    assert "vanilla_nobn" not in runs_mod.plan({**smoke, "bn_seeds": []})


def test_every_gan_run_goes_to_one_executor_call_convolutional_ones_first(monkeypatch):
    calls = []

    def fake_run_groups(cache, groups, executor=None):
        for g in groups:
            calls.append((list(g.variants), g.seeds, g.workdir, {v: spec.cost for v, spec in g.variants.items()}))
            for s in g.seeds:
                for v, spec in g.variants.items():
                    assert spec.kwargs["name"] == v and spec.kwargs["settings"].n_critic == 5
                    g.runs.add(v, _gan(v, s, 1.0, 1.0))
        return [g.runs for g in groups]

    monkeypatch.setattr(runs_mod, "run_groups", fake_run_groups)
    P4 = {"variants": ["seed003", "vanilla"], "seeds": [0, 1, 2], "bn_seeds": [0, 1], "epochs": 2,
          "batch_size": 64, "grid_every": 1, "n_eval": 100, "knn_k": 3, "n_critic": 5, "gp_weight": 10.0}
    d = SimpleNamespace(x_gan=np.zeros((4, 28, 28, 1)), y_gan=np.zeros(4), ds=SimpleNamespace(num_classes=10))
    gans = runs_mod.train_gans(None, P4, d, None, None)
    cost = runs_mod.FULLY_CONNECTED_COST
    assert calls == [(["seed003", "vanilla"], [0, 1, 2], "run_dir", {"seed003": 1.0, "vanilla": cost}),
                     (["vanilla_nobn"], [0, 1], "run_dir", {"vanilla_nobn": cost})]
    assert len(gans.all()) == 8


def test_every_run_is_recorded_once_and_the_views_pick_their_seeds():
    gans = RunSet()
    for v, s in [("vanilla", 0), ("dcgan", 0), ("vanilla", 1), ("vanilla_nobn", 0), ("vanilla_nobn", 1)]:
        gans.add(v, _gan(v, s, 1, 1))
    gans.add("dcgan", RunResult(label="dcgan seed 1", seed=1, status="failed"))
    ok = runs_mod.families(gans, ["vanilla", "dcgan", "cgan"], [0])
    assert {v: [r.seed for r in rs] for v, rs in ok.items()} == {"vanilla": [0], "dcgan": [0]}
    bn = runs_mod.batchnorm_pair(gans, [0, 1])
    assert bn.variants == ["vanilla", "vanilla_nobn"] and bn.seeds("vanilla") == [0, 1]
    assert bn.ok("vanilla")[0] is ok["vanilla"][0]   # the shared run is one object
    assert runs_mod.batchnorm_pair(gans, []).all() == []
    clf = RunResult(label="clf", seed=0)
    both = runs_mod.StudyRuns(None, clf, None, None, {}, gans, ok, bn, {})
    assert both.records() == [clf, *gans.all()] and len(both.records()) == 7
    assert runs_mod.seconds_per_step(ok) == {"vanilla": "0.0200 s/step", "dcgan": "0.0200 s/step"}


def test_the_golden_counts_families_the_rule_and_the_untrained_generators():
    known = {"one": ({"collapsed": 1, "memorising": 0}, True, False)}
    ok = {"a": [_gan("a", 0, 1, 1)], "b": [_gan("b", 0, 1, 1)]}
    assert study.golden(_fake_runs(ok, known=known), P) == {
        "variants_trained": 2, "collapse_rule_passes_known_cases": 1.0, "untrained_collapsed": 1.0}


# Data and recipe ---------------------------------------------------------------------------------------------

def test_scope_states_the_steps_against_the_seeds_budget():
    text = recipe.scope(True, 384, P)
    assert text == ("generated stand-in data, 384 images × 2 epochs = 12 steps (0% of seed 003's 28,125), "
                    "metrics on 200 images, profile smoke")
    assert recipe.scope(False, 60_000, {**P, "epochs": 30}).startswith("60,000 images × 30 epochs = 28,110 steps (100%")


def test_the_recipe_table_marks_every_setting_and_reads_the_budgets_once():
    table = recipe.recipe_table({**P, "seeds": [0, 1, 2]})
    assert f"{recipe.REFERENCE_STEPS:,} steps" in table.loc["seed 000: budget", "this run's setting is"]
    assert f"({recipe.SEED_STEPS:,} steps)" in table.loc["seed 003: batch, epochs", "this run's setting is"]
    assert claims_mod.BN_QUALITY.seed_budget == recipe.REFERENCE_STEPS and claims_mod.REALISTIC.seed_budget == recipe.SEED_STEPS


def test_the_batchnorm_pair_joins_the_families_table_only_when_it_runs():
    assert list(data_mod.family_names(["dcgan", "vanilla"], [0, 1])) == ["dcgan", "vanilla", "vanilla_nobn"]
    assert list(data_mod.family_names(["dcgan"], [])) == ["dcgan"]
    said = data_mod.families_sentence(["dcgan", "vanilla"], [0], "s")
    assert said.endswith(". Scope: s.") and "Not trained in this profile" in said and "wgan_gp" in said
    assert "vanilla_nobn" not in said.split("Not trained")[1]
    assert "Not trained" not in data_mod.families_sentence(EVERY, [0], "s")


# Findings and sections ---------------------------------------------------------------------------------------

def _three(variant, fids, selection=None, balanced=None):
    return [_gan(variant, s, f, (selection or fids)[s], balanced_fid=None if balanced is None else balanced[s])
            for s, f in enumerate(fids)]


def test_ranking_orders_by_the_selection_sample_and_tests_neighbours_on_the_report_sample():
    ok = {"a": _three("a", [30.0, 31.0, 32.0]), "b": _three("b", [10.0, 10.5, 11.0]),
          "c": _three("c", [11.0, 10.2, 10.6], selection=[50.0, 50.0, 50.0])}
    rank = findings.ranking(ok)
    assert rank["order"] == ["b", "a", "c"] and rank["enough"]
    assert rank["apart"] == [True, False]  # c's selection FID put it last, its report FID is lower than a's
    said = findings.ranking_sentence(rank, "s")
    assert said.startswith("**b** has the lowest FID") and "a and c not told apart" in said
    assert "95 % CI" in said and said.endswith("Scope: s.")


def test_no_ranking_from_fewer_than_three_seeds():
    ok = {"a": [_gan("a", 0, 30.0, 30.0)], "b": [_gan("b", 0, 10.0, 10.0)]}
    rank = findings.ranking(ok)
    assert not rank["enough"] and rank["apart"] == [False]
    said = findings.ranking_sentence(rank, "s")
    assert said.startswith("No ranking: some family has fewer than 3 seeds") and "(1 seed)" in said


def test_cgan_lead_splits_class_balance_from_the_rest():
    ok = {"cgan": _three("cgan", [10.0, 11.0, 12.0], balanced=[10.0, 11.0, 12.0]),
          "dcgan": _three("dcgan", [20.0, 21.0, 22.0], balanced=[14.0, 15.0, 16.0]),
          "vanilla": _three("vanilla", [40.0, 41.0, 42.0])}
    lead = findings.cgan_lead(ok)
    assert lead["rival"] == "dcgan" and lead["plain"].test == WELCH
    assert lead["plain"].mean_diff == pytest.approx(10.0) and lead["balanced"].mean_diff == pytest.approx(4.0)
    said = findings.cgan_lead_sentence(lead, "s")
    assert "Class balance accounts for about 60% of the lead" in said
    assert findings.cgan_lead({"dcgan": ok["dcgan"]}) is None
    assert "did not both run" in findings.cgan_lead_sentence(None, "s")
    table = tables.balanced_table(ok)
    assert table.loc["dcgan", "FID, class-balanced sample ↓"] == "15.00 ± 1.00"
    assert table.loc["dcgan", "class quotas filled"] == "100 ± 0 %"


def test_report_sections_hand_the_page_tables_and_sentences():
    ok = {"cgan": _three("cgan", [10.0, 11.0, 12.0]), "dcgan": _three("dcgan", [20.0, 21.0, 22.0])}
    page = FakePage()
    baseline = {"fid": 0.3, "mean_pixel": 0.3, "kid": 0.0, "is": 7.0, "precision": 0.9, "recall": 0.9,
                "density": 1.0, "coverage": 0.9, "collapsed": 0, "memorising": 0}
    for rs in ok.values():
        for r in rs:
            r.metrics.update({k: v for k, v in baseline.items() if k not in r.metrics})
            r.artifacts["untrained"] = {**r.metrics, "fid": 300.0, "collapsed": 1}
    fake = _fake_runs(ok, baseline=baseline)
    study.report(page, fake, P, "metrics")
    study.report(page, fake, P, "balanced")
    assert [c[1][1] for c in page.calls if c[0] == "table"] == ["metrics", "balanced"]
    assert findings.ranking(ok)["order"] == ["cgan", "dcgan"] and "**cgan** has the lowest FID" in page.said()
    assert "The conditional GAN against dcgan" in page.said() and "the cGAN's (positive: the cGAN leads): +10.00 FID" \
        in page.said()


def test_learning_rate_lines_cover_every_seed_of_the_seed003_families():
    ok = {"seed003": [_gan("seed003", 0, 20.0, 20.0), _gan("seed003", 1, 20.0, 20.0)],
          "dcgan": [_gan("dcgan", 0, 20.0, 20.0)]}
    text = findings.learning_rate_lines(ok, {"mean_pixel": 0.28}, "float32")
    assert text.startswith("- **seed003** (Adam G") and "1: 0.100, 2: 0.250 (real 0.280)" in text
    assert "seed 1:" in text and "20 ms per step (float32)" in text and "dcgan" not in text
    assert findings.learning_rate_lines({}, {}, "float32") == "Neither seed-003 family ran in this profile."
    page = FakePage()
    study.report(page, _fake_runs(ok, baseline={"mean_pixel": 0.28}), P, "learning_rates")
    assert page.said() == text


def test_the_collapse_rule_is_judged_on_every_constructed_case():
    good = {"collapsed": 1, "memorising": 0, "classes_covered": 1, "kl_real": 2.0, "memorised": 0.0}
    known = {"one class": (good, True, False), "copies": ({**good, "collapsed": 0, "memorising": 1}, False, True)}
    assert findings.rule_passes(known)
    assert not findings.rule_passes({**known, "real": ({**good, "collapsed": 1}, False, False)})
    text = findings.collapse_rule_text(known)
    assert "- one class: collapsed True (expected True)" in text and "- copies: collapsed False" in text


def test_flag_lines_name_every_run_and_its_reasons():
    ok = {"v": [_gan("v", 0, 1, 1, collapsed=True, reasons=["2 of 10 classes"]), _gan("v", 1, 1, 1)]}
    text = findings.flag_lines(ok, "s")
    assert "- **v** (seed 0): 2 of 10 classes;" in text and "- **v** (seed 1): no flag;" in text


def test_batchnorm_comparison_needs_both_arms_and_is_welch():
    bn = RunSet()
    for seed, (with_bn, without) in enumerate([(30.0, 40.0), (32.0, 45.0), (31.0, 41.0)]):
        bn.add("vanilla", _gan("vanilla", seed, with_bn, with_bn, grids=[(0, "a0"), (2, f"bn{seed}")]))
        bn.add("vanilla_nobn", _gan("vanilla_nobn", seed, without, without, grids=[(2, f"nobn{seed}")]))
    pairs, said = findings.batchnorm_comparisons(bn)
    assert pairs["fid"].mean_diff == pytest.approx(-11.0) and pairs["fid"].n == 3 and len(said) == 3
    assert pairs["fid"].test == WELCH and "Welch" in said[0]
    assert findings.batchnorm_grids(bn) == [(0, "bn0", "nobn0"), (1, "bn1", "nobn1"), (2, "bn2", "nobn2")]
    only = RunSet()
    only.add("vanilla", _gan("vanilla", 0, 1, 1))
    assert findings.batchnorm_comparisons(only) == ({}, [])
    page = FakePage()
    study.report(page, _fake_runs(bn=only), P, "batchnorm")
    assert "did not run" in page.said() and not [c for c in page.calls if c[0] == "table"]


def test_grids_are_copied_next_to_the_page_once(tmp_path):
    src = tmp_path / "run" / "epoch_001.png"
    src.parent.mkdir()
    src.write_bytes(b"png")
    gans = RunSet()
    gans.add("vanilla", _gan("vanilla", 0, 1, 1, grids=[(1, str(src))]))
    page = SimpleNamespace(output_dir=tmp_path / "page")
    fake = SimpleNamespace(gans=gans)
    sections.grids_on_page(page, fake)
    copied = gans.all()[0].artifacts["grids"]
    assert copied == [[1, str(tmp_path / "page" / "grids" / "vanilla-seed0" / "epoch_001.png")]]
    src.unlink()   # a second call leaves the copies as they are (it would fail reading the gone source)
    sections.grids_on_page(page, fake)
    assert gans.all()[0].artifacts["grids"] == copied


def test_the_claims_and_the_finding_go_to_the_page():
    ok = {"seed003": _three("seed003", [100.0, 110.0, 120.0])}
    page = FakePage()
    page.claims(study.claims(_fake_runs(ok, baseline={"fid": 0.3, "mean_pixel": 0.3}), P))
    assert len(page.claim_rows) == 5
    assert [c[0] for c in page.calls] == ["claims", "finding"]
    # 30 steps of seed 003's 28,125: under the gate, whichever way the runs pointed; the finding is a seed's row
    assert [c["verdict"] for c in page.claim_rows[:3]] == ["not tested here"] * 3
    assert page.calls[-1][1][0].startswith("Batch norm in the vanilla generator, FID gap closed (with − without): "
                                           "—: not tested here")


def test_feature_classifier_below_the_floor_is_warned_on_real_data_only():
    sizes = {"train": 54_000, "val": 6_000, "test": 10_000}
    baseline = {"fid": 0.3, "kid": 0.0, "is": 7.0, "precision": 0.9, "recall": 0.9, "density": 1.0, "coverage": 0.9,
                "mean_pixel": 0.29}
    clf = RunResult(label="clf", seed=0, epochs_run=8, metrics={"test_accuracy": 0.905})
    page = FakePage()
    study.report(page, _fake_runs(baseline=baseline, clf=clf, sizes=sizes, generated=False), P, "feature_space")
    assert "90.50%" in page.said() and "54,000 training images" in page.said()
    assert [c[0] for c in page.calls].count("warn") == 1
    quiet = FakePage()
    study.report(quiet, _fake_runs(baseline=baseline, clf=clf, sizes=sizes, generated=True), P, "feature_space")
    assert [c[0] for c in quiet.calls].count("warn") == 0


def test_fid_gap_closed():
    assert tables.fid_gap_closed(10.0, 110.0, 10.0) == 100.0
    assert tables.fid_gap_closed(110.0, 110.0, 10.0) == 0.0
    assert tables.fid_gap_closed(60.0, 110.0, 10.0) == 50.0
    assert np.isnan(tables.fid_gap_closed(5.0, 1.0, 1.0))


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


# One GAN run end to end (slow) --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A generated Fashion-MNIST, its split, a run cache and the feature classifier trained through it."""
    from lib.data import classification_split, load_dataset, write_fixture
    from lib.gan.evaluation import train_evaluator
    from lib.models import build_fashion_cnn
    from lib.train import runtime

    root = tmp_path_factory.mktemp("data")
    write_fixture("fashion_mnist", root, n_train=400, n_test=240)
    runtime.configure(seed=0, deterministic=True, precision="float32")
    ds = load_dataset("fashion_mnist", root, allow_download=False)
    split = classification_split(ds, None, None, 0.1)
    cache = Cache(tmp_path_factory.mktemp("cache"))
    clf = cache.call(train_evaluator, build_fashion_cnn, split, seed=0, epochs=3, batch_size=32, workdir="run_dir")
    return ds, split, cache, clf


def _extractor(clf):
    from lib.gan.evaluation import FeatureExtractor
    from lib.models import build_fashion_cnn

    return FeatureExtractor(build_fashion_cnn, clf.artifacts["weights_path"])


@pytest.mark.slow
def test_experiment_scores_training_against_untrained_and_real_baselines(setup, tmp_path):
    from lib.gan import images
    from lib.gan.evaluation import Reference, evaluate_images

    ds, split, cache, clf = setup
    extractor = _extractor(clf)
    reference_images, real_train = images.evaluation_sets(ds, 100, 3)
    x, y = images.gan_training_set(ds, 256)
    reference = Reference(extractor, reference_images, (x + 1) / 2)
    baseline = evaluate_images(extractor, real_train, reference)
    assert x.min() >= -1 and x.max() <= 1 and len(x) == 256
    settings = gan_run.GanSettings(epochs=2, batch_size=32, grid_every=1, n_eval=100)
    out = gan_run.run_gan_experiment("vanilla", x, y, extractor, reference, settings, run_dir=tmp_path / "run",
                                     seed=0, log=False)
    assert out.ok and out.epochs_run == 2 and out.artifacts["steps"] == 16
    untrained = out.artifacts["untrained"]
    assert untrained["collapsed"]  # a fresh generator maps all noise to nearly one image
    assert untrained["coverage"] < 0.05  # ... which covers almost none of the real balls
    assert [p["epoch"] for p in out.artifacts["progress"]] == [0, 1, 2]
    assert out.artifacts["progress"][0]["fid"] == pytest.approx(untrained["fid"], rel=0.2)
    # The selection sample uses other noise than the report sample.
    assert out.artifacts["selection"]["fid"] != out.metrics["fid"]
    # ... and the class-balanced sample is drawn from a pool of its own.
    balanced = out.artifacts["balanced"]
    assert balanced["n"] == 100 and 0 < balanced["balanced_share"] <= 1 and np.isfinite(balanced["fid"])
    for m in (out.metrics, untrained, baseline):
        assert set(tables.METRICS_KEYS) - {"memorised"} <= set(m) and np.isfinite(m["fid"])
    assert baseline["fid"] < untrained["fid"]
    table = tables.comparison_table(baseline, {"vanilla": [out, out]})
    assert list(table.index) == ["real vs real, disjoint test images (baseline)", "vanilla", "vanilla, untrained generator"]
    assert table.loc["vanilla", "seeds"] == 2 and "±" in table.loc["vanilla", "FID ↓"]
    assert table.loc["vanilla, untrained generator", "mode collapse flagged"] == "yes in 2 of 2 seeds"
    copied = gan_run.copy_grids(out, tmp_path / "artifacts")
    assert [e for e, _ in copied] == [0, 1, 2] and all((tmp_path / "artifacts").glob("epoch_*.png"))


@pytest.mark.slow
def test_cached_gan_runs_are_reused_and_recomputed_when_their_grids_are_gone(setup, tmp_path):
    from lib.gan import images
    from lib.gan.evaluation import Reference

    ds, split, _, clf = setup
    extractor = _extractor(clf)
    reference_images, _ = images.evaluation_sets(ds, 60, 3)
    reference = Reference(extractor, reference_images)
    x, y = images.gan_training_set(ds, 64)
    cache = Cache(tmp_path / "cache")
    kwargs = dict(name="vanilla", x=x, y=y, extractor=extractor, reference=reference, seed=0, log=False,
                  settings=gan_run.GanSettings(epochs=1, batch_size=32, grid_every=1, n_eval=60))
    first = cache.call(gan_run.run_gan_experiment, workdir="run_dir", **kwargs)
    assert Path(first.artifacts["grids"][0][1]).is_relative_to(cache.root / "runs")
    again = cache.call(gan_run.run_gan_experiment, workdir="run_dir", **kwargs)
    assert (cache.reused, cache.trained) == (1, 1) and again.metrics == first.metrics
    Path(first.artifacts["grids"][-1][1]).unlink()
    redone = cache.call(gan_run.run_gan_experiment, workdir="run_dir", **kwargs)
    assert cache.trained == 2 and redone.artifacts["resumed_from"] == 0
    assert all(Path(p).is_file() for _, p in redone.artifacts["grids"])


# The readings, declared before the run -----------------------------------------------------------------------

def _pair(with_bn, without, steps=20_000):
    """Seed 000's pair on three seeds, past the budget gate, with these report-sample FIDs."""
    bn = RunSet()
    for seed, (a, b) in enumerate(zip(with_bn, without)):
        for v, fid in (("vanilla", a), ("vanilla_nobn", b)):
            r = _gan(v, seed, fid, fid)
            r.artifacts["steps"] = steps
            bn.add(v, r)
    return bn


def test_the_readings_resolve_and_the_reference_is_what_quick_trains():
    from lib.report import pipeline
    from lib.studies import registry

    schema = pipeline.get_study("fashion_gans").schema
    assert recipe.REFERENCE.reference and not any(r.reference for r in recipe.READINGS.values())
    for r in (recipe.REFERENCE, *recipe.READINGS.values()):
        assert r.name and r.source and set(r.settings) <= set(schema), r
    assert registry.FASHION_GANS_READINGS == tuple(recipe.READINGS) == ("batch_32",)
    assert "github.com/eriklindernoren/Keras-GAN" in recipe.REFERENCE.source
    quick = pipeline.load_params("quick", pipeline.get_study("fashion_gans"))
    assert all(quick[k] == v for k, v in recipe.REFERENCE.settings.items()), "quick trains the reference reading"
    assert not quick["readings"] and not pipeline.get_study("fashion_gans").defaults()["readings"]
    assert recipe.READINGS["batch_32"].settings != recipe.REFERENCE.settings


def test_the_full_profile_lists_every_declared_reading():
    from lib.report import pipeline

    full = pipeline.load_params("full", pipeline.get_study("fashion_gans"))
    assert full["readings"] == list(recipe.READINGS) and full["bn_seeds"]


def test_each_listed_reading_retrains_only_the_batchnorm_pair_on_bn_seeds(monkeypatch):
    calls = []

    def fake_run_groups(cache, groups, executor=None):
        sets = []
        for g in groups:
            batches = {v: s.kwargs["settings"].batch_size for v, s in g.variants.items()}
            calls.append((list(g.variants), g.seeds, batches))
            sets.append(RunSet())
            for s in g.seeds:
                for v in g.variants:
                    sets[-1].add(v, _gan(v, s, 1.0, 1.0))
        return sets

    monkeypatch.setattr(runs_mod, "run_groups", fake_run_groups)
    P4 = {"variants": ["seed003"], "seeds": [0], "bn_seeds": [0, 1], "epochs": 2, "batch_size": 64, "grid_every": 1,
          "n_eval": 100, "knn_k": 3, "n_critic": 5, "gp_weight": 10.0, "readings": ["batch_32"]}
    d = SimpleNamespace(x_gan=np.zeros((4, 28, 28, 1)), y_gan=np.zeros(4), ds=SimpleNamespace(num_classes=10))
    out = runs_mod.train_readings(None, P4, d, None, None)
    assert calls == [(["vanilla", "vanilla_nobn"], [0, 1], {"vanilla": 32, "vanilla_nobn": 32})]
    assert list(out) == ["batch_32"] and out["batch_32"].all()[0].label.endswith(recipe.READINGS["batch_32"].name)
    assert runs_mod.train_readings(None, {**P4, "readings": None}, d, None, None) == {}
    assert runs_mod.train_readings(None, {**P4, "bn_seeds": []}, d, None, None) == {} and len(calls) == 1
    clf = RunResult(label="clf", seed=0)
    both = runs_mod.StudyRuns(None, clf, None, None, {}, RunSet(), {}, RunSet(), {}, out)
    assert both.records() == [clf, *out["batch_32"].all()]


def test_a_reading_run_stands_beside_each_claim_and_is_not_counted():
    baseline = {"fid": 0.3, "mean_pixel": 0.3}
    reference = _pair([30.0, 32.0, 31.0], [200.0, 210.0, 205.0])       # batch norm closes far more of the gap
    opposite = _pair([200.0, 210.0, 205.0], [30.0, 32.0, 31.0])        # the reading points the other way
    alone = study.claims(_fake_runs(bn=reference, baseline=baseline), P)
    both = study.claims(_fake_runs(bn=_pair([30.0, 32.0, 31.0], [200.0, 210.0, 205.0]), baseline=baseline,
                                   readings={"batch_32": opposite}), P)
    name = recipe.READINGS["batch_32"].name
    assert len(both.rows) == len(alone.rows) == 5
    for a, b in zip(alone.rows, both.rows):   # the reference's verdicts and estimates only are counted
        assert (a["key"], a["verdict"], a["ours"], a["p_holm"]) == (b["key"], b["verdict"], b["ours"], b["p_holm"])
        assert not a["readings"] and b["readings"].startswith(f"{name}: ")
    quality = next(r for r in both.rows if r["key"] == claims_mod.BN_QUALITY.key)
    assert quality["verdict"] == "reproduced" and f"{name}: " in quality["readings"], quality
    assert ": not reproduced" in quality["readings"], quality
    assert "the effect depends on this choice" in quality["readings"]
    s003 = next(r for r in both.rows if r["key"] == claims_mod.REALISTIC.key)
    assert "not tested here (seed 003 states its batch size" in s003["readings"]


def test_the_recipe_table_names_the_reference_and_says_which_readings_ran():
    table = recipe.recipe_table({**P, "seeds": [0, 1, 2], "readings": None})
    col = "this run's setting is"
    assert "Keras-GAN" in table.loc["seed 000: generator", col] and table.loc["seed 000: generator", col].startswith(
        "the reference's")
    assert table.loc["seed 000: batch", col].startswith("ours, the reference reading's")
    # The cited revision reads owner/repo@rev: the page names one commit, its own.
    assert "eriklindernoren/Keras-GAN@2ccd7cd" in table.loc["seed 000: generator", col]
    assert "commit" not in " ".join(table[col])
    assert table.loc["other readings run", "this run"] == "none"
    assert "not run in this profile" in table.loc["declared readings (seed 000's pair)", "this run"]
    ran = recipe.recipe_table({**P, "seeds": [0, 1, 2], "readings": ["batch_32"], "batch_size": 32})
    assert ran.loc["other readings run", "this run"] == recipe.READINGS["batch_32"].name
    assert ran.loc["declared readings (seed 000's pair)", "this run"].endswith(": run")
    assert "departs from the reference reading" in ran.loc["seed 000: batch", col]
