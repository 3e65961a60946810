"""The batch runner behind ``make report``: validate, execute, render, index.

    python -m lib.report.pipeline report --profile quick [--studies 2,3] [--data-dir DIR]
    python -m lib.report.pipeline check  --profile quick

Everything that can be checked is checked before the first notebook starts:
profile and study names, every parameter file against the study's schema,
that the build and report directories are writable, and that each study's
data loads and validates (checksums, shapes, label ranges). One failing study
does not stop the others; the index marks it and the command exits non-zero
at the end.
"""
from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from .. import io
from ..data import DATA_DIR_ENV
from ..errors import OutputError, ParamError, ProjectError, one_line
from ..paths import BUILD, CACHE, NOTEBOOKS, PARAMS, PROJECT_ROOT, REPORTS, path_problem, short_path, shown
from ..params import unknown_name_error
from .console import Console, StudyOutput
from .eta import Tracker, estimate_record, previous_seconds
from ..studies.registry import STUDIES, Study, get_study, resolve
from ..studies.work import work_units
from .summary import check_summary, estimate_text, report_summary

KERNEL = "smallimg"
PROGRESS_ENV = "SMALLIMG_PROGRESS"  # lib.train.callbacks reads it; importing that module would load Keras here
log = logging.getLogger("pipeline")


def profiles() -> list[str]:
    """The profiles under the parameter directory (``SMALLIMG_PARAMS_DIR`` moves it): one line if it cannot be read."""
    try:
        return sorted(p.name for p in PARAMS.iterdir() if p.is_dir())
    except OSError as exc:
        what, fix = path_problem(exc)
        if exc.errno == errno.ENOTDIR and PARAMS.is_file():
            what, fix = "is a file, not a folder", "point it at the folder that holds params/<profile>/"
        raise ParamError(f"the parameter directory {short_path(PARAMS)} (params/, or $SMALLIMG_PARAMS_DIR) {what}; "
                         f"{fix}") from None


def check_profile(profile: str) -> None:
    if profile not in profiles():
        raise unknown_name_error("profile", profile, profiles())


def select_studies(spec: str | None) -> list[Study]:
    if spec is None or spec.strip() == "all":
        return list(STUDIES.values())
    keys = [s.strip() for s in spec.split(",") if s.strip()]
    if not keys:
        raise ParamError(f"--studies {spec!r} names no study; give comma-separated keys or numbers, or 'all'")
    return [get_study(k) for k in keys]


def load_params(profile: str, study: Study) -> dict:
    """Every parameter of the study under ``profile``: params/<profile>/<study>.yaml laid over the schema's
    defaults and checked (:func:`lib.studies.registry.resolve`)."""
    return resolve(study, read_params(profile, study), where=f"{PARAMS.name}/{profile}/{study.key}.yaml")


def read_params(profile: str, study: Study) -> dict:
    """What params/<profile>/<study>.yaml sets (unchecked: :func:`lib.studies.registry.resolve` checks it
    once, with the defaults under it)."""
    path = PARAMS / profile / f"{study.key}.yaml"
    if not path.is_file():
        raise ParamError(f"no parameter file {path.relative_to(PARAMS.parent)} for study {study.key} in "
                         f"profile {profile}; copy one from params/smoke/")
    rel = path.relative_to(PARAMS.parent)
    try:
        values = yaml.safe_load(_read_text(path)) or {}
    except yaml.YAMLError as exc:
        raise ParamError(f"{rel} is not valid YAML ({str(exc).splitlines()[0]}); fix its syntax") from None
    except ValueError as exc:  # PyYAML's int() of a decimal beyond Python's digit limit
        raise ParamError(f"{rel} holds a number too long to read ({str(exc).split(':')[0]}); "
                         f"give every parameter a value in its range") from None
    except RecursionError:
        raise ParamError(f"{rel} nests lists or mappings too deeply to read; "
                         f"give every parameter a plain value") from None
    if not isinstance(values, dict):
        raise ParamError(f"{rel} must be a mapping of parameter names to values, not a {type(values).__name__}")
    return values


