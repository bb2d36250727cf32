"""The real course, timed: notebooks 02-04 in full mode on a real-sized dataset, per dtype policy.

The learner's online path, rehearsed (:mod:`helpers.course.rehearsal`): a loopback server serves
twins of every asset, among them a ``cats_and_dogs_filtered.zip`` with the real archive's layout and
size (2000 training and 1000 validation JPEGs, 240-500 px) and VGG16's ImageNet file with its real
architecture (random weights: the time is the real course's, the accuracies are not). Every asset is
fetched once before any clock starts; then each notebook runs in full mode (``QUICK = False``, the
real-size parameters) in its own process, once per policy (the notebooks' ``PRECISION`` parameter).

Reported per notebook and policy: wall seconds (and how many of them the solution cells took),
epochs run against epochs allowed (early stopping), test accuracies, the kernel's peak memory.
Used by ``benchmarks/bench.py`` (``make bench``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers.course import metrics, rehearsal, runner
from helpers.course.mirror import MirrorServer, served_files

NOTEBOOKS = ("02_vgg16_feature_extraction", "03_fine_tuning", "04_scratch_vs_transfer")
OUT = runner.BUILD / "bench-course"

_RUN_ONE = """
import json, resource, sys, time
from pathlib import Path
from helpers.course import runner
args = json.loads(sys.argv[1])
start = time.perf_counter()
try:
    runner.execute(Path(args["path"]), quick=args["quick"], out_dir=Path(args["out"]), parameters=args["parameters"],
                   timeout=args["timeout"])
    status = "ok"
