"""Runs over seeds: which finished, mean ± sd tables, and comparisons over training runs (each seed one run)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from . import stats
from ..errors import TrainingDiverged
from ..progress import print_run_marker
from .record import RunResult

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True


@dataclass
class RunSet:
    """Every run of a study, by variant; failed runs are kept (and shown), never averaged."""
    runs: dict[str, list[RunResult]] = field(default_factory=dict)

    def add(self, variant: str, result: RunResult) -> RunResult:
        result.variant = variant
        self.runs.setdefault(variant, []).append(result)
        return result

    @property
    def variants(self) -> list[str]:
        return list(self.runs)

    def all(self) -> list[RunResult]:
        return [r for rs in self.runs.values() for r in rs]

    def ok(self, variant: str) -> list[RunResult]:
        return sorted((r for r in self.runs.get(variant, []) if r.ok), key=lambda r: r.seed)

    def failed(self) -> list[RunResult]:
        return [r for r in self.all() if not r.ok]

    def seeds(self, variant: str) -> list[int]:
        return [r.seed for r in self.ok(variant)]

    def values(self, variant: str, metric: str | Callable[[RunResult], float]) -> list[float]:
        """``metric`` of each finished run of ``variant``, in seed order (a name in
        ``metrics``, ``epochs_run``/``best_epoch``/``seconds``, or a function of the run)."""
        return [_value(r, metric) for r in self.ok(variant)]

    def paired(self, a: str, b: str, metric: str | Callable[[RunResult], float]) -> stats.PairedComparison:
        """``b - a`` on ``metric`` over the seeds both variants finished."""
        common = sorted(set(self.seeds(a)) & set(self.seeds(b)))
        pick = {v: {r.seed: _value(r, metric) for r in self.ok(v)} for v in (a, b)}
        if not common:
            return stats.empty(stats.PAIRED)
        return stats.paired_comparison([pick[a][s] for s in common], [pick[b][s] for s in common])

    def table(self, columns: dict[str, tuple], variants: list[str] | None = None) -> pd.DataFrame:
        """Mean ± sd per variant. ``columns`` maps a column title to ``(metric, scale, digits, unit)``."""
        rows = {}
        for v in variants or self.variants:
            if not self.ok(v):
                continue
            rows[v] = {title: stats.fmt_mean_sd(self.values(v, spec[0]), scale=spec[1], digits=spec[2], unit=spec[3])
                       for title, spec in columns.items()}
            rows[v]["seeds"] = len(self.ok(v))
        return pd.DataFrame(rows).T

    def derive(self, name: str, fn: Callable[[RunResult], float]) -> None:
        """Add a measure computed from each finished run (e.g. epochs to a threshold) to its metrics."""
        for r in self.all():
            if r.ok:
                r.metrics[name] = float(fn(r))

    def welch(self, a: str, b: str, metric: str | Callable[[RunResult], float]) -> stats.Comparison:
        """``b - a`` on ``metric`` as independent samples (Welch): for arms that a seed does not pair."""
        va, vb = self.values(a, metric), self.values(b, metric)
        return stats.welch_comparison(va, vb) if va and vb else stats.empty(stats.WELCH)

    def correct(self, variant: str, labels) -> dict[int, np.ndarray]:
        """Per seed, which test images ``variant`` classified correctly (from the stored predictions)."""
        labels = np.asarray(labels)
        out = {}
        for r in self.ok(variant):
            pred = np.asarray(r.test_predictions)
            if pred.shape != labels.shape:
                raise ValueError(f"{r.label}: {pred.size} stored test predictions for {labels.size} test labels")
            out[r.seed] = pred == labels
        return out

    def mcnemar(self, a: str, b: str, labels) -> stats.Comparison:
        """``b - a`` in test accuracy, per image on the same test images, pooled over the common seeds."""
        ca, cb = self.correct(a, labels), self.correct(b, labels)
        common = sorted(set(ca) & set(cb))
        if not common:
            return stats.empty(stats.MCNEMAR)
        return stats.mcnemar_comparison([ca[s] for s in common], [cb[s] for s in common])

    def per_image_note(self, a: str, b: str, labels) -> str:
        """``b − a`` per image (McNemar exact on the same test images, pooled over seeds), worded as what it is:
        supporting evidence about test-set noise, never training noise ("" without two finished arms)."""
        c = self.mcnemar(a, b, labels)
        if not c.n:
            return ""
        return (f"per image, {c.mean_diff * 100:+.2f} points (McNemar exact on {c.items:,} image pairs over {c.n} "
                f"seed{'s' if c.n != 1 else ''}, p = {c.p:.3g}: test-set noise only, not training noise)")

    def compare(self, claim) -> stats.Comparison:
        """The comparison ``claim`` declared over training runs: Welch t, or paired t where declared."""
        if claim.test == stats.PAIRED:
            return self.paired(claim.baseline, claim.variant, claim.measure)
        return self.welch(claim.baseline, claim.variant, claim.measure)

    def evidence(self, claim, *, budget: float | None = None, dataset: str = "", scope: str = "",
                 supporting: str = "", final=None, m_ours: int | None = None):
        """The Evidence for ``claim`` from these runs: its ``variant``'s values of ``measure`` (absolute,
        qualitative; ``final``: the final-epoch measure shown beside a maximum) or the declared comparison
        ``variant − baseline`` (improves)."""
        from .claims import Evidence

        measure = claim.measure if isinstance(claim.measure, str) else ""
        common = dict(budget=budget, dataset=dataset, scope=scope, measure=measure, supporting=supporting)
        if claim.kind == "improves":
            return Evidence(comparison=self.compare(claim), **common)
        return Evidence(values=self.values(claim.variant, claim.measure), m_ours=m_ours,
                        final=self.values(claim.variant, final) if final else [], **common)

    @property
    def compute_seconds(self) -> float:
        """Training time of every run in the set, cached ones included (from their records)."""
        return float(sum(r.seconds for r in self.all()))

    def raise_if_all_failed(self) -> None:
        """A study has nothing to report when no run finished: stop with every run's reason."""
        everything = self.all()
        if everything and not any(r.ok for r in everything):
            raise TrainingDiverged("; ".join(r.message or f"{r.label}: {r.status}" for r in everything))


