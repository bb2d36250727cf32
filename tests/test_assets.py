"""helpers.course.assets: cache folder, offline detection, downloads (file:// URLs), archives."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import http.server
import io
import os
import socket
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from helpers.course import assets

pytestmark = pytest.mark.usefixtures("tmp_keras_home")


@pytest.fixture
def online(monkeypatch):
    """Lift HELPERS_OFFLINE (file:// URLs count as online; nothing else is reached)."""
    monkeypatch.delenv("HELPERS_OFFLINE", raising=False)
    for name in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "no_proxy",
        "NO_PROXY",
        assets.MIRROR_ENV,
        assets.MANIFEST_ENV,
    ):
        monkeypatch.delenv(name, raising=False)
    assets._probes.clear()
    yield
    assets._probes.clear()


def _served(tmp_path: Path, name: str, payload: bytes) -> str:
    src = tmp_path / "server" / name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_bytes(payload)
    return src.as_uri()


def _register(
    monkeypatch, name: str, urls, *, md5=None, size=None, extract_to=None, fname=None, subdir="models"
) -> assets.Asset:
    asset = assets.Asset(
        name,
        f"test asset {name}",
        tuple(urls),
        fname or f"{name}.bin",
        subdir,
        md5=md5,
        size=size,
        extract_to=extract_to,
        standin="a test stand-in",
    )
    monkeypatch.setitem(assets.ASSETS, name, asset)
    return asset


# ---------------------------------------------------------------- cache folder and registry


def test_keras_home_follows_the_environment(tmp_keras_home, monkeypatch, tmp_path):
    assert assets.keras_home() == tmp_keras_home
    assert assets.ASSETS["vgg16_notop"].path.parent == tmp_keras_home / "models"
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    (tmp_path / "user").mkdir()
    assert assets.keras_home() == tmp_path / "user" / ".keras"


def test_keras_home_falls_back_to_tmp_when_home_is_not_writable(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    (tmp_path / "user").mkdir()
    monkeypatch.setattr(assets.os, "access", lambda path, mode: False)
    assert assets.keras_home() == Path("/tmp/.keras")


def test_every_registered_asset_is_complete():
    assert {
        "vgg16_notop",
        "xception_notop",
        "cats_and_dogs_filtered",
        "fashion_mnist_train_images",
        "fashion_mnist_test_labels",
    } <= set(assets.ASSETS)  # fetch --all prepares a classroom for 00 and 04 too
    for name, a in assets.ASSETS.items():
        assert a.name == name and a.urls and a.subdir.split("/")[0] in {"models", "datasets"}
        # plain http only where a published MD5 vouches for what arrives
        assert all(u.startswith("https://") or (u.startswith("http://") and a.md5) for u in a.urls), name
        assert a.md5 is None or len(a.md5) == 32
        assert (a.extracted is None) == (a.extract_to is None)


def test_get_names_known_assets_on_a_typo():
    assert assets.get("vgg16_notop") is assets.ASSETS["vgg16_notop"]
    with pytest.raises(KeyError, match="known: .*vgg16_notop"):
        assets.get("vgg61_notop")


# ---------------------------------------------------------------- offline detection


def test_offline_forced_by_environment():
    assert os.environ["HELPERS_OFFLINE"] == "1"
    start = time.perf_counter()
    assert assets.is_online() is False
    assert assets.is_online("file:///tmp/x") is False  # forced offline wins over file://
    assert time.perf_counter() - start < 0.5


def test_file_urls_count_as_online(online):
    assert assets.is_online("file:///anything") is True


def test_unroutable_host_is_offline_within_seconds(online):
    start = time.perf_counter()
    assert assets.is_online("https://192.0.2.1/x", timeout=1.0) is False  # TEST-NET-1, RFC 5737
    assert assets.is_online("https://no-such-host.invalid/x", timeout=1.0) is False
    assert time.perf_counter() - start < 5


def test_a_stalled_name_lookup_cannot_hang_detection(online, monkeypatch):
    """create_connection's timeout does not cover DNS; is_online must still return in time."""

    def stalled_lookup(*args, **kwargs):
        time.sleep(20)
        raise socket.gaierror("no answer")

    monkeypatch.setattr(socket, "getaddrinfo", stalled_lookup)
    start = time.perf_counter()
    assert assets.is_online("https://stalled-dns.example/", timeout=0.5) is False
    assert time.perf_counter() - start < 3


def test_a_failed_probe_is_retried_after_a_while_and_a_success_is_kept(online, monkeypatch):
    calls, answers = [], [False, True]
    monkeypatch.setattr(assets, "_answers", lambda url, timeout: calls.append(url) or answers[len(calls) - 1])
    clock = [1000.0]
    monkeypatch.setattr(assets.time, "monotonic", lambda: clock[0])
    for _ in range(3):
        assert assets.is_online("https://cached.example/a", timeout=1.0) is False
    assert calls == ["https://cached.example/"]  # one probe per host, not per call
    clock[0] += assets.FAILED_PROBE_TTL - 1
    assert assets.is_online("https://cached.example/b") is False and len(calls) == 1
    clock[0] += 2  # the network came back: a kernel started offline notices
    assert assets.is_online("https://cached.example/c") is True and len(calls) == 2
    clock[0] += 10 * assets.FAILED_PROBE_TTL
    assert assets.is_online("https://cached.example/d") is True and len(calls) == 2


class _AnyAnswer(http.server.BaseHTTPRequestHandler):
    """Answers every request 200 (an HTTP proxy that reaches everything), and remembers it."""

    def do_HEAD(self):  # noqa: N802
        self.server.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AnyAnswer)
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_network_check_goes_through_the_proxy_as_downloads_do(online, monkeypatch, proxy):
    unreachable = "http://course-mirror.invalid/x.h5"  # never resolves: only the proxy gets there
    assert assets.is_online(unreachable, timeout=2.0) is False
    assets._probes.clear()
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.server_address[1]}")
    assert assets.is_online(unreachable, timeout=2.0) is True
    assert proxy.seen == ["http://course-mirror.invalid/"]
    monkeypatch.setenv("no_proxy", "course-mirror.invalid")  # no_proxy is honoured too
    assert assets.is_online(unreachable, timeout=2.0) is False


