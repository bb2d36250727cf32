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
# # 00 · Transfer learning: the idea, the recipe, and when it fails
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/transfer-learning-course/transfer-learning-course/blob/main/notebooks/00_concepts.ipynb)
#
# A network trained on ImageNet (1.28 million photos, 1000 classes) has learned to see: edges and
# colours in its first layers, textures and parts in the middle, whole objects at the top. **Transfer
# learning** reuses that knowledge for *your* task, which usually has far fewer images.

# %% [markdown] slideshow={"slide_type": "subslide"}
# In this notebook you will:
# 1. learn the two ways to transfer (feature extraction and fine-tuning) and the six stages of the recipe;
# 2. meet the popular ImageNet backbones, **measured live** on your machine;
# 3. run a small transfer experiment yourself, fully offline, in about a minute, and see *when* it helps.
#
# The later notebooks apply this to real photos: `01` predicts with Xception, `02` extracts features
# with VGG16, `03` fine-tunes, `04` compares training from scratch with transfer.

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
# (seconds, as CI does); `QUICK = False` is the real course. `None` means "the default for the mode".

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
QUICK = None  # True: small data, few epochs; False: the real course; None: quick when COURSE_QUICK is 1 (CI, make run)
SEED = 42
PRETRAIN_PER_CLASS = None  # source-task images per class (quick 1000, full 6000)
PRETRAIN_EPOCHS = None  # quick 3, full 5
LABELS_PER_CLASS = None  # list of target-task sizes to compare (quick [5, 20], full [5, 10, 25, 100, 500])
TIME_BATCH = None  # images per timed forward pass of each backbone (quick 4, full 16)

# %% [markdown] slideshow={"slide_type": "skip"}
# The next cell prepares the run: it fills in the parameters left at `None`, fixes the random seeds,
# and gets Fashion-MNIST (downloaded once into the Keras cache). Offline, it says if it is a stand-in.

# %% slideshow={"slide_type": "skip"} tags=["setup"]
import helpers

course = helpers.course.setup("00_concepts", globals())

# %% slideshow={"slide_type": "fragment"}
import keras
import numpy as np
from tqdm.auto import tqdm

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two ways to transfer
#
# | | **Feature extraction** | **Fine-tuning** |
# |---|---|---|
# | what trains | only a new classifier *head* on top | the head, then also the top layers of the base |
# | the pretrained base | frozen (`base.trainable = False`) | top block unfrozen, **low learning rate** (10-100x smaller) |
# | data needed | very little (tens of images per class can work) | more (hundreds per class), or it overfits |
# | cost | cheap: features can even be computed once and cached | expensive: every epoch runs the whole network forwards *and* backwards |
# | typical result (Chollet, cats vs dogs, 2000 images) | ~90% (cached features), ~96% (with augmentation) | 96.8% on the test set |

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Ask the room before you show the table: with 50 photos per class, which would you try first? Misconception to catch: fine-tuning is not retraining the whole network from the start; it is a second stage, after the head has trained, at a low learning rate.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The new head is always trained first with the base frozen: a randomly initialised head sends large,
# random gradients down the network and would wreck the pretrained features.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## When it helps, and when it hurts
# - **Helps** when your data is small and your images look like the pretraining images (photos of
#   objects, animals, scenes). Chollet's small convnet trained from scratch on 2000 cats and dogs
#   reaches 70-72%; a frozen VGG16 base reaches about 90% on the same data.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **Helps less as the domain moves away** (the **domain gap**): X-rays, spectrograms, satellite
#   bands, 28-pixel grayscale clothing look little like ImageNet's photos. The gain shrinks, and it can
#   vanish or turn negative, but it does not always: notebook 04 measures ImageNet features against a
#   small CNN from scratch on Fashion-MNIST, and fastbook reports pretrained CNNs winning on
#   spectrograms. So measure it on your data; exercise 1 below builds a far domain in miniature.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **Hurts** when a large model is fine-tuned on very little data (overfitting), when the learning
#   rate is too high (the features are destroyed), or when inputs are not preprocessed the way the
#   backbone was trained (notebook 01 measures this).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The recipe, in six stages
# 1. **Select** a pretrained model (`keras.applications`): accuracy vs size vs speed.
# 2. **Choose the layers** to reuse: drop the ImageNet classifier (`include_top=False`), keep the
#    convolutional base, and preprocess inputs exactly as the base expects.
# 3. **Prepare the data**: folders of images -> `tf.data` pipelines, augmentation for small sets.
# 4. **Retrain**: freeze the base, train a new head.
# 5. **Fine-tune**: unfreeze the top of the base, low learning rate, train a little more.
# 6. **Evaluate** on a held-out test set, and compare with a model trained from scratch.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The popular backbones, measured live
#
# Each backbone below is built from `keras.applications` with `weights=None` and `include_top=False`
# (random weights: we only measure the architecture here, so nothing is downloaded). The columns:
# - *layers*: every Keras layer, activations, BatchNormalization, pooling and additions included;
# - *weight_layers*: the layers with learned weights other than BatchNormalization; without the
#   classifier top these are exactly the convolutions;
# - *params_M*: millions of parameters; *input*: the default input size; *output*: the feature map the
#   base hands to your head;
# - *img_per_s*: images per second through the base on this machine (a batch of `TIME_BATCH`).

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** The timing cell takes seconds in quick mode, about a minute in full mode. While it runs: parameters measure size, multiply-adds measure work. Ask which backbone they would ship on a phone, and why VGG16's column says 13 convolutions, not 16.

