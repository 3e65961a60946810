"""Study 4's steps as its notebook calls them: the data and scope, the feature space, the GAN runs, the ranking,
the class-balanced comparison, the learning-rate and collapse checks, the batch-norm comparison and the claims.

The ``report_*`` functions take the page object (``lib.report.page.StudyReport``) and call its methods; this
package never imports ``lib.report``. The sentences are built here from the numbers, so the notebook only calls.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ...experiments import MIN_SEEDS, RunResult, RunSet, Variant, run_variants, sentences
from ...experiments.stats import holm, welch_comparison
from ...gan import images
from ..reporting import trained_on  # noqa: F401  (the notebook's name for the claims' dataset gate)
from ...gan.evaluation import FeatureExtractor, Reference, evaluate_images, train_evaluator
from ...gan.families import FAMILIES, family
from ...gan.loop import to_unit_range
from ...gan.metrics import COLLAPSE_THRESHOLDS
from ...models import build_fashion_cnn
from . import claims as study_claims
from . import figures, tables
from . import runs as family_run

SEED_STEPS = study_claims.SEED_STEPS  # seed 003's budget: 30 epochs of all 60,000 images at batch 64
BN_VARIANTS = ("vanilla", "vanilla_nobn")
# The feature classifier: the Study 2 CNN, Adam with a cosine decay from 1e-3, batch 64. The page warns when
# its test accuracy on real data falls below this (issue 24: at least Study 2's CNN, 91 %).
MIN_FEATURE_ACCURACY = 0.91
CLASSIFIER = dict(batch_size=64, learning_rate=1e-3, lr_schedule="cosine")


class Sets(NamedTuple):
    """The images the study uses: GAN training set ([-1, 1]) and labels, the test reference and the disjoint real
    test sample for the baseline ([0, 1]), and the feature classifier's split."""
    x_gan: np.ndarray
    y_gan: np.ndarray
    x_reference: np.ndarray
    x_real_baseline: np.ndarray
    clf_split: object


class Space(NamedTuple):
    """The feature space: the classifier's run, the extractor, the reference and the real-vs-real baseline."""
    clf: RunResult
    extractor: FeatureExtractor
    reference: Reference
    baseline: dict


def prepare(ds, P: dict) -> Sets:
    x_gan, y_gan = images.gan_training_set(ds, P["n_train"])
    x_reference, x_real_baseline = images.evaluation_sets(ds, P["n_eval"], P["knn_k"])
    from ...data import classification_split

    return Sets(x_gan, y_gan, x_reference, x_real_baseline, classification_split(ds, P["classifier_n_train"], None, 0.1))


def scope(generated: bool, n_images: int, P: dict) -> str:
    """What every number on the page was measured on: images × epochs = steps against the seed's, and the sample."""
    steps = n_images // P["batch_size"] * P["epochs"]
    return (("generated stand-in data, " if generated else "") + f"{n_images:,} images × {P['epochs']} epochs = "
            f"{steps:,} steps ({steps / SEED_STEPS:.0%} of seed 003's {SEED_STEPS:,}), metrics on {P['n_eval']:,} "
            f"images, profile {P['profile']}")


def families_sentence(variants: list[str], bn_seeds: list[int], scope_text: str) -> str:
    left_out = [f for f in FAMILIES if f not in variants and not (bn_seeds and f in BN_VARIANTS)]
    return (f"Families trained in this profile: {sentences.listing(family(v).title for v in variants)}"
            + (f"; the batch-norm comparison on seeds {bn_seeds}" if bn_seeds else "")
            + (f". Not trained in this profile (they decide none of the seeds' claims; the `full` profile trains "
               f"them): {sentences.listing(left_out)}" if left_out else "") + f". Scope: {scope_text}.")


def family_names(variants: list[str], bn_seeds: list[int]) -> dict:
    """Every family that trains, in order (the batch-norm pair too when it runs), for the families table."""
    return dict.fromkeys(variants + list(BN_VARIANTS) * bool(bn_seeds))


