"""Shared by the Study 1-3 pages: the seed's recipe beside this run's (and which decides each claim), run bookkeeping."""
from __future__ import annotations

import pandas as pd

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

SEED_COL, RUN_COL = "the seed", "this run"


def silent(keras_default) -> str:
    """How the table says that the seed did not state a setting and the Keras default stands in."""
    return f"not stated; Keras default {keras_default}"


def recipe_table(rows: list[tuple[str, str, object]], decides: dict[str, str]) -> pd.DataFrame:
    """One row per setting: what the seed states (or that it is silent and which default stands in) and what
    this run used; then one row per arm naming the claims it decides (``decides``: arm -> claim keys)."""
    body = [(setting, str(seed), str(ours)) for setting, seed, ours in rows]
    body += [(f"decides: {arm}", "—", claims) for arm, claims in decides.items()]
    return pd.DataFrame(body, columns=["setting", SEED_COL, RUN_COL]).set_index("setting")



def record(page, runs, what: str = "run") -> None:
    """Hand the runs to the page (duck-typed: ``record_runs`` and ``warn``), warn per failed run, and stop when
    none finished."""
    page.record_runs(runs)
    for r in runs.failed():
        page.warn(f"{what} failed: {r.message}")
    runs.raise_if_all_failed()


def finish(page, runs) -> dict:
    """The page's closing call: "partial" with every failed run's reason when any failed."""
    return page.finish(status="ok" if not runs.failed() else "partial",
                       message="; ".join(r.message for r in runs.failed()))


def trained_on(ds, generated: bool) -> str:
    """What a study's runs trained on, as a claim's dataset gate reads it."""
    return "generated stand-in data" if generated else ds.provenance.dataset
