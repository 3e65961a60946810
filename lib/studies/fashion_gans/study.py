"""Study 4's steps as its notebook calls them: scope, the feature space, the GAN runs, the best variant, the
learning-rate and collapse checks and the batch-norm comparison, each with the sentences that state it."""
from __future__ import annotations

import numpy as np

from ...experiments import RunResult, RunSet, Variant, run_variants, sentences
from ...gan import images
from ...gan.evaluation import FeatureExtractor, Reference, evaluate_images, train_evaluator
from ...gan.families import family
from ...gan.loop import to_unit_range
from ...gan.metrics import COLLAPSE_THRESHOLDS
from ...models import build_fashion_cnn
from . import runs as family_run
from . import tables

SEED_STEPS = 30 * 60_000 // 64  # seed 003's budget: 30 epochs of all 60,000 images at batch 64
BN_VARIANTS = ("vanilla", "vanilla_nobn")


def scope(generated: bool, n_images: int, P: dict) -> str:
    """What every number on the page was measured on: images × epochs = steps against the seed's, and the sample."""
    steps = n_images // P["batch_size"] * P["epochs"]
    return (("generated stand-in data, " if generated else "") + f"{n_images:,} images × {P['epochs']} epochs = "
            f"{steps:,} steps ({steps / SEED_STEPS:.0%} of seed 003's {SEED_STEPS:,}), metrics on {P['n_eval']:,} "
            f"images, profile {P['profile']}")


def families_sentence(variants: list[str], bn_seeds: list[int], scope_text: str) -> str:
    return (f"Families trained in this profile: {sentences.listing(family(v).title for v in variants)}"
            + (f"; the batch-norm comparison on seeds {bn_seeds}." if bn_seeds else ".") + f" Scope: {scope_text}.")


def family_names(variants: list[str], bn_seeds: list[int]) -> dict:
    """Every family that trains, in order (the batch-norm pair too when it runs), for the families table."""
    return dict.fromkeys(variants + list(BN_VARIANTS) * bool(bn_seeds))


def feature_space(cache, clf_split, x_reference: np.ndarray, x_real_train: np.ndarray, x_gan: np.ndarray, P: dict):
    """The Fashion-MNIST classifier whose features every metric uses, the reference sets and the real-vs-real
    baseline: (classifier run, extractor, reference, baseline metrics)."""
    clf = cache.call(train_evaluator, build_fashion_cnn, clf_split, seed=0, epochs=P["classifier_epochs"],
                     batch_size=128, label="feature classifier", workdir="run_dir")
    extractor = FeatureExtractor(build_fashion_cnn, clf.artifacts["weights_path"])
    reference = Reference(extractor, x_reference, to_unit_range(x_gan))
    return clf, extractor, reference, evaluate_images(extractor, x_real_train, reference, knn_k=P["knn_k"])


def baseline_sentence(clf: RunResult, n_train: int, baseline: dict) -> str:
    b = baseline
    return (f"The feature classifier reaches **{clf.metrics['test_accuracy']:.2%}** test accuracy after "
            f"{clf.epochs_run} epoch(s) on {n_train:,} images. Real training images against real test images: FID "
            f"{b['fid']:.3f}, KID {b['kid']:.4f}, classifier score {b['is']:.2f}, precision {b['precision']:.3f}, "
            f"recall {b['recall']:.3f}, density {b['density']:.3f}, coverage {b['coverage']:.3f}, mean pixel "
            f"{b['mean_pixel']:.3f}.")


def gan_variant(name: str, x_gan, y_gan, extractor, reference, P: dict, num_classes: int) -> Variant:
    return Variant(family_run.run_gan_experiment, dict(
        name=name, x=x_gan, y=y_gan, extractor=extractor, reference=reference, epochs=P["epochs"],
        batch_size=P["batch_size"], grid_every=P["grid_every"], n_eval=P["n_eval"], num_classes=num_classes,
        knn_k=P["knn_k"], n_critic=P["n_critic"], gp_weight=P["gp_weight"]), P["epochs"])


def train(cache, P: dict, x_gan, y_gan, extractor, reference, num_classes: int) -> tuple[RunSet, RunSet]:
    """Every family over the seeds, and the vanilla GAN with and without batch norm over ``bn_seeds``."""
    variant = lambda v: gan_variant(v, x_gan, y_gan, extractor, reference, P, num_classes)  # noqa: E731
    runs = run_variants(cache, {v: variant(v) for v in P["variants"]}, P["seeds"], workdir="run_dir")
    bn = run_variants(cache, {v: variant(v) for v in BN_VARIANTS}, P["bn_seeds"], workdir="run_dir")
    return runs, bn


def recorded(clf: RunResult, runs: RunSet, bn: RunSet, seeds: list[int]) -> list[RunResult]:
    """The runs the page records, each once (a batch-norm run on a main seed is the main run)."""
    return [clf, *runs.all(), *(r for r in bn.all() if r.variant not in runs.runs or r.seed not in seeds)]


def finished(runs: RunSet) -> dict[str, list[RunResult]]:
    return {v: runs.ok(v) for v in runs.variants if runs.ok(v)}


def seconds_per_step(ok: dict[str, list[RunResult]]) -> dict[str, str]:
    return {v: f"{sum(r.artifacts['seconds_per_step'] for r in rs) / len(rs):.4f} s/step" for v, rs in ok.items()}


