"""helpers.exercises: for every exercise a right answer passes and wrong answers fail, saying why.

Tiny Keras models built here; nothing is downloaded (VGG16 with weights=None at 32x32).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers import exercises, models  # noqa: E402
from helpers.exercises import nb00, nb01, nb02, nb03, nb04  # noqa: E402

L = keras.layers


def transfer(num_classes=2, *, frozen=True, activation="softmax", shape=(8, 8, 3)):
    """inputs -> rescaling -> nested Sequential base -> pooling -> Dropout -> Dense."""
    base = keras.Sequential(
        [keras.Input(shape), L.Conv2D(4, 3, activation="relu"), L.Conv2D(4, 3, activation="relu")], name="base"
    )
    base.trainable = not frozen
    inputs = keras.Input(shape)
    x = base(L.Rescaling(1 / 255)(inputs), training=False)
    x = L.Dropout(0.5)(L.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, L.Dense(num_classes, activation=activation)(x)), base


def softmax_layer_last(model):
    """The same classifier written with a separate ``keras.layers.Softmax()`` layer at the end."""
    return keras.Model(model.inputs, L.Softmax()(model.outputs[0]))


def compiled(model, lr):
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy")
    return model


def flat_model():
    inputs = keras.Input((8, 8, 3))
    x = L.GlobalAveragePooling2D()(L.Conv2D(4, 3)(inputs))
    return keras.Model(inputs, L.Dense(2, activation="softmax")(x))


# ---------------------------------------------------------------- 00


def unfrozen_after_head(lr, unfreeze=True):
    model, base = transfer(5)
    base.trainable = unfreeze
    return compiled(model, lr)


def reusing_near_base():
    """nb00.q1's wrong answer: the new head sits on the near base instead of a far one."""
    model, base = transfer(5)
    return With(model, near_base=base)


def model_frozen_entirely():
    model, _ = transfer(5)
    model.trainable = False
    return model


# ---------------------------------------------------------------- 01


def xception_input(kind="right", size=299):
    pixels = np.random.default_rng(0).uniform(0, 255, (1, size, size, 3)).astype("float32")
    pre = keras.applications.xception.preprocess_input
    return {
        "right": lambda: pre(pixels.copy()),
        "raw": lambda: pixels,
        "scaled01": lambda: pixels / 255.0,
        "no_batch": lambda: pre(pixels.copy())[0],
        "twice": lambda: pre(pre(pixels.copy())),
        "vgg": lambda: keras.applications.vgg16.preprocess_input(pixels.copy()),
    }[kind]()


# ---------------------------------------------------------------- 02


def head(feature_shape=(4, 4, 8), dropout=True, with_conv=False):
    inputs = keras.Input(feature_shape)
    x = L.Conv2D(4, 1)(inputs) if with_conv else inputs
    x = L.Dense(16, activation="relu")(L.Flatten()(x))
    if dropout:
        x = L.Dropout(0.5)(x)
    return keras.Model(inputs, L.Dense(2, activation="softmax")(x))


# ---------------------------------------------------------------- 03


@pytest.fixture(scope="module")
def vgg_model():
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    inputs = keras.Input((32, 32, 3))
    x = L.GlobalAveragePooling2D()(base(inputs, training=False))
    return keras.Model(inputs, L.Dense(2, activation="softmax")(x)), base


def fine_tune_vgg(vgg_model, trainable_prefixes=("block5",), lr=1e-5, compile_=True):
    model, base = vgg_model
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name.startswith(trainable_prefixes)
    if compile_:
        model.compile(optimizer=keras.optimizers.RMSprop(lr), loss="sparse_categorical_crossentropy")
    else:
        model.optimizer = None
    return model


def bn_model(how):
    inputs = keras.Input((8, 8, 3))
    x = inputs
    for i in range(3):
        x = L.Conv2D(4, 3, padding="same", name=f"conv{i}")(x)
        x = L.BatchNormalization(name=f"bn{i}")(x)
        x = L.ReLU(name=f"relu{i}")(x)
    base = keras.Model(inputs, x, name="bn_base")
    outer_in = keras.Input((8, 8, 3))
    y = L.GlobalAveragePooling2D()(base(outer_in, training=False))
    model = keras.Model(outer_in, L.Dense(2, activation="softmax")(y))
    if how == "right":
        models.unfreeze_top(base, "conv2")
    elif how == "bn_trains":
        base.trainable = True
        for layer in base.layers:
            layer.trainable = layer.name.endswith("2")
    elif how == "all":
        models.unfreeze_top(base, 0)
    elif how == "gap":
        base.trainable = True
        for layer in base.layers:
            layer.trainable = layer.name in ("conv0", "conv2")
    elif how == "frozen":
        base.trainable = False
    return model


