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

# %% [markdown] slideshow={"slide_type": "subslide"}
# 3. train the same small head two ways, and measure the difference in cost:
#    **A**, fast: run the frozen base once, cache its features, train the head on them
#    (Chollet reports ~90% validation accuracy);
#    **B**, end to end: the frozen base inside the model, with data augmentation (Chollet reports
#    ~96%, and calls it "intractable on CPU");
# 4. evaluate on a held-out test set (accuracy against the majority-class baseline, confusion matrix,
#    the most confident mistakes), save the model for notebook 03, and classify one image file with it.

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
# (at most 50 training images per class at 72x72 pixels, 5 epochs: a minute or two on a laptop CPU);
# `QUICK = False` is the real course (all 2000 training images at 150x150, 3 epochs; on a laptop CPU
# each epoch of method B takes one to three minutes, on a GPU a few seconds). `None` means "the default
# for the mode" (or, for `BACKBONE`, "VGG16 if its weights are here").

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
QUICK = None  # True: small data, few epochs; False: the real course; None: quick when COURSE_QUICK is 1 (CI, make run)
SEED = 42
BACKBONE = None  # "vgg16" or "xception"; None: VGG16 if its ImageNet weights are here, else Xception
IMAGE_SIZE = None  # pixels per side: quick 72, full 150 as in Chollet's book (notebook 03 uses the same)
EPOCHS = None  # quick 5, full 3: a CPU budget (TensorFlow's tutorial: 10; Chollet's book: 30, on a GPU)
TRAIN_PER_CLASS = None  # training images per class: quick 50, full all (1000)
EVAL_PER_CLASS = None  # validation and test images per class: quick 25, full all (250 each)
BATCH_SIZE = 20
LEARNING_RATE = 1e-3  # Adam, for the new head
PRECISION = None  # "float32", "mixed_bfloat16" or "mixed_float16"; None: the fastest this machine has natively

# %% [markdown] slideshow={"slide_type": "skip"}
# The next cell prepares the run: it fills in the parameters left at `None`, fixes the random seeds,
# and gets the data and the pretrained weights (downloaded once into the Keras cache). Offline, it
# says which of them are stand-ins, once.

# %% slideshow={"slide_type": "skip"} tags=["setup"]
import helpers

course = helpers.course.setup("02_vgg16_feature_extraction", globals())

# %% slideshow={"slide_type": "fragment"}
import time

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

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
# ## The data, and a test set we keep for the end
#
# `cats_and_dogs_filtered` has 1000 cats and 1000 dogs for training and 500 + 500 for validation,
# but **no test folder**. Validation accuracy guides our choices (epochs, head, learning rate), so it
# is no longer an honest estimate; `helpers` therefore splits the validation images 50/50, per class
# and seeded, into `validation/` and `test/`. We look at the test set once, at the end.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Misconception: "validation accuracy is the result". We choose on the validation set and touch the test set once, at the end. Point at the majority-class baseline printed next to every accuracy.

# %% slideshow={"slide_type": "fragment"}
ROOT = course.data  # train/, validation/ and test/, one sub-folder per class
counts = {split: helpers.data.class_counts(ROOT / split) for split in ("train", "validation", "test")}
helpers.plots.print_table([{"split": s, **c, "total": sum(c.values())} for s, c in counts.items()])


# %% [markdown] slideshow={"slide_type": "subslide"}
# **Load with `tf.data`.** `image_dataset_from_directory` reads one sub-folder per class, decodes and
# resizes. `.cache()` keeps the decoded images in memory after the first pass, so later epochs skip
# the JPEG work; augmentation (in method B) happens *after* the cache, inside the model, so every
# epoch still sees new variants. `.prefetch` prepares the next batch while the current one trains.

# %% slideshow={"slide_type": "fragment"}
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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Look at the data first
#
# A few training images with their labels: do the labels look right, are the images what we expect?

# %% slideshow={"slide_type": "fragment"}
images, labels = next(iter(train_ds))
helpers.plots.show_images(images[:8], [CLASS_NAMES[i] for i in labels[:8]], ncols=4);

# %% [markdown] slideshow={"slide_type": "subslide"}
# And the class balance: with unequal classes, accuracy must be compared with the share of the
# largest class (what "always predict the majority" scores), not with 50%. Every accuracy below is
# printed and plotted next to that baseline.

