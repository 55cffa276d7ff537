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
              conv_tol: float = 1e-10, grid_level: int = 3, max_cycle: int = 100):
    """An ASE calculator running PySCF on a molecule (no periodic boundary conditions).

    ``xc``: a PySCF functional name (``"PBE"``, ``"B3LYP"``, ``"LDA"``, ...) for restricted (``spin=0``) or
    unrestricted Kohn-Sham, or ``None`` for Hartree-Fock; ``basis``: a PySCF basis name; ``spin``: number of
    unpaired electrons (2S); ``conv_tol``: SCF energy tolerance (Hartree). Forces are the analytic gradients
    (without the DFT grid response, which is small at ``grid_level >= 3``).
    """
    return PySCFCalculator(xc=xc, basis=basis, charge=charge, spin=spin, conv_tol=conv_tol, grid_level=grid_level,
                           max_cycle=max_cycle)


def _base_calculator():
    from ase.calculators.calculator import Calculator

    return Calculator


class PySCFCalculator(_base_calculator()):
    """ASE calculator around a PySCF SCF calculation; see :func:`pyscf_dft`."""

    implemented_properties = ["energy", "forces"]

    def __init__(self, *, xc: str | None = "PBE", basis: str = "def2-SVP", charge: int = 0, spin: int = 0,
                 conv_tol: float = 1e-10, grid_level: int = 3, max_cycle: int = 100, **kwargs):
        if xc is not None and not isinstance(xc, str):
            raise TypeError(f"xc must be a functional name or None (Hartree-Fock), got {_describe(xc)}")
        if not isinstance(basis, str):
            raise TypeError(f"basis must be a basis-set name, got {_describe(basis)}")
        super().__init__(**kwargs)
        self.xc = xc
        self.basis = basis
        self.charge = as_int(charge, "charge")
        self.spin = as_int(spin, "spin", minimum=0)
        self.conv_tol = as_number(conv_tol, "conv_tol", minimum=0.0, strict_minimum=True)
        self.grid_level = as_int(grid_level, "grid_level", minimum=0, maximum=9)
        self.max_cycle = as_int(max_cycle, "max_cycle", minimum=1)

    def calculate(self, atoms=None, properties=("energy",), system_changes=None):
        from ase.calculators.calculator import all_changes
        from pyscf import dft, gto, scf

        super().calculate(atoms, properties, all_changes if system_changes is None else system_changes)
        if any(self.atoms.pbc):
            raise ValueError("pyscf_dft handles molecules only; the structure has periodic boundary conditions")
        symbols = self.atoms.get_chemical_symbols()
        mol = gto.M(atom=[(s, tuple(p)) for s, p in zip(symbols, self.atoms.positions, strict=True)], unit="Angstrom",
                     basis=self.basis, charge=self.charge, spin=self.spin, verbose=0)
        if self.xc is None:
            mf = scf.RHF(mol) if self.spin == 0 else scf.UHF(mol)
        else:
            mf = dft.RKS(mol) if self.spin == 0 else dft.UKS(mol)
            mf.xc = self.xc
            mf.grids.level = self.grid_level
        mf.conv_tol = self.conv_tol
        mf.max_cycle = self.max_cycle
        energy = mf.kernel()
        if not mf.converged:
            raise ConvergenceError(f"PySCF SCF did not converge in {self.max_cycle} cycles (conv_tol "
                                   f"{self.conv_tol} Ha)")
        self.results["energy"] = float(energy) * HARTREE_TO_EV
        if "forces" in properties:
            gradient = mf.nuc_grad_method().kernel()  # Hartree/bohr
            self.results["forces"] = -np.asarray(gradient) * HARTREE_TO_EV / BOHR_TO_ANGSTROM


class KerasCalculator(_base_calculator()):
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

    def calculate(self, atoms=None, properties=("energy",), system_changes=None):
        from ase.calculators.calculator import all_changes

        super().calculate(atoms, properties, all_changes if system_changes is None else system_changes)
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
