"""Small molecules: SMILES -> RDKit -> 3D -> ``ase.Atoms`` -> GFN2-xTB, and back to SMILES.

The pieces, each usable alone (lengths in Angstrom, energies in eV, dipoles in e*Angstrom -- ASE's units):

``parse_smiles``         a sanitised RDKit molecule with explicit hydrogens; unparsable SMILES and elements that
                         GFN2-xTB does not know raise ``ValueError`` naming the molecule
``embed``                3D conformers by ETKDG (version 3; S. Riniker, G. A. Landrum, J. Chem. Inf. Model. 55,
                         2562 (2015)), seeded, optionally pre-optimised with MMFF94 (T. A. Halgren, J. Comput.
                         Chem. 17, 490 (1996)); a failed embedding raises :class:`EmbeddingError`
``to_atoms`` / ``from_atoms``
                         conversion between an RDKit conformer and ``ase.Atoms`` (``from_atoms`` either reuses a
                         template's bonds or perceives them from the geometry with RDKit's xyz2mol)
``optimize``             GFN2-xTB geometry optimisation with the course's ``gfn2_xtb()`` calculator and an ASE
                         optimiser; a non-converged run raises :class:`course_utils.ConvergenceError`
``single_point``         energy, forces, dipole, atomic charges, Wiberg bond orders, orbital energies and
                         occupations from tblite's results object (optionally in a uniform electric field)
``connectivity_smiles``  canonical SMILES rebuilt from the Wiberg bond orders (bonded where > 0.5), so that an
                         optimisation that broke or made a bond can be detected
``lowest_conformer``     the data-set recipe: a few ETKDG/MMFF conformers, each optimised with xTB, the lowest
                         one whose connectivity survived

GFN2-xTB is C. Bannwarth, S. Ehlert, S. Grimme, J. Chem. Theory Comput. 15, 1652 (2019); its dipole moment
contains atomic dipoles on top of the Mulliken-charge term, so it is *not* sum_i q_i R_i (the tests check it as
the derivative -dE/dF of the energy in a uniform field F instead).

RDKit and tblite are imported inside the functions, so ``import course_utils.atoms.molecules`` stays light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import ConvergenceError, _describe, as_int, as_number, as_real_array, one_of
from ..units import BOHR_TO_ANGSTROM, HARTREE_TO_EV

XTB_MAX_Z = 86
"""GFN2-xTB is parametrised for H to Rn (Z = 1 ... 86)."""
OPTIMIZERS = ("BFGS", "LBFGS", "FIRE", "BFGSLineSearch")
WIBERG_BOND_THRESHOLD = 0.5
"""Two atoms count as bonded when their Wiberg bond order exceeds this (covalent bonds are ~0.9-3, contacts
between non-bonded atoms below ~0.1)."""
_KELVIN_TO_HARTREE = 3.166811563e-6  # Boltzmann constant in Hartree/K (CODATA 2018)
_FIELD_TO_AU = BOHR_TO_ANGSTROM / HARTREE_TO_EV  # V/Angstrom -> Hartree/(e bohr)


class EmbeddingError(RuntimeError):
    """RDKit could not produce a 3D geometry for a molecule."""


def _rdkit():
    try:
        from rdkit import Chem, RDLogger
    except ImportError as error:  # pragma: no cover - rdkit is pinned
        raise ImportError("course_utils.atoms.molecules needs RDKit: pip install rdkit") from error
    return Chem, RDLogger


def _label(name, smiles) -> str:
    return f"{name!r} ({smiles})" if name and name != smiles else repr(smiles)


# ------------------------------------------------------------------------------------------------ RDKit side
def parse_smiles(smiles: str, *, name: str | None = None):
    """A sanitised RDKit molecule with explicit hydrogens.

    Parameters
    ----------
    smiles : str
        A SMILES string, e.g. ``"CCO"``.
    name : str, optional
        A label used in error messages and stored as the molecule's ``_Name`` (default: the SMILES).

    Raises
    ------
    TypeError
        ``smiles`` is not a string.
    ValueError
        The SMILES cannot be parsed or sanitised, or contains an element GFN2-xTB does not parametrise
        (a dummy atom ``*`` or Z > 86).
    """
    Chem, RDLogger = _rdkit()
    if not isinstance(smiles, str):
        raise TypeError(f"smiles must be a string, got {_describe(smiles)}")
    if not smiles.strip():
        raise ValueError("smiles is empty")
    label = _label(name, smiles)
    # RDKit reports parse errors on stderr; we raise instead, so silence that logger for this call only.
    RDLogger.DisableLog("rdApp.*")
    try:
        mol = Chem.MolFromSmiles(smiles)
        error = None
        if mol is None:
            raw = Chem.MolFromSmiles(smiles, sanitize=False)
            if raw is not None:
                try:
                    Chem.SanitizeMol(raw)
                except Exception as exc:  # noqa: BLE001 - RDKit raises several Boost-wrapped types
                    error = str(exc)
    finally:
        RDLogger.EnableLog("rdApp.*")
    if mol is None:
        why = f": {error}" if error else " (syntax error)"
        raise ValueError(f"could not parse the SMILES of molecule {label}{why}")
    bad = sorted({a.GetSymbol() for a in mol.GetAtoms() if not 1 <= a.GetAtomicNum() <= XTB_MAX_Z})
    if bad:
        raise ValueError(f"molecule {label} contains element(s) {', '.join(bad)}, which GFN2-xTB does not "
                         f"parametrise (it covers Z = 1 to {XTB_MAX_Z}, H to Rn)")
    mol = Chem.AddHs(mol)
    mol.SetProp("_Name", name or smiles)
    return mol


def canonical_smiles(smiles_or_mol, *, isomeric: bool = False) -> str:
    """RDKit's canonical SMILES (hydrogens implicit; stereochemistry dropped unless ``isomeric``)."""
    Chem, _ = _rdkit()
    mol = parse_smiles(smiles_or_mol) if isinstance(smiles_or_mol, str) else smiles_or_mol
    if not isinstance(mol, Chem.Mol):
        raise TypeError(f"expected a SMILES string or an RDKit Mol, got {_describe(smiles_or_mol)}")
    return _smiles_without_hydrogens(mol, isomeric)


