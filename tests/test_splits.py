"""helpers.data.make_splits, property-style: for many random sizes, fractions and caps, the splits
are disjoint, together exactly the source, sized as the fractions say, and seeded.

Plain ``random`` with a fixed seed: the same 150 cases on every run, in about a second.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from helpers import data

pytestmark = pytest.mark.usefixtures("tmp_keras_home")

FRACTIONS = [
    {"train": 0.5, "validation": 0.25, "test": 0.25},
    {"validation": 0.5, "test": 0.5},
    {"train": 0.7, "validation": 0.2, "test": 0.1},
    {"train": 0.6, "test": 0.4},
    {"train": 1.0},
    {"train": 0.34, "validation": 0.33, "test": 0.33},
    {"train": 0.5, "validation": 0.5, "test": 0.0},
    {"train": 0.1, "validation": 0.1, "test": 0.8},
]


def _source(root: Path, sizes: dict[str, int]) -> dict[str, list[Path]]:
    """Empty files named after their class (make_splits never reads them)."""
    source = {}
    for label, n in sizes.items():
        folder = root / label
        folder.mkdir(parents=True)
        source[label] = []
        for i in range(n):
            f = folder / f"{label}_{i:03d}.jpg"
            f.touch()
            source[label].append(f)
    return source


def _written(out: Path, splits) -> dict[str, dict[str, list[Path]]]:
    """split -> class -> the source files its entries point to (links resolved)."""
    return {
        s: {d.name: sorted(f.resolve() for f in d.iterdir()) for d in sorted((out / s).iterdir())}
        if (out / s).is_dir()
        else {}
        for s in splits
    }


def expected_sizes(n: int, fractions: dict[str, float]) -> list[int]:
    """The documented split sizes: round(n * fraction) each, in order, the last split takes the rest."""
    sizes, left = [], n
    names = list(fractions)
    for i, split in enumerate(names):
        k = left if i == len(names) - 1 else min(round(n * fractions[split]), left)
        sizes.append(k)
        left -= k
    return sizes


def _case(rng: random.Random):
    labels = rng.sample(["cats", "dogs", "birds", "fish"], rng.randint(1, 3))
    sizes = {label: rng.choice([0, 1, 2, 3, rng.randint(4, 40)]) for label in labels}
    fractions = rng.choice(FRACTIONS)
    caps = {s: rng.choice([None, 1, 2, rng.randint(3, 15)]) for s in fractions if rng.random() < 0.5}
    return sizes, fractions, caps, rng.randint(0, 10_000)


@pytest.mark.parametrize("block", range(5))
def test_splits_are_disjoint_complete_and_sized(tmp_path, block):
    rng = random.Random(1000 + block)
    for case in range(30):
        sizes, fractions, caps, seed = _case(rng)
        where = tmp_path / f"case{case}"
        source = _source(where / "src", sizes)
        out = data.make_splits(source, where / "out", fractions=fractions, seed=seed)
        full = _written(out, fractions)
        about = f"sizes={sizes} fractions={fractions} seed={seed}"
        for label, files in source.items():
            parts = [full[s].get(label, []) for s in fractions]
            together = [f for part in parts for f in part]
            assert sorted(together) == sorted(f.resolve() for f in files), f"not the source: {about}"
            assert len(set(together)) == len(together), f"a file in two splits: {about}"
            assert [len(p) for p in parts] == expected_sizes(len(files), fractions), about
        assert set(full) == set(fractions) or not any(sizes.values())

        # the same seed again, now capped: every split keeps the first files of the same shuffle
        capped = _written(
            data.make_splits(source, where / "capped", fractions=fractions, per_class=caps, seed=seed), fractions
        )
        for split in fractions:
            for label in source:
                got, uncapped = capped[split].get(label, []), full[split].get(label, [])
                cap = caps.get(split)
                assert len(got) == (min(cap, len(uncapped)) if cap else len(uncapped)), (split, about, caps)
                assert set(got) <= set(uncapped), f"a cap moved files across splits: {about}"


def test_splits_are_seeded_and_shuffled(tmp_path):
    source = _source(tmp_path / "src", {"a": 40})
    fractions = {"train": 0.5, "test": 0.5}
    first = _written(data.make_splits(source, tmp_path / "1", fractions=fractions, seed=3), fractions)
    again = _written(data.make_splits(source, tmp_path / "2", fractions=fractions, seed=3), fractions)
    other = _written(data.make_splits(source, tmp_path / "3", fractions=fractions, seed=4), fractions)
    assert first == again and first != other
    # shuffled, not the first half in name order
    assert first["train"]["a"] != sorted(f.resolve() for f in source["a"])[:20]
    # the input order does not matter (the files are sorted before the seeded shuffle)
    shuffled = {"a": list(reversed(source["a"]))}
    assert _written(data.make_splits(shuffled, tmp_path / "4", fractions=fractions, seed=3), fractions) == first


def test_each_class_is_shuffled_by_the_same_seeded_stream_in_class_order(tmp_path):
    """Classes are split in name order, whatever order the dict has (reproducible across Pythons)."""
    source = _source(tmp_path / "src", {"b": 10, "a": 10})
    fractions = {"train": 0.5, "test": 0.5}
    forward = _written(data.make_splits(source, tmp_path / "1", fractions=fractions, seed=5), fractions)
    backward = _written(
        data.make_splits(dict(reversed(source.items())), tmp_path / "2", fractions=fractions, seed=5), fractions
    )
    assert forward == backward


def test_default_fractions_are_half_quarter_quarter(tmp_path):
    source = _source(tmp_path / "src", {"a": 8})
    out = data.make_splits(source, tmp_path / "out")
    assert {s: len(v.get("a", [])) for s, v in _written(out, data.SPLITS).items()} == {
        "train": 4,
        "validation": 2,
        "test": 2,
    }
