"""The lock files `make install` uses pin every dependency pyproject.toml declares, at a version its range allows: a
dependency changed in pyproject.toml without `make lock` fails here, not on a user's fresh install."""

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from dagster_project import settings

LOCKS = {"dev.lock": ("dev",), "spark.lock": ("dev", "spark")}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def pins(lock: str) -> dict[str, str]:
    text = (settings.REPO_ROOT / "requirements" / lock).read_text(encoding="utf-8")
    return {canonicalize_name(name): version for name, version in _PIN.findall(text)}


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_the_lock_pins_every_declared_dependency_within_its_range(lock, extras):
    project = tomllib.loads((settings.REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [Requirement(text) for text in project["dependencies"]]
    declared += [Requirement(text) for extra in extras for text in project["optional-dependencies"][extra]]
    pinned = pins(lock)
    wrong = {
        str(req): pinned.get(canonicalize_name(req.name), "missing")
        for req in declared
        if pinned.get(canonicalize_name(req.name)) is None
        or not req.specifier.contains(pinned[canonicalize_name(req.name)], prereleases=True)
    }
    assert not wrong, f"requirements/{lock} is out of date with pyproject.toml (run `make lock`): {wrong}"


def test_every_pin_carries_its_hashes():
    for lock in LOCKS:
        text = (settings.REPO_ROOT / "requirements" / lock).read_text(encoding="utf-8")
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
        unhashed = [block.split(" ", 1)[0] for block in blocks if "==" in block and "--hash=sha256:" not in block]
        assert not unhashed, f"{lock}: pins without hashes: {unhashed}"
