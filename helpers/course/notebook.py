"""What every notebook does first: one setup call (parameters, seeds, mode, assets and their labels).

Parameter checks live in :mod:`helpers.course.params`.

>>> quick_mode(True)
True
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

QUICK_ENV = "COURSE_QUICK"  # `make run`, `make test` and CI set COURSE_QUICK=1


def quick_mode(quick: bool | None) -> bool:
    """The notebook's mode: ``QUICK`` from the parameters cell, or, when it is None, the environment.

    >>> quick_mode(True), quick_mode(False)
    (True, False)
    """
    if quick is None:
        return os.environ.get(QUICK_ENV, "0") == "1"
    if not isinstance(quick, bool):
        raise TypeError(f"QUICK = {quick!r} must be True, False or None (set it in the parameters cell)")
    return quick


def start(notebook: str, *, quick: bool, seed: int) -> None:
    """Fix every random seed, forget the notebook's old metrics, and say which mode runs.

    Example: ``start("00_concepts", quick=True, seed=42)``
    QUICK mode (small data, few epochs: for CI and a first look) | seed 42
    """
    import keras

    from . import metrics
    from .params import check_int

    check_int("SEED", seed, low=0)
    keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow in one call
    # Keras 3 warns on every fit() with a tf.data.Dataset that its default shuffle=True is ignored;
    # the course shuffles in the pipeline (`.shuffle(...)`), as the warning asks, so it is noise here.
    warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed", category=UserWarning)
    # `predict` per batch (Chollet's feature loop) traces once per batch shape; TensorFlow then warns
    # about "retracing", which is expected here and says nothing the learner can act on.
    logging.getLogger("tensorflow").addFilter(
        lambda record: "triggered tf.function retracing" not in record.getMessage()
    )
    metrics.reset(notebook)
    metrics.record(notebook, quick=bool(quick), seed=seed, standins=[])
    mode = "QUICK mode (small data, few epochs: for CI and a first look)" if quick else "FULL mode (the real course)"
    print(f"{mode} | seed {seed} | Keras {keras.__version__}")


# ---------------------------------------------------------------- one setup call

# What each notebook needs; setup() resolves each, printing a stand-in's label once.
NEEDS = {
    "00_concepts": ("fashion",),
    "01_xception_prediction": ("imagenet_classifier",),
    "02_vgg16_feature_extraction": ("photos", "base"),
    "03_fine_tuning": ("photos", "base", "hub"),
    "04_scratch_vs_transfer": ("photos", "base", "fashion"),
}
BASES = ("vgg16", "xception")  # the course's base, and the one whose real ImageNet weights ship offline
SAVED_MODEL = "02_transfer"  # notebook 02's model, which notebook 03 continues from
# What setup() records, next to the resolved parameters (lower case): facts of the base and of the data.
BASE_KEYS = ("backbone", "real_weights", "weights_source", "representative")
DATA_KEYS = ("counts", "class_names", "majority_by_split", "majority_baseline")


@dataclass
class Course:
    """What :func:`setup` resolved for one notebook: its mode, data folder, base and weights."""

    notebook: str
    quick: bool
    data: Path | None = None  # train/, validation/, test/: one sub-folder per class
    counts: dict = field(default_factory=dict)  # images per class, per split
    backbone: str | None = None
    weights: str | None = None  # what to pass as weights=: "imagenet", a weights file, or None
    weights_source: str = ""  # "cache" (Keras's own file) or "stand-in"
    hub: str | None = None  # the TF-Hub module's folder
    fashion: tuple | None = None  # Fashion-MNIST: ((train images, labels), (test images, labels))
    xception_weights: str | None = None  # Xception's weights= (for Fashion-MNIST in notebook 04)
    can_predict: bool = False  # notebook 01: the ImageNet classifier top and the class names are here
    standins: list = field(default_factory=list)

    @property
    def weights_label(self) -> str:
        """``"imagenet (cache)"``, ``"imagenet (stand-in)"`` or ``"random"``."""
        return "random" if self.weights is None else f"imagenet ({self.weights_source})"

    @property
    def class_names(self) -> list[str]:
        return sorted(self.counts.get("train", {}))

    def settings(self, image_size: int) -> dict:
        """What a saved model was made for: notebook 03 reuses notebook 02's model only if these match."""
        data = "cats_and_dogs_filtered" + (" (stand-in)" if "cats_and_dogs_filtered" in self.standins else "")
        return {
            "quick": self.quick,
            "backbone": self.backbone,
            "weights": self.weights_label,
            "image_size": image_size,
            "class_names": self.class_names,
            "dataset": data,
        }

    @property
    def model_path(self) -> Path:
        """Where notebook 02 saves its model and notebook 03 looks for it: ``build/models/02_transfer.keras``."""
        from .runner import BUILD

        path = BUILD / "models" / f"{SAVED_MODEL}.keras"
        path.parent.mkdir(parents=True, exist_ok=True)  # model.save() does not create folders
        return path

    def record(self, **values) -> dict:
        """Record results in the notebook's metrics (``build/metrics/<notebook>.json``)."""
        from . import metrics

        return metrics.record(self.notebook, **values)

    def bn_study(self) -> str:
        """What ``make verify`` measured about BatchNormalization while fine-tuning, when it has run here."""
        from . import metrics, verify

        study = metrics.load("offline_transfer")
        return verify.bn_sentence(study) if study.get("bn_seeds") else "not measured here yet: run `make verify`"

    def save_record(self, model, history) -> None:
        """Write what the saved model was made for, and its history, next to :attr:`model_path`.

        Example: ``model.save(course.model_path); course.save_record(model, history)``
        """
        import json

        from .runner import ROOT

        def shown(p: Path) -> str:  # relative to the project when it is inside it (not in a rehearsal)
            return str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)

        path = self.model_path.with_suffix(".json")
        record = {**self.settings(int(model.input_shape[1])), "notebook": self.notebook}
        record["history"] = {k: [float(v) for v in values] for k, values in history.history.items()}
        path.write_text(json.dumps(record, indent=1))
        size = self.model_path.stat().st_size / 1e6
        print(f"saved {shown(self.model_path)} ({size:.0f} MB) and its record {path.name}")
        self.record(model_path=shown(self.model_path), record_path=shown(path))

    def load_model(self, image_size: int):
        """``(model, history, why)``: the saved model if it was made for these settings, else ``(None, None, why)``.

        Example: ``model, history, why = course.load_model(IMAGE_SIZE)``
        """
        return load_saved_model(self.model_path, self.settings(image_size))


