"""Study 2, Fashion-MNIST CNN regularisation: the seed's claims (seed 002), the two arms and the page's sentences."""
from __future__ import annotations

from ..experiments.claims import Claim
from ..experiments.stats import WELCH

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

# The seed compared an initial CNN (no regularisation, its last epoch) with an optimised one (dropout and early
# stopping). To measure both arms the same way, both train for the full budget on the same images, with the
# same held-out stopping split, and record their test accuracy every epoch; early stopping is applied
# afterwards, as Keras's callback would have stopped (patience on the validation loss, best weights kept).
# That gives a dropout × early-stopping 2 × 2 from two trained networks per seed.
BASE, DROPOUT = "baseline", "dropout"
BASE_ES, REG = "baseline + early stopping", "dropout + early stopping"
TRAINED = (BASE, DROPOUT)
STABLE_FROM = 3   # the stability window: epoch 3 to the last, the same for both arms (the first climb excluded)

# Seed 002's claims, quoted briefly. The seed's numbers are validation numbers of one run each; our claims about
# the procedure are measured on test images that neither training nor stopping saw (the seed's own validation
# set may have been the test set; ours is a stopping split that early stopping has looked at). Dropout changes
# what each seed draws, so the arms are independent samples (Welch). Smallest effects: lib.experiments.SESOI.
# The seed's number for each model (validation accuracy, one run) is set against our one-run interval, measured
# as the seed did: the baseline at its last epoch, the optimised model at the epoch early stopping kept, on our
# validation images (the seed's 10,000 validation images were other images: not stated, assumed the test set).
_SEED_002 = dict(kind="improves", variant=REG, baseline=BASE, dataset="fashion_mnist")
REGULARISATION = [
    Claim("s2.val_accuracy", "002", "regularisation gives a higher validation accuracy (88.54 % → 89.02 %)",
          "held-out accuracy (test images) at each arm's kept epoch", measure="held_out_accuracy",
          seed_effect=0.8902 - 0.8854, **_SEED_002),
    Claim("s2.val_loss", "002", "the validation loss decreased (0.3538 → 0.2923)",
          "held-out loss (test images) at each arm's kept epoch", higher_is_better=False, metric_kind="loss",
          measure="held_out_loss", seed_effect=0.2923 - 0.3538, scale=1.0, unit="", digits=4, **_SEED_002),
    Claim("s2.overfitting", "002", "reduced overfitting: training and validation accuracies more aligned",
          "training accuracy as Keras logs it (dropout on) − held-out accuracy, at the kept epoch",
          higher_is_better=False, measure="logged_gap", seed_effect=(0.8697 - 0.8902) - (0.9246 - 0.8854),
          **_SEED_002),
    Claim("s2.stability", "002", "a more stable validation accuracy",
          f"sd of the epoch-to-epoch changes of validation accuracy, epochs {STABLE_FROM} to the last (both arms "
          f"trained to the full budget; early stopping picks an epoch, it does not change the path)",
          kind="improves", higher_is_better=False, metric_kind="loss", measure="val_change_sd", variant=DROPOUT,
          baseline=BASE, dataset="fashion_mnist"),
    Claim("s2.baseline_val", "002", "initial model: 88.54 % validation accuracy", "validation accuracy",
          seed_value=0.8854, seed_measured="last epoch", seed_images=10_000, measure="val_accuracy", variant=BASE,
          dataset="fashion_mnist"),
    Claim("s2.regularised_val", "002", "optimised model: 89.02 % validation accuracy", "validation accuracy",
          seed_value=0.8902, seed_measured="at the epoch early stopping kept", seed_images=10_000,
          measure="val_accuracy", variant=REG, dataset="fashion_mnist"),
]


def kept_epoch(history: dict, patience: int, key: str = "val_loss") -> int:
    """The epoch (1-based) whose weights Keras's EarlyStopping(patience, restore_best_weights=True) would leave:
    the best ``key`` so far once ``patience`` epochs pass without improvement (Keras stops at the first such
    epoch even at patience 0), else the last epoch."""
    values = history[key]
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, value in enumerate(values, start=1):
        if value < best:
            best, best_epoch, wait = value, epoch, 0
            continue
        wait += 1
        if wait >= max(patience, 1) and epoch > 1:
            return best_epoch
    return len(values)


def at_epoch(run, epoch: int, arm: str):
    """``run`` as the 2 × 2's ``arm`` would have left it: its numbers at ``epoch`` (from the per-epoch record)."""
    from dataclasses import replace

    h, i = run.history, epoch - 1
    metrics = {**run.metrics, "val_accuracy": h["val_accuracy"][i], "val_loss": h["val_loss"][i],
               "held_out_accuracy": h["test_accuracy"][i], "held_out_loss": h["test_loss"][i],
               "logged_gap": h["accuracy"][i] - h["test_accuracy"][i], "kept_epoch": float(epoch)}
    return replace(run, metrics=metrics, best_epoch=epoch, variant=arm)


