"""Execute the course's notebooks headless (papermill) into ``build/``, with HTML copies.

Used by ``make run`` and by the test suite, so both run notebooks the same way.

>>> [p.name for p in notebooks()][:1]
['00_concepts.ipynb']
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from pathlib import Path

from .colab import SETUP_TAG

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
BUILD_ENV = "COURSE_BUILD_DIR"  # a run that must not touch build/ (the rehearsal) points it elsewhere
BUILD = Path(os.environ.get(BUILD_ENV) or ROOT / "build")


def notebooks() -> list[Path]:
    """Every course notebook, in course order (a new one is picked up automatically)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def execute(
    path: Path, *, quick: bool = True, out_dir: Path | None = None, parameters: dict | None = None, timeout: int = 1800
) -> Path:
    """Run one notebook in a fresh kernel with papermill; return the executed copy.

    ``quick`` is injected as the ``QUICK`` parameter; ``parameters`` add or override
    others. Raises ``papermill.PapermillExecutionError`` when a cell fails.

    Example: ``execute(NOTEBOOKS / "00_concepts.ipynb")``
    """
    import papermill

    out_dir = Path(out_dir or BUILD / "executed")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / path.name
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # The kernel inherits our environment: a test's MPLBACKEND=Agg would strip every figure.
    backend = os.environ.pop("MPLBACKEND", None)
    try:
        with _kernel_stderr_to(out_dir / f"{path.stem}.kernel.log"):
            papermill.execute_notebook(
                str(path),
                str(out),
                parameters={"QUICK": quick, **(parameters or {})},
                cwd=str(path.parent),
                kernel_name="python3",
                progress_bar=False,
                execution_timeout=timeout,
            )
    finally:
        if backend is not None:
            os.environ["MPLBACKEND"] = backend
        if out.is_file():
            import nbformat

            nbformat.write(strip_tf_log_noise(_read(out)), str(out))
    return out


