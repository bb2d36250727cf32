"""Instructors' slides and HTML: one tiny notebook executed with papermill, then converted."""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers.course import runner

SECRET_PARAMETER = "parameter-cell-not-for-slides"
SECRET_SETUP = "setup-cell-not-for-slides"
SECRET_SOLUTION = "solution-cell-not-for-slides"


def _tiny_notebook(path):
    v4 = nbformat.v4
    params = v4.new_code_cell(f'QUICK = False\nLABEL = "{SECRET_PARAMETER}"')
    params.metadata["tags"] = ["parameters"]
    solution = v4.new_code_cell(f'print("{SECRET_SOLUTION}")')
    solution.metadata["tags"] = ["solution"]
    solution.metadata["jupyter"] = {"source_hidden": True}
    cells = [
        v4.new_markdown_cell("# A tiny course notebook\nWhat you will learn."),
        params,
        v4.new_code_cell(f'print("{SECRET_SETUP}", "QUICK" if QUICK else "FULL")'),
        v4.new_markdown_cell("## First idea\nWhy it matters."),
        v4.new_code_cell('print("hello from " + "the first idea")'),
        v4.new_markdown_cell("## Exercises\nTry first."),
        solution,
    ]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    source = _tiny_notebook(tmp / "99_tiny.ipynb")
    return runner.execute(source, quick=True, out_dir=tmp / "executed", timeout=120)


def test_tag_slides_rules():
    nb = nbformat.read(str(runner.NOTEBOOKS / "00_concepts.ipynb"), as_version=4)
    kinds = [c.metadata["slideshow"]["slide_type"] for c in runner.tag_slides(nb).cells]
    for cell, kind in zip(nb.cells, kinds):
        tags = cell.metadata.get("tags", [])
        plumbing = {"solution", "parameters", "setup", "metrics", "colab"} & set(tags)
        introduces_setup = cell.source.startswith("The next cell prepares the run")
        if plumbing or introduces_setup:
            assert kind == "skip", cell.source[:60]
        elif cell.cell_type == "markdown" and cell.source.startswith(("# ", "## ")):
            assert kind == "slide"
    assert kinds[0] == "slide"
    preset = nbformat.v4.new_markdown_cell("# kept")
    preset.metadata["slideshow"] = {"slide_type": "notes"}
    assert (
        runner.tag_slides(nbformat.v4.new_notebook(cells=[preset])).cells[0].metadata["slideshow"]["slide_type"]
        == "notes"
    )


def test_slides_from_an_executed_notebook(executed, tmp_path):
    assert runner.error_outputs(executed) == []
    out = runner.to_slides(executed, tmp_path / "slides")
    assert out == tmp_path / "slides" / "99_tiny.slides.html" and out.is_file()
    html = out.read_text(encoding="utf-8")
    assert "reveal" in html.lower()
    assert "hello from the first idea" in html
    assert "QUICK mode" in html, "the page must say in which mode it was executed"
    assert "Traceback" not in html and "ename" not in html
    for secret in (SECRET_PARAMETER, SECRET_SETUP, SECRET_SOLUTION):
        assert secret not in html, f"a skipped cell ({secret}) shows on the slides"
    headings = 3  # "# A tiny course notebook", "## First idea", "## Exercises"
    assert len(re.findall(r"<section\b", html)) >= headings
    for title in ("A tiny course notebook", "First idea", "Exercises"):
        assert title in html


def test_html_page_says_the_mode(executed, tmp_path):
    out = runner.to_html(executed, tmp_path / "html")
    html = out.read_text(encoding="utf-8")
    assert out.name == "99_tiny.html"
    assert "QUICK mode" in html and "hello from the first idea" in html
    assert "Traceback" not in html


def test_error_outputs_finds_errors(tmp_path):
    v4 = nbformat.v4
    bad = v4.new_code_cell(
        "1 / 0",
        outputs=[
            v4.new_output(
                "error",
                ename="ZeroDivisionError",
                evalue="division by zero",
                traceback=["Traceback (most recent call last)", "ZeroDivisionError: division by zero"],
            )
        ],
    )
    noisy = v4.new_code_cell(
        "",
        outputs=[
            v4.new_output("stream", name="stderr", text="Traceback (most recent call last):\n  ...\nValueError\n")
        ],
    )
    fine = v4.new_code_cell("print(1)", outputs=[v4.new_output("stream", name="stdout", text="1\n")])
    path = tmp_path / "bad.ipynb"
    nbformat.write(v4.new_notebook(cells=[fine, bad, noisy]), str(path))
    assert runner.error_outputs(path) == [
        "cell 1: ZeroDivisionError: division by zero",
        "cell 2: a traceback printed to stderr",
    ]
    nbformat.write(v4.new_notebook(cells=[fine]), str(path))
    assert runner.error_outputs(path) == []


def test_build_docs_fails_on_a_notebook_with_an_error(tmp_path, monkeypatch):
    v4 = nbformat.v4
    source = tmp_path / "98_broken.ipynb"
    nbformat.write(v4.new_notebook(cells=[v4.new_markdown_cell("# Broken"), v4.new_code_cell("1 / 0")]), str(source))
    executed = tmp_path / "executed" / source.name  # what papermill writes before it raises
    executed.parent.mkdir()
    error = v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])
    nbformat.write(
        v4.new_notebook(cells=[v4.new_markdown_cell("# Broken"), v4.new_code_cell("1 / 0", outputs=[error])]),
        str(executed),
    )

    def fake_execute(path, quick):  # no kernel needed: the run "failed" and left its notebook
        raise RuntimeError("PapermillExecutionError stand-in")

    monkeypatch.setattr(runner, "BUILD", tmp_path)
    monkeypatch.setattr(runner, "execute", fake_execute)
    with pytest.raises(RuntimeError, match="98_broken.ipynb"):
        runner.build_docs("html", quick=True, paths=[source], out_dir=tmp_path / "html")
    assert (tmp_path / "html" / "98_broken.html").is_file(), "the failing page is still written"
    monkeypatch.setattr(runner, "execute", lambda path, quick: executed)  # ran, but holds an error
    with pytest.raises(RuntimeError, match="98_broken.ipynb"):
        runner.build_docs("slides", quick=True, paths=[source], out_dir=tmp_path / "slides")
