"""The slide decks in a real browser, offline: reveal.js loads from the deck's folder and shows every slide.

Each notebook's deck is built from the source notebook (slide counts do not depend on outputs) and opened
in headless Chromium with the network blocked; a probe script added to the test's copy counts the slides
with ``Reveal.getTotalSlides()`` once reveal.js is ready, and records every load a Content-Security-Policy
(``file:`` and ``data:`` only) refused: a font, script or stylesheet from the web.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import nbformat
import pytest

from helpers.course import assets, decks, runner

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NEEDS_CHROMIUM = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason="no chromium: `sudo apt-get install chromium` (`make fixtures` does)"
)
NOTEBOOKS = runner.notebooks()
PROBE = """<head>
<meta http-equiv="Content-Security-Policy" content="default-src file: data: 'unsafe-inline'">
<script>
var deck = {ready: false, blocked: []};
function report() { document.documentElement.setAttribute("data-deck", JSON.stringify(deck)); }
document.addEventListener("securitypolicyviolation", function (e) { deck.blocked.push(e.blockedURI); report(); });
document.addEventListener("ready", function () {
  var Reveal = require("reveal.js/dist/reveal.js");
  deck = {ready: true, total: Reveal.getTotalSlides(), horizontal: Reveal.getHorizontalSlides().length,
          blocked: deck.blocked};
  report();
});
</script>"""
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--proxy-server=127.0.0.1:9",  # nothing listens there: no request leaves the machine
    "--proxy-bypass-list=<-loopback>",
    "--virtual-time-budget=15000",  # let require.js, reveal.js and its 'ready' event run
    "--dump-dom",
]


def expected_slides(nb) -> tuple[int, int]:
    """(slides, horizontal slides) of a tagged notebook: "slide" and "subslide" cells start them.

    The first cell shown (neither "skip" nor "notes") always starts a slide, as nbconvert does.
    """
    kinds = [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in nb.cells]
    rest = [k for k in kinds if k not in ("skip", "notes")][1:]
    return 1 + rest.count("slide") + rest.count("subslide"), 1 + rest.count("slide")


def external_loads(page: str) -> list[str]:
    """Every web address the page itself would load: ``src``/``href`` of tags other than links, imports."""
    tags = re.findall(r"<(?!a\b)\w+\b[^>]*?\b(?:src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", page, re.I)
    imports = re.findall(r"\bimport\b[^;'\"]*?[\"']((?:https?:)?//[^\"']+)|@import\s+url\(([^)]*//[^)]*)\)", page)
    return tags + [a or b for a, b in imports]


@pytest.fixture(scope="module")
def shown(tmp_path_factory) -> tuple[dict[str, tuple[dict | None, str, str]], Path]:
    """Per notebook: (what the probe reported or None, the deck's HTML, Chromium's stderr); their folder."""
    tmp = tmp_path_factory.mktemp("decks")
    runs = {}
    for nb in NOTEBOOKS:
        copy = shutil.copy(nb, tmp / nb.name)  # the deck and the expected count read the same version
        deck = runner.to_slides(Path(copy), tmp)
        page = deck.read_text(encoding="utf-8")
        probed = deck.with_name(deck.name.replace(".slides.", ".probe."))
        probed.write_text(page.replace("<head>", PROBE, 1), encoding="utf-8")
        profile = f"--user-data-dir={tmp / ('profile-' + nb.stem)}"
        command = [CHROMIUM, *FLAGS, profile, probed.as_uri()]
        runs[nb.stem] = (page, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    found = {}
    for name, (page, process) in runs.items():
        try:
            out, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:  # reported below as "never became ready"
            process.kill()
            out, err = process.communicate()
        attribute = re.search(r'<html[^>]*\bdata-deck="([^"]*)"', out)
        found[name] = (json.loads(html.unescape(attribute.group(1))) if attribute else None, page, err)
    return found, tmp


@pytest.mark.browser
@NEEDS_CHROMIUM
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_deck_shows_every_slide_offline(notebook, shown):
    found, tmp = shown
    probe, page, err = found[notebook.stem]
    said = "\n".join(line for line in err.splitlines() if "dbus" not in line)[-2000:]
    assert probe is not None and probe["ready"], (
        f"reveal.js never became ready in {notebook.stem}'s deck (it did not load from the deck's folder?); "
        f"blocked: {probe and probe['blocked']}; Chromium said: {said}"
    )
    nb = runner.tag_slides(runner.split_at_headings(nbformat.read(str(tmp / notebook.name), as_version=4)))
    assert (probe["total"], probe["horizontal"]) == expected_slides(nb), "(slides, horizontal) in the browser"
    assert probe["blocked"] == [], "the deck tried to load these from the web"
    assert external_loads(page) == []


def test_external_loads_are_found():
    """The static check above can fail: CDN scripts, stylesheets, images and imports are seen, links are not."""
    page = (
        '<script src="https://unpkg.com/r.js"></script><link rel="stylesheet" href="//cdn.x/a.css">'
        '<img alt="b" src="http://x/b.svg"><script type="module">import m from "https://c/m.mjs";</script>'
        '<style>@import url(https://fonts.x/css);</style><a href="https://colab.x/nb">open</a>'
        '<link href="reveal.js/dist/reveal.css"><script src="require.js"></script>'
    )
    assert external_loads(page) == [
        "https://unpkg.com/r.js",
        "//cdn.x/a.css",
        "http://x/b.svg",
        "https://c/m.mjs",
        "https://fonts.x/css",
    ]


def test_expected_slides_follows_nbconvert():
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell(s) for s in ("intro", "# A", "### A.1", "x", "## B", "note", "gone")]
    for cell, kind in zip(cells, ["-", "slide", "subslide", "-", "slide", "notes", "skip"]):
        cell.metadata["slideshow"] = {"slide_type": kind}
    assert expected_slides(v4.new_notebook(cells=cells)) == (4, 3)  # "intro" starts a slide of its own


def test_deck_of_a_notebook_with_widgets_and_web_images_loads_nothing_from_the_web(tmp_path):
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# T\n[![Open In Colab](https://x/badge.svg)](https://c/nb)")])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}}
    nbformat.write(nb, str(tmp_path / "97_widgets.ipynb"))
    page = runner.to_slides(tmp_path / "97_widgets.ipynb", tmp_path / "slides").read_text(encoding="utf-8")
    assert external_loads(page) == [] and '<a href="https://c/nb">Open In Colab</a>' in page
    assert (tmp_path / "slides" / "reveal.js" / "dist" / "reveal.js").is_file()
    assert (tmp_path / "slides" / "require.js").is_file()
    assert not (tmp_path / "slides" / "reveal.js" / "demo.html").exists(), "only dist/ and plugin/notes/"


def test_the_notebooks_have_no_math():
    """The decks carry no MathJax (decks.TEMPLATE): math in a notebook needs MathJax copied locally first."""
    math = re.compile(r"\$[^$\n]+\$|\\\(|\\\[|\\begin\{")
    for notebook in NOTEBOOKS:
        for cell in nbformat.read(str(notebook), as_version=4).cells:
            if cell.cell_type == "markdown":
                assert not math.search(cell.source), f"math in {notebook.name}: vendor MathJax in helpers.course.decks"


def test_offline_without_the_cached_tarballs_says_what_to_do(tmp_keras_home, tmp_path):
    with pytest.raises(assets.NoNetwork, match=r"reveal\.js.*make slides.*reveal\.js-4\.0\.2\.tgz") as error:
        decks.install(tmp_path / "slides")
    assert str(tmp_keras_home / "vendor") in str(error.value)


def test_a_damaged_tarball_is_refused(tmp_keras_home, tmp_path):
    """A cached tarball with the wrong checksum is not used (and, offline, not replaced)."""
    (tmp_keras_home / "vendor").mkdir()
    (tmp_keras_home / "vendor" / "reveal.js-4.0.2.tgz").write_bytes(b"not a tarball")
    with pytest.raises(assets.NoNetwork):
        decks.tarball("reveal.js")


def test_rise_is_installed_for_live_slides_in_jupyterlab():
    """``make lab`` has RISE (jupyterlab-rise): the pinned version and its labextension."""
    lock = dict(re.findall(r"^([\w.-]+)==(\S+)", (runner.ROOT / "requirements.lock").read_text(), re.M))
    assert version("jupyterlab-rise") == lock["jupyterlab_rise"], "run `make install`"
    assert (Path(sys.prefix) / "share/jupyter/labextensions/jupyterlab-rise/package.json").is_file()
