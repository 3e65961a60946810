"""Figures say what they show: no legend over the curves, no line through shares never trained."""
import matplotlib.pyplot as plt

from lib import plots
from lib.studies.cifar100_vgg_synthetic import figures


def _history(a):
    return {"loss": [2.0, 1.0 + a], "val_loss": [2.1, 1.2], "accuracy": [0.3, 0.6], "val_accuracy": [0.3, 0.5 + a]}


def test_training_curves_have_one_legend_below_the_panels():
    fig = plots.plot_training_curves({"A": [_history(0.0)], "B": [_history(0.1)]})
    assert all(ax.get_legend() is None for ax in fig.axes) and len(fig.legends) == 1
    assert len(fig.legends[0].get_texts()) == 4
    plt.close(fig)


def test_the_sweep_draws_points_not_a_trend_between_shares():
    fig = figures.plot_fraction_sweep({"VGG": {0.0: [59.0, 60.0, 58.0], 0.5: [53.0, 54.0, 52.0]}}, cas=[27.0],
                                      chance=10.0)
    ax = fig.axes[0]
    data_lines = [ln for ln in ax.lines if len(ln.get_xdata()) > 1 and ln.get_linestyle() not in ("None", "none", "")
                  and set(ln.get_xdata()) == {0.0, 50.0}]
    assert not data_lines, "a line joins two measured shares"
    assert ax.get_legend() is None and len(fig.legends) == 1
    assert list(ax.get_xticks()) == [0.0, 50.0]
    plt.close(fig)


def test_gan_history_legends_sit_beside_the_panels():
    h = {"d_loss": [3.0, 2.5], "g_loss": [2.0, 2.2], "d_acc_real": [0.9, 0.8], "d_acc_fake": [0.9, 0.95]}
    fig = figures.plot_gan_history(h)
    for ax in fig.axes:
        assert ax.get_legend() is not None and ax.get_legend().get_bbox_to_anchor().x0 > ax.bbox.x1 - 1
    plt.close(fig)
