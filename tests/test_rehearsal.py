"""The learner's online path, rehearsed on 127.0.0.1 (helpers.course.rehearsal, helpers.course.mirror).

The slow part runs every notebook against the rehearsal server once per session (the
``rehearsal`` fixture, a few minutes); the mirror's own rules are tested on small files.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import urllib.error
import urllib.request
import zipfile

import pytest

from helpers import data
from helpers.course import assets, metrics, offline, rehearsal
from helpers.course.mirror import MirrorServer, served_files

NOTEBOOKS = [
    "00_concepts",
    "01_xception_prediction",
    "02_vgg16_feature_extraction",
    "03_fine_tuning",
    "04_scratch_vs_transfer",
]
NEEDS_FIXTURES = pytest.mark.skipif(
    bool(offline.missing_fixtures()),
    reason=f"the rehearsal's twins are made from the offline fixtures: run `make fixtures` "
    f"(missing: {', '.join(offline.missing_fixtures())})",
)


@pytest.fixture(scope="module")
def twins():
    """The twin files and their manifest (built once, about a minute; reused when present)."""
    if offline.missing_fixtures():
        pytest.skip("run `make fixtures`: the twins are made from the offline fixtures")
    manifest = rehearsal.build_twins()
    return manifest.parent / "mirror", json.loads(manifest.read_text())


@pytest.fixture(scope="module")
def rehearsal_result(twins):
    """``python -m helpers rehearsal``: every notebook online, the classroom, the proxy (minutes)."""
    result = rehearsal.run()
    assert (metrics.metrics_dir() / "rehearsal.json").is_file()
    return result


def _record(name: str) -> dict:
    return json.loads((rehearsal.OUT / "metrics" / f"{name}.json").read_text())


# ---------------------------------------------------------------- the twins are twins


def test_every_asset_has_a_twin_with_its_file_name(twins):
    mirror_root, manifest = twins
    assert set(manifest) == set(assets.ASSETS)
    for name, entry in manifest.items():
        path = mirror_root / assets.get(name).rel_path
        assert path.name == assets.get(name).fname
        assert entry["size"] == path.stat().st_size and entry["md5"] == assets.md5sum(path)


def test_the_weights_twins_load_as_keras_loads_its_own_files(twins):
    import keras

    mirror_root, _ = twins
    vgg = keras.applications.VGG16(
        weights=str(mirror_root / assets.get("vgg16_notop").rel_path), include_top=False, input_shape=(32, 32, 3)
    )
    assert vgg.count_params() == 14_714_688
    top = keras.applications.Xception(weights=str(mirror_root / assets.get("xception_top").rel_path))
    assert top.output_shape == (None, 1000)


def test_the_class_index_twin_has_keras_format(twins):
    mirror_root, _ = twins
    index = json.loads((mirror_root / assets.get("imagenet_class_index").rel_path).read_text())
    assert sorted(index, key=int) == [str(i) for i in range(1000)]
    assert all(len(v) == 2 and v[0].startswith("n") for v in index.values())


def test_the_cats_and_dogs_twin_has_the_real_tree(twins):
    mirror_root, _ = twins
    with zipfile.ZipFile(mirror_root / assets.get("cats_and_dogs_filtered").rel_path) as z:
        names = [n for n in z.namelist() if n.endswith(".jpg")]
    for rel, count in assets.get("cats_and_dogs_filtered").folder_counts:
        assert sum(n.startswith(f"cats_and_dogs_filtered/{rel}/") for n in names) == count, rel
    assert "cats_and_dogs_filtered/train/cats/cat.0.jpg" in names
    assert "cats_and_dogs_filtered/validation/dogs/dog.2499.jpg" in names


def test_the_hub_twin_is_a_saved_model_with_a_fixed_224_signature(twins, tmp_path):
    """tensorflow/hub#566: a twin that accepted any size would hide a notebook feeding 96x96."""
    import tensorflow as tf

    mirror_root, _ = twins
    with tarfile.open(mirror_root / assets.get("mobilenet_v2_feature_vector").rel_path) as t:
        assert "saved_model.pb" in t.getnames()  # at the top, as Kaggle serves it
        t.extractall(tmp_path, filter="data")
    module = tf.saved_model.load(str(tmp_path))
    assert module(tf.zeros([1, 224, 224, 3])).shape == (1, 1280)
    with pytest.raises((ValueError, TypeError)):
        module(tf.zeros([1, 96, 96, 3]))


