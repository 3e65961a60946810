"""Study 3, Fashion-MNIST FCN grid searched by successive halving vs an AlexNet-style CNN: the study's face.

``data`` loads and splits the data and shows the recipe and the models, ``runs`` trains everything (the search on
validation data only, then the final models over seeds and readings), ``report`` draws one section, ``claims``
judges the seed's claims once, ``golden`` is the smoke profile's check. Nothing else is imported by the notebook.
"""
from __future__ import annotations

from .claims import FCN_VS_ALEXNET, max_test_accuracy
from .data import StudyData
from .recipe import OPTIMIZERS, READINGS, REFERENCE
from .runs import ALEXNET, FCN, RIVAL, StudyRuns
from .search import _PARAM, _VALID, FACTORS, INITIALIZERS, GridConfig

KEY = "fashion_fcn_vs_alexnet"
SECTIONS = ("search", "results")

__all__ = ["KEY", "SECTIONS", "data", "runs", "report", "claims", "golden", "FCN_VS_ALEXNET", "READINGS",
           "REFERENCE", "OPTIMIZERS", "INITIALIZERS", "FACTORS", "GridConfig", "FCN", "RIVAL", "ALEXNET",
           "max_test_accuracy", "StudyData", "StudyRuns", "_VALID", "_PARAM"]


def data(P: dict, page) -> StudyData:
    """Load and split Fashion-MNIST (and the search's subset), state it on the page, then the recipe and models."""
    from ... import data as datasets
    from . import figures
    from .data import load

    d = load(P, page.output_dir)
    page.add_data(datasets.describe_data(d.ds, d.split, d.generated))
    figures.report_models(page, P, d, [c.key for c in FCN_VS_ALEXNET])
    return d


def runs(P: dict, data: StudyData, cache) -> StudyRuns:
    """Every training run: the successive-halving search, the final models, each other declared reading's."""
    from .runs import run_all

    return run_all(P, data, cache)


def report(page, runs: StudyRuns, P: dict, section: str) -> None:
    """One section of the page: "search" (the search's tables and choice) or "results" (the final models)."""
    from . import figures

    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}; {KEY} has {', '.join(SECTIONS)}")
    if section == "search":
        figures.report_search(page, runs)
    else:
        figures.report_results(page, runs, P)


def claims(runs: StudyRuns, P: dict):
    """The seed's claims under the reference reading, judged once, each other reading run beside."""
    from .claims import family

    d = runs.data
    return family(runs.final, P, runs.halving, d.split.y_test, d.dataset, d.scope, runs.readings)


def golden(runs: StudyRuns, P: dict) -> dict:
    """The numbers nbval's golden check compares."""
    final = runs.final
    return {**{f"{n.split()[0].rstrip(',')}{'_rival' if n == RIVAL else ''}_test_accuracy":
               final.values(n, "test_accuracy")[0] for n in final.variants if final.ok(n)},
            "grid_configs": len(runs.data.configs), "grid_best_val_accuracy": runs.margin["best_accuracy"]}
