"""00_concepts: the backbone table is real and the offline transfer experiment shows transfer."""

from __future__ import annotations

import pytest

NB = "00_concepts"


@pytest.fixture(scope="module")
def m(run_notebook):
    return run_notebook(NB)


def test_backbone_table_measures_the_architectures(m):
    rows = m["backbones"]
    assert set(rows) == {"VGG16", "VGG19", "ResNet50", "InceptionV3", "Xception", "MobileNetV2"}
    # documented sizes of the convolutional bases (keras.io/api/applications, minus the top)
    assert rows["VGG16"]["output"] == "7x7x512" and rows["VGG16"]["weight_layers"] == 13
    assert rows["Xception"]["output"] == "10x10x2048" and rows["Xception"]["input"] == "299x299x3"
    assert 14.6 < rows["VGG16"]["params_M"] < 14.8
    assert rows["MobileNetV2"]["params_M"] < rows["ResNet50"]["params_M"]
    assert all(row["img_per_s"] > 0 for row in rows.values())


def test_transfer_experiment_beats_chance_and_scratch_with_few_labels(m):
    n = len(m["labels_per_class"])
    assert len(m["transfer_acc"]) == len(m["scratch_acc"]) == n
    assert m["source_val_acc"] > 0.8, "pretraining on the source task failed"
    assert min(m["transfer_acc"]) > 2 * m["chance"]
    # the notebook's claim: with the fewest labels, pretrained features win
    assert m["transfer_acc"][0] > m["scratch_acc"][0], m
