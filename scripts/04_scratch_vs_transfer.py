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
# # 04 · From scratch or transfer? Measured, not assumed
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/transfer-learning-course/transfer-learning-course/blob/main/notebooks/04_scratch_vs_transfer.ipynb)
#
# Transfer learning is the default for image tasks with little data, but it is not free (a big network
# to run) and not always better. This notebook puts the approaches side by side, **on the same images
# with the same training budget**, and measures:

# %% [markdown] slideshow={"slide_type": "subslide"}
# 1. a small CNN trained **from scratch** (with augmentation) vs a **frozen** pretrained base + head vs a
#    **fine-tuned** base: test accuracy, training seconds, parameters;
# 2. a **learning curve**: accuracy against the number of training images per class, for both families;
# 3. what pretrained features are worth when the target is **far from ImageNet**: Fashion-MNIST, whose
#    small grayscale product shots are nothing like ImageNet's photos (a *domain gap*).
#
# You finish with rules of thumb you can act on for your own project.

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
# (a few minutes on a laptop CPU, as CI does); `QUICK = False` is the real course (slow on a CPU; a
# GPU helps). `None` means "the default for the mode", resolved in the cell after it.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
QUICK = None  # True: small data, few epochs; False: the real course; None: quick when COURSE_QUICK is 1 (CI, make run)
SEED = 42
BACKBONE = None  # "vgg16" or "xception"; None: VGG16 if its ImageNet weights are here, else Xception
IMAGE_SIZE = None  # pixels per side (quick 72, full 150)
TRAIN_PER_CLASS = None  # training images per class (quick 50, full 1000: all of them)
EVAL_PER_CLASS = None  # validation and test images per class: quick 25, full all (250 each)
BATCH_SIZE = None  # quick 16 (more steps from few images), full 32
EPOCHS = None  # the training budget every approach gets (quick 6, full 8)
VIEWS = None  # augmented views of each training image cached through the frozen blocks (quick 2, full 2)
LEARNING_RATE = 1e-3  # Adam, for the scratch CNN and for heads
FINE_TUNE_LEARNING_RATE = 1e-5  # RMSprop, once the top of the base is unfrozen
CURVE_SIZES = None  # learning curve: images per class (quick [3, 8, 20], full [10, 25, 50, 100])
CURVE_EPOCHS = None  # epochs per point of the learning curve (quick 15, full 20)
REPEATS = None  # runs per point of both curves, each with its own seed and images (quick 2, full 3)
FASHION_PER_CLASS = None  # Fashion-MNIST training images per class (quick [10, 20], full [10, 50])
FASHION_TEST = None  # Fashion-MNIST test images, each one Xception forward pass (quick 1000, full 2000)
FASHION_IMAGE_SIZE = None  # 28 px upscaled to this for Xception (quick 75, full 96; at least 71)
FASHION_EPOCHS = 30
PRECISION = None  # "float32", "mixed_bfloat16" or "mixed_float16"; None: the fastest this machine has natively

# %% [markdown] slideshow={"slide_type": "skip"}
# The next cell prepares the run: it fills in the parameters left at `None`, fixes the random seeds, and
# gets the photos, the pretrained weights and Fashion-MNIST (downloaded once into the Keras cache).
# Offline, it says which of them are stand-ins, once.

# %% slideshow={"slide_type": "skip"} tags=["setup"]
import helpers

course = helpers.course.setup("04_scratch_vs_transfer", globals())

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
# ## The data
#
# The cats-vs-dogs folders of notebooks 02 and 03 (offline: the labelled photo cut-outs, birds vs
# mammals). Images are decoded once and cached; augmentation lives inside the models.

# %% slideshow={"slide_type": "fragment"}
ROOT, counts = course.data, course.counts  # train/, validation/, test/: one sub-folder per class
counts


# %% slideshow={"slide_type": "fragment"}
def load(split, shuffle=False):
    images = keras.utils.image_dataset_from_directory(
        ROOT / split, image_size=(IMAGE_SIZE, IMAGE_SIZE), batch_size=None, shuffle=False, verbose=False
    ).cache()
    if shuffle:
        images = images.shuffle(2048, seed=SEED)
    return images.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


class_names = sorted(counts["train"])
NUM_CLASSES = len(class_names)
train_ds, val_ds, test_ds = load("train", shuffle=True), load("validation"), load("test")
print("classes:", class_names)


# %% [markdown] slideshow={"slide_type": "subslide"}
# **The bar to beat: guessing.** A model that always answers the largest training class scores that
# class's share of the test images without looking at them: the *majority-class baseline*. When the
# classes are unequal (as in the offline stand-in) that share is well above one half, so plain accuracy
# flatters a model that learned nothing. We therefore also score with **balanced accuracy**: the mean of
# the per-class accuracies. Always answering one class scores exactly 1 / (number of classes) on it,
# whatever the class sizes; on a test set with equal classes the two scores are the same.

# %% slideshow={"slide_type": "fragment"}
def balanced_accuracy(labels, predictions):
    """Mean over the classes of the share of that class's images predicted correctly."""
    return float(np.mean([np.mean(predictions[labels == c] == c) for c in np.unique(labels)]))