def _smiles_without_hydrogens(mol, isomeric: bool = False) -> str:
    Chem, _ = _rdkit()
    params = Chem.RemoveHsParameters()
    params.removeDefiningBondStereo = True  # else an imine's N-H stays explicit: "[H]N=C" instead of "N=C"
    return Chem.MolToSmiles(Chem.RemoveHs(mol, params), isomericSmiles=isomeric, canonical=True)


def embed(smiles_or_mol, *, n_conformers: int = 1, seed: int = 0, mmff: bool = True, prune_rms: float = 0.0,
          max_attempts: int = 3, name: str | None = None):
    """3D conformers of a molecule by ETKDG (v3), seeded, optionally MMFF94-pre-optimised.

    Parameters
    ----------
    smiles_or_mol : str or rdkit.Chem.Mol
        A SMILES or a molecule (hydrogens are added if missing).
    n_conformers : int
        How many conformers to embed (fewer may come back when ``prune_rms > 0`` removes near-duplicates).
    seed : int
        RDKit's random seed: the same seed gives the same coordinates.
    mmff : bool
        Pre-optimise each conformer with MMFF94 (up to 2000 iterations; UFF when MMFF has no parameters).
    prune_rms : float
        Heavy-atom RMSD (Angstrom) below which ETKDG drops a conformer as a duplicate; 0 keeps all.
    max_attempts : int
        Retries with random starting coordinates (``useRandomCoords``) when the first embedding fails.
    name : str, optional
        Label for error messages.

    Returns
    -------
    rdkit.Chem.Mol
        With explicit hydrogens and ``GetNumConformers() >= 1`` conformers (coordinates in Angstrom). The
        MMFF94 energies (kcal/mol, or NaN without MMFF) are in the molecule's property ``"mmff_energies"``
        (comma-separated, one per conformer).

    Raises
    ------
    EmbeddingError
        No conformer could be embedded.
    """
    Chem, _ = _rdkit()
    from rdkit.Chem import AllChem

    if isinstance(smiles_or_mol, str):
        smiles = smiles_or_mol
        mol = parse_smiles(smiles, name=name)
    elif isinstance(smiles_or_mol, Chem.Mol):
        mol = Chem.AddHs(Chem.Mol(smiles_or_mol))
        mol.RemoveAllConformers()
        smiles = canonical_smiles(mol)
    else:
        raise TypeError(f"expected a SMILES string or an RDKit Mol, got {_describe(smiles_or_mol)}")
    n_conformers = as_int(n_conformers, "n_conformers", minimum=1)
    seed = as_int(seed, "seed", minimum=0)
    prune_rms = as_number(prune_rms, "prune_rms", minimum=0.0)
    max_attempts = as_int(max_attempts, "max_attempts", minimum=1)
    label = _label(name or (mol.GetProp("_Name") if mol.HasProp("_Name") else None), smiles)
    ids = []
    for attempt in range(max_attempts):
        params = AllChem.ETKDGv3()
        params.randomSeed = seed + attempt
        params.pruneRmsThresh = prune_rms
        params.numThreads = 1
        params.useRandomCoords = attempt > 0
        ids = list(AllChem.EmbedMultipleConfs(mol, numConfs=n_conformers, params=params))
        if ids:
            break
    if not ids:
        raise EmbeddingError(f"RDKit's ETKDG could not embed molecule {label} in 3D ({max_attempts} attempts, "
                             f"seed {seed}); strained or impossible geometry?")
    energies = [float("nan")] * len(ids)
    if mmff:
        from rdkit.Chem import rdForceFieldHelpers

        if rdForceFieldHelpers.MMFFHasAllMoleculeParams(mol):
            results = rdForceFieldHelpers.MMFFOptimizeMoleculeConfs(mol, numThreads=1, maxIters=2000)
        else:
            results = rdForceFieldHelpers.UFFOptimizeMoleculeConfs(mol, numThreads=1, maxIters=2000)
        energies = [float(e) for _, e in results]
    mol.SetProp("mmff_energies", ",".join(repr(e) for e in energies))
    return mol


