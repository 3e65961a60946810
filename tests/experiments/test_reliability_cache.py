"""A damaged or foreign file in the run cache is set aside (renamed, with a warning naming it) and the
run recomputed: truncated, empty and wrong-shaped cache entries, artifacts and checkpoints."""
import json

import numpy as np
import pytest

from lib.experiments import Cache, RunResult

CALLS = []


def fake_run(data, *, seed, label="r"):
    CALLS.append(seed)
    return RunResult(label=label, seed=seed, metrics={"acc": float(data.sum())}, history={"loss": [1.0, 0.5]})


@pytest.fixture
def cache(tmp_path):
    CALLS.clear()
    return Cache(tmp_path / "cache")


GOOD = json.dumps({"fn": "x", "result": RunResult(label="r", seed=0).to_dict()})

ENTRIES = {
    "truncated": GOOD[: len(GOOD) // 2].encode(),
    "empty": b"",
    "binary": b"\x00\xff\xfe garbage",
    "a list": b"[]",
    "result is a list": b'{"result": []}',
    "result is a string": b'{"result": "ok"}',
    "label is a number": json.dumps({"result": {"label": 1, "seed": 0}}).encode(),
    "seed is a string": json.dumps({"result": {"label": "r", "seed": "0"}}).encode(),
    "seed is a bool": json.dumps({"result": {"label": "r", "seed": True}}).encode(),
    "metrics is a list": json.dumps({"result": {"label": "r", "seed": 0, "metrics": [1, 2]}}).encode(),
    "metric is a string": json.dumps({"result": {"label": "r", "seed": 0, "metrics": {"acc": "high"}}}).encode(),
    "history of strings": json.dumps({"result": {"label": "r", "seed": 0, "history": {"loss": "low"}}}).encode(),
    "no seed": json.dumps({"result": {"label": "r"}}).encode(),
    "artifacts is a list": json.dumps({"result": {"label": "r", "seed": 0, "artifacts": []}}).encode(),
}


@pytest.mark.parametrize("damage", list(ENTRIES))
def test_a_damaged_or_foreign_cache_entry_is_set_aside_and_recomputed(cache, capsys, damage):
    data = np.ones(3)
    cache.call(fake_run, data, seed=0)
    key = cache.key(fake_run, data, seed=0, ignore=("log",))
    entry = cache.entry(key)
    entry.write_bytes(ENTRIES[damage])
    capsys.readouterr()

    again = cache.call(fake_run, data, seed=0)
    assert CALLS == [0, 0] and not again.cached and again.metrics == {"acc": 3.0}
    aside = entry.with_name(entry.name + ".damaged-1")
    assert aside.read_bytes() == ENTRIES[damage], "the bad file is kept, unchanged, beside the entry"
    out = capsys.readouterr().out
    assert out.startswith("::warning run cache entry ") and str(entry) in out and aside.name in out
    assert len(out.strip().splitlines()) == 1

    healed = cache.call(fake_run, data, seed=0)  # the recomputed entry is stored and trusted again
    assert healed.cached and CALLS == [0, 0]


def test_a_second_damage_keeps_the_first_damaged_copy(cache):
    data = np.ones(3)
    cache.call(fake_run, data, seed=0)
    entry = cache.entry(cache.key(fake_run, data, seed=0, ignore=("log",)))
    for content in (b"first", b"second"):
        entry.write_bytes(content)
        cache.call(fake_run, data, seed=0)
    assert entry.with_name(entry.name + ".damaged-1").read_bytes() == b"first"
    assert entry.with_name(entry.name + ".damaged-2").read_bytes() == b"second"


@pytest.mark.parametrize("damage", ["truncated", "empty", "not a zip"])
def test_a_damaged_npz_artifact_sets_the_entry_aside_and_recomputes(cache, tmp_path, capsys, damage):
    artifact = tmp_path / "synthetic.npz"

    def with_artifact(*, seed):
        CALLS.append(seed)
        np.savez(artifact, x=np.arange(50_000, dtype=np.int64))
        return RunResult(label="g", seed=seed, artifacts={"artifact_path": str(artifact)})

    cache.call(with_artifact, seed=0)
    good = artifact.read_bytes()
    bad = {"truncated": good[: len(good) // 2], "empty": b"", "not a zip": b"PK\x03\x04 not really"}[damage]
    artifact.write_bytes(bad)
    capsys.readouterr()
    cache.call(with_artifact, seed=0)
    assert CALLS == [0, 0]
    assert artifact.with_name("synthetic.npz.damaged-1").read_bytes() == bad
    assert "run artifact" in capsys.readouterr().out
    with np.load(artifact) as npz:  # the recomputed artifact is whole
        assert len(npz["x"]) == 50_000
    assert cache.call(with_artifact, seed=0).cached


# ---------------------------------------------------------------- checkpoints

@pytest.fixture
def variables():
    import keras

    return {"w": [keras.Variable(np.zeros((3, 2), np.float32)), keras.Variable(np.zeros(2, np.float32))]}


def _good_checkpoint(path, variables, epoch=2):
    import keras

    from lib.train.checkpoints import RunState, save_checkpoint

    other = {"w": [keras.Variable(np.full(tuple(v.shape), 7.0, np.float32)) for v in variables["w"]]}
    return save_checkpoint(other, RunState(epoch=epoch, history={"loss": [1.0] * epoch}), path)


def _npz(path, **arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _state(d):
    return np.frombuffer(json.dumps(d).encode(), np.uint8)


CHECKPOINTS = {
    "truncated": lambda p, v: p.write_bytes(_good_checkpoint(p, v).read_bytes()[:300]),
    "empty": lambda p, v: p.write_bytes(b""),
    "not a zip": lambda p, v: p.write_bytes(b"\x89PNG not a checkpoint"),
    "no state": lambda p, v: _npz(p, **{"w/0000": np.ones((3, 2), np.float32), "w/0001": np.ones(2, np.float32)}),
    "state is not JSON": lambda p, v: _npz(p, **{"w/0000": np.ones((3, 2), np.float32),
                                                 "w/0001": np.ones(2, np.float32), "state": np.arange(5, dtype=np.uint8)}),
    "state is a list": lambda p, v: _npz(p, **{"w/0000": np.ones((3, 2), np.float32),
                                               "w/0001": np.ones(2, np.float32), "state": _state([1])}),
    "foreign state fields": lambda p, v: _npz(p, **{"w/0000": np.ones((3, 2), np.float32),
                                                    "w/0001": np.ones(2, np.float32),
                                                    "state": _state({"epoch": 1, "history": {}, "grids": []})}),
    "epoch is a string": lambda p, v: _npz(p, **{"w/0000": np.ones((3, 2), np.float32),
                                                 "w/0001": np.ones(2, np.float32),
                                                 "state": _state({"epoch": "2", "history": {}})}),
    "history of strings": lambda p, v: _npz(p, **{"w/0000": np.ones((3, 2), np.float32),
                                                  "w/0001": np.ones(2, np.float32),
                                                  "state": _state({"epoch": 1, "history": {"loss": "x"}})}),
    "another model": lambda p, v: _npz(p, **{"w/0000": np.ones((4, 2), np.float32),
                                             "w/0001": np.ones(2, np.float32), "state": _state({"epoch": 1})}),
    "text arrays": lambda p, v: _npz(p, **{"w/0000": np.full((3, 2), "a"), "w/0001": np.ones(2, np.float32),
                                           "state": _state({"epoch": 1})}),
}


@pytest.mark.parametrize("damage", list(CHECKPOINTS))
def test_a_damaged_or_foreign_checkpoint_is_set_aside_and_the_run_starts_afresh(tmp_path, variables, capsys, damage):
    from lib.train.checkpoints import CHECKPOINT, restore_checkpoint

    path = tmp_path / CHECKPOINT
    CHECKPOINTS[damage](path, variables)
    bad = path.read_bytes()
    capsys.readouterr()

    assert restore_checkpoint(variables, path) is None
    assert all(not np.any(np.asarray(v.numpy())) for v in variables["w"]), "no variable is touched"
    assert not path.exists() and (tmp_path / f"{CHECKPOINT}.damaged-1").read_bytes() == bad
    out = capsys.readouterr().out
    assert out.startswith(f"::warning checkpoint {path} is damaged") and f"{CHECKPOINT}.damaged-1" in out

    _good_checkpoint(path, variables, epoch=3)  # the next epoch's checkpoint is written and read as usual
    assert restore_checkpoint(variables, path).epoch == 3
    assert float(variables["w"][0].numpy()[0, 0]) == 7.0


def test_a_whole_checkpoint_restores_and_stays(tmp_path, variables):
    from lib.train.checkpoints import CHECKPOINT, restore_checkpoint

    path = _good_checkpoint(tmp_path / CHECKPOINT, variables, epoch=2)
    state = restore_checkpoint(variables, path)
    assert state.epoch == 2 and state.history == {"loss": [1.0, 1.0]} and path.is_file()
    assert not list(tmp_path.glob("*.damaged-*"))


@pytest.mark.slow
def test_a_run_whose_checkpoint_was_truncated_trains_from_scratch_through_the_cache(tmp_path, capsys):
    """The study path: a killed run left a checkpoint that a full disk or a copy truncated."""
    from lib.data import classification_split, load_dataset, write_fixture
    from lib.models import build_fashion_cnn
    from lib.train import runtime
    from lib.train.checkpoints import CHECKPOINT
    from lib.train.classifier import TrainConfig, train_classifier

    write_fixture("fashion_mnist", tmp_path / "data", n_train=100, n_test=20)
    runtime.configure(seed=0, deterministic=True, precision="float32")
    split = classification_split(load_dataset("fashion_mnist", tmp_path / "data", allow_download=False), None, None, 0.2)
    cache = Cache(tmp_path / "cache")
    kwargs = dict(config=TrainConfig(epochs=2, batch_size=32), label="trunc", seed=0)
    key = cache.key(train_classifier, build_fashion_cnn, split, **kwargs, ignore=("log", "checkpoint_dir"))
    ckpt = cache.workdir(key) / CHECKPOINT
    ckpt.parent.mkdir(parents=True)
    ckpt.write_bytes(b"PK\x03\x04" + b"\x00" * 100)  # a truncated zip: BadZipFile before this fix
    result = cache.call(train_classifier, build_fashion_cnn, split, **kwargs, workdir="checkpoint_dir")
    assert result.ok and result.epochs_run == 2 and not result.cached
    assert ckpt.with_name(f"{CHECKPOINT}.damaged-1").is_file()
    assert f"::warning checkpoint {ckpt} is damaged" in capsys.readouterr().out
