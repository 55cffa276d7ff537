"""Figures and measured values of deck 05 (ML density functionals): Snyder et al. (2012) reproduced, in kcal/mol.

The notebook's recipe: fermions in a box with three Gaussian dips (training pool seed 2012, test seed 1), kernel
ridge regression of the kinetic energy with leave-one-out hyperparameters, and the paper's published functional
(its Supplemental Material, shipped in ``course_utils/datasets/snyder2012_si_potentials.txt``) on our densities.
"""

from __future__ import annotations

import functools

M_VALUES = (40, 60, 80, 100, 150, 200)


@functools.cache
def _data():
    from course_utils.onedim import datasets

    return datasets.box_data(200, seed=2012), datasets.box_data(1000, seed=1)


@functools.cache
def _table() -> dict[tuple[int, int], dict]:
    from threadpoolctl import threadpool_limits

    from course_utils.learn import kernels

    pool, test = _data()
    rows = {}
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: one thread is faster
        for n_el in (1, 2, 3, 4):
            for m in M_VALUES:
                fitted = kernels.KernelFunctionalCV().fit(pool["density"][n_el - 1, :m], pool["kinetic"][n_el - 1, :m])
                errors = kernels.error_summary(fitted.predict(test["density"][n_el - 1]), test["kinetic"][n_el - 1])
                rows[n_el, m] = {k: errors[k] for k in ("mean", "max")}
    return rows


@functools.cache
def _published_mae() -> float:
    from course_utils.learn import kernels
    from course_utils.onedim import datasets

    published = datasets.snyder2012_published()
    P = datasets.SNYDER2012_PUBLISHED
    paper_train = datasets.solve_box(published["a"], published["b"], published["c"], max_electrons=1,
                                     walls_on_grid=True)
    paper_test = datasets.box_data(1000, seed=1, max_electrons=1, walls_on_grid=True)
    theirs = kernels.KernelFunctional.from_weights(paper_train["density"][0], P["weight_scale"] * published["alpha"],
                                                   P["sigma"], P["lambda"])
    return kernels.error_summary(theirs.predict(paper_test["density"][0]), paper_test["kinetic"][0])["mean"]


def learning_curves():
    import matplotlib.pyplot as plt

    rows = _table()
    fig, ax = plt.subplots(figsize=(8.8, 4.7))
    for n_el, marker in zip((1, 2, 3, 4), "osD^", strict=True):
        line, = ax.loglog(M_VALUES, [rows[n_el, m]["mean"] for m in M_VALUES], marker + "-", label=f"N = {n_el}")
        ax.loglog(M_VALUES, [rows[n_el, m]["max"] for m in M_VALUES], marker + "--", color=line.get_color(),
                  mfc="none", lw=1)
    ax.plot([], [], "k-", label="mean")
    ax.plot([], [], "k--", lw=1, label="maximum")
    ax.axhline(1.0, color="grey", ls=":", lw=1.5, label="1 kcal/mol")
    ax.set_xticks(M_VALUES, [str(m) for m in M_VALUES])
    ax.minorticks_off()
    ax.set_xlabel("number of training densities M")
    ax.set_ylabel("|ΔT| on 1000 test densities (kcal/mol)")
    ax.set_title("Kinetic-energy functional of N fermions in a box")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=13)
    fig.tight_layout()
    return fig


def _table_markdown() -> str:
    rows = _table()
    lines = ["| M | " + " | ".join(f"N = {n}" for n in (1, 2, 3, 4)) + " |", "|---|---|---|---|---|"]
    for m in (60, 100, 200):
        lines.append(f"| {m} | " + " | ".join(f"{rows[n, m]['mean']:.2f} ({rows[n, m]['max']:.1f})"
                                               for n in (1, 2, 3, 4)) + " |")
    return "\n".join(lines)


VALUES = {
    "n1m100_mean": lambda: f"{_table()[1, 100]['mean']:.2f}",
    "n1m100_max": lambda: f"{_table()[1, 100]['max']:.1f}",
    "published_mean": lambda: f"{_published_mae():.2f}",
    "error_table": _table_markdown,
}
FIGURES = {"learning_curves": learning_curves}