# ---------------------------------------------------------------- downloads


def test_download_verifies_md5_and_shows_progress(tmp_path, capsys):
    payload = os.urandom(200_000)
    url = _served(tmp_path, "w.h5", payload)
    dest = tmp_path / "cache" / "w.h5"
    got = assets.download(url, dest, md5=hashlib.md5(payload).hexdigest())
    assert got == dest and dest.read_bytes() == payload
    assert not dest.with_name("w.h5.part").exists()
    err = capsys.readouterr().err
    assert "w.h5" in err and "100%" in err  # the tqdm bar


def test_download_without_progress_is_silent(tmp_path, capsys):
    url = _served(tmp_path, "quiet.bin", b"abc")
    assets.download(url, tmp_path / "quiet.bin", progress=False)
    assert capsys.readouterr().err == ""


def test_download_checks_size_when_there_is_no_md5(tmp_path):
    url = _served(tmp_path, "s.bin", b"12345")
    with pytest.raises(assets.ChecksumMismatch, match="got 5 bytes, expected 6"):
        assets.download(url, tmp_path / "s.bin", size=6, progress=False)
    assert not (tmp_path / "s.bin").exists() and not (tmp_path / "s.bin.part").exists()


def test_download_of_a_missing_url_is_an_asset_error(tmp_path):
    with pytest.raises(assets.AssetError, match="could not download"):
        assets.download((tmp_path / "nothing").as_uri(), tmp_path / "x", progress=False)
    assert not (tmp_path / "x.part").exists()


class _Opener:
    """Stands for urllib's opener: ``open`` returns what ``answer()`` makes."""

    def __init__(self, answer):
        self.answer = answer

    def open(self, url, timeout=None):
        return self.answer()


class _Response(io.BytesIO):
    """What an opener returns: a body and headers (here announcing more bytes than it holds)."""

    def __init__(self, body: bytes, length: int):
        super().__init__(body)
        self.headers = {"Content-Length": str(length)}


