"""Figures and measured values of deck 00 (welcome): the grid convergence of an electron in a box."""

from __future__ import annotations

import numpy as np

LENGTH = 10.0  # bohr, as in the notebook's explorer
GRID_SIZES = np.unique(np.geomspace(10, 400, 16).astype(int))


def _relative_errors(level: int) -> np.ndarray:
    """Relative error of the three-point-stencil energy of ``level`` on each grid of GRID_SIZES."""
    from course_utils.onedim import noninteracting, systems

    exact = level**2 * np.pi**2 / (2 * LENGTH**2)
    errors = []
    for n_points in GRID_SIZES:
        box = systems.particle_in_box("u", length=LENGTH, n_points=int(n_points), stencil=3)
        energy = noninteracting.solve(box, n_extra=level - 1).eigenvalues_up[level - 1]
        errors.append(abs(energy - exact) / exact)
    return np.array(errors)


def convergence():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    for level in (1, 6):
        ax.loglog(GRID_SIZES, _relative_errors(level), "o-", label=f"level n = {level}")
    guide = 0.5 * (GRID_SIZES / GRID_SIZES[0]) ** -2.0
    ax.loglog(GRID_SIZES, guide, "k--", lw=1, label=r"$\propto N^{-2}$")
    ax.set_xlabel("grid points N")
    ax.set_ylabel("relative error of $E_n$")
    ax.set_title("Electron in a box (L = 10 bohr), three-point stencil")
    ax.legend()
    fig.tight_layout()
    return fig


def _slope() -> float:
    return float(np.polyfit(np.log(GRID_SIZES), np.log(_relative_errors(1)), 1)[0])


def _error_at_40(level: int) -> float:
    from course_utils.onedim import noninteracting, systems

    box = systems.particle_in_box("u", length=LENGTH, n_points=40, stencil=3)
    exact = level**2 * np.pi**2 / (2 * LENGTH**2)
    return abs(noninteracting.solve(box, n_extra=level - 1).eigenvalues_up[level - 1] - exact) / exact


def _hartree_ev() -> str:
    from course_utils import units

    return f"{units.HARTREE_TO_EV:.6f}"


def _bohr_angstrom() -> str:
    from course_utils import units

    return f"{units.BOHR_TO_ANGSTROM:.6f}"


def _course_map() -> str:
    """The notebook's own map (its ``COURSE`` list), as a Markdown table, so deck and notebook cannot disagree."""
    import ast
    import json
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "00_welcome.ipynb"
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for node in ast.parse("".join(cell["source"])).body if cell["cell_type"] == "code" else []:
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "COURSE":
                course = ast.literal_eval(node.value)
                rows = ["| notebook | speaker | reproduces or measures |", "|---|---|---|"]
                rows += [f"| `{stem}` | {speaker} | {result} |" for _, _, speaker, stem, result in course[1:]]
                return "\n".join(rows)
    raise ValueError(f"no COURSE list in {notebook}")


FIGURES = {"convergence": convergence}
VALUES = {
    "slope": lambda: f"{_slope():.2f}",
    "error_n1": lambda: f"{_error_at_40(1):.1e}",
    "error_n6": lambda: f"{_error_at_40(6):.1e}",
    "course_map": _course_map,
    "hartree_ev": _hartree_ev,
    "bohr_angstrom": _bohr_angstrom,
}
