"""Figures and measured values of deck 06 (deep learning functionals), computed when the deck is built.

Everything comes from the cached ``xc_wells_1d`` data set and the three shipped networks (``xc_models``); the only
live computation is a set of self-consistent Kohn-Sham runs on a fixed subset of the held-out test systems (the
notebook runs all of them), so that the deck builds in seconds. TensorFlow is imported inside the functions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from deck_style import figure, styled

SCF_SYSTEMS = 10  # held-out test systems run self-consistently at build time (the notebook: all of them)
NAMES = ("LDA", "exact exchange", "local", "semilocal", "nonlocal")



@lru_cache(maxsize=1)
def _data():
    from course_utils.learn import xc
    from course_utils.onedim import datasets

    arrays = datasets.load_xc_data(progress=False)
    return arrays, xc.standard_split(arrays)


@lru_cache(maxsize=1)
def _models():
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    from course_utils.learn import xc_networks

    return {kind: xc_networks.load_pretrained(kind) for kind in xc_networks.MODEL_KINDS}


def _grid():
    """The grid points (bohr) and spacing of the data set."""
    from course_utils.onedim import datasets

    arrays, _ = _data()
    system = datasets.make_system(arrays["v_ext"][0])
    return system.x, system.dx


def _dx():
    return _grid()[1]


def _aligned(v, v_exact, n):
    """v shifted by the constant that best matches v_exact where the density is (a constant moves no density)."""
    return v - np.sum(n * (v - v_exact)) / np.sum(n)


@lru_cache(maxsize=1)
def _exact_density_errors():
    from course_utils.learn import xc

    arrays, split = _data()
    test, dx = split["test"], _dx()
    functionals = {"LDA": xc.lda_xc(dx), **_models()}
    return {name: xc.potential_errors(f, arrays["density"][test], arrays["v_xc"][test], arrays["xc_energy"][test], dx)
            for name, f in functionals.items()}


@lru_cache(maxsize=1)
def _scf():
    from course_utils.learn import xc, xc_networks
    from course_utils.onedim import datasets

    arrays, split = _data()
    rows = split["test"][:SCF_SYSTEMS]
    systems = [datasets.make_system(arrays["v_ext"][i]) for i in rows]
    functionals = {"LDA": "lda", "exact exchange": "exx",
                   **{kind: xc_networks.as_xc(m, arrays["density"].shape[1]) for kind, m in _models().items()}}
    return xc.scf_errors(systems, arrays["density"][rows], arrays["energy"][rows], functionals, progress=False,
                         tol=1e-6, energy_tol=1e-7)


# ---------------------------------------------------------------------------------------------------- figures


@styled
def exact_vxc():
    from course_utils.learn import xc

    arrays, _ = _data()
    x, dx = _grid()
    n, v_xc = arrays["density"][0], arrays["v_xc"][0]
    v_lda, _ = xc.lda_xc(dx)(n)
    fig, ax = figure()
    ax.plot(x, v_xc, "k", lw=3, label=r"exact $v_{xc}$ (reverse-engineered)")
    ax.plot(x, v_lda, color="#D55E00", label=r"LDA $v_{xc}[n]$")
    ax.plot(x, arrays["v_ext"][0] / 4, color="0.55", ls=":", label=r"$v_{\rm ext}/4$")
    ax.fill_between(x, -1.6, -1.6 + n, color="0.85", label="density $n$ (offset)")
    ax.set(xlabel="x (bohr)", ylabel="potential (Ha)", ylim=(-1.6, 0.9), xlim=(-8, 8),
           title="Data set sample 0: exact and LDA xc potentials")
    ax.legend(loc="upper left", ncol=2, fontsize=14)
    return fig


@styled
def scf_errors():
    scf = _scf()
    fig, (a, b) = figure(2, figsize=(8.6, 4.6))
    colours = ["#D55E00", "0.45", "#0072B2", "#009E73", "#CC79A7"]
    for k, (name, colour) in enumerate(zip(NAMES, colours, strict=True)):
        r = scf[name]
        jitter = k + np.linspace(-0.18, 0.18, r.density_error.size)
        a.semilogy(jitter, r.density_error, "o", color=colour, ms=6, alpha=0.8)
        b.semilogy(jitter, 1000 * np.abs(r.energy_error), "o", color=colour, ms=6, alpha=0.8)
        a.plot([k - 0.3, k + 0.3], [np.nanmedian(r.density_error)] * 2, color="k", lw=2.5)
        b.plot([k - 0.3, k + 0.3], [1000 * np.nanmedian(np.abs(r.energy_error))] * 2, color="k", lw=2.5)
    labels = ["LDA", "EXX", "local", "semi-\nlocal", "non-\nlocal"]
    for ax in (a, b):
        ax.set_xticks(range(len(NAMES)), labels)
        ax.set_xlabel("functional")
    a.set(ylabel=r"$\int|n - n_{\rm exact}|\,dx$ (electrons)", title="Density error")
    b.set(ylabel=r"$|E - E_{\rm exact}|$ (mHa)", title="Energy error")
    fig.suptitle(f"Self-consistent errors on {SCF_SYSTEMS} held-out test systems (bar: median)")
    return fig


@styled
def double_well():
    from course_utils.learn import xc

    arrays, split = _data()
    x, dx = _grid()
    k = split["double"][1]  # the double well the notebook shows
    n, v_exact = arrays["density"][k], arrays["v_xc"][k]
    fig, ax = figure()
    ax.plot(x, v_exact, "k", lw=3, label="exact")
    ax.plot(x, _aligned(xc.lda_xc(dx)(n)[0], v_exact, n), color="#D55E00", label="LDA")
    for (kind, model), colour in zip(_models().items(), ("#0072B2", "#009E73", "#CC79A7"), strict=True):
        ax.plot(x, _aligned(model(n[None])["v_xc"].numpy()[0], v_exact, n), color=colour, label=kind)
    ax.fill_between(x, -2.0, -2.0 + n, color="0.85", label="density (offset)")
    ax.set(xlabel="x (bohr)", ylabel=r"$v_{xc}$ (Ha), constant aligned", xlim=(-8, 8), ylim=(-2.0, 2.6),
           title=f"$v_{{xc}}$ on the exact density of a double well (sample {k})")
    ax.legend(loc="upper right", ncol=2, fontsize=14)
    return fig


FIGURES = {"exact_vxc": exact_vxc, "scf_errors": scf_errors, "double_well": double_well}

# ----------------------------------------------------------------------------------------------------- values


def _split_sizes():
    _, split = _data()
    return {name: len(rows) for name, rows in split.items()}


def _scf_median(name, key):
    r = _scf()[name]
    if key == "density":
        return float(np.nanmedian(r.density_error))
    return 1000 * float(np.nanmedian(np.abs(r.energy_error)))


def _best(key):
    return min(NAMES, key=lambda name: _scf_median(name, key))


def _exact_energy_mae(name):
    return f"{1000 * np.mean(np.abs(_exact_density_errors()[name].e_error)):.1f}"


def _parameters():
    from course_utils.learn import xc

    info = xc.pretrained_info()["models"]
    return ", ".join(f"{kind} {info[kind]['parameters']}" for kind in ("local", "semilocal", "nonlocal"))


def _failed():
    return str(sum(int(np.sum(~_scf()[name].converged)) for name in NAMES))


def _double_v_ratio():
    from course_utils.learn import xc

    arrays, split = _data()
    double, dx = split["double"], _dx()
    models = _models()
    on_double = {name: xc.potential_errors(f, arrays["density"][double], arrays["v_xc"][double],
                                           arrays["xc_energy"][double], dx)
                 for name, f in {"LDA": xc.lda_xc(dx), **models}.items()}
    on_test = _exact_density_errors()
    ratios = [np.median(on_double[k].v_rms) / np.median(on_test[k].v_rms) for k in models]
    return f"{min(ratios):.1f} to {max(ratios):.1f}"


VALUES = {
    "N_TRAIN": lambda: str(_split_sizes()["train"]),
    "N_VALIDATION": lambda: str(_split_sizes()["validation"]),
    "N_TEST": lambda: str(_split_sizes()["test"]),
    "N_DOUBLE": lambda: str(_split_sizes()["double"]),
    "N_SHALLOW": lambda: str(_split_sizes()["shallow"]),
    "N_SYSTEMS": lambda: str(sum(_split_sizes().values())),
    "PARAMETERS": _parameters,
    "SCF_SYSTEMS": lambda: str(SCF_SYSTEMS),
    "EXACT_E_LDA": lambda: _exact_energy_mae("LDA"),
    "EXACT_E_LOCAL": lambda: _exact_energy_mae("local"),
    "EXACT_E_SEMILOCAL": lambda: _exact_energy_mae("semilocal"),
    "EXACT_E_NONLOCAL": lambda: _exact_energy_mae("nonlocal"),
    "SCF_DN_LDA": lambda: f"{_scf_median('LDA', 'density'):.3f}",
    "SCF_DN_NONLOCAL": lambda: f"{_scf_median('nonlocal', 'density'):.3f}",
    "SCF_DE_LDA": lambda: f"{_scf_median('LDA', 'energy'):.1f}",
    "SCF_DE_EXX": lambda: f"{_scf_median('exact exchange', 'energy'):.1f}",
    "SCF_DE_LOCAL": lambda: f"{_scf_median('local', 'energy'):.1f}",
    "SCF_DE_SEMILOCAL": lambda: f"{_scf_median('semilocal', 'energy'):.1f}",
    "SCF_DE_NONLOCAL": lambda: f"{_scf_median('nonlocal', 'energy'):.1f}",
    "SCF_BEST_ENERGY": lambda: _best("energy"),
    "SCF_BEST_DENSITY": lambda: _best("density"),
    "SCF_FAILED": _failed,
    "DOUBLE_V_RATIO": _double_v_ratio,
}
