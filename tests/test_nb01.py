"""01_xception_prediction: its recorded results make sense.

The notebook runs online (real assets) or offline (labelled stand-ins); the tests accept either
path but check that the metrics say which one ran.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time

import numpy as np
import pytest

from helpers.course import runner

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
        assert {"Xception ImageNet weights (with top)", "ImageNet class index (names of the 1000 classes)"} & set(
            standins
        )
        assert m01["top_k"] is None, "offline the notebook must not report predictions"


def test_01_model_and_inputs(m01):
    assert m01["n_images"] == len(m01["image_names"]) == 4  # the scikit-image photos, no IMAGE_PATH
    assert m01["image_shapes"]["cat"] == [300, 451, 3], "photos are kept at their own size"
    assert m01["input_shape"] == [299, 299, 3]
    assert m01["model_input_shape"] == [299, 299, 3], "offline too, the model is built for 299x299"
    lo, hi = m01["input_range"]
    assert -1.0 <= lo < -0.9 and 0.9 < hi <= 1.0, "xception.preprocess_input scales to [-1, 1]"
    assert m01["separable_convs"] == 34
    # the markdown: the paper's 36 convolutions + 4 1x1 shortcut projections (notebook 00's 40)
    assert m01["conv_layers"] - m01["shortcut_convs"] == 36 and m01["shortcut_convs"] == 4
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


def test_01_exercise_solutions_pass_their_checks(m01):
    import skimage.data

    # solution 1 reads a JPEG at its own size (no squashing) before the centre crop
    assert m01["exercise_photo_shape"] == list(skimage.data.stereo_motorcycle()[0].shape)
    assert m01["exercise_q2"] is True, "the input prepared in solution 1 fails helpers.exercises nb01.q2"
    assert m01["exercise_q2_catches"] == {"no preprocessing": True, "divided by 255": True, "preprocessed twice": True}
    if m01["can_predict"]:
        assert m01["exercise_q1"] is True
    else:  # offline: no class names, nothing to check
        assert m01["exercise_q1"] is None


def test_01_predictions_are_probabilities_when_available(m01):
    if not m01["can_predict"]:
        pytest.skip("offline: no ImageNet classifier top (recorded as such)")
    assert len(m01["top_k"]) == m01["n_images"]
    for row in m01["top_k"]:
        probs = [p for _, p in row]
        assert all(0 <= p <= 1 for p in probs) and probs == sorted(probs, reverse=True)


# ---------------------------------------------------------------- the learner's own photo


def _cell(predicate) -> str:
    cells = json.loads((runner.NOTEBOOKS / f"{NB01}.ipynb").read_text(encoding="utf-8"))["cells"]
    found = [i for i, c in enumerate(cells) if predicate(c, "".join(c["source"]))]
    assert len(found) == 1, found
    return "".join(cells[found[0]]["source"])


@pytest.fixture
def load_photo(tmp_keras_home):
    """``helpers.data.load_photo`` (notebook 01's own photo), with an empty Keras cache."""
    from helpers import data

    return data.load_photo


def _save_png(path, shape):
    import PIL.Image

    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    PIL.Image.fromarray(pixels).save(path)
    return path


def test_01_own_photo_keeps_its_size_and_becomes_rgb(load_photo, tmp_path):
    img = load_photo(_save_png(tmp_path / "wide.png", (30, 50, 3)))
    assert img.shape == (30, 50, 3) and img.dtype == np.uint8  # not squashed to a square
    assert load_photo(str(_save_png(tmp_path / "gray.png", (20, 10)))).shape == (20, 10, 3)


def test_01_own_photo_missing_or_unreadable_says_what_to_do(load_photo, tmp_path):
    with pytest.raises(FileNotFoundError, match="IMAGE_PATH = .*no such file"):
        load_photo(tmp_path / "missing.jpg")
    notes = tmp_path / "notes.jpg"
    notes.write_text("not an image")
    with pytest.raises(ValueError, match="IMAGE_PATH = .*not an image Keras can read.*JPEG or PNG") as err:
        load_photo(notes)
    assert err.value.__suppress_context__, "the learner should not see the PIL traceback"


def test_01_own_photo_from_a_url_is_cached_once(load_photo, tmp_path, tmp_keras_home):
    served = tmp_path / "served"
    served.mkdir()
    _save_png(served / "photo.png", (40, 60, 3))
    (served / "page.jpg").write_text("<html>a web page, not the image</html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/photo.png"
        assert load_photo(url).shape == (40, 60, 3)
        (served / "photo.png").unlink()  # a second call must not need the server
        assert load_photo(url).shape == (40, 60, 3)
        with pytest.raises(ValueError, match="web page rather than the image") as err:
            load_photo(url.replace("photo.png", "page.jpg"))
        assert err.value.__suppress_context__
    finally:
        server.shutdown()
        server.server_close()
    assert len(list((tmp_keras_home / "my_images").glob("*photo.png"))) == 1
    assert not list((tmp_keras_home / "my_images").glob("*page.jpg")), "a bad download stays cached"


def test_01_own_photo_download_failure_is_one_clear_message(load_photo):
    import socket

    with socket.socket() as s:  # a free local port with nothing listening: refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/cat.jpg"
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="could not be downloaded.*internet connection") as err:
        load_photo(url)
    assert url in str(err.value) and err.value.__suppress_context__
    assert time.perf_counter() - start < 10