test_labels = np.concatenate([y for _, y in test_ds])  # test_ds is not shuffled: same order as predictions
majority = class_names.index(max(class_names, key=counts["train"].get))
MAJORITY_BASELINE = float(np.mean(test_labels == majority))
CHANCE = balanced_accuracy(test_labels, np.full_like(test_labels, majority))
print(f"{len(test_labels)} test images: one image moves accuracy by {1 / len(test_labels):.1%}")
print(f"always answering {class_names[majority]!r}: accuracy {MAJORITY_BASELINE:.3f}, balanced accuracy {CHANCE:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Which pretrained base
#
# The course's base is VGG16 (offline, Xception with its real ImageNet weights stands in: see the setup's
# output). Its top block, the one fine-tuning unfreezes: VGG16's `block5`, Xception's `block14`.

# %% slideshow={"slide_type": "fragment"}
spec = helpers.models.BACKBONES[BACKBONE]  # its keras.applications constructor and preprocess_input
TOP_BLOCK = {"vgg16": "block5", "xception": "block14"}[BACKBONE]
WEIGHTS = course.weights  # "imagenet" (offline: the stand-in's file)
print(f"base: {spec.constructor}, fine-tuning from {TOP_BLOCK!r}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Three approaches, one budget
#
# Every model sees the same images with the same budget of `EPOCHS`. The fine-tuned model spends the
# first half training its head (base frozen) and the second half fine-tuning the top block with a 100x
# lower learning rate, the recipe of notebook 03. `EarlyStopping` ends a run when its validation loss has
# not improved for 3 epochs and restores its best epoch: `compile_fit` returns the epochs it ran.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Same images, same epochs, same seeds: only the starting point differs. Ask for predictions before the run. Quick-mode numbers are noisy: read the gap against the noise margin (two test images), not the last decimal.

# %% slideshow={"slide_type": "fragment"}
results = {}


def compile_fit(model, optimizer, epochs, initial_epoch=0, data=None):
    # data: (training batches, validation data, steps per epoch); None: the images, end to end
    train, val, steps = data or (train_ds, val_ds, None)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    history = model.fit(
        train,
        validation_data=val,
        steps_per_epoch=steps,
        initial_epoch=initial_epoch,
        epochs=initial_epoch + epochs,
        callbacks=[stop],
        verbose=2,
    )
    return len(history.history["loss"])  # epochs run: early stopping may end before `epochs`


def report(name, model, seconds, epochs_run):
    predictions = np.concatenate([model(images, training=False) for images, _ in test_ds]).argmax(axis=1)
    trainable, frozen = helpers.models.count_params(model)
    results[name] = {
        "test_acc": float(np.mean(predictions == test_labels)),
        "balanced_acc": balanced_accuracy(test_labels, predictions),
        "seconds": seconds,
        "epochs_run": epochs_run,
        "trainable_params": trainable,
        "total_params": trainable + frozen,
    }
    print(
        f"{name}: test accuracy {results[name]['test_acc']:.3f} (guessing: {MAJORITY_BASELINE:.3f}), "
        f"balanced {results[name]['balanced_acc']:.3f} (guessing: {CHANCE:.3f}), "
        f"{epochs_run} of {EPOCHS} epochs, {seconds:.0f} s"
    )


def make_base(**kwargs):
    return spec.build(weights=WEIGHTS, include_top=False, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), **kwargs)


def make_transfer(base):
    return helpers.models.transfer_model(
        base, NUM_CLASSES, preprocess=spec.preprocess, seed=SEED, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3)
    )


# %% [markdown] slideshow={"slide_type": "subslide"}
# **1. From scratch**: the small CNN (three convolution blocks, augmentation, dropout). Everything it
# knows must come from these few images.

# %% slideshow={"slide_type": "fragment"}
start = time.perf_counter()
scratch = helpers.models.small_cnn((IMAGE_SIZE, IMAGE_SIZE, 3), NUM_CLASSES, seed=SEED)
ran = compile_fit(scratch, keras.optimizers.Adam(LEARNING_RATE), EPOCHS)
report("from scratch", scratch, time.perf_counter() - start, ran)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Run the frozen blocks once.** In approaches 2 and 3 the blocks below `TOP_BLOCK` never train, yet
# end to end they would process every image again in every epoch. As in notebook 03's last section,
# pass `VIEWS` augmented views of every training image through them once and train on the cached
# outputs: the same layers and weights train, on `VIEWS` random views of each image instead of a fresh
# one every epoch. Both approaches start from these outputs, so their times below include the caching.

# %% slideshow={"slide_type": "fragment"}
start = time.perf_counter()
lower, _ = helpers.models.split_at(make_base(), TOP_BLOCK)  # the frozen blocks of a fresh base
augment = helpers.models.augmentation(SEED)  # the random flips, rotations and zooms the models use
train_cut, train_cut_labels = helpers.models.extract_features(
    lower, train_ds, spec.preprocess, augment=augment, views=VIEWS
)
val_cut, val_cut_labels = helpers.models.extract_features(lower, val_ds, spec.preprocess)
cache_seconds = time.perf_counter() - start
print(f"cached {train_cut.shape} ({train_cut.nbytes / 1e6:.0f} MB) in {cache_seconds:.0f} s")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **And the top block, while it is frozen.** Approach 2 never trains its top block, and approach 3 trains
# its head before it unfreezes it. Until then the top block's outputs on the cached views do not change
# either: pass the views through it once more, and train those heads on what comes out (notebook 02's
# fast feature extraction, here on `VIEWS` augmented views of every image).

# %% slideshow={"slide_type": "fragment"}
start = time.perf_counter()
_, upper = helpers.models.split_at(make_base(), TOP_BLOCK)  # the top block of a fresh base, frozen
train_top = upper.predict(train_cut, batch_size=BATCH_SIZE, verbose=0)
val_top = upper.predict(val_cut, batch_size=BATCH_SIZE, verbose=0)
cache_seconds += time.perf_counter() - start
print(f"top block's outputs {train_top.shape} in {time.perf_counter() - start:.0f} s")

# %% [markdown] slideshow={"slide_type": "subslide"}
# `head_of` and `top_of` build the parts of a transfer model above each cut: its head alone, or its top
# block and its head. They hold the very layers, so training them trains the model. One epoch is one
# pass over as many cached views as there are training images: the same number of steps as an epoch on
# the images.


