"""A small, seeded molecular-dynamics sampler around ``ase.md`` (eV, Angstrom, fs, K).

``run_md`` draws Maxwell-Boltzmann velocities at the target temperature, then integrates with Langevin dynamics
(NVT, ``ase.md.langevin.Langevin``) or velocity Verlet (NVE, ``ase.md.verlet.VelocityVerlet``) and records
every ``sample_every``-th step. The same seed gives the same trajectory.

``langevin_replicas`` runs many copies of one molecule at once through a *batched* energy-and-force function
(one call of a neural network evaluates every replica), with a BAOAB Langevin integrator in NumPy. ``bond_lengths``,
``dihedral_angles`` and ``histogram_overlap`` turn sampled frames into the distributions that compare two
potentials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import _describe, as_int, as_number, as_real_array, as_rng, one_of

ENSEMBLES = ("langevin", "nve")
_KB_EV_PER_K = 8.617333262e-5  # Boltzmann constant (eV/K), as ase.units.kB


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


def radial_distribution(positions, cell, *, r_max: float, n_bins: int = 100):
    """Radial distribution function g(r) averaged over frames of one periodic cell (Angstrom).

    ``positions`` (T, N, 3) or (N, 3); ``cell`` (3, 3). Returns bin centres (n_bins,) and g(r) (n_bins,),
    normalised so that g -> 1 for an ideal gas of the same density.
    """
    from ..learn.splines import neighbour_pairs

    positions = np.asarray(positions, dtype=float)
    if positions.ndim == 2:
        positions = positions[None]
    if positions.ndim != 3 or positions.shape[2] != 3:
        raise ValueError(f"positions must have shape (T, N, 3) or (N, 3), got {positions.shape}")
    r_max = as_number(r_max, "r_max", minimum=0.0, strict_minimum=True)
    n_bins = as_int(n_bins, "n_bins", minimum=1)
    cell = np.asarray(cell, dtype=float)
    n = positions.shape[1]
    edges = np.linspace(0.0, r_max, n_bins + 1)
    counts = np.zeros(n_bins)
    for frame in positions:
        i, j, shifts = neighbour_pairs(frame, cell, [True] * 3, r_max)
        counts += np.histogram(np.linalg.norm(frame[j] + shifts - frame[i], axis=1), bins=edges)[0]
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    density = n / abs(np.linalg.det(cell))
    return 0.5 * (edges[1:] + edges[:-1]), counts / (len(positions) * n * density * shell)


def green_kubo(flux, *, timestep_fs: float, volume: float, temperature_K: float, max_lag: int | None = None):
    """Green-Kubo lattice thermal conductivity from a heat-flux time series.

    ``flux`` (T, 3): ``J(t)`` in eV Angstrom/fs (the volume integral of the flux density, e.g.
    :meth:`course_utils.learn.splines.SplinePotential.heat_flux`), sampled every ``timestep_fs``; ``volume`` in
    Angstrom^3. Returns ``lag_fs`` (L,), the autocorrelation ``<J(0).J(t)>/3`` (L,) in (eV Angstrom/fs)^2 and the
    running integral ``kappa(t) = 1/(V k_B T^2) int_0^t <J(0).J(t')>/3 dt'`` (L,) in W/(m K), averaged over the
    three directions and over time origins (trapezoidal rule).
    """
    from ase import units

    flux = np.asarray(flux, dtype=float)
    if flux.ndim != 2 or flux.shape[1] != 3 or len(flux) < 2:
        raise ValueError(f"flux must have shape (T, 3) with T >= 2, got {flux.shape}")
    dt = as_number(timestep_fs, "timestep_fs", minimum=0.0, strict_minimum=True)
    volume = as_number(volume, "volume", minimum=0.0, strict_minimum=True)
    temperature = as_number(temperature_K, "temperature_K", minimum=0.0, strict_minimum=True)
    n = len(flux)
    max_lag = n // 2 if max_lag is None else as_int(max_lag, "max_lag", minimum=1, maximum=n - 1)
    centred = flux  # no mean removal: the total momentum (and so the convective mean) is conserved
    acf = np.array([np.mean(np.sum(centred[: n - lag] * centred[lag:], axis=1)) / 3.0 for lag in range(max_lag)])
    lag_fs = dt * np.arange(max_lag)
    integral = np.concatenate([[0.0], np.cumsum(0.5 * (acf[1:] + acf[:-1]) * dt)])
    # eV^2 A^2 fs^-2 * fs / (A^3 * eV/K * K^2) = eV / (A fs K) -> W/(m K)
    to_si = units._e / (1e-10 * 1e-15)
    return lag_fs, acf, integral / (volume * units.kB * temperature ** 2) * to_si


# ---------------------------------------------------------------------------------------------------------------
# Batched Langevin replicas and the distributions they sample
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class ReplicaTrajectory:
    """Frames recorded by :func:`langevin_replicas` (``T`` frames, ``R`` replicas, ``N`` atoms).

    ``positions`` (T, R, N, 3) Angstrom; ``potential_energy`` (T, R) eV; ``temperature`` (T, R) K, the kinetic
    temperature with the 3N - 3 degrees of freedom left when the centre of mass is at rest; ``time`` (T,) fs.
    """

    positions: np.ndarray
    potential_energy: np.ndarray
    temperature: np.ndarray
    time: np.ndarray


def langevin_replicas(energy_and_forces, masses, positions, *, temperature_K: float, timestep_fs: float = 0.5,
                      n_steps: int = 1000, sample_every: int = 10, friction_per_fs: float = 0.01,
                      seed=0) -> ReplicaTrajectory:
    """Langevin dynamics of ``R`` independent replicas of a molecule, all evaluated in one call per step.

    The integrator is BAOAB (Leimkuhler and Matthews, Appl. Math. Res. Express 2013, 34): a half kick, a half
    drift, the exact Ornstein-Uhlenbeck update of the velocities (friction and noise), a half drift, a half kick.
    It samples the Boltzmann distribution of the positions with a small time-step error. The centre-of-mass
    velocity of every replica is removed at the start and after each noise step (as ``run_md``'s ``FixCom``), so
    the 3N - 3 internal and rotational degrees of freedom are thermostatted.

    Parameters
    ----------
    energy_and_forces : callable
        ``energy_and_forces(positions)`` with positions (R, N, 3) Angstrom returns energies (R,) eV and forces
        (R, N, 3) eV/Angstrom, e.g. ``lambda r: schnet.predict(model, numbers, r)``.
    masses : array (N,)
        Atomic masses in amu (``ase.Atoms.get_masses()``).
    positions : array (R, N, 3)
        Starting positions of the replicas, Angstrom.
    temperature_K, timestep_fs, friction_per_fs : float
        Thermostat temperature (also that of the Maxwell-Boltzmann start), time step (fs) and friction (1/fs).
    n_steps, sample_every : int
        Number of steps and the stride between recorded frames (the start is recorded too).
    seed : int
        Replica ``k`` draws its velocities and noise from ``numpy.random.SeedSequence(seed).spawn(R)[k]``, so
        the first replicas of a larger run get the same random numbers as those of a smaller one.

    Returns
    -------
    ReplicaTrajectory
    """
    from ase import units

    if not callable(energy_and_forces):
        raise TypeError(f"energy_and_forces must be a function of positions (R, N, 3), got "
                        f"{_describe(energy_and_forces)}")
    positions = as_real_array(positions, "positions", ndim=3)
    if positions.shape[2] != 3 or positions.shape[0] < 1 or positions.shape[1] < 2:
        raise ValueError(f"positions must have shape (replicas, atoms >= 2, 3), got {positions.shape}")
    n_replicas, n_atoms = positions.shape[:2]
    masses = as_real_array(masses, "masses", shape=(n_atoms,))
    if np.any(masses <= 0):
        raise ValueError(f"masses must be positive (amu), got {masses}")
    temperature = as_number(temperature_K, "temperature_K", minimum=0.0)
    dt = as_number(timestep_fs, "timestep_fs", minimum=0.0, strict_minimum=True) * units.fs
    n_steps = as_int(n_steps, "n_steps", minimum=1)
    sample_every = as_int(sample_every, "sample_every", minimum=1)
    gamma = as_number(friction_per_fs, "friction_per_fs", minimum=0.0) / units.fs
    seed = as_int(seed, "seed", minimum=0)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n_replicas)]

    kt = _KB_EV_PER_K * temperature
    m = masses[None, :, None]
    sigma = np.sqrt(kt / m)  # thermal velocity per component, sqrt(eV/amu)
    dof = 3 * n_atoms - 3

    def noise():
        return np.stack([rng.standard_normal((n_atoms, 3)) for rng in rngs])

    def without_com(v):
        return v - (m * v).sum(axis=1, keepdims=True) / masses.sum()

    def evaluate(r):
        energy, forces = energy_and_forces(r)
        energy, forces = np.asarray(energy, dtype=float), np.asarray(forces, dtype=float)
        if energy.shape != (n_replicas,) or forces.shape != r.shape:
            raise ValueError(f"energy_and_forces returned shapes {energy.shape} and {forces.shape}; expected "
                             f"({n_replicas},) and {r.shape}")
        return energy, forces

    x = positions.copy()
    v = without_com(sigma * noise())
    energy, forces = evaluate(x)
    c1 = np.exp(-gamma * dt)
    c2 = np.sqrt(1.0 - c1**2)
    frames = {"positions": [], "energy": [], "temperature": []}

    def record():
        frames["positions"].append(x.copy())
        frames["energy"].append(energy.copy())
        frames["temperature"].append((m * v**2).sum(axis=(1, 2)) / (dof * _KB_EV_PER_K))

    record()
    for step in range(1, n_steps + 1):
        v += 0.5 * dt * forces / m
        x += 0.5 * dt * v
        v = without_com(c1 * v + c2 * sigma * noise())
        x += 0.5 * dt * v
        energy, forces = evaluate(x)
        v += 0.5 * dt * forces / m
        if step % sample_every == 0:
            record()
    time = np.arange(len(frames["energy"])) * sample_every * dt / units.fs
    return ReplicaTrajectory(np.array(frames["positions"]), np.array(frames["energy"]),
                             np.array(frames["temperature"]), time)


def _atom_positions(positions, indices, count):
    positions = as_real_array(positions, "positions")
    if positions.ndim < 2 or positions.shape[-1] != 3:
        raise ValueError(f"positions must have shape (..., atoms, 3), got {positions.shape}")
    if not isinstance(indices, (tuple, list)) or len(indices) != count:
        raise ValueError(f"indices must be {count} atom indices, got {_describe(indices)}")
    picked = [as_int(i, "atom index", minimum=0, maximum=positions.shape[-2] - 1) for i in indices]
    if len(set(picked)) != count:
        raise ValueError(f"indices must be {count} different atoms, got {indices}")
    return [positions[..., i, :] for i in picked]


def bond_lengths(positions, indices) -> np.ndarray:
    """Distance (Angstrom) between atoms ``indices = (i, j)`` in every frame of ``positions`` (..., N, 3)."""
    a, b = _atom_positions(positions, indices, 2)
    return np.linalg.norm(b - a, axis=-1)


def dihedral_angles(positions, indices) -> np.ndarray:
    """Dihedral angle (degrees, in (-180, 180]) of atoms ``indices = (i, j, k, l)`` in every frame.

    The angle between the planes (i, j, k) and (j, k, l), positive when, looking along j -> k, the bond k-l is
    turned clockwise from the bond j-i (the IUPAC sign convention). ``positions`` (..., N, 3) Angstrom.
    """
    p0, p1, p2, p3 = _atom_positions(positions, indices, 4)
    b0, b1, b2 = p0 - p1, p2 - p1, p3 - p2
    axis = b1 / np.linalg.norm(b1, axis=-1, keepdims=True)
    v = b0 - np.sum(b0 * axis, axis=-1, keepdims=True) * axis  # j-i and k-l projected on the plane normal to j-k
    w = b2 - np.sum(b2 * axis, axis=-1, keepdims=True) * axis
    x = np.sum(v * w, axis=-1)
    y = np.sum(np.cross(axis, v) * w, axis=-1)
    angle = np.degrees(np.arctan2(y, x))
    return np.where(angle <= -180.0, angle + 360.0, angle)


def histogram_overlap(p, q) -> float:
    """Overlap ``sum_b min(p_b, q_b)`` of two histograms on the same bins, each normalised to sum 1 first.

    1 for identical distributions, 0 for distributions without a common bin (one minus the total-variation
    distance). ``p``, ``q``: counts or probabilities, arrays of the same shape, non-negative, not all zero.
    """
    p, q = as_real_array(p, "p"), as_real_array(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must be histograms on the same bins, got shapes {p.shape} and {q.shape}")
    for name, h in (("p", p), ("q", q)):
        if np.any(h < 0) or h.sum() <= 0:
            raise ValueError(f"{name} must be non-negative counts with a positive sum")
    return float(np.minimum(p / p.sum(), q / q.sum()).sum())
