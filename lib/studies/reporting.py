"""Shared by every study package: the recipe table's shape (each setting the seed's, a named reference's or ours) and what a study trained on."""
from __future__ import annotations

import re

import pandas as pd

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

SEED_COL, RUN_COL, SOURCE_COL = "the seed", "this run", "this run's setting is"
# A cited repository's revision, "github.com/owner/repo, commit abc1234", is written GitHub's way, owner/repo@abc1234:
# a page names one commit as its own ("from commit …"), and a reader checking that must not meet a second.
_CITED_REVISION = re.compile(r"github\.com/([\w.-]+/[\w.-]+), commit ([0-9a-f]{7,40})\b")


def cited(text: str) -> str:
    """``text`` with each cited repository revision as ``github.com/owner/repo@rev``."""
    return _CITED_REVISION.sub(r"github.com/\1@\2", text)


def source(matches: bool, reference: str = "", ours: str = "ours, this profile's", seed: bool = False) -> str:
    """Whose a setting is: the seed's (it stated it), the reference's (named) where the seed is silent, or ours."""
    if matches:
        return "the seed's" if seed else f"the reference's: {reference}"
    return f"{ours} (it departs from the {'seed' if seed else 'reference reading'})"


def runs_and_readings(P: dict, readings: dict, what: str = "network") -> list[tuple]:
    """The recipe rows every study with readings ends on: runs per model, the other declared readings run, and
    those declared but not run in this profile (so a reader sees every reading, not only the ones that ran)."""
    listed = list(P.get("readings") or [])
    run = [readings[k] for k in listed]
    left = [r for k, r in readings.items() if k not in listed]
    return [(f"runs per {what}", "one", f"{len(P['seeds'])} seeds", "ours: seeds make the test possible"),
            ("other readings run", "—", ", ".join(r.name for r in run) or "none",
             "; ".join(f"{r.name}: {r.source}" for r in run) or "—"),
            ("declared readings not run here", "—", "; ".join(r.name for r in left) or "none",
             "declared before the run; the `full` profile runs every declared reading" if left else "—")]


def recipe_table(rows: list[tuple], decides: dict[str, str]) -> pd.DataFrame:
    """One row per setting: what the seed states (or that it is silent), what this run used and whose that setting
    is (the seed's, a named reference's, or ours with the reason); then one row per arm naming the claims it
    decides (``decides``: arm -> claim keys). Every setting row says whose it is (four fields)."""
    unmarked = [r[0] for r in rows if len(r) != 4 or not r[3]]
    if unmarked:
        raise ValueError(f"recipe rows without their source (the seed's, a named reference's, or ours): {unmarked}")
    body = [(r[0], str(r[1]), str(r[2]), cited(str(r[3]))) for r in rows]
    body += [(f"decides: {arm}", "—", claims, "—") for arm, claims in decides.items()]
    return pd.DataFrame(body, columns=["setting", SEED_COL, RUN_COL, SOURCE_COL]).set_index("setting")


def trained_on(ds, generated: bool) -> str:
    """What a study's runs trained on, as a claim's dataset gate reads it."""
    return "generated stand-in data" if generated else ds.provenance.dataset
