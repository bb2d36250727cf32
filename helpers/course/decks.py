"""Slide decks that open with no internet: reveal.js and require.js next to the decks, nothing from a CDN.

nbconvert's reveal template loads reveal.js, require.js, jQuery, Mermaid and MathJax from CDNs. Here
reveal.js and require.js are pinned npm tarballs (the one table below), cached in ``<Keras cache>/vendor``
and copied beside the decks; jQuery, Mermaid and widget JS are left out (the decks use none), and so is
MathJax: the course's markdown has no math (tests/test_decks.py checks), a stub keeps the template's
slide-change hook quiet. The theme is reveal.js's "white", whose fonts come with it (headings keep their case).

>>> sorted(VENDOR)
['require.js', 'reveal.js']
"""

from __future__ import annotations

import re
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import assets

if TYPE_CHECKING:
    import nbformat
    from nbconvert import SlidesExporter


@dataclass(frozen=True)
class Vendored:
    """An npm tarball, its checksum, and the members a deck needs (``root`` becomes the deck's ``name``)."""

    url: str
    md5: str
    size: int
    root: str  # the member copied next to the decks as VENDOR's key
    keep: tuple[str, ...]  # member prefixes extracted, nothing else


VENDOR = {
    "reveal.js": Vendored(
        "https://registry.npmjs.org/reveal.js/-/reveal.js-4.0.2.tgz",  # the version nbconvert 7.17 asks for
        "791f3a4d430f60018b82697f2d2ebdab",
        2_299_732,
        "package",
        ("package/dist/", "package/plugin/notes/"),
    ),
    "require.js": Vendored(
        "https://registry.npmjs.org/requirejs/-/requirejs-2.3.6.tgz",
        "5320e0fcffb9367a4e84d278336556b7",
        254_418,
        "package/require.js",
        ("package/require.js",),
    ),
}
STAMP = ".vendored"  # in the decks' folder: which tarballs its copies came from

# nbconvert's reveal template without its CDN scripts (blocks of reveal/index.html.j2, nbconvert 7.17)
TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js_jquery %}{% endblock %}
{% block html_head_js_mermaidjs %}{% endblock %}
{% block jupyter_widgets %}{% endblock %}
{% block html_head_js_mathjax %}
<script>window.MathJax = {Hub: {getAllJax: function () { return null; }}};  /* no math: no MathJax */</script>
{% endblock %}
{% block html_head_css %}<style>.reveal .slides :is(h1, h2, h3, h4) { text-transform: none; }</style>{% endblock %}
"""


def vendor_dir() -> Path:
    """Where the tarballs are cached: ``vendor/`` in the Keras cache."""
    return assets.keras_home() / "vendor"


def tarball(name: str, *, progress: bool = True) -> Path:
    """The cached npm tarball of ``name`` (a key of :data:`VENDOR`), downloaded and checked on first use."""
    item = VENDOR[name]
    path = vendor_dir() / item.url.rsplit("/", 1)[1]
    if path.is_file() and assets.md5sum(path) == item.md5:
        return path
    fix = f"run `make slides` once online, or copy {path.name} (from {item.url}) into {path.parent}"
    if not assets.is_online(item.url):
        raise assets.NoNetwork(
            f"{name} for the offline slides is not in the cache at {path} and there is no network: {fix}"
        )
    try:
        return assets.download(item.url, path, md5=item.md5, size=item.size, progress=progress)
    except (assets.NotWritable, assets.ChecksumMismatch):
        raise
    except assets.AssetError as e:
        raise assets.AssetError(f"{name} for the offline slides could not be downloaded ({e}): {fix}") from e


def install(out_dir: Path, *, progress: bool = True) -> Path:
    """Copy reveal.js (dist/, plugin/notes/) and require.js into ``out_dir``; return ``out_dir``.

    Only the members in :data:`VENDOR` are extracted, each checked to stay inside ``out_dir``.
    Nothing is done when ``out_dir`` already holds copies of the same tarballs.
    """
    out_dir = Path(out_dir)
    stamp = " ".join(f"{name}:{item.md5}" for name, item in VENDOR.items())
    done = (out_dir / STAMP).is_file() and (out_dir / STAMP).read_text() == stamp
    if done and all((out_dir / name).exists() for name in VENDOR):
        return out_dir
    for name, item in VENDOR.items():
        archive, part = tarball(name, progress=progress), out_dir / f".{name}.part"
        with assets.writing(out_dir):
            shutil.rmtree(part, ignore_errors=True)
            part.mkdir(parents=True)
            with tarfile.open(archive) as t:
                members = [m for m in t.getmembers() if m.isfile() and m.name.startswith(item.keep)]
                for m in members:
                    assets._check_member(m.name, part)
                t.extractall(part, members=members, filter="data")
            dest = out_dir / name
            if dest.is_dir():
                shutil.rmtree(dest)
            dest.unlink(missing_ok=True)
            (part / item.root).rename(dest)
            shutil.rmtree(part)
    (out_dir / STAMP).write_text(stamp)
    return out_dir


_REMOTE_IMAGE = r"!\[([^\]]*)\]\((https?://[^)\s]+)\)"


def local_images(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Turn markdown images from the web (the Colab badge) into links: a deck loads nothing from the web.

    >>> import nbformat
    >>> cell = nbformat.v4.new_markdown_cell("# T [![Open In Colab](https://x/b.svg)](https://c/nb) ![d](http://y/d.png)")
    >>> local_images(nbformat.v4.new_notebook(cells=[cell])).cells[0].source
    '# T [Open In Colab](https://c/nb) [d](http://y/d.png)'
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"\[" + _REMOTE_IMAGE + r"\]", r"[\1]", cell.source)  # an image inside a link
            cell.source = re.sub(_REMOTE_IMAGE, r"[\1](\2)", cell.source)
    return nb


def exporter() -> SlidesExporter:
    """nbconvert's SlidesExporter reading reveal.js and require.js from the deck's folder, no CDN."""
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter

    return SlidesExporter(
        reveal_url_prefix="reveal.js",
        require_js_url="require.js",
        reveal_theme="white",  # its fonts are in dist/theme/fonts; "simple" (nbconvert's) imports Google Fonts
        extra_loaders=[DictLoader({"offline_reveal.html.j2": TEMPLATE})],
        template_file="offline_reveal.html.j2",
    )