# A real parameter file is under 5 KB; one past this limit is refused unread (a 100 MB file kept PyYAML busy
# for minutes). The README's parameters section states it.
MAX_PARAMS_BYTES = 64 * 1024


def _read_text(path: Path) -> str:
    rel = path.relative_to(PARAMS.parent)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            raw = b"" if size > MAX_PARAMS_BYTES else fh.read(MAX_PARAMS_BYTES + 1)  # bounded: st_size may lie
    except OSError as exc:
        what, fix = path_problem(exc)
        raise ParamError(f"cannot read {rel}: it {what}; {fix}") from None
    if size > MAX_PARAMS_BYTES or len(raw) > MAX_PARAMS_BYTES:
        shown_size = (f"{size / 1e6:,.1f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} KB" if size > MAX_PARAMS_BYTES
                      else f"more than {MAX_PARAMS_BYTES // 1024} KB")
        raise ParamError(f"{rel} is {shown_size}, far larger than any parameter file (at most "
                         f"{MAX_PARAMS_BYTES // 1024} KB; a real one is under 5 KB); keep only its settings")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParamError(f"{rel} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                         f"save it as UTF-8") from None


def _datasets(study: Study, params: dict) -> list[tuple[str, str | None]]:
    """(dataset, fallback) pairs the study will load; Study 5 names its dataset in a parameter."""
    pairs = [(name, None) for name in study.datasets]
    if "dataset" in params:
        pairs.append((params["dataset"], params.get("fallback_dataset")))
    return pairs


def check_data(planned: dict[str, dict], studies: list[Study]) -> dict[str, list[str]]:
    """Load and validate (checksums, shapes, label ranges) every dataset the studies will read.

    Loading goes through the notebooks' own path (fallback included), so a
    file that would fail inside a study fails here, with the same one line.
    Returns, per study, one line per dataset it reads: what was loaded and checked.
    """
    from ..data.fallback import load_with_fallback

    found: dict[tuple, str] = {}
    lines: dict[str, list[str]] = {}
    for study in studies:
        params = planned[study.key]
        if params["data_source"] != "auto":
            continue
        for name, fallback in _datasets(study, params):
            key = (name, fallback, params.get("data_dir"))
            if key not in found:  # each dataset is loaded once, however many studies read it
                choice = load_with_fallback(name, fallback, params, Path(params["output_dir"]))
                ds = choice.ds
                found[key] = (f"{ds.name}: loaded and checked, {len(ds.y_train):,} train / {len(ds.y_test):,} "
                              f"test images, {ds.provenance.describe()}" + (f" ({choice.reason})" if choice.reason
                                                                            else ""))
            lines.setdefault(study.key, []).append(found[key])
    return lines


def plan(profile: str, studies: list[Study], data_dir: str | None, build_root: Path,
         reports_root: Path, data_lines: dict | None = None) -> dict[str, dict]:
    """Validate everything and return the parameters each notebook will get.

    ``data_lines`` (a dict) receives, per study, what was loaded and checked of its data.
    """
    check_profile(profile)
    if data_dir:  # a path that cannot be resolved is the user's input: one line, whichever study reads it
        from ..data.loading import check_data_dir

        origin = f"${DATA_DIR_ENV}" if data_dir == os.environ.get(DATA_DIR_ENV) else "DATA_DIR= / --data-dir"
        root = Path(data_dir).expanduser()
        check_data_dir(root, origin)
        data_dir_resolved = str(root.resolve())
    io.ensure_writable_dir(build_root / profile, "build")
    io.ensure_writable_dir(reports_root / profile, "reports")
    io.ensure_writable_dir(CACHE, "run cache (build/cache, or $SMALLIMG_CACHE_DIR)")  # else the kernels fail on it
    planned = {}
    for study in studies:
        params = read_params(profile, study)
        params["profile"] = profile
        params["golden"] = "off"  # goldens belong to nbval's runs of the notebook defaults
        params["output_dir"] = str((build_root / profile / study.key).resolve())
        if data_dir:
            params["data_dir"] = data_dir_resolved
        planned[study.key] = resolve(study.key, params, where=f"{PARAMS.name}/{profile}/{study.key}.yaml")
    checked = check_data(planned, studies)
    if data_lines is not None:
        data_lines.update(checked)
    return planned


def execute(study: Study, params: dict, out_nb: Path, kernel: str, notebooks_dir: Path = NOTEBOOKS,
            console: Console | None = None, log_path: Path | None = None) -> None:
    """Run one study's notebook; its output goes to ``log_path`` and, what matters of it, to ``console``."""
    import papermill as pm

    from .kernels import local_kernel_manager

    console = console or Console(Tracker([study.key]), interactive=False)
    log_path = log_path or out_nb.with_suffix(".log")
    tmp = out_nb.with_name(f".running-{out_nb.name}")
    with open(log_path, "a", encoding="utf-8") as log_file, \
            tempfile.TemporaryDirectory(prefix="smallimg-kernel-") as runtime_dir:
        sinks = [StudyOutput(console, log_file, name) for name in ("stdout", "stderr")]
        write_error = None
        try:
            # Cell outputs reach us as streams only (log_output would also print cell markers and
            # object reprs); the executed notebook keeps every output.
            pm.execute_notebook(str(notebooks_dir / study.notebook), str(tmp), parameters={"params": params},
                                kernel_name=kernel, log_output=False, progress_bar=False,
                                stdout_file=sinks[0], stderr_file=sinks[1],
                                kernel_manager_class=local_kernel_manager(log_file, runtime_dir),
                                cwd=str(PROJECT_ROOT))
        except OSError as exc:  # papermill's own write of the notebook failing, or e.g. the kernel's start
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS):
                write_error = exc
            raise
        finally:
            for sink in sinks:
                sink.close()
            _keep_executed(tmp, out_nb, write_error)


