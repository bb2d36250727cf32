"""The package's layout: what learners import apart from what runs the course."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import helpers

PACKAGE = Path(helpers.__file__).resolve().parent
LEARNER = ["data", "models", "plots", "explain", "exercises", "tfhub"]
ASSET_LAYER = {"assets", "offline", "params"}  # what a learner's data and models rest on
TOOLING = {"notebook", "runner", "colab", "metrics", "verify", "rehearsal", "mirror", "cli", "decks"}


def _imported(path: Path) -> set[str]:
    """Every helpers module ``path`` imports (relative imports resolved), at any depth of the file."""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = base + (node.module.split(".") if node.module else [])
            found |= {".".join(module + [a.name]) for a in node.names} | {".".join(module)}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m.startswith("helpers")}


def test_the_folders_say_who_each_module_is_for():
    assert sorted(p.stem for p in PACKAGE.glob("*.py")) == sorted(LEARNER + ["__init__", "__main__"])
    assert sorted(p.stem for p in (PACKAGE / "course").glob("*.py")) == sorted(ASSET_LAYER | TOOLING | {"__init__"})


@pytest.mark.parametrize("name", LEARNER + sorted(ASSET_LAYER))
def test_learner_modules_never_import_the_courses_tooling(name):
    path = PACKAGE / f"{name}.py" if name in LEARNER else PACKAGE / "course" / f"{name}.py"
    tooling = {m for m in _imported(path) if m.split(".")[-1] in TOOLING or m.startswith("helpers.course.cli")}
    assert not tooling, f"{path.name} imports {sorted(tooling)}: course tooling stays out of what learners import"


def test_the_import_reader_sees_relative_and_nested_imports(tmp_path):
    """The check above can fail: a nested ``from .course import runner`` is seen."""
    probe = PACKAGE / "course" / "notebook.py"
    imported = _imported(probe)
    assert "helpers.course.metrics" in imported  # imported inside start()
    assert "helpers.course.runner" in _imported(PACKAGE / "course" / "cli.py")


def test_one_command_line():
    """Only ``python -m helpers`` parses arguments; the other modules are called by it."""
    parsers = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if "ArgumentParser(" in p.read_text()]
    assert parsers == ["course/cli.py"]


def test_the_readme_states_the_packages_size():
    """The README's layout section gives the line counts; they may lag a few edits, not a redesign."""
    import re

    text = (PACKAGE.parent / "README.md").read_text()
    lines = {
        folder: sum(len(p.read_text().splitlines()) for p in folder.glob("*.py"))
        for folder in (PACKAGE, PACKAGE / "course")
    }
    stated_total = int(re.search(r"\(([\d,]+) lines in all", text).group(1).replace(",", ""))
    stated = [int(n.replace(",", "")) for n in re.findall(r"^helpers/(?:course/)?\s+.*\(([\d,]+) lines\)", text, re.M)]
    assert len(stated) == 2
    for said, real in zip([stated_total, *stated], [sum(lines.values()), *lines.values()]):
        assert abs(said - real) <= 0.05 * real, f"README says {said} lines, the package has {real}: update it"
