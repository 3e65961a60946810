"""The split every study trains on: which images land where, and the values they are scaled to."""
import numpy as np
import pytest

from lib.data import Dataset, classification_split, scale_images
from lib.data.loading import Provenance


def _dataset(n_train=200, n_test=60, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (n_train, 4, 4, 3), dtype=np.uint8)
    xt = rng.integers(0, 256, (n_test, 4, 4, 3), dtype=np.uint8)
    y, yt = np.arange(n_train) % 10, np.arange(n_test) % 10
    return Dataset(x, y, xt, yt, [str(i) for i in range(10)], Provenance("cifar10", "data_dir", "-", True))


def test_scaling_gives_the_float32_values_of_a_plain_division():
    x = np.arange(256, dtype=np.uint8).reshape(16, 16)
    scaled = scale_images(x)
    assert scaled.dtype == np.float32
    np.testing.assert_array_equal(scaled, x.astype(np.float32) / np.float32(255.0))
    assert scaled[0, 0] == 0.0 and scaled[-1, -1] == 1.0
    assert x[-1, -1] == 255  # the input is left as it was


@pytest.mark.parametrize("n_train", [None, 200, 120])
def test_the_split_holds_the_images_its_indices_name_whether_or_not_it_takes_all(n_train):
    ds = _dataset()
    split = classification_split(ds, n_train, None, 0.2)
    kept = len(split.y_train) + len(split.y_val)
    assert kept == (n_train or 200) and len(split.y_val) == round(kept * 0.2)
    # every image is its own uint8 source divided by 255, with its label beside it; none is shared twice
    source = {ds.x_train[i].tobytes(): ds.y_train[i] for i in range(len(ds.y_train))}
    seen = set()
    for x, y in zip(np.concatenate([split.x_train, split.x_val]), np.concatenate([split.y_train, split.y_val])):
        raw = np.rint(x * 255).astype(np.uint8).tobytes()
        assert source[raw] == y and raw not in seen  # random images: no two alike
        seen.add(raw)
    # the split owns its arrays: scaling or editing them never reaches the dataset
    split.x_train[...] = 0
    assert ds.x_train.max() > 0


def test_unscaled_split_keeps_uint8_and_copies():
    ds = _dataset()
    split = classification_split(ds, None, None, 0.1, scale=False)
    assert split.x_train.dtype == np.uint8
    assert not np.shares_memory(split.x_train, ds.x_train)
