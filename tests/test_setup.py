"""helpers.course.setup: the one setup call of a notebook (parameters, seeds, mode, assets, records)."""

from __future__ import annotations

import json

import pytest

from helpers.course import assets, metrics, notebook, params
from helpers.course.offline import Choice

pytestmark = pytest.mark.usefixtures("tmp_keras_home")

NB02 = "02_vgg16_feature_extraction"


def _ns02(**overrides) -> dict:
    ns = {
        "QUICK": True,
        "SEED": 1,
        "IMAGE_SIZE": None,
        "EPOCHS": None,
        "TRAIN_PER_CLASS": None,
        "EVAL_PER_CLASS": None,
        "BATCH_SIZE": 20,
        "LEARNING_RATE": 1e-3,
    }
    return {**ns, **overrides}


# ---------------------------------------------------------------- parameters


@pytest.mark.parametrize("quick, size, epochs, per_class", [(True, 72, 5, 50), (False, 150, 3, None)])
def test_none_takes_the_default_of_the_mode(quick, size, epochs, per_class):
    ns = _ns02()
    resolved = params.resolve(NB02, ns, quick)
    assert (ns["IMAGE_SIZE"], ns["EPOCHS"], ns["TRAIN_PER_CLASS"]) == (size, epochs, per_class)
    assert resolved == {k: ns[k] for k in params.DEFAULTS[NB02]}


def test_a_value_set_by_the_learner_is_kept_and_checked():
    ns = _ns02(EPOCHS=2, IMAGE_SIZE=96)
    params.resolve(NB02, ns, quick=False)
    assert (ns["EPOCHS"], ns["IMAGE_SIZE"]) == (2, 96)
    with pytest.raises(ValueError, match="IMAGE_SIZE = 16 is too small: use at least 32"):
        params.resolve(NB02, _ns02(IMAGE_SIZE=16), quick=True)
    with pytest.raises(ValueError, match="IMAGE_SIZE = 600 is too large: use at most 512"):
        params.resolve(NB02, _ns02(IMAGE_SIZE=600), quick=True)
    with pytest.raises(TypeError, match="EPOCHS = 2.5 must be a whole number"):
        params.resolve(NB02, _ns02(EPOCHS=2.5), quick=True)


def test_curve_sizes_are_sorted_once_each_and_their_product_limited():
    ns = {"QUICK": True, "SEED": 0, "CURVE_SIZES": [20, 3, 20], "FASHION_PER_CLASS": None, "REPEATS": 2}
    params.resolve("04_scratch_vs_transfer", ns, quick=True)
    assert ns["CURVE_SIZES"] == [3, 20] and ns["FASHION_PER_CLASS"] == [10, 20]
    too_many = {**ns, "FASHION_PER_CLASS": [10, 4000], "REPEATS": 2}
    with pytest.raises(ValueError, match=r"FASHION_PER_CLASS\[-1\] \* REPEATS = 8000 is too large: use at most 6000"):
        params.resolve("04_scratch_vs_transfer", too_many, quick=True)
    with pytest.raises(TypeError, match="CURVE_SIZES = 5 must be a list"):
        params.resolve("04_scratch_vs_transfer", {**ns, "CURVE_SIZES": 5}, quick=True)


@pytest.mark.parametrize("rate", [0, 1, -1e-3, 2.0, "1e-3"])
def test_learning_rates_lie_between_0_and_1(rate):
    with pytest.raises(ValueError, match=f"LEARNING_RATE = {rate!r} should be a number between 0 and 1"):
        params.resolve(NB02, _ns02(LEARNING_RATE=rate), quick=True)


def test_fine_tuning_rate_must_be_below_the_heads():
    ns = {"QUICK": True, "LEARNING_RATE": 1e-3, "HEAD_LEARNING_RATE": 1e-3}
    with pytest.raises(ValueError, match="LEARNING_RATE = 0.001 must be below HEAD_LEARNING_RATE = 0.001"):
        params.resolve("03_fine_tuning", ns, quick=True)
    params.resolve("03_fine_tuning", {**ns, "LEARNING_RATE": 1e-5}, quick=True)


# ---------------------------------------------------------------- setup