# %% slideshow={"slide_type": "fragment"}
def head_of(model, base):
    head_layers = model.layers[model.layers.index(base) + 1 :]  # pooling, dropout, classifier
    return keras.Sequential([keras.Input(train_top.shape[1:]), *head_layers], name=f"head_of_{model.name}")


def top_of(model, base):
    _, upper = helpers.models.split_at(base, TOP_BLOCK)
    head_layers = model.layers[model.layers.index(base) + 1 :]
    return keras.Sequential([keras.Input(train_cut.shape[1:]), upper, *head_layers], name=f"top_of_{model.name}")


def views_data(train_views, val_views):
    # compile_fit's data: the views shuffled and repeated, the validation views, steps per epoch
    views = tf.data.Dataset.from_tensor_slices((train_views, train_cut_labels)).shuffle(len(train_views), seed=SEED)
    return views.repeat().batch(BATCH_SIZE), (val_views, val_cut_labels), len(train_ds)


cached, top_outputs = views_data(train_cut, val_cut), views_data(train_top, val_top)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2. Frozen pretrained base + new head** (feature extraction with augmentation): only the head trains.

# %% slideshow={"slide_type": "fragment"}
start = time.perf_counter()
frozen_base = make_base()
frozen = make_transfer(frozen_base)
ran = compile_fit(head_of(frozen, frozen_base), keras.optimizers.Adam(LEARNING_RATE), EPOCHS, data=top_outputs)
report("frozen base + head", frozen, cache_seconds + time.perf_counter() - start, ran)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3. Fine-tuned**: head first, then the top block unfrozen (BatchNormalization layers stay frozen).

# %% slideshow={"slide_type": "fragment"}
start = time.perf_counter()
ft_base = make_base()
fine = make_transfer(ft_base)
HEAD_EPOCHS = EPOCHS // 2
ran = compile_fit(head_of(fine, ft_base), keras.optimizers.Adam(LEARNING_RATE), HEAD_EPOCHS, data=top_outputs)
helpers.models.unfreeze_top(ft_base, TOP_BLOCK)
ran += compile_fit(
    top_of(fine, ft_base),
    keras.optimizers.RMSprop(FINE_TUNE_LEARNING_RATE),
    EPOCHS - HEAD_EPOCHS,
    initial_epoch=ran,
    data=cached,
)
report("fine-tuned", fine, cache_seconds + time.perf_counter() - start, ran)

# %% slideshow={"slide_type": "fragment"}
print(f"{'approach':26s} {'test acc':>8s} {'balanced':>8s} {'seconds':>8s} {'trainable':>12s} {'total params':>13s}")
for name, r in results.items():
    print(
        f"{name:26s} {r['test_acc']:8.3f} {r['balanced_acc']:8.3f} {r['seconds']:8.1f} "
        f"{r['trainable_params']:12,} {r['total_params']:13,}"
    )
print(f"{'always ' + repr(class_names[majority]):26s} {MAJORITY_BASELINE:8.3f} {CHANCE:8.3f}")

# %% slideshow={"slide_type": "fragment"}
names = list(results)
fig = helpers.plots.plot_bars(
    names,
    [results[n]["balanced_acc"] for n in names],
    ylabel="balanced test accuracy",
    title=f"Same images, {EPOCHS} epochs each",
    fmt="{:.1%}",
)
fig.axes[0].axhline(
    CHANCE, color="gray", linestyle="--", label=f"majority-class baseline (always {class_names[majority]!r})"
)
fig.axes[0].set_ylim(0, 1.2)
fig.axes[0].legend(loc="upper left");

# %% slideshow={"slide_type": "fragment"}
helpers.plots.plot_bars(
    names, [results[n]["seconds"] for n in names], ylabel="training seconds (this machine)", fmt="{:.0f} s"
);

# %% slideshow={"slide_type": "fragment"}
labels = [f"{n}\n{kind}" for n in names for kind in ("trainable", "total")]
millions = [results[n][f"{kind}_params"] / 1e6 for n in names for kind in ("trainable", "total")]
helpers.plots.plot_bars(labels, millions, ylabel="parameters (millions)", fmt="{:.2f} M");

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Reading the table.** The scratch CNN is tiny (under 100 thousand parameters) and cheap per epoch,
# but it starts from nothing: if its bar sits on the dashed line, it learned no more than to guess. The
# transfer models carry millions of frozen parameters that cost time on every forward pass, yet train
# only a head (and, for fine-tuning, one block). On the real data (2000 training images, 150 px), Chollet
# reports about **82%** for a scratch CNN with augmentation and dropout, about **90%** for fast feature
# extraction with VGG16 (cached features, no augmentation), about **96%** for the frozen base trained end
# to end with augmentation, and **96.8%** test accuracy after fine-tuning block5 on top of that.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Seeing inside the fine-tuned model

# %% [markdown] slideshow={"slide_type": "-"}
# **Where does the fine-tuned model look?** Grad-CAM weights the last convolutional feature maps
# by how much each one raises the predicted class's score, and lays the result over the image (red:
# what drove the decision). It must reach *inside* the nested base: `helpers.explain.grad_cam` re-runs the
# outer model so the base's feature maps and the prediction share one graph (the textbook recipe fails
# with "Graph disconnected" on a nested model). With random weights (a VGG16 stand-in) the maps mean nothing.

# %% slideshow={"slide_type": "fragment"}
cam_images, cam_labels = next(iter(test_ds))
cam_images, cam_labels = cam_images[:4], cam_labels[:4].numpy()
probs = fine.predict(cam_images, verbose=0)
heatmaps = [helpers.explain.grad_cam(fine, image) for image in cam_images]
helpers.explain.plot_grad_cam(
    cam_images.numpy(),
    heatmaps,
    [f"true {class_names[t]}\npredicted {class_names[p.argmax()]} {p.max():.0%}" for t, p in zip(cam_labels, probs)],
);

