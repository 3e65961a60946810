"""Study 5's claims (seed 001), declared before the run, as (Claim, Evidence) pairs built from the runs.

Every arm draws its own data stream per seed (which real and synthetic images, in which order), so a seed
pairs nothing: arms are compared as independent samples (Welch). The seed reported no differences, so the
smallest effect that counts is stated here: one point of test accuracy (or of the train − test gap).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ...experiments.claims import Claim, Evidence
from ...experiments.stats import WELCH

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

SEED = "001"
POINT = 0.01   # one point of accuracy: the smallest effect that counts for every comparison below

TEST_ACCURACY = Claim("seed_test_accuracy", SEED, "VGG-16 on real + GAN images: about 44.83 % test accuracy",
                      "test accuracy", seed_value=0.4483, tolerance=0.02, measure="test_accuracy")
TRAIN_ACCURACY = Claim("seed_train_accuracy", SEED, "VGG-16 on real + GAN images: about 71.10 % training accuracy",
                       "train accuracy", seed_value=0.7110, tolerance=0.02, measure="train_accuracy")
GENERALISATION = Claim("synthetic_generalisation", SEED, "synthetic images improved generalization",
                       "test accuracy, with synthetic images − real only", "improves", measure="test_accuracy",
                       margin=POINT, test=WELCH)
OVERFITTING = Claim("synthetic_overfitting", SEED, "synthetic images reduced overfitting",
                    "train − test gap, with synthetic images − real only", "improves", higher_is_better=False,
                    measure="train_test_gap", margin=POINT, test=WELCH)
BEATS_RESNET = Claim("vgg_beats_resnet", SEED, "VGG-16 with GANs outperformed ResNet", "test accuracy, VGG-16 − ResNet",
                     "improves", measure="test_accuracy", margin=POINT, test=WELCH)
BEATS_IMAGENET = Claim("vgg_beats_imagenet", SEED, "VGG-16 with GANs outperformed ImageNet models",
                       "test accuracy, VGG-16 − ImageNet-pretrained VGG-16", "improves", measure="test_accuracy",
                       margin=POINT, test=WELCH)


def train_test_gap(run) -> float:
    return run.metrics["train_accuracy"] - run.metrics["test_accuracy"]


@dataclass
class Setting:
    """What this run could test: the arms' names and why a claim is out of reach."""
    real: str                 # VGG-16-BN on real images only
    mixed: str                # the same on the compared real + synthetic mix
    resnet: str
    seed_vgg: str             # the seed-recipe VGG-16 on the mix ("" when it did not run)
    imagenet: str             # the ImageNet-pretrained VGG-16 on the mix ("" when skipped)
    comparable: bool          # the seed's setting: full CIFAR-100, full-width VGG-16
    why_not: str              # why not comparable
    cas_passed: bool
    gated: str                # why no conclusion on synthetic images (CAS below the gate)
    imagenet_why: str = ""    # why the ImageNet arm was skipped
    params: dict | None = None


def claims(runs, s: Setting, cas: list[float], gate: float, gate_x_chance: float) -> list[tuple[Claim, Evidence]]:
    """The seed's claims and our CAS check, each with its evidence from ``runs``."""
    p = s.params or {}
    seed_ok = bool(s.seed_vgg and runs.ok(s.seed_vgg))
    out = []
    for claim in (TEST_ACCURACY, TRAIN_ACCURACY):
        claim = replace(claim, variant=s.seed_vgg)
        why = s.why_not or "the seed-recipe VGG-16 did not finish"
        out.append((claim, runs.evidence(claim) if s.comparable and seed_ok
                    else Evidence(applicable=False, reason=why)))
    gen = replace(GENERALISATION, variant=s.mixed, baseline=s.real, metric=f"test accuracy, {s.mixed} − {s.real}")
    out.append((gen, runs.evidence(gen) if s.cas_passed else Evidence(applicable=False, reason=s.gated)))
    gap = replace(OVERFITTING, variant=s.mixed, baseline=s.real, metric=f"train − test gap, {s.mixed} − {s.real}")
    out.append((gap, Evidence(comparison=runs.welch(s.real, s.mixed, train_test_gap), measure="train_test_gap")
                if s.cas_passed else Evidence(applicable=False, reason=s.gated)))
    res = replace(BEATS_RESNET, variant=s.mixed, baseline=s.resnet,
                  metric=f"test accuracy, {s.mixed} ({p.get(s.mixed, 0):,} parameters) − {s.resnet} "
                         f"({p.get(s.resnet, 0):,})")
    out.append((res, runs.evidence(res)))
    img = replace(BEATS_IMAGENET, variant=s.mixed, baseline=s.imagenet or "ImageNet-pretrained VGG-16",
                  metric=f"test accuracy, {s.mixed} − {s.imagenet or 'ImageNet-pretrained VGG-16'}")
    out.append((img, runs.evidence(img) if s.imagenet else Evidence(applicable=False, reason=s.imagenet_why)))
    cas_claim = Claim("cas_class_signal", SEED, f"the GAN's images carry their class: CAS ≥ {gate:.1%} "
                      f"({gate_x_chance:g}× chance)", "CAS test accuracy, per seed", "qualitative", addition=True)
    out.append((cas_claim, Evidence(values=[float(v >= gate) for v in cas])))
    return out
