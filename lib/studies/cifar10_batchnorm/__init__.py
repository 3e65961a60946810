"""Study 1, CIFAR-10 batch-norm ablation: its measures and the seed's claims.

Convergence speed (epochs to a validation-accuracy threshold), per-class
error. Verdicts on the seed's claims come from lib.experiments.claims.judge.
"""
from __future__ import annotations

import numpy as np

from ..experiments.claims import Claim, Reading


def epochs_to_threshold(history: dict, threshold: float, key: str = "val_accuracy") -> int | None:
    """First epoch (1-based) whose ``key`` reaches ``threshold``; None if it never does."""
    for epoch, value in enumerate(history.get(key, []), start=1):
        if value >= threshold:
            return epoch
    return None


def censored_epochs(values: list[int | None], epochs: int) -> list[int]:
    """Runs that never reached the threshold count as ``epochs + 1`` (a lower bound)."""
    return [epochs + 1 if v is None else int(v) for v in values]


def per_class_error(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Share of each true class that was misclassified (NaN for an absent class)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("per_class_error needs as many predictions as labels")
    total = np.bincount(y_true, minlength=num_classes).astype(float)
    wrong = np.bincount(y_true[y_true != y_pred], minlength=num_classes).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, wrong / total, np.nan)


# Seed 000's claims, quoted briefly; each is tested as it was stated, over training runs (each seed one run of
# each arm). The seed gave directions, no sizes: the smallest effects of interest are the report's, per kind of
# metric (lib.experiments.claims.SESOI). Batch norm changes the network, so the arms share no initialisation and
# are compared as independent samples (Welch); a per-image test of the same models stands beside the accuracy
# verdict as supporting evidence only. The error rate is 1 − accuracy: the same test, not another claim.
# "Convergence" is measured without a threshold: the mean validation accuracy over the epochs (the area under
# the validation curve), so no cut-off of ours can decide it. Gate: CIFAR-10 and the seed's 15 epochs.
BN, PLAIN = "batch-norm CNN", "plain CNN"
_SEED_000 = dict(kind="improves", variant=BN, baseline=PLAIN, seed_budget=15, dataset="cifar10")
BATCHNORM = [
    Claim("s1.accuracy", "000", "batch normalisation improves accuracy (and so lowers the error rate)",
          "test accuracy", measure="test_accuracy", **_SEED_000),
    Claim("s1.convergence", "000", "batch normalisation improves convergence",
          "mean validation accuracy over the epochs (the area under the validation curve)",
          measure="mean_val_accuracy", **_SEED_000),
    Claim("s1.overfitting", "000", "batch normalisation reduces overfitting",
          "train − validation accuracy gap (inference mode)", higher_is_better=False, measure="train_val_gap",
          **_SEED_000),
]


# The seed's own training settings (seed 000: 15 epochs, batch 128, Adam, categorical cross-entropy). It is
# silent on the rate, the schedule, the batch-norm momentum and the widths. The reference reading, declared by
# rule before the run, fills them: Keras's defaults of its framework (Adam 0.001, constant, momentum 0.99) and,
# for a three-layer CIFAR-10 CNN, TensorFlow's CNN tutorial (32-64-64 convolutions, a 64-unit dense layer).
SEED_SETTINGS = {"epochs": 15, "batch_size": 128, "learning_rate": 0.001, "lr_schedule": "constant",
                 "bn_momentum": 0.99}
TUTORIAL = "TensorFlow's CNN tutorial (tensorflow.org/tutorials/images/cnn, TensorFlow 2.x)"
REFERENCE = Reading("reference: the tutorial's widths", {"conv_filters": [32, 64, 64], "dense_units": 64}, TUTORIAL,
                    reference=True)
# Other declared readings of what the seed left open, run beside the reference where a profile lists them.
READINGS = {
    "narrow": Reading("narrow widths 16-32-64, no dense layer", {"conv_filters": [16, 32, 64], "dense_units": 0},
                      "ours: the widths of this project's earlier committed report, chosen for speed"),
    "wide_cosine": Reading("widths 32-64-128 with cosine decay", {"conv_filters": [32, 64, 128], "dense_units": 0,
                                                                 "lr_schedule": "cosine"},
                           "ours: an earlier recipe of this project, under which batch norm raised test accuracy"),
}


def scope(split, generated: bool, P: dict) -> str:
    """What every number on the page was measured on."""
    return (("generated stand-in data, " if generated else "") + f"{split.sizes()['train']:,} train images, "
            f"{P['epochs']} epochs" + (" (cosine learning-rate decay)" if P["lr_schedule"] == "cosine" else "")
            + f", {len(P['seeds'])} seeds, profile {P['profile']}")


