"""Figures and tables for Study 5: real beside synthetic samples, accuracy per synthetic fraction, GAN losses; the
arms, the metrics per arm and the sweeps over the synthetic share."""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from ...experiments import ACCURACY, RunResult, RunSet
from ...models import imagenet
from ...plots import legend_below
from .arms import mixed
from .claims import train_test_gap
from .mixing import per_batch

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

plt.rcParams["text.parse_math"] = False  # names from data files are text, not mathtext (see lib/plots.py)


def wrap(title: str, width: int = 95) -> str:
    """A long figure title (they carry the run's scope) broken into lines, so the figure keeps its width."""
    return "\n".join(textwrap.fill(part, width) for part in title.split("\n"))


def _row(images: np.ndarray, n: int, pad: int = 1) -> np.ndarray:
    """Up to ``n`` uint8 images side by side (white padding), float in [0, 1]; blanks where fewer."""
    h, w, c = images.shape[1:] if len(images) else (32, 32, 3)
    out = np.ones((h + 2 * pad, n * (w + pad) + pad, c), dtype=np.float32)
    for i, img in enumerate(images[:n]):
        out[pad:pad + h, pad + i * (w + pad): pad + i * (w + pad) + w] = img.astype(np.float32) / 255.0
    return out


def plot_real_vs_synthetic(x_real, y_real, x_syn, y_syn, class_names, classes=None, per_class: int = 8,
                           title: str = ""):
    """One row per class: ``per_class`` real training images (left) and synthetic ones (right)."""
    classes = list(range(min(10, len(class_names)))) if classes is None else list(classes)
    fig, axes = plt.subplots(len(classes), 2, figsize=(2 * 0.55 * per_class + 1.5, 0.62 * len(classes) + 0.9),
                             squeeze=False)
    for r, c in enumerate(classes):
        for col, (x, y, what) in enumerate(((x_real, y_real, "real"), (x_syn, y_syn, "synthetic (GAN)"))):
            ax = axes[r, col]
            ax.imshow(_row(x[np.flatnonzero(y == c)], per_class), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(what, fontsize="medium")
            if col == 0:
                ax.set_ylabel(str(class_names[c]), rotation=0, ha="right", va="center", fontsize="small")
    if title:
        fig.suptitle(wrap(title, 70))
    fig.tight_layout()
    return fig


def plot_fraction_sweep(values: dict[str, dict[float, list[float]]], cas: list[float] | None = None,
                        chance: float | None = None, title: str = "", ylabel: str = "test accuracy (%)"):
    """Mean ± sd (and each seed's point) of a metric over the synthetic fraction added, one line per model.

    ``values[model][fraction]`` lists one value per seed (percent). ``cas``:
    the Classification Accuracy Score per seed, drawn as a dashed level;
    ``chance``: the accuracy of guessing (percent), a dotted level.
    """
    fig, ax = plt.subplots(figsize=(7, 4.3))
    colors = sns.color_palette(n_colors=max(3, len(values) + 1))
    for color, (model, by_fraction) in zip(colors, values.items()):
        fr = sorted(by_fraction)
        xs = [f * 100 for f in fr]
        means = [float(np.mean(by_fraction[f])) for f in fr]
        sds = [float(np.std(by_fraction[f], ddof=1)) if len(by_fraction[f]) > 1 else 0.0 for f in fr]
        # Points only: the shares between those measured were never trained, so no line suggests a trend.
        ax.errorbar(xs, means, yerr=sds, marker="o", linestyle="none", capsize=3, color=color,
                    label=f"{model} (mean ± sd over seeds)")
        for x, f in zip(xs, fr):
            ax.scatter(np.full(len(by_fraction[f]), x), by_fraction[f], color=color, s=10, alpha=0.5, zorder=3)
    if cas:
        m = float(np.mean(cas))
        ax.axhline(m, color=colors[len(values)], linestyle="--",
                   label=f"CAS: trained on synthetic only ({m:.1f}%)")
    if chance is not None:
        ax.axhline(chance, color="grey", linestyle=":", label=f"chance ({chance:.1f}%)")
    ax.set_xlabel("synthetic images added (% of the real training images)")
    ax.set_ylabel(ylabel)
    ax.set_xticks(sorted({f * 100 for by_fraction in values.values() for f in by_fraction}))
    ax.set_title(wrap(title or "Accuracy against the synthetic fraction", 80), fontsize="medium")
    legend_below(fig, ax, ncol=2)
    return fig


def plot_gan_history(history: dict, title: str = "Conditional GAN training"):
    """Losses (left) and the discriminator's accuracies (right) per epoch: real called real, generated called
    fake and, for the AC-GAN, its class head right on real images and on generated ones."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 3.8))
    epochs = np.arange(1, len(history.get("d_loss", [])) + 1)
    for key in ("d_loss", "g_loss"):
        if key in history:
            a.plot(epochs, history[key], marker=".", label={"d_loss": "discriminator", "g_loss": "generator"}[key])
    a.set_ylabel("loss (hinge + class cross-entropy)" if "g_cls" in history else "loss (binary cross-entropy)")
    for key, name in (("d_acc_real", "real called real"), ("d_acc_fake", "generated called fake"),
                      ("d_cls_real", "class head right, real"), ("g_cls", "class head right, generated")):
        if key in history:
            b.plot(epochs, np.asarray(history[key]) * 100, marker=".", label=name)
    b.set_ylabel("discriminator accuracy (%)")
    b.set_ylim(-3, 103)
    for ax in (a, b):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.suptitle(wrap(title, 110))
    fig.set_layout_engine("constrained")
    return fig


def arms_table(arms, n_train: int) -> pd.DataFrame:
    """Per arm: parameters, recipe, training images (real and synthetic per batch) and optimiser steps."""
    rows = []
    for name, v in arms.variants.items():
        r, frac = arms.recipes[name], v.kwargs.get("fraction", 0)
        on_top = (f" + {round(frac * n_train):,} synthetic ({per_batch(frac, r.batch_size)} on top "
                  f"of every batch of {r.batch_size} real)" if frac else "")
        images = ("synthetic only, as many as the real ones" if v.kwargs.get("synthetic_only")
                  else f"{n_train:,} real" + on_top)
        steps = f"{r.epochs} × {-(-n_train // r.batch_size):,}" + (" at most" if r.early_stopping_patience else "")
        rows.append({"arm": name, "parameters": f"{arms.n_params[name]:,}", "recipe": r.describe(),
                     "training images": images, "optimiser steps": steps})
    return pd.DataFrame(rows).set_index("arm")


def metrics_table(runs: RunSet, n_params: dict[str, int]) -> pd.DataFrame:
    """Accuracy (test, validation, real training), the train − test gap, steps and seconds, mean ± sd per arm."""
    table = runs.table({"test accuracy": ACCURACY("test"), "val accuracy": ACCURACY("val"),
                        "train accuracy (real)": ACCURACY("train"),
                        "train − test": (train_test_gap, 100.0, 2, " pts"),
                        "optimiser steps": ("steps", 1.0, 0, ""), "training s": ("seconds", 1.0, 0, " s")})
    table.insert(0, "parameters", [f"{n_params[v]:,}" for v in table.index])
    return table


def fraction_sweep(runs: RunSet, arms, shares: list[float], compare_fraction: float,
                   metric=None) -> dict:
    """``metric`` (default: test accuracy, %) per synthetic share: the VGG-16-BN sweep, the seed-recipe VGG-16 at
    0 and the compared share, the ImageNet VGG-16 at its one share (an arm that did not finish is left out)."""
    metric = metric or (lambda r: r.metrics["test_accuracy"] * 100)
    pct = lambda name: runs.values(name, metric)  # noqa: E731
    sweep = {arms.vgg: {f: pct(arms.real if f == 0 else mixed(arms.vgg, f)) for f in shares}}
    for label, points in (("VGG-16, seed recipe", ((0.0, arms.seed_real), (compare_fraction, arms.seed_vgg))),
                          (imagenet.TITLES["vgg16"], ((compare_fraction, arms.imagenet),))):
        found = {f: pct(name) for f, name in points if runs.ok(name)}
        if found:
            sweep[label] = found
    return sweep


def gap_pct(run: RunResult) -> float:
    """The train − test gap in points, for the sweep figure."""
    return train_test_gap(run) * 100
