"""helpers.course.metrics and helpers.course.notebook: records for tests, parameter checks for learners."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import plots
from helpers.course import metrics, notebook, params
from helpers.course.offline import Choice

pytestmark = pytest.mark.usefixtures("tmp_keras_home")


def test_metrics_record_merge_load_reset(tmp_path):
    assert metrics.metrics_dir() == tmp_path / "metrics"
    assert metrics.load("nb") == {}
    metrics.record(
        "nb", accuracy=np.float32(0.5), shape=(2, 3), arr=np.arange(3), path=Path("/x"), nested={1: np.int64(7)}
    )
    rec = metrics.record("nb", seconds=1.5)
    assert rec == {"accuracy": 0.5, "shape": [2, 3], "arr": [0, 1, 2], "path": "/x", "nested": {"1": 7}, "seconds": 1.5}
    assert json.loads((tmp_path / "metrics" / "nb.json").read_text()) == rec == metrics.load("nb")
    metrics.reset("nb")
    assert metrics.load("nb") == {}
    metrics.reset("nb")  # resetting twice is fine


def test_start_fixes_seeds_and_resets_metrics(capsys):
    metrics.record("nbx", stale=True)
    notebook.start("nbx", quick=True, seed=3)
    assert "QUICK mode" in capsys.readouterr().out
    assert metrics.load("nbx") == {"quick": True, "seed": 3, "standins": []}
    a = np.random.rand()
    notebook.start("nbx", quick=False, seed=3)
    assert np.random.rand() == a and "FULL mode" in capsys.readouterr().out
    with pytest.raises(ValueError, match="SEED = -1"):
        notebook.start("nbx", quick=True, seed=-1)


def test_setup_labels_and_records_only_standins_once(capsys):
    course = notebook.Course("nby", True)
    notebook._use(course, Choice("VGG16 weights", "imagenet", "cache"))
    assert metrics.load("nby").get("standins", []) == []
    notebook._use(course, Choice("VGG16 weights", None, "stand-in", "random"))
    notebook._use(course, Choice("VGG16 weights", None, "stand-in", "random"))
    notebook._use(course, Choice("cats", None, "stand-in", "cut-outs"))
    assert course.standins == ["VGG16 weights", "cats"]
    assert metrics.load("nby")["standins"] == ["VGG16 weights", "cats"]
    assert "OFFLINE STAND-IN: cats" in capsys.readouterr().out


@pytest.mark.parametrize(
    "value, kw, error, text",
    [
        (3.0, {}, TypeError, "EPOCHS = 3.0 must be a whole number"),
        ("3", {}, TypeError, "must be a whole number"),
        (True, {}, TypeError, "must be a whole number"),
        (None, {}, TypeError, "must be a whole number"),
        (0, {"low": 1}, ValueError, "EPOCHS = 0 is too small: use at least 1 (set it in the parameters cell)"),
        (500, {"high": 100}, ValueError, "too large: use at most 100"),
    ],
)
def test_check_int_rejects_with_an_actionable_message(value, kw, error, text):
    with pytest.raises(error) as info:
        params.check_int("EPOCHS", value, **kw)
    assert text in str(info.value)


def test_check_int_accepts_valid_values():
    assert params.check_int("EPOCHS", 1, low=1, high=1) == 1
    assert params.check_int("SEED", 0) == 0


def test_check_path(tmp_path, monkeypatch):
    assert params.check_path("IMAGE_PATH", None) is None and params.check_path("IMAGE_PATH", "") is None
    f = tmp_path / "cat.jpg"
    f.write_bytes(b"x")
    assert params.check_path("IMAGE_PATH", str(f)) == f
    assert params.check_path("FOLDER", tmp_path) == tmp_path
    monkeypatch.setenv("HOME", str(tmp_path))
    assert params.check_path("IMAGE_PATH", "~/cat.jpg") == f
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        params.check_path("IMAGE_PATH", "dog.jpg")
    assert "IMAGE_PATH = 'dog.jpg'" in str(info.value) and str(tmp_path) in str(info.value)
    assert "parameters cell" in str(info.value)


def test_show_source_prints_the_code(capsys):
    plots.show_source(params.check_int)
    out = capsys.readouterr().out
    assert out.startswith("def check_int(") and "raise TypeError" in out


def test_metrics_differences_ignore_timings_only(tmp_path):
    run = {
        "quick": True,
        "acc": [0.5, 0.75],
        "comparison": {"scratch": {"test_acc": 0.6, "seconds": 9.1}},
        "backbones": {"VGG16": {"img_per_s": 6.4, "params_M": 14.71}},
    }
    timings_differ = {
        **run,
        "comparison": {"scratch": {"test_acc": 0.6, "seconds": 12.0}},
        "backbones": {"VGG16": {"img_per_s": 5.0, "params_M": 14.71}},
    }
    assert metrics.differences(run, timings_differ) == []
    changed = {**run, "acc": [0.5, 0.8], "comparison": {"scratch": {"test_acc": 0.7, "seconds": 9.1}}}
    assert metrics.differences(run, changed) == ["acc[1]: 0.75 != 0.8", "comparison.scratch.test_acc: 0.6 != 0.7"]
    assert metrics.differences(run, {**run, "extra": 1}) == ["extra: only in one run"]
    assert metrics.differences({"standins": ["a"]}, {"standins": ["a", "b"]}) == ["standins: ['a'] != ['a', 'b']"]
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, record in ((first, run), (second, changed)):
        folder.mkdir()
        (folder / "nb.json").write_text(json.dumps(record))
    (first / "only_first.json").write_text("{}")
    assert metrics.compare_runs(first, second)[0] == "nb: acc[1]: 0.75 != 0.8"
    assert metrics.compare_command(first, first) == 0
    assert metrics.compare_command(first, second) == 1


@pytest.mark.parametrize("env, expected", [(None, False), ("1", True), ("0", False), ("yes", False)])
def test_quick_mode_none_reads_course_quick(monkeypatch, env, expected):
    if env is None:
        monkeypatch.delenv("COURSE_QUICK", raising=False)
    else:
        monkeypatch.setenv("COURSE_QUICK", env)
    assert notebook.quick_mode(None) is expected
    assert notebook.quick_mode(True) is True and notebook.quick_mode(False) is False


@pytest.mark.parametrize("bad", [1, 0, "True", "1"])
def test_quick_mode_rejects_what_is_not_a_bool(monkeypatch, bad):
    monkeypatch.setenv("COURSE_QUICK", "1")
    with pytest.raises(TypeError, match=r"QUICK = .* must be True, False or None \(set it in the parameters cell\)"):
        notebook.quick_mode(bad)
