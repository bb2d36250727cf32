"""Running the course in Google Colab: "Open in Colab" badges and the cell that sets Colab up.

Colab opens a notebook straight from GitHub but not the rest of the repository, so each
notebook's second cell clones the course (once) and makes ``import helpers`` work there; on
any other machine that cell does nothing. ``python -m helpers colab`` writes the badges into
the README and every notebook's first cell, and that setup cell, from :data:`REPOSITORY`
(the one place that names the public repository); a test checks they agree.

>>> colab_url("00_concepts.ipynb").startswith("https://colab.research.google.com/github/")
True
"""

from __future__ import annotations

import re
from pathlib import Path

#: The course's public GitHub repository (owner/name). Change it here, then run ``python -m helpers colab``.
REPOSITORY = "transfer-learning-course/transfer-learning-course"
BRANCH = "main"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
_BADGE_LINE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)[ \t]*$", re.MULTILINE)
SETUP_TAG = "colab"  # the setup cell's tag (slides and HTML leave it out)
SETUP_MARK = "# Google Colab only"


def colab_url(notebook: str) -> str:
    """The Colab address that opens ``notebooks/<notebook>`` from the course's GitHub repository.

    >>> colab_url("01_xception_prediction.ipynb").endswith("/blob/main/notebooks/01_xception_prediction.ipynb")
    True
    """
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{notebook}"


def badge(notebook: str) -> str:
    """The Markdown "Open in Colab" badge for one notebook.

    >>> badge("00_concepts.ipynb").startswith("[![Open In Colab](")
    True
    """
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(notebook)})"


def setup_cell() -> str:
    """Source of the notebook cell that prepares Colab (clone once, enter notebooks/, import path).

    Elsewhere its ``if`` is false and the cell does nothing; the notebooks keep it collapsed.
    """
    return f"""{SETUP_MARK} (elsewhere this cell does nothing): get the course, so that `import helpers` works.
import sys

if "google.colab" in sys.modules:
    REPO = "https://github.com/{REPOSITORY}"
    ![ -d /content/course ] || git clone -q --depth 1 $REPO /content/course
    %cd /content/course/notebooks
    sys.path.insert(0, "/content/course")"""


def with_badge(markdown: str, notebook: str) -> str:
    """``markdown`` (a notebook's first cell) with its badge line added after the title, or updated.

    >>> with_badge("# 00 · Title\\n\\nText", "00_concepts.ipynb").splitlines()[2].startswith("[![Open In Colab]")
    True
    """
    line = badge(notebook)
    if _BADGE_LINE.search(markdown):
        return _BADGE_LINE.sub(lambda _: line, markdown, count=1)
    title, _, rest = markdown.partition("\n")
    return f"{title}\n\n{line}\n{rest}" if rest else f"{title}\n\n{line}"


def update_notebook(path: Path) -> bool:
    """Write the badge and the Colab setup cell into one notebook; True when it changed."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    before = nbformat.writes(nb)
    first = nb.cells[0]
    first.source = with_badge(first.source, path.name)
    setup = [c for c in nb.cells if SETUP_TAG in c.metadata.get("tags", [])]
    if not setup:
        setup = [nbformat.v4.new_code_cell("", metadata={"tags": [SETUP_TAG]})]
        nb.cells.insert(1, setup[0])
    setup[0].source = setup_cell()
    setup[0].metadata.setdefault("jupyter", {})["source_hidden"] = True  # plumbing: collapsed
    changed = nbformat.writes(nb) != before
    if changed:
        nbformat.write(nb, str(path))
    return changed


def readme_table(notebooks: list[Path]) -> str:
    """The README's list of badges, one line per notebook."""
    return "\n".join(f"- `{p.stem}` {badge(p.name)}" for p in notebooks)


def update_readme(readme: Path, notebooks: list[Path]) -> bool:
    """Replace the block between the README's ``<!-- colab -->`` markers; True when it changed."""
    text = readme.read_text()
    start, end = "<!-- colab -->", "<!-- /colab -->"
    if start not in text or end not in text:
        raise ValueError(f"{readme}: add the lines {start} and {end} where the Colab badges go")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    new = f"{head}{start}\n{readme_table(notebooks)}\n{end}{tail}"
    if new != text:
        readme.write_text(new)
    return new != text
