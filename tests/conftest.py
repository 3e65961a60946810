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
