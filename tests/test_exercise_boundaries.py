"""Exercise checkers at, just below and just above each threshold, and the messages they give.

A checker that says "wrong" exactly at its boundary is a bad day in a classroom; one that accepts
a wrong answer teaches the wrong thing. The messages must name the thing that is wrong.
"""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from test_exercises import bn_model, compiled, fine_tune_vgg, transfer, vgg_model  # noqa: E402,F401

from helpers import exercises  # noqa: E402
from helpers.exercises import nb00, nb01, nb02, nb03, nb04  # noqa: E402

L = keras.layers


def verdict(exercise, answer, capsys, **context) -> tuple[bool, str]:
    ok = exercise.check(answer, **context)
    return ok, capsys.readouterr().out


def passes(exercise, answer, capsys, **context) -> str:
    ok, out = verdict(exercise, answer, capsys, **context)
    assert ok is True and out.startswith("Correct: "), out
    return out


def fails(exercise, answer, capsys, *words, **context) -> str:
    ok, out = verdict(exercise, answer, capsys, **context)
    assert ok is False and out.startswith("Not yet: "), out
    for w in words:
        assert w in out, f"expected {w!r} in {out!r}"
    return out


# ---------------------------------------------------------------- nb04.q1: who won, and ties


def results(fine, scratch, conclusion):
    return {"fine_tuned": fine, "scratch": scratch, "conclusion": conclusion}


def test_a_gap_of_exactly_the_tie_margin_is_a_tie_or_the_winner(capsys):
    assert 0.04 - 0.02 == exercises.TIE  # exactly at the margin, in floating point too
    passes(nb04.q1, results(0.04, 0.02, "tie"), capsys)
    passes(nb04.q1, results(0.04, 0.02, "fine_tuned"), capsys)
    passes(nb04.q1, results(0.02, 0.04, "scratch"), capsys)
    out = fails(
        nb04.q1,
        results(0.04, 0.02, "scratch"),
        capsys,
        "names scratch",
        "fine_tuned scored higher",
        "(0.040 vs 0.020)",
        "gap of 0.020",
        "'tie' is fair too",
    )
    assert out.strip().endswith("'tie' is fair too.")
    fails(nb04.q1, results(0.02, 0.04, "fine_tuned wins"), capsys, "names fine_tuned", "scratch scored higher")


def test_just_below_and_just_above_the_tie_margin(capsys):
    passes(nb04.q1, results(0.819, 0.80, "tie"), capsys)
    fails(
        nb04.q1,
        results(0.821, 0.80, "tie"),
        capsys,
        "a gap of 0.021 (0.821 vs 0.800) is more than noise",
        "(> 0.02)",
        "name the winner, fine_tuned",
    )
    fails(nb04.q1, results(0.80, 0.821, "tie"), capsys, "name the winner, scratch")
    passes(nb04.q1, results(0.821, 0.80, "fine_tuned"), capsys)
    fails(
        nb04.q1,
        results(0.821, 0.80, "scratch"),
        capsys,
        "names scratch, but the numbers say fine_tuned wins: fine_tuned 0.821 vs scratch 0.800",
    )


def test_an_exact_tie_must_be_called_a_tie(capsys):
    out = passes(nb04.q1, results(0.8, 0.8, "tie: noise"), capsys)
    assert out == "Correct: fine_tuned 0.800 vs scratch 0.800, and the conclusion (tie) agrees.\n"
    fails(nb04.q1, results(0.8, 0.8, "fine_tuned"), capsys, "names fine_tuned", "both scored 0.800", "call it a 'tie'")
    fails(nb04.q1, results(0.8, 0.8, "scratch"), capsys, "names scratch", "both scored 0.800")


@pytest.mark.parametrize(
    "conclusion, claim",
    [
        ("fine-tuned wins", "fine_tuned"),
        ("Fine tuned is better", "fine_tuned"),
        ("finetuned", "fine_tuned"),
        ("Transfer wins", "fine_tuned"),
        ("pretrained features help", "fine_tuned"),
        ("  scratch, surprisingly", "scratch"),
        ("Tie", "tie"),
        ("same accuracy", "tie"),
        ("equal", "tie"),
        ("no difference", "tie"),
    ],
)
def test_the_winner_may_be_spelled_as_the_hint_spells_it(conclusion, claim, capsys):
    fine, scratch = {"fine_tuned": (0.9, 0.6), "scratch": (0.6, 0.9), "tie": (0.8, 0.8)}[claim]
    out = passes(nb04.q1, results(fine, scratch, conclusion), capsys)
    assert f"the conclusion ({claim}) agrees" in out


def test_nb04_q1_names_what_is_wrong_with_the_entries(capsys):
    fails(nb04.q1, [0.9, 0.5], capsys, "results should be a dict, got a list.")
    fails(
        nb04.q1,
        {"scratch": 0.5, "conclusion": "tie"},
        capsys,
        "results has no 'fine_tuned' entry; expected keys 'fine_tuned', 'scratch' and 'conclusion'.",
    )
    fails(
        nb04.q1,
        results(True, 0.5, "fine_tuned"),
        capsys,
        "results['fine_tuned'] should be a number (an accuracy), got True.",
    )
    fails(nb04.q1, results(0.9, "0.5", "fine_tuned"), capsys, "results['scratch'] should be a number")
    passes(nb04.q1, results(1, 0, "fine_tuned"), capsys)  # 1 and 0 are fractions, not percentages
    passes(nb04.q1, results(np.float32(0.9), np.float64(0.5), "fine_tuned"), capsys)
    fails(nb04.q1, results(1.5, 0.5, "fine_tuned"), capsys, "results['fine_tuned'] = 1.5 looks like a percentage")
    fails(nb04.q1, results(100, 50, "fine_tuned"), capsys, "= 100 looks like a percentage")
    fails(nb04.q1, results(100.5, 0.5, "fine_tuned"), capsys, "results['fine_tuned'] = 100.5 is not in [0, 1].")
    fails(nb04.q1, results(0.5, -0.1, "fine_tuned"), capsys, "results['scratch'] = -0.1 is not in [0, 1].")
    fails(
        nb04.q1,
        results(0.9, 0.5, "   "),
        capsys,
        "results['conclusion'] should be a sentence that starts "
        "with the winner: 'fine_tuned ...', 'scratch ...' or 'tie ...'.",
    )
    fails(nb04.q1, {"fine_tuned": 0.9, "scratch": 0.5}, capsys, "results['conclusion'] should be a sentence")
    fails(
        nb04.q1,
        results(0.9, 0.5, "It depends"),
        capsys,
        "start the conclusion with the winner, 'fine_tuned', 'scratch' or 'tie'; it starts with 'It'.",
    )