# %% [markdown] slideshow={"slide_type": "subslide"}
# And the very first layer of the base: its filters are edge and colour detectors, the same in
# almost every network trained on photos. That is why the early layers transfer to nearly any image task.

# %% slideshow={"slide_type": "fragment"}
helpers.explain.first_layer_filters(ft_base);

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Learning curve: how much data does each approach need?
#
# Training every point end to end would repeat the expensive forward pass through the base many times.
# **Fast feature extraction** runs the frozen base **once** over the training images the curve uses and
# the test images, and caches the outputs; each point of the curve then trains only a small dense head on
# a subset of the cached features. (No augmentation for the cached features, so this is the cheap
# variant of approach 2.)
# In full mode the curve stops at 100 images per class: the three approaches above already trained on
# all 1000, and each doubling of the size doubles the scratch CNN's share of the curve's time.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** The plot to discuss: where, if anywhere, do the lines cross? Each point is a mean over seeds, the band their spread. Misconception: "transfer is always better"; it matters most when labels are scarce.

# %% slideshow={"slide_type": "fragment"}
smallest = min(counts["train"].values())
CURVE_SIZES = sorted({min(n, smallest) for n in CURVE_SIZES})
print("images per class:", CURVE_SIZES, f"(the smallest class has {smallest})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# No run of the curve uses more than `CURVE_SIZES[-1]` images per class, so draw one **pool** big enough
# for every run's largest subset, and pay the base's forward pass for those images only (in full mode
# 300 of the 1000 per class).

# %% slideshow={"slide_type": "fragment"}
def subset(labels, n, seed):
    # Indices of the first n images of each class in one random order fixed by the seed.
    order = np.random.default_rng(seed).permutation(len(labels))
    return np.concatenate([order[labels[order] == c][:n] for c in np.unique(labels)])


plain_train = load("train")  # not shuffled: images and labels stay aligned
all_images = np.concatenate([x for x, _ in plain_train])
all_labels = np.concatenate([y for _, y in plain_train])
pool = subset(all_labels, CURVE_SIZES[-1] * REPEATS, seed=SEED)
photo_images_train, photo_labels_train = all_images[pool], all_labels[pool]
photo_images_test = np.concatenate([x for x, _ in test_ds])
del all_images
print(f"training pool {photo_images_train.shape} of {len(all_labels)} images, test {photo_images_test.shape}")

# %% slideshow={"slide_type": "fragment"}
pool_ds = tf.data.Dataset.from_tensor_slices((photo_images_train, photo_labels_train)).batch(BATCH_SIZE)
photo_features_train, _ = helpers.models.extract_features(frozen_base, pool_ds, spec.preprocess)
photo_features_test, _ = helpers.models.extract_features(frozen_base, test_ds, spec.preprocess)
photo_features_train = photo_features_train.mean(axis=(1, 2))  # global average pooling
photo_features_test = photo_features_test.mean(axis=(1, 2))
print("cached features:", photo_features_train.shape, photo_features_test.shape)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Do the classes separate before any training?** Why can a head trained on a handful of images work?
# Project the frozen base's features of the training images onto their two main directions (PCA) and
# colour them by class. The base has never seen these labels; where the colours already form separate
# clouds (as they usually do with real ImageNet weights on photos), the head only has to draw a line.

# %% slideshow={"slide_type": "fragment"}
helpers.explain.feature_projection(
    photo_features_train,
    photo_labels_train,
    class_names,
    title=f"{spec.constructor} features of the training images (PCA)",
);


# %% [markdown] slideshow={"slide_type": "subslide"}
# Smaller training sets are nested inside larger ones (`subset`: the first *n* images of each class of
# the pool in one fixed random order), so the curve compares like with like. With a few images per
# class, *which* images you draw matters as much as the method: each point is trained `REPEATS` times,
# each run with its own seed (another random order of the images, another initialisation). The plot
# shows the mean, a band of one standard deviation around it, and the majority-class baseline.

# %% slideshow={"slide_type": "fragment"}
class ShowProgress(keras.callbacks.Callback):
    """Writes the model, epoch and loss into a tqdm bar's postfix."""

    def __init__(self, bar, epochs):
        super().__init__()
        self.bar, self.epochs, self.epoch = bar, epochs, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        self.bar.set_postfix(
            training=self.model.name,
            epoch=f"{self.epoch}/{self.epochs}",
            loss=f"{float(logs['loss']):.3f}",
        )


def fit_score(model, x, y, x_test, y_test, epochs, bar):
    """Train on (x, y), return the balanced accuracy on the test images.

    Batches of 8: with a few dozen images, bigger batches leave the small CNN too few steps to converge.
    Such small steps spend much of their time in the call itself: `steps_per_execution` runs 8 per call.
    """
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", steps_per_execution=8
    )
    batches = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=SEED).batch(8)  # faster than arrays
    model.fit(batches, epochs=epochs, verbose=0, callbacks=[ShowProgress(bar, epochs)])
    return balanced_accuracy(y_test, np.asarray(model(x_test, training=False)).argmax(axis=1))