# %% slideshow={"slide_type": "fragment"}
backbones = helpers.models.backbone_table(time_batch=TIME_BATCH)
helpers.plots.print_table(backbones)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Why does VGG16 have 13 weight layers, not 16?** The number in a model's name counts its weight
# layers *with* the classifier top, along the main path, so it differs from the column above:
# - **VGG16** = 13 convolutions + 3 dense layers in its ImageNet top (dropped here); VGG19 = 16 + 3.
# - **ResNet50** = 49 convolutions + 1 dense layer. The column also counts its 4 *projection
#   shortcuts*: 1x1 convolutions on the skip connections where a stage changes shape, which the name
#   leaves out.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **Xception**: its paper counts 36 convolutional layers (34 separable + 2 regular); the column adds
#   the same kind of 4 projection shortcuts (notebook 01 counts them on the real model).
# - **InceptionV3** and **MobileNetV2** carry no depth in their names.

# %% [markdown] slideshow={"slide_type": "-"}
# **How much arithmetic per image?** Parameters measure size, not work. A convolution does one
# multiply-add per weight at every output position: (output height x width) x (kernel height x width)
# x (input channels) x (output channels). A *depthwise separable* convolution (Xception, MobileNetV2)
# filters each channel on its own with the kernel, then mixes the channels with a 1x1 convolution,
# which costs far less. The `GMACs` column of the table above (billions of multiply-adds per image) comes from this helper,
# which reads these sizes from each layer's public attributes:

# %% slideshow={"slide_type": "fragment"}
helpers.plots.show_source(helpers.models.multiply_adds)

# %% slideshow={"slide_type": "fragment"}
names = [row["name"] for row in backbones]
helpers.plots.plot_bars(
    names,
    [row["params_M"] for row in backbones],
    ylabel="parameters (millions)",
    title="Size of each convolutional base (no top)",
    fmt="{:.1f}M",
);

# %% slideshow={"slide_type": "fragment"}
helpers.plots.plot_bars(
    names,
    [row["GMACs"] for row in backbones],
    ylabel="billions of multiply-adds",
    title="Work per image (default input size, no top)",
    fmt="{:.1f}",
);

# %% slideshow={"slide_type": "fragment"}
helpers.plots.plot_bars(
    names,
    [row["img_per_s"] for row in backbones],
    ylabel="images per second",
    title=f"Forward pass on this machine (batch of {TIME_BATCH}, default input size)",
    fmt="{:.0f}",
);