# ---------------------------------------------------------------- nb04.q2: the crossover


def curve(transfer, scratch, crossover, sizes=(5, 20, 100)):
    return {"labels_per_class": list(sizes), "transfer": transfer, "scratch": scratch, "crossover": crossover}


def test_crossover_is_the_first_size_where_scratch_is_at_least_as_good(capsys):
    # scratch equals transfer at 20: that is the crossover ("at least as good")
    out = passes(nb04.q2, curve([0.6, 0.7, 0.8], [0.4, 0.7, 0.9], 20), capsys)
    assert out == "Correct: 3 sizes; scratch catches up at 20 labels per class.\n"
    fails(
        nb04.q2,
        curve([0.6, 0.7, 0.8], [0.4, 0.7, 0.9], 100),
        capsys,
        "crossover is 100, but the first size where scratch is at least as good as transfer is 20.",
    )
    # just below: scratch 0.69 at 20 does not catch up; it does at 100
    passes(nb04.q2, curve([0.6, 0.7, 0.8], [0.4, 0.69, 0.9], 100), capsys)
    # already at the first size
    passes(nb04.q2, curve([0.6, 0.7, 0.8], [0.6, 0.6, 0.6], 5), capsys)


def test_no_crossover_is_none(capsys):
    out = passes(nb04.q2, curve([0.6, 0.7, 0.8], [0.59, 0.69, 0.79], None), capsys)
    assert out == "Correct: 3 sizes; transfer wins at every size measured.\n"
    fails(
        nb04.q2,
        curve([0.6, 0.7, 0.8], [0.59, 0.69, 0.79], 100),
        capsys,
        "is None (transfer wins at every size, so None).",
    )
    fails(nb04.q2, curve([0.6, 0.7, 0.8], [0.59, 0.69, 0.79], 0), capsys, "crossover is 0")


def test_nb04_q2_names_what_is_wrong_with_the_curve(capsys):
    fails(nb04.q2, [1, 2], capsys, "curve should be a dict, got a list.")
    for key in ("labels_per_class", "transfer", "scratch", "crossover"):
        bad = {k: v for k, v in curve([0.6, 0.7], [0.4, 0.5], None, sizes=(5, 20)).items() if k != key}
        fails(
            nb04.q2,
            bad,
            capsys,
            f"curve has no {key!r} entry; expected 'labels_per_class', 'transfer', 'scratch' and 'crossover'.",
        )
    fails(nb04.q2, curve([0.6], [0.4], None, sizes=(5,)), capsys, "measure at least two dataset sizes")
    passes(nb04.q2, curve([0.6, 0.7], [0.4, 0.5], None, sizes=(5, 20)), capsys)
    fails(
        nb04.q2,
        curve([0.6, 0.7], [0.4, 0.5, 0.6], None),
        capsys,
        "3 sizes but 2 transfer and 3 scratch accuracies: one of each per size.",
    )
    fails(
        nb04.q2,
        curve([0.6, 0.7, 0.8], [0.4, 0.5, 0.6], None, sizes=(5, 20, 20)),
        capsys,
        "labels_per_class should increase: [5, 20, 20].",
    )
    fails(
        nb04.q2,
        curve([0.6, True, 0.8], [0.4, 0.5, 0.6], None),
        capsys,
        "transfer accuracies must be fractions in [0, 1]; got [True].",
    )
    fails(
        nb04.q2,
        curve([0.6, 0.7, 0.8], [0.4, 1.01, -0.01], None),
        capsys,
        "scratch accuracies must be fractions in [0, 1]; got [1.01, -0.01].",
    )
    passes(nb04.q2, curve([0.0, 1.0, 1.0], [0.0, 0.5, 0.5], 5), capsys)  # 0 and 1 are in [0, 1]


# ---------------------------------------------------------------- nb01.q1: top-3 predictions


def test_nb01_q1_probability_boundaries(capsys):
    passes(nb01.q1, [("a", 1.0), ("b", 0.0), ("c", 0.0)], capsys)
    passes(nb01.q1, [("a", 1), ("b", 0), ("c", 0)], capsys)
    fails(nb01.q1, [("a", 1.001), ("b", 0.0), ("c", 0.0)], capsys, "entry 0: 1.001 looks like a percentage")
    fails(nb01.q1, [("a", 0.5), ("b", 0.3), ("c", 100)], capsys, "entry 2: 100 looks like a percentage")
    fails(nb01.q1, [("a", 100.5), ("b", 0.3), ("c", 0.1)], capsys, "entry 0: probability 100.5 is not in [0, 1].")
    fails(nb01.q1, [("a", 0.5), ("b", 0.3), ("c", -0.01)], capsys, "entry 2: probability -0.01 is not in [0, 1].")
    fails(
        nb01.q1, [("a", True), ("b", 0.0), ("c", 0.0)], capsys, "entry 0: the probability should be a number, got True."
    )
    fails(nb01.q1, [("a", "0.5"), ("b", 0.0), ("c", 0.0)], capsys, "the probability should be a number")
    fails(nb01.q1, [(3, 0.5), ("b", 0.2), ("c", 0.1)], capsys, "entry 0: the label should be a string, got 3.")
    fails(nb01.q1, [("a", 0.5), "b", ("c", 0.1)], capsys, "entry 1 is a str, not a (label, probability) tuple.")
    fails(nb01.q1, [("a", 0.5), ("b",), ("c", 0.1)], capsys, "entry 1 has 1 parts; it should be (label, probability).")
    fails(
        nb01.q1,
        [("x", "a", 0.5), ("y", "b", 0.2), ("z", "c", 0.1)],
        capsys,
        "entry 0 has 3 parts ('x', 'a', 0.5): decode_predictions gives (class_id, label, probability)",
    )
    fails(nb01.q1, [("a", 0.5)] * 4, capsys, "top3 has 4 entries; keep the 3 most probable classes.")
    fails(nb01.q1, {"a": 0.5}, capsys, "top3 should be a list of (label, probability) tuples, got a dict.")
    passes(nb01.q1, (("a", 0.5), ("b", 0.3), ("c", 0.1)), capsys)  # a tuple of tuples is fine
    passes(nb01.q1, [["a", 0.5], ["b", 0.3], ["c", 0.1]], capsys)  # so are lists


