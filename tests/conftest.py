"""Shared fixtures: notebooks are executed once per session and their metrics reused."""

from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # before helpers imports matplotlib: no windows in tests

from helpers.course import metrics, offline, runner

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Checked when such a test starts, not when this file is imported: importing stays free of helpers
# calls (mutmut's forced-failure check, `make mutation`, makes every helpers call raise).
NEEDS_FIXTURES = pytest.mark.fixtures


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test marked ``fixtures`` (``@NEEDS_FIXTURES``) when the offline fixtures are missing."""
    if item.get_closest_marker("fixtures") is not None:
        missing = offline.missing_fixtures()
        if missing:
            pytest.skip(f"offline fixtures missing ({', '.join(missing)}): run `make fixtures`")


@pytest.fixture(scope="session")
def run_notebook():
    """``run_notebook("02_vgg16_feature_extraction")`` -> its recorded metrics (runs it once)."""
    results: dict[str, tuple[dict | None, BaseException | None]] = {}

    def _run(name: str) -> dict:
        if name not in results:
            if offline.missing_fixtures():
                pytest.skip(f"offline fixtures missing: run `make fixtures` ({', '.join(offline.missing_fixtures())})")
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


@pytest.fixture
def tmp_keras_home(tmp_path, monkeypatch):
    """An empty Keras cache (``KERAS_HOME``) and metrics folder in ``tmp_path``, and no network.

    Unit tests use it so that they never read or write ``~/.keras`` or ``build/``.
    """
    home = tmp_path / "keras_home"
    home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setenv("COURSE_METRICS_DIR", str(tmp_path / "metrics"))
    monkeypatch.setenv("HELPERS_OFFLINE", "1")
    # Keras reads KERAS_HOME once, when it is first imported (keras.src.backend.config);
    # point an already-imported Keras at the same folder, as a fresh process would.
    config = sys.modules.get("keras.src.backend.config")
    if config is not None:
        monkeypatch.setattr(config, "_KERAS_DIR", str(home))
    return home