# %% [markdown] slideshow={"slide_type": "subslide"}
# What to read from this:
# - **VGG16/19** have the fewest layers yet do the most multiply-adds per image: every layer is a full
#   3x3 convolution over many channels at high resolution. Simple, and a classic for teaching feature
#   extraction.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **InceptionV3** runs several filter sizes side by side. **Xception** ("extreme Inception")
#   replaces those modules with depthwise separable convolutions, which need far fewer weights and
#   multiply-adds than regular convolutions of the same width (notebook 01 measures one layer). Its
#   author spent the savings on a wider network, not a cheaper one: Xception has about as many
#   parameters as InceptionV3 and, at its input size, more multiply-adds; what it gains is accuracy
#   (ImageNet top-1 79.0% vs 77.9% in the Keras applications table).
# - **ResNet50** made very deep networks trainable with skip connections.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **MobileNetV2** is built for phones: separable convolutions again, with few channels. It is the
#   smallest and cheapest base here, a good default when speed matters.
#
# Speed follows multiply-adds only roughly (compare the last two plots): depthwise convolutions do
# little arithmetic per byte they move, so a CPU runs them less efficiently than VGG's large regular
# convolutions. The speeds are for *this* machine, and a GPU is 10-100x faster; quick mode times tiny
# batches, so its numbers are noisy.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Your first transfer experiment (offline, about a minute)
#
# We can't download ImageNet here, so we build the whole story in miniature with **Fashion-MNIST**
# (70,000 grayscale 28x28 images of 10 kinds of clothing):
#
# - **Source task** (plenty of labels): T-shirt, trouser, dress, sandal, bag.
# - **Target task** (few labels): pullover, coat, shirt, sneaker, ankle boot.
#
# We pretrain a small CNN on the source task, freeze it, and train only a new head on the target task
# with a handful of labels. The baseline trains the same CNN from scratch on the same handful.

# %% slideshow={"slide_type": "fragment"}
(x_train, y_train), (x_test, y_test) = course.fashion
print(f"train {x_train.shape}, test {x_test.shape}")

# %% slideshow={"slide_type": "fragment"}
CLASS_NAMES = ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
SOURCE, TARGET = [0, 1, 3, 5, 8], [2, 4, 6, 7, 9]
rng = np.random.default_rng(SEED)


def pick(x, y, classes, per_class):
    """`per_class` random images of each class in `classes`, labels renumbered 0..len(classes)-1."""
    idx = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:per_class] for c in classes])
    idx = rng.permutation(idx)
    return x[idx, ..., None].astype("float32"), np.searchsorted(classes, y[idx])


x_source, y_source = pick(x_train, y_train, SOURCE, PRETRAIN_PER_CLASS)
x_target_test, y_target_test = pick(x_test, y_test, TARGET, 400)
print(f"source task: {len(x_source):,} training images of {[CLASS_NAMES[c] for c in SOURCE]}")
print(f"target task: {len(x_target_test):,} test images of {[CLASS_NAMES[c] for c in TARGET]}")

# %% slideshow={"slide_type": "fragment"}
examples = [x_target_test[np.flatnonzero(y_target_test == k)[0]] for k in range(len(TARGET))]
examples += [x_source[np.flatnonzero(y_source == k)[0]] for k in range(len(SOURCE))]
titles = [f"target: {CLASS_NAMES[c]}" for c in TARGET] + [f"source: {CLASS_NAMES[c]}" for c in SOURCE]
helpers.plots.show_images([np.repeat(e, 3, axis=-1) for e in examples], titles, ncols=5, size=1.8);

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Step 1: pretrain** on the source task. This plays the role of ImageNet training.

