"""Each notebook's share of course machinery (tools/machinery.py) is at most 20%, in two places.

The machinery lives in one setup call near the top and one final, tagged cell that records metrics;
everything else teaches.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import machinery  # noqa: E402

GOAL = 0.20
NOTEBOOKS = sorted(machinery.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _code_cells(notebook: Path) -> list[dict]:
    return [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_machinery_share_is_at_most_the_goal(notebook):
    m, n = machinery.share(notebook)
    assert m / n <= GOAL, (
        f"{notebook.name}: {m} of {n} code lines ({m / n:.0%}) are course machinery, "
        f"over {GOAL:.0%}: move it into the setup call or the final metrics cell"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_machinery_lives_in_one_setup_call_and_one_final_metrics_cell(notebook):
    cells = _code_cells(notebook)
    sources = ["".join(c["source"]) for c in cells]
    tags = [set(c["metadata"].get("tags", [])) for c in cells]
    setup = [i for i, t in enumerate(tags) if "setup" in t]
    assert len(setup) == 1 and f'helpers.course.setup("{notebook.stem}", globals())' in sources[setup[0]]
    assert "parameters" in tags[setup[0] - 1], "the setup call comes right after the parameters cell"
    assert "metrics" in tags[-1], "the last code cell records the metrics"
    recording = [i for i, src in enumerate(sources) if "metrics.record(" in src or "course.record(" in src]
    assert recording == [len(cells) - 1], f"{notebook.name}: metrics are recorded outside the final cell"
    assert sum("helpers.course.setup(" in src for src in sources) == 1


def _nb(tmp_path, cells, tags=None) -> Path:
    path = tmp_path / "x.ipynb"
    path.write_text(
        json.dumps({"cells": [{"cell_type": "code", "metadata": {"tags": tags or []}, "source": src} for src in cells]})
    )
    return path


def test_a_long_metrics_call_counts_every_line(tmp_path):
    nb = _nb(tmp_path, ["model.fit(x, y)\nhelpers.course.metrics.record(\n    NB,\n    accuracy=acc,\n)\n"])
    assert machinery.share(nb) == (4, 5)


def test_a_bookkeeping_branch_counts_whole_but_lesson_code_inside_a_loop_does_not(tmp_path):
    nb = _nb(
        tmp_path,
        [
            "if BACKBONE == 'vgg16':\n    Base = VGG16\nelse:\n    Base = Xception\n",
            "for epoch in range(3):\n    model.fit(x)\n    helpers.course.metrics.record(NB, e=epoch)\n",
        ],
    )
    assert [m for _, m in machinery.code_lines(nb)] == [True] * 4 + [False, False, True]


def test_tagged_cells_are_machinery_and_comments_do_not_count(tmp_path):
    assert machinery.share(_nb(tmp_path, ["# fetch the course\nimport os\nx = 1\n"], tags=["colab"])) == (2, 2)
    assert machinery.share(_nb(tmp_path, ["%matplotlib inline\nmodel.summary()\n"])) == (0, 2)


def test_what_the_setup_call_resolved_counts_as_machinery(tmp_path):
    nb = _nb(tmp_path, ["ROOT = course.data\nimages = load(ROOT)\n"])
    assert [m for _, m in machinery.code_lines(nb)] == [True, False]