def mmff_energies(mol) -> np.ndarray:
    """The force-field energies (kcal/mol) that :func:`embed` stored, one per conformer (NaN without MMFF)."""
    if not mol.HasProp("mmff_energies"):
        raise ValueError("this molecule carries no force-field energies; make it with molecules.embed")
    return np.array([float(x) for x in mol.GetProp("mmff_energies").split(",")])


# ------------------------------------------------------------------------------------------ RDKit <-> ASE
def to_atoms(mol, conformer: int = 0):
    """Conformer ``conformer`` of an RDKit molecule as ``ase.Atoms`` (no cell, no periodicity).

    ``atoms.info`` gets ``"smiles"`` (canonical, non-isomeric), ``"name"``, ``"charge"`` (sum of formal charges,
    e) and ``"multiplicity"`` (from RDKit's radical electrons), which :func:`single_point` and :func:`optimize`
    use. Atom ``i`` of the Atoms is atom ``i`` of the molecule.
    """
    Chem, _ = _rdkit()
    from ase import Atoms

    if not isinstance(mol, Chem.Mol):
        raise TypeError(f"mol must be an RDKit Mol, got {_describe(mol)}")
    if mol.GetNumConformers() == 0:
        raise ValueError("the molecule has no 3D conformer; make one with molecules.embed")
    ids = [c.GetId() for c in mol.GetConformers()]
    conformer = as_int(conformer, "conformer", minimum=0, maximum=len(ids) - 1)
    positions = np.asarray(mol.GetConformer(ids[conformer]).GetPositions(), dtype=float)
    atoms = Atoms(numbers=[a.GetAtomicNum() for a in mol.GetAtoms()], positions=positions)
    atoms.info["smiles"] = canonical_smiles(mol)
    atoms.info["name"] = mol.GetProp("_Name") if mol.HasProp("_Name") else atoms.info["smiles"]
    atoms.info["charge"] = int(Chem.GetFormalCharge(mol))
    atoms.info["multiplicity"] = int(sum(a.GetNumRadicalElectrons() for a in mol.GetAtoms())) + 1
    return atoms