def test_nb01_q1_order_and_sum_boundaries(capsys):
    passes(nb01.q1, [("a", 0.4), ("b", 0.4), ("c", 0.2)], capsys)  # ties keep their order
    fails(
        nb01.q1,
        [("a", 0.4), ("b", 0.2), ("c", 0.3)],
        capsys,
        "the list must be sorted best first, but 'c' (0.3) comes after 'b' (0.2).",
    )
    out = passes(nb01.q1, [("a", 0.5), ("b", 0.3), ("c", 0.20005)], capsys)  # sum 1.00005: rounding
    assert "summing to 1.00." in out
    fails(nb01.q1, [("a", 0.5), ("b", 0.3), ("c", 0.2002)], capsys, "the probabilities sum to 1.000 > 1")
    out = passes(nb01.q1, [("a", 0.5), ("b", 0.25), ("c", 0.125)], capsys)
    assert out == ("Correct: three (label, probability) pairs, best first, probabilities in [0, 1] summing to 0.88.\n")


# ---------------------------------------------------------------- nb01.q2: Xception's input


def image(lo, hi, size=299, dtype="float64"):
    x = np.full((1, size, size, 3), lo, dtype=dtype)
    x[0, 0, 0, 0] = hi
    return x


def test_nb01_q2_value_range_boundaries(capsys):
    out = passes(nb01.q2, image(-1.0, 1.0), capsys)
    assert out == "Correct: shape (1, 299, 299, 3), values in [-1.00, 1.00]: what Xception expects.\n"
    passes(nb01.q2, image(-1.0009, 1.0009), capsys)  # float32 rounding of preprocess_input
    fails(nb01.q2, image(-1.0, 1.002), capsys, "values go up to 1: these are raw pixels")
    fails(nb01.q2, image(-1.002, 1.0), capsys, "values lie in [-1.002, 1.000], squeezed near -1", "applied twice")
    fails(nb01.q2, image(-1.5, 1.0), capsys, "applied twice")
    fails(nb01.q2, image(-1.6, 1.0), capsys, "values go down to -1.6: that is VGG16/ResNet-style")
    fails(nb01.q2, image(0.0, 255.0), capsys, "values go up to 255: these are raw pixels")
    # x / 255 with a black pixel: exactly 0 is not "in [-1, 1]" as Xception means it
    fails(nb01.q2, image(0.0, 1.0), capsys, "values lie in [0.00, 1.00]: that looks like x / 255")
    fails(nb01.q2, image(0.2, 0.9), capsys, "that looks like x / 255")
    passes(nb01.q2, image(-0.001, 0.9), capsys)
    # spread: 0.1 exactly is enough, just below is "applied twice"
    assert -0.15 - -0.25 == 0.1
    passes(nb01.q2, image(-0.25, -0.15), capsys)
    fails(nb01.q2, image(-0.25, -0.16), capsys, "squeezed near -1")


def test_nb01_q2_shape_and_type(capsys):
    fails(nb01.q2, image(-1, 1).astype(bool), capsys, "expected an array of numbers, got dtype bool.")
    passes(nb01.q2, image(-1, 1, dtype="float32"), capsys)
    fails(nb01.q2, image(-1, 1)[0], capsys, "shape (299, 299, 3) has no batch axis")
    fails(
        nb01.q2,
        image(-1, 1)[0, :, :, 0],
        capsys,
        "expected 4 axes (batch, height, width, channels); got shape (299, 299).",
    )
    fails(nb01.q2, np.concatenate([image(-1, 1)] * 2), capsys, "expected a batch of one image; got 2 images.")
    fails(nb01.q2, image(-1, 1)[..., :1], capsys, "expected 3 colour channels (RGB) last; got shape (1, 299, 299, 1).")
    fails(nb01.q2, image(-1, 1, size=224), capsys, "the image is 224x224; Xception was trained on 299x299")
    fails(nb01.q2, np.full((1, 299, 299, 3), 0.5), capsys, "every value is the same: is the image blank?")
    passes(nb01.q2, image(-1, 1, size=224), capsys, size=224)
    fails(nb01.q2, np.zeros((1, 299, 300, 3)), capsys, "the image is 299x300")


# ---------------------------------------------------------------- learning rates


def test_nb00_q2_learning_rate_limit_is_inclusive(capsys):
    def fine_tuned(lr):
        model, base = transfer(5)
        base.trainable = True
        return compiled(model, lr)

    out = passes(nb00.q2, fine_tuned(1e-3), capsys)  # 10x below the head's 1e-2, exactly
    assert "with learning rate 0.001, at least 10x below the head's 0.01." in out
    fails(
        nb00.q2,
        fine_tuned(1.00002e-3),
        capsys,
        "learning rate 0.00100002 is too high for fine-tuning: use "
        "at least 10x less than the head's 0.01, i.e. 0.001 or lower",
    )
    fails(nb00.q2, fine_tuned(1e-3), capsys, "i.e. 0.0001 or lower", head_learning_rate=1e-3)
    passes(nb00.q2, fine_tuned(1e-4), capsys, head_learning_rate=1e-3)


