"""An instructor's lesson plan: minutes per ``##`` section of every executed notebook, measured.

Reads the notebooks papermill executed (``python -m helpers run``, i.e. ``make run``, writes them to
``build/executed/``); papermill stamps every cell with ``metadata.papermill.duration`` in seconds.
Per section it prints, as a Markdown table for the README's instructor guide:

- **talk**: the section's markdown words, plus a fixed number of words per code line shown, at a
  speaking rate (130 words per minute). A *word* is a whitespace-separated token holding a letter or
  digit (``-`` bullets and ``##`` markers are not words). A *shown code line* is a non-blank line of
  a code cell that is not course plumbing or an answer (tags ``colab``, ``parameters``,
  ``injected-parameters``, ``setup``, ``metrics``, ``solution``, ``remove-cell``, ``skip``: the
  cells the slides leave out);
- **run**: the sum of the section's measured code-cell durations, ``solution`` cells left out (the
  learner writes those as exercises); every other code cell runs in class, plumbing included;
- **exercises**: an allowance per exercise (8 minutes). The exercises of a section are the
  numbered items (``1.``, ``2.``, at the start of a line) under a heading that starts with
  "Exercises", together with every ``ex.qN.check(`` called in a code cell that is not a
  ``solution`` (exercise N counted once however it is found);
- the **total**, and a total line per notebook, with the mode it was executed in (papermill's
  ``QUICK`` parameter) and the machine (cores and CPU model from ``/proc/cpuinfo``).

A markdown line starting with ``## `` opens a section (also in the middle of a cell; not inside a
fenced code block); ``# `` is the title. Cells before the first section form the opening row.
Minutes are rounded to the nearest minute; "<1" is more than nothing but under half a minute, "–"
is nothing of that kind; totals are summed before rounding.

Run: ``python tools/lesson_plan.py [executed_dir]`` (default ``build/executed``).
From tests: ``rows(path)`` gives one notebook's sections as data, unrounded.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.course.runner import SKIP_TAGS  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
EXECUTED = ROOT / "build" / "executed"
WORDS_PER_MINUTE = 130
WORDS_PER_CODE_LINE = 5  # walking through one line of code takes about as long as saying five words
EXERCISE_MINUTES = 8
NOT_SHOWN = SKIP_TAGS  # the cells the slides leave out: one list, in helpers.course.runner
SOLUTION = "solution"
OPENING = "(opening: title, parameters, setup)"

_WORD = re.compile(r"[^\W_]")  # a token is a word when it holds a letter or a digit
_NUMBERED_ITEM = re.compile(r"^(\d+)[.)]\s")
_CHECK = re.compile(r"\bex\.q(\d+)\.check\(")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Rates:
    """The stated assumptions that turn counts into minutes."""

    words_per_minute: float = WORDS_PER_MINUTE
    words_per_code_line: float = WORDS_PER_CODE_LINE
    exercise_minutes: float = EXERCISE_MINUTES


@dataclass
class Section:
    """What one ``##`` section holds; minutes come from :meth:`row`."""

    title: str
    words: int = 0
    code_lines: int = 0
    run_seconds: float = 0.0
    code_cells: int = 0  # code cells that run in class (not solutions)
    unmeasured_cells: int = 0  # of those, cells without a papermill duration (not executed)
    exercises: set[int] = field(default_factory=set)
    is_exercises: bool = False

    def row(self, rates: Rates = Rates()) -> dict:
        talk = (self.words + self.code_lines * rates.words_per_code_line) / rates.words_per_minute
        run = self.run_seconds / 60
        exercise = len(self.exercises) * rates.exercise_minutes
        return {
            "section": self.title,
            "words": self.words,
            "code_lines": self.code_lines,
            "code_cells": self.code_cells,
            "unmeasured_cells": self.unmeasured_cells,
            "exercises": len(self.exercises),
            "talk_min": talk,
            "run_min": run,
            "exercise_min": exercise,
            "total_min": talk + run + exercise,
        }


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _words(line: str) -> int:
    return sum(bool(_WORD.search(token)) for token in line.split())


