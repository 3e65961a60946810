"""Study 5's steps as its notebook calls them: the scope line, the GAN run, the arms, the tables, the sweep and
the comparisons with the sentences that state them. The notebook only narrates and lays these out on the page."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from ...data.splits import Split
from ...experiments import ACCURACY, RunResult, RunSet, Variant, sentences, stats
from ...models import imagenet
from ...models.resnet import build_resnet
from ...models.vgg import build_vgg16
from ...train.recipes import Recipe, improved_recipe, seed_recipe
from . import arms as classifier_runs
from . import artifact, gan_run


def scope(choice, split: Split, num_classes: int, P: dict) -> str:
    """What every number on the page was measured on: dataset, reductions, budget, seeds and profile."""
    total = choice.ds.num_classes
    sizes = split.sizes()
    reduction = [f"first {num_classes} of {total} classes"] if num_classes < total else []
    if P["n_train"] or P["n_test"]:
        reduction.append(f"{sizes['train']:,} real train / {sizes['val']:,} val / {sizes['test']:,} test images")
    if P["vgg_width"] != 1:
        reduction.append(f"VGG-16 at {P['vgg_width']:g}× width")
    return (("generated stand-in data in the CIFAR-100 format, " if choice.generated else "") + choice.label() +
            (" — reduced: " + ", ".join(reduction) if reduction else "") +
            f"; {P['epochs']} epochs' worth of steps, {len(P['seeds'])} seed(s), profile {P['profile']}")


def classes_kept(choice, num_classes: int) -> str:
    """The sentence added to the data description when only some classes are kept ("" when all are)."""
    total = choice.ds.num_classes
    return f" Classes kept: the first {num_classes} of {total}." if num_classes < total else ""


def train_gan(cache, split: Split, class_names: list[str], P: dict, per_class: int) -> RunResult:
    """The conditional GAN, trained once (first seed) on the real training images; a failed run stops the study."""
    gan = cache.call(gan_run.train_and_sample, artifact.unit_to_uint8(split.x_train), split.y_train, class_names,
                     epochs=P["gan_epochs"], batch_size=P["gan_batch_size"], seed=P["seeds"][0], per_class=per_class,
                     grid_every=max(1, P["gan_epochs"] // 5), workdir="run_dir")
    gan.variant = "conditional GAN"
    if not gan.ok:
        raise RuntimeError(gan.message)
    return gan


def gan_paragraph(gan: RunResult, x_syn: np.ndarray, per_class: int, n_grids: int, n_shown: int,
                  batch_size: int) -> str:
    """What the GAN is, how long it trained, how well its class head did and what it wrote out."""
    a, h = gan.artifacts, gan.history
    return (f"The GAN ({a['generator_params']:,}-parameter generator, {a['discriminator_params']:,}-parameter "
            f"discriminator) trained for {gan.epochs_run} epochs (batch {batch_size}) on {a['n_real']:,} real "
            f"training images in {gan.seconds / 60:.1f} min on this machine. In the last epoch its class head named "
            f"the right class for {h['d_cls_real'][-1]:.0%} of real and {h['g_cls'][-1]:.0%} of generated training "
            f"batches' images. It generated {len(x_syn):,} images ({per_class:,} per class; {x_syn.dtype}, values "
            f"{int(x_syn.min())}–{int(x_syn.max())}, scaled by 1/255 like the real ones); a local run also keeps them, with "
            f"{n_grids} per-class sample grids, in the study's build folder. Above: the first {n_shown} classes. The GAN is trained once, so the "
            f"seeds below vary the classifiers and the images drawn, not the GAN.")


def mixed(name: str, fraction: float) -> str:
    """An arm's name on the +``fraction`` mix."""
    return f"{name}, +{fraction:.0%} synthetic"


def train_test_gap(run: RunResult) -> float:
    """Training accuracy (real images) minus test accuracy: the overfitting measure of the seed's claim."""
    return run.metrics["train_accuracy"] - run.metrics["test_accuracy"]