def _keep_executed(tmp: Path, out_nb: Path, write_error: OSError | None = None) -> None:
    """Put the executed notebook (failed or not: the page shows the failure) in place of the last one.

    papermill writes it in place after every cell, so a write that failed (a full disk) leaves a
    truncated file, or a whole one of fewer cells: either is dropped and the previous notebook kept.
    """
    import nbformat

    if not tmp.exists():
        return
    problem = io.write_problem(write_error) if write_error is not None else ""
    if not problem:
        try:
            nbformat.read(str(tmp), as_version=4)
        except Exception:  # noqa: BLE001 -- nbformat raises JSON, validation and OS errors alike
            problem = "it is cut short or not a notebook"
    if problem:
        with contextlib.suppress(OSError):
            tmp.unlink()  # on a full disk its space is what the next write needs
        kept = "the previous one is kept" if out_nb.exists() else "there is no earlier one"
        raise OutputError(f"the executed notebook could not be written in full ({problem}) in "
                          f"{shown(out_nb.parent)}; {kept}; free space there and run again") from None
    try:
        os.replace(tmp, out_nb)
    except OSError as exc:
        raise OutputError(f"cannot put the executed notebook in place at {out_nb} ({io.write_problem(exc)}); "
                          f"the previous one is kept") from None


def kernel_environment() -> None:
    """Settings the study kernels inherit from this process."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notices
    os.environ[PROGRESS_ENV] = "lines"  # epoch lines we can parse, whatever the user's terminal
    # EXECUTOR=ray: every worker's epoch line, not one for lines alike but for their numbers (other seeds).
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")


@contextlib.contextmanager
def exclusive(build_dir: Path):
    """One report run per profile at a time: a second one would interleave their outputs."""
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ProjectError(f"another report run is using {build_dir}; wait for it to finish") from None
        yield


def _error_line(exc: BaseException) -> str:
    """'Name: message' on one line, for a raised error or a notebook cell's error (ename, evalue)."""
    name = getattr(exc, "ename", type(exc).__name__)
    return f"{name}: {one_line(getattr(exc, 'evalue', str(exc)))}"[:500]


