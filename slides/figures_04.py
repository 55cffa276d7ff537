"""Figures and measured values of deck 04 (1-RDMs): the Hubbard dimer's gamma_12, its analytic form, and chains.

Everything here is exact diagonalisation and closed forms from ``course_utils.lattice`` (no network: training one
is what the students do in the notebook). Same seeds as the notebook: test set seed 3, far set seed 5, chains seed 8.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def _analytic_errors() -> dict[str, tuple[float, float]]:
    from course_utils import lattice

    test = lattice.dimer_samples(2000, seed=3)
    far = lattice.dimer_samples(2000, u_max=40.0, seed=5)
    far = {key: value[far["U"] > 10.0] for key, value in far.items()}
    models = {"analytic, alpha = 32": lambda s: lattice.interpolating_gamma(s["delta_n"], s["U"]),
              "Kohn-Sham": lambda s: lattice.dimer_bound(s["delta_n"])}
    return {name: tuple(float(np.mean(np.abs(f(s) - s["gamma_12"]))) for s in (test, far))
            for name, f in models.items()}


@functools.cache
def _chain_errors() -> dict[tuple[float, float], tuple[float, float]]:
    from course_utils import lattice

    sites, rng = 8, np.random.default_rng(8)
    errors = {}
    for U in (1.0, 4.0, 8.0):
        for W in (0.5, 2.0, 5.0):
            differences = []
            for _ in range(6):
                result = lattice.solve(lattice.Hubbard(sites, 1.0, U, rng.uniform(-W, W, sites), (4, 4)))
                n = result.occupations
                dimer = lattice.exact_dimer_gamma(n[:-1] - n[1:], np.full(sites - 1, U))
                differences.append(dimer - np.diag(result.rdm1, 1))
            differences = np.concatenate(differences)
            errors[U, W] = (float(np.mean(np.abs(differences))), float(np.mean(differences)))
    return errors


def dimer_gamma():
    import matplotlib.pyplot as plt

    from course_utils import lattice

    dn = np.linspace(-1.98, 1.98, 199)
    fig, ax = plt.subplots(figsize=(8.6, 4.6))
    ax.fill_between(dn, lattice.dimer_bound(dn), 1.05, color="0.9", label="not N-representable")
    for k, u in enumerate((0.0, 2.0, 5.0, 10.0)):
        ax.plot(dn, lattice.exact_dimer_gamma(dn, u), color=f"C{k}", lw=2.5, label=f"exact, U = {u:g} t")
        ax.plot(dn, lattice.interpolating_gamma(dn, u), "k--", lw=1.2)
    ax.plot([], [], "k--", lw=1.2, label="analytic form, α = 32")
    ax.set_xlim(-2, 2)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("occupation difference Δn = n₁ − n₂ (electrons)")
    ax.set_ylabel("γ₁₂ (electrons)")
    ax.set_title("Hubbard dimer: off-diagonal 1-RDM element")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=13)
    fig.tight_layout()
    return fig


def _chain_table() -> str:
    errors = _chain_errors()
    rows = ["| disorder W | U = 1 t | U = 4 t | U = 8 t |", "|---|---|---|---|"]
    for W in (0.5, 2.0, 5.0):
        cells = [f"{errors[U, W][0]:.2f} ({errors[U, W][1]:+.2f})" for U in (1.0, 4.0, 8.0)]
        rows.append(f"| {W:g} t | " + " | ".join(cells) + " |")
    return "\n".join(rows)


VALUES = {
    "analytic_mae": lambda: f"{_analytic_errors()['analytic, alpha = 32'][0]:.4f}",
    "analytic_far": lambda: f"{_analytic_errors()['analytic, alpha = 32'][1]:.4f}",
    "ks_mae": lambda: f"{_analytic_errors()['Kohn-Sham'][0]:.3f}",
    "ks_far": lambda: f"{_analytic_errors()['Kohn-Sham'][1]:.3f}",
    "chain_table": _chain_table,
}
FIGURES = {"dimer_gamma": dimer_gamma}
