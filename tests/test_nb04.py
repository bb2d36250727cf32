"""Notebook 04 (scratch vs transfer): recorded metrics."""

from __future__ import annotations

import pytest

from helpers import models


@pytest.fixture(scope="module")
def nb04(run_notebook):
    return run_notebook("04_scratch_vs_transfer")


@pytest.mark.notebooks
def test_04_compares_three_approaches(nb04):
    rows = nb04["comparison"]
    assert set(rows) == {"from scratch", "frozen base + head", "fine-tuned"}
    for name, row in rows.items():
        assert 0.0 <= row["test_acc"] <= 1.0, name
        assert 0.0 <= row["balanced_acc"] <= 1.0, name
        assert row["seconds"] > 0, name
        assert 0 < row["trainable_params"] <= row["total_params"], name
        assert 1 <= row["epochs_run"] <= nb04["epochs"], name  # early stopping may end a run sooner
    scratch, frozen, fine = rows["from scratch"], rows["frozen base + head"], rows["fine-tuned"]
    # Both transfer approaches train on VIEWS cached views of every training image, and pay for caching them.
    assert nb04["views"] >= 2 and nb04["cached_views"] == nb04["views"] * nb04["train_images"]
    assert min(frozen["seconds"], fine["seconds"]) > nb04["cache_seconds"] > 0
    assert scratch["trainable_params"] == scratch["total_params"] < 1_000_000
    assert frozen["total_params"] > 100 * scratch["total_params"]
    assert frozen["trainable_params"] < 0.01 * frozen["total_params"], "only the head trains"
    assert frozen["trainable_params"] < fine["trainable_params"] < fine["total_params"]
    # Guessing the largest class: its share of the test set in accuracy, 1/classes in balanced accuracy.
    assert nb04["chance"] == pytest.approx(0.5)  # two classes
    assert nb04["chance"] <= nb04["majority_baseline"] < 1.0
    if nb04["real_weights"]:
        # Real ImageNet features on photos do better than guessing, whatever the class sizes.
        assert frozen["balanced_acc"] > nb04["chance"] + 0.1


@pytest.mark.notebooks
def test_04_learning_curve(nb04):
    sizes = nb04["curve_sizes"]
    assert sizes == sorted(sizes) and len(sizes) >= 2
    assert len(nb04["curve_transfer"]) == len(nb04["curve_scratch"]) == len(sizes)
    assert len(nb04["curve_transfer_std"]) == len(nb04["curve_scratch_std"]) == len(sizes)
    assert nb04["repeats"] >= 2, "a spread needs several runs per point"
    assert min(nb04["curve_transfer_std"] + nb04["curve_scratch_std"]) >= 0.0
    # The base sees only a pool big enough for every run's largest subset (every image only in small classes).
    pool = sum(min(sizes[-1] * nb04["repeats"], n) for n in nb04["counts"]["train"].values())
    assert nb04["curve_pool_images"] == pool <= nb04["train_images"]
    if nb04["real_weights"]:
        # Real ImageNet features on photos beat guessing (balanced accuracy: 1/classes) by a margin.
        assert nb04["curve_transfer"][-1] > nb04["chance"] + 0.15


@pytest.mark.notebooks
def test_04_domain_gap_on_fashion_mnist(nb04):
    assert len(nb04["fashion_transfer"]) == len(nb04["fashion_scratch"]) == len(nb04["fashion_per_class"])
    assert len(nb04["fashion_transfer_std"]) == len(nb04["fashion_scratch_std"]) == len(nb04["fashion_per_class"])
    assert min(nb04["fashion_transfer"] + nb04["fashion_scratch"]) > 0.4  # 10 classes: chance is 0.1
    assert nb04["fashion_test_images"] >= 1000, "a few hundred test images cannot resolve a gain of a few points"
    assert nb04["fashion_feature_seconds"] > 0
    assert (
        nb04["transfer_gain_photos_size"] <= max(nb04["fashion_per_class"])
        or nb04["transfer_gain_photos_size"] == nb04["curve_sizes"][0]
    )
    assert abs(nb04["transfer_gain_fashion"]) < 0.15, "ImageNet features should not win big on Fashion-MNIST"
    if nb04["real_weights"]:
        assert nb04["transfer_gain_photos"] > nb04["transfer_gain_fashion"] + 0.05


@pytest.mark.notebooks
def test_04_runs_under_the_policy_chosen_for_this_machine(nb04):
    assert nb04["precision"] == models.choose_precision().policy
