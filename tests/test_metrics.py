"""helpers.course.metrics' reproducibility check (``compare-runs``): which keys it compares, and how.

The notebooks' records are read statically (their ``helpers.course.metrics.record(...)`` calls), so this
file runs in a second and fails as soon as a notebook records a key that the pin below does not know.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from helpers.course import cli, metrics
from helpers.course import notebook as course_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

# What `helpers.course.notebook.start` records in every notebook.
START_KEYS = {"quick", "seed", "standins"}

# For each notebook: the keys of its record that compare-runs must compare (seeded results),
# and the ones it must skip (timings and memory, which differ between two runs).
COMPARED = {
    "00_concepts": {
        "backbones",
        "catch_up",
        "chance",
        "domain_gap",
        "exercise_q1",
        "exercise_q2",
        "labels_per_class",
        "pretrain_epochs",
        "pretrain_per_class",
        "scratch_acc",
        "source_val_acc",
        "transfer_acc",
    },
    "01_xception_prediction": {
        "backbone",
        "can_predict",
        "conv_layers",
        "cosine_between_photos",
        "exercise_photo_shape",
        "exercise_q1",
        "exercise_q2",
        "exercise_q2_catches",
        "feature_maps",
        "image_names",
        "image_shapes",
        "input_range",
        "input_shape",
        "input_size",
        "model_input_shape",
        "model_layers",
        "model_params",
        "n_images",
        "output_shape",
        "path",
        "preprocessing",
        "real_weights",
        "representative",
        "separable_convs",
        "separable_saving",
        "shortcut_convs",
        "top_k",
        "weights_source",
    },
    "02_vgg16_feature_extraction": {
        "precision",
        "a_test_accuracy",
        "a_val_accuracy",
        "b_test_accuracy",
        "b_untrained_val_accuracy",
        "b_best_epoch",
        "b_val_accuracy",
        "backbone",
        "batch_size",
        "b_params",
        "base_trainable_weights",
        "class_names",
        "confusion",
        "counts",
        "epochs",
        "eval_per_class",
        "exercise_checks",
        "head_params",
        "image_size",
        "majority_baseline",
        "majority_by_split",
        "model_path",
        "other_backbone",
        "other_real_weights",
        "other_test_accuracy",
        "prediction",
        "real_weights",
        "record_path",
        "reloaded_same_predictions",
        "representative",
        "train_features_shape",
        "train_per_class",
        "weights_source",
    },
    "03_fine_tuning": {
        "precision",
        "backbone",
        "batch_size",
        "bn_layers",
        "bn_moving_mean_changed_frozen",
        "bn_moving_mean_changed_trainable",
        "cached_epochs_run",
        "cached_shape",
        "class_names",
        "counts",
        "drift_high_lr",
        "drift_low_lr",
        "eval_per_class",
        "fine_tune_epochs",
        "fine_tune_epochs_run",
        "head_epochs",
        "high_lr_epochs_run",
        "hub_epochs",
        "hub_feature_dim",
        "hub_fine_tune_epochs",
        "hub_image_size",
        "hub_keras3_error",
        "hub_standin",
        "hub_test_acc_fine",
        "hub_test_acc_frozen",
        "hub_trainable_params_fine",
        "image_size",
        "load_message",
        "majority_baseline",
        "majority_by_split",
        "real_weights",
        "representative",
        "started_from",
        "test_acc_cached",
        "test_acc_fine",
        "test_acc_head",
        "test_acc_high_lr",
        "total_params",
        "train_loss_high_lr",
        "train_loss_low_lr",
        "train_per_class",
        "trainable_params_fine",
        "trainable_params_head",
        "unfrozen_layers",
        "val_loss_high_lr",
        "val_loss_low_lr",
        "views",
        "weights_source",
    },
    "04_scratch_vs_transfer": {
        "precision",
        "views",
        "cached_views",
        "train_images",
        "backbone",
        "batch_size",
        "chance",
        "class_names",
        "comparison",
        "counts",
        "curve_epochs",
        "curve_pool_images",
        "curve_scratch",
        "curve_scratch_std",
        "curve_sizes",
        "curve_transfer",
        "curve_transfer_std",
        "epochs",
        "eval_per_class",
        "fashion_epochs",
        "fashion_image_size",
        "fashion_per_class",
        "fashion_scratch",
        "fashion_scratch_std",
        "fashion_test",
        "fashion_test_images",
        "fashion_transfer",
        "fashion_transfer_std",
        "image_size",
        "majority_baseline",
        "majority_by_split",
        "real_weights",
        "repeats",
        "representative",
        "train_per_class",
        "transfer_gain_fashion",
        "transfer_gain_fashion_std",
        "transfer_gain_photos",
        "transfer_gain_photos_size",
        "weights_source",
    },
}
SKIPPED = {
    "00_concepts": {"time_batch"},  # a setting, but its name reads as a timing to compare-runs
    "01_xception_prediction": set(),
    "02_vgg16_feature_extraction": {
        "a_epoch_seconds",
        "b_epoch_seconds",
        "extract_seconds",
    },
    "03_fine_tuning": {"fine_tune_seconds", "cached_seconds"},
    "04_scratch_vs_transfer": {
        "cache_seconds",
        "fashion_feature_seconds",
        "fashion_seconds_scratch",
        "fashion_seconds_transfer",
    },
}
# Nested records: a backbone_table row (notebook 00's `backbones`), a comparison row (notebook 04).
NESTED = {
    "backbone row": ({"name", "layers", "weight_layers", "params_M", "GMACs", "input", "output"}, {"img_per_s"}),
    "comparison row": ({"test_acc", "balanced_acc", "trainable_params", "total_params", "epochs_run"}, {"seconds"}),
}


def _is_record_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "record"
        and ast.unparse(node.func.value).endswith(("metrics", "course"))
    )


def _code(notebook: str) -> str:
    cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] == "code":
            # IPython magics and shell lines are not Python; the record calls never are either
            lines += [line for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith(("%", "!"))]
            lines.append("")
    return "\n".join(lines)


def recorded_keys(notebook: str) -> set[str]:
    """Every key a notebook passes to ``helpers.course.metrics.record``, read from its code cells."""
    keys = set(START_KEYS)
    code = _code(notebook)
    if "helpers.course.setup(" in code:  # what the setup call records: its parameters and assets
        keys |= course_notebook.setup_keys(notebook)
        keys |= {"model_path", "record_path"} if "course.save_record(" in code else set()
    for node in ast.walk(ast.parse(code)):
        if _is_record_call(node):
            assert all(kw.arg for kw in node.keywords), f"{notebook}: record(**...) cannot be pinned"
            keys |= {kw.arg for kw in node.keywords}
    return keys


def _dict_literal_keys(tree: ast.AST, target: str) -> set[str]:
    """Keys of the dict literal assigned to ``target`` (e.g. ``results[name]``) in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and ast.unparse(node.targets[0]) == target:
            return {ast.literal_eval(k) for k in node.value.keys}
    raise AssertionError(f"no `{target} = {{...}}` found")


