"""Notebook 03 (fine-tuning): recorded metrics, its check of notebook 02's saved model, and helpers.tfhub."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import exercises, models, tfhub
from helpers.course import assets, offline, runner

NB03 = runner.NOTEBOOKS / "03_fine_tuning.ipynb"
VGG16_BLOCK5_PARAMS = 3 * (3 * 3 * 512 * 512 + 512)  # three 3x3 convolutions, 512 -> 512 channels
XCEPTION_BLOCK14_PARAMS = (3 * 3 * 1024 + 1024 * 1536) + (3 * 3 * 1536 + 1536 * 2048)  # separable, no bias
TOP_BLOCK = {
    "vgg16": (["block5_conv1", "block5_conv2", "block5_conv3"], VGG16_BLOCK5_PARAMS),
    "xception": (["block14_sepconv1", "block14_sepconv2"], XCEPTION_BLOCK14_PARAMS),
}


# ---------------------------------------------------------------- 03: fine-tuning


@pytest.fixture(scope="module")
def nb02(run_notebook):
    return run_notebook("02_vgg16_feature_extraction")


@pytest.fixture(scope="module")
def nb03(run_notebook, nb02):
    # notebook 02 runs first (as in the course and in CI), so notebook 03 can continue from its model
    return run_notebook("03_fine_tuning")


@pytest.mark.notebooks
def test_03_continues_from_notebook_02s_model(nb02, nb03):
    assert nb03["backbone"] == nb02["backbone"] and nb03["image_size"] == nb02["image_size"] == 72
    assert nb03["started_from"] == "notebook 02's saved model", nb03["load_message"]
    assert nb03["head_epochs"] == nb02["epochs"], "the epoch count continues from notebook 02's history"
    assert nb03["test_acc_head"] == pytest.approx(nb02["b_test_accuracy"], abs=1e-6), (
        "the loaded model is notebook 02's trained model B"
    )


@pytest.mark.notebooks
def test_03_unfreezes_exactly_the_top_block(nb03):
    layers, params = TOP_BLOCK[nb03["backbone"]]
    assert nb03["unfrozen_layers"] == layers
    assert nb03["trainable_params_fine"] - nb03["trainable_params_head"] == params
    assert nb03["total_params"] > 14_000_000  # the whole base is still in the model


@pytest.mark.notebooks
def test_03_counts_batchnorm_layers(nb03):
    counts = nb03["bn_layers"]
    assert counts["vgg16"] == 0, "VGG16 has no BatchNormalization"
    assert counts["xception"] > 0 and counts["resnet50"] > 0
    assert any(name.startswith("mobilenetv2") and n > 0 for name, n in counts.items())


@pytest.mark.notebooks
def test_03_shows_the_keras3_batchnorm_rule(nb03):
    # a trainable BN layer trains under fit although the base is called with training=False;
    # only a frozen one keeps its statistics (tests/test_batchnorm.py pins the same on its own)
    assert nb03["bn_moving_mean_changed_trainable"] is True
    assert nb03["bn_moving_mean_changed_frozen"] is False


@pytest.mark.notebooks
def test_03_accuracies_are_measured(nb03):
    for key in (
        "test_acc_head",
        "test_acc_fine",
        "test_acc_high_lr",
        "hub_test_acc_frozen",
        "hub_test_acc_fine",
        "majority_baseline",
    ):
        assert 0.0 <= nb03[key] <= 1.0, key
    assert 0.5 <= nb03["majority_baseline"] < 1
    assert nb03["fine_tune_seconds"] > 0


@pytest.mark.notebooks
def test_03_transfer_beats_the_majority_class(nb03):
    if not nb03["real_weights"]:
        pytest.skip("the base has random weights: nothing was transferred")
    assert nb03["test_acc_head"] > nb03["majority_baseline"]
    assert nb03["test_acc_fine"] > nb03["majority_baseline"]


@pytest.mark.notebooks
def test_03_low_learning_rate_barely_moves_the_top_block(nb03):
    assert 0 < nb03["drift_low_lr"] < 0.05


@pytest.mark.notebooks
def test_03_high_learning_rate_is_the_failure_mode(nb03):
    assert nb03["drift_high_lr"] > 50 * nb03["drift_low_lr"]
    high = np.asarray(nb03["train_loss_high_lr"], dtype=float)
    exploded = np.isnan(high).any() or np.nanmax(high) > 10 * max(nb03["train_loss_low_lr"])
    assert exploded, "the training loss should explode at a high learning rate"
    if nb03["real_weights"]:  # pretrained features are what a high learning rate destroys
        low_val, high_val = nb03["val_loss_low_lr"], np.asarray(nb03["val_loss_high_lr"], dtype=float)
        assert np.isnan(high_val).any() or np.mean(high_val) > 10 * np.mean(low_val), (high_val, low_val)
        assert np.isnan(high_val[-1]) or high_val[-1] > low_val[-1], "still worse after the last epoch"
        assert nb03["test_acc_high_lr"] <= nb03["test_acc_cached"]  # same route, same start


@pytest.mark.notebooks
def test_03_tf_hub_recipe(nb03):
    assert "keras.Layer" in nb03["hub_keras3_error"], "Keras 3 should refuse hub.KerasLayer"
    assert nb03["hub_feature_dim"] == tfhub.FEATURE_DIM
    assert nb03["hub_trainable_params_fine"] > 2_000_000  # the whole MobileNetV2 trains
    if offline.offline_forced() or nb03["hub_standin"]:
        assert "TF-Hub MobileNetV2 feature vector" in nb03["standins"]


@pytest.mark.notebooks
def test_03_labels_its_standin_base(nb03):
    if assets.is_present("vgg16_notop"):
        pytest.skip("the real VGG16 weights are in the cache")
    assert nb03["backbone"] == "xception"
    assert "Xception ImageNet weights (no top)" in nb03["standins"]


def test_03_exercise_1_on_xception_keeps_batchnorm_frozen(capsys):
    import keras

    from helpers import models

    base = keras.applications.Xception(weights=None, include_top=False, input_shape=(71, 71, 3))
    model = models.transfer_model(base, 2, preprocess=models.preprocess_for("xception"), input_shape=(71, 71, 3))

    def answer(block_layers, bn_too=False, lr=1e-5):
        base.trainable = True
        for layer in base.layers:
            is_bn = isinstance(layer, keras.layers.BatchNormalization)
            layer.trainable = layer.name.startswith(block_layers) and (bn_too or not is_bn)
        model.compile(optimizer=keras.optimizers.RMSprop(lr), loss="sparse_categorical_crossentropy")
        result = exercises.nb03.q1.check(model, block="block14")
        return result, capsys.readouterr().out

    result, out = answer("block14")
    assert result is True and "only block14 of 'xception' trains (4,741,632 parameters)" in out
    for kwargs, words in [
        ({"block_layers": "block14", "bn_too": True}, "BatchNormalization layers train (block14_sepconv1_bn"),
        ({"block_layers": ("block13", "block14")}, "layers below block14 also train (block13_sepconv1"),
        ({"block_layers": "block14_sepconv2"}, "block14_sepconv1 still frozen"),
        ({"block_layers": "block14", "lr": 1e-2}, "learning rate 0.01 is too high"),
    ]:
        result, out = answer(**kwargs)
        assert result is False and words in out, (kwargs, out)
    result = exercises.nb03.q1.check(model, block="block99")
    assert result is False and "no base with a block 'block99'" in capsys.readouterr().out


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
    model = tf_keras.Sequential(
        [
            tf_keras.Input((64, 64, 3)),
            tf_keras.layers.Resizing(tfhub.EXPECTED_SIZE, tfhub.EXPECTED_SIZE),
            layer,
            tf_keras.layers.Dense(2),
        ]
    )
    assert model.output_shape == (None, 2)
    size = tfhub.EXPECTED_SIZE
    features = layer(np.random.default_rng(0).uniform(size=(2, size, size, 3)).astype("float32"))
    assert features.shape == (2, tfhub.FEATURE_DIM)
    assert not layer.trainable_weights
    layer.trainable = True
    assert len(layer.trainable_weights) > 100  # MobileNetV2's kernels, biases and BN scales


def test_tfhub_standin_has_the_real_modules_fixed_224_input(standin):
    """tensorflow/hub#566: a stand-in that accepted any size would hide a model that forgot to resize."""
    import tf_keras

    with pytest.raises(ValueError, match="Could not find matching concrete function"):
        tf_keras.Sequential([tf_keras.Input((96, 96, 3)), tfhub.keras_layer(standin)])


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


@pytest.mark.notebooks
def test_03_early_stopping_records_the_epochs_it_ran(nb03):
    # the failure mode replays the cached route's fine-tuning (low_lr) at a high learning rate
    for run, losses in (("cached_epochs_run", "val_loss_low_lr"), ("high_lr_epochs_run", "val_loss_high_lr")):
        assert nb03[run] == len(nb03[losses]), run
    for run in ("fine_tune_epochs_run", "cached_epochs_run", "high_lr_epochs_run"):
        assert 1 <= nb03[run] <= nb03["fine_tune_epochs"], run
    assert nb03["precision"] == models.choose_precision().policy


@pytest.mark.notebooks
def test_03_fine_tunes_again_on_cached_views_of_the_frozen_blocks(nb03):
    n_train = sum(nb03["counts"]["train"].values())
    assert nb03["cached_shape"][0] == nb03["views"] * n_train  # every training image, once per view
    assert 1 <= nb03["cached_epochs_run"] <= nb03["fine_tune_epochs"]
    assert 0.0 <= nb03["test_acc_cached"] <= 1.0
