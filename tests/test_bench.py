"""The benchmark script's own logic (no timing is asserted: a benchmark is not a test)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

spec = importlib.util.spec_from_file_location("bench", Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_median_seconds_runs_warmup_plus_repeats(monkeypatch):
    clock = [0.0]
    durations = iter([100.0, 1.0, 5.0, 2.0])  # the warm-up (100 s) is not timed

    def work():
        clock[0] += next(durations)

    monkeypatch.setattr(bench, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    assert bench.median_seconds(work, repeats=3) == 2.0
    assert next(durations, "all used") == "all used"  # warm-up plus three repeats


def test_paired_seconds_takes_turns_and_ratios_within_each_turn(monkeypatch):
    clock, calls = [0.0], []
    # warm-ups (50 s, 60 s) untimed; then turns on a machine whose speed drifts: (1, 2), (10, 20), (3, 3)
    durations = {"a": iter([50.0, 1.0, 10.0, 3.0]), "b": iter([60.0, 2.0, 20.0, 3.0])}

    def run(name):
        calls.append(name)
        clock[0] += next(durations[name])

    monkeypatch.setattr(bench, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    first, second, ratio = bench.paired_seconds(lambda: run("a"), lambda: run("b"), repeats=3)
    assert calls == ["a", "b"] * 4
    assert (first, second) == (3.0, 3.0)
    assert ratio == 2.0  # two turns of three say 2.0; the ratio of the medians (1.0) would mix the drifts


def test_table_lists_every_measure(capsys):
    result = {
        "machine": {"cpu": "Test CPU @ 2.0GHz", "cpus": 2, "gpu": [], "tensorflow": "2.21.0"},
        "pipeline": {"vgg16": {"image_size": 150, "pipeline_img_s": 14.0, "bare_img_s": 15.0, "ratio": 0.933}},
        "training": {"images": 64, "head_s_per_epoch": 0.05, "end_to_end_s_per_epoch": 6.0, "speedup": 120.0},
        "notebooks": {
            "00_concepts (quick)": {"seconds": 60.0, "status": "ok", "peak_rss_mib": 1500},
            "02_vgg16_feature_extraction (quick)": {"seconds": 70.0, "status": "ok", "peak_rss_mib": 2048},
        },
        "peak_memory": {"notebook": "02_vgg16_feature_extraction (quick)", "mib": 2048},
    }
    bench.print_table(result)
    out = capsys.readouterr().out
    assert "ratio 0.933" in out and "120.0x" in out and "00_concepts (quick)" in out
    assert "Test CPU @ 2.0GHz, 2 cores" in out
    assert "60.0 s, 1500 MiB" in out and "2048 MiB (02_vgg16_feature_extraction (quick))" in out


def test_precision_comparison_sets_each_policy_and_restores_float32(monkeypatch, capsys):
    import keras

    seen = []

    def fake_pipeline(arch, folder, size, batch):
        policy = keras.mixed_precision.global_policy().name
        seen.append((arch, policy))
        speed = {"float32": 10.0, "mixed_bfloat16": 19.0}[policy]
        keras.backend.clear_session()  # as the real one does: clearing the session resets the policy
        return {"image_size": size, "bare_img_s": speed, "pipeline_img_s": speed * 0.9, "ratio": 0.9}

    def fake_study(config, verbose=0):
        verify.fresh_session(config.precision)  # as the real study does, at its start and between arms
        policy = keras.mixed_precision.global_policy().name
        seen.append(("study", policy))
        keras.backend.clear_session()
        accuracies = {"transfer_acc": 0.9, "finetune_acc": 0.9, "scratch_acc": 0.5, "wrong_preprocessing_acc": 0.6}
        accuracies.update(finetune_augmented_acc=0.91, finetune_cached_acc=0.92)
        return {**accuracies, "total_s": 1.0, "precision": policy}

    from helpers.course import verify

    monkeypatch.setattr(bench, "pipeline_vs_bare", fake_pipeline)
    monkeypatch.setattr(verify, "run_study", fake_study)
    monkeypatch.setattr(bench.models, "choose_precision", lambda: bench.models.Precision("mixed_bfloat16", "test"))
    result = bench.precision_comparison(Path("."), 150, 32)
    assert keras.mixed_precision.global_policy().name == "float32"
    assert seen == [(a, p) for p in ("float32", "mixed_bfloat16") for a in ("vgg16", "xception", "study")]
    assert result["speedup"] == {"vgg16": 1.9, "xception": 1.9}
    bench.print_precision(result)
    out = capsys.readouterr().out
    assert "chosen policy: mixed_bfloat16 (test)" in out and "19.0 (1.9x)" in out and "all hold" in out
    assert "| offline study: finetune_cached_acc | 0.920 | 0.920 |" in out


# ---------------------------------------------------------------- the full course (benchmarks/full_course.py)

full_course = bench.full_course


def test_epochs_and_accuracy_read_each_notebooks_record():
    nb02 = {"epochs": 30, "b_val_accuracy": [0.5] * 11, "a_test_accuracy": 0.9, "b_test_accuracy": 0.93}
    assert full_course.epochs_and_accuracy("02_vgg16_feature_extraction", nb02) == {
        "epochs": {"method B": "11 of 30"},
        "test_accuracy": {"method A": 0.9, "method B": 0.93},
    }
    nb03 = {
        "fine_tune_epochs": 30,
        "fine_tune_epochs_run": 14,
        "cached_epochs_run": 12,
        "high_lr_epochs_run": 6,
        "test_acc_head": 0.9,
        "test_acc_fine": 0.95,
        "test_acc_cached": 0.94,
    }
    got = full_course.epochs_and_accuracy("03_fine_tuning", nb03)
    assert got["epochs"] == {
        "fine-tuning": "14 of 30",
        "on cached views": "12 of 30",
        "high learning rate (cached views)": "6 of 30",
    }
    assert got["test_accuracy"] == {"frozen": 0.9, "fine-tuned": 0.95, "on cached views": 0.94}
    nb04 = {"epochs": 30, "comparison": {"from scratch": {"epochs_run": 25, "test_acc": 0.7}}}
    got = full_course.epochs_and_accuracy("04_scratch_vs_transfer", nb04)
    assert got == {"epochs": {"from scratch": "25 of 30"}, "test_accuracy": {"from scratch": 0.7}}


def test_solution_seconds_sum_only_the_solution_cells(tmp_path):
    def cell(tags, duration):
        return {"cell_type": "code", "metadata": {"tags": tags, "papermill": {"duration": duration}}, "source": ""}

    nb = {"cells": [cell(["solution"], 2.5), cell([], 100.0), cell(["solution", "x"], 1.0), cell(["exercise"], 7.0)]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    assert full_course.tagged_seconds(path) == 3.5


def test_course_table_has_both_policies_the_ratio_and_the_total():
    def row(seconds, epochs, acc, status="ok"):
        return {
            "seconds": seconds,
            "solution_seconds": 30.0,
            "status": status,
            "epochs": {"B": epochs},
            "test_accuracy": {"B": acc},
        }

    result = {
        "float32": {"02_a": row(1200.0, "20 of 30", 0.91), "03_b": row(600.0, "8 of 30", 0.95)},
        "mixed_bfloat16": {"02_a": row(600.0, "18 of 30", 0.9), "03_b": row(400.0, "9 of 30", 0.94)},
    }
    text = full_course.table(result, ["float32", "mixed_bfloat16"])
    assert "| 02_a | 20.0 min (solutions 0.5) | 10.0 min (solutions 0.5) | 2.00x | B 20 of 30 / 18 of 30 |" in text
    assert "B 0.910 / 0.900" in text and "| 03_b | 10.0 min" in text and "1.50x" in text
    assert "| 02-04 together | 30.0 min | 16.7 min | 1.80x |" in text
    result["mixed_bfloat16"]["03_b"] = row(700.0, "-", None, status="failed: Timeout")  # timed, but no result
    text = full_course.table(result, ["float32", "mixed_bfloat16"])
    assert "failed: Timeout" in text and "| 02-04 together | 30.0 min | - | - |" in text  # no total from a failure


def test_course_run_gives_each_policy_its_own_build_and_metrics_and_sets_precision(monkeypatch, tmp_path):
    manifest = tmp_path / "twins" / "manifest.json"
    (manifest.parent / "mirror").mkdir(parents=True)
    manifest.write_text("{}")
    monkeypatch.setattr(full_course.rehearsal, "build_twins", lambda: manifest)
    fetched = []
    monkeypatch.setattr(
        full_course.subprocess, "run", lambda cmd, env, cwd: fetched.append((cmd, env)) or SimpleNamespace(returncode=0)
    )
    runs = []

    def fake_run(name, policy, env, out, timeout, parameters):
        assert parameters is None
        runs.append((name, policy, env, out))
        return {"seconds": 1.0, "status": "ok", "epochs": {}, "test_accuracy": {}}

    monkeypatch.setattr(full_course, "_run_notebook", fake_run)
    result = full_course.run(["float32", "mixed_bfloat16"], ("02_a", "03_b"), out=tmp_path / "out")
    assert [c[-2:] for c, _ in fetched] == [["fetch", "--all"]]  # every asset fetched once, before any clock
    assert fetched[0][1]["COURSE_STANDINS"] == "off" and fetched[0][1]["COURSE_ASSET_MIRROR"].startswith("http://127.")
    assert [(n, p) for n, p, _, _ in runs] == [
        ("02_a", "float32"),
        ("03_b", "float32"),
        ("02_a", "mixed_bfloat16"),
        ("03_b", "mixed_bfloat16"),
    ]
    builds = {p: (env[full_course.runner.BUILD_ENV], env["COURSE_METRICS_DIR"]) for _, p, env, _ in runs}
    assert builds["float32"] != builds["mixed_bfloat16"] and all(
        "mixed_bfloat16" in b for b in builds["mixed_bfloat16"]
    )
    assert set(result) >= {"data", "float32", "mixed_bfloat16"} and list(result["float32"]) == ["02_a", "03_b"]


def test_run_notebook_passes_the_policy_and_reads_the_notebooks_record(monkeypatch, tmp_path):
    calls = []
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    record = {"epochs": 30, "b_val_accuracy": [0.5] * 7, "a_test_accuracy": 0.8, "b_test_accuracy": 0.85}
    (metrics_dir / "02_vgg16_feature_extraction.json").write_text(json.dumps({**record, "precision": "mixed_bfloat16"}))

    def fake_run(cmd, capture_output, text, cwd, env):
        calls.append((json.loads(cmd[-1]), env))
        return SimpleNamespace(stdout='noise\n{"seconds": 61.0, "status": "ok", "peak_rss_mib": 900}\n', stderr="")

    monkeypatch.setattr(full_course.subprocess, "run", fake_run)
    env = {"COURSE_METRICS_DIR": str(metrics_dir), "X": "1"}
    row = full_course._run_notebook("02_vgg16_feature_extraction", "mixed_bfloat16", env, tmp_path / "o", 99, {"E": 2})
    ((args, seen_env),) = calls
    assert args["parameters"] == {"PRECISION": "mixed_bfloat16", "E": 2} and args["timeout"] == 99
    assert args["path"].endswith("notebooks/02_vgg16_feature_extraction.ipynb") and seen_env["X"] == "1"
    assert args["quick"] is False and args["out"].endswith("executed")  # full mode: the real course
    assert row["seconds"] == 61.0 and row["epochs"] == {"method B": "7 of 30"}
    assert row["precision_recorded"] == "mixed_bfloat16" and row["solution_seconds"] is None  # no executed copy

    monkeypatch.setattr(
        full_course.subprocess,
        "run",
        lambda *a, **k: SimpleNamespace(
            stdout='{"seconds": 5.0, "status": "failed: Boom", "peak_rss_mib": 1}', stderr=""
        ),
    )
    row = full_course._run_notebook("02_vgg16_feature_extraction", "float32", env, tmp_path / "o", 99)
    assert row["status"] == "failed: Boom" and row["test_accuracy"]["method A"] is None  # no stale record read


def test_time_notebook_runs_the_notebook_in_the_mode_and_with_the_parameters_asked(tmp_path):
    """The child script is a string: only running it shows that it passes the mode and the parameters on."""
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("QUICK = None\nEPOCHS = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("print(f'QUICK={QUICK} EPOCHS={EPOCHS}')"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(tmp_path / "tiny.ipynb"))
    row = full_course.time_notebook(
        tmp_path / "tiny.ipynb", quick=False, out=tmp_path / "out", parameters={"EPOCHS": 7}
    )
    assert row["status"] == "ok" and row["seconds"] > 0 and row["peak_rss_mib"] > 0
    assert "QUICK=False EPOCHS=7" in (tmp_path / "out" / "tiny.ipynb").read_text()

    (tmp_path / "broken.ipynb").write_text("not a notebook")
    row = full_course.time_notebook(tmp_path / "broken.ipynb", quick=True, out=tmp_path / "out")
    assert row["status"].startswith("failed") and row["seconds"] is not None  # reported, not raised
