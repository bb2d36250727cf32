"""Offline proof that the course's transfer learning works: ``python -m helpers verify``.

A small, seeded study on real photos (the Debian photo cut-outs, white background), run
through exactly the helpers the notebooks use:

* data: :func:`helpers.data.cutout_dataset`, split stratified with a fixed seed, read with
  ``keras.utils.image_dataset_from_directory``;
* weights: :func:`helpers.imagenet_weights` ``("xception")`` (offline: a labelled stand-in
  holding the real ImageNet Xception conv weights) into ``keras.applications.Xception``;
* **transfer**: :func:`helpers.models.transfer_model` (frozen base, new head) with
  :func:`helpers.models.preprocess_for` ``("xception")``;
* **fine-tuning**: :func:`helpers.models.unfreeze_top`, then a low learning rate;
* **scratch**: :func:`helpers.models.small_cnn` with augmentation on the same images;
* **wrong preprocessing**: the *trained* transfer model (same base, same head weights) built
  again by ``transfer_model`` with VGG16's ``preprocess_input`` (caffe: BGR, mean-subtracted,
  0-255) instead of Xception's (``[-1, 1]``);
* **fine-tuning on cached views**: from a head trained on the cached features, the top block
  (``finetune_from``) fine-tuned with augmentation twice, the same number of steps: end to end
  (every block runs on a fresh random view each epoch) and on ``cached_views`` augmented views that
  the frozen blocks below computed once (:func:`helpers.models.split_at`); the cheaper way must keep
  the accuracy of the other within ``MAX_CACHED_DROP``;
* **BatchNormalization**, per seed of ``Config.bn_seeds``: a new head trained on the same cached
  features, then the *whole* base fine-tuned twice from those weights, its BN layers trainable
  (``base.trainable = True``, as Chollet's book and older guides do; Keras 3's ``fit`` then
  re-estimates their statistics although the base is called with ``training=False``) and frozen
  (``unfreeze_top(base, 0)``, the course's way).

How the transfer model is trained, and why that is faithful: the model is built with
``augment=False`` and its base is frozen (``base.trainable = False``, which on Keras 3 also keeps
its BatchNormalization layers in inference mode; ``training=False`` in the call would not: ``fit``
overrides it) and has no Dropout, so everything up to the pooled features is a fixed function of
the image. The study runs that part of *the
same model* (``image -> preprocess -> base -> pool``) once over the training images and fits
the model's own ``dropout -> classifier`` layers (shared weights) on the result: the same
loss and the same gradients as ``model.fit`` on the images, without recomputing 20 million
frozen parameters every epoch. Every accuracy is then measured end to end, ``model.predict``
on test images, and the study checks that the cached path and the end-to-end model give the
same probabilities (``cached_features_match``). Fine-tuning trains end to end.

Results go to ``build/metrics/offline_transfer.json``; :func:`check_claims` holds the
thresholds that ``tests/test_verify.py`` and the command line both apply.

>>> check_claims({"transfer_acc": 0.9, "finetune_acc": 0.9, "scratch_acc": 0.5,
...               "wrong_preprocessing_acc": 0.6})
[]
"""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from .. import data, models
from . import metrics

RECORD = "offline_transfer"  # build/metrics/offline_transfer.json

# Five kinds of photo cut-outs (class name -> tuxpaint folders, sub-folders included).
CATEGORIES: dict[str, list[str]] = {
    "birds": ["animals/birds"],
    "flowers": ["plants/flowers"],
    "fruit": ["food/fruit"],
    "mammals": ["animals/mammals"],
    "vegetables": ["food/vegetables"],
}

# The thresholds of check_claims().
MIN_TRANSFER_ACC = 0.80
MIN_GAIN_OVER_SCRATCH = 0.20
MAX_FINETUNE_DROP = 0.05
MIN_WRONG_PREPROCESSING_DROP = 0.15
MAX_CACHED_DROP = 0.03  # fine-tuning on cached views vs end to end: about one standard error at n=112
# BatchNormalization: the whole base fine-tuned with its BN layers frozen must never score lower than
# with them trainable, on any seed, and must score higher in total (measured float32: seed 42 by 4, seed
# 43 by 2 of 112 test images; mixed_bfloat16: by 2, and a tie: a tie on 112 images is no evidence against)
_EPS = 1e-9  # accuracies are k/n: 0.85 - 0.65 must count as a gain of 0.20


