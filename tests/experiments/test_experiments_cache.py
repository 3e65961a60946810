"""The run cache keys a call by the function, every argument (defaults included) and its code."""
import functools
import textwrap

import numpy as np
import pytest

from lib.data.splits import Split
from lib.experiments import Cache, RunResult
from lib.experiments import cache as cache_mod

CALLS = []


def fake_run(data, *, seed, label="", epochs=2, optimizer="adam", one_hot=False, checkpoint_dir=None, log=True):
    CALLS.append((seed, epochs, optimizer, one_hot, checkpoint_dir))
    return RunResult(label=label, seed=seed, metrics={"acc": float(data.sum()) + seed}, seconds=1.5)


def _split(fill=0.0):
    x = np.full((4, 2, 2, 1), fill, np.float32)
    y = np.arange(4)
    return Split(x, y, x, y, x, y)


@pytest.fixture
def cache(tmp_path):
    CALLS.clear()
    return Cache(tmp_path)


def test_same_call_is_reused_and_keeps_its_training_time(cache):
    data = np.ones(3)
    first = cache.call(fake_run, data, seed=0, label="a")
    again = cache.call(fake_run, data, seed=0, label="a")
    assert len(CALLS) == 1 and (cache.trained, cache.reused) == (1, 1)
    assert again.cached and not first.cached
    assert again.metrics == first.metrics and again.seconds == pytest.approx(1.5)


@pytest.mark.parametrize("change", [dict(seed=1), dict(epochs=3), dict(optimizer="sgd"), dict(one_hot=True)])
def test_changing_any_argument_retrains(cache, change):
    data = np.ones(3)
    cache.call(fake_run, data, seed=0)
    cache.call(fake_run, data, **{"seed": 0, **change})
    assert len(CALLS) == 2


def test_argument_given_explicitly_at_its_default_is_the_same_call(cache):
    data = np.ones(3)
    cache.call(fake_run, data, seed=0)
    cache.call(fake_run, data, seed=0, optimizer="adam", epochs=2)
    assert len(CALLS) == 1


def test_data_is_keyed_by_content(cache):
    cache.call(fake_run, np.ones(3), seed=0)
    cache.call(fake_run, np.ones(3), seed=0)
    cache.call(fake_run, np.zeros(3), seed=0)
    assert len(CALLS) == 2


def test_split_token_changes_with_any_array():
    a, b = _split(0.0), _split(0.0)
    assert a.cache_token() == b.cache_token()
    c = _split(0.0)
    c.y_test = c.y_test[::-1].copy()
    assert c.cache_token() != a.cache_token()


def test_partials_are_keyed_by_function_and_arguments():
    def build(width=1):
        return width
    assert cache_mod.token(functools.partial(build, 2)) != cache_mod.token(functools.partial(build, 3))
    assert cache_mod.token(functools.partial(build, 2)) == cache_mod.token(functools.partial(build, 2))


def test_unknown_argument_types_are_refused_not_stringified(cache):
    class Opaque:
        pass
    with pytest.raises(TypeError, match="cache_token"):
        cache.call(fake_run, Opaque(), seed=0)


def test_workdir_argument_gets_a_per_call_directory_and_is_not_keyed(cache, tmp_path):
    cache.call(fake_run, np.ones(3), seed=0, workdir="checkpoint_dir")
    cache.call(fake_run, np.ones(3), seed=1, workdir="checkpoint_dir")
    dirs = [c[4] for c in CALLS]
    assert dirs[0] != dirs[1] and all(str(d).startswith(str(tmp_path)) for d in dirs)


def test_failed_runs_are_not_stored(cache):
    def failing(*, seed):
        CALLS.append(seed)
        return RunResult(label="x", seed=seed, status="diverged", message="nan")
    cache.call(failing, seed=0)
    cache.call(failing, seed=0)
    assert CALLS == [0, 0]


def test_damaged_entry_is_recomputed(cache):
    cache.call(fake_run, np.ones(3), seed=0)
    key = cache.key(fake_run, np.ones(3), seed=0, ignore=("log",))
    cache.entry(key).write_text("{not json")
    cache.call(fake_run, np.ones(3), seed=0)
    assert len(CALLS) == 2


