"""Study 4's report sections, in page order: each lays one part of the runs out on the page object it is handed
(``lib.report.page.StudyReport``; this package never imports ``lib.report``). The numbers and sentences come
from ``findings.py``, the tables from ``tables.py``, the figures from ``figures.py``."""
from __future__ import annotations

from pathlib import Path

from . import figures, findings, tables
from .gan_run import copy_grids
from .recipe import BN_VARIANTS, MIN_FEATURE_ACCURACY
from .runs import StudyRuns

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


def grids_on_page(page, runs: StudyRuns) -> None:
    """Copy every finished GAN run's image grids next to the page (once: a run already copied is left)."""
    for r in [r for r in runs.gans.all() if r.ok]:
        dest = page.output_dir / "grids" / f"{r.variant}-seed{r.seed}"
        if not all(Path(path).is_relative_to(dest) for _, path in r.artifacts["grids"]):
            r.artifacts["grids"] = copy_grids(r, dest)


def feature_space(page, runs: StudyRuns, P: dict) -> None:
    """The feature classifier's accuracy and the real-vs-real baseline; a warning when the classifier is weaker
    than this study asks of its feature space (on real data)."""
    page.say(findings.baseline_sentence(runs.clf, runs.data.clf_split.sizes(), runs.baseline))
    accuracy = runs.clf.metrics.get("test_accuracy", 0.0)
    if not runs.data.generated and accuracy < MIN_FEATURE_ACCURACY:
        page.warn(f"the feature classifier reaches {accuracy:.2%} test accuracy, below the "
                  f"{MIN_FEATURE_ACCURACY:.0%} this study asks of its feature space")


def metrics(page, runs: StudyRuns, P: dict) -> None:
    """Every family on every metric against the baselines, and the ranking in words."""
    scope = runs.data.scope
    page.table(tables.comparison_table(runs.baseline, runs.families), "metrics",
               caption=f"GAN families against the baselines, mean ± sd over seeds ({scope})")
    page.say(findings.ranking_sentence(findings.ranking(runs.families), scope))


def balanced(page, runs: StudyRuns, P: dict) -> None:
    """FID on the report and on a class-balanced sample, and how much of the cGAN's lead class balance explains."""
    scope = runs.data.scope
    page.table(tables.balanced_table(runs.families), "balanced",
               caption=f"FID on the report sample and on a class-balanced sample, mean ± sd over seeds ({scope})")
    page.say(findings.cgan_lead_sentence(findings.cgan_lead(runs.families), scope))


def curves(page, runs: StudyRuns, P: dict) -> None:
    """Losses and discriminator accuracy per epoch, the metrics during training, each family's fixed-noise grids."""
    grids_on_page(page, runs)
    ok, scope = runs.families, runs.data.scope
    page.figure(figures.plot_gan_curves({v: [r.history for r in rs] for v, rs in ok.items()},
                                        title=f"Losses and discriminator accuracy per epoch ({scope})"), "curves")
    page.figure(figures.plot_metric_progress({v: [r.artifacts["progress"] for r in rs] for v, rs in ok.items()},
                                             baseline=runs.baseline, keys=("fid", "classes_covered", "mean_pixel"),
                                             title=f"During training ({min(1000, P['n_eval']):,} images, selection "
                                                   f"noise)"), "progress")
    for v, rs in ok.items():
        page.figure(figures.plot_image_progression(rs[0].artifacts["grids"],
                                                   title=f"{v}, seed {rs[0].seed}: fixed noise"), f"progression_{v}")


def learning_rates(page, runs: StudyRuns, P: dict) -> None:
    """What the seed-003 learning rates do, per seed, against the 2e-4 diagnostic."""
    page.say(findings.learning_rate_lines(runs.families, runs.baseline, page.runtime["precision"]))


def collapse(page, runs: StudyRuns, P: dict) -> None:
    """The collapse rule checked on constructed cases, the class histograms and every run's flags."""
    page.say(findings.collapse_rule_text(runs.known))
    if not findings.rule_passes(runs.known):
        page.warn("the collapse rule misjudges a constructed case above; its flags below are not trustworthy")
    ds, ok = runs.data.ds, runs.families
    page.figure(figures.plot_class_histograms({**{v: rs[0].metrics["histogram"] for v, rs in ok.items()},
                                               "real test images": runs.reference.histogram}, ds.class_names,
                                              title="Predicted classes of generated images (first seed, report "
                                                    "sample)"), "class_histograms")
    page.say(findings.flag_lines(ok, runs.data.scope))


def batchnorm(page, runs: StudyRuns, P: dict) -> None:
    """The batch-norm table, the samples side by side and the comparisons (seed 000's arms)."""
    bn, scope = runs.bn, runs.data.scope
    pairs, said = findings.batchnorm_comparisons(bn)
    if not pairs:
        page.say("The batch-norm comparison did not run in this profile, or an arm has no finished run.")
        return
    grids_on_page(page, runs)
    page.table(tables.comparison_table(runs.baseline, {v: bn.ok(v) for v in BN_VARIANTS}), "batchnorm",
               caption=f"Vanilla GAN with / without batch norm in G, mean ± sd over seeds {P['bn_seeds']} ({scope})")
    page.figure(figures.plot_grid_pairs(findings.batchnorm_grids(bn), ("with batch norm in G", "without batch norm"),
                                        title=f"Vanilla GAN, fixed noise after the last epoch ({scope})"),
                "batchnorm_samples")
    for sentence in said:
        page.say(sentence)


REPORT = {"feature_space": feature_space, "metrics": metrics, "balanced": balanced, "curves": curves,
          "learning_rates": learning_rates, "collapse": collapse, "batchnorm": batchnorm}
SECTIONS = tuple(REPORT)


def report(page, runs: StudyRuns, P: dict, section: str) -> None:
    """One section of the page (``SECTIONS``, in page order)."""
    if section not in REPORT:
        raise ValueError(f"Study 4 has no section {section!r}; its sections: {', '.join(SECTIONS)}")
    REPORT[section](page, runs, P)
