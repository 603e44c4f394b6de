"""The pip pins and the conda environment list the same packages at the same versions."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!\[ ;]", spec.strip())[0].lower().replace("_", "-")


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


def test_environment_yml_matches_pyproject_and_constraints():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(d) for d in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "==" in dep:
            name, version = dep.split("==")
            conda[_name(name)] = version
    pins = _pins()
    assert set(conda) == wanted, "environment.yml and pyproject.toml list different packages"
    for name in wanted:
        assert name in pins, f"{name} is not pinned in requirements/constraints.txt"
        assert conda[name] == pins[name], f"{name}: environment.yml {conda[name]} != constraints {pins[name]}"


def test_every_installed_package_is_pinned_exactly():
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "==" in line, f"unpinned: {line}"


def test_nbconvert_has_the_security_fixes():
    version = tuple(int(x) for x in _pins()["nbconvert"].split(".")[:3])
    assert version >= (7, 17, 1)