def test_nb03_q1_learning_rate_limit_is_inclusive(vgg_model, capsys):
    out = passes(nb03.q1, fine_tune_vgg(vgg_model, lr=1e-4), capsys)
    assert "with learning rate 0.0001." in out and "only block5 of 'vgg16' trains" in out
    fails(
        nb03.q1,
        fine_tune_vgg(vgg_model, lr=1.00002e-4),
        capsys,
        "learning rate 0.000100002 is too high for fine-tuning",
        "Use 0.0001 or lower",
    )
    passes(nb03.q1, fine_tune_vgg(vgg_model, lr=1e-3), capsys, max_learning_rate=1e-3)


# ---------------------------------------------------------------- frozen bases, heads, nested models


def test_nb00_q2_a_base_without_trainable_weights_is_still_frozen(capsys):
    model, base = transfer(5)
    base.trainable = True
    for layer in base.layers:
        layer.trainable = False  # base.trainable says True, but nothing in it trains
    fails(
        compiled_check := nb00.q2,
        compiled(model, 1e-4),
        capsys,
        "the base 'base' is still frozen: set `base.trainable = True`",
    )
    assert compiled_check is nb00.q2


def test_nb00_q2_the_head_must_keep_training(capsys):
    model, base = transfer(5)
    base.trainable = True
    model.layers[-1].trainable = False  # the Dense head
    fails(nb00.q2, compiled(model, 1e-4), capsys, "the head is frozen: keep it trainable while you fine-tune.")
    model, base = transfer(5)
    base.trainable = True
    out = passes(nb00.q2, compiled(model, 1e-4), capsys)
    assert "the base 'base' trains too (260 parameters)" in out


def test_nb03_q1_the_head_must_keep_training(vgg_model, capsys):
    model, _ = vgg_model
    fine_tune_vgg(vgg_model)
    model.layers[-1].trainable = False
    try:
        fails(
            nb03.q1,
            compiled(model, 1e-5),
            capsys,
            "the head is frozen: it must keep training while block5 is fine-tuned.",
        )
    finally:
        model.layers[-1].trainable = True


def test_frozen_transfer_rejects_another_nested_model_that_trains(capsys):
    inputs = keras.Input((8, 8, 3))
    base = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3), L.Conv2D(4, 3)], name="base")
    base.trainable = False
    extra = keras.Sequential([keras.Input((4, 4, 4)), L.Conv2D(2, 1)], name="adapter")  # trains
    x = extra(base(inputs, training=False))
    model = keras.Model(inputs, L.Dense(2, activation="softmax")(L.GlobalAveragePooling2D()(x)))
    fails(
        nb02.q1,
        model,
        capsys,
        "the nested model(s) ['adapter'] have trainable weights: only the new head should train.",
    )
    extra.trainable = False
    out = passes(nb02.q1, model, capsys)
    assert out == (
        "Correct: the base 'base' (260 parameters) is frozen and only the head's 6 parameters "
        "train; 2 softmax outputs.\n"
    )


def test_frozen_transfer_ignores_nested_models_without_weights(capsys):
    inputs = keras.Input((8, 8, 3))
    augment = keras.Sequential([keras.Input((8, 8, 3)), L.RandomFlip("horizontal")], name="augment")
    base = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3)], name="base")
    base.trainable = False
    x = L.GlobalAveragePooling2D()(base(augment(inputs), training=False))
    passes(nb02.q1, keras.Model(inputs, L.Dense(2, activation="softmax")(x)), capsys)


def test_the_base_is_the_nested_model_with_the_most_weights(capsys):
    inputs = keras.Input((8, 8, 3))
    small = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(3, 1)], name="small")  # 12 parameters
    big = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(8, 3)], name="big")  # 224 parameters
    big.trainable = False
    x = L.Concatenate()([L.GlobalAveragePooling2D()(small(inputs)), L.GlobalAveragePooling2D()(big(inputs))])
    model = keras.Model(inputs, L.Dense(2, activation="softmax")(x))
    fails(nb02.q1, model, capsys, "the nested model(s) ['small'] have trainable weights")
    small.trainable, big.trainable = False, True
    fails(nb02.q1, model, capsys, "base.trainable is True for 'big'")


def test_frozen_transfer_messages_name_the_base(capsys):
    model, _ = transfer(2, frozen=False)
    fails(
        nb02.q1,
        model,
        capsys,
        "base.trainable is True for 'base': set `base.trainable = False` before "
        "compiling, or the random head's large gradients wreck the pretrained weights.",
    )
    model, _ = transfer(2)
    model.trainable = False
    fails(
        nb02.q1,
        model,
        capsys,
        "nothing in the model is trainable: the new head must train (did you set "
        "`model.trainable = False` instead of `base.trainable = False`?).",
    )


def test_classifier_output_messages(capsys):
    fails(
        nb02.q1,
        transfer(1, activation="sigmoid")[0],
        capsys,
        "Dense(1, activation='sigmoid') can also classify two classes, but this course uses "
        "Dense(2, activation='softmax') with loss='sparse_categorical_crossentropy': change the last layer.",
    )
    fails(
        nb02.q1,
        transfer(1)[0],
        capsys,
        "the model outputs 1 numbers per image, but there are 2 classes: end with Dense(2, activation='softmax').",
    )
    fails(nb00.q1, transfer(1, activation="sigmoid")[0], capsys, "there are 5 classes")
    fails(
        nb02.q1,
        transfer(2, activation="sigmoid")[0],
        capsys,
        "activation 'sigmoid': use activation='softmax', so the outputs are class probabilities",
    )
    model, _ = transfer(2, activation=None)
    fails(nb02.q1, keras.Model(model.inputs, L.Activation("relu")(model.outputs[0])), capsys, "activation 'relu'")
    passes(nb02.q1, keras.Model(model.inputs, L.Activation("softmax")(model.outputs[0])), capsys)


