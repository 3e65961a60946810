"""Offline evaluation end to end on generated data: feature classifier, experiment, tables, run cache."""
from pathlib import Path

import numpy as np
import pytest

from lib.train import runtime
from lib.data import classification_split, load_dataset, write_fixture
from lib.experiments import Cache
from lib.studies.fashion_gans import runs as family_run, tables
from lib.gan import images
from lib.gan.evaluation import FeatureExtractor, Reference, evaluate_images, train_evaluator
from lib.models import build_fashion_cnn


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    write_fixture("fashion_mnist", root, n_train=400, n_test=240)
    runtime.configure(seed=0, deterministic=True, precision="float32")
    return load_dataset("fashion_mnist", root, allow_download=False)


@pytest.fixture(scope="module")
def setup(dataset, tmp_path_factory):
    """The dataset, its split, a run cache and the feature classifier trained through it (slow tests only)."""
    ds = dataset
    split = classification_split(ds, None, None, 0.1)
    cache = Cache(tmp_path_factory.mktemp("cache"))
    clf = cache.call(train_evaluator, build_fashion_cnn, split, seed=0, epochs=3, batch_size=32, workdir="run_dir")
    return ds, split, cache, clf


@pytest.mark.slow
def test_evaluator_is_cached_with_its_weights_and_retrained_when_they_vanish(setup):
    ds, split, cache, clf = setup
    assert clf.ok and clf.metrics["test_accuracy"] > 0.3  # ten classes: chance is 0.1
    again = cache.call(train_evaluator, build_fashion_cnn, split, seed=0, epochs=3, batch_size=32, workdir="run_dir")
    assert again.cached and again.artifacts["weights_path"] == clf.artifacts["weights_path"]
    extractor = FeatureExtractor(build_fashion_cnn, clf.artifacts["weights_path"])
    feats, probs = extractor(split.x_test)
    assert feats.shape == (len(split.x_test), 128) and feats.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert extractor.num_classes == 10


@pytest.mark.slow
def test_constructed_generators_get_the_known_collapse_and_memorisation_flags(setup):
    ds, split, cache, clf = setup
    extractor = FeatureExtractor(build_fashion_cnn, clf.artifacts["weights_path"])
    reference_images, _ = images.evaluation_sets(ds, 100, 3)
    x, _ = images.gan_training_set(ds, 300)
    reference = Reference(extractor, reference_images, (x + 1) / 2)
    real = evaluate_images(extractor, reference_images, reference)
    assert not real["collapsed"] and not real["memorising"] and real["fid"] == pytest.approx(0.0, abs=1e-6)
    assert real["precision"] == real["recall"] == real["coverage"] == 1.0
    copies = evaluate_images(extractor, (x[:100] + 1) / 2, reference)
    assert copies["memorising"] and copies["memorised"] == 1.0 and not copies["collapsed"]
    # One class (the classifier's own pick, so this tests the rule, not the fixture classifier).
    feats, probs = extractor(split.x_test)
    top = np.bincount(probs.argmax(1)).argmax()
    one = evaluate_images(extractor, split.x_test[probs.argmax(1) == top], reference)
    assert one["collapsed"] and one["classes_covered"] == 1


@pytest.mark.slow
def test_experiment_scores_training_against_untrained_and_real_baselines(setup, tmp_path):
    ds, split, cache, clf = setup
    extractor = FeatureExtractor(build_fashion_cnn, clf.artifacts["weights_path"])
    reference_images, real_train = images.evaluation_sets(ds, 100, 3)
    x, y = images.gan_training_set(ds, 256)
    reference = Reference(extractor, reference_images, (x + 1) / 2)
    baseline = evaluate_images(extractor, real_train, reference)
    assert x.min() >= -1 and x.max() <= 1 and len(x) == 256
    out = family_run.run_gan_experiment("vanilla", x, y, extractor, reference, run_dir=tmp_path / "run", epochs=2,
                                        batch_size=32, seed=0, grid_every=1, n_eval=100, log=False)
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
    copied = family_run.copy_grids(out, tmp_path / "artifacts")
    assert [e for e, _ in copied] == [0, 1, 2] and all((tmp_path / "artifacts").glob("epoch_*.png"))


def test_evaluation_sets_refuse_impossible_sizes(dataset):
    from lib.errors import ParamError

    ds = dataset
    with pytest.raises(ParamError, match="more than half the 240 test images"):
        images.evaluation_sets(ds, 121, 3)
    with pytest.raises(ParamError, match="must exceed knn_k"):
        images.evaluation_sets(ds, 3, 3)


def test_fid_gap_closed():
    assert tables.fid_gap_closed(10.0, 110.0, 10.0) == 100.0
    assert tables.fid_gap_closed(110.0, 110.0, 10.0) == 0.0
    assert tables.fid_gap_closed(60.0, 110.0, 10.0) == 50.0
    assert np.isnan(tables.fid_gap_closed(5.0, 1.0, 1.0))


@pytest.mark.slow
def test_cached_gan_runs_are_reused_and_recomputed_when_their_grids_are_gone(setup, tmp_path):
    ds, split, _, clf = setup
    extractor = FeatureExtractor(build_fashion_cnn, clf.artifacts["weights_path"])
    reference_images, _ = images.evaluation_sets(ds, 60, 3)
    reference = Reference(extractor, reference_images)
    x, y = images.gan_training_set(ds, 64)
    cache = Cache(tmp_path / "cache")
    kwargs = dict(name="vanilla", x=x, y=y, extractor=extractor, reference=reference, epochs=1, batch_size=32,
                  seed=0, grid_every=1, n_eval=60, log=False)
    first = cache.call(family_run.run_gan_experiment, workdir="run_dir", **kwargs)
    assert Path(first.artifacts["grids"][0][1]).is_relative_to(cache.root / "runs")
    again = cache.call(family_run.run_gan_experiment, workdir="run_dir", **kwargs)
    assert (cache.reused, cache.trained) == (1, 1) and again.metrics == first.metrics
    Path(first.artifacts["grids"][-1][1]).unlink()
    redone = cache.call(family_run.run_gan_experiment, workdir="run_dir", **kwargs)
    assert cache.trained == 2 and redone.artifacts["resumed_from"] == 0
    assert all(Path(p).is_file() for _, p in redone.artifacts["grids"])


def test_the_real_baseline_is_drawn_from_test_images_disjoint_from_the_reference(dataset):
    ref, base = images.evaluation_sets(dataset, 100, 5)
    flat = lambda a: {x.tobytes() for x in a}  # noqa: E731
    assert len(ref) == len(base) == 100 and not flat(ref) & flat(base)
    assert not flat(base) & flat(images.scale_images(dataset.x_train))   # no GAN trains on a baseline image