def load_saved_model(path: Path, expected: dict):
    """A saved model and its training history if its record matches ``expected``, else ``(None, None, why)``."""
    import json

    import keras

    record_path = path.with_suffix(".json")
    if not path.is_file() or not record_path.is_file():
        return None, None, f"{path.name} or its record {record_path.name} is not there (run notebook 02 first)"
    record = json.loads(record_path.read_text())
    different = [f"{k} {record.get(k)!r} there, {v!r} here" for k, v in expected.items() if record.get(k) != v]
    if different:
        return None, None, f"{path.name} was made for other settings: {'; '.join(different)}"
    try:
        saved = keras.saving.load_model(path)
    except Exception as err:  # a file from another Keras version, or half-written
        return None, None, f"{path.name} does not load ({type(err).__name__}: {str(err)[:120]})"
    size, n = expected["image_size"], len(expected["class_names"])
    layers = [layer.name for layer in saved.layers]
    if (
        tuple(saved.input_shape[1:]) != (size, size, 3)
        or saved.output_shape[-1] != n
        or expected["backbone"] not in layers
    ):
        return None, None, f"{path.name} does not match its record (another run overwrote one of them?)"
    return saved, record["history"], f"loaded {path.name}: made by notebook 02 for these settings"


def _keras_value(choice) -> str | None:
    """``"imagenet"`` when Keras itself would find the real file in its cache, else the file's path (or None)."""
    from . import assets

    if choice.source != "cache" or os.environ.get(assets.MANIFEST_ENV):  # a rehearsal's twin is not Keras's file
        return choice.value
    path = Path(choice.value)
    keras_models = assets.keras_home() / "models"
    return "imagenet" if path.parent == keras_models and os.access(keras_models, os.W_OK) else choice.value


def _base(course: Course, namespace: dict) -> None:
    """Resolve ``BACKBONE`` (None: VGG16 when its ImageNet weights are here, else Xception) and its weights."""
    from helpers.models import imagenet_weights

    from .params import check_int

    asked = namespace.get("BACKBONE")
    if asked not in (None, *BASES):
        raise ValueError(f"BACKBONE = {asked!r}: use one of {list(BASES)} or None (set it in the parameters cell)")
    vgg16 = imagenet_weights("vgg16")
    backbone = asked or ("vgg16" if vgg16.source == "cache" else "xception")
    choice = _use(course, vgg16 if backbone == "vgg16" else imagenet_weights("xception"))
    if backbone == "xception":
        check_int("IMAGE_SIZE", namespace["IMAGE_SIZE"], low=71)  # Xception's smallest input
        why = "asked for" if asked else "VGG16's ImageNet weights are not here; random weights transfer nothing"
        print(f"*** XCEPTION STANDS IN FOR VGG16 ({why}): same recipe, its own preprocess_input. ***")
    course.backbone = namespace["BACKBONE"] = backbone
    course.weights = _keras_value(choice)
    course.weights_source = choice.source


def _use(course: Course, choice):
    """Print an asset choice (its stand-in label, if any); remember and record a stand-in once."""
    from . import metrics

    print(choice)
    if choice.is_standin and choice.what not in course.standins:
        course.standins.append(choice.what)
        metrics.record(course.notebook, standins=sorted(course.standins))
    return choice


