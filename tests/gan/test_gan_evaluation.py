"""Offline evaluation on generated data: the feature classifier through the run cache, the collapse and
memorisation flags, the evaluation sets and class-balanced samples. (Study 4's GAN run, its tables and its cached
runs are tested in tests/studies/test_fashion_gans.py.)"""

import numpy as np
import pytest

from lib.train import runtime
from lib.data import classification_split, load_dataset, write_fixture
from lib.experiments import Cache
from lib.gan import images
from lib.gan.evaluation import FeatureExtractor, Reference, class_balanced, evaluate_images, train_evaluator
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


def test_evaluation_sets_refuse_impossible_sizes(dataset):
    from lib.errors import ParamError

    ds = dataset
    with pytest.raises(ParamError, match="more than half the 240 test images"):
        images.evaluation_sets(ds, 121, 3)
    with pytest.raises(ParamError, match="must exceed knn_k"):
        images.evaluation_sets(ds, 3, 3)


def test_the_real_baseline_is_drawn_from_test_images_disjoint_from_the_reference(dataset):
    ref, base = images.evaluation_sets(dataset, 100, 5)
    flat = lambda a: {x.tobytes() for x in a}  # noqa: E731
    assert len(ref) == len(base) == 100 and not flat(ref) & flat(base)
    assert not flat(base) & flat(images.scale_images(dataset.x_train))   # no GAN trains on a baseline image


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
