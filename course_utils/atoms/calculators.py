"""Reference energy models of the course, each an ASE ``Calculator`` (energies in eV, forces in eV/Angstrom).

``emt()``         ASE's effective-medium theory for Al, Ni, Cu, Pd, Ag, Pt, Au (and H, C, N, O): the course's
                  cheap stand-in for DFT on metals (K. W. Jacobsen, P. Stoltze, J. K. Norskov, Surf. Sci. 366,
                  394 (1996)).
``gfn2_xtb()``    GFN2-xTB tight binding through tblite (C. Bannwarth, S. Ehlert, S. Grimme, J. Chem. Theory
                  Comput. 15, 1652 (2019)), silent.
``pyscf_dft()``   Kohn-Sham DFT (or Hartree-Fock) for molecules with PySCF: a thin wrapper that returns the SCF
                  energy and the analytic nuclear gradient.
"""

from __future__ import annotations

import numpy as np
from ase.calculators.calculator import Calculator, SCFError, all_changes

from .._checks import ConvergenceError, _describe, as_int, as_number
from ..units import BOHR_TO_ANGSTROM, HARTREE_TO_EV


def emt():
    """A fresh ``ase.calculators.emt.EMT`` calculator."""
    from ase.calculators.emt import EMT

    return EMT()


def gfn2_xtb(*, charge: int = 0, multiplicity: int = 1, accuracy: float = 1.0, electronic_temperature: float = 300.0,
             max_iterations: int = 250):
    """A GFN2-xTB calculator (``tblite.ase.TBLite``) with its printout switched off.

    ``charge`` in e; ``multiplicity`` 2S+1; ``electronic_temperature`` in K (Fermi smearing). Provides energy,
    forces, stress (periodic), dipole and Mulliken-type charges.
    """
    from tblite.ase import TBLite

    charge = as_int(charge, "charge")
    multiplicity = as_int(multiplicity, "multiplicity", minimum=1)
    accuracy = as_number(accuracy, "accuracy", minimum=0.0, strict_minimum=True)
    electronic_temperature = as_number(electronic_temperature, "electronic_temperature", minimum=0.0)
    max_iterations = as_int(max_iterations, "max_iterations", minimum=1)
    return TBLite(method="GFN2-xTB", charge=charge, multiplicity=multiplicity, accuracy=accuracy,
                  electronic_temperature=electronic_temperature, max_iterations=max_iterations, verbosity=0)


def pyscf_dft(xc: str | None = "PBE", basis: str = "def2-SVP", *, charge: int = 0, spin: int = 0,
              conv_tol: float = 1e-10, grid_level: int = 3, max_cycle: int = 100, density_fit: bool = False):
    """An ASE calculator running PySCF on a molecule (no periodic boundary conditions).

    ``xc``: a PySCF functional name (``"PBE"``, ``"B3LYP"``, ``"LDA"``, ...) for restricted (``spin=0``) or
    unrestricted Kohn-Sham, or ``None`` for Hartree-Fock; ``basis``: a PySCF basis name; ``spin``: number of
    unpaired electrons (2S); ``conv_tol``: SCF energy tolerance (Hartree); ``max_cycle``: SCF iterations before
    :class:`PySCFConvergenceError` is raised; ``density_fit``: resolution-of-the-identity integrals (PySCF's
    ``density_fit()``, with its default auxiliary basis), several times faster for hybrids in large bases at
    an error of about 1e-5 Ha per atom. Forces are the analytic gradients (without the DFT grid response, which
    is small at ``grid_level >= 3``). Energy, dipole, orbital energies and forces come from one SCF, so asking
    for the forces after the energy costs no second SCF. The settings live in ``calc.parameters`` (ASE's protocol):
    ``calc.set(basis=...)`` changes them and discards old results, ``calc.todict()`` lists the non-default ones.
    """
    return PySCFCalculator(xc=xc, basis=basis, charge=charge, spin=spin, conv_tol=conv_tol, grid_level=grid_level,
                           max_cycle=max_cycle, density_fit=density_fit)


class PySCFConvergenceError(SCFError, ConvergenceError):
    """The PySCF SCF did not converge: an ASE ``SCFError`` (what ASE tools catch) and the course's
    :class:`~course_utils.ConvergenceError` (what the course's solvers raise)."""


