"""A study page's header and parameter tables: what ran, where, from which commit, with which settings.

Functions of the page (:class:`lib.report.page.StudyReport`), kept apart from it so that the page class holds
only what a study hands it and what it renders.
"""
from __future__ import annotations

import datetime as _dt
import html
import platform
from pathlib import Path

import pandas as pd

from ..studies.registry import RUN_KEYS
from ..train.runtime import hardware_summary


def library_versions() -> dict:
    import keras
    import matplotlib
    import numpy
    import scipy
    import tensorflow as tf

    return {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__, "pandas": pd.__version__,
            "matplotlib": matplotlib.__version__}


PATH_KEYS = ("output_dir", "data_dir")
# How a run was carried out, not what it tests: collapsed on the page, with meanings for a reader.
RUN_SETTINGS = {
    "profile": "the settings bundle this page ran with (smoke: a check that the study runs; quick: a "
               "laptop-CPU run on the real data; full: the seeds' settings)",
    "data_source": "auto: the real dataset from a data folder, a system copy or a download; generated: tiny "
                   "stand-in images (checks only)",
    "data_dir": "the folder the real data was read from",
    "precision": "numeric precision of training (bfloat16 mixed precision where the CPU supports it)",
    "deterministic": "whether TensorFlow's operations were forced to be bit-for-bit repeatable (slower)",
    "use_cache": "whether runs finished earlier with exactly the same inputs were read back instead of retrained",
    "strategy": "devices used for training (default: one)",
}
HIDDEN = ("output_dir", "golden")
PROFILES = {"smoke": "a check that the study runs, on tiny stand-in data; its numbers mean nothing",
            "quick": "a laptop-CPU run on the real data, at a fraction of the seeds' training budgets",
            "full": "the seeds' settings and beyond, meant for a GPU"}


def profile_text(profile: str) -> str:
    """The profile's name with what it means, for a reader who has not seen the README."""
    return f"`{profile}`: {PROFILES[profile]}" if profile in PROFILES else f"`{profile}`"


def runtime_text(runtime: dict) -> str:
    """The numeric settings in words; the global seed is left out (the Seeds row names the runs' seeds)."""
    words = []
    precision = runtime.get("precision")
    if precision:
        words.append({"mixed_bfloat16": "bfloat16 mixed precision", "mixed_float16": "float16 mixed precision",
                      "float32": "float32"}.get(str(precision), str(precision)))
    if "deterministic" in runtime:
        words.append("bit-deterministic ops" if runtime["deterministic"] else
                     "ops not bit-deterministic (faster; a rerun differs in the last digits)")
    if runtime.get("threads"):
        words.append(f"{runtime['threads']} CPU threads")
    if runtime.get("replicas") and runtime["replicas"] != 1:
        words.append(f"{runtime['replicas']} devices")
    return ", ".join(words) or "not recorded"


def _path(v) -> str:
    """A directory as the reader may see it: relative to the project, never a local absolute path."""
    if v is None:
        return "null"
    from ..paths import PROJECT_ROOT

    p = Path(v)
    if not p.is_absolute():
        return str(p)
    try:
        return str(p.resolve().relative_to(PROJECT_ROOT.resolve()))
    except ValueError:
        return "(a directory outside the project)"