def from_atoms(atoms, *, template=None, charge: int | None = None):
    """An RDKit molecule with the coordinates of ``atoms``.

    With ``template`` (an RDKit Mol whose atom ``i`` is atom ``i`` of ``atoms``, e.g. the one ``atoms`` was made
    from) the bonds are the template's; without, they are perceived from the geometry by RDKit's xyz2mol
    (``rdDetermineBonds.DetermineBonds``, J. H. Jensen's algorithm) for total charge ``charge`` (default
    ``atoms.info["charge"]`` or 0).
    """
    Chem, _ = _rdkit()
    from ase import Atoms

    if not isinstance(atoms, Atoms):
        raise TypeError(f"atoms must be an ase.Atoms, got {_describe(atoms)}")
    if template is not None:
        if not isinstance(template, Chem.Mol):
            raise TypeError(f"template must be an RDKit Mol, got {_describe(template)}")
        expected = [a.GetAtomicNum() for a in template.GetAtoms()]
        if expected != atoms.numbers.tolist():
            raise ValueError(f"the template's atoms {expected} do not match atoms.numbers "
                             f"{atoms.numbers.tolist()} (same elements in the same order are needed)")
        mol = Chem.Mol(template)
        mol.RemoveAllConformers()
        _add_conformer(mol, atoms.positions)
    else:
        from rdkit.Chem import rdDetermineBonds

        charge = int(atoms.info.get("charge", 0)) if charge is None else as_int(charge, "charge")
        mol = _bare_mol(atoms)
        name = atoms.info.get("name", atoms.get_chemical_formula())
        try:
            rdDetermineBonds.DetermineBonds(mol, charge=charge)
        except Exception as exc:  # noqa: BLE001 - RDKit raises Boost-wrapped ValueError/RuntimeError
            raise ValueError(f"could not perceive the bonds of molecule {name!r} from its geometry "
                             f"(charge {charge}): {exc}") from None
    if atoms.info.get("name"):
        mol.SetProp("_Name", str(atoms.info["name"]))
    return mol


def _add_conformer(mol, positions):
    Chem, _ = _rdkit()
    from rdkit.Geometry import Point3D

    conf = Chem.Conformer(len(positions))
    for i, (x, y, z) in enumerate(np.asarray(positions, dtype=float)):
        conf.SetAtomPosition(i, Point3D(float(x), float(y), float(z)))
    mol.AddConformer(conf, assignId=True)


def _bare_mol(atoms):
    # Atoms without bonds, with the positions of `atoms` as conformer 0.
    Chem, _ = _rdkit()
    mol = Chem.RWMol()
    for z in atoms.numbers:
        mol.AddAtom(Chem.Atom(int(z)))
    mol = mol.GetMol()
    _add_conformer(mol, atoms.positions)
    return mol


# --------------------------------------------------------------------------------------------- GFN2-xTB
@dataclass
class XTBResult:
    """One GFN2-xTB single point (see :func:`single_point`); ``n`` atoms, ``m`` orbitals (minimal basis).

    Attributes
    ----------
    energy : float
        Total energy, eV.
    forces : ndarray, shape (n, 3)
        eV/Angstrom.
    dipole : ndarray, shape (3,)
        Dipole moment, e*Angstrom (1 e*Angstrom = 4.803 D); includes GFN2's atomic dipoles.
    charges : ndarray, shape (n,)
        Mulliken atomic partial charges, e.
    bond_orders : ndarray, shape (n, n)
        Wiberg bond orders (dimensionless, zero diagonal).
    orbital_energies : ndarray, shape (m,)
        Eigenvalues, eV, ascending.
    occupations : ndarray, shape (m,)
        Electrons per orbital (0 to 2, Fermi-smeared at the electronic temperature).
    """

    energy: float
    forces: np.ndarray
    dipole: np.ndarray
    charges: np.ndarray
    bond_orders: np.ndarray
    orbital_energies: np.ndarray
    occupations: np.ndarray

    @property
    def homo_index(self) -> int:
        """Index of the highest orbital holding more than half an electron."""
        return int(np.flatnonzero(self.occupations > 0.5).max())

    @property
    def homo(self) -> float:
        """Highest occupied orbital energy, eV."""
        return float(self.orbital_energies[self.homo_index])

    @property
    def lumo(self) -> float:
        """Lowest unoccupied orbital energy, eV (NaN when the minimal basis has no empty orbital)."""
        i = self.homo_index + 1
        return float(self.orbital_energies[i]) if i < len(self.orbital_energies) else float("nan")

    @property
    def gap(self) -> float:
        """HOMO-LUMO gap, eV."""
        return self.lumo - self.homo


