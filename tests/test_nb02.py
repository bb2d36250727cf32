"""02_vgg16_feature_extraction: its recorded results make sense.

The notebook runs online (real assets) or offline (labelled stand-ins); the tests accept either
path but check that the metrics say which one ran.
"""

from __future__ import annotations

import math

import pytest

from helpers import runner

NB02 = "02_vgg16_feature_extraction"


@pytest.fixture(scope="module")
def m02(run_notebook):
    return run_notebook(NB02)


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
