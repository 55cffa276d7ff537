"""environment.yml and binder/ agree with the pins in pyproject.toml."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_generated_environment_files_are_up_to_date():
    result = subprocess.run([sys.executable, "scripts/sync_environments.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert "==" in requirement.split(";")[0], f"not pinned to one version: {requirement}"


def test_pins_match_the_installed_environment():
    # The venv that runs the tests was built from these pins; a mismatch means the stamp logic failed.
    from importlib import metadata

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for text in project["dependencies"] + project["optional-dependencies"]["test"]:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pinned = next(iter(requirement.specifier)).version
        assert metadata.version(requirement.name) == pinned, f"{requirement.name}: installed differs from pin"


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "3.11" in project["requires-python"]
    assert "python=3.11" in (ROOT / "binder" / "environment.yml").read_text()
    assert "python=3.11" in (ROOT / "environment.yml").read_text()
