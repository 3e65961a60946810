import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402

from lib.data import catalog  # noqa: E402


@pytest.fixture
def isolated_sources(monkeypatch, tmp_path):
    """No environment data dir, no system copies, an empty Keras cache, no network."""
    from lib.data import loading

    monkeypatch.delenv(catalog.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(loading, "SYSTEM_LOCATIONS", {})
    monkeypatch.setattr(loading, "_keras_cache_dir", lambda spec: tmp_path / "keras-cache" / spec.folder)
    monkeypatch.setattr(loading, "_network_reachable", lambda url, timeout=3.0: False)
    return tmp_path


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    """A tiny generated Fashion-MNIST split (240 train / 60 val / 60 test), float32 and deterministic."""
    from lib.train import runtime
    from lib.data import classification_split, load_dataset, write_fixture

    root = tmp_path_factory.mktemp("data")
    write_fixture("fashion_mnist", root, n_train=300, n_test=60)
    runtime.configure(seed=0, deterministic=True, precision="float32")
    return classification_split(load_dataset("fashion_mnist", root, allow_download=False), None, None, 0.2)
