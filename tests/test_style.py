"""Maintainer habits: ruff (lint and format, notebooks included), notebooks paired with readable
scripts (jupytext), a pre-commit config that strips outputs. The tools come from .venv-dev
(`make test` installs it; by hand: `make .venv-dev/.installed`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEV_BIN = ROOT / ".venv-dev" / "bin"
CHECKED = ["helpers", "tests", "tools", "benchmarks", "notebooks"]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _tool(name: str) -> Path:
    path = DEV_BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed: run `make .venv-dev/.installed` (make test does)")
    return path


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing_to_lint():
    done = _run(_tool("ruff"), "check", "--no-cache", *CHECKED)
    assert done.returncode == 0, f"{done.stdout}{done.stderr}\nFix: .venv-dev/bin/ruff check --fix {' '.join(CHECKED)}"


def test_ruff_finds_nothing_to_format():
    done = _run(_tool("ruff"), "format", "--check", "--no-cache", *CHECKED)
    assert done.returncode == 0, f"{done.stdout}{done.stderr}\nFix: .venv-dev/bin/ruff format {' '.join(CHECKED)}"


def test_ruff_would_catch_a_lint_error(tmp_path):
    """The check above can fail: the same settings flag an unused import in a notebook cell."""
    nb = tmp_path / "x.ipynb"
    nb.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "source": ["import os\n"],
                        "outputs": [],
                        "execution_count": None,
                    }
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    done = _run(_tool("ruff"), "check", "--no-cache", "--config", ROOT / "pyproject.toml", nb)
    assert done.returncode == 1 and "F401" in done.stdout


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_has_its_script_in_sync(notebook):
    script = ROOT / "scripts" / f"{notebook.stem}.py"
    assert script.is_file(), f"{script.name} missing: run `.venv-dev/bin/jupytext --sync {notebook.relative_to(ROOT)}`"
    done = _run(_tool("jupytext"), "--to", "py:percent", "--output", "-", notebook)
    assert done.returncode == 0, done.stderr
    assert done.stdout == script.read_text(), (
        f"{script.relative_to(ROOT)} differs from {notebook.name}: edit one, then "
        f"`.venv-dev/bin/jupytext --sync {notebook.relative_to(ROOT)}`"
    )


def test_every_script_belongs_to_a_notebook():
    assert sorted(p.stem for p in (ROOT / "scripts").glob("*.py")) == [nb.stem for nb in NOTEBOOKS]


def test_pre_commit_strips_outputs_lints_and_syncs():
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {
        hook["id"]: (repo["repo"], repo["rev"], hook.get("args", []))
        for repo in config["repos"]
        for hook in repo["hooks"]
    }
    assert set(hooks) == {"nbstripout", "ruff-check", "ruff-format", "jupytext"}
    assert hooks["jupytext"][2] == ["--sync"] and hooks["ruff-check"][2] == ["--fix"]
    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert hooks["ruff-check"][1] == f"v{pins['ruff']}" and hooks["jupytext"][1] == f"v{pins['jupytext']}"
