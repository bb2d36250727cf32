"""Open-in-Colab badges and the Colab setup cell: present everywhere, in sync, inert off Colab."""

import os
import shutil
import subprocess
import sys
import types

import pytest

from helpers.course import colab, runner


@pytest.mark.parametrize("path", runner.notebooks(), ids=lambda p: p.stem)
def test_every_notebook_has_its_badge_and_setup_cell(path, tmp_path):
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    assert colab.badge(path.name) in nb.cells[0].source, f"{path.name}: run `python -m helpers colab`"
    setup = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(colab.SETUP_MARK)]
    assert len(setup) == 1 and setup[0].source == colab.setup_cell(), (
        f"{path.name}: Colab setup cell missing or stale; run `python -m helpers colab`"
    )
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is setup[0], "the Colab cell must run before anything imports helpers"
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    assert not colab.update_notebook(copy), f"{path.name} differs from what `python -m helpers colab` writes"


def test_readme_badges_list_every_notebook(tmp_path):
    readme = tmp_path / "README.md"
    shutil.copy(runner.ROOT / "README.md", readme)
    assert not colab.update_readme(readme, runner.notebooks()), "run `python -m helpers colab`"
    for path in runner.notebooks():
        assert colab.colab_url(path.name) in readme.read_text()


def test_badge_is_replaced_not_duplicated():
    once = colab.with_badge("# Title\n\nBody", "00_concepts.ipynb")
    stale = once.replace(colab.REPOSITORY, "someone/old-name")
    again = colab.with_badge(stale, "00_concepts.ipynb")
    assert again == once and again.count("Open In Colab") == 1


def test_readme_without_markers_is_a_clear_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Course\n")
    with pytest.raises(ValueError, match="<!-- colab -->"):
        colab.update_readme(readme, runner.notebooks())


def _as_python(cell: str) -> str:
    """The cell as IPython runs it (``!`` and ``%`` lines become ``get_ipython()`` calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell)


def test_setup_cell_does_nothing_outside_colab():
    code = "get_ipython = None\n" + _as_python(colab.setup_cell()) + "\nprint(os.getcwd(), sys.path[0])"
    probe = "import os, sys; print(os.getcwd(), sys.path[0])"
    env = {**os.environ, "PYTHONPATH": ""}
    ran = subprocess.run(
        [sys.executable, "-c", "import os\n" + code], capture_output=True, text=True, env=env, check=True
    )
    expected = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert ran.stdout == expected.stdout


def test_setup_cell_in_colab_clones_once_and_enters_notebooks(monkeypatch):
    calls = []
    shell = types.SimpleNamespace(
        system=lambda cmd: calls.append(("!", cmd)), run_line_magic=lambda name, arg: calls.append((name, arg))
    )
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(sys, "path", list(sys.path))
    namespace = {"get_ipython": lambda: shell}
    exec(_as_python(colab.setup_cell()), namespace)
    clone = "[ -d /content/course ] || git clone -q --depth 1 $REPO /content/course"  # IPython expands $REPO
    assert calls == [("!", clone), ("cd", "/content/course/notebooks")]
    assert namespace["REPO"] == f"https://github.com/{colab.REPOSITORY}" and sys.path[0] == "/content/course"
    done = subprocess.run(
        ["bash", "-c", clone.replace("git clone", "echo CLONED").replace("/content/course", sys.prefix)],
        capture_output=True,
        text=True,
    )
    assert done.stdout == "", "a second run must not clone again into an existing folder"


def test_the_setup_cell_is_collapsed_in_every_notebook():
    import nbformat

    for path in runner.notebooks():
        cell = next(c for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code")
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, path.name


@pytest.mark.parametrize("path", runner.notebooks()[:1], ids=lambda p: p.stem)
def test_slides_leave_the_setup_cell_out(path):
    import nbformat

    nb = runner.tag_slides(nbformat.read(str(path), as_version=4))
    setup = [c for c in nb.cells if colab.SETUP_TAG in c.metadata.get("tags", [])]
    assert setup and all(c.metadata["slideshow"]["slide_type"] == "skip" for c in setup)
