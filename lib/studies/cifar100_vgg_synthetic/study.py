"""Study 5's steps as its notebook calls them: the scope line, one GAN per seed, the arms, their training, the
tables, the sweep and the comparisons with the sentences that state them. The notebook only narrates and lays
these out on the page."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ...data.splits import Split, stratified_indices
from ...errors import ParamError
from ...experiments import ACCURACY, RunResult, RunSet, Variant, run_variants, sentences, stats
from ...experiments.claims import claim_finding
from ...gan import acgan
from ...models import imagenet
from ...models.vgg import build_vgg16
from ...progress import warn_user
from ...train.recipes import Recipe, improved_recipe, seed_recipe
from . import arms as classifier_runs
from . import artifact, gan_run
from .claims import CasGate, cas_gate, train_test_gap


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


def training_part(y_train: np.ndarray, n_train: int | None, val_fraction: float, seed: int = 0) -> np.ndarray:
    """Indices into the dataset's training set of the images :func:`lib.data.classification_split` trains on
    (its own draw, repeated: the stratified ``n_train`` images less their stratified ``val_fraction`` part)."""
    taken = stratified_indices(y_train, n_train or len(y_train), seed)
    held = stratified_indices(y_train[taken], int(round(len(taken) * val_fraction)), seed)
    keep = np.ones(len(taken), dtype=bool)
    keep[held] = False
    return taken[keep]


def with_validation(ds, split: Split, P: dict, seed: int = 0) -> Split:
    """``split`` with, when the profile sets ``n_val``, a validation part of ``n_val`` images drawn (stratified,
    fixed seed) from ``ds``'s training images outside ``split``'s training part: the training images stay as
    they are, none of them is a validation image, and the test images are untouched. Without ``n_val``,
    ``split`` as it was (its validation part is the ``val_fraction`` share of ``n_train``)."""
    if not P.get("n_val"):
        return split
    train = training_part(ds.y_train, P["n_train"], P["val_fraction"], seed)
    if not (np.array_equal(ds.y_train[train], split.y_train) and np.array_equal(ds.x_train[train], split.x_train)):
        raise RuntimeError("the training part could not be located in the dataset: the validation images could "
                           "not be drawn disjoint from it")
    pool = np.setdiff1d(np.arange(len(ds.y_train)), train)
    if P["n_val"] > len(pool):
        raise ParamError(f"n_val = {P['n_val']:,} validation images asked for, but only {len(pool):,} training "
                         f"images of these classes lie outside the {len(train):,} the models train on")
    val = pool[stratified_indices(ds.y_train[pool], P["n_val"], seed)]
    return Split(split.x_train, split.y_train, ds.x_train[val], ds.y_train[val], split.x_test, split.y_test)


def validation_note(split: Split, P: dict, dataset_label: str, num_classes: int) -> str:
    """Where the validation images come from and how precisely they measure an accuracy (one standard error at
    50 %, its largest), beside what the ``val_fraction`` share alone would give."""
    n_val, n_train = len(split.y_val), len(split.y_train)
    se = lambda n: 100 * (0.25 / n) ** 0.5  # noqa: E731
    if P.get("n_val"):
        held = int(round(P["n_train"] * P["val_fraction"])) if P["n_train"] else 0
        before = f", against {se(held):.1f} with the {held:,} held out of {P['n_train']:,}" if held else ""
        where = (f"{n_val:,} real images drawn from {dataset_label}'s training set outside the {n_train:,} "
                 f"training images (stratified over the {num_classes} classes, fixed seed): no validation image "
                 f"is a training image")
        return (f"**Validation images:** {where}. One standard error of a validation accuracy is at most "
                f"{se(n_val):.1f} points (at 50 %){before}. The validation curves and the seed recipe's early "
                f"stopping read them; the test images only score the final models.")
    return (f"**Validation images:** the {n_val:,} held out of the training images ({P['val_fraction']:g} of "
            f"them, stratified, fixed seed), disjoint from the {n_train:,} training images; one standard error of "
            f"a validation accuracy is at most {se(n_val):.1f} points (at 50 %). The validation curves and the "
            f"seed recipe's early stopping read them; the test images only score the final models.")


def classes_kept(choice, num_classes: int) -> str:
    """The sentence added to the data description when only some classes are kept ("" when all are)."""
    total = choice.ds.num_classes
    return f" Classes kept: the first {num_classes} of {total}." if num_classes < total else ""


def fractions(P: dict) -> list[float]:
    """The synthetic shares trained: 0 (real only), the sweep's and the compared one."""
    return sorted({0.0, P["compare_fraction"], *P["synthetic_fractions"]})


