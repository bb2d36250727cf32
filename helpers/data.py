"""Datasets of the course: where they come from, how they are split, offline stand-ins.

Notebooks load image folders themselves with ``keras.utils.image_dataset_from_directory``;
these helpers only decide *which* folder (the real data or a labelled stand-in) and
prepare it (subsets for quick mode, a held-out test split).

>>> from helpers import data
>>> data.IMAGE_SUFFIXES
('.jpg', '.jpeg', '.png', '.bmp', '.gif')
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import threading
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .course import assets, offline
from .course.offline import Choice

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")  # what image_dataset_from_directory reads
SPLITS = ("train", "validation", "test")

# Offline stand-in for cats vs dogs: two groups of real photo cut-outs (tuxpaint stamps).
CUTOUT_PAIR = {"birds": ["animals/birds"], "mammals": ["animals/mammals"]}
STANDIN_NAME = "cats_and_dogs_standin"  # its folder in course_root()
CHECKED_MARKER = ".helpers_checked.json"  # in a split checked by cats_and_dogs(): what, and the result


def course_root() -> Path:
    """Folder for datasets the course derives (subsets, splits): ``<keras cache>/datasets/course``."""
    return assets.keras_home() / "datasets" / "course"


def list_images(folder: Path) -> list[Path]:
    """Image files directly in ``folder`` (hidden files skipped), sorted.

    >>> list_images(Path("/nonexistent"))
    []
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES
    )


def class_counts(folder: Path) -> dict[str, int]:
    """Images per class in a folder laid out as ``folder/<class>/<image>``.

    >>> class_counts(Path("/nonexistent"))
    {}
    """
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {d.name: len(list_images(d)) for d in sorted(folder.iterdir()) if d.is_dir() and not d.name.startswith(".")}


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.symlink(src.resolve(), dst)
    except FileExistsError:
        raise  # never copy through an existing link: that would overwrite its target
    except OSError as e:  # e.g. Windows without symlink rights; a read-only or full disk stays an error
        if e.errno in (errno.EROFS, errno.ENOSPC, errno.EDQUOT):
            raise
        shutil.copy2(src, dst)


def make_splits(
    source: dict[str, list[Path]],
    out: Path,
    *,
    fractions: dict[str, float] | None = None,
    per_class: dict[str, int | None] | None = None,
    seed: int = 42,
) -> Path:
    """Write ``out/<split>/<class>/`` from lists of image files per class, stratified, seeded.

    ``fractions`` (e.g. {"train": .5, "validation": .25, "test": .25}) splits each class's
    files; ``per_class`` then caps a split's images per class (quick mode). Files are
    symlinked (copied where links are not allowed). The result is rebuilt on every call.

    Example: ``make_splits({"a": files_a, "b": files_b}, Path("/tmp/ab"), fractions={"train": .5, "test": .5})``
    """
    fractions = fractions or {"train": 0.5, "validation": 0.25, "test": 0.25}
    per_class = per_class or {}
    out = Path(out)
    rng = random.Random(seed)
    with assets.writing(out.parent):  # read-only cache or full disk: a clear error naming the folder
        shutil.rmtree(out, ignore_errors=True)
        for label, files in sorted(source.items()):
            files = sorted(files)
            rng.shuffle(files)
            start = 0
            names = list(fractions)
            for i, split in enumerate(names):
                n = len(files) - start if i == len(names) - 1 else round(len(files) * fractions[split])
                chosen = files[start : start + n]
                start += n
                cap = per_class.get(split)
                for f in chosen[:cap] if cap else chosen:
                    _link_or_copy(f, out / split / label / f.name)
    return out


