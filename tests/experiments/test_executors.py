"""Executors (lib.experiments.executors): choosing one, the cache asked first, and the process-pool executor's
results against the in-process ones. The Ray executor's tests are in test_executors_ray.py."""
import os

import pytest

from lib.errors import ParamError
from lib.experiments import Cache, RunGroup, RunResult, RunSet, Variant, executors, run_groups, run_variants


# ---------------------------------------------------------------- choosing an executor (unit tier)

@pytest.mark.parametrize("spec, name", [(None, "serial"), ("", "serial"), ("serial", "serial"), ("local", "local"),
                                        ("local:3", "local"), ("LOCAL:1", "local"), ("ray", "ray")])
def test_executor_names(spec, name):
    assert executors.parse(spec).name == name


def test_local_splits_the_cores_between_its_workers():
    assert executors.parse("local:3").workers == 3
    assert executors.LocalProcesses(2, threads=None).threads == max(1, (os.cpu_count() or 1) // 2)


@pytest.mark.parametrize("spec, says", [("foo", "unknown executor 'foo'"), ("local:0", "at least 1"),
                                        ("local:two", "whole number"), ("ray:2", "only local takes a number")])
def test_a_bad_executor_is_one_line_that_says_what_to_fix(spec, says):
    with pytest.raises(ParamError) as err:
        executors.parse(spec)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_the_pipeline_refuses_a_bad_executor_before_any_work(monkeypatch, tmp_path, capsys):
    from lib.report import pipeline

    monkeypatch.setenv(executors.ENV, "foo")
    planned = []
    monkeypatch.setattr(pipeline, "plan", lambda *a, **k: planned.append(a))
    assert pipeline.main(["report", "--profile", "smoke", "--studies", "2", "--build-dir", str(tmp_path / "b"),
                          "--reports-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "unknown executor 'foo'" in err and len(err.strip().splitlines()) == 1
    assert not planned


def test_an_unreachable_ray_address_is_refused_in_one_line(monkeypatch):
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")  # nothing listens on port 1
    with pytest.raises(ParamError) as err:
        executors.RayTasks().check()
    text = str(err.value)
    assert ("127.0.0.1:1 is not reachable" in text) or ("needs Ray" in text and "make setup-ray" in text)


def test_ray_resources_must_be_numbers(monkeypatch):
    monkeypatch.setenv(executors.RAY_GPUS_ENV, "half")
    with pytest.raises(ParamError, match="SMALLIMG_RAY_GPUS='half' must be a number"):
        executors.RayTasks()
    monkeypatch.setenv(executors.RAY_GPUS_ENV, "0.25")
    assert executors.RayTasks().gpus == 0.25


# ---------------------------------------------------------------- the cache is asked first (unit tier)

def cheap_run(scale: float, *, seed: int, label: str, fail: bool = False) -> RunResult:
    if fail:
        raise ValueError(f"{label} refused")
    return RunResult(label=label, seed=seed, metrics={"value": scale * (seed + 1)})


class Recording:
    """A non-inline executor that runs jobs here and remembers what it was given."""
    name, inline = "recording", False

    def __init__(self):
        self.seen = []

    def run(self, jobs):
        self.seen.append([j.label for j in jobs])
        return executors.Serial().run(jobs)


def _summary(runs):
    return {v: [(r.seed, r.label, r.metrics, r.status) for r in runs.runs[v]] for v in runs.variants}


def test_stored_runs_never_reach_the_executor_and_order_is_kept(tmp_path):
    variants = {"a": Variant(cheap_run, {"scale": 1.0}), "b": Variant(cheap_run, {"scale": 2.0})}
    serial = run_variants(Cache(tmp_path / "serial"), variants, [0, 1], executor=executors.Serial())
    cache = Cache(tmp_path / "parallel")
    first = Recording()
    parallel = run_variants(cache, variants, [0, 1], executor=first)
    assert first.seen == [["a seed 0", "b seed 0", "a seed 1", "b seed 1"]]
    assert _summary(parallel) == _summary(serial)
    assert (cache.reused, cache.trained) == (0, 4)
    again = Recording()
    grown = run_variants(cache, variants, [0, 1, 2], executor=again)
    assert again.seen == [["a seed 2", "b seed 2"]]  # only the new seed's runs are handed out
    assert [r.cached for r in grown.runs["a"]] == [True, True, False]
    assert (cache.reused, cache.trained) == (4, 6)


def test_groups_go_to_the_executor_in_one_call_longest_first_and_land_in_their_own_sets(tmp_path):
    short = {"short": Variant(cheap_run, {"scale": 1.0}, epochs=10, cost=1.0)}
    long = {"long": Variant(cheap_run, {"scale": 2.0}, epochs=10, cost=3.0),
            "mid": Variant(cheap_run, {"scale": 3.0}, epochs=20, cost=1.0)}
    executor = Recording()
    first, second = run_groups(Cache(tmp_path), [RunGroup(short, [0, 1]), RunGroup(long, [0, 1])], executor=executor)
    # one call; by epochs x cost (30, 20, 10), ties in the seed-major order
    assert executor.seen == [["long seed 0", "long seed 1", "mid seed 0", "mid seed 1", "short seed 0",
                              "short seed 1"]]
    assert _summary(first) == {"short": [(0, "short seed 0", {"value": 1.0}, "ok"),
                                         (1, "short seed 1", {"value": 2.0}, "ok")]}
    assert [(r.label, r.metrics["value"]) for r in second.all()] == [
        ("long seed 0", 2.0), ("long seed 1", 4.0), ("mid seed 0", 3.0), ("mid seed 1", 6.0)]


def test_a_group_given_a_runset_adds_to_it(tmp_path):
    runs = RunSet()
    runs.runs["b"] = []  # a variant order set in advance is kept
    out, = run_groups(Cache(tmp_path), [RunGroup({"a": Variant(cheap_run, {"scale": 1.0}),
                                                  "b": Variant(cheap_run, {"scale": 1.0}, cost=2.0)}, [0], runs=runs)],
                      executor=Recording())
    assert out is runs and runs.variants == ["b", "a"]


def test_a_run_that_raises_is_raised_after_the_others_are_stored(tmp_path):
    variants = {"ok": Variant(cheap_run, {"scale": 1.0}), "bad": Variant(cheap_run, {"scale": 1.0, "fail": True})}
    cache = Cache(tmp_path)
    with pytest.raises(ValueError, match="bad seed 0 refused"):
        run_variants(cache, variants, [0, 1], executor=Recording())
    assert len(list(tmp_path.glob("*.json"))) == 2  # both "ok" runs were stored: a rerun will not repeat them


def test_run_variants_uses_the_environments_executor(monkeypatch, tmp_path):
    monkeypatch.setenv(executors.ENV, "nonsense")
    with pytest.raises(ParamError, match="unknown executor"):
        run_variants(Cache(tmp_path), {"a": Variant(cheap_run, {"scale": 1.0})}, [0])


def test_a_multi_device_strategy_stays_in_this_process():
    class Mirrored:
        num_replicas_in_sync = 2

    with pytest.raises(executors._NotPortable):
        executors._portable(Mirrored())


# ---------------------------------------------------------------- local processes against in-process (slow)

def smoke_variants(split):
    """Study 2's two arms at smoke size."""
    from functools import partial

    from lib.models import build_fashion_cnn
    from lib.train import distribute
    from lib.train.classifier import TrainConfig, train_classifier

    config = TrainConfig(epochs=2, batch_size=32, learning_rate=1e-3)
    common = dict(data=split, strategy=distribute.make_strategy())
    return {"baseline": Variant(train_classifier, dict(build_model=partial(build_fashion_cnn), config=config,
                                                       **common), 2),
            "regularised": Variant(train_classifier, dict(build_model=partial(build_fashion_cnn, dropout=0.25),
                                                          config=TrainConfig(epochs=2, batch_size=32,
                                                                             early_stopping_patience=1),
                                                          **common), 2)}


def comparable(runs):
    """What a run computed: everything but its wall time and whether it came from the cache."""
    return {v: [(r.seed, r.label, r.status, r.history, r.metrics, r.epochs_run, r.best_epoch,
                 r.artifacts.get("test_predictions")) for r in runs.runs[v]] for v in runs.variants}


@pytest.mark.slow
def test_local_processes_give_the_in_process_runset(split, tmp_path, capsys):
    variants = smoke_variants(split)
    serial = run_variants(Cache(tmp_path / "serial"), variants, [0, 1], workdir="checkpoint_dir",
                          executor=executors.Serial())
    cache = Cache(tmp_path / "local")
    local = run_variants(cache, variants, [0, 1], workdir="checkpoint_dir", executor=executors.LocalProcesses(2))
    assert all(r.ok and not r.cached for r in local.all())
    assert comparable(local) == comparable(serial)
    assert "runs in this process" not in capsys.readouterr().out  # every run went to a worker
    again = run_variants(cache, variants, [0, 1], workdir="checkpoint_dir", executor=executors.LocalProcesses(2))
    assert all(r.cached for r in again.all()) and comparable(again) == comparable(serial)



def dies(marker: str, *, seed: int, label: str, always: bool = False) -> RunResult:
    """A run whose worker process dies the first time (every time with ``always``)."""
    from pathlib import Path

    if always or not os.path.exists(marker):
        Path(marker).touch()
        os._exit(1)
    return RunResult(label=label, seed=seed, metrics={"value": 1.0})


@pytest.mark.slow
def test_local_processes_retry_a_lost_worker_once_and_report_a_twice_lost_run(tmp_path, capsys):
    # One dying run per pool: with two, the second may never start before the first breaks the pool, and its
    # only attempt would then be the retry (a race that once failed CI here).
    once = {"once": Variant(dies, {"marker": str(tmp_path / "once")}), "fine": Variant(cheap_run, {"scale": 1.0})}
    runs = run_variants(Cache(tmp_path / "cache"), once, [0], executor=executors.LocalProcesses(2))
    assert [r.status for r in runs.all()] == ["ok", "ok"]
    assert "retrying" in capsys.readouterr().out
    doomed = {"doomed": Variant(dies, {"marker": str(tmp_path / "doomed"), "always": True}),
              "fine": Variant(cheap_run, {"scale": 1.0})}
    runs = run_variants(Cache(tmp_path / "cache"), doomed, [0], executor=executors.LocalProcesses(2))
    assert [r.status for r in runs.all()] == ["failed", "ok"] and runs.runs["fine"][0].cached
    assert "lost twice" in runs.runs["doomed"][0].message
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2      # the failed run is not stored


def test_the_bench_table_gives_medians_ranges_and_per_round_ratios():
    from tools.bench_executors import table

    seconds = {1: (600.0, 400.0), 2: (660.0, 600.0), 3: (540.0, 450.0)}  # round: (serial, local:2)
    results = [{"round": k, "executor": name, "seconds": pair[j]} for k, pair in seconds.items()
               for j, name in enumerate(("serial", "local:2"))]
    text = table(results, ["serial", "local:2"], "Some CPU, 2 logical cores", "quick", "2")
    assert "CPU: Some CPU, 2 logical cores" in text and "3 interleaved rounds" in text
    assert "| `serial` | 10.0 min (9.0-11.0) | 1.00× (1.00-1.00) |" in text
    assert "| `local:2` | 7.5 min (6.7-10.0) | 1.20× (1.10-1.50) |" in text


def test_the_bench_shortens_only_the_files_that_set_a_key_and_says_so(tmp_path, monkeypatch):
    import yaml

    from tools import bench_executors as bench

    params = tmp_path / "params"
    (params / "quick").mkdir(parents=True)
    (params / "quick" / "a.yaml").write_text("# a comment\nepochs: 15\nseeds: [0, 1, 2]\n")
    (params / "quick" / "b.yaml").write_text("gan_epochs: 10\n")
    (params / "full").mkdir()
    (params / "full" / "a.yaml").write_text("epochs: 50\n")
    monkeypatch.setattr(bench, "PARAMS", params)
    overrides = bench.parse_overrides(["epochs=1"])
    assert overrides == {"epochs": 1}
    root = bench.shortened_params("quick", overrides, tmp_path / "scratch")
    assert yaml.safe_load((root / "quick" / "a.yaml").read_text()) == {"epochs": 1, "seeds": [0, 1, 2]}
    assert yaml.safe_load((root / "quick" / "b.yaml").read_text()) == {"gan_epochs": 10}
    assert (root / "full" / "a.yaml").read_text() == "epochs: 50\n"
    assert (params / "quick" / "a.yaml").read_text().startswith("# a comment")  # the original is untouched
    assert "`epochs: 1` in every file that sets it" in bench.table(
        [{"round": 1, "executor": n, "seconds": 60.0} for n in ("serial", "local:2")],
        ["serial", "local:2"], "CPU", "quick", "1,2", overrides)
    with pytest.raises(SystemExit, match="KEY=VALUE"):
        bench.parse_overrides(["epochs"])


def test_a_run_whose_arguments_do_not_pickle_runs_here_and_the_others_go_out(tmp_path, capsys):
    class Sent(executors._Remote):
        """Records what would go to workers; runs it here."""
        name = "sent"

        def check(self):
            pass

        def _run_remote(self, jobs, kwargs):
            self.sent = [j.label for j in jobs]
            return executors.Serial().run(jobs)

    variants = {"plain": Variant(cheap_run, {"scale": 1.0}),
                "other": Variant(cheap_run, {"scale": 2.0}),
                "lambda": Variant(lambda_run, {"how": lambda x: x})}
    sent = Sent()
    runs = run_variants(Cache(tmp_path, enabled=False), variants, [0], executor=sent)
    assert sent.sent == ["plain seed 0", "other seed 0"]
    assert [r.ok for r in runs.all()] == [True, True, True]
    assert "lambda seed 0 runs in this process" in capsys.readouterr().out


def lambda_run(how, *, seed: int, label: str) -> RunResult:
    return RunResult(label=label, seed=seed, metrics={"value": how(1.0)})


@pytest.mark.unit
@pytest.mark.parametrize("profile, cores, gpu, expected", [
    ("quick", 2, False, "local:2"), ("full", 16, False, "local:2"), ("smoke", 2, False, "serial"),
    ("quick", 1, False, "serial"), ("quick", 2, True, "serial")])
def test_report_default_executor_fills_two_cores_only_where_measured_to_help(profile, cores, gpu, expected):
    spec, why = executors.default_for(profile, cores=cores, gpu=gpu)
    assert spec == expected and why
    executors.parse(spec)  # a name parse() accepts


@pytest.mark.unit
def test_pipeline_main_restores_the_environment_after_choosing_the_default(monkeypatch, capsys):
    from lib.report import pipeline

    monkeypatch.delenv(executors.ENV, raising=False)
    monkeypatch.setattr(executors, "default_for", lambda profile: ("local:2", "two cores"))
    seen = {}
    monkeypatch.setattr(pipeline, "report", lambda *a, **k: seen.setdefault("executor", os.environ[executors.ENV])
                        and 0)
    assert pipeline.main(["report", "--profile", "quick", "--studies", "all"]) == 0
    assert seen["executor"] == "local:2"
    assert "chosen for this machine: two cores" in capsys.readouterr().out
    assert executors.ENV not in os.environ
