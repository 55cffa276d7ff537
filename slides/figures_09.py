"""Figures and measured values of deck 09 (differentiable DFT), computed when the deck is built.

Live: the derivative of the HeH+ Kohn-Sham gap with respect to the two LDA scale factors, three ways (finite
differences of the NumPy SCF, automatic differentiation through the TensorFlow SCF, implicit differentiation by
the adjoint Dyson equation), with their wall times; the silicon band structure and the gradient of its gap.
Shipped: the errors of the neural xc functionals of ``neural_xc_1d`` (``scripts/train_neural_xc.py``; notebook 09
reruns one of them live and asserts the match). TensorFlow is imported inside the functions.
"""

from __future__ import annotations

import time
from functools import lru_cache

import numpy as np
from deck_style import COLOURS, figure, styled

FD_STEP = 1e-4  # finite-difference step in each scale factor
SCF = {"tol": 1e-11, "energy_tol": 1e-12}
METHODS = ("finite differences", "unrolled autodiff", "implicit (adjoint)")



def _tf():
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf


@lru_cache(maxsize=1)
def _derivatives():
    """d gap / d (theta_x, theta_c) of HeH+ (Ha per unit scale) by three methods, and the seconds each took."""
    tf = _tf()
    from course_utils.onedim import differentiable as dft
    from course_utils.onedim import kohn_sham
    from course_utils.onedim import ks_regularizer as ksr

    heh = ksr.system("HeH+ R=1.5")
    seconds, values = {}, {}

    def gap(theta_x, theta_c):
        eps = kohn_sham.solve(heh, xc=dft.scaled_lda_numpy(heh, theta_x, theta_c), **SCF).eigenvalues_up
        return eps[1] - eps[0]

    start = time.perf_counter()
    values[METHODS[0]] = np.array([(gap(*(1.0 + FD_STEP * e)) - gap(*(1.0 - FD_STEP * e))) / (2 * FD_STEP)
                                   for e in np.eye(2)])
    seconds[METHODS[0]] = time.perf_counter() - start

    xc = dft.scaled_lda()
    start = time.perf_counter()
    with tf.GradientTape() as tape:
        run = dft.solve(heh, xc, **SCF)
        final_gap = run.gap_history[-1]
    values[METHODS[1]] = tape.gradient(final_gap, xc.params[0]).numpy()
    seconds[METHODS[1]] = time.perf_counter() - start

    start = time.perf_counter()
    response = dft.Response(run)
    cotangent = response.adjoint(eigen_weight=dft.gap_weights(run))  # one solve for the one output
    values[METHODS[2]] = np.asarray(dft.xc_vjp(run, cotangent))  # every parameter in one backward pass
    seconds[METHODS[2]] = time.perf_counter() - start
    return values, seconds, run.iterations


@lru_cache(maxsize=1)
def _shipped():
    from course_utils.onedim import ks_regularizer as ksr

    arrays, record = ksr.load_shipped()
    return arrays, record


def _held_out():
    from course_utils.onedim import ks_regularizer as ksr

    arrays, _ = _shipped()
    names = [str(n) for n in arrays["names"]]
    return names, np.array([name in ksr.HELDOUT for name in names])


# ---------------------------------------------------------------------------------------------------- figures


@styled
def derivatives():
    values, seconds, _ = _derivatives()
    reference = values[METHODS[2]]
    fig, (a, b) = figure(2, figsize=(8.6, 4.3))
    for k, (method, colour) in enumerate(zip(METHODS[:2], COLOURS[:2], strict=True)):
        rel = np.abs(values[method] - reference) / np.abs(reference)
        a.bar(np.arange(2) + (k - 0.5) * 0.35, np.maximum(rel, 1e-16), width=0.35, color=colour, label=method)
    a.set_yscale("log")
    a.set_ylim(1e-16, 1e-3)
    a.set_xticks([0, 1], [r"$\theta_x$", r"$\theta_c$"])
    a.set(xlabel="parameter of d gap / dθ", ylabel="relative difference", title="Against the implicit one")
    a.legend(loc="upper left", fontsize=13)
    b.bar(range(3), [seconds[m] for m in METHODS], color=COLOURS[:3], width=0.6)
    b.set_xticks(range(3), ["finite\ndiff.", "unrolled", "implicit"])
    b.set(xlabel="method", ylabel="wall time (s), incl. tracing", title="Cost, both parameters")
    fig.suptitle("HeH+ gap derivatives: agreement and cost")
    return fig


