"""The Ray executor on one local Ray with two CPUs (two workers), shared by this module's tests: a smoke study's
RunSet equals the in-process one in deterministic mode, and a worker killed mid-run is retried, resumes from its
epoch checkpoint, while a run whose worker dies twice is reported failed and the others complete.

Skipped where Ray is not installed (it is an optional extra), except where SMALLIMG_REQUIRE_RAY is set (.ci/run).
"""
import os
import shutil
import time
from functools import partial
from pathlib import Path

import pytest

from lib.errors import ParamError
from lib.experiments import Cache, Variant, executors, run_variants
from lib.train.checkpoints import CHECKPOINT
from lib.train.classifier import TrainConfig
from lib.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow  # starts Ray and trains models

ROOT = PROJECT_ROOT


@pytest.fixture(scope="module")
def ray_local():
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")  # as RayTasks.check sets it: every worker's line, see below
    try:
        import ray
    except ImportError:
        if os.environ.get("SMALLIMG_REQUIRE_RAY"):
            pytest.fail("SMALLIMG_REQUIRE_RAY is set but Ray is not installed; run make setup-ray")
        pytest.skip("Ray is not installed (optional extra: make setup-ray)")
    # The workers import this checkout's lib and, for the functions below, this test module (its folder) and the
    # shared test helpers (tests/, e.g. fault_runs).
    here = Path(__file__).resolve().parent
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"), str(here)]), "TF_CPP_MIN_LOG_LEVEL": "3"}
    for attempt in (1, 2, 3):
        try:
            ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", runtime_env={"env_vars": env})
            break
        except Exception as exc:  # Ray waits a fixed 30 s for its raylet, which a loaded 2-core machine can miss
            ray.shutdown()
            if attempt == 3 or "timed out during startup" not in str(exc):
                raise
    yield ray
    ray.shutdown()


def test_a_smoke_study_on_ray_equals_the_in_process_one(ray_local, split, tmp_path):
    from test_executors import comparable, smoke_variants  # tests/experiments/ is on sys.path here

    variants = smoke_variants(split)
    serial = run_variants(Cache(tmp_path / "serial"), variants, [0, 1], workdir="checkpoint_dir",
                          executor=executors.Serial())
    cache = Cache(tmp_path / "ray")
    on_ray = run_variants(cache, variants, [0, 1], workdir="checkpoint_dir", executor=executors.RayTasks())
    assert all(r.ok and not r.cached for r in on_ray.all())
    assert comparable(on_ray) == comparable(serial)
    assert len(list((tmp_path / "ray").glob("*.json"))) == 4  # stored by the parent, under the parent's keys
    again = run_variants(cache, variants, [0, 1], workdir="checkpoint_dir", executor=executors.RayTasks())
    assert all(r.cached for r in again.all()) and (cache.reused, cache.trained) == (4, 4)


