"""tools/lesson_plan.py: the sections, the counts and the minutes of small executed notebooks made here."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import lesson_plan  # noqa: E402

RATES = lesson_plan.Rates(words_per_minute=100, words_per_code_line=10, exercise_minutes=8)


def _md(source: str, seconds: float = 1.0):
    """Papermill times markdown cells too (a few ms); a whole second here shows if the tool adds them."""
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["papermill"] = {"duration": seconds, "status": "completed", "exception": False}
    return cell


def _code(source: str, seconds: float | None, *tags: str):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = list(tags)
    if seconds is not None:
        cell.metadata["papermill"] = {"duration": seconds, "status": "completed", "exception": False}
    return cell


def _cells():
    """A notebook whose every count is known; the comments give what each cell adds to its section."""
    return [
        _md("# The title\n\nIntro words one two"),  # opening: 6 words ("#" is no word)
        _code("QUICK = None", 0.5, "parameters"),  # opening: runs 0.5 s, not shown
        _code("import helpers\nhelpers.course.setup()", 30, "setup"),  # opening: runs 30 s, not shown
        _md("## First part\nalpha beta gamma - delta"),  # First part: 2 + 4 words ("-" is no word)
        _code("x = 1\n\ny = 2\n# a comment", 60),  # First part: 3 lines (the blank one is not), 60 s
        _md("Some text here.\n## Second part\nmore words"),  # First part: 3 words; Second part: 2 + 2
        _code("print(1)", 90),  # Second part: 1 line, 90 s
        _md("```\n## not a heading\n```\nafter fence"),  # Second part: 3 + 2 words, no new section
        _md(  # Exercises: 1 + 4 + 3 + 4 + 3 = 15 words; items 1 and 2 (the indented 7. is no item)
            "## Exercises\n1. **Do this.** now\n2. Then that\n   7. nested not counted\nCheck with `ex.q1.check(x)`."
        ),
        _code("ex.q1.check(answer)\nex.q3.check(other)", 6),  # Exercises: 2 lines, 6 s, exercise 3 added
        _code("answer = 42\nex.q1.check(answer)\nex.q4.check(y)", 600, "solution"),  # nothing at all
        _code("course.record()", 3, "metrics"),  # Exercises: runs 3 s, not shown
        _code("# ex.q5.check(commented out)", 0),  # Exercises: 1 line, 0 s; a comment checks nothing
        _md("### A sub-heading\nthree more words"),  # Exercises: 2 + 3 words, still the same section
        _md("## Questionnaire\n1. What?\n2. Why?"),  # Questionnaire: 1 + 2 + 2 words; questions are no exercises
    ]


def _write(folder: Path, cells, name="00_fake.ipynb", quick=True) -> Path:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["papermill"] = {
        "parameters": {"QUICK": quick},
        "start_time": "2026-12-01T10:00:00+00:00",
        "end_time": "2026-12-01T10:13:10+00:00",
        "duration": 790.0,
        "exception": None,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nb, str(path))
    return path


# (section, words, shown code lines, run seconds, exercises)
EXPECTED = [
    (lesson_plan.OPENING, 6, 0, 30.5, 0),
    ("First part", 9, 3, 60, 0),
    ("Second part", 9, 1, 90, 0),
    ("Exercises", 20, 3, 9, 3),
    ("Questionnaire", 5, 0, 0, 0),
]


def test_sections_and_their_counts(tmp_path):
    rows = lesson_plan.rows(_write(tmp_path, _cells()), RATES)
    got = [(r["section"], r["words"], r["code_lines"], round(r["run_min"] * 60, 6), r["exercises"]) for r in rows]
    assert got == EXPECTED


def test_minutes_are_the_stated_rates_applied_to_the_counts(tmp_path):
    rows = lesson_plan.rows(_write(tmp_path, _cells()), RATES)
    # talk = (words + 10 * lines) / 100; run = seconds / 60; exercises = 8 each
    talk = [0.06, 0.39, 0.19, 0.50, 0.05]
    run = [30.5 / 60, 1.0, 1.5, 9 / 60, 0.0]
    exercise = [0, 0, 0, 24, 0]
    assert [r["talk_min"] for r in rows] == pytest.approx(talk)
    assert [r["run_min"] for r in rows] == pytest.approx(run)
    assert [r["exercise_min"] for r in rows] == exercise
    assert [r["total_min"] for r in rows] == pytest.approx([t + r + e for t, r, e in zip(talk, run, exercise)])
    assert lesson_plan.total(rows)["total_min"] == pytest.approx(sum(talk) + sum(run) + sum(exercise))


def test_a_solution_cell_adds_no_minute_and_no_exercise(tmp_path):
    cells = _cells()
    without = [c for c in cells if "solution" not in c.metadata.get("tags", [])]
    assert len(without) == len(cells) - 1
    with_solution = lesson_plan.rows(_write(tmp_path / "a", cells), RATES)
    assert with_solution == lesson_plan.rows(_write(tmp_path / "b", without), RATES)


def test_a_cell_papermill_did_not_run_is_counted_apart(tmp_path):
    cells = [_md("# T"), _md("## Part"), _code("a = 1", None), _code("b = 2", 12)]
    (opening, part) = lesson_plan.rows(_write(tmp_path, cells), RATES)
    assert (part["code_cells"], part["unmeasured_cells"], part["run_min"]) == (2, 1, 0.2)
    assert "| Part | 1 | 2 | <1 | <1 (1 not run) |" in lesson_plan.plan(tmp_path, RATES)


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "–"), (0.01, "<1"), (0.49, "<1"), (0.5, "1"), (1.49, "1"), (2.5, "3"), (61.2, "61")]
)
def test_minutes_are_rounded_to_the_minute_and_never_zero_for_something(value, shown):
    assert lesson_plan.minutes(value) == shown


def test_the_markdown_table(tmp_path):
    _write(tmp_path, _cells())
    text = lesson_plan.plan(tmp_path, RATES, source_dir=tmp_path / "none")
    assert "at 100 words per minute" in text and "10 words per code line" in text and "8 minutes each" in text
    assert "#### 00_fake: The title" in text
    assert "Executed in **QUICK mode** on 2026-12-01 10:13 UTC, 790 s in all" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[:7] == [
        lesson_plan.HEADER,
        f"| {lesson_plan.OPENING} | 6 | – | <1 | 1 | – | – | 1 |",
        "| First part | 9 | 3 | <1 | 1 | – | – | 1 |",
        "| Second part | 9 | 1 | <1 | 2 | – | – | 2 |",
        "| Exercises | 20 | 3 | 1 | <1 | 3 | 24 | 25 |",
        "| Questionnaire | 5 | – | <1 | – | – | – | <1 |",
        "| **Total** | 49 | 7 | 1 | 3 | 3 | 24 | **28** |",  # 1.19 + 3.158 + 24 = 28.35
    ]
    assert "| 00_fake (QUICK) | 49 | 7 | 1 | 3 | 3 | 24 | 28 |" in text  # the course table


def test_mode_machine_and_freshness(tmp_path):
    path = _write(tmp_path / "executed", _cells(), quick=False)
    nb = lesson_plan.read(path)
    assert lesson_plan.mode(nb) == "FULL"
    assert lesson_plan.mode({"metadata": {}}) == "not run by papermill"

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Fake CPU 9000\n\nprocessor\t: 1\nmodel name\t: Fake CPU 9000\n")
    assert lesson_plan.machine(cpuinfo) == "2 cores, Fake CPU 9000"

    source = tmp_path / "notebooks" / path.name
    source.parent.mkdir()
    injected = _code("QUICK = False", 0.1, "injected-parameters")
    nbformat.write(nbformat.v4.new_notebook(cells=_cells()), str(source))
    executed = nbformat.v4.new_notebook(cells=[*_cells()[:2], injected, *_cells()[2:]])
    assert lesson_plan.freshness(executed, source).startswith("matches")
    nbformat.write(nbformat.v4.new_notebook(cells=[*_cells(), _md("new")]), str(source))
    assert lesson_plan.freshness(executed, source).startswith("**stale**")


def test_without_executed_notebooks_it_says_which_command_makes_them(tmp_path, capsys):
    assert lesson_plan.main([str(tmp_path)]) == 1
    assert "make run" in capsys.readouterr().err