def test_download_checks_the_announced_length(tmp_path, monkeypatch):
    """A connection that ends early: http.client returns b'' instead of raising; we must notice."""
    monkeypatch.setattr(assets, "_opener", lambda: _Opener(lambda: _Response(b"x" * 600, 1000)))
    with pytest.raises(assets.IncompleteDownload, match="ended after 600 of the 1,000 bytes"):
        assets.download("https://example.org/t.tar.gz", tmp_path / "dl" / "t.tar.gz", progress=False)
    assert not list((tmp_path / "dl").iterdir())  # neither the file nor its .part


def test_fetch_downloads_an_interrupted_file_again(online, monkeypatch, tmp_path):
    payload = b"complete tarball"
    asset = _register(monkeypatch, "flaky", ["https://example.org/flaky"])  # no md5, no size
    answers = [_Response(payload[:5], len(payload)), _Response(payload, len(payload))]
    monkeypatch.setattr(assets, "is_online", lambda url: True)
    monkeypatch.setattr(assets, "_opener", lambda: _Opener(lambda: answers.pop(0)))
    assert assets.fetch("flaky", progress=False).read_bytes() == payload and not answers
    assets.ASSETS["flaky"].path.unlink()
    answers[:] = [_Response(payload[:5], len(payload)), _Response(payload[:5], len(payload))]
    with pytest.raises(assets.AssetError, match="(?s)could not fetch flaky:.*ended after 5 of the 16 bytes"):
        assets.fetch("flaky", progress=False)
    assert not asset.path.exists()