def dies_once(build_model, data, *, marker: str, seed: int, label: str, epochs: int, batch_size: int,
              always: bool = False, checkpoint_dir=None):
    """train_classifier whose worker process dies at the end of its first epoch (after the epoch checkpoint is
    written; a copy is left at ``marker``.npz) unless ``marker`` exists; with ``always`` it dies at the end of
    every epoch it runs."""
    import shutil

    import keras

    from lib.train.classifier import train_classifier

    epochs_begun = []

    class Die(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            epochs_begun.append(epoch)

        def on_epoch_end(self, epoch, logs=None):
            if always or not os.path.exists(marker):
                shutil.copy(Path(checkpoint_dir) / CHECKPOINT, marker + ".npz")
                Path(marker).touch()
                os._exit(1)  # the worker is lost, as a machine that goes away mid-run

    result = train_classifier(build_model, data, TrainConfig(epochs=epochs, batch_size=batch_size,
                                                             extra_callbacks=[Die()]),
                              label=label, seed=seed, checkpoint_dir=checkpoint_dir)
    result.artifacts["first_epoch"] = epochs_begun[0]
    return result


def test_a_killed_worker_is_retried_and_resumes_and_twice_lost_fails(ray_local, split, tmp_path):
    from lib.models import build_fashion_cnn
    from lib.train.classifier import train_classifier

    common = dict(build_model=partial(build_fashion_cnn), data=split, epochs=2, batch_size=32)
    variants = {"resumed": Variant(dies_once, dict(marker=str(tmp_path / "killed-once"), **common), 2),
                "doomed": Variant(dies_once, dict(marker=str(tmp_path / "killed-always"), always=True, **common), 2)}
    cache = Cache(tmp_path / "cache")
    runs = run_variants(cache, variants, [0], workdir="checkpoint_dir", executor=executors.RayTasks())

    resumed, = runs.runs["resumed"]
    assert (tmp_path / "killed-once").exists(), "the first attempt must have been killed"
    assert resumed.ok and resumed.artifacts["first_epoch"] == 1, "the retry must start from the epoch-1 checkpoint"
    # What an in-process run resumed from the killed attempt's checkpoint computes (a resumed run is not the
    # uninterrupted one: its data order restarts with the resumed epoch).
    (tmp_path / "reference").mkdir()
    shutil.copy(tmp_path / "killed-once.npz", tmp_path / "reference" / CHECKPOINT)
    reference = train_classifier(common["build_model"], split, TrainConfig(epochs=2, batch_size=32),
                                 label="resumed seed 0", seed=0, checkpoint_dir=tmp_path / "reference")
    assert reference.history["loss"][0] == resumed.history["loss"][0]  # epoch 1 comes from the checkpoint
    assert resumed.history == reference.history and resumed.metrics == reference.metrics
    assert resumed.test_predictions == reference.test_predictions

    doomed, = runs.runs["doomed"]
    assert doomed.status == "failed" and "lost twice" in doomed.message
    assert [r.label for r in runs.failed()] == ["doomed seed 0"]
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1  # the finished run is stored, the failed one not


def test_resources_no_node_has_are_refused_at_once(ray_local, tmp_path):
    from fault_runs import prints_an_epoch

    started = time.monotonic()
    with pytest.raises(ParamError, match="SMALLIMG_RAY_CPUS=64: no node of the local Ray has that many CPUs"):
        run_variants(Cache(tmp_path), {"a": Variant(prints_an_epoch)}, [0], executor=executors.RayTasks(cpus=64))
    with pytest.raises(ParamError, match="SMALLIMG_RAY_GPUS=1: no node of the local Ray has that many GPUs"):
        run_variants(Cache(tmp_path), {"a": Variant(prints_an_epoch)}, [0], executor=executors.RayTasks(gpus=1))
    assert time.monotonic() - started < 30, "refused, not waited on"


def test_ray_workers_epoch_lines_reach_the_study_output(ray_local, tmp_path, capfd):
    from fault_runs import prints_an_epoch

    from lib.progress import Epoch, parse_line

    runs = run_variants(Cache(tmp_path), {"shown": Variant(prints_an_epoch)}, [0, 1], executor=executors.RayTasks())
    assert all(r.ok for r in runs.all())
    seen, deadline = "", time.monotonic() + 20  # Ray's log monitor passes worker output on within a second or so
    labels = []
    while time.monotonic() < deadline and len(labels) < 2:
        time.sleep(0.5)
        seen += capfd.readouterr().out
        labels = sorted(e.label for e in map(parse_line, seen.splitlines()) if isinstance(e, Epoch))
    # Both seeds' lines: Ray would fold lines alike but for their numbers into one (RAY_DEDUP_LOGS).
    assert labels == ["shown seed 0", "shown seed 1"], seen[-2000:]


def test_a_ray_head_answers_the_address_probe(ray_local):
    host, _, port = ray_local.get_runtime_context().gcs_address.rpartition(":")
    assert executors._silent(host, int(port)) == ""  # what RayTasks.check asks of RAY_ADDRESS
