"""Study 2, Fashion-MNIST CNN regularisation: the seed's claims (seed 002), the two arms and the page's sentences."""
from __future__ import annotations

from ..experiments.claims import Claim
from ..experiments.stats import WELCH

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

REG, BASE = "regularised", "baseline"
STABLE_EPOCHS = 4
# The seed's own numbers: validation accuracy 88.54 -> 89.02 %, loss 0.3538 -> 0.2923, and training
# accuracy 92.46 -> 86.97 %, i.e. a train - val gap of +3.92 -> -2.05 points. Each improvement's smallest
# effect that counts is the seed's own reported difference. Dropout changes what each seed's training draws,
# and validation predictions are not stored, so the arms are compared as independent samples (Welch).
# "Reduced overfitting" is one claim, tested on the seed's own measure (the gap as Keras logs it); the
# inference-mode gap is shown beside it as a supporting measure.
REGULARISATION = [
    Claim("s2.val_accuracy", "002", "regularisation gives a higher validation accuracy (88.54 % → 89.02 %)",
          "validation accuracy", kind="improves", measure="val_accuracy", variant=REG, baseline=BASE,
          seed_effect=0.8902 - 0.8854, test=WELCH),
    Claim("s2.val_loss", "002", "the validation loss decreased (0.3538 → 0.2923)", "validation loss",
          kind="improves", higher_is_better=False, measure="val_loss", variant=REG, baseline=BASE,
          seed_effect=0.2923 - 0.3538, scale=1.0, unit="", digits=4, test=WELCH),
    Claim("s2.overfitting", "002", "reduced overfitting: training and validation accuracies more aligned",
          "train − validation accuracy gap as Keras logs it (training mode, dropout on; the seed's measure)",
          kind="improves", higher_is_better=False, measure="logged_gap", variant=REG, baseline=BASE,
          seed_effect=(0.8697 - 0.8902) - (0.9246 - 0.8854), test=WELCH),
    # "Higher and more stable validation accuracy": stability measured as the sample sd of the validation
    # accuracy over each run's last STABLE_EPOCHS epochs (for an early-stopped run, the epochs up to its stop);
    # the smallest difference that counts, 0.10 points, is ours, stated before the run.
    Claim("s2.stability", "002", "a more stable validation accuracy",
          f"sd of validation accuracy over each run's last {STABLE_EPOCHS} epochs", kind="improves",
          higher_is_better=False, measure="val_accuracy_sd", variant=REG, baseline=BASE, margin=0.001, test=WELCH),
    Claim("s2.baseline_val", "002", "initial model: 88.54 % validation accuracy", "validation accuracy",
          seed_value=0.8854, tolerance=0.005, measure="val_accuracy", variant=BASE),
    Claim("s2.regularised_val", "002", "optimised model: 89.02 % validation accuracy", "validation accuracy",
          seed_value=0.8902, tolerance=0.005, measure="val_accuracy", variant=REG),
]


def scope(split, generated: bool, P: dict) -> str:
    """What every number on the page was measured on."""
    return (("generated stand-in data, " if generated else "") + f"{split.sizes()['train']:,} train images, "
            f"≤{P['epochs']} epochs, {len(P['seeds'])} seed(s), profile {P['profile']}")


def architecture_table():
    """The baseline CNN's layers and output shapes, and the table's caption (with its parameter count)."""
    import pandas as pd

    from ..models import build_fashion_cnn

    model = build_fashion_cnn()
    table = pd.DataFrame([(layer.name, str(layer.output.shape[1:])) for layer in model.layers],
                         columns=["layer", "output shape"]).set_index("layer")
    return table, f"Baseline CNN, {model.count_params():,} parameters"


