"""Pretrained backbones, heads, freezing and feature extraction: one small helper each.

>>> from helpers import models
>>> sorted(models.BACKBONES)[:3]
['inception_v3', 'mobilenet_v2', 'resnet50']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from .course import assets, offline
from .course.offline import Choice


@dataclass(frozen=True)
class Backbone:
    """A keras.applications architecture: constructor, preprocessing, default input size."""

    name: str
    module: str  # keras.applications.<module>
    constructor: str  # keras.applications.<constructor>
    default_size: int

    def build(self, **kwargs):
        """``keras.applications.<constructor>(**kwargs)``."""
        import keras

        return getattr(keras.applications, self.constructor)(**kwargs)

    @property
    def preprocess(self) -> Callable:
        """``keras.applications.<module>.preprocess_input``."""
        import keras

        return getattr(keras.applications, self.module).preprocess_input


BACKBONES: dict[str, Backbone] = {
    b.name: b
    for b in [
        Backbone("vgg16", "vgg16", "VGG16", 224),
        Backbone("vgg19", "vgg19", "VGG19", 224),
        Backbone("resnet50", "resnet", "ResNet50", 224),
        Backbone("inception_v3", "inception_v3", "InceptionV3", 299),
        Backbone("xception", "xception", "Xception", 299),
        Backbone("mobilenet_v2", "mobilenet_v2", "MobileNetV2", 224),
    ]
}

_WEIGHT_ASSETS = {
    ("xception", True): "xception_top",
    ("xception", False): "xception_notop",
    ("vgg16", False): "vgg16_notop",
}


@dataclass(frozen=True)
class Precision:
    """A mixed-precision policy for ``keras.mixed_precision.set_global_policy`` and why it was chosen."""

    policy: str  # "mixed_bfloat16", "mixed_float16" or "float32"
    reason: str


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> set[str]:
    """The CPU's feature flags (``avx512_bf16``, ``amx_bf16``, ...); empty where ``cpuinfo`` is unreadable."""
    try:
        text = open(cpuinfo, encoding="utf-8").read()
    except OSError:
        return set()
    return {flag for line in text.splitlines() if line.startswith("flags") for flag in line.split(":", 1)[1].split()}


POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")


def choose_precision(
    requested: str | None = None, *, flags: set[str] | None = None, gpus: list[tuple[int, int]] | None = None
) -> Precision:
    """The fastest policy that keeps results: bfloat16 only where the CPU computes it natively.

    ``requested``: a policy named in the notebook's parameters cell (``PRECISION``), used as given;
    None chooses. ``flags``: CPU feature flags (default: :func:`cpu_flags`); ``gpus``: each GPU's compute capability
    (default: what TensorFlow sees). Tensor cores (capability 7.0 or more) -> ``mixed_float16``; a CPU with
    AVX512_BF16 or AMX -> ``mixed_bfloat16`` (about 1.9x faster for VGG16 here); elsewhere bfloat16 is
    emulated and slower -> ``float32``. Keep the output layer float32 (``dtype="float32"``).

    >>> choose_precision(flags={"avx2", "avx512_bf16"}, gpus=[]).policy
    'mixed_bfloat16'
    >>> choose_precision(flags={"avx2"}, gpus=[(8, 0)]).policy
    'mixed_float16'
    >>> choose_precision(flags={"avx2"}, gpus=[]).reason
    'no tensor-core GPU and no native bfloat16 on this CPU (AVX512_BF16 or AMX): bfloat16 would be emulated'
    >>> choose_precision("float32").reason
    'PRECISION = "float32" in the parameters cell'
    """
    if requested is not None:
        if requested not in POLICIES:
            raise ValueError(
                f"PRECISION = {requested!r} is not a Keras dtype policy the course uses: choose one of "
                f"{', '.join(map(repr, POLICIES))}, or None for the fastest this machine computes natively "
                "(set it in the parameters cell)"
            )
        return Precision(requested, f'PRECISION = "{requested}" in the parameters cell')
    if gpus is None:
        gpus = _gpu_capabilities()
    if any(major >= 7 for major, _ in gpus):
        return Precision("mixed_float16", "a GPU with tensor cores (compute capability 7.0 or higher)")
    native = sorted({"avx512_bf16", "amx_bf16"} & (cpu_flags() if flags is None else flags))
    if native:
        return Precision("mixed_bfloat16", f"the CPU computes bfloat16 natively ({', '.join(native).upper()})")
    return Precision(
        "float32",
        "no tensor-core GPU and no native bfloat16 on this CPU (AVX512_BF16 or AMX): bfloat16 would be emulated",
    )