def array_splits(
    images: np.ndarray,
    labels: np.ndarray,
    classes: dict[int, str],
    out: Path,
    *,
    per_class: int = 60,
    fractions: dict[str, float] | None = None,
    seed: int = 42,
) -> Path:
    """Write some images of an array dataset as split image folders, ``out/<split>/<class>/<i>.png``.

    Takes ``per_class`` seeded images of each label in ``classes`` (``{label: folder name}``),
    so any labelled array (Fashion-MNIST, say) becomes a folder dataset for the same recipe.

    Example: ``array_splits(x, y, {7: "sneaker", 9: "ankle_boot"}, course_root() / "shoes")``
    """
    from PIL import Image

    rng = np.random.default_rng(seed)
    raw = Path(out).with_name(Path(out).name + "_images")
    source = {}
    with assets.writing(raw.parent):  # read-only cache or full disk: a clear error naming the folder
        for label, name in classes.items():
            (raw / name).mkdir(parents=True, exist_ok=True)
            source[name] = []
            for i in sorted(rng.permutation(np.flatnonzero(labels == label))[:per_class]):
                path = raw / name / f"{i}.png"
                if not path.is_file():
                    Image.fromarray(images[i]).save(path)
                source[name].append(path)
    return make_splits(source, out, fractions=fractions, seed=seed)


def cutout_categories(min_images: int = 10) -> dict[str, int]:
    """Photo cut-out folders (Debian tuxpaint stamps) with at least ``min_images`` images.

    Folders named ``cartoon`` hold drawings and are skipped.

    Example: ``cutout_categories() if offline.have_photo_cutouts() else {}``
    {'animals/birds': 35, ...}
    """
    root = offline.TUXPAINT_STAMPS
    found = {}
    for folder in sorted(p for p in root.rglob("*") if p.is_dir()):
        rel = folder.relative_to(root).as_posix()
        if "cartoon" in rel.split("/"):
            continue
        n = len([p for p in folder.glob("*.png")])
        if n >= min_images:
            found[rel] = n
    return found


