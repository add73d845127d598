"""Pruebas del empaquetado: pyproject.toml y environment.yml declaran las mismas dependencias."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower().replace("_", "-")


def _pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}


def _environment_requirements() -> set[str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("  - pip:")
    pip_lines = [line.strip()[2:] for line in lines[start + 1:] if line.startswith("      - ")]
    return {_normalise(r) for r in pip_lines if r != "-e ."}


def test_environment_matches_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_environment_pins_python_311():
    assert "  - python=3.11" in (ROOT / "environment.yml").read_text().splitlines()


def test_console_script_and_test_extra_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["coursekit"] == "coursekit.cli:main"
    assert any(r.startswith("nbval") for r in project["optional-dependencies"]["test"])


def test_keras_3_required():
    requirements = _pyproject_requirements()
    assert "keras>=3.3" in requirements
    assert any(r.startswith("tensorflow>=2.16") for r in requirements)
