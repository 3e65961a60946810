"""Report helpers: every figure on a page carries a description for readers who cannot see it."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lib.report import figure_description  # noqa: E402


def test_figure_description_names_the_title_panels_and_axes():
    fig, (a, b) = plt.subplots(1, 2)
    fig.suptitle("Training and validation curves (quick)")
    a.set_title("loss"), a.set_xlabel("epoch"), a.set_ylabel("loss")
    b.set_title("accuracy"), b.set_xlabel("epoch")
    text = figure_description(fig, "curves")
    plt.close(fig)
    assert text == ("Figure: Training and validation curves (quick); loss, x: epoch, y: loss; "
                    "accuracy, x: epoch")


def test_an_untitled_figure_falls_back_to_its_name():
    fig, _ = plt.subplots()
    text = figure_description(fig, "epochs_to_threshold")
    plt.close(fig)
    assert text == "Figure: epochs to threshold"


def test_a_page_figure_is_an_img_with_its_description(tmp_path, monkeypatch):
    from lib import report

    shown = []
    monkeypatch.setattr(report, "_display", lambda obj, **kw: shown.append(obj))
    page = report.StudyReport("fashion_regularisation", {"output_dir": str(tmp_path), "profile": "t", "seeds": [0]})
    fig, ax = plt.subplots()
    ax.set_title("test accuracy per seed")
    page.figure(fig, "seeds")
    html = shown[0].data
    assert html.startswith('<img alt="Figure: test accuracy per seed" src="data:image/png;base64,')
    assert (tmp_path / "figures" / "seeds.png").stat().st_size > 0
