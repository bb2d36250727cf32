"""One set of pins: pyproject.toml, requirements.lock and environment.yml must agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


def _pins(lines) -> dict[str, str]:
    return {_norm(m.group(1)): m.group(2) for m in map(PIN.match, lines) if m}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _conda_env(path: Path = ROOT / "environment.yml") -> tuple[str | None, dict[str, str], list[str]]:
    """(python version, pins pip installs, -r files) of an environment.yml, following ``-r`` includes."""
    env = yaml.safe_load(path.read_text())
    python, pip_lines = None, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_lines += dep.get("pip", [])
        elif re.match(r"python\b", str(dep)):
            python = str(dep)[len("python") :].strip()
    pins, included = {}, []
    for line in pip_lines:
        m = re.match(r"^-r\s+(\S+)$", line.strip())
        if m:  # conda runs pip next to environment.yml: paths are relative to it
            included.append(m.group(1))
            pins.update(_pins((path.parent / m.group(1)).read_text().splitlines()))
    for line in pip_lines:  # direct pins come after and must not contradict the included ones
        for name, version in _pins([line]).items():
            if name in pins and pins[name] != version:
                raise AssertionError(f"environment.yml pins {name}=={version}, its -r file {pins[name]}")
            pins[name] = version
    return python, pins, included


def test_pyproject_pins_are_exact():
    loose = [d for d in _pyproject()["dependencies"] if "==" not in d]
    assert not loose, f"pyproject.toml has unpinned dependencies: {loose}"


def test_lock_and_environment_agree_with_pyproject():
    wanted = _pins(_pyproject()["dependencies"])
    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    _, env, _ = _conda_env()
    for name, version in wanted.items():
        assert lock.get(name) == version, f"requirements.lock has {name}=={lock.get(name)}, pyproject {version}"
        assert env.get(name) == version, f"environment.yml installs {name}=={env.get(name)}, pyproject {version}"


def test_conda_users_get_every_locked_version():
    """environment.yml installs the whole lock (about 140 pins), not only the direct packages."""
    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    _, env, included = _conda_env()
    assert included == ["requirements.lock"], "environment.yml's pip section must say `-r requirements.lock`"
    assert len(lock) > 100 and {n: env.get(n) for n in lock} == lock


def test_environment_check_fails_on_disagreement(tmp_path):
    """The checks above can fail: a direct pin that contradicts the lock is caught."""
    (tmp_path / "requirements.lock").write_text("numpy==2.4.6\n")
    (tmp_path / "environment.yml").write_text(
        "dependencies:\n  - python=3.11\n  - pip:\n      - -r requirements.lock\n      - numpy==1.26.4\n"
    )
    with pytest.raises(AssertionError, match="numpy==1.26.4, its -r file 2.4.6"):
        _conda_env(tmp_path / "environment.yml")


_PYTHONS = [Version(f"3.{minor}.{patch}") for minor in range(8, 16) for patch in range(30)]


def _conda_spec(spec: str) -> SpecifierSet:
    """A conda version spec (``=3.11``, ``>=3.11.5,<3.12``) as a pip SpecifierSet."""
    if re.fullmatch(r"=?\d+(\.\d+)*", spec):
        return SpecifierSet(f"=={spec.lstrip('=')}.*")
    return SpecifierSet(spec)


def test_python_versions_are_honest():
    """requires-python admits only versions every locked package supports; conda asks for one of them."""
    from importlib.metadata import PackageNotFoundError, metadata

    requires = SpecifierSet(_pyproject()["requires-python"])
    lowest = min(v for v in _PYTHONS if v in requires)
    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    too_new = {}
    for name in lock:
        try:
            needs = metadata(name).get("Requires-Python")
        except PackageNotFoundError:
            continue
        if needs and lowest not in SpecifierSet(needs):
            too_new[name] = needs
    assert not too_new, f"requires-python allows {lowest}, but these locked packages need: {too_new}"
    python, _, _ = _conda_env()
    conda = _conda_spec(python or "")
    allowed = [v for v in _PYTHONS if v in conda]
    assert allowed and all(v in requires for v in allowed), (
        f"environment.yml asks for python {python}, outside requires-python {requires}"
    )


def test_conda_spec_reading():
    assert Version("3.11.9") in _conda_spec("=3.11") and Version("3.12.0") not in _conda_spec("3.11")
    assert Version("3.11.4") not in _conda_spec(">=3.11.5,<3.12")


def test_readme_states_the_same_python_versions():
    """README.md says "Python 3.X.Y-3.Z": the lowest version and the newest minor that pyproject allows."""
    requires = SpecifierSet(_pyproject()["requires-python"])
    allowed = [v for v in _PYTHONS if v in requires]
    readme = (ROOT / "README.md").read_text()
    m = re.search(r"Python (3\.\d+(?:\.\d+)?)-(3\.\d+)", readme)
    assert m, "README.md should state the supported Python versions as 'Python 3.X-3.Y'"
    low, high = Version(m.group(1)), Version(m.group(2))
    assert low == min(allowed) and high.minor == max(allowed).minor, (
        f"README says {m.group(0)}, pyproject requires-python {requires}"
    )


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


def test_developer_tools_stay_out_of_the_learners_lock():
    """mutmut (make mutation) is pinned in [dependency-groups] dev and requirements-dev.txt, never in the lock."""
    dev = _pins(tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["dev"])
    assert dev == _pins((ROOT / "requirements-dev.txt").read_text().splitlines())
    assert "mutmut" in dev
    lock = _pins((ROOT / "requirements.lock").read_text().splitlines())
    assert not set(dev) & set(lock), f"developer tools in the learners' lock: {set(dev) & set(lock)}"
    assert not set(dev) & set(_pins(_pyproject()["dependencies"]))