def train_gans(cache, split: Split, class_names: list[str], P: dict, per_class: int) -> dict[int, RunResult]:
    """One conditional GAN per seed, each trained on the real training images only (uint8), so the seeds' spread
    includes the GAN's; a failed GAN stops the study (every arm of its seed would need it)."""
    gans = {}
    for seed in P["seeds"]:
        gan = cache.call(gan_run.train_and_sample, split.x_train, split.y_train, list(class_names),
                         epochs=P["gan_epochs"], batch_size=P["gan_batch_size"], seed=seed, per_class=per_class,
                         augment=P["gan_augment"], keep_of=P["gan_keep_of"],
                         grid_every=max(1, P["gan_epochs"] // 5), workdir="run_dir",
                         label=f"conditional GAN seed {seed}")
        gan.variant = "conditional GAN"
        if not gan.ok:
            raise RuntimeError(gan.message)
        gans[seed] = gan
    return gans


def export_synthetic(gans: dict[int, RunResult], folder: str | Path) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Each seed's images copied to ``folder/seed_<n>/`` with their per-class grids; {seed: (uint8 images, labels)}."""
    out = {}
    for seed, gan in gans.items():
        path, _ = artifact.export(gan.artifacts["artifact_path"], Path(folder) / f"seed_{seed}")
        x, y, _, _ = artifact.load_artifact(path)
        out[seed] = (x, y)
    return out


def gan_paragraph(gans: dict[int, RunResult], synthetic: dict, per_class: int, P: dict, n_shown: int) -> str:
    """What the GANs are, how long they trained, how well their class heads did and what they wrote out."""
    first = gans[min(gans)]
    a = first.artifacts
    real = [g.history["d_cls_real"][-1] for g in gans.values()]
    fake = [g.history["g_cls"][-1] for g in gans.values()]
    x = synthetic[min(synthetic)][0]
    aug = (f"with DiffAugment ({P['gan_augment'].replace(',', ', ')}) on every image its discriminator sees"
           if P["gan_augment"] else "without augmentation")
    kept = (f", the {per_class:,} of {per_class * P['gan_keep_of']:,} generated per class that its class head was "
            f"most sure of" if P["gan_keep_of"] > 1 else "")
    return (f"One GAN per seed ({a['generator_params']:,}-parameter generator, {a['discriminator_params']:,}-parameter "
            f"discriminator, {aug}), each trained for {first.epochs_run} epochs (batch {P['gan_batch_size']}) on "
            f"the {a['n_real']:,} real training images, {np.mean([g.seconds for g in gans.values()]) / 60:.1f} min "
            f"each on this machine. In the last epoch the class heads named the right class for "
            f"{stats.fmt_mean_sd(real, digits=0)} of real and {stats.fmt_mean_sd(fake, digits=0)} of generated "
            f"training images (mean ± sd over {len(gans)} GAN(s)). Each kept {len(x):,} images ({per_class:,} per "
            f"class{kept}; {x.dtype}, values {int(x.min())}–{int(x.max())}, scaled once by 1/255 at the classifier's "
            f"input "
            f"like the real ones); a local run keeps them with per-class grids in the study's build folder. Above: "
            f"the first seed's GAN, first {n_shown} classes. Each seed's arms use that seed's GAN, so the intervals "
            f"below include the GAN's variation.")


def mixed(name: str, fraction: float) -> str:
    """An arm's name on the +``fraction`` mix."""
    return f"{name}, +{fraction:.0%} synthetic"


@dataclass
class Arms:
    """The classifier arms of one profile: their variants (without the synthetic images, which are per seed) and
    recipes, by name, and what the page says of them."""
    vgg: str
    real: str
    cas: str
    vgg_mix: str
    seed_vgg: str
    seed_real: str                                  # the seed-recipe VGG-16 on real images only
    imagenet: str
    weights: object
    weights_from: str
    variants: dict[str, Variant] = field(default_factory=dict)
    recipes: dict[str, Recipe] = field(default_factory=dict)
    synthetic: set = field(default_factory=set)     # the arms that take the seed's synthetic images
    n_params: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, name: str, variant: Variant, recipe: Recipe) -> None:
        self.variants[name], self.recipes[name] = variant, recipe
        if variant.kwargs.get("fraction") or variant.kwargs.get("synthetic_only"):
            self.synthetic.add(name)


