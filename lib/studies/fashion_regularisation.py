"""Study 2, Fashion-MNIST CNN regularisation: the seed's claims (seed 002), the two arms and the page's sentences."""
from __future__ import annotations

from dataclasses import dataclass

from ..experiments.claims import Claim, Evidence, Reading, judge_family
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
# Seed 002's training-results table (one run per model, "validation" in its words), declared once: the claims,
# the recipe table and the seed-state reading read it from here.
SEED_REPORTED = {BASE: {"train_accuracy": 0.9246, "train_loss": 0.1967, "val_accuracy": 0.8854, "val_loss": 0.3538},
                 REG: {"train_accuracy": 0.8697, "train_loss": 0.3559, "val_accuracy": 0.8902, "val_loss": 0.2923}}
_B, _R = SEED_REPORTED[BASE], SEED_REPORTED[REG]
_SEED_002 = dict(kind="improves", variant=REG, baseline=BASE, dataset="fashion_mnist")
REGULARISATION = [
    Claim("s2.val_accuracy", "002", "regularisation gives a higher validation accuracy (88.54 % → 89.02 %)",
          "held-out accuracy (test images) at each arm's kept epoch", measure="held_out_accuracy",
          seed_effect=_R["val_accuracy"] - _B["val_accuracy"], **_SEED_002),
    Claim("s2.val_loss", "002", "the validation loss decreased (0.3538 → 0.2923)",
          "held-out loss (test images) at each arm's kept epoch", higher_is_better=False, metric_kind="loss",
          measure="held_out_loss", seed_effect=_R["val_loss"] - _B["val_loss"], scale=1.0, unit="", digits=4,
          **_SEED_002),
    Claim("s2.overfitting", "002", "reduced overfitting: training and validation accuracies more aligned",
          "training accuracy as Keras logs it (dropout on) − held-out accuracy, at the kept epoch",
          higher_is_better=False, measure="logged_gap",
          seed_effect=(_R["train_accuracy"] - _R["val_accuracy"]) - (_B["train_accuracy"] - _B["val_accuracy"]),
          **_SEED_002),
    Claim("s2.stability", "002", "a more stable validation accuracy",
          f"sd of the epoch-to-epoch changes of validation accuracy, epochs {STABLE_FROM} to the last (both arms "
          f"trained to the full budget; early stopping picks an epoch, it does not change the path)",
          kind="improves", higher_is_better=False, metric_kind="loss", measure="val_change_sd", variant=DROPOUT,
          baseline=BASE, dataset="fashion_mnist"),
    Claim("s2.baseline_val", "002", "initial model: 88.54 % validation accuracy", "validation accuracy",
          seed_value=_B["val_accuracy"], seed_measured="last epoch", seed_images=10_000, measure="val_accuracy",
          variant=BASE, dataset="fashion_mnist"),
    Claim("s2.regularised_val", "002", "optimised model: 89.02 % validation accuracy", "validation accuracy",
          seed_value=_R["val_accuracy"], seed_measured="at the epoch early stopping kept", seed_images=10_000,
          measure="val_accuracy", variant=REG, dataset="fashion_mnist"),
]

# The seed states no epoch count; its one clue to how long its networks trained is its initial model's training
# accuracy as Keras logged it at its last epoch (SEED_REPORTED), which ours, trained the profile's budget, passes.
# The reference reading is the profile's full budget (it decides, and is counted). The seed-state reading, declared
# by rule before the run and read from the recorded epochs without training anything, takes the budget at which
# our baseline is where the seed's was:
# - per seed: each seed's budget is the first epoch at which its own baseline's logged training accuracy reaches
#   the seed's. The seed scored one run at its own last epoch; one budget from the mean curve would leave single
#   runs of ours short of that state or past it. (The mean curve's epoch is said beside, for comparison.)
# - one budget per seed for all four arms, from the paired seed's baseline, never the dropout network's own
#   training accuracy: the seed reports one training setup for both models (early stopping can only end the
#   optimised one sooner), and the dropout network's training accuracy is what the overfitting claim compares,
#   so matching it to the seed's optimised model's would fix an outcome of the arm under test.
# - at that budget the baseline and the dropout network are read at its last epoch and the early-stopping arms at
#   the epoch early stopping would have kept within it, so every claim keeps its meaning (the stability window runs
#   from epoch 3 to the budget's last; under two epoch-to-epoch changes it is not measured).
# - not located (no reading verdict) when some seed's baseline never reaches it within the recorded epochs,
#   or already has at the first record (the state lies before the first epoch the runs record).
REFERENCE = Reading("reference: the profile's full budget", {"epochs": "the profile's"},
                    "ours: long enough for early stopping to act within the budget", reference=True)