def test_not_a_model_and_no_nested_base(capsys):
    fails(nb02.q1, "model", capsys, "expected your Keras model (a keras.Model), got a str.")
    fails(nb02.q2, "head", capsys, "expected your head (a keras.Model), got a str.")
    inputs = keras.Input((8, 8, 3))
    flat = keras.Model(inputs, L.Dense(2, activation="softmax")(L.Flatten()(L.Conv2D(2, 3)(inputs))))
    fails(
        nb02.q1,
        flat,
        capsys,
        "the model has no nested base model. Build it by calling the base as one layer: `x = base(x, training=False)`",
    )


def test_near_base_message_names_it(capsys):
    model, base = transfer(5)
    fails(nb00.q1, model, capsys, "the frozen base is 'base', the one pretrained on the near source", near_base=base)
    other, _ = transfer(5)
    passes(nb00.q1, other, capsys, near_base=base)


# ---------------------------------------------------------------- nb02.q2: the cached-features head


def test_nb02_q2_messages(capsys):
    from test_exercises import head

    out = passes(nb02.q2, head(), capsys, feature_shape=(4, 4, 8))
    assert out == (
        "Correct: a head for features of shape (4, 4, 8) with 2,098 trainable parameters, "
        "Dropout and 2 softmax outputs.\n"
    )
    fails(
        nb02.q2,
        head(),
        capsys,
        "the head takes inputs of shape (4, 4, 8), but the cached features have "
        "shape (2, 2, 8): use keras.Input(shape=conv_base.output.shape[1:]).",
        feature_shape=(2, 2, 8),
    )
    fails(nb02.q2, head(dropout=False), capsys, "no Dropout: a dense head on 2000 images overfits")
    fails(nb02.q2, head(with_conv=True), capsys, "the head contains ['conv2d")
    inputs = keras.Input((4, 4, 8))
    pooled = keras.Model(inputs, L.Dense(2, activation="softmax")(L.Dropout(0.5)(inputs)))
    fails(nb02.q2, pooled, capsys, "the output has shape (None, 4, 4, 2): flatten the feature maps")
    frozen = head()
    frozen.trainable = False
    fails(nb02.q2, frozen, capsys, "the head has no trainable weights: it must train.")


# ---------------------------------------------------------------- nb03: which layers train


def test_nb03_q1_messages_name_the_layers(vgg_model, capsys):
    fails(
        nb03.q1,
        fine_tune_vgg(vgg_model, trainable_prefixes=("block3", "block4", "block5")),
        capsys,
        "layers below block5 also train (block3_conv1, block3_conv2, block3_conv3, block4_conv1 ...): "
        "freeze them with `for layer in base.layers: layer.trainable = layer.name.startswith('block5')`.",
    )
    fails(
        nb03.q1,
        fine_tune_vgg(vgg_model, trainable_prefixes=("block4_conv3", "block5")),
        capsys,
        "layers below block5 also train (block4_conv3): freeze",
    )
    fails(
        nb03.q1,
        fine_tune_vgg(vgg_model, trainable_prefixes=("block5_conv1",)),
        capsys,
        "block5_conv2, block5_conv3 still frozen: all of block5's layers should train.",
    )
    fails(nb03.q1, fine_tune_vgg(vgg_model, trainable_prefixes=("block4",)), capsys, "layers below block5 also train")
    fails(
        nb03.q1,
        fine_tune_vgg(vgg_model, trainable_prefixes=("block5",)),
        capsys,
        "no base with a block 'block9'",
        block="block9",
    )
    out = passes(nb03.q1, fine_tune_vgg(vgg_model, trainable_prefixes=("block4",)), capsys, block="block4")
    assert "only block4 of 'vgg16' trains (5,899,776 parameters) with learning rate 1e-05." in out


def block_model(trainable: str):
    """A base with blocks 'low' and 'top' (conv + BatchNormalization each), nested in a model."""
    inputs = keras.Input((8, 8, 3))
    x = inputs
    for block in ("low", "top"):
        x = L.BatchNormalization(name=f"{block}_bn")(L.Conv2D(2, 1, name=f"{block}_conv")(x))
    base = keras.Model(inputs, x, name="blocks")
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name in trainable.split()
    outer = keras.Input((8, 8, 3))
    return compiled(keras.Model(outer, L.Dense(2, activation="softmax")(L.Flatten()(base(outer)))), 1e-5)


def test_nb03_q1_batch_normalization_and_single_layer_blocks(capsys):
    fails(
        nb03.q1,
        block_model("top_conv top_bn"),
        capsys,
        "BatchNormalization layers train (top_bn): keep them frozen (`trainable = False`), or small "
        "batches wreck their ImageNet statistics.",
        block="top",
    )
    out = passes(nb03.q1, block_model("top_conv"), capsys, block="top")
    assert "only top of 'blocks' trains (6 parameters)" in out
    fails(nb03.q1, block_model("low_conv"), capsys, "layers below top also train (low_conv)", block="top")
    fails(
        nb03.q1,
        block_model(""),
        capsys,
        "nothing in 'blocks' trains: set `base.trainable = True`, then freeze every layer below top.",
        block="top",
    )


def test_nb03_q1_a_model_that_is_itself_the_base(capsys):
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name.startswith("block5")
    base.compile(optimizer=keras.optimizers.RMSprop(1e-5), loss="mse")
    passes(nb03.q1, base, capsys)  # no separate head to check