def _arm(split: Split, num_classes: int, build, recipe: Recipe, **kw) -> Variant:
    return Variant(classifier_runs.train_arm, dict(split=split, build=build, recipe=recipe, num_classes=num_classes,
                                                   **kw), epochs=recipe.epochs)


def _names(P: dict, dataset_label: str) -> dict:
    width = f" ({P['vgg_width']:g}× width)" if P["vgg_width"] != 1 else ""
    vgg = "VGG-16-BN" + width
    f = P["compare_fraction"]
    seed = f"VGG-16{width}, seed recipe on {dataset_label}"
    return dict(vgg=vgg, real=f"{vgg}, real only", cas=f"{vgg}, synthetic only (CAS)", vgg_mix=mixed(vgg, f),
                seed_vgg=mixed(seed, f), seed_real=f"{seed}, real only", imagenet=mixed(imagenet.TITLES["vgg16"], f))


def plan_arms(P: dict, split: Split, num_classes: int, shares: list[float], dataset_label: str,
              generated: bool) -> Arms:
    """Every arm this profile trains: VGG-16-BN on real, on each share and on synthetic alone (the CAS); the
    seed-recipe VGG-16 on real images only and on the compared share, the same seeds (on whichever dataset ran,
    named in its label), so the seed's recipe has a comparison of its own; the ImageNet VGG-16 when its weights
    can be had."""
    K, f, width = num_classes, P["compare_fraction"], P["vgg_width"]
    improved = improved_recipe(P["epochs"], P["batch_size"], P["learning_rate"], P["optimizer"], P["weight_decay"],
                               P["warmup_epochs"])
    found = imagenet.find_weights("vgg16", allow_download=not generated)
    for warning in found.warnings:
        warn_user(warning)
    weights, weights_from = found.path, found.source
    arms = Arms(**_names(P, dataset_label), weights=weights, weights_from=weights_from)
    arm = partial(_arm, split, K)
    vgg_bn = partial(build_vgg16, width, True, K)
    arms.add(arms.real, arm(vgg_bn, improved), improved)
    for frac in (x for x in shares if x > 0):
        arms.add(mixed(arms.vgg, frac), arm(vgg_bn, improved, fraction=frac), improved)
    arms.add(arms.cas, arm(vgg_bn, improved, synthetic_only=True), improved)
    seed_rec = seed_recipe(P["seed_epochs"], P["seed_batch_size"], P["seed_learning_rate"], P["seed_patience"])
    vgg_plain = partial(build_vgg16, width, False, K)
    arms.add(arms.seed_real, arm(vgg_plain, seed_rec), seed_rec)
    arms.add(arms.seed_vgg, arm(vgg_plain, seed_rec, fraction=f), seed_rec)
    if weights:
        fine_tune = improved_recipe(P["epochs"], P["batch_size"], P["learning_rate"] / 10, P["optimizer"],
                                    P["weight_decay"], P["warmup_epochs"])
        arms.add(arms.imagenet, arm(partial(imagenet.build_pretrained, "vgg16", K, weights), fine_tune, fraction=f),
                 fine_tune)
    else:
        arms.warnings.append(f"ImageNet-pretrained VGG-16 baseline {weights_from}.")
    arms.n_params = {name: v.kwargs["build"]().count_params() for name, v in arms.variants.items()}
    return arms


def train(cache, arms: Arms, synthetic: dict[int, tuple[np.ndarray, np.ndarray]], seeds: list[int]) -> RunSet:
    """Every arm for every seed, the synthetic arms on that seed's GAN images; each run cached and checkpointed."""
    runs = RunSet()
    for seed in seeds:
        x, y = synthetic[seed]
        variants = {name: Variant(v.fn, {**v.kwargs, **({"x_syn": x, "y_syn": y} if name in arms.synthetic else {})},
                                  v.epochs) for name, v in arms.variants.items()}
        run_variants(cache, variants, [seed], workdir="checkpoint_dir", runs=runs)
    return runs