READINGS = {
    "seed_state": Reading("the seed's training state", {"epochs": "per seed, the first epoch whose logged baseline "
                                                                  "training accuracy reaches the seed's "
                                                                  f"{_B['train_accuracy'] * 100:.2f} %"},
                          f"ours: the seed states no epoch count but reports its initial model's training accuracy "
                          f"({_B['train_accuracy'] * 100:.2f} %); per seed, the first epoch whose logged baseline "
                          f"training accuracy reaches it, read from the recorded epochs (no training of its own)"),
}


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
    """``run`` as the 2 × 2's ``arm`` would have left it: its numbers at ``epoch`` (from the per-epoch record). The
    run's end-of-training measures (inference mode on each split) are kept only at its last epoch: at any other they
    would be another epoch's numbers."""
    from dataclasses import replace

    h, i = run.history, epoch - 1
    last = epoch == len(h["val_loss"])
    kept = {k: v for k, v in run.metrics.items() if last or not k.startswith(("train_", "val_", "test_"))}
    metrics = {**kept, "val_accuracy": h["val_accuracy"][i], "val_loss": h["val_loss"][i],
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


def first_epoch_reaching(values, target: float) -> int | None:
    """The first epoch (1-based) whose value reaches ``target``; None when none does."""
    return next((epoch for epoch, v in enumerate(values, start=1) if v >= target), None)


def within(run, epochs: int):
    """``run`` as if its budget had been ``epochs``: its per-epoch record cut there, and none of its end-of-training
    measures (they belong to the last epoch trained)."""
    from dataclasses import replace

    return replace(run, history={k: list(v[:epochs]) for k, v in run.history.items()}, metrics={},
                   epochs_run=epochs, best_epoch=epochs)


@dataclass
class SeedState:
    """The seed-state reading of one run (see READINGS): each seed's budget, the 2 × 2 at it, or why there is none."""
    target: float                   # the seed's initial model's training accuracy
    epochs: dict                    # seed -> the first epoch whose logged baseline training accuracy reaches it
    trained: int                    # the profile's budget
    reached: dict                   # seed -> its logged training accuracy at that epoch
    mean_epoch: int | None = None   # the same read from the mean curve over seeds (said beside, never used)
    reason: str = ""                # why it is not located ("" when it is)
    arms: object = None             # the 2 × 2 at each seed's budget (a RunSet) when located

    @property
    def name(self) -> str:
        """The reading's name as the claims table shows it, with the epochs it was read at."""
        return f"{READINGS['seed_state'].name} (epoch {', '.join(map(str, self.epochs.values()))})"


def seed_state(runs, P: dict) -> SeedState:
    """The seed-state reading (declared in READINGS): per seed, the first epoch whose logged baseline training
    accuracy reaches the seed's; every arm of that seed read as if it had been the budget (:func:`two_by_two`
    on the runs cut there). Not located when some seed's baseline never reaches it, or already has at epoch 1."""
    import numpy as np

    from ..experiments import RunSet

    target = SEED_REPORTED[BASE]["train_accuracy"]
    base = runs.ok(BASE)
    curves = {r.seed: r.history.get("accuracy", []) for r in base}
    epochs = {seed: first_epoch_reaching(c, target) for seed, c in curves.items()}
    shortest = min((len(c) for c in curves.values()), default=0)
    mean = np.mean([c[:shortest] for c in curves.values()], axis=0) if base and shortest else []
    reached = {seed: curves[seed][e - 1] for seed, e in epochs.items() if e}
    state = SeedState(target, epochs, P["epochs"], reached, first_epoch_reaching(mean, target))
    never = [s for s, e in epochs.items() if e is None]
    at_once = [s for s, e in epochs.items() if e == 1]
    if not base:
        state.reason = "no baseline run finished"
    elif never:
        highest = "; ".join(f"seed {s}: {max(curves[s], default=float('nan')) * 100:.2f} %" for s in never)
        state.reason = (f"the baseline's logged training accuracy never reaches the seed's {target * 100:.2f} % in "
                        f"the {P['epochs']} recorded epochs (highest {highest})")
    elif at_once:
        state.reason = (f"the baseline's logged training accuracy is already at or above the seed's "
                        f"{target * 100:.2f} % after the first epoch (seed {', '.join(map(str, at_once))}): the "
                        f"seed's state lies before the first epoch the runs record")
    if state.reason:
        return state
    cut = RunSet()
    for arm in TRAINED:
        for r in runs.ok(arm):
            if r.seed in epochs:
                cut.add(arm, within(r, epochs[r.seed]))
    state.arms = two_by_two(cut, P)
    return state


def seed_state_sentence(state: SeedState) -> str:
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
    from .reporting import recipe_table, runs_and_readings, source

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
        ("epochs", f"not stated; its initial model logged {_B['train_accuracy'] * 100:.2f} % training accuracy "
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


def prepare(page, runs, P: dict):
    """Hand the trained runs to the page (warn per failed run, stop if none finished); the 2 × 2's arms."""
    from ..experiments import train_val_gap

    page.record(runs)
    arms = two_by_two(runs, P)
    for r in arms.ok(BASE) + arms.ok(DROPOUT):  # at their last epoch: the only one measured in inference mode
        r.metrics["train_val_gap"] = train_val_gap(r)
    return arms


# The 2 × 2's columns: (measure, scale, digits, unit), as RunSet.table reads them.
TWO_BY_TWO = {"held-out (test) accuracy": ("held_out_accuracy", 100.0, 2, " %"),
              "held-out loss": ("held_out_loss", 1.0, 4, ""),
              "val accuracy": ("val_accuracy", 100.0, 2, " %"),
              "gap logged train − held-out": ("logged_gap", 100.0, 2, " pts"),
              "kept epoch": ("kept_epoch", 1.0, 1, ""),
              f"sd of val acc changes, epochs {STABLE_FROM}+": ("val_change_sd", 100.0, 2, " pts")}


def report_results(page, runs, arms, P: dict, split, ds, scope: str) -> None:
    """The results section (``page`` duck-typed: ``table``, ``figure``, ``say``): the 2 × 2 table, when early
    stopping kept, curves, confusion matrices of the trained networks, per-seed accuracy."""
    from .. import plots
    from ..experiments import classifier_table

    page.table(arms.table(TWO_BY_TWO), "two_by_two",
               caption=f"Dropout × early stopping, mean ± sd over seeds ({scope})")
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


def readings(runs, P: dict) -> dict:
    """Each other declared reading the profile lists (READINGS; the seed's training state is the only one): key ->
    its :class:`SeedState`, read from the recorded epochs."""
    return {key: seed_state(runs, P) for key in P.get("readings") or []}


def _pairs(arms, dataset: str, scope: str, m_val: int, support: dict | None = None) -> list:
    """Each claim with its evidence from ``arms``; a claim whose measure is undefined in some run of its arms (the
    stability window holds under two epoch-to-epoch changes) is not measured in this run, and says why."""
    pairs = []
    for c in REGULARISATION:
        values = [v for arm in (c.variant, c.baseline) if arm for v in arms.values(arm, c.measure)]
        if any(v != v for v in values):
            why = ("the stability window (epochs {0} to the budget's last) needs two epoch-to-epoch changes, "
                   "so a budget of at least {1} epochs".format(STABLE_FROM, STABLE_FROM + 2)
                   if c.measure == "val_change_sd" else f"{c.measure} is undefined in some run")
            pairs.append((c, Evidence(applicable=False, reason=why, dataset=dataset, scope=scope, measure=c.measure)))
            continue
        pairs.append((c, arms.evidence(c, dataset=dataset, scope=scope, supporting=(support or {}).get(c.key, ""),
                                       m_ours=m_val)))
    return pairs


def report_claims(page, arms, split, dataset: str, scope: str, others: dict | None = None) -> None:
    """The seed's claims judged once as the study's family (the inference-mode gap beside the overfitting
    claim), each other declared reading beside them (``others``, from :func:`readings`: its sentence, its 2 × 2
    and, where it is located, the same claims under it, uncounted), the claims table, the 2 × 2's main effects in
    words and the page's finding."""
    from ..experiments import sentences

    support = {"s2.overfitting": f"train − validation gap in inference mode (dropout off), measured at the last "
                                 f"epoch only, so {DROPOUT} − {BASE}: "
                                 f"{sentences.difference(arms.welch(BASE, DROPOUT, 'train_val_gap'))} (Welch t)"}
    m_val = split.sizes()["val"]
    judged = {}
    for state in (others or {}).values():
        page.say(seed_state_sentence(state))
        if state.arms is None:
            continue
        at = f"{scope}; read at each seed's matched epoch"
        page.table(state.arms.table(TWO_BY_TWO), "two_by_two_seed_state",
                   caption=f"Dropout × early stopping at {READINGS['seed_state'].name}, epoch "
                           f"{', '.join(map(str, state.epochs.values()))} (seed order), mean ± sd over seeds ({at})")
        judged[state.name] = _pairs(state.arms, dataset, at, m_val)
    family = judge_family(_pairs(arms, dataset, scope, m_val, support), readings=judged)
    family.notes = [sentences.comparison(BASE, DROPOUT, "Held-out accuracy, dropout alone",
                                         arms.welch(BASE, DROPOUT, "held_out_accuracy")),
                    sentences.comparison(BASE, BASE_ES, "Held-out accuracy, early stopping alone",
                                         arms.welch(BASE, BASE_ES, "held_out_accuracy"))]
    page.claims(family.headline(f"{REG} − {BASE}, held-out accuracy", "s2.val_accuracy", scope))


def golden_metrics(arms) -> dict:
    """The numbers nbval's golden check compares: mean held-out and validation accuracy per arm of the 2 × 2."""
    return {f"{n}_{k}": sum(arms.values(n, k)) / len(arms.values(n, k)) for n in arms.variants
            for k in ("held_out_accuracy", "val_accuracy")}
