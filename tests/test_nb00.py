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
    assert rows["VGG16"]["output"] == "7x7x512"
    assert rows["Xception"]["output"] == "10x10x2048" and rows["Xception"]["input"] == "299x299x3"
    assert 14.6 < rows["VGG16"]["params_M"] < 14.8
    assert rows["MobileNetV2"]["params_M"] < rows["ResNet50"]["params_M"]
    assert all(row["img_per_s"] > 0 for row in rows.values())


def test_weight_layers_match_the_notebooks_explanation(m):
    # the markdown: VGG16 = 13 convs (+3 dense = 16), VGG19 = 16 (+3), ResNet50 = 49 + 4 projection
    # shortcuts, Xception = the paper's 36 + 4 projection shortcuts (as notebook 01 counts them)
    layers = {name: row["weight_layers"] for name, row in m["backbones"].items()}
    assert [layers[n] for n in ("VGG16", "VGG19", "ResNet50", "Xception")] == [13, 16, 53, 40]


def test_multiply_adds_match_published_costs(m):
    rows = m["backbones"]
    g = {name: row["GMACs"] for name, row in rows.items()}
    # published costs per image at the default size (the tops, dropped here, add < 0.13 G)
    assert 15.2 < g["VGG16"] < 15.5 and 3.7 < g["ResNet50"] < 4.0 and 0.28 < g["MobileNetV2"] < 0.32
    # the notebook's reading of the table
    assert max(g, key=g.get) == "VGG19" and min(g, key=g.get) == "MobileNetV2"
    assert g["VGG16"] > g["Xception"] > g["InceptionV3"] > g["ResNet50"]
    assert abs(rows["Xception"]["params_M"] - rows["InceptionV3"]["params_M"]) < 1.5


def test_transfer_experiment_beats_chance_and_scratch_with_few_labels(m):
    n = len(m["labels_per_class"])
    assert m["labels_per_class"] == sorted(m["labels_per_class"])
    assert len(m["transfer_acc"]) == len(m["scratch_acc"]) == n
    assert m["source_val_acc"] > 0.8, "pretraining on the source task failed"
    assert min(m["transfer_acc"]) > 2 * m["chance"]
    # the notebook's claim: with the fewest labels, pretrained features win
    assert m["transfer_acc"][0] > m["scratch_acc"][0], m
    # the printed verdict: the first size where scratch is within 0.02 of transfer (or better)
    gaps = [t - s for t, s in zip(m["transfer_acc"], m["scratch_acc"])]
    assert m["catch_up"] == next((k for k, g in zip(m["labels_per_class"], gaps) if g <= 0.02), None)


def test_domain_gap_exercise_near_source_beats_far_source(m):
    gap = m["domain_gap"]
    assert set(gap) == {"near source", "far source", "from scratch"}
    # the solution's lesson: same target, same labels; only the source differs
    assert gap["near source"] > gap["far source"], gap
    assert m["exercise_q1"] is True and m["exercise_q2"] is True, "a solution fails its own check"