def _gpu_capabilities() -> list[tuple[int, int]]:
    import tensorflow as tf

    found = []
    for gpu in tf.config.list_physical_devices("GPU"):
        found.append(tuple(tf.config.experimental.get_device_details(gpu).get("compute_capability", (0, 0))))
    return found


def preprocess_for(arch: str) -> Callable:
    """The ``preprocess_input`` function a backbone expects (Xception: [-1, 1]; VGG16: BGR, mean-centred).

    >>> float(preprocess_for("xception")(np.full((1, 2, 2, 3), 255.0)).max())
    1.0
    """
    return BACKBONES[arch].preprocess


def imagenet_weights(arch: str, include_top: bool = False) -> Choice:
    """What to pass as ``weights=`` to ``keras.applications.<Arch>``, and where it came from.

    When Keras's own ImageNet file is cached (or could be downloaded), ``value`` is the
    path of that file: ``keras.applications`` load a weights file path exactly as they
    load ``"imagenet"``, without looking in (or downloading to) a cache folder, which
    Keras silently moves to ``/tmp/.keras`` when ``KERAS_HOME`` is not writable. The
    label still says these are the real ImageNet weights. Offline, a labelled stand-in:
    a path to real ImageNet Xception conv weights from a package, or ``None`` (random
    weights) for VGG16. Print the result: the notebook shows the label.

    Example: ``w = imagenet_weights("vgg16")``
    Example: ``keras.applications.VGG16(weights=w.value, include_top=False)``
    """
    what = f"{BACKBONES[arch].constructor} ImageNet weights ({'with' if include_top else 'no'} top)"
    name = _WEIGHT_ASSETS.get((arch, include_top))
    if name is None:
        return Choice(what, None, "missing", "the course registers no such asset; random weights")
    try:
        path = assets.fetch(name)
        return Choice(what, str(path), "cache", f"Keras's own ImageNet file {path}")
    except assets.AssetError as err:
        offline.refuse_standin(err)
        reason, why = str(err), offline.unavailable(err)
    asset = assets.get(name)
    if asset.standin_fixture == "":  # nothing to install: random weights, labelled as such
        return Choice(
            what,
            None,
            "stand-in",
            f"{why}, so the network uses {asset.standin}. Run "
            f"`python -m helpers fetch {name}` with internet for the real course.",
            extra={"reason": reason},
        )
    if asset.standin_fixture in offline.STANDIN_WEIGHTS:
        try:
            path = offline.STANDIN_WEIGHTS[asset.standin_fixture]()
            return Choice(
                what,
                str(path),
                "stand-in",
                f"Keras's file {why}; using {asset.standin} (not Keras's own file)",
                extra={"reason": reason},
            )
        except assets.AssetError as err2:
            reason += f"; stand-in unavailable: {err2}"
    return Choice(what, None, "missing", f"{why}: {reason}" if why.startswith("not") else why)


def imagenet_class_index() -> Choice:
    """The names of the 1000 ImageNet classes that ``decode_predictions`` reads, and their source.

    Fetched (and checked) into ``<keras cache>/models/imagenet_class_index.json``, then handed
    to Keras, which reads the class index once per process: ``decode_predictions`` then uses
    this verified file and never looks in (or downloads to) a cache folder of its own, which
    Keras moves to ``/tmp/.keras`` when the cache is read-only. Offline there is no stand-in:
    ``value`` is None and the label says so.

    Example: ``print(imagenet_class_index())`` prints where the names come from.
    """
    import json

    from keras.src.applications import imagenet_utils  # where Keras keeps the index it has read

    what = "ImageNet class index (names of the 1000 classes)"
    try:
        path = assets.fetch("imagenet_class_index")
    except assets.AssetError as err:
        offline.refuse_standin(err)
        return Choice(
            what, None, "missing", f"{offline.unavailable(err)}: {err} decode_predictions cannot name classes."
        )
    imagenet_utils.CLASS_INDEX = json.loads(path.read_text())
    return Choice(what, path, "cache", f"{path}, verified and handed to decode_predictions")


