"""Study 3's comparison grid on the FCN: optimiser x initialiser x regularisation x normalisation.

``expand_grid`` turns the four lists (study parameters) into configurations;
``select_best`` picks one from validation numbers alone, so the test set
never takes part in the choice.
"""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import pandas as pd

from .errors import ParamError
from .models.dense import NORMALIZATIONS, REGULARIZATIONS
from .params import unknown_name_error

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
    from .data import stratified_indices
    from .training import Split

    if not n or n >= len(split.y_train):
        return split
    idx = stratified_indices(split.y_train, n, seed)
    return Split(split.x_train[idx], split.y_train[idx], split.x_val, split.y_val, split.x_test, split.y_test)
