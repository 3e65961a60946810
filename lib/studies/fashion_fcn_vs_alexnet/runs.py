"""Study 3's runs: the successive-halving search (first seed, validation data only), then the final models with
every seed under the reference reading and each other declared reading the profile lists; all through the
cache and the executor (``run_variants``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from ...errors import TrainingDiverged
from ..work import COST
from .recipe import READINGS
from .search import GridConfig, Halving, finalists, last_rung_margin, ranked, survivors

FCN, RIVAL, ALEXNET = "FCN", "FCN, other finalist", "AlexNet-style CNN"


@dataclass
class StudyRuns:
    """Every run of the study and what the sections read of them: the search (each rung's RunSet and its result
    table), the final models under the reference reading, and each other reading's (name -> (parameters, RunSet))."""
    data: object
    search: list
    halving: Halving
    final: object
    readings: dict = field(default_factory=dict)

    def records(self) -> list:
        """Every run record once: the search's, the final models', each reading's."""
        sets = [*self.search, self.final, *(rs for _, rs in self.readings.values())]
        return [r for rs in sets for r in rs.all()]

    @property
    def margin(self) -> dict:
        """The chosen configuration's lead over the last rung, against the validation set's sampling noise."""
        return last_rung_margin(self.halving, self.data.n_val)


def _config(P: dict, epochs: int, test_curve: bool = False, **recipe):
    from ...train.classifier import TrainConfig

    return TrainConfig(epochs=epochs, batch_size=P["batch_size"], lr_schedule=P["lr_schedule"],
                       test_curve=test_curve, **recipe)


def _fcn(build, units, cfg: GridConfig, P: dict, data, epochs: int, test_curve: bool = False):
    from ...experiments import Variant
    from ...train.classifier import train_classifier

    model = partial(build, units, dropout_rate=P["dropout_rate"], l2_factor=P["l2_factor"], **cfg.model_kwargs())
    return Variant(train_classifier, dict(build_model=model, data=data,
                                          config=_config(P, epochs, test_curve, **cfg.train_kwargs())), epochs)


def grid_variants(configs: list[GridConfig], grid_split, P: dict, epochs: int) -> dict:
    """One FCN per configuration, trained ``epochs`` epochs on the search's subset."""
    from ...models import build_fcn

    return {cfg.name: _fcn(build_fcn, P["fcn_units"], cfg, P, grid_split, epochs) for cfg in configs}


def grid_results(grid_runs, configs: list[GridConfig]) -> pd.DataFrame:
    """One row per configuration: its factors and its (single-seed) validation and training numbers; NaN if failed."""
    nan = float("nan")
    return pd.DataFrame([{**cfg.as_dict(), **{k: (grid_runs.values(cfg.name, k) or [nan])[0]
                                              for k in ("val_accuracy", "val_loss", "train_accuracy")}}
                         for cfg in configs])


def run_halving(cache, configs: list[GridConfig], grid_split, P: dict) -> tuple[Halving, list]:
    """Every configuration for the first rung's epochs, the better half (and the seed's setting) for the next
    rung's, and so on; the best of the last rung is chosen, on validation data alone (first seed only). Returns
    the search and each rung's RunSet; a rung in which no run finished stops the study."""
    from ... import experiments

    alive, tables, sets = list(configs), [], []
    for rung, epochs in enumerate(P["halving_epochs"], 1):
        runs = experiments.run_variants(cache, grid_variants(alive, grid_split, P, epochs), P["seeds"][:1])
        if not any(r.ok for r in runs.all()):
            raise TrainingDiverged("; ".join(r.message or f"{r.label}: {r.status}" for r in runs.all()))
        sets.append(runs)
        table = grid_results(runs, alive).assign(rung=rung, epochs=epochs)
        tables.append(table)
        order = ranked(alive, table)
        alive = survivors(order)
    return Halving(pd.concat(tables, ignore_index=True), *finalists(order), order), sets


def epochs_of(P: dict) -> dict:
    return {FCN: P["fcn_epochs"], RIVAL: P["fcn_epochs"], "DNN": P["fcn_epochs"], ALEXNET: P["alexnet_epochs"]}


def final_variants(h: Halving, split, P: dict) -> dict:
    """The chosen FCN and the other finalist (the seed's setting, or the runner-up when the seed's setting was
    chosen) at ``fcn_epochs``, the DNN with the chosen configuration (where ``dnn_units`` is set), and the
    AlexNet-style CNN (Adam) at ``alexnet_epochs``, all on the whole training part, the test curve recorded."""
    from ...experiments import Variant
    from ...models import build_alexnet, build_dnn, build_fcn
    from ...train.classifier import train_classifier

    ep = P["fcn_epochs"]
    out = {FCN: _fcn(build_fcn, P["fcn_units"], h.chosen, P, split, ep, test_curve=True)}
    if h.rival is not None:
        out[RIVAL] = _fcn(build_fcn, P["fcn_units"], h.rival, P, split, ep, test_curve=True)
    if P["dnn_units"]:
        out["DNN"] = _fcn(build_dnn, P["dnn_units"], h.chosen, P, split, ep, test_curve=True)
    out[ALEXNET] = Variant(train_classifier, dict(
        build_model=partial(build_alexnet, P["alexnet_filters"], P["alexnet_dense_units"], P["alexnet_dropout"]),
        data=split, config=_config(P, P["alexnet_epochs"], True, optimizer="adam",
                                   learning_rate=P["alexnet_learning_rate"])), P["alexnet_epochs"],
        cost=COST["alexnet"] / COST["fcn"])  # its epochs take about seven FCN epochs: handed out first
    return out


def run_all(P: dict, data, cache) -> StudyRuns:
    """The search, then the final models of the reference reading and of each other declared reading (the
    search's choice kept), handed to the executor in one call."""
    from ...experiments import RunGroup, run_groups

    halving, search = run_halving(cache, data.configs, data.grid_split, P)
    others = {READINGS[key].name: {**P, **READINGS[key].settings} for key in P.get("readings") or []}
    sets = run_groups(cache, [RunGroup(final_variants(halving, data.split, Pr), P["seeds"], workdir="checkpoint_dir")
                              for Pr in (P, *others.values())])
    readings = {name: (Pr, rs) for (name, Pr), rs in zip(others.items(), sets[1:])}
    return StudyRuns(data, search, halving, sets[0], readings)
