"""Offline evaluation end to end on generated data: feature classifier, experiment, tables."""
from pathlib import Path

import numpy as np
import pytest

from lib import runtime
from lib.data import classification_split, load_dataset, write_fixture
from lib.gan import data as gan_data
from lib.gan import experiment, tables
from lib.gan.evaluation import FeatureExtractor, cached_evaluator, evaluate_images
from lib.models import build_fashion_cnn
from lib.runs import RunCache


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    write_fixture("fashion_mnist", root, n_train=400, n_test=120)
    runtime.configure(seed=0, deterministic=True, precision="float32")
    ds = load_dataset("fashion_mnist", root, allow_download=False)
    split = classification_split(ds, None, None, 0.1)
    cache = RunCache(tmp_path_factory.mktemp("cache"))
    spec = {"test": "evaluator"}
    clf = cached_evaluator(cache, spec, build_fashion_cnn, split, cache.root / "w", seed=0, epochs=3, batch_size=32)
    return ds, split, cache, spec, clf


def test_evaluator_is_cached_with_its_weights_and_retrained_when_they_vanish(setup, tmp_path):
    ds, split, cache, spec, clf = setup
    assert clf["status"] == "ok" and clf["metrics"]["test_accuracy"] > 0.3  # ten classes: chance is 0.1
    again = cached_evaluator(cache, spec, build_fashion_cnn, split, cache.root / "w", seed=0, epochs=3, batch_size=32)
    assert cache.hits == 1 and again["weights"] == clf["weights"]
    extractor = FeatureExtractor(build_fashion_cnn, clf["weights"])
    feats, probs = extractor(split.x_test)
    assert feats.shape == (len(split.x_test), 128) and feats.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert extractor.num_classes == 10


def test_experiment_scores_training_against_untrained_and_real_baselines(setup, tmp_path):
    ds, split, cache, spec, clf = setup
    extractor = FeatureExtractor(build_fashion_cnn, clf["weights"])
    reference, real_train = gan_data.evaluation_sets(ds, 100, 3)
    ref_features, _ = extractor(reference)
    baseline = evaluate_images(extractor, real_train, ref_features)
    same = evaluate_images(extractor, reference, ref_features)
    assert same["fid"] == pytest.approx(0.0, abs=1e-6) and same["precision"] == same["recall"] == 1.0
    x, y = gan_data.gan_training_set(ds, 256)
    assert x.min() >= -1 and x.max() <= 1 and len(x) == 256
    out = experiment.run_gan_experiment("vanilla", x, y, extractor, ref_features, run_dir=tmp_path / "run", epochs=2,
                                        batch_size=32, seed=0, grid_every=1, n_eval=100, log=False)
    assert out["status"] == "ok" and out["epochs_run"] == 2
    assert out["untrained"]["collapsed"]  # a fresh generator maps all noise to nearly one image
    assert [p["epoch"] for p in out["progress"]] == [0, 1, 2]
    assert out["progress"][0]["fid"] == pytest.approx(out["untrained"]["fid"], rel=0.2)
    for m in (out["metrics"], out["untrained"], baseline):
        assert set(tables.METRICS_KEYS) <= set(m) and np.isfinite(m["fid"])
    assert baseline["fid"] < out["untrained"]["fid"]
    table = tables.comparison_table(baseline, {"vanilla": [out, out]})
    assert list(table.index) == ["real train vs real test (baseline)", "vanilla", "vanilla, untrained generator"]
    assert table.loc["vanilla", "seeds"] == 2 and "±" in table.loc["vanilla", "FID ↓"]
    assert table.loc["vanilla, untrained generator", "mode collapse flagged"] == "yes in 2 of 2 seeds"
    copied = experiment.copy_grids(out, tmp_path / "artifacts")
    assert [e for e, _ in copied] == [0, 1, 2] and all((tmp_path / "artifacts").glob("epoch_*.png"))


def test_evaluation_sets_refuse_impossible_sizes(setup):
    from lib.errors import ParamError

    ds = setup[0]
    with pytest.raises(ParamError, match="exceeds the 120 test images"):
        gan_data.evaluation_sets(ds, 500, 3)
    with pytest.raises(ParamError, match="must exceed knn_k"):
        gan_data.evaluation_sets(ds, 3, 3)


def test_fid_gap_closed():
    assert tables.fid_gap_closed(10.0, 110.0, 10.0) == 100.0
    assert tables.fid_gap_closed(110.0, 110.0, 10.0) == 0.0
    assert tables.fid_gap_closed(60.0, 110.0, 10.0) == 50.0
    assert np.isnan(tables.fid_gap_closed(5.0, 1.0, 1.0))


def test_cached_gan_runs_are_reused_and_recomputed_when_their_grids_are_gone(setup, tmp_path):
    ds, split, _, _, clf = setup
    extractor = FeatureExtractor(build_fashion_cnn, clf["weights"])
    reference, _ = gan_data.evaluation_sets(ds, 60, 3)
    ref_features, _ = extractor(reference)
    x, y = gan_data.gan_training_set(ds, 64)
    cache = RunCache(tmp_path / "cache")
    spec = {"family": "vanilla", "test": 1}
    kwargs = dict(epochs=1, batch_size=32, seed=0, grid_every=1, n_eval=60, log=False)
    first = experiment.cached_gan_experiment(cache, spec, tmp_path, "vanilla", x, y, extractor, ref_features, **kwargs)
    assert Path(first["grids"][0][1]).parent.parent == experiment.run_dir_for(cache, spec, tmp_path)
    again = experiment.cached_gan_experiment(cache, spec, tmp_path, "vanilla", x, y, extractor, ref_features, **kwargs)
    assert (cache.hits, cache.misses) == (1, 1) and again["metrics"] == first["metrics"]
    Path(first["grids"][-1][1]).unlink()
    redone = experiment.cached_gan_experiment(cache, spec, tmp_path, "vanilla", x, y, extractor, ref_features, **kwargs)
    assert cache.misses == 2 and redone["resumed_from"] == 0 and all(Path(p).is_file() for _, p in redone["grids"])
