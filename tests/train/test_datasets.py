"""The classifier runs' tf.data pipeline: large arrays converted to tensors once per process, same batches."""
import numpy as np
import pytest

from lib.train import datasets


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(datasets, "TENSOR_MIN_BYTES", 1000)
    monkeypatch.setattr(datasets, "_tensors", datasets.OrderedDict())


def _batches(ds):
    return [(a.numpy(), b.numpy()) for a, b in ds]


def test_a_large_array_is_converted_once_and_a_small_one_is_left_as_it_is(small_threshold):
    x = np.random.default_rng(0).random((100, 4, 4), dtype=np.float32)  # 6,400 bytes
    small = np.zeros((3, 4), np.float32)
    assert datasets.as_tensor(x) is datasets.as_tensor(x)
    assert datasets.as_tensor(small) is small
    assert datasets.as_tensor(x.copy()) is not datasets.as_tensor(x)  # another array, its own tensor
    np.testing.assert_array_equal(datasets.as_tensor(x).numpy(), x)


def test_only_the_last_arrays_are_kept(small_threshold):
    arrays = [np.full((100, 4, 4), i, np.float32) for i in range(datasets.TENSORS_KEPT + 2)]
    for a in arrays:
        datasets.as_tensor(a)
    assert len(datasets._tensors) == datasets.TENSORS_KEPT
    assert [entry[0] is a for entry, a in zip(datasets._tensors.values(), arrays[2:])] == [True] * 4


def test_a_pipeline_from_the_kept_tensor_gives_the_batches_of_one_from_the_array(small_threshold, monkeypatch):
    rng = np.random.default_rng(1)
    x, y = rng.random((300, 2, 2, 1), dtype=np.float32), rng.integers(0, 10, 300)
    kept = [_batches(datasets.make_dataset(x, y, 32, shuffle_seed=5)) for _ in range(2)]  # built twice, one tensor
    monkeypatch.setattr(datasets, "TENSOR_MIN_BYTES", 10**12)  # as before: straight from numpy
    plain = _batches(datasets.make_dataset(x, y, 32, shuffle_seed=5))
    for batches in kept:
        assert len(batches) == len(plain) == 10
        for (a, b), (c, d) in zip(batches, plain):
            np.testing.assert_array_equal(a, c)
            np.testing.assert_array_equal(b, d)
