"""Notebook 03 (fine-tuning): recorded metrics, and helpers.tfhub."""

from __future__ import annotations


import numpy as np
import pytest

from helpers import assets, offline, tfhub

VGG16_BLOCK5_PARAMS = 3 * (3 * 3 * 512 * 512 + 512)  # three 3x3 convolutions, 512 -> 512 channels


# ---------------------------------------------------------------- 03: fine-tuning


@pytest.fixture(scope="module")
def nb03(run_notebook):
    return run_notebook("03_fine_tuning")


@pytest.mark.notebooks
def test_03_unfreezes_exactly_block5(nb03):
    assert nb03["unfrozen_layers"] == ["block5_conv1", "block5_conv2", "block5_conv3"]
    assert nb03["trainable_params_fine"] - nb03["trainable_params_head"] == VGG16_BLOCK5_PARAMS
    assert nb03["total_params"] > 14_000_000  # the whole VGG16 base is still in the model


@pytest.mark.notebooks
def test_03_starting_point_is_stated(nb03):
    assert nb03["started_from"] in {"notebook 02's saved model", "head retrained here"}
    assert nb03["head_epochs"] >= 1


@pytest.mark.notebooks
def test_03_counts_batchnorm_layers(nb03):
    counts = nb03["bn_layers"]
    assert counts["vgg16"] == 0, "VGG16 has no BatchNormalization"
    assert counts["xception"] > 0 and counts["resnet50"] > 0
    assert any(name.startswith("mobilenetv2") and n > 0 for name, n in counts.items())


@pytest.mark.notebooks
def test_03_accuracies_are_measured(nb03):
    for key in ("test_acc_head", "test_acc_fine", "test_acc_high_lr", "hub_test_acc_frozen",
                "hub_test_acc_fine"):
        assert 0.0 <= nb03[key] <= 1.0, key
    assert nb03["fine_tune_seconds"] > 0


@pytest.mark.notebooks
def test_03_low_learning_rate_barely_moves_block5(nb03):
    assert 0 < nb03["block5_drift_low_lr"] < 0.05


@pytest.mark.notebooks
def test_03_high_learning_rate_is_the_failure_mode(nb03):
    assert nb03["block5_drift_high_lr"] > 50 * nb03["block5_drift_low_lr"]
    high = np.asarray(nb03["train_loss_high_lr"], dtype=float)
    exploded = np.isnan(high).any() or np.nanmax(high) > 10 * max(nb03["train_loss_low_lr"])
    assert exploded, "the training loss should explode at a high learning rate"


@pytest.mark.notebooks
def test_03_tf_hub_recipe(nb03):
    assert "keras.Layer" in nb03["hub_keras3_error"], "Keras 3 should refuse hub.KerasLayer"
    assert nb03["hub_feature_dim"] == tfhub.FEATURE_DIM
    assert nb03["hub_trainable_params_fine"] > 2_000_000  # the whole MobileNetV2 trains
    if offline.offline_forced() or nb03["hub_standin"]:
        assert "TF-Hub MobileNetV2 feature vector" in nb03["standins"]


@pytest.mark.notebooks
def test_03_labels_vgg16_standin(nb03):
    if assets.is_present("vgg16_notop"):
        pytest.skip("the real VGG16 weights are in the cache")
    assert "VGG16 ImageNet weights (no top)" in nb03["standins"]


# ---------------------------------------------------------------- 04: scratch vs transfer


# ---------------------------------------------------------------- helpers.tfhub


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    return tfhub.build_standin(tmp_path_factory.mktemp("hub") / "mobilenet_v2_standin")


def test_tfhub_standin_is_a_savedmodel(standin):
    assert (standin / "saved_model.pb").is_file()
    assert (standin / "variables").is_dir()
    assert not list(standin.parent.glob("*.part*")), "temporary folder left behind"
    assert tfhub.build_standin(standin) == standin  # reused, not rebuilt


def test_tfhub_standin_loads_in_tf_keras_and_fine_tunes(standin):
    import tf_keras

    layer = tfhub.keras_layer(standin, trainable=False)
    model = tf_keras.Sequential([tf_keras.Input((64, 64, 3)), layer, tf_keras.layers.Dense(2)])
    assert model.output_shape == (None, 2)
    features = layer(np.random.default_rng(0).uniform(size=(2, 64, 64, 3)).astype("float32"))
    assert features.shape == (2, tfhub.FEATURE_DIM)
    assert not layer.trainable_weights
    layer.trainable = True
    assert len(layer.trainable_weights) > 100  # MobileNetV2's kernels, biases and BN scales


def test_tfhub_keras3_sequential_refuses_hub_layer(standin):
    import keras

    with pytest.raises(ValueError, match="keras.Layer"):
        keras.Sequential([keras.Input((64, 64, 3)), tfhub.keras_layer(standin)])


def test_tfhub_offline_choice_is_labelled(monkeypatch, standin):
    def no_download(name, **kwargs):
        raise assets.AssetError(f"{name} is not in the cache and there is no network")

    monkeypatch.setattr(tfhub.assets, "fetch", no_download)
    monkeypatch.setattr(tfhub, "build_standin", lambda *a, **k: standin)
    choice = tfhub.mobilenet_v2_feature_vector()
    assert choice.is_standin and choice.value == str(standin)
    assert "RANDOM weights" in str(choice) and "OFFLINE STAND-IN" in str(choice)
