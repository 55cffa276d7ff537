"""Reference calculators (finite-difference force checks, a textbook energy) and the MD sampler."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.atoms import calculators, md, prototypes
from course_utils.units import BOHR_TO_ANGSTROM, HARTREE_TO_EV


def _finite_difference_forces(atoms, make_calculator, components, h):
    forces = []
    for atom, axis in components:
        energies = []
        for sign in (1, -1):
            moved = atoms.copy()
            moved.positions[atom, axis] += sign * h
            moved.calc = make_calculator()
            energies.append(moved.get_potential_energy())
        forces.append(-(energies[0] - energies[1]) / (2 * h))
    return np.array(forces)


def _check_forces(atoms, make_calculator, components, h, atol):
    atoms.calc = make_calculator()
    analytic = atoms.get_forces()[[a for a, _ in components], [c for _, c in components]]
    numeric = _finite_difference_forces(atoms, make_calculator, components, h)
    assert np.abs(analytic).max() > 10 * atol  # the check is not trivially passed by zero forces
    np.testing.assert_allclose(analytic, numeric, atol=atol)


def test_emt_forces_match_finite_differences():
    atoms = prototypes.decorate("L1_2", ["Cu", "Au"]).repeat((2, 1, 1))
    atoms.rattle(0.08, seed=3)
    _check_forces(atoms, calculators.emt, [(0, 0), (1, 1), (5, 2), (7, 0)], h=1e-4, atol=1e-5)


def test_gfn2_xtb_single_point_and_forces_of_ethanol():
    from ase.build import molecule

    atoms = molecule("CH3CH2OH")
    atoms.rattle(0.05, seed=2)
    atoms.calc = calculators.gfn2_xtb()
    energy = atoms.get_potential_energy()
    assert np.isfinite(energy) and energy < -300  # about -310 eV for GFN2-xTB ethanol
    assert atoms.get_dipole_moment().shape == (3,)
    np.testing.assert_allclose(atoms.get_charges().sum(), 0.0, atol=1e-6)
    _check_forces(atoms, lambda: calculators.gfn2_xtb(accuracy=0.01), [(0, 0), (2, 1), (8, 2)], h=1e-3,
                  atol=2e-4)


def test_pyscf_hartree_fock_h2_textbook_energy_and_forces():
    from ase import Atoms

    # Szabo & Ostlund, Modern Quantum Chemistry, Sec. 3.5: H2, STO-3G, R = 1.4 bohr: E = -1.1167 Ha
    h2 = Atoms("H2", positions=[[0, 0, 0], [0, 0, 1.4 * BOHR_TO_ANGSTROM]])
    h2.calc = calculators.pyscf_dft(xc=None, basis="sto-3g")
    assert h2.get_potential_energy() / HARTREE_TO_EV == pytest.approx(-1.1167, abs=1e-4)
    forces = h2.get_forces()
    np.testing.assert_allclose(forces[0], -forces[1], atol=1e-8)
    water = Atoms("OH2", positions=[[0, 0, 0.12], [0, 0.76, -0.47], [0.05, -0.77, -0.45]])
    _check_forces(water, lambda: calculators.pyscf_dft(xc=None, basis="sto-3g"), [(0, 2), (1, 1)], h=1e-3,
                  atol=2e-4)


def test_pyscf_dft_runs_and_rejects_periodic_cells():
    from ase.build import molecule

    h2 = molecule("H2")
    h2.calc = calculators.pyscf_dft(xc="LDA", basis="sto-3g", grid_level=1)
    assert np.isfinite(h2.get_potential_energy()) and h2.get_forces().shape == (2, 3)
    crystal = prototypes.decorate("A1", ["Cu"])
    crystal.calc = calculators.pyscf_dft(xc="LDA", basis="sto-3g")
    with pytest.raises(ValueError, match="molecules only"):
        crystal.get_potential_energy()
    with pytest.raises(TypeError):
        calculators.pyscf_dft(xc=3)
    with pytest.raises(ValueError):
        calculators.pyscf_dft(spin=-1)
    with pytest.raises(ValueError):
        calculators.gfn2_xtb(multiplicity=0)


def _water():
    from ase import Atoms

    return Atoms("OH2", positions=[[0, 0, 0.12], [0, 0.76, -0.47], [0.05, -0.77, -0.45]])


def test_pyscf_settings_live_in_parameters_set_and_todict_round_trip():
    calc = calculators.pyscf_dft(xc=None, basis="sto-3g", max_cycle=50)
    assert calc.parameters["basis"] == "sto-3g" and calc.parameters["xc"] is None
    assert calc.todict() == {"xc": None, "basis": "sto-3g", "max_cycle": 50}  # ASE's todict: non-defaults only
    assert set(calc.todict(skip_default=False)) == set(calculators.PySCFCalculator.default_parameters)
    twin = calculators.PySCFCalculator(**calc.todict())
    assert twin.parameters == calc.parameters and twin.todict() == calc.todict()
    h2 = _h2()
    h2.calc = calc
    energy = h2.get_potential_energy()
    assert calc.set(basis="sto-3g") == {} and "energy" in calc.results  # unchanged setting: results kept
    assert calc.set(basis="6-31g") == {"basis": "6-31g"} and calc.results == {}  # a change discards them
    assert calc.todict()["basis"] == "6-31g"
    assert h2.get_potential_energy() < energy - 1e-3  # the larger basis was used (variational: lower energy)
    with pytest.raises(TypeError, match="no setting 'basis_set'"):
        calc.set(basis_set="sto-3g")
    with pytest.raises(TypeError, match="basis"):
        calc.set(basis=3)
    with pytest.raises(ValueError, match="max_cycle"):
        calc.set(max_cycle=0)
    with pytest.raises(ValueError, match="conv_tol"):
        calculators.pyscf_dft(conv_tol=-1.0)
    assert calc.parameters["basis"] == "6-31g" and calc.parameters["max_cycle"] == 50  # rejected, not stored


def _h2():
    from ase import Atoms

    return Atoms("H2", positions=[[0, 0, 0], [0, 0, 0.74]])


def test_pyscf_energy_and_forces_come_from_one_scf(monkeypatch):
    from pyscf.scf import hf

    runs = []
    original = hf.SCF.scf  # mf.kernel() is an alias of mf.scf(); counting here also sees SCFs run by PySCF itself

    def counting_scf(self, *args, **kwargs):
        runs.append(type(self).__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(hf.SCF, "scf", counting_scf)
    water = _water()
    water.calc = calculators.pyscf_dft(xc=None, basis="sto-3g")
    water.get_potential_energy()
    assert set(water.calc.results) == {"energy", "dipole", "orbital_energies", "occupations"}
    forces = water.get_forces()  # the gradient of the stored SCF, not a second SCF
    water.get_potential_energy()
    water.get_dipole_moment()
    assert len(runs) == 1 and water.calc.scf_runs == 1
    assert forces.shape == (3, 3)
    water.positions[0, 2] += 0.01  # a new geometry needs a new SCF, again one for both properties
    water.get_forces()
    water.get_potential_energy()
    assert len(runs) == 2 and water.calc.scf_runs == 2


def test_pyscf_dipole_is_minus_the_field_derivative_of_the_energy_and_orbitals_are_consistent():
    # Independent check of the dipole: E(F) = E0 - mu.F + ..., with the field added to PySCF's core Hamiltonian
    # here (h -> h + F.r for the electrons, -F.R for the nuclei), central differences in F.
    from pyscf import gto, scf

    water = _water()
    water.calc = calculators.pyscf_dft(xc=None, basis="sto-3g")
    mu = water.get_dipole_moment()  # e*Angstrom
    mol = gto.M(atom=[(s, tuple(x)) for s, x in zip(water.get_chemical_symbols(), water.positions, strict=True)],
                unit="Angstrom", basis="sto-3g", verbose=0)
    r_ints = mol.intor("int1e_r")  # (3, nao, nao), bohr; electrons carry charge -1

    def energy_in_field(field):
        mf = scf.RHF(mol)
        mf.conv_tol = 1e-12
        h0 = mf.get_hcore()
        mf.get_hcore = lambda *args: h0 + np.einsum("x,xij->ij", field, r_ints)
        nuclear = -float(np.dot(field, mol.atom_charges() @ mol.atom_coords()))
        return mf.kernel() + nuclear

    h = 1e-4  # Hartree/(e*bohr)
    numeric = [-(energy_in_field(h * e) - energy_in_field(-h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(mu, np.array(numeric) * BOHR_TO_ANGSTROM, atol=2e-6)
    assert 0.2 < np.linalg.norm(mu) < 0.5  # e*Angstrom (about 1-2.4 D): a polar molecule, in the right units
    eps, occ = water.calc.results["orbital_energies"], water.calc.results["occupations"]
    assert np.all(np.diff(eps) >= 0) and occ.sum() == 10 and np.all(occ[:5] == 2) and np.all(occ[5:] == 0)
    # translating a neutral molecule leaves its dipole unchanged (the nuclear part is included)
    moved = water.copy()
    moved.positions += [1.0, -2.0, 0.5]
    moved.calc = calculators.pyscf_dft(xc=None, basis="sto-3g")
    np.testing.assert_allclose(moved.get_dipole_moment(), mu, atol=1e-7)


def test_pyscf_density_fitting_agrees_and_is_a_checked_setting():
    water = _water()
    water.calc = calculators.pyscf_dft(xc="PBE", basis="def2-SVP", grid_level=2)
    exact = water.get_potential_energy()
    water.calc.set(density_fit=True)
    fitted = water.get_potential_energy()
    assert water.calc.scf_runs == 2 and 0 < abs(fitted - exact) < 5e-3  # eV: different, but close
    with pytest.raises(TypeError, match="density_fit must be True or False"):
        calculators.pyscf_dft(density_fit="yes")


def test_pyscf_non_convergence_is_an_ase_scf_error_and_a_convergence_error():
    from ase.calculators.calculator import SCFError

    from course_utils import ConvergenceError

    water = _water()
    water.calc = calculators.pyscf_dft(xc=None, basis="sto-3g", max_cycle=1)
    with pytest.raises(SCFError) as caught:
        water.get_forces()
    error = caught.value
    assert isinstance(error, ConvergenceError) and isinstance(error, calculators.PySCFConvergenceError)
    message = str(error)
    assert "H2O" in message and "RHF" in message and "sto-3g" in message and "max_cycle=1" in message
    assert "energy" not in water.calc.results
    water.calc.set(xc="LDA", grid_level=1)
    with pytest.raises(ConvergenceError, match=r"H2O \(RKS LDA, basis sto-3g\)"):
        water.get_potential_energy()
    water.calc.set(max_cycle=100)  # the same calculator recovers once allowed to converge
    assert np.isfinite(water.get_potential_energy())


def test_pyscf_forces_match_finite_differences_of_h2():
    h2 = _h2()
    h2.positions[1] = [0.05, -0.03, 0.8]  # stretched and off the axis, so that x, y and z forces are tested
    _check_forces(h2, lambda: calculators.pyscf_dft(xc=None, basis="sto-3g"), [(0, 0), (1, 2), (1, 1)], h=1e-3,
                  atol=1e-4)


# ---------------------------------------------------------------------------------------------------------- md
def _copper(n=2):
    atoms = prototypes.decorate("L1_2", ["Cu", "Au"]).repeat(n)
    atoms.calc = calculators.emt()
    return atoms


def test_md_is_reproducible_with_a_seed():
    a = md.run_md(_copper(), temperature_K=300, n_steps=30, sample_every=10, seed=5)
    b = md.run_md(_copper(), temperature_K=300, n_steps=30, sample_every=10, seed=5)
    c = md.run_md(_copper(), temperature_K=300, n_steps=30, sample_every=10, seed=6)
    np.testing.assert_array_equal(a.positions, b.positions)
    assert not np.allclose(a.positions[-1], c.positions[-1])
    assert a.positions.shape == (4, 32, 3) and a.time.tolist() == [0, 10, 20, 30]
    np.testing.assert_allclose(a.positions[0], _copper().positions)  # the first frame is the start
    frame = a.to_atoms(2)
    assert len(frame) == 32 and np.allclose(frame.positions, a.positions[2])


def test_nve_conserves_energy_and_recorded_forces_are_the_calculators():
    traj = md.run_md(_copper(), temperature_K=600, timestep_fs=2.0, n_steps=200, sample_every=20,
                     ensemble="nve", seed=1)
    drift = np.abs(traj.total_energy - traj.total_energy[0]).max() / traj.positions.shape[1]
    assert drift < 2e-4  # eV/atom over 400 fs
    assert traj.kinetic_energy.std() > 1e-3  # it did move
    atoms = traj.to_atoms(3)
    atoms.calc = calculators.emt()
    np.testing.assert_allclose(atoms.get_forces(), traj.forces[3], atol=1e-10)


def test_langevin_thermalises_near_the_target():
    traj = md.run_md(_copper(), temperature_K=500, timestep_fs=4.0, n_steps=300, sample_every=5,
                     friction_per_fs=0.1, seed=2)
    late = traj.temperature[len(traj.temperature) // 3:]
    assert 350 < late.mean() < 650  # 32 atoms: fluctuations of ~25 % per frame
    # the centre of mass stays put (FixCom)
    np.testing.assert_allclose(traj.to_atoms(-1).get_center_of_mass(), traj.to_atoms(0).get_center_of_mass(),
                               atol=1e-8)


def test_md_rejects_bad_input():
    bare = prototypes.decorate("A1", ["Cu"])
    with pytest.raises(ValueError, match="no calculator"):
        md.run_md(bare, temperature_K=300)
    with pytest.raises(ValueError, match="temperature_K"):
        md.run_md(_copper(1), temperature_K=-5)
    with pytest.raises(ValueError, match="ensemble"):
        md.run_md(_copper(1), temperature_K=300, ensemble="npt")
    with pytest.raises(ValueError, match="timestep_fs"):
        md.run_md(_copper(1), temperature_K=300, timestep_fs=0)
    with pytest.raises(TypeError):
        md.run_md("Cu", temperature_K=300)


def test_time_per_atom_step_and_potential_errors():
    from ase.build import bulk

    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    seconds = calculators.time_per_atom_step(calculators.emt(), atoms, n_calls=2)
    assert 0 < seconds < 1
    frames = [atoms.copy() for _ in range(2)]
    frames[1].rattle(0.05, seed=0)
    energies, forces = [], []
    for frame in frames:
        frame.calc = calculators.emt()
        energies.append(frame.get_potential_energy())
        forces.append(frame.get_forces())
    exact = calculators.potential_errors(calculators.emt(), frames, energies, forces)
    assert exact["energy_mae"] < 1e-9 and exact["force_rmse"] < 1e-9
    shifted = calculators.potential_errors(calculators.emt(), frames, [e - 0.004 for e in energies], forces)
    assert abs(shifted["energy_mae"] - 1.0) < 1e-9  # 4 meV over 4 atoms
    with pytest.raises(TypeError, match="ase.Atoms"):
        calculators.time_per_atom_step(calculators.emt(), "Cu")
    with pytest.raises(TypeError, match="Calculator"):
        calculators.time_per_atom_step("EMT", atoms)
    with pytest.raises(TypeError, match="Calculator"):
        calculators.potential_errors(None, frames, energies, forces)
    with pytest.raises(ValueError, match="same, non-zero length"):
        calculators.potential_errors(calculators.emt(), frames, energies[:1], forces)


def test_radial_distribution_counts_the_fcc_shells():
    from ase.build import bulk

    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)
    r, g = md.radial_distribution(atoms.positions, atoms.cell.array, r_max=3.0, n_bins=30)
    density = len(atoms) / atoms.get_volume()
    edges = np.linspace(0.0, 3.0, 31)
    shell = 4 / 3 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    assert abs(np.sum(g * shell * density) - 12) < 1e-9  # 12 nearest neighbours below 3 A
    assert abs(r[np.argmax(g)] - 3.6 / np.sqrt(2)) < 0.1
    with pytest.raises(ValueError, match="positions must have shape"):
        md.radial_distribution(np.zeros((2, 2)), atoms.cell.array, r_max=3.0)


def test_green_kubo_of_a_constant_flux_and_its_units():
    from ase import units

    flux = np.tile([0.3, 0.0, 0.0], (10, 1))
    lag, acf, kappa = md.green_kubo(flux, timestep_fs=2.0, volume=100.0, temperature_K=300.0, max_lag=4)
    np.testing.assert_allclose(acf, 0.03)
    expected = 0.03 * 6.0 / (100.0 * units.kB * 300.0 ** 2) * units._e / 1e-25
    assert abs(kappa[-1] - expected) < 1e-9 * expected and lag[-1] == 6.0
    with pytest.raises(ValueError, match="flux must have shape"):
        md.green_kubo(np.zeros((5, 2)), timestep_fs=1.0, volume=1.0, temperature_K=1.0)
    with pytest.raises(ValueError, match="volume"):
        md.green_kubo(flux, timestep_fs=1.0, volume=0.0, temperature_K=1.0)
