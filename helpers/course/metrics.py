"""Key results of each notebook, written to ``build/metrics/<notebook>.json`` for tests.

Example: ``record("demo", accuracy=0.5)["accuracy"]``
0.5
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np


def metrics_dir() -> Path:
    """``$COURSE_METRICS_DIR``, else ``build/metrics`` at the project root."""
    env = os.environ.get("COURSE_METRICS_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "build" / "metrics"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    return value


def record(notebook: str, **values: Any) -> dict:
    """Merge ``values`` into ``build/metrics/<notebook>.json`` and return the whole record.

    Example: ``record("00_concepts", quick=True)``
    """
    path = metrics_dir() / f"{notebook}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.is_file() else {}
    current.update(_plain(values))
    path.write_text(json.dumps(current, indent=2, sort_keys=True))
    return current


def load(notebook: str) -> dict:
    """The recorded metrics of a notebook (empty if it has not run).

    >>> isinstance(load("never-ran"), dict)
    True
    """
    path = metrics_dir() / f"{notebook}.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def reset(notebook: str) -> None:
    """Forget a notebook's earlier record (each run starts clean)."""
    (metrics_dir() / f"{notebook}.json").unlink(missing_ok=True)


# ---------------------------------------------------------------- reproducibility

_TIMING = re.compile(r"seconds|_s$|per_s|time|speed|wall|memory|mib|mb$", re.IGNORECASE)


def differences(first: Any, second: Any, *, tol: float = 1e-6, path: str = "") -> list[str]:
    """Where two records of the same notebook disagree, timings and memory excepted.

    Two quick runs with the same seed must give the same metrics on the same CPU; wall times
    and speeds may differ. Floats are compared with an absolute tolerance ``tol``.

    >>> differences({"acc": 0.5, "fit_seconds": 3.0}, {"acc": 0.5, "fit_seconds": 4.2})
    []
    >>> differences({"acc": [0.5, 0.7]}, {"acc": [0.5, 0.75]})
    ['acc[1]: 0.7 != 0.75']
    """
    if isinstance(first, dict) and isinstance(second, dict):
        found = [f"{path}.{k}".lstrip(".") + ": only in one run" for k in sorted(set(first) ^ set(second))]
        for key in sorted(set(first) & set(second)):
            if not _TIMING.search(str(key)):
                found += differences(first[key], second[key], tol=tol, path=f"{path}.{key}".lstrip("."))
        return found
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        return [
            d for i, (a, b) in enumerate(zip(first, second)) for d in differences(a, b, tol=tol, path=f"{path}[{i}]")
        ]
    numbers = (int, float)
    if (
        isinstance(first, numbers)
        and isinstance(second, numbers)
        and not isinstance(first, bool)
        and not isinstance(second, bool)
    ):
        return [] if abs(first - second) <= tol else [f"{path}: {first} != {second}"]
    return [] if first == second else [f"{path}: {first!r} != {second!r}"]


def compare_runs(first_dir: Path, second_dir: Path, *, tol: float = 1e-6) -> list[str]:
    """:func:`differences` for every notebook recorded in both folders (``<notebook>: <where>``)."""
    found = []
    for path in sorted(Path(first_dir).glob("*.json")):
        other = Path(second_dir) / path.name
        if other.is_file():
            found += [
                f"{path.stem}: {d}"
                for d in differences(json.loads(path.read_text()), json.loads(other.read_text()), tol=tol)
            ]
    return found


def compare_command(first: Path, second: Path, tol: float = 1e-6) -> int:
    """``python -m helpers compare-runs FIRST SECOND``: print the differences; 1 when two runs disagree."""
    common = sorted({p.name for p in first.glob("*.json")} & {p.name for p in second.glob("*.json")})
    found = compare_runs(first, second, tol=tol)
    for line in found:
        print(line)
    print(
        f"compared {len(common)} notebook record(s) ({', '.join(Path(c).stem for c in common) or 'none'}): "
        + ("same metrics (timings excepted)" if not found else f"{len(found)} difference(s)")
    )
    return 1 if found else 0
