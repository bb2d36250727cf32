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

# %% [markdown]
# # 02 · Feature extraction with a frozen VGG16
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/transfer-learning-course/transfer-learning-course/blob/main/notebooks/02_vgg16_feature_extraction.ipynb)
#
# Notebook 01 used a pretrained network as it is. Here we reuse its **convolutional base** for a new
# task, cats vs dogs, with only 2000 training images: the base was trained on ImageNet and already
# knows fur, ears and eyes, so only a small new classifier (the *head*) has to be learned.
#
# You will be able to:
# 1. load a folder of images as a `tf.data` pipeline and look at it before training;
# 2. explain why the conv base is reused and the ImageNet classifier top is not;
# 3. train the same small head two ways, and measure the difference in cost:
#    **A**, fast: run the frozen base once, cache its features, train the head on them
#    (Chollet reports ~90% validation accuracy);
#    **B**, end to end: the frozen base inside the model, with data augmentation (Chollet reports
#    ~96%, and calls it "intractable on CPU");
# 4. evaluate on a held-out test set (accuracy against the majority-class baseline, confusion matrix,
#    the most confident mistakes), save the model for notebook 03, and classify one image file with it.
#
# **Offline?** Then the data is a labelled stand-in (photo cut-outs: birds vs mammals, about 100
# images), and VGG16's ImageNet weights are not available. A VGG16 with random weights would show no
# transfer at all, so the notebook then uses **Xception** (notebook 01's network), whose real ImageNet
# conv weights ship in a package. The recipe is identical; the output says which base runs and labels
# every stand-in next to the results.

# %% jupyter={"source_hidden": true} tags=["colab"]
# Google Colab only (elsewhere this cell does nothing): get the course, so that `import helpers` works.
import sys

if "google.colab" in sys.modules:
    REPO = "https://github.com/transfer-learning-course/transfer-learning-course"
    ![ -d /content/course ] || git clone -q --depth 1 $REPO /content/course
    # %cd /content/course/notebooks
    sys.path.insert(0, "/content/course")

# %% [markdown]
# **Parameters.** The next cell is the only one you need to edit. `QUICK = True` runs a small version
# (at most 50 training images per class at 72x72 pixels, 5 epochs: a minute or two on a laptop CPU);
# `QUICK = False` is the real course (all 2000 training images at 150x150, 30 epochs: use a GPU for
# method B). `None` means "the default for the mode" (or, for `BACKBONE`, "VGG16 if its weights are
# here").

# %% tags=["parameters"]
QUICK = None  # True: small data, few epochs; False: the real course; None: quick when COURSE_QUICK is 1 (CI, make run)
SEED = 42
BACKBONE = None  # "vgg16" or "xception"; None: VGG16 if its ImageNet weights are here, else Xception
IMAGE_SIZE = None  # pixels per side: quick 72, full 150 as in Chollet's book (notebook 03 uses the same)
EPOCHS = None  # quick 5, full 30
TRAIN_PER_CLASS = None  # training images per class: quick 50, full all (1000)
EVAL_PER_CLASS = None  # validation and test images per class: quick 25, full all (250 each)
BATCH_SIZE = 20
LEARNING_RATE = 1e-3  # Adam, for the new head

# %%
import helpers

QUICK = helpers.course.notebook.quick_mode(QUICK)
IMAGE_SIZE = (72 if QUICK else 150) if IMAGE_SIZE is None else IMAGE_SIZE
EPOCHS = (5 if QUICK else 30) if EPOCHS is None else EPOCHS
TRAIN_PER_CLASS = (50 if QUICK else None) if TRAIN_PER_CLASS is None else TRAIN_PER_CLASS  # None: every image
EVAL_PER_CLASS = (25 if QUICK else None) if EVAL_PER_CLASS is None else EVAL_PER_CLASS  # None: all
helpers.course.params.check_int("IMAGE_SIZE", IMAGE_SIZE, low=32, high=512)  # VGG16's smallest input (Xception: 71)
helpers.course.params.check_int("EPOCHS", EPOCHS, low=1)
helpers.course.params.check_int("BATCH_SIZE", BATCH_SIZE, low=1)
for name in ("TRAIN_PER_CLASS", "EVAL_PER_CLASS"):
    if globals()[name] is not None:
        helpers.course.params.check_int(name, globals()[name], low=1)
