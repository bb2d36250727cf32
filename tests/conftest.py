"""Shared fixtures: notebooks are executed once per session and their metrics reused."""

from __future__ import annotations

import os

import pytest

from helpers import metrics, offline, runner

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

NEEDS_FIXTURES = pytest.mark.skipif(
    bool(offline.missing_fixtures()),
    reason=f"offline fixtures missing ({', '.join(offline.missing_fixtures())}): run `make fixtures`",
)


@pytest.fixture(scope="session")
def run_notebook():
    """``run_notebook("02_vgg16_feature_extraction")`` -> its recorded metrics (runs it once)."""
    results: dict[str, tuple[dict | None, BaseException | None]] = {}

    def _run(name: str) -> dict:
        if name not in results:
            if offline.missing_fixtures():
                pytest.skip(f"offline fixtures missing: run `make fixtures` "
                            f"({', '.join(offline.missing_fixtures())})")
            try:
                runner.execute(runner.NOTEBOOKS / f"{name}.ipynb", quick=True)
                results[name] = (metrics.load(name), None)
            except Exception as e:  # remembered so later tests fail the same way, fast
                results[name] = (None, e)
        recorded, error = results[name]
        if error is not None:
            pytest.fail(f"{name} failed under papermill: {error}", pytrace=False)
        return recorded

    return _run