@styled
def heldout():
    arrays, _ = _shipped()
    names, held = _held_out()
    fig, (a, b) = figure(2, figsize=(8.6, 4.5))
    labels = [n for n, h in zip(names, held, strict=True) if h]
    x = np.arange(len(labels))
    for k, (key, label, colour) in enumerate((("lda", "LDA", COLOURS[2]), ("direct", "no SCF", COLOURS[1]),
                                               ("scf", "through SCF", COLOURS[0]))):
        a.bar(x + (k - 1) * 0.27, 1000 * np.abs(arrays[f"energy_error_{key}"][held]), width=0.27, color=colour,
              label=label)
        b.bar(x + (k - 1) * 0.27, arrays[f"density_error_{key}"][held], width=0.27, color=colour, label=label)
    for ax in (a, b):
        ax.set_xticks(x, [name.replace(" R=", "\n") for name in labels], fontsize=13)
        ax.set_xlabel("held-out molecule (R in bohr)")
    a.set_yscale("log")
    a.set(ylabel="|energy error| (mHa)", title="Energy")
    b.set(ylabel=r"$\int|n - n_{\rm exact}|\,dx$ (electrons)", title="Density")
    fig.legend(*a.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=14)
    fig.suptitle("Neural xc functionals on molecules they were not trained on")
    return fig


@styled
def dissociation():
    arrays, _ = _shipped()
    r = arrays["curve_R"]
    exact = arrays["curve_energy"] + 1.0 / np.sqrt(r**2 + 1.0)  # plus the soft-Coulomb proton repulsion
    fig, ax = figure(figsize=(8.2, 4.3))
    ax.plot(r, exact, "k-", lw=3, label="exact")
    for key, label, colour in (("lda", "LDA", COLOURS[2]), ("direct", "network, no SCF in training", COLOURS[1]),
                               ("scf", "network trained through the SCF", COLOURS[0])):
        ax.plot(r, exact + arrays[f"curve_error_{key}"], "o--", color=colour, label=label)
    for trained in (1.5, 4.0):
        ax.axvline(trained, color="0.5", ls=":", lw=1.5)
    ax.set(xlabel="bond length R (bohr)", ylabel="E(R) + E_nn(R) (Ha)",
           title="1D H₂ dissociation (dotted: training bond lengths)")
    ax.legend(loc="lower right", fontsize=14)
    return fig


@styled
def silicon():
    _tf()
    from course_utils.atoms import empirical_pseudopotential as epm

    kpath, distance, ticks, labels = epm.high_symmetry_path(30)
    bands = epm.bands(kpath, epm.FORM_FACTORS_RY).numpy()
    line = np.outer(np.linspace(0.0, 1.0, 21), [1.0, 0.0, 0.0])
    edge = epm.bands(line, epm.FORM_FACTORS_RY, n_bands=5).numpy()
    vbm = edge[0, 1:4].mean()
    fig, ax = figure(figsize=(8.2, 4.4))
    ax.plot(distance, bands - vbm, color=COLOURS[0], lw=1.8)
    for t in ticks:
        ax.axvline(t, color="0.6", lw=0.8)
    ax.axhline(0.0, color="0.5", lw=0.8, ls=":")
    ax.set_xticks(ticks, labels)
    ax.set(xlabel="wave vector k (high-symmetry path)", ylabel="energy − valence maximum (eV)",
           title="Si bands, Cohen–Bergstresser pseudopotential")
    return fig


