"""Helpers a study notebook uses to present itself: header, figures, tables, summary."""
from __future__ import annotations

import datetime as _dt
import functools
import html
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import io
from ..paths import resolve
from ..studies.registry import get_study
from . import header
from .header import source_commit
from .limits import completeness


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


def open_study(study_key: str, params: dict):
    """A study notebook's first call: ``params`` (what papermill injected; empty for a notebook run by hand,
    which then runs the smoke profile) laid over the study's defaults and checked once
    (:func:`lib.studies.registry.resolve`), the numeric runtime set, the header shown and the run cache opened.
    Returns ``(P, page, cache)``."""
    from ..experiments import Cache
    from ..paths import CACHE
    from ..studies.registry import resolve as resolve_params
    from ..train import runtime

    P = resolve_params(study_key, params)
    rt = runtime.configure(seed=P["seeds"][0], deterministic=P["deterministic"], precision=P["precision"])
    page = StudyReport(study_key, P, runtime=rt)
    page.show_header()
    return P, page, Cache(CACHE / study_key, enabled=P["use_cache"])


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
    claim_rows: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    compute_seconds: float = 0.0
    runs_reused: int = 0
    runs_trained: int = 0
    finding_text: str = ""
    partial_reasons: list[str] = field(default_factory=list)
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
            self._handle.update(_md(header.header_text(self, finished)))
        if self._limits_handle is not None:
            self._limits_handle.update(_md(self._limitations_text(finished)))

    def show_header(self) -> None:
        """Display the header, the parameters and the limitations now; later calls update them in place
        (the limitations are complete when the study finishes)."""
        from IPython.display import HTML

        self._handle = _display(_md(header.header_text(self)), display_id=True)
        _display(HTML(header.parameters_html(self)))
        self._limits_handle = _display(_md(self._limitations_text()), display_id=True)

    def set_title(self, title: str) -> None:
        """The page title when it depends on the run (e.g. the dataset a fallback used)."""
        self.title = title
        self._refresh()

    def add_data(self, line: str) -> None:
        self.data_lines.append(line)
        self._refresh()

    def record(self, runs, what: str = "run") -> None:
        """Count a study's runs (anything with ``records()``, a RunSet, or a list of RunResults) into the
        header's compute time, and warn of each failed one; stop when runs were trained and none finished."""
        records = _records(runs)
        self.compute_seconds += sum(r.seconds for r in records)
        self.runs_reused += sum(1 for r in records if r.cached)
        self.runs_trained += sum(1 for r in records if not r.cached)
        self.seeds_used.update(int(r.seed) for r in records if getattr(r, "seed", None) is not None)
        for r in records:
            if not r.ok:
                self.warn(f"{what} failed: {r.message}")
        self._refresh()
        if records and not any(r.ok for r in records):  # nothing to report: stop with every run's reason
            from ..errors import TrainingDiverged

            raise TrainingDiverged("; ".join(r.message or f"{r.label}: {r.status}" for r in records))

    def figure(self, fig, name: str) -> None:
        """Save a figure (PNG, atomically) under output_dir/figures and show that same PNG."""
        import matplotlib.pyplot as plt

        alt = figure_description(fig, name)
        path = io.save_figure(fig, self.output_dir / "figures" / f"{name}.png", dpi=110)
        plt.close(fig)
        _display(_image_html(path, alt))

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

    def claims(self, family) -> None:
        """Render a study's claims, judged once elsewhere as its declared family
        (:func:`lib.experiments.claims.judge_family`): the rule, the table, the study's notes and its finding.
        The page never judges; a second family on one page is refused."""
        from ..experiments.claims import rule_text

        if self.claim_rows:
            raise RuntimeError("a study's claims are one Holm family: hand them to the page in one call")
        self.claim_rows[:] = family.rows
        if family.rows:
            self.say(rule_text())
            self.table(claims_table(family.rows), "claims", caption=family.caption)
        if family.notes:
            self.say("\n".join(f"- {n}" for n in family.notes))
        if family.finding:
            self.finding_text = " ".join(family.finding.split())
            self.say(f"**Finding.** {self.finding_text}")
        self._refresh()

    def partial(self, reason: str) -> None:
        """Mark the page partial (a fallback dataset, a skipped arm): the index shows the reason."""
        self.partial_reasons.append(reason)

    def finish(self, runs=None) -> dict:
        """Write summary.json for the index and complete the header: "partial" with every failed run's reason
        when any of ``runs`` failed."""
        failed = [r for r in _records(runs) if not r.ok] if runs is not None else []
        finished = time.time()
        summary = _summary(self, "; ".join(r.message for r in failed), finished)
        io.write_json(self.output_dir / "summary.json", summary)
        self._refresh(finished)
        return summary


def _summary(page: StudyReport, message: str, finished: float) -> dict:
    """What summary.json holds: the index, the reproduction table and the terminal summary read it."""
    return {"study": page.study_key, "title": page.title or page.study.title, "page": page.study.page,
            "profile": page.params["profile"], "status": "partial" if message else "ok", "message": message,
            "completeness": completeness(page, message), "data": page.data_lines, "finding": page.finding_text,
            "claims": page.claim_rows, "warnings": page.warnings, "compute_seconds": round(page.compute_seconds, 1),
            "render_seconds": round(finished - page.started, 1),
            "cache": {"reused": page.runs_reused, "trained": page.runs_trained},
            "commit": source_commit(), "finished": _dt.datetime.now().isoformat()}


def _records(runs) -> list:
    """Each run record once: a study's runs (``records()``), a RunSet (``all()``) or a list."""
    if hasattr(runs, "records"):
        return list(runs.records())
    return list(runs.all()) if hasattr(runs, "all") else list(runs)


CLAIM_COLUMNS = {"tested on (declared)": "metric", "seed's number": "seed_value", "ours": "ours",
                 "verdict": "verdict", "at half the smallest effect": "half", "seed's number vs ours": "seed_check",
                 "test over runs": "test", "p (Holm)": "p_holm_text", "how close to a boundary": "fragility",
                 "other readings (not counted)": "readings", "why": "detail", "scope": "scope"}


def claims_table(rows: list[dict]) -> pd.DataFrame:
    """The judged claims as the page shows them, one row per claim; an empty cell reads "—"."""
    return pd.DataFrame([{"claim": ("(our addition) " if c["addition"] else f"seed {c['seed']}: ") + c["claim"],
                          **{col: c[key] or "—" for col, key in CLAIM_COLUMNS.items()}}
                         for c in rows]).set_index("claim")


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


def _image_html(path: Path, alt: str):
    """An <img> with alt text rather than a bare PNG output: nbconvert has no way to carry a description
    for image outputs, and screen readers (and broken-image fallbacks) need one."""
    import base64

    from IPython.display import HTML

    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return HTML(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">')


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