def _check_molecule(atoms):
    from ase import Atoms

    if not isinstance(atoms, Atoms):
        raise TypeError(f"atoms must be an ase.Atoms, got {_describe(atoms)}")
    if len(atoms) == 0:
        raise ValueError("atoms is empty")
    if any(atoms.pbc):
        raise ValueError("expected a molecule (no periodic boundary conditions), got pbc="
                         f"{atoms.pbc.tolist()}")
    bad = sorted({int(z) for z in atoms.numbers if not 1 <= z <= XTB_MAX_Z})
    if bad:
        raise ValueError(f"molecule {_name(atoms)!r} contains atomic number(s) {bad}, which GFN2-xTB does not "
                         f"parametrise (it covers Z = 1 to {XTB_MAX_Z})")


def _name(atoms) -> str:
    return str(atoms.info.get("name") or atoms.info.get("smiles") or atoms.get_chemical_formula())


def _charge_and_multiplicity(atoms, charge, multiplicity):
    charge = int(atoms.info.get("charge", 0)) if charge is None else as_int(charge, "charge")
    multiplicity = (int(atoms.info.get("multiplicity", 1)) if multiplicity is None
                    else as_int(multiplicity, "multiplicity", minimum=1))
    return charge, multiplicity


def single_point(atoms, *, charge: int | None = None, multiplicity: int | None = None, electric_field=None,
                 accuracy: float = 1.0, electronic_temperature: float = 300.0,
                 max_iterations: int = 250) -> XTBResult:
    """A GFN2-xTB single point with everything tblite's results object offers that the course uses.

    Runs ``tblite.interface.Calculator`` with the same settings as :func:`course_utils.atoms.calculators.gfn2_xtb`
    (so energies and forces agree with that ASE calculator) and reads ``energy``, ``gradient``, ``dipole``,
    ``charges``, ``bond-orders``, ``orbital-energies`` and ``orbital-occupations``.

    Parameters
    ----------
    atoms : ase.Atoms
        A molecule, positions in Angstrom.
    charge, multiplicity : int, optional
        Total charge (e) and 2S+1; default ``atoms.info["charge"]`` / ``["multiplicity"]`` or 0 / 1.
    electric_field : array_like, shape (3,), optional
        A uniform external field, V/Angstrom. (``tblite.ase.TBLite(electric_field=...)`` fails in tblite 0.8.0,
        which passes a NumPy array where the C API wants a pointer; we pass a list.)
    accuracy, electronic_temperature, max_iterations
        As in ``gfn2_xtb()`` (temperature in K).

    Raises
    ------
    course_utils.ConvergenceError
        The SCC did not converge (the message names the molecule).
    """
    from tblite.interface import Calculator

    _check_molecule(atoms)
    charge, multiplicity = _charge_and_multiplicity(atoms, charge, multiplicity)
    accuracy = as_number(accuracy, "accuracy", minimum=0.0, strict_minimum=True)
    electronic_temperature = as_number(electronic_temperature, "electronic_temperature", minimum=0.0)
    max_iterations = as_int(max_iterations, "max_iterations", minimum=1)
    calc = Calculator("GFN2-xTB", atoms.numbers, atoms.positions / BOHR_TO_ANGSTROM, charge, multiplicity - 1)
    calc.set("accuracy", accuracy)
    calc.set("temperature", electronic_temperature * _KELVIN_TO_HARTREE)
    calc.set("max-iter", max_iterations)
    calc.set("verbosity", 0)
    if electric_field is not None:
        field = as_real_array(electric_field, "electric_field", shape=(3,))
        calc.add("electric-field", [float(f) * _FIELD_TO_AU for f in field])
    try:
        res = calc.singlepoint()
    except RuntimeError as error:
        raise ConvergenceError(f"GFN2-xTB failed for molecule {_name(atoms)!r}: {error}") from None
    bond_orders = np.asarray(res.get("bond-orders"), dtype=float)
    if bond_orders.ndim == 3:  # (n, n, spin channels); each channel carries the full bond order
        bond_orders = bond_orders.mean(axis=2)
    occupations = np.asarray(res.get("orbital-occupations"), dtype=float)
    energies = np.asarray(res.get("orbital-energies"), dtype=float)
    if occupations.ndim == 2:  # spin-resolved (2, m): total electrons per spatial orbital
        occupations = occupations.sum(axis=0)
        energies = energies.mean(axis=0) if energies.ndim == 2 else energies
    return XTBResult(
        energy=float(res.get("energy")) * HARTREE_TO_EV,
        forces=-np.asarray(res.get("gradient"), dtype=float) * HARTREE_TO_EV / BOHR_TO_ANGSTROM,
        dipole=np.asarray(res.get("dipole"), dtype=float) * BOHR_TO_ANGSTROM,
        charges=np.asarray(res.get("charges"), dtype=float),
        bond_orders=bond_orders,
        orbital_energies=energies * HARTREE_TO_EV,
        occupations=occupations,
    )


