"""Runs side by side survive faults (issue 38): every wait has a bound, a lost run comes back as a failed run, no
worker outlives its report, Ctrl-C ends in one line, a run in progress is never resumed by a second process
while its owner lives, and resource values that could never be met are refused by ``make check``.
The Ray cases that need a running Ray are in test_executors_ray.py."""
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import types
import uuid

import pytest

from lib.errors import ParamError
from lib.experiments import Cache, RunResult, Variant, executors, run_variants
from lib.paths import PROJECT_ROOT


# ---------------------------------------------------------------- values and addresses (unit tier)

@pytest.fixture
def check_only(monkeypatch):
    """pipeline.main("check", ...) up to the executor's check: what comes after it must not be reached."""
    from lib.report import pipeline

    reached = []
    monkeypatch.setattr(pipeline, "plan", lambda *a, **k: reached.append(a) or {})
    return pipeline, reached


@pytest.mark.parametrize("env", [executors.RAY_CPUS_ENV, executors.RAY_GPUS_ENV])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "-1"])
def test_bad_ray_resource_values_are_refused_by_make_check(check_only, monkeypatch, capsys, env, value):
    pipeline, reached = check_only
    monkeypatch.setenv(executors.ENV, "ray")
    monkeypatch.setenv(env, value)
    assert pipeline.main(["check", "--profile", "smoke", "--studies", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert f"{env}={value!r} must be a number of at least 0, and finite" in err and "\n" not in err
    assert not reached


def test_more_cpus_per_run_than_a_local_ray_has_are_refused_by_make_check(check_only, monkeypatch, capsys):
    pipeline, reached = check_only
    monkeypatch.setitem(sys.modules, "ray", types.ModuleType("ray"))  # as if Ray were installed
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setenv(executors.ENV, "ray")
    monkeypatch.setenv(executors.RAY_CPUS_ENV, "64")
    assert pipeline.main(["check", "--profile", "smoke", "--studies", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert "SMALLIMG_RAY_CPUS=64: a local Ray on this machine has 2 CPU(s)" in err and "\n" not in err
    assert not reached
    monkeypatch.setenv(executors.RAY_CPUS_ENV, "2")
    executors.RayTasks().check()  # what fits is accepted


@pytest.fixture
def silent_port():
    """A local port that accepts connections and never says anything."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for conn in accepted:
        conn.close()


def test_a_silent_ray_address_is_refused_within_its_bound(monkeypatch, silent_port):
    monkeypatch.setitem(sys.modules, "ray", types.ModuleType("ray"))  # as if Ray were installed
    monkeypatch.setattr(executors, "RAY_CONNECT_TIMEOUT_S", 1.5)
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{silent_port}")
    started = time.monotonic()
    with pytest.raises(ParamError) as err:
        executors.RayTasks().check()
    assert time.monotonic() - started < 1.5 + 3
    assert f"RAY_ADDRESS 127.0.0.1:{silent_port} accepted a connection but did not answer within 1.5 s" in str(err.value)
    assert "\n" not in str(err.value)


def test_a_grpc_server_such_as_a_ray_head_answers_the_probe():
    grpc = pytest.importorskip("grpc")  # installed with Ray
    from concurrent.futures import ThreadPoolExecutor

    server = grpc.server(ThreadPoolExecutor(max_workers=1))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        assert executors._silent("127.0.0.1", port) == ""
    finally:
        server.stop(0)


def test_ray_worker_epoch_lines_reach_the_terminal():
    import io

    from lib.progress import Epoch, parse_line
    from lib.report.console import Console
    from lib.report.eta import Tracker

    line = ("\x1b[36m(_ray_task pid=10161)\x1b[0m [baseline seed 0] epoch 1/3 accuracy 0.1010 loss 2.3089 "
            "val_accuracy 0.1800 val_loss 2.2902 (3.5 s)")
    assert parse_line(line) == Epoch("baseline seed 0", 1, 3, "accuracy 0.1010 loss 2.3089 val_accuracy 0.1800 "
                                                              "val_loss 2.2902", 3.5)
    assert isinstance(parse_line("(_ray_task pid=7, ip=10.0.0.2) [a seed 1] epoch 2/2 loss 0.1 (1.0 s)"), Epoch)
    out = io.StringIO()
    console = Console(Tracker(["s"]), out=out, interactive=False)
    console.study_started("s", "Study")
    console.study_line(line)
    shown = out.getvalue().splitlines()[-1]
    assert "[baseline seed 0] epoch 1/3 accuracy 0.1010" in shown and "pid=" not in shown and "\x1b" not in shown


# ---------------------------------------------------------------- a run in progress is owned (unit tier)

def resumable(*, seed: int, label: str, checkpoint_dir=None) -> RunResult:
    """A run that resumes from what its work directory holds: a resumed run's numbers differ from a fresh one's,
    as a run resumed from another process's half-written checkpoint did."""
    from pathlib import Path

    Path(checkpoint_dir).mkdir(parents=True, exist_ok=True)
    state = Path(checkpoint_dir) / "state"
    resumed = state.is_file()
    state.write_text("epoch 1")
    return RunResult(label=label, seed=seed, metrics={"value": 99.0 if resumed else float(seed + 1)},
                     artifacts={"dir": str(checkpoint_dir)})


OWNER = textwrap.dedent('''
    import sys, time
    from lib.experiments import Cache
    cache = Cache(sys.argv[1])
    assert cache.own(sys.argv[2]) is None
    print("owned", flush=True)
    time.sleep(120)
''')


@pytest.fixture
def live_owner(tmp_path):
    """Another process that owns the run of ``resumable`` seed 0 and has written its first epoch's checkpoint."""
    cache = Cache(tmp_path / "cache")
    key = cache.key(resumable, seed=0, label="a seed 0", ignore=("log", "label", "checkpoint_dir"))
    cache.workdir(key).mkdir(parents=True)
    (cache.workdir(key) / "state").write_text("epoch 1 of the owner")
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(cache.root), key], cwd=PROJECT_ROOT,
                             stdout=subprocess.PIPE, text=True)
    assert owner.stdout.readline().strip() == "owned"
    yield cache, key, owner
    owner.kill()
    owner.wait(10)


class NotInline(executors.Serial):
    inline = False  # takes the executors' path through run_variants (prepare, then store)


@pytest.mark.parametrize("executor", [executors.Serial(), NotInline()], ids=["serial", "executor"])
def test_a_second_process_never_resumes_a_live_owners_run(live_owner, capsys, executor):
    cache, key, owner = live_owner
    runs = run_variants(cache, {"a": Variant(resumable)}, [0], workdir="checkpoint_dir", executor=executor)
    run, = runs.all()
    assert run.metrics == {"value": 1.0}, "trained from scratch, as the owner will: both pages agree"
    assert run.artifacts["dir"] == str(cache.guest_workdir(key)) != str(cache.workdir(key))
    assert (cache.workdir(key) / "state").read_text() == "epoch 1 of the owner", "the owner's checkpoint untouched"
    assert not cache.entry(key).exists(), "the entry is left to its owner"
    assert f"in progress in another process (pid {owner.pid}" in capsys.readouterr().out


def test_a_dead_owners_run_is_resumed_by_the_next_process(live_owner):
    cache, key, owner = live_owner
    owner.kill()
    owner.wait(10)
    runs = run_variants(cache, {"a": Variant(resumable)}, [0], workdir="checkpoint_dir", executor=executors.Serial())
    assert runs.all()[0].metrics == {"value": 99.0}, "resumed from the dead owner's checkpoint"
    assert cache.entry(key).is_file() and cache.own(key) is None, "stored, and the lock let go"


# ---------------------------------------------------------------- local processes: no hang (slow)

FAULTS = textwrap.dedent('''
    import sys, time
    import numpy as np
    from lib.experiments import Cache, Variant, executors, run_variants
    from fault_runs import dies_after_with, slow_start_with

    if __name__ == "__main__":
        tmp = sys.argv[1]
        # A data split's worth of shared argument: the pool once never came back from a worker lost this way.
        data = np.ones(20_000_000, dtype=np.float32)
        for case, always in (("killed once", False), ("killed twice", True)):
            started = time.monotonic()
            variants = {"killed": Variant(dies_after_with, {"data": data, "marker": f"{tmp}/{case}", "seconds": 0.5,
                                                            "always": always}),
                        "starting": Variant(slow_start_with, {"data": data, "seconds": 4.0})}
            runs = run_variants(Cache(f"{tmp}/cache"), variants, [0], executor=executors.LocalProcesses(2))
            print("RESULT", case, [r.status for r in runs.all()], round(time.monotonic() - started), flush=True)
''')


@pytest.mark.slow
def test_a_worker_lost_while_the_other_starts_and_a_twice_lost_run_end_the_study(tmp_path):
    script = tmp_path / "faults.py"
    script.write_text(FAULTS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), str(PROJECT_ROOT / "tests")])}
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=240, cwd=PROJECT_ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    results = [line.split(" ", 1)[1] for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert results[0].startswith("killed once ['ok', 'ok']")
    assert results[1].startswith("killed twice ['failed', 'ok']"), "the twice-lost run is one failed run"
    assert "lost" not in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- a report with local:2 that is stopped (slow)

DRIVER = textwrap.dedent('''
    import sys
    from pathlib import Path
    from lib.report import pipeline
    pipeline.PARAMS = Path(sys.argv[1])
    sys.exit(pipeline.main(sys.argv[2:]))
''')


def _tagged(tag: str) -> list[int]:
    """Processes whose environment holds ``tag`` (the report, its kernel, the kernel's workers, orphans too)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as fh:
                    if tag.encode() in fh.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def _report_until_training(tmp_path, how: str):
    """A smoke report of Study 2 with EXECUTOR=local:2, stopped by ``how`` (a signal) once a worker has printed an
    epoch; (return code, output, the processes it left after the bound)."""
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    folder = tmp_path / "params" / "p"
    folder.mkdir(parents=True)
    (folder / "fashion_regularisation.yaml").write_text(
        "data_source: generated\nuse_cache: false\nseeds: [0, 1]\nepochs: 30\ndeterministic: true\n")
    tag = f"SMALLIMG_TEST_TAG={uuid.uuid4().hex}"
    # Without PYTEST_CURRENT_TEST: ipykernel does not pass its child processes' output (the workers' epoch
    # lines) on to the cell under pytest.
    env = {**{k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"},
           "SMALLIMG_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(PROJECT_ROOT),
           "TF_CPP_MIN_LOG_LEVEL": "3", executors.ENV: "local:2", tag.split("=")[0]: tag.split("=")[1]}
    proc = subprocess.Popen([sys.executable, str(driver), str(tmp_path / "params"), "report", "--profile", "p",
                             "--studies", "2", "--build-dir", str(tmp_path / "build"),
                             "--reports-dir", str(tmp_path / "reports")],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True,  # a terminal's Ctrl-C: SIGINT to the foreground group
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    killer = threading.Timer(240, proc.kill)
    killer.start()
    try:
        for line in proc.stdout:
            lines.append(line)
            if " epoch 2/30 " in line:  # training in a worker process
                break
        assert len(_tagged(tag)) >= 4, "".join(lines)[-3000:]  # the report, its kernel and two workers
        if how == "SIGINT":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGKILL)
        lines += proc.stdout.readlines()
        code = proc.wait(60)
    finally:
        killer.cancel()
    deadline = time.monotonic() + 15  # the kernel polls its parent each second, a worker each PARENT_WATCH_S
    while _tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = _tagged(tag)
    for pid in left:  # never leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    return code, "".join(lines), left


@pytest.mark.slow
def test_ctrl_c_of_a_local_2_report_is_one_line_and_leaves_no_worker(tmp_path):
    code, out, left = _report_until_training(tmp_path, "SIGINT")
    assert code == 130, out[-3000:]
    after = out.split(" epoch 2/30 ", 1)[1].splitlines()[1:]
    after = [line for line in after if " epoch " not in line and line.strip()]
    assert len(after) == 1 and after[0].startswith("interrupted: "), out[-3000:]
    assert "Traceback" not in out and "never retrieved" not in out
    assert not left, f"processes alive 15 s after the report ended: {left}"


@pytest.mark.slow
def test_kill_9_of_a_local_2_report_leaves_no_worker(tmp_path):
    code, out, left = _report_until_training(tmp_path, "SIGKILL")
    assert code == -signal.SIGKILL
    assert not left, f"processes alive 15 s after the report was killed: {left}"