# ---------------------------------------------------------------- 04

CURVE = {"labels_per_class": [5, 20, 100], "transfer": [0.6, 0.7, 0.8], "scratch": [0.4, 0.72, 0.85], "crossover": 20}

# name -> (right answers, [(wrong answer, words the message must contain)])
CASES = {
    "nb00.q1": (
        [lambda: transfer(5)[0], lambda: With(transfer(5)[0], near_base=transfer(5)[1])],
        [
            (lambda: transfer(5, frozen=False)[0], "base.trainable is True"),
            (lambda: transfer(4)[0], "outputs 4 numbers"),
            (reusing_near_base, "pretrained on the near source"),
            (lambda: transfer(10)[0], "outputs 10 numbers"),
            (model_frozen_entirely, "nothing in the model is trainable"),
            (flat_model, "no nested base model"),
            (lambda: [1, 2], "expected your Keras model"),
        ],
    ),
    "nb00.q2": (
        [lambda: unfrozen_after_head(1e-4), lambda: unfrozen_after_head(1e-3)],
        [
            (lambda: unfrozen_after_head(1e-2), "too high for fine-tuning"),
            (lambda: unfrozen_after_head(1e-4, unfreeze=False), "still frozen"),
            (lambda: transfer(5, frozen=False)[0], "not compiled"),
        ],
    ),
    "nb01.q1": (
        [
            lambda: [("tabby", 0.6), ("tiger_cat", 0.2), ("Egyptian_cat", 0.1)],
            lambda: [("a", np.float32(0.5)), ("b", np.float32(0.5)), ("c", np.float32(0.0))],
        ],
        [
            (lambda: [("tabby", 0.1), ("tiger_cat", 0.2), ("Egyptian_cat", 0.6)], "sorted best first"),
            (lambda: [("n02123045", "tabby", 0.6), ("x", "y", 0.2), ("z", "w", 0.1)], "(class_id, label, probability)"),
            (lambda: [("tabby", 60.0), ("tiger_cat", 20.0), ("Egyptian_cat", 10.0)], "percentage"),
            (lambda: [("tabby", 0.7), ("tiger_cat", 0.6), ("Egyptian_cat", 0.5)], "sum to 1.800"),
            (lambda: [("tabby", 0.7), ("tiger_cat", 0.2)], "has 2 entries"),
            (lambda: "tabby", "list of (label, probability)"),
        ],
    ),
    "nb01.q2": (
        [lambda: xception_input("right")],
        [
            (lambda: xception_input("raw"), "raw pixels"),
            (lambda: xception_input("scaled01"), "x / 255"),
            (lambda: xception_input("no_batch"), "no batch axis"),
            (lambda: xception_input("right", size=224), "trained on 299x299"),
            (lambda: xception_input("twice"), "applied twice"),
            (lambda: xception_input("vgg"), "VGG16/ResNet-style"),
        ],
    ),
    "nb02.q1": (
        [lambda: transfer(2)[0], lambda: softmax_layer_last(transfer(2, activation=None)[0])],
        [
            (lambda: transfer(2, frozen=False)[0], "base.trainable is True"),
            (lambda: transfer(1, activation="sigmoid")[0], "Dense(2, activation='softmax')"),
            (lambda: transfer(2, activation="relu")[0], "activation 'relu'"),
            (lambda: transfer(3)[0], "there are 2 classes"),
        ],
    ),
    "nb02.q2": (
        [lambda: head(), lambda: With(head(), feature_shape=(4, 4, 8))],
        [
            (
                lambda: With(head(feature_shape=(2, 2, 8)), feature_shape=(4, 4, 8)),
                "cached features have shape (4, 4, 8)",
            ),
            (lambda: With(head(), feature_shape=(4, 4, 8), num_classes=3), "there are 3 classes"),
            (lambda: head(dropout=False), "no Dropout"),
            (lambda: head(with_conv=True), "features were already computed"),
        ],
    ),
    "nb04.q1": (
        [
            lambda: {"fine_tuned": 0.93, "scratch": 0.71, "conclusion": "fine_tuned: fewer images needed"},
            lambda: {"fine_tuned": 0.80, "scratch": 0.81, "conclusion": "tie, within noise"},
            lambda: {"fine_tuned": 0.55, "scratch": 0.70, "conclusion": "Scratch wins on this data"},
        ],
        [
            (lambda: {"fine_tuned": 0.93, "scratch": 0.71, "conclusion": "scratch is better"}, "fine_tuned wins"),
            (lambda: {"fine_tuned": 0.93, "scratch": 0.71, "conclusion": "tie"}, "more than noise"),
            (lambda: {"fine_tuned": 93, "scratch": 71, "conclusion": "fine_tuned"}, "percentage"),
            (lambda: {"fine_tuned": 0.9, "conclusion": "fine_tuned"}, "no 'scratch' entry"),
            (lambda: {"fine_tuned": 0.9, "scratch": 0.5, "conclusion": "it depends"}, "start the conclusion"),
        ],
    ),
    "nb04.q2": (
        [lambda: CURVE, lambda: {**CURVE, "scratch": [0.1, 0.2, 0.3], "crossover": None}],
        [
            (lambda: {**CURVE, "crossover": 100}, "first size where scratch"),
            (lambda: {**CURVE, "crossover": None}, "is 20"),
            (lambda: {**CURVE, "scratch": [0.4, 0.5]}, "3 sizes but 3 transfer and 2 scratch"),
            (lambda: {**CURVE, "labels_per_class": [20, 5, 100]}, "should increase"),
            (lambda: {k: v for k, v in CURVE.items() if k != "crossover"}, "no 'crossover' entry"),
        ],
    ),
}