def recipe(P: dict, split):
    """The seed's recipe beside this run's, each setting marked as the seed's, the reference's or ours, and the
    arm that decides the seed's claims."""
    from .reporting import recipe_table, runs_and_readings, source

    ref = REFERENCE.settings
    widths = source(P["conv_filters"] == ref["conv_filters"], TUTORIAL, "ours, this profile's")
    dense = source(P["dense_units"] == ref["dense_units"], TUTORIAL, "ours, this profile's")
    keras = "Keras's default (the seed's framework)"
    return recipe_table([
        ("optimiser, loss", "Adam, categorical cross-entropy", "Adam, categorical cross-entropy (one-hot labels)",
         "the seed's"),
        ("learning rate", "not stated", f"{P['learning_rate']:g}", source(P["learning_rate"] == 0.001, keras)),
        ("learning-rate schedule", "not stated", P["lr_schedule"], source(P["lr_schedule"] == "constant", keras)),
        ("epochs", 15, P["epochs"], source(P["epochs"] == 15, seed=True)),
        ("batch size", 128, P["batch_size"], source(P["batch_size"] == 128, seed=True)),
        ("network", "three conv layers with ReLU, softmax", "three 3×3 conv layers with ReLU, each followed by 2×2 "
                                                             "max pooling, then softmax" + (
             f" after a {P['dense_units']}-unit dense layer" if P["dense_units"] else ""),
         "the seed's layers; 'same' padding and a pool after each convolution are ours (one block shape)"),
        ("conv widths", "not stated", ", ".join(map(str, P["conv_filters"])), widths),
        ("dense layer", "not stated", P["dense_units"] or "none", dense),
        ("batch norm", "between the layers", "between each convolution and its ReLU", "the seed's"),
        ("batch-norm momentum", "not stated", f"{P['bn_momentum']:g}", source(P["bn_momentum"] == 0.99, keras)),
        ("training images", "CIFAR-10's training set", f"{split.sizes()['train']:,} (validation held out)",
         "ours: a validation split for the curves"),
        *runs_and_readings(P, READINGS, "network"),
    ], {"the reference reading, both CNNs": ", ".join(c.key for c in BATCHNORM)})


def recipe_note(P: dict) -> str:
    """Where this profile departs from the seed's settings and the reference reading's."""
    changes = [f"{k.replace('_', ' ')} {P[k]} (seed or Keras default: {v})" for k, v in SEED_SETTINGS.items()
               if P[k] != v]
    changes += [f"{k.replace('_', ' ')} {P[k]} (the reference reading: {v})" for k, v in REFERENCE.settings.items()
                if P[k] != v]
    return ("**Recipe.** " + ("This profile departs from the seed's settings or the reference reading: "
                              + "; ".join(changes) + ". Its verdicts describe this profile's recipe." if changes else
                              "This profile trains the seed's recipe, filled where the seed is silent by the "
                              "reference reading, which decides every claim below.")
            + ("" if P["lr_sweep"] else " The learning-rate sweep is not part of this profile."))


def run_readings(page, cache, split, P: dict) -> dict:
    """Both CNNs under each other declared reading the profile lists (the same seeds), recorded on the page, with
    the derived measures: reading name -> RunSet."""
    from ..experiments import run_variants

    out = {}
    for key in P.get("readings") or []:
        reading = READINGS[key]
        Pr = {**P, **reading.settings}
        runs = run_variants(cache, variants(builders(Pr), split, Pr), P["seeds"], workdir="checkpoint_dir")
        prepare(page, runs, Pr)
        out[reading.name] = runs
    return out


def readings_table(runs, others: dict):
    """Test accuracy and the train − validation gap of both CNNs under each reading run, mean ± sd over seeds."""
    import pandas as pd

    from ..experiments import stats

    rows = {}
    for name, rs in {REFERENCE.name: runs, **others}.items():
        for arm in (PLAIN, BN):
            if rs.ok(arm):
                rows[f"{name} — {arm}"] = {"test accuracy": stats.fmt_mean_sd(rs.values(arm, "test_accuracy")),
                                           "gap train − val": stats.fmt_mean_sd(rs.values(arm, "train_val_gap"),
                                                                                unit=" pts"),
                                           "seeds": len(rs.ok(arm))}
    return pd.DataFrame(rows).T


def builders(P: dict) -> dict:
    """The plain and the batch-norm CNN, otherwise the same."""
    from functools import partial

    from ..models import build_cifar_cnn

    return {name: partial(build_cifar_cnn, batch_norm=bn, filters=P["conv_filters"], dense_units=P["dense_units"],
                          bn_momentum=P["bn_momentum"]) for name, bn in ((PLAIN, False), (BN, True))}


