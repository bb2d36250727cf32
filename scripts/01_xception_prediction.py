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
# # 01 · Predicting ImageNet classes with a pretrained Xception
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/transfer-learning-course/transfer-learning-course/blob/main/notebooks/01_xception_prediction.ipynb)
#
# The simplest way to reuse a pretrained network is to use it **as it is**: Xception was trained on
# ImageNet (1.28 million photos, 1000 classes) and can name what is in your photo, with no training
# at all. The seed article of this course shows it calling an eagle photo an eagle with 94% probability.

# %% [markdown] slideshow={"slide_type": "subslide"}
# In this notebook you will:
# 1. load Xception with its 1000-class classifier from `keras.applications` and read what it is
#    (size, depth, the 299x299 input it expects, and its *depthwise separable* convolutions);
# 2. prepare photos exactly as it expects and read its **top-3 predictions** with probabilities;
# 3. **measure** what goes wrong when the preprocessing or the input size is wrong: the most common
#    silent bug in transfer learning, because Keras runs the wrong input without complaint.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["colab"]
# Google Colab only (elsewhere this cell does nothing): get the course, so that `import helpers` works.
import sys

if "google.colab" in sys.modules:
    REPO = "https://github.com/transfer-learning-course/transfer-learning-course"
    ![ -d /content/course ] || git clone -q --depth 1 $REPO /content/course
    # %cd /content/course/notebooks
    sys.path.insert(0, "/content/course")

# %% [markdown] slideshow={"slide_type": "skip"}
# **Parameters.** The next cell is the only one you need to edit. This notebook is equally fast in
# quick and full mode. `IMAGE_PATH` adds a photo of your own: a JPEG or PNG file (relative paths
# start in the `notebooks/` folder) or an `https://` URL, downloaded once into the Keras cache.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
QUICK = None  # True: small data, few epochs; False: the real course; None: quick when COURSE_QUICK is 1 (CI, make run)
SEED = 42
IMAGE_PATH = ""  # your own photo: a file (e.g. ../data/my_photo.jpg) or an http(s) URL; empty: sample photos only
TOP_K = 3  # classes shown per image

# %% [markdown] slideshow={"slide_type": "skip"}
# The next cell prepares the run: it fixes the random seeds and gets what predicting ImageNet classes
# needs, downloaded once into the Keras cache: Xception's weights **with** the classifier top (the last
# `Dense(1000, softmax)` layer) and the names of the 1000 classes that `decode_predictions` reads.
# Offline, it says which are missing: the notebook then shows the same mechanics on the real ImageNet
# convolutional base (an offline copy), feature maps instead of class names; it never invents
# probabilities.

# %% slideshow={"slide_type": "skip"} tags=["setup"]
import helpers

course = helpers.course.setup("01_xception_prediction", globals())

# %% slideshow={"slide_type": "fragment"}
import keras
import numpy as np

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The model
#
# With both files we build the full classifier. Without them (offline) we build the **convolutional
# base** only (`include_top=False`): its ImageNet weights are available offline, read from a package
# that ships them. Everything up to the class names works the same on it.
#
# In both cases `features` maps an image to the 2048 numbers that the classifier top reads (the
# global average of the last feature map): we use them below to measure preprocessing mistakes.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Online, the first run downloads about 90 MB of weights into the Keras cache: run `make fetch` before class. Offline, the setup cell says what stands in. Ask: why 299 pixels and not 224? (Xception was trained at 299.)

# %% slideshow={"slide_type": "fragment"}
WEIGHTS, CAN_PREDICT = course.weights, course.can_predict  # "imagenet"; offline, the conv base's file
if CAN_PREDICT:
    model = keras.applications.Xception(weights=WEIGHTS)  # 1000-class top, input 299x299x3
    pooled = model.get_layer("avg_pool").output
else:  # the size it was trained at
    model = keras.applications.Xception(weights=WEIGHTS, include_top=False, input_shape=(299, 299, 3))
    pooled = keras.layers.GlobalAveragePooling2D(name="avg_pool")(model.output)
