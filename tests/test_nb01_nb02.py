"""01_xception_prediction and 02_vgg16_feature_extraction: their recorded results make sense.

Both notebooks run online (real assets) or offline (labelled stand-ins); the tests accept either
path but check that the metrics say which one ran.
"""

from __future__ import annotations

import math

import pytest

from helpers import runner

NB01 = "01_xception_prediction"
NB02 = "02_vgg16_feature_extraction"


@pytest.fixture(scope="module")
def m01(run_notebook):
    return run_notebook(NB01)


@pytest.fixture(scope="module")
def m02(run_notebook):
    return run_notebook(NB02)


# ---------------------------------------------------------------- 01


def test_01_says_which_path_ran(m01):
    standins = m01["standins"]
    if m01["can_predict"]:
        assert m01["path"] == "imagenet classifier"
        assert "Xception ImageNet weights (with top)" not in standins
    else:  # offline: the missing top and class index are recorded, the conv base is labelled
        assert m01["path"].startswith("offline conv base")
        assert {"Xception ImageNet weights (with top)",
                "ImageNet class index (names of the 1000 classes)"} & set(standins)
        assert m01["top_k"] is None, "offline the notebook must not report predictions"


def test_01_model_and_inputs(m01):
    assert m01["n_images"] == len(m01["image_names"]) == 4  # the scikit-image photos, no IMAGE_PATH
    assert m01["input_shape"] == [299, 299, 3]
    lo, hi = m01["input_range"]
    assert -1.0 <= lo < -0.9 and 0.9 < hi <= 1.0, "xception.preprocess_input scales to [-1, 1]"
    assert m01["separable_convs"] == 34
    assert m01["separable_saving"] > 8  # 3x3, 728 -> 728 channels: 4.77M vs 0.54M weights
    if m01["can_predict"]:
        assert m01["model_layers"] == 134 and m01["output_shape"] == [1000]
    else:
        assert m01["model_layers"] == 132 and m01["output_shape"][-1] == 2048
        assert 20.8e6 < m01["model_params"] < 20.9e6


def test_01_feature_maps_shrink_with_input_size(m01):
    maps = m01["feature_maps"]
    assert maps["299"] == [10, 10, 2048]
    assert maps["150"] == [5, 5, 2048]
    assert maps["71"] == [3, 3, 2048]


def test_01_wrong_preprocessing_is_measured_and_hurts(m01):
    rows = m01["preprocessing"]
    n = m01["n_images"]
    correct = rows["correct: xception [-1, 1]"]
    assert correct["cosine"] == pytest.approx(1.0, abs=1e-3) and correct["nearest to itself"] == n
    between = m01["cosine_between_photos"]
    assert 0 < between < 0.9
    for wrong in ("VGG16 caffe (BGR, mean)", "raw 0..255"):
        # the notebook's claim: the network then sees a different picture
        assert rows[wrong]["cosine"] < between, (wrong, rows[wrong], between)
        assert rows[wrong]["nearest to itself"] < n
    assert rows["0..1 (Rescaling 1/255)"]["cosine"] > rows["VGG16 caffe (BGR, mean)"]["cosine"]
    if m01["can_predict"]:
        assert correct["same top-1"] == n
        assert rows["VGG16 caffe (BGR, mean)"]["same top-1"] < n


def test_01_smaller_sources_drift_further(m01):
    rows = m01["input_size"]
    cos = [rows[f"{s}px, scaled up to 299"]["cosine"] for s in (299, 150, 75, 32)]
    assert cos[0] == pytest.approx(1.0, abs=1e-3)
    assert cos == sorted(cos, reverse=True), cos
    assert cos[-1] < 0.9


def test_01_exercise_solution_passes_its_checks(m01):
    checks = m01["exercise_checks"]
    assert checks["q2"] is True, "the input prepared in solution 1 fails helpers.exercises nb01.q2"
    if m01["can_predict"]:
        assert checks["q1"] is True


