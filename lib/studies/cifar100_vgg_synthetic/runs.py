"""Study 5's runs: one conditional GAN per seed, beside them the arms that need no GAN image, then every synthetic
arm on its seed's GAN images (the reference reading); then each other declared reading the profile lists (its own
GANs, then the arms that take their images), all through :func:`lib.experiments.run_groups` (the run cache and the
executor: ``local:2`` trains two at once, longest first)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np

from ...experiments import RunGroup, RunResult, RunSet, Variant, run_groups
from ...models import imagenet
from ...models.vgg import build_vgg16
from ...progress import warn_user
from . import artifact, gan_run, recipe
from .arms import mixed, train_arm
from .data import StudyData
from .mixing import synthetic_per_class
from .recipe import Recipe

GAN = "conditional GAN"


def fractions(P: dict) -> list[float]:
    """The synthetic shares trained: 0 (real only), the sweep's and the compared one."""
    return sorted({0.0, P["compare_fraction"], *P["synthetic_fractions"]})


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


def _arm(split, num_classes: int, build, recipe: Recipe, **kw) -> Variant:
    # An arm's step passes (1 + fraction) batches' worth of images: its epochs' relative time, for the order.
    return Variant(train_arm, dict(split=split, build=build, recipe=recipe, num_classes=num_classes, **kw),
                   epochs=recipe.epochs, cost=1.0 + kw.get("fraction", 0.0))


def _names(P: dict, dataset_label: str) -> dict:
    width = f" ({P['vgg_width']:g}× width)" if P["vgg_width"] != 1 else ""
    vgg = "VGG-16-BN" + width
    f = P["compare_fraction"]
    seed = f"VGG-16{width}, seed recipe on {dataset_label}"
    return dict(vgg=vgg, real=f"{vgg}, real only", cas=f"{vgg}, synthetic only (CAS)", vgg_mix=mixed(vgg, f),
                seed_vgg=mixed(seed, f), seed_real=f"{seed}, real only", imagenet=mixed(imagenet.TITLES["vgg16"], f))


def plan_arms(P: dict, split, num_classes: int, shares: list[float], dataset_label: str, generated: bool) -> Arms:
    """Every arm this profile trains: VGG-16-BN on real, on each share and on synthetic alone (the CAS); the
    seed-recipe VGG-16 on real images only and on the compared share, the same seeds (on whichever dataset ran,
    named in its label), so the seed's recipe has a comparison of its own; the ImageNet VGG-16 when its weights
    can be had."""
    K, f, width = num_classes, P["compare_fraction"], P["vgg_width"]
    improved = recipe.improved(P)
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
    seed_rec = recipe.seed(P)
    vgg_plain = partial(build_vgg16, width, False, K)
    arms.add(arms.seed_real, arm(vgg_plain, seed_rec), seed_rec)
    arms.add(arms.seed_vgg, arm(vgg_plain, seed_rec, fraction=f), seed_rec)
    if weights:
        fine_tune = recipe.improved(P, rate_divisor=10)
        arms.add(arms.imagenet, arm(partial(imagenet.build_pretrained, "vgg16", K, weights), fine_tune, fraction=f),
                 fine_tune)
    else:
        arms.warnings.append(f"ImageNet-pretrained VGG-16 baseline {weights_from}.")
    arms.n_params = {name: v.kwargs["build"]().count_params() for name, v in arms.variants.items()}
    return arms


def train_gans(cache, data: StudyData, P: dict, per_class: int, beside: list[RunGroup] = ()) -> RunSet:
    """One conditional GAN per seed, each trained on the real training images only (uint8), so the seeds' spread
    includes the GAN's; ``beside``: runs that need no GAN image, handed to the executor in the same call (they fill
    the cores while the last GAN trains). A failed GAN stops the study (every synthetic arm of its seed needs it)."""
    split = data.split
    gan = Variant(gan_run.train_and_sample, dict(x_train=split.x_train, y_train=split.y_train,
                                                 class_names=list(data.class_names), recipe=recipe.gan(P, per_class)),
                  epochs=P["gan_epochs"])
    gans, *_ = run_groups(cache, [RunGroup({GAN: gan}, P["seeds"], workdir="run_dir"), *beside])
    for failed in gans.failed():
        raise RuntimeError(failed.message)
    return gans


def synthetic_images(gans: RunSet) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Each seed's GAN images as its run wrote them: {seed: (uint8 images, labels)}."""
    return {g.seed: artifact.load_artifact(g.artifacts["artifact_path"])[:2] for g in gans.ok(GAN)}


