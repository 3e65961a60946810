"""The report's index page: every study's status and the reproduction table."""
from __future__ import annotations

import datetime as _dt
import html
from pathlib import Path

from . import io
from .studies import STUDIES

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:.4em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.ok{color:#176f2c}.failed{color:#b00020;font-weight:bold}.missing{color:#777}
.beaten,.reproduced{color:#176f2c}.not-reproduced{color:#b00020}small{color:#555}
"""


def _verdict_class(v: str) -> str:
    return v.replace(" ", "-") if v in ("beaten", "reproduced", "not reproduced") else ""


def build_index(profile: str, build_dir: Path, reports_dir: Path, outcomes: dict[str, dict]) -> Path:
    """Write ``reports_dir/index.html`` from the studies' summaries and run outcomes.

    ``outcomes`` maps study key -> {"status": "ok"|"failed"|"not run", "error": str}.
    A summary is trusted only if its run succeeded in this invocation or,
    for studies not run now, if it exists from an earlier complete run.
    """
    esc = html.escape
    rows, repro = [], []
    for key, study in STUDIES.items():
        outcome = outcomes.get(key, {"status": "not run"})
        summary_path = build_dir / key / "summary.json"
        try:
            summary = io.read_json(summary_path) if summary_path.is_file() else None
        except ValueError:  # unreadable: never trusted
            summary = None
        page_exists = (reports_dir / study.page).is_file()
        status = outcome["status"]
        if status == "not run" and summary is not None and page_exists:
            status = f"ok (earlier run, {summary.get('finished', '?')[:16]})"
        link = f'<a href="{esc(study.page)}">{esc(study.title)}</a>' if page_exists else esc(study.title)
        css = "failed" if status == "failed" else ("ok" if status.startswith("ok") else "missing")
        detail = esc(outcome.get("error", "")) if status == "failed" else (
            esc("; ".join(summary.get("data", []))) if summary else "")
        took = f"{summary['seconds'] / 60:.1f} min" if summary and status.startswith("ok") else ""
        rows.append(f'<tr><td>{link}</td><td class="{css}">{esc(status)}</td><td>{took}</td>'
                    f"<td><small>{detail}</small></td></tr>")
        if summary and status != "failed":
            for h in summary.get("headline", []):
                repro.append(f"<tr><td>{esc(study.title)}</td><td>{esc(h['metric'])}</td><td>{esc(h['ours'])}</td>"
                             f"<td>{esc(h.get('claim') or '—')}</td>"
                             f"<td class=\"{_verdict_class(h.get('verdict', ''))}\">{esc(h.get('verdict', 'n/a'))}</td>"
                             f"<td>{esc(h.get('tolerance', ''))}</td><td><small>{esc(h.get('note', ''))}</small></td></tr>")
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Small-image CNN and GAN studies: {esc(profile)} report</title><style>{_CSS}</style></head><body>
<h1>CNNs and GANs on small-image benchmarks</h1>
<p>Profile <code>{esc(profile)}</code>, index written {now}. Each page states its data source,
profile, library versions, hardware and seeds at the top. Numbers from a subset, fewer epochs or
generated stand-in data say so in their <em>scope</em> column.</p>
<h2>Studies</h2>
<table><tr><th>study</th><th>status</th><th>run time</th><th>data</th></tr>
{''.join(rows)}</table>
<h2>Reproduction table</h2>
<p>The seeds' claims beside our measurements. Verdicts are computed from the numbers:
<em>reproduced</em> (within the tolerance), <em>beaten</em> (better by more than it),
<em>not reproduced</em> (worse by more than it); <em>n/a</em> where the seed gave no number.</p>
<table><tr><th>study</th><th>metric</th><th>ours</th><th>seed's claim</th><th>verdict</th><th>tolerance</th><th>scope</th></tr>
{''.join(repro) or '<tr><td colspan="7">no finished study yet</td></tr>'}</table>
</body></html>
"""
    return io.write_text(reports_dir / "index.html", page)