if BACKBONE not in (None, "vgg16", "xception"):
    raise ValueError(f'BACKBONE = {BACKBONE!r}: use "vgg16", "xception" or None (set it in the parameters cell)')
if not 0 < LEARNING_RATE < 1:
    raise ValueError(f"LEARNING_RATE = {LEARNING_RATE} should be between 0 and 1 (1e-3 is usual for Adam)")
print(
    f"{IMAGE_SIZE}x{IMAGE_SIZE} images | {EPOCHS} epochs | batches of {BATCH_SIZE} | "
    f"training images per class: {TRAIN_PER_CLASS or 'all'} | base: {BACKBONE or 'VGG16 if available'}"
)

# %%
import json
import time

import keras
import numpy as np
import tensorflow as tf

from helpers.course import runner

NB = "02_vgg16_feature_extraction"
helpers.course.notebook.start(NB, quick=QUICK, seed=SEED)

# %% [markdown]
# ## The data, and a test set we keep for the end
#
# `cats_and_dogs_filtered` has 1000 cats and 1000 dogs for training and 500 + 500 for validation,
# but **no test folder**. Validation accuracy guides our choices (epochs, head, learning rate), so it
# is no longer an honest estimate; `helpers` therefore splits the validation images 50/50, per class
# and seeded, into `validation/` and `test/`. We look at the test set once, at the end.

# %%
ds = helpers.data.cats_and_dogs(train_per_class=TRAIN_PER_CLASS, eval_per_class=EVAL_PER_CLASS, seed=SEED)
helpers.course.notebook.note_standin(NB, ds)
if ds.value is None:
    raise RuntimeError("no dataset to work with: see the message above")
ROOT = ds.value
counts = {split: helpers.data.class_counts(ROOT / split) for split in ("train", "validation", "test")}
helpers.plots.print_table([{"split": s, **c, "total": sum(c.values())} for s, c in counts.items()])


# %% [markdown]
# **Load with `tf.data`.** `image_dataset_from_directory` reads one sub-folder per class, decodes and
# resizes. `.cache()` keeps the decoded images in memory after the first pass, so later epochs skip
# the JPEG work; augmentation (in method B) happens *after* the cache, inside the model, so every
# epoch still sees new variants. `.prefetch` prepares the next batch while the current one trains.

# %%
def pipeline(split, training=False):
    images = keras.utils.image_dataset_from_directory(
        ROOT / split, image_size=(IMAGE_SIZE, IMAGE_SIZE), batch_size=None, shuffle=training, seed=SEED, verbose=False
    )
    pipe = images.cache()  # decoded once; augmentation comes later, in the model
    if training:
        pipe = pipe.shuffle(sum(counts[split].values()), seed=SEED)  # a new order every epoch
    return images.class_names, pipe.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


CLASS_NAMES, train_ds = pipeline("train", training=True)
_, val_ds = pipeline("validation")
_, test_ds = pipeline("test")
print("classes:", CLASS_NAMES, "| one batch:", train_ds.element_spec)

# %% [markdown]
# ## Look at the data first
#
# A few training images with their labels: do the labels look right, are the images what we expect?

# %%
images, labels = next(iter(train_ds))
helpers.plots.show_images(images[:8], [CLASS_NAMES[i] for i in labels[:8]], ncols=4);

# %% [markdown]
# And the class balance: with unequal classes, accuracy must be compared with the share of the
# largest class (what "always predict the majority" scores), not with 50%. Every accuracy below is
# printed and plotted next to that baseline.

# %%
bars = {f"{split}\n{label}": n for split, c in counts.items() for label, n in c.items()}
helpers.plots.plot_bars(
    list(bars), list(bars.values()), ylabel="images", fmt="{:.0f}", title="Images per class and split"
)
majority = {split: max(c.values()) / sum(c.values()) for split, c in counts.items()}
MAJORITY = majority["test"]
print(f"accuracy of always predicting the largest class: validation {majority['validation']:.2f}, test {MAJORITY:.2f}")