def describe_data(page, ds, generated: bool, sets: Sets, P: dict) -> str:
    """The data line, the families that train and their table; returns the scope every number carries."""
    page.add_data(images.describe_gan_data(ds, generated, len(sets.x_gan), P["n_eval"], sets.clf_split.sizes()))
    text = scope(generated, len(sets.x_gan), P)
    page.say(families_sentence(P["variants"], P["bn_seeds"], text))
    page.table(tables.recipe_table(P, study_claims.SEED_STEPS, study_claims.REFERENCE_STEPS, study_claims.REFERENCE),
               "recipe", caption="The seeds' recipes and this run's, each setting marked by whose it is")
    page.table(tables.family_table(family_names(P["variants"], P["bn_seeds"]), sets.x_gan.shape[1:], ds.num_classes),
               "families", caption="GAN families in this run")
    return text


def feature_space(cache, sets: Sets, P: dict) -> Space:
    """The Fashion-MNIST classifier whose features every metric uses (trained once, cached), the reference sets
    and the real-vs-real baseline."""
    clf = cache.call(train_evaluator, build_fashion_cnn, sets.clf_split, seed=0, epochs=P["classifier_epochs"],
                     label="feature classifier", workdir="run_dir", **CLASSIFIER)
    extractor = FeatureExtractor(build_fashion_cnn, clf.artifacts["weights_path"])
    reference = Reference(extractor, sets.x_reference, to_unit_range(sets.x_gan))
    return Space(clf, extractor, reference, evaluate_images(extractor, sets.x_real_baseline, reference, knn_k=P["knn_k"]))


def baseline_sentence(clf: RunResult, sizes: dict, baseline: dict) -> str:
    b = baseline
    return (f"The feature classifier reaches **{clf.metrics['test_accuracy']:.2%}** accuracy on all "
            f"{sizes['test']:,} test images after {clf.epochs_run} epoch(s) on {sizes['train']:,} training images "
            f"(validation {sizes['val']:,}; the GANs' training images are among them, the test images the metrics "
            f"compare against are not). Real test images against other, disjoint real test images (a perfect generator; no GAN trained on them): FID "
            f"{b['fid']:.3f}, KID × 10³ {b['kid'] * 1000:.2f} (unbiased, can be negative), classifier score {b['is']:.2f}, precision {b['precision']:.3f}, "
            f"recall {b['recall']:.3f}, density {b['density']:.3f}, coverage {b['coverage']:.3f}, mean pixel "
            f"{b['mean_pixel']:.3f}.")


def report_feature_space(page, space: Space, sets: Sets, generated: bool) -> None:
    page.say(baseline_sentence(space.clf, sets.clf_split.sizes(), space.baseline))
    accuracy = space.clf.metrics.get("test_accuracy", 0.0)
    if not generated and accuracy < MIN_FEATURE_ACCURACY:
        page.warn(f"the feature classifier reaches {accuracy:.2%} test accuracy, below the "
                  f"{MIN_FEATURE_ACCURACY:.0%} this study asks of its feature space")


def gan_variant(name: str, sets: Sets, space: Space, P: dict, num_classes: int) -> Variant:
    return Variant(family_run.run_gan_experiment, dict(
        name=name, x=sets.x_gan, y=sets.y_gan, extractor=space.extractor, reference=space.reference,
        epochs=P["epochs"], batch_size=P["batch_size"], grid_every=P["grid_every"], n_eval=P["n_eval"],
        num_classes=num_classes, knn_k=P["knn_k"], n_critic=P["n_critic"], gp_weight=P["gp_weight"]), P["epochs"])


def train(cache, P: dict, sets: Sets, space: Space, num_classes: int) -> tuple[RunSet, RunSet]:
    """Every family over the seeds, and the vanilla GAN with and without batch norm over ``bn_seeds``."""
    variant = lambda v: gan_variant(v, sets, space, P, num_classes)  # noqa: E731
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