# %% slideshow={"slide_type": "fragment"}
source_model = helpers.models.small_cnn((28, 28, 1), len(SOURCE), augment=False, seed=SEED)
source_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = source_model.fit(x_source, y_source, epochs=PRETRAIN_EPOCHS, batch_size=64, validation_split=0.1, verbose=2)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Step 2: reuse its layers.** Everything up to the pooled features becomes a frozen *base*; only a
# new `Dense` head learns the target classes. `base.trainable = False` is what freezes it: its
# weights stay as pretrained while the head trains. The call `base(inputs, training=False)` is the idiom
# of the Keras guides, but in Keras 3 `fit` overrides it (every layer inside the base is run with
# `training=True`), so it does not put the base in inference mode by itself. This small base has no
# BatchNormalization and no Dropout, so nothing changes here; notebook 03 shows what does keep a
# BatchNormalization layer's pretrained statistics when you fine-tune.

# %% slideshow={"slide_type": "fragment"}
base = keras.Model(source_model.input, source_model.get_layer("features").output, name="pretrained_base")
base.trainable = False


def transfer_model():
    inputs = keras.Input((28, 28, 1))
    features = base(inputs, training=False)
    outputs = keras.layers.Dense(len(TARGET), activation="softmax")(features)
    return keras.Model(inputs, outputs)


trainable, frozen = helpers.models.count_params(transfer_model())
print(f"transfer model: {trainable:,} trainable and {frozen:,} frozen parameters")


# %% [markdown] slideshow={"slide_type": "subslide"}
# **Step 3: compare** with training from scratch, for several numbers of labels per class. Both models
# get the same few images and 30 epochs; the transfer model trains only its head, with a larger
# learning rate (1e-2) than the whole network trained from scratch (1e-3).