def _value(run: RunResult, metric) -> float:
    if callable(metric):
        return float(metric(run))
    if metric in run.metrics:
        return float(run.metrics[metric])
    return float(getattr(run, metric))


# Common metric columns of classifier runs: (metric, scale, digits, unit).
ACCURACY = lambda split: (f"{split}_accuracy", 100.0, 2, " %")  # noqa: E731
LOSS = lambda split: (f"{split}_loss", 1.0, 4, "")  # noqa: E731


def train_val_gap(run: RunResult) -> float:
    """Training minus validation accuracy at the kept weights, both measured in inference mode."""
    return run.metrics["train_accuracy"] - run.metrics["val_accuracy"]


@dataclass
class Variant:
    """One arm of a study: ``fn(seed=…, label=…, **kwargs)`` is a run of it. ``epochs`` and ``cost`` (an epoch's
    time relative to the study's other arms) order the runs handed to an executor, longest first; neither is part
    of a run's key."""
    fn: Callable
    kwargs: dict = field(default_factory=dict)
    epochs: int = 0          # for the progress view and the order of the runs
    cost: float = 1.0        # an epoch's relative time: only the order of the runs reads it


@dataclass
class RunGroup:
    """Every variant × seed of one part of a study, into ``runs`` (a new RunSet where None); ``workdir``: the
    keyword its runs get their checkpoint folder as."""
    variants: dict[str, Variant]
    seeds: list[int]
    workdir: str | None = None
    runs: RunSet | None = None


def run_variants(cache, variants: dict[str, Variant], seeds: list[int], *, workdir: str | None = None,
                 runs: RunSet | None = None, executor=None) -> RunSet:
    """Every variant × seed through ``cache`` (one :class:`RunGroup`, see :func:`run_groups`)."""
    return run_groups(cache, [RunGroup(variants, seeds, workdir, runs)], executor=executor)[0]


