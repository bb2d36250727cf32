"""TF-Hub models with Keras 3 installed: ``hub.KerasLayer`` inside a ``tf_keras`` (Keras 2) model.

``tensorflow_hub`` 0.16 builds ``KerasLayer`` on ``tf_keras``; a Keras 3 ``Sequential``
refuses it ("Only instances of keras.Layer can be added to a Sequential model"). The
maintainers' fix (TensorFlow docs): install ``tf-keras`` and build the model with
``import tf_keras`` (or set ``TF_USE_LEGACY_KERAS=1`` before TensorFlow is imported).

tfhub.dev handles resolve to Kaggle Models since November 2023; the course fetches the
MobileNetV2 feature vector once into the Keras cache (asset ``mobilenet_v2_feature_vector``).
Offline it builds a labelled stand-in in the same format (a reusable SavedModel) from
``keras.applications.MobileNetV2(weights=None)``: RANDOM weights.

>>> FEATURE_DIM
1280
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from .course import assets, offline
from .course.offline import Choice

ASSET = "mobilenet_v2_feature_vector"
HANDLE = "https://tfhub.dev/google/tf2-preview/mobilenet_v2/feature_vector/4"
KAGGLE_PAGE = "https://www.kaggle.com/models/google/mobilenet-v2/tensorFlow2/tf2-preview-feature-vector/4"
FEATURE_DIM = 1280  # length of the feature vector MobileNetV2 returns
EXPECTED_SIZE = 224  # the module's fixed input size (tensorflow/hub#566): resize to it; floats in [0, 1]


def standin_dir() -> Path:
    """Where the offline stand-in SavedModel lives: ``<keras cache>/standins/...``."""
    return offline.fixtures_dir() / "mobilenet_v2_feature_vector_standin"


def build_standin(path: str | os.PathLike | None = None, *, overwrite: bool = False) -> Path:
    """Save ``MobileNetV2(weights=None, include_top=False, pooling="avg")`` as a TF-Hub SavedModel.

    The format is TF-Hub's "reusable SavedModel": ``__call__(images, training)`` traced
    for both values of ``training``, plus ``variables``, ``trainable_variables`` and
    ``regularization_losses``, so ``hub.KerasLayer(path, trainable=True)`` can fine-tune
    it. Like the real module it takes only ``EXPECTED_SIZE`` x ``EXPECTED_SIZE`` images
    (MobileNet modules exported from TF-Slim have a fixed input signature, tensorflow/hub#566;
    any other size fails, so a model must resize first), as floats in [0, 1]. Its weights
    are RANDOM: no MobileNetV2 ImageNet weights are available offline.
    Built once (a few seconds) and reused; written to a temporary folder first. A
    read-only cache or a full disk raises :class:`helpers.course.assets.NotWritable`.

    Example: ``path = build_standin()``
    """
    import keras
    import tensorflow as tf

    path = Path(path) if path is not None else standin_dir()
    if (path / "saved_model.pb").is_file() and not overwrite:
        return path
    part = path.with_name(f"{path.name}.part{os.getpid()}")
    with assets.writing(path.parent):  # a read-only cache fails here, before TensorFlow writes
        shutil.rmtree(part, ignore_errors=True)
        part.mkdir(parents=True)
    net = keras.applications.MobileNetV2(
        weights=None, include_top=False, pooling="avg", input_shape=(EXPECTED_SIZE, EXPECTED_SIZE, 3)
    )

    @tf.function
    def call(images, training=False):
        return net(images * 2.0 - 1.0, training=training)  # [0, 1] -> MobileNetV2's [-1, 1]

    spec = tf.TensorSpec([None, EXPECTED_SIZE, EXPECTED_SIZE, 3], tf.float32)
    module = tf.train.Checkpoint()
    module.net = net
    module.__call__ = call
    module.variables = list(net.variables)
    module.trainable_variables = list(net.trainable_variables)
    module.regularization_losses = []
    for training in (False, True):
        call.get_concrete_function(spec, training=training)
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("WARNING")  # not "INFO:tensorflow:Assets written to ..." in the notebook's output
    try:
        tf.saved_model.save(
            module, str(part), signatures={"serving_default": call.get_concrete_function(spec, training=False)}
        )
    except (tf.errors.PermissionDeniedError, tf.errors.ResourceExhaustedError) as e:
        shutil.rmtree(part, ignore_errors=True)  # TensorFlow's errors are no OSError: name the cause
        code = errno.EACCES if isinstance(e, tf.errors.PermissionDeniedError) else errno.ENOSPC
        raise assets.not_writable(OSError(code, e.message), path.parent) from e
    finally:
        logger.setLevel(level)
    if overwrite:
        shutil.rmtree(path, ignore_errors=True)
    try:
        part.rename(path)
    except OSError:  # another process finished first: keep theirs
        shutil.rmtree(part, ignore_errors=True)
    return path


def mobilenet_v2_feature_vector() -> Choice:
    """The MobileNetV2 feature-vector SavedModel to give ``hub.KerasLayer``, and where it came from.

    ``value`` is a local folder: the real module from the Keras cache (fetched once from
    Kaggle Models, where tfhub.dev now points), or offline the labelled random-weight
    stand-in from :func:`build_standin`.

    Example: ``print(mobilenet_v2_feature_vector())``
    """
    what = "TF-Hub MobileNetV2 feature vector"
    try:
        path = assets.fetch(ASSET)
        return Choice(
            what, str(path), "cache", f"{path} (tfhub.dev handle {HANDLE}, served by Kaggle Models: {KAGGLE_PAGE})"
        )
    except assets.AssetError as err:
        offline.refuse_standin(err)
        reason, why = str(err), offline.unavailable(err)
    path = build_standin()
    return Choice(
        what,
        str(path),
        "stand-in",
        f"{why}, so a SavedModel in the same TF-Hub format was built "
        f"locally from keras.applications.MobileNetV2 with RANDOM weights ({path}): "
        "the code is the real recipe, the accuracies are NOT representative. Run "
        f"`python -m helpers fetch {ASSET}` with internet for the real module.",
        extra={"reason": reason},
    )


def keras_layer(handle: str | os.PathLike, *, trainable: bool = False, name: str = "mobilenet_v2", **kwargs):
    """``hub.KerasLayer(handle, trainable=...)``: a ``tf_keras`` layer, for ``tf_keras`` models only.

    Example: ``import tf_keras``
    Example: ``tf_keras.Sequential([tf_keras.Input((160, 160, 3)), keras_layer(path)])``
    """
    import tensorflow_hub as hub

    return hub.KerasLayer(str(handle), trainable=trainable, name=name, **kwargs)