# %% slideshow={"slide_type": "fragment"}
def fit_and_test(model, x, y, learning_rate):
    """Train `model` on (x, y) for 30 epochs; return its accuracy on the target test images."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    return model.evaluate(x_target_test, y_target_test, verbose=0)[1]


# %% slideshow={"slide_type": "fragment"}
results = {"transfer": [], "scratch": []}
for n in tqdm(LABELS_PER_CLASS, desc="labels per class"):
    x_few, y_few = pick(x_train, y_train, TARGET, n)
    results["transfer"].append(fit_and_test(transfer_model(), x_few, y_few, 1e-2))
    scratch = helpers.models.small_cnn((28, 28, 1), len(TARGET), augment=False, seed=SEED)
    results["scratch"].append(fit_and_test(scratch, x_few, y_few, 1e-3))
    print(f"{n:4d} labels/class: transfer {results['transfer'][-1]:.3f}   scratch {results['scratch'][-1]:.3f}")

# %% slideshow={"slide_type": "fragment"}
helpers.plots.plot_lines(
    LABELS_PER_CLASS,
    results,
    xlabel="labelled images per class (target task)",
    ylabel="test accuracy",
    logx=True,
    title="Pretrained features vs training from scratch",
);

# %% slideshow={"slide_type": "fragment"}
TIE = 0.02  # accuracy differences this small we call even: another draw of the few labels moves more
gaps = [t - s for t, s in zip(results["transfer"], results["scratch"])]
for n, gap in zip(LABELS_PER_CLASS, gaps):
    verdict = "transfer ahead" if gap > TIE else "scratch ahead" if gap < -TIE else "about even"
    print(f"{n:4d} labels/class: transfer - scratch = {gap:+.3f}  ({verdict})")
catch_up = next((n for n, gap in zip(LABELS_PER_CLASS, gaps) if gap <= TIE), None)
if catch_up is None:
    print("transfer stays ahead at every size measured here")
else:
    print(
        f"scratch catches up at {catch_up} labels per class"
        + (f" and is ahead at {LABELS_PER_CLASS[-1]}" if gaps[-1] < -TIE else "")
    )

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What you just saw
# - **With the fewest labels** the pretrained features usually win clearly (the lines above give this
#   run's numbers): the source task taught the network shapes (collars, sleeves, soles) that the
#   target classes share. That is the promise of transfer learning: fewer labels needed.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Misconception: "pretrained always wins". Point at the line that says where training from scratch catches up: with enough labels the gap closes. The choice is measured on your data, not assumed; exercise 1 makes the domain gap concrete.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **As labels grow** the gap tends to shrink, and with enough labels training from scratch catches up
#   or overtakes (the last line above says whether it did within the sizes measured; quick mode stops
#   at a few labels per class, full mode goes to hundreds). The frozen base only knows features that
#   were useful for the *source* classes, while a network trained from scratch learns features for the
#   target classes themselves. Transfer matters most when labels are scarce; with plenty of them,
#   fine-tune the base as well (exercise 2), and compare with training from scratch before choosing.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - This worked because source and target are close: clothing photos of the same style. Exercise 1
#   moves the source far away.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# 1. **Domain gap.** Keep the target task and its few labels, but pretrain the base on a *far* domain:
#    the same source images with their pixels shuffled by one fixed permutation (`scramble`, below).
#    The labels and the amount of data stay the same, but collars, sleeves and soles no longer exist
#    as local shapes: a miniature of pretraining on, say, spectrograms and transferring to photos.
#    Build `far_transfer` (a base pretrained on the scrambled images, frozen, plus a new 5-class head)
#    and check it. Then train it on `LABELS_PER_CLASS[0]` labels per class and compare it with the
#    near-source `transfer_model()` and with training from scratch, all on the same images. Which
#    source helps, and does the far one help at all?

# %% [markdown] slideshow={"slide_type": "subslide"}
# 2. **Fine-tune.** After training the head of `fine_tuned = transfer_model()`, set
#    `base.trainable = True` and recompile with a learning rate at least 10x lower than the head's 1e-2,
#    then train 10 more epochs. Does it help with 5 labels per class?

# %% [markdown] slideshow={"slide_type": "subslide"}
# 3. **Reasoning.** A clinic has 300 labelled chest X-rays and an ImageNet-pretrained base. What should
#    it do first?
#    (a) Train from scratch: X-rays are too far from ImageNet for transfer to help.
#    (b) Use the frozen ImageNet base as it is: pretrained features always win.
#    (c) Train a new head on the frozen base, fine-tune its top gently, and compare with a model trained
#    from scratch on the same split.
#    (d) Unfreeze the whole base and train it together with the new head from the start.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Each exercise has a cell for your answer: write your code above its last lines, replace every
# blank `____`, and run it; `ex.q1.check()` reads your variable and says what is right or what to fix.
# `ex.q1.hint()` gives a nudge and `ex.q1.solution()` the answer.
#
# Solutions are in the hidden cells below (click to expand); try first.

# %% slideshow={"slide_type": "skip"}
from helpers.exercises import ____
from helpers.exercises import nb00 as ex

PIXEL_ORDER = np.random.default_rng(SEED).permutation(28 * 28)


def scramble(x):
    """The same images with their pixels shuffled by one fixed permutation: a far domain."""
    return x.reshape(len(x), -1)[:, PIXEL_ORDER].reshape(x.shape)


helpers.plots.show_images(
    [np.repeat(img, 3, axis=-1) for img in scramble(x_source[:5])],
    [f"scrambled {CLASS_NAMES[SOURCE[k]]}" for k in y_source[:5]],
    ncols=5,
    size=1.8,
);

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 1: pretrain a small CNN on (scramble(x_source), y_source), as the near base was pretrained
# above; keep its layers up to "features" as a frozen base; put a new 5-class head on it.
far_transfer = ____
ex.q1.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution to q1: the same target task, with a base pretrained on a far domain (scrambled pixels).
far_model = helpers.models.small_cnn((28, 28, 1), len(SOURCE), augment=False, seed=SEED)
far_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
far_model.fit(scramble(x_source), y_source, epochs=PRETRAIN_EPOCHS, batch_size=64, verbose=2)
far_base = keras.Model(far_model.input, far_model.get_layer("features").output, name="far_base")
far_base.trainable = False
far_transfer = keras.Sequential(
    [keras.Input((28, 28, 1)), far_base, keras.layers.Dense(len(TARGET), activation="softmax")]
)
q1_passed = ex.q1.check()

# The same few labels for all three models, so that only the pretraining differs.
x_few, y_few = pick(x_train, y_train, TARGET, LABELS_PER_CLASS[0])
contenders = {
    "near source": (transfer_model(), 1e-2),
    "far source": (far_transfer, 1e-2),
    "from scratch": (helpers.models.small_cnn((28, 28, 1), len(TARGET), augment=False, seed=SEED), 1e-3),
}
domain_gap = {
    name: fit_and_test(net, x_few, y_few, lr) for name, (net, lr) in tqdm(contenders.items(), desc="training")
}
print(f"{LABELS_PER_CLASS[0]} labels/class: " + ", ".join(f"{k} {v:.3f}" for k, v in domain_gap.items()))
print("ranking: " + " > ".join(sorted(domain_gap, key=domain_gap.get, reverse=True)))
# The far base learned to detect patterns that real images do not have, and a frozen base cannot
# unlearn them: expect a far source to help less than a near one, possibly less than no pretraining.

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 2: train the head of a new transfer_model() on LABELS_PER_CLASS[0] labels per class, then
# unfreeze the base and recompile with a learning rate at least 10x below the head's 1e-2.
fine_tuned = ____
ex.q2.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution to q2: fine-tune the pretrained base with a low learning rate after the head is trained.
x_few, y_few = pick(x_train, y_train, TARGET, LABELS_PER_CLASS[0])
pretrained = base.get_weights()  # the base is shared with the cells above: keep its weights to restore
fine_tuned = transfer_model()
head_acc = fit_and_test(fine_tuned, x_few, y_few, 1e-2)  # 1. train the head, base frozen
base.trainable = True  # 2. unfreeze
fine_tuned.compile(
    optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)  # 3. recompile, 100x lower learning rate
q2_passed = ex.q2.check()
fine_tuned.fit(x_few, y_few, epochs=10, batch_size=16, verbose=0)
tuned_acc = fine_tuned.evaluate(x_target_test, y_target_test, verbose=0)[1]
print(f"{LABELS_PER_CLASS[0]} labels/class: head only {head_acc:.3f}, after fine-tuning {tuned_acc:.3f}")
base.set_weights(pretrained)  # leave the base as we found it: its weights,
base.trainable = False  # and frozen

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 3: your choice, "a", "b", "c" or "d"
choice = ____
ex.q3.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution to q3: (c). Start from what transfers, adapt it gently, and measure against a baseline.
choice = "c"
ex.q3.check()

# %% slideshow={"slide_type": "skip"} tags=["metrics"]
course.record(
    backbones={row["name"]: row for row in backbones},
    labels_per_class=LABELS_PER_CLASS,
    transfer_acc=results["transfer"],
    scratch_acc=results["scratch"],
    catch_up=catch_up,
    source_val_acc=history.history["val_accuracy"][-1],
    chance=1 / len(TARGET),
    domain_gap=domain_gap,
    exercise_q1=q1_passed,
    exercise_q2=q2_passed,
);

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Questionnaire
#
# Answer in a sentence or two, in your own words; each answer is in this notebook.
#
# 1. What is reused in transfer learning, and what is trained new?
# 2. Feature extraction or fine-tuning: what trains in each, and which needs more data? Why?
# 3. Why is the new head trained before any layer of the base is unfrozen?
# 4. What is a domain gap? Name a target domain far from ImageNet's photos, and say what you would measure before choosing transfer for it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# 5. In this notebook's experiment, how did the transfer lead change as the labels per class grew, and why?
# 6. Under Keras 3's `fit`, what keeps a frozen base's BatchNormalization layers in inference mode: `base(x, training=False)` or `trainable = False`?
# 7. Of the backbones measured, which has the most parameters, and which does the most work per image?
