"""Helpers a study notebook uses to present itself: header, figures, tables, summary."""
from __future__ import annotations

import datetime as _dt
import functools
import html
import platform
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import io
from ..paths import resolve
from ..studies.registry import RUN_KEYS, get_study
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


def _md(text: str):
    """Markdown we write, with values from outside in it, as an HTML output in which those values are text."""
    from IPython.display import HTML
    return HTML(markdown_html(text))


# MathJax (loaded by nbconvert's pages) typesets $...$ anywhere in a page unless an ancestor has this class;
# a label name like $\href{...}{...}$ must stay text too.
NO_MATH = "tex2jax_ignore"


def markdown_html(text: str) -> str:
    """Render page Markdown (ours: bold, code, lists, quotes, tables) to HTML that holds no element
    from the values in it.

    The page's sentences are built by f-strings from values that come from files, parameters,
    directory names and exception messages, so the Markdown cannot be trusted as Markdown: raw HTML
    is escaped (mistune's ``escape=True``) and a link or image becomes its text, since nbconvert's
    own renderer allows any HTML and ``javascript:`` links. Escaping here, where every page sentence
    is rendered, rather than at each call site, leaves no sentence unescaped.
    """
    return f'<div class="{NO_MATH}">{_markdown()(str(text))}</div>'


# The one kind of link a page may hold: to a page beside it (the index), never a scheme or a path.
_SIBLING_PAGE = re.compile(r"[A-Za-z0-9_-]+\.html(#[A-Za-z0-9_-]+)?")


@functools.lru_cache(maxsize=1)
def _markdown():
    import mistune

    if not mistune.__version__.startswith("3."):  # another API: plain escaped text rather than a guess
        return lambda text: "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"

    class TextOnly(mistune.HTMLRenderer):
        def link(self, text, url, title=None):  # its text, and the address as text
            if _SIBLING_PAGE.fullmatch(html.unescape(url)):  # another page of this report: no scheme, no path
                return f'<a href="{html.escape(html.unescape(url))}">{text}</a>'
            return text if html.unescape(text) == url else f"{text} ({html.escape(url)})"

        def image(self, text, url, title=None):  # the alt text only: no request leaves the page
            return text

    return mistune.create_markdown(escape=True, renderer=TextOnly(escape=True), plugins=["table", "strikethrough"])


def _display(obj, **kwargs):
    from IPython.display import display
    return display(obj, **kwargs)