def report(profile: str, studies: list[Study], data_dir: str | None = None, kernel: str = KERNEL,
           build_root: Path = BUILD, reports_root: Path = REPORTS, notebooks_dir: Path = NOTEBOOKS,
           interactive: bool | None = None) -> int:
    planned = plan(profile, studies, data_dir, build_root, reports_root)
    with exclusive(build_root / profile):
        return _run_all(profile, studies, planned, kernel, build_root / profile, reports_root / profile,
                        notebooks_dir, interactive)


def _read_summary(path: Path) -> dict | None:
    from .index import _read_summary as read  # unreadable or of another shape: never trusted, as in the index

    return read(path)


def _run_all(profile, studies, planned, kernel, build_dir: Path, reports_dir: Path, notebooks_dir: Path,
             interactive: bool | None = None) -> int:
    from .index import build_index
    from .render import render_html

    kernel_environment()
    # Read before the studies overwrite them: the previous build's times drive the estimate.
    previous = {s.key: previous_seconds(_read_summary(build_dir / s.key / "summary.json")) for s in studies}
    work = {s.key: work_units(s.key, planned[s.key]) for s in studies}
    from ..experiments import executors

    # Runs trained side by side print their epoch lines interleaved; the estimate needs to know how many.
    runner = executors.from_env()
    at_once = runner.workers if runner.name == "local" else 1
    tracker = Tracker([s.key for s in studies], previous, work=work, at_once=at_once)
    outcomes: dict[str, dict] = {}
    rows: list[dict] = []
    report_started = time.time()
    logs_dir = build_dir / "logs"
    logs_dir.mkdir(parents=True, exist_ok=True)
    with Console(tracker, interactive=interactive) as console:
        for study in studies:
            console.study_started(study.key, study.title)
            started = time.time()
            out_nb = build_dir / "notebooks" / study.notebook
            out_nb.parent.mkdir(parents=True, exist_ok=True)
            log_path = logs_dir / f"{study.key}.log"
            log_path.write_text("")
            before = _mtime(out_nb)
            try:
                execute(study, planned[study.key], out_nb, kernel, notebooks_dir, console, log_path)
                outcomes[study.key] = {"status": "ok"}
            except Exception as exc:  # one study's failure must not stop the others
                outcomes[study.key] = {"status": "failed", "error": _error_line(exc)}
                console.warn(f"{study.key}: {outcomes[study.key]['error']} (log: {shown(log_path)})", failed=True)
            # Only a notebook this run wrote becomes the page: an earlier one kept after a failed
            # write must not be shown again as if it were this run's.
            if out_nb.exists() and _mtime(out_nb) != before:
                try:
                    # The page's own title (Study 5 names the dataset a fallback used), else the registry's.
                    title = (_read_summary(build_dir / study.key / "summary.json") or {}).get("title", study.title)
                    render_html(out_nb, reports_dir / study.page, title)
                except OutputError as exc:  # the page cannot be replaced: this study failed, the others go on
                    outcomes[study.key] = {"status": "failed", "error": _error_line(exc)}
                    console.warn(f"{study.key}: {outcomes[study.key]['error']}", failed=True)
            console.study_finished(outcomes[study.key]["status"], time.time() - started)
            cache = tracker.current.cache
            rows.append({"number": study.number, "key": study.key, "title": study.title, **outcomes[study.key],
                         "summary": _read_summary(build_dir / study.key / "summary.json")
                         if outcomes[study.key]["status"] == "ok" else None,
                         "cache": (cache.reused, cache.trained) if cache else None, "log": shown(log_path)})
    try:
        index = shown(build_index(profile, build_dir, reports_dir, outcomes))
    except OutputError as exc:  # the studies' pages are written; say what is missing and still sum up
        print(f"error: {exc}; the previous index is kept", file=sys.stderr, flush=True)
        outcomes["index"] = {"status": "failed"}
        index = "(index not written)"
    _close(profile, rows, index, console, build_dir, time.time() - report_started)
    failed = [k for k, o in outcomes.items() if o["status"] == "failed"]
    return 1 if failed else 0


