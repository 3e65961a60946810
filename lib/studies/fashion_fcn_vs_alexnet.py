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
from ..experiments.stats import MCNEMAR
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


# Seed 004's claims, quoted briefly; each is tested as it was stated. Both comparisons score two models on
# the same test images, so they are tested per image (McNemar's exact test, discordant pairs summed over
# seeds). The seed's preferred FCN setting is compared with the setting chosen on validation data, on the
# test images no choice looked at: "most effective" is ruled out only if it is significantly worse.
FCN, ALEXNET = "FCN", "AlexNet-style CNN"
FCN_VS_ALEXNET = [
    Claim("s3.fcn", "004", "FCN: at best 88.46 % test accuracy in 50 epochs", "test accuracy", seed_value=0.8846,
          tolerance=0.005, measure="test_accuracy", variant=FCN, seed_budget=50),
    Claim("s3.alexnet", "004", "AlexNet-style CNN: 93.14 % test accuracy in 10 epochs", "test accuracy",
          seed_value=0.9314, tolerance=0.005, measure="test_accuracy", variant=ALEXNET, seed_budget=10),
    Claim("s3.alexnet_better", "004", "AlexNet gives significantly better classification than the FCN",
          "test accuracy, AlexNet-style − FCN", kind="improves", measure="test_accuracy", variant=ALEXNET,
          baseline=FCN, seed_effect=0.9314 - 0.8846, test=MCNEMAR),
    Claim("s3.best_config", "004", "Adam + Kaiming uniform + batch norm proved the most effective FCN setting",
          "test accuracy in the FCN grid, the seed's setting − the setting chosen on validation data",
          kind="improves", measure="test_accuracy", margin=0.0, test=MCNEMAR),
]


def scopes(split, grid_split, generated: bool, P: dict) -> tuple[str, str]:
    """What the final models' numbers and the grid's numbers were measured on."""
    decay = " (cosine learning-rate decay)" if P["lr_schedule"] == "cosine" else ""
    stand_in = "generated stand-in data, " if generated else ""
    return (f"{stand_in}{split.sizes()['train']:,} train images{decay}, {len(P['seeds'])} seed(s), profile "
            f"{P['profile']}",
            f"{stand_in}{grid_split.sizes()['train']:,} train images, {P['grid_epochs']} epoch(s){decay}, "
            f"seed {P['seeds'][0]}, profile {P['profile']}")


def architectures(P: dict) -> dict:
    """The three models as the page describes them (FCN and DNN without dropout or batch norm)."""
    from ..models import build_alexnet, build_dnn, build_fcn

    return {FCN: build_fcn(P["fcn_units"]), "DNN": build_dnn(P["dnn_units"]),
            ALEXNET: build_alexnet(P["alexnet_filters"], P["alexnet_dense_units"], P["alexnet_dropout"])}


def layer_table(model) -> pd.DataFrame:
    return pd.DataFrame([(layer.name, layer.__class__.__name__, str(layer.output.shape[1:])) for layer in model.layers],
                        columns=["layer", "type", "output shape"]).set_index("layer")


def grid_variants(configs: list[GridConfig], grid_split, P: dict) -> dict:
    """One FCN per grid configuration, trained on the grid's subset."""
    from functools import partial

    from ..experiments import Variant
    from ..models import build_fcn
    from ..train.classifier import train_classifier

    common = dict(batch_size=P["batch_size"], lr_schedule=P["lr_schedule"], epochs=P["grid_epochs"])
    return {cfg.name: Variant(train_classifier, dict(
        build_model=partial(build_fcn, P["fcn_units"], dropout_rate=P["dropout_rate"], l2_factor=P["l2_factor"],
                            **cfg.model_kwargs()), data=grid_split, **common, **cfg.train_kwargs()), P["grid_epochs"])
        for cfg in configs}


def grid_results(grid_runs, configs: list[GridConfig]) -> pd.DataFrame:
    """One row per configuration: its factors and its (single-seed) validation and training numbers; NaN if failed."""
    nan = float("nan")
    return pd.DataFrame([{**cfg.as_dict(), **{k: (grid_runs.values(cfg.name, k) or [nan])[0]
                                              for k in ("val_accuracy", "val_loss", "train_accuracy")}}
                         for cfg in configs])


