"""Every notebook: format rules, and a papermill run in quick mode that records its metrics."""

from __future__ import annotations

import ast
import json
import logging
import re

import pytest

from helpers.course import params, runner

NOTEBOOKS = runner.notebooks()
IDS = [p.stem for p in NOTEBOOKS]


def test_course_has_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    assert NOTEBOOKS[0].name.startswith("00_")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exactly_one_parameters_cell(path):
    cells = json.loads(path.read_text())["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters', need exactly 1"
    assert tagged[0]["cell_type"] == "code"
    assert "QUICK" in "".join(tagged[0]["source"]), f"{path.name}: parameters cell lacks QUICK"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_cell_holds_literals_only(path, caplog):
    """papermill reads only literal assignments: anything else hides a parameter from it."""
    import papermill

    cell = next(
        c for c in json.loads(path.read_text())["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])
    )
    for node in ast.parse("".join(cell["source"])).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, (
            f"{path.name}: parameters cell line {node.lineno} is not a plain assignment"
        )
        ast.literal_eval(node.value)  # raises ValueError on an expression such as os.environ.get(...)
    with caplog.at_level(logging.WARNING, logger="papermill"):
        found = papermill.inspect_notebook(str(path))
    assert "QUICK" in found and found["QUICK"]["default"] == "None", found.get("QUICK")
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("papermill")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path):
    cells = json.loads(path.read_text())["cells"]
    dirty = [i for i, c in enumerate(cells) if c.get("outputs") or c.get("execution_count")]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs or execution counts; run "
        "`jupyter nbconvert --clear-output --inplace` on it"
    )


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_in_quick_mode(path, run_notebook):
    recorded = run_notebook(path.stem)
    executed = runner.BUILD / "executed" / path.name
    assert executed.is_file()
    assert not runner.error_outputs(executed), runner.error_outputs(executed)
    assert recorded.get("quick") is True, f"{path.stem} did not record quick mode"
    assert isinstance(recorded.get("standins"), list), f"{path.stem} did not record its stand-ins"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_solution_cells_pass_their_own_checks(path, run_notebook):
    """Each hidden solution's answer passes its check.

    Counted from the executed cell: every check call on an unindented line must print "Correct:"
    (an indented one may sit in a branch that runs only online). "Not yet" may appear only where
    the solution checks a wrong answer on purpose (``not ex.q2.check(wrong)``), to show the message.
    """
    import re

    run_notebook(path.stem)
    cells = json.loads((runner.BUILD / "executed" / path.name).read_text())["cells"]
    for i, cell in enumerate(cells):
        if "solution" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell["source"])
        must_pass = len(
            [
                line
                for line in source.splitlines()
                if re.match(r"\S", line) and re.search(r"(?<!not )ex\.q\d\.check\(", line)
            ]
        )
        text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))
        if not re.search(r"not ex\.q\d\.check\(", source):
            assert "Not yet" not in text, f"{path.name} cell {i}: a solution fails its check:\n{text}"
        assert text.count("Correct:") >= must_pass, (
            f"{path.name} cell {i}: {must_pass} checks must pass, {text.count('Correct:')} did:\n{text}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_helpers_module_a_notebook_uses_is_imported_before_use(path):
    """``helpers.<module>`` used in a cell must be importable by then (``import helpers`` or explicitly).

    Catches, without executing anything, a notebook that calls ``helpers.explain.grad_cam`` in a cell
    above its ``import helpers.explain``: it runs in a kernel that executed the notebook before, and
    fails in a fresh one.
    """
    import re

    import helpers

    available = {name for name in dir(helpers) if not name.startswith("_")}
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        available |= set(re.findall(r"^\s*(?:import|from) helpers\.(\w+)", source, flags=re.M))
        used = set(re.findall(r"\bhelpers\.(\w+)\.", source)) - available
        assert not used, (
            f"{path.name} cell {i} uses helpers.{sorted(used)[0]} before any cell imports it; "
            f"add `import helpers.{sorted(used)[0]}` to the setup cell"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_solutions_are_hidden_and_tagged(path):
    """Exercises: at least two hidden solution cells in every notebook after 00 (one source, no copy)."""
    cells = json.loads(path.read_text())["cells"]
    solutions = [c for c in cells if "solution" in c.get("metadata", {}).get("tags", [])]
    if not path.name.startswith("00_"):
        assert len(solutions) >= 2, f"{path.name}: expected at least two exercise solutions"
    for cell in solutions:
        assert cell["cell_type"] == "code", f"{path.name}: a solution cell must be code"
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, (
            f"{path.name}: solution cell not hidden; set metadata.jupyter.source_hidden = true"
        )


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_slides_and_html_of_the_executed_notebook(path, run_notebook):
    """Instructors' builds (``make slides``/``make html``), from the notebook CI just executed.

    Written to ``build/slides`` and ``build/html``: one slide per ``#``/``##`` heading, the mode
    banner, no errors, and none of the cells a learner should not see on a slide.
    """
    import html as html_lib
    import re

    import nbformat

    run_notebook(path.stem)
    executed = runner.BUILD / "executed" / path.name
    slides = runner.to_slides(executed, runner.BUILD / "slides")
    page = runner.to_html(executed, runner.BUILD / "html")
    assert slides.name == f"{path.stem}.slides.html" and page.name == f"{path.stem}.html"
    deck, html = slides.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")
    for text in (deck, html):
        assert "QUICK mode" in text, "the build must say in which mode it was executed"
        assert "Traceback (most recent call last)" not in text
    source = nbformat.read(str(path), as_version=4)
    headings = [
        line
        for c in source.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith(("# ", "## "))
    ]
    assert len(re.findall(r"<section\b", deck)) >= len(headings), "one slide per heading at least"
    shown = html_lib.unescape(re.sub(r"<[^>]+>", "", deck))  # the text a viewer reads
    skip = {"solution", "parameters"}
    hidden = [c.source for c in source.cells if skip & set(c.metadata.get("tags", []))]
    visible = "\n".join(c.source for c in source.cells if not skip & set(c.metadata.get("tags", [])))
    for cell_source in hidden:  # its longest line that no visible cell also has
        own = [line for line in cell_source.splitlines() if line.strip() and line not in visible]
        line = max(own, key=len)
        assert line not in shown, f"a skipped cell shows on the slides: {line!r}"


def test_the_kernels_own_stderr_goes_to_a_log_not_the_console(tmp_path, capfd):
    """`make run` prints one line per notebook: no ipykernel TCP warning, no TensorFlow start-up lines."""
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("QUICK = None", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("import os\nos.write(2, b'from the kernel process\\n')\nprint('cell ran')"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, str(path))
    out = runner.execute(path, out_dir=tmp_path / "executed")
    console = capfd.readouterr().err
    assert "IPKernelApp" not in console and "from the kernel process" not in console, console
    log = (tmp_path / "executed" / "tiny.kernel.log").read_text()
    assert "IPKernelApp" in log, log  # ipykernel's start-up warning landed there
    assert "cell ran" in out.read_text()


@pytest.mark.parametrize(
    "notebook, defines",
    [
        ("03_fine_tuning", "fine_tune"),
        ("03_fine_tuning", "fine_tune_on_views"),
        ("04_scratch_vs_transfer", "compile_fit"),
    ],
)
def test_training_stops_when_the_validation_loss_stops_improving(notebook, defines):
    """Quick mode's few epochs never reach the patience, so the wiring is checked in the code itself."""
    cells = json.loads((runner.NOTEBOOKS / f"{notebook}.ipynb").read_text())["cells"]
    (code,) = [src for c in cells if c["cell_type"] == "code" and f"def {defines}(" in (src := "".join(c["source"]))]
    assert re.search(r'keras\.callbacks\.EarlyStopping\(monitor="val_loss", patience=\d+, restore_best_weights=', code)
    assert "callbacks=[stop]" in code


@pytest.mark.parametrize(
    "notebook, budget",
    [
        ("02_vgg16_feature_extraction", "EPOCHS"),
        ("03_fine_tuning", "FINE_TUNE_EPOCHS"),
        ("04_scratch_vs_transfer", "EPOCHS"),
    ],
)
def test_early_stopping_can_fire_within_full_modes_budget(notebook, budget):
    """A patience as long as the epoch budget would never stop anything: full mode would pay every epoch."""
    code = "".join(
        "".join(c["source"]) for c in json.loads((runner.NOTEBOOKS / f"{notebook}.ipynb").read_text())["cells"]
    )
    patiences = [int(p) for p in re.findall(r"EarlyStopping\(monitor=\"val_loss\", patience=(\d+)", code)]
    assert patiences, f"{notebook}: no EarlyStopping on the validation loss"
    full_budget = params.DEFAULTS[notebook][budget][1]
    assert max(patiences) < full_budget, (notebook, patiences, full_budget)


def test_04_trains_both_transfer_approaches_on_the_cached_views():
    """Quick mode is too small to tell the times apart, so which data each approach trains on is read in its code."""
    cells = json.loads((runner.NOTEBOOKS / "04_scratch_vs_transfer.ipynb").read_text())["cells"]
    code = {}
    for cell in cells:
        src = "".join(cell["source"])
        for name in ("frozen base + head", "fine-tuned", "from scratch"):
            if cell["cell_type"] == "code" and f'report("{name}"' in src:
                code[name] = src
    # A frozen top block computes the same outputs every epoch: heads train on them, cached once.
    assert code["frozen base + head"].count("data=top_outputs") == 1
    assert "data=cached" not in code["frozen base + head"], "its top block never trains: nothing to recompute"
    assert code["fine-tuned"].count("data=top_outputs") == 1, "the head trains first, on the top block's outputs"
    assert code["fine-tuned"].count("data=cached") == 1, "then the unfrozen top block trains on the views"
    fine = code["fine-tuned"]
    assert fine.index("data=top_outputs") < fine.index("unfreeze_top") < fine.index("data=cached")
    assert "data=cached" not in code["from scratch"], "the scratch CNN learns every layer: nothing to cache"
