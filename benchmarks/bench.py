"""How long a learner waits, and whether the input pipeline keeps up.

Run with ``make bench`` (hours on a laptop CPU: it runs the real course twice), or
``python benchmarks/bench.py --course-only`` / ``--precision`` / ``--quick-only`` for a part.
Writes ``build/metrics/bench.json`` and prints the tables of the README's instructor guide.
A benchmark, not a test: nothing here asserts a timing.

Measured, each in one run on the machine at hand:

* the full course (:mod:`full_course`): notebooks 02-04 in full mode on a real-sized dataset
  (the rehearsal's twins, served on 127.0.0.1), under float32 and under the policy
  :func:`helpers.models.choose_precision` picks: minutes per notebook, the speed-up, epochs run
  against epochs allowed (early stopping), test accuracies;
* feature extraction under both policies: images/second through the course's ``tf.data``
  pipeline (decode, resize, preprocess, batch, prefetch) into the VGG16 and Xception bases, divided
  by images/second of the bare model on tensors already in memory (goal: >= 0.9); the two are timed
  in turns and the ratio is the median of the turns' ratios, as the shared machine's speed drifts;
* the offline study (``make verify``) under both policies: accuracies and claims;
* head training on cached features vs end-to-end training with the frozen base: seconds per epoch;
* per notebook in quick mode: wall seconds and the kernel's peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import full_course  # noqa: E402  (benchmarks/, beside this file)

from helpers import data, models
from helpers.course import assets, metrics, runner  # noqa: E402

REPEATS = 3


def median_seconds(fn, repeats: int = REPEATS) -> float:
    """Median wall seconds of ``fn()`` over ``repeats`` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_seconds(first, second, repeats: int = 5) -> tuple[float, float, float]:
    """Median seconds of ``first()`` and of ``second()``, run in turn, and the median of their per-turn ratios.

    Taking turns (after one warm-up of each) exposes both to the same moments of a shared machine,
    whose speed drifts by 20% within a minute; ``second / first`` is taken within each turn.

    Example: ``t_pipe, t_bare, ratio = paired_seconds(course, bare)``; ratio is bare seconds / pipeline seconds.
    """
    first(), second()
    pairs = []
    for _ in range(repeats):
        times = []
        for fn in (first, second):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        pairs.append(times)
    return (
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(b / a for a, b in pairs),
    )


def image_folder(n_per_class: int) -> tuple[Path, str]:
    """A folder of real images to read: cats vs dogs if cached, else the photo cut-outs."""
    if assets.is_present("cats_and_dogs_filtered"):
        choice = data.cats_and_dogs(train_per_class=n_per_class)
        return choice.value / "train", "cats_and_dogs_filtered"
    # offline: every photo cut-out category (a few hundred real images, 224 px JPEGs)
    categories = {rel.replace("/", "_"): [rel] for rel in data.cutout_categories(10) if not rel.startswith("symbols")}
    root = data.cutout_dataset(categories, fractions={"train": 1.0}, name="bench_cutouts")
    return root / "train", "photo cut-outs (offline stand-in)"


def course_pipeline(folder: Path, size: int, batch: int):
    """The course's input pipeline (notebook 02): decode + resize once, cache, batch, prefetch."""
    import keras
    import tensorflow as tf

    ds = keras.utils.image_dataset_from_directory(
        folder, image_size=(size, size), batch_size=None, shuffle=False, verbose=False
    )
    return ds.cache().batch(batch).prefetch(tf.data.AUTOTUNE)


def pipeline_vs_bare(arch: str, folder: Path, size: int, batch: int) -> dict:
    """Images/s of feature extraction as the course does it vs the bare base on in-memory tensors.

    Course path: :func:`course_pipeline` (a fresh one each repeat, so every image is decoded)
    into :func:`helpers.models.extract_features` (preprocess, then the base with
    ``training=False``, batch by batch, one compiled graph). Bare: the same compiled call on batches
    already decoded and held in memory. The ratio says how much the input pipeline costs (goal: >= 0.9).
    """
    import keras
    import numpy as np
    import tensorflow as tf

    spec = models.BACKBONES[arch]
    base = spec.build(weights=None, include_top=False, input_shape=(size, size, 3))
    n = sum(data.class_counts(folder).values())
    batches = [(x, y) for x, y in course_pipeline(folder, size, batch)]  # decoded once, in memory

    def course():
        models.extract_features(base, course_pipeline(folder, size, batch), spec.preprocess, progress=False)

    def bare():  # compiled afresh each repeat, as extract_features is: the ratio is the pipeline's cost alone
        compiled = tf.function(lambda x: base(spec.preprocess(x), training=False), reduce_retracing=True)
        for x, _ in batches:
            np.asarray(compiled(x))

    t_pipe, t_bare, ratio = paired_seconds(course, bare)
    keras.backend.clear_session()
    return {
        "images": n,
        "image_size": size,
        "batch": batch,
        "pipeline_img_s": round(n / t_pipe, 1),
        "bare_img_s": round(n / t_bare, 1),
        "ratio": round(ratio, 3),
    }


