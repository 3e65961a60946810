"""Bad data gives one clear line, naming the problem and the fix, before any training."""
import gzip
import os
import pickle

import numpy as np
import pytest

from lib.data import load_dataset
from lib.data.fixtures import _write_idx, write_cifar10, write_cifar100, write_fashion_mnist
from lib.errors import DataError


def _one_line(exc_info):
    text = str(exc_info.value)
    assert "\n" not in text and len(text) < 400
    return text


def test_no_data_and_no_network_says_how_to_set_the_data_dir(isolated_sources):
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist")
    text = _one_line(e)
    assert "no network" in text and "SMALLIMG_DATA_DIR" in text


def test_missing_data_directory(isolated_sources):
    with pytest.raises(DataError) as e:
        load_dataset("cifar10", isolated_sources / "nope")
    assert "does not exist" in _one_line(e)


def test_unknown_dataset_lists_valid_names():
    with pytest.raises(DataError) as e:
        load_dataset("mnist-fashion")
    assert "fashion_mnist" in _one_line(e)


def test_incomplete_folder_names_missing_files(isolated_sources):
    folder = write_cifar10(isolated_sources, n_train=10, n_test=10)
    os.remove(folder / "data_batch_3")
    with pytest.raises(DataError) as e:
        load_dataset("cifar10", isolated_sources)
    assert "data_batch_3" in _one_line(e)


def test_truncated_gzip(isolated_sources):
    folder = write_fashion_mnist(isolated_sources, n_train=30, n_test=10)
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist", isolated_sources)
    assert "truncated" in _one_line(e)


def test_idx_with_fewer_bytes_than_its_header_promises(isolated_sources):
    folder = write_fashion_mnist(isolated_sources, n_train=30, n_test=10)
    path = folder / "t10k-images-idx3-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:-100]))
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist", isolated_sources)
    assert "header promises" in _one_line(e)


def test_wrong_image_shape(isolated_sources):
    folder = write_fashion_mnist(isolated_sources, n_train=30, n_test=10)
    _write_idx(folder / "train-images-idx3-ubyte.gz", np.zeros((30, 27, 27), np.uint8))
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist", isolated_sources)
    assert "expected (28, 28, 1)" in _one_line(e)


def test_label_out_of_range(isolated_sources):
    folder = write_fashion_mnist(isolated_sources, n_train=30, n_test=10)
    _write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.full(10, 12, np.uint8))
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist", isolated_sources)
    assert "0..9" in _one_line(e)


def test_images_and_labels_of_different_length(isolated_sources):
    folder = write_fashion_mnist(isolated_sources, n_train=30, n_test=10)
    _write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(29, np.uint8))
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist", isolated_sources)
    assert "30 images but 29 labels" in _one_line(e)


class _Exploit:
    """Unpickling this would run os.system: the restricted unpickler must refuse it."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused_and_not_executed(isolated_sources):
    folder = write_cifar10(isolated_sources, n_train=10, n_test=10)
    marker = isolated_sources / "pwned"
    with open(folder / "data_batch_2", "wb") as fh:
        pickle.dump({b"data": _Exploit(marker), b"labels": [0]}, fh)
    with pytest.raises(DataError) as e:
        load_dataset("cifar10", isolated_sources)
    assert "not allowed" in _one_line(e) and "system" in str(e.value)
    assert not marker.exists()


def test_truncated_pickle(isolated_sources):
    folder = write_cifar100(isolated_sources, n_train=100, n_test=100)
    raw = (folder / "train").read_bytes()
    (folder / "train").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError) as e:
        load_dataset("cifar100", isolated_sources)
    assert "truncated or corrupted" in _one_line(e)


def test_cifar_rows_of_the_wrong_width(isolated_sources):
    folder = write_cifar10(isolated_sources, n_train=10, n_test=10)
    with open(folder / "test_batch", "wb") as fh:
        pickle.dump({b"data": np.zeros((10, 100), np.uint8), b"labels": [0] * 10}, fh)
    with pytest.raises(DataError) as e:
        load_dataset("cifar10", isolated_sources)
    assert "(N, 3072)" in _one_line(e)


def test_cifar100_file_without_coarse_labels(isolated_sources):
    folder = write_cifar100(isolated_sources, n_train=100, n_test=100)
    with open(folder / "test", "wb") as fh:
        pickle.dump({b"data": np.zeros((10, 3072), np.uint8), b"fine_labels": [0] * 10}, fh)
    with pytest.raises(DataError) as e:
        load_dataset("cifar100", isolated_sources)
    assert "coarse_labels" in _one_line(e)
