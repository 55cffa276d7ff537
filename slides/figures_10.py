"""Figures and measured values of deck 10 (machine-learning potentials), computed when the deck is built.

From the cached ``copper_md`` data set (EMT copper) and the shipped Green-Kubo run (``green_kubo_copper``, checked
by ``tests/test_green_kubo_copper.py``). Live, and small so that the deck builds in seconds: the two spline
potentials and the sparse-GP kernel potential are fitted by linear least squares on the notebook's split but on
fewer training structures than the notebook uses (the sizes are stated on the slides); the periodic SchNet is the
one ``scripts/train_copper_schnet.py`` shipped for that size (training it takes minutes). All are scored on a subset
of the held-out snapshots and timed per atom-step beside EMT on the notebook's 108-atom cell.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from deck_style import COLOURS, figure, styled

MEV = 1000.0
N_TRAIN = {"spline 2-body": 64, "spline 2+3-body": 32, "kernel (SOAP GP)": 32,
           "SchNet (periodic)": 32}  # notebook: 256, 128, 64, 128
N_SCORED = 16  # held-out snapshots scored (notebook: 64)
ROOT = Path(__file__).resolve().parents[1]



@lru_cache(maxsize=1)
def _data():
    from course_utils import data
    from course_utils.atoms import copper_md

    cu = data.load("copper_md")
    frames = copper_md.frames(cu)
    forces = [cu["forces"][k, : cu["n_atoms"][k]] for k in range(len(frames))]
    order = np.random.default_rng(0).permutation(len(frames))  # the notebook's split
    return frames, cu["energy"], forces, order[64:], order[:64]


@lru_cache(maxsize=1)
def _models():
    """The fitted models with their held-out errors (energy MAE meV/atom, force RMSE meV/Å) and costs (s)."""
    from ase.build import bulk

    from course_utils import threads
    from course_utils.atoms import calculators, copper_md
    from course_utils.learn import kernel_potential, splines

    frames, energies, forces, train, test = _data()
    scored = test[:N_SCORED]
    out = {}
    with threads.blas_threads():  # one BLAS thread, as the notebook times its models
        for label, n3 in (("spline 2-body", 0), ("spline 2+3-body", 4)):
            basis = splines.SplineBasis(r_min=1.5, r2_cut=5.5, n2_intervals=16, r3_cut=3.5, n3_intervals=n3)
            normal = splines.NormalEquations(basis, energy_scale=0.002, force_scale=0.05)
            for k in train[: N_TRAIN[label]]:
                normal.add(frames[k], energies[k], forces[k])
            model = splines.SplinePotential(basis, normal.solve(ridge=1e-6, curvature=1e-4))
            out[label] = {"calc": model}
        gpr = kernel_potential.SoapGPR(n_sparse=200, delta=0.3, energy_noise=0.002, force_noise=0.03, seed=0)
        subset = train[: N_TRAIN["kernel (SOAP GP)"]]
        gpr.prepare([frames[k] for k in subset], energies[subset])
        for k in subset:
            gpr.add(frames[k], energies[k], forces[k])
        gpr.solve()
        out["kernel (SOAP GP)"] = {"calc": gpr.calculator()}
        from course_utils.learn import periodic_schnet  # TensorFlow, imported only here

        network, _ = periodic_schnet.load_pretrained(N_TRAIN["SchNet (periodic)"])
        out["SchNet (periodic)"] = {"calc": periodic_schnet.calculator(network)}
        for entry in out.values():
            de, df = [], []
            for k in scored:
                atoms = frames[k].copy()
                atoms.calc = entry["calc"]
                de.append((atoms.get_potential_energy() - energies[k]) / len(atoms))
                df.append(atoms.get_forces() - forces[k])
            entry["energy_mae"] = MEV * float(np.mean(np.abs(de)))
            entry["force_rmse"] = MEV * float(np.sqrt(np.mean(np.concatenate(df) ** 2)))
        cell = bulk("Cu", "fcc", a=copper_md.equilibrium_lattice_constant(), cubic=True).repeat(3)
        cell.rattle(0.1, seed=4)
        out["EMT (reference)"] = {"calc": calculators.emt(), "energy_mae": 0.0, "force_rmse": 0.0}
        for label, entry in out.items():
            entry["cost"] = calculators.time_per_atom_step(entry["calc"], cell, n_calls=3 if "kernel" in label else 5)
    return out


def _dft_cost():
    """Seconds per atom of one hybrid-DFT single point, from the course's own xtb_vs_dft build."""
    from course_utils import data

    return data.metadata("xtb_vs_dft")["build_seconds"] / data.load("xtb_vs_dft")["n_atoms"].sum()