def xtb_calculator(atoms, **kwargs):
    """The course's ``gfn2_xtb()`` ASE calculator with the charge and multiplicity of ``atoms.info``."""
    from .calculators import gfn2_xtb

    charge, multiplicity = _charge_and_multiplicity(atoms, kwargs.pop("charge", None),
                                                    kwargs.pop("multiplicity", None))
    return gfn2_xtb(charge=charge, multiplicity=multiplicity, **kwargs)


def optimize(atoms, *, fmax: float = 0.01, max_steps: int = 500, optimizer: str = "BFGS", calculator=None,
             raise_on_failure: bool = True):
    """Relax the positions of a copy of a molecule with GFN2-xTB (or ``calculator``) and an ASE optimiser.

    Parameters
    ----------
    atoms : ase.Atoms
        The molecule (not modified); ``atoms.info`` is copied.
    fmax : float
        Stop when every atomic force is below this, eV/Angstrom.
    max_steps : int
        Step budget.
    optimizer : {"BFGS", "LBFGS", "FIRE", "BFGSLineSearch"}
        ASE's optimiser of that name.
    calculator : ase Calculator, optional
        Default: :func:`xtb_calculator` for this molecule.
    raise_on_failure : bool
        Raise when the budget runs out (default); otherwise return with ``info["converged"] = False``.

    Returns
    -------
    ase.Atoms
        The relaxed copy with the calculator attached; ``info`` gains ``"converged"``, ``"n_steps"``,
        ``"max_force"`` (eV/Angstrom) and ``"energy"`` (eV).

    Raises
    ------
    course_utils.ConvergenceError
        The optimiser used ``max_steps`` steps without reaching ``fmax`` (message names the molecule and the
        force reached), or the SCC failed.
    """
    from ase import optimize as ase_optimize
    from ase.calculators.calculator import CalculationFailed

    _check_molecule(atoms)
    fmax = as_number(fmax, "fmax", minimum=0.0, strict_minimum=True)
    max_steps = as_int(max_steps, "max_steps", minimum=1)
    one_of(optimizer, "optimizer", OPTIMIZERS)
    work = atoms.copy()
    work.calc = xtb_calculator(atoms) if calculator is None else calculator
    opt = getattr(ase_optimize, optimizer)(work, logfile=None)
    try:
        converged = bool(opt.run(fmax=fmax, steps=max_steps))
    except CalculationFailed as error:
        raise ConvergenceError(f"GFN2-xTB failed while optimising molecule {_name(atoms)!r}: {error}") from None
    max_force = float(np.linalg.norm(work.get_forces(), axis=1).max())
    work.info.update(converged=converged, n_steps=int(opt.get_number_of_steps()), max_force=max_force,
                     energy=float(work.get_potential_energy()))
    if not converged and raise_on_failure:
        raise ConvergenceError(f"{optimizer} did not converge for molecule {_name(atoms)!r} in {max_steps} steps: "
                               f"largest force {max_force:.3g} eV/Angstrom, fmax = {fmax} eV/Angstrom")
    return work


