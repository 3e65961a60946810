"""The batch runner behind ``make report``: validate, execute, render, index.

    python -m lib.pipeline report --profile quick [--studies 2,3] [--data-dir DIR]
    python -m lib.pipeline check  --profile quick

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
import fcntl
import logging
import os
import sys
import time
from pathlib import Path

import yaml

from . import io
from .data import DATA_DIR_ENV
from .errors import OutputError, ParamError, ProjectError
from .paths import BUILD, NOTEBOOKS, PARAMS, PROJECT_ROOT, REPORTS
from .params import unknown_name_error, validate
from .studies import STUDIES, Study, get_study

KERNEL = "smallimg"
log = logging.getLogger("pipeline")


def profiles() -> list[str]:
    return sorted(p.name for p in PARAMS.iterdir() if p.is_dir()) if PARAMS.is_dir() else []


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
    """Read params/<profile>/<study>.yaml and validate it against the study's schema."""
    path = PARAMS / profile / f"{study.key}.yaml"
    if not path.is_file():
        raise ParamError(f"no parameter file {path.relative_to(PARAMS.parent)} for study {study.key} in "
                         f"profile {profile}; copy one from params/smoke/")
    try:
        values = yaml.safe_load(_read_text(path)) or {}
    except yaml.YAMLError as exc:
        raise ParamError(f"{path.name} is not valid YAML ({str(exc).splitlines()[0]}); fix its syntax") from None
    if not isinstance(values, dict):
        raise ParamError(f"{path} must be a mapping of parameter names to values")
    return validate(study.schema, values, where=str(path.relative_to(PARAMS.parent)))


def _read_text(path: Path) -> str:
    rel = path.relative_to(PARAMS.parent)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParamError(f"cannot read {rel} ({exc.strerror or exc}); fix its permissions") from None
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


def check_data(planned: dict[str, dict], studies: list[Study]) -> None:
    """Load and validate (checksums, shapes, label ranges) every dataset the studies will read.

    Loading goes through the notebooks' own path (fallback included), so a
    file that would fail inside a study fails here, with the same one line.
    """
    from .synthetic.source import load_with_fallback

    wanted = {}
    for study in studies:
        params = planned[study.key]
        if params.get("data_source", "auto") == "auto":
            for name, fallback in _datasets(study, params):
                wanted.setdefault((name, fallback, params.get("data_dir")), params)
    loaded = set()
    # Pairs with a fallback first: what they end up loading need not be loaded again.
    for (name, fallback, data_dir), params in sorted(wanted.items(), key=lambda kv: kv[0][1] is None):
        if fallback is None and (name, data_dir) in loaded:
            continue
        choice = load_with_fallback(name, fallback, params, Path(params["output_dir"]))
        loaded.add((choice.used, data_dir))
        log.info("data: %s%s", choice.ds.provenance.describe(), f" ({choice.reason})" if choice.reason else "")


def plan(profile: str, studies: list[Study], data_dir: str | None, build_root: Path,
         reports_root: Path) -> dict[str, dict]:
    """Validate everything and return the parameters each notebook will get."""
    check_profile(profile)
    io.ensure_writable_dir(build_root / profile, "build")
    io.ensure_writable_dir(reports_root / profile, "reports")
    planned = {}
    for study in studies:
        params = load_params(profile, study)
        params["profile"] = profile
        params["golden"] = "off"  # goldens belong to nbval's runs of the notebook defaults
        params["output_dir"] = str((build_root / profile / study.key).resolve())
        if data_dir:
            params["data_dir"] = str(Path(data_dir).expanduser().resolve())
        planned[study.key] = params
    check_data(planned, studies)
    return planned


def execute(study: Study, params: dict, out_nb: Path, kernel: str, notebooks_dir: Path = NOTEBOOKS) -> None:
    import papermill as pm

    tmp = out_nb.with_name(f".running-{out_nb.name}")
    try:
        pm.execute_notebook(str(notebooks_dir / study.notebook), str(tmp), parameters=params,
                            kernel_name=kernel, log_output=True, progress_bar=False, cwd=str(PROJECT_ROOT))
    finally:
        if tmp.exists():
            os.replace(tmp, out_nb)  # keep the executed notebook, failed or not, for the page


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


def _one_line(exc: BaseException) -> str:
    name = getattr(exc, "ename", type(exc).__name__)
    value = getattr(exc, "evalue", str(exc))
    return f"{name}: {' '.join(str(value).split())}"[:500]


def report(profile: str, studies: list[Study], data_dir: str | None = None, kernel: str = KERNEL,
           build_root: Path = BUILD, reports_root: Path = REPORTS, notebooks_dir: Path = NOTEBOOKS) -> int:
    planned = plan(profile, studies, data_dir, build_root, reports_root)
    with exclusive(build_root / profile):
        return _run_all(profile, studies, planned, kernel, build_root / profile, reports_root / profile,
                        notebooks_dir)


def _run_all(profile, studies, planned, kernel, build_dir: Path, reports_dir: Path, notebooks_dir: Path) -> int:
    from .index import build_index
    from .render import render_html

    outcomes: dict[str, dict] = {}
    for study in studies:
        log.info("=== %s (profile %s) ===", study.title, profile)
        started = time.time()
        out_nb = build_dir / "notebooks" / study.notebook
        out_nb.parent.mkdir(parents=True, exist_ok=True)
        try:
            execute(study, planned[study.key], out_nb, kernel, notebooks_dir)
            outcomes[study.key] = {"status": "ok"}
        except Exception as exc:  # one study's failure must not stop the others
            outcomes[study.key] = {"status": "failed", "error": _one_line(exc)}
            log.error("FAILED %s: %s", study.key, outcomes[study.key]["error"])
        if out_nb.exists():
            try:
                render_html(out_nb, reports_dir / study.page, study.title)
            except OutputError as exc:   # the page cannot be replaced: this study failed, the others go on
                outcomes[study.key] = {"status": "failed", "error": _one_line(exc)}
                log.error("FAILED %s: %s", study.key, exc)
        log.info("=== %s: %s in %.1f min ===", study.key, outcomes[study.key]["status"], (time.time() - started) / 60)
    index = build_index(profile, build_dir, reports_dir, outcomes)
    failed = [k for k, o in outcomes.items() if o["status"] == "failed"]
    log.info("index: %s", index)
    if failed:
        log.error("%d of %d studies failed: %s", len(failed), len(studies), ", ".join(failed))
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.pipeline", description=__doc__.split("\n\n")[0])
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
    logging.getLogger("papermill").setLevel(logging.INFO)
    try:
        studies = select_studies(args.studies)
        if args.command == "check":
            plan(args.profile, studies, args.data_dir, args.build_dir, args.reports_dir)
            print(f"ok: profile {args.profile}, {len(studies)} studies, parameters and data checked")
            return 0
        return report(args.profile, studies, args.data_dir, args.kernel, args.build_dir, args.reports_dir)
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