def plot_curves(sizes, runs, baseline, title):
    """Mean of the runs per size, a band of +- one standard deviation, and the baseline as a dashed line."""
    fig = helpers.plots.plot_lines(
        sizes,
        {name: r.mean(axis=1) for name, r in runs.items()},
        logx=True,
        xlabel="training images per class",
        ylabel="balanced test accuracy",
        title=title,
    )
    ax = fig.axes[0]
    for line, r in zip(ax.lines, runs.values()):
        ax.fill_between(
            sizes, r.mean(axis=1) - r.std(axis=1), r.mean(axis=1) + r.std(axis=1), color=line.get_color(), alpha=0.2
        )
    ax.axhline(baseline, color="gray", linestyle="--", label="majority-class baseline")
    ax.legend()
    return fig


# %% slideshow={"slide_type": "fragment"}
TRANSFER, SCRATCH = f"transfer ({spec.constructor} features + head)", "from scratch (small CNN + augmentation)"
curve = {TRANSFER: np.zeros((len(CURVE_SIZES), REPEATS)), SCRATCH: np.zeros((len(CURVE_SIZES), REPEATS))}
points = [(i, n, r) for i, n in enumerate(CURVE_SIZES) for r in range(REPEATS)]
with tqdm(points, desc="learning curve (size, run)") as bar:
    for i, n, r in bar:
        keras.utils.set_random_seed(SEED + r)
        idx = subset(photo_labels_train, n, seed=SEED + r)
        curve[TRANSFER][i, r] = fit_score(
            helpers.models.dense_head(photo_features_train.shape[1:], NUM_CLASSES),
            photo_features_train[idx],
            photo_labels_train[idx],
            photo_features_test,
            test_labels,
            CURVE_EPOCHS,
            bar,
        )
        curve[SCRATCH][i, r] = fit_score(
            helpers.models.small_cnn((IMAGE_SIZE, IMAGE_SIZE, 3), NUM_CLASSES, seed=SEED + r),
            photo_images_train[idx],
            photo_labels_train[idx],
            photo_images_test,
            test_labels,
            CURVE_EPOCHS,
            bar,
        )

# %% slideshow={"slide_type": "fragment"}
plot_curves(CURVE_SIZES, curve, CHANCE, f"Learning curve: mean of {REPEATS} runs, {CURVE_EPOCHS} epochs each");

# %% slideshow={"slide_type": "fragment"}
transfer_curve, scratch_curve = curve[TRANSFER].mean(axis=1), curve[SCRATCH].mean(axis=1)
lead = curve[TRANSFER] - curve[SCRATCH]  # transfer minus scratch, per size and run (same images)
print(f"balanced test accuracy, mean +- std of {REPEATS} runs (majority-class baseline {CHANCE:.3f}):")
for n, t, s, g in zip(CURVE_SIZES, curve[TRANSFER], curve[SCRATCH], lead):
    print(
        f"{n:5d}/class: transfer {t.mean():.3f} +- {t.std():.3f}   scratch {s.mean():.3f} +- {s.std():.3f}"
        f"   lead {g.mean():+.3f}"
    )