def test_nb03_q2_messages(capsys):
    out = passes(nb03.q2, bn_model("right"), capsys)
    assert out == (
        "Correct: the top 1 of 3 weight layers of 'bn_base' train (from conv2); all 3 "
        "BatchNormalization layers stay frozen.\n"
    )
    fails(
        nb03.q2,
        bn_model("all"),
        capsys,
        "the whole base 'bn_base' trains: with a small dataset unfreeze only the top layers",
    )
    fails(
        nb03.q2,
        bn_model("gap"),
        capsys,
        "conv1 is frozen although conv0, below it, trains: unfreeze one "
        "block at the top of the network, from some layer upwards.",
    )
    fails(
        nb03.q2,
        bn_model("bn_trains"),
        capsys,
        "BatchNormalization layers train (bn2): keep them frozen, "
        "or small batches wreck their statistics. helpers.models.unfreeze_top does this for you.",
    )
    fails(nb03.q2, bn_model("frozen"), capsys, "nothing in 'bn_base' trains: unfreeze its top layers")


def test_nb03_q2_lists_at_most_three_batch_normalization_layers(capsys):
    inputs = keras.Input((8, 8, 3))
    x = inputs
    for i in range(5):
        x = L.BatchNormalization(name=f"bn{i}")(L.Conv2D(2, 1, name=f"conv{i}")(x))
    base = keras.Model(inputs, x, name="deep")
    base.trainable = True
    outer = keras.Input((8, 8, 3))
    model = keras.Model(outer, L.Dense(2, activation="softmax")(L.Flatten()(base(outer))))
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= 5  # conv2 onwards, BN included
    fails(nb03.q2, model, capsys, "BatchNormalization layers train (bn2, bn3, bn4): keep")
    for layer in base.layers:
        layer.trainable = True
    fails(nb03.q2, model, capsys, "BatchNormalization layers train (bn0, bn1, bn2 ...): keep")
    for layer in base.layers:
        layer.trainable = layer.name not in ("conv0", "bn0", "conv1")  # conv2.. conv4 and bn1.. bn4
    fails(nb03.q2, model, capsys, "BatchNormalization layers train (bn1, bn2, bn3 ...): keep")


# ---------------------------------------------------------------- solutions and whole messages


def test_solution_without_a_cell_says_where_to_look(capsys):
    lost = exercises.Exercise("nb02.q9", "a question", lambda answer: "ok", "a hint")
    assert lost.solution_cells() == []
    lost.solution()
    assert capsys.readouterr().out == "No solution cell found for nb02.q9: look for the cells tagged 'solution'.\n"


def test_several_solution_cells_are_printed_apart(capsys, monkeypatch):
    monkeypatch.setattr(exercises.Exercise, "solution_cells", lambda self: ["a = 1", "ex.q1.check(a)"])
    nb04.q1.solution()
    assert capsys.readouterr().out == "a = 1\n\nex.q1.check(a)\n"


def test_nb04_q2_whole_messages(capsys):
    ok, out = verdict(nb04.q2, curve([0.6], [0.4], None, sizes=(5,)), capsys)
    assert out == "Not yet: measure at least two dataset sizes to draw a curve.\n"
    ok, out = verdict(nb04.q2, curve([0.6, 0.7, 0.8, 0.9], [1.1, 1.2, 1.3, 1.4], None, sizes=(1, 2, 3, 4)), capsys)
    assert out == "Not yet: scratch accuracies must be fractions in [0, 1]; got [1.1, 1.2, 1.3].\n"


def test_nb01_q1_whole_messages(capsys):
    _, out = verdict(nb01.q1, [("x", "a", 0.5), ("y", "b", 0.2), ("z", "c", 0.1)], capsys)
    assert out == (
        "Not yet: entry 0 has 3 parts ('x', 'a', 0.5): decode_predictions gives (class_id, label, "
        "probability); keep the last two: [(label, float(p)) for _, label, p in decoded[0]].\n"
    )
    _, out = verdict(nb01.q1, [("a", 60.0), ("b", 0.3), ("c", 0.1)], capsys)
    assert out == (
        "Not yet: entry 0: 60 looks like a percentage; keep probabilities between 0 and 1 "
        "(format them with f'{p:.1%}' when printing).\n"
    )


WHOLE_NB01_Q2 = [
    (
        lambda: image(-1, 1)[0],
        "shape (299, 299, 3) has no batch axis: models take batches, so add one with "
        "x[None] or np.expand_dims(x, 0) -> (1, 299, 299, 3).",
    ),
    (
        lambda: image(-1, 1)[..., :1],
        "expected 3 colour channels (RGB) last; got shape (1, 299, 299, 1). "
        "Load with keras.utils.load_img(path, color_mode='rgb').",
    ),
    (lambda: np.full((1, 299, 299, 3), 0.5), "every value is the same: is the image blank?"),
    (
        lambda: image(-1.6, 1.0),
        "values go down to -1.6: that is VGG16/ResNet-style preprocessing (BGR, mean "
        "subtracted). Xception needs keras.applications.xception.preprocess_input "
        "(scales to [-1, 1]).",
    ),
    (
        lambda: image(0.0, 255.0),
        "values go up to 255: these are raw pixels. Apply "
        "keras.applications.xception.preprocess_input to scale them to [-1, 1].",
    ),
    (
        lambda: image(-1.002, 1.0),
        "values lie in [-1.002, 1.000], squeezed near -1: preprocess_input was "
        "probably applied twice (it is not idempotent).",
    ),
    (
        lambda: image(0.0, 1.0),
        "values lie in [0.00, 1.00]: that looks like x / 255. Xception expects [-1, 1]: "
        "use keras.applications.xception.preprocess_input on the raw 0-255 pixels instead.",
    ),
]


@pytest.mark.parametrize("make, message", WHOLE_NB01_Q2)
def test_nb01_q2_whole_messages(make, message, capsys):
    assert verdict(nb01.q2, make(), capsys) == (False, f"Not yet: {message}\n")