def ranked_grid_table(grid_table: pd.DataFrame) -> pd.DataFrame:
    """The grid ranked by validation accuracy (then loss), formatted for the page."""
    shown = grid_table.sort_values(["val_accuracy", "val_loss"], ascending=[False, True]).reset_index(drop=True)
    shown.index = shown.index + 1
    return shown.assign(val_accuracy=shown["val_accuracy"].map("{:.2%}".format),
                        train_accuracy=shown["train_accuracy"].map("{:.2%}".format),
                        val_loss=shown["val_loss"].map("{:.4f}".format)).rename_axis("rank")


def factor_means_table(grid_table: pd.DataFrame) -> pd.DataFrame:
    """Validation accuracy per value of each factor, averaged over the other factors."""
    means = pd.concat({f: grid_table.groupby(f, sort=False)["val_accuracy"].mean() for f in FACTORS})
    return means.map("{:.2%}".format).to_frame("mean val accuracy").rename_axis(["factor", "value"])


def choice_sentence(best: GridConfig, margin: dict, n_val: int, grid_scope: str) -> str:
    """The chosen configuration, its lead, and how many others its validation data cannot rank apart from it."""
    return (f"**Chosen on validation data:** {best.name} ({margin['best_accuracy']:.2%}), "
            f"{margin['margin'] * 100:.2f} points ahead of the runner-up. One standard error of a validation "
            f"accuracy on {n_val:,} images is {margin['se'] * 100:.2f} points, so "
            f"{len(margin['within_noise'])} other configuration(s) lie within two of the best and cannot be ranked "
            f"apart from it by this data; a single seed per configuration adds training noise on top "
            f"({grid_scope}).")


def final_variants(best: GridConfig, split, P: dict) -> dict:
    """The FCN and the deeper DNN with the chosen configuration, and the AlexNet-style CNN (Adam), on all data."""
    from functools import partial

    from ..experiments import Variant
    from ..models import build_alexnet, build_dnn, build_fcn
    from ..train.classifier import train_classifier

    final = dict(data=split, batch_size=P["batch_size"], lr_schedule=P["lr_schedule"], test_curve=True)
    fcn_kwargs = dict(dropout_rate=P["dropout_rate"], l2_factor=P["l2_factor"], **best.model_kwargs())
    fcn_epochs, alexnet_epochs = P["fcn_epochs"], P["alexnet_epochs"]
    return {
        FCN: Variant(train_classifier, dict(build_model=partial(build_fcn, P["fcn_units"], **fcn_kwargs),
                                            epochs=fcn_epochs, **final, **best.train_kwargs()), fcn_epochs),
        "DNN": Variant(train_classifier, dict(build_model=partial(build_dnn, P["dnn_units"], **fcn_kwargs),
                                              epochs=fcn_epochs, **final, **best.train_kwargs()), fcn_epochs),
        ALEXNET: Variant(train_classifier, dict(build_model=partial(build_alexnet, P["alexnet_filters"],
                                                                    P["alexnet_dense_units"], P["alexnet_dropout"]),
                                                epochs=alexnet_epochs, optimizer="adam",
                                                learning_rate=P["alexnet_learning_rate"], **final), alexnet_epochs)}


def seed_setting_claim(configs: list[GridConfig], val_accuracy: list[float], chosen: GridConfig, grid_runs,
                       test_labels, scope: str):
    """(Claim, Evidence) for s3.best_config: the seed's setting (its best regularisation on validation data)
    against the setting chosen on validation data, per image on the test set; n/a when the grid lacks it."""
    from dataclasses import replace

    from ..experiments.claims import Evidence

    claim = FCN_VS_ALEXNET[3]
    matching = [(a, c) for c, a in zip(configs, val_accuracy)
                if all(getattr(c, k) == v for k, v in SEED_BEST.items()) and a == a]
    if not matching:
        why = "this profile's grid does not include " + " / ".join(SEED_BEST.values())
        return claim, Evidence(applicable=False, reason=why, scope=scope)
    seed_cfg = max(matching, key=lambda t: t[0])[1]
    if seed_cfg.name == chosen.name:
        claim = replace(claim, variant=seed_cfg.name, baseline=seed_cfg.name)
        return claim, Evidence(applicable=False, reason=f"the seed's setting ({seed_cfg.name}) is the one chosen on "
                                                         f"validation data: nothing to compare", scope=scope)
    claim = replace(claim, variant=seed_cfg.name, baseline=chosen.name)
    return claim, grid_runs.evidence(claim, labels=test_labels, scope=f"{seed_cfg.name} − {chosen.name}; {scope}")
