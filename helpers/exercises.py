"""Exercises with automatic feedback, in the manner of Kaggle's learntools.

In a notebook, each checked exercise has a cell with blanks to fill in::

    from helpers.exercises import nb02 as ex, ____
    other_model = ____     # the learner replaces the blank
    ex.q1.check()          # reads `other_model`; prints "Correct: ..." or what is wrong
    ex.q1.hint()           # a nudge
    ex.q1.solution()       # the solution code

``ex.q1.check(answer)`` checks an answer passed directly.

Checkers read only public Keras attributes (``model.layers``, ``layer.trainable``,
``model.output.shape``, ``model.trainable_weights``, ``model.optimizer.learning_rate``, ...).

>>> nb01.q1.check([("tabby", 0.6), ("tiger_cat", 0.25), ("Egyptian_cat", 0.1)])
Correct: three (label, probability) pairs, best first, probabilities in [0, 1] summing to 0.95.
True
>>> nb01.q1.check([("tabby", 0.1), ("tiger_cat", 0.25), ("Egyptian_cat", 0.6)])  # doctest: +NORMALIZE_WHITESPACE
Not yet: the list must be sorted best first, but 'tiger_cat' (0.25) comes after 'tabby' (0.1).
Sort with sorted(top3, key=lambda t: t[1], reverse=True).
False
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np


class Incorrect(Exception):
    """Raised by a checker: the message tells the learner what is wrong and how to fix it."""


def _require(condition, message: str) -> None:
    if not condition:
        raise Incorrect(message)


class Blank:
    """The blank ``____`` in an exercise cell: the learner replaces it with an answer."""

    def __repr__(self) -> str:
        return "____"


____ = Blank()
_UNSET = object()


def has_blank(answer) -> bool:
    """True when ``answer`` still holds a ``____`` blank (also inside a dict, list or tuple).

    >>> has_blank({"scratch": ____}), has_blank([0.5, 0.7])
    (True, False)
    """
    if isinstance(answer, Blank):
        return True
    if isinstance(answer, dict):
        return any(has_blank(v) for v in answer.values())
    if isinstance(answer, (list, tuple)):
        return any(has_blank(v) for v in answer)
    return False


@dataclass
class Exercise:
    """One exercise: ``check()`` gives feedback, ``hint()`` and ``solution()`` print help."""

    name: str
    question: str
    checker: Callable  # checker(answer, **context) -> success message; raises Incorrect
    hint_text: str
    variable: str = ""  # the learner's variable that check() reads, e.g. "far_transfer"
    # checker keyword -> how to read it from the notebook's variables, e.g. {"block": "TOP_BLOCK"}
    context: dict[str, str | Callable] = field(default_factory=dict)

    def _from_notebook(self, variables: dict, context: dict) -> object:
        """The learner's answer and the checker's context, read from the notebook's variables."""
        for key, source in self.context.items():
            if key not in context:
                try:
                    context[key] = source(variables) if callable(source) else variables[source]
                except (KeyError, TypeError):
                    pass  # the checker's default applies
        if self.variable not in variables:
            raise Incorrect(f"there is no variable `{self.variable}` yet: run the exercise's cell.")
        return variables[self.variable]

    def check(self, answer=_UNSET, **context) -> bool:
        """Print whether the answer is right (and if not, what is wrong); return True/False.

        Without ``answer``, read the learner's variable (``self.variable``) from the notebook.
        """
        try:
            if answer is _UNSET:
                answer = self._from_notebook(inspect.currentframe().f_back.f_globals, context)
            if has_blank(answer):
                raise Incorrect(
                    f"replace the blank(s) ____ in `{self.variable or 'your answer'}` with your answer, "
                    f"then run the cell again. The exercise asks: {self.question}"
                )
            message = self.checker(answer, **context)
        except Incorrect as wrong:
            print(f"Not yet: {wrong}")
            return False
        except Exception as e:  # an answer of an unexpected kind: say so kindly
            print(
                f"Not yet: this answer could not be checked ({type(e).__name__}: {e}). "
                f"The exercise asks: {self.question}"
            )
            return False
        print(f"Correct: {message}")
        return True

    def hint(self) -> None:
        """Print a hint."""
        print(f"Hint: {self.hint_text}")

    def solution_cells(self) -> list[str]:
        """The solution: the notebook's hidden cells (tagged ``solution``) that check this exercise.

        The notebook is the one source of each solution; nothing is copied here.
        """
        import json
        from pathlib import Path

        notebook_dir = Path(__file__).resolve().parents[1] / "notebooks"
        prefix, key = self.name.split(".")  # "nb02", "q1"
        notebook = next(nb for nb in NOTEBOOKS if nb.startswith(prefix[2:] + "_"))
        cells = json.loads((notebook_dir / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
        return [
            "".join(c["source"])
            for c in cells
            if "solution" in c.get("metadata", {}).get("tags", []) and f"ex.{key}.check(" in "".join(c["source"])
        ]

    def solution(self) -> None:
        """Print the solution code (read from the notebook's hidden solution cell)."""
        cells = self.solution_cells()
        print(
            "\n\n".join(cells)
            if cells
            else f"No solution cell found for {self.name}: look for the cells tagged 'solution'."
        )

    def __repr__(self) -> str:
        return f"<Exercise {self.name}: {self.question}>"


# ---------------------------------------------------------------- shared checks (public API only)


def _is_model(obj) -> bool:
    import keras

    return isinstance(obj, keras.Model)


def _require_model(answer, what: str = "your Keras model") -> None:
    _require(_is_model(answer), f"expected {what} (a keras.Model), got a {type(answer).__name__}.")


def _n_params(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _nested_base(model):
    """The nested pretrained base: the nested model with the most weights."""
    nested = [layer for layer in model.layers if _is_model(layer) and layer.weights]
    _require(
        nested,
        "the model has no nested base model. Build it by calling the base as one "
        "layer: `x = base(x, training=False)` (or `keras.Sequential([..., base, ...])`).",
    )
    return max(nested, key=lambda m: _n_params(m.weights))


def _activation_name(layer) -> str | None:
    """``"softmax"`` for ``Dense(..., activation="softmax")`` and for a ``keras.layers.Softmax()`` layer."""
    import keras

    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    return getattr(getattr(layer, "activation", None), "__name__", None)  # Dense and Activation alike


def _check_classifier_output(model, num_classes: int) -> None:
    shape = tuple(model.outputs[0].shape)
    _require(
        len(shape) == 2,
        f"the output has shape {shape}: flatten the feature maps first with Flatten() or GlobalAveragePooling2D().",
    )
    units = shape[-1]
    last = model.layers[-1]
    act = _activation_name(last)
    if units == 1 and num_classes == 2 and act == "sigmoid":
        raise Incorrect(
            "Dense(1, activation='sigmoid') can also classify two classes, but this "
            "course uses Dense(2, activation='softmax') with "
            "loss='sparse_categorical_crossentropy': change the last layer."
        )
    _require(
        units == num_classes,
        f"the model outputs {units} numbers per image, but there are {num_classes} classes: "
        f"end with Dense({num_classes}, activation='softmax').",
    )
    _require(
        act == "softmax",
        f"the last layer ({last.name}) has activation {act!r}: use activation='softmax', so "
        "the outputs are class probabilities that sum to 1.",
    )


def _learning_rate(model) -> float:
    optimizer = getattr(model, "optimizer", None)
    _require(
        optimizer is not None,
        "the model is not compiled. Compile it (again) after changing `trainable`: "
        "`model.compile(optimizer=keras.optimizers.RMSprop(1e-5), ...)`.",
    )
    return float(np.asarray(optimizer.learning_rate))


def _check_frozen_transfer(model, num_classes: int) -> str:
    _require_model(model)
    base = _nested_base(model)
    _require(
        not base.trainable,
        f"base.trainable is True for {base.name!r}: set `base.trainable = False` before "
        "compiling, or the random head's large gradients wreck the pretrained weights.",
    )
    others = [layer for layer in model.layers if _is_model(layer) and layer is not base and layer.trainable_weights]
    _require(
        not others,
        f"the nested model(s) {[m.name for m in others]} have trainable weights: only the new head should train.",
    )
    head = _n_params(model.trainable_weights)
    _require(
        head > 0,
        "nothing in the model is trainable: the new head must train "
        "(did you set `model.trainable = False` instead of `base.trainable = False`?).",
    )
    _check_classifier_output(model, num_classes)
    return (
        f"the base {base.name!r} ({_n_params(base.weights):,} parameters) is frozen and only "
        f"the head's {head:,} parameters train; {num_classes} softmax outputs."
    )


# ---------------------------------------------------------------- 00_concepts


def _check_00_q1(model, num_classes: int = 5, near_base=None):
    message = _check_frozen_transfer(model, num_classes)
    if near_base is not None:
        _require(
            _nested_base(model) is not near_base,
            f"the frozen base is {near_base.name!r}, the one pretrained on the near source "
            "(the normal images). Pretrain a new small CNN on scramble(x_source) and use "
            "its layers up to 'features' as the base.",
        )
    return message


def _check_00_q2(model, head_learning_rate: float = 1e-2):
    _require_model(model)
    base = _nested_base(model)
    _require(
        base.trainable and base.trainable_weights,
        f"the base {base.name!r} is still frozen: set `base.trainable = True` after the head "
        "is trained, then compile again.",
    )
    head = [layer for layer in model.layers if layer is not base and layer.trainable_weights]
    _require(head, "the head is frozen: keep it trainable while you fine-tune.")
    lr = _learning_rate(model)
    limit = head_learning_rate / 10
    _require(
        lr <= limit * (1 + 1e-6),
        f"learning rate {lr:g} is too high for fine-tuning: use at least 10x less than the "
        f"head's {head_learning_rate:g}, i.e. {limit:g} or lower, so the pretrained "
        "features change only a little.",
    )
    return (
        f"the base {base.name!r} trains too ({_n_params(base.trainable_weights):,} parameters) "
        f"with learning rate {lr:g}, at least 10x below the head's {head_learning_rate:g}."
    )


# ---------------------------------------------------------------- 01_xception_prediction


def _is_number(x) -> bool:
    return isinstance(x, (numbers.Real, np.floating, np.integer)) and not isinstance(x, bool)


def _check_01_q1(top3):
    _require(
        isinstance(top3, (list, tuple)),
        f"top3 should be a list of (label, probability) tuples, got a {type(top3).__name__}.",
    )
    _require(len(top3) == 3, f"top3 has {len(top3)} entries; keep the 3 most probable classes.")
    for i, item in enumerate(top3):
        _require(
            isinstance(item, (list, tuple)), f"entry {i} is a {type(item).__name__}, not a (label, probability) tuple."
        )
        if len(item) == 3:
            raise Incorrect(
                f"entry {i} has 3 parts {tuple(item)!r}: decode_predictions gives "
                "(class_id, label, probability); keep the last two: "
                "[(label, float(p)) for _, label, p in decoded[0]]."
            )
        _require(len(item) == 2, f"entry {i} has {len(item)} parts; it should be (label, probability).")
        label, p = item
        _require(isinstance(label, str), f"entry {i}: the label should be a string, got {label!r}.")
        _require(_is_number(p), f"entry {i}: the probability should be a number, got {p!r}.")
        if 1 < float(p) <= 100:
            raise Incorrect(
                f"entry {i}: {float(p):g} looks like a percentage; keep probabilities "
                "between 0 and 1 (format them with f'{p:.1%}' when printing)."
            )
        _require(0.0 <= float(p) <= 1.0, f"entry {i}: probability {float(p):g} is not in [0, 1].")
    probs = [float(p) for _, p in top3]
    for (a, pa), (b, pb) in zip(top3, top3[1:]):
        _require(
            float(pa) >= float(pb),
            f"the list must be sorted best first, but {b!r} ({float(pb):g}) comes after "
            f"{a!r} ({float(pa):g}). Sort with sorted(top3, key=lambda t: t[1], reverse=True).",
        )
    _require(
        sum(probs) <= 1.0 + 1e-4,
        f"the probabilities sum to {sum(probs):.3f} > 1: softmax outputs over 1000 classes sum "
        "to 1, so three of them cannot sum to more. Are they probabilities of one image?",
    )
    return f"three (label, probability) pairs, best first, probabilities in [0, 1] summing to {sum(probs):.2f}."


def _check_01_q2(x, size: int = 299):
    x = np.asarray(x)
    _require(x.dtype.kind in "fiu", f"expected an array of numbers, got dtype {x.dtype}.")
    if x.ndim == 3:
        raise Incorrect(
            f"shape {x.shape} has no batch axis: models take batches, so add one with "
            "x[None] or np.expand_dims(x, 0) -> (1, 299, 299, 3)."
        )
    _require(x.ndim == 4, f"expected 4 axes (batch, height, width, channels); got shape {x.shape}.")
    _require(x.shape[0] == 1, f"expected a batch of one image; got {x.shape[0]} images.")
    _require(
        x.shape[-1] == 3,
        f"expected 3 colour channels (RGB) last; got shape {x.shape}. "
        "Load with keras.utils.load_img(path, color_mode='rgb').",
    )
    _require(
        x.shape[1:3] == (size, size),
        f"the image is {x.shape[1]}x{x.shape[2]}; Xception was trained on {size}x{size}: "
        f"crop the centre square and resize it, e.g. keras.ops.image.resize(img, "
        f"({size}, {size}), crop_to_aspect_ratio=True) (the notebook's `resize`).",
    )
    x = x.astype("float64")
    lo, hi = float(x.min()), float(x.max())
    _require(hi > lo, "every value is the same: is the image blank?")
    if lo < -1.5:
        raise Incorrect(
            f"values go down to {lo:.1f}: that is VGG16/ResNet-style preprocessing "
            "(BGR, mean subtracted). Xception needs "
            "keras.applications.xception.preprocess_input (scales to [-1, 1])."
        )
    if hi > 1.0 + 1e-3:
        raise Incorrect(
            f"values go up to {hi:.0f}: these are raw pixels. Apply "
            "keras.applications.xception.preprocess_input to scale them to [-1, 1]."
        )
    if lo < -1.0 - 1e-3 or hi - lo < 0.1:
        raise Incorrect(
            f"values lie in [{lo:.3f}, {hi:.3f}], squeezed near -1: "
            "preprocess_input was probably applied twice (it is not idempotent)."
        )
    if lo >= 0.0:
        raise Incorrect(
            f"values lie in [{lo:.2f}, {hi:.2f}]: that looks like x / 255. Xception "
            "expects [-1, 1]: use keras.applications.xception.preprocess_input on the "
            "raw 0-255 pixels instead."
        )
    return f"shape {x.shape}, values in [{lo:.2f}, {hi:.2f}]: what Xception expects."


# ---------------------------------------------------------------- 02_vgg16_feature_extraction


def _check_02_q1(model, num_classes: int = 2):
    return _check_frozen_transfer(model, num_classes)


def _check_02_q2(head, feature_shape=None, num_classes: int = 2):
    import keras

    _require_model(head, "your head")
    convs = [layer.name for layer in head.layers if _is_model(layer) or isinstance(layer, keras.layers.Conv2D)]
    _require(
        not convs,
        f"the head contains {convs}: the features were already computed once by "
        "the frozen base, so the head holds only Flatten/Dense/Dropout layers.",
    )
    got = tuple(head.inputs[0].shape[1:])
    if feature_shape is not None:
        want = tuple(int(d) for d in feature_shape)
        _require(
            got == want,
            f"the head takes inputs of shape {got}, but the cached features have "
            f"shape {want}: use keras.Input(shape=conv_base.output.shape[1:]).",
        )
    _require(
        any(isinstance(layer, keras.layers.Dropout) for layer in head.layers),
        "no Dropout: a dense head on 2000 images overfits within a few epochs; add "
        "Dropout(0.5) before the last Dense layer.",
    )
    _require(head.trainable_weights, "the head has no trainable weights: it must train.")
    _check_classifier_output(head, num_classes)
    return (
        f"a head for features of shape {got} with {_n_params(head.trainable_weights):,} "
        f"trainable parameters, Dropout and {num_classes} softmax outputs."
    )


# ---------------------------------------------------------------- 03_fine_tuning


def _block_base(model, block: str):
    """The model (or nested model) whose layers include ``<block>_...`` (VGG16: block5_conv1)."""

    def has_block(m):
        return any(inner.name.startswith(block + "_") for inner in m.layers)

    if has_block(model):
        return model
    for layer in model.layers:
        if _is_model(layer) and has_block(layer):
            return layer
    if block == "block5":
        raise Incorrect(
            "no VGG16 base found: the model has no layer 'block5_conv1' (nor a nested "
            "model with one). Build it with keras.applications.VGG16(include_top=False)."
        )
    raise Incorrect(
        f"no base with a block {block!r}: no layer of the model (nor of a nested model) "
        f"is named {block}_...; is `block` the top block of this model's base?"
    )


def _check_03_q1(model, max_learning_rate: float = 1e-4, block: str = "block5"):
    import keras

    _require_model(model)
    base = _block_base(model, block)
    weighted = [layer for layer in base.layers if layer.weights]
    is_bn = [isinstance(layer, keras.layers.BatchNormalization) for layer in weighted]
    wanted = [layer.name for layer, bn in zip(weighted, is_bn) if layer.name.startswith(block + "_") and not bn]
    training = [layer.name for layer, bn in zip(weighted, is_bn) if layer.trainable_weights and not bn]
    bn_training = [layer.name for layer, bn in zip(weighted, is_bn) if bn and layer.trainable]
    _require(
        training,
        f"nothing in {base.name!r} trains: set `base.trainable = True`, then freeze every layer below {block}.",
    )
    below = [n for n in training if n not in wanted]
    _require(
        not below,
        f"layers below {block} also train ({', '.join(below[:4])}"
        f"{' ...' if len(below) > 4 else ''}): freeze them with "
        f"`for layer in base.layers: layer.trainable = layer.name.startswith('{block}')`.",
    )
    missing = [n for n in wanted if n not in training]
    _require(not missing, f"{', '.join(missing)} still frozen: all of {block}'s layers should train.")
    _require(
        not bn_training,
        f"BatchNormalization layers train ({', '.join(bn_training[:3])}"
        f"{' ...' if len(bn_training) > 3 else ''}): keep them frozen (`trainable = False`), or "
        "small batches wreck their ImageNet statistics.",
    )
    if base is not model:
        head = [layer for layer in model.layers if layer is not base and layer.trainable_weights]
        _require(head, f"the head is frozen: it must keep training while {block} is fine-tuned.")
    lr = _learning_rate(model)
    _require(
        lr <= max_learning_rate * (1 + 1e-6),
        f"learning rate {lr:g} is too high for fine-tuning: large updates wreck the pretrained "
        f"{block} features. Use {max_learning_rate:g} or lower (Chollet uses RMSprop(1e-5)).",
    )
    return (
        f"only {block} of {base.name!r} trains ({_n_params(base.trainable_weights):,} "
        f"parameters) with learning rate {lr:g}."
    )


def _check_03_q2(model):
    import keras

    _require_model(model)
    bases = [layer for layer in model.layers if _is_model(layer) and layer.weights]
    base = max(bases, key=lambda m: _n_params(m.weights)) if bases else model
    weighted = [layer for layer in base.layers if layer.weights and not _is_model(layer)]
    bn = [layer for layer in weighted if isinstance(layer, keras.layers.BatchNormalization)]
    others = [layer for layer in weighted if not isinstance(layer, keras.layers.BatchNormalization)]
    training = [layer for layer in others if layer.trainable_weights]
    _require(
        training,
        f"nothing in {base.name!r} trains: unfreeze its top layers "
        "(`base.trainable = True`, then freeze the lower ones).",
    )
    bn_training = [layer.name for layer in bn if layer.trainable]
    _require(
        not bn_training,
        f"BatchNormalization layers train ({', '.join(bn_training[:3])}"
        f"{' ...' if len(bn_training) > 3 else ''}): keep them frozen, or small batches wreck "
        "their statistics. helpers.models.unfreeze_top does this for you.",
    )
    first = others.index(training[0])
    frozen_above = [layer.name for layer in others[first:] if not layer.trainable_weights]
    if frozen_above:
        raise Incorrect(
            f"{frozen_above[0]} is frozen although {training[0].name}, below it, "
            "trains: unfreeze one block at the top of the network, from some layer "
            "upwards."
        )
    _require(
        first > 0,
        f"the whole base {base.name!r} trains: with a small dataset unfreeze only "
        "the top layers; the lower ones hold generic edges and textures.",
    )
    return (
        f"the top {len(training)} of {len(others)} weight layers of {base.name!r} train "
        f"(from {training[0].name}); all {len(bn)} BatchNormalization layers stay frozen."
    )


# ---------------------------------------------------------------- 04_scratch_vs_transfer

TIE = 0.02  # accuracy differences up to this size are noise even on a thousand test images


def noise_margin(n_test: int | None) -> float:
    """The largest accuracy gap that is noise: two test images, or :data:`TIE`, whichever is larger.

    >>> noise_margin(25), noise_margin(1000)
    (0.08, 0.02)
    """
    return max(TIE, 2 / n_test) if n_test else TIE


def _accuracy(results: dict, key: str) -> float:
    _require(key in results, f"results has no {key!r} entry; expected keys 'fine_tuned', 'scratch' and 'conclusion'.")
    value = results[key]
    _require(_is_number(value), f"results[{key!r}] should be a number (an accuracy), got {value!r}.")
    if 1 < float(value) <= 100:
        raise Incorrect(
            f"results[{key!r}] = {float(value):g} looks like a percentage; use a "
            "fraction in [0, 1] (what model.evaluate returns)."
        )
    _require(0.0 <= float(value) <= 1.0, f"results[{key!r}] = {float(value):g} is not in [0, 1].")
    return float(value)


def _claim(conclusion: str) -> str | None:
    words = conclusion.strip().lower().replace("-", "_").replace(" ", "_")
    for claim, starts in (
        ("fine_tuned", ("fine_tuned", "finetuned", "transfer", "pretrained")),
        ("scratch", ("scratch",)),
        ("tie", ("tie", "same", "equal", "no_diff")),
    ):
        if words.startswith(starts):
            return claim
    return None


def _check_04_q1(results, n_test: int | None = None):
    _require(isinstance(results, dict), f"results should be a dict, got a {type(results).__name__}.")
    fine, scratch = _accuracy(results, "fine_tuned"), _accuracy(results, "scratch")
    conclusion = results.get("conclusion")
    _require(
        isinstance(conclusion, str) and conclusion.strip(),
        "results['conclusion'] should be a sentence that starts with the winner: "
        "'fine_tuned ...', 'scratch ...' or 'tie ...'.",
    )
    claim = _claim(conclusion)
    _require(
        claim is not None,
        f"start the conclusion with the winner, 'fine_tuned', 'scratch' or "
        f"'tie'; it starts with {conclusion.split()[0]!r}.",
    )
    gap = fine - scratch
    winner = "fine_tuned" if gap > 0 else "scratch" if gap < 0 else "tie"
    margin = noise_margin(n_test)
    if abs(gap) <= margin:
        _require(
            claim in ("tie", winner),
            f"the conclusion names {claim}, but "
            + (
                f"{winner} scored higher ({fine:.3f} vs {scratch:.3f}); with a gap of {abs(gap):.3f} 'tie' is fair too."
                if winner != "tie"
                else f"both scored {fine:.3f}: call it a 'tie'."
            ),
        )
    else:
        _require(
            claim != "tie",
            f"a gap of {abs(gap):.3f} ({fine:.3f} vs {scratch:.3f}) is more "
            f"than noise (> {margin:g}"
            + (f", two of {n_test} test images" if margin > TIE else "")
            + f"): name the winner, {winner}.",
        )
        _require(
            claim == winner,
            f"the conclusion names {claim}, but the numbers say {winner} "
            f"wins: fine_tuned {fine:.3f} vs scratch {scratch:.3f}.",
        )
    return f"fine_tuned {fine:.3f} vs scratch {scratch:.3f}, and the conclusion ({claim}) agrees."


def _check_04_q2(curve):
    _require(isinstance(curve, dict), f"curve should be a dict, got a {type(curve).__name__}.")
    for key in ("labels_per_class", "transfer", "scratch", "crossover"):
        _require(
            key in curve,
            f"curve has no {key!r} entry; expected 'labels_per_class', 'transfer', 'scratch' and 'crossover'.",
        )
    sizes, transfer, scratch = (list(curve[k]) for k in ("labels_per_class", "transfer", "scratch"))
    _require(len(sizes) >= 2, "measure at least two dataset sizes to draw a curve.")
    _require(
        len(transfer) == len(scratch) == len(sizes),
        f"{len(sizes)} sizes but {len(transfer)} transfer and {len(scratch)} scratch accuracies: one of each per size.",
    )
    _require(all(int(a) < int(b) for a, b in zip(sizes, sizes[1:])), f"labels_per_class should increase: {sizes}.")
    for name, accs in (("transfer", transfer), ("scratch", scratch)):
        bad = [a for a in accs if not _is_number(a) or not 0.0 <= float(a) <= 1.0]
        _require(not bad, f"{name} accuracies must be fractions in [0, 1]; got {bad[:3]}.")
    expected = next((n for n, t, s in zip(sizes, transfer, scratch) if float(s) >= float(t)), None)
    got = curve["crossover"]
    _require(
        got == expected,
        f"crossover is {got!r}, but the first size where scratch is at least as good as "
        f"transfer is {expected!r}" + (" (transfer wins at every size, so None)." if expected is None else "."),
    )
    return f"{len(sizes)} sizes; " + (
        f"scratch catches up at {expected} labels per class."
        if expected is not None
        else "transfer wins at every size measured."
    )


# ---------------------------------------------------------------- reasoning questions (one letter)


def _choice(right: str, feedback: dict[str, str]) -> Callable:
    """A checker for a reasoning question: ``feedback`` maps each letter to why it is right or wrong.

    >>> check = _choice("b", {"a": "No: a.", "b": "b it is."})
    >>> check(" B ")
    '(b) b it is.'
    """

    def checker(answer) -> str:
        _require(
            isinstance(answer, str) and answer.strip().lower() in feedback,
            f"answer with one letter in quotes: {', '.join(repr(k) for k in feedback)}.",
        )
        letter = answer.strip().lower()
        _require(letter == right, f"({letter}) {feedback[letter]}")
        return f"({right}) {feedback[right]}"

    return checker


# ---------------------------------------------------------------- the exercises, per notebook


nb00 = SimpleNamespace(
    q1=Exercise(
        "nb00.q1",
        "Domain gap: build `far_transfer`, a base pretrained on a far domain (the source images "
        "with scrambled pixels), frozen, plus a new Dense head for the 5 target classes.",
        _check_00_q1,
        "Train small_cnn on (scramble(x_source), y_source); far_base = keras.Model(its input, "
        "its layer 'features' output); far_base.trainable = False; then keras.Sequential("
        "[keras.Input((28, 28, 1)), far_base, keras.layers.Dense(5, activation='softmax')]).",
        variable="far_transfer",
        context={"near_base": "base"},
    ),
    q2=Exercise(
        "nb00.q2",
        "Fine-tune: after training the head of `fine_tuned = transfer_model()`, unfreeze the base and "
        "recompile with a learning rate at least 10x lower than the head's 1e-2.",
        _check_00_q2,
        "`base.trainable = True`, then `fine_tuned.compile(optimizer=keras.optimizers.Adam(1e-3), ...)` "
        "or lower. Compile after changing `trainable`.",
        variable="fine_tuned",
    ),
    q3=Exercise(
        "nb00.q3",
        "Reasoning: a clinic has 300 labelled chest X-rays and an ImageNet-pretrained base. What should "
        "it do first? Set `choice` to 'a', 'b', 'c' or 'd'.",
        _choice(
            "c",
            {
                "a": "X-rays are far from ImageNet, but a domain gap shrinks the gain, it does not "
                "remove it for sure; with 300 labels, training from scratch is the risky choice. Measure.",
                "b": "far from ImageNet the gain can vanish; without a model trained from scratch on the "
                "same split you cannot tell whether pretraining helped.",
                "c": "start from what transfers, adapt it gently, and measure it against a model "
                "trained from scratch on the same split.",
                "d": "a new head starts random: its large gradients would flow into the whole base and "
                "wreck the pretrained features. Train the head first, then unfreeze with a 10-100x lower "
                "learning rate.",
            },
        ),
        "The notebook's lesson: the gain shrinks with the domain gap, so measure; and the stages: head "
        "first, then fine-tune gently.",
        variable="choice",
    ),
)

nb01 = SimpleNamespace(
    q1=Exercise(
        "nb01.q1",
        "Classify a new image: make `top3`, a list of the 3 best (label, probability) tuples, best "
        "first. Needs the ImageNet classifier top (online).",
        _check_01_q1,
        "decode_predictions(preds, top=3)[0] gives (class_id, label, probability) triples, best first.",
        variable="top3",
    ),
    q2=Exercise(
        "nb01.q2",
        "Check an input for Xception: `x_mine`, one image as an array of shape (1, 299, 299, 3) with "
        "values in [-1, 1].",
        _check_01_q2,
        "load_photo(path) keeps the photo's own size; resize(img) crops the centre square to "
        "299x299; add a batch axis with [None]; then keras.applications.xception.preprocess_input "
        "(once).",
        variable="x_mine",
    ),
    q3=Exercise(
        "nb01.q3",
        "Reasoning: you feed Xception a photo preprocessed with keras.applications.vgg16.preprocess_input "
        "instead of Xception's own. What happens? Set `choice` to 'a', 'b', 'c' or 'd'.",
        _choice(
            "b",
            {
                "a": "nothing in Keras checks the value range: any float array of the right shape runs.",
                "b": "the model runs and returns predictions that look as confident as ever, and "
                "nothing warns you; only a measurement (or wrong labels) shows it.",
                "c": "batch normalization uses the statistics it learned on correctly preprocessed "
                "images; it does not re-scale whatever comes in.",
                "d": "keras.applications models do not preprocess their input (preprocess_input is a "
                "separate function you call); only the image size is fixed.",
            },
        ),
        "Look at the notebook's 'wrong preprocessing' measurement: what moved, and what complained?",
        variable="choice",
    ),
)

nb02 = SimpleNamespace(
    q1=Exercise(
        "nb02.q1",
        "Another backbone: build `other_model`, method B on the other base (frozen, called with "
        "training=False) with a new classifier head for the 2 classes.",
        _check_02_q1,
        "Set `other_base.trainable = False` (that is what freezes it, BatchNormalization "
        "included); call it as `other_base(x, training=False)`, the Keras guides' idiom; end with "
        "Dense(2, activation='softmax'), as method B's model above.",
        variable="other_model",
    ),
    q2=Exercise(
        "nb02.q2",
        "Chollet's head: build `chollet_head`, Flatten + Dense(256) + Dropout + softmax, for the "
        "cached features (FEATURE_SHAPE).",
        _check_02_q2,
        "keras.Input(shape=FEATURE_SHAPE), Flatten, Dense(256, 'relu'), Dropout(0.5), "
        "Dense(2, 'softmax'); helpers.models.dense_head builds the same.",
        variable="chollet_head",
        context={"feature_shape": "FEATURE_SHAPE"},
    ),
    q3=Exercise(
        "nb02.q3",
        "Reasoning: why can method A (features computed once, then cached) not use data augmentation "
        "as it is written? Set `choice` to 'a', 'b', 'c' or 'd'.",
        _choice(
            "b",
            {
                "a": "augmentation layers work in any model, Sequential or functional, and in tf.data.",
                "b": "each augmented view of an image needs its own pass through the conv base; method A "
                "paid for one pass per image, method B pays for one per image per epoch.",
                "c": "the dtype of the features has nothing to do with it; flipping works on any array.",
                "d": "the features of a flipped or rotated image are not the flipped or rotated features: "
                "augmentation has to happen before the conv base.",
            },
        ),
        "What does the conv base see in method A, and how often?",
        variable="choice",
    ),
)

nb03 = SimpleNamespace(
    q1=Exercise(
        "nb03.q1",
        "Fine-tune by hand: `by_hand`, the model back at its trained head with only the top block of the "
        "base unfrozen (VGG16: block5's three convolutions; Xception: block14, its BatchNormalization "
        "layers kept frozen), recompiled with a learning rate of at most 1e-4.",
        _check_03_q1,
        "`base.trainable = True`, then for each layer of the base `layer.trainable = "
        "layer.name.startswith(TOP_BLOCK) and not isinstance(layer, keras.layers.BatchNormalization)`; "
        "recompile (RMSprop(1e-5)).",
        variable="by_hand",
        context={"block": "TOP_BLOCK"},
    ),
    q2=Exercise(
        "nb03.q2",
        "Fine-tune a base with BatchNormalization (MobileNetV2): `bn_model`, with the top layers of its "
        "base unfrozen but every BatchNormalization layer frozen.",
        _check_03_q2,
        "Unfreeze from one layer upwards and skip BatchNormalization (`layer.trainable = False` "
        "on each BN layer: in Keras 3, calling the base with training=False does not keep a "
        "trainable BN layer's statistics): helpers.models.unfreeze_top(base, first_trainable) "
        "does exactly that.",
        variable="bn_model",
    ),
    q3=Exercise(
        "nb03.q3",
        "Reasoning: with about 2000 training images, why unfreeze only the top block and not the whole "
        "base? Set `choice` to 'a', 'b', 'c' or 'd'.",
        _choice(
            "b",
            {
                "a": "Keras trains any set of layers you make trainable, the whole base included.",
                "b": "the lower blocks compute edges and textures that fit almost any photo; unfreezing "
                "them adds millions of weights that 2000 images can overfit, for little gain.",
                "c": "every block of the base has pretrained weights, the top block included.",
                "d": "all unfrozen layers train in the same steps; none finishes first.",
            },
        ),
        "Which layers are generic, which are specific to ImageNet's classes, and how many weights would "
        "2000 images have to adjust?",
        variable="choice",
    ),
)

nb04 = SimpleNamespace(
    q1=Exercise(
        "nb04.q1",
        "Compare: answer = {'fine_tuned': accuracy, 'scratch': accuracy, 'conclusion': a sentence "
        "that starts with the winner ('fine_tuned', 'scratch' or 'tie')}.",
        _check_04_q1,
        "Take the test accuracies from the comparison: results['fine-tuned']['test_acc'] and "
        "results['from scratch']['test_acc']; a gap of at most two test images (2 / n_test) or 0.02, "
        "whichever is larger, is noise: call it 'tie'.",
        variable="answer",
        context={"n_test": lambda variables: len(variables["test_labels"])},
    ),
    q2=Exercise(
        "nb04.q2",
        "Learning curve: curve_answer = {'labels_per_class': [...], 'transfer': [...], 'scratch': [...], "
        "'crossover': the first size where scratch is at least as good as transfer, or None}.",
        _check_04_q2,
        "Compare the two lists size by size; `next((n for n, t, s in zip(...) if s >= t), None)`.",
        variable="curve_answer",
    ),
    q3=Exercise(
        "nb04.q3",
        "Reasoning: on Fashion-MNIST, transfer gained less over training from scratch than on the photos. "
        "Which explanation fits? Set `choice` to 'a', 'b', 'c' or 'd'.",
        _choice(
            "b",
            {
                "a": "Xception is one of the larger bases; its size is not what limits it here.",
                "b": "the domain gap: 28-pixel grayscale clothing, upsampled, shares less with ImageNet's "
                "photos, so frozen ImageNet features fit it less well, while a small CNN learns the "
                "target's own features.",
                "c": "Fashion-MNIST has 10 classes, more than the photos' 2; fewer classes would not "
                "explain a smaller gain anyway.",
                "d": "both were trained on the same images with the same budget, by design.",
            },
        ),
        "What differs between the two datasets, and what did the frozen base learn from?",
        variable="choice",
    ),
)

NOTEBOOKS = {
    "00_concepts": nb00,
    "01_xception_prediction": nb01,
    "02_vgg16_feature_extraction": nb02,
    "03_fine_tuning": nb03,
    "04_scratch_vs_transfer": nb04,
}


def all_exercises() -> list[Exercise]:
    """Every exercise of the course, in order.

    >>> [e.name for e in all_exercises()][:3]
    ['nb00.q1', 'nb00.q2', 'nb00.q3']
    """
    return [q for ns in NOTEBOOKS.values() for q in vars(ns).values()]