def test_setup_of_a_notebook_without_assets_resolves_quick_and_records_the_start(capsys, monkeypatch):
    monkeypatch.delenv(notebook.QUICK_ENV, raising=False)
    ns = {"QUICK": None, "SEED": 7}
    course = notebook.setup("99_plain", ns)
    assert ns["QUICK"] is False and course.quick is False and course.notebook == "99_plain"
    assert metrics.load("99_plain") == {"quick": False, "seed": 7, "standins": []}
    out = capsys.readouterr().out
    assert "FULL mode" in out and "Offline" not in out


def _choices(monkeypatch, vgg16: Choice, xception: Choice) -> None:
    import helpers.models

    by_arch = {"vgg16": vgg16, "xception": xception}
    monkeypatch.setattr(helpers.models, "imagenet_weights", lambda arch, include_top=False: by_arch[arch])


REAL_VGG = Choice("VGG16 ImageNet weights (no top)", "/cache/vgg16.h5", "cache")
RANDOM_VGG = Choice("VGG16 ImageNet weights (no top)", None, "stand-in", "RANDOM weights")
STANDIN_XCEPTION = Choice("Xception ImageNet weights (no top)", "/fixtures/x.weights.h5", "stand-in", "a package's")


def test_the_base_is_vgg16_when_its_weights_are_here(monkeypatch, capsys):
    _choices(monkeypatch, REAL_VGG, STANDIN_XCEPTION)
    course = notebook.Course(NB02, True)
    ns = {"BACKBONE": None, "IMAGE_SIZE": 72}
    notebook._base(course, ns)
    assert (ns["BACKBONE"], course.backbone, course.weights, course.weights_source) == (
        "vgg16",
        "vgg16",
        "/cache/vgg16.h5",
        "cache",
    )
    assert course.standins == [] and "STANDS IN" not in capsys.readouterr().out


def test_offline_xception_stands_in_and_says_why(monkeypatch, capsys):
    _choices(monkeypatch, RANDOM_VGG, STANDIN_XCEPTION)
    course = notebook.Course(NB02, True)
    ns = {"BACKBONE": None, "IMAGE_SIZE": 72}
    notebook._base(course, ns)
    assert ns["BACKBONE"] == "xception" and course.weights == "/fixtures/x.weights.h5"
    assert course.standins == ["Xception ImageNet weights (no top)"]
    assert course.weights_label == "imagenet (stand-in)"
    out = capsys.readouterr().out
    assert "XCEPTION STANDS IN FOR VGG16 (VGG16's ImageNet weights are not here" in out
    with pytest.raises(ValueError, match="IMAGE_SIZE = 64 is too small: use at least 71"):
        notebook._base(notebook.Course(NB02, True), {"BACKBONE": None, "IMAGE_SIZE": 64})


def test_an_asked_base_is_kept_and_a_wrong_one_refused(monkeypatch, capsys):
    _choices(monkeypatch, RANDOM_VGG, STANDIN_XCEPTION)
    course = notebook.Course(NB02, True)
    notebook._base(course, {"BACKBONE": "vgg16", "IMAGE_SIZE": 72})
    assert course.backbone == "vgg16" and course.weights is None and course.weights_label == "random"
    notebook._base(notebook.Course(NB02, True), {"BACKBONE": "xception", "IMAGE_SIZE": 72})
    assert "(asked for)" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"BACKBONE = 'resnet': use one of \['vgg16', 'xception'\] or None"):
        notebook._base(notebook.Course(NB02, True), {"BACKBONE": "resnet", "IMAGE_SIZE": 72})


def test_weights_are_imagenet_only_when_keras_would_find_the_real_file(monkeypatch):
    real = assets.keras_home() / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    real.parent.mkdir(parents=True, exist_ok=True)
    assert notebook._keras_value(Choice("w", str(real), "cache")) == "imagenet"
    assert notebook._keras_value(Choice("w", "/elsewhere/w.h5", "cache")) == "/elsewhere/w.h5"
    assert notebook._keras_value(STANDIN_XCEPTION) == "/fixtures/x.weights.h5"
    assert notebook._keras_value(RANDOM_VGG) is None
    monkeypatch.setenv(assets.MANIFEST_ENV, "/rehearsal/manifest.json")  # a twin is not Keras's file
    assert notebook._keras_value(Choice("w", str(real), "cache")) == str(real)


def test_setup_keys_follow_what_each_notebook_needs():
    assert notebook.setup_keys("00_concepts") == {
        "pretrain_per_class",
        "pretrain_epochs",
        "labels_per_class",
        "time_batch",
    }
    assert {"backbone", "counts", "hub_standin", "head_epochs"} <= notebook.setup_keys("03_fine_tuning")
    assert "counts" not in notebook.setup_keys("01_xception_prediction")
    assert "hub_standin" not in notebook.setup_keys(NB02)


