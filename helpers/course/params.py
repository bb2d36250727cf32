"""Checks of a notebook's parameters, with messages a learner can act on.

>>> check_int("EPOCHS", 3, low=1)
3
"""

from __future__ import annotations

import os
from pathlib import Path


def check_int(name: str, value, *, low: int | None = None, high: int | None = None) -> int:
    """Validate an integer parameter with a message a learner can act on.

    >>> check_int("IMAGE_SIZE", 20, low=32)
    Traceback (most recent call last):
    ValueError: IMAGE_SIZE = 20 is too small: use at least 32 (set it in the parameters cell)
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} = {value!r} must be a whole number (set it in the parameters cell)")
    if low is not None and value < low:
        raise ValueError(f"{name} = {value} is too small: use at least {low} (set it in the parameters cell)")
    if high is not None and value > high:
        raise ValueError(f"{name} = {value} is too large: use at most {high} (set it in the parameters cell)")
    return value


def check_int_list(name: str, values, *, low: int | None = None, high: int | None = None) -> list[int]:
    """Validate a list of whole numbers (e.g. learning-curve sizes), each like :func:`check_int`.

    >>> check_int_list("CURVE_SIZES", [10, 25], low=1)
    [10, 25]
    >>> check_int_list("CURVE_SIZES", 5)
    Traceback (most recent call last):
    TypeError: CURVE_SIZES = 5 must be a list of whole numbers such as [5, 20] (set it in the parameters cell)
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__") or not list(values):
        raise TypeError(
            f"{name} = {values!r} must be a list of whole numbers such as [5, 20] (set it in the parameters cell)"
        )
    return [check_int(f"{name} item", v, low=low, high=high) for v in values]


def check_path(name: str, value: str | os.PathLike | None) -> Path | None:
    """Validate an optional file parameter: None/"" means 'not given'; else it must exist.

    >>> check_path("IMAGE_PATH", "")
    """
    if value in (None, ""):
        return None
    path = Path(value).expanduser()
    if not path.exists():
        raise FileNotFoundError(
            f"{name} = {str(value)!r}: no such file or folder "
            f"(relative paths start in {Path.cwd()}); fix it in the parameters cell"
        )
    return path