def count_params(model) -> tuple[int, int]:
    """(trainable, non-trainable) parameter counts of a Keras model.

    >>> import keras; count_params(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))
    (8, 0)
    """
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    frozen = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    return trainable, frozen


def multiply_adds(model) -> int:
    """Multiply-adds for one image through every convolution of ``model`` (public layer attributes only).

    A convolution does one multiply-add per weight at every output position; a depthwise
    convolution filters each channel on its own; a separable one then mixes channels with a 1x1.

    >>> import keras
    >>> x = keras.Input((5, 5, 2))
    >>> multiply_adds(keras.Model(x, keras.layers.Conv2D(4, 3)(x)))  # 3x3 positions x 3x3x2 x 4
    648
    """
    import keras

    conv, separable, depthwise = (keras.layers.Conv2D, keras.layers.SeparableConv2D, keras.layers.DepthwiseConv2D)
    total = 0
    for layer in model.layers:
        if not isinstance(layer, (conv, separable, depthwise)):
            continue
        positions = layer.output.shape[1] * layer.output.shape[2]
        kernel, c_in = int(np.prod(layer.kernel_size)), layer.input.shape[-1]
        if isinstance(layer, conv):
            per_position = kernel * c_in * layer.filters // layer.groups
        else:  # depthwise: one kernel per channel; separable then mixes channels with a 1x1
            per_position = kernel * c_in * layer.depth_multiplier
            if isinstance(layer, separable):
                per_position += c_in * layer.depth_multiplier * layer.filters
        total += positions * per_position
    return int(total)


def backbone_table(names: Iterable[str] | None = None, *, time_batch: int = 0) -> list[dict]:
    """Build each backbone with ``weights=None`` and measure it: layers, parameters, work, sizes.

    ``weight_layers`` counts layers with weights other than BatchNormalization (with no top:
    the convolutions); ``GMACs`` is :func:`multiply_adds` per image at the default input size.

    With ``time_batch > 0``, also times one forward pass of a batch of that many images
    (images per second on this machine).

    Example: ``rows = backbone_table(["mobilenet_v2"])``
    """
    import keras

    rows = []
    for name in tqdm(list(names or BACKBONES), desc="building backbones"):
        spec = BACKBONES[name]
        size = spec.default_size
        model = spec.build(weights=None, include_top=False, input_shape=(size, size, 3))
        trainable, frozen = count_params(model)
        row = {
            "name": spec.constructor,
            "layers": len(model.layers),
            "weight_layers": sum(
                1 for layer in model.layers if layer.weights and not isinstance(layer, keras.layers.BatchNormalization)
            ),
            "params_M": round((trainable + frozen) / 1e6, 2),
            "GMACs": round(multiply_adds(model) / 1e9, 2),
            "input": f"{size}x{size}x3",
            "output": "x".join(str(d) for d in model.output.shape[1:]),
        }
        if time_batch:
            x = np.random.default_rng(0).uniform(0, 255, (time_batch, size, size, 3)).astype("float32")
            model(x, training=False)  # warm up (first call allocates)
            start = time.perf_counter()
            model(x, training=False)
            row["img_per_s"] = round(time_batch / (time.perf_counter() - start), 1)
        rows.append(row)
        keras.backend.clear_session()
    return rows


def augmentation(seed: int | None = None):
    """Random flips, rotations and zooms as Keras preprocessing layers (active only in training).

    >>> augmentation(seed=0).name
    'augmentation'
    """
    from keras import Sequential, layers

    return Sequential(
        [
            layers.RandomFlip("horizontal", seed=seed),
            layers.RandomRotation(0.1, seed=seed),
            layers.RandomZoom(0.2, seed=seed),
        ],
        name="augmentation",
    )