STUDY_KEYS = (
    "transfer_acc",
    "finetune_acc",
    "finetune_augmented_acc",
    "finetune_cached_acc",
    "scratch_acc",
    "wrong_preprocessing_acc",
    "total_s",
)


def precision_comparison(folder: Path, size: int, batch: int) -> dict:
    """Feature extraction and the offline study under float32 and under the chosen mixed policy."""
    from helpers.course import verify

    chosen = models.choose_precision()
    result = {"chosen": chosen.policy, "reason": chosen.reason, "policies": {}}
    for policy in dict.fromkeys(["float32", chosen.policy]):
        print(f"precision {policy}: feature extraction and the offline study ...", flush=True)
        pipeline = {}
        try:
            for arch in ("vgg16", "xception"):  # each part clears the Keras session, which resets the policy
                verify.fresh_session(policy)
                pipeline[arch] = pipeline_vs_bare(arch, folder, size, batch)
            study = verify.run_study(verify.Config(precision=policy), verbose=0)
        finally:
            verify.fresh_session("float32")
        if study["precision"] != policy:
            raise RuntimeError(f"the study ran under {study['precision']}, not {policy}")
        result["policies"][policy] = {
            "pipeline": pipeline,
            "study": {key: study[key] for key in STUDY_KEYS},
            "claims_violated": verify.check_claims(study),
        }
    base, mixed = result["policies"]["float32"], result["policies"][chosen.policy]
    result["speedup"] = {
        arch: round(mixed["pipeline"][arch]["bare_img_s"] / base["pipeline"][arch]["bare_img_s"], 2)
        for arch in base["pipeline"]
    }
    return result


def print_precision(result: dict) -> None:
    """float32 and the chosen policy side by side (README's instructor guide)."""
    chosen = result["chosen"]
    print(f"\nchosen policy: {chosen} ({result['reason']})")
    print(f"| measure | float32 | {chosen} |\n|---|---|---|")
    base, mixed = result["policies"]["float32"], result["policies"][chosen]
    for arch in base["pipeline"]:
        b, m = base["pipeline"][arch], mixed["pipeline"][arch]
        print(
            f"| {arch} {b['image_size']}px features, bare model img/s (speed-up) | {b['bare_img_s']} | "
            f"{m['bare_img_s']} ({result['speedup'][arch]}x) |"
        )
        print(f"| {arch}: course pipeline / bare model | {b['ratio']} | {m['ratio']} |")
    for key in STUDY_KEYS:
        print(f"| offline study: {key} | {base['study'][key]:.3f} | {mixed['study'][key]:.3f} |")
    print(
        f"| offline study: claims | {'all hold' if not base['claims_violated'] else base['claims_violated']} | "
        f"{'all hold' if not mixed['claims_violated'] else mixed['claims_violated']} |"
    )


def head_vs_end_to_end(folder: Path, size: int, batch: int) -> dict:
    """Seconds per epoch: dense head on cached VGG16 features vs frozen base end to end."""
    import keras

    spec = models.BACKBONES["vgg16"]
    base = spec.build(weights=None, include_top=False, input_shape=(size, size, 3))
    ds = course_pipeline(folder, size, batch)
    num_classes = len(data.class_counts(folder))
    feats, labels = models.extract_features(base, ds, spec.preprocess)
    head = models.dense_head(feats.shape[1:], num_classes)
    head.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    full = models.transfer_model(
        base, num_classes, preprocess=spec.preprocess, input_shape=(size, size, 3), augment=True, seed=0
    )
    full.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    t_head = median_seconds(lambda: head.fit(feats, labels, epochs=1, batch_size=batch, verbose=0))
    t_full = median_seconds(lambda: full.fit(ds, epochs=1, verbose=0))
    keras.backend.clear_session()
    return {
        "images": int(len(labels)),
        "image_size": size,
        "head_s_per_epoch": round(t_head, 3),
        "end_to_end_s_per_epoch": round(t_full, 2),
        "speedup": round(t_full / t_head, 1),
    }


def notebook_times() -> dict:
    """Wall seconds and the kernel's own peak memory for each notebook in quick mode (one run each)."""
    rows = {}
    for nb in runner.notebooks():
        row = rows[f"{nb.stem} (quick)"] = full_course.time_notebook(nb, quick=True, out=runner.BUILD / "bench")
        print(f"  {nb.stem:32s} quick {row['seconds']} s  peak {row['peak_rss_mib']} MiB  {row['status']}", flush=True)
    return rows