def read(path: Path) -> dict:
    """The notebook at ``path`` as JSON (any nbformat 4 file)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def sections(nb: dict) -> list[Section]:
    """Split ``nb`` (notebook JSON) into its opening and one :class:`Section` per ``##`` heading."""
    found = [Section(OPENING)]
    for cell in nb.get("cells", []):
        tags, source = _tags(cell), _source(cell)
        if cell.get("cell_type") == "markdown":
            in_fence = False
            for line in source.splitlines():
                if _FENCE.match(line):
                    in_fence = not in_fence
                elif not in_fence and line.startswith("## "):
                    title = line[3:].strip()
                    found.append(Section(title, is_exercises=title.lower().startswith("exercises")))
                elif not in_fence and found[-1].is_exercises and (item := _NUMBERED_ITEM.match(line)):
                    found[-1].exercises.add(int(item.group(1)))
                found[-1].words += _words(line)
        elif cell.get("cell_type") == "code" and SOLUTION not in tags:
            section = found[-1]
            section.code_cells += 1
            duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
            if duration is None:
                section.unmeasured_cells += 1
            else:
                section.run_seconds += float(duration)
            lines = [line for line in source.splitlines() if line.strip()]
            if not NOT_SHOWN & tags:
                section.code_lines += len(lines)
            code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
            section.exercises.update(int(n) for n in _CHECK.findall(code))
    opening = found[0]
    if len(found) > 1 and not (opening.words or opening.code_cells):
        found.pop(0)
    return found


def rows(path: Path, rates: Rates = Rates()) -> list[dict]:
    """One dict per section of the executed notebook at ``path``, minutes unrounded."""
    return [s.row(rates) for s in sections(read(path))]


def title(nb: dict) -> str:
    """The text of the notebook's first ``# `` heading ("" when it has none)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def mode(nb: dict) -> str:
    """ "QUICK" or "FULL" from the parameters papermill injected; "not run by papermill" without them."""
    params = nb.get("metadata", {}).get("papermill", {}).get("parameters", {})
    if "QUICK" not in params:
        return "not run by papermill" if "papermill" not in nb.get("metadata", {}) else "QUICK unset"
    return "QUICK" if params["QUICK"] else "FULL"


def freshness(nb: dict, source: Path) -> str:
    """Whether the executed ``nb`` still matches its notebook in ``notebooks/`` (same cells, same sources)."""
    if not source.is_file():
        return f"no {source.name} in {source.parent} to compare with"
    ran = [_source(c) for c in nb.get("cells", []) if "injected-parameters" not in _tags(c)]
    now = [_source(c) for c in read(source).get("cells", [])]
    if ran == now:
        return f"matches the current {source.parent.name}/{source.name}"
    if len(ran) != len(now):
        what = f"{len(now)} cells now, {len(ran)} executed"
    else:
        what = f"{sum(a != b for a, b in zip(ran, now, strict=True))} of {len(now)} cells differ"
    return f"**stale**: {source.parent.name}/{source.name} changed since ({what})"


def machine(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """ "2 cores, AMD EPYC": the logical processors and CPU model that ``/proc/cpuinfo`` lists."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        import os
        import platform

        return f"{os.cpu_count()} cores, {platform.processor() or 'unknown CPU'} (no {cpuinfo})"
    cores = len(re.findall(r"^processor\s*:", text, re.M))
    models = re.findall(r"^model name\s*:\s*(.+)$", text, re.M)
    return f"{cores} cores, {models[0].strip() if models else 'unknown CPU model'}"


def minutes(value: float) -> str:
    """Whole minutes, half up; "<1" for more than nothing under half a minute, "–" for nothing."""
    if value <= 0:
        return "–"
    rounded = math.floor(value + 0.5)
    return "<1" if rounded == 0 else str(rounded)


def _when(nb: dict) -> str:
    meta = nb.get("metadata", {}).get("papermill", {})
    stamp = meta.get("end_time") or meta.get("start_time")
    if not stamp:
        return "at an unknown time (no papermill times)"
    when = datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")
    if meta.get("exception"):
        return f"on {when}, **stopped at an error**"
    if not meta.get("end_time"):
        return f"from {when}, **not finished** (still running, or stopped)"
    total = meta.get("duration")
    return f"on {when}" + (f", {total:.0f} s in all" if total is not None else "")