def architecture_table(build: dict):
    """The batch-norm CNN's layers, and a caption giving both variants' parameter counts."""
    import pandas as pd

    arch = {name: b() for name, b in build.items()}
    table = pd.DataFrame([(layer.name, layer.__class__.__name__, str(layer.output.shape[1:]))
                          for layer in arch[BN].layers], columns=["layer", "type", "output shape"]).set_index("layer")
    return table, (f"Batch-norm CNN, {arch[BN].count_params():,} parameters; the plain CNN "
                   f"({arch[PLAIN].count_params():,} parameters) has the same layers without batch norm")


def variants(build: dict, split, P: dict, learning_rate: float | None = None) -> dict:
    """Both CNNs with the same data and settings (Adam, one-hot labels); ``learning_rate`` overrides the profile's."""
    from ..experiments import Variant
    from ..train.classifier import train_classifier

    settings = dict(data=split, epochs=P["epochs"], batch_size=P["batch_size"],
                    learning_rate=P["learning_rate"] if learning_rate is None else learning_rate,
                    lr_schedule=P["lr_schedule"], optimizer="adam", one_hot=True)
    return {name: Variant(train_classifier, dict(build_model=b, **settings), P["epochs"]) for name, b in build.items()}


def derive_measures(runs, threshold: float, epochs: int) -> None:
    """Adds epochs to the threshold (a run that never reached it counts as ``epochs + 1``: a lower bound on its
    true value), the test error, the mean validation accuracy over the epochs and the train − validation gap to
    every run."""
    from ..experiments import train_val_gap

    runs.derive("epochs_to_threshold",
                lambda r: censored_epochs([epochs_to_threshold(r.history, threshold)], epochs)[0])
    runs.derive("test_error", lambda r: 1 - r.metrics["test_accuracy"])
    runs.derive("mean_val_accuracy", lambda r: float(np.mean(r.history["val_accuracy"])))
    runs.derive("train_val_gap", train_val_gap)


def per_class_errors(runs, y_test, num_classes: int) -> dict[str, np.ndarray]:
    """Per variant, a seeds × classes array of test error."""
    return {name: np.array([per_class_error(y_test, r.test_predictions, num_classes) for r in runs.ok(name)])
            for name in runs.variants}


def per_class_table(errors: dict[str, np.ndarray], class_names: list[str]):
    import pandas as pd

    from ..experiments import stats

    return pd.DataFrame({name: [stats.fmt_mean_sd(e[:, c]) for c in range(len(class_names))]
                         for name, e in errors.items()}, index=class_names)


def seconds_per_epoch(runs) -> dict[str, list[float]]:
    return {n: runs.values(n, lambda r: r.seconds / max(1, r.epochs_run)) for n in runs.variants}


def sweep_table(sweep: dict[str, dict[float, float]]):
    """Final validation accuracy (%) per learning rate and variant; NaN (a diverged run) as "diverged"."""
    import pandas as pd

    return pd.DataFrame({name: {f"{lr:g}": f"{v:.2f}%" if v == v else "diverged" for lr, v in sorted(by_lr.items())}
                         for name, by_lr in sweep.items()}).rename_axis("learning rate")


def prepare(page, runs, P: dict) -> None:
    """Hand the runs to the page, warn per failed run, stop if none finished, and add the derived measures."""
    page.record(runs)
    derive_measures(runs, P["accuracy_threshold"], P["epochs"])