@dataclass
class Arms:
    """The classifier arms of one profile: their variants and recipes, by name, and what the page says of them."""
    vgg: str
    resnet: str
    real: str
    cas: str
    vgg_mix: str
    resnet_mix: str
    seed_vgg: str
    imagenet: str
    weights: object
    weights_from: str
    variants: dict[str, Variant] = field(default_factory=dict)
    recipes: dict[str, Recipe] = field(default_factory=dict)
    n_params: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, name: str, variant: Variant, recipe: Recipe) -> None:
        self.variants[name], self.recipes[name] = variant, recipe


def _arm(split: Split, num_classes: int, build, recipe: Recipe, **kw) -> Variant:
    return Variant(classifier_runs.train_arm, dict(split=split, build=build, recipe=recipe, num_classes=num_classes,
                                                   **kw), epochs=recipe.epochs)


def _names(P: dict) -> dict:
    width = f" ({P['vgg_width']:g}× width)" if P["vgg_width"] != 1 else ""
    vgg = "VGG-16-BN" + width
    resnet = f"ResNet-{P['resnet_depth']}" + (f" ({P['resnet_width']:g}× width)" if P["resnet_width"] != 1 else "")
    f = P["compare_fraction"]
    return dict(vgg=vgg, resnet=resnet, real=f"{vgg}, real only", cas=f"{vgg}, synthetic only (CAS)",
                vgg_mix=mixed(vgg, f), resnet_mix=mixed(resnet, f),
                seed_vgg=mixed("VGG-16" + width + ", seed recipe", f),
                imagenet=mixed(imagenet.TITLES["vgg16"], f))


def plan_arms(P: dict, split: Split, num_classes: int, x_syn: np.ndarray, y_syn: np.ndarray, fractions: list[float],
              dataset_used: str, generated: bool, precision: str) -> Arms:
    """Every arm this profile trains: VGG-16-BN on real, on each mix and on synthetic alone (the CAS); the
    ResNet on the compared mix; the seed-recipe VGG-16 (CIFAR-100 only) and the ImageNet VGG-16 (when its
    weights can be had)."""
    K, f, width = num_classes, P["compare_fraction"], P["vgg_width"]
    improved = improved_recipe(P["epochs"], P["batch_size"], P["learning_rate"], P["optimizer"], P["weight_decay"],
                               P["warmup_epochs"])
    weights, weights_from = imagenet.find_weights("vgg16", allow_download=not generated)
    arms = Arms(**_names(P), weights=weights, weights_from=weights_from)
    arm, syn = partial(_arm, split, K), dict(x_syn=x_syn, y_syn=y_syn)
    vgg_bn = partial(build_vgg16, width, True, K)
    arms.add(arms.real, arm(vgg_bn, improved), improved)
    for frac in (x for x in fractions if x > 0):
        arms.add(mixed(arms.vgg, frac), arm(vgg_bn, improved, fraction=frac, **syn), improved)
    arms.add(arms.cas, arm(vgg_bn, improved, synthetic_only=True, **syn), improved)
    # bfloat16 without AMX made the ResNet's small convolutions about 6x slower per image (lib/models/resnet.py)
    resnet_policy = "float32" if precision == "mixed_bfloat16" else None
    arms.add(arms.resnet_mix, arm(partial(build_resnet, P["resnet_depth"], P["resnet_width"], K, policy=resnet_policy),
                                  improved, fraction=f, **syn), improved)
    if dataset_used == "cifar100":
        seed_rec = seed_recipe(P["seed_epochs"], P["seed_batch_size"], P["seed_learning_rate"], P["seed_patience"])
        arms.add(arms.seed_vgg, arm(partial(build_vgg16, width, False, K), seed_rec, fraction=f, **syn), seed_rec)
    if weights:
        fine_tune = improved_recipe(P["epochs"], P["batch_size"], P["learning_rate"] / 10, P["optimizer"],
                                    P["weight_decay"], P["warmup_epochs"])
        arms.add(arms.imagenet, arm(partial(imagenet.build_pretrained, "vgg16", K, weights), fine_tune,
                                    fraction=f, **syn), fine_tune)
    else:
        arms.warnings.append(f"ImageNet-pretrained VGG-16 baseline {weights_from}.")
    arms.n_params = {name: v.kwargs["build"]().count_params() for name, v in arms.variants.items()}
    return arms