def real_arms(arms: Arms, seeds: list[int], runs: RunSet) -> RunGroup:
    """The arms that take no synthetic image, every seed: they need no GAN."""
    return RunGroup({n: v for n, v in arms.variants.items() if n not in arms.synthetic}, seeds,
                    workdir="checkpoint_dir", runs=runs)


def train_arms(cache, arms: Arms, synthetic: dict[int, tuple[np.ndarray, np.ndarray]], seeds: list[int],
               runs: RunSet | None = None, names: list[str] | None = None) -> RunSet:
    """The arms ``names`` (default: every arm) for every seed, the synthetic arms on that seed's GAN images, in
    one executor call; each run cached and checkpointed, into ``runs``."""
    runs = runs if runs is not None else RunSet()
    names = list(arms.variants) if names is None else names

    def with_images(name: str, seed: int) -> Variant:
        v = arms.variants[name]
        x, y = synthetic[seed] if name in arms.synthetic else (None, None)
        return Variant(v.fn, {**v.kwargs, **({"x_syn": x, "y_syn": y} if name in arms.synthetic else {})},
                       v.epochs, v.cost)

    run_groups(cache, [RunGroup({n: with_images(n, seed) for n in names}, [seed], workdir="checkpoint_dir",
                                runs=runs) for seed in seeds])
    return runs


@dataclass
class ReadingRuns:
    """One other declared reading's runs: its settings laid over the profile's (``P``), its GANs and its
    classifier runs (the real-only arms' are the reference's own: they read no GAN image)."""
    P: dict
    gans: RunSet
    classifiers: RunSet
    trained: list[RunResult] = field(default_factory=list)      # the runs this reading added


def run_readings(cache, data: StudyData, P: dict, per_class: int, arms: Arms, reference: RunSet) -> dict:
    """Each other declared reading the profile lists (reading name -> :class:`ReadingRuns`), over the same seeds:
    its own GANs (one per seed) and, on their images, every arm that takes them. The arms that read no GAN image
    would train on the same inputs as the reference's, so the reading shares those runs rather than repeat them
    (through the cache they would come back the same). The test of a difference between readings treats the
    readings' effects as independent; sharing a baseline correlates them positively, so that test is
    conservative."""
    out = {}
    for key in P.get("readings") or []:
        reading = recipe.READINGS[key]
        Pr = {**P, **reading.settings}
        gans = train_gans(cache, data, Pr, per_class)
        trained = train_arms(cache, arms, synthetic_images(gans), P["seeds"],
                             names=[n for n in arms.variants if n in arms.synthetic])
        for r in (*gans.all(), *trained.all()):   # the executor labels by arm and seed: the reference's read the same
            r.label = f"{r.label}, {reading.name}"
        classifiers = RunSet()
        for name in arms.variants:
            for run in (trained if name in arms.synthetic else reference).runs.get(name, []):
                classifiers.add(name, run)
        out[reading.name] = ReadingRuns(Pr, gans, classifiers, trained.all())
    return out


@dataclass
class StudyRuns:
    """Every run of the study and what its sections read: the data, the arms, the GANs and their images, the
    classifier runs; the comparisons the sentences state and the claims judge, computed once."""
    data: StudyData
    P: dict
    arms: Arms
    gans: RunSet
    synthetic: dict
    per_class: int
    classifiers: RunSet
    readings: dict = field(default_factory=dict)      # reading name -> ReadingRuns (the profile's other readings)

    def records(self) -> list[RunResult]:
        added = [r for rr in self.readings.values() for r in (*rr.gans.all(), *rr.trained)]
        return [*self.gans.all(), *self.classifiers.all(), *added]

    @property
    def shares(self) -> list[float]:
        return fractions(self.P)

    @cached_property
    def comparisons(self):
        from .claims import compare

        return compare(self.classifiers, self.arms, self.shares, self.P["compare_fraction"])


def train(P: dict, data: StudyData, cache) -> StudyRuns:
    """The GANs (one per seed) with the arms that need none beside them, then the synthetic arms on each seed's
    images (the reference reading); then each other declared reading the profile lists."""
    per_class = synthetic_per_class(data.split, data.K, fractions(P))
    arms = plan_arms(P, data.split, data.K, fractions(P), data.choice.label(), data.choice.generated)
    runs = RunSet({name: [] for name in arms.variants})  # the arms' order, whichever call trains them
    gans = train_gans(cache, data, P, per_class, beside=[real_arms(arms, P["seeds"], runs)])
    synthetic = synthetic_images(gans)
    train_arms(cache, arms, synthetic, P["seeds"], runs, [n for n in arms.variants if n in arms.synthetic])
    return StudyRuns(data, P, arms, gans, synthetic, per_class, runs,
                     run_readings(cache, data, P, per_class, arms, runs))
