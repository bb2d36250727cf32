"""Execute the course's notebooks headless (papermill) into ``build/``, with HTML copies.

Used by ``make run`` and by the test suite, so both run notebooks the same way.

>>> [p.name for p in notebooks()][:1]
['00_concepts.ipynb']
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"


def notebooks() -> list[Path]:
    """Every course notebook, in course order (a new one is picked up automatically)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def execute(path: Path, *, quick: bool = True, out_dir: Path | None = None,
            parameters: dict | None = None, timeout: int = 1800) -> Path:
    """Run one notebook in a fresh kernel with papermill; return the executed copy.

    ``quick`` is injected as the ``QUICK`` parameter; ``parameters`` add or override
    others. Raises ``papermill.PapermillExecutionError`` when a cell fails.

    >>> execute(NOTEBOOKS / "00_concepts.ipynb")  # doctest: +SKIP
    """
    import papermill

    out_dir = Path(out_dir or BUILD / "executed")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / path.name
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    papermill.execute_notebook(
        str(path), str(out), parameters={"QUICK": quick, **(parameters or {})},
        cwd=str(path.parent), kernel_name="python3", progress_bar=False,
        execution_timeout=timeout,
    )
    return out


def to_html(executed: Path, out_dir: Path | None = None) -> Path:
    """Convert an executed notebook to a standalone HTML page."""
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir or BUILD / "html")
    out_dir.mkdir(parents=True, exist_ok=True)
    body, _ = HTMLExporter().from_filename(str(executed))
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
