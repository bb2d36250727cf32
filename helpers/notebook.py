"""What every notebook does first: fix seeds, state the mode, check its parameters.

>>> check_int("EPOCHS", 3, low=1)
3
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from . import metrics


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

    check_int("SEED", seed, low=0)
    keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow in one call
    # Keras 3 warns on every fit() with a tf.data.Dataset that its default shuffle=True is ignored;
    # the course shuffles in the pipeline (`.shuffle(...)`), as the warning asks, so it is noise here.
    warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed", category=UserWarning)
    metrics.reset(notebook)
    metrics.record(notebook, quick=bool(quick), seed=seed, standins=[])
    mode = ("QUICK mode (small data, few epochs: for CI and a first look)" if quick
            else "FULL mode (the real course)")
    print(f"{mode} | seed {seed} | Keras {keras.__version__}")


def note_standin(notebook: str, choice) -> None:
    """Print an asset choice and, if it is a stand-in, record that in the notebook's metrics."""
    print(choice)
    if choice.is_standin:
        current = metrics.load(notebook).get("standins", [])
        metrics.record(notebook, standins=sorted(set(current) | {choice.what}))


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
        raise TypeError(f"{name} = {values!r} must be a list of whole numbers such as [5, 20] "
                        "(set it in the parameters cell)")
    return [check_int(f"{name} item", v, low=low, high=high) for v in values]


def check_path(name: str, value: str | os.PathLike | None) -> Path | None:
    """Validate an optional file parameter: None/"" means 'not given'; else it must exist.

    >>> check_path("IMAGE_PATH", "")
    """
    if value in (None, ""):
        return None
    path = Path(value).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{name} = {str(value)!r}: no such file or folder "
                                f"(relative paths start in {Path.cwd()}); fix it in the parameters cell")
    return path


def show_source(obj) -> None:
    """Print the source of a helper, so a notebook can show the code it runs (no second copy).

    >>> show_source(check_int)  # doctest: +ELLIPSIS
    def check_int(...
    """
    import inspect

    print(inspect.getsource(obj).rstrip())


def print_table(rows: list[dict], columns: list[str] | None = None) -> None:
    """Print a list of dicts as an aligned text table (no pandas needed).

    >>> print_table([{"model": "VGG16", "params_M": 14.71}])
    model  params_M
    VGG16  14.71
    """
    columns = columns or list(rows[0])
    cells = [[str(c) for c in columns]] + [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
