"""The figures Studies 1 and 3 add to lib/plots.py draw what they are given."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from lib import plots  # noqa: E402


def test_per_class_error_draws_one_bar_per_class_and_variant_in_percent():
    errors = {"a": np.array([[0.1, 0.2, 0.3], [0.1, 0.4, 0.3]]), "b": np.array([[0.0, 0.5, 1.0]])}
    fig = plots.plot_per_class_error(errors, ["x", "y", "z"])
    bars = [p for p in fig.axes[0].patches]
    assert len(bars) == 6
    assert [round(b.get_height(), 6) for b in bars[:3]] == [10.0, 30.0, 30.0]
    plt.close(fig)


def test_epochs_to_threshold_marks_runs_that_never_reached_it():
    fig = plots.plot_epochs_to_threshold({"plain": [4, None], "bn": [2, 2]}, 0.65, max_epochs=6)
    ax = fig.axes[0]
    offsets = np.concatenate([c.get_offsets() for c in ax.collections if len(c.get_offsets())])
    assert 7.0 in offsets[:, 1]  # the missed run sits above the last epoch
    assert "65%" in ax.get_title()
    plt.close(fig)


def test_lr_sweep_plots_sorted_rates_on_a_log_axis_with_gaps_for_diverged_runs():
    fig = plots.plot_lr_sweep({"bn": {0.01: 70.0, 0.001: 72.0}, "plain": {0.001: 65.0, 0.01: float("nan")}})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    xs, ys = ax.lines[0].get_data()
    assert list(xs) == [0.001, 0.01] and list(ys) == [72.0, 70.0]
    assert np.isnan(ax.lines[1].get_data()[1][1])
    plt.close(fig)


def test_grid_heatmap_shows_every_cell_in_percent():
    frame = pd.DataFrame([[0.5, 0.6], [0.7, 0.8]], index=pd.Index(["sgd", "adam"], name="optimizer"),
                         columns=["a", "b"])
    fig = plots.plot_grid_heatmap(frame)
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["50.0", "60.0", "70.0", "80.0"]
    plt.close(fig)


def test_split_curves_have_a_row_per_model_and_a_test_line_only_where_recorded():
    with_test = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "test_loss": [1.2, 0.7],
                 "accuracy": [0.5, 0.7], "val_accuracy": [0.4, 0.6], "test_accuracy": [0.4, 0.6]}
    without = {k: v for k, v in with_test.items() if not k.startswith("test_")}
    fig = plots.plot_split_curves({"A": [with_test], "B": [without]})
    assert len(fig.axes) == 4
    assert len(fig.axes[0].lines) == 3 and len(fig.axes[2].lines) == 2
    assert any("test" in t.get_text() for t in fig.axes[0].get_legend().get_texts())
    plt.close(fig)


def test_confusion_matrices_pool_each_models_seeds_and_row_normalise():
    y = np.array([0, 0, 1, 1])
    fig = plots.plot_confusion_matrices(y, {"a": [np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])],
                                            "b": [np.array([1, 1, 1, 1])], "none": []}, ["x", "y"])
    assert len(fig.axes) == 2                                     # a model without runs draws no panel
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["75", "25", "0", "100"]                     # 3 of 4 class-x images right over both seeds
    assert "2 seed(s) pooled" in fig.axes[0].get_title() and "1 seed(s)" in fig.axes[1].get_title()
    plt.close(fig)


def test_bands_are_one_sample_sd_over_seeds_and_say_so():
    fig = plots.plot_training_curves({"a": [{"loss": [1.0, 2.0], "val_loss": [1.0, 1.0]},
                                           {"loss": [3.0], "val_loss": [3.0, 3.0]}]}, metrics=("loss",))
    ax = fig.axes[0]
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(band.max(), 2.0 + np.sqrt(2.0))           # mean 2, sample sd sqrt(2) at epoch 1 (n − 1)
    assert plots.BAND in fig._suptitle.get_text()
    plt.close(fig)
