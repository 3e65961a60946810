"""Checks on the real datasets, where this machine has them; skipped cleanly otherwise.

Fashion-MNIST comes from Debian's dataset-fashion-mnist (``.ci/run`` installs it);
CIFAR-10 from ``$SMALLIMG_REAL_DATA_DIR`` (``.ci/run`` builds it from ../shared when present).
"""
import os
from pathlib import Path

import numpy as np
import pytest

from lib.data import load_dataset

pytestmark = pytest.mark.realdata
FASHION = Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
REAL_DIR = os.environ.get("SMALLIMG_REAL_DATA_DIR")


@pytest.mark.skipif(not FASHION.is_file(), reason="apt-get install dataset-fashion-mnist")
def test_real_fashion_mnist_from_the_debian_package(monkeypatch):
    monkeypatch.delenv("SMALLIMG_DATA_DIR", raising=False)
    ds = load_dataset("fashion_mnist")
    assert ds.provenance.source == "system"
    assert ds.x_train.shape == (60000, 28, 28, 1) and ds.x_test.shape == (10000, 28, 28, 1)
    np.testing.assert_array_equal(np.bincount(ds.y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(ds.y_test), [1000] * 10)
    # The official first training labels (Ankle boot, T-shirt, T-shirt, Dress, T-shirt).
    assert ds.y_train[:5].tolist() == [9, 0, 0, 3, 0]
    # Debian recompressed the .gz files; the IDX content inside matches the published raw MD5s.
    prov = ds.provenance
    assert prov.canonical and prov.status == "official content, recompressed" and not prov.mismatched
    assert prov.describe().startswith("fashion_mnist from the system copy (/usr/share/datasets): official content")
    # Runs are cached under this fingerprint (the .gz files' MD5s), unchanged by the content check.
    assert prov.fingerprint == "0a8625a7fd2a679d"


@pytest.mark.skipif(not (REAL_DIR and Path(REAL_DIR, "cifar-10-batches-py").is_dir()),
                    reason="set SMALLIMG_REAL_DATA_DIR to a directory with cifar-10-batches-py/")
def test_real_cifar10_from_the_offline_data_directory():
    ds = load_dataset("cifar10", REAL_DIR)
    assert ds.x_train.shape == (50000, 32, 32, 3) and ds.x_test.shape == (10000, 32, 32, 3)
    np.testing.assert_array_equal(np.bincount(ds.y_train), [5000] * 10)
    assert ds.class_names[3] == "cat"
    # The JPEG-rebuilt copy must be reported as such, never as the official files.
    assert not ds.provenance.official and "JPEG" in ds.provenance.note