def test_every_notebooks_record_is_pinned():
    """A key a notebook records must be listed here, as compared or as a skipped timing."""
    notebooks = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert notebooks == sorted(COMPARED)
    for nb in notebooks:
        keys = recorded_keys(nb)
        unknown = keys - START_KEYS - COMPARED[nb] - SKIPPED[nb]
        gone = (COMPARED[nb] | SKIPPED[nb]) - keys
        assert not unknown, (
            f"{nb} records {sorted(unknown)}: add each to COMPARED (a seeded result) "
            "or SKIPPED (a timing) in tests/test_metrics.py"
        )
        assert not gone, f"{nb} no longer records {sorted(gone)}: remove them from the pin"


def _reported(keys: set[str]) -> set[str]:
    """The keys whose change ``differences`` reports (every key changed from 1 to 2)."""
    found = metrics.differences({k: 1 for k in keys}, {k: 2 for k in keys})
    return {line.split(":")[0] for line in found}


@pytest.mark.parametrize("notebook", sorted(COMPARED))
def test_compare_runs_compares_results_and_skips_only_timings(notebook):
    keys = recorded_keys(notebook)
    expected = (COMPARED[notebook] | START_KEYS) & keys
    assert _reported(keys) == expected, f"{notebook}: compared keys differ from the pin"
    assert not (_reported(SKIPPED[notebook]))


