"""Datasets of the course: where they come from, how they are split, offline stand-ins.

Notebooks load image folders themselves with ``keras.utils.image_dataset_from_directory``;
these helpers only decide *which* folder (the real data or a labelled stand-in) and
prepare it (subsets for quick mode, a held-out test split).

>>> from helpers import data
>>> data.IMAGE_SUFFIXES
('.jpg', '.jpeg', '.png', '.bmp', '.gif')
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from . import assets, offline
from .offline import Choice

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")  # what image_dataset_from_directory reads
SPLITS = ("train", "validation", "test")

# Offline stand-in for cats vs dogs: two groups of real photo cut-outs (tuxpaint stamps).
CUTOUT_PAIR = {"birds": ["animals/birds"], "mammals": ["animals/mammals"]}


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
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES)


def class_counts(folder: Path) -> dict[str, int]:
    """Images per class in a folder laid out as ``folder/<class>/<image>``.

    >>> class_counts(Path("/nonexistent"))
    {}
    """
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {d.name: len(list_images(d)) for d in sorted(folder.iterdir())
            if d.is_dir() and not d.name.startswith(".")}


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.symlink(src.resolve(), dst)
    except OSError:  # e.g. Windows without symlink rights
        shutil.copy2(src, dst)


def make_splits(source: dict[str, list[Path]], out: Path, *, fractions: dict[str, float] | None = None,
                per_class: dict[str, int | None] | None = None, seed: int = 42) -> Path:
    """Write ``out/<split>/<class>/`` from lists of image files per class, stratified, seeded.

    ``fractions`` (e.g. {"train": .5, "validation": .25, "test": .25}) splits each class's
    files; ``per_class`` then caps a split's images per class (quick mode). Files are
    symlinked (copied where links are not allowed). The result is rebuilt on every call.

    >>> make_splits({"a": files_a, "b": files_b}, Path("/tmp/ab"), fractions={"train": .5, "test": .5})  # doctest: +SKIP
    """
    fractions = fractions or {"train": 0.5, "validation": 0.25, "test": 0.25}
    per_class = per_class or {}
    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    rng = random.Random(seed)
    for label, files in sorted(source.items()):
        files = sorted(files)
        rng.shuffle(files)
        start = 0
        names = list(fractions)
        for i, split in enumerate(names):
            n = len(files) - start if i == len(names) - 1 else round(len(files) * fractions[split])
            chosen = files[start:start + n]
            start += n
            cap = per_class.get(split)
            for f in chosen[:cap] if cap else chosen:
                _link_or_copy(f, out / split / label / f.name)
    return out


def cutout_categories(min_images: int = 10) -> dict[str, int]:
    """Photo cut-out folders (Debian tuxpaint stamps) with at least ``min_images`` images.

    Folders named ``cartoon`` hold drawings and are skipped.

    >>> cutout_categories() if offline.have_photo_cutouts() else {}  # doctest: +SKIP
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

    >>> cutout_images(["food/fruit"], Path("/tmp/fruit"))  # doctest: +SKIP
    """
    from PIL import Image

    if not offline.have_photo_cutouts():
        raise assets.AssetError(f"photo cut-outs not found in {offline.TUXPAINT_STAMPS}: "
                                f"{offline.FIXTURES_HINT}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = []
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
                canvas.convert("RGB").resize((size, size), Image.Resampling.BICUBIC).save(dst, quality=92)
            result.append(dst)
    return result


def cutout_dataset(categories: dict[str, list[str]], *, fractions: dict[str, float] | None = None,
                   seed: int = 42, name: str = "cutouts") -> Path:
    """A split image-folder dataset of photo cut-outs: ``<root>/{train,validation,test}/<class>``.

    ``categories`` maps a class name to tuxpaint folders, e.g. ``{"fruit": ["food/fruit"]}``.

    >>> root = cutout_dataset({"fruit": ["food/fruit"], "flowers": ["plants/flowers"]})  # doctest: +SKIP
    """
    images = {label: cutout_images(folders, course_root() / "cutout_images" / label)
              for label, folders in categories.items()}
    return make_splits(images, course_root() / name, fractions=fractions, seed=seed)


def cats_and_dogs(*, train_per_class: int | None = None, seed: int = 42) -> Choice:
    """The cats-vs-dogs image folders, split into train / validation / test.

    Real data: ``cats_and_dogs_filtered`` (1000 + 1000 training images; its 1000
    validation images are split in half, stratified, into validation and test, since
    the archive has no test folder). ``train_per_class`` keeps a seeded subset for quick
    mode. Offline: a labelled stand-in with the same layout (photo cut-outs, birds vs
    mammals), so the notebook code is identical.

    >>> ds = cats_and_dogs(train_per_class=50); print(ds); ds.value / "train"  # doctest: +SKIP
    """
    what = "cats_and_dogs_filtered"
    try:
        root = assets.fetch("cats_and_dogs_filtered")
    except assets.AssetError as err:
        if not offline.have_photo_cutouts():
            return Choice(what, None, "missing", f"{err} Stand-in unavailable too: {offline.FIXTURES_HINT}.")
        out = cutout_dataset(CUTOUT_PAIR, seed=seed, name="cats_and_dogs_standin")
        if train_per_class:
            src = {label: list_images(out / "train" / label) for label in CUTOUT_PAIR}
            _cap_train(out, src, train_per_class)
        counts = {s: class_counts(out / s) for s in SPLITS}
        return Choice(what, out, "stand-in",
                      f"cats_and_dogs_filtered is not cached and there is no network; using "
                      f"{sum(sum(c.values()) for c in counts.values())} photo cut-outs "
                      f"(Debian tuxpaint-stamps-default), classes {sorted(CUTOUT_PAIR)}, in the "
                      f"same folder layout. Accuracies are about THESE images, not cats vs dogs.",
                      extra={"counts": counts})
    source = {}
    for label in ("cats", "dogs"):
        val = list_images(root / "validation" / label)
        source[label] = val
    out = make_splits(source, course_root() / "cats_and_dogs", seed=seed,
                      fractions={"validation": 0.5, "test": 0.5})
    train = {label: list_images(root / "train" / label) for label in ("cats", "dogs")}
    _cap_train(out, train, train_per_class, seed=seed)
    counts = {s: class_counts(out / s) for s in SPLITS}
    return Choice(what, out, "cache", f"{root}", extra={"counts": counts})


def _cap_train(out: Path, train: dict[str, list[Path]], n: int | None, seed: int = 42) -> None:
    rng = random.Random(seed)
    shutil.rmtree(out / "train", ignore_errors=True)
    for label, files in train.items():
        files = sorted(files)
        rng.shuffle(files)
        for f in sorted(files[:n] if n else files):
            _link_or_copy(f.resolve(), out / "train" / label / f.name)


def fashion_mnist() -> Choice:
    """Fashion-MNIST as ``((x_train, y_train), (x_test, y_test))`` via ``keras.datasets``.

    When the Keras cache lacks the files and there is no network, the identical files
    from Debian's ``dataset-fashion-mnist`` are copied into the cache first, so
    ``keras.datasets.fashion_mnist.load_data()`` finds them and downloads nothing.

    >>> (x, y), _ = fashion_mnist().value  # doctest: +SKIP
    """
    import keras

    cache = assets.keras_home() / "datasets" / "fashion-mnist"
    files = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
    note = f"{cache}"
    if not all((cache / f).is_file() for f in files):
        if offline.have_fashion_mnist():
            cache.mkdir(parents=True, exist_ok=True)
            for f in files:
                shutil.copy2(offline.FASHION_MNIST_DEBIAN / f, cache / f)
            note = f"copied into {cache} from Debian dataset-fashion-mnist (the same files)"
        elif not assets.is_online("https://storage.googleapis.com/"):
            raise assets.AssetError(f"Fashion-MNIST is not in {cache} and there is no network: "
                                    f"{offline.FIXTURES_HINT}, or copy the four .gz files there")
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

    >>> load_image("missing.jpg", 299)  # doctest: +SKIP
    FileNotFoundError: missing.jpg: no such file; check the path (relative to notebooks/)
    """
    import keras

    size = (size, size) if isinstance(size, int) else tuple(size)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file; check the path "
                                f"(relative paths start in {Path.cwd()})")
    try:
        img = keras.utils.load_img(path, target_size=size, color_mode="rgb")
    except Exception as e:  # PIL raises several types for unreadable files
        raise ValueError(f"{path}: not a readable image ({type(e).__name__}: {e}); "
                         "use a JPEG or PNG file") from e
    return keras.utils.img_to_array(img)

