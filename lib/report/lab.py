"""``make lab``: one study's notebook with a profile's parameters, opened in JupyterLab.

    python -m lib.report.lab --study 2 --profile quick [--no-browser] [--prepare-only] [JupyterLab options]

papermill injects the parameters ``make report`` would pass (validated by the same
:func:`lib.report.pipeline.plan`) into a copy under ``build/lab/<profile>/`` without running
it. The copy writes its figures and summary under ``build/lab/`` too, so a session in
Jupyter never overwrites the report's; its training runs come from the same run cache.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from ..data import DATA_DIR_ENV
from ..errors import ProjectError
from ..paths import BUILD, NOTEBOOKS, PROJECT_ROOT, REPORTS
from .pipeline import KERNEL, plan, select_studies


def parameterised_notebook(study_spec: str, profile: str, data_dir: str | None = None, build_root: Path = BUILD,
            notebooks_dir: Path = NOTEBOOKS) -> Path:
    """Write the parameterised, unexecuted notebook and return its path."""
    import papermill as pm

    if not study_spec or study_spec == "all" or "," in study_spec:
        raise ProjectError("name one study: make lab STUDY=2 PROFILE=quick (a key, number or notebook name)")
    [study] = select_studies(study_spec)
    params = plan(profile, [study], data_dir, build_root, REPORTS)[study.key]
    lab_dir = build_root / "lab" / profile
    params["output_dir"] = str((lab_dir / study.key).resolve())
    target = lab_dir / study.notebook
    target.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(notebooks_dir / study.notebook), str(target), parameters={"params": params},
                        prepare_only=True, kernel_name=KERNEL, progress_bar=False)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.report.lab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--study", required=True, help="key, number or notebook name")
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--data-dir", default=os.environ.get(DATA_DIR_ENV) or None)
    parser.add_argument("--build-dir", type=Path, default=BUILD)
    parser.add_argument("--no-browser", action="store_true", help="print JupyterLab's URL instead of opening it")
    parser.add_argument("--prepare-only", action="store_true", help="write the notebook, do not start JupyterLab")
    args, lab_options = parser.parse_known_args(argv)  # the rest goes to JupyterLab (e.g. --allow-root)
    try:
        notebook = parameterised_notebook(args.study, args.profile, args.data_dir, args.build_dir)
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    shown = notebook.resolve().relative_to(PROJECT_ROOT) if notebook.resolve().is_relative_to(PROJECT_ROOT) else notebook
    print(f"prepared {shown} with the {args.profile} parameters (kernel {KERNEL})")
    if args.prepare_only:
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={PROJECT_ROOT}", *lab_options,
           str(notebook.resolve())]
    if args.no_browser:
        cmd.append("--no-browser")
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