def variants(P: dict, split, strategy, global_batch: int, global_lr: float) -> dict:
    """The baseline and the regularised CNN (dropout, early stopping, optional augmentation), same data and
    settings otherwise; ``global_batch`` and ``global_lr`` are already scaled by the number of replicas."""
    from functools import partial

    from ..experiments import Variant
    from ..models import build_fashion_cnn
    from ..train.augment import fashion_augmentation
    from ..train.classifier import train_classifier

    common = dict(data=split, epochs=P["epochs"], batch_size=global_batch, learning_rate=global_lr, strategy=strategy)
    regularised = partial(build_fashion_cnn, dropout=P["dropout_rate"], dense_dropout=P["dense_dropout_rate"])
    return {BASE: Variant(train_classifier, dict(build_model=partial(build_fashion_cnn), **common), P["epochs"]),
            REG: Variant(train_classifier, dict(build_model=regularised,
                                                early_stopping_patience=P["early_stopping_patience"],
                                                augment=fashion_augmentation if P["augment"] else None, **common),
                         P["epochs"])}


def regularisation_sentence(P: dict) -> str:
    return (f"**Regularised variant in this profile:** dropout {P['dropout_rate']:g} after each conv block and "
            f"{P['dense_dropout_rate']:g} after the dense layer; early stopping with patience "
            f"{P['early_stopping_patience']}"
            + ("; random shifts and flips." if P["augment"] else "; no augmentation."))


def early_stopping_sentence(runs, P: dict) -> str:
    """How many regularised runs early stopping ended before the epoch limit, and when ("" without it)."""
    if not P["early_stopping_patience"]:
        return ""
    ok = runs.ok(REG)
    stopped = [r for r in ok if r.epochs_run < P["epochs"]]
    when = ", ".join(f"seed {r.seed} after epoch {r.epochs_run} (kept epoch {r.best_epoch})" for r in stopped)
    return (f"**Early stopping** ended {len(stopped)} of {len(ok)} regularised runs before the "
            f"{P['epochs']}-epoch limit" + (f": {when}." if stopped else
                                            ": in this profile the regularised variant is in effect dropout alone."))


def val_accuracy_sd(run, k: int = STABLE_EPOCHS) -> float:
    """Sample sd (n − 1) of the validation accuracy over the run's last ``k`` epochs (all, if it ran fewer)."""
    import numpy as np

    values = np.asarray(run.history["val_accuracy"][-k:], dtype=float)
    return float(values.std(ddof=1)) if len(values) > 1 else float("nan")


def budgets(P: dict) -> str:
    """Both arms' training budgets in words."""
    stop = (f"stopped when the validation loss has not improved for {P['early_stopping_patience']} epochs, best "
            f"weights kept" if P["early_stopping_patience"] else "no early stopping")
    return f"baseline {P['epochs']} epochs; regularised at most {P['epochs']} epochs, {stop}"


def recipe(P: dict, split):
    """The seed's recipe beside this run's, and the arm that decides the seed's claims."""
    from .reporting import recipe_table, silent

    return recipe_table([
        ("network", "the seed's layer table (conv 32, 64, 128; dense 128)", "the same layers"),
        ("dropout", "after each conv and dense layer; rates not stated",
         f"{P['dropout_rate']:g} after each conv block, {P['dense_dropout_rate']:g} after the dense layer"),
        ("early stopping", "on validation loss; patience not stated",
         f"patience {P['early_stopping_patience']} ("
         + ("Keras's default 0 stops at the same epoch: the first without improvement" if
            P["early_stopping_patience"] == 1 else "Keras default 0") + "), best weights kept"
         if P["early_stopping_patience"] else "none"),
        ("optimiser", "not stated", f"Adam, {P['learning_rate']:g}"),
        ("batch size", silent(32), P["batch_size"]),
        ("epochs", "not stated", budgets(P)),
        ("augmentation", "none", "random shifts and flips (regularised)" if P["augment"] else "none"),
        ("validation data", "not stated", f"{split.sizes()['val']:,} training images held out; the test set "
                                          f"is touched once"),
        ("runs per model", "one", f"{len(P['seeds'])} seeds"),
    ], {"this run's recipe, both models": ", ".join(c.key for c in REGULARISATION)})


