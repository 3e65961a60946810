"""Study 5's report sections, each laying its tables, figures and sentences out on the page object passed in (this
package never imports the report machinery). Every number and sentence comes from the runs."""
from __future__ import annotations

from pathlib import Path

from ... import plots
from . import artifact, figures, prose
from .recipe import recipe_table
from .runs import GAN, StudyRuns

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


def export_synthetic(runs: StudyRuns, folder: str | Path) -> None:
    """Each seed's images copied to ``folder/seed_<n>/`` with their per-class grids."""
    for gan in runs.gans.ok(GAN):
        artifact.export(gan.artifacts["artifact_path"], Path(folder) / f"seed_{gan.seed}")


def gans(page, runs: StudyRuns, P: dict) -> None:
    """The GANs' images exported; the first seed's losses and samples; what the GANs are and wrote out."""
    d, by_seed = runs.data, {g.seed: g for g in runs.gans.ok(GAN)}
    export_synthetic(runs, page.output_dir / "synthetic")
    print(f"GANs: {[round(g.seconds) for g in by_seed.values()]} s; "
          f"{sum(len(y) for _, y in runs.synthetic.values()):,} images")
    first = min(by_seed)
    page.figure(figures.plot_gan_history(by_seed[first].history, title=f"Conditional GAN training, seed {first} "
                                                                       f"({d.scope})"), "gan_history")
    shown = list(range(min(d.K, 10)))
    page.figure(figures.plot_real_vs_synthetic(d.split.x_train, d.split.y_train, *runs.synthetic[first],
                                               d.class_names, shown, title=f"Real training images and GAN images "
                                                                           f"per class ({d.scope})"), "samples")
    page.say(prose.gan_paragraph(by_seed, runs.synthetic, runs.per_class, P, len(shown)))


def arms(page, runs: StudyRuns, P: dict) -> None:
    """The arms of this profile, described and tabled, beside the seed's recipe and ours."""
    a, d = runs.arms, runs.data
    for warning in a.warnings:
        page.warn(warning)
    page.table(recipe_table(P, d.choice.label()), "recipe",
               caption="The seed's recipe and this run's, each setting marked by whose it is")
    page.say(prose.describe_arms(a, P, runs.shares))
    page.table(figures.arms_table(a, d.n_train), "arms",
               caption=f"The arms that ran in this profile, {len(P['seeds'])} seed(s) each ({d.scope})")


def results(page, runs: StudyRuns, P: dict) -> None:
    """The metrics table, the two sweeps over the synthetic share, the training curves."""
    a, d, c, f = runs.arms, runs.data, runs.comparisons, P["compare_fraction"]
    done = runs.classifiers
    page.table(figures.metrics_table(done, a.n_params), "metrics",
               caption=f"Accuracy per arm, mean ± sd over seeds ({d.scope})")
    page.figure(figures.plot_fraction_sweep(figures.fraction_sweep(done, a, runs.shares, f),
                                            cas=[v * 100 for v in c.cas], chance=100 / d.K,
                                            title=f"Test accuracy against the synthetic share ({d.scope})"),
                "accuracy_per_fraction")
    page.figure(figures.plot_fraction_sweep(figures.fraction_sweep(done, a, runs.shares, f, figures.gap_pct),
                                            title=f"Train − test gap against the synthetic share ({d.scope})",
                                            ylabel="train − test accuracy (points)"), "gap_per_fraction")
    curves = {n: [r.history for r in done.ok(n)] for n in (a.real, a.vgg_mix, a.cas)}
    page.figure(plots.plot_training_curves(curves, title=figures.wrap(f"{a.vgg}: training and validation "
                                                                      f"curves ({d.scope})")), "curves")


def conclusions(page, runs: StudyRuns, P: dict) -> None:
    """The gate's warning (below it) and the comparisons in sentences."""
    a, d, c = runs.arms, runs.data, runs.comparisons
    if not c.passed:
        page.warn(f"The synthetic images carry too little class signal: "
                  f"{prose.cas_line(c, a, d.n_train, d.K)}. No conclusion about adding them is drawn.")
    page.say(prose.comparison_lines(c, a, d.n_train, d.K, d.scope))


SECTIONS = {"gans": gans, "arms": arms, "results": results, "conclusions": conclusions}
