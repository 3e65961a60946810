"""The report's index page: findings, the reproduction table and data provenance.

Rendered from ``templates/index.html.j2`` with Jinja2 (it ships with nbconvert).
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import jinja2

from .. import io
from ..experiments.claims import BUDGET_NOTE, RULE, STATUS, VERDICTS, tally
from ..studies.registry import STUDIES

TEMPLATES = Path(__file__).resolve().parent / "templates"


# A claim row as StudyReport.claim writes it; a summary from an older run may lack some fields.
CLAIM_FIELDS = {"claim": "", "seed": "", "metric": "", "seed_value": "", "ours": "", "verdict": "not tested here",
                "detail": "", "scope": "", "addition": False, "test": "", "p_holm_text": "", "short_budget": "",
                "seed_check": "", "fragility": "", "half": "", "readings": ""}


# A study's failure as the terminal shows it is "<exception class>: <message>". Our own errors' messages are
# written for the reader (what is wrong and the fix); anything else is a fault in code, whose class and text
# belong in the study log, not on the index.
READER_ERRORS = ("ProjectError", "DataError", "ParamError", "OutputError", "TrainingDiverged")


def failure_words(error: str) -> str:
    """The index's words for a failed study, from its terminal line: never an exception class or its text."""
    name, sep, message = error.partition(": ")
    if not sep or " " in name:           # no class in front: already words
        return error or "failed"
    if name in READER_ERRORS:
        return message
    if name == "DeadKernelError":
        return "the study's Python process stopped (often: out of memory); its log says more"
    return "the study stopped on an error in the code, not in its input; its log has the details"


def verdict_css(word: str) -> str:
    kind = word.split(" (")[0]
    return {"not tested here": "not-tested", "direction reproduced, size not established": "inconclusive",
            "consistent with the seed's run": "inconclusive", "differs from the seed's run": "not-reproduced"}.get(kind, kind.replace(" ", "-").replace("/", ""))


# The type of each field StudyReport.finish writes; a summary with another shape (another program's
# JSON, a hand edit) is not trusted, as one that does not parse is not.
SUMMARY_TYPES = {"study": str, "title": str, "page": str, "profile": str, "status": str, "message": str,
                 "data": list, "finding": str, "claims": list, "warnings": list, "compute_seconds": (int, float),
                 "seconds": (int, float), "render_seconds": (int, float), "cache": dict, "commit": str,
                 "finished": str}


def _read_summary(path: Path) -> dict | None:
    try:
        summary = io.read_json(path) if path.is_file() else None
    except (OSError, ValueError):  # unreadable: never trusted
        return None
    if summary is None or not _summary_shape_ok(summary):
        return None
    return summary


def _summary_shape_ok(summary) -> bool:
    if not isinstance(summary, dict):
        return False
    if any(k in summary and (not isinstance(summary[k], t) or isinstance(summary[k], bool))
           for k, t in SUMMARY_TYPES.items()):
        return False
    cache = summary.get("cache", {})
    return (all(isinstance(line, str) for line in summary.get("data", []))
            and all(isinstance(c, dict) and isinstance(c.get("verdict", ""), str) for c in summary.get("claims", []))
            and all(isinstance(cache.get(k, 0), int) for k in ("reused", "trained")))


def _minutes(summary: dict) -> str:
    seconds = summary.get("compute_seconds", summary.get("seconds"))
    if seconds is None:
        return ""
    cache = summary.get("cache") or {}
    reused = f", {cache['reused']} of {cache['reused'] + cache['trained']} runs from the cache" \
        if cache.get("reused") else ""
    return f"{seconds / 60:.1f} min{reused}"


def study_rows(build_dir: Path, reports_dir: Path, outcomes: dict[str, dict]) -> tuple[list[dict], list[dict]]:
    """One row per study and the claim rows of the studies whose latest run finished.

    A study whose latest run failed shows the failure; its earlier numbers appear only marked
    as from the earlier run, never as this run's, and its claims are left out of the table.
    """
    rows, claims = [], []
    for key, study in STUDIES.items():
        outcome = outcomes.get(key, {"status": "not run"})
        summary = _read_summary(build_dir / key / "summary.json")
        page_exists = (reports_dir / study.page).is_file()
        status, error = outcome["status"], outcome.get("error", "")
        row = {"key": key, "title": (summary or {}).get("title", study.title), "page": study.page,
               "page_exists": page_exists, "error": "", "finding": "", "compute": "", "stale_finding": ""}
        if status == "failed":
            row.update(status="failed", css="failed", error=failure_words(error))
            if summary:  # written by an earlier, successful run
                row.update(stale_finding=summary.get("finding", ""), stale_when=summary.get("finished", "?")[:16])
        elif summary is None or not page_exists:
            row.update(status="not run", css="missing")
        else:
            earlier = status == "not run"
            done = summary.get("completeness") or {"status": summary.get("status", "ok"), "reasons": []}
            word = done["status"] + (": " + "; ".join(done["reasons"]) if done.get("reasons") else "")
            row.update(status=(word + " (earlier run, " + summary.get("finished", "?")[:16] + ")") if earlier
                       else word, css="ok" if done["status"] in ("complete", "ok") else "partial",
                       finding=summary.get("finding", ""), compute=_minutes(summary), commit=summary.get("commit", ""),
                       compute_seconds=float(summary.get("compute_seconds") or summary.get("seconds") or 0.0))
            for c in summary.get("claims", []):
                claims.append({**CLAIM_FIELDS, **c, "study": f"Study {study.number}",
                               "css": verdict_css(c.get("verdict", ""))})
        rows.append(row)
    return rows, claims


def provenance_lines(build_dir: Path) -> list[str]:
    """One line per dataset: where it came from and whether it is the official release."""
    seen: dict[str, str] = {}
    for key in STUDIES:
        summary = _read_summary(build_dir / key / "summary.json") or {}
        for line in summary.get("data", []):
            name, _, rest = line.partition(":")
            text = line.split(" Used:")[0]
            seen.setdefault(name.strip("* "), text)
    return list(seen.values())


def build_index(profile: str, build_dir: Path, reports_dir: Path, outcomes: dict[str, dict]) -> Path:
    """Write ``reports_dir/index.html`` from the studies' summaries and this invocation's outcomes."""
    rows, claims = study_rows(build_dir, reports_dir, outcomes)
    commits = sorted({r["commit"] for r in rows if r.get("commit")})
    spent = sum(r.get("compute_seconds", 0.0) for r in rows)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    page = env.get_template("index.html.j2").render(
        profile=profile, written=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"), studies=rows, claims=claims,
        legend=VERDICTS, budget_note=BUDGET_NOTE, rule=RULE, status_legend=STATUS, tally=tally(claims),
        compute=f"{spent / 60:.1f} min", provenance=provenance_lines(build_dir), commits=commits)
    return io.write_text(reports_dir / "index.html", page)
