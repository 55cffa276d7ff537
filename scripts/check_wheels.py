"""Check the pins' platform markers against the wheels on the package index, for every supported Python.

    python scripts/check_wheels.py                 # all supported Pythons x all platforms below
    python scripts/check_wheels.py --python 3.13   # one version

For each (Python, platform) it evaluates the marker of every pin in pyproject.toml and asks pip, in a dry run
with ``--only-binary=:all:``, whether that exact version has a wheel there. It prints one line per platform and
exits 1 when a pin that applies has no wheel (the marker is too wide). Needs the network; not part of make test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
SUPPORTED = ("3.11", "3.12", "3.13")


def _manylinux(machine: str) -> list[str]:
    return [f"manylinux_2_{minor}_{machine}" for minor in range(28, 16, -1)] + [f"manylinux2014_{machine}"]


def _macos(machine: str) -> list[str]:
    return [f"macosx_{major}_0_{tag}" for major in range(14, 10, -1) for tag in (machine, "universal2")]


# name: (marker environment, pip --platform tags)
PLATFORMS = {
    "Linux x86_64": ({"platform_system": "Linux", "sys_platform": "linux", "platform_machine": "x86_64"},
                     _manylinux("x86_64")),
    "Linux aarch64": ({"platform_system": "Linux", "sys_platform": "linux", "platform_machine": "aarch64"},
                      _manylinux("aarch64")),
    "Windows AMD64": ({"platform_system": "Windows", "sys_platform": "win32", "platform_machine": "AMD64"},
                      ["win_amd64"]),
    "macOS arm64": ({"platform_system": "Darwin", "sys_platform": "darwin", "platform_machine": "arm64"},
                    _macos("arm64")),
    "macOS x86_64": ({"platform_system": "Darwin", "sys_platform": "darwin", "platform_machine": "x86_64"},
                     _macos("x86_64")),
}


def pins() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"] + project["optional-dependencies"]["test"]]


def has_wheel(requirement: Requirement, python: str, tags: list[str]) -> bool:
    with tempfile.TemporaryDirectory() as target:
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-deps", "--ignore-installed",
                   "--only-binary=:all:", "--python-version", python, "--target", target]
        for tag in tags:
            command += ["--platform", tag]
        command.append(f"{requirement.name}{requirement.specifier}")
        return subprocess.run(command, capture_output=True, text=True).returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", choices=SUPPORTED, help="version(s) to check (default: all)")
    args = parser.parse_args()
    missing = []
    for python in args.python or SUPPORTED:
        for name, (environment, tags) in PLATFORMS.items():
            environment = {**environment, "python_version": python, "python_full_version": f"{python}.0",
                           "implementation_name": "cpython", "platform_python_implementation": "CPython"}
            applying = [r for r in pins() if r.marker is None or r.marker.evaluate(environment)]
            absent = [str(r.specifier).join((r.name, "")) for r in applying if not has_wheel(r, python, tags)]
            skipped = [r.name for r in pins() if r not in applying]
            print(f"Python {python}, {name}: {len(applying) - len(absent)}/{len(applying)} pins have wheels"
                  + (f"; NO WHEEL: {', '.join(absent)}" if absent else "")
                  + (f" (not installed here by marker: {', '.join(skipped)})" if skipped else ""), flush=True)
            missing += [(python, name, a) for a in absent]
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