def cutout_images(folders: list[str], out_dir: Path, *, size: int = 224) -> list[Path]:
    """Convert photo cut-outs (RGBA PNG) in ``folders`` to RGB JPEGs on white, cached.

    Sub-folders are included (except ``cartoon``). Each image is padded to a square and
    resized to ``size`` pixels.

    Example: ``cutout_images(["food/fruit"], Path("/tmp/fruit"))``
    """
    from PIL import Image

    if not offline.have_photo_cutouts():
        raise assets.AssetError(f"photo cut-outs not found in {offline.TUXPAINT_STAMPS}: {offline.FIXTURES_HINT}")
    out_dir = Path(out_dir)
    result = []
    with assets.writing(out_dir.parent):  # read-only cache or full disk: a clear error
        out_dir.mkdir(parents=True, exist_ok=True)
        for rel in folders:
            for png in sorted((offline.TUXPAINT_STAMPS / rel).rglob("*.png")):
                if "cartoon" in png.relative_to(offline.TUXPAINT_STAMPS).parts:
                    continue
                dst = out_dir / f"{png.stem}.jpg"
                if not dst.is_file():
                    with Image.open(png) as img:
                        rgba = img.convert("RGBA")
                    side = max(rgba.size)
                    canvas = Image.new("RGBA", (side, side), (255, 255, 255, 255))
                    canvas.paste(rgba, ((side - rgba.width) // 2, (side - rgba.height) // 2), rgba)
                    part = dst.with_name(f".{dst.name}.part")  # a full disk leaves no half image behind
                    try:
                        canvas.convert("RGB").resize((size, size), Image.Resampling.BICUBIC).save(
                            part, "JPEG", quality=92
                        )
                        part.replace(dst)
                    finally:
                        part.unlink(missing_ok=True)
                result.append(dst)
    return result


def cutout_dataset(
    categories: dict[str, list[str]],
    *,
    fractions: dict[str, float] | None = None,
    seed: int = 42,
    name: str = "cutouts",
) -> Path:
    """A split image-folder dataset of photo cut-outs: ``<root>/{train,validation,test}/<class>``.

    ``categories`` maps a class name to tuxpaint folders, e.g. ``{"fruit": ["food/fruit"]}``.

    Example: ``root = cutout_dataset({"fruit": ["food/fruit"], "flowers": ["plants/flowers"]})``
    """
    images = {
        label: cutout_images(folders, course_root() / "cutout_images" / label) for label, folders in categories.items()
    }
    return make_splits(images, course_root() / name, fractions=fractions, seed=seed)


def cats_and_dogs(
    *, train_per_class: int | None = None, eval_per_class: int | None = None, seed: int = 42, progress: bool = True
) -> Choice:
    """The cats-vs-dogs image folders, split into train / validation / test, every image checked.

    Real data: ``cats_and_dogs_filtered`` (1000 + 1000 training images; its 1000
    validation images are split in half, stratified, into validation and test, since
    the archive has no test folder). ``train_per_class`` and ``eval_per_class`` (validation
    and test) keep seeded subsets for quick mode. Offline: a labelled stand-in with the same layout
    (photo cut-outs, birds vs mammals), so the notebook code is identical.

    Each split then goes through :func:`clean_image_folder` (once: a marker file records
    what was checked, so a second call costs a few milliseconds): an empty, truncated or
    non-image file (say, from a half-finished unzip) is left out and named in the label
    and in ``extra["skipped"]``, instead of stopping training mid-epoch. A read-only
    cache or a full disk raises :class:`helpers.course.assets.NotWritable` naming the folder.

    Example: ``ds = cats_and_dogs(train_per_class=50); print(ds); ds.value / "train"``
    """
    what = "cats_and_dogs_filtered"
    try:
        root = assets.fetch("cats_and_dogs_filtered")
    except assets.NotWritable:
        raise
    except assets.AssetError as err:
        offline.refuse_standin(err)
        if not offline.have_photo_cutouts():
            return Choice(what, None, "missing", f"{err} Stand-in unavailable too: {offline.FIXTURES_HINT}.")
        raw = cutout_dataset(CUTOUT_PAIR, seed=seed, name=f"unchecked/{STANDIN_NAME}")
        if train_per_class:
            src = {label: list_images(raw / "train" / label) for label in CUTOUT_PAIR}
            _cap_train(raw, src, train_per_class, seed=seed)
        out, skipped = _checked_splits(raw, course_root() / STANDIN_NAME, what, progress)
        counts = {s: class_counts(out / s) for s in SPLITS}
        return Choice(
            what,
            out,
            "stand-in",
            f"cats_and_dogs_filtered is {offline.unavailable(err)}; using "
            f"{sum(sum(c.values()) for c in counts.values())} photo cut-outs "
            f"(Debian tuxpaint-stamps-default), classes {sorted(CUTOUT_PAIR)}, in the "
            f"same folder layout. Accuracies are about THESE images, not cats vs dogs. "
            f"{_sentence(_skipped_summary(skipped))}",
            extra={"counts": counts, "skipped": skipped},
        )
    source = {}
    for label in ("cats", "dogs"):
        val = list_images(root / "validation" / label)
        source[label] = val
    raw = make_splits(
        source,
        course_root() / "unchecked" / "cats_and_dogs",
        seed=seed,
        fractions={"validation": 0.5, "test": 0.5},
        per_class={"validation": eval_per_class, "test": eval_per_class},
    )
    train = {label: list_images(root / "train" / label) for label in ("cats", "dogs")}
    _cap_train(raw, train, train_per_class, seed=seed)
    out, skipped = _checked_splits(raw, course_root() / "cats_and_dogs", what, progress, origin=root)
    counts = {s: class_counts(out / s) for s in SPLITS}
    return Choice(
        what, out, "cache", f"{root}; {_skipped_summary(skipped)}", extra={"counts": counts, "skipped": skipped}
    )


def _fingerprint(folder: Path) -> str:
    """Changes whenever a file under ``folder`` (or a link's target) is added, removed or rewritten."""
    digest = hashlib.sha1()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            digest.update(f"{p.relative_to(folder)}|{os.path.realpath(p)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _checked_splits(
    raw: Path, out: Path, what: str, progress: bool, origin: Path | None = None
) -> tuple[Path, list[tuple[str, str]]]:
    """``clean_image_folder(raw/<split>, out/<split>)`` for each split, skipped when already done.

    Returns ``out`` and every skipped file as ``("<split>/<class>/<file>", why)``.
    """
    skipped: list[tuple[str, str]] = []
    for split in SPLITS:
        src, dst = raw / split, out / split
        if not src.is_dir():
            continue
        fingerprint = _fingerprint(src)
        try:
            saved = json.loads((dst / CHECKED_MARKER).read_text())
            if saved["fingerprint"] == fingerprint:
                skipped += [(f"{split}/{f}", why) for f, why in saved["skipped"]]
                continue
        except (OSError, ValueError, KeyError, TypeError):
            pass  # not checked yet, or by an older version: check now
        with assets.writing(out):
            if dst.exists() and not (dst / CLEAN_MARKER).is_file():
                shutil.rmtree(dst)  # a split written by an older version of the course: ours to rebuild
        try:
            report = clean_image_folder(src, dst, progress=progress)
        except ValueError as e:
            raise assets.AssetError(
                f"{what}: the {split} split has too few usable images ({e}). "
                + (f"Delete {origin} and fetch it again (`python -m helpers fetch {what}`)." if origin else "")
            ) from e
        with assets.writing(out):
            (dst / CHECKED_MARKER).write_text(
                json.dumps(
                    {
                        "source": str(src),
                        "fingerprint": fingerprint,
                        "skipped": report.skipped,
                        "converted": report.converted,
                        "counts": report.counts,
                    },
                    indent=1,
                )
            )
        skipped += [(f"{split}/{f}", why) for f, why in report.skipped]
    return out, skipped


def _skipped_summary(skipped: list[tuple[str, str]], show: int = 10) -> str:
    """One phrase naming the unusable files that were left out (the first ``show`` of them).

    >>> _skipped_summary([])
    'every image checked: all usable'
    >>> _skipped_summary([("train/cats/1.jpg", "empty file (0 bytes)")])
    'every image checked: 1 unusable file left out: train/cats/1.jpg (empty file (0 bytes))'
    """
    if not skipped:
        return "every image checked: all usable"
    names = ", ".join(f"{f} ({why})" for f, why in skipped[:show])
    more = f" and {len(skipped) - show} more (see .extra['skipped'])" if len(skipped) > show else ""
    return f"every image checked: {len(skipped)} unusable file{'s' if len(skipped) > 1 else ''} left out: {names}{more}"


def _sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:] + "."


def _cap_train(out: Path, train: dict[str, list[Path]], n: int | None, seed: int) -> None:
    rng = random.Random(seed)
    # resolve first: the files may be links inside out/train, which the next line deletes
    train = {label: [f.resolve() for f in files] for label, files in train.items()}
    with assets.writing(out):
        shutil.rmtree(out / "train", ignore_errors=True)
        for label, files in train.items():
            files = sorted(files)
            rng.shuffle(files)
            for f in sorted(files[:n] if n else files):
                _link_or_copy(f.resolve(), out / "train" / label / f.name)


FASHION_MNIST = (
    "fashion_mnist_train_images",
    "fashion_mnist_train_labels",
    "fashion_mnist_test_images",
    "fashion_mnist_test_labels",
)  # its four assets


def fashion_mnist() -> Choice:
    """Fashion-MNIST as ``((x_train, y_train), (x_test, y_test))`` via ``keras.datasets``.

    Its four files are fetched (and checked) into the Keras cache, where
    ``keras.datasets.fashion_mnist.load_data()`` finds them and downloads nothing. Offline,
    the same images from Debian's ``dataset-fashion-mnist`` are copied there instead.

    Example: ``(x, y), _ = fashion_mnist().value``
    """
    import keras

    copied = ""
    for name in FASHION_MNIST:
        asset = assets.get(name)
        try:
            assets.fetch(name)
        except assets.NotWritable:
            raise
        except assets.AssetError as err:
            offline.refuse_standin(err)
            if not offline.have_fashion_mnist():
                raise assets.AssetError(f"{err} Or {offline.FIXTURES_HINT}.") from err
            with assets.writing(asset.path.parent):  # read-only cache or full disk: a clear error
                asset.path.parent.mkdir(parents=True, exist_ok=True)
                part = asset.path.with_name(asset.fname + ".part")  # a full disk leaves no truncated file
                shutil.copy2(offline.FASHION_MNIST_DEBIAN / asset.fname, part)
                part.replace(asset.path)
            copied = f"copied into {asset.path.parent} from Debian dataset-fashion-mnist (the same images)"
    note = copied or str(assets.get(FASHION_MNIST[0]).path.parent)
    return Choice("Fashion-MNIST", keras.datasets.fashion_mnist.load_data(), "cache", note)


SAMPLE_PHOTOS = {"cat": "chelsea", "coffee mug": "coffee", "rocket": "rocket", "astronaut": "astronaut"}


def sample_photos() -> dict[str, np.ndarray]:
    """Real photos bundled with scikit-image, as RGB uint8 arrays keyed by what they show.

    >>> sorted(sample_photos())
    ['astronaut', 'cat', 'coffee mug', 'rocket']
    """
    import skimage.data

    return {label: getattr(skimage.data, fn)() for label, fn in SAMPLE_PHOTOS.items()}


def load_image(path: str | Path, size: int | tuple[int, int]) -> np.ndarray:
    """Read one image file as an RGB float array of ``size`` pixels, with a clear error.

    Example: ``load_image("missing.jpg", 299)``
    FileNotFoundError: missing.jpg: no such file; check the path (relative to notebooks/)
    """
    import keras

    size = (size, size) if isinstance(size, int) else tuple(size)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file; check the path (relative paths start in {Path.cwd()})")
    try:
        img = keras.utils.load_img(path, target_size=size, color_mode="rgb")
    except Exception as e:  # PIL raises several types for unreadable files
        raise ValueError(f"{path}: not a readable image ({type(e).__name__}: {e}); use a JPEG or PNG file") from e
    return keras.utils.img_to_array(img)


def load_photo(source: str | os.PathLike, param: str = "IMAGE_PATH") -> np.ndarray:
    """An RGB photo (uint8, at its own size) from a file path or an http(s) URL, with clear errors.

    A URL is downloaded once into the Keras cache (``my_images/``); a download that is not an
    image (a web page, say) is forgotten, so that a corrected URL is fetched again. Errors name
    the notebook parameter ``param`` and what to do.

    Example: ``img = load_photo("../data/my_photo.jpg")``
    """
    import urllib.parse

    import keras

    from .course.params import check_path

    source = str(source)
    is_url = source.lower().startswith(("http://", "https://"))
    if is_url:
        name = Path(urllib.parse.urlsplit(source).path).name or "image"
        fname = f"{hashlib.md5(source.encode()).hexdigest()[:8]}_{name}"  # one cached file per URL
        try:
            path = keras.utils.get_file(fname=fname, origin=source, cache_subdir="my_images")
        except Exception as err:
            raise RuntimeError(
                f"{param} = {source!r} could not be downloaded ({err}). Check the URL and your "
                f"internet connection, or download the image yourself and set {param} to the "
                "file's path."
            ) from None
    else:
        path = check_path(param, source)
    try:
        return np.asarray(keras.utils.load_img(path, color_mode="rgb"))
    except Exception as err:
        hint = "Use a JPEG or PNG file."
        if is_url:  # forget the download, so that a fixed URL is fetched again
            Path(path).unlink(missing_ok=True)
            hint = (
                "Is the URL a web page rather than the image itself? Use the image's own "
                "address (right-click the image: 'Copy image address')."
            )
        raise ValueError(
            f"{param} = {source!r} is not an image Keras can read ({type(err).__name__}: {err}). {hint}"
        ) from None


# ---------------------------------------------------------------- the learner's own image folders

CLEAN_MARKER = ".helpers_clean"  # marks a folder written by clean_image_folder (safe to rebuild)
_OPEN_LOCK = threading.Lock()  # guards Image.MAX_IMAGE_PIXELS while opening


class FolderReport:
    """What :func:`clean_image_folder` found: usable images per class, and every file it skipped.

    ``str(report)`` is one readable summary that names each skipped file and why.
    """

    def __init__(self, source: Path, output: Path):
        self.source, self.output = Path(source), Path(output)
        self.counts: dict[str, int] = {}  # class -> usable images (empty classes included, as 0)
        self.converted: list[tuple[str, str]] = []  # (file relative to source, what was done)
        self.skipped: list[tuple[str, str]] = []  # (file relative to source, why)

    @property
    def classes(self) -> list[str]:
        """Classes with at least one usable image (the ones the clean copy holds)."""
        return [c for c, n in self.counts.items() if n]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        per_class = ", ".join(f"{c} {n}" for c, n in self.counts.items()) or "no class folders"
        lines = [
            f"{self.source}: {self.total} usable images in {len(self.classes)} classes ({per_class}) -> {self.output}"
        ]
        empty = [c for c, n in self.counts.items() if not n]
        if empty:
            lines.append(f"class folders without usable images (left out): {', '.join(empty)}")
        if self.converted:
            lines.append(
                f"converted {len(self.converted)}: " + ", ".join(f"{f} ({what})" for f, what in self.converted)
            )
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} unusable files:")
            lines += [f"  {f}: {why}" for f, why in self.skipped]
        else:
            lines.append("skipped nothing: every file is a usable image")
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def _to_rgb(img):
    """A decoded PIL image of any mode as 8-bit RGB; transparency is composited on white."""
    from PIL import Image

    if img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):  # 16-bit PNG, 32-bit TIFF
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() if arr.size else 0
        if top > 255:
            arr = arr / (257.0 if top <= 65535 else top / 255.0)
        img = Image.fromarray(np.clip(arr, 0, 255).round().astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return canvas.convert("RGB")
    return img.convert("RGB")


def _clean_one(src: Path, dst: Path, max_side: int) -> tuple[str, str]:
    """Decode ``src`` fully and write it as an RGB JPEG ``dst``: ("ok"|"converted"|"skipped", note).

    An RGB JPEG that decodes completely, needs no rotation and is small enough is copied
    byte for byte (no second JPEG compression); anything else is re-encoded.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    notes = []
    keep = False
    try:
        if src.stat().st_size == 0:
            return "skipped", "empty file (0 bytes)"
        with _OPEN_LOCK:  # open reads only the header: no bomb check yet (we downscale instead)
            old, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
            limit = old or 89_478_485  # read under the lock: other threads set it to None here
            try:
                img = Image.open(src)
            finally:
                Image.MAX_IMAGE_PIXELS = old
            with img:
                fmt, mode, (w, h) = img.format, img.mode, img.size
                if w * h > limit:  # huge: decode at a reduced scale where the format allows it
                    if fmt == "JPEG":
                        scale = (w * h / limit) ** 0.5
                        img.draft("RGB", (int(w / scale) + 1, int(h / scale) + 1))
                    if img.size[0] * img.size[1] > 4 * limit:
                        return "skipped", (
                            f"too large to decode safely ({w} x {h} pixels); resize it below 4 x Image.MAX_IMAGE_PIXELS"
                        )
                    notes.append(f"huge {w}x{h}, downscaled")
                img.load()  # decodes every pixel: truncated or damaged files fail here
                keep = (
                    fmt == "JPEG"
                    and mode == "RGB"
                    and not notes
                    and max(w, h) <= max_side
                    and img.getexif().get(0x0112, 1) == 1
                )  # 0x0112: EXIF orientation
                if not keep:
                    out = ImageOps.exif_transpose(img)
                    if mode != "RGB":
                        notes.append(f"{mode} -> RGB")
                    out = _to_rgb(out)
    except UnidentifiedImageError:
        return "skipped", "not an image (no image format recognised)"
    except Exception as e:  # Pillow raises many types for damaged files; none may stop the scan
        return "skipped", f"damaged or truncated image ({type(e).__name__}: {e})"
    if keep:
        shutil.copyfile(src, dst)
        return "ok", ""
    side = max_side
    if out.width * out.height > limit:
        side = min(side, int(limit**0.5))
    if max(out.size) > side:
        out.thumbnail((side, side), Image.Resampling.LANCZOS)
    out.save(dst, "JPEG", quality=95)
    return ("converted", ", ".join(notes)) if notes else ("ok", "")


def clean_image_folder(
    src: str | os.PathLike, dst: str | os.PathLike | None = None, *, max_side: int = 1024, progress: bool = True
) -> FolderReport:
    """Check every file of an image folder (``src/<class>/<image>``) and write a clean copy.

    Each file is decoded in full with Pillow. Usable images (grayscale, transparent
    PNG, CMYK JPEG, 16-bit PNG, WebP, TIFF, huge photos...) are written to ``dst`` as RGB
    JPEGs of at most ``max_side`` pixels a side (an RGB JPEG that needs no change is copied
    byte for byte); unusable files (empty, truncated, not an image) and hidden files
    (``.DS_Store``) are skipped and listed in the returned :class:`FolderReport`. ``dst``
    defaults to ``<keras cache>/datasets/course/clean/<name>`` and is rebuilt on every
    call. Raises ``ValueError`` naming the folder and the fix when fewer than two classes
    have usable images, and :class:`helpers.course.assets.NotWritable` when ``dst`` is read-only
    or the disk is full.

    Example: ``report = clean_image_folder("data/my_images"); print(report)``
    """
    src = Path(src).expanduser()
    if not src.is_dir():
        raise FileNotFoundError(
            f"{src}: no such folder; put your images in one sub-folder per "
            f"class, e.g. {src}/cats/*.jpg and {src}/dogs/*.jpg "
            f"(relative paths start in {Path.cwd()})"
        )
    dst = Path(dst).expanduser() if dst is not None else course_root() / "clean" / src.resolve().name
    if dst.resolve() == src.resolve() or dst.resolve().is_relative_to(src.resolve()):
        raise ValueError(f"the clean copy {dst} must not be inside {src}; choose another dst")
    if dst.exists() and any(dst.iterdir()) and not (dst / CLEAN_MARKER).is_file():
        raise ValueError(
            f"{dst} exists and was not written by clean_image_folder; choose an empty or new folder as dst"
        )
    report = FolderReport(src, dst)
    jobs = []
    for entry in sorted(src.iterdir()):
        if entry.name.startswith(".") or entry.name.lower().startswith("readme"):
            continue
        if not entry.is_dir():
            report.skipped.append((entry.name, "not inside a class folder (one sub-folder per class)"))
            continue
        report.counts[entry.name] = 0
        used: set[str] = set()
        for f in sorted(p for p in entry.rglob("*") if p.is_file()):
            rel = f.relative_to(src).as_posix()
            if any(part.startswith(".") for part in f.relative_to(entry).parts):
                report.skipped.append((rel, "hidden or system file"))
                continue
            stem = "__".join(f.relative_to(entry).with_suffix("").parts)
            name, i = f"{stem}.jpg", 1
            while name.lower() in used:
                name, i = f"{stem}_{i}.jpg", i + 1
            used.add(name.lower())
            jobs.append((entry.name, f, rel, name))
    part = dst.with_name(dst.name + ".part")
    with assets.writing(dst.parent, hint="or pass a writable dst="):  # read-only or full disk
        _write_clean_copy(jobs, report, part, dst, src, max_side, progress)
    return report


def _write_clean_copy(
    jobs, report: FolderReport, part: Path, dst: Path, src: Path, max_side: int, progress: bool
) -> None:
    """The writing half of :func:`clean_image_folder`: decode each job into ``part``, then rename it to ``dst``."""
    from concurrent.futures import ThreadPoolExecutor

    shutil.rmtree(part, ignore_errors=True)
    try:
        for label in report.counts:
            (part / label).mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            results = pool.map(lambda job: _clean_one(job[1], part / job[0] / job[3], max_side), jobs)
            # tqdm around the zip, not inside it: zip stops at the last job before tqdm sees the end
            for (label, _f, rel, _name), (status, note) in tqdm(
                zip(jobs, results), total=len(jobs), desc=f"checking {src.name}", unit="file", disable=not progress
            ):
                if status == "skipped":
                    report.skipped.append((rel, note))
                    continue
                report.counts[label] += 1
                if status == "converted":
                    report.converted.append((rel, note))
    except BaseException:  # a full disk, an interrupt: leave no half-written copy behind
        shutil.rmtree(part, ignore_errors=True)
        raise
    report.skipped.sort()
    report.converted.sort()
    if len(report.classes) < 2:
        shutil.rmtree(part, ignore_errors=True)
        found = (
            f"found usable images only for class {report.classes[0]!r}" if report.classes else "found no usable images"
        )
        raise ValueError(
            f"{src}: {found}; a classifier needs images in at least 2 class "
            f"folders. Fix: put each class's images in its own sub-folder, e.g. "
            f"{src}/cats/*.jpg and {src}/dogs/*.jpg (JPEG or PNG).\n{report}"
        )
    for label in report.counts:
        if not report.counts[label]:
            (part / label).rmdir()
    (part / CLEAN_MARKER).write_text(f"clean copy of {src}, written by helpers.data.clean_image_folder\n")
    shutil.rmtree(dst, ignore_errors=True)
    part.rename(dst)  # part sits beside dst, so dst's parent exists


def image_folder_datasets(
    folder: str | os.PathLike,
    image_size: int | tuple[int, int] = 180,
    batch_size: int = 32,
    seed: int = 42,
    validation_split: float = 0.2,
    *,
    dst: str | os.PathLike | None = None,
    verbose: bool = True,
    **kwargs,
):
    """One call from a folder of your images (one sub-folder per class) to (train, validation).

    Cleans the folder first (:func:`clean_image_folder`: unusable files skipped and listed,
    every image made RGB), prints the summary, then calls
    ``keras.utils.image_dataset_from_directory(..., validation_split=..., subset="both",
    seed=...)``. Extra keyword arguments go to that function. Both datasets get
    ``class_names`` and ``report`` attributes.

    Example: ``train_ds, val_ds = image_folder_datasets("../data/my_images", 180)``
    """
    from .course.params import check_int

    sizes = (image_size, image_size) if not isinstance(image_size, (tuple, list)) else tuple(image_size)
    for s in sizes:
        check_int("image_size", s, low=8)
    check_int("BATCH_SIZE", batch_size, low=1)
    check_int("SEED", seed, low=0)
    if not isinstance(validation_split, (int, float)) or not 0 < validation_split < 1:
        raise ValueError(
            f"validation_split = {validation_split!r} must be a fraction between 0 and 1, "
            "e.g. 0.2 (20% of the images for validation)"
        )
    report = clean_image_folder(folder, dst, progress=verbose)
    if verbose:
        print(report)
    n_val = int(validation_split * report.total)
    if n_val < 1:  # int() rounds down, so at least one image is always left to train on
        raise ValueError(
            f"{folder}: only {report.total} usable images, too few to keep "
            f"{validation_split:.0%} for validation; add more images to each class folder"
        )
    import keras

    train, val = keras.utils.image_dataset_from_directory(
        report.output,
        image_size=sizes,
        batch_size=batch_size,
        seed=seed,
        validation_split=validation_split,
        subset="both",
        verbose=verbose,
        **kwargs,
    )
    for ds in (train, val):
        ds.report = report
    return train, val
