"""Key results of each notebook, written to ``build/metrics/<notebook>.json`` for tests.

Example: ``record("demo", accuracy=0.5)["accuracy"]``
0.5
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np


def metrics_dir() -> Path:
    """``$COURSE_METRICS_DIR``, else ``build/metrics`` at the project root."""
    env = os.environ.get("COURSE_METRICS_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "build" / "metrics"


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