first, last, noise = lead[0].mean(), lead[-1].mean(), max(lead[0].std(), lead[-1].std())
trend = "narrows" if last < first - noise else "widens" if last > first + noise else "stays about the same"
print(
    f"From {CURVE_SIZES[0]} to {CURVE_SIZES[-1]} images per class the transfer lead {trend} "
    f"({first:+.3f} -> {last:+.3f}, noise about {noise:.3f})."
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Reading the curve.** Where the transfer line starts well above the dashed baseline with only a few
# images per class, that is knowledge the base brought from ImageNet: it has seen birds, dogs and cats
# by the thousand. The scratch CNN must learn edges, textures and shapes from the images it is given;
# with a few dozen it typically stays near the baseline, and its band shows how much another seed
# moves it. With more images both lines rise and the lead usually narrows, as long as the curve reaches
# far enough (the last printed line says what this run measured). On the real data, with 1000 images per
# class, Chollet's scratch CNN with augmentation reaches about 82% where fast feature extraction with
# VGG16 gives about 90%.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Far from ImageNet: Fashion-MNIST
#
# ImageNet features are built for colour photos of objects in scenes. Fashion-MNIST is 28x28 grayscale
# product shots on a black background: a large **domain gap**. To feed them to Xception we upscale them to
# `FASHION_IMAGE_SIZE` pixels and copy the gray channel three times; the frozen ImageNet features then
# compete with a small CNN trained from scratch on the raw 28x28 images. Neither uses augmentation. As
# on the photos, each point is repeated `REPEATS` times with other images and seeds, and both are scored
# on the same `FASHION_TEST` test images.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** The domain gap, measured: 28-pixel grayscale clothing is far from ImageNet's photos. The gain shrinks but need not vanish. Ask what they would measure on their own data before choosing.

# %% slideshow={"slide_type": "fragment"}
(fashion_images_all, fashion_labels_all), (fashion_test_images_all, fashion_test_labels_all) = course.fashion

# %% slideshow={"slide_type": "fragment"}
# As for the photos: one pool of training images big enough for every run's largest subset, its features computed once.
pool = subset(fashion_labels_all, FASHION_PER_CLASS[-1] * REPEATS, seed=SEED)
test_pick = np.random.default_rng(SEED).permutation(len(fashion_test_labels_all))[:FASHION_TEST]
fashion_images_train, fashion_labels_train = fashion_images_all[pool], fashion_labels_all[pool]
fashion_images_test, fashion_labels_test = fashion_test_images_all[test_pick], fashion_test_labels_all[test_pick]
print(f"training pool {fashion_images_train.shape}, test {fashion_images_test.shape}")

# %% slideshow={"slide_type": "fragment"}
xception_base = keras.applications.Xception(
    weights=course.xception_weights,  # "imagenet" (offline: the stand-in's file)
    include_top=False,
    pooling="avg",
    input_shape=(FASHION_IMAGE_SIZE, FASHION_IMAGE_SIZE, 3),
)


def as_photos(images, labels):
    # 28x28 gray -> FASHION_IMAGE_SIZE px RGB, as tf.data batches of (images, labels).
    batches = tf.data.Dataset.from_tensor_slices((images[..., None].astype("float32"), labels)).batch(64)
    return batches.map(
        lambda x, y: (tf.image.grayscale_to_rgb(tf.image.resize(x, (FASHION_IMAGE_SIZE, FASHION_IMAGE_SIZE))), y)
    )


# %% slideshow={"slide_type": "fragment"}
start = time.perf_counter()
fashion_features_train, _ = helpers.models.extract_features(
    xception_base, as_photos(fashion_images_train, fashion_labels_train), keras.applications.xception.preprocess_input
)
fashion_features_test, _ = helpers.models.extract_features(
    xception_base, as_photos(fashion_images_test, fashion_labels_test), keras.applications.xception.preprocess_input
)
feature_seconds = time.perf_counter() - start
n_images = len(fashion_features_train) + len(fashion_features_test)
print(
    f"Xception features {fashion_features_train.shape[1:]} for {n_images} images in {feature_seconds:.0f} s "
    f"({n_images / feature_seconds:.0f} images/s): the price of every image, test images included, on the transfer side"
)

# %% slideshow={"slide_type": "fragment"}
FT_TRANSFER, FT_SCRATCH = "transfer (ImageNet Xception features + head)", "from scratch (small CNN, 28x28)"
fashion_curve = {
    FT_TRANSFER: np.zeros((len(FASHION_PER_CLASS), REPEATS)),
    FT_SCRATCH: np.zeros((len(FASHION_PER_CLASS), REPEATS)),
}
fashion_seconds = {FT_TRANSFER: feature_seconds, FT_SCRATCH: 0.0}  # the transfer side starts with its features
points = [(i, n, r) for i, n in enumerate(FASHION_PER_CLASS) for r in range(REPEATS)]
with tqdm(points, desc="Fashion-MNIST (size, run)") as bar:
    for i, n, r in bar:
        keras.utils.set_random_seed(SEED + r)
        idx = subset(fashion_labels_train, n, seed=SEED + r)
        start = time.perf_counter()
        fashion_curve[FT_TRANSFER][i, r] = fit_score(
            helpers.models.dense_head(fashion_features_train.shape[1:], 10),
            fashion_features_train[idx],
            fashion_labels_train[idx],
            fashion_features_test,
            fashion_labels_test,
            FASHION_EPOCHS,
            bar,
        )
        fashion_seconds[FT_TRANSFER] += time.perf_counter() - start
        start = time.perf_counter()
        fashion_curve[FT_SCRATCH][i, r] = fit_score(
            helpers.models.small_cnn((28, 28, 1), 10, augment=False, seed=SEED + r),
            fashion_images_train[idx][..., None].astype("float32"),
            fashion_labels_train[idx],
            fashion_images_test[..., None].astype("float32"),
            fashion_labels_test,
            FASHION_EPOCHS,
            bar,
        )
        fashion_seconds[FT_SCRATCH] += time.perf_counter() - start

# %% slideshow={"slide_type": "fragment"}
fashion_majority = np.bincount(fashion_labels_train).argmax()
fashion_chance = balanced_accuracy(fashion_labels_test, np.full_like(fashion_labels_test, fashion_majority))  # 1/10
plot_curves(FASHION_PER_CLASS, fashion_curve, fashion_chance, f"Fashion-MNIST, a domain gap: mean of {REPEATS} runs");

# %% slideshow={"slide_type": "fragment"}
fashion_lead = fashion_curve[FT_TRANSFER] - fashion_curve[FT_SCRATCH]
print(f"balanced test accuracy on {FASHION_TEST} images, mean +- std of {REPEATS} runs:")
for n, t, s, g in zip(FASHION_PER_CLASS, fashion_curve[FT_TRANSFER], fashion_curve[FT_SCRATCH], fashion_lead):
    print(
        f"{n:4d}/class: ImageNet features {t.mean():.3f} +- {t.std():.3f}   scratch {s.mean():.3f} +- {s.std():.3f}"
        f"   lead {g.mean():+.3f}"
    )
print(
    f"seconds for all runs on this machine: transfer {fashion_seconds[FT_TRANSFER]:.0f} "
    f"({feature_seconds:.0f} of them Xception features), scratch {fashion_seconds[FT_SCRATCH]:.0f}"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **What are the features worth on each?** The gain is transfer minus scratch, on the same images, per run
# (ImageNet features in both cases: from the notebook's base on the photos, from Xception on Fashion-MNIST).
# For the photos we take the largest curve size that is not above Fashion-MNIST's largest, so both bars
# are about the same number of images per class.

# %% slideshow={"slide_type": "fragment"}
photo_row = max([i for i, n in enumerate(CURVE_SIZES) if n <= FASHION_PER_CLASS[-1]], default=0)
gains = {
    f"photos ({CURVE_SIZES[photo_row]}/class)": lead[photo_row],
    f"Fashion-MNIST ({FASHION_PER_CLASS[-1]}/class)": fashion_lead[-1],
}
fig = helpers.plots.plot_bars(
    list(gains),
    [g.mean() for g in gains.values()],
    yerr=[g.std() for g in gains.values()],  # one standard deviation over the runs
    fmt="{:+.1%}",
    ylabel="transfer minus scratch\n(balanced accuracy)",
    title=f"What ImageNet features add ({REPEATS} runs)",
)
fig.axes[0].axhline(0, color="gray", linewidth=0.8);

# %% slideshow={"slide_type": "fragment"}
gain_photos, gain_fashion = lead[photo_row].mean(), fashion_lead[-1].mean()
noise = max(fashion_lead[-1].std(), 0.01)  # how much the Fashion-MNIST gain moves from run to run
verdict = (
    "the ImageNet features lose to the small CNN"
    if gain_fashion < -noise
    else "the ImageNet features are worth nothing measurable"
    if gain_fashion <= noise
    else "the ImageNet features still help, a little"
)
change = (
    f"shrinks from {gain_photos:+.1%} on the photos to {gain_fashion:+.1%} on Fashion-MNIST"
    if gain_fashion < gain_photos
    else f"does NOT shrink in this run ({gain_photos:+.1%} on the photos, {gain_fashion:+.1%} on Fashion-MNIST)"
)
print(f"The transfer gain {change}; on Fashion-MNIST (+- {noise:.1%} from run to run) {verdict}.")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The printed line compares the two bars. Where the gain shrinks to about nothing, or turns negative, the
# reason is the domain gap: a 28x28 clothing silhouette has none of the textures, colours and object parts
# ImageNet features were trained to detect, and upscaling does not add them. A tiny CNN, meanwhile, suits
# small centred images. Compare the seconds printed above too: the transfer side pays one Xception
# forward pass per image, test images included, before its head trains at all. With random VGG16
# weights or very few test images the comparison can come out otherwise; the bands and error bars
# show how far to trust it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Conclusions you can act on
# - **Little data, photo-like images: start with transfer.** A frozen pretrained base with a new head is
#   the strongest cheap baseline; cache the features if you do not need augmentation.
# - **Always print the baseline.** With unequal classes, guessing the largest class already scores well;
#   a model is only as good as its margin over that line (balanced accuracy makes the margin visible).

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **Fine-tune only after the head is trained**, only the top block, with a 10-100x lower learning
#   rate, and only if you have a few hundred images per class: the gain is a point or two (Chollet: about
#   96% for the frozen base with augmentation, 96.8% test after fine-tuning; the TensorFlow tutorial:
#   about 96% -> 98% validation).
# - **Far from ImageNet** (grayscale, tiny, medical, satellite, spectrograms, drawings): measure a small
#   CNN from scratch before assuming transfer wins, as in the Fashion-MNIST section; consider features
#   from *earlier* layers (exercise 4), or a pretrained model from a closer domain.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **Lots of data**: a model from scratch gets closer as the training set grows, but on photos it may
#   not catch up (Chollet, 1000 images per class: 82% from scratch with augmentation, about 90% with
#   cached VGG16 features, 96.8% fine-tuned). Look at where your own learning curve ends, and at its
#   bands, before you conclude either way.
# - **Count the cost**: the frozen base makes every epoch slower and the deployed model larger (compare
#   the parameter bars); a small CNN may be the better product when it is accurate enough.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **Compare on the same test images, the same budget, and several seeds**, as here: with a few images
#   per class, another draw of the images moves the result (the bands of both curves show by how much).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
# The first three are checked.
#
# 1. **Compare fine-tuned with scratch.** Make `answer = {"fine_tuned": ..., "scratch": ...,
#    "conclusion": ...}` from the test accuracies above (`results[...]["test_acc"]`); the conclusion
#    starts with the winner (`fine_tuned`, `scratch`, or `tie` when the gap is noise: at most two test
#    images, `2 / len(test_labels)`, or 2 points, whichever is larger).
# 2. **Read the learning curve.** Make `curve_answer` with the keys `labels_per_class`, `transfer`,
#    `scratch` (the mean accuracies) and `crossover`: the first size at which scratch is at least as good
#    as transfer (`None` if it never is).

# %% [markdown] slideshow={"slide_type": "subslide"}
# 3. **Reasoning.** On Fashion-MNIST, transfer gained less over training from scratch than on the photos.
#    Which explanation fits?
#    (a) Xception is too small a base for 28-pixel images.
#    (b) The domain gap: upsampled 28-pixel grayscale clothing shares less with ImageNet's photos, so the
#    frozen features fit it less well, while the small CNN learns the target's own features.
#    (c) Fashion-MNIST has fewer classes than the photos.
#    (d) The small CNN was trained for more epochs on Fashion-MNIST.

# %% [markdown] slideshow={"slide_type": "subslide"}
# 4. **Give scratch more time.** Train the scratch CNN on, up to twice the budget in all
#    (`2 * EPOCHS`), with the same early stopping. Does it catch up with the fine-tuned model? At what
#    cost in seconds?
# 5. **Closing the domain gap.** For Fashion-MNIST, take Xception's features from an *earlier* layer
#    (for example the output of `block4_sepconv2_bn`, averaged over space) instead of the last one. Lower
#    layers detect edges and textures, which are less ImageNet-specific. Does the transfer line improve?

# %% [markdown] slideshow={"slide_type": "subslide"}
# Each exercise has a cell for your answer: write your code above its last lines, replace every
# blank `____`, and run it; `ex.q1.check()` reads your variable and says what is right or what to fix.
# `ex.q1.hint()` gives a nudge and `ex.q1.solution()` the answer.
#
# Solutions are in the hidden cells below (click to expand); try first.

# %% slideshow={"slide_type": "skip"}
from helpers.exercises import ____
from helpers.exercises import nb04 as ex

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 1: the test accuracies from `results`, and a conclusion that starts with the winner.
answer = {"fine_tuned": ____, "scratch": ____, "conclusion": ____}
ex.q1.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 1: a gap of two test images or less (or 2 points on a large test set) is noise; say "tie" then.
answer = {"fine_tuned": results["fine-tuned"]["test_acc"], "scratch": results["from scratch"]["test_acc"]}
gap = answer["fine_tuned"] - answer["scratch"]
answer["conclusion"] = (
    "tie: the difference is noise"
    if abs(gap) <= max(0.02, 2 / len(test_labels))
    else "fine_tuned: pretrained features need fewer images"
    if gap > 0
    else "scratch: the pretrained features do not fit this data"
)
ex.q1.check()

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 2: the mean accuracies of the learning curves, and where scratch first catches up (or None).
curve_answer = {"labels_per_class": CURVE_SIZES, "transfer": ____, "scratch": ____, "crossover": ____}
ex.q2.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 2: the first size where scratch is at least as good as transfer, or None.
curve_answer = {"labels_per_class": CURVE_SIZES, "transfer": transfer_curve, "scratch": scratch_curve}
curve_answer["crossover"] = next((n for n, t, s in zip(CURVE_SIZES, transfer_curve, scratch_curve) if s >= t), None)
ex.q2.check()

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 3: your choice, "a", "b", "c" or "d"
choice = ____
ex.q3.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 3: (b). The gain shrinks with the domain gap; the budgets were the same by design.
choice = "b"
ex.q3.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 4: the scratch CNN trained on from its best epoch, same images and early stopping (a progress bar).
from tqdm.keras import TqdmCallback

start = time.perf_counter()
done = results["from scratch"]["epochs_run"]
stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
more = scratch.fit(
    train_ds,
    validation_data=val_ds,
    initial_epoch=done,  # `scratch` is still compiled: fit continues with its optimizer's state
    epochs=2 * EPOCHS,
    verbose=0,
    callbacks=[stop, TqdmCallback(verbose=0)],
)
acc = scratch.evaluate(test_ds, verbose=0, return_dict=True)["accuracy"]
seconds = results["from scratch"]["seconds"] + time.perf_counter() - start
print(
    f"scratch, {done + len(more.history['loss'])} of {2 * EPOCHS} epochs: {acc:.3f} in {seconds:.0f} s; "
    f"fine-tuned, {results['fine-tuned']['epochs_run']} of {EPOCHS} epochs: {results['fine-tuned']['test_acc']:.3f} "
    f"in {results['fine-tuned']['seconds']:.0f} s (guessing {class_names[majority]!r}: {MAJORITY_BASELINE:.3f})"
)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 5: features from an earlier Xception block (edges and textures transfer better across domains).
early = keras.Model(
    xception_base.input,
    keras.layers.GlobalAveragePooling2D()(xception_base.get_layer("block4_sepconv2_bn").output),
    name="xception_block4",
)
idx = subset(fashion_labels_train, FASHION_PER_CLASS[-1], seed=SEED)  # the first run's images (all sizes nest in it)
early_train, _ = helpers.models.extract_features(
    early, as_photos(fashion_images_train[idx], fashion_labels_train[idx]), keras.applications.xception.preprocess_input
)
early_test, _ = helpers.models.extract_features(
    early, as_photos(fashion_images_test, fashion_labels_test), keras.applications.xception.preprocess_input
)
with tqdm(FASHION_PER_CLASS, desc="block4 features") as bar:
    for n, last in zip(bar, fashion_curve[FT_TRANSFER][:, 0]):
        keras.utils.set_random_seed(SEED)
        same = np.isin(idx, subset(fashion_labels_train, n, seed=SEED))  # the images of the first run at this size
        acc = fit_score(
            helpers.models.dense_head(early_train.shape[1:], 10),
            early_train[same],
            fashion_labels_train[idx][same],
            early_test,
            fashion_labels_test,
            FASHION_EPOCHS,
            bar,
        )
        print(f"{n:4d}/class: block4 features {acc:.3f} vs last-layer features {last:.3f} (same images)")

# %% slideshow={"slide_type": "skip"} tags=["metrics"]
course.record(
    precision=keras.mixed_precision.global_policy().name,
    comparison=results,
    views=VIEWS,
    cached_views=len(train_cut),
    train_images=sum(counts["train"].values()),
    cache_seconds=cache_seconds,
    chance=CHANCE,
    majority_baseline=MAJORITY_BASELINE,
    curve_transfer=transfer_curve,
    curve_scratch=scratch_curve,
    curve_transfer_std=curve[TRANSFER].std(axis=1),
    curve_scratch_std=curve[SCRATCH].std(axis=1),
    curve_sizes=CURVE_SIZES,
    curve_pool_images=len(photo_features_train),
    fashion_feature_seconds=feature_seconds,
    fashion_test_images=len(fashion_features_test),
    fashion_transfer=fashion_curve[FT_TRANSFER].mean(axis=1),
    fashion_scratch=fashion_curve[FT_SCRATCH].mean(axis=1),
    fashion_transfer_std=fashion_curve[FT_TRANSFER].std(axis=1),
    fashion_scratch_std=fashion_curve[FT_SCRATCH].std(axis=1),
    fashion_seconds_transfer=fashion_seconds[FT_TRANSFER],
    fashion_seconds_scratch=fashion_seconds[FT_SCRATCH],
    transfer_gain_photos=gain_photos,
    transfer_gain_fashion=gain_fashion,
    transfer_gain_photos_size=CURVE_SIZES[photo_row],
    transfer_gain_fashion_std=noise,
);

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Questionnaire
#
# Answer in a sentence or two, in your own words; each answer is in this notebook.
#
# 1. Why compare the approaches on the same images, with the same training budget?
# 2. What is balanced accuracy, and when does it differ from plain accuracy?
# 3. Why is each point of the learning curves trained with several seeds?
# 4. How does fast feature extraction make the learning curve affordable?
# 5. What did the Fashion-MNIST section measure, and what explains the smaller gain there?
# 6. When would you ship a small CNN trained from scratch instead of a pretrained base?

# %% [markdown] slideshow={"slide_type": "subslide"}
# 7. What does the frozen base cost, per epoch and in the deployed model, that the small CNN does not?