# ---------------------------------------------------------------- the rehearsal


@NEEDS_FIXTURES
def test_every_notebook_runs_online_with_no_standin(rehearsal_result):
    runs = rehearsal_result["notebooks"]
    assert list(runs) == NOTEBOOKS
    for name, run in runs.items():
        assert run["ok"], f"{name} failed online: {run['error']}"
        assert run["standins"] == [], f"{name} used stand-ins online: {run['standins']}"


@NEEDS_FIXTURES
def test_every_asset_is_downloaded_by_the_notebooks_that_need_it(rehearsal_result):
    runs = rehearsal_result["notebooks"]
    assert {"xception_top", "imagenet_class_index"} <= set(runs["01_xception_prediction"]["downloaded"])
    assert {"vgg16_notop", "cats_and_dogs_filtered"} <= set(runs["02_vgg16_feature_extraction"]["downloaded"])
    assert "mobilenet_v2_feature_vector" in runs["03_fine_tuning"]["downloaded"]
    assert set(data.FASHION_MNIST) <= set(runs["00_concepts"]["downloaded"])
    assert set().union(*(r["downloaded"] for r in runs.values())) == set(assets.ASSETS)


@NEEDS_FIXTURES
def test_the_online_branches_ran(rehearsal_result):
    for name in NOTEBOOKS[2:]:
        assert _record(name)["backbone"] == "vgg16", name
    m01 = _record("01_xception_prediction")
    assert m01["can_predict"] is True  # the ImageNet top and decode_predictions
    assert all(len(row) == 3 and row[0][0].startswith("twin_class_") for row in m01["top_k"])
    assert _record("03_fine_tuning")["hub_standin"] is False


@NEEDS_FIXTURES
def test_04_runs_the_base_only_on_the_learning_curves_pool(rehearsal_result):
    # On the cats-vs-dogs twin every class is larger than the pool (offline, the small cut-out classes are not).
    m04 = _record("04_scratch_vs_transfer")
    pool = sum(min(m04["curve_sizes"][-1] * m04["repeats"], n) for n in m04["counts"]["train"].values())
    assert m04["curve_pool_images"] == pool < m04["train_images"]


@NEEDS_FIXTURES
def test_a_cache_filled_by_keras_get_file_extract_counts(rehearsal_result):
    layout = rehearsal_result["keras_extracted_layout"]
    assert layout["get_file_returned"] == "datasets/cats_and_dogs_filtered_extracted"  # Keras >= 3.6
    assert layout["state"] == "present"


@NEEDS_FIXTURES
def test_fetch_all_then_offline_leaves_every_asset_present(rehearsal_result):
    assert rehearsal_result["classroom_fetch"]["returncode"] == 0, rehearsal_result["classroom_fetch"]
    assert rehearsal_result["classroom_status"] == {name: "present" for name in assets.ASSETS}


@NEEDS_FIXTURES
def test_downloads_go_through_http_proxy(rehearsal_result):
    proxy = rehearsal_result["proxy"]
    assert proxy["with_proxy"] == 0 and proxy["without_proxy"] == 1
    assert "http://course-mirror.invalid/models/imagenet_class_index.json" in proxy["proxy_saw"]
    assert "no network" in proxy["without_proxy_says"]


# ---------------------------------------------------------------- the mirror's rules (fast)


def _serve(tmp_path, payload: bytes, rel: str = "models/a.h5"):
    path = tmp_path / "mirror" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return MirrorServer({"/" + rel: path})


def _register(monkeypatch, tmp_path, good: bytes) -> assets.Asset:
    official = tmp_path / "official" / "a.h5"
    official.parent.mkdir(parents=True)
    official.write_bytes(good)
    asset = assets.Asset("a", "test asset", (official.as_uri(),), "a.h5", "models", md5=hashlib.md5(good).hexdigest())
    monkeypatch.setitem(assets.ASSETS, "a", asset)
    return asset


@pytest.fixture
def online_here(monkeypatch, tmp_keras_home):
    monkeypatch.delenv("HELPERS_OFFLINE")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assets._probes.clear()
    yield
    assets._probes.clear()


