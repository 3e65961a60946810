"""Where a study's runs execute: one at a time in this process, several at once on this machine, or on Ray.

A study's runs are independent (seeds × arms × configurations), so they can run
side by side. :func:`lib.experiments.runset.run_variants` is the one place that
hands runs out: it asks the run cache first, in this process, so a finished run
never reaches a worker; the runs left go to the executor, which returns one
result per run, in order; the cache stores them here. Keys and entries are the
same whichever executor ran a run.

``SMALLIMG_EXECUTOR`` chooses (``make report EXECUTOR=...`` sets it; a study
kernel inherits it):

* ``serial`` (the default of a notebook run by hand; ``make report`` chooses per machine, see
  :func:`default_for`): in this process, one run after another.
* ``local`` or ``local:N``: N runs at once (default 2) in spawned worker
  processes on this machine, the CPU cores split between them (TensorFlow's
  intra-op threads = cores // N; in deterministic mode each keeps this
  process's setting instead, so its numbers equal a serial run's, see
  :func:`thread_plan`).
* ``ray``: one Ray task per run, on a local Ray started here or on the cluster
  at ``RAY_ADDRESS``. ``SMALLIMG_RAY_CPUS`` (default 1) and
  ``SMALLIMG_RAY_GPUS`` (default: 1 where the cluster has GPUs, else 0; 0.25
  packs four small runs onto one GPU) are each run's resources. A worker lost mid-run is retried once
  (``max_retries=1``) and resumes from its epoch checkpoint, which lives in the
  run cache's work directory (share it between the machines); a run whose
  worker is lost twice is returned as a failed run and the rest complete.

Every wait has a bound (the constants below; README, "Many runs at once"): a worker found dead is
given up within ``LOST_WORKER_GRACE_S`` even if the pool never reports it, a pool's workers are
killed ``SHUTDOWN_S`` after its last run (at once on an interrupt), a worker exits within
``PARENT_WATCH_S`` of its study process's death, a ``RAY_ADDRESS`` must answer within
``RAY_CONNECT_TIMEOUT_S``, and a run's Ray resources must fit a node of the cluster, or the study
stops with one line instead of waiting for a node that never comes.

A run whose arguments cannot be sent to another process (a multi-device
``tf.distribute`` strategy, an object that does not pickle) runs here, in
order, with a note. An exception raised by a run itself is raised in this
process once the other runs have finished, as the serial executor would have
raised it.

A worker checks that it computes the parent's cache key for the run (same
library code, arguments, dtype policy and determinism) before training, so a
cluster node with other code is refused with one line instead of filling the
cache with results under the wrong key.
"""
from __future__ import annotations

import math
import os
import pickle
import signal
import socket
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable

from ..errors import ParamError, ProjectError
from .record import RunResult

# Orchestration only: where a run executes never changes what it computes (a worker checks the key), so
# editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

ENV = "SMALLIMG_EXECUTOR"
RAY_CPUS_ENV, RAY_GPUS_ENV = "SMALLIMG_RAY_CPUS", "SMALLIMG_RAY_GPUS"
NAMES = ("serial", "local", "ray")
# Environment a worker needs to import this checkout and behave like the parent (a Ray worker does not
# inherit the driver's environment).
PASSED_ENV = ("PYTHONPATH", "TF_CPP_MIN_LOG_LEVEL", "SMALLIMG_PROGRESS", "SMALLIMG_CACHE_DIR", "SMALLIMG_DATA_DIR")

# Bounds on every wait (seconds). A worker process found dead: its pool has this long to report it, then
# its other workers are killed and the runs unfinished count as lost (a pool that noticed nothing once
# waited forever here).
LOST_WORKER_GRACE_S = 10.0
POLL_S = 0.5                 # how often the worker processes' liveness is looked at while runs are out
SHUTDOWN_S = 10.0            # a pool's workers still alive this long after its last run are killed
PARENT_WATCH_S = 1.0         # a worker exits within this of its study process's death (no orphans)
RAY_CONNECT_TIMEOUT_S = 10.0  # RAY_ADDRESS must accept and answer (gRPC's HTTP/2 greeting) within this