def test_nested_records_compare_results_and_skip_timings():
    models_src = ast.parse((ROOT / "helpers" / "models.py").read_text())
    row = _dict_literal_keys(models_src, "row") | {"img_per_s"}
    comparison = _dict_literal_keys(ast.parse(_code("04_scratch_vs_transfer")), "results[name]")
    for (compared, skipped), real in zip(NESTED.values(), (row, comparison)):
        assert compared | skipped == real
        nested = metrics.differences({"outer": {k: 1 for k in real}}, {"outer": {k: 2 for k in real}})
        assert {line.split(":")[0] for line in nested} == {f"outer.{k}" for k in compared}


@pytest.mark.parametrize(
    "key",
    [
        "seconds",
        "fit_seconds",
        "fine_tune_seconds",
        "load_s",
        "img_per_s",
        "pipeline_img_s",
        "time",
        "wall",
        "wall_time",
        "speed",
        "peak_memory",
        "peak_rss_mib",
        "size_mb",
        "Seconds",
    ],
)
def test_timing_keys_are_skipped(key):
    assert metrics.differences({key: 1.0}, {key: 2.0}) == []


@pytest.mark.parametrize(
    "key",
    [
        "accuracy",
        "val_accuracy",
        "test_acc_fine",
        "drift_low_lr",
        "losses",
        "class_names",
        "steps",
        "sizes",
        "curve_s_std",
        "per_class",
        "mbox",
        "tie_margin",
        "memo",
        "limbs",
    ],
)
def test_result_keys_are_compared(key):
    assert metrics.differences({key: 1.0}, {key: 2.0}) == [f"{key}: 1.0 != 2.0"]


# ---------------------------------------------------------------- differences: values


def test_float_tolerance_is_inclusive():
    assert metrics.differences({"a": 0.5}, {"a": 0.75}, tol=0.25) == []
    assert metrics.differences({"a": 0.5}, {"a": 0.75}, tol=0.2499) == ["a: 0.5 != 0.75"]
    assert metrics.differences({"a": 0.25}, {"a": 0.25 + 2**-20}) == []  # the default, 1e-6
    assert metrics.differences({"a": 0.25}, {"a": 0.25 + 2**-19}) == ["a: 0.25 != 0.2500019073486328"]


def test_tolerance_reaches_nested_values():
    first = {"a": {"b": [0.5, {"c": 1.0}]}}
    second = {"a": {"b": [0.6, {"c": 1.1}]}}
    assert metrics.differences(first, second, tol=0.2) == []
    assert metrics.differences(first, second, tol=0.05) == ["a.b[0]: 0.5 != 0.6", "a.b[1].c: 1.0 != 1.1"]


def test_booleans_are_not_numbers():
    assert metrics.differences({"ok": 1}, {"ok": False}, tol=1) == ["ok: 1 != False"]
    assert metrics.differences({"ok": True}, {"ok": False}, tol=1) == ["ok: True != False"]
    assert metrics.differences({"n": 3}, {"n": 3.0}) == []


def test_other_values_compare_exactly():
    assert metrics.differences({"s": "a"}, {"s": "b"}) == ["s: 'a' != 'b'"]
    assert metrics.differences({"s": "a"}, {"s": 1}, tol=10) == ["s: 'a' != 1"]
    assert metrics.differences({"x": None}, {"x": 0.0}) == ["x: None != 0.0"]
    assert metrics.differences({"l": [1, 2]}, {"l": [1, 2, 3]}) == ["l: [1, 2] != [1, 2, 3]"]
    assert metrics.differences([1, 2], [1, 3]) == ["[1]: 2 != 3"]


def test_keys_in_only_one_run_are_named():
    assert metrics.differences({"a": 1, "b": {"c": 1}}, {"b": {"d": 2}, "e": 3}) == [
        "a: only in one run",
        "e: only in one run",
        "b.c: only in one run",
        "b.d: only in one run",
    ]
    # a timing that disappears is still a difference in the record's shape
    assert metrics.differences({"fit_seconds": 1}, {}) == ["fit_seconds: only in one run"]


# ---------------------------------------------------------------- compare_runs and its command