def describe_arms(arms: Arms, P: dict, shares: list[float]) -> str:
    """One bullet per model family that runs: architecture, parameters, recipe and training images."""
    f, n = P["compare_fraction"], arms.n_params
    about = {arms.real: f"**{arms.vgg}** ({n[arms.real]:,} parameters): thirteen 3×3 convolutions in five pooled "
                        f"blocks with batch normalisation, two dense layers sized for 32×32 inputs; "
                        f"improved recipe: {arms.recipes[arms.real].describe()}. Trained on real images only, with "
                        f"{sentences.listing([f'+{x:.0%}' for x in shares if x > 0])} synthetic images added on top "
                        f"of every batch, and on synthetic images alone (the CAS)",
             arms.seed_vgg: f"**VGG-16, seed recipe** ({n[arms.seed_vgg]:,} parameters): no normalisation; the "
                            f"seed's settings: {arms.recipes[arms.seed_vgg].describe()}; on the +{f:.0%} mix and, "
                            f"with the same seeds, on real images only, so the seed's recipe is compared with "
                            f"itself without the synthetic images. It runs on the dataset this page used, so on a "
                            f"fallback it is the seed's recipe on that dataset, not a reproduction of the seed's "
                            f"CIFAR-100 numbers",
             arms.imagenet: f"**{imagenet.TITLES['vgg16']}** ({n.get(arms.imagenet, 0):,} parameters; weights: "
                            f"{arms.weights_from}): `keras.applications.VGG16`, images upsampled, fine-tuned with the "
                            f"improved recipe at a tenth of its rate, on the +{f:.0%} mix"}
    return "\n".join(f"- {text}." for name, text in about.items() if name in arms.variants)


def arms_table(arms: Arms, n_train: int) -> pd.DataFrame:
    """Per arm: parameters, recipe, training images (real and synthetic per batch) and optimiser steps."""
    rows = []
    for name, v in arms.variants.items():
        r, frac = arms.recipes[name], v.kwargs.get("fraction", 0)
        on_top = (f" + {round(frac * n_train):,} synthetic ({classifier_runs.per_batch(frac, r.batch_size)} on top "
                  f"of every batch of {r.batch_size} real)" if frac else "")
        images = ("synthetic only, as many as the real ones" if v.kwargs.get("synthetic_only")
                  else f"{n_train:,} real" + on_top)
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


def fraction_sweep(runs: RunSet, arms: Arms, shares: list[float], compare_fraction: float,
                   metric=None) -> dict:
    """``metric`` (default: test accuracy, %) per synthetic share: the VGG-16-BN sweep, the seed-recipe VGG-16 at
    0 and the compared share, the ImageNet VGG-16 at its one share (an arm that did not finish is left out)."""
    metric = metric or (lambda r: r.metrics["test_accuracy"] * 100)
    pct = lambda name: runs.values(name, metric)  # noqa: E731
    sweep = {arms.vgg: {f: pct(arms.real if f == 0 else mixed(arms.vgg, f)) for f in shares}}
    for label, points in (("VGG-16, seed recipe", ((0.0, arms.seed_real), (compare_fraction, arms.seed_vgg))),
                          (imagenet.TITLES["vgg16"], ((compare_fraction, arms.imagenet),))):
        found = {f: pct(name) for f, name in points if runs.ok(name)}
        if found:
            sweep[label] = found
    return sweep


def gap_pct(run: RunResult) -> float:
    """The train − test gap in points, for the sweep figure."""
    return train_test_gap(run) * 100


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


