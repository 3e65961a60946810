"""Figures shared by the studies: curves over epochs with seed bands, gaps, per-seed bars."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
import seaborn as sns

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

sns.set_theme(context="notebook", style="whitegrid")
# Class names and labels come from data files: a "$" in one must print as "$", not start mathtext
# (an unmatched or malformed expression fails the whole figure at savefig). No figure of ours uses math.
plt.rcParams["text.parse_math"] = False


# What every shaded band and whisker in these figures is: one convention throughout, the tables' too.
BAND = "line: mean over seeds; band: ± 1 sd over seeds (sample sd, n − 1)"


def stack_padded(series: list) -> np.ndarray:
    """One row per run; runs of different length (early stopping) padded with NaN."""
    longest = max((len(s) for s in series), default=0)
    out = np.full((len(series), longest), np.nan)
    for i, s in enumerate(series):
        out[i, : len(s)] = s
    return out


def _stack(histories: list[dict], key: str) -> np.ndarray:
    return stack_padded([h.get(key, []) for h in histories])


def _band(ax, values: np.ndarray, label: str, color, linestyle="-"):
    band(ax, np.arange(1, values.shape[1] + 1), values, label, color, linestyle)


def band(ax, x, values: np.ndarray, label: str, color, linestyle="-", **line) -> None:
    """Mean over the rows (seeds) as a line and ± 1 sample sd as a band: :data:`BAND`."""
    epochs = np.asarray(x)
    count = np.sum(~np.isnan(values), axis=0)
    with np.errstate(all="ignore"):
        mean = np.nansum(values, axis=0) / count
        # The tables' convention: sample sd (n − 1); no band where fewer than two seeds reach an epoch.
        sd = np.sqrt(np.nansum((values - mean) ** 2, axis=0) / (count - 1))
    sd = np.where(count > 1, sd, np.nan)
    ax.plot(epochs, mean, linestyle=linestyle, color=color, label=label, **line)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if values.shape[0] > 1:
        ax.fill_between(epochs, mean - sd, mean + sd, color=color, alpha=0.15, linewidth=0)


def plot_training_curves(histories_by_variant: dict[str, list[dict]], metrics=("loss", "accuracy"),
                         title: str = ""):
    """Train (dashed) and validation (solid) curves, mean ± sd over seeds, one panel per metric."""
    title = f"{title}\n({BAND})" if title else BAND
    fig, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 4.2), squeeze=False)
    colors = sns.color_palette(n_colors=max(3, len(histories_by_variant)))
    for ax, metric in zip(axes[0], metrics):
        for color, (variant, histories) in zip(colors, histories_by_variant.items()):
            _band(ax, _stack(histories, metric), f"{variant} (train)", color, "--")
            _band(ax, _stack(histories, f"val_{metric}"), f"{variant} (validation)", color, "-")
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"{metric} ({'fraction correct' if 'acc' in metric else 'cross-entropy'})")
        ax.set_title(metric)
    fig.suptitle(title)
    legend_below(fig, axes[0][0], ncol=2)
    return fig


def legend_below(fig, ax, ncol: int = 2) -> None:
    """One legend for the whole figure, under its panels: a legend inside a panel covers the curves
    (the panels share their entries, so one legend says it all)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.set_layout_engine("constrained")
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(ncol, len(handles)), fontsize="small",
                   frameon=False)


