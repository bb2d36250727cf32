"""Command line: ``python -m helpers doctor | fetch [NAME|--all] | serve | rehearsal | run [--full] | slides | html``.

Example: ``main(["doctor", "--no-tf"])``
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

from . import assets, offline


def asset_status(asset: assets.Asset, online: bool = False) -> str:
    """'present', 'damaged ...', 'incomplete ...', 'missing: downloads ...', 'stand-in: ...' or 'missing ...'.

    Reads the cache only (checksums, sizes, folder counts): no download, fast offline.
    A damaged or incomplete copy is named with the fix (delete it and fetch again) even
    when a stand-in exists, since fetching again is what brings the real asset back.
    ``online``: its hosts answer, so a missing asset is downloaded on first use, no stand-in.
    """
    status = assets.check(asset)
    if status.present:
        return "present"
    if status.detail:  # damaged, incomplete or unverified: say what to delete
        return status.detail if status.detail.startswith(status.state) else f"{status.state}: {status.detail}"
    if online:
        return f"missing: downloaded on first use (or now: `python -m helpers fetch {asset.name}`)"
    problem = offline.standin_problem(asset.name)
    if problem == "":
        return f"stand-in: {asset.standin}"
    if problem is None:
        return f"missing (offline the course uses: {asset.standin or 'nothing'})"
    return f"missing (offline stand-in unavailable: {problem})"


def doctor(with_tf: bool = True) -> int:
    """Print versions, CPU/GPU, the cache folder, the network (per host) and every asset's status."""
    from .colab import REPOSITORY

    print(f"python      {sys.version.split()[0]} on {platform.platform()}")
    print(f"cpus        {os.cpu_count()}")
    if with_tf:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        print(f"tensorflow  {tf.__version__}   keras {keras.__version__}")
        print(f"gpu         {', '.join(g.name for g in gpus) if gpus else 'none (CPU only)'}")
    print(f"cache       {assets.keras_home()}  (set KERAS_HOME to move it)")
    if assets.mirror():
        print(f"mirror      {assets.mirror()}  ({assets.MIRROR_ENV}: tried first, real checksums)")
    hosts = {}
    for asset in assets.ASSETS.values():
        for url in assets.urls(asset):
            origin = url.split("/")[2]
            hosts.setdefault(origin, assets.is_online(url))
    print(
        "network     "
        + (
            f"OFFLINE (no asset host answers: {', '.join(hosts)})"
            if not any(hosts.values())
            else ", ".join(f"{h} {'answers' if ok else 'does NOT answer'}" for h, ok in hosts.items())
        )
    )
    print("assets:")
    for asset in assets.ASSETS.values():
        online = any(hosts[u.split("/")[2]] for u in assets.urls(asset))
        print(f"  {asset.name:28s} {asset_status(asset, online)}")
    missing = offline.missing_fixtures()
    print(
        "offline fixtures: "
        + ("all installed" if not missing else f"missing {', '.join(missing)}: {offline.FIXTURES_HINT}")
    )
    problem = offline.kitchenware_problem()
    if problem and not problem.startswith("missing"):
        print(f"  kitchenware wheel {problem}")
    print(
        f"colab       badges open github.com/{REPOSITORY}: they work once the course is published "
        "there (REPOSITORY in helpers/colab.py)"
    )
    return 0