def record(page, space: Space, runs: RunSet, bn: RunSet, P: dict) -> dict[str, list[RunResult]]:
    """Count the runs into the page, warn of failed ones, copy the image grids next to the page; returns the
    finished runs by family."""
    page.record(recorded(space.clf, runs, bn, P["seeds"]))
    for r in [r for r in runs.all() + bn.all() if r.ok]:
        r.artifacts["grids"] = family_run.copy_grids(r, page.output_dir / "grids" / f"{r.variant}-seed{r.seed}")
    ok = finished(runs)
    print(seconds_per_step(ok))
    return ok


def _mean(values) -> float:
    return float(np.mean(values))


def ranking(ok: dict[str, list[RunResult]]) -> dict:
    """The families in the order of their selection-sample FID (mean over seeds); each neighbouring pair compared
    on the report-sample FID (Welch: the families share no weights), Holm-adjusted over the pairs."""
    order = sorted(ok, key=lambda v: _mean([r.artifacts["selection"]["fid"] for r in ok[v]]))
    fid = {v: [r.metrics["fid"] for r in ok[v]] for v in order}
    pairs = [(a, b, welch_comparison(fid[a], fid[b])) for a, b in zip(order, order[1:])]
    enough = all(len(v) >= MIN_SEEDS for v in fid.values())
    adjusted = holm([c.p for _, _, c in pairs]) if enough and pairs else [float("nan")] * len(pairs)
    apart = [bool(enough and p < 0.05 and c.mean_diff > 0) for (_, _, c), p in zip(pairs, adjusted)]
    return {"order": order, "fid": fid, "pairs": pairs, "p_holm": adjusted, "apart": apart, "enough": enough}


def _interval(values: list[float]) -> str:
    m = _mean(values)
    if len(values) < 2:
        return f"{m:.2f} (1 seed)"
    from scipy import stats as sps

    half = float(sps.t.ppf(0.975, len(values) - 1) * np.std(values, ddof=1) / np.sqrt(len(values)))
    return f"{m:.2f} (95 % CI {m - half:.2f} to {m + half:.2f}, {len(values)} seeds)"


def ranking_sentence(rank: dict, scope_text: str) -> str:
    """The ranking in words: each family's FID with its interval, and which neighbours the data tell apart."""
    listed = "; ".join(f"{v} {_interval(rank['fid'][v])}" for v in rank["order"])
    if not rank["enough"]:
        return (f"No ranking: some family has fewer than {MIN_SEEDS} seeds. FID on the report sample (mean): "
                f"{listed}. Scope: {scope_text}.")
    steps = [f"{a} {'<' if apart else 'and'} {b}{'' if apart else ' not told apart'} (Holm p = {p:.2g})"
             for (a, b, _), p, apart in zip(rank["pairs"], rank["p_holm"], rank["apart"])]
    lead = (f"**{rank['order'][0]}** has the lowest FID, told apart from the next family"
            if rank["apart"] and rank["apart"][0] else "No single best family: the first two are not told apart")
    return (f"{lead}. Order by the selection sample's FID, each neighbouring pair tested on the report sample's FID "
            f"(Welch, Holm over the pairs): {'; '.join(steps) or 'one family only'}. FID (report sample, mean and "
            f"t-interval over seeds): {listed}. Scope: {scope_text}.")


def report_metrics(page, ok: dict[str, list[RunResult]], baseline: dict, scope_text: str) -> dict:
    page.table(tables.comparison_table(baseline, ok), "metrics",
               caption=f"GAN families against the baselines, mean ± sd over seeds ({scope_text})")
    rank = ranking(ok)
    page.say(ranking_sentence(rank, scope_text))
    return rank