# ---------------------------------------------------------------- notebook 02's model, reused by 03


def _tiny_saved_model(path, *, outputs=2, base_name="xception"):
    import keras

    base = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3)], name=base_name)
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    model = keras.Model(inputs, keras.layers.Dense(outputs, activation="softmax")(x))
    model.save(path)
    return model


EXPECTED = {
    "quick": True,
    "backbone": "xception",
    "weights": "imagenet (stand-in)",
    "image_size": 8,
    "class_names": ["birds", "mammals"],
    "dataset": "cats_and_dogs_filtered (stand-in)",
}


def test_03_reuses_02s_model_only_for_the_same_settings(tmp_path):
    path = tmp_path / "02_transfer.keras"
    model, history, why = notebook.load_saved_model(path, EXPECTED)
    assert model is None and history is None and "is not there" in why  # 03 then retrains its head
    _tiny_saved_model(path)
    model, history, why = notebook.load_saved_model(path, EXPECTED)
    assert model is None and "02_transfer.json" in why, "a model without its record is not trusted"
    record = {**EXPECTED, "history": {"loss": [0.7, 0.5], "val_loss": [0.6, 0.4]}}
    path.with_suffix(".json").write_text(json.dumps(record))
    model, history, why = notebook.load_saved_model(path, EXPECTED)
    assert model is not None and why.startswith("loaded"), why
    assert history == record["history"]
    for change, words in [
        ({"quick": False}, "quick True there, False here"),
        (
            {"backbone": "vgg16", "image_size": 150},
            "backbone 'xception' there, 'vgg16' here; image_size 8 there, 150 here",
        ),
        ({"weights": "random"}, "weights 'imagenet (stand-in)' there, 'random' here"),
        ({"class_names": ["cats", "dogs"]}, "class_names"),
    ]:
        model, history, why = notebook.load_saved_model(path, {**EXPECTED, **change})
        assert model is None and history is None and "made for other settings" in why and words in why, why


def test_03_refuses_a_saved_model_that_contradicts_its_record(tmp_path):
    path = tmp_path / "02_transfer.keras"
    path.with_suffix(".json").write_text(json.dumps({**EXPECTED, "history": {"loss": [1.0]}}))
    _tiny_saved_model(path, outputs=3)
    assert "does not match its record" in notebook.load_saved_model(path, EXPECTED)[2]
    _tiny_saved_model(path, base_name="vgg16")
    assert "does not match its record" in notebook.load_saved_model(path, EXPECTED)[2]
    path.write_bytes(b"half-written")
    model, _, why = notebook.load_saved_model(path, EXPECTED)
    assert model is None and "does not load" in why


def test_a_saved_record_lets_notebook_03_reuse_the_model(monkeypatch, tmp_path, capsys):
    from helpers.course import runner

    monkeypatch.setattr(runner, "BUILD", tmp_path / "build")
    course = notebook.Course(
        NB02, True, counts={"train": {"birds": 3, "mammals": 4}}, backbone="xception", weights="/x.h5"
    )
    course.weights_source, course.standins = "stand-in", ["cats_and_dogs_filtered"]
    model = _tiny_saved_model(course.model_path)  # in a fresh build folder, as in a fresh clone
    history = type("History", (), {"history": {"loss": [0.9, 0.5], "val_accuracy": [0.5, 0.75]}})()
    course.save_record(model, history)
    record = json.loads(course.model_path.with_suffix(".json").read_text())
    assert record == {**EXPECTED, "notebook": NB02, "history": {"loss": [0.9, 0.5], "val_accuracy": [0.5, 0.75]}}
    assert metrics.load(NB02)["model_path"] == str(course.model_path)  # outside the project: absolute
    assert "02_transfer.keras" in capsys.readouterr().out
    reuse = notebook.Course("03_fine_tuning", True, counts=course.counts, backbone="xception", weights="/x.h5")
    reuse.weights_source, reuse.standins = "stand-in", ["cats_and_dogs_filtered"]
    loaded, head, why = reuse.load_model(8)
    assert loaded is not None and head == record["history"] and why.startswith("loaded"), why
    assert reuse.load_model(16)[2].endswith("image_size 8 there, 16 here")
    reuse.quick = False
    assert "quick True there, False here" in reuse.load_model(8)[2]
