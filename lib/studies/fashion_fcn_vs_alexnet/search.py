"""The FCN grid (optimiser x initialiser x regularisation x normalisation) and how the search ranks it.

``expand_grid`` turns the four lists (study parameters) into configurations; ``ranked``/``select_best`` order them
on validation numbers alone, so the test set never takes part in the choice. No training here (runs.py trains).
"""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import pandas as pd

from ...errors import ParamError
from ...models.dense import NORMALIZATIONS, REGULARIZATIONS
from ...params import unknown_name_error
from .recipe import OPTIMIZERS, SEED_BEST

INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal")
FACTORS = ("optimizer", "initializer", "regularization", "normalization")


@dataclass(frozen=True)
class GridConfig:
    optimizer: str
    initializer: str
    regularization: str
    normalization: str

    @property
    def name(self) -> str:
        return " / ".join(getattr(self, f) for f in FACTORS)

    def as_dict(self) -> dict:
        return asdict(self)

    def model_kwargs(self) -> dict:
        """Arguments for ``build_fcn`` / ``build_dnn``."""
        return {"initializer": self.initializer, "regularization": self.regularization,
                "normalization": self.normalization}

    def train_kwargs(self) -> dict:
        """Fields of the run's ``TrainConfig``: optimiser class, learning rate and options."""
        opt = OPTIMIZERS[self.optimizer]
        return {"optimizer": opt["optimizer"], "learning_rate": opt["learning_rate"],
                "optimizer_options": dict(opt["optimizer_options"])}


_VALID = {"optimizer": tuple(OPTIMIZERS), "initializer": INITIALIZERS,
          "regularization": REGULARIZATIONS, "normalization": NORMALIZATIONS}
_PARAM = {"optimizer": "grid_optimizers", "initializer": "grid_initializers",
          "regularization": "grid_regularizations", "normalization": "grid_normalizations"}


def check_grid(optimizers, initializers, regularizations, normalizations) -> None:
    """One-line ParamError for an unknown or repeated grid value, before anything trains."""
    for factor, values in zip(FACTORS, (optimizers, initializers, regularizations, normalizations)):
        if not values:
            raise ParamError(f"parameter {_PARAM[factor]} must list at least one value")
        for v in values:
            if v not in _VALID[factor]:
                raise ParamError(f"parameter {_PARAM[factor]}: "
                                 f"{unknown_name_error(factor, v, _VALID[factor])}")
        if len(set(values)) != len(values):
            raise ParamError(f"parameter {_PARAM[factor]} lists a value twice: {list(values)}")


def expand_grid(optimizers, initializers, regularizations, normalizations) -> list[GridConfig]:
    """Every combination (full factorial), optimiser varying slowest."""
    check_grid(optimizers, initializers, regularizations, normalizations)
    return [GridConfig(*combo) for combo in itertools.product(optimizers, initializers, regularizations,
                                                                normalizations)]


def grid_of(P: dict) -> list[GridConfig]:
    """The grid the study's parameters list."""
    return expand_grid(*(P[_PARAM[f]] for f in FACTORS))


def select_best(configs: list[GridConfig], val_accuracy: list[float], val_loss: list[float]) -> GridConfig:
    """Highest validation accuracy; ties go to the lower validation loss, then to grid order.

    Only validation numbers come in: the choice cannot depend on the test set.
    Runs that diverged carry NaN and are never chosen.
    """
    if not (len(configs) == len(val_accuracy) == len(val_loss)) or not configs:
        raise ValueError("select_best needs one validation accuracy and loss per configuration")
    ranked_ = [(-a, l, i) for i, (a, l) in enumerate(zip(val_accuracy, val_loss)) if a == a and l == l]
    if not ranked_:
        raise ParamError("every grid configuration diverged; lower the learning rates or check the data")
    return configs[min(ranked_)[2]]