@dataclass
class StudyReport:
    """Collects what a study page shows and writes the summary the index reads.

    The header's compute time is the training time of the runs on the page,
    taken from their records (so a page re-rendered from the cache still says
    what its runs cost); the render time and the commit are stated beside it.
    """
    study_key: str
    params: dict
    runtime: dict = field(default_factory=dict)
    title: str | None = None
    started: float = field(default_factory=time.time)
    data_lines: list[str] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    compute_seconds: float = 0.0
    runs_reused: int = 0
    runs_trained: int = 0
    finding_text: str = ""
    partial_reasons: list[str] = field(default_factory=list)
    _judged: list = field(default_factory=list)
    seeds_used: set = field(default_factory=set)
    limitation_lines: list[str] = field(default_factory=list)
    _handle: object = None
    _limits_handle: object = None

    @property
    def study(self):
        return get_study(self.study_key)

    @property
    def output_dir(self) -> Path:
        return resolve(self.params["output_dir"])

    def _header_text(self, finished: float | None = None) -> str:
        s, p = self.study, self.params
        versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
        runs = self.runs_reused + self.runs_trained
        compute = (f"{self.compute_seconds / 60:.1f} min of training in {runs} run{'s' if runs != 1 else ''}"
                   + (f" ({self.runs_reused} read back from the run cache)" if self.runs_reused else "")
                   if runs else "no training run yet")
        start = _dt.datetime.fromtimestamp(self.started).strftime("%Y-%m-%d %H:%M")
        rendered = (f"{start}, in {(finished - self.started) / 60:.1f} min" if finished
                    else f"started {start}, still running")
        data = "\n".join(f"  - {line}" for line in self.data_lines) or "  - (not loaded yet)"
        if "fingerprint" in data:
            data += ("\n\n  The *fingerprint* is a hash of the images and labels this page used: two pages with the "
                     "same fingerprint trained and tested on the same images.")
        return (f"# {self.title or s.title}\n\n[← All studies and the reproduction table](index.html)\n\n"
                f"**Question.** {s.question}\n\n"
                f"| | |\n|---|---|\n| Profile | {profile_text(p['profile'])} |\n"
                f"| Seeds | {self._seeds_text()} |\n"
                f"| Compute time | {compute} |\n| Rendered | {rendered}, from commit "
                f"`{source_commit()}` |\n| Hardware | {hardware_summary()} |\n"
                f"| Numerics | {runtime_text(self.runtime)} |\n| Libraries | {versions} |\n\n"
                f"**Reproduce this page.** From a clone at that commit, with the datasets in a folder of your own "
                f"(see the README, 'Data'):\n\n```\n{self.reproduce_command()}\n```\n\n**Data.**\n{data}\n")

    def reproduce_command(self) -> str:
        """The command that renders exactly this page: its profile, its study and (real data) a data folder."""
        p = self.params
        data = " DATA_DIR=/path/to/data" if p.get("data_source", "auto") == "auto" else ""
        return f"make report PROFILE={p['profile']} STUDIES={self.study.number}{data}"

    def _seeds_text(self) -> str:
        """The seeds the runs on this page used, from their records: a study may run a part on more seeds
        than its ``seeds`` parameter (Study 4's batch-norm comparison), and the header must not contradict it."""
        used = sorted(self.seeds_used) or list(self.params.get("seeds", []))
        text = ", ".join(str(x) for x in used)
        n = len(used)
        return f"{text} ({n} seed{'s' if n != 1 else ''}; each table and comparison says how many it uses)"

    def parameter_rows(self) -> list[dict]:
        """Every parameter of the study: its value here, its default, and what set it.

        ``set by`` is "default" where the value is the schema's default, "profile" where the profile
        changed it, and "run" for what the pipeline sets itself (profile name, output directory, ...).
        """
        rows = []
        for name, param in self.study.schema.items():
            value = self.params.get(name, param.default)
            changed = value != param.default
            rows.append({"parameter": name, "value": value, "default": param.default,
                         "set by": ("run" if name in RUN_KEYS else "profile") if changed else "default",
                         "meaning": RUN_SETTINGS.get(name) or param.help})
        return rows

    def _parameters_html(self) -> str:
        """What shapes the science, in the open; how the run was carried out, collapsed under "Run settings".

        The pipeline's own plumbing (where outputs go, the test harness's golden switch) means nothing
        to a reader and is left out.
        """
        import html

        rows = [r for r in self.parameter_rows() if r["parameter"] not in HIDDEN]
        science = [r for r in rows if r["parameter"] not in RUN_SETTINGS]
        settings = [r for r in rows if r["parameter"] in RUN_SETTINGS]
        changed = sum(1 for r in science if r["set by"] == "profile")
        profile = html.escape(str(self.params.get("profile", "")))

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

    def show_parameters(self) -> None:
        """The parameters that shape the results, and the run settings collapsed under them."""
        from IPython.display import HTML

        _display(HTML(self._parameters_html()))

    def limitation(self, text: str) -> None:
        """A limitation only this study knows of, added to the page's "Limitations" section."""
        self.limitation_lines.append(" ".join(text.split()))
        self._refresh()

    def limitations(self, finished: bool = False) -> list[str]:
        """The page's limitations, built from what the notebook handed the page: data, warnings, claims,
        seeds, determinism and test-set size; then the study's own lines."""
        from .limits import limitations

        return limitations(self, finished) + self.limitation_lines

    def _limitations_text(self, finished: float | None = None) -> str:
        lines = self.limitations(finished is not None)
        return "## Limitations\n\n" + "\n".join(f"- {line}" for line in lines) + "\n"

    def _refresh(self, finished: float | None = None) -> None:
        if self._handle is not None:
            self._handle.update(_md(self._header_text(finished)))
        if self._limits_handle is not None:
            self._limits_handle.update(_md(self._limitations_text(finished)))

    def show_header(self) -> None:
        """Display the header, the parameters and the limitations now; later calls update them in place
        (the limitations are complete when the study finishes)."""
        self._handle = _display(_md(self._header_text()), display_id=True)
        self.show_parameters()
        self._limits_handle = _display(_md(self._limitations_text()), display_id=True)

    def set_title(self, title: str) -> None:
        """The page title when it depends on the run (e.g. the dataset a fallback used)."""
        self.title = title
        self._refresh()

    def add_data(self, line: str) -> None:
        self.data_lines.append(line)
        self._refresh()

    def record_runs(self, runs, cache=None) -> None:
        """Count a RunSet (or a list of RunResults) into the header's compute time."""
        records = runs.all() if hasattr(runs, "all") else list(runs)
        self.compute_seconds += sum(r.seconds for r in records)
        self.runs_reused += sum(1 for r in records if r.cached)
        self.runs_trained += sum(1 for r in records if not r.cached)
        self.seeds_used.update(int(r.seed) for r in records if getattr(r, "seed", None) is not None)
        self._refresh()

    def figure(self, fig, name: str) -> None:
        """Save a figure (PNG, atomically) under output_dir/figures and show that same PNG."""
        import base64
        import html

        import matplotlib.pyplot as plt
        from IPython.display import HTML

        alt = figure_description(fig, name)
        path = io.save_figure(fig, self.output_dir / "figures" / f"{name}.png", dpi=110)
        plt.close(fig)
        # An <img> with alt text rather than a bare PNG output: nbconvert has no way to carry a
        # description for image outputs, and screen readers (and broken-image fallbacks) need one.
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        _display(HTML(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'))

    def table(self, df: pd.DataFrame, name: str, caption: str = "") -> None:
        io.write_text(self.output_dir / f"{name}.csv", df.to_csv(index=True))
        _display(styled_table(df, caption))

    def say(self, text: str) -> None:
        _display(_md(text))

    def warn(self, text: str) -> None:
        """A warning the reader must not miss: on the page, in the summary and in the terminal."""
        from ..progress import warn_user

        self.warnings.append(text)
        warn_user(text)
        self.say(f"> **Warning.** {text}")
        self._refresh()

    def claims_from(self, pairs, scope: str = "", readings: dict | None = None) -> list:
        """Record a study's claims, judged once as its declared family (lib.experiments.claims.judge_readings):
        the page renders the verdicts, it never re-judges. ``readings``: the same claims under each other
        declared reading run (shown beside, not counted). Called once per study; returns the Verdicts."""
        from ..experiments.claims import judge_readings

        if self._judged:
            raise RuntimeError("a study's claims are one Holm family: hand them to the page in one call")
        self._judged = [(c, e, scope or e.scope) for c, e in pairs]
        verdicts = judge_readings([(c, e) for c, e, _ in self._judged], readings)
        self.claims[:] = [_claim_row(c, v, sc) for (c, _, sc), v in zip(self._judged, verdicts)]
        return verdicts

    def partial(self, reason: str) -> None:
        """Mark the page partial (a fallback dataset, a skipped arm): the index shows the reason."""
        self.partial_reasons.append(reason)

    def show_claims(self, caption: str = "The seeds' claims against this run") -> None:
        """The claims judged so far, as a table, under the rule they were judged by."""
        from ..experiments.claims import rule_text

        if not self.claims:
            return
        df = pd.DataFrame([{"claim": ("(our addition) " if c["addition"] else f"seed {c['seed']}: ") + c["claim"],
                            "tested on (declared)": c["metric"], "seed's number": c["seed_value"], "ours": c["ours"],
                            "verdict": c["verdict"], "at half the smallest effect": c["half"] or "—",
                            "seed's number vs ours": c["seed_check"] or "—", "test over runs": c["test"] or "—",
                            "p (Holm)": c["p_holm_text"], "how close to a boundary": c["fragility"] or "—",
                            "other readings (not counted)": c["readings"] or "—", "why": c["detail"],
                            "scope": c["scope"]}
                           for c in self.claims]).set_index("claim")
        self.say(rule_text())
        self.table(df, "claims", caption=caption)

    def finding(self, text: str) -> None:
        """The study's one-line answer for the index, built from numbers by the caller; also shown here."""
        self.finding_text = " ".join(text.split())
        self.say(f"**Finding.** {self.finding_text}")

    def finish(self, status: str = "ok", message: str = "") -> dict:
        """Write summary.json for the index and complete the header."""
        finished = time.time()
        summary = {"study": self.study_key, "title": self.title or self.study.title, "page": self.study.page,
                   "profile": self.params["profile"], "status": status, "message": message,
                   "completeness": self.completeness(message),
                   "data": self.data_lines, "finding": self.finding_text, "claims": self.claims,
                   "warnings": self.warnings, "compute_seconds": round(self.compute_seconds, 1),
                   "render_seconds": round(finished - self.started, 1),
                   "cache": {"reused": self.runs_reused, "trained": self.runs_trained},
                   "commit": source_commit(), "finished": _dt.datetime.now().isoformat()}
        io.write_json(self.output_dir / "summary.json", summary)
        self._refresh(finished)
        return summary

    def completeness(self, failed: str = "") -> dict:
        """"complete" or "partial" with its reasons (as defined in lib.experiments.claims.STATUS)."""
        from ..experiments.claims import MIN_SEEDS

        seeds = self.params.get("seeds") or []
        reasons = list(self.partial_reasons) + ([f"failed runs: {failed}"] if failed else [])
        if isinstance(seeds, list) and len(seeds) < MIN_SEEDS:
            reasons.append(f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''}, fewer than {MIN_SEEDS}: "
                           f"claims are indicative only")
        reasons += [w for w in self.warnings if w not in reasons and not w.startswith(("run failed", "Run failed"))]
        return {"status": "partial" if reasons else "complete", "reasons": reasons}


def _claim_row(claim, v, scope: str) -> dict:
    """A judged claim as the page's table, summary.json, the index and the terminal summary read it."""
    adjusted = "" if v.p_holm != v.p_holm else f"{v.p_holm:.3g} (raw {v.p:.3g})"
    return {"key": claim.key, "seed": claim.seed, "claim": claim.words, "metric": claim.margin_text(),
            "seed_value": claim.seed_text(), "ours": v.ours, "verdict": v.word, "detail": v.detail,
            "scope": scope, "addition": claim.addition, "test": v.test, "p": None if v.p != v.p else v.p,
            "p_holm": None if v.p_holm != v.p_holm else v.p_holm, "p_holm_text": adjusted or "—",
            "short_budget": v.short_budget, "seed_check": v.seed_check, "fragility": v.fragility, "half": v.half,
            "readings": v.readings}


def styled_table(df: pd.DataFrame, caption: str = ""):
    """A page table in which every cell, label, axis name and the caption are text.

    pandas' Styler writes all of them into its HTML as they are, and the values come from data
    files (class names), parameters and run messages.
    """
    def names(axis) -> list:  # axis names are not reached by format_index
        return [n if n is None else html.escape(str(n)) for n in axis.names]

    shown = df.rename_axis(index=names(df.index), columns=names(df.columns))
    styler = (shown.style.format(escape="html").format_index(escape="html", axis=0)
              .format_index(escape="html", axis=1).set_table_attributes(f'class="{NO_MATH}"'))
    return styler.set_caption(html.escape(str(caption))) if caption else styler


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


def figure_description(fig, name: str) -> str:
    """Alt text for a figure: its title and its panels' titles and axis labels."""
    parts = []
    title = fig._suptitle.get_text().strip() if getattr(fig, "_suptitle", None) else ""
    if title:
        parts.append(title)
    for ax in fig.get_axes():
        bits = [t for t in (ax.get_title(), ax.get_xlabel() and f"x: {ax.get_xlabel()}",
                            ax.get_ylabel() and f"y: {ax.get_ylabel()}") if t]
        if bits:
            parts.append(", ".join(bits))
    text = "; ".join(dict.fromkeys(" ".join(p.split()) for p in parts))
    return f"Figure: {text}" if text else f"Figure: {name.replace('_', ' ')}"


def rounded_metrics(metrics: dict, digits: int = 2) -> dict:
    """Metrics rounded for the nbval golden cell: stable across runs on CPU."""
    return {k: round(float(v), digits) for k, v in sorted(metrics.items())}


def check_golden(study_key: str, params: dict, metrics: dict) -> str:
    """The nbval golden cell: smoke-profile metrics against notebooks/goldens/<study>.json."""
    from .goldens import check

    return check(study_key, params, metrics)
