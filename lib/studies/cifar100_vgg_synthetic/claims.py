"""Study 5's claims (seed 001), declared before the run, as (Claim, Evidence) pairs built from the runs.

Every arm draws its own synthetic images per seed, and each seed trains its own GAN, so a seed pairs nothing:
arms are compared as independent samples (Welch). The seed reported no differences; the smallest effects of
interest are the report's (lib.experiments.claims.SESOI). Every seed claim is about CIFAR-100 (the dataset gate):
on the CIFAR-10 fallback, or at a reduced size, the rows are not tested here, our numbers shown as context. The overfitting claim is judged
only in a regime where the real-only model overfits (a declared train − test gap), and the claims about adding
synthetic images only when those images carry their class in every seed (the CAS gate, :func:`cas_gate`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ...experiments import sentences, stats
from ...experiments.claims import Claim, Evidence, Family, claim_finding, gate, judge_family
from .arms import mixed

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

SEED = "001"
# The declared gate (issue 24): the synthetic images carry their class when a classifier trained on them alone
# reaches at least this share of the test accuracy the same classifier, recipe and steps reach on as many real
# images (the CAS against real, Ravuri & Vinyals 2019), in every seed: each seed has its own GAN, so a mean over
# seeds could let one good GAN carry a failed one (issue 35). Below it the page draws no conclusion about adding
# the images.
CAS_GATE_OF_REAL = 0.6
OVERFIT_MIN = 0.05  # the real-only train − test gap (5 points) from which "reduced overfitting" can be tested
_S001 = dict(dataset="cifar100")

TEST_ACCURACY = Claim("seed_test_accuracy", SEED, "VGG-16 on real + GAN images: about 44.83 % test accuracy",
                      "test accuracy", seed_value=0.4483, seed_measured="after early stopping",
                      measure="test_accuracy", **_S001)
TRAIN_ACCURACY = Claim("seed_train_accuracy", SEED, "VGG-16 on real + GAN images: about 71.10 % training accuracy",
                       "train accuracy", seed_value=0.7110, seed_measured="after early stopping",
                       measure="train_accuracy", **_S001)
GENERALISATION = Claim("synthetic_generalisation", SEED, "synthetic images improved generalization",
                       "test accuracy, with synthetic images − real only", "improves", measure="test_accuracy", **_S001)
OVERFITTING = Claim("synthetic_overfitting", SEED, "synthetic images reduced overfitting",
                    "train − test gap (training accuracy on the real training images − test accuracy), with "
                    "synthetic images − real only", "improves", higher_is_better=False,
                    measure="train_test_gap", **_S001)
BEATS_RESNET = Claim("vgg_beats_resnet", SEED, "VGG-16 with GANs outperformed ResNet",
                     "test accuracy, VGG-16 − ResNet", "improves", measure="test_accuracy", **_S001)
BEATS_IMAGENET = Claim("vgg_beats_imagenet", SEED, "VGG-16 with GANs outperformed ImageNet models",
                       "test accuracy, VGG-16 − ImageNet-pretrained VGG-16", "improves", measure="test_accuracy",
                       **_S001)


RESNET_WITHDRAWN = ("the seed's \"VGG-16 with GANs outperformed ResNet\" is not tested here: a fair comparison "
                    "needs a ResNet of the VGG-16's parameter count at the same precision and budget, which this "
                    "profile's compute does not allow, so no ResNet is trained and no comparison is made")


def train_test_gap(run) -> float:
    return run.metrics["train_accuracy"] - run.metrics["test_accuracy"]


@dataclass
class CasGate:
    """The CAS gate, seed by seed: each seed's CAS ÷ the same seed's real-only test accuracy, against ``share``."""
    seeds: list[int] = field(default_factory=list)      # the seeds whose CAS and real-only runs both finished
    ratios: list[float] = field(default_factory=list)
    share: float = CAS_GATE_OF_REAL

    @property
    def held(self) -> list[bool]:
        return [r >= self.share for r in self.ratios]

    @property
    def passed(self) -> bool:
        """Every seed at or above the share (and at least one seed to read)."""
        return bool(self.ratios) and all(self.held)

    def describe(self) -> str:
        """'0.71, 0.70 and 0.72 (seeds 0, 1 and 2): at or above 0.6 in 3 of 3 seeds'."""
        from ...experiments.sentences import listing

        if not self.ratios:
            return "no seed finished both its CAS and its real-only run"
        return (f"{listing(self._shown(r) for r in self.ratios)} (seed{'s' if len(self.seeds) > 1 else ''} "
                f"{listing(self.seeds)}): at or above {self.share:g} in {sum(self.held)} of {len(self.held)} "
                f"seed{'s' if len(self.held) > 1 else ''}")

    def _shown(self, ratio: float) -> str:
        """Two decimals, or as many more as keep the number shown on its own side of the share (0.5996 is
        '0.5996', not '0.60', which would read as meeting a gate of 0.6 that it misses)."""
        for digits in range(2, 7):
            text = f"{ratio:.{digits}f}"
            if (float(text) >= self.share) == (ratio >= self.share):
                return text
        return f"{ratio:.6f}"


def cas_gate(cas: dict[int, float], real: dict[int, float], share: float = CAS_GATE_OF_REAL) -> CasGate:
    """The gate from per-seed test accuracies ({seed: accuracy}) of the CAS arm and the real-only arm: each seed's
    CAS is set against its own real-only run, and the gate holds only when every seed reaches ``share``."""
    seeds = sorted(set(cas) & set(real))
    return CasGate(seeds, [cas[s] / real[s] if real[s] > 0 else float("-inf") for s in seeds], share)


@dataclass
class Setting:
    """What this run could test: the arms' names and why a claim is out of reach."""
    real: str                 # VGG-16-BN on real images only
    cas: str                  # the same on synthetic images only
    mixed: str                # the same on the compared real + synthetic mix
    seed_vgg: str             # the seed-recipe VGG-16 on the mix
    imagenet: str             # the ImageNet-pretrained VGG-16 on the mix ("" when skipped)
    comparable: bool          # the seed's setting: full CIFAR-100, full-width VGG-16
    dataset: str              # what the runs trained on (the claims' dataset gate)
    why_not: str              # why not comparable
    cas_passed: bool
    gated: str                # why no conclusion on synthetic images (CAS below the gate)
    overfits: bool            # the real-only model's gap reaches OVERFIT_MIN
    no_overfit: str = ""      # why the overfitting claim cannot be tested
    imagenet_why: str = ""    # why the ImageNet arm was skipped
    resnet_why: str = ""      # why the ResNet comparison is not made
    seed_real: str = ""       # the seed-recipe VGG-16 on real images only ("": not run)


