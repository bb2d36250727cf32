"""What the notebooks show: one small function per picture (never picks a backend), a text table, a helper's source.

Example: ``fig = show_images([np.zeros((8, 8, 3))], ["black"])``
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator


def _as_image(img) -> np.ndarray:
    img = np.asarray(img)
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype("uint8") if img.max() > 1.0 else img
    return img


def show_images(images: Sequence, titles: Sequence[str] | None = None, *, ncols: int = 4, size: float = 2.5):
    """A grid of images with optional titles.

    Example: ``show_images(batch[:8], [class_names[i] for i in labels[:8]])``
    """
    n = len(images)
    nrows = max(1, -(-n // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(_as_image(images[i]))
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def _history_dict(h) -> dict:
    return h.history if hasattr(h, "history") else dict(h)


def plot_history(
    history, *, metrics: Sequence[str] = ("accuracy", "loss"), marks: Mapping[str, int] | None = None, title: str = ""
):
    """Training and validation curves, one panel per metric; ``marks`` draws vertical lines.

    ``history`` is a Keras ``History``, a dict of lists, or a list of those (joined, e.g.
    feature-extraction then fine-tuning).

    Example: ``plot_history([h1, h2], marks={"unfreeze": len(h1.epoch)})``
    """
    parts = history if isinstance(history, (list, tuple)) else [history]
    joined: dict[str, list] = {}
    for part in parts:
        for key, values in _history_dict(part).items():
            joined.setdefault(key, []).extend(values)
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        for key, style in ((metric, "o-"), (f"val_{metric}", "s--")):
            if key in joined:
                epochs = range(1, len(joined[key]) + 1)
                ax.plot(
                    epochs,
                    joined[key],
                    style,
                    label=key.replace("val_", "validation ") if key.startswith("val_") else f"training {key}",
                )
        for label, epoch in (marks or {}).items():
            ax.axvline(epoch + 0.5, color="grey", linestyle=":")
            ax.annotate(label, (epoch + 0.5, ax.get_ylim()[1]), ha="center", va="bottom", fontsize=8)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epoch 2, not 1.5
        ax.set_ylabel(metric)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_top_k(
    images: Sequence, predictions: Sequence[Sequence[tuple[str, float]]], titles: Sequence[str] | None = None
):
    """Each image beside a bar chart of its top-k labels and probabilities.

    ``predictions[i]`` is a list of ``(label, probability)``, best first, as built from
    ``keras.applications.xception.decode_predictions``.

    Example: ``plot_top_k([cat], [[("tabby", .6), ("tiger_cat", .2), ("Egyptian_cat", .1)]])``
    """
    n = len(images)
    fig, axes = plt.subplots(n, 2, figsize=(8, 2.6 * n), squeeze=False, gridspec_kw={"width_ratios": [1, 1.3]})
    for i in range(n):
        axes[i, 0].imshow(_as_image(images[i]))
        axes[i, 0].axis("off")
        if titles is not None:
            axes[i, 0].set_title(titles[i], fontsize=9)
        labels = [label for label, _ in predictions[i]][::-1]
        probs = [p for _, p in predictions[i]][::-1]
        axes[i, 1].barh(labels, probs, color="tab:blue")
        axes[i, 1].set_xlim(0, 1)
        for y, p in enumerate(probs):
            axes[i, 1].text(min(p + 0.02, 0.85), y, f"{p:.1%}", va="center", fontsize=8)
    axes[-1, 1].set_xlabel("probability")
    fig.tight_layout()
    return fig


def plot_confusion(matrix, class_names: Sequence[str], *, title: str = "confusion matrix"):
    """A confusion matrix with counts in the cells (rows: true class, columns: predicted).

    Example: ``plot_confusion([[48, 2], [5, 45]], ["cats", "dogs"])``
    """
    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(1.2 * len(class_names) + 2, 1.2 * len(class_names) + 1.5))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right")
    ax.set_yticks(range(len(class_names)), class_names)
    for (r, c), v in np.ndenumerate(matrix):
        ax.text(c, r, str(v), ha="center", va="center", color="white" if v > matrix.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Counts of (true, predicted) pairs.

    >>> confusion_matrix([0, 1, 1], [0, 0, 1], 2).tolist()
    [[1, 0], [1, 1]]
    """
    m = np.zeros((num_classes, num_classes), dtype=int)
    for t, p in zip(np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()):
        m[int(t), int(p)] += 1
    return m