def _code_spans(text: str) -> str:
    import re

    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def _value(v) -> str:
    """A parameter value as a profile file would write it."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


def source_commit() -> str:
    """The commit the page is rendered from, marked when tracked files (outside reports/) differ from it."""
    import subprocess

    from ..paths import PROJECT_ROOT

    def git(*args) -> str:
        return subprocess.run(["git", "-C", str(PROJECT_ROOT), *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    try:
        head = git("rev-parse", "--short=10", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)reports")
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    if not head:
        return "unknown (not a git checkout)"
    return f"{head} + uncommitted changes" if dirty else head


def header_text(page, finished: float | None = None) -> str:
    s, p = page.study, page.params
    versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    runs = page.runs_reused + page.runs_trained
    compute = (f"{page.compute_seconds / 60:.1f} min of training in {runs} run{'s' if runs != 1 else ''}"
               + (f" ({page.runs_reused} read back from the run cache)" if page.runs_reused else "")
               if runs else "no training run yet")
    start = _dt.datetime.fromtimestamp(page.started).strftime("%Y-%m-%d %H:%M")
    rendered = (f"{start}, in {(finished - page.started) / 60:.1f} min" if finished
                else f"started {start}, still running")
    data = "\n".join(f"  - {line}" for line in page.data_lines) or "  - (not loaded yet)"
    if "fingerprint" in data:
        data += ("\n\n  The *fingerprint* is a hash of the images and labels this page used: two pages with the "
                 "same fingerprint trained and tested on the same images.")
    return (f"# {page.title or s.title}\n\n[← All studies and the reproduction table](index.html)\n\n"
            f"**Question.** {s.question}\n\n"
            f"| | |\n|---|---|\n| Profile | {profile_text(p['profile'])} |\n"
            f"| Seeds | {seeds_text(page)} |\n"
            f"| Compute time | {compute} |\n| Rendered | {rendered}, from commit "
            f"`{source_commit()}` |\n| Hardware | {hardware_summary()} |\n"
            f"| Numerics | {runtime_text(page.runtime)} |\n| Libraries | {versions} |\n\n"
            f"**Reproduce this page.** From a clone at that commit, with the datasets in a folder of your own "
            f"(see the README, 'Data'):\n\n```\n{reproduce_command(page)}\n```\n\n**Data.**\n{data}\n")


def reproduce_command(page) -> str:
    """The command that renders exactly this page: its profile, its study and (real data) a data folder."""
    p = page.params
    data = " DATA_DIR=/path/to/data" if p.get("data_source", "auto") == "auto" else ""
    return f"make report PROFILE={p['profile']} STUDIES={page.study.number}{data}"


def seeds_text(page) -> str:
    """The seeds the runs on this page used, from their records: a study may run a part on more seeds
    than its ``seeds`` parameter (Study 4's batch-norm comparison), and the header must not contradict it."""
    used = sorted(page.seeds_used) or list(page.params.get("seeds", []))
    text = ", ".join(str(x) for x in used)
    n = len(used)
    return f"{text} ({n} seed{'s' if n != 1 else ''}; each table and comparison says how many it uses)"


def parameter_rows(page) -> list[dict]:
    """Every parameter of the study: its value here, its default, and what set it.

    ``set by`` is "default" where the value is the schema's default, "profile" where the profile
    changed it, and "run" for what the pipeline sets itself (profile name, output directory, ...).
    """
    rows = []
    for name, param in page.study.schema.items():
        value = page.params.get(name, param.default)
        changed = value != param.default
        rows.append({"parameter": name, "value": value, "default": param.default,
                     "set by": ("run" if name in RUN_KEYS else "profile") if changed else "default",
                     "meaning": RUN_SETTINGS.get(name) or param.help})
    return rows


def parameters_html(page) -> str:
    """What shapes the science, in the open; how the run was carried out, collapsed under "Run settings".

    The pipeline's own plumbing (where outputs go, the test harness's golden switch) means nothing
    to a reader and is left out.
    """
    rows = [r for r in parameter_rows(page) if r["parameter"] not in HIDDEN]
    science = [r for r in rows if r["parameter"] not in RUN_SETTINGS]
    settings = [r for r in rows if r["parameter"] in RUN_SETTINGS]
    changed = sum(1 for r in science if r["set by"] == "profile")
    profile = html.escape(str(page.params.get("profile", "")))

    def shown(r, key):
        return _path(r[key]) if r["parameter"] in PATH_KEYS else _value(r[key])

    def table(rs):
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in (
                r["parameter"], shown(r, "value"), r["set by"],
                "" if r["set by"] == "default" else shown(r, "default")))
            + f"<td>{_code_spans(html.escape(r['meaning']))}</td></tr>" for r in rs)
        return (f"<table class=\"params\"><thead><tr><th>parameter</th><th>value</th><th>set by</th><th>default</th>"
                f"<th>meaning</th></tr></thead><tbody>{cells}</tbody></table>")
    # Left-aligned: nbconvert right-aligns table cells, which leaves the meanings hard to read.
    return (f"<style>table.params td, table.params th {{text-align: left}}</style>\n"
            f"<details open><summary><b>Parameters that shape the results.</b> The "
            f"<code>{profile}</code> profile changed {changed} of these {len(science)} from the study's "
            f"defaults.</summary>\n{table(science)}</details>\n"
            f"<details><summary><b>Run settings.</b> How this run was carried out ({len(settings)} "
            f"settings): where the data came from, numeric precision, determinism, run cache."
            f"</summary>\n{table(settings)}</details>")
