"""helpers.plots: each function draws what it promises (Agg backend, set in conftest)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_backend_is_headless():
    assert matplotlib.get_backend().lower() == "agg"


def test_show_images_grid_and_titles():
    imgs = [
        np.zeros((8, 8, 3)),
        np.full((8, 8, 3), 255.0),
        np.full((8, 8, 3), 0.5),
        np.zeros((8, 8, 3), dtype=np.uint8),
        np.ones((8, 8, 3)),
    ]
    fig = plots.show_images(imgs, ["a", "b", "c", "d", "e"], ncols=2)
    assert len(fig.axes) == 6  # 3 rows x 2 columns, the last one empty
    assert [ax.get_title() for ax in fig.axes[:5]] == ["a", "b", "c", "d", "e"]
    assert len(fig.axes[5].images) == 0 and all(len(ax.images) == 1 for ax in fig.axes[:5])
    assert fig.axes[1].images[0].get_array().dtype == np.uint8  # 0-255 floats shown as uint8
    assert fig.axes[2].images[0].get_array().max() == 0.5  # 0-1 floats kept as they are


def test_plot_history_joins_parts_and_marks():
    h1 = {"accuracy": [0.5, 0.6], "val_accuracy": [0.4, 0.5], "loss": [1.0, 0.8], "val_loss": [1.1, 0.9]}

    class History:  # like keras.callbacks.History
        history = {"accuracy": [0.7], "val_accuracy": [0.6], "loss": [0.6], "val_loss": [0.7]}

    fig = plots.plot_history([h1, History()], marks={"unfreeze": 2}, title="run")
    acc, loss = fig.axes
    lines = {
        line.get_label(): list(line.get_ydata()) for line in acc.get_lines() if not line.get_label().startswith("_")
    }
    assert lines == {"training accuracy": [0.5, 0.6, 0.7], "validation accuracy": [0.4, 0.5, 0.6]}
    assert any(t.get_text() == "unfreeze" for t in acc.texts)
    ticks = [t for t in loss.get_xticks() if loss.get_xlim()[0] <= t <= loss.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks  # whole epochs only
    assert loss.get_ylabel() == "loss" and fig._suptitle.get_text() == "run"


def test_plot_top_k_bars():
    fig = plots.plot_top_k([np.zeros((4, 4, 3))], [[("tabby", 0.6), ("tiger_cat", 0.3)]], ["cat"])
    img_ax, bar_ax = fig.axes
    assert img_ax.get_title() == "cat"
    widths = [p.get_width() for p in bar_ax.patches]
    assert widths == [0.3, 0.6]  # best at the top
    assert {t.get_text() for t in bar_ax.texts} == {"60.0%", "30.0%"}


def test_confusion_matrix_and_its_plot():
    m = plots.confusion_matrix([0, 1, 1, 2], [0, 0, 1, 2], 3)
    assert m.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    fig = plots.plot_confusion(m, ["a", "b", "c"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["1", "0", "0", "1", "1", "0", "0", "0", "1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]


def test_plot_lines_and_bars():
    fig = plots.plot_lines(
        [10, 100],
        {"transfer": [0.8, 0.9], "scratch": [0.5, 0.7]},
        xlabel="images",
        ylabel="accuracy",
        logx=True,
        title="t",
    )
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["transfer", "scratch"]
    assert ax.get_xscale() == "log" and ax.get_title() == "t"
    fig = plots.plot_bars(["scratch", "transfer"], [0.61, 0.9], ylabel="acc", fmt="{:.1%}")
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == [0.61, 0.9]
    assert [t.get_text() for t in ax.texts] == ["61.0%", "90.0%"]


def test_bar_labels_clear_their_error_bars_and_negative_bars():
    fig = plots.plot_bars(["photos", "fashion"], [0.2, -0.05], ylabel="gain", fmt="{:+.0%}", yerr=[0.1, 0.03])
    ax = fig.axes[0]
    up, down = ax.texts
    assert up.get_text() == "+20%" and up.xy[1] == pytest.approx(0.3) and up.get_va() == "bottom"
    assert down.get_text() == "-5%" and down.xy[1] == pytest.approx(-0.08) and down.get_va() == "top"
    fig.canvas.draw()
    box = ax.get_window_extent()
    for text in ax.texts:  # the whole label inside the axes, not cut by the frame
        extent = text.get_window_extent()
        assert box.y0 <= extent.y0 and extent.y1 <= box.y1, text.get_text()


@pytest.fixture(scope="module")
def red_or_blue():
    """A tiny classifier for 8x8 RGB images: mean red above mean blue -> class 0 ("red")."""
    keras = pytest.importorskip("keras")
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Rescaling(1 / 255)(inputs))
    dense = keras.layers.Dense(2, activation="softmax")
    model = keras.Model(inputs, dense(x))
    dense.set_weights([np.array([[8.0, -8.0], [0.0, 0.0], [-8.0, 8.0]]), np.zeros(2)])
    return model


def test_plot_prediction_resizes_an_array_and_titles_label_and_confidence(red_or_blue):
    red = np.zeros((20, 30, 3), "float32")
    red[..., 0] = 255.0  # not the model's 8x8: plot_prediction must resize it
    label, confidence, fig = plots.plot_prediction(red_or_blue, red, ["red", "blue"])
    assert label == "red" and confidence > 0.99
    ax = fig.axes[0]
    assert ax.get_title().startswith("red (100%)")
    assert ax.images[0].get_array().shape[:2] == (8, 8)  # what the model saw
    blue = np.zeros((1, 8, 8, 3), np.uint8)
    blue[..., 2] = 255
    label, confidence, fig = plots.plot_prediction(red_or_blue, blue, ["red", "blue"], title="mine")
    assert label == "blue" and fig.axes[0].get_title() == f"blue ({confidence:.0%})\nmine"


def test_plot_prediction_reads_a_file_and_says_what_is_wrong(red_or_blue, tmp_path):
    from PIL import Image

    path = tmp_path / "blue.png"
    Image.new("RGB", (40, 25), (0, 0, 255)).save(path)
    label, confidence, fig = plots.plot_prediction(red_or_blue, str(path), ["red", "blue"])
    assert label == "blue" and confidence > 0.99
    assert fig.axes[0].get_title().endswith("\nblue.png")
    with pytest.raises(FileNotFoundError, match="missing.jpg: no such file"):
        plots.plot_prediction(red_or_blue, tmp_path / "missing.jpg", ["red", "blue"])
    (tmp_path / "notes.jpg").write_text("not an image")
    with pytest.raises(ValueError, match="not a readable image"):
        plots.plot_prediction(red_or_blue, tmp_path / "notes.jpg", ["red", "blue"])
    with pytest.raises(ValueError, match="2 outputs but 3 class names"):
        plots.plot_prediction(red_or_blue, path, ["red", "blue", "green"])
    with pytest.raises(ValueError, match=r"shape \(height, width, 3\)"):
        plots.plot_prediction(red_or_blue, np.zeros((8, 8)), ["red", "blue"])


def test_plot_lines_draws_a_run_that_stopped_early_over_its_first_epochs():
    fig = plots.plot_lines(range(1, 6), {"full": [5, 4, 3, 2, 1], "stopped": [5, 4]}, xlabel="epoch", ylabel="loss")
    full, stopped = fig.axes[0].get_lines()
    assert list(full.get_xdata()) == [1, 2, 3, 4, 5] and list(stopped.get_xdata()) == [1, 2]
    with pytest.raises(ValueError, match="series 'long' has 6 values for 5 x values"):
        plots.plot_lines(range(1, 6), {"long": [1] * 6}, xlabel="epoch", ylabel="loss")
