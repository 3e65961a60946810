"""Figures shared by the studies: curves over epochs with seed bands, gaps, per-seed bars."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
import seaborn as sns

sns.set_theme(context="notebook", style="whitegrid")


def _stack(histories: list[dict], key: str) -> np.ndarray:
    """Runs of different length (early stopping) padded with NaN."""
    longest = max(len(h.get(key, [])) for h in histories)
    out = np.full((len(histories), longest), np.nan)
    for i, h in enumerate(histories):
        vals = h.get(key, [])
        out[i, : len(vals)] = vals
    return out


def _band(ax, values: np.ndarray, label: str, color, linestyle="-"):
    epochs = np.arange(1, values.shape[1] + 1)
    with np.errstate(all="ignore"):
        mean = np.nanmean(values, axis=0)
        sd = np.nanstd(values, axis=0)
    ax.plot(epochs, mean, linestyle=linestyle, color=color, label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if values.shape[0] > 1:
        ax.fill_between(epochs, mean - sd, mean + sd, color=color, alpha=0.15, linewidth=0)


def plot_training_curves(histories_by_variant: dict[str, list[dict]], metrics=("loss", "accuracy"),
                         title: str = ""):
    """Train (dashed) and validation (solid) curves, mean ± sd over seeds, one panel per metric."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 4.2), squeeze=False)
    colors = sns.color_palette(n_colors=max(3, len(histories_by_variant)))
    for ax, metric in zip(axes[0], metrics):
        for color, (variant, histories) in zip(colors, histories_by_variant.items()):
            _band(ax, _stack(histories, metric), f"{variant} (train)", color, "--")
            _band(ax, _stack(histories, f"val_{metric}"), f"{variant} (validation)", color, "-")
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"{metric} ({'fraction correct' if 'acc' in metric else 'cross-entropy'})")
        ax.set_title(metric)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


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
    ax.set_title("Generalisation gap")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_seed_points(values_by_variant: dict[str, list[float]], ylabel: str, title: str = ""):
    """One point per seed and a mean bar per variant: spread is visible, not hidden."""
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(values_by_variant), 4))
    names = list(values_by_variant)
    means = [np.mean(values_by_variant[n]) for n in names]
    ax.bar(names, means, color=sns.color_palette(n_colors=max(3, len(names)))[: len(names)], alpha=0.5)
    for i, n in enumerate(names):
        ys = values_by_variant[n]
        ax.scatter(np.full(len(ys), i) + np.linspace(-0.1, 0.1, len(ys)), ys, color="black", zorder=3, s=18)
    lo = min(min(v) for v in values_by_variant.values())
    hi = max(max(v) for v in values_by_variant.values())
    pad = max((hi - lo) * 0.5, 0.5)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_ylabel(ylabel)
    ax.set_title(title or ylabel)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    m = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(m, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return m


def plot_confusion_matrix(y_true, y_pred, class_names, title="Confusion matrix (test set, row-normalised)"):
    m = confusion_matrix(y_true, y_pred, len(class_names)).astype(float)
    m /= np.maximum(m.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7, 6))
    sns.heatmap(m * 100, annot=True, fmt=".0f", cmap="Blues", xticklabels=class_names,
                yticklabels=class_names, cbar_kws={"label": "% of true class"}, ax=ax)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.tight_layout()
    return fig
