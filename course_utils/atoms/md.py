"""A small, seeded molecular-dynamics sampler around ``ase.md`` (eV, Angstrom, fs, K).

``run_md`` draws Maxwell-Boltzmann velocities at the target temperature, then integrates with Langevin dynamics
(NVT, ``ase.md.langevin.Langevin``) or velocity Verlet (NVE, ``ase.md.verlet.VelocityVerlet``) and records
every ``sample_every``-th step. The same seed gives the same trajectory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import _describe, as_int, as_number, as_rng, one_of

ENSEMBLES = ("langevin", "nve")


@dataclass
class Trajectory:
    """Frames recorded by :func:`run_md` (``T`` frames, ``N`` atoms).

    ``positions`` (T, N, 3) Angstrom; ``cells`` (T, 3, 3) Angstrom; ``forces`` (T, N, 3) eV/Angstrom;
    ``potential_energy``, ``kinetic_energy`` (T,) eV; ``temperature`` (T,) K; ``time`` (T,) fs;
    ``numbers`` (N,) atomic numbers; ``pbc`` (3,) bool.
    """

    positions: np.ndarray
    cells: np.ndarray
    forces: np.ndarray
    potential_energy: np.ndarray
    kinetic_energy: np.ndarray
    temperature: np.ndarray
    time: np.ndarray
    numbers: np.ndarray
    pbc: np.ndarray

    @property
    def total_energy(self) -> np.ndarray:
        return self.potential_energy + self.kinetic_energy

    def to_atoms(self, frame: int):
        """Frame ``frame`` as an ``ase.Atoms`` (no calculator)."""
        from ase import Atoms

        return Atoms(self.numbers, positions=self.positions[frame], cell=self.cells[frame], pbc=self.pbc)


def run_md(atoms, *, temperature_K: float, timestep_fs: float = 1.0, n_steps: int = 1000, sample_every: int = 10,
           ensemble: str = "langevin", friction_per_fs: float = 0.01, seed=0) -> Trajectory:
    """Run MD on a copy of ``atoms`` (which must carry a calculator) and return the sampled frames.

    Parameters
    ----------
    temperature_K : float
        Temperature of the initial Maxwell-Boltzmann velocities and of the Langevin thermostat.
    timestep_fs : float
        Integration step in fs.
    n_steps, sample_every : int
        Number of steps, and the stride between recorded frames (the initial frame is recorded too).
    ensemble : {"langevin", "nve"}
    friction_per_fs : float
        Langevin friction in 1/fs (0.01/fs relaxes the temperature in about 100 fs).
    seed : int, numpy Generator or None
        Seeds both the initial velocities and the Langevin noise.
    """
    from ase import Atoms, units
    from ase.constraints import FixCom
    from ase.md import velocitydistribution
    from ase.md.langevin import Langevin
    from ase.md.verlet import VelocityVerlet

    if not isinstance(atoms, Atoms):
        raise TypeError(f"atoms must be an ase.Atoms, got {_describe(atoms)}")
    if atoms.calc is None:
        raise ValueError("atoms has no calculator: attach one first, e.g. atoms.calc = calculators.emt()")
    temperature = as_number(temperature_K, "temperature_K", minimum=0.0)
    dt = as_number(timestep_fs, "timestep_fs", minimum=0.0, strict_minimum=True)
    n_steps = as_int(n_steps, "n_steps", minimum=1)
    sample_every = as_int(sample_every, "sample_every", minimum=1)
    one_of(ensemble, "ensemble", ENSEMBLES)
    friction = as_number(friction_per_fs, "friction_per_fs", minimum=0.0)
    rng = as_rng(seed)
    # ASE's samplers call rng.standard_normal / rng.normal; a numpy RandomState seeded from our generator works
    # for both and keeps the whole run reproducible from one seed.
    legacy = np.random.RandomState(rng.integers(2**32 - 1))

    work = atoms.copy()
    work.calc = atoms.calc
    if hasattr(velocitydistribution, "thermalize_momenta"):  # ASE >= 3.29
        velocitydistribution.thermalize_momenta(work, temperature, rng=legacy)
    else:
        velocitydistribution.MaxwellBoltzmannDistribution(work, temperature_K=temperature, rng=legacy)
    velocitydistribution.Stationary(work)
    if ensemble == "langevin":
        # ASE >= 3.28: keep the centre of mass fixed by a constraint rather than Langevin's fixcm option.
        work.set_constraint(FixCom())
        dyn = Langevin(work, dt * units.fs, temperature_K=temperature, friction=friction / units.fs, fixcm=False,
                       rng=legacy)
    else:
        dyn = VelocityVerlet(work, dt * units.fs)

    frames = {key: [] for key in ("positions", "cells", "forces", "epot", "ekin", "temperature", "time")}

    def record():
        frames["positions"].append(work.get_positions())
        frames["cells"].append(work.cell.array.copy())
        frames["forces"].append(work.get_forces(apply_constraint=False))  # the calculator's forces
        frames["epot"].append(work.get_potential_energy())
        frames["ekin"].append(work.get_kinetic_energy())
        frames["temperature"].append(work.get_temperature())
        frames["time"].append(dyn.nsteps * dt)

    dyn.attach(record, interval=sample_every)  # ASE also calls it before the first step
    dyn.run(n_steps)
    return Trajectory(np.array(frames["positions"]), np.array(frames["cells"]), np.array(frames["forces"]),
                      np.array(frames["epot"]), np.array(frames["ekin"]), np.array(frames["temperature"]),
                      np.array(frames["time"], dtype=float), work.numbers.copy(), work.pbc.copy())
