"""The closing summaries of ``make report``, and ``make check``: plain text to print.

The report's summary reads the same ``summary.json`` files and run outcomes the index
page is built from, so the two agree. Both the current summary keys (``compute_seconds``,
``cache``, ``finding``, ``claims``) and the earlier ones (``seconds``, ``headline``) are read.
"""
from __future__ import annotations

from .eta import duration, estimate_error
from ..studies.registry import RUN_KEYS


def _cache_text(summary: dict, counted: tuple[int, int] | None) -> str:
    cache = summary.get("cache")
    reused, trained = ((cache.get("reused", 0), cache.get("trained", 0)) if isinstance(cache, dict)
                       else counted or (None, None))
    if reused is None:
        return "cache: not reported"
    if reused and not trained:
        return f"all {reused} runs from the cache"
    if not reused:
        return f"{trained} runs trained"
    return f"{reused} runs from the cache, {trained} trained"


def _claims(summary: dict) -> list[tuple[str, str]]:
    """(line, scope) per headline number: the current ``claims`` or the earlier ``headline``."""
    if summary.get("claims"):
        return [(f"{c.get('claim', '?')}: ours {c.get('ours', '?')}, seed {c.get('seed_value') or '—'}"
                 f" -> {c.get('verdict') or 'n/a'}" + _tested(c), c.get("scope") or "") for c in summary["claims"]]
    return [(f"{h.get('metric', '?')}: ours {h.get('ours', '?')}, seed {h.get('claim') or '—'}"
             f" -> {h.get('verdict') or 'n/a'}", h.get("note") or "") for h in summary.get("headline") or []]


def _tested(claim: dict) -> str:
    """' [Welch t, Holm-adjusted p 0.012 (raw 0.004)]' where the verdict came from a test."""
    p = claim.get("p_holm_text")
    return f" [{claim.get('test')}, Holm-adjusted p {p}]" if p and p != "—" and claim.get("test") else ""


def _claim_lines(summary: dict) -> list[str]:
    claims = _claims(summary)
    scopes = {scope for _, scope in claims}
    if len(scopes) == 1:  # one scope for the whole study (the usual case): say it once
        shared = scopes.pop()
        return [f"- {line}" for line, _ in claims] + ([f"  scope: {shared}"] if shared else [])
    return [f"- {line}" + (f" [{scope}]" if scope else "") for line, scope in claims]


def _clock(seconds: float) -> str:
    """``0:45``, ``12:03``, ``1:02:03``: a moment of the run, counted from its start."""
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def estimate_text(first: tuple[float, float] | None, actual_seconds: float) -> str:
    """``first estimate 58 min at 0:45, actual 1 h 03 min (−8 %)``: the first whole-report estimate (given at
    that moment of the run) against the time the report took."""
    error = estimate_error(first, actual_seconds)
    if error is None:
        return "time estimate: none was made (no epoch measured, and no earlier build timed every study)"
    percent = round(error * 100)
    signed = f"−{-percent}" if percent < 0 else f"+{percent}" if percent > 0 else "0"
    return (f"time estimate: first estimate {duration(first[1])} at {_clock(first[0])}, "
            f"actual {duration(actual_seconds)} ({signed} %)")


def report_summary(profile: str, rows: list[dict], index_path, wall_seconds: float,
                   estimate: str | None = None) -> str:
    """``rows``: per study run now, {"number", "key", "title", "status", "error", "summary", "cache", "log"};
    ``summary`` is the study's summary.json (None when it has none), ``cache`` the counts its output printed;
    ``estimate`` the :func:`estimate_text` line."""
    failed = [r for r in rows if r["status"] != "ok"]
    out = [f"Report {profile}: {len(rows) - len(failed)} of {len(rows)} studies ok in {duration(wall_seconds)}"]
    if estimate:
        out.append(f"  {estimate}")
    for r in rows:
        s = r.get("summary") or {}
        head = f"  {r['number']}. {r.get('title') or s.get('title') or r['key']}: {r['status']}"
        if r["status"] == "ok":
            if isinstance(s.get("compute_seconds"), (int, float)):
                took = f"compute {duration(s['compute_seconds'])}"
            elif isinstance(s.get("seconds"), (int, float)):
                took = f"run time {duration(s['seconds'])}"
            else:
                took = "compute time not reported"
            out.append(f"{head}, {took}, {_cache_text(s, r.get('cache'))}")
            if s.get("finding"):
                out.append(f"       {s['finding']}")
            out += [f"       {line}" for line in _claim_lines(s)]
        else:
            out.append(f"{head}: {r.get('error', '')}")
            if r.get("log"):
                out.append(f"       log: {r['log']}")
    out.append(f"Index: {index_path}")
    return "\n".join(out)


def check_summary(profile: str, studies: list, planned: dict[str, dict],
                  datasets: dict[str, list[str]] | None = None) -> str:
    """What ``make check`` validated: per study its parameter file and its data.

    ``planned`` is what :func:`lib.report.pipeline.plan` returns; ``datasets`` optionally maps a
    study key to lines saying where each dataset will be read from.
    """
    out = [f"Checked profile {profile}: {len(studies)} studies, parameters valid, data checked"]
    for study in studies:
        params = planned.get(study.key, {})
        data = (datasets or {}).get(study.key)
        if not data:
            data = _planned_data(study, params)
        seeds = params.get("seeds")
        extra = f", seeds {seeds}" if seeds is not None else ""
        defaults = study.defaults()
        changed = sum(1 for k, v in params.items() if k not in RUN_KEYS and k in defaults and v != defaults[k])
        out.append(f"  {study.number}. {study.key}: params/{profile}/{study.key}.yaml valid "
                   f"({len(params)} parameters, {changed} changed from the defaults{extra}); "
                   f"data: {'; '.join(data) or 'none needed'}")
    return "\n".join(out)


def _planned_data(study, params: dict) -> list[str]:
    if params.get("data_source") == "generated":  # plan() gives every parameter, data_source included
        return ["generated stand-in data"]
    if study.datasets:  # plan() loaded and checked each of these or it would have raised
        return [f"{name}: checked" for name in study.datasets]
    if params.get("dataset"):
        fallback = f", fallback {params['fallback_dataset']}" if params.get("fallback_dataset") else ""
        return [f"{params['dataset']}: checked{fallback}"]
    return []
