"""What every notebook does first: fix seeds, state the mode, label its stand-ins.

Parameter checks live in :mod:`helpers.course.params`.

>>> quick_mode(True)
True
"""

from __future__ import annotations

import os
import warnings

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
    metrics.reset(notebook)
    metrics.record(notebook, quick=bool(quick), seed=seed, standins=[])
    mode = "QUICK mode (small data, few epochs: for CI and a first look)" if quick else "FULL mode (the real course)"
    print(f"{mode} | seed {seed} | Keras {keras.__version__}")


def note_standin(notebook: str, choice) -> None:
    """Print an asset choice and, if it is a stand-in, record that in the notebook's metrics."""
    from . import metrics

    print(choice)
    if choice.is_standin:
        current = metrics.load(notebook).get("standins", [])
        metrics.record(notebook, standins=sorted(set(current) | {choice.what}))