def _fashion(course: Course) -> None:
    """Fashion-MNIST, and (when the base is not Xception already) Xception's weights for it."""
    from helpers import data
    from helpers.models import imagenet_weights

    fashion = _use(course, data.fashion_mnist())
    if fashion.value is None:
        raise RuntimeError(f"no Fashion-MNIST to work with: {fashion.note}")
    course.fashion = fashion.value
    if course.backbone == "xception":  # resolved, and labelled, with the base
        course.xception_weights = course.weights
    elif course.backbone:
        course.xception_weights = _keras_value(_use(course, imagenet_weights("xception")))


def _imagenet_classifier(course: Course) -> None:
    """Xception with its ImageNet classifier top and the class names; offline, its conv base only."""
    from helpers.models import imagenet_class_index, imagenet_weights

    course.backbone = "xception"
    top = _use(course, imagenet_weights("xception", include_top=True))
    names = _use(course, imagenet_class_index())
    course.can_predict = top.value is not None and names.value is not None
    if course.can_predict:
        course.weights, course.weights_source = _keras_value(top), top.source
        return
    print(
        "OFFLINE: NO ImageNet predictions in this run (the classifier top or the class names are missing). "
        "Shown instead: the same steps on the ImageNet conv base, which outputs feature maps, not classes."
    )
    conv = _use(course, imagenet_weights("xception"))
    course.weights, course.weights_source = _keras_value(conv), conv.source


def setup_keys(notebook: str) -> set[str]:
    """The metric keys :func:`setup` records for ``notebook``.

    >>> sorted(setup_keys("01_xception_prediction"))[:3]
    ['backbone', 'real_weights', 'representative']
    """
    from .params import DEFAULTS

    needs = set(NEEDS.get(notebook, ()))
    keys = {name.lower() for name in DEFAULTS.get(notebook, {})}
    keys |= set(BASE_KEYS) if needs & {"base", "imagenet_classifier"} else set()
    keys |= set(DATA_KEYS) if "photos" in needs else set()
    return keys | ({"hub_standin"} if "hub" in needs else set())


def setup(notebook: str, namespace: dict) -> Course:
    """The one setup call of a notebook: parameters, seeds, mode, and every asset with its label.

    Fills the parameters left at None with the mode's defaults (:data:`.params.DEFAULTS`) and
    checks them, fixes the seeds, then resolves what the notebook needs (the cats-vs-dogs
    folders, the pretrained base and its weights, the TF-Hub module), printing each stand-in's
    label once, and records what ran in the notebook's metrics.

    Example: ``course = setup("02_vgg16_feature_extraction", globals())``
    """
    from helpers import data

    from . import metrics, params

    quick = namespace["QUICK"] = quick_mode(namespace.get("QUICK"))
    resolved = params.resolve(notebook, namespace, quick)
    start(notebook, quick=quick, seed=namespace["SEED"])
    print(" | ".join(f"{k} {'all' if v is None else v}" for k, v in resolved.items()))
    course = Course(notebook, quick)
    needs = NEEDS.get(notebook, ())
    if "photos" in needs:
        limits = {"train_per_class": namespace["TRAIN_PER_CLASS"], "eval_per_class": namespace.get("EVAL_PER_CLASS")}
        choice = _use(course, data.cats_and_dogs(**limits, seed=namespace["SEED"]))
        if choice.value is None:
            raise RuntimeError(f"no dataset to work with: {choice.note}")
        course.data, course.counts = choice.value, choice.extra["counts"]
    if "base" in needs:
        _base(course, namespace)
    if "hub" in needs:
        from helpers import tfhub

        hub = _use(course, tfhub.mobilenet_v2_feature_vector())
        course.hub = hub.value
        metrics.record(notebook, hub_standin=hub.is_standin)
    if "fashion" in needs:
        _fashion(course)
    if "imagenet_classifier" in needs:
        _imagenet_classifier(course)
    if course.standins:
        print(
            "Offline: the numbers below are real measurements of this code on the stand-ins above, not of the "
            "course's data and weights. With internet, `python -m helpers fetch --all` gets the real ones."
        )
    majority = {s: max(c.values()) / sum(c.values()) for s, c in course.counts.items()}
    # the course's own setup: no stand-in, and VGG16 where notebooks 02-04 build a base
    representative = not course.standins and ("base" not in needs or course.backbone == "vgg16")
    facts = {
        **{k.lower(): v for k, v in resolved.items()},
        **dict(zip(BASE_KEYS, (course.backbone, course.weights is not None, course.weights_source, representative))),
        **dict(zip(DATA_KEYS, (course.counts, course.class_names, majority, majority.get("test")))),
    }
    metrics.record(notebook, **{k: v for k, v in facts.items() if k in setup_keys(notebook)})
    return course