# the reasoning questions: the right letter, and each wrong one with words of its own feedback
REASONING = {
    "nb00.q3": ("c", {"a": "risky choice", "b": "cannot tell", "d": "wreck the pretrained"}),
    "nb01.q3": ("b", {"a": "checks the value range", "c": "does not re-scale", "d": "separate function"}),
    "nb02.q3": ("b", {"a": "any model", "c": "dtype", "d": "before the conv base"}),
    "nb03.q3": ("b", {"a": "whole base included", "c": "top block included", "d": "none finishes"}),
    "nb04.q3": ("b", {"a": "larger bases", "c": "10 classes", "d": "same budget"}),
}
for _name, (_right, _wrongs) in REASONING.items():
    CASES[_name] = (
        [lambda r=_right: r, lambda r=_right: f" {r.upper()} "],
        [(lambda w=w: w, words) for w, words in _wrongs.items()]
        + [(lambda: "e", "one letter in quotes"), (lambda: 2, "one letter in quotes")],
    )


class With:
    """An answer plus the keyword context a notebook passes: ex.q2.check(head, feature_shape=...)."""

    def __init__(self, answer, **context):
        self.answer, self.context = answer, context


def _check(exercise, answer, capsys):
    if isinstance(answer, With):
        result = exercise.check(answer.answer, **answer.context)
    else:
        result = exercise.check(answer)
    out = capsys.readouterr().out
    return result, out


def test_every_exercise_is_tested():
    names = {e.name for e in exercises.all_exercises()}
    assert names == set(CASES) | {"nb03.q1", "nb03.q2"}
    for ns in (nb00, nb01, nb02, nb03, nb04):
        assert len(vars(ns)) >= 3
        assert any(e.checker.__qualname__.startswith("_choice") for e in vars(ns).values()), "a reasoning question"
        assert all(e.variable.isidentifier() for e in vars(ns).values()), "check() reads a variable"


def test_check_reads_the_learners_variable_and_its_context(capsys):
    exercise = nb04.q1
    namespace = {"test_labels": list(range(25)), "ex": nb04}  # 25 test images: a gap of 0.08 is noise
    namespace["answer"] = {"fine_tuned": 0.88, "scratch": 0.80, "conclusion": "tie: noise"}
    exec("result = ex.q1.check()", namespace)
    assert namespace["result"] is True and capsys.readouterr().out.startswith("Correct: ")
    del namespace["test_labels"]  # without it the checker's own margin (0.02) applies: not a tie
    exec("result = ex.q1.check()", namespace)
    assert namespace["result"] is False and "more than noise" in capsys.readouterr().out
    assert exercise.check({"fine_tuned": 0.88, "scratch": 0.80, "conclusion": "tie"}, n_test=25)
    capsys.readouterr()


