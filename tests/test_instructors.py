"""INSTRUCTORS.md: the lesson plan matches the notebooks it plans, and every exercise has an objective."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from helpers import exercises
from helpers.course import runner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import lesson_plan  # noqa: E402

GUIDE = runner.ROOT / "INSTRUCTORS.md"


def _plan_tables() -> dict[str, list[tuple[str, int]]]:
    """{notebook: [(section, words), ...]} from the generated block of the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    block = text.split("<!-- lesson-plan: begin -->")[1].split("<!-- lesson-plan: end -->")[0]
    tables, current = {}, None
    for line in block.splitlines():
        if line.startswith("#### "):  # a notebook's table, or the course's (not a notebook: left out)
            heading = re.match(r"#### (\d\d_\w+)", line)
            current = tables.setdefault(heading.group(1), []) if heading else None
        elif current is not None and (row := re.match(r"\| ([^|]+?) \| (\d+) \|", line)):
            if not row.group(1).startswith("**"):
                current.append((row.group(1), int(row.group(2))))
    return tables


def test_the_guide_plans_every_notebook_by_its_current_sections():
    tables = _plan_tables()
    assert sorted(tables) == [p.stem for p in runner.notebooks()], "run `make run && make lesson-plan`"
    for path in runner.notebooks():
        now = [(s.title, s.words) for s in lesson_plan.sections(lesson_plan.read(path))]
        planned = tables[path.stem]
        assert [t for t, _ in planned] == [t for t, _ in now], (
            f"{path.name}: its sections changed since the lesson plan was made; `make run && make lesson-plan`"
        )
        for (title, said), (_, words) in zip(planned, now):
            assert abs(said - words) <= max(10, 0.1 * words), (
                f"{path.name} '{title}': {said} words planned, {words} now"
            )


def test_the_plan_states_its_mode_machine_and_minutes():
    block = GUIDE.read_text(encoding="utf-8").split("<!-- lesson-plan: begin -->")[1]
    assert "Machine: " in block and block.count("Executed in **QUICK mode**") == len(runner.notebooks())
    totals = re.findall(r"^\| \*\*Total\*\* \|.*\| \*\*(\d+)\*\* \|$", block, re.M)
    assert len(totals) == len(runner.notebooks()) + 1 and all(int(t) > 0 for t in totals)


@pytest.mark.parametrize("exercise", exercises.all_exercises(), ids=lambda e: e.name)
def test_every_exercise_checks_an_objective_of_the_guide(exercise):
    objectives = GUIDE.read_text(encoding="utf-8").split("## Objectives")[1].split("## Common misconceptions")[0]
    assert f"`{exercise.name}`" in objectives
