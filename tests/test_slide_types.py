"""Slides are chosen in the notebooks' own metadata, so RISE (live) and `make slides` (exported) show the same deck."""

from __future__ import annotations

import nbformat
import pytest

from helpers.course import runner

TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
NEVER_SHOWN = {"parameters", "setup", "metrics", "solution", "exercise", "colab"}  # machinery and desk work
MAX_WORDS = 140  # visible markdown words on one slide: more is a wall of text


def _slides(nb) -> list[list]:
    """The cells of each slide (slide or subslide starts one), notes and skipped cells left out."""
    slides: list[list] = []
    for cell in nb.cells:
        kind = cell.metadata["slideshow"]["slide_type"]
        if kind in ("slide", "subslide"):
            slides.append([])
        if kind not in ("skip", "notes") and slides:
            slides[-1].append(cell)
    return slides


@pytest.fixture(params=runner.notebooks(), ids=lambda p: p.stem)
def nb(request):
    return nbformat.read(str(request.param), as_version=4)


def test_every_cell_has_a_slide_type_and_machinery_is_never_shown(nb):
    for i, cell in enumerate(nb.cells):
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        assert kind in TYPES, f"cell {i} has slide type {kind!r}: set metadata.slideshow.slide_type"
        if NEVER_SHOWN & set(cell.metadata.get("tags", [])):
            assert kind == "skip", f"cell {i} ({cell.metadata['tags']}) must be skipped on slides"
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide", "the title opens the deck"


def test_no_slide_is_a_wall_of_text(nb):
    for slide in _slides(nb):
        words = sum(len(c.source.split()) for c in slide if c.cell_type == "markdown")
        assert words <= MAX_WORDS, f"{words} words on the slide that starts {slide[0].source[:60]!r}: split it"


def test_speaker_notes_where_an_instructor_needs_them(nb):
    notes = [c for c in nb.cells if c.metadata["slideshow"]["slide_type"] == "notes"]
    assert len(notes) >= 3
    for cell in notes:
        assert cell.cell_type == "markdown" and cell.source.startswith("**Speaker notes.** ")
        assert "notes" in cell.metadata.get("tags", []), "tagged, so that the learner's edition leaves it out"
    assert all(
        c.metadata["slideshow"]["slide_type"] == "notes" for c in nb.cells if "notes" in c.metadata.get("tags", [])
    )


def test_the_deck_has_one_slide_per_idea(nb):
    slides = _slides(nb)
    headings = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith(("# ", "## "))]
    assert len(slides) > len(headings), "long sections are split into sub-slides"
