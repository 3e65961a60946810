"""Study 5's notebook sections, each one call: it computes through :mod:`.study` and lays its tables, figures
and sentences out on the page object the notebook passes in (this package never imports the report machinery).

The notebook narrates between the calls; every number and sentence comes from here.
"""
from __future__ import annotations

from dataclasses import dataclass

from ... import data as datalib, plots
from ...data import fallback as source
from ...data.splits import Split
from ...experiments import Cache, RunSet, sentences
from ...paths import CACHE
from . import arms as classifier_runs
from . import claims as study_claims
from . import figures, mixing, study


@dataclass
class Context:
    """What every later section needs: the dataset choice, the split (uint8), classes, the scope line, the cache."""
    P: dict
    choice: object
    class_names: list
    split: Split
    K: int
    scope: str
    cache: Cache

    @property
    def n_train(self) -> int:
        return len(self.split.y_train)


def load_data(page, P: dict) -> Context:
    """The dataset (or its stated fallback), the classes kept, the split kept uint8 (its validation part drawn
    outside the training images when the profile sets ``n_val``); the title, data, scope and validation images."""
    choice = source.load_with_fallback(P["dataset"], P["fallback_dataset"], P, page.output_dir)
    page.set_title(classifier_runs.display_title(choice.used, choice.requested))
    ds = source.select_classes(choice.ds, P["n_classes"])
    split = study.with_validation(ds, datalib.classification_split(ds, P["n_train"], P["n_test"], P["val_fraction"],
                                                                   scale=False), P)
    if choice.fell_back:
        page.warn(f"Dataset used: {choice.label()}. {choice.reason}.")
    page.add_data(datalib.describe_data(ds, split, choice.generated) + study.classes_kept(choice, ds.num_classes))
    scope = study.scope(choice, split, ds.num_classes, P)
    page.say(f"**Scope of every number below:** {scope}.")
    page.say(study.validation_note(split, P, source.PRETTY.get(choice.used, choice.used), ds.num_classes))
    return Context(P, choice, list(ds.class_names), split, ds.num_classes, scope,
                   Cache(CACHE / "cifar100_vgg_synthetic", enabled=P["use_cache"]))


def gans(page, c: Context) -> dict:
    """One GAN per seed (cached), its images exported; the first seed's losses and samples; {seed: (x, y)}."""
    per_class = mixing.synthetic_per_class(c.split, c.K, study.fractions(c.P))
    runs = study.train_gans(c.cache, c.split, c.class_names, c.P, per_class)
    page.record(list(runs.values()), what="GAN run")
    synthetic = study.export_synthetic(runs, page.output_dir / "synthetic")
    print(f"GANs: {[round(g.seconds) for g in runs.values()]} s; {sum(len(y) for _, y in synthetic.values()):,} images")
    first = min(runs)
    page.figure(figures.plot_gan_history(runs[first].history, title=f"Conditional GAN training, seed {first} "
                                                                    f"({c.scope})"), "gan_history")
    shown = list(range(min(c.K, 10)))
    page.figure(figures.plot_real_vs_synthetic(c.split.x_train, c.split.y_train, *synthetic[first], c.class_names,
                                               shown, title=f"Real training images and GAN images per class "
                                                            f"({c.scope})"), "samples")
    page.say(study.gan_paragraph(runs, synthetic, per_class, c.P, len(shown)))
    return synthetic


def plan(page, c: Context) -> study.Arms:
    """The arms of this profile, described and tabled."""
    shares = study.fractions(c.P)
    arms = study.plan_arms(c.P, c.split, c.K, shares, c.choice.label(), c.choice.generated)
    for warning in arms.warnings:
        page.warn(warning)
    page.table(study.recipe_table(c.P, c.choice.label()), "recipe",
               caption="The seed's recipe and this run's, each setting marked by whose it is")
    page.say(study.describe_arms(arms, c.P, shares))
    page.table(study.arms_table(arms, c.n_train), "arms",
               caption=f"The arms that ran in this profile, {len(c.P['seeds'])} seed(s) each ({c.scope})")
    return arms


def train(page, c: Context, arms: study.Arms, synthetic: dict) -> RunSet:
    """Every arm × seed (cached, checkpointed); failed runs warned about, never averaged."""
    runs = study.train(c.cache, arms, synthetic, c.P["seeds"])
    page.record(runs)
    print(f"cache: {c.cache.reused} reused, {c.cache.trained} trained")
    return runs


def results(page, c: Context, arms: study.Arms, runs: RunSet) -> study.Comparisons:
    """The metrics table, the two sweeps over the synthetic share, the training curves; the comparisons."""
    shares, f = study.fractions(c.P), c.P["compare_fraction"]
    page.table(study.metrics_table(runs, arms.n_params), "metrics",
               caption=f"Accuracy per arm, mean ± sd over seeds ({c.scope})")
    result = study.compare(runs, arms, shares, f)
    page.figure(figures.plot_fraction_sweep(study.fraction_sweep(runs, arms, shares, f),
                                            cas=[v * 100 for v in result.cas], chance=100 / c.K,
                                            title=f"Test accuracy against the synthetic share ({c.scope})"),
                "accuracy_per_fraction")
    page.figure(figures.plot_fraction_sweep(study.fraction_sweep(runs, arms, shares, f, study.gap_pct),
                                            title=f"Train − test gap against the synthetic share ({c.scope})",
                                            ylabel="train − test accuracy (points)"), "gap_per_fraction")
    curves = {n: [r.history for r in runs.ok(n)] for n in (arms.real, arms.vgg_mix, arms.cas)}
    page.figure(plots.plot_training_curves(curves, title=figures.wrap(f"{arms.vgg}: training and validation "
                                                                      f"curves ({c.scope})")), "curves")
    return result


def conclusions(page, c: Context, arms: study.Arms, result: study.Comparisons) -> None:
    """The gate's warning (below it) and the comparisons in sentences."""
    if not result.passed:
        page.warn(f"The synthetic images carry too little class signal: "
                  f"{study.cas_line(result, arms, c.n_train, c.K)}. No conclusion about adding them is drawn.")
    page.say(study.comparison_lines(result, arms, c.n_train, c.K, c.scope))


def judge(page, c: Context, arms: study.Arms, runs: RunSet, result: study.Comparisons) -> None:
    """The seed's claims and ours, judged by the one rule; the page's finding (a plain sentence when no seed claim
    could be tested here)."""
    setting = study_claims.setting(c.choice, c.K, c.P, arms, result, c.scope, study.RESNET_WITHDRAWN)
    from ...experiments.claims import judge_family

    family = judge_family(study_claims.claims(runs, setting, study_claims.CAS_GATE_OF_REAL), scope=c.scope,
                          caption=f"The seed's claims against this run ({c.scope})")
    family.finding = study.finding(family.rows, f"{arms.vgg_mix} − {arms.real}, test accuracy",
                                   study_claims.GENERALISATION.key, c.scope)
    page.claims(family)