def test_a_blank_or_a_missing_variable_is_not_yet(capsys):
    namespace = {"ex": nb04, "____": exercises.____}
    exec("result = ex.q2.check()", namespace)
    assert namespace["result"] is False and "no variable `curve_answer`" in capsys.readouterr().out
    exec("curve_answer = {**CURVE, 'crossover': ____}; result = ex.q2.check()", {**namespace, "CURVE": CURVE})
    out = capsys.readouterr().out
    assert out.startswith("Not yet: replace the blank(s) ____ in `curve_answer`") and "Correct" not in out
    for blank in (exercises.____, [0.5, exercises.____], ("a", {"b": exercises.____})):
        assert exercises.has_blank(blank)
    assert not exercises.has_blank({"a": [0.5, "____"]})  # the string is an answer, not the blank


@pytest.mark.parametrize("name", sorted(CASES))
def test_right_answers_pass_and_wrong_ones_say_why(name, capsys):
    exercise = next(e for e in exercises.all_exercises() if e.name == name)
    rights, wrongs = CASES[name]
    for make in rights:
        result, out = _check(exercise, make(), capsys)
        assert result is True and out.startswith("Correct: "), out
    for make, words in wrongs:
        result, out = _check(exercise, make(), capsys)
        assert result is False, f"{name} accepted a wrong answer: {out}"
        assert out.startswith("Not yet: ") and words in out, f"{name}: expected {words!r} in {out!r}"


def test_nb03_q1_only_block5_and_a_low_learning_rate(vgg_model, capsys):
    assert _check(nb03.q1, fine_tune_vgg(vgg_model), capsys)[0] is True
    for kwargs, words in [
        ({"trainable_prefixes": ("block4", "block5")}, "layers below block5 also train (block4_conv1"),
        ({"trainable_prefixes": ("block5_conv1", "block5_conv2")}, "block5_conv3 still frozen"),
        ({"trainable_prefixes": ("nothing",)}, "nothing in 'vgg16' trains"),
        ({"lr": 1e-3}, "learning rate 0.001 is too high"),
        ({"compile_": False}, "not compiled"),
    ]:
        result, out = _check(nb03.q1, fine_tune_vgg(vgg_model, **kwargs), capsys)
        assert result is False and words in out, (kwargs, out)
    result, out = _check(nb03.q1, transfer(2)[0], capsys)
    assert result is False and "no VGG16 base found" in out


def test_nb03_q2_keeps_batch_normalization_frozen(capsys):
    assert _check(nb03.q2, bn_model("right"), capsys)[0] is True
    for how, words in [
        ("bn_trains", "BatchNormalization layers train (bn2)"),
        ("all", "the whole base"),
        ("gap", "conv1 is frozen although conv0"),
        ("frozen", "nothing in 'bn_base' trains"),
    ]:
        result, out = _check(nb03.q2, bn_model(how), capsys)
        assert result is False and words in out, (how, out)


def test_unexpected_answers_get_a_kind_message(capsys):
    result, out = _check(nb04.q1, {"fine_tuned": 0.9, "scratch": 0.5, "conclusion": 7}, capsys)
    assert result is False and "should be a sentence" in out
    result, out = _check(nb01.q2, object(), capsys)
    assert result is False and out.startswith("Not yet: ")


def test_hint_and_solution_print_text(capsys):
    for exercise in exercises.all_exercises():
        exercise.hint()
        exercise.solution()
        out = capsys.readouterr().out
        assert out.startswith("Hint: ") and f"ex.{exercise.name.split('.')[1]}.check(" in out, exercise.name


def test_every_exercise_has_its_solution_in_its_notebook():
    # one source: the solution is the notebook's hidden cell, tagged `solution`
    for exercise in exercises.all_exercises():
        cells = exercise.solution_cells()
        assert cells, f"{exercise.name}: no cell tagged 'solution' calls ex.{exercise.name[-2:]}.check("
        for code in cells:
            compile(code, exercise.name, "exec")  # valid Python


def test_the_course_helpers_build_right_answers(vgg_model, capsys):
    # what the notebooks build with helpers.models passes the checkers they are asked to pass
    base = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3)], name="small_base")
    model = models.transfer_model(base, 2, preprocess=lambda x: x / 127.5 - 1, input_shape=(8, 8, 3), seed=0)
    assert _check(nb02.q1, model, capsys)[0] is True
    assert _check(nb02.q2, With(models.dense_head((4, 4, 8), 2), feature_shape=(4, 4, 8)), capsys)[0]
    vgg, vgg_base = vgg_model
    assert models.unfreeze_top(vgg_base, "block5") == ["block5_conv1", "block5_conv2", "block5_conv3"]
    vgg.compile(optimizer=keras.optimizers.RMSprop(1e-5), loss="sparse_categorical_crossentropy")
    assert _check(nb03.q1, vgg, capsys)[0] is True
