"""The real loaders, exercised on small files written in the datasets' on-disk formats."""
import hashlib

import numpy as np
import pytest

from lib.data import load_dataset, write_fixture
from lib.data import loading
from lib.data.catalog import DATASETS, FASHION_CLASSES
from lib.data.fixtures import write_cifar10, write_cifar100, write_fashion_mnist


def test_fashion_mnist_from_idx_files(isolated_sources):
    write_fashion_mnist(isolated_sources / "data", n_train=50, n_test=20)
    ds = load_dataset("fashion_mnist", isolated_sources / "data")
    assert ds.x_train.shape == (50, 28, 28, 1) and ds.x_test.shape == (20, 28, 28, 1)
    assert ds.x_train.dtype == np.uint8 and ds.y_train.dtype == np.int64
    assert set(ds.y_train) == set(range(10))
    assert ds.class_names == FASHION_CLASSES
    assert ds.provenance.source == "data_dir"


def test_data_dir_may_point_at_the_dataset_folder_itself(isolated_sources):
    folder = write_fashion_mnist(isolated_sources / "data", n_train=20, n_test=10)
    assert load_dataset("fashion-mnist", folder).x_train.shape == (20, 28, 28, 1)


def test_cifar10_batches(isolated_sources):
    write_cifar10(isolated_sources, n_train=50, n_test=10)
    ds = load_dataset("cifar10", isolated_sources)
    assert ds.x_train.shape == (50, 32, 32, 3) and ds.x_test.shape == (10, 32, 32, 3)
    assert ds.class_names[0] == "airplane" and ds.num_classes == 10


def test_cifar10_pixels_are_transposed_from_chw_rows(isolated_sources):
    folder = write_cifar10(isolated_sources, n_train=10, n_test=10)
    import pickle
    with open(folder / "data_batch_1", "rb") as fh:
        raw = pickle.load(fh, encoding="bytes")
    ds = load_dataset("cifar10", isolated_sources)
    row = raw[b"data"][0]
    # Row layout is 1024 red, then 1024 green, then 1024 blue values.
    assert ds.x_train[0, 0, 1, 0] == row[1] and ds.x_train[0, 0, 0, 2] == row[2048]


