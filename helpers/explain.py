"""Seeing inside a network: Grad-CAM, first-layer filters, feature maps, 2-D feature projections.

Every plotting function returns its matplotlib figure (it never picks a backend).

>>> project_2d(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])).shape
(3, 2)
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .plots import _as_image

# ---------------------------------------------------------------- Grad-CAM


def _is_model(layer) -> bool:
    import keras

    return isinstance(layer, keras.Model)


def _spatial_layers(model) -> list:
    """Layers of ``model`` with a 4-D output (batch, height, width, channels), pooling excluded."""
    import keras

    pools = (
        keras.layers.MaxPooling2D,
        keras.layers.AveragePooling2D,
        keras.layers.GlobalMaxPooling2D,
        keras.layers.GlobalAveragePooling2D,
    )
    out = []
    for layer in model.layers:
        if _is_model(layer) or isinstance(layer, (keras.layers.InputLayer, *pools)):
            continue
        try:
            shape = layer.output.shape
        except (AttributeError, ValueError):  # a layer called more than once, or never
            continue
        if len(shape) == 4:
            out.append(layer)
    return out


def _one_input(model):
    """The model's input tensor (a list only when it has several), so calls get no structure warning."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def _find_base(model, base_layer_name: str | None):
    """The nested model that holds the convolutions, or None when ``model`` is flat."""
    if base_layer_name is not None:
        base = model.get_layer(base_layer_name)
        if not _is_model(base):
            raise ValueError(
                f"layer {base_layer_name!r} of {model.name} is a {type(base).__name__}, not a nested model"
            )
        return base
    nested = [layer for layer in model.layers if _is_model(layer) and _spatial_layers(layer)]
    if not nested:
        return None
    return max(nested, key=lambda m: sum(int(np.prod(w.shape)) for w in m.weights))


def grad_cam(
    model,
    image,
    *,
    base_layer_name: str | None = None,
    conv_layer_name: str | None = None,
    class_index: int | None = None,
) -> np.ndarray:
    """Grad-CAM heatmap (height x width of ``image``, values in [0, 1]) for one image.

    Where the model looked when it scored ``class_index`` (default: its top class):
    the feature maps of a late convolutional layer, weighted by the average gradient of
    that class's score with respect to each map, summed, ReLU'd, scaled to [0, 1] and
    resized to the image.

    Works on the course's models, which *nest* a pretrained base (``x = base(x)``).
    The textbook recipe, ``keras.Model(model.inputs, [base.get_layer(conv).output,
    model.output])``, fails there with "Graph disconnected": the conv layer's output
    lives in the base's own graph, not in the outer model's. Here the outer graph is
    re-run with the same layers (no copies of weights) and the base call swapped for
    one that also returns the conv layer's output, so both tensors share one graph.

    ``base_layer_name``: the nested base (default: the nested model with the most
    weights); ``conv_layer_name``: the layer inside it (default: its last layer with
    a 4-D output that is not pooling, e.g. ``block5_conv3`` of VGG16, ``out_relu`` of
    MobileNetV2). ``image``: one image (H, W, C) or a batch of one, as the model takes it.

    Example: ``heatmap = grad_cam(model, images[0])``
    """
    import keras
    import tensorflow as tf

    x = np.asarray(image, dtype="float32")
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(f"grad_cam takes one image (H, W, C) or a batch of one; got shape {x.shape}")

    base = _find_base(model, base_layer_name)
    inner_model = base if base is not None else model
    if conv_layer_name is None:
        candidates = _spatial_layers(inner_model)
        if not candidates:
            raise ValueError(f"{inner_model.name} has no layer with a 4-D output to explain; pass conv_layer_name=")
        conv_layer = candidates[-1]
    else:
        try:
            conv_layer = inner_model.get_layer(conv_layer_name)
        except ValueError:
            names = [layer.name for layer in inner_model.layers]
            raise ValueError(
                f"{inner_model.name} has no layer {conv_layer_name!r}; its last layers are {names[-6:]}"
            ) from None

    if base is None:  # flat model: the textbook recipe works
        grad_model = keras.Model(_one_input(model), [conv_layer.output, model.outputs[0]])
    else:
        tapped = keras.Model(_one_input(base), [conv_layer.output, base.outputs[0]])
        if isinstance(model, keras.Sequential):
            grad_model = None  # run the chain of layers explicitly below
        else:
            seen = {}

            def call(layer, *args, **kwargs):
                if layer is base:
                    conv_out, base_out = tapped(*args, **kwargs)
                    seen["conv"] = conv_out
                    return base_out
                return layer(*args, **kwargs)

            rerun = keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)
            if "conv" not in seen:
                raise ValueError(f"{base.name} is not called inside {model.name}")
            grad_model = keras.Model(_one_input(rerun), [seen["conv"], rerun.outputs[0]])

    inputs = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        if grad_model is not None:
            conv_out, preds = grad_model(inputs, training=False)
        else:  # Sequential: call the layers before the base, the tapped base, then the head
            h = inputs
            for layer in model.layers:
                if layer is base:
                    conv_out, h = tapped(h, training=False)
                else:
                    h = layer(h, training=False)
            preds = h
        preds = tf.cast(preds, "float32")
        index = int(tf.argmax(preds[0])) if class_index is None else int(class_index)
        if not 0 <= index < preds.shape[-1]:
            raise ValueError(f"class_index={class_index} but the model has {preds.shape[-1]} outputs")
        score = preds[:, index]
    grads = tape.gradient(score, conv_out)
    conv_out = tf.cast(conv_out, "float32")[0]
    weights = tf.reduce_mean(tf.cast(grads, "float32")[0], axis=(0, 1))
    cam = tf.nn.relu(tf.reduce_sum(conv_out * weights, axis=-1))
    cam = tf.image.resize(cam[..., None], x.shape[1:3], method="bilinear")[..., 0].numpy()
    cam = np.nan_to_num(cam, nan=0.0, posinf=0.0, neginf=0.0)
    peak = float(cam.max())
    return (cam / peak if peak > 0 else cam).astype("float32")