def setting(choice, num_classes: int, P: dict, arms, c, scope: str, resnet_why: str) -> Setting:
    """The :class:`Setting` of this run: which claims it can test, and why not the others."""
    comparable = (choice.used == "cifar100" and not choice.generated and num_classes == 100 and not P["n_train"]
                  and not P["n_test"] and P["vgg_width"] == 1)
    gated = "" if c.passed else (f"the CAS gate asks for at least {c.gate.share:g}× the real-only test accuracy in "
                                 f"every seed; CAS ÷ real-only: {c.gate.describe()}, so no conclusion about the "
                                 f"synthetic images is drawn")
    no_overfit = "" if c.overfits else (f"the real-only model does not overfit here (train − test gap "
                                        f"{stats.fmt_mean_sd(c.real_gap, scale=100, unit=' pts')}, below the "
                                        f"declared {OVERFIT_MIN * 100:g} points)")
    dataset = "generated stand-in data" if choice.generated else choice.used
    return Setting(real=arms.real, cas=arms.cas, mixed=arms.vgg_mix, seed_vgg=arms.seed_vgg,
                   imagenet=arms.imagenet if arms.weights else "", comparable=comparable, dataset=dataset,
                   why_not="" if comparable else f"not the seed's setting (full CIFAR-100, full-width VGG-16): {scope}",
                   cas_passed=c.passed, gated=gated, overfits=c.overfits, no_overfit=no_overfit,
                   imagenet_why=arms.weights_from, resnet_why=resnet_why, seed_real=arms.seed_real)


def seed_recipe_note(runs, s: Setting, measure, label: str) -> str:
    """The seed's own recipe with − without the synthetic images (Welch over the same seeds), shown beside the
    synthetic-image claims and never counted: they are judged on VGG-16-BN ("" when it did not run)."""
    if not (s.seed_real and s.seed_vgg and runs.ok(s.seed_real) and runs.ok(s.seed_vgg)):
        return ""
    return (f"the seed's recipe (VGG-16 without batch normalisation, the same seeds), with − without the synthetic "
            f"images, {label}: {sentences.difference(runs.welch(s.seed_real, s.seed_vgg, measure))}")


