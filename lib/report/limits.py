"""The "Limitations" section of a study page, built from what the notebook handed the page.

Every line comes from a fact of this run (the data lines, the warnings, the judged claims, the seeds
the runs used, the determinism setting, the test-set size), so a page cannot claim a limitation it
does not have, nor miss one of these.
"""
from __future__ import annotations

import math
import re

MIN_SEEDS = 3  # the verdict rule's minimum (lib.experiments.claims): fewer gives "indicative"


def limitations(page, finished: bool = True) -> list[str]:
    lines = (_data(page) + _warnings(page) + _claims(page.claim_rows) + _seeds(page)
             + _determinism(page.params, page.runtime) + _test_size(page.data_lines))
    if not finished:
        lines.append("The study had not finished when this list was written: it may be incomplete.")
    return lines


def _data(page) -> list[str]:
    if page.params.get("data_source") == "generated":
        return ["The images are generated stand-ins in the real file formats: the numbers check that the "
                "study runs and say nothing about the real datasets."]
    lines = []
    for line in page.data_lines:
        name = line.split(":", 1)[0].strip()
        if "NON-CANONICAL" not in line:
            continue
        rebuilt = re.search(r"[^.:]*\brebuilt\b[^.]*\.", line)
        how = rebuilt.group(0).strip() if rebuilt else "its files differ from the official release."
        lines.append(f"The {name} files are not the official release: {how} Absolute accuracies here may differ "
                     f"from those on the official files; the arms compared on this page all use the same images.")
    return lines


def _warnings(page) -> list[str]:
    """Each warning the page gave (fallbacks, skipped parts), by its first clause: the page says the rest."""
    return [f"{_first_clause(w)} (the warning on this page says more)." for w in page.warnings]


def _first_clause(text: str) -> str:
    text = " ".join(text.split())
    cut = text.find("; ")
    return (text[:cut] if cut > 0 else text).rstrip(". ")


def _claims(claims: list[dict]) -> list[str]:
    lines = []
    budget = [c for c in claims if c["verdict"].startswith("not tested at the seed's budget")]
    if budget:
        shares = sorted({m for c in budget for m in re.findall(r"\((\d+ ?%)\)", c["verdict"])},
                        key=lambda s: int(s.rstrip(" %")))
        shares = [s if s.rstrip(" %") != "0" else "under 1 %" for s in shares]
        lines.append(f"{len(budget)} of {len(claims)} claims were tested with less training than the seed used "
                     f"({', '.join(shares) or 'a fraction'} of its budget): they get no verdict, only our number "
                     f"beside the seed's.")
    na = [c for c in claims if c["verdict"] == "n/a"]
    if na:
        lines.append(f"{len(na)} of {len(claims)} claims could not be tested in this run (n/a; the claims table "
                     f"says why for each).")
    few = [c for c in claims if c["verdict"].startswith("indicative")]
    if few:
        lines.append(f"{len(few)} of {len(claims)} claims rest on fewer than {MIN_SEEDS} seeds: indicative only, "
                     f"with no verdict, interval or p-value.")
    return lines


def _seeds(page) -> list[str]:
    seeds = sorted(page.seeds_used) or list(page.params.get("seeds", []))
    n = len(seeds)
    if not n:
        return []
    if n < MIN_SEEDS:
        return [f"The runs used {n} seed{'s' if n != 1 else ''}: too few to separate an effect from "
                f"seed-to-seed variation, so this page gives no verdicts from them."]
    return [f"At most {n} seeds per arm: intervals over so few seeds are wide, and an effect smaller than "
            f"the seed-to-seed spread can go undetected."]


def _determinism(params: dict, runtime: dict) -> list[str]:
    deterministic = runtime.get("deterministic", params.get("deterministic"))
    if deterministic is None:
        return []
    if deterministic:
        return ["TensorFlow's operations ran bit-deterministic here; other hardware or library versions can "
                "still change the last digits."]
    return ["Runs are not bit-deterministic (TensorFlow's faster non-deterministic operations): re-rendering "
            "this page retrains to slightly different last digits."]


def _test_size(data_lines: list[str]) -> list[str]:
    """The sampling error of an accuracy on this many test images, at its largest (accuracy 50 %)."""
    sizes = [int(m.replace(",", "")) for line in data_lines
             for m in re.findall(r"([\d,]+) test\b|test ([\d,]+)", line) for m in m if m]
    if not sizes:
        return []
    n = min(sizes)
    se = 100 * math.sqrt(0.25 / n)
    return [f"Absolute accuracies are measured on {n:,} test images: sampling alone moves one by up to "
            f"±{se:.1f} points (one standard error; about ±{1.96 * se:.1f} for 95 %). Differences between arms "
            f"scored on the same images vary less."]


def completeness(page, failed: str = "") -> dict:
    """"complete" or "partial" with its reasons (as defined in lib.experiments.claims.STATUS)."""
    seeds = page.params.get("seeds") or []
    reasons = list(page.partial_reasons) + ([f"failed runs: {failed}"] if failed else [])
    if isinstance(seeds, list) and len(seeds) < MIN_SEEDS:
        reasons.append(f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''}, fewer than {MIN_SEEDS}: "
                       f"claims are indicative only")
    reasons += [w for w in page.warnings if w not in reasons and not w.startswith(("run failed", "Run failed"))]
    return {"status": "partial" if reasons else "complete", "reasons": reasons}
