"""The ``copper_md`` data set: snapshots of bulk fcc copper from EMT molecular dynamics (eV, Angstrom, K).

EMT (ASE's effective-medium theory) is the *reference* here: the course's cheap stand-in for DFT, which the
machine-learning potentials of notebook 10 learn to imitate. Every sample is one independent, seeded, short
Langevin run of a 2x2x2 cubic supercell (32 sites) at one temperature and one homogeneous strain; every fourth
sample has one vacancy (31 atoms). A run starts from the strained lattice with random displacements of roughly
thermal size and Maxwell-Boltzmann velocities, so a few hundred femtoseconds decorrelate it from the start; the
last frame is recomputed with a fresh EMT calculator and stored. Runs are short enough (``n_steps`` steps) that
rounding differences between machines do not grow to visible size, so a test can regenerate any sample exactly.

Arrays (``N`` samples, padded to 32 atoms; ``n_atoms`` says how many are real):
``numbers`` (N, 32) atomic numbers, 0-padded; ``n_atoms`` (N,); ``positions`` (N, 32, 3) Angstrom;
``cell`` (N, 3, 3) Angstrom; ``energy`` (N,) eV; ``forces`` (N, 32, 3) eV/Angstrom; ``stress`` (N, 6) eV/Angstrom^3
(Voigt order xx, yy, zz, yz, xz, xy, ASE's sign convention); ``temperature_K`` (N,) the thermostat's target;
``strain`` (N, 6) the applied homogeneous strain (Voigt, engineering shears halved: a symmetric tensor);
``vacancy`` (N,) bool; ``md_temperature`` (N,) K, the instantaneous kinetic temperature of the stored frame.
"""

from __future__ import annotations

import functools

import numpy as np

MAX_ATOMS = 32


def default_params() -> dict:
    """The generator parameters of the shipped data set (JSON-serialisable)."""
    return {
        "element": "Cu", "repeat": 2, "temperatures_K": [300, 600, 900, 1200, 1500],
        "max_volumetric_strain": 0.03, "max_shear_strain": 0.01, "vacancy_every": 4,
        "timestep_fs": 2.5, "n_steps": 40, "friction_per_fs": 0.02, "seed": 2023, "n_samples": 320,
    }


@functools.lru_cache(maxsize=4)
def equilibrium_lattice_constant(element: str = "Cu") -> float:
    """The EMT lattice constant (Angstrom) of fcc ``element`` at 0 K, by minimising the energy per atom."""
    from ase.build import bulk
    from scipy.optimize import minimize_scalar

    from .calculators import emt

    def energy(a):
        atoms = bulk(element, "fcc", a=a, cubic=True)
        atoms.calc = emt()
        return atoms.get_potential_energy() / len(atoms)

    return float(minimize_scalar(energy, bounds=(3.0, 4.5), method="bounded", options={"xatol": 1e-7}).x)


def _strain_tensor(voigt) -> np.ndarray:
    e = np.asarray(voigt, dtype=float)
    return np.array([[e[0], e[5], e[4]], [e[5], e[1], e[3]], [e[4], e[3], e[2]]])


def sample_settings(params, index: int) -> dict:
    """Temperature, strain (Voigt, 6), vacancy flag and random generator of sample ``index``."""
    rng = np.random.default_rng([int(params["seed"]), int(index)])
    temperatures = params["temperatures_K"]
    vol = rng.uniform(-1, 1) * params["max_volumetric_strain"]
    shear = rng.uniform(-1, 1, size=3) * params["max_shear_strain"]
    strain = np.array([vol, vol, vol, *shear])
    return {"temperature_K": float(temperatures[index % len(temperatures)]), "strain": strain,
            "vacancy": index % int(params["vacancy_every"]) == int(params["vacancy_every"]) - 1, "rng": rng}