def transfer_model(
    base,
    num_classes: int,
    *,
    preprocess: Callable,
    input_shape: tuple,
    augment: bool = True,
    dropout: float = 0.5,
    seed: int | None = None,
):
    """A frozen pretrained ``base`` with a new classifier head, end to end.

    inputs -> [augmentation] -> preprocess_input -> base(training=False) -> global
    average pooling -> dropout -> Dense(num_classes, softmax). ``base.trainable = False``
    (set here) is what freezes the base, and it keeps its BatchNormalization layers in
    inference mode. ``training=False`` is the Keras guides' idiom, honoured by Keras 2;
    Keras 3's ``fit`` overrides it, so once you unfreeze the base a BatchNormalization layer
    keeps its ImageNet statistics only if it stays frozen: :func:`unfreeze_top` sees to that,
    ``base.trainable = True`` does not (see :func:`bn_moving_mean_shift`).

    Example: ``model = transfer_model(base, 2, preprocess=preprocess_for("vgg16"), input_shape=(150, 150, 3))``
    """
    import keras
    from keras import layers

    base.trainable = False
    inputs = keras.Input(shape=input_shape, name="image")
    x = augmentation(seed)(inputs) if augment else inputs
    x = preprocess(x)
    x = base(x, training=False)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dropout(dropout, seed=seed, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="classifier")(x)
    return keras.Model(inputs, outputs, name=f"{base.name}_transfer")


def dense_head(feature_shape: tuple, num_classes: int, *, dropout: float = 0.5, units: int = 256):
    """A small classifier for features cached from a frozen base (fast feature extraction).

    >>> dense_head((4, 4, 512), 2).output_shape
    (None, 2)
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=feature_shape, name="features")
    x = layers.Flatten()(inputs)
    x = layers.Dense(units, activation="relu")(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32")(x)
    return keras.Model(inputs, outputs, name="dense_head")


def small_cnn(
    input_shape: tuple, num_classes: int, *, augment: bool = True, dropout: float = 0.5, seed: int | None = None
):
    """A small convnet trained from scratch: the baseline that transfer learning must beat.

    >>> small_cnn((64, 64, 3), 2).output_shape
    (None, 2)
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="image")
    x = augmentation(seed)(inputs) if augment else inputs
    x = layers.Rescaling(1.0 / 255)(x)
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D(name="features")(x)
    x = layers.Dropout(dropout, seed=seed)(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="classifier")(x)
    return keras.Model(inputs, outputs, name="small_cnn")


def unfreeze_top(base, first_trainable: str | int) -> list[str]:
    """Unfreeze ``base`` from layer ``first_trainable`` (a name prefix or an index) upwards.

    BatchNormalization layers stay frozen (``trainable = False``): on Keras 3 that alone keeps
    them in inference mode with their ImageNet statistics during ``fit``; calling the base
    with ``training=False`` does not (see :func:`bn_moving_mean_shift`), and small batches
    would re-estimate them. Returns the names of the layers that now train.

    Example: ``unfreeze_top(vgg16_base, "block5")``
    ['block5_conv1', 'block5_conv2', 'block5_conv3']
    """
    import keras

    base.trainable = True
    names = [layer.name for layer in base.layers]
    if isinstance(first_trainable, str):
        matches = [i for i, n in enumerate(names) if n.startswith(first_trainable)]
        if not matches:
            raise ValueError(
                f"no layer of {base.name} starts with {first_trainable!r}; its layers are {names[:3]} ... {names[-3:]}"
            )
        start = matches[0]
    else:
        start = first_trainable
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= start and not isinstance(layer, keras.layers.BatchNormalization)
    return [layer.name for layer in base.layers if layer.trainable and layer.weights]


def split_at(base, first_trainable: str) -> tuple:
    """Cut ``base`` where fine-tuning starts: ``lower`` (frozen: run it once, cache its output) and ``upper``.

    ``upper`` calls the very layers of ``base`` from ``first_trainable`` (a name prefix, as in
    :func:`unfreeze_top`) to the output, on a new input of the cut's shape: training it trains the
    base. The layers above the cut must form a chain, which holds where a block starts after the
    last skip connection (VGG16's ``block5``, Xception's ``block14``).

    Example: ``lower, upper = split_at(vgg16_base, "block5")``; ``upper(lower(x))`` equals ``vgg16_base(x)``.
    """
    import keras

    names = [layer.name for layer in base.layers]
    starts = [i for i, name in enumerate(names) if name.startswith(first_trainable)]
    if not starts:
        raise ValueError(
            f"no layer of {base.name} starts with {first_trainable!r}; its layers are {names[:3]} ... {names[-3:]}"
        )
    start = starts[0]
    for before, layer in zip(base.layers[start:], base.layers[start + 1 :]):
        if layer.input is not before.output:
            raise ValueError(
                f"{base.name} cannot be cut at {first_trainable!r}: {layer.name} does not take {before.name}'s "
                "output alone (a skip connection crosses the cut); cut at a later block"
            )
    cut = base.layers[start].input
    lower = keras.Model(base.input, cut, name=f"{base.name}_below_{first_trainable}")
    x = inputs = keras.Input(cut.shape[1:], name=f"{first_trainable}_input")
    for layer in base.layers[start:]:
        x = layer(x)
    return lower, keras.Model(inputs, x, name=f"{base.name}_from_{first_trainable}")