def test_01_predictions_are_probabilities_when_available(m01):
    if not m01["can_predict"]:
        pytest.skip("offline: no ImageNet classifier top (recorded as such)")
    assert len(m01["top_k"]) == m01["n_images"]
    for row in m01["top_k"]:
        probs = [p for _, p in row]
        assert all(0 <= p <= 1 for p in probs) and probs == sorted(probs, reverse=True)


# ---------------------------------------------------------------- 02


def test_02_standins_are_recorded_and_flagged(m02):
    standins = set(m02["standins"])
    offline = {"VGG16 ImageNet weights (no top)", "cats_and_dogs_filtered"} & standins
    assert m02["representative"] is (not offline)


def test_02_splits_and_quick_subset(m02):
    counts = m02["counts"]
    assert set(counts) == {"train", "validation", "test"}
    for split, per_class in counts.items():
        assert list(per_class) == m02["class_names"] and len(per_class) == 2
        assert all(n > 0 for n in per_class.values()), (split, per_class)
    assert all(n <= 20 for n in counts["train"].values()), "quick mode keeps <= 20 images per class"
    assert m02["n_test"] == sum(counts["test"].values())


def test_02_vgg16_features(m02):
    assert m02["image_size"] == 150
    assert m02["feature_shape"] == [4, 4, 512]
    assert m02["train_features_shape"] == [sum(m02["counts"]["train"].values()), 4, 4, 512]


def test_02_base_is_frozen(m02):
    assert m02["base_trainable_weights_before"] == 26  # 13 kernels + 13 biases
    assert m02["base_trainable_weights_after"] == 0
    assert m02["b_trainable_params"] == 512 * 2 + 2  # only the new Dense head
    assert m02["b_frozen_params"] == 14_714_688


def test_02_accuracies_and_timings(m02):
    epochs = m02["epochs"]
    assert epochs == 2
    assert len(m02["a_val_accuracy"]) == len(m02["b_val_accuracy"]) == epochs
    for key in ("a_test_accuracy", "b_test_accuracy", "majority_baseline"):
        assert 0 <= m02[key] <= 1, key
    assert 0.5 <= m02["majority_baseline"] < 1
    assert all(0 <= a <= 1 for a in m02["a_val_accuracy"] + m02["b_val_accuracy"])
    confusion = m02["confusion"]
    assert sum(map(sum, confusion)) == m02["n_test"]
    diagonal = sum(confusion[i][i] for i in range(len(confusion)))
    assert math.isclose(diagonal / m02["n_test"], m02["b_test_accuracy"])
    # the measured point of the comparison: end to end costs far more per epoch than cached features
    assert m02["extract_seconds"] > 0 and 0 < m02["a_seconds_per_epoch"] < m02["b_seconds_per_epoch"]


def test_02_xception_exercise_shows_real_transfer(m02):
    acc = m02["xception_test_accuracy"]  # recorded by the exercise's solution cell
    assert 0 <= acc <= 1
    if m02["xception_weights"] != "missing":  # real ImageNet conv weights (cache or offline copy)
        assert acc > m02["majority_baseline"], "ImageNet features should beat the majority class"


def test_02_exercise_solutions_pass_their_checks(m02):
    assert m02["exercise_checks"] == {"q1": True, "q2": True}


def test_02_saved_model_loads_and_predicts(m02):
    import numpy as np
    import keras

    path = runner.ROOT / m02["model_path"]
    assert path == runner.BUILD / "models" / "02_vgg16_transfer.keras"
    assert path.is_file()
    assert m02["reloaded_same_predictions"] is True
    model = keras.saving.load_model(path)
    assert model.input_shape == (None, 150, 150, 3)
    assert model.output_shape == (None, 2)
    assert not model.get_layer("vgg16").trainable
    probs = model.predict(np.zeros((2, 150, 150, 3), "float32"), verbose=0)
    assert probs.shape == (2, 2) and np.allclose(probs.sum(1), 1, atol=1e-5)