@dataclass
class Job:
    """One run to execute: ``fn(**kwargs)`` whose cache key is ``key`` (computed ignoring ``ignore``)."""
    fn: Callable
    kwargs: dict
    key: str
    ignore: tuple[str, ...] = ()
    context: dict = field(default_factory=dict)   # the parent's runtime_context(): dtype policy, determinism

    @property
    def label(self) -> str:
        return str(self.kwargs.get("label") or getattr(self.fn, "__name__", "run"))

    @property
    def seed(self) -> int:
        return int(self.kwargs.get("seed", 0) or 0)


class WorkerMismatch(ProjectError):
    """A worker would key the run differently from the parent (other code, precision or determinism)."""


# ---------------------------------------------------------------- choosing an executor

def parse(spec: str | None):
    """The executor named by ``spec`` (``serial``, ``local``, ``local:N``, ``ray``); ParamError otherwise."""
    spec = (spec or "serial").strip().lower()
    name, _, arg = spec.partition(":")
    if name not in NAMES:
        raise ParamError(f"unknown executor {spec!r} (EXECUTOR / ${ENV}); choose one of serial, local, local:N, ray")
    if name == "local":
        try:
            workers = int(arg) if arg else 2
        except ValueError:
            workers = 0
        if workers < 1:
            raise ParamError(f"executor {spec!r}: N in local:N must be a whole number of at least 1")
        return LocalProcesses(workers)
    if arg:
        raise ParamError(f"executor {spec!r}: only local takes a number (local:N)")
    return RayTasks() if name == "ray" else Serial()


def from_env():
    return parse(os.environ.get(ENV))


def has_gpu() -> bool:
    """An NVIDIA GPU is visible (asked of the driver, so that choosing an executor never imports TensorFlow)."""
    gpus = "/proc/driver/nvidia/gpus"
    return os.path.isdir(gpus) and bool(os.listdir(gpus)) and os.environ.get("CUDA_VISIBLE_DEVICES", "x") != ""


def default_for(profile: str, cores: int | None = None, gpu: bool | None = None) -> tuple[str, str]:
    """(executor, why) for ``make report`` when ``EXECUTOR`` is not given.

    Two runs at a time with one TensorFlow thread each fill a 2-core CPU that one run leaves partly idle at
    the studies' small batches: on a 2-core Intel Xeon with AMX, the quick profile's Study 2 and 3 CNNs trained
    about twice as many images per second, Study 1's plain CNN 1.1-1.6x, its batch-norm CNN 0.9x
    (``tools.bench_quick``, README "Many runs at once"). The smoke profile keeps one run at a time (its runs
    take seconds, less than starting a worker process), as does a GPU (one device) or a single core."""
    cores = (os.cpu_count() or 1) if cores is None else cores
    gpu = has_gpu() if gpu is None else gpu
    if profile == "smoke":
        return "serial", "the smoke profile's runs are shorter than a worker's start"
    if gpu:
        return "serial", "one GPU trains one run at a time"
    if cores < 2:
        return "serial", "one core"
    return "local:2", f"two runs at a time fill {cores} CPU cores better than one (README, \"Many runs at once\")"


def check(executor=None) -> str:
    """Everything about the executor that can be checked before any study starts; one line saying what it is."""
    executor = executor if executor is not None else from_env()
    executor.check()
    return executor.describe()


# ---------------------------------------------------------------- in a worker