def best_variant(ok: dict[str, list[RunResult]], baseline: dict) -> tuple[str, float, float]:
    """The variant with the lowest selection-sample FID (mean over seeds), that FID, and the FID gap it closes
    (%, mean over seeds) on the report sample: the report sample never chose it."""
    selection_fid = {v: sum(r.artifacts["selection"]["fid"] for r in rs) / len(rs) for v, rs in ok.items()}
    best = min(selection_fid, key=selection_fid.get)
    return best, selection_fid[best], sum(tables.gap_closed(r, baseline) for r in ok[best]) / len(ok[best])


def best_sentence(best: str, selection_fid: float, gap: float, scope_text: str) -> str:
    return (f"Best by selection-sample FID: **{best}** "
            f"({'seed-003 configuration' if best == 'seed003' else 'our addition'}), selection FID "
            f"{selection_fid:.2f}; on the report sample it closes {gap:.0f} % of the FID gap from its untrained "
            f"generator to real images. Scope: {scope_text}.")


def learning_rate_lines(ok: dict[str, list[RunResult]], baseline: dict, precision: str) -> str:
    """Per seed-003 family: mean pixel by epoch against the real one, the discriminator's last epoch, FID, budget."""
    lines = []
    for v in [v for v in ("seed003", "seed003_lr2e-4") if v in ok]:
        r, f = ok[v][0], family(v)
        lines.append(f"- **{v}** (Adam G {f.g_lr:g}, D {f.d_lr:g}): mean pixel by epoch "
                     + ", ".join(f"{p['epoch']}: {p['mean_pixel']:.3f}" for p in r.artifacts["progress"])
                     + f" (real {baseline['mean_pixel']:.3f}); D accuracy on fakes in the last epoch "
                     f"{r.history['d_acc_fake'][-1]:.3f}, D loss {r.history['d_loss'][-1]:.3f}; FID "
                     f"{r.metrics['fid']:.2f} after {r.artifacts['steps']:,} steps "
                     f"({r.artifacts['steps'] / SEED_STEPS:.0%} of the seed's), "
                     f"{r.artifacts['seconds_per_step'] * 1000:.0f} ms per step ({precision}).")
    return "\n".join(lines) or "Neither seed-003 family ran in this profile."


def known_cases(ds, extractor, reference, x_gan: np.ndarray, x_reference: np.ndarray, P: dict) -> dict:
    """Image sets whose collapse and memorisation flags are known: (metrics, collapsed?, memorising?) by case."""
    n, k = P["n_eval"], P["knn_k"]
    cases = {"one class (test images of class 0)": (images.one_class_images(ds, n, 0), True, False),
             "copies of training images": (to_unit_range(x_gan[:n]), False, True),
             "real test images": (x_reference, False, False)}
    return {case: (evaluate_images(extractor, x, reference, knn_k=k), c, m) for case, (x, c, m) in cases.items()}


def rule_passes(known: dict) -> bool:
    """Whether the collapse and memorisation rule gets every constructed case right."""
    return all(bool(m["collapsed"]) == c and bool(m["memorising"]) == mem for m, c, mem in known.values())


def collapse_rule_text(known: dict, thresholds: dict = COLLAPSE_THRESHOLDS) -> str:
    """The rule in words, then each constructed case's flags against what they should be."""
    T = thresholds
    rule = (f"Collapsed: fewer than {T['min_covered_fraction']:.0%} of the classes with at least "
            f"{T['min_share_of_real']:.0%} of their real share, or a class histogram more than {T['max_kl_real']} nats "
            f"from the real one. Memorising: more than {T['max_memorised_share']:.0%} of the images nearer a training "
            f"image than 95 % of real test images.\n\n")
    return rule + "\n".join(
        f"- {case}: collapsed {bool(m['collapsed'])} (expected {c}), memorising {bool(m['memorising'])} "
        f"(expected {mem}); {m['classes_covered']} classes covered, KL {m['kl_real']:.3f}, memorised "
        f"{m['memorised']:.2f}" for case, (m, c, mem) in known.items())


def flag_lines(ok: dict[str, list[RunResult]], scope_text: str) -> str:
    return "\n".join(f"- **{v}** (seed {r.seed}): " + ("; ".join(r.metrics["collapse_reasons"]) or "no flag") +
                     f"; {r.metrics['classes_covered']} classes covered, coverage {r.metrics['coverage']:.3f}"
                     for v, rs in ok.items() for r in rs) + f"\n\nScope: {scope_text}."


BN_METRICS = (("fid", "FID", False), ("coverage", "coverage", True), ("classes_covered", "classes covered", True))


def batchnorm_comparisons(bn: RunSet) -> tuple[dict, list[str]]:
    """With − without batch norm in the vanilla generator, paired by seed, per metric, and the sentences;
    empty when either arm has no finished run."""
    if not (bn.ok("vanilla") and bn.ok("vanilla_nobn")):
        return {}, []
    pairs = {key: bn.paired("vanilla_nobn", "vanilla", key) for key, _, _ in BN_METRICS}
    return pairs, [sentences.comparison("vanilla_nobn", "vanilla", label, pairs[key], scale=1.0, unit="",
                                        higher_is_better=higher) for key, label, higher in BN_METRICS]