def _close(profile: str, rows: list[dict], index: str, console: Console, build_dir: Path,
           wall_seconds: float) -> None:
    """The estimate's record in the build's ``report.json``, the closing summary, the warnings again (last)."""
    try:
        io.write_json(build_dir / "report.json", {"profile": profile, **estimate_record(console.tracker,
                                                                                      wall_seconds)})
    except OutputError as exc:  # the pages and the index are written; only this record is lost
        print(f"error: {exc}; the time estimate's record is not kept", file=sys.stderr, flush=True)
    print(report_summary(profile, rows, index, wall_seconds, estimate_text(console.tracker.first_estimate,
                                                                           wall_seconds)), flush=True)
    if console.warnings:
        print(f"{len(console.warnings)} warning(s) above:\n" + "\n".join(f"  {w}" for w in console.warnings))


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.report.pipeline", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("report", "check"))
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--studies", default="all", help="comma-separated keys or numbers, or 'all'")
    parser.add_argument("--data-dir", default=os.environ.get(DATA_DIR_ENV) or None,
                        help=f"local data directory (default: ${DATA_DIR_ENV})")
    parser.add_argument("--kernel", default=KERNEL)
    parser.add_argument("--build-dir", type=Path, default=BUILD)
    parser.add_argument("--reports-dir", type=Path, default=REPORTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    # papermill's own INFO lines (input/output paths, kernel name) are not for the user; its warnings are.
    logging.getLogger("papermill").setLevel(logging.WARNING)
    # A study interrupted (Ctrl-C) leaves nbclient's cell task with the kernel's KeyboardInterrupt, which
    # asyncio would print as "Task exception was never retrieved" and a few hundred lines of traceback
    # after our one line; a study's real errors reach us through papermill, never through this.
    logging.getLogger("asyncio").addFilter(_unretrieved)
    chosen_default = False
    try:
        studies = select_studies(args.studies)
        # The study kernels inherit SMALLIMG_EXECUTOR; a bad name or an unreachable RAY_ADDRESS stops here.
        from ..experiments import executors

        chosen = ""
        if not os.environ.get(executors.ENV, "").strip():
            spec, why = executors.default_for(args.profile)
            os.environ[executors.ENV] = spec
            chosen_default = True
            chosen = f" (chosen for this machine: {why}; EXECUTOR=serial to change)"
        executor = executors.check()
        if args.command == "report" and executors.from_env().name != "serial":  # serial: as ever, nothing said
            print(f"executor: {executor}{chosen}", flush=True)
        if args.command == "check":
            data_lines: dict[str, list[str]] = {}
            planned = plan(args.profile, studies, args.data_dir, args.build_dir, args.reports_dir, data_lines)
            print(check_summary(args.profile, studies, planned, data_lines))
            return 0
        return report(args.profile, studies, args.data_dir, args.kernel, args.build_dir, args.reports_dir)
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: nothing half-written is kept; run the same command again to continue (finished "
              "runs come back from the run cache, an interrupted one from its last epoch)", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours, not the user's input: one line, the traceback kept in a file
        print(f"error: unexpected {_error_line(exc)}; this is a bug, please report it with the traceback in "
              f"{_save_traceback()}", file=sys.stderr)
        return 3
    finally:
        # The machine's default reached the study kernels through the environment; a caller that runs main()
        # in its own process (a test, a script) gets its environment back as it was.
        if chosen_default:
            os.environ.pop(executors.ENV, None)


def _unretrieved(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Task exception was never retrieved")


def _save_traceback() -> str:
    import traceback

    try:
        with tempfile.NamedTemporaryFile("w", prefix="smallimg-error-", suffix=".log", delete=False) as fh:
            traceback.print_exc(file=fh)
        return fh.name
    except OSError:
        return "(nowhere: the temporary directory cannot be written)"


if __name__ == "__main__":
    sys.exit(main())