except Exception as e:
    status = f"failed: {type(e).__name__}: {str(e)[-300:]}"
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the kernel, our only child
print(json.dumps({"seconds": round(time.perf_counter() - start, 1), "status": status, "peak_rss_mib": round(peak)}))
"""


def time_notebook(
    path: Path, *, quick: bool, out: Path, parameters: dict | None = None, timeout: int = 4 * 3600, env=None
) -> dict:
    """Run one notebook from a fresh Python process: wall seconds, status and its kernel's peak memory.

    A process of its own makes the peak memory the notebook's, not the largest so far. A failure is
    reported in ``status``, not raised: a benchmark reports, it does not stop.

    Example: ``time_notebook(runner.NOTEBOOKS / "01_xception_prediction.ipynb", quick=True, out=Path("build/bench"))``
    """
    args = {"path": str(path), "quick": quick, "out": str(out), "parameters": parameters or {}, "timeout": timeout}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_ONE, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=runner.ROOT,
        env={**os.environ, **(env or {})},
    )
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"seconds": None, "status": f"failed: {done.stderr.strip()[-300:]}", "peak_rss_mib": None}


def epochs_and_accuracy(notebook: str, record: dict) -> dict:
    """Epochs run against epochs allowed, and test accuracies, from a notebook's metrics record.

    >>> epochs_and_accuracy("02_vgg16_feature_extraction",
    ...     {"epochs": 30, "b_val_accuracy": [0.5] * 12, "a_test_accuracy": 0.9, "b_test_accuracy": 0.95})
    {'epochs': {'method B': '12 of 30'}, 'test_accuracy': {'method A': 0.9, 'method B': 0.95}}
    """
    if notebook.startswith("02"):
        epochs = {"method B": f"{len(record.get('b_val_accuracy', []))} of {record.get('epochs')}"}
        accuracy = {"method A": record.get("a_test_accuracy"), "method B": record.get("b_test_accuracy")}
    elif notebook.startswith("03"):
        allowed = record.get("fine_tune_epochs")
        epochs = {
            "fine-tuning": f"{record.get('fine_tune_epochs_run')} of {allowed}",
            "on cached views": f"{record.get('cached_epochs_run')} of {allowed}",
            "high learning rate (cached views)": f"{record.get('high_lr_epochs_run')} of {allowed}",
        }
        accuracy = {
            "frozen": record.get("test_acc_head"),
            "fine-tuned": record.get("test_acc_fine"),
            "on cached views": record.get("test_acc_cached"),
        }
    else:
        rows = record.get("comparison", {})
        epochs = {name: f"{row.get('epochs_run')} of {record.get('epochs')}" for name, row in rows.items()}
        accuracy = {name: row.get("test_acc") for name, row in rows.items()}
    return {"epochs": epochs, "test_accuracy": accuracy}


def tagged_seconds(executed: Path, tag: str = "solution") -> float:
    """Seconds papermill measured in the cells tagged ``tag`` (the solutions a learner's edition drops)."""
    cells = json.loads(Path(executed).read_text())["cells"]
    return round(
        sum(
            float(c["metadata"].get("papermill", {}).get("duration") or 0)
            for c in cells
            if tag in c.get("metadata", {}).get("tags", [])
        ),
        1,
    )


def _run_notebook(
    name: str, policy: str, env: dict[str, str], out: Path, timeout: int, parameters: dict | None = None
) -> dict:
    row = time_notebook(
        runner.NOTEBOOKS / f"{name}.ipynb",
        quick=False,  # full mode: the real course
        out=out / "executed",
        parameters={"PRECISION": policy, **(parameters or {})},
        timeout=timeout,
        env=env,
    )
    executed = out / "executed" / f"{name}.ipynb"
    row["solution_seconds"] = tagged_seconds(executed) if executed.is_file() else None
    record = json.loads((Path(env["COURSE_METRICS_DIR"]) / f"{name}.json").read_text()) if row["status"] == "ok" else {}
    row.update(epochs_and_accuracy(name, record))
    row["precision_recorded"] = record.get("precision")
    return row


def run(
    policies: list[str],
    notebooks: tuple[str, ...] = NOTEBOOKS,
    out: Path = OUT,
    timeout: int = 4 * 3600,
    parameters: dict | None = None,
) -> dict:
    """Each notebook in full mode under each policy, on the real-sized twins; per policy, per notebook.

    ``parameters`` override the full-mode ones (say ``{"EPOCHS": 2}`` for a shorter rehearsal; recorded).
    """
    manifest = rehearsal.build_twins()
    result: dict = {"data": "real-sized twins (2000 + 1000 JPEGs, 240-500 px; VGG16 architecture, random weights)"}
    result["parameters"] = dict(parameters or {})  # empty: the real course's full-mode parameters
    with MirrorServer(served_files(manifest.parent / "mirror")) as server:
        cache = out / "keras-cache"
        cache.mkdir(parents=True, exist_ok=True)
        fetch_env = rehearsal.online_env(server.url, cache, manifest)
        fetched = subprocess.run(
            [sys.executable, "-m", "helpers", "fetch", "--all"], env={**os.environ, **fetch_env}, cwd=runner.ROOT
        )
        if fetched.returncode:
            raise RuntimeError("could not fetch the twins from the rehearsal server: see the output above")
        for policy in policies:
            folder = out / policy
            env = {
                **fetch_env,
                runner.BUILD_ENV: str(folder / "build"),
                "COURSE_METRICS_DIR": str(folder / "metrics"),
            }
            result[policy] = {}
            for name in notebooks:
                print(f"full course, {policy}: {name} ...", flush=True)
                row = result[policy][name] = _run_notebook(name, policy, env, folder, timeout, parameters)
                print(f"  {row['seconds']} s ({row['status']}); epochs {row['epochs']}", flush=True)
    return result


def table(result: dict, policies: list[str]) -> str:
    """Seconds per notebook under each policy, the speed-up, epochs run and test accuracies (Markdown).

    >>> row = {"seconds": 600.0, "solution_seconds": 60.0, "status": "ok", "epochs": {"B": "9 of 30"},
    ...        "test_accuracy": {"B": 0.9}}
    >>> text = table({"float32": {"02_x": row}, "mixed_bfloat16": {"02_x": {**row, "seconds": 300.0}}},
    ...              ["float32", "mixed_bfloat16"])
    >>> print(text.replace("float32 / mixed_bfloat16", "both"))  # doctest: +NORMALIZE_WHITESPACE
    | notebook (full mode) | float32 | mixed_bfloat16 | speed-up | epochs run (both) | test accuracy (both) |
    |---|---|---|---|---|---|
    | 02_x | 10.0 min (solutions 1.0) | 5.0 min (solutions 1.0) | 2.00x | B 9 of 30 / 9 of 30 | B 0.900 / 0.900 |
    | 02-04 together | 10.0 min | 5.0 min | 2.00x | | |
    """
    first = policies[0]
    head = " | ".join(policies)
    both = " / ".join(policies)
    lines = [
        f"| notebook (full mode) | {head} | speed-up | epochs run ({both}) | test accuracy ({both}) |",
        "|---|" + "---|" * (len(policies) + 3),
    ]

    def minutes(row: dict) -> str:
        if row.get("status") != "ok" or row.get("seconds") is None:
            return f"{row.get('status')}"
        return f"{row['seconds'] / 60:.1f} min (solutions {(row.get('solution_seconds') or 0) / 60:.1f})"

    def ratio(a, b) -> str:
        return f"{a / b:.2f}x" if a and b else "-"

    names = list(result[first])
    for name in names:
        rows = [result[p].get(name, {}) for p in policies]
        epochs = "; ".join(
            f"{k} " + " / ".join(r.get("epochs", {}).get(k, "-") for r in rows) for k in rows[0].get("epochs", {})
        )
        accs = "; ".join(
            f"{k} " + " / ".join(_fmt(r.get("test_accuracy", {}).get(k)) for r in rows)
            for k in rows[0].get("test_accuracy", {})
        )
        cells = " | ".join(minutes(r) for r in rows)
        lines.append(
            f"| {name} | {cells} | {ratio(rows[0].get('seconds'), rows[-1].get('seconds'))} | {epochs} | {accs} |"
        )
    totals = [_total(result[p]) for p in policies]
    cells = " | ".join("-" if t is None else f"{t / 60:.1f} min" for t in totals)
    lines.append(f"| 02-04 together | {cells} | {ratio(totals[0], totals[-1])} | | |")
    return "\n".join(lines)


def _total(rows: dict) -> float | None:
    seconds = [r.get("seconds") for r in rows.values()]
    ok = all(r.get("status") == "ok" for r in rows.values())
    return sum(seconds) if ok and seconds and None not in seconds else None


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def write(result: dict) -> Path:
    """``build/metrics/bench-course.json``."""
    path = metrics.metrics_dir() / "bench-course.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2))
    return path
