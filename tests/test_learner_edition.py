"""The learner's edition (`python -m helpers learner`): the notebooks without solutions, Run All clean."""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers import exercises
from helpers.course import cli, runner

DROPPED = runner.LEARNER_DROPS


def _tags(cell) -> set[str]:
    return set(cell.metadata.get("tags", []))


@pytest.mark.parametrize("path", runner.notebooks(), ids=lambda p: p.stem)
def test_the_learners_edition_keeps_every_cell_but_the_solutions(path, tmp_path):
    source = nbformat.read(str(path), as_version=4)
    learner = nbformat.read(str(runner.learner_edition(path, tmp_path)), as_version=4)
    solutions = [c.source for c in source.cells if "solution" in _tags(c)]
    assert solutions, f"{path.name} has no solution cell to leave out"
    assert not any(DROPPED & _tags(c) for c in learner.cells)
    kept = [c.source for c in source.cells if not DROPPED & _tags(c)]
    shown = [c.source.replace(runner.LEARNER_NOTE, runner.SOLUTIONS_NOTE) for c in learner.cells]
    assert shown == kept, "every other cell is kept, in order"
    text = "\n".join(c.source for c in learner.cells)
    assert not any(solution in text for solution in solutions)
    assert runner.SOLUTIONS_NOTE not in text and text.count(runner.LEARNER_NOTE) == 1
    assert "**Speaker notes.**" not in text, "speaker notes are for the instructor's edition"
    assert all(not c.get("outputs") for c in learner.cells if c.cell_type == "code")


def test_an_executed_notebook_loses_its_outputs(tmp_path):
    nb = nbformat.read(str(runner.NOTEBOOKS / "00_concepts.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [nbformat.v4.new_output("stream", text="seen\n")], 1
    executed = tmp_path / "executed" / "00_concepts.ipynb"
    executed.parent.mkdir()
    nbformat.write(nb, str(executed))
    learner = nbformat.read(str(runner.learner_edition(executed, tmp_path / "learner")), as_version=4)
    assert all(c.outputs == [] and c.execution_count is None for c in learner.cells if c.cell_type == "code")


def test_the_command_writes_every_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "BUILD", tmp_path)
    assert cli.main(["learner"]) == 0
    assert sorted(p.name for p in (tmp_path / "learner").iterdir()) == [p.name for p in runner.notebooks()]
    assert "5 notebooks" in capsys.readouterr().out


@pytest.mark.notebooks
def test_run_all_of_the_learners_edition_runs_no_solution(tmp_path):
    # Notebook 00: its exercise 1 has a cell for the learner's answer, checked on Run All
    learner = runner.learner_edition(runner.NOTEBOOKS / "00_concepts.ipynb", tmp_path / "learner")
    executed = runner.execute(learner, quick=True, out_dir=tmp_path / "executed")
    assert runner.error_outputs(executed) == []
    outputs = [
        o.get("text", "") for c in nbformat.read(str(executed), as_version=4).cells for o in c.get("outputs", [])
    ]
    assert not any("Correct:" in text for text in outputs), "an untouched exercise must not pass"
    blanks = [text for text in outputs if text.startswith("Not yet: replace the blank(s) ____")]
    assert len(blanks) == len(vars(exercises.nb00)), "each untouched exercise cell says what to fill in"


@pytest.mark.parametrize("path", runner.notebooks(), ids=lambda p: p.stem)
def test_every_notebook_ends_with_a_questionnaire(path):
    cells = nbformat.read(str(path), as_version=4).cells
    start = max(i for i, c in enumerate(cells) if c.source.startswith("## Questionnaire"))
    assert all(c.cell_type == "markdown" for c in cells[start:]), f"{path.name}: the questionnaire comes last"
    text = "\n".join(c.source for c in cells[start:])  # split over sub-slides in the deck
    questions = [line for line in text.splitlines() if re.match(r"\d+\. .+\?$", line)]
    assert len(questions) >= 5, f"{path.name}: {len(questions)} questions"


def _scaffolds(nb) -> list[str]:
    return [c.source for c in nb.cells if "exercise" in _tags(c)]


@pytest.mark.parametrize("path", runner.notebooks(), ids=lambda p: p.stem)
def test_every_checked_exercise_has_a_cell_with_blanks_in_both_editions(path, tmp_path):
    """One cell per exercise, tagged `exercise`: the learner's variable set to blanks, then its check."""
    checks = exercises.NOTEBOOKS[path.stem]
    learner = nbformat.read(str(runner.learner_edition(path, tmp_path)), as_version=4)
    for edition in (nbformat.read(str(path), as_version=4), learner):
        cells = _scaffolds(edition)
        assert len(cells) == len(vars(checks)), f"{path.name}: {len(cells)} exercise cells"
        for (key, exercise), source in zip(vars(checks).items(), cells):
            lines = source.strip().splitlines()
            assert lines[-1] == f"ex.{key}.check()", f"{path.name} {key}: the cell ends with its check"
            assert re.search(rf"^{exercise.variable} = .*____", source, re.M), f"{path.name} {key}: no blank"
    assert "from helpers.exercises import ____" in "\n".join(c.source for c in learner.cells)