@lru_cache(maxsize=1)
def _green_kubo():
    import importlib.util

    from course_utils.atoms import md

    spec = importlib.util.spec_from_file_location("green_kubo_copper", ROOT / "scripts" / "green_kubo_copper.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    run, meta = script.load()
    p = meta["params"]
    curves = []
    for block in np.array_split(run["flux"], 5):
        lag, _, running = md.green_kubo(block, timestep_fs=p["timestep_fs"], volume=float(run["volume"]),
                                       temperature_K=run["temperature"].mean(), max_lag=250)
        curves.append(running)
    return lag, np.array(curves), meta, run["temperature"].mean()


# ---------------------------------------------------------------------------------------------------- figures


@styled
def accuracy_cost():
    models = _models()
    fig, ax = figure(figsize=(8.4, 4.6))
    colours = [*COLOURS[1:], COLOURS[0]]  # EMT's line is black
    for (label, entry), colour, marker in zip(list(models.items())[:4], colours, "XPos", strict=True):
        ax.loglog(entry["cost"] * 1e6, entry["force_rmse"], marker, ms=14, mew=2, color=colour,
                  label=f"{label} ({N_TRAIN[label]} structures)")
    ax.axvline(models["EMT (reference)"]["cost"] * 1e6, color="k", ls="--", lw=1.5, label="EMT, the reference")
    ax.axvline(_dft_cost() * 1e6, color="0.5", ls=":", lw=2, label="hybrid DFT (molecules, xtb_vs_dft)")
    ax.set_xlim(10, 3e7)
    ax.set_ylim(3, 300)
    ax.set(xlabel="cost per atom and MD step (µs, Python)", ylabel="force RMSE, held out (meV/Å)",
           title="Accuracy against cost on EMT copper")
    ax.legend(loc="upper right", fontsize=13)
    return fig


@styled
def locality():
    from ase.build import bulk

    from course_utils.atoms import calculators, copper_md

    big = bulk("Cu", "fcc", a=copper_md.equilibrium_lattice_constant(), cubic=True).repeat(3)
    big.rattle(0.05, seed=2)
    big.calc = calculators.emt()
    eps0 = big.get_potential_energies()[0]
    distance = big.get_distances(0, range(1, len(big)), mic=True)
    probe = np.argsort(distance)[::4] + 1  # every fourth atom, by distance (the notebook: every second)
    change = []
    for k in probe:
        pushed = big.copy()
        pushed.positions[k] += [0.05, 0.0, 0.0]
        pushed.calc = calculators.emt()
        change.append(abs(pushed.get_potential_energies()[0] - eps0))
    fig, ax = figure(figsize=(8.2, 4.2))
    ax.semilogy(distance[probe - 1], np.maximum(change, 1e-16), "o", ms=8, color=COLOURS[0])
    ax.set(xlabel="distance of the moved atom from atom 0 (Å)", ylabel="|change of ε₀| (eV)",
           title="EMT copper: atom 0's energy when one atom moves by 0.05 Å")
    return fig


@styled
def green_kubo():
    lag, curves, _, _ = _green_kubo()
    mean = curves.mean(axis=0)
    sem = curves.std(axis=0, ddof=1) / np.sqrt(len(curves))
    fig, ax = figure(figsize=(8.2, 4.3))
    for k, curve in enumerate(curves):
        ax.plot(lag, curve, color="0.7", lw=1.5, label="one block" if k == 0 else None)
    ax.plot(lag, mean, color=COLOURS[1], lw=3, label="mean of five blocks")
    ax.fill_between(lag, mean - sem, mean + sem, color=COLOURS[1], alpha=0.3, label="± standard error")
    ax.set(xlabel="upper limit of the integral t (fs)", ylabel=r"running $\kappa(t)$ (W/(m K))",
           title="Green–Kubo integral, spline model of EMT copper")
    ax.legend(loc="upper left", fontsize=14)
    return fig


FIGURES = {"accuracy_cost": accuracy_cost, "locality": locality, "green_kubo": green_kubo}

# ----------------------------------------------------------------------------------------------------- values


def _error(label, key):
    return f"{_models()[label][key]:.1f}"


def _cost(label):
    return f"{_models()[label]['cost'] * 1e6:.0f}"


def _ratio(a, b):
    models = _models()
    return f"{models[a]['cost'] / models[b]['cost']:.1f}"


def _kappa():
    lag, curves, _, _ = _green_kubo()
    mean, sem = curves.mean(axis=0), curves.std(axis=0, ddof=1) / np.sqrt(len(curves))
    return f"{mean[-1]:.2f} ± {sem[-1]:.2f}"


def _properties():
    """Lattice constant (Å) and unrelaxed vacancy energy (eV) with EMT and the 2+3-body spline."""
    from ase.build import bulk
    from ase.eos import EquationOfState

    from course_utils.atoms import calculators, copper_md

    a0 = copper_md.equilibrium_lattice_constant()
    out = {}
    for label, calc in (("EMT", calculators.emt()), ("spline", _models()["spline 2+3-body"]["calc"])):
        volumes, e = [], []
        for s in np.linspace(0.97, 1.03, 9):
            cell = bulk("Cu", "fcc", a=a0 * s, cubic=True)
            cell.calc = calc
            volumes.append(cell.get_volume())
            e.append(cell.get_potential_energy())
        v0, _, _ = EquationOfState(volumes, e, eos="birchmurnaghan").fit()
        perfect = bulk("Cu", "fcc", a=a0, cubic=True).repeat(3)
        perfect.calc = calc
        vacant = perfect.copy()
        del vacant[0]
        vacant.calc = calc
        e_vac = vacant.get_potential_energy() - len(vacant) / len(perfect) * perfect.get_potential_energy()
        out[label] = (v0 ** (1 / 3), e_vac)
    return out


_PROPERTIES = lru_cache(maxsize=1)(_properties)

VALUES = {
    "N_SNAPSHOTS": lambda: str(len(_data()[0])),
    "N_TEST": lambda: str(len(_data()[4])),
    "N_SCORED": lambda: str(N_SCORED),
    "N2": lambda: str(N_TRAIN["spline 2-body"]),
    "N3": lambda: str(N_TRAIN["spline 2+3-body"]),
    "NK": lambda: str(N_TRAIN["kernel (SOAP GP)"]),
    "F2": lambda: _error("spline 2-body", "force_rmse"),
    "F3": lambda: _error("spline 2+3-body", "force_rmse"),
    "FK": lambda: _error("kernel (SOAP GP)", "force_rmse"),
    "FS": lambda: _error("SchNet (periodic)", "force_rmse"),
    "CS": lambda: _cost("SchNet (periodic)"),
    "NS": lambda: str(N_TRAIN["SchNet (periodic)"]),
    "E3": lambda: f"{_models()['spline 2+3-body']['energy_mae']:.2f}",
    "C_EMT": lambda: _cost("EMT (reference)"),
    "C2": lambda: _cost("spline 2-body"),
    "C3": lambda: _cost("spline 2+3-body"),
    "CK": lambda: _cost("kernel (SOAP GP)"),
    "KERNEL_OVER_SPLINE": lambda: _ratio("kernel (SOAP GP)", "spline 2+3-body"),
    "SPLINE_OVER_EMT": lambda: _ratio("spline 2+3-body", "EMT (reference)"),
    "DFT_COST": lambda: f"{_dft_cost():.1f}",
    "A_EMT": lambda: f"{_PROPERTIES()['EMT'][0]:.3f}",
    "A_SPLINE": lambda: f"{_PROPERTIES()['spline'][0]:.3f}",
    "EV_EMT": lambda: f"{_PROPERTIES()['EMT'][1]:.3f}",
    "EV_SPLINE": lambda: f"{_PROPERTIES()['spline'][1]:.3f}",
    "KAPPA": _kappa,
    "GK_PS": lambda: f"{_green_kubo()[2]['params']['n_steps'] * _green_kubo()[2]['params']['timestep_fs'] / 1000:.0f}",
    "GK_T": lambda: f"{_green_kubo()[3]:.0f}",
}