HEADER = "| Section | Words | Code lines | Talk | Run | Exercises | Exercise min | Total |"
RULE = "|---|--:|--:|--:|--:|--:|--:|--:|"


def _table_row(name: str, r: dict, bold: bool = False) -> str:
    b = "**" if bold else ""
    run = minutes(r["run_min"]) if r["code_cells"] else "–"
    if r["unmeasured_cells"]:
        run += f" ({r['unmeasured_cells']} not run)"
    cells = [
        f"{b}{name}{b}",
        str(r["words"]),
        str(r["code_lines"]) if r["code_lines"] else "–",
        minutes(r["talk_min"]),
        run,
        str(r["exercises"]) if r["exercises"] else "–",
        minutes(r["exercise_min"]),
        f"{b}{minutes(r['total_min'])}{b}",
    ]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def total(section_rows: list[dict]) -> dict:
    """The column sums of ``section_rows`` (unrounded)."""
    keys = ("words", "code_lines", "code_cells", "unmeasured_cells", "exercises")
    keys += ("talk_min", "run_min", "exercise_min", "total_min")
    return {k: sum(r[k] for r in section_rows) for k in keys}


def plan(executed_dir: Path, rates: Rates = Rates(), source_dir: Path = NOTEBOOKS) -> str:
    """The lesson plan of every executed notebook in ``executed_dir`` as Markdown."""
    paths = sorted(Path(executed_dir).glob("[0-9][0-9]_*.ipynb"))
    out = [
        "### Lesson plan, measured",
        "",
        f"Minutes per section. **Talk**: the markdown's words plus {rates.words_per_code_line:g} words per code "
        f"line shown, at {rates.words_per_minute:g} words per minute. **Run**: the code cells' durations "
        "as papermill measured them, solution cells left out. **Exercises**: "
        f"{rates.exercise_minutes:g} minutes each; counted are the numbered items under an "
        '"Exercises" heading and the `ex.qN.check(` calls outside solution cells, each exercise once. '
        'Rounded to the minute ("<1": under half a minute, "–": none); totals are summed before rounding.',
        "",
        f"Machine: {machine()} (this machine's `/proc/cpuinfo`; the notebooks are assumed executed here). "
        f"Executed notebooks: `{_shown(Path(executed_dir))}`.",
    ]
    course = []
    for path in paths:
        nb = read(path)
        section_rows = rows(path, rates)
        sums = total(section_rows)
        course.append((path.stem, mode(nb), sums))
        out += [
            "",
            f"#### {path.stem}" + (f": {title(nb)}" if title(nb) else ""),
            "",
            f"Executed in **{mode(nb)} mode** {_when(nb)}; {freshness(nb, Path(source_dir) / path.name)}.",
            "",
            HEADER,
            RULE,
            *(_table_row(r["section"], r) for r in section_rows),
            _table_row("Total", sums, bold=True),
        ]
    if course:
        out += ["", "#### The course", "", HEADER.replace("| Section |", "| Notebook (mode) |"), RULE]
        out += [_table_row(f"{name} ({m})", sums) for name, m, sums in course]
        out.append(_table_row("Total", total([sums for _, _, sums in course]), bold=True))
    return "\n".join(out)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("executed_dir", nargs="?", type=Path, default=EXECUTED, help="default: build/executed")
    parser.add_argument("--wpm", type=float, default=WORDS_PER_MINUTE, help="speaking rate, words per minute")
    parser.add_argument(
        "--words-per-code-line", type=float, default=WORDS_PER_CODE_LINE, help="0 leaves code out of the talk"
    )
    parser.add_argument("--exercise-minutes", type=float, default=EXERCISE_MINUTES, help="allowance per exercise")
    args = parser.parse_args(argv)
    if not sorted(args.executed_dir.glob("[0-9][0-9]_*.ipynb")):
        print(
            f"No executed notebooks in {args.executed_dir}: run `make run` (python -m helpers run) first; "
            "it executes every notebook with papermill into build/executed/.",
            file=sys.stderr,
        )
        return 1
    print(plan(args.executed_dir, Rates(args.wpm, args.words_per_code_line, args.exercise_minutes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
