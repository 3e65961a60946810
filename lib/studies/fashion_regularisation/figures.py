"""Study 2's tables, figures and sentences: the recipe and architecture tables, the results section (the 2 × 2,
curves, confusion matrices, per-seed accuracy) and the seed-state reading's sentence and table."""
from __future__ import annotations

from .recipe import (BASE, BASE_ES, DROPOUT, KERAS, KERAS_DEFAULTS, READINGS, REFERENCE, REG, SEED_TRAIN_ACCURACY,
                     STABLE_FROM, budgets)

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

# The 2 × 2's columns: (measure, scale, digits, unit), as RunSet.table reads them.
TWO_BY_TWO = {"held-out (test) accuracy": ("held_out_accuracy", 100.0, 2, " %"),
              "held-out loss": ("held_out_loss", 1.0, 4, ""),
              "val accuracy": ("val_accuracy", 100.0, 2, " %"),
              "gap logged train − held-out": ("logged_gap", 100.0, 2, " pts"),
              "kept epoch": ("kept_epoch", 1.0, 1, ""),
              f"sd of val acc changes, epochs {STABLE_FROM}+": ("val_change_sd", 100.0, 2, " pts")}


def architecture_table():
    """The baseline CNN's layers and output shapes, and the table's caption (with its parameter count)."""
    import pandas as pd

    from ...models import build_fashion_cnn

    model = build_fashion_cnn()
    table = pd.DataFrame([(layer.name, str(layer.output.shape[1:])) for layer in model.layers],
                         columns=["layer", "output shape"]).set_index("layer")
    return table, f"Baseline CNN, {model.count_params():,} parameters"


def regularisation_sentence(P: dict) -> str:
    return (f"**The 2 × 2 in this profile:** dropout {P['dropout_rate']:g} after each conv block and "
            f"{P['dense_dropout_rate']:g} after the dense layer, or none; early stopping with patience "
            f"{P['early_stopping_patience']} on the validation loss (best weights kept), applied to the recorded "
            f"epochs, or none" + ("; random shifts and flips with dropout." if P["augment"] else "; no augmentation."))


def recipe(P: dict, split):
    """The seed's recipe beside this run's, each setting marked as the seed's, Keras's default (the seed's
    framework: it writes TensorFlow and Keras) or ours, and the arms that decide the seed's claims."""
    from ..reporting import recipe_table, runs_and_readings, source
    from .claims import REGULARISATION

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
         source(P["learning_rate"] == KERAS_DEFAULTS["learning_rate"], "Adam at " + KERAS)),
        ("batch size", "not stated", P["batch_size"], source(P["batch_size"] == KERAS_DEFAULTS["batch_size"], KERAS)),
        ("epochs", f"not stated; its initial model logged {SEED_TRAIN_ACCURACY * 100:.2f} % training accuracy "
                   f"at its last epoch", budgets(P), f"{REFERENCE.source} (the reference reading)"),
        ("augmentation", "optional; not said whether used", "random shifts and flips (dropout arms)" if P["augment"]
         else "none", "ours"),
        ("validation data", "not stated", f"{split.sizes()['val']:,} training images held out for stopping; the "
                                          f"claims about the procedure are measured on the test images",
         "ours: the test images stay unseen by every choice"),
        *runs_and_readings(P, READINGS, "model"),
    ], {f"{REG} vs {BASE}": ", ".join(c.key for c in REGULARISATION if c.variant == REG),
        f"{DROPOUT} vs {BASE}": ", ".join(c.key for c in REGULARISATION if c.variant == DROPOUT),
        BASE: ", ".join(c.key for c in REGULARISATION if c.kind == "absolute" and c.variant == BASE)})


def settings(page, P: dict, data) -> None:
    """The models and settings: the seed's recipe beside this run's, the baseline's layers, the 2 × 2 in words."""
    page.table(recipe(P, data.split), "recipe", caption="The seed's recipe and this run's")
    architecture, caption = architecture_table()
    page.table(architecture, "architecture", caption=caption)
    page.say(regularisation_sentence(P))