# %% slideshow={"slide_type": "fragment"}
bars = {f"{split}\n{label}": n for split, c in counts.items() for label, n in c.items()}
helpers.plots.plot_bars(
    list(bars), list(bars.values()), ylabel="images", fmt="{:.0f}", title="Images per class and split"
)
majority = {split: max(c.values()) / sum(c.values()) for split, c in counts.items()}
MAJORITY = majority["test"]
print(f"accuracy of always predicting the largest class: validation {majority['validation']:.2f}, test {MAJORITY:.2f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The convolutional base of VGG16
#
# VGG16 is 13 convolutions of 3x3 in five blocks, each block ending with a 2x2 max-pooling, then a
# dense classifier. We keep the **conv base** (`include_top=False`) and drop the classifier:
# - the conv layers hold generic visual features (edges, textures, parts) that transfer to new
#   classes; the dense top encodes ImageNet's 1000 classes, which we do not want;
# - the top discards where things are in the image and needs exactly 224x224 inputs;
# - it is also most of the weights (about 124 of VGG16's 138 million).

# %% [markdown] slideshow={"slide_type": "subslide"}
# At 150x150 (full mode) the five poolings shrink the image to a 4x4 grid (150 -> 75 -> 37 -> 18 -> 9
# -> 4) of 512 features; quick mode's 72x72 gives a 2x2 grid.
#
# **The weights.** `WEIGHTS` is `"imagenet"`: Keras downloads VGG16's ImageNet weights once into its
# cache. Offline, where they are missing, the setup above chose Xception, whose real ImageNet conv
# weights a package ships (a VGG16 with random weights would show no transfer at all): only the
# constructor and its `preprocess_input` change, and its base ends in 2048 features per grid cell.

# %% slideshow={"slide_type": "fragment"}
WEIGHTS = course.weights
if BACKBONE == "vgg16":
    conv_base = keras.applications.VGG16(weights=WEIGHTS, include_top=False, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
    preprocess_input = keras.applications.vgg16.preprocess_input  # RGB -> BGR, ImageNet mean subtracted
else:  # the offline stand-in
    conv_base = keras.applications.Xception(weights=WEIGHTS, include_top=False, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
    preprocess_input = keras.applications.xception.preprocess_input  # pixels scaled to [-1, 1]
FEATURE_SHAPE = conv_base.output_shape[1:]
print(
    f"{conv_base.name} conv base: {len(conv_base.layers)} layers, {conv_base.count_params():,} "
    f"parameters, input {conv_base.input_shape[1:]} -> output {FEATURE_SHAPE}"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Chollet's first look at a base is its summary: every layer, the shape it outputs, its parameters. Watch
# the grid shrink at each pooling while the channels grow (VGG16: 19 layers; the offline Xception: 132).

# %% slideshow={"slide_type": "fragment"}
conv_base.summary()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Method A: fast feature extraction
#
# Run the frozen base **once** over every image and keep its outputs (a grid of feature vectors per
# image); then train a small head on those arrays. Each epoch costs almost nothing, since the
# expensive base never runs again. The price: no data augmentation (each image passes through the
# base once). Each image is preprocessed as the base was trained, with its own `preprocess_input`.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Method A runs the conv base once per image, then the head trains in seconds. Ask: why can method A not augment? (Exercise 3.) In full mode feature extraction takes a few minutes on a laptop CPU: start it, then talk.

# %% slideshow={"slide_type": "fragment"}
def get_features_and_labels(dataset):
    all_features, all_labels = [], []
    for images, labels in tqdm(dataset, desc=f"{conv_base.name} features", unit="batch"):
        preprocessed_images = preprocess_input(images)
        features = conv_base.predict_on_batch(preprocessed_images)  # predict() per batch: ~10% slower
        all_features.append(features)
        all_labels.append(labels)
    return np.concatenate(all_features), np.concatenate(all_labels)


start = time.perf_counter()
train_features, train_labels = get_features_and_labels(train_ds)
val_features, val_labels = get_features_and_labels(val_ds)
test_features, test_labels = get_features_and_labels(test_ds)
extract_s = time.perf_counter() - start
print(
    f"features: train {train_features.shape}, validation {val_features.shape}, "
    f"test {test_features.shape} in {extract_s:.1f} s"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **One head for both methods.** Global average pooling turns each feature map into its mean (one
# number per channel), then dropout and a softmax over the classes: the head of the keras.io
# transfer-learning guide and the TensorFlow tutorial, trained with Adam. Method B below puts exactly
# this head on top of the base, so the comparison of A and B changes only what it should: augmentation,
# and running the base on every image of every epoch. (Chollet's book flattens VGG16's 4x4x512
# features into a `Dense(256)` layer instead: about 2 million weights, where the pooled head has about
# a thousand; exercise 1 tries his head.)

# %% slideshow={"slide_type": "fragment"}
features = keras.Input(shape=FEATURE_SHAPE, name="features")
x = keras.layers.GlobalAveragePooling2D(name="pool")(features)
x = keras.layers.Dropout(0.5, seed=SEED, name="dropout")(x)
outputs = keras.layers.Dense(len(CLASS_NAMES), activation="softmax", dtype="float32", name="classifier")(x)
head = keras.Model(features, outputs, name="head")
head.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
print(f"head: {head.count_params():,} parameters")


# %% [markdown] slideshow={"slide_type": "subslide"}
# To compare the cost of the two methods we time every epoch with a small Keras callback. The first
# epoch of a `fit` also traces and compiles the training step, a one-time cost, so the comparison
# below uses the later epochs.

# %% slideshow={"slide_type": "fragment"}
class EpochTimer(keras.callbacks.Callback):
    """Seconds per epoch (training and validation), in `self.seconds`."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


# %% slideshow={"slide_type": "fragment"}
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

# %% slideshow={"slide_type": "fragment"}
fig = helpers.plots.plot_history(history_a, title=f"A: head on cached {conv_base.name} features")
fig.axes[0].axhline(majority["validation"], color="grey", linestyle=":", label="always the largest class")
fig.axes[0].legend(fontsize=8);

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Method B: the frozen base inside the model, with augmentation
#
# Now the base becomes a layer of the model: images go in, augmentation (random flips, rotations,
# zooms) makes every epoch see new variants, and the base runs on every image of every epoch.
# Slower, but augmentation fights overfitting on small data. First the augmentation, as Keras
# preprocessing layers (active only during training):

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Keras 3 pitfall: `conv_base.trainable = False` is what keeps a base frozen, BatchNormalization included; `training=False` in the call is the guides' idiom, but `fit` overrides it. VGG16 has no BatchNormalization, so both work here; notebook 03 shows where it matters.

# %% slideshow={"slide_type": "fragment"}
data_augmentation = keras.Sequential(
    [
        keras.layers.RandomFlip("horizontal", seed=SEED),
        keras.layers.RandomRotation(0.1, seed=SEED),
        keras.layers.RandomZoom(0.2, seed=SEED),
    ],
    name="augmentation",
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# What the model will see: the first training image, augmented eight times. The layers change images
# only when called with `training=True`, as `fit` does; at evaluation and prediction they pass them
# through unchanged.

# %% slideshow={"slide_type": "fragment"}
augmented = [data_augmentation(images[:1], training=True)[0] for _ in range(8)]
helpers.plots.show_images(augmented, [f"{CLASS_NAMES[labels[0]]}, view {i + 1}" for i in range(8)], ncols=4);

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Freezing** (`conv_base.trainable = False`) must happen before `compile`: otherwise the first
# gradient steps of a random head would flow into the base and wreck its pretrained features. The
# number of trainable weight tensors shows what freezing does:

# %% slideshow={"slide_type": "fragment"}
base_weights_before = len(conv_base.trainable_weights)
print("trainable weight tensors before freezing the conv base:", base_weights_before)
conv_base.trainable = False
print("trainable weight tensors after freezing the conv base:", len(conv_base.trainable_weights))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The model: augmentation, the base's own `preprocess_input`, the frozen base (called with
# `training=False`, the Keras guides' idiom), and the same head as method A (pooling, dropout,
# softmax), freshly initialised. Notebooks 03 and 04 build this same model with one call,
# `helpers.models.transfer_model(conv_base, num_classes, preprocess=..., input_shape=...)`.

# %% slideshow={"slide_type": "fragment"}
inputs = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
x = data_augmentation(inputs)
x = preprocess_input(x)
x = conv_base(x, training=False)
x = keras.layers.GlobalAveragePooling2D()(x)
x = keras.layers.Dropout(0.5, seed=SEED)(x)
outputs = keras.layers.Dense(len(CLASS_NAMES), activation="softmax", dtype="float32")(x)
model = keras.Model(inputs, outputs)
trainable_b, frozen_b = helpers.models.count_params(model)
print(f"{trainable_b:,} trainable parameters (the new head, as in A: {head.count_params():,}), {frozen_b:,} frozen")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Before training, measure where we start: with a random head, validation accuracy is about what
# guessing scores. Whatever training adds is measured from here.

# %% slideshow={"slide_type": "fragment"}
model.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
untrained = model.evaluate(val_ds, verbose=0, return_dict=True)
print(f"before training: validation accuracy {untrained['accuracy']:.3f}, loss {untrained['loss']:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Two callbacks keep the best epoch rather than the last: `EarlyStopping` stops when the validation loss
# has not improved for 2 epochs and restores the best epoch's weights, and `ModelCheckpoint` saves the
# model of that epoch, the file notebook 03 continues from. The test set below is then evaluated on the
# best epoch's model, chosen on validation data only.

# %% slideshow={"slide_type": "fragment"}
MODEL_PATH = course.model_path  # build/models/02_transfer.keras
timer_b = EpochTimer()
callbacks = [
    timer_b,
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True),
    keras.callbacks.ModelCheckpoint(MODEL_PATH, monitor="val_loss", save_best_only=True),
]
history_b = model.fit(train_ds, epochs=EPOCHS, validation_data=val_ds, callbacks=callbacks, verbose=2)
best_epoch = int(np.argmin(history_b.history["val_loss"])) + 1
print(f"{len(history_b.history['loss'])} of {EPOCHS} epochs run; the best validation loss came at epoch {best_epoch}")

# %% slideshow={"slide_type": "fragment"}
fig = helpers.plots.plot_history(history_b, title=f"B: frozen {conv_base.name} base + augmentation, end to end")
fig.axes[0].axhline(majority["validation"], color="grey", linestyle=":", label="always the largest class")
fig.axes[0].legend(fontsize=8);


# %% [markdown] slideshow={"slide_type": "slide"}
# ## What each method costs, measured
#
# Both epochs include a validation pass. A pays once for the features (`extract_s` above), then
# each epoch is nearly free; B pays for the whole base on every image, every epoch. Per-epoch times
# are the median over the epochs after the first (the first one also builds the graph).

# %% slideshow={"slide_type": "fragment"}
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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Evaluate once on the test set
#
# Both models see the held-out test images for the first time.

# %% slideshow={"slide_type": "fragment"}
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

# %% [markdown] slideshow={"slide_type": "subslide"}
# A **confusion matrix** (rows: true class, columns: predicted) shows *which* mistakes the end-to-end
# model makes, and whether it simply predicts one class for everything.

# %% slideshow={"slide_type": "fragment"}
confusion = helpers.plots.confusion_matrix(y_test, probs_b.argmax(1), len(CLASS_NAMES))
helpers.plots.plot_confusion(confusion, CLASS_NAMES, title="B on the test set");

# %% [markdown] slideshow={"slide_type": "subslide"}
# The **most confidently wrong** test images are worth a look: a wrong label in the data, an odd
# photo, or a real weakness of the model.

# %% slideshow={"slide_type": "fragment"}
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
print(f"{len(wrong)} of {len(y_test)} test images wrong")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Save the model for notebook 03
#
# Notebook 03 continues from here: it unfreezes the top of the base and fine-tunes. The `.keras`
# file holds the whole model (augmentation, preprocessing, base and head). Next to it goes a small
# JSON record of how it was made: base, weights, image size, classes, data, mode, and the training
# history. Notebook 03 reads it, continues the epoch count where this training stopped, and refuses
# a model made for other settings (say, a quick-mode model in a full-mode run).

# %% slideshow={"slide_type": "fragment"}
# ModelCheckpoint saved the best epoch's model to MODEL_PATH during training; the record goes next to it.
course.save_record(model, history_b)  # 02_transfer.json: what notebook 03 checks before reusing the model

# %% slideshow={"slide_type": "fragment"}
reloaded = keras.saving.load_model(MODEL_PATH)
same = np.allclose(reloaded.predict(test_images[:4], verbose=0), probs_b[:4], atol=1e-5)
print(f"the reloaded model gives the same predictions: {same}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The saved model on one image
#
# What a user of the model does: give it one image file, get a label and a confidence.
# `helpers.plots.plot_prediction` reads the file, resizes it to the size the model expects (from
# `model.input_shape`), predicts, and shows the image with the answer. Put the path of your own photo
# in `image_file`.

# %% slideshow={"slide_type": "fragment"}
image_file = helpers.data.list_images(ROOT / "test" / CLASS_NAMES[-1])[0]  # or "path/to/your/photo.jpg"
label, confidence, _ = helpers.plots.plot_prediction(reloaded, image_file, CLASS_NAMES)
print(f"{image_file.name}: {label}, {confidence:.0%} confident (its folder says {CLASS_NAMES[-1]})")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# 1. **Another backbone.** Run method A with the other base: Xception if this run used VGG16, else
#    VGG16 (mind each one's own `preprocess_input`). Offline, VGG16 has random weights: comparing it
#    with Xception's ImageNet features shows what pretraining buys. Then build method B's model on that
#    base, `other_model`.
# 2. **Chollet's head.** On the cached features, train the head of Chollet's book instead of the
#    pooled one: `Flatten` + `Dense(256, relu)` + `Dropout(0.5)` + softmax
#    (`helpers.models.dense_head` builds it). How many more parameters does it have, and what happens
#    to validation accuracy? Build it as `chollet_head`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# 3. **Reasoning.** Why can method A (features computed once, then cached) not use data augmentation as
#    it is written?
#    (a) Augmentation layers work only inside a Sequential model.
#    (b) Each augmented view needs its own pass through the conv base; method A made one pass per image.
#    (c) Cached features are stored as float16 and cannot be flipped.
#    (d) It can: flip and rotate the cached feature maps instead.
# 4. **Your own image.** Classify a photo of your own with `helpers.plots.plot_prediction(reloaded,
#    "path/to/photo.jpg", CLASS_NAMES)`. What does a two-class model answer for a photo of neither
#    class?

# %% [markdown] slideshow={"slide_type": "subslide"}
# Each exercise has a cell for your answer: write your code above its last lines, replace every
# blank `____`, and run it; `ex.q1.check()` reads your variable and says what is right or what to fix.
# `ex.q1.hint()` gives a nudge and `ex.q1.solution()` the answer.
#
# Solutions are in the hidden cells below (click to expand); try first.

# %% slideshow={"slide_type": "skip"}
from helpers.exercises import ____
from helpers.exercises import nb02 as ex

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 1: the other base (OTHER = "xception" if BACKBONE == "vgg16" else "vgg16"), frozen, in
# method B's model with its own preprocess_input and a new 2-class head.
other_model = ____
ex.q1.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 1: the same recipe on the other base; each base has its own preprocess_input.
OTHER = "xception" if BACKBONE == "vgg16" else "vgg16"
if OTHER == "xception" and IMAGE_SIZE < 71:
    raise ValueError(f"Xception needs images of at least 71 pixels; IMAGE_SIZE is {IMAGE_SIZE}")
other_weights = helpers.imagenet_weights(OTHER)  # online "imagenet"; offline, a labelled stand-in
print(other_weights)
Other = keras.applications.Xception if OTHER == "xception" else keras.applications.VGG16
other_base = Other(weights=other_weights.value, include_top=False, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
prep_other = (keras.applications.xception if OTHER == "xception" else keras.applications.vgg16).preprocess_input
fo_train, yo_train = helpers.models.extract_features(other_base, train_ds, prep_other)
fo_test, yo_test = helpers.models.extract_features(other_base, test_ds, prep_other)
other_inputs = keras.Input(fo_train.shape[1:])  # the same pooled head as method A
x = keras.layers.Dropout(0.5, seed=SEED)(keras.layers.GlobalAveragePooling2D()(other_inputs))
other_head = keras.Model(other_inputs, keras.layers.Dense(len(CLASS_NAMES), activation="softmax", dtype="float32")(x))
other_head.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
other_head.fit(fo_train, yo_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
other_test_acc = other_head.evaluate(fo_test, yo_test, verbose=0)[1]
print(
    f"method A, test accuracy: {other_base.name} {other_test_acc:.3f} "
    f"({'RANDOM' if other_weights.value is None else 'ImageNet'} weights), {conv_base.name} {test_acc_a:.3f} "
    f"({'RANDOM' if WEIGHTS is None else 'ImageNet'} weights); always the largest class {MAJORITY:.3f}"
)
# Method B on that base: the same helper, another base and its own preprocessing (not trained here).
other_model = helpers.models.transfer_model(
    other_base, len(CLASS_NAMES), preprocess=prep_other, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), seed=SEED
)
model_ok = ex.q1.check()

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 2: Flatten + Dense(256, relu) + Dropout(0.5) + softmax, on inputs of FEATURE_SHAPE.
chollet_head = ____
ex.q2.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 2: Chollet's head flattens the whole feature grid into Dense(256).
chollet_head = helpers.models.dense_head(FEATURE_SHAPE, len(CLASS_NAMES))  # Flatten, Dense(256), Dropout, softmax
chollet_head.compile(
    optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
head_ok = ex.q2.check()
h = chollet_head.fit(train_features, train_labels, epochs=EPOCHS, validation_data=(val_features, val_labels), verbose=0)
print(
    f"pooled head:          {head.count_params():>10,} parameters, validation accuracy "
    f"{history_a.history['val_accuracy'][-1]:.3f}\n"
    f"Flatten + Dense(256): {chollet_head.count_params():>10,} parameters "
    f"({chollet_head.count_params() / head.count_params():,.0f}x more), validation accuracy "
    f"{h.history['val_accuracy'][-1]:.3f}  (always the largest class: {majority['validation']:.3f})"
)
# With that many weights per image dropout matters; Chollet also trains it slowly (RMSprop, 2e-5).

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 3: your choice, "a", "b", "c" or "d"
choice = ____
ex.q3.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 3: (b). Augmentation must happen before the conv base, so each view costs a pass through it.
choice = "b"
ex.q3.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 4: any RGB image, a file path or an array; here a coffee mug, neither class.
mug = helpers.data.sample_photos()["coffee mug"]
label, confidence, _ = helpers.plots.plot_prediction(reloaded, mug, CLASS_NAMES, title="a coffee mug")
print(
    f"a coffee mug -> {label} ({confidence:.0%}). A classifier always answers with one of its classes; "
    f"its confidence is not a measure of whether the image belongs to any of them."
)

# %% slideshow={"slide_type": "skip"} tags=["metrics"]
course.record(
    precision=keras.mixed_precision.global_policy().name,
    train_features_shape=list(train_features.shape),
    head_params=head.count_params(),
    extract_seconds=extract_s,
    a_epoch_seconds=timer_a.seconds,
    b_epoch_seconds=timer_b.seconds,
    a_val_accuracy=history_a.history["val_accuracy"],
    b_val_accuracy=history_b.history["val_accuracy"],
    b_untrained_val_accuracy=untrained["accuracy"],
    b_best_epoch=best_epoch,
    a_test_accuracy=test_acc_a,
    b_test_accuracy=test_acc_b,
    confusion=confusion,
    base_trainable_weights=[base_weights_before, len(conv_base.trainable_weights)],
    b_params=[trainable_b, frozen_b],
    reloaded_same_predictions=bool(same),
    prediction={"file": image_file.name, "label": label, "confidence": confidence},
    other_backbone=OTHER,
    other_real_weights=other_weights.value is not None,
    other_test_accuracy=other_test_acc,
    exercise_checks={"q1": model_ok, "q2": head_ok},
);

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Questionnaire
#
# Answer in a sentence or two, in your own words; each answer is in this notebook.
#
# 1. Why keep the convolutional base and drop the ImageNet classifier top?
# 2. Why is the validation folder split into a validation and a test set here?
# 3. Method A or method B: what does each cost per epoch, and what does B buy with its cost?
# 4. Why must `conv_base.trainable = False` come before `compile`?
# 5. Why is every accuracy shown next to the majority-class baseline?

# %% [markdown] slideshow={"slide_type": "subslide"}
# 6. Why does augmentation come after `.cache()` in this course, and what would a cache after it do?
# 7. What does a two-class model answer for a photo of neither class, and what does its confidence tell you?
