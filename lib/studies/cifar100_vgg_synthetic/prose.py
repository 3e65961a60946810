"""Study 5's sentences: what the GANs are and wrote out, the arms, and the comparisons as the page states them
(no conclusion about the synthetic images below the CAS gate). Every number comes from the runs."""
from __future__ import annotations

import numpy as np

from ...experiments import sentences, stats
from ...models import imagenet
from .claims import OVERFIT_MIN, RESNET_WITHDRAWN, Comparisons

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


def gan_paragraph(gans: dict, synthetic: dict, per_class: int, P: dict, n_shown: int) -> str:
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


def describe_arms(arms, P: dict, shares: list[float]) -> str:
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


def cas_line(c: Comparisons, arms, n_train: int, num_classes: int) -> str:
    """The Classification Accuracy Score against real-only training, with chance and the gate, seed by seed."""
    return (f"trained on {n_train:,} synthetic images alone (each seed its own GAN's), {arms.vgg} reaches "
            f"{stats.fmt_mean_sd(c.cas)} on the real test set over {len(c.cas)} seed(s), against "
            f"{stats.fmt_mean_sd(c.real)} when trained on as many real images with the same recipe and steps; "
            f"chance is {1 / num_classes:.1%}. The declared gate asks for at least {c.gate.share:g}× the real-only "
            f"accuracy in every seed, each seed's CAS against its own real-only run (each seed has its own GAN, "
            f"so a mean could hide a failed one): CAS ÷ real-only is {c.gate.describe()}")


def overfit_line(c: Comparisons, arms) -> str:
    """Whether the real-only model overfits in this regime: its train − test gap against the declared threshold."""
    return (f"{arms.real} reaches a train − test gap of {stats.fmt_mean_sd(c.real_gap, scale=100, unit=' pts')} "
            f"(training accuracy on its real training images minus test accuracy); the overfitting claim is judged "
            f"only from a gap of {OVERFIT_MIN * 100:g} points, so this regime "
            + ("overfits: the claim can come out either way" if c.overfits else
               "does not overfit enough to test it"))


def _gated(c: Comparisons, a: str, b: str, label: str, comparison, **kw) -> str:
    if c.passed:
        return sentences.comparison(a, b, label, comparison, **kw)
    return f"{label}, {b} − {a}: {sentences.difference(comparison)} (measured; no conclusion below the CAS gate)."


def comparison_lines(c: Comparisons, arms, n_train: int, num_classes: int, scope: str) -> str:
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
