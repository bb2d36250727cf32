"""helpers.explain: Grad-CAM on nested models, filters, feature maps, PCA projection (no downloads)."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers import explain  # noqa: E402

SIZE = 64


@pytest.fixture(scope="module")
def nested():
    """A functional model that nests a functional MobileNetV2 base: preprocessing, base, head."""
    keras.utils.set_random_seed(0)
    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(SIZE, SIZE, 3))
    base.trainable = False
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.applications.mobilenet_v2.preprocess_input(inputs)
    x = base(x, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, outputs), base


@pytest.fixture(scope="module")
def image():
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    img = np.stack([xx * 4.0, yy * 4.0, 255.0 * ((xx - 40) ** 2 + (yy - 20) ** 2 < 150)], -1)
    return img.astype("float32")


def _assert_good_heatmap(heat):
    assert heat.shape == (SIZE, SIZE)
    assert np.all(np.isfinite(heat))
    assert heat.min() >= 0.0 and heat.max() <= 1.0
    assert np.ptp(heat) > 0.05, "the heatmap is constant"


def test_the_textbook_recipe_is_disconnected_on_a_nested_model(nested):
    # why grad_cam exists: REFERENCE.md, "Graph disconnected" on nested models
    model, base = nested
    with pytest.raises(ValueError):
        keras.Model(model.inputs, [base.get_layer("out_relu").output, model.output])


def test_grad_cam_on_a_nested_functional_model(nested, image):
    model, base = nested
    heat = explain.grad_cam(model, image)
    _assert_good_heatmap(heat)
    again = explain.grad_cam(
        model, image[None], base_layer_name=base.name, conv_layer_name="block_13_expand_relu", class_index=2
    )
    _assert_good_heatmap(again)


def test_grad_cam_on_a_sequential_model_and_a_flat_one(image):
    keras.utils.set_random_seed(1)
    base = keras.Sequential(
        [
            keras.Input((SIZE, SIZE, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(8, 3, activation="relu", name="c1"),
            keras.layers.Conv2D(8, 3, activation="relu", name="c2"),
        ],
        name="base",
    )
    seq = keras.Sequential(
        [
            keras.Input((SIZE, SIZE, 3)),
            base,
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    _assert_good_heatmap(explain.grad_cam(seq, image, conv_layer_name="c2"))
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="only_conv")(inputs / 255.0)
    flat = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling2D()(x)))
    _assert_good_heatmap(explain.grad_cam(flat, image))


def test_grad_cam_names_a_missing_layer(nested, image):
    model, _ = nested
    with pytest.raises(ValueError, match="no layer 'block5_conv3'"):
        explain.grad_cam(model, image, conv_layer_name="block5_conv3")


def test_pca_separates_two_clusters():
    rng = np.random.default_rng(0)
    a = rng.normal(0, 1, (40, 50))
    b = rng.normal(0, 1, (40, 50)) + 8.0
    features = np.concatenate([a, b]).reshape(80, 5, 10)  # any trailing shape is flattened
    labels = np.array([0] * 40 + [1] * 40)
    pts = explain.project_2d(features)
    assert pts.shape == (80, 2)
    first = pts[:, 0]
    lo, hi = sorted([first[labels == 0], first[labels == 1]], key=np.mean)
    assert lo.max() < hi.min(), "the first principal component does not separate the clusters"
    fig = explain.feature_projection(features, labels, ["a", "b"])
    assert isinstance(fig, plt.Figure)
    plt.close(fig)
    with pytest.raises(ValueError, match="only 'pca'"):
        explain.project_2d(features, method="tsne")


def test_plots_return_figures(nested, image):
    model, base = nested
    heat = explain.grad_cam(model, image)
    figs = [
        explain.plot_grad_cam([image, image], [heat, heat], ["one", "two"]),
        explain.first_layer_filters(model, max_filters=8),
        explain.activations(
            base, image, ["Conv1", "out_relu"], n_maps=4, preprocess=keras.applications.mobilenet_v2.preprocess_input
        ),
    ]
    for fig in figs:
        assert isinstance(fig, plt.Figure)
        plt.close(fig)


def test_grad_cam_on_the_course_transfer_model():
    # helpers.models.transfer_model nests augmentation (no weights) and the VGG16 base
    from helpers import models

    keras.utils.set_random_seed(2)
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    model = models.transfer_model(base, 2, preprocess=models.preprocess_for("vgg16"), input_shape=(32, 32, 3), seed=0)
    img = np.random.default_rng(0).uniform(0, 255, (32, 32, 3)).astype("float32")
    for index in (0, 1):
        heat = explain.grad_cam(model, img, class_index=index)
        assert heat.shape == (32, 32) and np.all(np.isfinite(heat))
        assert 0.0 <= heat.min() and heat.max() <= 1.0
