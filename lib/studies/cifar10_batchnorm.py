"""Study 1, CIFAR-10 batch-norm ablation: its measures and the seed's claims.

Convergence speed (epochs to a validation-accuracy threshold), per-class
error. Verdicts on the seed's claims come from lib.experiments.claims.judge.
"""
from __future__ import annotations

import numpy as np

from ..experiments.claims import Claim
from ..experiments.stats import MCNEMAR, WELCH


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


# Seed 000's claims, quoted briefly; each is tested as it was stated. The seed gave directions, no sizes:
# the smallest effect that counts is stated here, before the run. The arms share each seed's data subset
# and batch order but not their weights (batch norm changes the network), so seed-level measures are
# compared as independent samples (Welch); test accuracy is scored on the same images by both models,
# so it is compared per image (McNemar). The error rate is 1 − accuracy: the same test, not another claim.
BN, PLAIN = "batch-norm CNN", "plain CNN"
BATCHNORM = [
    Claim("s1.accuracy", "000", "batch normalisation improves accuracy (and so lowers the error rate)",
          "test accuracy", kind="improves", measure="test_accuracy", variant=BN, baseline=PLAIN, seed_budget=15,
          margin=0.01, test=MCNEMAR),
    Claim("s1.convergence", "000", "batch normalisation improves convergence",
          "epochs to the validation-accuracy threshold", kind="improves", higher_is_better=False,
          measure="epochs_to_threshold", variant=BN, baseline=PLAIN, seed_budget=15, scale=1.0, unit=" epochs",
          margin=1.0, test=WELCH),
    Claim("s1.overfitting", "000", "batch normalisation reduces overfitting",
          "train − validation accuracy gap (inference mode)", kind="improves", higher_is_better=False,
          measure="train_val_gap", variant=BN, baseline=PLAIN, seed_budget=15, margin=0.01, test=WELCH),
]


# The seed's own training settings, to say what a profile changed.
SEED_SETTINGS = {"epochs": 15, "batch_size": 128, "learning_rate": 0.001, "lr_schedule": "constant",
                 "bn_momentum": 0.99}
# How the page names each setting; the seed states epochs, batch and Adam, and is silent on the rate, the
# schedule and the batch-norm momentum, so those are the Keras defaults of its time.
SETTING_WORDS = {"epochs": "epochs", "batch_size": "batch size", "learning_rate": "Adam learning rate",
                 "lr_schedule": "learning-rate schedule", "bn_momentum": "batch-norm momentum (Keras default 0.99)"}


def scope(split, generated: bool, P: dict) -> str:
    """What every number on the page was measured on."""
    return (("generated stand-in data, " if generated else "") + f"{split.sizes()['train']:,} train images, "
            f"{P['epochs']} epochs" + (" (cosine learning-rate decay)" if P["lr_schedule"] == "cosine" else "")
            + f", {len(P['seeds'])} seeds, profile {P['profile']}")


def profile_sentence(P: dict, split) -> str:
    """This profile's settings against the seed's, the batch-norm momentum, seeds and the convergence measure."""
    changes = [f"{SETTING_WORDS[k]} {P[k]} (seed: {v})" for k, v in SEED_SETTINGS.items() if P[k] != v]
    changes += [f"a stratified subset of {split.sizes()['train']:,} training images"] if P["n_train"] else []
    changes += [f"a stratified subset of {split.sizes()['test']:,} test images"] if P["n_test"] else []
    return ("**This profile against the seed.** " + ("; ".join(changes) if changes else "the seed's settings") +
            f". Seeds: {', '.join(map(str, P['seeds']))}. Convergence is measured as the first "
            f"epoch at {P['accuracy_threshold']:.0%} validation accuracy." +
            ("" if P["lr_sweep"] else " The learning-rate sweep is not part of this profile."))


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
    true value) and the test error to every run."""
    runs.derive("epochs_to_threshold",
                lambda r: censored_epochs([epochs_to_threshold(r.history, threshold)], epochs)[0])
    runs.derive("test_error", lambda r: 1 - r.metrics["test_accuracy"])


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