def early_stopping_sentence(arms, P: dict) -> str:
    """When early stopping would have ended each network, and which epoch it kept."""
    parts = []
    for arm in (BASE_ES, REG):
        kept = [int(r.best_epoch) for r in arms.ok(arm)]
        stopped = sum(1 for k in kept if k < P["epochs"])
        parts.append(f"{arm}: kept epoch {', '.join(map(str, kept))} (seed order), {stopped} of {len(kept)} before "
                     f"the {P['epochs']}-epoch limit")
    return "**Early stopping** (applied afterwards to the recorded epochs): " + "; ".join(parts) + "."


def results(page, runs, P: dict) -> None:
    """The results section (``page`` duck-typed: ``table``, ``figure``, ``say``): the 2 × 2 table, when early
    stopping kept, curves, confusion matrices of the trained networks, per-seed accuracy."""
    from ... import plots
    from ...experiments import classifier_table

    trained, arms, scope = runs.trained, runs.arms, runs.data.scope
    page.table(arms.table(TWO_BY_TWO), "two_by_two",
               caption=f"Dropout × early stopping, mean ± sd over seeds ({scope})")
    page.say(early_stopping_sentence(arms, P))
    page.table(classifier_table(trained), "metrics",
               caption=f"The two trained networks at their last epoch, mean ± sd over seeds ({scope})")
    histories = {name: [r.history for r in trained.ok(name)] for name in trained.variants}
    page.figure(plots.plot_training_curves(histories, title=f"Training and validation curves ({scope})"), "curves")
    page.figure(plots.plot_generalisation_gap(histories), "gap")
    predictions = {n: [r.test_predictions for r in trained.ok(n)] for n in trained.variants}
    page.figure(plots.plot_confusion_matrices(runs.data.split.y_test, predictions, runs.data.ds.class_names,
                                              title=f"Test confusion matrices at the last epoch, counts summed over "
                                                    f"seeds ({scope})"), "confusion")
    page.figure(plots.plot_seed_points({n: [v * 100 for v in arms.values(n, "held_out_accuracy")]
                                        for n in arms.variants},
                                       ylabel="held-out accuracy (%)", title=f"Held-out accuracy per seed ({scope})"),
                "test_accuracy")


def seed_state_sentence(state) -> str:
    """Which epoch the seed-state reading was read at, or why it was not (no reading verdict then)."""
    target = f"{state.target * 100:.2f} %"
    head = "**The seed's training state** (a declared reading, shown beside the claims, not counted): "
    if state.reason:
        return head + f"not located in this run, so no claim is judged under it: {state.reason}."
    seeds = list(state.epochs)
    kept = {arm: ", ".join(str(int(r.best_epoch)) for r in state.arms.ok(arm)) for arm in (BASE_ES, REG)}
    mean = (f"the mean curve over seeds first reaches it at epoch {state.mean_epoch}" if state.mean_epoch else
            "the mean curve over seeds does not reach it")
    return (head + f"the seed's initial model logged {target} training accuracy at its last epoch. Our baseline's "
            f"logged training accuracy first reaches it at epoch {', '.join(str(state.epochs[s]) for s in seeds)} "
            f"(seed order; {', '.join(f'{state.reached[s] * 100:.2f} %' for s in seeds)} there) of the "
            f"{state.trained} epochs trained; {mean}. "
            f"Each seed's four arms are read as if that epoch had been the budget: the baseline and the dropout "
            f"network at it, the early-stopping arms at the epoch early stopping would have kept within it "
            f"({BASE_ES}: {kept[BASE_ES]}; {REG}: {kept[REG]}), so every claim below applies there. The two "
            f"readings share their runs, so the test of the difference of effects, which treats them as "
            f"independent, is conservative.")


def readings(page, runs, P: dict) -> None:
    """Each other declared reading, before the claims: its sentence and, where it is located, its 2 × 2."""
    for state in runs.readings.values():
        page.say(seed_state_sentence(state))
        if state.arms is None:
            continue
        at = f"{runs.data.scope}; read at each seed's matched epoch"
        page.table(state.arms.table(TWO_BY_TWO), "two_by_two_seed_state",
                   caption=f"Dropout × early stopping at {READINGS['seed_state'].name}, epoch "
                           f"{', '.join(map(str, state.epochs.values()))} (seed order), mean ± sd over seeds ({at})")
