"""The offline transfer-learning study (helpers.course.verify): its claims hold, and the check can fail."""

from __future__ import annotations

import json

import pytest

from helpers.course import offline, verify

# What the study is meant to catch, as numbers it would produce (see /work/shared/REFERENCE.md:
# 0.86 frozen Xception, 0.48 small CNN from scratch, 0.59 with VGG16-style preprocessing).
GOOD = {"transfer_acc": 0.86, "finetune_acc": 0.87, "scratch_acc": 0.48, "wrong_preprocessing_acc": 0.59}
BROKEN = {  # name: (change to GOOD, a phrase of each problem expected)
    # the base is not really pretrained (or freezing is broken and it got wrecked): near scratch
    "weak transfer": ({"transfer_acc": 0.55}, ["transfer_acc 0.550 <", "scratch_acc =", "wrong_preprocessing_acc ="]),
    # transfer works but so does scratch: no evidence for transfer
    "scratch as good": ({"scratch_acc": 0.75}, ["scratch_acc ="]),
    # fine-tuning at a high learning rate destroys the pretrained features
    "fine-tuning wrecks": ({"finetune_acc": 0.60}, ["finetune_acc 0.600 <"]),
    # the preprocessing makes no difference: the model is not the one we think
    "preprocessing ignored": ({"wrong_preprocessing_acc": 0.84}, ["wrong_preprocessing_acc ="]),
}


def test_claims_hold_on_reference_numbers():
    assert verify.check_claims(GOOD) == []


@pytest.mark.parametrize("name", BROKEN)
def test_claims_fail_on_broken_numbers(name):
    change, expected = BROKEN[name]
    problems = verify.check_claims({**GOOD, **change})
    assert len(problems) == len(expected), problems
    for phrase in expected:
        assert any(phrase in p for p in problems), (phrase, problems)


def test_claims_boundaries_count_as_holding():
    exact = {"transfer_acc": 0.85, "scratch_acc": 0.65, "finetune_acc": 0.80, "wrong_preprocessing_acc": 0.70}
    assert verify.check_claims(exact) == []
    assert len(verify.check_claims({**exact, "transfer_acc": 0.849})) == 2


def test_bn_claim_needs_frozen_bn_never_to_lose_and_to_win_in_total():
    measured = {**GOOD, "bn_seeds": [42, 43], "bn_trainable_acc": [0.866, 0.866], "bn_frozen_acc": [0.902, 0.884]}
    assert verify.check_claims(measured) == []
    assert verify.check_claims({**measured, "bn_frozen_acc": [0.893, 0.866]}) == []  # a win and a tie (bfloat16)
    problems = verify.check_claims({**measured, "bn_frozen_acc": [0.902, 0.857]})  # a loss on one seed
    assert len(problems) == 1 and problems[0].startswith("seed 43: bn_frozen_acc 0.857 < bn_trainable_acc"), problems
    problems = verify.check_claims({**measured, "bn_frozen_acc": [0.866, 0.866]})  # ties everywhere
    assert len(problems) == 1 and "never beat trainable" in problems[0], problems
    assert len(verify.check_claims({**measured, "bn_frozen_acc": [0.8, 0.8]})) == 3  # two losses, no win
    assert verify.check_claims({**measured, "bn_seeds": []}) == []  # the arms did not run


def test_cached_views_claim_needs_the_accuracy_of_end_to_end_fine_tuning():
    measured = {**GOOD, "finetune_augmented_acc": 0.884, "finetune_cached_acc": 0.857}  # 3 of 112 images
    assert verify.check_claims(measured) == []
    problems = verify.check_claims({**measured, "finetune_cached_acc": 0.848})
    assert len(problems) == 1 and problems[0].startswith("finetune_cached_acc 0.848 < finetune_augmented_acc"), problems
    assert verify.check_claims({**measured, "finetune_cached_acc": 0.95}) == []  # better is fine