def test_result_whose_artifact_file_is_gone_is_recomputed(cache, tmp_path):
    grid = tmp_path / "grid.png"
    grid.write_bytes(b"png")

    def with_file(*, seed):
        CALLS.append(seed)
        return RunResult(label="g", seed=seed, artifacts={"grids": [[1, str(grid)]]})
    cache.call(with_file, seed=0)
    cache.call(with_file, seed=0)
    grid.unlink()
    cache.call(with_file, seed=0)
    assert CALLS == [0, 0]


def test_code_version_follows_imports_and_ignores_presentation(tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    (lib / "sub").mkdir(parents=True)
    (lib / "__init__.py").write_text("")
    (lib / "sub" / "__init__.py").write_text("from .heavy import *\n")
    (lib / "sub" / "heavy.py").write_text("X = 1\n")
    (lib / "helper.py").write_text("Y = 1\n")
    (lib / "plots.py").write_text("CACHE_NEUTRAL = True\nZ = 1\n")
    (lib / "run.py").write_text(textwrap.dedent("""
        from . import helper
        from .sub.heavy import X
        def f():
            from . import plots
            return X
    """))
    monkeypatch.setattr(cache_mod, "LIB_DIR", lib)

    def fn():
        pass
    fn.__module__ = "lib.run"
    v0 = cache_mod.code_version(fn)
    (lib / "helper.py").write_text("Y = 2\n")
    v1 = cache_mod.code_version(fn)
    (lib / "sub" / "heavy.py").write_text("X = 2\n")
    v2 = cache_mod.code_version(fn)
    (lib / "plots.py").write_text("CACHE_NEUTRAL = True\nZ = 2  # presentation only\n")
    v3 = cache_mod.code_version(fn)
    assert len({v0, v1, v2}) == 3 and v3 == v2


def test_code_version_ignores_comments_docstrings_and_layout_but_not_code(tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "__init__.py").write_text("")
    run = lib / "run.py"
    run.write_text('"""A run."""\ndef f(x):\n    """Twice x."""\n    return x * 2\n')
    monkeypatch.setattr(cache_mod, "LIB_DIR", lib)

    def fn():
        pass
    fn.__module__ = "lib.run"
    before = cache_mod.code_version(fn)
    run.write_text('"""A run, described anew."""\n\n\ndef f(x):  # why: doubled\n    """Two times x."""\n'
                   '    return (x *\n            2)\n')
    assert cache_mod.code_version(fn) == before
    run.write_text('def f(x):\n    return x * 3\n')
    assert cache_mod.code_version(fn) != before
    run.write_text('def f(x):\n    """Only a docstring."""\n')
    docstring_only = cache_mod.code_version(fn)
    run.write_text('def f(x):\n    pass\n')
    assert cache_mod.code_version(fn) == docstring_only  # an emptied body reads as `pass`


def test_real_training_run_does_not_depend_on_the_data_loaders():
    from lib.models import build_fashion_cnn
    from lib.train.classifier import train_classifier
    modules = set()
    cache_mod._modules_in([train_classifier, functools.partial(build_fashion_cnn)], modules)
    files = {p.relative_to(cache_mod.LIB_DIR).as_posix() for p in cache_mod._closure(modules)}
    assert "train/classifier.py" in files and "models/fashion_cnn.py" in files
    assert not any(f.startswith("data/loading") or f.startswith("data/formats") for f in files)
    assert not any(cache_mod.is_cache_neutral(cache_mod.LIB_DIR / f) for f in files)


def test_the_dtype_policy_is_part_of_the_key(cache):
    import keras
    before = keras.config.dtype_policy().name
    try:
        cache.call(fake_run, np.ones(3), seed=0)
        keras.config.set_dtype_policy("mixed_bfloat16")
        cache.call(fake_run, np.ones(3), seed=0)
    finally:
        keras.config.set_dtype_policy(before)
    cache.call(fake_run, np.ones(3), seed=0)
    assert len(CALLS) == 2
