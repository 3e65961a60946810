"""Study 3, Fashion-MNIST FCN grid vs an AlexNet-style CNN: the FCN grid and the seed's claims.

The grid is optimiser x initialiser x regularisation x normalisation.

``expand_grid`` turns the four lists (study parameters) into configurations;
``select_best`` picks one from validation numbers alone, so the test set
never takes part in the choice.
"""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import pandas as pd

from ..errors import ParamError
from ..experiments.claims import Claim
from ..models.dense import NORMALIZATIONS, REGULARIZATIONS
from ..params import unknown_name_error

# Keras's default learning rates for each optimiser; momentum 0.9 is the usual choice.
OPTIMIZERS: dict[str, dict] = {
    "sgd": {"optimizer": "SGD", "learning_rate": 0.01, "optimizer_options": {}},
    "sgd_momentum": {"optimizer": "SGD", "learning_rate": 0.01, "optimizer_options": {"momentum": 0.9}},
    "rmsprop": {"optimizer": "RMSprop", "learning_rate": 0.001, "optimizer_options": {}},
    "adam": {"optimizer": "Adam", "learning_rate": 0.001, "optimizer_options": {}},
}
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
        """Arguments for ``train_classifier``: optimiser class, learning rate and options."""
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


def select_best(configs: list[GridConfig], val_accuracy: list[float], val_loss: list[float]) -> GridConfig:
    """Highest validation accuracy; ties go to the lower validation loss, then to grid order.

    Only validation numbers come in: the choice cannot depend on the test set.
    Runs that diverged carry NaN and are never chosen.
    """
    if not (len(configs) == len(val_accuracy) == len(val_loss)) or not configs:
        raise ValueError("select_best needs one validation accuracy and loss per configuration")
    ranked = [(-a, l, i) for i, (a, l) in enumerate(zip(val_accuracy, val_loss)) if a == a and l == l]
    if not ranked:
        raise ParamError("every grid configuration diverged; lower the learning rates or check the data")
    return configs[min(ranked)[2]]


def heatmap_frame(table: pd.DataFrame, value: str = "val_accuracy", rows: str = "optimizer") -> pd.DataFrame:
    """Pivot a grid result table (one row per configuration) to ``rows`` x the other factors."""
    cols = [f for f in FACTORS if f != rows]
    label = table[cols].astype(str).agg(" / ".join, axis=1)
    frame = table.assign(_col=label).pivot(index=rows, columns="_col", values=value)
    frame = frame.reindex(index=list(dict.fromkeys(table[rows])), columns=list(dict.fromkeys(label)))
    frame.columns.name = " / ".join(cols)
    return frame


def training_subset(split, n: int | None, seed: int = 0):
    """The same split with a stratified subset of ``n`` training images (validation and test unchanged)."""
    from ..data.splits import Split, stratified_indices

    if not n or n >= len(split.y_train):
        return split
    idx = stratified_indices(split.y_train, n, seed)
    return Split(split.x_train[idx], split.y_train[idx], split.x_val, split.y_val, split.x_test, split.y_test)


# The seed's reported best FCN setting ("Adam, Kaiming uniform initialisation and batch norm").
SEED_BEST = {"optimizer": "adam", "initializer": "he_uniform", "normalization": "batchnorm"}


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


def seed_setting_within_noise(configs: list[GridConfig], val_accuracy: list[float], n_val: int) -> tuple[bool | None, str]:
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


# Seed 004's claims, quoted briefly; each is tested as it was stated.
FCN, ALEXNET = "FCN", "AlexNet-style CNN"
FCN_VS_ALEXNET = [
    Claim("s3.fcn", "004", "FCN: at best 88.46 % test accuracy in 50 epochs", "test accuracy", seed_value=0.8846,
          tolerance=0.005, measure="test_accuracy", variant=FCN, seed_budget=50),
    Claim("s3.alexnet", "004", "AlexNet-style CNN: 93.14 % test accuracy in 10 epochs", "test accuracy",
          seed_value=0.9314, tolerance=0.005, measure="test_accuracy", variant=ALEXNET, seed_budget=10),
    Claim("s3.alexnet_better", "004", "AlexNet gives significantly better classification than the FCN",
          "test accuracy, AlexNet-style − FCN", kind="improves", measure="test_accuracy", variant=ALEXNET,
          baseline=FCN),
    Claim("s3.best_config", "004", "Adam + Kaiming uniform + batch norm proved the most effective FCN setting",
          "validation accuracy in the FCN grid: is that setting within noise of the best?", kind="qualitative"),
]