def cgan_lead(ok: dict[str, list[RunResult]]) -> dict | None:
    """The conditional GAN's FID lead over the unconditional family with the lowest selection-sample FID, on the
    report samples and on class-balanced samples of both (Welch; positive: the cGAN's FID is lower)."""
    rivals = [v for v in ok if not family(v).conditional]
    if "cgan" not in ok or not rivals:
        return None
    rival = min(rivals, key=lambda v: _mean([r.artifacts["selection"]["fid"] for r in ok[v]]))
    plain = welch_comparison([r.metrics["fid"] for r in ok["cgan"]], [r.metrics["fid"] for r in ok[rival]])
    balanced = welch_comparison([r.artifacts["balanced"]["fid"] for r in ok["cgan"]],
                                [r.artifacts["balanced"]["fid"] for r in ok[rival]])
    return {"rival": rival, "plain": plain, "balanced": balanced}


def cgan_lead_sentence(lead: dict | None, scope_text: str) -> str:
    if lead is None:
        return "The conditional GAN and an unconditional family did not both run: no class-balance comparison."
    p, b, rival = lead["plain"], lead["balanced"], lead["rival"]
    said = (f"The conditional GAN against {rival} (the unconditional family with the lowest selection FID), as "
            f"{rival}'s FID − the cGAN's (positive: the cGAN leads): "
            f"{sentences.difference(p, scale=1.0, unit=' FID')} on the report samples (the cGAN asked for equal "
            f"classes, {rival} as it generates), {sentences.difference(b, scale=1.0, unit=' FID')} when both are "
            f"drawn class-balanced by the classifier's prediction.")
    if p.mean_diff > 0:
        share = 1.0 - b.mean_diff / p.mean_diff
        said += (f" Class balance accounts for about {share:.0%} of the lead (mean over seeds); the rest goes with "
                 f"what the labels give the cGAN in training: better images within each class.")
    else:
        said += " The conditional GAN does not lead here, so there is no lead for class balance to explain."
    return said + f" Scope: {scope_text}."


def report_balanced(page, ok: dict[str, list[RunResult]], scope_text: str) -> None:
    page.table(tables.balanced_table(ok), "balanced",
               caption=f"FID on the report sample and on a class-balanced sample, mean ± sd over seeds ({scope_text})")
    page.say(cgan_lead_sentence(cgan_lead(ok), scope_text))


def report_curves(page, ok: dict[str, list[RunResult]], baseline: dict, scope_text: str, n_eval: int) -> None:
    page.figure(figures.plot_gan_curves({v: [r.history for r in rs] for v, rs in ok.items()},
                                        title=f"Losses and discriminator accuracy per epoch ({scope_text})"), "curves")
    page.figure(figures.plot_metric_progress({v: [r.artifacts["progress"] for r in rs] for v, rs in ok.items()},
                                             baseline=baseline, keys=("fid", "classes_covered", "mean_pixel"),
                                             title=f"During training ({min(1000, n_eval):,} images, selection noise)"),
                "progress")
    for v, rs in ok.items():
        page.figure(figures.plot_image_progression(rs[0].artifacts["grids"],
                                                   title=f"{v}, seed {rs[0].seed}: fixed noise"), f"progression_{v}")