def report_results(page, runs, P: dict, split, ds, scope: str) -> None:
    """The results section: the table, curves, gap, confusion matrices, per-class error, convergence, per-seed
    accuracy and cost (``page``: the study page, duck-typed: ``table``, ``figure``, ``say``)."""
    from .. import plots
    from ..experiments import classifier_table, sentences

    threshold = P["accuracy_threshold"]
    page.table(classifier_table(runs, {"test error": ("test_error", 100.0, 2, " %"),
                                       f"epochs to {threshold:.0%} val acc": ("epochs_to_threshold", 1.0, 1, "")}),
               "metrics", caption=f"CIFAR-10 CNN with and without batch norm, mean ± sd over seeds ({scope})")
    histories = {name: [r.history for r in runs.ok(name)] for name in runs.variants}
    page.figure(plots.plot_training_curves(histories, title=f"Training and validation curves ({scope})"), "curves")
    page.figure(plots.plot_generalisation_gap(histories), "gap")
    page.figure(plots.plot_confusion_matrices(split.y_test, {n: [r.test_predictions for r in runs.ok(n)]
                                                            for n in runs.variants}, ds.class_names,
                                              title=f"Test confusion matrices, counts summed over seeds ({scope})"),
                "confusion")
    errors = per_class_errors(runs, split.y_test, ds.num_classes)
    page.figure(plots.plot_per_class_error(errors, ds.class_names, title=f"Test error per class ({scope})"),
                "per_class_error")
    page.table(per_class_table(errors, ds.class_names), "per_class_error",
               caption=f"Test error per class, mean ± sd over seeds ({scope})")
    reach = {name: [epochs_to_threshold(r.history, threshold) for r in runs.ok(name)] for name in runs.variants}
    page.figure(plots.plot_epochs_to_threshold(reach, threshold, P["epochs"]), "epochs_to_threshold")
    page.figure(plots.plot_seed_points({n: [v * 100 for v in runs.values(n, "test_accuracy")] for n in runs.variants},
                                       ylabel="test accuracy (%)", title=f"Test accuracy per seed ({scope})"),
                "test_accuracy")
    per_epoch = seconds_per_epoch(runs)
    if runs.ok(PLAIN) and runs.ok(BN):
        page.say("**Cost.** " + sentences.ratio(PLAIN, BN, "Training time per epoch", per_epoch[PLAIN], per_epoch[BN])
                 + " Epoch times on a shared machine vary from run to run.")


def lr_sweep(page, cache, build: dict, split, P: dict, scope: str) -> dict:
    """Where the profile lists rates: both CNNs at each rate, first seed; the figure and table (validation
    accuracy only), or a sentence saying the profile skips it. Returns variant -> rate -> val accuracy (%)."""
    from .. import plots
    from ..experiments import run_variants

    sweep = {name: {} for name in build}
    sweep_scope = scope.replace(f"{len(P['seeds'])} seeds", f"seed {P['seeds'][0]}")
    for lr in P["lr_sweep"] or []:
        lr_runs = run_variants(cache, variants(build, split, P, learning_rate=lr), P["seeds"][:1],
                               workdir="checkpoint_dir")
        page.record(lr_runs)
        for name in build:
            sweep[name][lr] = (lr_runs.values(name, "val_accuracy") or [float("nan")])[0] * 100
    if P["lr_sweep"]:
        page.figure(plots.plot_lr_sweep(sweep, title=f"Adam learning-rate sweep ({sweep_scope})"), "lr_sweep")
        page.table(sweep_table(sweep), "lr_sweep", caption=f"Final validation accuracy per learning rate ({sweep_scope})")
    else:
        page.say("A profile without a learning-rate sweep skips this part; the `full` profile runs it.")
    return sweep


def _pairs(runs, P: dict, split, dataset: str, scope: str) -> list:
    support = {"s1.accuracy": runs.per_image_note(PLAIN, BN, split.y_test)}
    return [(c, runs.evidence(c, budget=P["epochs"], dataset=dataset, scope=scope, supporting=support.get(c.key, "")))
            for c in BATCHNORM]


def report_claims(page, runs, P: dict, split, dataset: str, scope: str, others: dict | None = None) -> None:
    """The seed's claims under the reference reading, judged once as the study's family, with each other reading
    run beside them (``others``: reading name -> RunSet); the claims table, the comparisons in words and the
    page's finding (``dataset``: what the runs trained on, for the claims' gate)."""
    from ..experiments import sentences
    from ..experiments.claims import judge_family

    others = others or {}
    if others:
        page.table(readings_table(runs, others), "readings",
                   caption=f"Both CNNs under each declared reading run, mean ± sd over seeds ({scope})")
    family = judge_family(_pairs(runs, P, split, dataset, scope),
                          readings={name: _pairs(rs, P, split, dataset, scope) for name, rs in others.items()})
    family.notes = [sentences.comparison(PLAIN, BN, "Test accuracy", runs.welch(PLAIN, BN, "test_accuracy")),
                    sentences.comparison(PLAIN, BN, "Train − validation gap", runs.welch(PLAIN, BN, "train_val_gap"),
                                         higher_is_better=False)]
    page.claims(family.headline("Batch norm − plain, test accuracy", "s1.accuracy", scope))


def golden_metrics(runs, sweep: dict) -> dict:
    """The numbers nbval's golden check compares: mean test and validation accuracy per CNN, sweep runs."""
    return {**{f"{n.split()[0]}_{k}": float(np.mean(runs.values(n, k))) for n in runs.variants
               for k in ("test_accuracy", "val_accuracy")}, "lr_sweep_runs": sum(len(v) for v in sweep.values())}