def plot_lines(
    x: Sequence, series: Mapping[str, Sequence[float]], *, xlabel: str, ylabel: str, title: str = "", logx: bool = False
):
    """Several named lines over the same x: learning curves, scratch vs transfer.

    A series shorter than ``x`` (a run that early stopping ended) is drawn over the first x values.

    Example: ``plot_lines([10, 50], {"transfer": [.8, .9], "scratch": [.5, .6]}, xlabel="images/class")``
    """
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, ys in series.items():
        if len(ys) > len(x):
            raise ValueError(f"series {name!r} has {len(ys)} values for {len(x)} x values")
        ax.plot(list(x)[: len(ys)], ys, "o-", label=name)
    if logx:
        ax.set_xscale("log")
        ax.set_xticks(list(x), [str(v) for v in x])
        ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_bars(
    names: Sequence[str],
    values: Sequence[float],
    *,
    ylabel: str,
    title: str = "",
    fmt: str = "{:.2f}",
    yerr: Sequence[float] | None = None,
):
    """One bar per name with its value written beyond its end (and beyond its error bar, if any).

    ``yerr`` draws an error bar on each bar (say, one standard deviation over runs). Negative values
    get their label below the bar.

    Example: ``plot_bars(["scratch", "transfer"], [0.6, 0.9], ylabel="test accuracy", yerr=[0.05, 0.02])``
    """
    fig, ax = plt.subplots(figsize=(1.2 * len(names) + 2.5, 3.5))
    bars = ax.bar(names, values, yerr=yerr, capsize=6, color=plt.cm.tab10.colors[: len(names)])
    for bar, v, err in zip(bars, values, yerr if yerr is not None else [0.0] * len(values)):
        up = v >= 0
        ax.annotate(
            fmt.format(v),
            (bar.get_x() + bar.get_width() / 2, v + err if up else v - err),
            xytext=(0, 3 if up else -3),
            textcoords="offset points",
            ha="center",
            va="bottom" if up else "top",
            fontsize=9,
        )
    ax.margins(y=0.15)  # room for the labels above the tallest bar
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.tick_params(axis="x", rotation=20)
    fig.tight_layout()
    return fig


def plot_prediction(
    model, image: str | os.PathLike | np.ndarray, class_names: Sequence[str], *, title: str | None = None
) -> tuple[str, float, plt.Figure]:
    """Classify one image with ``model`` and show it, titled with the label and its confidence.

    ``image`` is a path to an image file (str or Path) or an array of shape (height, width, 3)
    with 0-255 pixels. It is resized to the size the model expects, read from
    ``model.input_shape``; the model must take raw pixels (the course's models preprocess
    inside). ``class_names`` name the model's outputs, in order. Returns
    ``(label, confidence, figure)``. A missing or unreadable file raises a clear error.

    Example: ``label, confidence, fig = plot_prediction(model, "my_cat.jpg", ["cats", "dogs"])``
    """
    from pathlib import Path

    import keras

    _, height, width, channels = model.input_shape
    if channels not in (None, 3):
        raise ValueError(
            f"the model takes images with {channels} channels; plot_prediction shows RGB images (3 channels)"
        )
    name = None
    if isinstance(image, (str, os.PathLike)):
        from .data import load_image

        if height is None or width is None:
            raise ValueError(
                "the model accepts any image size; pass the image as an array resized to the size it was trained on"
            )
        name = Path(image).name
        pixels = load_image(image, (height, width))  # FileNotFoundError / ValueError, with the path
    else:
        pixels = np.asarray(image, dtype="float32")
        if pixels.ndim == 4 and pixels.shape[0] == 1:
            pixels = pixels[0]
        if pixels.ndim != 3 or pixels.shape[-1] != 3:
            raise ValueError(f"expected one RGB image of shape (height, width, 3), got shape {np.shape(image)}")
        if height is not None and width is not None and pixels.shape[:2] != (height, width):
            pixels = np.asarray(keras.ops.image.resize(pixels, (height, width)))
    probs = np.asarray(model.predict(pixels[None], verbose=0), dtype="float64").reshape(-1)
    if probs.size == 1:  # one sigmoid output: the probability of class_names[1]
        probs = np.array([1.0 - probs[0], probs[0]])
    if probs.size != len(class_names):
        raise ValueError(
            f"the model has {probs.size} outputs but {len(class_names)} class names were given ({list(class_names)})"
        )
    best = int(probs.argmax())
    label, confidence = str(class_names[best]), float(probs[best])
    fig, ax = plt.subplots(figsize=(3.5, 3.8))
    ax.imshow(_as_image(pixels))
    ax.axis("off")
    heading = f"{label} ({confidence:.0%})"
    ax.set_title(heading + (f"\n{title}" if title else f"\n{name}" if name else ""), fontsize=10)
    fig.tight_layout()
    return label, confidence, fig


# ---------------------------------------------------------------- tables and code, as text


def show_source(obj) -> None:
    """Print the source of a helper, so a notebook can show the code it runs (no second copy).

    >>> show_source(print_table)  # doctest: +ELLIPSIS
    def print_table(...
    """
    import inspect

    print(inspect.getsource(obj).rstrip())


def print_table(rows: list[dict], columns: list[str] | None = None) -> None:
    """Print a list of dicts as an aligned text table (no pandas needed).

    >>> print_table([{"model": "VGG16", "params_M": 14.71}])
    model  params_M
    VGG16  14.71
    """
    columns = columns or list(rows[0])
    cells = [[str(c) for c in columns]] + [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
