"""Study 2's claims (seed 002, quoted briefly) and their evidence from the runs, judged once as the study's family."""
from __future__ import annotations

from ...experiments.claims import Claim, Evidence, judge_family
from .recipe import BASE, BASE_ES, DROPOUT, REG, SEED_REPORTED, SEED_VAL_IMAGES, STABLE_FROM
from .data import DATASET

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

# The seed's numbers are validation numbers of one run each; our claims about the procedure are measured on test
# images that neither training nor stopping saw (the seed's own validation set may have been the test set; ours is a
# stopping split that early stopping has looked at). Dropout changes what each seed draws, so the arms are
# independent samples (Welch). Smallest effects: lib.experiments.SESOI. The seed's number for each model (validation
# accuracy, one run) is set against our one-run interval, measured as the seed did: the baseline at its last epoch,
# the optimised model at the epoch early stopping kept, on our validation images.
_B, _R = SEED_REPORTED[BASE], SEED_REPORTED[REG]
_SEED_002 = dict(kind="improves", variant=REG, baseline=BASE, dataset=DATASET)
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
          baseline=BASE, dataset=DATASET),
    Claim("s2.baseline_val", "002", "initial model: 88.54 % validation accuracy", "validation accuracy",
          seed_value=_B["val_accuracy"], seed_measured="last epoch", seed_images=SEED_VAL_IMAGES,
          measure="val_accuracy", variant=BASE, dataset=DATASET),
    Claim("s2.regularised_val", "002", "optimised model: 89.02 % validation accuracy", "validation accuracy",
          seed_value=_R["val_accuracy"], seed_measured="at the epoch early stopping kept", seed_images=SEED_VAL_IMAGES,
          measure="val_accuracy", variant=REG, dataset=DATASET),
]


def pairs(arms, dataset: str, scope: str, m_val: int, support: dict | None = None) -> list:
    """Each claim with its evidence from ``arms``; a claim whose measure is undefined in some run of its arms (the
    stability window holds under two epoch-to-epoch changes) is not measured in this run, and says why."""
    out = []
    for c in REGULARISATION:
        values = [v for arm in (c.variant, c.baseline) if arm for v in arms.values(arm, c.measure)]
        if any(v != v for v in values):
            why = ("the stability window (epochs {0} to the budget's last) needs two epoch-to-epoch changes, "
                   "so a budget of at least {1} epochs".format(STABLE_FROM, STABLE_FROM + 2)
                   if c.measure == "val_change_sd" else f"{c.measure} is undefined in some run")
            out.append((c, Evidence(applicable=False, reason=why, dataset=dataset, scope=scope, measure=c.measure)))
            continue
        out.append((c, arms.evidence(c, dataset=dataset, scope=scope, supporting=(support or {}).get(c.key, ""),
                                     m_ours=m_val)))
    return out


def family(runs, P: dict):
    """The seed's claims judged once as the study's family at the reference reading (the inference-mode gap beside
    the overfitting claim), each located declared reading's claims beside them (uncounted), the 2 × 2's main effects
    in words as notes and the page's finding."""
    from ...experiments import sentences

    arms, data = runs.arms, runs.data
    support = {"s2.overfitting": f"train − validation gap in inference mode (dropout off), measured at the last "
                                 f"epoch only, so {DROPOUT} − {BASE}: "
                                 f"{sentences.difference(arms.welch(BASE, DROPOUT, 'train_val_gap'))} (Welch t)"}
    m_val = data.split.sizes()["val"]
    judged = {state.name: pairs(state.arms, data.trained_on, f"{data.scope}; read at each seed's matched epoch", m_val)
              for state in runs.readings.values() if state.arms is not None}
    result = judge_family(pairs(arms, data.trained_on, data.scope, m_val, support), readings=judged)
    result.notes = [sentences.comparison(BASE, DROPOUT, "Held-out accuracy, dropout alone",
                                         arms.welch(BASE, DROPOUT, "held_out_accuracy")),
                    sentences.comparison(BASE, BASE_ES, "Held-out accuracy, early stopping alone",
                                         arms.welch(BASE, BASE_ES, "held_out_accuracy"))]
    return result.headline(f"{REG} − {BASE}, held-out accuracy", "s2.val_accuracy", data.scope)