def prepare(page, runs) -> None:
    """Hand the runs to the page, warn per failed run, stop if none finished, add the derived measures."""
    from ..experiments import logged_gap, train_val_gap
    from .reporting import record

    record(page, runs)
    runs.derive("train_val_gap", train_val_gap)
    runs.derive("logged_gap", logged_gap)
    runs.derive("val_accuracy_sd", val_accuracy_sd)


def early_stopping_table(runs, P: dict):
    """Per regularised run: the epochs it ran, whether early stopping ended it, and the epoch it kept."""
    import pandas as pd

    return pd.DataFrame([(r.seed, r.epochs_run, "yes" if r.epochs_run < P["epochs"] else "no", r.best_epoch)
                         for r in runs.ok(REG)],
                        columns=["seed", "epochs run", "stopped early", "kept epoch"]).set_index("seed")


def report_results(page, runs, P: dict, split, ds, scope: str) -> None:
    """The results section (``page`` duck-typed: ``table``, ``figure``, ``say``)."""
    from .. import plots
    from ..experiments import classifier_table

    page.table(classifier_table(runs, {"gap train − val (as logged)": ("logged_gap", 100.0, 2, " pts"),
                                       f"val acc sd, last {STABLE_EPOCHS} epochs": ("val_accuracy_sd", 100.0, 2,
                                                                                     " pts")}),
               "metrics", caption=f"Fashion-MNIST CNN, mean ± sd over seeds ({scope})")
    if P["early_stopping_patience"]:
        page.say(early_stopping_sentence(runs, P))
        page.table(early_stopping_table(runs, P), "early_stopping",
                   caption=f"Early stopping per regularised run ({budgets(P)}; {scope})")
    histories = {name: [r.history for r in runs.ok(name)] for name in runs.variants}
    page.figure(plots.plot_training_curves(histories, title=f"Training and validation curves ({scope})"), "curves")
    page.figure(plots.plot_generalisation_gap(histories), "gap")
    page.figure(plots.plot_confusion_matrices(split.y_test, {n: [r.test_predictions for r in runs.ok(n)]
                                                            for n in runs.variants}, ds.class_names,
                                              title=f"Test confusion matrices, counts summed over seeds ({scope})"),
                "confusion")
    page.figure(plots.plot_seed_points({n: [v * 100 for v in runs.values(n, "test_accuracy")] for n in runs.variants},
                                       ylabel="test accuracy (%)", title=f"Test accuracy per seed ({scope})"),
                "test_accuracy")


def report_claims(page, runs, scope: str) -> None:
    """Each seed claim with its evidence (the inference-mode gap beside the overfitting claim), the claims
    table, the comparisons in words and the page's finding."""
    from ..experiments import sentences

    gap_measure, gap_label = SUPPORTING_GAP
    for claim in REGULARISATION:
        support = (f"{gap_label}: {sentences.difference(runs.welch(BASE, REG, gap_measure))} (Welch t)"
                   if claim.key == "s2.overfitting" else "")
        page.claim(claim, runs.evidence(claim, scope=scope, supporting=support))
    page.show_claims()
    # Dropout changes what a seed draws during training, so the arms are independent samples (Welch), as
    # the claims declare; the headline is the deciding claim's own row.
    page.say("- " + sentences.comparison(BASE, REG, "Test accuracy", runs.welch(BASE, REG, "test_accuracy")) +
             "\n- " + sentences.comparison(BASE, REG, "Validation accuracy", runs.welch(BASE, REG, "val_accuracy")))
    row = next(c for c in page.claims if c["key"] == "s2.val_accuracy")
    page.finding(sentences.claim_finding("Regularisation − baseline, validation accuracy", row, scope))


def golden_metrics(runs) -> dict:
    """The numbers nbval's golden check compares: mean test and validation accuracy per model."""
    return {f"{n}_{k}": sum(runs.values(n, k)) / len(runs.values(n, k)) for n in runs.variants
            for k in ("test_accuracy", "val_accuracy")}


# Shown beside s2.overfitting, never counted: the same gap with dropout off.
SUPPORTING_GAP = ("train_val_gap", "train − validation gap in inference mode (dropout off)")