def claims(runs, s: Setting, share: float) -> list[tuple[Claim, Evidence]]:
    """The seed's claims and our CAS check, each with its evidence from ``runs`` (the dataset gate reads
    ``s.dataset``; a reduced size or a skipped arm is not tested here, with the reason)."""
    seed_ok = bool(s.seed_vgg and runs.ok(s.seed_vgg))
    on = dict(dataset=s.dataset)
    out = []
    for claim in (TEST_ACCURACY, TRAIN_ACCURACY):
        claim = replace(claim, variant=s.seed_vgg)
        off_dataset = s.dataset != claim.dataset
        why = "" if off_dataset else (s.why_not or ("" if seed_ok else "the seed-recipe VGG-16 did not finish"))
        out.append((claim, runs.evidence(claim, **on) if seed_ok and not why
                    else Evidence(applicable=False, reason=why or gate(claim, Evidence(values=[0.0], dataset=s.dataset)))))
    gen = replace(GENERALISATION, variant=s.mixed, baseline=s.real, metric=f"test accuracy, {s.mixed} − {s.real}")
    note = seed_recipe_note(runs, s, "test_accuracy", "test accuracy")
    out.append((gen, runs.evidence(gen, supporting=note, **on) if s.cas_passed
                else Evidence(applicable=False, reason=s.gated, supporting=note)))
    gap = replace(OVERFITTING, variant=s.mixed, baseline=s.real,
                  metric=f"train − test gap (real training images), {s.mixed} − {s.real}")
    note = seed_recipe_note(runs, s, train_test_gap, "train − test gap")
    out.append((gap, Evidence(comparison=runs.welch(s.real, s.mixed, train_test_gap), measure="train_test_gap",
                              supporting=note, **on)
                if s.cas_passed and s.overfits else Evidence(applicable=False, reason=s.gated or s.no_overfit,
                                                             supporting=note)))
    out.append((BEATS_RESNET, Evidence(applicable=False, reason=s.resnet_why)))
    img = replace(BEATS_IMAGENET, variant=s.mixed, baseline=s.imagenet or "ImageNet-pretrained VGG-16",
                  metric=f"test accuracy, {s.mixed} − {s.imagenet or 'ImageNet-pretrained VGG-16'}")
    out.append((img, runs.evidence(img, **on) if s.imagenet else Evidence(applicable=False, reason=s.imagenet_why)))
    cas_claim = Claim("cas_class_signal", SEED, f"the GAN's images carry their class: CAS ≥ {share:g}× the "
                      f"real-only test accuracy of the same classifier", "CAS ÷ real-only test accuracy, per seed",
                      "qualitative", addition=True)
    acc = {v: {r.seed: r.metrics["test_accuracy"] for r in runs.ok(v)} for v in (s.cas, s.real)}
    out.append((cas_claim, Evidence(values=[float(h) for h in cas_gate(acc[s.cas], acc[s.real], share).held])))
    return out


@dataclass
class Comparisons:
    """The CAS gate, whether the real-only model overfits, and every comparison the page states and the claims
    judge (Welch: each arm draws its own images, and each seed its own GAN)."""
    cas: list[float]
    real: list[float]
    cas_ratio: float                     # mean CAS ÷ mean real-only accuracy: context, never the gate
    passed: bool                         # the gate: every seed's CAS ÷ its real-only accuracy ≥ the share
    gate: CasGate
    real_gap: list[float]
    overfits: bool
    by_fraction: dict
    gap_by_fraction: dict
    imagenet: stats.Comparison | None
    seed_recipe: stats.Comparison        # the seed-recipe VGG-16, compared share − real only (test accuracy)
    seed_recipe_gap: stats.Comparison    # and in the train − test gap
    seed_share: float                    # the compared share