def _check_xc(xc):
    if xc is not None and not isinstance(xc, str):
        raise TypeError(f"xc must be a functional name or None (Hartree-Fock), got {_describe(xc)}")
    return xc


def _check_flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def _check_basis(basis):
    if not isinstance(basis, str):
        raise TypeError(f"basis must be a basis-set name, got {_describe(basis)}")
    return basis


# Validation of each setting, applied by the constructor and by set().
_PARAMETER_CHECKS = {
    "xc": _check_xc,
    "basis": _check_basis,
    "charge": lambda value: as_int(value, "charge"),
    "spin": lambda value: as_int(value, "spin", minimum=0),
    "conv_tol": lambda value: as_number(value, "conv_tol", minimum=0.0, strict_minimum=True),
    "grid_level": lambda value: as_int(value, "grid_level", minimum=0, maximum=9),
    "max_cycle": lambda value: as_int(value, "max_cycle", minimum=1),
    "density_fit": lambda value: _check_flag(value, "density_fit"),
}


class PySCFCalculator(Calculator):
    """ASE calculator around a PySCF SCF calculation; see :func:`pyscf_dft`.

    Follows ASE's calculator protocol (as ``ase.calculators.emt.EMT`` does): the settings are
    ``self.parameters`` (defaults in :attr:`default_parameters`), ``set(**changes)`` validates them and discards
    the results when one changes, ``todict()`` returns the non-default ones. One SCF gives ``energy`` (eV),
    ``dipole`` (e*Angstrom, about the origin of the coordinates; PySCF's dipole includes the nuclei) and the
    orbital energies; ``forces`` (eV/Angstrom) are the analytic gradient of that same SCF, computed when first
    asked for (energy then forces of one structure, as optimisers and MD ask, costs one SCF). Beyond ASE's
    properties, ``results["orbital_energies"]`` (eV, ascending) and ``results["occupations"]`` (0, 1 or 2 per
    spatial orbital for restricted runs; alpha + beta for unrestricted ones) hold the Kohn-Sham (or Hartree-Fock)
    spectrum. ``scf_runs`` counts the SCFs run.

    Raises
    ------
    PySCFConvergenceError
        From a calculation whose SCF does not converge in ``max_cycle`` iterations (an ASE ``SCFError`` and a
        :class:`~course_utils.ConvergenceError`).
    """

    implemented_properties = ["energy", "forces", "dipole"]
    default_parameters = {"xc": "PBE", "basis": "def2-SVP", "charge": 0, "spin": 0, "conv_tol": 1e-10,
                          "grid_level": 3, "max_cycle": 100, "density_fit": False}

    def __init__(self, *, xc: str | None = "PBE", basis: str = "def2-SVP", charge: int = 0, spin: int = 0,
                 conv_tol: float = 1e-10, grid_level: int = 3, max_cycle: int = 100, density_fit: bool = False,
                 **kwargs):
        settings = dict(xc=xc, basis=basis, charge=charge, spin=spin, conv_tol=conv_tol, grid_level=grid_level,
                        max_cycle=max_cycle, density_fit=density_fit)
        self._validate(settings)  # before the base class stores anything
        self.scf_runs = 0
        self._mf = None  # the converged SCF object of the current structure, for forces asked for later
        super().__init__(**kwargs)  # ASE's own options (label, directory, atoms, ...); unknown names reach set()
        self.set(**settings)

    @staticmethod
    def _validate(changes: dict) -> dict:
        unknown = sorted(set(changes) - set(_PARAMETER_CHECKS))
        if unknown:
            raise TypeError(f"PySCFCalculator has no setting {', '.join(map(repr, unknown))}; "
                            f"the settings are {', '.join(_PARAMETER_CHECKS)}")
        return {key: _PARAMETER_CHECKS[key](value) for key, value in changes.items()}

    def set(self, **kwargs) -> dict:
        """Change settings (validated as in the constructor); any change discards the results.

        Returns
        -------
        dict
            The settings that actually changed (ASE's convention).
        """
        changed = super().set(**self._validate(kwargs))
        if changed:
            self.reset()
        return changed

    def reset(self):
        super().reset()
        self._mf = None

    def calculate(self, atoms=None, properties=("energy",), system_changes=None):
        from pyscf import dft, gto, scf

        system_changes = all_changes if system_changes is None else system_changes
        if not system_changes and self._mf is not None and "energy" in self.results:
            # Same structure and settings: only a property not yet computed (the forces) is missing.
            self._add_forces()
            return
        super().calculate(atoms, properties, system_changes)
        self._mf = None
        if any(self.atoms.pbc):
            raise ValueError("pyscf_dft handles molecules only; the structure has periodic boundary conditions")
        p = self.parameters
        symbols = self.atoms.get_chemical_symbols()
        mol = gto.M(atom=[(s, tuple(x)) for s, x in zip(symbols, self.atoms.positions, strict=True)], unit="Angstrom",
                    basis=p["basis"], charge=p["charge"], spin=p["spin"], verbose=0)
        if p["xc"] is None:
            mf = scf.RHF(mol) if p["spin"] == 0 else scf.UHF(mol)
        else:
            mf = dft.RKS(mol) if p["spin"] == 0 else dft.UKS(mol)
            mf.xc = p["xc"]
            mf.grids.level = p["grid_level"]
        if p.get("density_fit", False):
            mf = mf.density_fit()  # resolution of the identity for J (and K): much faster, ~1e-5 Ha per atom
        mf.conv_tol = p["conv_tol"]
        mf.max_cycle = p["max_cycle"]
        self.scf_runs += 1
        energy = mf.kernel()
        if not mf.converged:
            raise PySCFConvergenceError(self._failure_message(mf))
        self._mf = mf
        self.results["energy"] = float(energy) * HARTREE_TO_EV
        dipole_au = mf.dip_moment(unit="AU", verbose=0)  # e*bohr
        self.results["dipole"] = np.asarray(dipole_au, dtype=float) * BOHR_TO_ANGSTROM
        mo_energy, mo_occ = np.asarray(mf.mo_energy), np.asarray(mf.mo_occ)
        if mo_energy.ndim == 2:  # unrestricted: alpha and beta orbitals, merged and sorted
            mo_energy, mo_occ = mo_energy.ravel(), mo_occ.ravel()
        order = np.argsort(mo_energy, kind="stable")
        self.results["orbital_energies"] = mo_energy[order] * HARTREE_TO_EV
        self.results["occupations"] = mo_occ[order].astype(float)
        if "forces" in properties:
            self._add_forces()

    def _add_forces(self):
        # The analytic gradient of the stored SCF (Hartree/bohr), without a second SCF.
        gradient = self._mf.nuc_grad_method().kernel()
        self.results["forces"] = -np.asarray(gradient) * HARTREE_TO_EV / BOHR_TO_ANGSTROM

    def _failure_message(self, mf) -> str:
        p = self.parameters
        kind = ("R" if p["spin"] == 0 else "U") + ("HF" if p["xc"] is None else f"KS {p['xc']}")
        try:
            gradient = float(np.linalg.norm(mf.get_grad(mf.mo_coeff, mf.mo_occ)))
            reached = f"orbital-gradient norm {gradient:.2e}, "
        except Exception:  # the residual is a courtesy; never hide the convergence failure behind another error
            reached = ""
        return (f"PySCF SCF for {self.atoms.get_chemical_formula()} ({kind}, basis {p['basis']}) did not converge "
                f"within max_cycle={p['max_cycle']} iterations ({reached}last energy {float(mf.e_tot):.10f} Ha, "
                f"conv_tol {p['conv_tol']:g} Ha); raise max_cycle or start from a better geometry")