# %% [markdown]
# ## The convolutional base of VGG16
#
# VGG16 is 13 convolutions of 3x3 in five blocks, each block ending with a 2x2 max-pooling, then a
# dense classifier. We keep the **conv base** (`include_top=False`) and drop the classifier:
# - the conv layers hold generic visual features (edges, textures, parts) that transfer to new
#   classes; the dense top encodes ImageNet's 1000 classes, which we do not want;
# - the top discards where things are in the image and needs exactly 224x224 inputs;
# - it is also most of the weights (about 124 of VGG16's 138 million).
#
# At 150x150 (full mode) the five poolings shrink the image to a 4x4 grid (150 -> 75 -> 37 -> 18 -> 9
# -> 4) of 512 features; quick mode's 72x72 gives a 2x2 grid.
#
# **Which base runs.** With `BACKBONE = None` the notebook uses VGG16 when its ImageNet weights are in
# the cache (online, the real course). When they are not (offline), it takes **Xception** instead: its
# real ImageNet conv weights are available, while a VGG16 with random weights would teach nothing
# about transfer. Xception's base ends in 2048 features per grid cell. Only the constructor and its
# `preprocess_input` change; the cell below says which base runs, and why.

# %%
vgg16_weights = helpers.imagenet_weights("vgg16")
if BACKBONE is None:  # the course's VGG16 when its ImageNet weights are here
    BACKBONE = "vgg16" if vgg16_weights.value is not None else "xception"
w = vgg16_weights if BACKBONE == "vgg16" else helpers.imagenet_weights("xception")
helpers.course.notebook.note_standin(NB, w)
if BACKBONE == "xception":
    why = (
        "VGG16's ImageNet weights are not available here, and a base with random weights shows no transfer"
        if vgg16_weights.value is None
        else 'BACKBONE = "xception" was asked for'
    )
    print(
        f"*** XCEPTION STANDS IN FOR VGG16: {why}. Same recipe; only the constructor and preprocess_input differ. ***"
    )
if w.value is None:
    print(f"*** {BACKBONE} has RANDOM weights: the accuracies below are NOT representative of transfer learning ***")

# %%
if BACKBONE == "vgg16":
    Base = keras.applications.VGG16
    preprocess = keras.applications.vgg16.preprocess_input  # RGB -> BGR, ImageNet mean subtracted
else:
    helpers.course.params.check_int("IMAGE_SIZE", IMAGE_SIZE, low=71)  # Xception's smallest input
    Base = keras.applications.Xception
    preprocess = keras.applications.xception.preprocess_input  # pixels scaled to [-1, 1]
