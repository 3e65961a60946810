"""Figures for the GAN studies: loss and accuracy curves, metric progress, image progressions, class histograms."""
from __future__ import annotations

import matplotlib

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ...plots import band, stack_padded  # noqa: E402

plt.rcParams["text.parse_math"] = False  # names from data files are text, not mathtext (see lib/plots.py)


def _band(ax, x, values: np.ndarray, label: str, color, linestyle="-"):
    band(ax, x, values, label, color, linestyle, marker="o", markersize=3)


CURVE_NAMES = {"g_loss": "generator", "d_loss": "discriminator", "d_acc_real": "real called real",
               "d_acc_fake": "generated called fake"}


def plot_gan_curves(histories_by_variant: dict[str, list[dict]], title: str = ""):
    """Per epoch, mean ± sd over seeds: G (solid) and D (dashed) losses; D accuracy on real (solid) and fake (dashed).

    Losses of different families are on different scales (BCE vs Wasserstein),
    so each family gets its own row.
    """
    names = list(histories_by_variant)
    colors = sns.color_palette(n_colors=max(3, len(names)))
    fig, axes = plt.subplots(len(names), 2, figsize=(11, 2.9 * len(names)), squeeze=False)
    for row, (color, name) in enumerate(zip(colors, names)):
        hs = histories_by_variant[name]
        ax_loss, ax_acc = axes[row]
        for key, style in (("g_loss", "-"), ("d_loss", "--")):
            v = stack_padded([h.get(key, []) for h in hs])
            _band(ax_loss, np.arange(1, v.shape[1] + 1), v, CURVE_NAMES[key], color, style)
        for key, style in (("d_acc_real", "-"), ("d_acc_fake", "--")):
            v = stack_padded([h.get(key, []) for h in hs])
            _band(ax_acc, np.arange(1, v.shape[1] + 1), v, CURVE_NAMES[key], color, style)
        ax_loss.set_ylabel(f"{name}\nloss")
        ax_acc.set_ylabel("discriminator accuracy")
        ax_acc.set_ylim(-0.05, 1.05)
        ax_acc.axhline(0.5, color="grey", linewidth=0.8)
        for ax in (ax_loss, ax_acc):
            ax.legend(fontsize="small", loc="best")
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_metric_progress(progress_by_variant: dict[str, list[list[dict]]], baseline: dict | None = None,
                         keys=("fid", "classes_covered"), title: str = ""):
    """Metrics tracked during training (``progress`` entries) against the epoch, mean ± sd over seeds."""
    labels = {"fid": "FID (classifier features, log scale)", "classes_covered": "classes covered",
              "kl_uniform": "KL to uniform (nats)", "mean_pixel": "mean pixel value"}
    fig, axes = plt.subplots(1, len(keys), figsize=(5.5 * len(keys), 3.8), squeeze=False)
    colors = sns.color_palette(n_colors=max(3, len(progress_by_variant)))
    for ax, key in zip(axes[0], keys):
        for color, (name, runs) in zip(colors, progress_by_variant.items()):
            epochs = [p["epoch"] for p in runs[0]]
            _band(ax, epochs, stack_padded([[p[key] for p in r] for r in runs]), name, color)
        if baseline is not None and key in baseline:
            ax.axhline(baseline[key], color="black", linestyle=":", label="real vs real (disjoint test halves)")
        if key == "fid":
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # metrics are taken at whole epochs only
        ax.set_ylabel(labels.get(key, key).replace("_", " "))
    if title:
        fig.suptitle(title)
    # One legend for all panels, below them: inside a panel it covered the curves and the baseline.
    handles = {lab: h for ax in axes[0] for h, lab in zip(*ax.get_legend_handles_labels())}
    fig.set_layout_engine("constrained")
    fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncol=min(7, len(handles)),
               fontsize="small", frameon=False)
    return fig


def plot_image_progression(grids: list, title: str = "", max_panels: int = 6):
    """The fixed-noise grids saved during training, side by side (evenly spaced epochs, always the last)."""
    grids = sorted(grids)
    if len(grids) > max_panels:
        pick = np.unique(np.round(np.linspace(0, len(grids) - 1, max_panels)).astype(int))
        grids = [grids[i] for i in pick]
    fig, axes = plt.subplots(1, len(grids), figsize=(2.6 * len(grids), 2.9), squeeze=False)
    for ax, (epoch, path) in zip(axes[0], grids):
        ax.imshow(mpimg.imread(path), cmap="gray", interpolation="nearest")
        ax.set_title("untrained" if epoch == 0 else f"epoch {epoch}", fontsize="small")
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_class_histograms(histograms: dict[str, list[float]], class_names: list[str], title: str = ""):
    """Share of each predicted class in the generated sample, per variant; uniform share dashed."""
    names = list(histograms)
    k = len(class_names)
    width = 0.8 / max(1, len(names))
    fig, ax = plt.subplots(figsize=(max(7, 0.9 * k), 3.8))
    colors = sns.color_palette(n_colors=max(3, len(names)))
    for i, (color, name) in enumerate(zip(colors, names)):
        ax.bar(np.arange(k) + (i - (len(names) - 1) / 2) * width, np.asarray(histograms[name]) * 100, width,
               label=name, color=color)
    ax.axhline(100 / k, color="black", linestyle="--", linewidth=0.8, label="uniform")
    ax.set_xticks(np.arange(k), class_names, rotation=30, ha="right")
    ax.set_ylabel("% of images (classifier's prediction)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_grid_pairs(rows: list[tuple[int, str, str]], column_titles: tuple[str, str], title: str = ""):
    """Two image grids per seed side by side (e.g. with / without batch norm): one row per seed."""
    fig, axes = plt.subplots(max(1, len(rows)), 2, figsize=(6.4, 3.2 * max(1, len(rows))), squeeze=False)
    for (seed, left, right), ax_row in zip(rows, axes):
        for ax, path, column in zip(ax_row, (left, right), column_titles):
            ax.imshow(mpimg.imread(path), cmap="gray", interpolation="nearest")
            ax.set_title(f"{column}, seed {seed}", fontsize="small")
    for ax in axes.ravel():
        ax.axis("off")
    if title:
        import textwrap

        fig.suptitle(textwrap.fill(title, 80), fontsize="small")  # the scope is long: wrap it to the figure
    fig.tight_layout()
    return fig