features = keras.Model(model.input, pooled, name="xception_features")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What is inside Xception
#
# `model.summary()` prints about 200 lines; a count says more. Most of Xception's layers are
# `SeparableConv2D`. The idea comes from **Inception**, whose modules split one convolution into
# parallel branches that look at channels and space separately. **Xception** ("extreme Inception",
# Chollet 2017) goes all the way: a *depthwise* 3x3 convolution filters each channel on its own
# (space), then a *pointwise* 1x1 convolution mixes the channels. Same job, far fewer weights and
# multiplications. Residual connections (the `Add` layers) keep this deep stack trainable.

# %% slideshow={"slide_type": "fragment"}
from collections import Counter

kinds = Counter(type(layer).__name__ for layer in model.layers)
summary = {
    "layers": len(model.layers),
    "parameters": f"{model.count_params():,}",
    "input": model.input_shape[1:],
    "output": model.output_shape[1:],
}
helpers.plots.print_table([summary])
print("layer types:", dict(kinds.most_common()))

# %% [markdown] slideshow={"slide_type": "subslide"}
# **How deep is it?** The Xception paper counts 36 convolutional layers: the main path, from the
# image to the last feature map. Keras's model holds a few more convolutions: 1x1 *projections* on
# the residual shortcuts, which reshape the skip connection where a block changes size (notebook 00's
# *weight_layers* column counts them too). Counted from the layers:

