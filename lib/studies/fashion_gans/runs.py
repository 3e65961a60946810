"""Study 4's runs: the feature classifier (once, cached), the real-vs-real baseline in its feature space, every GAN
family over ``seeds`` and the vanilla GAN with and without batch norm in G over ``bn_seeds`` (a vanilla run on a
seed of both is trained once), that pair again under each other declared reading the profile lists, and the
collapse rule's constructed cases.

The reference's GAN runs go to :func:`lib.experiments.run_groups` in one call (a group per distinct set of seeds,
the convolutional GANs first), so the executor is handed every pending GAN run at once; the readings' in another.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...experiments import RunGroup, RunResult, RunSet, Variant, run_groups
from ...gan import images
from ...gan.evaluation import FeatureExtractor, Reference, evaluate_images, train_evaluator
from ...gan.loop import to_unit_range
from ...models import build_fashion_cnn
from . import recipe
from .data import StudyData
from .findings import rule_passes
from .gan_run import GanSettings, run_gan_experiment


@dataclass
class StudyRuns:
    """What the page reports: the data, the feature classifier's run, its extractor and reference, the
    real-vs-real ``baseline``, every GAN run (``gans``, each run once), the views the sections read (``families``:
    the finished runs of each family on ``seeds``; ``bn``: the batch-norm pair on ``bn_seeds``), the collapse
    rule's constructed cases (``known``: case -> (metrics, collapsed?, memorising?)) and the batch-norm pair under
    each other reading run (``readings``: reading key -> RunSet, the reference's runs not among them)."""
    data: StudyData
    clf: RunResult
    extractor: FeatureExtractor
    reference: Reference
    baseline: dict
    gans: RunSet
    families: dict[str, list[RunResult]]
    bn: RunSet
    known: dict
    readings: dict[str, RunSet] = field(default_factory=dict)

    def records(self) -> list[RunResult]:
        """Every run once: the feature classifier, each GAN run (a vanilla run both sets use counts once) and each
        other reading's."""
        return [self.clf, *self.gans.all(), *(r for rs in self.readings.values() for r in rs.all())]


def plan(P: dict) -> dict[str, list[int]]:
    """Every GAN family that trains and its seeds: the families on ``seeds``, the batch-norm pair on ``bn_seeds``
    (the vanilla GAN on both, each seed once)."""
    seeds = {v: list(P["seeds"]) for v in P["variants"]}
    for v in recipe.BN_VARIANTS if P["bn_seeds"] else ():
        seeds[v] = list(dict.fromkeys(seeds.get(v, []) + list(P["bn_seeds"])))
    return seeds


def by_seed_set(planned: dict[str, list[int]]) -> dict[tuple[int, ...], list[str]]:
    """The families grouped by their seeds: one group of runs each."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for v, seeds in planned.items():
        groups.setdefault(tuple(seeds), []).append(v)
    return groups


def settings(P: dict, num_classes: int) -> GanSettings:
    return GanSettings(epochs=P["epochs"], batch_size=P["batch_size"], grid_every=P["grid_every"],
                       n_eval=P["n_eval"], num_classes=num_classes, knn_k=P["knn_k"], n_critic=P["n_critic"],
                       gp_weight=P["gp_weight"])


# An epoch's relative time, for the order GAN runs are handed out (never part of a key): the fully connected
# vanilla GANs' epochs took 6-7.5 s against 18-22 s for the convolutional ones (two at a time on a 2-core Xeon
# with AMX, quick run of 9e34f4e), so the convolutional ones go first and a short run ends the study.
FULLY_CONNECTED_COST = 0.4


def train_gans(cache, P: dict, data: StudyData, extractor: FeatureExtractor, reference: Reference) -> RunSet:
    """Every planned GAN run, through the cache and the executor (one call, a group per seed set), into one
    RunSet."""
    shared = dict(x=data.x_gan, y=data.y_gan, extractor=extractor, reference=reference,
                  settings=settings(P, data.ds.num_classes))
    gans = RunSet()
    run_groups(cache, [RunGroup({v: Variant(run_gan_experiment, dict(name=v, **shared), P["epochs"],
                                            cost=FULLY_CONNECTED_COST if v.startswith("vanilla") else 1.0)
                                 for v in names}, list(seeds), workdir="run_dir", runs=gans)
                       for seeds, names in by_seed_set(plan(P)).items()])
    return gans


def train_readings(cache, P: dict, data: StudyData, extractor: FeatureExtractor, reference: Reference) -> dict:
    """Seed 000's batch-norm pair on ``bn_seeds`` under each other declared reading the profile lists, through the
    cache and the executor: reading key -> RunSet (none without ``bn_seeds``). Only the pair: the readings fill
    what seed 000 left open, and seed 003 states what they change."""
    keys = list(P.get("readings") or []) if P["bn_seeds"] else []
    groups = []
    for key in keys:
        Pr = {**P, **recipe.READINGS[key].settings}
        shared = dict(x=data.x_gan, y=data.y_gan, extractor=extractor, reference=reference,
                      settings=settings(Pr, data.ds.num_classes))
        groups.append(RunGroup({v: Variant(run_gan_experiment, dict(name=v, **shared), Pr["epochs"])
                                for v in recipe.BN_VARIANTS}, list(P["bn_seeds"]), workdir="run_dir"))
    out = dict(zip(keys, run_groups(cache, groups))) if groups else {}
    for key, rs in out.items():
        for r in rs.all():   # the executor labels by family and seed: the reference's runs read the same
            r.label = f"{r.label}, {recipe.READINGS[key].name}"
    return out


def families(gans: RunSet, variants: list[str], seeds: list[int]) -> dict[str, list[RunResult]]:
    """The finished runs of each family on ``seeds``, families without one left out."""
    ok = {v: [r for r in gans.ok(v) if r.seed in seeds] for v in variants}
    return {v: rs for v, rs in ok.items() if rs}


def batchnorm_pair(gans: RunSet, bn_seeds: list[int]) -> RunSet:
    """The vanilla GAN with and without batch norm in G on ``bn_seeds`` (empty when ``bn_seeds`` is)."""
    return RunSet({v: [r for r in gans.runs.get(v, []) if r.seed in bn_seeds]
                   for v in recipe.BN_VARIANTS if bn_seeds and v in gans.runs})


def known_cases(data: StudyData, extractor, reference, P: dict) -> dict:
    """Image sets whose collapse and memorisation flags are known: (metrics, collapsed?, memorising?) by case."""
    n, k = P["n_eval"], P["knn_k"]
    cases = {"one class (test images of class 0)": (images.one_class_images(data.ds, n, 0), True, False),
             "copies of training images": (to_unit_range(data.x_gan[:n]), False, True),
             "real test images": (data.x_reference, False, False)}
    return {case: (evaluate_images(extractor, x, reference, knn_k=k), c, m) for case, (x, c, m) in cases.items()}


def seconds_per_step(ok: dict[str, list[RunResult]]) -> dict[str, str]:
    return {v: f"{sum(r.artifacts['seconds_per_step'] for r in rs) / len(rs):.4f} s/step" for v, rs in ok.items()}


def train(P: dict, data: StudyData, cache) -> StudyRuns:
    """The feature classifier whose features every metric uses (trained once, cached), the reference and the
    real-vs-real baseline, every GAN run, the other readings' runs, then the collapse rule's constructed cases."""
    clf = cache.call(train_evaluator, build_fashion_cnn, data.clf_split, seed=recipe.CLASSIFIER_SEED,
                     epochs=P["classifier_epochs"], label="feature classifier", workdir="run_dir", **recipe.CLASSIFIER)
    extractor = FeatureExtractor(build_fashion_cnn, clf.artifacts["weights_path"])
    reference = Reference(extractor, data.x_reference, to_unit_range(data.x_gan))
    baseline = evaluate_images(extractor, data.x_real_baseline, reference, knn_k=P["knn_k"])
    gans = train_gans(cache, P, data, extractor, reference)
    ok = families(gans, P["variants"], P["seeds"])
    print(seconds_per_step(ok))
    readings = train_readings(cache, P, data, extractor, reference)
    return StudyRuns(data, clf, extractor, reference, baseline, gans, ok, batchnorm_pair(gans, P["bn_seeds"]),
                     known_cases(data, extractor, reference, P), readings)


def golden(runs: StudyRuns) -> dict:
    """The smoke run's coarse golden values (nbval): coarse, so that CPU round-off cannot flip them."""
    ok = runs.families
    return {"variants_trained": len(ok), "collapse_rule_passes_known_cases": float(rule_passes(runs.known)),
            "untrained_collapsed": float(all(r.artifacts["untrained"]["collapsed"] for rs in ok.values() for r in rs))}