@contextlib.contextmanager
def _kernel_stderr_to(log: Path):
    """Send what the kernel process prints to its own stderr into ``log``, not onto the console.

    That is TensorFlow's C++ start-up lines and ipykernel's "running over TCP" warning; the
    cells' outputs (errors included) still reach the executed notebook and its exception.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(log, "wb") as f:
            os.dup2(f.fileno(), 2)  # the kernel, started inside, inherits this descriptor
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)


# TensorFlow's C++ start-up lines, which a headless kernel copies into the first cells' stderr:
# absl's preamble, INFO/WARNING lines ("I0000 00:00:... port.cc:153] oneDNN ..."), and the CUDA
# probe that fails on every machine without a GPU. Other C++ errors are kept.
_TF_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called.*"
    r"|[IW]\d{4} \S+\s+\d+ \S+:\d+\] .*"
    r"|E\d{4} \S+\s+\d+ cuda_\w+\.cc:\d+\] .*)$"
)


def strip_tf_log_noise(nb):
    """Remove TensorFlow's C++ start-up log lines from every stderr output; ``nb`` changed in place.

    >>> import nbformat
    >>> noisy = ("I0000 00:00:1795.5   3725 port.cc:153] oneDNN custom operations are on.\\n"
    ...          "E0000 00:00:1795.6   3725 cuda_platform.cc:52] failed call to cuInit\\nreal warning\\n")
    >>> cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("stream", name="stderr", text=noisy)])
    >>> strip_tf_log_noise(nbformat.v4.new_notebook(cells=[cell])).cells[0].outputs[0].text
    'real warning\\n'
    """
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines = output.get("text", "").splitlines(keepends=True)
                output["text"] = "".join(line for line in lines if not _TF_NOISE.match(line.rstrip("\n")))
                if not output["text"]:
                    continue
            kept.append(output)
        if cell.cell_type == "code":
            cell.outputs = kept
    return nb


def to_html(executed: Path, out_dir: Path | None = None) -> Path:
    """Convert an executed notebook to a standalone HTML page."""
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir or BUILD / "html")
    out_dir.mkdir(parents=True, exist_ok=True)
    body, _ = HTMLExporter().from_notebook_node(with_mode_banner(_read(executed)))
    out = out_dir / (executed.stem + ".html")
    out.write_text(body, encoding="utf-8")
    return out


def run_course(quick: bool = True) -> int:
    """Execute every notebook in order, write HTML, print a timing table; 1 if any failed."""
    failed = []
    for nb in notebooks():
        start = time.perf_counter()
        try:
            executed = execute(nb, quick=quick)
            to_html(executed)
            status = "ok"
        except Exception as e:  # report every notebook, then fail
            status = f"FAILED: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            failed.append(nb.name)
        print(f"{nb.name:34s} {time.perf_counter() - start:7.1f} s  {status}", flush=True)
    print(f"executed notebooks in {BUILD / 'executed'}, HTML in {BUILD / 'html'}")
    return 1 if failed else 0


# ---------------------------------------------------------------- slides and HTML for instructors

SKIP_TAGS = {"parameters", "injected-parameters", "setup", "metrics", SETUP_TAG, "solution", "remove-cell", "skip"}


def _read(path: Path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def full_mode_available() -> bool:
    """True when every asset the full course needs is in the cache (no download is tried)."""
    from . import assets

    return all(assets.is_present(a.name) for a in assets.ASSETS.values() if a.full_course)


def executed_mode(nb) -> str | None:
    """ "QUICK" or "FULL" from the parameters papermill injected, None if not run by papermill."""
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    if "QUICK" not in params:
        return None
    return "QUICK" if params["QUICK"] else "FULL"


def with_mode_banner(nb):
    """Insert, after the title cell, a line saying in which mode the notebook was executed."""
    import nbformat

    mode = executed_mode(nb)
    if mode is None:
        return nb
    what = "small data, few epochs: numbers are for a first look" if mode == "QUICK" else "the real course"
    banner = nbformat.v4.new_markdown_cell(
        f"> Executed in **{mode} mode** ({what}) with papermill; stand-ins used offline are named in the outputs."
    )
    banner.metadata["tags"] = ["mode-banner"]
    nb.cells.insert(1 if nb.cells else 0, banner)
    return nb


def split_at_headings(nb):
    """Split every markdown cell that holds several ``#``/``##`` headings into one cell per heading.

    A slide starts at a heading; a cell that holds a summary *and* the exercises would otherwise
    put both on one slide. Returns ``nb`` (changed in place).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## A\\nx\\n## B\\ny")])
    >>> [c.source for c in split_at_headings(nb).cells]
    ['## A\\nx', '## B\\ny']
    """
    import nbformat

    cells = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        parts, current, in_code = [], [], False
        for line in cell.source.splitlines():
            in_code ^= line.lstrip().startswith("```")  # a "# comment" inside a code block is no heading
            if not in_code and line.startswith(("# ", "## ")) and current and any(x.strip() for x in current):
                parts.append("\n".join(current).strip("\n"))
                current = []
            current.append(line)
        parts.append("\n".join(current).strip("\n"))
        cell.source = parts[0]
        cells.append(cell)
        for part in parts[1:]:
            extra = nbformat.v4.new_markdown_cell(part)
            extra.metadata["tags"] = list(cell.metadata.get("tags", []))
            cells.append(extra)
    nb.cells = cells
    return nb


def _is_exercise_code(source: str) -> bool:
    """Code that imports or calls the exercise checks: for the learner at their desk, not a slide."""
    return "helpers.exercises" in source or bool(re.search(r"\bex\.q\d", source))


def tag_slides(nb):
    """Give every cell without one a ``slideshow.slide_type``; return ``nb`` (changed in place).

    Markdown starting with ``#`` or ``##`` opens a new slide, ``###`` a sub-slide; other
    markdown continues the slide ("-") and code cells appear as fragments. The parameters cell,
    the setup call, the final metrics cell and ``solution`` cells are skipped (by their tags), as
    are the markdown cells that introduce the parameters and the setup call, and exercise checks
    (``ex.q1.check(...)``). Slide types already set by an author are kept.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
    ...                                      nbformat.v4.new_code_cell("print(1)")])
    >>> [c.metadata["slideshow"]["slide_type"] for c in tag_slides(nb).cells]
    ['slide', 'fragment']
    """
    after_parameters = False
    for index, cell in enumerate(nb.cells):
        tags = set(cell.metadata.get("tags", []))
        following = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
        introduces_skipped = (
            cell.cell_type == "markdown"
            and following is not None
            and bool({"parameters", "setup"} & set(following.metadata.get("tags", [])))
            and not cell.source.lstrip().startswith("#")
            and "mode-banner" not in tags
        )
        is_parameters = bool(tags & {"parameters", "injected-parameters"})
        slideshow = cell.metadata.setdefault("slideshow", {})
        if "slide_type" not in slideshow:
            source = cell.source.lstrip()
            if tags & SKIP_TAGS or introduces_skipped:
                kind = "skip"
            elif cell.cell_type == "code" and (after_parameters or _is_exercise_code(source)):
                kind = "skip"
            elif cell.cell_type == "markdown" and source.startswith(("# ", "## ")):
                kind = "slide"
            elif cell.cell_type == "markdown" and source.startswith("### "):
                kind = "subslide"
            elif cell.cell_type == "code":
                kind = "fragment"
            else:
                kind = "-"
            slideshow["slide_type"] = kind
        if cell.cell_type == "code":
            after_parameters = is_parameters  # only the code cell right after them
    return nb


def to_slides(executed: Path, out_dir: Path | None = None) -> Path:
    """Convert an executed notebook to reveal.js slides ``<out_dir>/<name>.slides.html``.

    The copy is tagged with :func:`tag_slides` on the way; ``notebooks/`` is never changed. The deck
    opens offline: reveal.js and require.js are copied into ``out_dir`` (:mod:`helpers.course.decks`).
    """
    from . import decks

    out_dir = decks.install(Path(out_dir or BUILD / "slides"))
    nb = tag_slides(split_at_headings(with_mode_banner(decks.local_images(_read(executed)))))
    body, _ = decks.exporter().from_notebook_node(nb)
    out = out_dir / (executed.stem + ".slides.html")
    out.write_text(body, encoding="utf-8")
    return out


def error_outputs(nb_path: Path) -> list[str]:
    """Every error in an executed notebook: error outputs and tracebacks printed to stderr.

    >>> error_outputs(NOTEBOOKS / "00_concepts.ipynb")  # committed without outputs
    []
    """
    found = []
    for i, cell in enumerate(_read(Path(nb_path)).cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {i}: {output.get('ename')}: {output.get('evalue')}")
            elif (
                output.get("output_type") == "stream"
                and output.get("name") == "stderr"
                and "Traceback (most recent call last)" in output.get("text", "")
            ):
                found.append(f"cell {i}: a traceback printed to stderr")
    return found


def build_docs(
    kind: str, quick: bool | None = None, *, paths: list[Path] | None = None, out_dir: Path | None = None
) -> list[Path]:
    """Execute every notebook and convert it: ``kind`` "slides" (reveal.js) or "html".

    ``quick=None`` runs full mode when every asset marked ``full_course`` in the asset table is cached,
    else quick mode; the page says which. Raises ``RuntimeError`` naming the notebooks
    that failed or hold error outputs, after converting all of them.
    """
    if kind not in ("slides", "html"):
        raise ValueError(f"kind={kind!r}: use 'slides' or 'html'")
    if quick is None:
        quick = not full_mode_available()
    convert = to_slides if kind == "slides" else to_html
    out_dir = Path(out_dir or BUILD / kind)
    print(f"{kind} in {out_dir}, notebooks executed in {'QUICK' if quick else 'FULL'} mode", flush=True)
    if kind == "slides":  # before minutes of execution: fails at once offline without the cached tarballs
        from . import decks

        decks.install(out_dir)
        print(f"reveal.js and require.js in {out_dir} (cached in {decks.vendor_dir()}): the decks open offline")
    made, failed = [], []
    for nb in paths or notebooks():
        start = time.perf_counter()
        executed = BUILD / "executed" / nb.name
        status = "ok"
        try:
            executed = execute(nb, quick=quick)
        except Exception as e:  # papermill still wrote the notebook up to the failing cell
            status = f"FAILED: {type(e).__name__}"
        if executed.is_file():
            errors = error_outputs(executed)
            if errors and status == "ok":
                status = f"FAILED: {errors[0]}"
            made.append(convert(executed, out_dir))
        if status != "ok":
            failed.append(nb.name)
        print(f"{nb.name:34s} {time.perf_counter() - start:7.1f} s  {status}", flush=True)
    if failed:
        raise RuntimeError(f"{len(failed)} notebook(s) failed: {', '.join(failed)}")
    return made


# ---------------------------------------------------------------- the learner's edition

LEARNER_DROPS = {"solution", "metrics", "notes"}  # cells the learner's edition leaves out (notes: speaker notes)
SOLUTIONS_NOTE = "Solutions are in the hidden cells below (click to expand); try first."
LEARNER_NOTE = (
    "This is the learner's edition: it has no solution cells, so Run All never shows an answer. When "
    "you have tried, `ex.q1.solution()` prints the solution of a checked exercise; the instructor's "
    "edition (`notebooks/` in the course repository) has every solution."
)


def learner_edition(notebook: Path, out_dir: Path | None = None) -> Path:
    """Write ``notebook`` without its solution cells and its metrics cell, outputs cleared.

    One source: the notebooks in git are the instructor's edition; this derives the learner's
    (``build/learner/`` by default), in which Run All never runs a solution. The sentence that
    points to the hidden solution cells points to ``ex.qN.solution()`` instead.

    Example: ``learner_edition(NOTEBOOKS / "02_vgg16_feature_extraction.ipynb")``
    """
    import nbformat

    nb = _read(notebook)
    nb.cells = [c for c in nb.cells if not LEARNER_DROPS & set(c.metadata.get("tags", []))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        elif SOLUTIONS_NOTE in cell.source:
            cell.source = cell.source.replace(SOLUTIONS_NOTE, LEARNER_NOTE)
    out = Path(out_dir or BUILD / "learner") / notebook.name
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out))
    return out
