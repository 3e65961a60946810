"""Study 2's arms and readings taken from the recorded epochs, training nothing: the dropout × early-stopping 2 × 2
(early stopping applied afterwards, as Keras's callback would have stopped) and the seed-state reading (recipe.py)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from .recipe import BASE, BASE_ES, DROPOUT, READINGS, REG, SEED_TRAIN_ACCURACY, STABLE_FROM, STOP_ON, TRAINED

# Read from finished runs only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


def kept_epoch(history: dict, patience: int, key: str = STOP_ON) -> int:
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
    h, i = run.history, epoch - 1
    last = epoch == len(h["val_loss"])
    kept = {k: v for k, v in run.metrics.items() if last or not k.startswith(("train_", "val_", "test_"))}
    metrics = {**kept, "val_accuracy": h["val_accuracy"][i], "val_loss": h["val_loss"][i],
               "held_out_accuracy": h["test_accuracy"][i], "held_out_loss": h["test_loss"][i],
               "logged_gap": h["accuracy"][i] - h["test_accuracy"][i], "kept_epoch": float(epoch)}
    return replace(run, metrics=metrics, best_epoch=epoch, variant=arm)


def val_change_sd(run, start: int = STABLE_FROM) -> float:
    """Sample sd of the epoch-to-epoch changes of validation accuracy from epoch ``start`` to the last."""
    import numpy as np

    values = np.asarray(run.history["val_accuracy"][start - 1:], dtype=float)
    changes = np.diff(values)
    return float(changes.std(ddof=1)) if len(changes) > 1 else float("nan")


def two_by_two(runs, P: dict):
    """The four arms from the two trained networks per seed: each at its last epoch and at the epoch early
    stopping (patience ``early_stopping_patience``) would have kept."""
    from ...experiments import RunSet

    out = RunSet()
    patience = P["early_stopping_patience"]
    for trained, stopped in ((BASE, BASE_ES), (DROPOUT, REG)):
        for r in runs.ok(trained):
            out.add(trained, at_epoch(r, len(r.history["val_loss"]), trained))
            out.add(stopped, at_epoch(r, kept_epoch(r.history, patience), stopped))
    out.derive("val_change_sd", val_change_sd)
    return out


def main_arms(runs, P: dict):
    """The reference reading's 2 × 2, with the trained networks' inference-mode gap (measured at their last epoch
    only, the one measured in inference mode) beside the overfitting claim."""
    from ...experiments import train_val_gap

    arms = two_by_two(runs, P)
    for r in arms.ok(BASE) + arms.ok(DROPOUT):
        r.metrics["train_val_gap"] = train_val_gap(r)
    return arms


def first_epoch_reaching(values, target: float) -> int | None:
    """The first epoch (1-based) whose value reaches ``target``; None when none does."""
    return next((epoch for epoch, v in enumerate(values, start=1) if v >= target), None)


def within(run, epochs: int):
    """``run`` as if its budget had been ``epochs``: its per-epoch record cut there, and none of its end-of-training
    measures (they belong to the last epoch trained)."""
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


def _not_located(curves: dict, epochs: dict, target: float, P: dict) -> str:
    """Why the seed's state is not located in these runs ("" when it is)."""
    never = [s for s, e in epochs.items() if e is None]
    at_once = [s for s, e in epochs.items() if e == 1]
    if not curves:
        return "no baseline run finished"
    if never:
        highest = "; ".join(f"seed {s}: {max(curves[s], default=float('nan')) * 100:.2f} %" for s in never)
        return (f"the baseline's logged training accuracy never reaches the seed's {target * 100:.2f} % in "
                f"the {P['epochs']} recorded epochs (highest {highest})")
    if at_once:
        return (f"the baseline's logged training accuracy is already at or above the seed's "
                f"{target * 100:.2f} % after the first epoch (seed {', '.join(map(str, at_once))}): the "
                f"seed's state lies before the first epoch the runs record")
    return ""


def seed_state(runs, P: dict) -> SeedState:
    """The seed-state reading (declared in READINGS): per seed, the first epoch whose logged baseline training
    accuracy reaches the seed's; every arm of that seed read as if it had been the budget (:func:`two_by_two`
    on the runs cut there). Not located when some seed's baseline never reaches it, or already has at epoch 1."""
    import numpy as np

    from ...experiments import RunSet

    target = SEED_TRAIN_ACCURACY
    curves = {r.seed: r.history.get("accuracy", []) for r in runs.ok(BASE)}
    epochs = {seed: first_epoch_reaching(c, target) for seed, c in curves.items()}
    shortest = min((len(c) for c in curves.values()), default=0)
    mean = np.mean([c[:shortest] for c in curves.values()], axis=0) if curves and shortest else []
    reached = {seed: curves[seed][e - 1] for seed, e in epochs.items() if e}
    state = SeedState(target, epochs, P["epochs"], reached, first_epoch_reaching(mean, target))
    state.reason = _not_located(curves, epochs, target, P)
    if state.reason:
        return state
    cut = RunSet()
    for arm in TRAINED:
        for r in runs.ok(arm):
            if r.seed in epochs:
                cut.add(arm, within(r, epochs[r.seed]))
    state.arms = two_by_two(cut, P)
    return state


def other_readings(runs, P: dict) -> dict:
    """Each other declared reading the profile lists (READINGS; the seed's training state is the only one): key ->
    its :class:`SeedState`, read from the recorded epochs."""
    return {key: seed_state(runs, P) for key in P.get("readings") or []}
