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


SUPPORTED = ("3.11", "3.12", "3.13")


def _makefile_variable(name: str) -> str:
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith(f"{name} :="):
            return line.split(":=", 1)[1].strip()
    raise AssertionError(f"{name} is not set in the Makefile")


def test_python_version_agrees():
    # requires-python, the Makefile's interpreter check, the conda/Binder pin and the environment check of the
    # welcome notebook (course_utils.env reads requires-python from the installed metadata) name the same versions.
    from packaging.specifiers import SpecifierSet

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requires = SpecifierSet(project["requires-python"])
    for version in SUPPORTED:
        assert requires.contains(f"{version}.0"), f"requires-python {requires} excludes {version}"
    for version in ("3.10.14", "3.14.0"):
        assert not requires.contains(version), f"requires-python {requires} admits {version}"
    assert tuple(_makefile_variable("SUPPORTED_PYTHONS").split()) == SUPPORTED
    reference = _makefile_variable("REFERENCE_PYTHON")
    assert reference in SUPPORTED
    # conda and Binder use one of them: the reference version on which make test runs the full suite.
    assert f"  - python={reference}\n" in (ROOT / "environment.yml").read_text(), \
        f"environment.yml does not pin python={reference}"
    runtime = (ROOT / "binder" / "runtime.txt").read_text()
    assert runtime.strip() == f"python-{reference}", f"binder/runtime.txt says {runtime!r}, not python-{reference}"
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import sync_environments
    finally:
        sys.path.pop(0)
    assert sync_environments.CONDA_PYTHON == reference


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def test_binder_installs_the_dependencies_and_nothing_else():
    # Binder's pip route installs exactly the course's dependencies (not the test extra), in pyproject's order.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert _requirement_lines(ROOT / "binder" / "requirements.txt") == project["dependencies"]
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.read_text().startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in post_build.read_text(), "a failing postBuild must fail the image build"
    assert "pip install --no-deps -e ." in post_build.read_text()


def test_binder_folder_selects_the_pip_route():
    # repo2docker reads only binder/ when it exists; its buildpacks are tried in the order Dockerfile, Julia,
    # Nix, R, conda (environment.yml), Pipfile, then Python (runtime.txt / requirements.txt), so any of the
    # earlier ones' files in binder/ would silently replace the pip route (see tests/test_binder.py).
    assert not (ROOT / ".binder").exists(), "repo2docker refuses a repository with both binder/ and .binder/"
    present = {path.name for path in (ROOT / "binder").iterdir()}
    assert present == {"requirements.txt", "runtime.txt", "postBuild"}, \
        f"binder/ holds {sorted(present)}; only the generated pip-route files belong there"