def two_by_two(runs, P: dict):
    """The four arms from the two trained networks per seed: each at its last epoch and at the epoch early
    stopping (patience ``early_stopping_patience``) would have kept."""
    from ..experiments import RunSet

    out = RunSet()
    patience = P["early_stopping_patience"]
    for trained, stopped in ((BASE, BASE_ES), (DROPOUT, REG)):
        for r in runs.ok(trained):
            out.add(trained, at_epoch(r, len(r.history["val_loss"]), trained))
            out.add(stopped, at_epoch(r, kept_epoch(r.history, patience), stopped))
    out.derive("val_change_sd", val_change_sd)
    return out


def val_change_sd(run, start: int = STABLE_FROM) -> float:
    """Sample sd of the epoch-to-epoch changes of validation accuracy from epoch ``start`` to the last."""
    import numpy as np

    values = np.asarray(run.history["val_accuracy"][start - 1:], dtype=float)
    changes = np.diff(values)
    return float(changes.std(ddof=1)) if len(changes) > 1 else float("nan")


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
    """The two trained networks: baseline and dropout (optional augmentation), same data and settings, both for
    the full budget with the test accuracy recorded every epoch (early stopping is applied afterwards, see
    :func:`two_by_two`); ``global_batch`` and ``global_lr`` are already scaled by the number of replicas."""
    from functools import partial

    from ..experiments import Variant
    from ..models import build_fashion_cnn
    from ..train.augment import fashion_augmentation
    from ..train.classifier import train_classifier

    common = dict(data=split, epochs=P["epochs"], batch_size=global_batch, learning_rate=global_lr, strategy=strategy,
                  test_curve=True)
    regularised = partial(build_fashion_cnn, dropout=P["dropout_rate"], dense_dropout=P["dense_dropout_rate"])
    return {BASE: Variant(train_classifier, dict(build_model=partial(build_fashion_cnn), **common), P["epochs"]),
            DROPOUT: Variant(train_classifier, dict(build_model=regularised,
                                                    augment=fashion_augmentation if P["augment"] else None, **common),
                             P["epochs"])}


def regularisation_sentence(P: dict) -> str:
    return (f"**The 2 × 2 in this profile:** dropout {P['dropout_rate']:g} after each conv block and "
            f"{P['dense_dropout_rate']:g} after the dense layer, or none; early stopping with patience "
            f"{P['early_stopping_patience']} on the validation loss (best weights kept), applied to the recorded "
            f"epochs, or none" + ("; random shifts and flips with dropout." if P["augment"] else "; no augmentation."))


def early_stopping_sentence(arms, P: dict) -> str:
    """When early stopping would have ended each network, and which epoch it kept."""
    parts = []
    for arm in (BASE_ES, REG):
        kept = [int(r.best_epoch) for r in arms.ok(arm)]
        stopped = sum(1 for k in kept if k < P["epochs"])
        parts.append(f"{arm}: kept epoch {', '.join(map(str, kept))} (seed order), {stopped} of {len(kept)} before "
                     f"the {P['epochs']}-epoch limit")
    return "**Early stopping** (applied afterwards to the recorded epochs): " + "; ".join(parts) + "."


def budgets(P: dict) -> str:
    """The arms' training budgets in words."""
    return (f"both networks {P['epochs']} epochs; the early-stopping arms keep the epoch a patience of "
            f"{P['early_stopping_patience']} on the validation loss would have kept")


def recipe(P: dict, split):
    """The seed's recipe beside this run's, each setting marked as the seed's, Keras's default (the seed's
    framework: it writes TensorFlow and Keras) or ours, and the arms that decide the seed's claims."""
    from .reporting import recipe_table, source

    keras = "Keras's default (the seed's framework)"
    return recipe_table([
        ("network", "the seed's layer table (conv 32, 64, 128; dense 128)", "the same layers", "the seed's"),
        ("dropout", "after each conv and dense layer; rates not stated",
         f"{P['dropout_rate']:g} after each conv block, {P['dense_dropout_rate']:g} after the dense layer",
         "ours: the common rates for such blocks (no framework default exists)"),
        ("early stopping", "on validation loss; patience not stated",
         f"patience {P['early_stopping_patience']} on the validation loss, best weights kept, applied afterwards to "
         f"the recorded epochs so both arms train the same budget",
         "Keras's default patience 0 stops at the same epoch as 1; applying it afterwards is ours (both arms "
         "measured the same way)"),
        ("optimiser", "not stated", f"Adam, {P['learning_rate']:g}",
         source(P["learning_rate"] == 0.001, "Adam at " + keras)),
        ("batch size", "not stated", P["batch_size"], source(P["batch_size"] == 32, keras)),
        ("epochs", "not stated", budgets(P), "ours: long enough for early stopping to act within the budget"),
        ("augmentation", "optional; not said whether used", "random shifts and flips (dropout arms)" if P["augment"]
         else "none", "ours"),
        ("validation data", "not stated", f"{split.sizes()['val']:,} training images held out for stopping; the "
                                          f"claims about the procedure are measured on the test images",
         "ours: the test images stay unseen by every choice"),
        ("runs per model", "one", f"{len(P['seeds'])} seeds", "ours: seeds make the test possible"),
    ], {f"{REG} vs {BASE}": ", ".join(c.key for c in REGULARISATION if c.variant == REG),
        f"{DROPOUT} vs {BASE}": ", ".join(c.key for c in REGULARISATION if c.variant == DROPOUT),
        BASE: ", ".join(c.key for c in REGULARISATION if c.kind == "absolute" and c.variant == BASE)})