def plot_grad_cam(
    images: Sequence, heatmaps: Sequence, titles: Sequence[str] | None = None, *, alpha: float = 0.45, size: float = 2.8
):
    """Each image with its Grad-CAM heatmap laid over it (red: where the model looked).

    Example: ``plot_grad_cam([img], [grad_cam(model, img)], ["cat 0.97"])``
    """
    n = len(images)
    if len(heatmaps) != n:
        raise ValueError(f"{n} images but {len(heatmaps)} heatmaps")
    fig, axes = plt.subplots(1, n, figsize=(size * n, size), squeeze=False)
    for i, ax in enumerate(axes.flat):
        img = np.asarray(images[i])
        ax.imshow(_as_image(img))
        heat = np.asarray(heatmaps[i])
        ax.imshow(
            heat, cmap="jet", alpha=alpha, vmin=0, vmax=1, extent=(-0.5, img.shape[1] - 0.5, img.shape[0] - 0.5, -0.5)
        )
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- filters and feature maps


def _first_conv(model):
    import keras

    for layer in model.layers:
        if _is_model(layer):
            found = _first_conv(layer)
            if found is not None:
                return found
        elif isinstance(layer, keras.layers.Conv2D) and layer.weights:
            return layer
    return None


def first_layer_filters(model_or_base, *, max_filters: int = 32, ncols: int = 8):
    """The filters of the first convolution (searching nested models too), one small image each.

    With 3 input channels each filter is shown in colour (scaled to [0, 1] on its own);
    otherwise as the mean over input channels, in grey. Pretrained filters look like
    edges and colour blobs; random ones look like noise.

    Example: ``first_layer_filters(keras.applications.VGG16(weights=None, include_top=False))``
    """
    conv = _first_conv(model_or_base)
    if conv is None:
        raise ValueError(f"{model_or_base.name} has no Conv2D layer")
    kernel = np.asarray(conv.get_weights()[0], dtype="float32")  # (kh, kw, in, out)
    count = min(max_filters, kernel.shape[-1])
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.1 * nrows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= count:
            continue
        f = kernel[..., i]
        if f.shape[-1] == 3:
            f = (f - f.min()) / (np.ptp(f) or 1.0)
            ax.imshow(f, interpolation="nearest")
        else:
            ax.imshow(f.mean(axis=-1), cmap="gray", interpolation="nearest")
    fig.suptitle(
        f"first {count} filters of {conv.name} ({kernel.shape[0]}x{kernel.shape[1]}, {kernel.shape[2]} input channels)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def activations(base, image, layer_names: Sequence[str], *, preprocess=None, n_maps: int = 8, size: float = 1.4):
    """A few feature maps of each named layer of ``base`` for one image (one row per layer).

    Shows the ``n_maps`` most active channels of each layer. ``base`` is the model
    the layers belong to (the nested base itself, not the outer model); ``preprocess``
    is applied to the image first (e.g. ``keras.applications.vgg16.preprocess_input``).

    Example: ``activations(conv_base, img, ["block1_conv2", "block3_conv3", "block5_conv3"])``
    """
    import keras

    x = np.asarray(image, dtype="float32")
    if x.ndim == 3:
        x = x[None]
    if preprocess is not None:
        x = np.asarray(preprocess(x.copy()))
    layers = [base.get_layer(name) for name in layer_names]
    probe = keras.Model(_one_input(base), [layer.output for layer in layers])
    maps = probe(x, training=False)
    maps = [np.asarray(m) for m in (maps if isinstance(maps, (list, tuple)) else [maps])]
    fig, axes = plt.subplots(len(layers), n_maps, figsize=(size * n_maps, size * len(layers) + 0.3), squeeze=False)
    for row, (layer, m) in enumerate(zip(layers, maps)):
        m = m[0]
        if m.ndim != 3:
            raise ValueError(f"{layer.name} outputs shape {m.shape}, not feature maps")
        order = np.argsort(m.mean(axis=(0, 1)))[::-1][:n_maps]
        for col, ax in enumerate(axes[row]):
            ax.set_xticks([])
            ax.set_yticks([])
            if col < len(order):
                ax.imshow(m[..., order[col]], cmap="viridis")
        axes[row, 0].set_ylabel(f"{layer.name}\n{m.shape[0]}x{m.shape[1]}x{m.shape[2]}", fontsize=8)
    fig.suptitle("most active feature maps, early layers at the top", fontsize=10)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- projections


def project_2d(features, method: str = "pca") -> np.ndarray:
    """Project features (N, ...) to 2-D with PCA (NumPy SVD; no scikit-learn needed).

    >>> pts = project_2d(np.array([[0.0, 0], [2, 0], [4, 0.1]]))
    >>> bool(np.ptp(pts[:, 0]) > np.ptp(pts[:, 1]))
    True
    """
    if method != "pca":
        raise ValueError(
            f"method={method!r}: only 'pca' is available (t-SNE and UMAP need "
            "scikit-learn or umap-learn, which the course does not install)"
        )
    x = np.asarray(features, dtype="float64")
    x = x.reshape(len(x), -1)
    if len(x) < 2:
        raise ValueError("need at least two feature vectors to project")
    x = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    coords = x @ vt[:2].T
    if coords.shape[1] < 2:  # one-dimensional features
        coords = np.column_stack([coords, np.zeros(len(x))])
    return coords.astype("float32")


def feature_projection(
    features, labels, class_names: Sequence[str] | None = None, *, method: str = "pca", title: str = ""
):
    """Scatter plot of features projected to 2-D, one colour per class.

    Well-separated clouds mean a simple head can tell the classes apart from these
    features; overlapping clouds mean it cannot (in two dimensions, at least).

    Example: ``feature_projection(train_features, train_labels, ["cats", "dogs"])``
    """
    coords = project_2d(features, method)
    labels = np.asarray(labels).ravel()
    if len(labels) != len(coords):
        raise ValueError(f"{len(coords)} feature vectors but {len(labels)} labels")
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for k in np.unique(labels):
        pts = coords[labels == k]
        name = class_names[int(k)] if class_names is not None else str(k)
        ax.scatter(pts[:, 0], pts[:, 1], s=12, alpha=0.7, label=name)
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    ax.set_title(title or f"features projected to 2-D ({method.upper()})")
    ax.legend(fontsize=8, markerscale=1.5)
    fig.tight_layout()
    return fig