def compare(runs: RunSet, arms: Arms, shares: list[float], compare_fraction: float) -> Comparisons:
    """The CAS against real-only training and its gate; the real-only train − test gap against the declared
    overfitting threshold; each share − real only in test accuracy and in the gap; the seed-recipe VGG-16 on the
    compared share − on real only, in both; VGG-16-BN − ImageNet VGG-16."""
    from .claims import OVERFIT_MIN

    cas, real = runs.values(arms.cas, "test_accuracy"), runs.values(arms.real, "test_accuracy")
    gate = cas_gate({r.seed: r.metrics["test_accuracy"] for r in runs.ok(arms.cas)},
                    {r.seed: r.metrics["test_accuracy"] for r in runs.ok(arms.real)})
    real_gap = runs.values(arms.real, train_test_gap)
    return Comparisons(
        cas=cas, real=real, cas_ratio=float(np.mean(cas) / np.mean(real)) if cas and real else float("nan"),
        passed=gate.passed, gate=gate, real_gap=real_gap,
        overfits=bool(real_gap) and float(np.mean(real_gap)) >= OVERFIT_MIN,
        by_fraction={f: runs.welch(arms.real, mixed(arms.vgg, f), "test_accuracy") for f in shares if f > 0},
        gap_by_fraction={f: runs.welch(arms.real, mixed(arms.vgg, f), train_test_gap) for f in shares if f > 0},
        imagenet=runs.welch(arms.imagenet, arms.vgg_mix, "test_accuracy") if arms.weights else None,
        seed_recipe=runs.welch(arms.seed_real, arms.seed_vgg, "test_accuracy"),
        seed_recipe_gap=runs.welch(arms.seed_real, arms.seed_vgg, train_test_gap), seed_share=compare_fraction)


def cas_line(c: Comparisons, arms: Arms, n_train: int, num_classes: int) -> str:
    """The Classification Accuracy Score against real-only training, with chance and the gate, seed by seed."""
    return (f"trained on {n_train:,} synthetic images alone (each seed its own GAN's), {arms.vgg} reaches "
            f"{stats.fmt_mean_sd(c.cas)} on the real test set over {len(c.cas)} seed(s), against "
            f"{stats.fmt_mean_sd(c.real)} when trained on as many real images with the same recipe and steps; "
            f"chance is {1 / num_classes:.1%}. The declared gate asks for at least {c.gate.share:g}× the real-only "
            f"accuracy in every seed, each seed's CAS against its own real-only run (each seed has its own GAN, "
            f"so a mean could hide a failed one): CAS ÷ real-only is {c.gate.describe()}")


def overfit_line(c: Comparisons, arms: Arms) -> str:
    """Whether the real-only model overfits in this regime: its train − test gap against the declared threshold."""
    from .claims import OVERFIT_MIN

    return (f"{arms.real} reaches a train − test gap of {stats.fmt_mean_sd(c.real_gap, scale=100, unit=' pts')} "
            f"(training accuracy on its real training images minus test accuracy); the overfitting claim is judged "
            f"only from a gap of {OVERFIT_MIN * 100:g} points, so this regime "
            + ("overfits: the claim can come out either way" if c.overfits else
               "does not overfit enough to test it"))


def _gated(c: Comparisons, a: str, b: str, label: str, comparison, **kw) -> str:
    if c.passed:
        return sentences.comparison(a, b, label, comparison, **kw)
    return f"{label}, {b} − {a}: {sentences.difference(comparison)} (measured; no conclusion below the CAS gate)."


def comparison_lines(c: Comparisons, arms: Arms, n_train: int, num_classes: int, scope: str) -> str:
    """The results as bullets: the CAS and its gate, the overfitting regime, each share against real only (test
    accuracy and the gap; no conclusion below the gate), the seed's recipe with and without the synthetic images,
    the ImageNet VGG-16, the ResNet comparison withdrawn."""
    lines = [f"- **Classification Accuracy Score:** {cas_line(c, arms, n_train, num_classes)}; the gate "
             f"{'holds' if c.passed else 'does not hold'}.",
             f"- **Overfitting regime:** {overfit_line(c, arms)}."]
    # Every arm is the same network (named in the CAS line), so the arms are named by their share alone.
    for f, comparison in c.by_fraction.items():
        share = f"+{f:.0%} synthetic"
        lines.append("- " + _gated(c, "real only", share, "Test accuracy", comparison))
        lines.append("- " + _gated(c, "real only", share, "Train − test gap", c.gap_by_fraction[f],
                                   higher_is_better=False))
    lines.append(seed_recipe_line(c))
    lines.append(f"- **{imagenet.TITLES['vgg16']}:** " + (
        sentences.comparison(arms.imagenet, arms.vgg_mix, "test accuracy", c.imagenet) if arms.weights
        else arms.weights_from + "."))
    lines.append(f"- **ResNet:** {RESNET_WITHDRAWN}.")
    lines.append(f"- **Scope.** {scope}.")
    return "\n".join(lines)