def test_cifar100_fine_and_coarse_labels(isolated_sources):
    write_cifar100(isolated_sources, n_train=200, n_test=100)
    ds = load_dataset("cifar100", isolated_sources)
    assert ds.x_train.shape == (200, 32, 32, 3)
    assert ds.num_classes == 100 and len(ds.coarse_class_names) == 20
    assert ds.y_train.max() == 99 and ds.y_train_coarse.max() == 19
    np.testing.assert_array_equal(ds.y_train // 5, ds.y_train_coarse)


def test_environment_variable_is_a_source(isolated_sources, monkeypatch):
    write_fashion_mnist(isolated_sources / "env", n_train=10, n_test=10)
    monkeypatch.setenv("SMALLIMG_DATA_DIR", str(isolated_sources / "env"))
    assert load_dataset("fashion_mnist").provenance.source == "data_dir"


def test_system_location_is_used_when_no_data_dir(isolated_sources, monkeypatch):
    folder = write_fashion_mnist(isolated_sources / "sys", n_train=10, n_test=10)
    monkeypatch.setattr(loading, "SYSTEM_LOCATIONS", {"fashion_mnist": [str(folder)]})
    assert load_dataset("fashion_mnist").provenance.source == "system"


def test_generated_files_are_flagged_non_canonical(isolated_sources):
    write_fixture("cifar10", isolated_sources, n_train=20, n_test=10)
    prov = load_dataset("cifar10", isolated_sources).provenance
    assert not prov.official and "data_batch_1" in prov.mismatched
    assert "generated" in prov.note and "NON-CANONICAL" in prov.describe()


def test_matching_checksums_are_reported_official(isolated_sources, monkeypatch):
    folder = write_fashion_mnist(isolated_sources, n_train=10, n_test=10)
    digests = {f: hashlib.md5((folder / f).read_bytes()).hexdigest() for f in DATASETS["fashion_mnist"].files}
    spec = DATASETS["fashion_mnist"]
    monkeypatch.setitem(DATASETS, "fashion_mnist", type(spec)(**{**spec.__dict__, "files": digests}))
    prov = load_dataset("fashion_mnist", isolated_sources).provenance
    assert prov.official and prov.canonical and prov.mismatched == [] and prov.status == "official release"
    assert "official release (MD5 verified" in prov.describe()


def _with_content_md5s(monkeypatch, folder):
    """Publish the fixture's decompressed MD5s as the official ones; its .gz MD5s stay unofficial."""
    import gzip

    spec = DATASETS["fashion_mnist"]
    content = {f: hashlib.md5(gzip.decompress((folder / f).read_bytes())).hexdigest() for f in spec.files}
    monkeypatch.setitem(DATASETS, "fashion_mnist", type(spec)(**{**spec.__dict__, "content_md5": content}))


def test_recompressed_official_content_is_canonical_and_keeps_its_fingerprint(isolated_sources, monkeypatch):
    folder = write_fashion_mnist(isolated_sources, n_train=10, n_test=10)
    before = load_dataset("fashion_mnist", isolated_sources).provenance
    assert not before.canonical and before.status == "non-canonical"
    _with_content_md5s(monkeypatch, folder)
    prov = load_dataset("fashion_mnist", isolated_sources).provenance
    assert prov.canonical and not prov.official and prov.mismatched == []
    assert prov.status == "official content, recompressed" and len(prov.recompressed) == 4
    assert "official content, recompressed" in prov.describe() and "NON-CANONICAL" not in prov.describe()
    # Cached runs are keyed by the fingerprint: recognising the content must not change it.
    assert prov.fingerprint == before.fingerprint


def test_one_changed_file_makes_recompressed_content_non_canonical(isolated_sources, monkeypatch):
    folder = write_fashion_mnist(isolated_sources, n_train=10, n_test=10)
    _with_content_md5s(monkeypatch, folder)
    write_fashion_mnist(isolated_sources, n_train=10, n_test=10, seed=5)   # new content, old checksums
    prov = load_dataset("fashion_mnist", isolated_sources).provenance
    assert not prov.canonical and "NON-CANONICAL" in prov.describe() and len(prov.mismatched) == 4


@pytest.mark.parametrize("where", ["data_dir", "system"])
def test_provenance_lines_show_no_local_paths(isolated_sources, monkeypatch, where):
    from lib.data import classification_split, describe_data

    folder = write_fashion_mnist(isolated_sources / "deep" / "local", n_train=50, n_test=20)
    if where == "system":
        monkeypatch.setattr(loading, "SYSTEM_LOCATIONS", {"fashion_mnist": [str(folder)]})
    ds = load_dataset("fashion_mnist", isolated_sources / "deep" / "local" if where == "data_dir" else None)
    line = describe_data(ds, classification_split(ds, None, None, 0.2), generated=False)
    assert str(isolated_sources) not in line and "/deep/local" not in line and "`" not in line
    assert f"fashion_mnist from the {'data directory' if where == 'data_dir' else 'system copy'}:" in line
    assert ds.provenance.path == str(folder)   # still there for error messages


def test_fingerprint_changes_with_the_data(isolated_sources):
    write_fashion_mnist(isolated_sources / "a", n_train=10, n_test=10, seed=0)
    write_fashion_mnist(isolated_sources / "b", n_train=10, n_test=10, seed=1)
    fa = load_dataset("fashion_mnist", isolated_sources / "a").provenance.fingerprint
    fb = load_dataset("fashion_mnist", isolated_sources / "b").provenance.fingerprint
    assert fa != fb


@pytest.mark.parametrize("name", ["fashion_mnist", "cifar10", "cifar100"])
def test_download_is_the_fallback_and_uses_the_official_origin(isolated_sources, monkeypatch, name):
    """With no local copy and a network, the loader downloads (stubbed here) and reads the result."""
    calls = []

    def fake_download(spec):
        calls.append(spec.origin)
        return {"fashion_mnist": write_fashion_mnist, "cifar10": write_cifar10,
                "cifar100": write_cifar100}[spec.name](isolated_sources / "dl", n_train=200, n_test=100)

    monkeypatch.setattr(loading, "_network_reachable", lambda url, timeout=3.0: True)
    monkeypatch.setattr(loading, "_download", fake_download)
    ds = load_dataset(name)
    assert ds.provenance.source == "download"
    assert calls and calls[0].startswith("https://")


def test_rewriting_the_same_fixture_keeps_its_fingerprint(isolated_sources):
    """gzip headers carry a timestamp; the fixture writer pins it so cache keys stay stable."""
    write_fashion_mnist(isolated_sources / "a", n_train=10, n_test=10, seed=0)
    first = load_dataset("fashion_mnist", isolated_sources / "a").provenance.fingerprint
    import time
    time.sleep(1.1)
    write_fashion_mnist(isolated_sources / "a", n_train=10, n_test=10, seed=0)
    assert load_dataset("fashion_mnist", isolated_sources / "a").provenance.fingerprint == first