def prepare(page, runs, P: dict):
    """Hand the trained runs to the page (warn per failed run, stop if none finished); the 2 × 2's arms."""
    from ..experiments import train_val_gap
    from .reporting import record

    record(page, runs)
    arms = two_by_two(runs, P)
    arms.derive("train_val_gap", train_val_gap)
    return arms


def report_results(page, runs, arms, P: dict, split, ds, scope: str) -> None:
    """The results section (``page`` duck-typed: ``table``, ``figure``, ``say``): the 2 × 2 table, when early
    stopping kept, curves, confusion matrices of the trained networks, per-seed accuracy."""
    from .. import plots
    from ..experiments import classifier_table

    page.table(arms.table({"held-out (test) accuracy": ("held_out_accuracy", 100.0, 2, " %"),
                           "held-out loss": ("held_out_loss", 1.0, 4, ""),
                           "val accuracy": ("val_accuracy", 100.0, 2, " %"),
                           "gap logged train − held-out": ("logged_gap", 100.0, 2, " pts"),
                           "kept epoch": ("kept_epoch", 1.0, 1, ""),
                           f"sd of val acc changes, epochs {STABLE_FROM}+": ("val_change_sd", 100.0, 2, " pts")}),
               "two_by_two", caption=f"Dropout × early stopping, mean ± sd over seeds ({scope})")
    page.say(early_stopping_sentence(arms, P))
    page.table(classifier_table(runs), "metrics",
               caption=f"The two trained networks at their last epoch, mean ± sd over seeds ({scope})")
    histories = {name: [r.history for r in runs.ok(name)] for name in runs.variants}
    page.figure(plots.plot_training_curves(histories, title=f"Training and validation curves ({scope})"), "curves")
    page.figure(plots.plot_generalisation_gap(histories), "gap")
    page.figure(plots.plot_confusion_matrices(split.y_test, {n: [r.test_predictions for r in runs.ok(n)]
                                                            for n in runs.variants}, ds.class_names,
                                              title=f"Test confusion matrices at the last epoch, counts summed over "
                                                    f"seeds ({scope})"), "confusion")
    page.figure(plots.plot_seed_points({n: [v * 100 for v in arms.values(n, "held_out_accuracy")]
                                        for n in arms.variants},
                                       ylabel="held-out accuracy (%)", title=f"Held-out accuracy per seed ({scope})"),
                "test_accuracy")


def report_claims(page, arms, split, dataset: str, scope: str) -> None:
    """The seed's claims judged once as the study's family (the inference-mode gap beside the overfitting
    claim), the claims table, the 2 × 2's main effects in words and the page's finding."""
    from ..experiments import sentences

    support = {"s2.overfitting": f"train − validation gap in inference mode (dropout off): "
                                 f"{sentences.difference(arms.welch(BASE, REG, 'train_val_gap'))} (Welch t)"}
    m_val = split.sizes()["val"]
    page.claims_from([(c, arms.evidence(c, dataset=dataset, scope=scope, supporting=support.get(c.key, ""),
                                        m_ours=m_val)) for c in REGULARISATION])
    page.show_claims()
    page.say("- " + sentences.comparison(BASE, DROPOUT, "Held-out accuracy, dropout alone",
                                         arms.welch(BASE, DROPOUT, "held_out_accuracy")) +
             "\n- " + sentences.comparison(BASE, BASE_ES, "Held-out accuracy, early stopping alone",
                                           arms.welch(BASE, BASE_ES, "held_out_accuracy")))
    row = next(c for c in page.claims if c["key"] == "s2.val_accuracy")
    page.finding(sentences.claim_finding(f"{REG} − {BASE}, held-out accuracy", row, scope))


def golden_metrics(arms) -> dict:
    """The numbers nbval's golden check compares: mean held-out and validation accuracy per arm of the 2 × 2."""
    return {f"{n}_{k}": sum(arms.values(n, k)) / len(arms.values(n, k)) for n in arms.variants
            for k in ("held_out_accuracy", "val_accuracy")}