# Each notebook's size parameters: name -> (quick default, full default, lowest, highest). A
# parameter left at None in the notebook takes the default of its mode; every one is then checked.
# A full default of None means "every image" (TRAIN_PER_CLASS, EVAL_PER_CLASS).
DEFAULTS: dict[str, dict[str, tuple]] = {
    "00_concepts": {
        "PRETRAIN_PER_CLASS": (1000, 6000, 10, 6000),  # Fashion-MNIST has 6000 training images per class
        "PRETRAIN_EPOCHS": (3, 5, 1, None),
        "LABELS_PER_CLASS": ([5, 20], [5, 10, 25, 100, 500], 1, 6000),
        "TIME_BATCH": (4, 16, 1, 256),
    },
    "01_xception_prediction": {"TOP_K": (3, 3, 1, 10)},
    "02_vgg16_feature_extraction": {
        "IMAGE_SIZE": (72, 150, 32, 512),  # VGG16's smallest input is 32 (Xception's 71: checked by setup)
        "EPOCHS": (5, 3, 1, None),  # full: a CPU budget, method B is end to end (TensorFlow's tutorial: 10)
        "TRAIN_PER_CLASS": (50, None, 1, None),
        "EVAL_PER_CLASS": (25, None, 1, None),
        "BATCH_SIZE": (20, 20, 1, None),
    },
    "03_fine_tuning": {
        "IMAGE_SIZE": (72, 150, 32, 512),
        "TRAIN_PER_CLASS": (50, None, 1, None),
        "EVAL_PER_CLASS": (25, None, 1, None),
        "BATCH_SIZE": (16, 32, 1, None),
        "HEAD_EPOCHS": (5, 10, 1, None),
        "FINE_TUNE_EPOCHS": (2, 3, 1, None),  # full: a CPU budget, about the images keras.io's guide fine-tunes on
        "VIEWS": (2, 2, 1, None),
        "HUB_IMAGE_SIZE": (96, 224, 32, 512),
        "HUB_EPOCHS": (1, 2, 1, None),
        "HUB_FINE_TUNE_EPOCHS": (1, 1, 1, None),  # the whole module trains: 224 px, slow
    },
    "04_scratch_vs_transfer": {
        "IMAGE_SIZE": (72, 150, 71, 512),  # Xception needs at least 71 px
        "TRAIN_PER_CLASS": (50, None, 1, None),
        "EVAL_PER_CLASS": (25, None, 1, None),
        "BATCH_SIZE": (16, 32, 1, None),
        "EPOCHS": (6, 8, 2, None),  # fine-tuning needs one epoch for the head, one after
        "VIEWS": (2, 2, 1, None),
        "CURVE_SIZES": ([3, 8, 20], [10, 25, 50, 100], 1, None),  # 1000: approaches 1-3 above
        "CURVE_EPOCHS": (15, 20, 1, None),
        "REPEATS": (2, 3, 1, None),
        "FASHION_PER_CLASS": ([10, 20], [10, 50], 1, None),
        "FASHION_TEST": (1000, 2000, 100, 10_000),  # the test set has 10,000
        "FASHION_IMAGE_SIZE": (75, 96, 71, 299),
        "FASHION_EPOCHS": (30, 30, 1, None),
    },
}
# Products of two parameters with an upper limit: Fashion-MNIST has 6000 training images per class.
PRODUCT_LIMITS = {("FASHION_PER_CLASS", "REPEATS"): 6000}


def resolve(notebook: str, namespace: dict, quick: bool) -> dict:
    """Fill the notebook's ``None`` parameters with its mode's defaults, check every one, return them.

    Learning rates (names ending in ``LEARNING_RATE``) must lie in (0, 1); a fine-tuning rate
    (``LEARNING_RATE`` next to ``HEAD_LEARNING_RATE``) must be below the head's.

    >>> ns = {"IMAGE_SIZE": None, "EPOCHS": 3, "TRAIN_PER_CLASS": None, "EVAL_PER_CLASS": None, "BATCH_SIZE": 20}
    >>> resolve("02_vgg16_feature_extraction", ns, quick=True)["IMAGE_SIZE"], ns["EPOCHS"]
    (72, 3)
    """
    resolved = {}
    for name, (quick_default, full_default, low, high) in DEFAULTS.get(notebook, {}).items():
        value = namespace.get(name)
        if value is None:
            value = quick_default if quick else full_default
        if isinstance(quick_default, list):  # sizes of a curve: sorted, each once
            value = sorted(set(check_int_list(name, value, low=low, high=high)))
        elif value is not None:
            check_int(name, value, low=low, high=high)
        namespace[name] = resolved[name] = value
    for (sizes, repeats), high in PRODUCT_LIMITS.items():
        if sizes in resolved:
            check_int(f"{sizes}[-1] * {repeats}", resolved[sizes][-1] * resolved[repeats], high=high)
    for name, value in namespace.items():
        if name.isupper() and name.endswith("LEARNING_RATE") and not (isinstance(value, float) and 0 < value < 1):
            raise ValueError(f"{name} = {value!r} should be a number between 0 and 1 (set it in the parameters cell)")
    if "HEAD_LEARNING_RATE" in namespace and not namespace["LEARNING_RATE"] < namespace["HEAD_LEARNING_RATE"]:
        raise ValueError(
            f"LEARNING_RATE = {namespace['LEARNING_RATE']} must be below HEAD_LEARNING_RATE = "
            f"{namespace['HEAD_LEARNING_RATE']} (10-100x lower is usual); set it in the parameters cell"
        )
    return resolved
