"""Study 1, CIFAR-10 batch-norm ablation: the study's face, the one thing its notebook imports.

``recipe`` declares the seed's settings and the readings once, ``runs`` trains both CNNs (reference reading, other
readings, learning-rate sweep), ``claims`` holds seed 000's claims and judges them once, ``figures`` draws the
sections. Verdicts come from lib.experiments.claims.
"""
from __future__ import annotations

from .claims import BATCHNORM, claims
from .recipe import READINGS, REFERENCE
from .runs import BN, PLAIN, StudyData, StudyRuns, runs

KEY = "cifar10_batchnorm"
SECTIONS = ("results", "lr_sweep", "readings")


def data(P: dict, page) -> StudyData:
    """Load and split CIFAR-10 (or its generated stand-in), describe it on the page, then the recipe table (the
    seed's beside this run's) and the architecture table."""
    from ... import data as datasets
    from ..reporting import trained_on
    from . import figures, recipe
    from .runs import builders

    ds, generated = datasets.load_for_study("cifar10", P, page.output_dir)
    split = datasets.classification_split(ds, P["n_train"], P["n_test"], P["val_fraction"])
    page.add_data(datasets.describe_data(ds, split, generated))
    page.table(recipe.recipe(P, split, BATCHNORM), "recipe", caption="The seed's recipe and this run's")
    page.say(recipe.recipe_note(P))
    architecture, caption = figures.architecture_table(builders(P))
    page.table(architecture, "architecture", caption=caption)
    return StudyData(ds, split, generated, recipe.scope(split, generated, P), trained_on(ds, generated))


def report(page, runs: StudyRuns, P: dict, section: str) -> None:
    """One section of the page: "results" (tables and figures of the reference reading), "lr_sweep", "readings"
    (both CNNs under every reading run, beside the claims)."""
    from . import figures

    main, scope = runs.main, runs.data.scope
    if section == "results":
        figures.results(page, main, P, runs.data)
    elif section == "lr_sweep":
        figures.lr_sweep(page, runs.sweep, P, scope)
    elif section == "readings":
        figures.readings(page, main, runs.readings, scope)
    else:
        raise ValueError(f"Study 1 has no section {section!r}: choose from {', '.join(SECTIONS)}")


def golden(runs: StudyRuns, P: dict) -> dict:
    """The numbers nbval's golden check compares: mean test and validation accuracy per CNN, sweep runs."""
    import numpy as np

    main = runs.main
    return {**{f"{n.split()[0]}_{k}": float(np.mean(main.values(n, k))) for n in main.variants
               for k in ("test_accuracy", "val_accuracy")},
            "lr_sweep_runs": sum(len(v) for v in runs.sweep.values())}


__all__ = ["KEY", "SECTIONS", "data", "runs", "report", "claims", "golden",
           # the claim records and the declared readings, read by the verdict and parameter tests
           "BATCHNORM", "READINGS", "REFERENCE", "BN", "PLAIN", "StudyData", "StudyRuns"]