# -------------------------------------------------------------------------------------------- connectivity
def bonds_from_bond_orders(bond_orders, *, threshold: float = WIBERG_BOND_THRESHOLD) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, whose bond order exceeds ``threshold``."""
    bo = as_real_array(bond_orders, "bond_orders", ndim=2)
    if bo.shape[0] != bo.shape[1]:
        raise ValueError(f"bond_orders must be square, got shape {bo.shape}")
    i, j = np.nonzero(np.triu(bo, k=1) > threshold)
    return list(zip(i.tolist(), j.tolist(), strict=True))


def connectivity_smiles(atoms, bond_orders=None, *, charge: int | None = None,
                        threshold: float = WIBERG_BOND_THRESHOLD) -> str | None:
    """Canonical (non-isomeric) SMILES of the bond graph given by Wiberg bond orders.

    The graph (bonded where the bond order exceeds ``threshold``) gets its bond orders and formal charges from
    RDKit's ``DetermineBondOrders`` for total charge ``charge``; ``None`` when no valid Lewis structure fits
    (e.g. a hydrogen with two bonds after an optimisation went astray). ``bond_orders`` default: a GFN2-xTB
    single point of ``atoms``.
    """
    Chem, RDLogger = _rdkit()
    from rdkit.Chem import rdDetermineBonds

    _check_molecule(atoms)
    charge, _ = _charge_and_multiplicity(atoms, charge, None)
    if bond_orders is None:
        bond_orders = single_point(atoms, charge=charge).bond_orders
    bonds = bonds_from_bond_orders(bond_orders, threshold=threshold)
    if np.shape(bond_orders)[0] != len(atoms):
        raise ValueError(f"bond_orders has shape {np.shape(bond_orders)}, expected ({len(atoms)}, {len(atoms)})")
    mol = Chem.RWMol(_bare_mol(atoms))  # DetermineBondOrders needs the conformer
    for i, j in bonds:
        mol.AddBond(i, j, Chem.BondType.SINGLE)
    mol = mol.GetMol()
    RDLogger.DisableLog("rdApp.*")
    try:
        rdDetermineBonds.DetermineBondOrders(mol, charge=charge)
        Chem.SanitizeMol(mol)
        return _smiles_without_hydrogens(mol)
    except Exception:  # noqa: BLE001 - no Lewis structure for this graph
        return None
    finally:
        RDLogger.EnableLog("rdApp.*")


def same_connectivity(atoms, smiles: str, bond_orders=None) -> bool:
    """Whether the Wiberg bond graph of ``atoms`` is the molecule ``smiles`` (compared by canonical SMILES)."""
    return connectivity_smiles(atoms, bond_orders) == canonical_smiles(smiles)


# ----------------------------------------------------------------------------------- the data-set recipe
@dataclass
class ConformerSearch:
    """Outcome of :func:`lowest_conformer`.

    ``start``: the ETKDG/MMFF geometry that led to the minimum; ``atoms``: that minimum (xTB-optimised);
    ``result``: its :class:`XTBResult`; ``energies``: xTB energy (eV) of every optimised conformer, NaN where
    the optimisation failed or broke the connectivity; ``kept``: which conformers kept their connectivity;
    ``starts`` / ``minima``: every start and optimised geometry (``None`` where it failed).
    """

    start: object
    atoms: object
    result: XTBResult
    energies: np.ndarray
    kept: np.ndarray
    starts: list
    minima: list


def lowest_conformer(smiles: str, *, n_conformers: int = 3, seed: int = 0, fmax: float = 0.01,
                     max_steps: int = 500, name: str | None = None) -> ConformerSearch:
    """The lowest GFN2-xTB minimum among ``n_conformers`` ETKDG/MMFF starting geometries.

    Each start is optimised (:func:`optimize`); minima whose Wiberg connectivity differs from ``smiles``, or
    whose optimisation did not converge, are discarded.

    Raises
    ------
    ValueError, EmbeddingError
        From :func:`parse_smiles` / :func:`embed`.
    course_utils.ConvergenceError
        No conformer converged with its connectivity intact.
    """
    mol = embed(smiles, n_conformers=n_conformers, seed=seed, mmff=True, name=name)
    reference = canonical_smiles(mol)
    n = mol.GetNumConformers()
    energies = np.full(n, np.nan)
    kept = np.zeros(n, dtype=bool)
    starts, minima, results = [], [], []
    for k in range(n):
        start = to_atoms(mol, k)
        starts.append(start)
        try:
            minimum = optimize(start, fmax=fmax, max_steps=max_steps)
        except ConvergenceError:
            minima.append(None)
            results.append(None)
            continue
        result = single_point(minimum)
        minima.append(minimum)
        results.append(result)
        if connectivity_smiles(minimum, result.bond_orders) == reference:
            kept[k] = True
            energies[k] = result.energy
    if not kept.any():
        raise ConvergenceError(f"no conformer of molecule {_label(name, smiles)} reached a GFN2-xTB minimum with "
                               f"its connectivity intact ({n} tried)")
    best = int(np.nanargmin(energies))
    return ConformerSearch(start=starts[best], atoms=minima[best], result=results[best], energies=energies,
                           kept=kept, starts=starts, minima=minima)
