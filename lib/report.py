"""Helpers a study notebook uses to present itself: header, figures, tables, summary."""
from __future__ import annotations

import datetime as _dt
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import io
from .paths import resolve
from .runtime import hardware_summary
from .studies import get_study


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
    from IPython.display import Markdown
    return Markdown(text)


def _display(obj, **kwargs):
    from IPython.display import display
    return display(obj, **kwargs)


@dataclass
class StudyReport:
    """Collects what a study page shows and writes the summary the index reads."""
    study_key: str
    params: dict
    started: float = field(default_factory=time.time)
    data_lines: list[str] = field(default_factory=list)
    runtime: dict = field(default_factory=dict)
    headline: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _handle: object = None

    @property
    def study(self):
        return get_study(self.study_key)

    @property
    def output_dir(self) -> Path:
        return resolve(self.params["output_dir"])

    def _header_text(self, finished: float | None = None) -> str:
        s, p = self.study, self.params
        versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
        took = (f"{(finished - self.started) / 60:.1f} min" if finished else "running…")
        start = _dt.datetime.fromtimestamp(self.started).strftime("%Y-%m-%d %H:%M")
        data = "\n".join(f"  - {line}" for line in self.data_lines) or "  - (not loaded yet)"
        rt = ", ".join(f"{k} {v}" for k, v in self.runtime.items())
        return (f"# {s.title}\n\n**Question.** {s.question}\n\n"
                f"| | |\n|---|---|\n| Profile | `{p['profile']}` |\n| Seeds | {p['seeds']} |\n"
                f"| Started | {start} |\n| Run time | {took} |\n| Hardware | {hardware_summary()} |\n"
                f"| Runtime settings | {rt} |\n| Libraries | {versions} |\n\n**Data.**\n{data}\n")

    def show_header(self) -> None:
        """Display the header now; :meth:`finish` updates it in place with the run time."""
        self._handle = _display(_md(self._header_text()), display_id=True)

    def add_data(self, line: str) -> None:
        self.data_lines.append(line)
        if self._handle is not None:
            self._handle.update(_md(self._header_text()))

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
        styled = df.style.set_caption(caption) if caption else df.style
        _display(styled)

    def say(self, text: str) -> None:
        _display(_md(text))

    def add_headline(self, metric: str, ours: str, ours_value: float | None, claim: str = "",
                     claim_value: float | None = None, verdict: str = "n/a", tolerance: str = "",
                     note: str = "") -> None:
        """One row of the index's reproduction table."""
        self.headline.append(dict(metric=metric, ours=ours, ours_value=ours_value, claim=claim,
                                  claim_value=claim_value, verdict=verdict, tolerance=tolerance, note=note))

    def finish(self, status: str = "ok", message: str = "") -> dict:
        """Write summary.json for the index and put the run time into the header."""
        finished = time.time()
        summary = {"study": self.study_key, "title": self.study.title, "page": self.study.page,
                   "profile": self.params["profile"], "status": status, "message": message,
                   "data": self.data_lines, "headline": self.headline, "notes": self.notes,
                   "seconds": round(finished - self.started, 1), "finished": _dt.datetime.now().isoformat()}
        io.write_json(self.output_dir / "summary.json", summary)
        if self._handle is not None:
            self._handle.update(_md(self._header_text(finished)))
        return summary


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
