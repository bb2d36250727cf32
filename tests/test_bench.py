"""The benchmark script's own logic (no timing is asserted: a benchmark is not a test)."""

from __future__ import annotations

import importlib.util
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