def test_exact_float_boundaries_are_accepted(capsys):
    passes(nb01.q2, image(-1.0, 1.0 + 1e-3), capsys)  # the documented slack, exactly
    passes(nb01.q2, image(-1.0 - 1e-3, 1.0), capsys)
    passes(nb01.q1, [("a", 0.5), ("b", 0.5), ("c", 1e-4)], capsys)  # sums to exactly 1 + 1e-4


def test_more_whole_messages(capsys):
    assert verdict(nb01.q1, [("a", 0.5), ("b", 0.4), ("c", 0.3)], capsys)[1] == (
        "Not yet: the probabilities sum to 1.200 > 1: softmax outputs over 1000 classes sum to 1, so three of "
        "them cannot sum to more. Are they probabilities of one image?\n"
    )
    assert verdict(nb04.q1, results(93, 0.5, "x"), capsys)[1] == (
        "Not yet: results['fine_tuned'] = 93 looks like a percentage; use a fraction in [0, 1] "
        "(what model.evaluate returns).\n"
    )


def test_nb02_q2_a_head_with_a_nested_model_or_a_convolution(capsys):
    from test_exercises import head

    inner = keras.Sequential([keras.Input((4, 4, 8)), L.Flatten(), L.Dense(4)], name="inner")
    inputs = keras.Input((4, 4, 8))
    nested = keras.Model(inputs, L.Dense(2, activation="softmax")(L.Dropout(0.5)(inner(inputs))))
    assert verdict(nb02.q2, nested, capsys)[1] == (
        "Not yet: the head contains ['inner']: the features were already computed once by the frozen base, "
        "so the head holds only Flatten/Dense/Dropout layers.\n"
    )
    assert "the head contains ['conv2d" in verdict(nb02.q2, head(with_conv=True), capsys)[1]


# ---------------------------------------------------------------- every model checker's whole message


def _not_yet(exercise, answer, capsys, **context) -> str:
    ok, out = verdict(exercise, answer, capsys, **context)
    assert ok is False, out
    return out


def test_an_answer_that_breaks_the_checker_is_not_yet_and_says_what_was_asked(capsys):
    odd = exercises.Exercise("nb09.q1", "Give a number.", lambda answer: f"{int(answer)} is a number.", "hint")
    assert verdict(odd, "twelve", capsys) == (
        False,
        "Not yet: this answer could not be checked (ValueError: "
        "invalid literal for int() with base 10: 'twelve'). "
        "The exercise asks: Give a number.\n",
    )
    assert verdict(odd, "12", capsys) == (True, "Correct: 12 is a number.\n")


def test_nb00_whole_messages(capsys):
    model, base = transfer(5)
    assert _not_yet(nb00.q1, model, capsys, near_base=base) == (
        "Not yet: the frozen base is 'base', the one pretrained on the near source (the normal images). "
        "Pretrain a new small CNN on scramble(x_source) and use its layers up to 'features' as the base.\n"
    )
    model, base = transfer(5)
    assert _not_yet(nb00.q2, compiled(model, 1e-4), capsys) == (
        "Not yet: the base 'base' is still frozen: set `base.trainable = True` after the head is trained, "
        "then compile again.\n"
    )
    base.trainable = True
    model.layers[-1].trainable = False
    assert _not_yet(nb00.q2, compiled(model, 1e-4), capsys) == (
        "Not yet: the head is frozen: keep it trainable while you fine-tune.\n"
    )
    model.layers[-1].trainable = True
    assert _not_yet(nb00.q2, compiled(model, 1e-2), capsys) == (
        "Not yet: learning rate 0.01 is too high for fine-tuning: use at least 10x less than the head's 0.01, "
        "i.e. 0.001 or lower, so the pretrained features change only a little.\n"
    )
    model, base = transfer(5)
    base.trainable = True
    assert _not_yet(nb00.q2, model, capsys) == (
        "Not yet: the model is not compiled. Compile it (again) after changing `trainable`: "
        "`model.compile(optimizer=keras.optimizers.RMSprop(1e-5), ...)`.\n"
    )


def test_a_head_of_one_parameter_is_a_head_that_trains(capsys):
    base = keras.Sequential([keras.Input((4, 4, 1)), L.Conv2D(1, 3, use_bias=False)], name="base")
    base.trainable = False
    inputs = keras.Input((4, 4, 1))
    x = L.GlobalAveragePooling2D()(base(inputs, training=False))
    model = keras.Model(inputs, L.Dense(1, activation="softmax", use_bias=False)(x))
    assert verdict(nb02.q1, model, capsys, num_classes=1) == (
        True,
        "Correct: the base 'base' (9 parameters) is frozen and only the head's 1 parameters train; "
        "1 softmax outputs.\n",
    )


def test_the_output_must_be_one_vector_per_image(capsys):
    base = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3)], name="base")
    base.trainable = False
    inputs = keras.Input((8, 8, 3))
    maps = keras.Model(inputs, L.Dense(2, activation="softmax")(base(inputs, training=False)))  # (None, 6, 6, 2)
    assert _not_yet(nb02.q1, maps, capsys) == (
        "Not yet: the output has shape (None, 6, 6, 2): flatten the feature maps first with Flatten() or "
        "GlobalAveragePooling2D().\n"
    )


def test_a_last_layer_without_activation_is_named(capsys):
    model, _ = transfer(2, activation=None)
    ends_in_dropout = keras.Model(model.inputs, L.Dropout(0.5, name="drop")(model.outputs[0]))
    assert _not_yet(nb02.q1, ends_in_dropout, capsys) == (
        "Not yet: the last layer (drop) has activation None: use activation='softmax', so the outputs are "
        "class probabilities that sum to 1.\n"
    )


def test_nb02_q2_whole_messages(capsys):
    from test_exercises import head

    assert _not_yet(nb02.q2, head(dropout=False), capsys) == (
        "Not yet: no Dropout: a dense head on 2000 images overfits within a few epochs; add Dropout(0.5) "
        "before the last Dense layer.\n"
    )
    frozen = head()
    frozen.trainable = False
    assert _not_yet(nb02.q2, frozen, capsys) == "Not yet: the head has no trainable weights: it must train.\n"


