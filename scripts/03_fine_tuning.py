# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 03 · Fine-tuning: unfreeze the top of a pretrained base
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/transfer-learning-course/transfer-learning-course/blob/main/notebooks/03_fine_tuning.ipynb)
#
# Notebook 02 trained a new classifier head on top of a **frozen** VGG16. Fine-tuning goes one step
# further: it also retrains the **top block** of the base, so that its most specialised features adapt
# to your images. Done right it adds a point or two of accuracy (on cats vs dogs, Chollet reports about
# 96% validation accuracy with the frozen base and augmentation, and **96.8%** test accuracy after
# fine-tuning VGG16's block5); done wrong it destroys what ImageNet taught the network.
#
# In this notebook you will:

# %% [markdown] slideshow={"slide_type": "subslide"}
# 1. start from notebook 02's trained model, checked against the record saved next to it (or retrain
#    its head here, if it is missing or was made for other settings);
# 2. unfreeze the top block of the base, see exactly which layers train, and learn the
#    BatchNormalization rule;
# 3. recompile with a learning rate 100x lower and continue training, with one plot of both phases;
# 4. **measure** the gain, and the failure mode: fine-tuning with a high learning rate;
# 5. do the same with a **TF-Hub** model, in the one way that still works next to Keras 3.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["colab"]
# Google Colab only (elsewhere this cell does nothing): get the course, so that `import helpers` works.
import sys

if "google.colab" in sys.modules:
    REPO = "https://github.com/transfer-learning-course/transfer-learning-course"
    ![ -d /content/course ] || git clone -q --depth 1 $REPO /content/course
    # %cd /content/course/notebooks
    sys.path.insert(0, "/content/course")

# %% [markdown] slideshow={"slide_type": "skip"}
# **Parameters.** The next cell is the only one you need to edit. `QUICK = True` runs a small version
# (a minute or two on a laptop CPU, as CI does); `QUICK = False` is the real course. `None` means "the
# default for the mode", resolved in the cell after it. Keep `BACKBONE` and `IMAGE_SIZE` as in
# notebook 02 to continue from its model.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
QUICK = None  # True: small data, few epochs; False: the real course; None: quick when COURSE_QUICK is 1 (CI, make run)
SEED = 42
BACKBONE = None  # "vgg16" or "xception"; None: VGG16 if its ImageNet weights are here, else Xception
IMAGE_SIZE = None  # pixels per side (quick 72, full 150 as in Chollet's book; as in notebook 02)
TRAIN_PER_CLASS = None  # training images per class (quick 50, full 1000: all of them)
EVAL_PER_CLASS = None  # validation and test images per class: quick 25, full all (250 each)
BATCH_SIZE = None  # quick 16 (more steps from few images), full 32
HEAD_EPOCHS = None  # epochs for the head, only if notebook 02's model cannot be used (quick 5, full 10)
FINE_TUNE_EPOCHS = None  # fine-tuning epochs (quick 2, full 3 on a CPU; TensorFlow's tutorial 10; Chollet 100)
VIEWS = None  # augmented views of each training image cached through the frozen blocks (quick 2, full 2)
HEAD_LEARNING_RATE = 1e-3  # Adam, base frozen
LEARNING_RATE = 1e-5  # RMSprop for fine-tuning: 10-100x below the head's
HIGH_LEARNING_RATE = 1e-2  # the failure mode: what happens when you forget to lower it
USE_SAVED_MODEL = True  # start from notebook 02's model when it is there and was made for these settings
HUB_IMAGE_SIZE = None  # pixels per side for the TF-Hub MobileNetV2 (quick 96, full 224)
HUB_EPOCHS = None  # TF-Hub head epochs (quick 1, full 2)
HUB_FINE_TUNE_EPOCHS = None  # TF-Hub fine-tuning epochs, the whole module (quick 1, full 1)
PRECISION = None  # "float32", "mixed_bfloat16" or "mixed_float16"; None: the fastest this machine has natively

# %% [markdown] slideshow={"slide_type": "skip"}
# The next cell prepares the run: it fills in the parameters left at `None`, fixes the random seeds,
# and gets the data, the pretrained weights and the TF-Hub module (downloaded once into the Keras
# cache). Offline, it says which of them are stand-ins, once.

# %% slideshow={"slide_type": "skip"} tags=["setup"]
import helpers

course = helpers.course.setup("03_fine_tuning", globals())

# %% slideshow={"slide_type": "fragment"}
import time

import keras
import numpy as np
import tensorflow as tf

SPLITS = ("train", "validation", "test")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Mixed precision.** CPUs with bfloat16 instructions (AVX512_BF16, AMX) and GPUs with tensor cores
# compute 16-bit floats about twice as fast as 32-bit ones. In Keras this is one line, a *dtype policy*:
# layers compute in 16 bits and keep their weights in 32. Where 16-bit floats would only be emulated
# they are slower, so `helpers.models.choose_precision()` picks the policy for this machine and says why.
# The classifier keeps `dtype="float32"`, so its softmax stays exact.