@dataclass
class Config:
    """Everything that decides the study's numbers (recorded with them)."""

    categories: dict[str, list[str]] = field(default_factory=lambda: dict(CATEGORIES))
    backbone: str = "xception"
    wrong_backbone: str = "vgg16"  # whose preprocess_input the wrong-preprocessing arm uses
    image_size: int = 150
    train_fraction: float = 1 / 3  # of each class (a few dozen images in all); the rest is the test set
    seed: int = 42
    batch_size: int = 16
    head_epochs: int = 60  # the head trains on cached features: cheap
    head_lr: float = 1e-3
    finetune_from: str = "block14"  # unfreeze_top(base, this): Xception's exit flow
    finetune_epochs: int = 5
    finetune_lr: float = 1e-5
    scratch_epochs: int = 60  # as many epochs as the head, on augmented images
    scratch_lr: float = 1e-3
    # BatchNormalization during fine-tuning: the whole base unfrozen, its BN layers trainable
    # (`base.trainable = True`, as Chollet's book and older guides do) vs frozen (unfreeze_top(base, 0))
    bn_seeds: tuple[int, ...] = (42, 43)  # one paired comparison per seed; () skips it
    bn_epochs: int = 2
    bn_run_eagerly: bool = True  # tracing (or XLA-compiling) the whole base's gradient costs more than 8 steps
    # Fine-tuning on cached views: the frozen blocks below `finetune_from` run once per view, not once per epoch
    cached_epochs: int = 10  # both arms: end to end with augmentation vs upper block on cached augmented views
    cached_views: int = 2  # augmented views of each image through the frozen blocks, each used 5 times (as full mode)
    cached_lr: float = 1e-4  # at finetune_lr (1e-5) 6 epochs left both arms at their start: nothing to compare
    precision: str | None = None  # dtype policy of every arm; None: helpers.models.choose_precision(), as notebooks


def check_claims(result: dict) -> list[str]:
    """The claims this study must support; returns the violated ones (empty: all hold).

    >>> check_claims({"transfer_acc": 0.86, "finetune_acc": 0.88, "scratch_acc": 0.48,
    ...               "wrong_preprocessing_acc": 0.59})
    []
    >>> len(check_claims({"transfer_acc": 0.5, "finetune_acc": 0.2, "scratch_acc": 0.5,
    ...                   "wrong_preprocessing_acc": 0.5}))
    4

    When the BatchNormalization arms ran (``bn_seeds``), frozen BN must not lose to trainable BN on
    any seed, and must win in total:

    >>> check_claims({"transfer_acc": 0.86, "finetune_acc": 0.88, "scratch_acc": 0.48,
    ...               "wrong_preprocessing_acc": 0.59, "bn_seeds": [42, 43],
    ...               "bn_trainable_acc": [0.87, 0.87], "bn_frozen_acc": [0.90, 0.86]})[0][:8]
    'seed 43:'
    """
    t, f = result["transfer_acc"], result["finetune_acc"]
    s, w = result["scratch_acc"], result["wrong_preprocessing_acc"]
    problems = []
    if not t >= MIN_TRANSFER_ACC - _EPS:
        problems.append(
            f"transfer_acc {t:.3f} < {MIN_TRANSFER_ACC}: frozen ImageNet features should classify these photos well"
        )
    if not t - s >= MIN_GAIN_OVER_SCRATCH - _EPS:
        problems.append(
            f"transfer_acc - scratch_acc = {t - s:.3f} < {MIN_GAIN_OVER_SCRATCH}: "
            "transfer should clearly beat a small CNN trained from scratch"
        )
    if not f >= t - MAX_FINETUNE_DROP - _EPS:
        problems.append(
            f"finetune_acc {f:.3f} < transfer_acc - {MAX_FINETUNE_DROP} = "
            f"{t - MAX_FINETUNE_DROP:.3f}: fine-tuning at a low learning rate "
            "should not wreck the pretrained features"
        )
    if not t - w >= MIN_WRONG_PREPROCESSING_DROP - _EPS:
        problems.append(
            f"transfer_acc - wrong_preprocessing_acc = {t - w:.3f} < "
            f"{MIN_WRONG_PREPROCESSING_DROP}: the backbone's own preprocessing "
            "should matter"
        )
    if "finetune_cached_acc" in result:
        cached, e2e = result["finetune_cached_acc"], result["finetune_augmented_acc"]
        if not cached >= e2e - MAX_CACHED_DROP - _EPS:
            problems.append(
                f"finetune_cached_acc {cached:.3f} < finetune_augmented_acc {e2e:.3f} - {MAX_CACHED_DROP}: "
                "fine-tuning the top block on cached views of the frozen blocks should keep the accuracy of "
                "fine-tuning end to end"
            )
    seeds = result.get("bn_seeds") or []
    pairs = list(zip(seeds, result.get("bn_trainable_acc", []), result.get("bn_frozen_acc", [])))
    for seed, trainable, frozen in pairs:
        if frozen < trainable - _EPS:
            problems.append(
                f"seed {seed}: bn_frozen_acc {frozen:.3f} < bn_trainable_acc "
                f"{trainable:.3f}: fine-tuning the whole base with its BatchNormalization "
                "layers frozen should not lose to letting fit re-estimate their statistics"
            )
    if pairs and not sum(f - t for _, t, f in pairs) > _EPS:
        problems.append(
            f"seeds {seeds}: BatchNormalization frozen never beat trainable (frozen {[f for *_, f in pairs]}, "
            f"trainable {[t for _, t, _ in pairs]}): freezing BN should be better in total"
        )
    return problems


