"""Study 3's tables, figures and sentences: the models, the search and the final models."""
from __future__ import annotations

import pandas as pd

from .runs import ALEXNET, FCN, epochs_of
from .search import FACTORS, GridConfig, Halving, seed_setting


def architectures(P: dict) -> dict:
    """The models as the page describes them (FCN and DNN without dropout or batch norm)."""
    from ...models import build_alexnet, build_dnn, build_fcn

    dnn = {"DNN": build_dnn(P["dnn_units"])} if P["dnn_units"] else {}
    return {FCN: build_fcn(P["fcn_units"]), **dnn,
            ALEXNET: build_alexnet(P["alexnet_filters"], P["alexnet_dense_units"], P["alexnet_dropout"])}


def layer_table(model) -> pd.DataFrame:
    return pd.DataFrame([(layer.name, layer.__class__.__name__, str(layer.output.shape[1:])) for layer in model.layers],
                        columns=["layer", "type", "output shape"]).set_index("layer")


def report_models(page, P: dict, data, claim_keys: list[str]) -> None:
    """The recipe table, then each model's layers with its parameter count."""
    from . import recipe

    page.table(recipe.table(P, data, claim_keys), "recipe", caption="The seed's recipe and this run's")
    for name, model in architectures(P).items():
        page.table(layer_table(model), f"architecture_{name.split()[0].lower()}",
                   caption=f"{name}, {model.count_params():,} parameters (FCN and DNN shown without dropout or "
                           f"batch norm)")


def heatmap_frame(table: pd.DataFrame, value: str = "val_accuracy", rows: str = "optimizer") -> pd.DataFrame:
    """Pivot a grid result table (one row per configuration) to ``rows`` x the other factors."""
    cols = [f for f in FACTORS if f != rows]
    label = table[cols].astype(str).agg(" / ".join, axis=1)
    frame = table.assign(_col=label).pivot(index=rows, columns="_col", values=value)
    frame = frame.reindex(index=list(dict.fromkeys(table[rows])), columns=list(dict.fromkeys(label)))
    frame.columns.name = " / ".join(cols)
    return frame


def _formatted(shown: pd.DataFrame) -> pd.DataFrame:
    shown.index = shown.index + 1
    return shown.assign(val_accuracy=shown["val_accuracy"].map("{:.2%}".format),
                        train_accuracy=shown["train_accuracy"].map("{:.2%}".format),
                        val_loss=shown["val_loss"].map("{:.4f}".format)).rename_axis("rank")


def halving_table(h: Halving) -> pd.DataFrame:
    """One row per configuration at the last rung it reached, best first, formatted for the page."""
    last = h.table.sort_values("rung").groupby([*FACTORS], sort=False).tail(1)
    return _formatted(last.sort_values(["rung", "val_accuracy", "val_loss"],
                                       ascending=[False, False, True]).reset_index(drop=True))


def first_rung(h: Halving) -> pd.DataFrame:
    return h.table[h.table["rung"] == 1].reset_index(drop=True)


def ranked_grid_table(grid_table: pd.DataFrame) -> pd.DataFrame:
    """The grid ranked by validation accuracy (then loss), formatted for the page."""
    return _formatted(grid_table.sort_values(["val_accuracy", "val_loss"], ascending=[False, True])
                      .reset_index(drop=True))


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


def report_search(page, runs) -> None:
    """The search's tables, heatmap and choice in words."""
    from ... import plots

    h, grid_scope = runs.halving, runs.data.grid_scope
    page.table(halving_table(h), "grid", caption=f"FCN search, each configuration at the last rung it reached, "
                                                 f"ranked by validation accuracy ({grid_scope})")
    first = first_rung(h)
    page.figure(plots.plot_grid_heatmap(heatmap_frame(first), title=f"FCN validation accuracy after the first "
                                                                    f"rung, every configuration ({grid_scope})"),
                "grid_heatmap")
    page.table(factor_means_table(first), "grid_factor_means",
               caption=f"First-rung validation accuracy averaged over the other factors ({grid_scope})")
    page.say(choice_sentence(h.chosen, runs.margin, runs.data.n_val, grid_scope))
    role = "the seed's setting" if h.rival is not None and h.rival == seed_setting(h.order) else "the runner-up"
    page.say(f"**Finalists at the seed's budget:** {h.chosen.name} (chosen) and "
             + (f"{h.rival.name} ({role})" if h.rival is not None else "no other") +
             " train on the whole training part with every seed; the test set scores them once.")


def report_results(page, runs, P: dict) -> None:
    """The final models' table (with parameter counts), curves and test confusion matrices; then each other
    reading's table."""
    from ... import plots
    from ...experiments import classifier_table

    final, h, d = runs.final, runs.halving, runs.data
    arch = architectures(P)
    table = classifier_table(final)
    table.insert(0, "parameters", [f"{arch[n].count_params():,}" if n in arch else "" for n in table.index])
    rival = f"; the other finalist: {h.rival.name}" if h.rival is not None else ""
    page.table(table, "metrics", caption=f"Final models, mean ± sd over seeds ({d.scope}); FCN (and DNN) use the "
                                         f"chosen configuration {h.chosen.name}{rival}")
    ep = epochs_of(P)
    page.figure(plots.plot_split_curves({f"{n} ({ep[n]} epochs)": [r.history for r in final.ok(n)]
                                         for n in final.variants if final.ok(n)},
                                        title=f"Training, validation and test curves ({d.scope})"), "curves")
    page.figure(plots.plot_confusion_matrices(d.split.y_test, {n: [r.test_predictions for r in final.ok(n)]
                                                              for n in final.variants}, d.ds.class_names,
                                              title=f"Test confusion matrices, counts summed over seeds ({d.scope})"),
                "confusion")
    for i, (name, (_, rs)) in enumerate(runs.readings.items()):
        page.table(classifier_table(rs), f"reading_{i}_{name.split()[-1]}",
                   caption=f"Final models under the reading '{name}', mean ± sd over seeds ({d.scope})")
