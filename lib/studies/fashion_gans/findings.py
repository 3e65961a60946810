"""Study 4's findings from its runs, and the sentences that state them: the feature classifier and the real
baseline, the ranking of the families, the conditional GAN's lead with and without class balance, the seed-003
learning rates, the collapse rule on constructed cases and every run's flags, the batch-norm comparison.

Pure functions of the runs (no page): ``sections.py`` lays them out.
"""
from __future__ import annotations

import numpy as np

from ...experiments import MIN_SEEDS, RunResult, RunSet, sentences
from ...experiments.stats import holm, welch_comparison
from ...gan.families import family
from ...gan.metrics import COLLAPSE_THRESHOLDS
from .recipe import BN_VARIANTS, SEED_STEPS

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


def baseline_sentence(clf: RunResult, sizes: dict, baseline: dict) -> str:
    b = baseline
    return (f"The feature classifier reaches **{clf.metrics['test_accuracy']:.2%}** accuracy on all "
            f"{sizes['test']:,} test images after {clf.epochs_run} epoch(s) on {sizes['train']:,} training images "
            f"(validation {sizes['val']:,}; the GANs' training images are among them, the test images the metrics "
            f"compare against are not). Real test images against other, disjoint real test images (a perfect generator; no GAN trained on them): FID "
            f"{b['fid']:.3f}, KID × 10³ {b['kid'] * 1000:.2f} (unbiased, can be negative), classifier score {b['is']:.2f}, precision {b['precision']:.3f}, "
            f"recall {b['recall']:.3f}, density {b['density']:.3f}, coverage {b['coverage']:.3f}, mean pixel "
            f"{b['mean_pixel']:.3f}.")


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