def machine() -> dict:
    """What the numbers were measured on: CPU model and cores, GPU model, TensorFlow."""
    import tensorflow as tf

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    gpus = [
        tf.config.experimental.get_device_details(g).get("device_name", g.name)
        for g in tf.config.list_physical_devices("GPU")
    ]
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "gpu": gpus,
        "tensorflow": tf.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-notebooks", action="store_true", help="only the pipeline benchmarks")
    parser.add_argument("--per-class", type=int, default=32, help="images per class read")
    parser.add_argument("--quick-only", action="store_true", help="notebooks in quick mode only, no full course")
    parser.add_argument(
        "--precision", action="store_true", help="only float32 vs the chosen mixed policy (bench-precision.json)"
    )
    parser.add_argument(
        "--course-only", action="store_true", help="only the full course on the real-sized twins (bench-course.json)"
    )
    parser.add_argument(
        "--notebooks", nargs="+", default=list(full_course.NOTEBOOKS), help="the full course's notebooks to time"
    )
    args = parser.parse_args(argv)
    result = {"machine": machine()}
    chosen = models.choose_precision()
    policies = list(dict.fromkeys(["float32", chosen.policy]))
    if args.course_only:
        result["course"] = full_course.run(policies, tuple(args.notebooks))
        result["course"]["chosen"] = {"policy": chosen.policy, "reason": chosen.reason}
        print(f"written {full_course.write(result)}")
        print_course(result, policies)
        return 0
    folder, source = image_folder(args.per_class)
    result["images_source"] = source
    print(f"reading {sum(data.class_counts(folder).values())} images from {folder} ({source})")
    result["precision"] = precision_comparison(folder, 150, batch=32)
    if args.precision:
        out = metrics.metrics_dir() / "bench-precision.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2))
        print_precision(result["precision"])
        print(f"written {out}")
        return 0
    result["pipeline"] = result["precision"]["policies"]["float32"]["pipeline"]
    print("head on cached features vs end to end ...", flush=True)
    result["training"] = head_vs_end_to_end(folder, 150, batch=32)
    if not args.skip_notebooks:
        print("notebooks, quick mode ...", flush=True)
        result["notebooks"] = notebook_times()
        peaks = {k: r["peak_rss_mib"] for k, r in result["notebooks"].items() if r["peak_rss_mib"]}
        if peaks:
            largest = max(peaks, key=peaks.get)
            result["peak_memory"] = {"notebook": largest, "mib": peaks[largest]}
        if not args.quick_only:
            result["course"] = full_course.run(policies, tuple(args.notebooks))
            result["course"]["chosen"] = {"policy": chosen.policy, "reason": chosen.reason}
    out = metrics.metrics_dir() / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print_table(result)
    print_precision(result["precision"])
    if "course" in result:
        print_course(result, policies)
    print(f"written {out}")
    return 0


def print_course(result: dict, policies: list[str]) -> None:
    """The full course's table: the number a learner waits, per notebook and policy."""
    m = result["machine"]
    course = result["course"]
    print(
        f"\nfull course on {course['data']}; machine: {m.get('cpu', '?')}, {m['cpus']} cores, "
        f"GPU: {', '.join(m['gpu']) or 'none'}; chosen policy {course['chosen']['policy']} "
        f"({course['chosen']['reason']})"
    )
    print(full_course.table(course, policies))


def print_table(result: dict) -> None:
    """The readable table that goes into the README's instructor guide."""
    m = result["machine"]
    print(
        f"\nmachine: {m.get('cpu', '?')}, {m['cpus']} cores, GPU: {', '.join(m['gpu']) or 'none'}, "
        f"TensorFlow {m['tensorflow']}"
    )
    if "full_mode_data" in result:
        print(f"full mode ran on: {result['full_mode_data']}")
    print("| measure | value |\n|---|---|")
    for arch, r in result["pipeline"].items():
        print(
            f"| {arch} {r['image_size']}px: pipeline / bare model img/s | "
            f"{r['pipeline_img_s']} / {r['bare_img_s']} (ratio {r['ratio']}) |"
        )
    t = result["training"]
    print(
        f"| s/epoch, head on cached features vs frozen base end to end ({t['images']} images) | "
        f"{t['head_s_per_epoch']} vs {t['end_to_end_s_per_epoch']} ({t['speedup']}x) |"
    )
    for name, r in result.get("notebooks", {}).items():
        print(f"| {name}: wall time, kernel peak memory | {r['seconds']} s, {r['peak_rss_mib']} MiB ({r['status']}) |")
    if "peak_memory" in result:
        p = result["peak_memory"]
        print(f"| peak memory, largest notebook | {p['mib']} MiB ({p['notebook']}) |")


if __name__ == "__main__":
    sys.exit(main())