def copper_start(params, index: int):
    """The strained (and possibly vacant) supercell of sample ``index`` before its MD run, and its settings."""
    from ase.build import bulk

    s = sample_settings(params, index)
    a0 = equilibrium_lattice_constant(params["element"])
    atoms = bulk(params["element"], "fcc", a=a0, cubic=True).repeat(int(params["repeat"]))
    atoms.set_cell(atoms.cell.array @ (np.eye(3) + _strain_tensor(s["strain"])), scale_atoms=True)
    if s["vacancy"]:
        del atoms[int(s["rng"].integers(len(atoms)))]
    # Einstein-like thermal displacements (about 0.1 Angstrom RMS at 1000 K for Cu) to shorten equilibration.
    atoms.positions += s["rng"].normal(scale=0.1 * np.sqrt(s["temperature_K"] / 1000.0), size=atoms.positions.shape)
    return atoms, s


def build_copper_md(params, indices) -> dict[str, np.ndarray]:
    """Builder of the data set: arrays for samples ``indices`` (see the module docstring)."""
    from .calculators import emt
    from .md import run_md

    indices = np.asarray(indices, dtype=int)
    n = len(indices)
    out = {"numbers": np.zeros((n, MAX_ATOMS), dtype=np.int64), "n_atoms": np.zeros(n, dtype=np.int64),
           "positions": np.zeros((n, MAX_ATOMS, 3)), "cell": np.zeros((n, 3, 3)), "energy": np.zeros(n),
           "forces": np.zeros((n, MAX_ATOMS, 3)), "stress": np.zeros((n, 6)), "temperature_K": np.zeros(n),
           "strain": np.zeros((n, 6)), "vacancy": np.zeros(n, dtype=bool), "md_temperature": np.zeros(n)}
    for row, index in enumerate(indices):
        atoms, s = copper_start(params, int(index))
        atoms.calc = emt()
        traj = run_md(atoms, temperature_K=s["temperature_K"], timestep_fs=params["timestep_fs"],
                      n_steps=params["n_steps"], sample_every=params["n_steps"], ensemble="langevin",
                      friction_per_fs=params["friction_per_fs"], seed=s["rng"])
        frame = traj.to_atoms(-1)
        frame.calc = emt()
        k = len(frame)
        out["numbers"][row, :k] = frame.numbers
        out["n_atoms"][row] = k
        out["positions"][row, :k] = frame.positions
        out["cell"][row] = frame.cell.array
        out["energy"][row] = frame.get_potential_energy()
        out["forces"][row, :k] = frame.get_forces()
        out["stress"][row] = frame.get_stress(voigt=True)
        out["temperature_K"][row] = s["temperature_K"]
        out["strain"][row] = s["strain"]
        out["vacancy"][row] = s["vacancy"]
        out["md_temperature"][row] = traj.temperature[-1]
    return out


def atoms_from_arrays(arrays, index: int):
    """Sample ``index`` of the loaded data set as an ``ase.Atoms`` (periodic, no calculator)."""
    from ase import Atoms

    from .._checks import as_int

    index = as_int(index, "index", minimum=0, maximum=len(arrays["n_atoms"]) - 1)
    k = int(arrays["n_atoms"][index])
    return Atoms(arrays["numbers"][index, :k], positions=arrays["positions"][index, :k],
                 cell=arrays["cell"][index], pbc=True)


def frames(arrays, indices=None) -> list:
    """Samples ``indices`` (all when ``None``) as a list of ``ase.Atoms``."""
    indices = range(len(arrays["n_atoms"])) if indices is None else indices
    return [atoms_from_arrays(arrays, int(i)) for i in indices]


def _make_spec():
    from ..data import DatasetSpec

    params = default_params()
    return DatasetSpec(
        name="copper_md", build=build_copper_md, params=params, n_samples=int(params["n_samples"]), version=1,
        description="Bulk fcc copper (2x2x2 cubic supercell, 32 sites, every fourth with a vacancy) from short "
                    "seeded EMT Langevin MD runs at 300-1500 K and random strains of up to 3% (volume) and 1% "
                    "(shear): EMT energies, forces and stresses of the last frame of each run. EMT stands in for "
                    "DFT as the reference of the machine-learning potentials of notebook 10.")


def __getattr__(name: str):
    if name == "COPPER_MD":
        spec = _make_spec()
        globals()["COPPER_MD"] = spec
        return spec
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
