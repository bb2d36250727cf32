"""01_xception_prediction: its recorded results make sense.

The notebook runs online (real assets) or offline (labelled stand-ins); the tests accept either
path but check that the metrics say which one ran.
"""

from __future__ import annotations

import pytest

NB01 = "01_xception_prediction"


@pytest.fixture(scope="module")
def m01(run_notebook):
    return run_notebook(NB01)


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