def seed_recipe_line(c: Comparisons) -> str:
    """The seed's own recipe (VGG-16 without batch normalisation, Adam, batch 64, early stopping) on the compared
    share against the same recipe on real images only, over the same seeds (Welch): test accuracy and the gap."""
    lead = ("- **The seed's recipe with and without synthetic images** (VGG-16 without batch normalisation, the "
            "seed's settings, the same seeds): ")
    share = f"+{c.seed_share:.0%} synthetic"
    return (lead + _gated(c, "real only", share, "Test accuracy", c.seed_recipe) + " "
            + _gated(c, "real only", share, "Train − test gap", c.seed_recipe_gap, higher_is_better=False))


RESNET_WITHDRAWN = ("the seed's \"VGG-16 with GANs outperformed ResNet\" is not tested here: a fair comparison "
                    "needs a ResNet of the VGG-16's parameter count at the same precision and budget, which this "
                    "profile's compute does not allow, so no ResNet is trained and no comparison is made")


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


def golden_metrics(K: int, synthetic: dict, runs: RunSet, c: Comparisons) -> dict:
    """The numbers nbval's golden check compares (with a tolerance) in the smoke run."""
    return {"classes": K, "synthetic_images": int(sum(len(y) for _, y in synthetic.values())),
            "runs": len(runs.all()), "vgg_bn_real_test_accuracy": float(np.mean(c.real)) if c.real else -1.0,
            "cas_test_accuracy": float(np.mean(c.cas)) if c.cas else -1.0}


# How the GAN's settings were set: the page says it beside each of them (issue 35).
FIXED = "fixed in advance, not chosen on any test-set result"


def recipe_table(P: dict, dataset_label: str) -> pd.DataFrame:
    """The seed's recipe beside this run's, each setting marked as the seed's, Keras's default (the seed's
    framework: it writes TensorFlow) or ours (why)."""
    from ..reporting import recipe_table as table, source

    keras = "Keras's default (the seed's framework)"
    return table([
        ("dataset", "CIFAR-100, all 50,000 training images", dataset_label, "the seed's" if "CIFAR-100" in
         dataset_label and not P["n_train"] else "ours: what this machine and profile afford; the seed's claims "
                                                   "are not tested here"),
        ("network", "VGG-16", f"VGG-16 at {P['vgg_width']:g}× width", source(P["vgg_width"] == 1, seed=True)),
        ("optimiser, loss", "Adam, categorical cross-entropy", "Adam, categorical cross-entropy (seed-recipe arm)",
         "the seed's"),
        ("batch size", 64, P["seed_batch_size"], source(P["seed_batch_size"] == 64, seed=True)),
        ("learning rate", "not stated", f"{P['seed_learning_rate']:g}", source(P["seed_learning_rate"] == 0.001,
                                                                               keras)),
        ("early stopping", "on validation loss; patience not stated", f"patience {P['seed_patience']}",
         "ours: Keras's default patience 0 stops at the first flat epoch"),
        ("epochs", "not stated", f"at most {P['seed_epochs']}", "ours: early stopping decides within it"),
        ("GAN", "a GAN generating CIFAR-100-like images; design not stated",
         f"an AC-GAN per seed (width {acgan.WIDTH}, Adam at {acgan.LEARNING_RATE:g}), {P['gan_epochs']} epochs at "
         f"batch {P['gan_batch_size']}, "
         + (f"DiffAugment ({P['gan_augment'].replace(',', ', ')})" if P["gan_augment"] else "no DiffAugment"),
         f"ours, {FIXED}: class labels for the synthetic images need a conditional generator"),
        ("synthetic images kept", "not stated",
         f"per class, the 1 in {P['gan_keep_of']} generated that the GAN's class head is most sure of"
         if P["gan_keep_of"] > 1 else "all generated",
         f"ours, {FIXED}; the class head learnt from the real training images only, and no test image is read"),
        ("improved-recipe arms", "—", f"{P['optimizer']}, batch {P['batch_size']}, warm-up and cosine schedule, "
                                      f"augmentation, weight decay {P['weight_decay']:g}",
         "ours: a better-trained VGG-16 in an overfitting regime; the synthetic-image claims are judged on it, "
         "with the seed recipe's own with − without comparison shown beside them"),
        ("runs per arm", "one", f"{len(P['seeds'])} seeds", "ours: seeds make the test possible"),
    ], {})
