"""One set of pins: pyproject.toml, requirements.lock and environment.yml must agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


def _pins(lines) -> dict[str, str]:
    return {_norm(m.group(1)): m.group(2) for m in map(PIN.match, lines) if m}


def test_pyproject_pins_are_exact():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    loose = [d for d in deps if "==" not in d]
    assert not loose, f"pyproject.toml has unpinned dependencies: {loose}"


def test_lock_and_environment_agree_with_pyproject():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = _pins(deps)
    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    env = _pins((ROOT / "environment.yml").read_text().splitlines())
    for name, version in wanted.items():
        assert lock.get(name) == version, f"requirements.lock has {name}=={lock.get(name)}, pyproject {version}"
        assert env.get(name) == version, f"environment.yml has {name}=={env.get(name)}, pyproject {version}"
    extra = set(env) - set(wanted)
    assert not extra, f"environment.yml pins {extra}, which pyproject.toml does not"


def test_installed_versions_match_the_lock():
    from importlib.metadata import PackageNotFoundError, version

    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    wrong = {}
    for name in ("tensorflow", "keras", "numpy", "papermill", "nbval"):
        try:
            got = version(name)
        except PackageNotFoundError:
            got = None
        if got != lock[name]:
            wrong[name] = (got, lock[name])
    assert not wrong, f"installed (got, locked) differ: {wrong}; run `make install`"
