"""Study 2, Fashion-MNIST CNN regularisation: does dropout with early stopping improve on the seed's initial CNN?
The study's face, the only names its notebook uses: data, runs, report, claims, golden.

recipe.py    the arms, the seed's numbers (seed 002) and settings, the reference reading and the seed-state reading
runs.py      the devices and the two trained networks per seed, through the run cache and the executor
readings.py  the 2 × 2 (early stopping applied afterwards) and the seed-state reading, from the recorded epochs
claims.py    the seed's claims and their evidence, judged once as the study's family
figures.py   the recipe and architecture tables, the results section, the reading's sentence and table
data.py      loading and splitting, and the page's scope
"""
from __future__ import annotations

# The submodules are loaded before the functions below take their names (data, runs, claims), so that a later
# `from .runs import …` finds them loaded and leaves these functions in place.
from . import claims as _claims, data as _data, figures as _figures, runs as _runs
# Names tests and the registry's cross-checks read (the notebook uses none of them).
from .claims import REGULARISATION
from .readings import kept_epoch
from .recipe import BASE, BASE_ES, DROPOUT, READINGS, REG, SEED_REPORTED, TRAINED

# Orchestration only: editing this module re-renders pages from the run cache, it never retrains (what each run
# trains is said in runs.py).
CACHE_NEUTRAL = True

KEY = "fashion_regularisation"
SECTIONS = ("results", "readings")


def data(P: dict, page) -> _data.StudyData:
    """The devices the networks train on (their replicas reach the header), the data loaded and split (its line in
    the header), and the models and settings: the seed's recipe beside this run's, the architecture, the 2 × 2."""
    devices = _runs.devices(P)
    page.runtime["replicas"] = devices.replicas
    loaded = _data.load(P, page.output_dir, devices)
    from ...data import describe_data

    page.add_data(describe_data(loaded.ds, loaded.split, loaded.generated))
    _figures.settings(page, P, loaded)
    return loaded


def runs(P: dict, data: _data.StudyData, cache) -> _runs.StudyRuns:
    """Every run: both networks for every seed through the cache and the executor; the 2 × 2 and the declared
    readings read from their recorded epochs."""
    return _runs.run(P, data, cache)


def report(page, runs: _runs.StudyRuns, P: dict, section: str) -> None:
    """One section of the page: "results" (the 2 × 2, curves, confusion matrices, per-seed accuracy) or "readings"
    (each other declared reading's sentence and 2 × 2, before the claims)."""
    sections = {"results": _figures.results, "readings": _figures.readings}
    if section not in sections:
        raise ValueError(f"{KEY} has no section {section!r}: choose from {', '.join(SECTIONS)}")
    sections[section](page, runs, P)


def claims(runs: _runs.StudyRuns, P: dict):
    """The seed's claims judged once as the study's Holm family, with the notes and the finding."""
    return _claims.family(runs, P)


def golden(runs: _runs.StudyRuns, P: dict) -> dict:
    """The numbers nbval's golden check compares: mean held-out and validation accuracy per arm of the 2 × 2."""
    arms = runs.arms
    return {f"{n}_{k}": sum(arms.values(n, k)) / len(arms.values(n, k)) for n in arms.variants
            for k in ("held_out_accuracy", "val_accuracy")}