def _write(folder: Path, records: dict[str, dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, record in records.items():
        (folder / f"{name}.json").write_text(json.dumps(record))
    return folder


def test_compare_runs_keeps_the_differences_of_every_notebook(tmp_path):
    first = _write(
        tmp_path / "a",
        {"00_x": {"acc": 0.5}, "01_y": {"acc": 0.6, "loss": 1.0}, "02_z": {"acc": 0.7}, "03_only_here": {"acc": 0.1}},
    )
    second = _write(tmp_path / "b", {"00_x": {"acc": 0.55}, "01_y": {"acc": 0.6, "loss": 2.0}, "02_z": {"acc": 0.75}})
    assert metrics.compare_runs(first, second) == [
        "00_x: acc: 0.5 != 0.55",
        "01_y: loss: 1.0 != 2.0",
        "02_z: acc: 0.7 != 0.75",
    ]
    assert metrics.compare_runs(first, second, tol=0.06) == ["01_y: loss: 1.0 != 2.0"]
    assert metrics.compare_runs(first, first) == []


def test_compare_command_honours_tol(tmp_path, capsys):
    first = _write(tmp_path / "a", {"00_x": {"acc": 0.5}, "01_y": {"acc": 0.5}})
    second = _write(tmp_path / "b", {"00_x": {"acc": 0.501}, "01_y": {"acc": 0.5}})
    assert cli.main(["compare-runs", str(first), str(second)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "00_x: acc: 0.5 != 0.501",
        "compared 2 notebook record(s) (00_x, 01_y): 1 difference(s)",
    ]
    assert cli.main(["compare-runs", str(first), str(second), "--tol", "0.01"]) == 0
    assert capsys.readouterr().out == ("compared 2 notebook record(s) (00_x, 01_y): same metrics (timings excepted)\n")
    assert cli.main(["compare-runs", str(tmp_path / "a"), str(tmp_path / "none")]) == 0
    assert "compared 0 notebook record(s) (none)" in capsys.readouterr().out


# ---------------------------------------------------------------- the record itself


def test_metrics_dir_defaults_to_build_metrics(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_METRICS_DIR", raising=False)
    assert metrics.metrics_dir() == ROOT / "build" / "metrics"
    monkeypatch.setenv("COURSE_METRICS_DIR", str(tmp_path / "m"))
    assert metrics.metrics_dir() == tmp_path / "m"


def test_record_writes_plain_json_and_merges(monkeypatch, tmp_path):
    import numpy as np

    monkeypatch.setenv("COURSE_METRICS_DIR", str(tmp_path / "deep" / "metrics"))  # created on demand
    whole = metrics.record(
        "nb", b=np.float32(0.5), a=np.arange(3), p=Path("/x/y"), t=(1, np.int64(2)), d={1: {"k": np.bool_(True)}}
    )
    assert whole == {"a": [0, 1, 2], "b": 0.5, "d": {"1": {"k": True}}, "p": "/x/y", "t": [1, 2]}
    text = (tmp_path / "deep" / "metrics" / "nb.json").read_text()
    assert text == json.dumps(whole, indent=2, sort_keys=True)
    assert metrics.record("nb", b=1)["b"] == 1 and metrics.load("nb")["a"] == [0, 1, 2]
    metrics.reset("nb")
    assert metrics.load("nb") == {}
    metrics.reset("nb")  # resetting twice is fine


def test_compare_command_help_names_what_it_does(capsys):
    with pytest.raises(SystemExit):
        cli.main(["compare-runs", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m helpers compare-runs")
    assert "\nCheck that two runs of the notebooks recorded the same metrics.\n" in out
    assert re.search(r"--tol TOL\s+absolute tolerance for floats\n", out)


def test_keys_that_start_like_the_separator_keep_their_name():
    """Paths are joined with dots and the leading dot stripped: nothing else (Xception, ...)."""
    assert metrics.differences({"Xception": {"X": 1}}, {"Xception": {"X": 2}}) == ["Xception.X: 1 != 2"]
    assert metrics.differences({"X": 1}, {"XX": 1}) == ["X: only in one run", "XX: only in one run"]
    assert metrics.differences({"a": {"Xb": 1}}, {"a": {}}) == ["a.Xb: only in one run"]


def test_a_dict_against_another_value_is_a_difference():
    assert metrics.differences({"a": {"b": 1}}, {"a": 5}) == ["a: {'b': 1} != 5"]
    assert metrics.differences({"a": 5}, {"a": {"b": 1}}) == ["a: 5 != {'b': 1}"]