def compare(runs, arms, shares: list[float], compare_fraction: float) -> Comparisons:
    """The CAS against real-only training and its gate; the real-only train − test gap against the declared
    overfitting threshold; each share − real only in test accuracy and in the gap; the seed-recipe VGG-16 on the
    compared share − on real only, in both; VGG-16-BN − ImageNet VGG-16."""
    cas, real = runs.values(arms.cas, "test_accuracy"), runs.values(arms.real, "test_accuracy")
    gate_ = cas_gate({r.seed: r.metrics["test_accuracy"] for r in runs.ok(arms.cas)},
                     {r.seed: r.metrics["test_accuracy"] for r in runs.ok(arms.real)})
    real_gap = runs.values(arms.real, train_test_gap)
    return Comparisons(
        cas=cas, real=real, cas_ratio=float(np.mean(cas) / np.mean(real)) if cas and real else float("nan"),
        passed=gate_.passed, gate=gate_, real_gap=real_gap,
        overfits=bool(real_gap) and float(np.mean(real_gap)) >= OVERFIT_MIN,
        by_fraction={f: runs.welch(arms.real, mixed(arms.vgg, f), "test_accuracy") for f in shares if f > 0},
        gap_by_fraction={f: runs.welch(arms.real, mixed(arms.vgg, f), train_test_gap) for f in shares if f > 0},
        imagenet=runs.welch(arms.imagenet, arms.vgg_mix, "test_accuracy") if arms.weights else None,
        seed_recipe=runs.welch(arms.seed_real, arms.seed_vgg, "test_accuracy"),
        seed_recipe_gap=runs.welch(arms.seed_real, arms.seed_vgg, train_test_gap), seed_share=compare_fraction)


def finding(rows: list[dict], lead: str, key: str, scope: str) -> str:
    """The page's finding from its judged claim rows (as the page stores them): where no seed claim could be tested
    (the quick profile on the CIFAR-10 fallback), a plain sentence that this run draws no verdict on them, why,
    and the deciding comparison as context only; otherwise the deciding claim's row (``key``), as pages state it."""
    seed_rows = [r for r in rows if not r["addition"]]
    row = next(r for r in rows if r["key"] == key)
    if not seed_rows or any(not r["verdict"].startswith("not tested here") for r in seed_rows):
        return claim_finding(lead, row, scope)
    # The dataset gate's reason reads "the claim is about X; this run trained on Y" (lib.experiments.claims.gate).
    gated = [r for r in seed_rows if r["detail"].startswith("the claim is about ")]
    reasons = []
    if gated:
        about, trained = gated[0]["detail"].split("; ")[:2]
        reasons.append(f"{len(gated)} because {'they are' if len(gated) > 1 else 'it is'} "
                       f"{about.removeprefix('the claim is ')} and {trained}")
    others = [r for r in seed_rows if r not in gated]
    if others:
        reasons.append(f"{len(others)} for reasons of {'their' if len(others) > 1 else 'its'} own, given in the "
                       f"claims table ({sentences.listing(chr(8220) + r['claim'] + chr(8221) for r in others)})")
    added = "".join(f" Our own check ({r['claim']}) is judged: {r['verdict']}." for r in rows if r["addition"])
    return (f"This run draws no verdict on the seed's claims: all {len(seed_rows)} are not tested here, "
            f"{'; '.join(reasons)}.{added} For context only, not a verdict: {lead}: {row['ours']} ({scope}).")


def reading_pairs(runs, classifiers, P: dict) -> list[tuple[Claim, Evidence]]:
    """The claims and their evidence under one reading's classifier runs, each gate (CAS, overfitting) read from
    that reading's own runs."""
    d, arms = runs.data, runs.arms
    c = compare(classifiers, arms, runs.shares, P["compare_fraction"])
    return claims(classifiers, setting(d.choice, d.K, P, arms, c, d.scope, RESNET_WITHDRAWN), CAS_GATE_OF_REAL)


def family(runs, P: dict) -> Family:
    """The seed's claims and ours from a :class:`~.runs.StudyRuns`, judged once by the one rule under the reference
    reading, each other reading run shown beside them and never counted; the page's finding (a plain sentence
    when no seed claim could be tested here)."""
    d, arms = runs.data, runs.arms
    s = setting(d.choice, d.K, P, arms, runs.comparisons, d.scope, RESNET_WITHDRAWN)
    others = {name: reading_pairs(runs, rr.classifiers, rr.P) for name, rr in runs.readings.items()}
    judged = judge_family(claims(runs.classifiers, s, CAS_GATE_OF_REAL), scope=d.scope, readings=others,
                          caption=f"The seed's claims against this run ({d.scope})")
    judged.finding = finding(judged.rows, f"{arms.vgg_mix} − {arms.real}, test accuracy", GENERALISATION.key, d.scope)
    return judged