def fetch(names: list[str]) -> int:
    """Download assets (all with --all) into the cache; report each one; exit 1 on any failure."""
    failed = 0
    for name in names:
        try:
            path = assets.fetch(name)
            print(f"ok       {name}: {path}")
        except (assets.AssetError, KeyError) as e:
            failed += 1
            print(f"FAILED   {name}: {e}", file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("doctor", help="versions, hardware, cache and every asset's status")
    d.add_argument("--no-tf", action="store_true", help="skip importing TensorFlow (faster)")
    f = sub.add_parser("fetch", help="pre-download assets for a class without reliable internet")
    f.add_argument("names", nargs="*", help=f"asset names: {', '.join(assets.ASSETS)}")
    f.add_argument("--all", action="store_true", help="every asset")
    r = sub.add_parser("run", help="execute every notebook into build/ (quick mode unless --full)")
    r.add_argument("--full", action="store_true", help="the real course (slow on a CPU)")
    for kind, where in (("slides", "reveal.js slides in build/slides"), ("html", "HTML pages in build/html")):
        k = sub.add_parser(kind, help=f"execute every notebook, then write {where} (instructors)")
        mode = k.add_mutually_exclusive_group()
        mode.add_argument(
            "--full",
            dest="quick",
            action="store_false",
            default=None,
            help="full mode (default: full when its assets are cached, else quick)",
        )
        mode.add_argument("--quick", dest="quick", action="store_true", help="quick mode")
    sv = sub.add_parser("serve", help="serve the cached assets to a classroom (COURSE_ASSET_MIRROR)")
    sv.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every interface)")
    sv.add_argument("--port", type=int, default=8765)
    sv.add_argument("--root", help="a Keras cache folder (default: this machine's)")
    rh = sub.add_parser("rehearsal", help="the online path on 127.0.0.1: twins of every asset, every notebook")
    rh.add_argument("notebooks", nargs="*", help="notebook names (default: all)")
    rh.add_argument(
        "--classroom-env",
        action="store_true",
        help="print the classroom's environment (its fetched cache, no server, no stand-in) and exit",
    )
    sub.add_parser("colab", help="write the Open-in-Colab badges and Colab setup cell (README, notebooks)")
    sub.add_parser("learner", help="write the learner's edition (no solution cells) to build/learner")
    c = sub.add_parser(
        "compare-runs",
        help="two folders of notebook metrics agree (timings excepted)",
        description="Check that two runs of the notebooks recorded the same metrics.",
    )
    c.add_argument("first", type=Path, help="e.g. build/rehearsal/metrics")
    c.add_argument("second", type=Path, help="e.g. build/metrics-classroom")
    c.add_argument("--tol", type=float, default=1e-6, help="absolute tolerance for floats")
    v = sub.add_parser("verify", help="the offline study: transfer learning works on real images (minutes)")
    v.add_argument("--seed", type=int, default=42)
    v.add_argument("--image-size", type=int, default=150)
    args = parser.parse_args(argv)
    if args.command == "colab":
        from . import colab
        from .runner import NOTEBOOKS, ROOT, notebooks

        paths = notebooks()
        changed = [p.name for p in paths if colab.update_notebook(p)]
        if colab.update_readme(ROOT / "README.md", paths):
            changed.append("README.md")
        print(f"updated: {', '.join(changed)}" if changed else f"up to date ({NOTEBOOKS})")
        return 0
    if args.command == "learner":
        from .runner import learner_edition, notebooks

        written = [learner_edition(p) for p in notebooks()]
        print(f"the learner's edition: {len(written)} notebooks in {written[0].parent}")
        return 0
    if args.command == "serve":
        from .mirror import serve

        return serve(args.root, args.host, args.port)
    if args.command == "rehearsal":
        from . import rehearsal

        if args.classroom_env:
            print("\n".join(f"{k}={v}" for k, v in rehearsal.classroom_env().items()))
            return 0
        return rehearsal.main(args.notebooks)
    if args.command == "compare-runs":
        from .metrics import compare_command

        return compare_command(args.first, args.second, tol=args.tol)
    if args.command == "verify":
        from . import verify

        return verify.main(seed=args.seed, image_size=args.image_size)
    if args.command in ("slides", "html"):
        from .runner import build_docs

        try:
            build_docs(args.command, quick=args.quick)
        except RuntimeError as e:
            print(f"FAILED: {e}", file=sys.stderr)
            return 1
        return 0
    if args.command == "run":
        from .runner import run_course

        return run_course(quick=not args.full)
    if args.command == "doctor":
        return doctor(with_tf=not args.no_tf)
    names = list(assets.ASSETS) if args.all else args.names
    if not names:
        parser.error("name an asset or use --all")
    return fetch(names)


if __name__ == "__main__":
    sys.exit(main())
