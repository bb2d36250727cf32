"""How much of each notebook's code is course machinery rather than the lesson.

A non-blank code line is *machinery* when its cell is tagged as plumbing (``colab``, ``setup``,
``metrics``) or when the statement it belongs to does course bookkeeping: the quick/full switch,
parameter checks, which base runs, stand-in labels and caveats, provenance, metric records, the
runner's folders (a 30-line ``metrics.record(...)`` call is 30 lines of machinery). Everything
else teaches (Keras calls, data pipelines, plots, exercises). ``tests/test_notebook_machinery.py``
holds every notebook to its share.

Run: ``python tools/machinery.py`` (one line per notebook).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
MACHINERY_TAGS = {"colab", "setup", "metrics"}
# One alternative per kind of bookkeeping; a line that matches any of them is machinery.
MACHINERY_LINE = re.compile(
    "|".join(
        [
            r"\bQUICK\b",  # the quick/full switch and what it decides
            r"\bcourse\.",  # what the setup call resolved (data folder, weights), its records
            r"helpers\.course\b",
            r"check_int\(",  # what runs the course: plumbing, parameter checks,
            r"metrics\.record\(",
            r"\brunner\.",  # metric records, the runner's folders
            r"CAVEAT|REPRESENTATIVE|note_standin|is_standin|\bprovenance\b",  # stand-in labels and caveats
            r"\bBACKBONE\b|imagenet_weights\(|\bw\.value\b",  # which base runs here
            r"^\s*(if .*:\s*)?raise (ValueError|RuntimeError)\(",  # guards against a wrong parameter
            r"google\.colab|subprocess|sys\.path|os\.chdir",  # Colab plumbing
        ]
    )
)


def _groups(nodes, lines: list[str]) -> list[list[int]]:
    """Line numbers per simple statement; a compound statement whose header does bookkeeping is one group."""
    groups = []
    for node in nodes:
        body = [
            n
            for field in ("body", "orelse", "finalbody", "handlers")
            for n in getattr(node, field, [])
            if isinstance(n, ast.AST)
        ]
        if not body:
            groups.append(list(range(node.lineno - 1, node.end_lineno)))
            continue
        header = list(range(node.lineno - 1, body[0].lineno - 1))
        if any(MACHINERY_LINE.search(lines[i]) for i in header):
            groups.append(list(range(node.lineno - 1, node.end_lineno)))
            continue
        inner = _groups(body, lines)
        inside = {i for g in inner for i in g}
        groups += inner + [[i] for i in range(node.lineno - 1, node.end_lineno) if i not in inside]
    return groups


def _statements(source: str) -> list[list[str]]:
    """The source's lines grouped by statement (by line when it is not plain Python)."""
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics
        return [[line] for line in lines]
    groups = _groups(tree.body, lines)
    covered = {i for g in groups for i in g}
    groups += [[i] for i in range(len(lines)) if i not in covered]  # comments, blanks
    return [[lines[i] for i in g] for g in sorted(groups)]


def code_lines(notebook: Path) -> list[tuple[str, bool]]:
    """Every non-blank, non-comment code line of ``notebook`` with whether it is machinery.

    >>> lines = code_lines(NOTEBOOKS / "02_vgg16_feature_extraction.ipynb")
    >>> any(m for line, m in lines if "epochs" in line) and not all(m for _, m in lines)
    True
    """
    out = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        tagged = bool(MACHINERY_TAGS & set(cell["metadata"].get("tags", [])))
        for statement in _statements("".join(cell["source"])):
            machinery = tagged or any(MACHINERY_LINE.search(line) for line in statement)
            out += [(line, machinery) for line in statement if line.strip() and not line.lstrip().startswith("#")]
    return out


def share(notebook: Path) -> tuple[int, int]:
    """``(machinery lines, code lines)`` of one notebook."""
    lines = code_lines(notebook)
    return sum(m for _, m in lines), len(lines)


def main() -> int:
    for nb in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        m, n = share(nb)
        print(f"{nb.stem}: {m}/{n} code lines are machinery ({m / n:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