# %% slideshow={"slide_type": "fragment"}
precision = helpers.models.choose_precision(PRECISION)
keras.mixed_precision.set_global_policy(precision.policy)
print(f"dtype policy {keras.mixed_precision.global_policy().name}: {precision.reason}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The data
#
# The same folders as notebook 02: `train/`, `validation/` and `test/`, one sub-folder per class.

# %% slideshow={"slide_type": "fragment"}
ROOT, counts = course.data, course.counts
MAJORITY = max(counts["test"].values()) / sum(counts["test"].values())
VAL_MAJORITY = max(counts["validation"].values()) / sum(counts["validation"].values())
print(f"{counts}\naccuracy of always predicting the largest class: validation {VAL_MAJORITY:.2f}, test {MAJORITY:.2f}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# Images are decoded and resized once, then **cached** in memory; shuffling and batching come after
# the cache. Augmentation is *not* in this pipeline: it is a layer inside the model, so every epoch sees
# new random flips and zooms of the cached images (and it switches itself off at test time).

# %% slideshow={"slide_type": "fragment"}
def load(root, split, size):
    images = keras.utils.image_dataset_from_directory(
        root / split, image_size=(size, size), batch_size=None, shuffle=False, verbose=False
    )
    images = images.cache()
    if split == "train":
        images = images.shuffle(2048, seed=SEED)
    return images.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


class_names = sorted(counts["train"])
train_ds, val_ds, test_ds = (load(ROOT, split, IMAGE_SIZE) for split in SPLITS)
print("classes:", class_names)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The base
#
# The same base as notebook 02 (offline, Xception stands in for VGG16: see the setup's output). The top
# block we will unfreeze depends on the base: VGG16's `block5`, Xception's `block14`.

# %% slideshow={"slide_type": "fragment"}
TOP_BLOCK = {"vgg16": "block5", "xception": "block14"}[BACKBONE]
print(f"base: {BACKBONE}, top block: {TOP_BLOCK}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Start from notebook 02's model
#
# Fine-tuning only works on top of a head that is **already trained**: a freshly initialised head sends
# large, random gradients back into the base and wrecks its pretrained features in the first steps.
# So we continue from notebook 02's saved model, but only if it was made for the same settings:
# notebook 02 wrote a record next to it (base, weights, image size, classes, data, quick or full mode,
# and its training history). If the model is missing, does not load, or was made for other settings,
# this notebook retrains the head itself (base frozen) and prints why.

# %% slideshow={"slide_type": "fragment"}
model, head, how = course.load_model(IMAGE_SIZE) if USE_SAVED_MODEL else (None, None, "USE_SAVED_MODEL is False")
print(how)

# %% slideshow={"slide_type": "fragment"}
if model is None:
    print("so the head is trained here, base frozen, as in notebook 02:")
    spec = helpers.models.BACKBONES[BACKBONE]  # its keras.applications constructor and preprocess_input
    conv_base = spec.build(weights=course.weights, include_top=False, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
    model = helpers.models.transfer_model(
        conv_base, len(class_names), preprocess=spec.preprocess, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), seed=SEED
    )
    model.compile(
        optimizer=keras.optimizers.Adam(HEAD_LEARNING_RATE),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    head = model.fit(train_ds, validation_data=val_ds, epochs=HEAD_EPOCHS, verbose=2).history
    started_from = "head retrained here"
else:  # compiled only so that evaluate() reports accuracy; fine-tuning recompiles below
    model.compile(
        optimizer=keras.optimizers.Adam(HEAD_LEARNING_RATE),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    started_from = "notebook 02's saved model"
print(f"starting point: {started_from}, after {len(head['loss'])} epochs of training the head")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The baseline to beat: test accuracy with the base still frozen.

# %% slideshow={"slide_type": "fragment"}
acc_head = model.evaluate(test_ds, verbose=0, return_dict=True)["accuracy"]
print(f"test accuracy, base frozen: {acc_head:.3f} (always the largest class: {MAJORITY:.3f})")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Unfreeze the top block, and only the top block
#
# Lower layers of a convnet detect edges, colours and textures: generic, useful for any photo. Upper
# layers encode object parts specific to ImageNet's 1000 classes. So we unfreeze only the **last block**
# and keep the rest frozen; more trainable parameters would overfit a small dataset. For VGG16 that is
# `block5`: three 3x3 convolutions, 7 million parameters. For Xception it is `block14`: two separable
# convolutions (4.7 million parameters), each followed by a BatchNormalization layer, which stays
# frozen (see below). `helpers.models.unfreeze_top` sets `trainable` layer by layer:

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Ask: why not unfreeze everything? (Exercise 3.) Misconception: "freezing is set once". A change of `trainable` takes effect at the next `compile`: forgetting to recompile is the most common fine-tuning bug.

# %% slideshow={"slide_type": "fragment"}
helpers.plots.show_source(helpers.models.unfreeze_top)

# %% slideshow={"slide_type": "fragment"}
base = model.get_layer(BACKBONE)
frozen_counts = helpers.models.count_params(model)
now_training = helpers.models.unfreeze_top(base, TOP_BLOCK)
for layer in [layer for layer in base.layers if layer.weights][-6:]:  # the top layers that have weights
    print(f"{layer.name:20s} {type(layer).__name__:20s} {'TRAINS' if layer.trainable else 'frozen'}")

# %% slideshow={"slide_type": "fragment"}
fine_counts = helpers.models.count_params(model)
print(f"trainable parameters: {frozen_counts[0]:,} (head only) -> {fine_counts[0]:,} (head + {TOP_BLOCK})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### BatchNormalization: the one rule to remember
#
# A `BatchNormalization` (BN) layer keeps running statistics (a moving mean and variance per channel)
# learned on ImageNet. In Keras 3 its `trainable` attribute decides what `fit` does with them:
# - `bn.trainable = False`: the layer runs in *inference mode*. It normalises with its stored ImageNet
#   statistics and never changes them (and its scale and offset do not train).
# - `bn.trainable = True`: during `fit` it runs in *training mode*. It normalises each batch with that
#   batch's own mean and variance, and moves its stored statistics towards your data.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Older books and guides (Keras 2) say `base(x, training=False)` is enough. In Keras 3, `fit` passes `training=True` down; only `layer.trainable = False` keeps the ImageNet statistics. The next cell proves it with one step.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Calling the base as `base(x, training=False)` does **not** change this in Keras 3: `fit` calls the
# model with `training=True`, and Keras passes that on to every layer inside the base, overriding the
# `False` written in the call (keras-team/keras#20285; the keras.io transfer-learning guide was
# corrected in #20298). Keras 2 (`tf.keras` before TensorFlow 2.16, `tf_keras` today) honoured it,
# which is why older guides and Chollet's book rely on it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# So if you unfreeze the whole base with `base.trainable = True`, as the book and older guides do,
# every BN layer becomes trainable: its ImageNet statistics are re-estimated from your small batches
# (16 images in quick mode), which shifts the inputs of every layer above it. `unfreeze_top` avoids
# this by setting `trainable = False` on every BN layer: when this run uses Xception, the list above
# shows `block14`'s BN layers frozen while its convolutions train. VGG16 (2014) predates BN, so the rule
# changes nothing for it. Count the BN layers of a few bases:

# %% slideshow={"slide_type": "fragment"}
bn_layers = {}
for arch in ("vgg16", "xception", "resnet50", "mobilenet_v2"):
    net = helpers.models.BACKBONES[arch].build(weights=None, include_top=False, input_shape=(96, 96, 3))
    bn_layers[net.name] = sum(isinstance(layer, keras.layers.BatchNormalization) for layer in net.layers)
    del net
bn_layers

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### See the rule: one `fit` step
#
# A tiny model shows the rule in a second. Its "pretrained" base is a single BN layer whose moving mean
# is 0. The base is unfrozen (`base.trainable = True`) and called as `base(x, training=False)`, as in
# our model; one `fit` step follows, on a batch of new data centred at 5.
# `helpers.models.bn_moving_mean_shift` builds and runs it (`helpers.plots.show_source` prints it).
# First with the BN layer left trainable:

# %% slideshow={"slide_type": "fragment"}
trainable_bn = helpers.models.bn_moving_mean_shift(bn_trainable=True, seed=SEED)
print(
    f"BN trainable, base(x, training=False): moving mean {trainable_bn.before.round(3)} -> "
    f"{trainable_bn.after.round(3)}"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The moving mean moved towards the new data: `fit` ran the layer in training mode despite
# `training=False`. Now the same step with the BN layer frozen (`bn.trainable = False`), as
# `unfreeze_top` leaves it:

# %% slideshow={"slide_type": "fragment"}
frozen_bn = helpers.models.bn_moving_mean_shift(bn_trainable=False, seed=SEED)
print(f"BN frozen: moving mean {frozen_bn.before.round(3)} -> {frozen_bn.after.round(3)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# How much does it cost on real images? `make verify` (see the README) fine-tunes the whole
# ImageNet Xception on a few dozen photo cut-outs from the same trained head twice, BN layers trainable
# (`base.trainable = True`) and BN layers frozen (`unfreeze_top(base, 0)`), on two seeds. What it
# measured, read from its record (`build/metrics/offline_transfer.json`) when it has run here:

# %% slideshow={"slide_type": "fragment"}
print(course.bn_study())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recompile with a low learning rate, then continue training
#
# Two things change before training again:
# - **recompile**: changes to `trainable` take effect when the model is compiled;
# - a much **lower learning rate**: the pretrained weights should move a little, not be relearned.
#   Here it is RMSprop at `1e-5`, 100x below the head's Adam `1e-3`. Chollet's book uses RMSprop for
#   both phases, `1e-3` then `1e-5` (100x); the TensorFlow tutorial trains its head with Adam at `1e-4`
#   and fine-tunes with RMSprop at `1e-5` (10x). When the optimizer changes too, as here and in the
#   tutorial, the ratio is only a guide: Adam and RMSprop scale their steps differently.

# %% [markdown] slideshow={"slide_type": "subslide"}
# `initial_epoch` continues the epoch count where the head's training stopped (notebook 02's last
# epoch, when its model was reused), so both phases form one history. We also keep a copy of the
# weights, to train again from the same start in the sections below. As in notebook 02,
# `EarlyStopping` ends the run when the validation loss has not improved for 2 epochs and restores the
# best epoch's weights: full mode does not pay for epochs that do not help.

# %% slideshow={"slide_type": "fragment"}
snapshot = model.get_weights()
top_start = [v.numpy() for name in now_training for v in base.get_layer(name).trainable_weights]


def top_block_drift():
    # How far the unfrozen weights moved since fine-tuning started: |w - w0| / |w0|.
    now = [v.numpy() for name in now_training for v in base.get_layer(name).trainable_weights]
    diff = sum(float(np.sum((a - b) ** 2)) for a, b in zip(now, top_start))
    return (diff / sum(float(np.sum(b**2)) for b in top_start)) ** 0.5


# %% slideshow={"slide_type": "fragment"}
def fine_tune(learning_rate):
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(
        train_ds,
        validation_data=val_ds,
        initial_epoch=len(head["loss"]),  # continue the epoch count of the head's training
        epochs=len(head["loss"]) + FINE_TUNE_EPOCHS,
        callbacks=[stop],
        verbose=2,
    ).history
    print(f"learning rate {learning_rate:g}: {len(history['loss'])} of {FINE_TUNE_EPOCHS} epochs run")
    return history


start = time.perf_counter()
fine = fine_tune(LEARNING_RATE)
fine_seconds = time.perf_counter() - start

# %% [markdown] slideshow={"slide_type": "subslide"}
# One history across both phases; the dotted line marks where the top block was unfrozen, the dashed
# line what always predicting the largest class scores.

# %% slideshow={"slide_type": "fragment"}
fig = helpers.plots.plot_history(
    [head, fine],
    marks={f"unfreeze {TOP_BLOCK}": len(head["loss"])},
    title=f"{base.name}: head ({started_from}), then fine-tuning",
)
fig.axes[0].axhline(VAL_MAJORITY, color="grey", linestyle="--", label="always the largest class")
fig.axes[0].legend(fontsize=8);

# %% slideshow={"slide_type": "fragment"}
acc_fine = model.evaluate(test_ds, verbose=0, return_dict=True)["accuracy"]
print(
    f"test accuracy: {acc_head:.3f} frozen -> {acc_fine:.3f} fine-tuned ({len(fine['loss'])} epochs, "
    f"{fine_seconds:.0f} s); always the largest class: {MAJORITY:.3f}. The {TOP_BLOCK} weights moved "
    f"by {top_block_drift():.2%} of their size."
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Reading the result.** With VGG16's ImageNet weights and the full data (`QUICK = False`), this is
# the setup of Chollet's book. He reports about 90% validation accuracy for fast feature extraction
# (notebook 02's method A), about 96% for the frozen base trained end to end with augmentation (method
# B, the model this notebook starts from), and **96.8%** test accuracy after fine-tuning block5 with
# RMSprop `1e-5` for 100 epochs. The TensorFlow tutorial goes from about 96% to **about 98%** with
# MobileNetV2. So expect a gain of a point or two, not a miracle: the frozen base already did most of
# the work. In quick mode, with a few dozen test images and two epochs, the change is often zero: one
# image is several points.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The drift printed above says how far the unfrozen weights moved: at a low learning rate, a small
# fraction of their size. Compare it with the failure mode below.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Fine-tuning faster: run the frozen blocks once
#
# Every fine-tuning epoch above sends each image through the whole base, yet only the top block
# learns: the frozen blocks below it compute the same function every epoch (for VGG16, blocks 1-4: about
# nine tenths of its work). So compute it once: pass `VIEWS` augmented views of every training image
# through the frozen blocks, keep their outputs, and train the top block and the head on them.

# %% [markdown] slideshow={"slide_type": "subslide"}
# It is an optimisation, not a new method: the same layers and weights train, but on `VIEWS` random
# views of each image instead of a fresh one every epoch. Does that cost accuracy? The offline study
# (`make verify`) fine-tuned both ways from the same start: on 5 cached views it scored within two test
# images of 112 of end-to-end fine-tuning, on two seeds. On a CPU, where the frozen blocks are the bill,
# this is what makes the real course tractable.

# %% slideshow={"slide_type": "fragment"}
model.set_weights(snapshot)  # the same start as the fine-tuning above
lower, upper = helpers.models.split_at(base, TOP_BLOCK)  # frozen blocks | top block, the same layers
print(f"{lower.name}: output {lower.output_shape[1:]} | {upper.name}: {len(upper.layers) - 1} layers")

# %% slideshow={"slide_type": "fragment"}
start = time.perf_counter()
preprocess = helpers.models.BACKBONES[BACKBONE].preprocess
augment = model.get_layer("augmentation")
train_cut, train_cut_labels = helpers.models.extract_features(lower, train_ds, preprocess, augment=augment, views=VIEWS)
val_cut, val_cut_labels = helpers.models.extract_features(lower, val_ds, preprocess)
print(
    f"cached {train_cut.shape} ({train_cut.nbytes / 1e6:.0f} MB) and {val_cut.shape} "
    f"in {time.perf_counter() - start:.0f} s"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The top model is the top block followed by the model's own head layers, so training it trains
# `model`. One epoch is one pass over as many cached views as there are training images, so the epoch
# budget, early stopping and learning rate are those of `fine_tune` above. `fine_tune_on_views` is
# `fine_tune` for the top model; the failure mode below uses it again.

# %% slideshow={"slide_type": "fragment"}
head_layers = model.layers[model.layers.index(base) + 1 :]  # pooling, dropout, classifier
top = keras.Sequential([keras.Input(train_cut.shape[1:]), upper, *head_layers], name="top_on_cached_blocks")
views_ds = (
    tf.data.Dataset.from_tensor_slices((train_cut, train_cut_labels))
    .shuffle(len(train_cut), seed=SEED)
    .repeat()
    .batch(BATCH_SIZE)
)


def fine_tune_on_views(learning_rate, restore_best_weights=True):
    top.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=restore_best_weights)
    history = top.fit(
        views_ds,
        steps_per_epoch=len(train_ds),  # an epoch of views is as many steps as an epoch of images
        validation_data=(val_cut, val_cut_labels),
        epochs=FINE_TUNE_EPOCHS,
        callbacks=[stop],
        verbose=2,
    ).history
    print(f"learning rate {learning_rate:g}: {len(history['loss'])} of {FINE_TUNE_EPOCHS} epochs run")
    return history


cached = fine_tune_on_views(LEARNING_RATE)
cached_seconds = time.perf_counter() - start

# %% slideshow={"slide_type": "fragment"}
acc_cached = model.evaluate(test_ds, verbose=0, return_dict=True)["accuracy"]  # the whole model, on images
drift_low = top_block_drift()
print(
    f"test accuracy: end to end {acc_fine:.3f} ({len(fine['loss'])} epochs, {fine_seconds:.0f} s) | on {VIEWS} cached "
    f"views {acc_cached:.3f} ({len(cached['loss'])} epochs, {cached_seconds:.0f} s, caching included). "
    f"The {TOP_BLOCK} weights moved by {drift_low:.2%}."
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The failure mode: fine-tuning with a high learning rate
#
# Same starting weights, same cached views, same epoch budget, learning rate `1e-2` instead of `1e-5`.
# Large updates overwrite the pretrained features: the loss jumps, and accuracy can fall to guessing
# (one class for every image). Keras does not warn you: only the numbers do. Early stopping ends the
# run soon, and here we keep the last weights (`restore_best_weights=False`) to look at the damage.
# The learning rate does the damage, not the route, so we replay it on the cached views: end to end it
# would cost as much as the first fine-tuning again.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Let the room predict before you run it: what does a 100x higher learning rate do? Keras prints no warning; the drift of the top block's weights and the validation loss show the damage.

# %% slideshow={"slide_type": "fragment"}
model.set_weights(snapshot)  # the same start: the top model shares its layers with `model`
high = fine_tune_on_views(HIGH_LEARNING_RATE, restore_best_weights=False)  # keep the damage, to measure it

# %% slideshow={"slide_type": "fragment"}
acc_high = model.evaluate(test_ds, verbose=0, return_dict=True)["accuracy"]
drift_high = top_block_drift()
print(
    f"learning rate {HIGH_LEARNING_RATE:g}: test accuracy {acc_high:.3f} (at {LEARNING_RATE:g}: "
    f"{acc_cached:.3f}; always the largest class: {MAJORITY:.3f}); last validation loss "
    f"{high['val_loss'][-1]:.3f} (at {LEARNING_RATE:g}: {cached['val_loss'][-1]:.3f}); the {TOP_BLOCK} "
    f"weights moved by {drift_high:.1%} ({drift_high / drift_low:,.0f}x more)."
)

# %% slideshow={"slide_type": "fragment"}
fig = helpers.plots.plot_lines(
    range(1, FINE_TUNE_EPOCHS + 1),
    {
        f"lr {LEARNING_RATE:g}: training": cached["loss"],
        f"lr {LEARNING_RATE:g}: validation": cached["val_loss"],
        f"lr {HIGH_LEARNING_RATE:g}: training": high["loss"],
        f"lr {HIGH_LEARNING_RATE:g}: validation": high["val_loss"],
    },
    xlabel="fine-tuning epoch",
    ylabel="loss (log scale)",
    title=f"Fine-tuning on {VIEWS} cached views: low vs high learning rate",
)
fig.axes[0].set_yscale("log")

# %% slideshow={"slide_type": "fragment"}
helpers.plots.plot_bars(
    [
        "base frozen",
        f"end to end, lr {LEARNING_RATE:g}",
        f"cached views, lr {LEARNING_RATE:g}",
        f"cached views, lr {HIGH_LEARNING_RATE:g}",
        "always the largest class",
    ],
    [acc_head, acc_fine, acc_cached, acc_high, MAJORITY],
    ylabel="test accuracy",
    fmt="{:.1%}",
);

# %% [markdown] slideshow={"slide_type": "subslide"}
# Compare the two drift numbers: at the high learning rate the pretrained kernels move by a large
# fraction of their size, and the loss curves show the damage: a jump within the first epochs, then an
# unstable ride. Whatever ImageNet taught the top block is overwritten. With many epochs on an easy
# dataset the model may climb back (the head and the frozen lower blocks still work), but then the top
# block was relearned from a few images instead of adapted, which is what a small dataset cannot
# afford. The fix is always the same: **train the head first, then unfreeze with a learning rate
# 10-100x lower**.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## TF-Hub: the same recipe with `hub.KerasLayer`
#
# Many tutorials load a pretrained model from TensorFlow Hub with `hub.KerasLayer`. Two things changed:
# - **tfhub.dev now redirects to Kaggle Models** (since November 2023). The course fetches the
#   MobileNetV2 feature vector once into the Keras cache (`python -m helpers fetch mobilenet_v2_feature_vector`).
# - `tensorflow_hub` 0.16 builds `KerasLayer` on **`tf_keras`** (Keras 2), so a Keras 3 model refuses it.
#   The fix the TensorFlow maintainers document: install `tf-keras` and build the model with
#   `import tf_keras` (or set `TF_USE_LEGACY_KERAS=1` before TensorFlow is first imported).

# %% [markdown] slideshow={"slide_type": "subslide"}
# **The Keras 3 route: KerasHub.** For new work, Keras' own successor to TF-Hub is
# [KerasHub](https://keras.io/keras_hub/) (`pip install keras-hub`): pretrained backbones and whole task
# models as *presets*, native Keras 3 models that freeze and fine-tune like the `keras.applications`
# bases above, with no `tf_keras`:
#
# ```python
# import keras_hub
#
# classifier = keras_hub.models.ImageClassifier.from_preset("resnet_50_imagenet", num_classes=2)
# classifier.backbone.trainable = False  # feature extraction first, as in notebook 02
# ```
#
# Presets download from Kaggle Models, so this course does not run them here; it keeps
# `keras.applications`, whose weights it checks and caches, and shows TF-Hub because many tutorials use it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Offline, the module is a stand-in (see the setup's output): a SavedModel in the same TF-Hub format,
# saved from `keras.applications.MobileNetV2` with **random weights** (no MobileNetV2 ImageNet weights
# are available offline), so the code below is the real recipe and its accuracies are **not
# representative**. First, the error you get with Keras 3:

# %% slideshow={"slide_type": "fragment"}
import tensorflow_hub as hub

HUB_MODULE = course.hub  # the module's folder in the Keras cache (online: fetched from Kaggle Models)
try:
    keras.Sequential([keras.Input((HUB_IMAGE_SIZE, HUB_IMAGE_SIZE, 3)), hub.KerasLayer(HUB_MODULE)])
    keras3_error = ""
except ValueError as err:
    keras3_error = str(err).split(" Received")[0]
print("Keras 3:", keras3_error or "no error (a newer tensorflow_hub?)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The working recipe: every layer comes from `tf_keras`. TF-Hub image modules take floats in [0, 1],
# so the model rescales the pixels itself. The MobileNet modules also have a **fixed input size**,
# 224x224 (TF-Hub's maintainers, tensorflow/hub#566: any other size fails with "Could not find
# matching function"), so the model resizes first: the same model then works at every image size.

# %% slideshow={"slide_type": "fragment"}
import tf_keras

hub_layer = hub.KerasLayer(HUB_MODULE, trainable=False)
hub_model = tf_keras.Sequential(
    [
        tf_keras.Input((HUB_IMAGE_SIZE, HUB_IMAGE_SIZE, 3)),
        tf_keras.layers.RandomFlip("horizontal", seed=SEED),
        tf_keras.layers.Rescaling(1 / 255),
        tf_keras.layers.Resizing(224, 224),  # the module's fixed input size
        hub_layer,
        tf_keras.layers.Dropout(0.2, seed=SEED),
        tf_keras.layers.Dense(len(class_names), activation="softmax"),
    ]
)
print("trainable / frozen parameters:", helpers.models.count_params(hub_model))

# %% slideshow={"slide_type": "fragment"}
hub_train, hub_val, hub_test = (load(ROOT, split, HUB_IMAGE_SIZE) for split in SPLITS)
hub_model.compile(
    optimizer=tf_keras.optimizers.Adam(HEAD_LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
hub_head = hub_model.fit(hub_train, validation_data=hub_val, epochs=HUB_EPOCHS, verbose=2).history
hub_acc_frozen = hub_model.evaluate(hub_test, verbose=0, return_dict=True)["accuracy"]

# %% [markdown] slideshow={"slide_type": "subslide"}
# Fine-tuning a TF-Hub module is all or nothing: `hub_layer.trainable = True` unfreezes the whole
# module, and during `fit` its BatchNormalization layers run in training mode (`hub.KerasLayer` passes
# the training flag on to a trainable module). That is one more reason for a very low learning rate and,
# with small data, for staying with the frozen feature extractor.

# %% slideshow={"slide_type": "fragment"}
hub_layer.trainable = True
hub_model.compile(
    optimizer=tf_keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
hub_trainable = helpers.models.count_params(hub_model)[0]
hub_fine = hub_model.fit(
    hub_train, validation_data=hub_val, initial_epoch=HUB_EPOCHS, epochs=HUB_EPOCHS + HUB_FINE_TUNE_EPOCHS, verbose=2
).history
hub_acc_fine = hub_model.evaluate(hub_test, verbose=0, return_dict=True)["accuracy"]

# %% slideshow={"slide_type": "fragment"}
helpers.plots.plot_history(
    [hub_head, hub_fine], marks={"trainable=True": HUB_EPOCHS}, title="TF-Hub MobileNetV2: frozen, then fine-tuned"
);

# %% slideshow={"slide_type": "fragment"}
print(
    f"TF-Hub MobileNetV2 test accuracy: {hub_acc_frozen:.3f} frozen -> {hub_acc_fine:.3f} fine-tuned "
    f"({hub_trainable:,} trainable parameters); always the largest class: {MAJORITY:.3f}"
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What to remember
# - Fine-tune only **after** the head is trained, and only the **top** block(s): the lower layers are
#   generic and the data is small.
# - **Recompile** after changing `trainable`, with a learning rate **10-100x lower**; continue the epoch
#   count with `initial_epoch`.
# - Keep every **BatchNormalization** layer frozen (`layer.trainable = False`; `unfreeze_top` does it)
#   while fine-tuning: in Keras 3 that, not `base(x, training=False)`, keeps its ImageNet statistics.
#   It matters for Xception, ResNet, MobileNet; VGG16 has no BN.
# - A high learning rate silently destroys the pretrained features: watch the loss.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - Reuse a saved model only for the settings it was made for: save a record of them next to it.
# - `hub.KerasLayer` needs `tf_keras` next to Keras 3; tfhub.dev models now live on Kaggle Models.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# The first three are checked.
#
# 1. **Unfreeze the top block by hand.** Go back to the trained head (`model.set_weights(snapshot)`);
#    then, without `unfreeze_top`, make only the layers of `TOP_BLOCK` trainable (VGG16: block5's three
#    convolutions; Xception: block14's, with its BatchNormalization layers kept frozen) and recompile
#    for fine-tuning; name the result `by_hand`.
# 2. **A base with BatchNormalization.** Build a transfer model on
#    `keras.applications.MobileNetV2(weights=None, include_top=False)`, unfreeze its top block but
#    keep every BatchNormalization layer frozen: `bn_model`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# 3. **Reasoning.** With about 2000 training images, why unfreeze only the top block and not the whole base?
#    (a) Keras cannot train more than one block at a time.
#    (b) The lower blocks compute generic edges and textures; unfreezing them adds millions of weights
#    that 2000 images can overfit, for little gain.
#    (c) Only the top block has pretrained weights.
#    (d) The lower blocks would finish training first and stop the others.

# %% [markdown] slideshow={"slide_type": "subslide"}
# 4. **A new dataset.** Run the whole recipe (head, then the top block) on another image folder with
#    `train/`, `validation/`, `test/` sub-folders: your own photos, or sneakers vs ankle boots from Fashion-MNIST,
#    which `helpers.data.array_splits` writes as folders. Compare with the frozen head alone.
#
# Each exercise has a cell for your answer: write your code above its last lines, replace every
# blank `____`, and run it; `ex.q1.check()` reads your variable and says what is right or what to fix.
# `ex.q1.hint()` gives a nudge and `ex.q1.solution()` the answer.
#
# Solutions are in the hidden cells below (click to expand); try first.

# %% slideshow={"slide_type": "skip"}
from helpers.exercises import ____
from helpers.exercises import nb03 as ex

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 1: model.set_weights(snapshot); then, without unfreeze_top, only TOP_BLOCK's layers trainable
# (BatchNormalization stays frozen); recompile with a low learning rate.
by_hand = ____  # the recompiled `model`
ex.q1.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 1: the top block by hand, BatchNormalization kept frozen; then recompile (trainable changed).
model.set_weights(snapshot)
base.trainable = True
for layer in base.layers:
    layer.trainable = layer.name.startswith(TOP_BLOCK) and not isinstance(layer, keras.layers.BatchNormalization)
model.compile(
    optimizer=keras.optimizers.RMSprop(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
by_hand = model
ex.q1.check()

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 2: keras.applications.MobileNetV2(weights=None, include_top=False, ...) in a transfer model,
# its top layers trainable, every BatchNormalization layer frozen.
bn_model = ____
ex.q2.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 2: MobileNetV2 has 52 BatchNormalization layers; unfreeze_top leaves them frozen.
bn_base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
bn_model = helpers.models.transfer_model(
    bn_base,
    len(class_names),
    input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3),
    preprocess=helpers.models.preprocess_for("mobilenet_v2"),
)
print("now training:", helpers.models.unfreeze_top(bn_base, "block_16"))
ex.q2.check()

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 3: your choice, "a", "b", "c" or "d"
choice = ____
ex.q3.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 3: (b). Generic lower layers already fit; few images cannot retrain millions of weights safely.
choice = "b"
ex.q3.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 4: the recipe on a new dataset; any split folder works. Here sneakers vs ankle boots
# from Fashion-MNIST (28-pixel grayscale photos, read as RGB and resized like any image).
(x_fashion, y_fashion), _ = helpers.data.fashion_mnist().value
new_root = helpers.data.array_splits(
    x_fashion, y_fashion, {7: "sneaker", 9: "ankle_boot"}, helpers.data.course_root() / "sneakers_vs_boots", seed=SEED
)
new = {split: load(new_root, split, IMAGE_SIZE) for split in SPLITS}  # cached, then shuffled, prefetched
new_counts = helpers.data.class_counts(new_root / "test")
spec = helpers.models.BACKBONES[BACKBONE]  # the same base as above, fresh from its weights
new_base = spec.build(weights=course.weights, include_top=False, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
new_model = helpers.models.transfer_model(
    new_base, len(new_counts), preprocess=spec.preprocess, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), seed=SEED
)
new_model.compile(
    optimizer=keras.optimizers.Adam(HEAD_LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
new_model.fit(new["train"], validation_data=new["validation"], epochs=HEAD_EPOCHS, verbose=0)
frozen_acc = new_model.evaluate(new["test"], verbose=0)[1]
helpers.models.unfreeze_top(new_base, TOP_BLOCK)
new_model.compile(
    optimizer=keras.optimizers.RMSprop(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
new_model.fit(
    new["train"],
    validation_data=new["validation"],
    initial_epoch=HEAD_EPOCHS,
    epochs=HEAD_EPOCHS + FINE_TUNE_EPOCHS,
    verbose=0,
)
print(
    f"sneakers vs ankle boots, test accuracy: {frozen_acc:.3f} with the head alone, "
    f"{new_model.evaluate(new['test'], verbose=0)[1]:.3f} after fine-tuning {TOP_BLOCK}; always the "
    f"largest class: {max(new_counts.values()) / sum(new_counts.values()):.3f}"
    f"{' (RANDOM weights: NOT representative)' if course.weights is None else ''}"
)

# %% slideshow={"slide_type": "skip"} tags=["metrics"]
course.record(
    precision=keras.mixed_precision.global_policy().name,
    started_from=started_from,
    load_message=how,
    head_epochs=len(head["loss"]),
    unfrozen_layers=now_training,
    trainable_params_head=frozen_counts[0],
    trainable_params_fine=fine_counts[0],
    total_params=sum(fine_counts),
    bn_layers=bn_layers,
    bn_moving_mean_changed_trainable=trainable_bn.changed,
    bn_moving_mean_changed_frozen=frozen_bn.changed,
    test_acc_head=acc_head,
    test_acc_fine=acc_fine,
    test_acc_cached=acc_cached,
    cached_epochs_run=len(cached["loss"]),
    cached_seconds=cached_seconds,
    cached_shape=list(train_cut.shape),
    fine_tune_epochs_run=len(fine["loss"]),
    high_lr_epochs_run=len(high["loss"]),
    test_acc_high_lr=acc_high,
    fine_tune_seconds=fine_seconds,
    drift_low_lr=drift_low,
    drift_high_lr=drift_high,
    val_loss_low_lr=cached["val_loss"],
    val_loss_high_lr=high["val_loss"],
    train_loss_low_lr=cached["loss"],
    train_loss_high_lr=high["loss"],
    hub_keras3_error=keras3_error,
    hub_test_acc_frozen=hub_acc_frozen,
    hub_test_acc_fine=hub_acc_fine,
    hub_trainable_params_fine=hub_trainable,
    hub_feature_dim=hub_layer.output_shape[-1],
);

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Questionnaire
#
# Answer in a sentence or two, in your own words; each answer is in this notebook.

# %% [markdown] slideshow={"slide_type": "subslide"}
# 1. Why must the head be trained before the top block is unfrozen?
# 2. Why unfreeze only the top block, not the whole base?
# 3. Which two things change before training resumes after unfreezing?
# 4. In Keras 3, what keeps a BatchNormalization layer's ImageNet statistics while fine-tuning?
# 5. What did the high learning rate do to the top block's weights and to the loss, and why did Keras not warn you?
# 6. Why does `hub.KerasLayer` need `tf_keras` next to Keras 3?
# 7. Why does the TF-Hub MobileNet model resize its input to 224x224?
