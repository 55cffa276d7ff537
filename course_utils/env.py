"""Environment check for the welcome notebook: which pinned packages are missing or differ, and how to fix it.

The pins are read from the installed ``course-utils`` distribution's metadata (which comes from
``pyproject.toml``, the course's single source of versions), so this list can never drift from it.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import platform
import sys
from dataclasses import dataclass

FIX_HINT = ("run `make setup` in the course folder (or `pip install -e .` inside your environment), then "
            "restart the kernel")


@dataclass(frozen=True)
class PackageStatus:
    name: str
    wanted: str
    installed: str | None

    @property
    def ok(self) -> bool:
        return self.installed is not None and (not self.wanted or self.installed == self.wanted)

    @property
    def status(self) -> str:
        if self.installed is None:
            return "MISSING"
        return "ok" if self.ok else f"differs (course pins {self.wanted})"


def pinned_requirements(extras: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(name, pinned version)`` for each requirement of course-utils that applies to this platform."""
    from packaging.requirements import Requirement

    try:
        requirements = metadata.requires("course-utils") or []
    except metadata.PackageNotFoundError:
        return []
    pins = []
    for text in requirements:
        requirement = Requirement(text)
        environments = [{"extra": extra} for extra in ("", *extras)]
        if requirement.marker is not None and not any(requirement.marker.evaluate(env) for env in environments):
            continue
        versions = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        pins.append((requirement.name, versions[0] if versions else ""))
    return pins


def supported_pythons() -> list[str]:
    """The ``X.Y`` versions admitted by course-utils' ``requires-python`` (``[]`` when it is not installed)."""
    from packaging.specifiers import SpecifierSet

    try:
        requires = metadata.metadata("course-utils").get("Requires-Python")
    except metadata.PackageNotFoundError:
        return []
    if not requires:
        return []
    specifier = SpecifierSet(requires)
    return [f"3.{minor}" for minor in range(6, 30) if specifier.contains(f"3.{minor}.0")]


def check_environment(extras: tuple[str, ...] = ()) -> list[PackageStatus]:
    """Status of every pinned package (installed version vs the course's pin)."""
    rows = []
    for name, wanted in pinned_requirements(extras):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        rows.append(PackageStatus(name, wanted, installed))
    return rows


def report(extras: tuple[str, ...] = ()) -> str:
    """A plain-text report for the welcome notebook, ending with what to do when something is wrong."""
    lines = [f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
             f"{os.cpu_count()} CPU cores"]
    supported = supported_pythons()
    if supported and f"{sys.version_info[0]}.{sys.version_info[1]}" not in supported:
        listed = ", ".join(supported[:-1]) + " or " + supported[-1] if len(supported) > 1 else supported[0]
        lines.append(f"  ! the course supports Python {listed}; other versions may fail to install the pins")
    rows = check_environment(extras)
    if not rows:
        lines.append("course-utils is not installed as a package, so the pins cannot be read: " + FIX_HINT + ".")
        return "\n".join(lines)
    width = max(len(r.name) for r in rows)
    lines += [f"  {r.name:<{width}}  {r.installed or '-':<12} {r.status}" for r in rows]
    missing = [r.name for r in rows if r.installed is None]
    differ = [r.name for r in rows if r.installed is not None and not r.ok]
    if missing:
        lines.append(f"Missing: {', '.join(missing)}. To fix: {FIX_HINT}.")
    if differ:
        lines.append(f"Versions differ from the course's pins for: {', '.join(differ)}. Results may differ "
                     f"slightly; to match exactly: {FIX_HINT}.")
    if not missing and not differ:
        lines.append("Everything the course needs is installed at the pinned versions.")
    return "\n".join(lines)