class KerasCalculator(Calculator):
    """A trained Keras model as an ASE calculator: energy from the model, forces by ``tf.GradientTape``.

    The model maps a batch of one structure to its energy::

        energy = model([numbers, positions])   # numbers (1, n) int32, positions (1, n, 3) -> shape (1,) or (1, 1)

    in eV for positions in Angstrom (``energy_scale`` and ``length_scale`` convert a model trained in other
    units: energy_eV = energy_scale * model(positions_A / length_scale)). Forces are ``-dE/dR`` by automatic
    differentiation, so they are exactly conservative and MD with them conserves energy up to the time step
    error. With this, ``atoms.calc = KerasCalculator(model)`` runs ASE's optimisers and MD with a learned
    potential exactly as with ``emt()`` or ``gfn2_xtb()``.

    TensorFlow is imported when the calculator is made (not when this module is imported).

    Parameters
    ----------
    model : keras.Model or callable
        Takes ``[numbers, positions]`` as above and returns the energy of the structure.
    energy_scale, length_scale : float
        Unit conversions (see above); 1.0 for a model trained in eV and Angstrom.
    dtype : {"float32", "float64"}
        Floating type of the positions fed to the model (match the model's weights).

    **Periodic models.** A model with ``model.periodic = True`` (such as
    :class:`course_utils.learn.periodic_schnet.PeriodicSchNet`) gets a crystal instead: ``model.neighbour_inputs(
    [atoms])`` builds its neighbour list (pairs with their periodic images) and ``model({**inputs, "strain": eps})``
    returns the energy, where ``eps`` (1, 3, 3) is a homogeneous strain of positions and cell. Then the calculator
    also returns the stress ``(1/V) dE/d eps`` at ``eps = 0`` (Voigt order, eV/Angstrom^3, ASE's sign), computed
    in the same ``tf.GradientTape`` pass as the forces.
    """

    implemented_properties = ["energy", "free_energy", "forces"]

    def __init__(self, model, *, energy_scale: float = 1.0, length_scale: float = 1.0, dtype: str = "float32",
                 **kwargs):
        from .._checks import one_of

        if not callable(model):
            raise TypeError(f"model must be a Keras model (or a callable), got {_describe(model)}")
        self.energy_scale = as_number(energy_scale, "energy_scale")
        self.length_scale = as_number(length_scale, "length_scale", minimum=0.0, strict_minimum=True)
        self.dtype = one_of(dtype, "dtype", ("float32", "float64"))
        super().__init__(**kwargs)
        import tensorflow as tf

        self.model = model
        self._tf = tf
        float_type = tf.float32 if dtype == "float32" else tf.float64

        @tf.function(input_signature=[tf.TensorSpec([1, None], tf.int32), tf.TensorSpec([1, None, 3], float_type)],
                     reduce_retracing=True)
        def energy_and_forces(numbers, positions):
            with tf.GradientTape() as tape:
                tape.watch(positions)
                energy = tf.reduce_sum(model([numbers, positions], training=False))
            return energy, -tape.gradient(energy, positions)

        self._energy_and_forces = energy_and_forces
        self.periodic = bool(getattr(model, "periodic", False))
        if self.periodic:
            if not callable(getattr(model, "neighbour_inputs", None)):
                raise TypeError("a periodic model must have a method neighbour_inputs(frames)")
            self.implemented_properties = [*type(self).implemented_properties, "stress"]

            @tf.function(reduce_retracing=True)
            def energy_forces_stress(inputs):
                positions, strain = inputs["positions"], tf.zeros((1, 3, 3), float_type)
                with tf.GradientTape() as tape:
                    tape.watch(positions)
                    tape.watch(strain)
                    energy = tf.reduce_sum(model({**inputs, "positions": positions, "strain": strain},
                                                 training=False))
                d_positions, d_strain = (tf.convert_to_tensor(g) for g in tape.gradient(energy, [positions, strain]))
                return energy, -d_positions, d_strain[0] / tf.abs(tf.linalg.det(inputs["cells"][0]))

            self._energy_forces_stress = energy_forces_stress

    def _calculate_periodic(self):
        tf = self._tf
        atoms = self.atoms.copy()
        atoms.positions = atoms.positions / self.length_scale
        atoms.set_cell(atoms.cell.array / self.length_scale)
        inputs = self.model.neighbour_inputs([atoms])
        floats = ("positions", "cells", "shifts")
        tensors = {key: tf.constant(np.asarray(value, dtype=self.dtype if key in floats else np.int32))
                   for key, value in inputs.items()}
        energy, forces, stress = self._energy_forces_stress(tensors)
        energy = float(energy.numpy()) * self.energy_scale
        if not np.isfinite(energy):
            raise ValueError(f"the model returned a non-finite energy ({energy}) for "
                             f"{self.atoms.get_chemical_formula()}")
        self.results["energy"] = self.results["free_energy"] = energy
        self.results["forces"] = np.asarray(forces.numpy(), dtype=float) * self.energy_scale / self.length_scale
        stress = np.asarray(stress.numpy(), dtype=float) * self.energy_scale / self.length_scale ** 3
        stress = 0.5 * (stress + stress.T)
        self.results["stress"] = stress.flat[[0, 4, 8, 5, 2, 1]]

    def calculate(self, atoms=None, properties=("energy",), system_changes=None):
        from ase.calculators.calculator import all_changes

        super().calculate(atoms, properties, all_changes if system_changes is None else system_changes)
        if self.periodic:
            self._calculate_periodic()
            return
        if any(self.atoms.pbc):
            raise ValueError("KerasCalculator handles molecules only; the structure has periodic boundary "
                             "conditions")
        numbers = np.asarray(self.atoms.numbers, dtype=np.int32)[None, :]
        positions = (np.asarray(self.atoms.positions, dtype=self.dtype) / self.length_scale)[None, :, :]
        energy, forces = self._energy_and_forces(self._tf.constant(numbers), self._tf.constant(positions))
        energy = float(energy.numpy()) * self.energy_scale
        if not np.isfinite(energy):
            raise ValueError(f"the model returned a non-finite energy ({energy}) for "
                             f"{self.atoms.get_chemical_formula()}")
        self.results["energy"] = self.results["free_energy"] = energy
        self.results["forces"] = np.asarray(forces.numpy()[0], dtype=float) * self.energy_scale / self.length_scale


