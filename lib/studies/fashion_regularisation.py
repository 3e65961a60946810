"""Study 2, Fashion-MNIST CNN regularisation: the seed's claims (seed 002), the two arms and the page's sentences."""
from __future__ import annotations

from ..experiments.claims import Claim
from ..experiments.stats import WELCH

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

REG, BASE = "regularised", "baseline"
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
    """How many regularised runs early stopping ended before the epoch limit ("" without early stopping)."""
    if not P["early_stopping_patience"]:
        return ""
    stopped = [r.epochs_run < P["epochs"] for r in runs.ok(REG)]
    return (f"**Early stopping** ended {sum(stopped)} of {len(stopped)} regularised runs before the "
            f"{P['epochs']}-epoch limit" + ("." if any(stopped) else
                                            ": in this profile the regularised variant is in effect dropout alone."))


# Shown beside s2.overfitting, never counted: the same gap with dropout off.
SUPPORTING_GAP = ("train_val_gap", "train − validation gap in inference mode (dropout off)")
