"""A learner's own image folder: every bad case generated here, cleaned, reported, trained on."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import data

pytestmark = pytest.mark.usefixtures("tmp_keras_home")

RNG = np.random.default_rng(0)


def _photo(size=(40, 30)) -> Image.Image:
    w, h = size
    return Image.fromarray(RNG.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB")


def _jpeg_bytes(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kw)
    return buf.getvalue()


def _good(folder: Path, n: int, prefix: str = "ok") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"{prefix}_{i}.jpg"
        _photo().save(p, quality=90)
        paths.append(p)
    return paths


# every bad case, by file name (relative to the folder) -> how it is made
def _bad_cases(root: Path) -> dict[str, str]:
    """Write every awkward file into ``root/<class>/``; return {relative name: expected outcome}."""
    cats, dogs = root / "cats", root / "dogs"
    _good(cats, 6)
    _good(dogs, 6)
    (root / "empty_class").mkdir()
    (cats / "zero.jpg").write_bytes(b"")
    full = _jpeg_bytes(_photo((64, 64)))
    (cats / "truncated.jpg").write_bytes(full[: len(full) // 2])
    (dogs / "not_really.png").write_text("this is a text file with an image extension")
    (dogs / "page.jpeg").write_bytes(b"<html><body>404 Not Found</body></html>")
    Image.new("L", (20, 20), 128).save(cats / "gray.png")
    rgba = Image.new("RGBA", (20, 20), (255, 0, 0, 0))  # fully transparent red
    rgba.putpixel((0, 0), (0, 0, 255, 255))  # one opaque blue pixel
    rgba.save(dogs / "transparent.png")
    Image.new("CMYK", (20, 20), (0, 255, 255, 0)).save(cats / "cmyk.jpg")  # red in CMYK
    Image.fromarray(np.full((20, 20), 30000, dtype=np.uint16)).save(dogs / "sixteen_bit.png")
    Image.new("P", (20, 20), 3).save(cats / "palette.gif")
    _photo((400, 300)).save(dogs / "huge.jpg", quality=80)  # huge once MAX_IMAGE_PIXELS is small
    _photo((300, 200)).save(cats / "huge.png")
    (cats / ".DS_Store").write_bytes(b"\0\0\0\1Bud1" + b"\0" * 100)
    (dogs / "._ok_0.jpg").write_bytes(b"\0\5\26\7" + b"\0" * 60)  # macOS AppleDouble
    (root / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "notes.txt").write_text("my notes")
    return {
        "cats/zero.jpg": "skipped",
        "cats/truncated.jpg": "skipped",
        "dogs/not_really.png": "skipped",
        "dogs/page.jpeg": "skipped",
        "cats/.DS_Store": "skipped",
        "dogs/._ok_0.jpg": "skipped",
        "notes.txt": "skipped",
        "cats/gray.png": "converted",
        "dogs/transparent.png": "converted",
        "cats/cmyk.jpg": "converted",
        "dogs/sixteen_bit.png": "converted",
        "cats/palette.gif": "converted",
        "dogs/huge.jpg": "converted",
        "cats/huge.png": "converted",
    }


@pytest.fixture
def messy(tmp_path, monkeypatch) -> tuple[Path, dict[str, str]]:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 20_000)  # 400x300 = 120k pixels is "huge" now
    root = tmp_path / "my_images"
    root.mkdir()
    return root, _bad_cases(root)


def test_raw_folder_really_breaks_keras(messy):
    """The control: without cleaning, Keras fails on these files while reading a batch."""
    import keras
    import tensorflow as tf

    root, _ = messy
    ds = keras.utils.image_dataset_from_directory(root, image_size=(32, 32), batch_size=64, verbose=False)
    with pytest.raises(tf.errors.InvalidArgumentError):
        for _ in ds:
            pass


def test_clean_copy_and_report(messy, tmp_path):
    root, expected = messy
    report = data.clean_image_folder(root, tmp_path / "clean", progress=False)
    skipped = dict(report.skipped)
    converted = dict(report.converted)
    for name, outcome in expected.items():
        assert name in (skipped if outcome == "skipped" else converted), (name, str(report))
    assert set(skipped) == {n for n, o in expected.items() if o == "skipped"}
    assert "0 bytes" in skipped["cats/zero.jpg"]
    assert "truncated" in skipped["cats/truncated.jpg"]
    assert "not an image" in skipped["dogs/not_really.png"]
    assert "hidden" in skipped["cats/.DS_Store"]
    assert "class folder" in skipped["notes.txt"]
    assert "downscaled" in converted["dogs/huge.jpg"] and "downscaled" in converted["cats/huge.png"]
    assert report.counts == {"cats": 10, "dogs": 9, "empty_class": 0}
    assert report.classes == ["cats", "dogs"]

    summary = str(report)
    for name in skipped:
        assert name in summary
    assert "empty_class" in summary and "19 usable images in 2 classes" in summary

    out = tmp_path / "clean"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["cats", "dogs"]  # empty class left out
    files = sorted(out.rglob("*.jpg"))
    assert len(files) == 19
    for f in files:
        with Image.open(f) as img:
            img.load()
            assert img.mode == "RGB" and img.format == "JPEG"
            assert img.width * img.height <= Image.MAX_IMAGE_PIXELS
            assert max(img.size) <= 1024


def test_conversions_keep_what_the_image_shows(messy, tmp_path):
    root, _ = messy
    data.clean_image_folder(root, tmp_path / "clean", progress=False)
    out = tmp_path / "clean"

    def pixels(rel):
        with Image.open(out / rel) as img:
            return np.asarray(img.convert("RGB"), dtype=int)

    sixteen = pixels("dogs/sixteen_bit.jpg")  # 30000 / 65535 of white, not clipped to white
    assert np.all(np.abs(sixteen - 30000 / 257) <= 3), sixteen[0, 0]
    transparent = pixels("dogs/transparent.jpg")  # transparent pixels become white, not black
    assert np.all(transparent[10, 10] >= 250)
    cmyk = pixels("cats/cmyk.jpg")
    assert cmyk[10, 10, 0] > 200 and cmyk[10, 10, 1] < 60 and cmyk[10, 10, 2] < 60  # red
    gray = pixels("cats/gray.jpg")
    assert np.all(np.abs(gray - 128) <= 2)


@pytest.mark.filterwarnings("ignore:`shuffle=True` was passed")
def test_one_epoch_on_the_messy_folder_never_crashes(messy, tmp_path, capsys):
    import keras

    root, expected = messy
    train, val = data.image_folder_datasets(
        root, 32, batch_size=4, seed=1, validation_split=0.25, dst=tmp_path / "clean"
    )
    printed = capsys.readouterr().out
    for name, outcome in expected.items():
        if outcome == "skipped":
            assert name in printed
    assert train.class_names == ["cats", "dogs"] and val.report.total == 19
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ]
    )
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0]) and "val_accuracy" in history.history
    seen = sum(int(x.shape[0]) for x, _ in train) + sum(int(x.shape[0]) for x, _ in val)
    assert seen == 19


def test_default_clean_copy_lives_in_the_course_cache(tmp_path):
    src = tmp_path / "flowers"
    _good(src / "roses", 2)
    _good(src / "tulips", 2)
    report = data.clean_image_folder(src, progress=False)
    assert report.output == data.course_root() / "clean" / "flowers"
    assert data.class_counts(report.output) == {"roses": 2, "tulips": 2}
    (src / "tulips" / "ok_0.jpg").unlink()  # rebuilt on every call
    assert data.class_counts(data.clean_image_folder(src, progress=False).output) == {"roses": 2, "tulips": 1}


def test_name_clashes_and_nested_folders_keep_every_image(tmp_path):
    src = tmp_path / "src"
    _good(src / "a", 1)
    _photo().save(src / "a" / "ok_0.png")  # same stem as ok_0.jpg
    _photo().save(src / "a" / "OK_0.JPG")
    (src / "a" / "sub").mkdir()
    _photo().save(src / "a" / "sub" / "deep.webp")
    _good(src / "b", 1)
    report = data.clean_image_folder(src, tmp_path / "out", progress=False)
    assert report.counts == {"a": 4, "b": 1}
    assert len(list((tmp_path / "out" / "a").glob("*.jpg"))) == 4


def test_single_class_is_a_clear_error(tmp_path):
    src = tmp_path / "only_cats"
    _good(src / "cats", 3)
    (src / "dogs").mkdir()
    (src / "dogs" / "broken.jpg").write_bytes(b"")
    with pytest.raises(ValueError) as info:
        data.clean_image_folder(src, tmp_path / "out", progress=False)
    message = str(info.value)
    assert str(src) in message and "'cats'" in message and "at least 2" in message
    assert "sub-folder" in message and "dogs/broken.jpg" in message
    assert not (tmp_path / "out").exists()


def test_no_images_is_a_clear_error(tmp_path):
    src = tmp_path / "loose"
    src.mkdir()
    _photo().save(src / "photo.jpg")  # images directly in the folder, no class folders
    with pytest.raises(ValueError, match="no usable images.*sub-folder") as info:
        data.clean_image_folder(src, tmp_path / "out", progress=False)
    assert str(src) in str(info.value) and "photo.jpg" in str(info.value)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder.*sub-folder per class"):
        data.clean_image_folder(tmp_path / "typo", progress=False)


def test_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path):
    src = tmp_path / "src"
    _good(src / "a", 1)
    _good(src / "b", 1)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not written by clean_image_folder"):
        data.clean_image_folder(src, precious, progress=False)
    with pytest.raises(ValueError, match="must not be inside"):
        data.clean_image_folder(src, src / "clean", progress=False)
    assert (precious / "thesis.txt").read_text() == "keep me"


def test_image_folder_datasets_checks_its_parameters(tmp_path):
    src = tmp_path / "src"
    _good(src / "a", 2)
    _good(src / "b", 2)
    with pytest.raises(ValueError, match="validation_split"):
        data.image_folder_datasets(src, 32, validation_split=1.5)
    with pytest.raises(ValueError, match="image_size = 2 is too small"):
        data.image_folder_datasets(src, 2)
    with pytest.raises(TypeError, match="BATCH_SIZE"):
        data.image_folder_datasets(src, 32, batch_size=2.5)
    with pytest.raises(ValueError, match="only 4 usable images"):
        data.image_folder_datasets(src, 32, validation_split=0.1, verbose=False)


def test_my_images_readme_explains_the_one_call():
    readme = Path(__file__).resolve().parents[1] / "data" / "my_images" / "README.md"
    text = readme.read_text()
    assert "image_folder_datasets" in text and "one sub-folder per class" in text


def test_an_image_too_large_to_decode_is_skipped_not_fatal(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    src = tmp_path / "src"
    _good(src / "a", 1)
    _good(src / "b", 1)  # 40 x 30 = 1200 pixels: huge, downscaled
    Image.new("RGB", (100, 100)).save(src / "b" / "bomb.png")  # 10000 > 4 x 1000: refused
    report = data.clean_image_folder(src, tmp_path / "out", progress=False)
    assert "too large" in dict(report.skipped).get("b/bomb.png", ""), str(report)
    assert report.counts == {"a": 1, "b": 1} and Image.MAX_IMAGE_PIXELS == 1000
