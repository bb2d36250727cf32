"""Image intake (helpers.data): what each awkward image becomes, checked on pixel values.

Rotated phone photos, 16- and 32-bit images, palette and grey images with transparency, stray
files next to the class folders, and the parameters of ``image_folder_datasets``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import data

pytestmark = pytest.mark.usefixtures("tmp_keras_home")

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


def _pixel(img: Image.Image, xy) -> tuple[int, ...]:
    return tuple(int(v) for v in img.getpixel(xy))


def _close(got, want, tol=12) -> bool:
    return all(abs(int(a) - int(b)) <= tol for a, b in zip(got, want))


def _two_classes(src: Path, n: int = 1) -> None:
    for label, colour in (("a", (10, 200, 10)), ("b", (200, 10, 200))):
        (src / label).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            Image.new("RGB", (12, 12), colour).save(src / label / f"plain{i}.jpg", quality=95)


def _clean(src: Path, tmp_path: Path) -> tuple[data.FolderReport, Path]:
    report = data.clean_image_folder(src, tmp_path / "clean", progress=False)
    return report, tmp_path / "clean"


# ---------------------------------------------------------------- EXIF orientation


def _rotated_photo(path: Path, orientation: int) -> None:
    """A 40x20 JPEG, left half red and right half blue, tagged with an EXIF orientation."""
    img = Image.new("RGB", (40, 20), RED)
    img.paste(BLUE, (20, 0, 40, 20))
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.save(path, "JPEG", quality=95, exif=exif.tobytes())


def test_a_rotated_phone_photo_is_turned_upright(tmp_path):
    src = tmp_path / "src"
    _two_classes(src)
    _rotated_photo(src / "a" / "phone.jpg", 6)  # 6: rotate 90 degrees clockwise to display
    _rotated_photo(src / "b" / "upright.jpg", 1)  # 1: already upright
    report, out = _clean(src, tmp_path)
    with Image.open(out / "a" / "phone.jpg") as img:
        assert img.size == (20, 40)  # portrait now
        assert _close(_pixel(img, (10, 5)), RED) and _close(_pixel(img, (10, 35)), BLUE)
        assert img.getexif().get(0x0112, 1) == 1  # no second rotation by a viewer
    assert (out / "b" / "upright.jpg").read_bytes() == (src / "b" / "upright.jpg").read_bytes()
    assert report.counts == {"a": 2, "b": 2} and not report.skipped


# ---------------------------------------------------------------- 16- and 32-bit images


@pytest.mark.parametrize(
    "values, mode, want",
    [
        ([0, 257, 32896, 65535], "I;16", [0, 1, 128, 255]),  # 16-bit: / 257
        ([0, 256, 514, 65535], "I", [0, 1, 2, 255]),  # up to 65535: 16-bit range, / 257
        ([0, 65536, 131072, 1_000_000], "I", [0, 17, 33, 255]),  # beyond 16 bits: scaled by the maximum
        ([0, 10, 200, 255], "I", [0, 10, 200, 255]),  # already 8-bit values: kept
        ([0, 128, 256, 256], "I", [0, 0, 1, 1]),  # one step above 8 bits: the 16-bit range, / 257
        ([0.0, 10.4, 99.6, 255.0], "F", [0, 10, 100, 255]),  # float: rounded
        ([-5.0, 0.0, 100.0, 200.0], "F", [0, 0, 100, 200]),  # negative: clipped to 0
    ],
)
def test_deep_images_are_scaled_to_8_bits(values, mode, want):
    dtype = {"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]
    arr = np.array([values], dtype=dtype)
    img = Image.fromarray(arr) if mode != "I;16" else Image.fromarray(arr.astype(np.uint16))
    assert img.mode == mode
    rgb = data._to_rgb(img)
    assert rgb.mode == "RGB"
    assert [_pixel(rgb, (i, 0)) for i in range(4)] == [(v, v, v) for v in want]


def test_an_empty_deep_image_does_not_crash():
    assert data._to_rgb(Image.new("I", (0, 0))).size == (0, 0)


def test_a_16_bit_png_keeps_its_brightness_through_the_clean_copy(tmp_path):
    src = tmp_path / "src"
    _two_classes(src)
    Image.fromarray(np.full((10, 10), 30000, dtype=np.uint16)).save(src / "a" / "deep.png")
    report, out = _clean(src, tmp_path)
    with Image.open(out / "a" / "deep.jpg") as img:
        assert _close(_pixel(img, (5, 5)), (117, 117, 117), tol=2)  # 30000 / 257 = 116.7
    assert dict(report.converted)["a/deep.png"] == "I;16 -> RGB"


# ---------------------------------------------------------------- transparency


def test_palette_with_transparency_is_composited_on_white():
    img = Image.new("P", (2, 1))
    img.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    img.putpixel((0, 0), 0)
    img.putpixel((1, 0), 1)
    img.info["transparency"] = 1  # palette entry 1 (blue) is transparent
    rgb = data._to_rgb(img)
    assert [_pixel(rgb, (x, 0)) for x in range(2)] == [RED, WHITE]


def test_palette_without_transparency_keeps_its_colours():
    img = Image.new("P", (2, 1))
    img.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    img.putpixel((1, 0), 1)
    rgb = data._to_rgb(img)
    assert [_pixel(rgb, (x, 0)) for x in range(2)] == [RED, BLUE]


@pytest.mark.parametrize("mode", ["LA", "PA", "RGBA", "RGBa"])
def test_transparent_pixels_become_white_and_opaque_ones_keep_their_value(mode):
    if mode in ("PA",):
        img = Image.new("PA", (2, 1))
        img.putpalette([80, 80, 80] + [0] * 765)
        img.putpixel((0, 0), (0, 0))  # transparent
        img.putpixel((1, 0), (0, 255))  # opaque grey 80
    elif mode == "LA":
        img = Image.new("LA", (2, 1))
        img.putpixel((0, 0), (80, 0))
        img.putpixel((1, 0), (80, 255))
    else:
        img = Image.new("RGBA", (2, 1))
        img.putpixel((0, 0), (80, 80, 80, 0))
        img.putpixel((1, 0), (80, 80, 80, 255))
        img = img.convert(mode) if mode != "RGBA" else img
    assert img.mode == mode
    rgb = data._to_rgb(img)
    assert rgb.mode == "RGB"
    assert [_pixel(rgb, (x, 0)) for x in range(2)] == [WHITE, (80, 80, 80)]


def test_half_transparent_pixels_are_blended_with_white():
    img = Image.new("LA", (1, 1), (0, 128))
    assert _close(_pixel(data._to_rgb(img), (0, 0)), (127, 127, 127), tol=1)


def test_plain_modes_convert_without_compositing():
    assert _pixel(data._to_rgb(Image.new("L", (1, 1), 0)), (0, 0)) == (0, 0, 0)
    assert _pixel(data._to_rgb(Image.new("CMYK", (1, 1), (0, 255, 255, 0))), (0, 0)) == RED
    assert _pixel(data._to_rgb(Image.new("1", (1, 1), 0)), (0, 0)) == (0, 0, 0)


# ---------------------------------------------------------------- folders


def test_a_stray_file_that_sorts_before_the_class_folders_drops_nothing(tmp_path):
    src = tmp_path / "src"
    _two_classes(src, n=2)
    (src / "00_list.txt").write_text("which photo is which")  # sorts before 'a' and 'b'
    (src / "README.md").write_text("my notes")  # a readme is not even reported
    report, out = _clean(src, tmp_path)
    assert report.counts == {"a": 2, "b": 2}
    assert report.skipped == [("00_list.txt", "not inside a class folder (one sub-folder per class)")]
    assert sorted(p.name for p in out.iterdir()) == [data.CLEAN_MARKER, "a", "b"]


def test_hidden_entries_before_the_class_folders_drop_nothing(tmp_path):
    src = tmp_path / "src"
    _two_classes(src, n=1)
    (src / ".cache").mkdir()
    (src / ".cache" / "x.jpg").write_bytes(b"")
    (src / "a" / ".hidden").mkdir()
    (src / "a" / ".hidden" / "x.jpg").write_bytes(b"")
    (src / "a" / "0_sub").mkdir()
    Image.new("RGB", (12, 12), RED).save(src / "a" / "0_sub" / "nested.jpg")
    report, _ = _clean(src, tmp_path)
    assert report.counts == {"a": 2, "b": 1}
    assert report.skipped == [("a/.hidden/x.jpg", "hidden or system file")]


def test_image_folder_datasets_honours_image_size_batch_size_and_seed(tmp_path, capsys):
    src = tmp_path / "src"
    _two_classes(src, n=5)
    train, val = data.image_folder_datasets(
        src, image_size=(24, 16), batch_size=3, seed=1, validation_split=0.2, dst=tmp_path / "clean", verbose=False
    )
    assert "usable images" not in capsys.readouterr().out  # verbose=False: no report printed
    assert train.class_names == ["a", "b"] and train.report is val.report
    shapes = [tuple(x.shape) for x, _ in train]
    assert shapes == [(3, 24, 16, 3), (3, 24, 16, 3), (2, 24, 16, 3)]
    assert sum(int(x.shape[0]) for x, _ in val) == 2
    square, _ = data.image_folder_datasets(src, 20, batch_size=8, dst=tmp_path / "clean", verbose=False)
    assert [tuple(x.shape) for x, _ in square] == [(8, 20, 20, 3)]
    # the seed picks which images validate
    names = {}
    for seed in (1, 2, 3, 4):
        _, v = data.image_folder_datasets(src, 8, seed=seed, dst=tmp_path / "clean", verbose=False)
        names[seed] = sorted(v.file_paths)
    assert len({tuple(n) for n in names.values()}) > 1
    _, again = data.image_folder_datasets(src, 8, seed=1, dst=tmp_path / "clean", verbose=False)
    assert sorted(again.file_paths) == names[1]


def test_image_folder_datasets_validation_split_reaches_keras(tmp_path):
    src = tmp_path / "src"
    _two_classes(src, n=5)
    train, val = data.image_folder_datasets(src, 8, validation_split=0.5, dst=tmp_path / "clean", verbose=False)
    assert len(train.file_paths) == 5 and len(val.file_paths) == 5


def test_image_folder_datasets_prints_the_report_when_verbose(tmp_path, capsys):
    src = tmp_path / "src"
    _two_classes(src, n=5)
    data.image_folder_datasets(src, 8, dst=tmp_path / "clean", verbose=True)
    out = capsys.readouterr().out
    assert "10 usable images in 2 classes (a 5, b 5)" in out


# ---------------------------------------------------------------- _checked_splits


def _raw_splits(raw: Path, splits) -> None:
    for split in splits:
        _two_classes(raw / split, n=1)


def test_checked_splits_checks_every_split_present_even_after_a_missing_one(tmp_path):
    raw = tmp_path / "raw"
    _raw_splits(raw, ["validation", "test"])  # no train folder: the first split is missing
    out, skipped = data._checked_splits(raw, tmp_path / "out", "demo", False)
    assert skipped == []
    assert data.class_counts(out / "validation") == {"a": 1, "b": 1}
    assert data.class_counts(out / "test") == {"a": 1, "b": 1}
    assert not (out / "train").exists()


def test_checked_splits_rechecks_only_the_changed_split(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    _raw_splits(raw, data.SPLITS)
    data._checked_splits(raw, tmp_path / "out", "demo", False)
    (raw / "test" / "b" / "broken.jpg").write_bytes(b"")
    calls = []
    real = data.clean_image_folder
    monkeypatch.setattr(data, "clean_image_folder", lambda *a, **k: calls.append(Path(a[0]).name) or real(*a, **k))
    out, skipped = data._checked_splits(raw, tmp_path / "out", "demo", False)
    assert calls == ["test"]  # train and validation were answered by their markers
    assert skipped == [("test/b/broken.jpg", "empty file (0 bytes)")]
    marker = json.loads((out / "test" / data.CHECKED_MARKER).read_text())
    assert marker["skipped"] == [["b/broken.jpg", "empty file (0 bytes)"]]
    assert marker["counts"] == {"a": 1, "b": 1}
    calls.clear()  # third call: everything answered by the markers, skipped files still named
    assert data._checked_splits(raw, tmp_path / "out", "demo", False)[1] == skipped and calls == []


def test_checked_splits_names_the_split_and_the_fix_when_too_few_images(tmp_path):
    raw = tmp_path / "raw"
    _raw_splits(raw, ["train"])
    (raw / "validation" / "a").mkdir(parents=True)
    Image.new("RGB", (12, 12)).save(raw / "validation" / "a" / "x.jpg")
    with pytest.raises(
        data.assets.AssetError,
        match=r"(?s)demo: the validation split has too few usable "
        r"images .*Delete /origin and fetch it again "
        r"\(`python -m helpers fetch demo`\)",
    ):
        data._checked_splits(raw, tmp_path / "out", "demo", False, origin=Path("/origin"))


# ---------------------------------------------------------------- what the learner reads


def test_the_report_names_every_class_conversion_and_skipped_file(tmp_path):
    src = tmp_path / "src"
    _two_classes(src, n=2)
    Image.new("L", (12, 12), 90).save(src / "a" / "gray.png")
    (src / "a" / "zero.jpg").write_bytes(b"")
    (src / "c").mkdir()
    (src / "notes.txt").write_text("x")
    report, out = _clean(src, tmp_path)
    assert report.classes == ["a", "b"] and report.total == 5
    assert str(report) == "\n".join(
        [
            f"{src}: 5 usable images in 2 classes (a 3, b 2, c 0) -> {out}",
            "class folders without usable images (left out): c",
            "converted 1: a/gray.png (L -> RGB)",
            "skipped 2 unusable files:",
            "  a/zero.jpg: empty file (0 bytes)",
            "  notes.txt: not inside a class folder (one sub-folder per class)",
        ]
    )
    printed = []
    report._repr_pretty_(type("P", (), {"text": lambda self, t: printed.append(t)})(), False)
    assert printed == [str(report)]


def test_a_clean_report_says_nothing_was_skipped(tmp_path):
    src = tmp_path / "src"
    _two_classes(src, n=1)
    report, out = _clean(src, tmp_path)
    assert str(report) == (
        f"{src}: 2 usable images in 2 classes (a 1, b 1) -> {out}\nskipped nothing: every file is a usable image"
    )
    assert str(data.FolderReport(src, out)) == (
        f"{src}: 0 usable images in 0 classes (no class folders) -> {out}\n"
        "skipped nothing: every file is a usable image"
    )


def test_skipped_summary_lists_ten_and_counts_the_rest():
    skipped = [(f"train/a/{i:02d}.jpg", "empty file (0 bytes)") for i in range(12)]
    text = data._skipped_summary(skipped)
    assert text.startswith("every image checked: 12 unusable files left out: train/a/00.jpg (empty file (0 bytes)), ")
    assert "train/a/09.jpg (empty file (0 bytes)) and 2 more (see .extra['skipped'])" in text
    assert "train/a/10.jpg" not in text
    assert data._skipped_summary(skipped[:10]).endswith("train/a/09.jpg (empty file (0 bytes))")
    assert data._skipped_summary(skipped, show=1).endswith("(empty file (0 bytes)) and 11 more (see .extra['skipped'])")
    assert data._sentence("every image checked") == "Every image checked."


@pytest.mark.parametrize("mode, dtype", [("I;16B", ">u2"), ("I;16L", "<u2"), ("I;16N", "=u2")])
def test_every_16_bit_layout_is_scaled(mode, dtype):
    img = Image.frombytes(mode, (3, 1), np.array([0, 257, 65535], dtype=dtype).tobytes())
    rgb = data._to_rgb(img)
    assert [_pixel(rgb, (i, 0)) for i in range(3)] == [(0, 0, 0), (1, 1, 1), (255, 255, 255)]


def test_one_skipped_file_is_singular():
    assert data._skipped_summary([("train/a/1.jpg", "empty file (0 bytes)")]) == (
        "every image checked: 1 unusable file left out: train/a/1.jpg (empty file (0 bytes))"
    )


def test_checked_splits_keeps_the_skipped_files_of_every_split(tmp_path):
    raw = tmp_path / "raw"
    _raw_splits(raw, data.SPLITS)
    (raw / "train" / "a" / "broken.jpg").write_bytes(b"")
    (raw / "test" / "b" / "broken.jpg").write_bytes(b"")
    want = [("train/a/broken.jpg", "empty file (0 bytes)"), ("test/b/broken.jpg", "empty file (0 bytes)")]
    assert data._checked_splits(raw, tmp_path / "out", "demo", False)[1] == want
    assert data._checked_splits(raw, tmp_path / "out", "demo", False)[1] == want  # from the markers


# ---------------------------------------------------------------- one file: what _clean_one returns


def _save(img: Image.Image, path: Path, fmt: str) -> Path:
    img.save(path, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return path


@pytest.mark.parametrize(
    "size, fmt, max_side, expected, copied",
    [
        ((12, 8), "JPEG", 1024, ("ok", ""), True),  # an RGB JPEG that needs nothing: the same bytes
        ((16, 8), "JPEG", 16, ("ok", ""), True),  # exactly max_side still needs nothing
        ((17, 8), "JPEG", 16, ("ok", ""), False),  # one pixel over: re-encoded, smaller
        ((12, 8), "PNG", 1024, ("ok", ""), False),  # RGB, but not a JPEG: re-encoded, nothing to say
    ],
)
def test_clean_one_copies_what_needs_nothing_and_re_encodes_the_rest(size, fmt, max_side, expected, copied, tmp_path):
    src = _save(Image.new("RGB", size, RED), tmp_path / f"in.{fmt.lower()}", fmt)
    assert data._clean_one(src, tmp_path / "out.jpg", max_side) == expected
    assert ((tmp_path / "out.jpg").read_bytes() == src.read_bytes()) is copied
    with Image.open(tmp_path / "out.jpg") as out:
        assert out.format == "JPEG" and max(out.size) == min(max(size), max_side)


def test_clean_one_names_each_conversion(tmp_path, monkeypatch):
    grey = _save(Image.new("L", (20, 10), 128), tmp_path / "grey.png", "PNG")
    assert data._clean_one(grey, tmp_path / "a.jpg", 1024) == ("converted", "L -> RGB")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 20 x 10 = 200 pixels: huge now
    assert data._clean_one(grey, tmp_path / "b.jpg", 1024) == ("converted", "huge 20x10, downscaled, L -> RGB")
    with Image.open(tmp_path / "b.jpg") as out:
        assert out.size == (10, 5)  # at most sqrt(MAX_IMAGE_PIXELS) a side


def test_clean_one_huge_image_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    at_limit = _save(Image.new("RGB", (10, 10), RED), tmp_path / "at.jpg", "JPEG")  # 100 pixels: not huge
    assert data._clean_one(at_limit, tmp_path / "a.jpg", 1024) == ("ok", "")
    four_times = _save(Image.new("RGB", (20, 20), RED), tmp_path / "four.png", "PNG")  # 400: still decoded
    assert data._clean_one(four_times, tmp_path / "b.jpg", 1024) == ("converted", "huge 20x20, downscaled")
    over = _save(Image.new("RGB", (30, 14), RED), tmp_path / "over.png", "PNG")  # 420 > 4 x 100: refused
    assert data._clean_one(over, tmp_path / "c.jpg", 1024) == (
        "skipped",
        "too large to decode safely (30 x 14 pixels); resize it below 4 x Image.MAX_IMAGE_PIXELS",
    )
    big_jpeg = _save(Image.new("RGB", (40, 40), RED), tmp_path / "big.jpg", "JPEG")  # 1600: decoded at 1/2
    assert data._clean_one(big_jpeg, tmp_path / "d.jpg", 1024) == ("converted", "huge 40x40, downscaled")
    with Image.open(tmp_path / "d.jpg") as out:
        assert out.size == (10, 10)


def test_clean_one_says_why_a_file_is_skipped(tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    assert data._clean_one(text, tmp_path / "a.jpg", 1024) == ("skipped", "not an image (no image format recognised)")
    whole = _save(Image.new("RGB", (64, 64), RED), tmp_path / "whole.jpg", "JPEG").read_bytes()
    (tmp_path / "half.jpg").write_bytes(whole[: len(whole) // 2])
    status, note = data._clean_one(tmp_path / "half.jpg", tmp_path / "b.jpg", 1024)
    assert status == "skipped" and note.startswith("damaged or truncated image (OSError: "), note


# ---------------------------------------------------------------- a folder: names, progress, leftovers


def test_clean_copy_names_clashes_in_order_and_flattens_sub_folders(tmp_path):
    src = tmp_path / "src"
    _two_classes(src)
    for fmt in ("PNG", "GIF", "JPEG"):
        _save(Image.new("RGB", (8, 8), RED), src / "a" / f"x.{fmt.lower()}", fmt)
    (src / "a" / "sub" / "deeper").mkdir(parents=True)
    _save(Image.new("RGB", (8, 8), RED), src / "a" / "sub" / "deeper" / "y.png", "PNG")
    report, out = _clean(src, tmp_path)
    assert sorted(p.name for p in (out / "a").glob("*.jpg")) == [
        "plain0.jpg",
        "sub__deeper__y.jpg",
        "x.jpg",
        "x_1.jpg",
        "x_2.jpg",
    ]
    assert report.counts == {"a": 5, "b": 1}


def test_clean_copy_default_max_side_is_1024(tmp_path):
    src = tmp_path / "src"
    _two_classes(src)
    _save(Image.new("RGB", (1025, 8), RED), src / "a" / "wide.jpg", "JPEG")
    _, out = _clean(src, tmp_path)
    with Image.open(out / "a" / "wide.jpg") as wide:
        assert wide.size[0] == 1024


def test_clean_copy_shows_progress_by_default_and_not_when_asked(tmp_path, capsys):
    src = tmp_path / "photos"
    _two_classes(src, n=2)
    data.clean_image_folder(src, tmp_path / "quiet", progress=False)
    assert capsys.readouterr().err == ""
    data.clean_image_folder(src, tmp_path / "shown")
    err = capsys.readouterr().err
    assert "checking photos: 100%" in err and "| 4/4 [" in err and "file/s]" in err, err


def test_a_stale_half_copy_from_an_interrupted_run_is_not_kept(tmp_path):
    src = tmp_path / "src"
    _two_classes(src)
    stale = tmp_path / "clean.part" / "a"
    stale.mkdir(parents=True)
    _save(Image.new("RGB", (8, 8), RED), stale / "stale.jpg", "JPEG")
    _, out = _clean(src, tmp_path)
    assert sorted(p.name for p in out.rglob("*.jpg")) == ["plain0.jpg", "plain0.jpg"]
    assert not (tmp_path / "clean.part").exists()


def test_a_failed_clean_copy_leaves_no_half_copy(tmp_path):
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "a" / "notes.jpg").write_text("not a picture")
    with pytest.raises(ValueError) as info:
        _clean(src, tmp_path)
    assert str(info.value).startswith(
        f"{src}: found no usable images; a classifier needs images in at least 2 class folders."
    )
    assert not (tmp_path / "clean.part").exists() and not (tmp_path / "clean").exists()


def test_the_clean_copy_may_go_into_folders_that_do_not_exist_yet(tmp_path):
    src = tmp_path / "src"
    _two_classes(src)
    report = data.clean_image_folder(src, tmp_path / "new" / "deeper" / "clean", progress=False)
    assert (tmp_path / "new" / "deeper" / "clean" / data.CLEAN_MARKER).is_file() and report.total == 2


def test_a_folder_it_did_not_write_is_refused_with_the_fix(tmp_path):
    src = tmp_path / "src"
    _two_classes(src)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.txt").write_text("keep me")
    with pytest.raises(ValueError) as info:
        data.clean_image_folder(src, tmp_path / "mine", progress=False)
    assert str(info.value) == (
        f"{tmp_path / 'mine'} exists and was not written by clean_image_folder; choose an empty or new folder as dst"
    )


# ---------------------------------------------------------------- image_folder_datasets: every parameter


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"batch_size": 0}, ValueError, "BATCH_SIZE = 0 is too small: use at least 1 (set it in the parameters cell)"),
        ({"seed": -1}, ValueError, "SEED = -1 is too small: use at least 0 (set it in the parameters cell)"),
        (
            {"validation_split": 0},
            ValueError,
            "validation_split = 0 must be a fraction between 0 and 1, e.g. 0.2 (20% of the images for validation)",
        ),
        (
            {"validation_split": 1},
            ValueError,
            "validation_split = 1 must be a fraction between 0 and 1, e.g. 0.2 (20% of the images for validation)",
        ),
    ],
)
def test_image_folder_datasets_whole_parameter_messages(kwargs, error, message, tmp_path):
    src = tmp_path / "src"
    _two_classes(src, n=2)
    with pytest.raises(error) as info:
        data.image_folder_datasets(src, 8, dst=tmp_path / "clean", verbose=False, **kwargs)
    assert str(info.value) == message


def test_image_folder_datasets_smallest_accepted_values(tmp_path):
    src = tmp_path / "src"
    _two_classes(src, n=5)
    train, val = data.image_folder_datasets(
        src, 8, batch_size=1, seed=0, validation_split=0.1, dst=tmp_path / "clean", verbose=False
    )
    assert (len(train.file_paths), len(val.file_paths)) == (9, 1)  # one validation image is enough
    assert [int(x.shape[0]) for x, _ in val] == [1]
    tiny = tmp_path / "tiny"
    _two_classes(tiny, n=1)
    train, val = data.image_folder_datasets(tiny, 8, validation_split=0.5, dst=tmp_path / "clean2", verbose=False)
    assert (len(train.file_paths), len(val.file_paths)) == (1, 1)  # and one training image


def test_image_folder_datasets_defaults_and_pass_through(tmp_path, capsys):
    src = tmp_path / "src"
    _two_classes(src, n=25)
    train, val = data.image_folder_datasets(src, 8, dst=tmp_path / "clean", verbose=False)
    quiet = capsys.readouterr()  # no report, no progress bar, no "Found ... files" (Keras' split lines stay)
    assert quiet.err == "" and "Found" not in quiet.out and "usable images" not in quiet.out, quiet
    assert [int(x.shape[0]) for x, _ in train] == [32, 8]  # batch_size=32
    _, same = data.image_folder_datasets(src, 8, seed=42, dst=tmp_path / "clean", verbose=False)
    assert sorted(val.file_paths) == sorted(same.file_paths)  # seed=42
    assert (tmp_path / "clean" / data.CLEAN_MARKER).is_file() and train.report.output == tmp_path / "clean"
    grey, _ = data.image_folder_datasets(src, 8, dst=tmp_path / "clean", verbose=True, color_mode="grayscale")
    captured = capsys.readouterr()
    assert "Found 50 files belonging to 2 classes." in captured.out and "checking src: 100%" in captured.err
    assert grey.element_spec[0].shape[-1] == 1  # extra keyword arguments reach Keras


def test_image_folder_datasets_default_image_size_is_180(tmp_path):
    """The size the docstring's example and notebook 02's own-images cell rely on."""
    src = tmp_path / "src"
    _two_classes(src, n=5)
    train, _ = data.image_folder_datasets(src, dst=tmp_path / "clean", verbose=False)
    assert tuple(train.element_spec[0].shape[1:3]) == (180, 180)


def test_a_report_separates_names_with_commas(tmp_path):
    report = data.FolderReport(tmp_path / "src", tmp_path / "out")
    report.counts = {"a": 0, "b": 0, "c": 2}
    report.converted = [("c/1.png", "RGBA -> RGB"), ("c/2.gif", "P -> RGB")]
    lines = str(report).splitlines()
    assert lines[1] == "class folders without usable images (left out): a, b"
    assert lines[2] == "converted 2: c/1.png (RGBA -> RGB), c/2.gif (P -> RGB)"