def thread_plan(context: dict, share: int) -> tuple[int, int]:
    """(intra-op, inter-op) threads for a worker, 0 meaning TensorFlow's default (all cores).

    In deterministic mode a worker keeps this process's setting: op determinism fixes the order of
    a reduction for one thread count, and with another the numbers differ in the last digits (a
    smoke run's first-epoch loss, 2.3117821 with one thread against 2.3117819 with two), so the
    runs would not equal the serial ones. Otherwise the cores are split: ``share`` threads each.
    """
    if context.get("deterministic") and "tensorflow" in sys.modules:
        import tensorflow as tf

        return (tf.config.threading.get_intra_op_parallelism_threads(),
                tf.config.threading.get_inter_op_parallelism_threads())
    return share, max(1, share // 2)


def apply_context(context: dict, threads: tuple[int, int] | None = None) -> None:
    """Make this process key and train a run as the parent would: its dtype policy and op determinism;
    ``threads`` (intra-op, inter-op; 0: TensorFlow's default) from :func:`thread_plan`.

    A parent that never loaded TensorFlow (its context is empty) ran nothing that needs it: neither
    does the worker, whose key must then be computed without it, as the parent's was."""
    if not context:
        return
    import keras
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config  # no public query in TF 2.21

    intra, inter = threads or (0, 0)
    try:  # only possible before TensorFlow creates its thread pools (a fresh worker); a reused one keeps its own
        if intra:
            tf.config.threading.set_intra_op_parallelism_threads(intra)
        if inter:
            tf.config.threading.set_inter_op_parallelism_threads(inter)
    except RuntimeError:
        pass
    deterministic = bool(context.get("deterministic", False))
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    elif tf_config.is_op_determinism_enabled():  # a reused Ray worker whose last run was deterministic
        tf_config.disable_op_determinism()
    if "dtype_policy" in context:
        keras.mixed_precision.set_global_policy(context["dtype_policy"])


def execute(fn: Callable, kwargs: dict, key: str, ignore: tuple[str, ...], context: dict,
            threads: tuple[int, int] | None = None) -> RunResult:
    """Run one job in a worker: set the parent's context, check the key, run ``fn``, return a RunResult."""
    from .cache import Cache

    apply_context(context, threads)
    kwargs = {k: _restore(v) for k, v in kwargs.items()}
    here = Cache(os.devnull, enabled=False).key(fn, ignore=ignore, **kwargs)
    if here != key:
        raise WorkerMismatch(f"worker {socket.gethostname()} keys run {kwargs.get('label', '')!r} as {here}, the "
                             f"parent as {key}: its library code or settings differ; run the same checkout on "
                             f"every machine")
    result = fn(**kwargs)
    return result if isinstance(result, RunResult) else RunResult.from_dict(
        result.to_dict() if hasattr(result, "to_dict") else result)


class _DefaultStrategy:
    """Stands in for TensorFlow's default (one-device) strategy on the way to a worker, which uses its own."""


def _portable(value):
    """``value`` as it can travel to a worker; NotPortable for what cannot (a multi-device strategy)."""
    if hasattr(value, "num_replicas_in_sync") and not isinstance(value, type):
        if type(value).__name__ == "_DefaultDistributionStrategy":
            return _DefaultStrategy()
        raise _NotPortable(f"a {type(value).__name__} spans this machine's devices")
    return value


def _restore(value):
    if isinstance(value, _DefaultStrategy):
        import tensorflow as tf

        return tf.distribute.get_strategy()
    return value


class _NotPortable(Exception):
    pass


def _lost(job: Job, why: str) -> RunResult:
    return RunResult(label=job.label, seed=job.seed, status="failed",
                     message=f"{job.label}: its worker was lost twice ({why}); the other runs completed")


def _run_here(job: Job) -> RunResult:
    result = job.fn(**job.kwargs)
    return result if isinstance(result, RunResult) else RunResult.from_dict(
        result.to_dict() if hasattr(result, "to_dict") else result)


def _note(text: str) -> None:
    print(f"executor: {text}", flush=True)


# ---------------------------------------------------------------- executors

class Serial:
    """Today's behaviour: each run in this process, one after another (the caller runs them itself)."""
    name = "serial"
    inline = True

    def check(self) -> None:
        pass

    def describe(self) -> str:
        return "serial: one run at a time in the study's process"

    def run(self, jobs: list[Job]) -> list:
        """One result per job, in order: its RunResult, or the exception it raised (every executor's contract)."""
        results = []
        for job in jobs:
            try:
                results.append(_run_here(job))
            except Exception as exc:  # noqa: BLE001 - raised by the caller once every run has finished
                results.append(exc)
        return results


class _Remote:
    """What the local and Ray executors share: jobs that cannot travel run here, in order."""
    inline = False

    def run(self, jobs: list[Job]) -> list:
        results: list = [None] * len(jobs)
        remote, here = [], []
        # A shared argument (a data split) is tried once; the value is kept so that its id stays its own.
        probed: dict[int, tuple[object, BaseException | None]] = {}
        for i, job in enumerate(jobs):
            try:
                portable = {k: _portable(v) for k, v in job.kwargs.items()}
                for value in (job.fn, *portable.values()):
                    if id(value) not in probed:
                        try:
                            self._probe(value)
                            probed[id(value)] = (value, None)
                        except (pickle.PicklingError, TypeError, AttributeError) as exc:
                            probed[id(value)] = (value, exc)
                    if probed[id(value)][1] is not None:
                        raise probed[id(value)][1]
                remote.append((i, portable))
            except (_NotPortable, pickle.PicklingError, TypeError, AttributeError) as exc:
                _note(f"{job.label} runs in this process: {str(exc).splitlines()[0][:200]}")
                here.append(i)
        if remote:
            for i, result in zip([i for i, _ in remote],
                                 self._run_remote([jobs[i] for i, _ in remote], [p for _, p in remote])):
                results[i] = result
        for i in here:
            try:
                results[i] = _run_here(jobs[i])
            except Exception as exc:  # noqa: BLE001 - raised by the caller once every run has finished
                results[i] = exc
        return results

    def _probe(self, value) -> None:
        pickle.dumps(value)


def _local_init(values: list, threads: tuple[int, int], parent: int | None = None) -> None:
    global _VALUES, _THREADS
    _VALUES, _THREADS = values, threads
    if parent is not None:
        die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """In a worker process: leave Ctrl-C to the study process (which stops the pool) and exit when
    ``parent`` (the study process) dies, however it dies (``kill -9`` included): the kernel asks Linux
    for SIGKILL at its parent's death, and a thread checks the parent every ``PARENT_WATCH_S``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_S)
        os._exit(1)

    if os.getppid() != parent:  # died before we looked
        os._exit(1)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


_VALUES: list = []
_THREADS = (1, 1)


def _local_task(fn, names: dict, key: str, ignore: tuple, context: dict) -> RunResult:
    return execute(fn, {k: _VALUES[i] for k, i in names.items()}, key, ignore, context, _THREADS)


class LocalProcesses(_Remote):
    """N runs at once in spawned processes on this machine (concurrent.futures), cores split between them.

    The arguments the runs share (a data split) are sent to each worker once, when it starts, not with
    every run. A worker that dies takes the pool down with it: each run not finished then is tried once
    more, alone in a fresh pool (resuming from its epoch checkpoint); a run lost twice is returned as failed.
    """
    name = "local"

    def __init__(self, workers: int = 2, threads: int | None = None):
        self.workers = workers
        self.threads = threads or max(1, (os.cpu_count() or 1) // workers)

    def check(self) -> None:
        pass

    def describe(self) -> str:
        return f"local:{self.workers}: {self.workers} runs at once on this machine, {self.threads} thread(s) each"

    def _run_remote(self, jobs: list[Job], kwargs: list[dict]) -> list:
        import multiprocessing

        values: list = []
        index: dict[int, int] = {}
        names = []
        for kw in kwargs:
            named = {}
            for k, v in kw.items():
                if id(v) not in index:
                    index[id(v)] = len(values)
                    values.append(v)
                named[k] = index[id(v)]
            names.append(named)
        results: list = [None] * len(jobs)
        threads = thread_plan(jobs[0].context, self.threads)

        def round_(todo: list[int], workers: int) -> list[int]:
            """Run ``todo`` in a fresh pool; the indices whose worker died (the pool breaks for all pending)."""
            # spawn, not fork: the parent has TensorFlow's threads running, which a fork would copy mid-state.
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_local_init, initargs=(values, threads, os.getpid()))
            futures = {}
            lost: list[int] = []
            interrupted = True
            try:
                for i in todo:
                    try:
                        futures[i] = pool.submit(_local_task, jobs[i].fn, names[i], jobs[i].key, jobs[i].ignore,
                                                 jobs[i].context)
                    except BrokenProcessPool as exc:  # a worker died while the runs were handed out
                        lost.append(i)
                        results[i] = _lost(jobs[i], str(exc) or "a worker process died")
                _await(pool, futures)
                for i, future in futures.items():
                    if not future.done():  # its worker died and the pool never said so
                        lost.append(i)
                        results[i] = _lost(jobs[i], f"a worker process died; the pool had not reported it "
                                                    f"{LOST_WORKER_GRACE_S:g} s later")
                        continue
                    try:
                        results[i] = future.result(timeout=0)
                    except BrokenProcessPool as exc:
                        lost.append(i)
                        results[i] = _lost(jobs[i], str(exc) or "a worker process died")
                    except Exception as exc:  # noqa: BLE001 - the run's own error, raised by the caller
                        results[i] = exc
                interrupted = False
            finally:  # interrupted (Ctrl-C): the workers are killed at once, runs not started are dropped
                _stop(pool, graceful=not interrupted)
            return sorted(lost)

        lost = round_(list(range(len(jobs))), min(self.workers, len(jobs)))
        if lost:
            # A dead worker breaks the whole pool, so the runs it took down with it are innocent as often as
            # not: each is retried alone, in a pool of its own, so a run that dies again takes only itself.
            _note(f"a worker process died; retrying {len(lost)} unfinished run(s), one pool each")
            for i in lost:
                round_([i], 1)
        return results


def _workers(pool: ProcessPoolExecutor) -> list:
    return list((getattr(pool, "_processes", None) or {}).values())


def _await(pool: ProcessPoolExecutor, futures: dict) -> None:
    """Until every future is done, or a worker has been dead for ``LOST_WORKER_GRACE_S`` with some not done."""
    pending = set(futures.values())
    dead_since = None
    while pending:
        _, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
        if not pending:
            return
        if dead_since is None and any(p.exitcode is not None for p in _workers(pool)):
            dead_since = time.monotonic()
        if dead_since is not None and time.monotonic() - dead_since > LOST_WORKER_GRACE_S:
            _note(f"a worker process died and its pool did not report it within {LOST_WORKER_GRACE_S:g} s; "
                  f"its {len(pending)} unfinished run(s) count as lost")
            return


def _stop(pool: ProcessPoolExecutor, graceful: bool = True) -> None:
    """Shut ``pool`` down; its workers still alive after ``SHUTDOWN_S`` (at once if not ``graceful``) are killed."""
    processes = _workers(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + (SHUTDOWN_S if graceful else 0.0)
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in processes:
        if p.exitcode is None:
            p.kill()
            p.join(SHUTDOWN_S)


def _ray_task(fn, names: list[str], key: str, ignore: tuple, context: dict, threads: tuple, *values) -> RunResult:
    return execute(fn, dict(zip(names, values)), key, ignore, context, threads)


class RayTasks(_Remote):
    """One Ray task per run, on a local Ray or the cluster at ``RAY_ADDRESS``."""
    name = "ray"
    max_retries = 1  # a lost worker is retried once (resuming from its checkpoint); twice lost: a failed run

    def __init__(self, address: str | None = None, cpus: float | None = None, gpus: float | None = None):
        self.address = address if address is not None else (os.environ.get("RAY_ADDRESS") or None)
        self.cpus = cpus if cpus is not None else _number(RAY_CPUS_ENV, 1.0)
        self.gpus = gpus if gpus is not None else _number(RAY_GPUS_ENV, None)  # None: see _gpus_per_run

    def describe(self) -> str:
        where = f"the Ray cluster at {self.address}" if self.address else "a local Ray"
        gpus = "a whole GPU where the cluster has GPUs" if self.gpus is None else f"{self.gpus:g} GPU"
        return f"ray: one task per run on {where}, {self.cpus:g} CPU and {gpus} per run"

    def check(self) -> None:
        """Ray importable and the cluster's address reachable, before any study starts."""
        # Every worker's epoch lines reach the study's output (the progress view): Ray would fold lines alike
        # but for their numbers ("[baseline seed 1] epoch 2/3 ...") into one "[repeated 2x across cluster]".
        # Read once, when Ray is first imported.
        os.environ.setdefault("RAY_DEDUP_LOGS", "0")
        try:
            import ray  # noqa: F401
        except ImportError:
            raise ParamError("EXECUTOR=ray needs Ray: run `make setup-ray` (pip install -e '.[ray]')") from None
        if self.address and self.address not in ("auto", "local"):
            host, _, port = self.address.removeprefix("ray://").rpartition(":")
            try:
                problem = _silent(host or "127.0.0.1", int(port))
            except (OSError, ValueError) as exc:
                problem = f"is not reachable ({exc.__class__.__name__}: {exc})"
            if problem:
                raise ParamError(f"RAY_ADDRESS {self.address} {problem}; start the head with `ray start --head` "
                                 f"or unset RAY_ADDRESS")
        elif not self.address:  # a local Ray gets this machine's cores: a run asking for more would never start
            cores = os.cpu_count() or 1
            if self.cpus > cores:
                raise ParamError(f"{RAY_CPUS_ENV}={self.cpus:g}: a local Ray on this machine has {cores} CPU(s), "
                                 f"so no run could ever start; give at most {cores}")

    def _fits(self, ray, gpus: float) -> None:
        """Each run's resources fit some live node of the cluster, else its tasks would wait forever."""
        nodes = [n.get("Resources", {}) for n in ray.nodes() if n.get("Alive")]
        most = {r: max((n.get(r, 0.0) for n in nodes), default=0.0) for r in ("CPU", "GPU")}
        for resource, asked, env in (("CPU", self.cpus, RAY_CPUS_ENV), ("GPU", gpus, RAY_GPUS_ENV)):
            if asked > most[resource]:
                where = f"the Ray cluster at {self.address}" if self.address else "the local Ray"
                raise ParamError(f"{env}={asked:g}: no node of {where} has that many {resource}s (at most "
                                 f"{most[resource]:g}), so its runs would wait forever; ask for fewer")

    def _connect(self):
        import ray

        if not ray.is_initialized():
            self.check()
            env = {k: os.environ[k] for k in PASSED_ENV if os.environ.get(k)}
            # Workers import this checkout: on a cluster it must sit at the same path on every machine.
            env["PYTHONPATH"] = os.pathsep.join(p for p in (_project_root(), env.get("PYTHONPATH")) if p)
            for attempt in (1, 2):
                try:
                    ray.init(address=self.address, runtime_env={"env_vars": env}, include_dashboard=False,
                             log_to_driver=True, logging_level="ERROR")
                    break
                except Exception as exc:
                    # A local Ray waits a fixed 30 s for its raylet, which a loaded 2-core machine can miss.
                    ray.shutdown()
                    if attempt == 2 or "timed out during startup" not in str(exc):
                        raise
        return ray

    def _probe(self, value) -> None:
        from ray import cloudpickle

        cloudpickle.dumps(value)

    def _run_remote(self, jobs: list[Job], kwargs: list[dict]) -> list:
        ray = self._connect()
        from ray import exceptions as rx

        # Unset: a whole GPU per run where the cluster has GPUs (Ray hides GPUs from a task that asks for
        # none), else none; SMALLIMG_RAY_GPUS=0.25 packs four small runs onto each GPU.
        gpus = self.gpus if self.gpus is not None else (1.0 if ray.cluster_resources().get("GPU", 0) else 0.0)
        self._fits(ray, gpus)
        task = ray.remote(_ray_task).options(num_cpus=self.cpus, num_gpus=gpus, max_retries=self.max_retries,
                                             retry_exceptions=False)
        threads = thread_plan(jobs[0].context, max(1, int(self.cpus)))
        stored: dict[int, object] = {}

        def ref(value):
            if value is None or isinstance(value, (bool, int, float, str)):
                return value
            if id(value) not in stored:  # a shared argument (the data split) goes to the object store once
                stored[id(value)] = ray.put(value)
            return stored[id(value)]

        futures = [task.remote(job.fn, list(kw), job.key, job.ignore, job.context, threads,
                               *[ref(v) for v in kw.values()]) for job, kw in zip(jobs, kwargs)]
        results = []
        for job, future in zip(jobs, futures):
            try:
                results.append(ray.get(future))
            except rx.RayTaskError as exc:  # the run's own exception: raised by the caller as serial would
                results.append(exc.as_instanceof_cause())
            except (rx.WorkerCrashedError, rx.NodeDiedError, rx.OutOfMemoryError, rx.ObjectLostError,
                    rx.TaskUnschedulableError, rx.ActorUnschedulableError) as exc:
                results.append(_lost(job, type(exc).__name__))
        return results


def _silent(host: str, port: int) -> str:
    """"" where ``host:port`` accepts a connection and answers HTTP/2's greeting (a Ray head's gRPC server
    sends its settings frame), else what went wrong; never longer than ``RAY_CONNECT_TIMEOUT_S``."""
    with socket.create_connection((host, port), timeout=RAY_CONNECT_TIMEOUT_S) as conn:
        conn.settimeout(max(0.1, RAY_CONNECT_TIMEOUT_S))
        # The client preface and an empty SETTINGS frame; a gRPC server answers with its own SETTINGS.
        conn.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        try:
            answer = conn.recv(9)
        except (socket.timeout, TimeoutError):
            return f"accepted a connection but did not answer within {RAY_CONNECT_TIMEOUT_S:g} s (not a Ray head?)"
    return "" if answer else "accepted a connection and closed it without answering (not a Ray head?)"


def _number(env: str, default: float | None) -> float | None:
    text = os.environ.get(env)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0:
        raise ParamError(f"{env}={text!r} must be a number of at least 0, and finite")
    return value


def _project_root() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent.parent)


def main(argv: list[str] | None = None) -> int:
    """``python -m lib.experiments.executors``: check the executor ``SMALLIMG_EXECUTOR`` names, print it."""
    try:
        print(check())
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