def ranked(configs: list[GridConfig], table: pd.DataFrame) -> list[GridConfig]:
    """The configurations best first: validation accuracy, then lower validation loss, then grid order;
    diverged runs (NaN) last. Only validation numbers come in."""
    nan_last = [(not (a == a and l == l), -a if a == a else 0.0, l if l == l else 0.0, i)
                for i, (a, l) in enumerate(zip(table["val_accuracy"], table["val_loss"]))]
    return [configs[i] for *_, i in sorted(nan_last)]


def seed_setting(order: list[GridConfig]) -> GridConfig | None:
    """The best-ranked configuration with the seed's optimiser, initialiser and normalisation (any regularisation)."""
    return next((c for c in order if all(getattr(c, k) == v for k, v in SEED_BEST.items())), None)


def survivors(order: list[GridConfig]) -> list[GridConfig]:
    """The better half of a rung (at least two), and the seed's setting, which is always carried on so that its
    claim is judged at the seed's budget."""
    keep = order[:max(2, -(-len(order) // 2))]
    seed = seed_setting(order)
    return keep + ([seed] if seed is not None and seed not in keep else [])


@dataclass
class Halving:
    """A successive-halving search: every rung's results, the configuration it chose and the other finalist."""
    table: pd.DataFrame
    chosen: GridConfig
    rival: GridConfig | None
    order: list


def finalists(order: list[GridConfig]) -> tuple[GridConfig, GridConfig | None]:
    """The last rung's best, and the other finalist: the seed's setting, or the runner-up where it was chosen."""
    seed = seed_setting(order)
    rival = seed if seed is not None and seed != order[0] else (order[1] if len(order) > 1 else None)
    return order[0], rival


def binomial_se(accuracy: float, n: int) -> float:
    """Standard error of an accuracy measured on ``n`` images (seed-free sampling noise alone)."""
    return float((accuracy * (1 - accuracy) / max(1, n)) ** 0.5)


def selection_margin(configs: list[GridConfig], val_accuracy: list[float], n_val: int) -> dict:
    """How far the chosen configuration leads, against the validation set's own sampling noise.

    ``within_noise`` lists the configurations less than two standard errors of a validation accuracy
    (at the best's level, on ``n_val`` images) below the best: the data cannot rank those apart.
    """
    order = sorted((a, i) for i, a in enumerate(val_accuracy) if a == a)[::-1]
    best_acc, best_i = order[0]
    se = binomial_se(best_acc, n_val)
    runner_up = order[1][0] if len(order) > 1 else float("nan")
    within = [configs[i] for a, i in order[1:] if best_acc - a < 2 * se]
    return {"best": configs[best_i], "best_accuracy": best_acc, "margin": best_acc - runner_up, "se": se,
            "within_noise": within}


def last_rung_margin(h: Halving, n_val: int) -> dict:
    """:func:`selection_margin` over the configurations of the search's last rung."""
    last = h.table[h.table["rung"] == h.table["rung"].max()]
    configs = [GridConfig(*(row[f] for f in FACTORS)) for _, row in last.iterrows()]
    return selection_margin(configs, list(last["val_accuracy"]), n_val)


def seed_setting_within_noise(configs: list[GridConfig], val_accuracy: list[float],
                              n_val: int) -> tuple[bool | None, str]:
    """Is the seed's best setting (any regularisation) within two standard errors of our best?

    Returns (None, reason) when the grid does not contain that setting.
    """
    matching = [(a, c) for c, a in zip(configs, val_accuracy)
                if all(getattr(c, k) == v for k, v in SEED_BEST.items()) and a == a]
    if not matching:
        return None, "this profile's grid does not include " + " / ".join(SEED_BEST.values())
    m = selection_margin(configs, val_accuracy, n_val)
    acc, cfg = max(matching, key=lambda t: t[0])
    rank = 1 + sum(1 for a in val_accuracy if a == a and a > acc)
    gap = m["best_accuracy"] - acc
    return gap < 2 * m["se"], (f"{cfg.name} ranks {rank} of {len(configs)}, {gap * 100:.2f} points below the best "
                              f"({m['best'].name}); two standard errors of a validation accuracy are "
                              f"{2 * m['se'] * 100:.2f} points")