conv_base = Base(weights=w.value, include_top=False, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
FEATURE_SHAPE = conv_base.output_shape[1:]
print(
    f"{conv_base.name} conv base: {len(conv_base.layers)} layers, {conv_base.count_params():,} "
    f"parameters, input {conv_base.input_shape[1:]} -> output {FEATURE_SHAPE}"
)

# %%
REPRESENTATIVE = BACKBONE == "vgg16" and not w.is_standin and not ds.is_standin
differences = ([] if BACKBONE == "vgg16" else ["Xception for VGG16"]) + (
    ["photo cut-outs for cats vs dogs"] if ds.is_standin else []
)
if w.value is None:
    CAVEAT = (
        f"*** NOT REPRESENTATIVE: {conv_base.name} has RANDOM weights: these numbers only show that the code runs. ***"
    )
elif differences:
    CAVEAT = (
        f"*** Not Chollet's setup ({'; '.join(differences)}): real ImageNet features, measured on THESE images. ***"
    )
else:
    CAVEAT = ""
print(CAVEAT or "VGG16 with its ImageNet weights on cats vs dogs: Chollet's setup")

# %% [markdown]
# ## Method A: fast feature extraction
#
# Run the frozen base **once** over every image and keep its outputs (a grid of feature vectors per
# image); then train a small head on those arrays. Each epoch costs almost nothing, since the
# expensive base never runs again. The price: no data augmentation (each image passes through the
# base once). Each image is preprocessed as the base was trained, with its own `preprocess_input`.

# %%
start = time.perf_counter()
train_features, train_labels = helpers.models.extract_features(conv_base, train_ds, preprocess)
val_features, val_labels = helpers.models.extract_features(conv_base, val_ds, preprocess)
test_features, test_labels = helpers.models.extract_features(conv_base, test_ds, preprocess)
extract_s = time.perf_counter() - start
print(
    f"features: train {train_features.shape}, validation {val_features.shape}, "
    f"test {test_features.shape} in {extract_s:.1f} s"
)

# %%
if train_features.shape[1:] != FEATURE_SHAPE:
    raise ValueError(
        f"features have shape {train_features.shape[1:]}, the head expects {FEATURE_SHAPE}: "
        "did you change IMAGE_SIZE without rebuilding conv_base? Run the cells from the conv base on."
    )
if len(train_features) != sum(counts["train"].values()):
    raise ValueError(
        f"{len(train_features)} training features for {sum(counts['train'].values())} "
        "images: the dataset changed; run the data cells again"
    )

# %% [markdown]
# **One head for both methods.** Global average pooling turns each feature map into its mean (one
# number per channel), then dropout and a softmax over the classes: the head of the keras.io
# transfer-learning guide and the TensorFlow tutorial, trained with Adam. Method B below puts exactly
# this head on top of the base, so the comparison of A and B changes only what it should: augmentation,
# and running the base on every image of every epoch. (Chollet's book flattens VGG16's 4x4x512
# features into a `Dense(256)` layer instead: about 2 million weights, where the pooled head has about
# a thousand; exercise 1 tries his head.)

# %%
features = keras.Input(shape=FEATURE_SHAPE, name="features")
x = keras.layers.GlobalAveragePooling2D(name="pool")(features)
x = keras.layers.Dropout(0.5, seed=SEED, name="dropout")(x)
outputs = keras.layers.Dense(len(CLASS_NAMES), activation="softmax", name="classifier")(x)
head = keras.Model(features, outputs, name="head")
head.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
print(f"head: {head.count_params():,} parameters")


# %% [markdown]
# To compare the cost of the two methods we time every epoch with a small Keras callback. The first
# epoch of a `fit` also traces and compiles the training step, a one-time cost, so the comparison
# below uses the later epochs.

# %%
class EpochTimer(keras.callbacks.Callback):
    """Seconds per epoch (training and validation), in `self.seconds`."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


# %%
timer_a = EpochTimer()
history_a = head.fit(
    train_features,
    train_labels,
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    validation_data=(val_features, val_labels),
    callbacks=[timer_a],
    verbose=2,
)

# %%
fig = helpers.plots.plot_history(history_a, title=f"A: head on cached {conv_base.name} features")
fig.axes[0].axhline(majority["validation"], color="grey", linestyle=":", label="always the largest class")
fig.axes[0].legend(fontsize=8)
print(CAVEAT)

# %% [markdown]
# ## Method B: the frozen base inside the model, with augmentation
#
# Now the base becomes a layer of the model: images go in, augmentation (random flips, rotations,
# zooms) makes every epoch see new variants, and the base runs on every image of every epoch.
# Slower, but augmentation fights overfitting on small data. This is the helper that builds it; its
# head (pooling, dropout, softmax) has the same layers as method A's, freshly initialised:

# %%
helpers.plots.show_source(helpers.models.transfer_model)

# %% [markdown]
# **Freezing** (`base.trainable = False`) must happen before `compile`: otherwise the first gradient
# steps of a random head would flow into the base and wreck its pretrained features. The counts show
# what freezing does:

# %%
base_weights_before = len(conv_base.trainable_weights)
print(
    f"conv base before freezing: {len(conv_base.trainable_weights)} trainable weight tensors, "
    f"{helpers.models.count_params(conv_base)[0]:,} trainable parameters"
)
model = helpers.models.transfer_model(
    conv_base, len(CLASS_NAMES), preprocess=preprocess, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), seed=SEED
)
print(
    f"conv base after freezing:  {len(conv_base.trainable_weights)} trainable weight tensors, "
    f"{helpers.models.count_params(conv_base)[0]:,} trainable parameters"
)
trainable_b, frozen_b = helpers.models.count_params(model)
print(f"whole model: {trainable_b:,} trainable (the new head, as in A: {head.count_params():,}), {frozen_b:,} frozen")

# %%
if conv_base.trainable_weights:
    raise ValueError(
        f"the {conv_base.name} base still has trainable weights: set conv_base.trainable = False "
        "before compile, or training will destroy its pretrained features"
    )

# %%
model.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
timer_b = EpochTimer()
history_b = model.fit(train_ds, epochs=EPOCHS, validation_data=val_ds, callbacks=[timer_b], verbose=2)

# %%
fig = helpers.plots.plot_history(history_b, title=f"B: frozen {conv_base.name} base + augmentation, end to end")
fig.axes[0].axhline(majority["validation"], color="grey", linestyle=":", label="always the largest class")
fig.axes[0].legend(fontsize=8)
print(CAVEAT)


# %% [markdown]
# ## What each method costs, measured
#
# Both epochs include a validation pass. A pays once for the features (`extract_s` above), then
# each epoch is nearly free; B pays for the whole base on every image, every epoch. Per-epoch times
# are the median over the epochs after the first (the first one also builds the graph).

# %%
def steady(seconds):  # the first epoch includes the one-time tracing: leave it out when we can
    return float(np.median(seconds[1:] if len(seconds) > 1 else seconds))


a_epoch_s, b_epoch_s = steady(timer_a.seconds), steady(timer_b.seconds)
helpers.plots.plot_bars(
    ["A: cached features", "B: end to end"],
    [a_epoch_s, b_epoch_s],
    ylabel="seconds per epoch",
    fmt="{:.2f} s",
    title=f"One epoch, {sum(counts['train'].values())} training images",
)
print(
    f"B costs {b_epoch_s / a_epoch_s:.0f}x more per epoch than A"
    + (
        f" (epochs 2-{EPOCHS}; the first took A {timer_a.seconds[0]:.1f} s, B {timer_b.seconds[0]:.1f} s "
        "with the one-time tracing)"
        if EPOCHS > 1
        else " (one epoch only: its time includes the one-time tracing)"
    )
    + f"; A's one-time feature extraction took {extract_s:.1f} s"
)

# %% [markdown]
# ## Evaluate once on the test set
#
# Both models see the held-out test images for the first time.

# %%
test_acc_a = head.evaluate(test_features, test_labels, verbose=0)[1]
test_images = np.concatenate([x for x, _ in test_ds])
y_test = np.concatenate([y for _, y in test_ds])
probs_b = model.predict(test_images, verbose=0)
test_acc_b = float((probs_b.argmax(1) == y_test).mean())
helpers.plots.plot_bars(
    ["A: head on cached features", "B: end to end + augmentation", "always the largest class"],
    [test_acc_a, test_acc_b, MAJORITY],
    ylabel="test accuracy",
    fmt="{:.1%}",
    title=f"{len(y_test)} test images",
)
print(f"test accuracy: A {test_acc_a:.3f}, B {test_acc_b:.3f}, always the largest class {MAJORITY:.3f}")
print(CAVEAT or "Chollet reports ~90% (A, with his Flatten + Dense(256) head) and ~96% (B) on cats vs dogs")

# %% [markdown]
# A **confusion matrix** (rows: true class, columns: predicted) shows *which* mistakes the end-to-end
# model makes, and whether it simply predicts one class for everything.

# %%
confusion = helpers.plots.confusion_matrix(y_test, probs_b.argmax(1), len(CLASS_NAMES))
helpers.plots.plot_confusion(confusion, CLASS_NAMES, title="B on the test set");

# %% [markdown]
# The **most confidently wrong** test images are worth a look: a wrong label in the data, an odd
# photo, or a real weakness of the model.

# %%
wrong = np.flatnonzero(probs_b.argmax(1) != y_test)
worst = wrong[np.argsort(-probs_b[wrong].max(1))][:8]
if len(worst):
    helpers.plots.show_images(
        test_images[worst],
        [
            f"true {CLASS_NAMES[y_test[i]]}\npredicted {CLASS_NAMES[probs_b[i].argmax()]} {probs_b[i].max():.0%}"
            for i in worst
        ],
        ncols=4,
    )
else:
    print("no test image is misclassified")
print(f"{len(wrong)} of {len(y_test)} test images wrong. {CAVEAT}")

# %% [markdown]
# ## Save the model for notebook 03
#
# Notebook 03 continues from here: it unfreezes the top of the base and fine-tunes. The `.keras`
# file holds the whole model (augmentation, preprocessing, base and head). Next to it goes a small
# JSON record of how it was made: base, weights, image size, classes, data, mode, and the training
# history. Notebook 03 reads it, continues the epoch count where this training stopped, and refuses
# a model made for other settings (say, a quick-mode model in a full-mode run).

# %%
MODEL_PATH = runner.BUILD / "models" / "02_transfer.keras"
RECORD_PATH = MODEL_PATH.with_suffix(".json")
MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
model.save(MODEL_PATH)
provenance = {
    "notebook": NB,
    "quick": QUICK,
    "backbone": BACKBONE,
    "weights": "random" if w.value is None else f"imagenet ({w.source})",
    "image_size": IMAGE_SIZE,
    "class_names": CLASS_NAMES,
    "dataset": f"{ds.what} ({ds.source})",
    "train_counts": counts["train"],
    "keras": keras.__version__,
    "history": {key: [float(v) for v in values] for key, values in history_b.history.items()},
}
RECORD_PATH.write_text(json.dumps(provenance, indent=1))
reloaded = keras.saving.load_model(MODEL_PATH)
same = np.allclose(reloaded.predict(test_images[:4], verbose=0), probs_b[:4], atol=1e-5)
print(
    f"saved {MODEL_PATH.relative_to(runner.ROOT)} ({MODEL_PATH.stat().st_size / 1e6:.0f} MB) and "
    f"{RECORD_PATH.name}; the reloaded model gives the same predictions: {same}"
)

# %% [markdown]
# ## The saved model on one image
#
# What a user of the model does: give it one image file, get a label and a confidence.
# `helpers.plots.plot_prediction` reads the file, resizes it to the size the model expects (from
# `model.input_shape`), predicts, and shows the image with the answer. Put the path of your own photo
# in `image_file`.

# %%
image_file = helpers.data.list_images(ROOT / "test" / CLASS_NAMES[-1])[0]  # or "path/to/your/photo.jpg"
label, confidence, _ = helpers.plots.plot_prediction(reloaded, image_file, CLASS_NAMES)
print(f"{image_file.name}: {label}, {confidence:.0%} confident (its folder says {CLASS_NAMES[-1]}). {CAVEAT}")

# %%
helpers.course.metrics.record(
    NB,
    representative=REPRESENTATIVE,
    backbone=BACKBONE,
    real_weights=w.value is not None,
    weights_source=w.source,
    class_names=CLASS_NAMES,
    counts=counts,
    image_size=IMAGE_SIZE,
    epochs=EPOCHS,
    feature_shape=list(FEATURE_SHAPE),
    train_features_shape=list(train_features.shape),
    head_params=head.count_params(),
    extract_seconds=extract_s,
    a_seconds_per_epoch=a_epoch_s,
    b_seconds_per_epoch=b_epoch_s,
    a_epoch_seconds=timer_a.seconds,
    b_epoch_seconds=timer_b.seconds,
    a_val_accuracy=history_a.history["val_accuracy"],
    b_val_accuracy=history_b.history["val_accuracy"],
    a_test_accuracy=test_acc_a,
    b_test_accuracy=test_acc_b,
    majority_baseline=MAJORITY,
    majority_by_split=majority,
    confusion=confusion,
    n_test=len(y_test),
    base_trainable_weights_before=base_weights_before,
    base_trainable_weights_after=len(conv_base.trainable_weights),
    b_trainable_params=trainable_b,
    b_frozen_params=frozen_b,
    model_path=str(MODEL_PATH.relative_to(runner.ROOT)),
    record_path=str(RECORD_PATH.relative_to(runner.ROOT)),
    reloaded_same_predictions=bool(same),
    prediction={"file": image_file.name, "label": label, "confidence": confidence},
);

# %% [markdown]
# ## Exercises
#
# 1. **Chollet's head.** On the cached features, train the head of Chollet's book instead of the
#    pooled one: `Flatten` + `Dense(256, relu)` + `Dropout(0.5)` + softmax
#    (`helpers.models.dense_head` builds it). How many more parameters does it have, and what happens
#    to validation accuracy? Check your head with `ex.q2.check(chollet_head, feature_shape=FEATURE_SHAPE)`.
# 2. **Another backbone.** Run method A with the other base: Xception if this run used VGG16, else
#    VGG16 (mind each one's own `preprocess_input`). Offline, VGG16 has random weights: comparing it
#    with Xception's ImageNet features shows what pretraining buys. Then build method B's model on that
#    base and check it with `ex.q1.check(model)`.
# 3. **Your own image.** Classify a photo of your own with `helpers.plots.plot_prediction(reloaded,
#    "path/to/photo.jpg", CLASS_NAMES)`. What does a two-class model answer for a photo of neither
#    class?
#
# Solutions are in the hidden cells below (click to expand); try first.

# %%
from helpers.exercises import nb02 as ex  # ex.q1 / ex.q2: .check(answer), .hint(), .solution()

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution 1: Chollet's head flattens the whole feature grid into Dense(256).
chollet_head = helpers.models.dense_head(FEATURE_SHAPE, len(CLASS_NAMES))  # Flatten, Dense(256), Dropout, softmax
chollet_head.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
head_ok = ex.q2.check(chollet_head, feature_shape=FEATURE_SHAPE)
h = chollet_head.fit(
    train_features,
    train_labels,
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    validation_data=(val_features, val_labels),
    verbose=0,
)
print(
    f"pooled head:          {head.count_params():>10,} parameters, validation accuracy "
    f"{history_a.history['val_accuracy'][-1]:.3f}\n"
    f"Flatten + Dense(256): {chollet_head.count_params():>10,} parameters "
    f"({chollet_head.count_params() / head.count_params():,.0f}x more), validation accuracy "
    f"{h.history['val_accuracy'][-1]:.3f}  (always the largest class: {majority['validation']:.3f})  {CAVEAT}"
)
# With that many weights per image dropout matters; Chollet also trains it slowly (RMSprop, 2e-5).

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution 2: the same recipe on the other base; each base has its own preprocess_input.
OTHER = "xception" if BACKBONE == "vgg16" else "vgg16"
if OTHER == "xception" and IMAGE_SIZE < 71:
    raise ValueError(f"Xception needs images of at least 71 pixels; IMAGE_SIZE is {IMAGE_SIZE}")
w_other = helpers.imagenet_weights(OTHER)
print(w_other)
other_base = (keras.applications.Xception if OTHER == "xception" else keras.applications.VGG16)(
    weights=w_other.value, include_top=False, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3)
)
prep_other = (keras.applications.xception if OTHER == "xception" else keras.applications.vgg16).preprocess_input
fo_train, yo_train = helpers.models.extract_features(other_base, train_ds, prep_other)
fo_test, yo_test = helpers.models.extract_features(other_base, test_ds, prep_other)
other_inputs = keras.Input(fo_train.shape[1:])  # the same pooled head as method A
x = keras.layers.Dropout(0.5, seed=SEED)(keras.layers.GlobalAveragePooling2D()(other_inputs))
other_head = keras.Model(other_inputs, keras.layers.Dense(len(CLASS_NAMES), activation="softmax")(x))
other_head.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
other_head.fit(fo_train, yo_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
other_test_acc = other_head.evaluate(fo_test, yo_test, verbose=0)[1]
print(
    f"method A, test accuracy: {other_base.name} {other_test_acc:.3f} "
    f"({'RANDOM' if w_other.value is None else 'ImageNet'} weights), {conv_base.name} {test_acc_a:.3f} "
    f"({'RANDOM' if w.value is None else 'ImageNet'} weights); always the largest class {MAJORITY:.3f}"
)
# Method B on that base: the same helper, another base and its own preprocessing (not trained here).
other_model = helpers.models.transfer_model(
    other_base, len(CLASS_NAMES), preprocess=prep_other, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), seed=SEED
)
model_ok = ex.q1.check(other_model)
helpers.course.metrics.record(
    NB,
    other_backbone=OTHER,
    other_real_weights=w_other.value is not None,
    other_test_accuracy=other_test_acc,
    exercise_checks={"q1": model_ok, "q2": head_ok},
);

# %% jupyter={"source_hidden": true} tags=["solution"]
# Solution 3: any RGB image, a file path or an array; here a coffee mug, neither class.
mug = helpers.data.sample_photos()["coffee mug"]
label, confidence, _ = helpers.plots.plot_prediction(reloaded, mug, CLASS_NAMES, title="a coffee mug")
print(
    f"a coffee mug -> {label} ({confidence:.0%}). A classifier always answers with one of its classes; "
    f"its confidence is not a measure of whether the image belongs to any of them. {CAVEAT}"
)