def describe_arms(arms: Arms, P: dict, fractions: list[float]) -> str:
    """One bullet per model family that runs: architecture, parameters, recipe and training images."""
    f, n = P["compare_fraction"], arms.n_params
    seed_rec = seed_recipe(P["seed_epochs"], P["seed_batch_size"], P["seed_learning_rate"], P["seed_patience"])
    about = {arms.real: f"**{arms.vgg}** ({n[arms.real]:,} parameters): thirteen 3×3 convolutions in five pooled "
                        f"blocks with batch normalisation, two dense layers sized for 32×32 inputs; "
                        f"improved recipe: {arms.recipes[arms.real].describe()}. Trained on "
                        f"real images only, with {sentences.listing([f'+{x:.0%}' for x in fractions if x > 0])} "
                        f"synthetic images added, and on synthetic images alone (the CAS)",
             arms.resnet_mix: f"**{arms.resnet}** ({n[arms.resnet_mix]:,} parameters): the CIFAR ResNet of He et al. "
                              f"(2016), improved recipe, on the +{f:.0%} mix",
             arms.seed_vgg: f"**VGG-16, seed recipe** ({n.get(arms.seed_vgg, 0):,} parameters): no normalisation; the "
                            f"seed's settings: {seed_rec.describe()}; on the +{f:.0%} mix (it exists to test the "
                            f"seed's CIFAR-100 numbers)",
             arms.imagenet: f"**{imagenet.TITLES['vgg16']}** ({n.get(arms.imagenet, 0):,} parameters; weights: "
                            f"{arms.weights_from}): `keras.applications.VGG16`, images upsampled, fine-tuned with the "
                            f"improved recipe at a tenth of its rate, on the +{f:.0%} mix"}
    return "\n".join(f"- {text}." for name, text in about.items() if name in arms.variants)


def arms_table(arms: Arms, n_train: int) -> pd.DataFrame:
    """Per arm: parameters, recipe, training images and optimiser steps."""
    rows = []
    for name, v in arms.variants.items():
        r = arms.recipes[name]
        images = ("synthetic only" if v.kwargs.get("synthetic_only") else
                  f"{n_train:,} real + {round(v.kwargs.get('fraction', 0) * n_train):,} synthetic")
        steps = f"{r.epochs} × {-(-n_train // r.batch_size):,}" + (" at most" if r.early_stopping_patience else "")
        rows.append({"arm": name, "parameters": f"{arms.n_params[name]:,}", "recipe": r.describe(),
                     "training images": images, "optimiser steps": steps})
    return pd.DataFrame(rows).set_index("arm")


def metrics_table(runs: RunSet, n_params: dict[str, int]) -> pd.DataFrame:
    """Accuracy (test, validation, real training), the train − test gap, steps and seconds, mean ± sd per arm."""
    table = runs.table({"test accuracy": ACCURACY("test"), "val accuracy": ACCURACY("val"),
                        "train accuracy (real)": ACCURACY("train"),
                        "train − test": (train_test_gap, 100.0, 2, " pts"),
                        "optimiser steps": ("steps", 1.0, 0, ""), "training s": ("seconds", 1.0, 0, " s")})
    table.insert(0, "parameters", [f"{n_params[v]:,}" for v in table.index])
    return table


def fraction_sweep(runs: RunSet, arms: Arms, fractions: list[float], compare_fraction: float) -> dict:
    """Test accuracy (%) per synthetic share, per model: the VGG-16-BN sweep and the other models at one share."""
    pct = lambda name: [v * 100 for v in runs.values(name, "test_accuracy")]  # noqa: E731
    sweep = {arms.vgg: {f: pct(arms.real if f == 0 else mixed(arms.vgg, f)) for f in fractions}}
    for name, label in ((arms.resnet_mix, arms.resnet), (arms.seed_vgg, "VGG-16, seed recipe"),
                        (arms.imagenet, imagenet.TITLES["vgg16"])):
        if runs.ok(name):
            sweep[label] = {compare_fraction: pct(name)}
    return sweep