def plot_generalisation_gap(histories_by_variant: dict[str, list[dict]], metric: str = "accuracy"):
    """Train minus validation ``metric`` per epoch: the overfitting signal."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    colors = sns.color_palette(n_colors=max(3, len(histories_by_variant)))
    for color, (variant, histories) in zip(colors, histories_by_variant.items()):
        gap = (_stack(histories, metric) - _stack(histories, f"val_{metric}")) * 100
        _band(ax, gap, variant, color)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"train − validation {metric} (percentage points)")
    # Keras logs training accuracy as a running mean over the epoch with dropout active, so this
    # gap is smaller than (and can have another sign from) the inference-mode gap in the tables.
    ax.set_title(f"Generalisation gap per epoch (training accuracy as logged: training mode)\n({BAND})",
                 fontsize="small")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_seed_points(values_by_variant: dict[str, list[float]], ylabel: str, title: str = ""):
    """One point per seed and a mean bar per variant: spread is visible, not hidden."""
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(values_by_variant), 4))
    names = list(values_by_variant)
    means = [np.mean(values_by_variant[n]) for n in names]
    # A dot plot with mean marks, not bars: the axis is zoomed to the data, and a bar cut off
    # above zero would draw small differences as large ones.
    colors = sns.color_palette(n_colors=max(3, len(names)))[: len(names)]
    for i, (m, c) in enumerate(zip(means, colors)):
        ax.hlines(m, i - 0.3, i + 0.3, color=c, linewidth=3, label="mean" if i == 0 else None)
    ax.set_xticks(range(len(names)), names)
    ax.set_xlim(-0.6, len(names) - 0.4)
    for i, n in enumerate(names):
        ys = values_by_variant[n]
        ax.scatter(np.full(len(ys), i) + np.linspace(-0.1, 0.1, len(ys)), ys, color="black", zorder=3, s=18)
    lo = min(min(v) for v in values_by_variant.values())
    hi = max(max(v) for v in values_by_variant.values())
    pad = max((hi - lo) * 0.5, 0.5)
    bottom, top = lo - pad, hi + pad
    if 0 <= lo and hi <= 100:  # a percentage: the axis stays within what it can be
        bottom, top = max(0.0, bottom), min(100.0, top)
    ax.set_ylim(bottom, top)
    ax.set_ylabel(ylabel)
    ax.set_title(title or ylabel)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    m = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(m, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return m


def plot_confusion_matrices(y_true, predictions_by_model: dict[str, list], class_names, title: str = ""):
    """One row-normalised test confusion matrix per model, its counts summed over that model's seeds
    (``predictions_by_model``: model -> one prediction array per seed, all on the images ``y_true``)."""
    names = [n for n, preds in predictions_by_model.items() if len(preds)]
    if not names:
        raise ValueError("plot_confusion_matrices needs at least one model with predictions")
    k = len(class_names)
    fig, axes = plt.subplots(1, len(names), figsize=(6.2 * len(names), 5.6), squeeze=False)
    for ax, name in zip(axes[0], names):
        m = sum(confusion_matrix(y_true, p, k) for p in predictions_by_model[name]).astype(float)
        m /= np.maximum(m.sum(axis=1, keepdims=True), 1)
        sns.heatmap(m * 100, annot=True, fmt=".0f", cmap="Blues", xticklabels=class_names, yticklabels=class_names,
                    cbar=False, ax=ax, annot_kws={"fontsize": "x-small"}, vmin=0, vmax=100)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.set_title(f"{name} ({len(predictions_by_model[name])} seed(s) pooled)", fontsize="small")
    fig.suptitle(title or "Test confusion matrices (% of each true class, counts summed over seeds)")
    fig.tight_layout()
    return fig


def plot_per_class_error(errors_by_variant: dict[str, np.ndarray], class_names, title: str = ""):
    """Grouped bars of test error per class, mean over seeds with ± sd whiskers.

    ``errors_by_variant`` maps a variant to an array (seeds x classes) of error fractions.
    """
    fig, ax = plt.subplots(figsize=(max(7, 0.9 * len(class_names) + 2), 4.2))
    names = list(errors_by_variant)
    width = 0.8 / max(1, len(names))
    x = np.arange(len(class_names))
    colors = sns.color_palette(n_colors=max(3, len(names)))
    for i, (name, color) in enumerate(zip(names, colors)):
        err = np.atleast_2d(np.asarray(errors_by_variant[name], dtype=float)) * 100
        mean = err.mean(axis=0)
        sd = err.std(axis=0, ddof=1) if err.shape[0] > 1 else np.zeros_like(mean)
        yerr = np.vstack([np.minimum(sd, mean), np.minimum(sd, 100 - mean)])  # whiskers stay within 0-100 %
        ax.bar(x + (i - (len(names) - 1) / 2) * width, mean, width, yerr=yerr, capsize=2, color=color,
               label=name)
    ax.set_xticks(x, class_names, rotation=30, ha="right")
    ax.set_ylabel("test error (% of the class)")
    ax.set_title(f"{title or 'Test error per class'}\n(bars: mean over seeds; whiskers: ± 1 sd over seeds, n − 1)")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_epochs_to_threshold(epochs_by_variant: dict[str, list], threshold: float, max_epochs: int):
    """Per seed, the first epoch whose validation accuracy reached ``threshold``.

    Runs that never reached it (None) are drawn as open circles above ``max_epochs``.
    """
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(epochs_by_variant), 4))
    names = list(epochs_by_variant)
    colors = sns.color_palette(n_colors=max(3, len(names)))
    for i, (name, color) in enumerate(zip(names, colors)):
        vals = epochs_by_variant[name]
        xs = np.full(len(vals), float(i)) + np.linspace(-0.1, 0.1, len(vals))
        reached = [(x, v) for x, v in zip(xs, vals) if v is not None]
        missed = [x for x, v in zip(xs, vals) if v is None]
        if reached:
            ax.scatter(*zip(*reached), color=color, s=30, zorder=3)
            ax.hlines(np.mean([v for _, v in reached]), i - 0.25, i + 0.25, color=color)
        if missed:
            ax.scatter(missed, [max_epochs + 1] * len(missed), facecolors="none", edgecolors=color, s=40,
                       zorder=3)
    ax.axhline(max_epochs + 0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.text(len(names) - 0.5, max_epochs + 1, "not reached", ha="right", va="center", fontsize="small",
            color="grey")
    ax.set_xticks(range(len(names)), names)
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(0, max_epochs + 1.8)
    ax.set_ylabel("epoch")
    ax.set_title(f"Epochs to {threshold:.0%} validation accuracy")
    fig.tight_layout()
    return fig


def plot_lr_sweep(values_by_variant: dict[str, dict[float, float]], ylabel: str = "validation accuracy (%)",
                  title: str = "Learning-rate sweep"):
    """One line per variant over learning rates (log axis); NaN (a diverged run) leaves a gap."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    colors = sns.color_palette(n_colors=max(3, len(values_by_variant)))
    for color, (name, by_lr) in zip(colors, values_by_variant.items()):
        lrs = sorted(by_lr)
        ax.plot(lrs, [by_lr[lr] for lr in lrs], marker="o", color=color, label=name)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_grid_heatmap(frame, title: str = "", value_label: str = "validation accuracy (%)", scale: float = 100.0):
    """A configuration grid (rows x columns of a pivoted table) as an annotated heatmap."""
    values = frame.astype(float) * scale
    fig, ax = plt.subplots(figsize=(max(6, 0.75 * values.shape[1] + 3), max(3, 0.55 * values.shape[0] + 2)))
    sns.heatmap(values, annot=True, fmt=".1f", cmap="viridis", cbar_kws={"label": value_label}, ax=ax,
                annot_kws={"fontsize": "x-small"})
    ax.set_xlabel(frame.columns.name or "")
    ax.set_ylabel(frame.index.name or "")
    ax.tick_params(axis="x", labelrotation=60, labelsize="x-small")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_split_curves(histories_by_model: dict[str, list[dict]], metrics=("loss", "accuracy"), title: str = ""):
    """Training, validation and test curves per model (rows) and metric (columns), mean ± sd over seeds.

    The test curve is for display: no choice was made from it.
    """
    splits = (("train", "", "--"), ("validation", "val_", "-"), ("test (display only)", "test_", ":"))
    fig, axes = plt.subplots(len(histories_by_model), len(metrics),
                             figsize=(6 * len(metrics), 3.6 * len(histories_by_model)), squeeze=False)
    colors = sns.color_palette(n_colors=3)
    for row, (model, histories) in zip(axes, histories_by_model.items()):
        for ax, metric in zip(row, metrics):
            for color, (split, prefix, style) in zip(colors, splits):
                if any(f"{prefix}{metric}" in h for h in histories):
                    _band(ax, _stack(histories, f"{prefix}{metric}"), split, color, style)
            ax.set_xlabel("epoch")
            ax.set_ylabel(f"{metric} ({'fraction correct' if 'acc' in metric else 'cross-entropy'})")
            ax.set_title(f"{model}: {metric}")
            ax.legend(fontsize="small")
    fig.suptitle(f"{title}\n({BAND})" if title else BAND)
    fig.tight_layout()
    return fig
