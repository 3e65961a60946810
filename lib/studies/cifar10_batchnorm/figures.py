"""The tables and figures only Study 1 draws, and its report sections (``page``: the study page, duck-typed:
``table``, ``figure``, ``say``)."""
from __future__ import annotations

import numpy as np

from .recipe import REFERENCE
from .runs import BN, PLAIN, epochs_to_threshold


def architecture_table(build: dict):
    """The batch-norm CNN's layers, and a caption giving both variants' parameter counts."""
    import pandas as pd

    arch = {name: b() for name, b in build.items()}
    table = pd.DataFrame([(layer.name, layer.__class__.__name__, str(layer.output.shape[1:]))
                          for layer in arch[BN].layers], columns=["layer", "type", "output shape"]).set_index("layer")
    return table, (f"Batch-norm CNN, {arch[BN].count_params():,} parameters; the plain CNN "
                   f"({arch[PLAIN].count_params():,} parameters) has the same layers without batch norm")


def per_class_error(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Share of each true class that was misclassified (NaN for an absent class)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("per_class_error needs as many predictions as labels")
    total = np.bincount(y_true, minlength=num_classes).astype(float)
    wrong = np.bincount(y_true[y_true != y_pred], minlength=num_classes).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, wrong / total, np.nan)


def per_class_errors(runs, y_test, num_classes: int) -> dict[str, np.ndarray]:
    """Per variant, a seeds × classes array of test error."""
    return {name: np.array([per_class_error(y_test, r.test_predictions, num_classes) for r in runs.ok(name)])
            for name in runs.variants}


def per_class_table(errors: dict[str, np.ndarray], class_names: list[str]):
    import pandas as pd

    from ...experiments import stats

    return pd.DataFrame({name: [stats.fmt_mean_sd(e[:, c]) for c in range(len(class_names))]
                         for name, e in errors.items()}, index=class_names)


def seconds_per_epoch(runs) -> dict[str, list[float]]:
    return {n: runs.values(n, lambda r: r.seconds / max(1, r.epochs_run)) for n in runs.variants}


def sweep_table(sweep: dict[str, dict[float, float]]):
    """Final validation accuracy (%) per learning rate and variant; NaN (a diverged run) as "diverged"."""
    import pandas as pd

    return pd.DataFrame({name: {f"{lr:g}": f"{v:.2f}%" if v == v else "diverged" for lr, v in sorted(by_lr.items())}
                         for name, by_lr in sweep.items()}).rename_axis("learning rate")


def readings_table(runs, others: dict):
    """Test accuracy and the train − validation gap of both CNNs under each reading run, mean ± sd over seeds."""
    import pandas as pd

    from ...experiments import stats

    rows = {}
    for name, rs in {REFERENCE.name: runs, **others}.items():
        for arm in (PLAIN, BN):
            if rs.ok(arm):
                rows[f"{name} — {arm}"] = {"test accuracy": stats.fmt_mean_sd(rs.values(arm, "test_accuracy")),
                                           "gap train − val": stats.fmt_mean_sd(rs.values(arm, "train_val_gap"),
                                                                                unit=" pts"),
                                           "seeds": len(rs.ok(arm))}
    return pd.DataFrame(rows).T


def results(page, runs, P: dict, data) -> None:
    """The results section: the table, curves, gap, confusion matrices, per-class error, convergence, per-seed
    accuracy and cost."""
    from ... import plots
    from ...experiments import classifier_table

    threshold, scope, y_test, names = P["accuracy_threshold"], data.scope, data.split.y_test, data.ds.class_names
    page.table(classifier_table(runs, {"test error": ("test_error", 100.0, 2, " %"),
                                       f"epochs to {threshold:.0%} val acc": ("epochs_to_threshold", 1.0, 1, "")}),
               "metrics", caption=f"CIFAR-10 CNN with and without batch norm, mean ± sd over seeds ({scope})")
    histories = {name: [r.history for r in runs.ok(name)] for name in runs.variants}
    page.figure(plots.plot_training_curves(histories, title=f"Training and validation curves ({scope})"), "curves")
    page.figure(plots.plot_generalisation_gap(histories), "gap")
    page.figure(plots.plot_confusion_matrices(y_test, {n: [r.test_predictions for r in runs.ok(n)]
                                                       for n in runs.variants}, names,
                                              title=f"Test confusion matrices, counts summed over seeds ({scope})"),
                "confusion")
    errors = per_class_errors(runs, y_test, data.ds.num_classes)
    page.figure(plots.plot_per_class_error(errors, names, title=f"Test error per class ({scope})"), "per_class_error")
    page.table(per_class_table(errors, names), "per_class_error",
               caption=f"Test error per class, mean ± sd over seeds ({scope})")
    reach = {name: [epochs_to_threshold(r.history, threshold) for r in runs.ok(name)] for name in runs.variants}
    page.figure(plots.plot_epochs_to_threshold(reach, threshold, P["epochs"]), "epochs_to_threshold")
    page.figure(plots.plot_seed_points({n: [v * 100 for v in runs.values(n, "test_accuracy")] for n in runs.variants},
                                       ylabel="test accuracy (%)", title=f"Test accuracy per seed ({scope})"),
                "test_accuracy")
    cost(page, runs)


def cost(page, runs) -> None:
    """Training time per epoch, batch norm against plain, in words."""
    from ...experiments import sentences

    per_epoch = seconds_per_epoch(runs)
    if runs.ok(PLAIN) and runs.ok(BN):
        page.say("**Cost.** " + sentences.ratio(PLAIN, BN, "Training time per epoch", per_epoch[PLAIN], per_epoch[BN])
                 + " Epoch times on a shared machine vary from run to run.")


def lr_sweep(page, sweep: dict, P: dict, scope: str) -> None:
    """The sweep's figure and table (validation accuracy only), or a sentence saying the profile skips it."""
    from ... import plots

    if not P["lr_sweep"]:
        page.say("A profile without a learning-rate sweep skips this part; the `full` profile runs it.")
        return
    sweep_scope = scope.replace(f"{len(P['seeds'])} seeds", f"seed {P['seeds'][0]}")
    page.figure(plots.plot_lr_sweep(sweep, title=f"Adam learning-rate sweep ({sweep_scope})"), "lr_sweep")
    page.table(sweep_table(sweep), "lr_sweep", caption=f"Final validation accuracy per learning rate ({sweep_scope})")


def readings(page, runs, others: dict, scope: str) -> None:
    """Both CNNs under each declared reading run beside the reference (nothing where the profile runs none)."""
    if others:
        page.table(readings_table(runs, others), "readings",
                   caption=f"Both CNNs under each declared reading run, mean ± sd over seeds ({scope})")