def test_download_onto_a_full_disk_is_a_clear_error(tmp_path, monkeypatch):
    url = _served(tmp_path, "big.h5", b"x" * 100)

    class FullDisk(io.BytesIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(assets, "open", lambda path, mode: FullDisk(), raising=False)
    with pytest.raises(assets.NotWritable) as info:
        assets.download(url, tmp_path / "cache" / "big.h5", progress=False)
    message = str(info.value)
    assert "no space left" in message and str(tmp_path / "cache") in message and "KERAS_HOME" in message


def test_not_writable_leaves_other_errors_alone(tmp_path):
    assert assets.not_writable(OSError(errno.ECONNRESET, "reset"), tmp_path) is None
    # a refused *read* of a file outside the folder is not about the folder
    assert assets.not_writable(PermissionError(errno.EACCES, "denied", "/etc/shadow"), tmp_path) is None
    inside = assets.not_writable(PermissionError(errno.EROFS, "Read-only file system", str(tmp_path / "a")), tmp_path)
    assert isinstance(inside, assets.NotWritable) and isinstance(inside, assets.AssetError)
    assert str(tmp_path) in str(inside) and "read-only" in str(inside) and "KERAS_HOME" in str(inside)


def test_fetch_downloads_and_verifies(online, monkeypatch, tmp_path, tmp_keras_home):
    payload = b"weights" * 1000
    url = _served(tmp_path, "good.h5", payload)
    asset = _register(monkeypatch, "good", [url], md5=hashlib.md5(payload).hexdigest())
    assert not assets.is_present("good")
    path = assets.fetch("good", progress=False)
    assert path == asset.path == tmp_keras_home / "models" / "good.bin"
    assert assets.is_present("good") and path.read_bytes() == payload
    # a second fetch uses the cache: the server may be gone
    Path(url[len("file://") :]).unlink()
    assert assets.fetch("good", progress=False) == path


def test_checksum_mismatch_downloads_again_once_then_fails_clearly(online, monkeypatch, tmp_path):
    url = _served(tmp_path, "bad.h5", b"not the expected bytes")
    _register(monkeypatch, "bad", [url], md5="0" * 32)
    calls = []
    real = assets.download
    monkeypatch.setattr(assets, "download", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    with pytest.raises(assets.ChecksumMismatch) as info:
        assets.fetch("bad", progress=False)
    assert calls == [url, url]  # the first try and one more
    message = str(info.value)
    assert "could not fetch bad" in message and "does not match the expected " + "0" * 32 in message
    assert not assets.is_present("bad")
    assert not list((assets.keras_home() / "models").glob("bad*"))


def test_a_damaged_cached_file_is_not_returned_when_the_download_fails(online, monkeypatch, tmp_path):
    url = _served(tmp_path, "bad.h5", b"still wrong")
    asset = _register(monkeypatch, "damaged", [url], md5="1" * 32)
    asset.path.parent.mkdir(parents=True)
    asset.path.write_bytes(b"damaged copy from an earlier run")
    with pytest.raises(assets.ChecksumMismatch):
        assets.fetch("damaged", progress=False)


def test_fetch_tries_the_next_url(online, monkeypatch, tmp_path):
    payload = b"mirror"
    good = _served(tmp_path, "mirror.bin", payload)
    _register(monkeypatch, "mirrored", [(tmp_path / "gone.bin").as_uri(), good], md5=hashlib.md5(payload).hexdigest())
    assert assets.fetch("mirrored", progress=False).read_bytes() == payload


def test_fetch_offline_says_what_to_do(monkeypatch, tmp_path):
    asset = _register(monkeypatch, "faraway", ["https://example.org/faraway.bin"])
    with pytest.raises(assets.AssetError) as info:
        assets.fetch("faraway")
    message = str(info.value)
    assert "no network" in message and str(asset.path) in message
    assert "python -m helpers fetch faraway" in message and "a test stand-in" in message


def test_a_damaged_cached_file_offline_says_to_delete_it(tmp_keras_home):
    asset = assets.ASSETS["vgg16_notop"]
    asset.path.parent.mkdir(parents=True)
    asset.path.write_bytes(b"\0" * 1000)
    status = assets.check(asset)
    assert status.state == "damaged"
    assert status.detail == f"damaged (checksum mismatch): delete {asset.path} and fetch again"
    with pytest.raises(assets.AssetError) as info:
        assets.fetch("vgg16_notop")
    message = str(info.value)
    assert "not in the cache" not in message and status.detail in message and "no network" in message


def test_a_wrong_size_is_damaged_with_both_sizes(monkeypatch):
    asset = _register(
        monkeypatch, "sized_zip", ["https://example.org/z"], size=10, extract_to="z", fname="z.zip", subdir="datasets"
    )
    asset.path.parent.mkdir(parents=True)
    asset.path.write_bytes(b"12345")
    assert assets.check(asset).detail == f"damaged (size 5 bytes, expected 10): delete {asset.path} and fetch again"


def test_a_partial_download_never_counts_as_present(tmp_keras_home):
    asset = assets.ASSETS["vgg16_notop"]
    part = asset.path.with_name(asset.path.name + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\0" * 1000)
    assert not assets.is_present(asset)
    asset.path.write_bytes(b"\0" * 1000)  # right name, wrong checksum
    assert not assets.is_present("vgg16_notop")


def test_size_only_assets_are_present_at_the_right_size(monkeypatch):
    asset = _register(monkeypatch, "sized", ["https://example.org/s"], size=4)
    asset.path.parent.mkdir(parents=True)
    asset.path.write_bytes(b"123")
    assert not assets.is_present(asset)
    asset.path.write_bytes(b"1234")
    assert assets.is_present(asset)


def test_read_only_cache_is_a_clear_error(online, monkeypatch, tmp_path, tmp_keras_home):
    url = _served(tmp_path, "ro.bin", b"x")
    _register(monkeypatch, "ro", [url])
    models = tmp_keras_home / "models"
    models.mkdir()
    models.chmod(0o555)
    try:
        if os.access(models, os.W_OK):  # root ignores permission bits: pretend like a normal user
            real = os.access
            monkeypatch.setattr(assets.os, "access", lambda p, m: False if Path(p) == models else real(p, m))
        with pytest.raises(assets.AssetError) as info:
            assets.fetch("ro", progress=False)
    finally:
        models.chmod(0o755)
    message = str(info.value)
    assert str(models) in message and "read-only" in message and "KERAS_HOME" in message


def test_unwritable_file_in_the_cache_is_a_clear_error(online, monkeypatch, tmp_path, tmp_keras_home):
    url = _served(tmp_path, "denied.bin", b"x")
    asset = _register(monkeypatch, "denied", [url])

    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(assets, "open", denied, raising=False)
    with pytest.raises(assets.AssetError, match="read-only.*KERAS_HOME") as info:
        assets.fetch("denied", progress=False)
    assert str(asset.path.parent) in str(info.value)


def test_cache_folder_that_cannot_be_created_is_a_clear_error(online, monkeypatch, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KERAS_HOME", str(blocker / "keras"))
    _register(monkeypatch, "blocked", [_served(tmp_path, "b.bin", b"x")])
    with pytest.raises(assets.AssetError, match="cannot create the cache folder .*KERAS_HOME"):
        assets.fetch("blocked", progress=False)


# ---------------------------------------------------------------- archives


def _zip(path: Path, members: dict[str, bytes], symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            z.writestr(info, target)
    return path


def _tar(
    path: Path,
    members: dict[str, bytes],
    symlinks: dict[str, str] | None = None,
    hardlinks: dict[str, str] | None = None,
) -> Path:
    with tarfile.open(path, "w:gz") as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        for kind, links in ((tarfile.SYMTYPE, symlinks or {}), (tarfile.LNKTYPE, hardlinks or {})):
            for name, target in links.items():
                info = tarfile.TarInfo(name)
                info.type, info.linkname = kind, target
                t.addfile(info)
    return path


@pytest.mark.parametrize("make", [_zip, _tar], ids=["zip", "tar"])
def test_safe_extract_unpacks_a_good_archive(make, tmp_path):
    archive = make(tmp_path / "data.arc", {"data/train/a.txt": b"A", "data/train/b.txt": b"B"})
    root = assets.safe_extract(archive, tmp_path / "out" / "data")
    assert root == tmp_path / "out" / "data" / "data"  # descends into the single top folder
    assert (root / "train" / "a.txt").read_bytes() == b"A"
    assert not (tmp_path / "out" / "data.part").exists()


def test_safe_extract_allows_links_that_stay_inside(tmp_path):
    archive = _tar(tmp_path / "ok.tgz", {"d/real.txt": b"R"}, symlinks={"d/link.txt": "real.txt"})
    root = assets.safe_extract(archive, tmp_path / "ok")
    assert (root / "d" / "link.txt").read_bytes() == b"R"


@pytest.mark.parametrize("member", ["../escaped.txt", "/tmp/absolute_escape.txt", "d/../../escaped.txt"])
@pytest.mark.parametrize("make", [_zip, _tar], ids=["zip", "tar"])
def test_safe_extract_refuses_members_outside(make, member, tmp_path):
    archive = make(tmp_path / "evil.arc", {"fine.txt": b"ok", member: b"evil"})
    target = tmp_path / "sub" / "out"
    with pytest.raises(assets.UnsafeArchive, match="outside"):
        assets.safe_extract(archive, target)
    assert not target.exists() and not target.with_name("out.part").exists()
    assert not (tmp_path / "sub" / "escaped.txt").exists() and not (tmp_path / "escaped.txt").exists()


@pytest.mark.parametrize("target", ["../../outside", "/etc/passwd"])
def test_safe_extract_refuses_tar_symlinks_pointing_outside(target, tmp_path):
    archive = _tar(tmp_path / "evil.tgz", {"a.txt": b"A"}, symlinks={"link": target})
    with pytest.raises(assets.UnsafeArchive, match="links outside"):
        assets.safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_safe_extract_refuses_tar_hardlinks_pointing_outside(tmp_path):
    archive = _tar(tmp_path / "evil.tgz", {"a.txt": b"A"}, hardlinks={"h": "../../etc/passwd"})
    with pytest.raises(assets.UnsafeArchive):
        assets.safe_extract(archive, tmp_path / "out")


def test_safe_extract_refuses_zip_symlinks(tmp_path):
    archive = _zip(tmp_path / "evil.zip", {"a.txt": b"A"}, symlinks={"link": "/etc/passwd"})
    with pytest.raises(assets.UnsafeArchive, match="symlink"):
        assets.safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_safe_extract_names_a_truncated_tar_gz_and_the_fix(tmp_path):
    full = _tar(tmp_path / "full.tgz", {"a.bin": os.urandom(100_000), "b.bin": os.urandom(100_000)}).read_bytes()
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(full[: len(full) * 2 // 3])
    with pytest.raises(assets.AssetError) as info:  # not a bare EOFError / tarfile.ReadError
        assets.safe_extract(cut, tmp_path / "out")
    assert type(info.value) is assets.AssetError
    assert str(cut) in str(info.value) and "delete it and fetch again" in str(info.value)
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.part").exists()


def test_safe_extract_names_a_corrupted_zip_and_the_fix(tmp_path):
    archive = _zip(tmp_path / "bad.zip", {"a.txt": b"A" * 1000})
    raw = bytearray(archive.read_bytes())
    raw[raw.index(b"A" * 100)] ^= 0xFF  # one flipped byte: the CRC no longer matches
    archive.write_bytes(bytes(raw))
    with pytest.raises(assets.AssetError, match="damaged or incomplete .*BadZipFile.*delete it and fetch again"):
        assets.safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.part").exists()


@pytest.mark.parametrize("make", [_zip, _tar], ids=["zip", "tar"])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS], ids=["disk full", "read-only"])
def test_extracting_onto_a_full_or_read_only_disk_is_a_clear_error(make, code, tmp_path, monkeypatch):
    archive = make(tmp_path / "data.arc", {"data/a.txt": b"A"})
    for cls in (zipfile.ZipFile, tarfile.TarFile):

        def refuse(self, *args, **kwargs):
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(cls, "extractall", refuse)
    target = tmp_path / "cache" / "data"
    with pytest.raises(assets.NotWritable) as info:
        assets.safe_extract(archive, target)
    message = str(info.value)
    assert str(tmp_path / "cache") in message and "KERAS_HOME" in message
    assert ("no space left" if code == errno.ENOSPC else "read-only") in message
    assert not target.exists() and not target.with_name("data.part").exists()


def test_safe_extract_rejects_a_file_that_is_no_archive(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"<html>error page</html>")
    with pytest.raises(assets.AssetError, match="neither a zip nor a tar"):
        assets.safe_extract(junk, tmp_path / "out")


# ---------------------------------------------------------------- extracted assets


def test_fetch_downloads_and_extracts_an_archive(online, monkeypatch, tmp_path, tmp_keras_home):
    archive = _zip(tmp_path / "pets.zip", {"pets/train/cats/1.jpg": b"1", "pets/train/dogs/2.jpg": b"2"})
    _register(monkeypatch, "pets", [archive.as_uri()], fname="pets.zip", extract_to="pets", subdir="datasets")
    root = assets.fetch("pets", progress=False)
    assert root == tmp_keras_home / "datasets" / "pets" / "pets"
    assert (root / "train" / "dogs" / "2.jpg").is_file()
    assert assets.is_present("pets")


def test_an_archive_copied_in_by_hand_is_extracted(monkeypatch, tmp_path, tmp_keras_home):
    """The offline error tells learners to copy the archive into the cache: fetch must use it."""
    asset = _register(
        monkeypatch,
        "copied",
        ["https://example.org/copied.zip"],
        fname="copied.zip",
        extract_to="copied",
        subdir="datasets",
    )
    asset.path.parent.mkdir(parents=True)
    _zip(asset.path, {"copied/train/a/1.jpg": b"1"})
    root = assets.fetch("copied")  # offline: no download needed
    assert root is not None and (root / "train" / "a" / "1.jpg").is_file()


def _cats_and_dogs_layout(root: Path, **fewer: int) -> Path:
    """The extracted cats_and_dogs_filtered folders with the expected number of (empty) files."""
    for rel, n in assets.ASSETS["cats_and_dogs_filtered"].folder_counts:
        folder = root / rel
        folder.mkdir(parents=True)
        label = rel.split("/")[1][:-1]
        for i in range(n - fewer.get(rel.replace("/", "_"), 0)):
            (folder / f"{label}.{i}.jpg").touch()
    return root


def test_cats_and_dogs_expects_the_published_folder_counts():
    assert dict(assets.ASSETS["cats_and_dogs_filtered"].folder_counts) == {
        "train/cats": 1000,
        "train/dogs": 1000,
        "validation/cats": 500,
        "validation/dogs": 500,
    }


@pytest.mark.parametrize(
    "folder",
    [
        "cats_and_dogs_filtered_extracted",
        "cats_and_dogs_filtered_extracted/cats_and_dogs_filtered",
        "cats_and_dogs_filtered",
    ],
)
def test_keras_extracted_layout_is_found(folder, tmp_keras_home):
    """Keras >= 3.6 ``get_file(extract=True)`` writes ``<name>_extracted/``."""
    root = _cats_and_dogs_layout(tmp_keras_home / "datasets" / folder)
    (root / ".DS_Store").touch()  # hidden files are not counted
    assert assets.is_present("cats_and_dogs_filtered")
    assert assets.fetch("cats_and_dogs_filtered") == root


def test_a_half_extracted_dataset_is_incomplete_not_present(tmp_keras_home):
    """A half-finished unzip: one file short of the published counts is not the dataset."""
    root = _cats_and_dogs_layout(tmp_keras_home / "datasets" / "cats_and_dogs_filtered", validation_dogs=1)
    status = assets.check("cats_and_dogs_filtered")
    assert status.state == "incomplete" and not assets.is_present("cats_and_dogs_filtered")
    assert "validation/dogs holds 499 files, expected 500" in status.detail
    assert f"delete {root} and fetch again" in status.detail
    with pytest.raises(assets.AssetError, match="incomplete .*validation/dogs holds 499.*no network"):
        assets.fetch("cats_and_dogs_filtered")


def test_a_keras_extracted_tar_gz_without_checksum_is_not_trusted(tmp_keras_home):
    """No checksum, no size: only a finished extraction (its marker) vouches for the content."""
    root = tmp_keras_home / "models" / "mobilenet_v2_feature_vector_extracted"
    root.mkdir(parents=True)
    (root / "saved_model.pb").write_bytes(b"x")
    status = assets.check("mobilenet_v2_feature_vector")
    assert status.state == "incomplete" and "no completion marker" in status.detail
    assert not assets.is_present("mobilenet_v2_feature_vector")


def test_a_finished_extraction_of_a_tar_gz_is_present(tmp_keras_home, tmp_path):
    asset = assets.ASSETS["mobilenet_v2_feature_vector"]
    archive = _tar(tmp_path / "hub.tar.gz", {"saved_model.pb": b"pb", "variables/variables.index": b"i"})
    root = assets.safe_extract(archive, asset.extracted)
    assert (root / assets.EXTRACTED_MARKER).is_file()
    assert assets.check(asset).state == "present" and assets.fetch(asset.name) == root


def test_a_truncated_tar_gz_without_checksum_is_never_present(tmp_keras_home, tmp_path):
    """Kaggle publishes no checksum: a half-downloaded tarball must not pass as present."""
    asset = assets.ASSETS["mobilenet_v2_feature_vector"]
    full = _tar(
        tmp_path / "hub.tar.gz", {"saved_model.pb": os.urandom(50_000), "variables/variables.data": os.urandom(50_000)}
    ).read_bytes()
    asset.path.parent.mkdir(parents=True)
    asset.path.write_bytes(full[: len(full) // 2])
    status = assets.check(asset)
    assert status.state == "unverified" and "python -m helpers fetch mobilenet_v2_feature_vector" in status.detail
    with pytest.raises(assets.AssetError) as info:  # offline: extracting it is the test; it fails
        assets.fetch(asset.name)
    assert str(asset.path) in str(info.value) and "delete it and fetch again" in str(info.value)
    assert not asset.extracted.exists() and not asset.extracted.with_name(asset.extracted.name + ".part").exists()


def test_fetch_replaces_a_damaged_size_less_archive_when_online(online, monkeypatch, tmp_path, tmp_keras_home):
    good = _tar(tmp_path / "hub.tar.gz", {"saved_model.pb": b"pb"})
    asset = _register(monkeypatch, "hub", [good.as_uri()], fname="hub.tar.gz", extract_to="hub")
    asset.path.parent.mkdir(parents=True)
    asset.path.write_bytes(good.read_bytes()[:20])  # left by an interrupted run
    root = assets.fetch("hub", progress=False)
    assert (root / "saved_model.pb").read_bytes() == b"pb" and assets.is_present("hub")


def test_a_downloaded_archive_that_cannot_be_extracted_is_deleted(online, monkeypatch, tmp_path):
    url = _served(tmp_path, "page.tar.gz", b"<html>Please log in</html>")
    asset = _register(monkeypatch, "page", [url], fname="page.tar.gz", extract_to="page")
    with pytest.raises(assets.AssetError, match="downloaded archive is unusable and was deleted.*neither a zip"):
        assets.fetch("page", progress=False)
    assert not asset.path.exists() and not assets.is_present("page")


def test_mobilenet_from_a_truncated_tarball_falls_back_to_the_labelled_standin(tmp_keras_home, tmp_path, monkeypatch):
    """Notebook 03 must use its stand-in, not crash with a bare EOFError."""
    from helpers import tfhub

    asset = assets.ASSETS["mobilenet_v2_feature_vector"]
    full = _tar(tmp_path / "hub.tar.gz", {"saved_model.pb": os.urandom(50_000)}).read_bytes()
    asset.path.parent.mkdir(parents=True)
    asset.path.write_bytes(full[: len(full) // 2])
    monkeypatch.setattr(tfhub, "build_standin", lambda: tmp_path / "standin")
    choice = tfhub.mobilenet_v2_feature_vector()
    assert choice.source == "stand-in" and choice.value == str(tmp_path / "standin")
    assert str(asset.path) in choice.extra["reason"]


def test_an_empty_extracted_folder_is_not_present(tmp_keras_home):
    (tmp_keras_home / "datasets" / "cats_and_dogs_filtered_extracted").mkdir(parents=True)
    assert not assets.is_present("cats_and_dogs_filtered")


def test_md5sum(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"abc" * 1_000_000)
    assert assets.md5sum(f) == hashlib.md5(b"abc" * 1_000_000).hexdigest()


def test_every_stand_in_is_declared_in_the_asset_table(monkeypatch):
    """doctor, fetch, the notebooks' labels and full-mode detection read one table."""
    from helpers.course import offline, runner

    monkeypatch.delenv(offline.STANDINS_ENV, raising=False)
    for asset in assets.ASSETS.values():
        problem = offline.standin_problem(asset.name)
        assert (problem is None) == (asset.standin_fixture is None), asset.name
        assert asset.standin_fixture in (None, "", *offline.FIXTURES), asset.name
        assert asset.standin, f"{asset.name}: say what offline uses (or 'none: why')"
    assert [a.name for a in assets.ASSETS.values() if a.full_course] == [
        "xception_top",
        "vgg16_notop",
        "cats_and_dogs_filtered",
    ]
    present = {"xception_top", "vgg16_notop"}
    monkeypatch.setattr(assets, "is_present", lambda name: name in present)
    assert not runner.full_mode_available()
    present.add("cats_and_dogs_filtered")
    assert runner.full_mode_available()
    monkeypatch.setitem(assets.ASSETS, "extra", dataclasses.replace(assets.ASSETS["xception_top"], name="extra"))
    assert not runner.full_mode_available(), "a new full-course asset is read from the table"


def test_a_fixture_key_decides_the_stand_in_not_the_assets_name(monkeypatch):
    from helpers.course import offline

    monkeypatch.delenv(offline.STANDINS_ENV, raising=False)
    monkeypatch.setitem(offline.FIXTURES, "tuxpaint", ("Debian tuxpaint-stamps-default", lambda: "not installed"))
    assert offline.standin_problem("cats_and_dogs_filtered") == "not installed"
    assert "Debian tuxpaint-stamps-default" in offline.missing_fixtures()
    monkeypatch.setenv(offline.STANDINS_ENV, "off")
    assert offline.standin_problem("vgg16_notop") == f"stand-ins are off ({offline.STANDINS_ENV}=off)"