FIGURES = {"derivatives": derivatives, "heldout": heldout, "dissociation": dissociation, "silicon": silicon}

# ----------------------------------------------------------------------------------------------------- values


def _derivative(method, k):
    return f"{_derivatives()[0][method][k]:.7f}"


def _agreement():
    values = _derivatives()[0]
    reference = values[METHODS[2]]
    worst = max(np.max(np.abs(values[m] - reference) / np.abs(reference)) for m in METHODS[:2])
    return _power_of_ten(worst)


def _power_of_ten(value):
    """A small positive number as TeX, e.g. $8 \\times 10^{-10}$ (typeset by MathJax on the slide)."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"${mantissa} \\times 10^{{{int(exponent)}}}$"


def _median(key):
    arrays, _ = _shipped()
    _, held = _held_out()
    return f"{np.median(1000 * np.abs(arrays[f'energy_error_{key}'][held])):.1f}"


def _mean_density(key):
    arrays, _ = _shipped()
    _, held = _held_out()
    return f"{np.mean(arrays[f'density_error_{key}'][held]):.3f}"


@lru_cache(maxsize=1)
def _silicon_gradient():
    tf = _tf()
    from course_utils.atoms import empirical_pseudopotential as epm

    v = tf.Variable(epm.FORM_FACTORS_RY, dtype=tf.float64)
    with tf.GradientTape() as tape:
        gap = epm.indirect_gap(v)
    autodiff = tape.gradient(gap, v).numpy()
    step = 1e-5
    fd = np.array([(float(epm.indirect_gap(np.array(epm.FORM_FACTORS_RY) + step * e))
                    - float(epm.indirect_gap(np.array(epm.FORM_FACTORS_RY) - step * e))) / (2 * step)
                   for e in np.eye(3)])
    return float(gap), autodiff, float(np.max(np.abs(autodiff - fd) / np.abs(fd)))


def _n_weights():
    _tf()
    from course_utils.onedim import differentiable as dft

    network = dft.NeuralXC(tuple(_shipped()[1]["hidden"]))
    return str(sum(int(np.prod(p.shape)) for p in network.params))


def _train_set():
    from course_utils.onedim import ks_regularizer as ksr

    return ", ".join(ksr.TRAIN)


VALUES = {
    "FD_X": lambda: _derivative(METHODS[0], 0),
    "FD_C": lambda: _derivative(METHODS[0], 1),
    "UNROLLED_X": lambda: _derivative(METHODS[1], 0),
    "UNROLLED_C": lambda: _derivative(METHODS[1], 1),
    "IMPLICIT_X": lambda: _derivative(METHODS[2], 0),
    "IMPLICIT_C": lambda: _derivative(METHODS[2], 1),
    "AGREEMENT": _agreement,
    "ITERATIONS": lambda: str(_derivatives()[2]),
    "T_FD": lambda: f"{_derivatives()[1][METHODS[0]]:.1f}",
    "T_UNROLLED": lambda: f"{_derivatives()[1][METHODS[1]]:.1f}",
    "T_IMPLICIT": lambda: f"{_derivatives()[1][METHODS[2]]:.1f}",
    "N_WEIGHTS": _n_weights,
    "SCF_STEPS": lambda: str(_shipped()[1]["scf"]["steps"]),
    "MEDIAN_LDA": lambda: _median("lda"),
    "MEDIAN_DIRECT": lambda: _median("direct"),
    "MEDIAN_SCF": lambda: _median("scf"),
    "DENSITY_LDA": lambda: _mean_density("lda"),
    "DENSITY_DIRECT": lambda: _mean_density("direct"),
    "DENSITY_SCF": lambda: _mean_density("scf"),
    "SI_GAP": lambda: f"{_silicon_gradient()[0]:.3f}",
    "SI_AGREEMENT": lambda: _power_of_ten(_silicon_gradient()[2]),
    "TRAIN_SET": _train_set,
}