def run_groups(cache, groups: list[RunGroup], *, executor=None) -> list[RunSet]:
    """Every group's variant × seed through ``cache``, one RunSet per group, announcing each run for the
    pipeline's progress view; the runs the cache does not hold go to ``executor`` (default: the one
    ``SMALLIMG_EXECUTOR`` names, see :mod:`.executors`) in **one** call, longest first.

    One call, because each call ends with a tail in which one run trains while the other workers idle, and
    starts a fresh pool; longest first (by epochs × cost; ties keep the seed-major order), because the
    runs left for that tail are then the short ones. The results keep the seed-major order either way."""
    from .executors import from_env

    executor = executor if executor is not None else from_env()
    sets = [g.runs if g.runs is not None else RunSet() for g in groups]
    total = sum(len(g.variants) * len(g.seeds) for g in groups)
    index = 0
    pending = []  # Jobs for the executor, with their epochs × cost
    order: list[tuple[RunSet, str, RunResult | None]] = []  # None keeps the place of a run the executor trains
    for group, runs in zip(groups, sets):
        ignore = ("log", "label", *((group.workdir,) if group.workdir else ()))
        for seed in group.seeds:
            for name, v in group.variants.items():
                index += 1
                label = f"{name} seed {seed}"
                kwargs = {**v.kwargs, "seed": seed, "label": label}
                if executor.inline:
                    key = cache.key(v.fn, ignore=ignore, **kwargs)
                    print_run_marker(index, total, label, v.epochs, cache.stored(key) is not None)
                    runs.add(name, cache.call(v.fn, workdir=group.workdir, ignore=("log", "label"), **kwargs))
                    continue
                key, found, kwargs = cache.prepare(v.fn, workdir=group.workdir, ignore=("log", "label"), **kwargs)
                print_run_marker(index, total, label, v.epochs, found is not None)
                order.append((runs, name, found))
                if found is None:
                    pending.append((_job(v.fn, kwargs, key, group.workdir), v.epochs * v.cost))
    if order:
        _collect(cache, executor, order, longest_first(pending))
    return sets


def longest_first(pending: list[tuple[object, float]]) -> list[tuple[int, object]]:
    """``(place, job)`` by descending epochs × cost; equal ones keep their order (a stable sort)."""
    ranked = sorted(range(len(pending)), key=lambda i: -pending[i][1])
    return [(i, pending[i][0]) for i in ranked]


def _job(fn, kwargs: dict, key: str, workdir: str | None):
    from .cache import runtime_context
    from .executors import Job

    return Job(fn, kwargs, key, ("log", "label", *((workdir,) if workdir else ())), runtime_context())


def _collect(cache, executor, order: list, ranked: list) -> None:
    """Hand the jobs of ``ranked`` (place in the pending list, job) to ``executor`` in that order; store every
    result and add each run to its RunSet in ``order``; then raise the first exception a run raised (the others
    finished and are stored, as a serial study would have them)."""
    jobs = [job for _, job in ranked]
    try:
        done = dict(zip((place for place, _ in ranked), zip(jobs, executor.run(jobs))))
        error, place = None, 0
        for runs, name, found in order:
            if found is None:
                job, result = done[place]
                place += 1
                if isinstance(result, BaseException):
                    error = error or result
                    continue
                found = cache.store(job.key, job.fn, result)
            runs.add(name, found)
    finally:  # the runs this process owned and did not store (failed, interrupted) are let go
        for job in jobs:
            cache.release(job.key)
    if error is not None:
        raise error


def logged_gap(run: RunResult) -> float:
    """Training minus validation accuracy as Keras logged them at the kept epoch: the training
    figure is a running mean over the epoch with dropout active, which is what the seeds reported."""
    epoch = (run.best_epoch or run.epochs_run) - 1
    return run.history["accuracy"][epoch] - run.history["val_accuracy"][epoch]


def classifier_table(runs: RunSet, extra: dict[str, tuple] | None = None) -> pd.DataFrame:
    """The standard mean ± sd table of classifier runs: accuracies, losses, the gap, epochs, time."""
    for r in runs.all():
        if r.ok:
            r.metrics.setdefault("train_val_gap", train_val_gap(r))
    columns = {"test accuracy": ACCURACY("test"), "val accuracy": ACCURACY("val"),
               "train accuracy": ACCURACY("train"), "test loss": LOSS("test"), "val loss": LOSS("val"),
               "gap train − val (inference)": ("train_val_gap", 100.0, 2, " pts"),
               "epochs run": ("epochs_run", 1.0, 1, ""), "best epoch": ("best_epoch", 1.0, 1, ""),
               "s / epoch": (lambda r: r.seconds / max(1, r.epochs_run), 1.0, 1, ""), **(extra or {})}
    return runs.table(columns)