# %% slideshow={"slide_type": "fragment"}
convs = [layer for layer in model.layers if isinstance(layer, (keras.layers.Conv2D, keras.layers.SeparableConv2D))]
shortcuts = [layer for layer in convs if tuple(layer.kernel_size) == (1, 1)]
print(
    f"{len(convs)} convolutions = {len(convs) - len(shortcuts)} on the main path "
    f"+ {len(shortcuts)} 1x1 projections on shortcuts"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The input is 299x299 pixels, 3 colours: the size Xception was trained at. (The convolutional base
# could be built for any size from 71 pixels, as we will see below; the classifier needs exactly 299.)
# How many weights does a separable convolution save? Measured on one layer of Xception's middle
# flow, 728 channels in and out (the multiplications per position shrink by the same factor):

# %% slideshow={"slide_type": "fragment"}
x19 = keras.Input((19, 19, 728))
regular = keras.Model(x19, keras.layers.Conv2D(728, 3, padding="same")(x19)).count_params()
separable = keras.Model(x19, keras.layers.SeparableConv2D(728, 3, padding="same")(x19)).count_params()
print(
    f"Conv2D 3x3: {regular:,} weights | SeparableConv2D 3x3: {separable:,} weights | {regular / separable:.1f}x fewer"
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Real photos
#
# Four photos that ship with scikit-image (a cat, a coffee mug, a rocket, an astronaut), plus yours
# if you set `IMAGE_PATH`. They come in different sizes, as `uint8` RGB arrays, and stay at their own
# size until the next step.
#
# `helpers.data.load_photo` reads your photo with `keras.utils.load_img`, at its own size; a URL is first downloaded into the
# Keras cache with `keras.utils.get_file` (once: later runs reuse the file). A missing file, a failed
# download or a file that is not an image ends with one message that says what to do.

# %% slideshow={"slide_type": "fragment"}
photos = helpers.data.sample_photos()
if IMAGE_PATH:
    photos["your image"] = helpers.data.load_photo(IMAGE_PATH)
for name, img in photos.items():
    print(f"{name:11s} {str(img.shape):15s} {img.dtype}, values {img.min():.0f}..{img.max():.0f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Resize to 299x299.** We crop the centre square first, so that the cat keeps its proportions
# (squashing a 3:2 photo into a square would distort every shape the network knows). The common
# one-liner `keras.utils.load_img(path, target_size=(299, 299))` squashes: that is why `load_photo`
# keeps each photo at its own size and `resize` below does the cropping.

# %% slideshow={"slide_type": "fragment"}
SIZE = 299  # what Xception was trained at


def resize(img, size=SIZE):
    """Centre-crop to a square, then resize to size x size (float32, values 0..255)."""
    out = keras.ops.image.resize(np.asarray(img, "float32"), (size, size), crop_to_aspect_ratio=True, antialias=True)
    return np.clip(np.asarray(out), 0, 255)


names = list(photos)
batch = np.stack([resize(img) for img in photos.values()])
helpers.plots.show_images(batch, [f"{n}: {SIZE}x{SIZE}" for n in names], ncols=len(names));

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Preprocess exactly as in training.** Each backbone has its own `preprocess_input`; Xception's
# scales pixels from 0..255 to -1..1. Careful: on a float NumPy array it works **in place**, so pass
# a copy if you still need the original pixels.

# %% slideshow={"slide_type": "fragment"}
preprocess = keras.applications.xception.preprocess_input
x = preprocess(batch.copy())
print(f"batch {x.shape}: pixels {batch.min():.0f}..{batch.max():.0f} -> model input {x.min():.2f}..{x.max():.2f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Predict
#
# `model.predict` returns 1000 probabilities per image; `decode_predictions` turns the best ones into
# `(class id, class name, probability)`. Offline there are no classes: the conv base returns a
# **feature map** per image instead, a 10x10 grid of 2048 numbers. Beside each photo we draw the
# grid's average activation: where the base found the most to say.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** Have the room read the top 3 aloud: do the probabilities look calibrated? A classifier always answers with one of its 1000 classes, even for a photo of none of them.

# %% slideshow={"slide_type": "fragment"}
if CAN_PREDICT:
    probs = model.predict(x, verbose=0)
    decoded = keras.applications.xception.decode_predictions(probs, top=TOP_K)
    predictions = [[(label, float(p)) for _, label, p in row] for row in decoded]
    helpers.plots.plot_top_k(batch, predictions, titles=names)
else:
    maps = model.predict(x, verbose=0)
    print(f"OFFLINE, no classifier top: each image -> feature map {maps.shape[1:]}, not class probabilities")
    heat = [m.mean(axis=-1) / m.mean(axis=-1).max() for m in maps]
    panels = [p for pair in zip(batch, heat) for p in pair]
    titles = [t for n in names for t in (n, f"mean activation {maps.shape[1]}x{maps.shape[2]}")]
    helpers.plots.show_images(panels, titles, ncols=4)

# %% slideshow={"slide_type": "fragment"}
if CAN_PREDICT:
    for name, row in zip(names, predictions):
        print(f"{name:11s} " + " | ".join(f"{label} {p:.1%}" for label, p in row))
else:
    print(
        "OFFLINE: no predictions to list (the ImageNet top and class names are missing). "
        "Run `python -m helpers fetch xception_top imagenet_class_index` with internet."
    )


# %% [markdown] slideshow={"slide_type": "slide"}
# ## What wrong preprocessing does, measured
#
# Keras never checks that the input matches what the network was trained on. Three mistakes people
# make:
# - **0..1 instead of -1..1**: rescaling with `Rescaling(1/255)` out of habit;
# - **another backbone's `preprocess_input`**: VGG16's "caffe" style flips RGB to BGR and subtracts
#   the ImageNet mean colour, without scaling (values about -124..152);
# - **no preprocessing**: raw 0..255 pixels.

# %% [markdown] slideshow={"slide_type": "notes"} tags=["notes"]
# **Speaker notes.** The key slide of this notebook. Misconception: "a wrong input raises an error". Nothing warns: the model returns confident labels for a wrongly scaled image. Let the room guess which mistake moves the features least before you show the table.

# %% [markdown] slideshow={"slide_type": "subslide"}
# We measure each with the 2048 pooled features that the classifier reads: the **cosine similarity**
# of each image's features with its correctly preprocessed features (1.0 = the network sees the same
# thing), and whether each image is still **nearest to itself** among the correctly preprocessed
# photos. As a yardstick, the similarity of two *different* photos is printed too.

# %% slideshow={"slide_type": "fragment"}
def unit(v):
    return v / np.linalg.norm(v, axis=1, keepdims=True)


reference = unit(features.predict(x, verbose=0))
others = (reference @ reference.T)[~np.eye(len(reference), dtype=bool)]
print(f"two different photos, correct preprocessing: cosine similarity {others.mean():.2f} on average")


# %% slideshow={"slide_type": "fragment"}
def compare(label, images, prep=preprocess):
    """Features (and top-1 class) of `images` under `prep`, against the correct reference."""
    inputs = prep(np.array(images))  # np.array copies: preprocess_input works in place
    f = unit(features.predict(inputs, verbose=0))
    row = {
        "variant": label,
        "input range": f"{inputs.min():.1f}..{inputs.max():.1f}",
        "cosine": round(float((f * reference).sum(1).mean()), 3),
        "nearest to itself": int(((f @ reference.T).argmax(1) == np.arange(len(f))).sum()),
    }
    if CAN_PREDICT:
        p = model.predict(inputs, verbose=0)
        row["same top-1"] = int((p.argmax(1) == probs.argmax(1)).sum())
        row["top-1 prob"] = round(float(p.max(1).mean()), 3)
    return row


WRONG = {
    "correct: xception [-1, 1]": preprocess,
    "0..1 (Rescaling 1/255)": lambda b: b / 255.0,
    "VGG16 caffe (BGR, mean)": keras.applications.vgg16.preprocess_input,
    "raw 0..255": lambda b: b,
}
prep_rows = [compare(label, batch, fn) for label, fn in WRONG.items()]
helpers.plots.print_table(prep_rows)

# %% slideshow={"slide_type": "fragment"}
fig = helpers.plots.plot_bars(
    [r["variant"] for r in prep_rows],
    [r["cosine"] for r in prep_rows],
    ylabel="cosine similarity to correct",
    title="Same photos, different preprocessing (1.0 = unchanged)",
)
fig.axes[0].axhline(others.mean(), color="grey", linestyle=":", label="two different photos")
fig.axes[0].legend(fontsize=8);

# %% [markdown] slideshow={"slide_type": "subslide"}
# Read the table: with caffe-style or raw pixels the features are, on average, **less like the
# correctly preprocessed ones than two different photos are like each other** (the dotted line): the
# network effectively sees a different picture, and images can stop being nearest to themselves.
# With the classifier, this is where top-1 classes change. The 0..1 mistake moves the features much
# less on these photos: not every mistake is a disaster, which is exactly why they go unnoticed.

# %% [markdown] slideshow={"slide_type": "subslide"}
# What it costs in accuracy: `make verify` measures exactly this. It trains a head on frozen Xception
# features to tell 5 kinds of photo cut-outs apart, feeds the same trained model VGG16-style inputs,
# and writes both test accuracies to `build/metrics/offline_transfer.json` (the README reports
# transfer 0.884 vs wrong preprocessing 0.402 at seed 42).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What a wrong input size does
#
# The classifier was built for 299x299 and **refuses** anything else with a clear error (offline we
# show the check on the same architecture with random weights: only the input check is used here).

# %% slideshow={"slide_type": "fragment"}
classifier = model if CAN_PREDICT else keras.applications.Xception(weights=None)  # offline: input check only
try:
    classifier.predict(np.zeros((1, 224, 224, 3)), verbose=0)
except ValueError as err:
    print("224x224 refused:", str(err).strip().splitlines()[-1][:200])

# %% [markdown] slideshow={"slide_type": "subslide"}
# The conv base alone, built without a fixed input size, accepts other sizes, but its feature map
# shrinks: fewer, coarser positions, and objects at a scale the network rarely saw in training. (Only
# shapes are computed here, so the architecture with random weights is enough.)

# %% slideshow={"slide_type": "fragment"}
any_size = keras.applications.Xception(weights=None, include_top=False)  # input (None, None, 3)
map_shapes = {s: any_size.compute_output_shape((None, s, s, 3))[1:] for s in (299, 224, 150, 71)}
for s, shape in map_shapes.items():
    print(f"{s}x{s} input -> feature map {shape}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The silent version of the size mistake: a **small image scaled up** to 299 (a thumbnail, or a
# dataset stored at low resolution). The shape is right, so nothing complains, but the detail is
# gone. Measured like the preprocessing above:

# %% slideshow={"slide_type": "fragment"}
size_rows = [
    compare(f"{s}px, scaled up to {SIZE}", [resize(resize(img, s)) for img in photos.values()])
    for s in (SIZE, 150, 75, 32)
]
helpers.plots.print_table(size_rows)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The smaller the source, the further the features drift from the full-resolution ones: at 32 pixels
# the network sees little more than a few colour blobs. Preprocess and size your inputs the way the
# backbone was trained, and check it with a measurement like this one when in doubt.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Exercises 1-3 are checked; 4 and 5 are measurements: compare yours with the solutions.
#
# 1. **Classify a new image.** Set `IMAGE_PATH` in the parameters cell to a photo of yours (a file or
#    a URL) and run the notebook again, or do it in code: `helpers.data.load_photo`, `resize`, add a batch axis,
#    `preprocess`, `model.predict`. Make `top3`, its 3 best `(label, probability)` pairs, best first.
#    This needs the classifier top (online); offline, find which sample photo your photo's features are
#    closest to instead.

# %% [markdown] slideshow={"slide_type": "subslide"}
# 2. **Catch input mistakes.** `ex.q2` checks `x_mine`, a batch of one image for Xception: shape
#    (1, 299, 299, 3), values in [-1, 1]. Check the `x_mine` you fed the model in exercise 1, then break
#    it on purpose (skip `preprocess`, apply it twice, divide by 255) and read what the check says.

# %% [markdown] slideshow={"slide_type": "subslide"}
# 3. **Reasoning.** You feed Xception a photo preprocessed with `keras.applications.vgg16.preprocess_input`
#    instead of Xception's own. What happens?
#    (a) Keras raises an error: it checks the value range.
#    (b) The model runs and returns confident-looking predictions; nothing warns you.
#    (c) Nothing changes: batch normalization re-scales any input.
#    (d) The model rescales its input itself.
# 4. **Another backbone.** InceptionV3 and ResNet50 are also ImageNet classifiers in
#    `keras.applications`. Which input size and which `preprocess_input` does each expect? Which of
#    them could reuse this notebook's `x` unchanged?

# %% [markdown] slideshow={"slide_type": "subslide"}
# 5. **Channels swapped.** OpenCV (`cv2.imread`) loads images as BGR, not RGB. Measure what feeding
#    BGR images to Xception does, with `compare`.
#
# Each exercise has a cell for your answer: write your code above its last lines, replace every
# blank `____`, and run it; `ex.q1.check()` reads your variable and says what is right or what to fix.
# `ex.q1.hint()` gives a nudge and `ex.q1.solution()` the answer.
#
# Solutions are in the hidden cells below (click to expand); try first.

# %% slideshow={"slide_type": "skip"}
from helpers.exercises import ____
from helpers.exercises import nb01 as ex

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 1: your photo through load_photo, resize, a batch axis, preprocess and model.predict, then
# decode_predictions(..., top=3). Offline there is no classifier top, so no top3 either.
top3 = ____  # [(label, probability), (label, probability), (label, probability)], best first
ex.q1.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 1: a new image goes through the same steps as the sample photos. Without IMAGE_PATH,
# a scikit-image photo saved as a JPEG file plays the part of "your image".
import tempfile
from pathlib import Path

import PIL.Image
import skimage.data

my_image = IMAGE_PATH
if not my_image:
    my_image = Path(tempfile.mkdtemp()) / "motorcycle.jpg"
    PIL.Image.fromarray(skimage.data.stereo_motorcycle()[0]).save(my_image)
mine = helpers.data.load_photo(my_image)  # at its own size
x_mine = preprocess(resize(mine)[None])  # centre crop to 299x299, a batch of one, values -1..1
print(f"{my_image}: {mine.shape} -> model input {x_mine.shape}")
if CAN_PREDICT:
    decoded = keras.applications.xception.decode_predictions(model.predict(x_mine, verbose=0), top=3)
    top3 = [(label, float(p)) for _, label, p in decoded[0]]
    q1_passed = ex.q1.check()
else:  # offline: no class names, but the features still tell which sample photo it resembles
    sims = unit(features.predict(x_mine, verbose=0)) @ reference.T
    print(
        "OFFLINE, cosine similarity to the sample photos:",
        {n: round(float(s), 2) for n, s in zip(names, sims[0]) if n != "your image"},
    )
    q1_passed = None  # nothing to check without class names

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 2: your photo as Xception's input, a batch of one.
x_mine = ____
ex.q2.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 2: the check passes the right input and explains each mistake.
x_mine = preprocess(resize(mine)[None])  # `mine`, the photo of solution 1
q2_passed = ex.q2.check()
raw = resize(mine)[None]
mistakes = {
    "no preprocessing": raw,
    "divided by 255": raw / 255.0,
    "preprocessed twice": preprocess(preprocess(raw.copy())),
}
caught = {name: not ex.q2.check(wrong) for name, wrong in mistakes.items()}

# %% slideshow={"slide_type": "skip"} tags=["exercise"]
# Exercise 3: your choice, "a", "b", "c" or "d"
choice = ____
ex.q3.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 3: (b). Nothing checks the range; the "wrong preprocessing" measurement above shows the damage.
choice = "b"
ex.q3.check()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 4: each backbone says what it needs: input size and preprocess_input (see helpers.models.BACKBONES).
for arch in ("xception", "inception_v3", "resnet50"):
    spec = helpers.models.BACKBONES[arch]
    ready = spec.preprocess(np.stack([resize(img, spec.default_size) for img in photos.values()]))
    print(
        f"{spec.constructor:12s} input {spec.default_size}x{spec.default_size}, "
        f"keras.applications.{spec.module}.preprocess_input -> {ready.min():7.1f}..{ready.max():6.1f}"
    )
# InceptionV3 expects exactly what Xception does (299x299, -1..1): `x` works unchanged.
# ResNet50 expects 224x224 and caffe-style BGR, mean-centred input: reusing `x` would be the
# "wrong preprocessing" mistake measured above. (With internet: keras.applications.InceptionV3(weights="imagenet").)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution 5: BGR instead of RGB. The network learned colours (a red fire engine, a blue sky).
bgr_row = compare("BGR (channels swapped)", batch[..., ::-1])
helpers.plots.print_table([prep_rows[0], bgr_row])
# Compare the cosine with the caffe and raw rows above: swapping channels keeps the shapes, but
# colours matter for many classes.

# %% slideshow={"slide_type": "skip"} tags=["metrics"]
course.record(
    can_predict=CAN_PREDICT,
    path="imagenet classifier" if CAN_PREDICT else "offline conv base (no classifier top)",
    n_images=len(batch),
    image_names=names,
    image_shapes={name: list(img.shape) for name, img in photos.items()},
    model_layers=len(model.layers),
    model_params=model.count_params(),
    conv_layers=len(convs),
    shortcut_convs=len(shortcuts),
    separable_convs=kinds["SeparableConv2D"],
    separable_saving=regular / separable,
    input_shape=list(x.shape[1:]),
    input_range=[float(x.min()), float(x.max())],
    model_input_shape=list(model.input_shape[1:]),
    output_shape=list(model.output_shape[1:]),
    feature_maps={str(s): list(v) for s, v in map_shapes.items()},
    cosine_between_photos=float(others.mean()),
    preprocessing={r["variant"]: r for r in prep_rows},
    input_size={r["variant"]: r for r in size_rows},
    top_k=[[list(p) for p in row] for row in predictions] if CAN_PREDICT else None,
    exercise_q1=q1_passed,
    exercise_photo_shape=list(mine.shape),
    exercise_q2=q2_passed,
    exercise_q2_catches=caught,
);

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Questionnaire
#
# Answer in a sentence or two, in your own words; each answer is in this notebook.

# %% [markdown] slideshow={"slide_type": "subslide"}
# 1. What input size does Xception's classifier expect, and what happens when you give it 224x224 images?
# 2. What does `keras.applications.xception.preprocess_input` do to the pixel values, and why must it match training?
# 3. Why crop the centre square before resizing instead of squashing the photo?
# 4. What is a depthwise separable convolution, and why does it need fewer weights than a regular one?
# 5. Which preprocessing mistake moved the features least in the measurement, and why is that the dangerous one?
# 6. What does `decode_predictions` return for each image?