def test_the_mirror_is_tried_first_with_the_real_checksum(monkeypatch, tmp_path, online_here):
    good = b"the real weights" * 1000
    asset = _register(monkeypatch, tmp_path, good)
    with _serve(tmp_path, good) as server:
        monkeypatch.setenv(assets.MIRROR_ENV, server.url)
        assert assets.urls(asset)[0] == server.url + "models/a.h5"
        assert assets.fetch("a", progress=False).read_bytes() == good
        assert server.log == ["/models/a.h5"]


def test_a_mirror_cannot_change_what_is_loaded(monkeypatch, tmp_path, online_here):
    good = b"the real weights" * 1000
    _register(monkeypatch, tmp_path, good)
    with _serve(tmp_path, b"something else" * 1000) as server:
        monkeypatch.setenv(assets.MIRROR_ENV, server.url)
        assert assets.fetch("a", progress=False).read_bytes() == good  # from the official URL
        assert len(server.log) == 2  # the mirror's file was refused twice (checksum), then skipped


def test_only_the_rehearsal_manifest_replaces_checksums(monkeypatch, tmp_path, online_here):
    twin = b"a twin" * 1000
    _register(monkeypatch, tmp_path, b"the real weights")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"a": {"md5": hashlib.md5(twin).hexdigest(), "size": len(twin)}}))
    with _serve(tmp_path, twin) as server:
        monkeypatch.setenv(assets.MIRROR_ENV, server.url)
        assert assets.fetch("a", progress=False).read_bytes() == b"the real weights"  # twin refused
        assets.get("a").path.unlink()
        monkeypatch.setenv(assets.MANIFEST_ENV, str(manifest))
        assert assets.urls(assets.get("a")) == [server.url + "models/a.h5"]  # twins: never the real URLs
        assert assets.fetch("a", progress=False).read_bytes() == twin


def test_a_failed_download_online_names_its_cause_not_offline(monkeypatch, tmp_path, online_here):
    """Before: 'not available offline' for an HTTP error; the real cause was dropped."""
    from helpers import models

    monkeypatch.setattr(offline, "xception_standin_problem", lambda: "")
    with MirrorServer({}) as server:  # answers, but has no file: HTTP 404
        monkeypatch.setitem(
            assets.ASSETS,
            "vgg16_notop",
            assets.Asset("vgg16_notop", "VGG16", (server.url + "models/vgg16.h5",), "vgg16.h5", "models", md5="0" * 32),
        )
        choice = models.imagenet_weights("vgg16")
    assert choice.is_standin and choice.value is None
    assert "HTTP Error 404" in choice.note and "offline" not in choice.note


def test_standins_off_turns_a_missing_asset_into_an_error(monkeypatch, online_here):
    from helpers import models

    monkeypatch.setenv("HELPERS_OFFLINE", "1")
    assert models.imagenet_weights("vgg16").is_standin
    monkeypatch.setenv(offline.STANDINS_ENV, "off")
    with pytest.raises(assets.AssetError, match="COURSE_STANDINS=off"):
        models.imagenet_weights("vgg16")
    assert not offline.have_photo_cutouts() and offline.standin_problem("vgg16_notop")


def test_the_server_serves_only_the_asset_table(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / assets.get("vgg16_notop").fname).write_bytes(b"w")
    (tmp_path / "secret.txt").write_text("not an asset")
    files = served_files(tmp_path)
    assert list(files) == ["/models/" + assets.get("vgg16_notop").fname]
    with MirrorServer(files) as server:
        for path in ("secret.txt", "models/../secret.txt", "models/"):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.build_opener(urllib.request.ProxyHandler({})).open(server.url + path)
            assert e.value.code == 404


def test_online_notebooks_keep_their_models_out_of_build(tmp_path):
    """`make test` runs the rehearsal beside the offline notebooks: its notebook 02 must not replace
    the model that the offline notebook 03 loads from ``build/models``."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from helpers.course import runner

    for env in (
        rehearsal.classroom_env(tmp_path),
        rehearsal.online_env("http://127.0.0.1:9/", tmp_path / "c", tmp_path / "manifest.json"),
    ):
        build = Path(env[runner.BUILD_ENV])
        assert build.is_relative_to(tmp_path) and build != runner.BUILD
        seen = subprocess.run(
            [sys.executable, "-c", "from helpers.course import runner; print(runner.BUILD)"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert Path(seen) == build, "a kernel started in this environment would write to build/"
