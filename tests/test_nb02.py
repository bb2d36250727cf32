"""02_vgg16_feature_extraction: its recorded results make sense.

The notebook runs online (VGG16 with ImageNet weights, real data) or offline (Xception's real
ImageNet weights in place of VGG16's, photo cut-outs); the tests accept either path, check that the
metrics say which one ran, and that transfer really happened whenever the weights are real.
"""

from __future__ import annotations

import json
import math
import statistics

import pytest

from helpers.course import assets, runner

NB02 = "02_vgg16_feature_extraction"
CHANNELS = {"vgg16": 512, "xception": 2048}  # features per grid cell of each conv base
BASE_PARAMS = {"vgg16": 14_714_688, "xception": 20_861_480}


@pytest.fixture(scope="module")
def m02(run_notebook):
    return run_notebook(NB02)


def test_02_backbone_is_vgg16_when_its_weights_are_here(m02):
    if assets.is_present("vgg16_notop"):
        assert m02["backbone"] == "vgg16" and m02["real_weights"]
    else:  # offline: Xception's real ImageNet weights stand in, and the record says so
        assert m02["backbone"] == "xception"
        assert "Xception ImageNet weights (no top)" in m02["standins"]


def test_02_standins_are_recorded_and_flagged(m02):
    offline = {"VGG16 ImageNet weights (no top)", "Xception ImageNet weights (no top)", "cats_and_dogs_filtered"} & set(
        m02["standins"]
    )
    assert m02["representative"] is (m02["backbone"] == "vgg16" and not offline)


def test_02_splits_and_quick_subset(m02):
    counts = m02["counts"]
    assert set(counts) == {"train", "validation", "test"}
    for split, per_class in counts.items():
        assert list(per_class) == m02["class_names"] and len(per_class) == 2
        assert all(n > 0 for n in per_class.values()), (split, per_class)
    assert all(n <= 50 for n in counts["train"].values()), "quick mode keeps <= 50 images per class"
    for split, share in m02["majority_by_split"].items():
        assert math.isclose(share, max(counts[split].values()) / sum(counts[split].values()))
    assert m02["majority_baseline"] == m02["majority_by_split"]["test"]


def test_02_features(m02):
    assert m02["image_size"] == 72, "quick mode: the image size notebook 03 uses too"
    channels = CHANNELS[m02["backbone"]]
    # 72 px -> a 3x3 grid for both bases
    assert m02["train_features_shape"] == [sum(m02["counts"]["train"].values()), 3, 3, channels]


def test_02_same_head_for_both_methods_and_the_base_is_frozen(m02):
    channels = CHANNELS[m02["backbone"]]
    assert m02["head_params"] == channels * 2 + 2  # pooled features -> Dense(2)
    trainable, frozen = m02["b_params"]
    assert trainable == m02["head_params"], "B trains exactly A's head"
    before, after = m02["base_trainable_weights"]
    assert before == {"vgg16": 26, "xception": 154}[m02["backbone"]]  # VGG16: 13 kernels + 13 biases
    assert after == 0
    assert frozen == BASE_PARAMS[m02["backbone"]]


def test_02_accuracies_and_timings(m02):
    epochs = m02["epochs"]
    assert epochs == 5
    assert len(m02["a_val_accuracy"]) == len(m02["b_val_accuracy"]) == epochs
    for key in ("a_test_accuracy", "b_test_accuracy", "majority_baseline"):
        assert 0 <= m02[key] <= 1, key
    assert 0.5 <= m02["majority_baseline"] < 1
    assert all(0 <= a <= 1 for a in m02["a_val_accuracy"] + m02["b_val_accuracy"])
    confusion = m02["confusion"]
    n_test = sum(m02["counts"]["test"].values())
    assert sum(map(sum, confusion)) == n_test
    diagonal = sum(confusion[i][i] for i in range(len(confusion)))
    assert math.isclose(diagonal / n_test, m02["b_test_accuracy"])
    # the measured point of the comparison: end to end costs far more per epoch than cached
    # features, with the first epoch (one-time tracing) left out of both
    assert len(m02["a_epoch_seconds"]) == len(m02["b_epoch_seconds"]) == epochs
    a_epoch, b_epoch = (statistics.median(m02[f"{m}_epoch_seconds"][1:]) for m in "ab")
    assert m02["extract_seconds"] > 0 and 0 < a_epoch < b_epoch


def test_02_transfer_beats_the_majority_class(m02):
    if not m02["real_weights"]:
        pytest.skip("the base has random weights: nothing was transferred")
    # pretrained features on a small dataset: both methods must beat "always the largest class"
    assert m02["a_test_accuracy"] > m02["majority_baseline"], m02["a_test_accuracy"]
    assert m02["b_test_accuracy"] > m02["majority_baseline"], m02["b_test_accuracy"]
    assert max(m02["a_val_accuracy"]) > m02["majority_by_split"]["validation"]


def test_02_other_backbone_exercise(m02):
    assert m02["other_backbone"] != m02["backbone"]
    acc = m02["other_test_accuracy"]  # recorded by the exercise's solution cell
    assert 0 <= acc <= 1
    if m02["other_real_weights"]:
        assert acc > m02["majority_baseline"], "ImageNet features should beat the majority class"


def test_02_exercise_solutions_pass_their_checks(m02):
    assert m02["exercise_checks"] == {"q1": True, "q2": True}


def test_02_prediction_on_one_image_file(m02):
    prediction = m02["prediction"]
    assert prediction["label"] in m02["class_names"]
    assert 1 / len(m02["class_names"]) <= prediction["confidence"] <= 1


def test_02_saved_model_and_its_record(m02):
    import keras
    import numpy as np

    path = runner.ROOT / m02["model_path"]
    assert path == runner.BUILD / "models" / "02_transfer.keras"
    assert path.is_file()
    assert m02["reloaded_same_predictions"] is True
    record = json.loads((runner.ROOT / m02["record_path"]).read_text())
    assert record["backbone"] == m02["backbone"] and record["image_size"] == m02["image_size"]
    assert record["class_names"] == m02["class_names"] and record["quick"] is True
    assert record["weights"] == (f"imagenet ({m02['weights_source']})" if m02["real_weights"] else "random")
    assert record["history"]["val_accuracy"] == pytest.approx(m02["b_val_accuracy"])
    assert len(record["history"]["loss"]) == m02["epochs"]  # notebook 03 continues from here
    # the saved model and the tested one are the best epoch's (ModelCheckpoint, EarlyStopping), not the last's
    assert m02["b_best_epoch"] == int(np.argmin(record["history"]["val_loss"])) + 1
    model = keras.saving.load_model(path)
    assert model.input_shape == (None, 72, 72, 3)
    assert model.output_shape == (None, 2)
    assert not model.get_layer(m02["backbone"]).trainable
    probs = model.predict(np.zeros((2, 72, 72, 3), "float32"), verbose=0)
    assert probs.shape == (2, 2) and np.allclose(probs.sum(1), 1, atol=1e-5)


def test_02_measures_the_untrained_model_before_training(m02):
    untrained = m02["b_untrained_val_accuracy"]
    assert 0 <= untrained <= 1
    if m02["real_weights"]:  # training the head on real features beats its random start
        assert max(m02["b_val_accuracy"]) >= untrained


@pytest.mark.notebooks
def test_02_runs_under_the_policy_chosen_for_this_machine(m02):
    from helpers import models

    assert m02["precision"] == models.choose_precision().policy
