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