def test_nb03_whole_messages(capsys):
    inputs = keras.Input((8, 8, 3))
    flat = keras.Model(inputs, L.Dense(2, activation="softmax")(L.Flatten()(L.Conv2D(2, 3)(inputs))))
    assert _not_yet(nb03.q1, flat, capsys) == (
        "Not yet: no VGG16 base found: the model has no layer 'block5_conv1' (nor a nested model with one). "
        "Build it with keras.applications.VGG16(include_top=False).\n"
    )
    assert _not_yet(nb03.q2, bn_model("frozen"), capsys) == (
        "Not yet: nothing in 'bn_base' trains: unfreeze its top layers (`base.trainable = True`, then freeze "
        "the lower ones).\n"
    )
    assert _not_yet(nb03.q2, bn_model("all"), capsys) == (
        "Not yet: the whole base 'bn_base' trains: with a small dataset unfreeze only the top layers; the "
        "lower ones hold generic edges and textures.\n"
    )


def test_nb03_q1_lists_four_layers_below_and_marks_more(vgg_model, capsys):
    four = fine_tune_vgg(vgg_model, trainable_prefixes=("block3_conv3", "block4", "block5"))
    assert _not_yet(nb03.q1, four, capsys) == (
        "Not yet: layers below block5 also train (block3_conv3, block4_conv1, block4_conv2, block4_conv3): "
        "freeze them with `for layer in base.layers: layer.trainable = layer.name.startswith('block5')`.\n"
    )
    five = fine_tune_vgg(vgg_model, trainable_prefixes=("block3_conv2", "block3_conv3", "block4", "block5"))
    assert "(block3_conv2, block3_conv3, block4_conv1, block4_conv2 ...): freeze" in _not_yet(nb03.q1, five, capsys)


def _block_with_bn(n_bn: int, n_training: int):
    """A base: a frozen low conv, a training top block `top_conv`, then n_bn BatchNormalization layers."""
    inputs = keras.Input((6, 6, 3))
    x = L.Conv2D(2, 1, name="low_conv")(inputs)
    x = L.Conv2D(2, 1, name="top_conv")(x)
    for i in range(n_bn):
        x = L.BatchNormalization(name=f"top_bn{i}")(x)
    base = keras.Model(inputs, x, name="net")
    for layer in base.layers:
        layer.trainable = layer.name == "top_conv" or (
            layer.name.startswith("top_bn") and int(layer.name[6:]) < n_training
        )
    return compiled(base, 1e-5)


@pytest.mark.parametrize("n, listed", [(3, "top_bn0, top_bn1, top_bn2"), (4, "top_bn0, top_bn1, top_bn2 ...")])
def test_nb03_q1_lists_three_training_batch_normalization_layers_and_marks_more(n, listed, capsys):
    assert _not_yet(nb03.q1, _block_with_bn(4, n), capsys, block="top") == (
        f"Not yet: BatchNormalization layers train ({listed}): keep them frozen (`trainable = False`), or "
        "small batches wreck their ImageNet statistics.\n"
    )
    assert verdict(nb03.q1, _block_with_bn(4, 0), capsys, block="top")[0] is True


def test_nb03_q2_the_base_is_the_largest_nested_model_and_its_own_nested_models_are_not_layers(capsys):
    def model():
        stem = keras.Sequential([keras.Input((6, 6, 3)), L.Conv2D(2, 1)], name="stem")
        stem.trainable = False
        inputs = keras.Input((6, 6, 3))
        x = stem(inputs)
        x = L.Conv2D(8, 1, name="mid")(x)
        x = L.BatchNormalization(name="bn")(x)
        x = L.Conv2D(8, 1, name="top")(x)
        big = keras.Model(inputs, x, name="big")
        big.get_layer("mid").trainable = False
        big.get_layer("bn").trainable = False
        small = keras.Sequential([keras.Input((6, 6, 8)), L.Conv2D(1, 1)], name="small")
        outer = keras.Input((6, 6, 3))
        return keras.Model(outer, L.Dense(2, activation="softmax")(L.Flatten()(small(big(outer)))))

    expected = (
        "Correct: the top 1 of 2 weight layers of 'big' train (from top); all 1 BatchNormalization "
        "layers stay frozen.\n"
    )
    assert verdict(nb03.q2, model(), capsys) == (True, expected)


def test_nb03_q2_all_but_the_lowest_layer_is_a_top_not_the_whole_base(capsys):
    inputs = keras.Input((6, 6, 3))
    x = inputs
    for i in range(3):
        x = L.Conv2D(2, 1, name=f"conv{i}")(x)
    base = keras.Model(inputs, x, name="three")
    base.get_layer("conv0").trainable = False
    assert verdict(nb03.q2, base, capsys) == (
        True,
        "Correct: the top 2 of 3 weight layers of 'three' train (from conv1); all 0 BatchNormalization "
        "layers stay frozen.\n",
    )


def test_on_a_small_test_set_two_images_are_noise(capsys):
    # 25 test images: one image is 0.04, so a gap of two images (0.08) is a tie, three are not
    passes(nb04.q1, results(0.88, 0.80, "tie"), capsys, n_test=25)
    passes(nb04.q1, results(0.88, 0.80, "fine_tuned"), capsys, n_test=25)
    fails(nb04.q1, results(0.88, 0.80, "tie"), capsys, "gap of 0.080", "(> 0.02)")  # without n_test: 0.02
    fails(nb04.q1, results(0.92, 0.80, "tie"), capsys, "(> 0.08, two of 25 test images)", "name the winner", n_test=25)
    passes(nb04.q1, results(0.81, 0.80, "tie"), capsys, n_test=1000)  # large test sets keep the 0.02 floor
    fails(nb04.q1, results(0.83, 0.80, "tie"), capsys, "(> 0.02)", n_test=1000)