def test_study_runs_under_the_notebooks_policy_and_restores_the_callers(monkeypatch):
    import keras

    seen = []

    def fake_study(cfg, verbose):
        verify.fresh_session(cfg.precision)
        seen.append((cfg.precision, keras.mixed_precision.global_policy().name))
        return {}

    monkeypatch.setattr(verify, "_study", fake_study)
    monkeypatch.setattr(verify.models, "choose_precision", lambda: verify.models.Precision("mixed_bfloat16", "test"))
    verify.run_study(verify.Config(precision="float32"))
    verify.run_study()
    assert seen == [("float32", "float32"), ("mixed_bfloat16", "mixed_bfloat16")]
    assert keras.mixed_precision.global_policy().name == "float32"  # the caller's policy again


@pytest.fixture(scope="module")
def study():
    if offline.missing_fixtures():
        pytest.skip("run `make fixtures` (missing: " + ", ".join(offline.missing_fixtures()) + ")")
    result = verify.run_study(verbose=0)
    verify.write(result)
    return result


@pytest.mark.verify
def test_study_supports_the_claims(study):
    assert verify.check_claims(study) == [], json.dumps(study, indent=1)


@pytest.mark.verify
def test_study_is_what_it_says(study):
    assert study["backbone"] == "xception"
    assert study["weights_source"] in {"stand-in", "real"}
    assert len(study["classes"]) >= 4
    assert 24 <= study["n_train"] <= 120 and study["n_test"] >= study["n_train"]
    assert min(study["train_per_class"]) >= 3
    assert study["cached_features_match"], "the head trained on cached features is not the model"
    assert study["transfer_frozen_params"] > 20_000_000 > study["transfer_trainable_params"]
    for arm in ("transfer", "finetune", "scratch", "wrong_preprocessing"):
        assert 0.0 <= study[f"{arm}_acc"] <= 1.0
        assert study[f"{arm}_s"] > 0
    assert study["cached_views"] == 2 and study["cached_epochs"] == 10  # fine-tuning on cached views ran
    assert 0.0 <= study["finetune_cached_acc"] <= 1.0 and 0.0 <= study["finetune_augmented_acc"] <= 1.0
    assert study["bn_seeds"] == [42, 43]  # BatchNormalization: the whole base fine-tuned, per seed
    for arm in ("trainable", "frozen"):
        assert len(study[f"bn_{arm}_acc"]) == 2 and all(0.0 <= a <= 1.0 for a in study[f"bn_{arm}_acc"])
    assert study["bn_frozen_moving_mean_drift"] == [0.0, 0.0], "unfreeze_top let fit move BN statistics"
    assert min(study["bn_trainable_moving_mean_drift"]) > 0, "trainable BN kept its statistics under fit"
    recorded = json.loads((verify.metrics.metrics_dir() / f"{verify.RECORD}.json").read_text())
    assert recorded["transfer_acc"] == study["transfer_acc"]


@pytest.mark.verify
def test_study_catches_helpers_that_get_preprocessing_wrong(monkeypatch):
    """Mutation test: if ``preprocess_for`` handed every backbone VGG16's function (a plausible
    lookup bug), the study must say so. Scratch and fine-tuning get one epoch each, and the
    BatchNormalization arms do not run: they are not what this test is about, and the claim it
    checks does not depend on them."""
    if offline.missing_fixtures():
        pytest.skip("run `make fixtures` (missing: " + ", ".join(offline.missing_fixtures()) + ")")
    vgg = verify.models.BACKBONES["vgg16"].preprocess
    monkeypatch.setattr(verify.models, "preprocess_for", lambda arch: vgg)
    result = verify.run_study(
        verify.Config(scratch_epochs=1, finetune_epochs=1, bn_seeds=(), cached_views=0), verbose=0
    )
    problems = verify.check_claims(result)
    assert any("wrong_preprocessing_acc" in p for p in problems), json.dumps(result, indent=1)