@dataclass
class Comparisons:
    """The CAS gate and every paired comparison the page states and the claims judge."""
    cas: list[float]
    real: list[float]
    cas_ratio: float
    passed: bool
    gate: float
    by_fraction: dict
    gap: stats.PairedComparison
    resnet: stats.PairedComparison
    imagenet: stats.PairedComparison | None


def compare(runs: RunSet, arms: Arms, num_classes: int, fractions: list[float], compare_fraction: float) -> Comparisons:
    """The CAS against real-only training, its gate, and the paired differences (mix − real, VGG − ResNet,
    VGG − ImageNet VGG) over the seeds both arms finished."""
    cas, real = runs.values(arms.cas, "test_accuracy"), runs.values(arms.real, "test_accuracy")
    passed, gate = classifier_runs.cas_gate(cas, num_classes)
    return Comparisons(
        cas=cas, real=real, cas_ratio=float(np.mean(cas) / np.mean(real)) if cas and real else float("nan"),
        passed=passed, gate=gate,
        by_fraction={f: runs.paired(arms.real, mixed(arms.vgg, f), "test_accuracy") for f in fractions if f > 0},
        gap=runs.paired(arms.real, arms.vgg_mix, train_test_gap),
        resnet=runs.paired(arms.resnet_mix, arms.vgg_mix, "test_accuracy"),
        imagenet=runs.paired(arms.imagenet, arms.vgg_mix, "test_accuracy") if arms.weights else None)


def cas_line(c: Comparisons, arms: Arms, n_train: int, num_classes: int) -> str:
    """The Classification Accuracy Score against real-only training, with chance and the gate."""
    return (f"trained on {n_train:,} synthetic images alone, {arms.vgg} reaches {stats.fmt_mean_sd(c.cas)} on the "
            f"real test set over {len(c.cas)} seed(s), against {stats.fmt_mean_sd(c.real)} when trained on as many "
            f"real images with the same recipe and steps: a ratio of {c.cas_ratio:.2f}; chance is "
            f"{1 / num_classes:.1%} and the gate {c.gate:.1%} ({classifier_runs.CAS_GATE_X_CHANCE:g}× chance)")


def _gated(c: Comparisons, a: str, b: str, label: str, comparison, **kw) -> str:
    if c.passed:
        return sentences.comparison(a, b, label, comparison, **kw)
    return sentences.difference(comparison) + " (measured; no conclusion below the CAS gate)"


def comparison_lines(c: Comparisons, arms: Arms, n_train: int, num_classes: int, compare_fraction: float,
                     scope: str) -> str:
    """The results as bullets: the CAS and its gate, each mix against real only (no conclusion below the gate),
    VGG-16-BN against the ResNet and the ImageNet VGG-16."""
    lines = [f"- **Classification Accuracy Score:** {cas_line(c, arms, n_train, num_classes)}; "
             f"{'at or above' if c.passed else 'below'} the gate."]
    for f, comparison in c.by_fraction.items():
        lines.append(f"- **{arms.vgg}, +{f:.0%} synthetic − real only, test accuracy:** "
                     + _gated(c, arms.real, mixed(arms.vgg, f), "test accuracy", comparison))
    lines.append(f"- **{arms.vgg}, train − test gap, +{compare_fraction:.0%} synthetic − real only:** "
                 + _gated(c, arms.real, arms.vgg_mix, "train − test gap", c.gap, higher_is_better=False))
    n = arms.n_params
    lines.append(f"- **{arms.vgg} ({n[arms.vgg_mix]:,} parameters) − {arms.resnet} ({n[arms.resnet_mix]:,} "
                 f"parameters), both +{compare_fraction:.0%} synthetic:** "
                 + sentences.comparison(arms.resnet_mix, arms.vgg_mix, "test accuracy", c.resnet))
    lines.append(f"- **{imagenet.TITLES['vgg16']}:** " + (
        sentences.comparison(arms.imagenet, arms.vgg_mix, "test accuracy", c.imagenet) if arms.weights
        else arms.weights_from + "."))
    lines.append(f"- **Scope.** {scope}.")
    return "\n".join(lines)