@dataclass(frozen=True)
class BNShift:
    """A BatchNormalization layer's moving mean before and after ``fit`` (see :func:`bn_moving_mean_shift`)."""

    before: np.ndarray
    after: np.ndarray

    @property
    def changed(self) -> bool:
        """Whether ``fit`` moved the moving mean."""
        return not np.allclose(self.before, self.after, rtol=0, atol=1e-7)


def bn_moving_mean_shift(
    bn_trainable: bool, *, seed: int = 0, features: int = 3, batch_size: int = 16, data_mean: float = 5.0
) -> BNShift:
    """One ``fit`` step of a tiny fine-tuning model; its BatchNormalization layer's moving mean before and after.

    The "pretrained" base is one BatchNormalization layer (moving mean 0); it is unfrozen
    (``base.trainable = True``) and called as ``base(x, training=False)`` inside a functional
    model, exactly as :func:`transfer_model` calls a base; then ``bn.trainable = bn_trainable``.
    One ``fit`` step follows, on a batch of new data centred at ``data_mean``. On Keras 3,
    ``fit`` overrides ``training=False``: a trainable BN layer runs in training mode and its
    moving mean moves towards the new data; only ``bn.trainable = False`` keeps it.

    The result depends only on ``seed`` (the data); the global random seeds are left alone.

    >>> bn_moving_mean_shift(bn_trainable=False).changed
    False
    >>> bool(bn_moving_mean_shift(bn_trainable=True).after.min() > 0)
    True
    """
    import keras

    inputs = keras.Input((features,))
    base = keras.Model(inputs, keras.layers.BatchNormalization(name="bn")(inputs), name="base")
    base.trainable = True  # fine-tuning: the base is unfrozen ...
    bn = base.get_layer("bn")
    bn.trainable = bn_trainable  # ... and its BN layer is frozen again, or not
    x = keras.Input((features,))
    model = keras.Model(x, keras.layers.Dense(1)(base(x, training=False)))
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(seed)
    images = rng.normal(data_mean, 1.0, (batch_size, features)).astype("float32")
    before = np.array(bn.moving_mean.numpy())
    model.fit(images, np.zeros((batch_size, 1), "float32"), batch_size=batch_size, epochs=1, verbose=0)
    return BNShift(before, np.array(bn.moving_mean.numpy()))


def extract_features(
    base, dataset, preprocess: Callable, *, augment=None, views: int = 1, progress: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Run a frozen ``base`` once over a ``tf.data`` dataset of (images, labels), with progress.

    With ``augment`` (a Keras augmentation layer, run in training mode), ``views`` passes each see
    another random view of every image; the outputs are stacked, ``views`` times the images. That is
    how fine-tuning caches what its frozen blocks compute (:func:`split_at`).

    Example: ``feats, labels = extract_features(conv_base, train_ds, preprocess_for("vgg16"))``
    """
    if views < 1 or (views > 1 and augment is None):
        raise ValueError(f"views = {views}: use 1, or more than 1 together with an augmentation layer")
    import tensorflow as tf

    @tf.function(reduce_retracing=True)  # one graph, not op by op: about 1.15x faster on a CPU
    def features_of(images):
        if augment is not None:
            images = augment(images, training=True)
        return base(preprocess(images), training=False)

    features, labels = [], []
    total = int(dataset.cardinality()) if int(dataset.cardinality()) > 0 else None
    for view in range(views):
        desc = f"features from {base.name}" + (f", view {view + 1} of {views}" if views > 1 else "")
        for images, y in tqdm(dataset, total=total, desc=desc, unit="batch", disable=not progress):
            features.append(np.asarray(features_of(images)))
            labels.append(np.asarray(y))
    return np.concatenate(features), np.concatenate(labels)