def _log(msg: str) -> None:
    print(msg, flush=True)


def _load_split(folder: Path, size: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    import keras

    ds = keras.utils.image_dataset_from_directory(
        folder, image_size=(size, size), batch_size=None, shuffle=False, label_mode="int", verbose=False
    )
    x, y = zip(*((np.asarray(img), int(label)) for img, label in ds))
    return np.stack(x).astype("float32"), np.asarray(y), list(ds.class_names)


def _accuracy(model, x: np.ndarray, y: np.ndarray, batch_size: int) -> tuple[float, np.ndarray]:
    probs = model.predict(x, batch_size=batch_size, verbose=0)
    return float(np.mean(probs.argmax(-1) == y)), probs


def run_study(config: Config | None = None, *, verbose: int = 2) -> dict:
    """Run the four arms of the study and return the result (see the module docstring)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    cfg = config or Config()
    if cfg.precision is None:  # the policy the notebooks choose on this machine
        cfg = replace(cfg, precision=models.choose_precision().policy)
    import keras

    tf_logger = tf.get_logger()
    level, policy = tf_logger.level, keras.mixed_precision.global_policy().name
    tf_logger.setLevel("ERROR")  # predict() on several small models warns about retracing
    try:
        return _study(cfg, verbose)
    finally:
        tf_logger.setLevel(level)
        keras.mixed_precision.set_global_policy(policy)  # the caller's policy, not the study's


def fresh_session(policy: str) -> None:
    """``keras.backend.clear_session()``, then the dtype policy again: clearing the session resets it to float32.

    >>> import keras
    >>> fresh_session("mixed_bfloat16"); keras.mixed_precision.global_policy().name
    'mixed_bfloat16'
    >>> fresh_session("float32")
    """
    import keras

    keras.backend.clear_session()
    keras.mixed_precision.set_global_policy(policy)


def _study(cfg: Config, verbose: int) -> dict:
    import keras
    import tensorflow as tf

    fresh_session(cfg.precision)

    from .. import imagenet_weights

    started = time.perf_counter()
    shape = (cfg.image_size, cfg.image_size, 3)
    result: dict = {"backbone": cfg.backbone, "wrong_preprocessing_backbone": cfg.wrong_backbone}
    result["precision"] = keras.mixed_precision.global_policy().name  # what the arms really ran under

    # ---- data: real photo cut-outs, stratified seeded split
    _log(f"[1/5] data: photo cut-outs {sorted(cfg.categories)}")
    root = data.cutout_dataset(
        cfg.categories,
        seed=cfg.seed,
        name="verify_cutouts",
        fractions={"train": cfg.train_fraction, "test": 1 - cfg.train_fraction},
    )
    x_train, y_train, classes = _load_split(root / "train", cfg.image_size)
    x_test, y_test, test_classes = _load_split(root / "test", cfg.image_size)
    assert classes == test_classes, (classes, test_classes)
    n = len(classes)
    result.update(
        classes=classes,
        n_train=len(y_train),
        n_test=len(y_test),
        train_per_class=np.bincount(y_train, minlength=n).tolist(),
        test_per_class=np.bincount(y_test, minlength=n).tolist(),
        majority_baseline=float(np.bincount(y_test).max() / len(y_test)),
    )
    _log(f"      {n} classes, {len(y_train)} train / {len(y_test)} test images at {cfg.image_size}px, split in {root}")

    # ---- transfer: frozen ImageNet base + new head (helpers.models.transfer_model)
    weights = imagenet_weights(cfg.backbone)
    _log(f"[2/5] transfer: {weights}")
    if weights.source == "missing":
        raise RuntimeError(f"no ImageNet weights for {cfg.backbone}: {weights.note}")
    result["weights_source"] = "stand-in" if weights.is_standin else "real"
    result["weights_note"] = weights.note
    keras.utils.set_random_seed(cfg.seed)
    t0 = time.perf_counter()
    base = models.BACKBONES[cfg.backbone].build(weights=weights.value, include_top=False, input_shape=shape)
    model = models.transfer_model(
        base, n, preprocess=models.preprocess_for(cfg.backbone), input_shape=shape, augment=False, seed=cfg.seed
    )
    trainable, frozen = models.count_params(model)
    result.update(transfer_trainable_params=trainable, transfer_frozen_params=frozen)
    # image -> preprocess -> frozen base -> pool, of this very model, once; then its own head
    features = keras.Model(model.inputs, model.get_layer("pool").output)
    f_train = features.predict(x_train, batch_size=cfg.batch_size, verbose=0)
    f_in = keras.Input(f_train.shape[1:])
    head = keras.Model(f_in, model.get_layer("classifier")(model.get_layer("dropout")(f_in)))
    head.compile(
        optimizer=keras.optimizers.Adam(cfg.head_lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    hist = head.fit(f_train, y_train, epochs=cfg.head_epochs, batch_size=cfg.batch_size, verbose=0)
    _log(
        f"      head: {cfg.head_epochs} epochs on cached features, last train accuracy "
        f"{hist.history['accuracy'][-1]:.3f}"
    )
    result["transfer_acc"], _ = _accuracy(model, x_test, y_test, cfg.batch_size)  # end to end
    result["transfer_s"] = round(time.perf_counter() - t0, 1)
    # the cached-feature path and the end-to-end model must be the same function
    _, p_model = _accuracy(model, x_train[: cfg.batch_size], y_train[: cfg.batch_size], cfg.batch_size)
    p_head = head.predict(f_train[: cfg.batch_size], verbose=0)
    result["cached_features_match"] = bool(np.allclose(p_model, p_head, atol=1e-4))
    _log(
        f"      transfer_acc {result['transfer_acc']:.3f} in {result['transfer_s']} s "
        f"(cached features match end to end: {result['cached_features_match']})"
    )

    # ---- wrong preprocessing: the same trained base and head, another backbone's preprocess_input
    _log(f"[3/5] wrong preprocessing: the trained model fed {cfg.wrong_backbone}'s preprocess_input")
    t0 = time.perf_counter()
    wrong = models.transfer_model(
        base, n, preprocess=models.preprocess_for(cfg.wrong_backbone), input_shape=shape, augment=False, seed=cfg.seed
    )
    wrong.get_layer("classifier").set_weights(model.get_layer("classifier").get_weights())
    result["wrong_preprocessing_acc"], _ = _accuracy(wrong, x_test, y_test, cfg.batch_size)
    result["wrong_preprocessing_s"] = round(time.perf_counter() - t0, 1)
    _log(
        f"      wrong_preprocessing_acc {result['wrong_preprocessing_acc']:.3f} in {result['wrong_preprocessing_s']} s"
    )
    del wrong

    # ---- fine-tuning: unfreeze the top of the base, low learning rate, end to end
    _log(f"[4/5] fine-tuning: unfreeze_top(base, {cfg.finetune_from!r}), Adam {cfg.finetune_lr}")
    keras.utils.set_random_seed(cfg.seed)
    t0 = time.perf_counter()
    unfrozen = models.unfreeze_top(base, cfg.finetune_from)
    model.compile(
        optimizer=keras.optimizers.Adam(cfg.finetune_lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    result["finetune_layers"] = len(unfrozen)
    result["finetune_trainable_params"] = models.count_params(model)[0]
    model.fit(x_train, y_train, epochs=cfg.finetune_epochs, batch_size=cfg.batch_size, verbose=verbose)
    result["finetune_acc"], _ = _accuracy(model, x_test, y_test, cfg.batch_size)
    result["finetune_s"] = round(time.perf_counter() - t0, 1)
    _log(
        f"      finetune_acc {result['finetune_acc']:.3f} in {result['finetune_s']} s ({len(unfrozen)} layers unfrozen)"
    )
    del model, base, head, features
    fresh_session(cfg.precision)

    # ---- fine-tuning on cached views of the frozen blocks vs end to end, both with augmentation
    if cfg.cached_views:
        _log(
            f"[4a/5] fine-tuning from {cfg.finetune_from!r} with augmentation, {cfg.cached_epochs} epochs: end to end "
            f"vs on {cfg.cached_views} cached views of the frozen blocks"
        )
        result.update(_cached_arms(cfg, weights.value, f_train, x_train, y_train, x_test, y_test, n))
        _log(
            f"      end to end {result['finetune_augmented_acc']:.3f} in {result['finetune_augmented_s']} s; "
            f"cached views {result['finetune_cached_acc']:.3f} in {result['finetune_cached_s']} s"
        )
        fresh_session(cfg.precision)

    # ---- BatchNormalization: the whole base fine-tuned, BN layers trainable vs frozen, per seed
    if cfg.bn_seeds:
        _log(
            f"[4b/5] BatchNormalization: whole base unfrozen, BN trainable vs frozen, "
            f"seeds {list(cfg.bn_seeds)}, {cfg.bn_epochs} epochs each"
        )
        t0 = time.perf_counter()
        result.update(_batchnorm_arms(cfg, weights.value, f_train, x_train, y_train, x_test, y_test, n, verbose))
        result["bn_s"] = round(time.perf_counter() - t0, 1)
        _log(f"      {bn_sentence(result)} ({result['bn_s']} s)")

    # ---- scratch: a small CNN with augmentation, same images
    _log(f"[5/5] scratch: small_cnn with augmentation, {cfg.scratch_epochs} epochs")
    keras.utils.set_random_seed(cfg.seed)
    t0 = time.perf_counter()
    cnn = models.small_cnn(shape, n, augment=True, seed=cfg.seed)
    cnn.compile(
        optimizer=keras.optimizers.Adam(cfg.scratch_lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    cnn.fit(x_train, y_train, epochs=cfg.scratch_epochs, batch_size=cfg.batch_size, verbose=verbose)
    result["scratch_acc"], _ = _accuracy(cnn, x_test, y_test, cfg.batch_size)
    result["scratch_s"] = round(time.perf_counter() - t0, 1)
    result["scratch_params"] = models.count_params(cnn)[0]
    _log(f"      scratch_acc {result['scratch_acc']:.3f} in {result['scratch_s']} s")
    fresh_session(cfg.precision)

    result["total_s"] = round(time.perf_counter() - started, 1)
    result["config"] = asdict(cfg)
    result["versions"] = {"tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()}
    result["cpus"] = os.cpu_count()
    result["problems"] = check_claims(result)
    return result


def _trained_head(cfg: Config, weights, f_train, y_train, n: int, *, seed: int, augment: bool) -> tuple:
    """A fresh base in a transfer model whose head is trained on ``f_train``, the frozen base's cached
    features (they depend neither on the seed nor on augmentation, which is off at inference)."""
    import keras

    shape = (cfg.image_size, cfg.image_size, 3)
    keras.utils.set_random_seed(seed)
    base = models.BACKBONES[cfg.backbone].build(weights=weights, include_top=False, input_shape=shape)
    model = models.transfer_model(
        base, n, preprocess=models.preprocess_for(cfg.backbone), input_shape=shape, augment=augment, seed=seed
    )
    f_in = keras.Input(f_train.shape[1:])
    head = keras.Model(f_in, model.get_layer("classifier")(model.get_layer("dropout")(f_in)))
    head.compile(optimizer=keras.optimizers.Adam(cfg.head_lr), loss="sparse_categorical_crossentropy")
    head.fit(f_train, y_train, epochs=cfg.head_epochs, batch_size=cfg.batch_size, verbose=0)
    return base, model


def _cached_arms(cfg: Config, weights, f_train, x_train, y_train, x_test, y_test, n: int) -> dict:
    """Fine-tune the top of the base, with augmentation, from the same trained head, two ways:
    end to end (every epoch runs every block on a new random view), and on ``cached_views`` views
    computed once by the frozen blocks (:func:`helpers.models.split_at`), the same number of steps."""
    import keras

    spec = models.BACKBONES[cfg.backbone]
    base, model = _trained_head(cfg, weights, f_train, y_train, n, seed=cfg.seed, augment=True)
    start = model.get_weights()
    models.unfreeze_top(base, cfg.finetune_from)
    out: dict = {"cached_views": cfg.cached_views, "cached_epochs": cfg.cached_epochs}
    out["finetune_start_acc"], _ = _accuracy(model, x_test, y_test, cfg.batch_size)  # where both arms begin

    keras.utils.set_random_seed(cfg.seed)
    t0 = time.perf_counter()
    model.compile(optimizer=keras.optimizers.Adam(cfg.cached_lr), loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, epochs=cfg.cached_epochs, batch_size=cfg.batch_size, verbose=0)
    out["finetune_augmented_acc"], _ = _accuracy(model, x_test, y_test, cfg.batch_size)
    out["finetune_augmented_s"] = round(time.perf_counter() - t0, 1)

    model.set_weights(start)
    keras.utils.set_random_seed(cfg.seed)
    t0 = time.perf_counter()
    lower, upper = models.split_at(base, cfg.finetune_from)
    augment = model.get_layer("augmentation")
    views = np.concatenate(
        [
            lower.predict(spec.preprocess(augment(x_train, training=True)), batch_size=cfg.batch_size, verbose=0)
            for _ in range(cfg.cached_views)
        ]
    )
    top = keras.Sequential(
        [keras.Input(views.shape[1:]), upper, *(model.get_layer(k) for k in ("pool", "dropout", "classifier"))]
    )
    top.compile(optimizer=keras.optimizers.Adam(cfg.cached_lr), loss="sparse_categorical_crossentropy")
    labels = np.tile(y_train, cfg.cached_views)
    top.fit(views, labels, epochs=max(1, cfg.cached_epochs // cfg.cached_views), batch_size=cfg.batch_size, verbose=0)
    out["finetune_cached_acc"], _ = _accuracy(model, x_test, y_test, cfg.batch_size)  # the whole model, end to end
    out["finetune_cached_s"] = round(time.perf_counter() - t0, 1)
    return out


def _batchnorm_arms(
    cfg: Config,
    weights,
    f_train: np.ndarray,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    n: int,
    verbose: int,
) -> dict:
    """Per seed: a transfer model, its head trained on the cached features, then two fine-tuning
    runs from the same weights, the whole base unfrozen: BN layers trainable, and BN layers frozen."""
    import keras

    out: dict = {
        "bn_seeds": list(cfg.bn_seeds),
        "bn_epochs": cfg.bn_epochs,
        "bn_trainable_acc": [],
        "bn_frozen_acc": [],
        "bn_trainable_moving_mean_drift": [],
        "bn_frozen_moving_mean_drift": [],
    }
    for seed in cfg.bn_seeds:
        base, model = _trained_head(cfg, weights, f_train, y_train, n, seed=seed, augment=False)
        start = model.get_weights()  # moving statistics included
        bns = [layer for layer in base.layers if isinstance(layer, keras.layers.BatchNormalization)]
        means = [np.array(layer.moving_mean.numpy()) for layer in bns]
        for arm in ("trainable", "frozen"):
            model.set_weights(start)
            keras.utils.set_random_seed(seed)
            if arm == "trainable":
                base.trainable = True  # every layer, BN included
            else:
                models.unfreeze_top(base, 0)  # every layer but BN
            model.compile(
                optimizer=keras.optimizers.Adam(cfg.finetune_lr),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
                run_eagerly=cfg.bn_run_eagerly,
            )
            model.fit(x_train, y_train, epochs=cfg.bn_epochs, batch_size=cfg.batch_size, verbose=verbose)
            out[f"bn_{arm}_acc"].append(_accuracy(model, x_test, y_test, cfg.batch_size)[0])
            drift = [
                np.linalg.norm(layer.moving_mean.numpy() - m) / (np.linalg.norm(m) + 1e-12)
                for layer, m in zip(bns, means)
            ]
            out[f"bn_{arm}_moving_mean_drift"].append(round(float(np.mean(drift)), 6))
        del model, base
        fresh_session(cfg.precision)
    return out


def bn_sentence(result: dict) -> str:
    """What the BatchNormalization arms measured, in words (the notebook prints it).

    >>> print(bn_sentence({"bn_seeds": [1], "bn_trainable_acc": [0.5], "bn_frozen_acc": [0.75],
    ...                    "bn_epochs": 2, "backbone": "xception", "n_test": 8}))  # doctest: +NORMALIZE_WHITESPACE
    xception, whole base fine-tuned for 2 epochs, test accuracy on 8 images with BN layers
    trainable vs frozen: seed 1: 0.500 vs 0.750
    """
    if not result.get("bn_seeds"):
        return "the BatchNormalization arms did not run"
    pairs = "; ".join(
        f"seed {s}: {t:.3f} vs {f:.3f}"
        for s, t, f in zip(result["bn_seeds"], result["bn_trainable_acc"], result["bn_frozen_acc"])
    )
    return (
        f"{result['backbone']}, whole base fine-tuned for {result['bn_epochs']} epochs, test "
        f"accuracy on {result['n_test']} images with BN layers trainable vs frozen: {pairs}"
    )


def write(result: dict) -> Path:
    """Replace ``build/metrics/offline_transfer.json`` with ``result``; returns its path."""
    metrics.reset(RECORD)
    metrics.record(RECORD, **result)
    return metrics.metrics_dir() / f"{RECORD}.json"


def print_table(result: dict) -> None:
    """The four arms side by side, with the claims that hold or fail."""
    rows = [
        ("transfer (frozen ImageNet base + head)", "transfer"),
        ("fine-tuning (top of base unfrozen)", "finetune"),
        ("small CNN from scratch (augmented)", "scratch"),
        (f"transfer, {result['wrong_preprocessing_backbone']} preprocessing", "wrong_preprocessing"),
    ]
    print(
        f"\n{result['backbone']} ({result['weights_source']} weights), classes {result['classes']}, "
        f"{result['n_train']} train / {result['n_test']} test; majority class "
        f"{result['majority_baseline']:.2f}"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'arm'.ljust(width)}  accuracy  seconds")
    for label, key in rows:
        print(f"{label.ljust(width)}  {result[key + '_acc']:8.3f}  {result[key + '_s']:7.1f}")
    if "finetune_cached_acc" in result:
        print(
            f"fine-tuning with augmentation, {result['cached_epochs']} epochs from "
            f"{result['finetune_start_acc']:.3f}: end to end "
            f"{result['finetune_augmented_acc']:.3f} ({result['finetune_augmented_s']} s) vs on "
            f"{result['cached_views']} cached views {result['finetune_cached_acc']:.3f} "
            f"({result['finetune_cached_s']} s)"
        )
    if result.get("bn_seeds"):
        print(f"BatchNormalization ({result['bn_s']} s): {bn_sentence(result)}")
    print(f"total {result['total_s']} s")
    problems = result.get("problems", check_claims(result))
    print("claims: all hold" if not problems else "CLAIMS VIOLATED:\n  " + "\n  ".join(problems))


def main(seed: int = Config.seed, image_size: int = Config.image_size) -> int:
    """``python -m helpers verify``: run the study, write its JSON, print the table; 1 when a claim fails."""
    from . import offline

    missing = offline.missing_fixtures()
    if missing:
        print(f"offline fixtures missing ({', '.join(missing)}): {offline.FIXTURES_HINT}", file=sys.stderr)
        return 2
    result = run_study(Config(seed=seed, image_size=image_size))
    path = write(result)
    print_table(result)
    print(f"written to {path}")
    return 1 if result["problems"] else 0