def keras_model(model, **kwargs) -> KerasCalculator:
    """A :class:`KerasCalculator` around ``model`` (see there for the model's inputs, units and options)."""
    return KerasCalculator(model, **kwargs)


def time_per_atom_step(calculator, atoms, *, n_calls: int = 5, displacement: float = 0.01, seed=0) -> float:
    """Measured wall time (seconds) of one energy-and-forces call per atom of ``atoms`` with ``calculator``.

    Each call moves the atoms by a small random displacement (``displacement`` Angstrom RMS, seeded) first, as a
    molecular-dynamics step would, so no cached result is returned; the first call (set-up, neighbour lists) is
    not timed. Returns the median over ``n_calls`` calls divided by the number of atoms.
    """
    import time

    from ase import Atoms

    from .._checks import as_rng

    if not isinstance(atoms, Atoms):
        raise TypeError(f"atoms must be an ase.Atoms, got {_describe(atoms)}")
    if not isinstance(calculator, Calculator):
        raise TypeError(f"calculator must be an ASE Calculator, got {_describe(calculator)}")
    n_calls = as_int(n_calls, "n_calls", minimum=1)
    displacement = as_number(displacement, "displacement", minimum=0.0)
    rng = as_rng(seed)
    work = atoms.copy()
    work.calc = calculator
    work.get_forces()
    times = []
    for _ in range(n_calls):
        work.positions = work.positions + rng.normal(scale=displacement / np.sqrt(3), size=work.positions.shape)
        start = time.perf_counter()
        work.get_forces()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) / len(work)