def learning_rate_lines(ok: dict[str, list[RunResult]], baseline: dict, precision: str) -> str:
    """Per seed-003 family and seed: mean pixel by epoch against the real one, the discriminator's last epoch,
    FID, budget."""
    lines = []
    for v in [v for v in ("seed003", "seed003_lr2e-4") if v in ok]:
        f = family(v)
        for r in ok[v]:
            lines.append(f"- **{v}** (Adam G {f.g_lr:g}, D {f.d_lr:g}), seed {r.seed}: mean pixel by epoch "
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


def report_collapse(page, ds, space: Space, sets: Sets, ok: dict[str, list[RunResult]], scope_text: str,
                    P: dict) -> bool:
    """The collapse rule checked on constructed cases, the class histograms and every run's flags; returns
    whether the rule got every constructed case right."""
    known = known_cases(ds, space.extractor, space.reference, sets.x_gan, sets.x_reference, P)
    page.say(collapse_rule_text(known))
    rule_ok = rule_passes(known)
    if not rule_ok:
        page.warn("the collapse rule misjudges a constructed case above; its flags below are not trustworthy")
    page.figure(figures.plot_class_histograms({**{v: rs[0].metrics["histogram"] for v, rs in ok.items()},
                                               "real test images": space.reference.histogram}, ds.class_names,
                                              title="Predicted classes of generated images (first seed, report "
                                                    "sample)"), "class_histograms")
    page.say(flag_lines(ok, scope_text))
    return rule_ok


BN_METRICS = (("fid", "FID", False), ("coverage", "coverage", True), ("classes_covered", "classes covered", True))


def batchnorm_comparisons(bn: RunSet) -> tuple[dict, list[str]]:
    """With − without batch norm in the vanilla generator per metric (Welch: batch norm changes the generator, so
    the arms share no weights and a seed does not pair them), and the sentences; empty when an arm has no run."""
    if not (bn.ok("vanilla") and bn.ok("vanilla_nobn")):
        return {}, []
    pairs = {key: bn.welch("vanilla_nobn", "vanilla", key) for key, _, _ in BN_METRICS}
    return pairs, [sentences.comparison("vanilla_nobn", "vanilla", label, pairs[key], scale=1.0, unit="",
                                        higher_is_better=higher) for key, label, higher in BN_METRICS]


def batchnorm_grids(bn: RunSet) -> list[tuple[int, str, str]]:
    """(seed, last grid with batch norm, last grid without) for every seed both arms finished."""
    last = {v: {r.seed: r.artifacts["grids"][-1][1] for r in bn.ok(v) if r.artifacts.get("grids")}
            for v in BN_VARIANTS}
    return [(s, last["vanilla"][s], last["vanilla_nobn"][s]) for s in sorted(set(last["vanilla"]) &
                                                                              set(last["vanilla_nobn"]))]


def report_batchnorm(page, bn: RunSet, baseline: dict, scope_text: str, bn_seeds: list[int]) -> bool:
    """The batch-norm table, the samples side by side and the comparisons; returns whether both arms ran."""
    pairs, said = batchnorm_comparisons(bn)
    if not pairs:
        page.say("The batch-norm comparison did not run in this profile, or an arm has no finished run.")
        return False
    page.table(tables.comparison_table(baseline, {v: bn.ok(v) for v in BN_VARIANTS}), "batchnorm",
               caption=f"Vanilla GAN with / without batch norm in G, mean ± sd over seeds {bn_seeds} ({scope_text})")
    page.figure(figures.plot_grid_pairs(batchnorm_grids(bn), ("with batch norm in G", "without batch norm"),
                                        title=f"Vanilla GAN, fixed noise after the last epoch ({scope_text})"),
                "batchnorm_samples")
    for sentence in said:
        page.say(sentence)
    return True


def report_claims(page, ok: dict[str, list[RunResult]], bn: RunSet, bn_ran: bool, baseline: dict, dataset: str,
                  scope_text: str, bn_seeds: list[int]) -> None:
    """Seed 003's and seed 000's claims judged once as the study's family, the table, and the finding for the
    index: seed 000's image-quality claim's own row (the ranking of families is ours, not a seed's)."""
    from ...experiments.claims import judge_family

    family = judge_family(study_claims.seed003_claims(ok.get("seed003", []), baseline, dataset, scope_text)
                          + study_claims.batchnorm_claims(bn if bn_ran else None, baseline, dataset,
                                                          f"{scope_text}, seeds {bn_seeds}"))
    page.claims(family.headline("Batch norm in the vanilla generator, FID gap closed (with − without)",
                                study_claims.BN_QUALITY.key, scope_text))


def golden_metrics(ok: dict[str, list[RunResult]], rule_ok: bool) -> dict:
    """The smoke run's coarse golden values (nbval)."""
    return {"variants_trained": len(ok), "collapse_rule_passes_known_cases": float(rule_ok),
            "untrained_collapsed": float(all(r.artifacts["untrained"]["collapsed"] for rs in ok.values() for r in rs))}