def potential_errors(calculator, frames, energies, forces) -> dict[str, float]:
    """Errors of ``calculator`` on reference ``frames`` (list of ``ase.Atoms``) with ``energies`` (eV) and
    ``forces`` (list of (N, 3) arrays, eV/Angstrom): ``{"energy_mae", "energy_rmse"}`` in meV/atom and
    ``{"force_mae", "force_rmse"}`` in meV/Angstrom (over force components)."""
    if not isinstance(calculator, Calculator):
        raise TypeError(f"calculator must be an ASE Calculator, got {_describe(calculator)}")
    if not len(frames) == len(energies) == len(forces) or len(frames) == 0:
        raise ValueError(f"frames, energies and forces must have the same, non-zero length, got {len(frames)}, "
                         f"{len(energies)}, {len(forces)}")
    de, df = [], []
    for atoms, energy, force in zip(frames, energies, forces, strict=True):
        work = atoms.copy()
        work.calc = calculator
        de.append((work.get_potential_energy() - energy) / len(work))
        df.append((work.get_forces() - np.asarray(force)).ravel())
    de, df = np.array(de) * 1000, np.concatenate(df) * 1000
    return {"energy_mae": float(np.mean(np.abs(de))), "energy_rmse": float(np.sqrt(np.mean(de ** 2))),
            "force_mae": float(np.mean(np.abs(df))), "force_rmse": float(np.sqrt(np.mean(df ** 2)))}
