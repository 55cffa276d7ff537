"""An enumeration of small organic molecules by valence rules, with GDB-like stability filters.

Molecules of C, N, O and F with up to ``max_heavy`` heavy atoms are grown from single atoms by three moves that
respect the valences (C 4, N 3, O 2, F 1; the rest is hydrogen, so every molecule is neutral and closed-shell):
attach a new heavy atom by a single, double or triple bond; close a ring with a single bond; raise the order of
a bond. Every connected molecular graph can be grown this way (a spanning tree atom by atom, then its ring
closures and multiple bonds), and the molecules are de-duplicated by RDKit's canonical SMILES at every level.

The filters follow the spirit of the GDB databases (T. Fink, H. Bruggesser, J.-L. Reymond, Angew. Chem. Int.
Ed. 44, 1504 (2005); T. Fink, J.-L. Reymond, J. Chem. Inf. Model. 47, 342 (2007); L. C. Blum, J.-L. Reymond,
J. Am. Chem. Soc. 131, 8732 (2009)), which remove strained, reactive and unstable structures; ours are a smaller,
explicit set (GDB's are more detailed -- the counts are not meant to match):

applied while growing (a molecule that fails keeps failing when it grows, so it is pruned)
  * no heteroatom-heteroatom bonds (no N-N, N-O, O-O, or F on N/O: no hydrazines, peroxides, N-oxides);
  * no atom with two multiple bonds (no allenes, ketenes, isocyanates, carbodiimides, C=C=O ...);
  * no double bond in a 3- or 4-membered ring, no triple bond in any ring;
  * at most ``max_rings`` independent rings (cyclomatic number);
applied to the finished molecule
  * no atom shared by two rings of size 3 or 4 (bicyclo[1.1.0]butane, spiropentane, bicyclo[1.1.1]pentane);
  * no non-aromatic double bond at an atom shared by two rings (Bredt's rule);
  * no enols or ynols (OH or NH on a carbon with a multiple bond: they tautomerise) -- enamines N(R)2-C=C with
    no N-H are kept, as are amides and esters;
  * no sp3 carbon carrying two N/O/F substituents of which an N or O has a hydrogen (hemiacetals, hemiaminals,
    gem-diols, aminals with N-H, alpha-fluoro alcohols and amines: they fall apart); acetals and ketals are kept.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np

from .._checks import as_int, as_rng

VALENCE = {"C": 4, "N": 3, "O": 2, "F": 1}
HETERO = frozenset({"N", "O", "F"})


def _chem():
    from rdkit import Chem, RDLogger

    return Chem, RDLogger


def _kekule(smiles: str):
    Chem, _ = _chem()
    mol = Chem.MolFromSmiles(smiles)
    Chem.Kekulize(mol, clearAromaticFlags=True)
    return mol


def _graph(mol):
    symbols = [a.GetSymbol() for a in mol.GetAtoms()]
    bonds = {}
    for b in mol.GetBonds():
        i, j = sorted((b.GetBeginAtomIdx(), b.GetEndAtomIdx()))
        bonds[(i, j)] = int(round(b.GetBondTypeAsDouble()))
    return symbols, bonds


def _free_valence(symbols, bonds):
    used = [0] * len(symbols)
    for (i, j), order in bonds.items():
        used[i] += order
        used[j] += order
    return [VALENCE[s] - u for s, u in zip(symbols, used, strict=True)]


def _smiles_of(symbols, bonds) -> str | None:
    Chem, _ = _chem()
    order_type = {1: Chem.BondType.SINGLE, 2: Chem.BondType.DOUBLE, 3: Chem.BondType.TRIPLE}
    mol = Chem.RWMol()
    for s in symbols:
        mol.AddAtom(Chem.Atom(s))
    for (i, j), order in bonds.items():
        mol.AddBond(i, j, order_type[order])
    try:
        Chem.SanitizeMol(mol)
    except Exception:  # noqa: BLE001 - cannot happen within the valences, but never trust a generator
        return None
    return Chem.MolToSmiles(mol, isomericSmiles=False, canonical=True)


def _multiple_bond_counts(n, bonds):
    count = [0] * n
    for (i, j), order in bonds.items():
        if order > 1:
            count[i] += 1
            count[j] += 1
    return count


def _hereditary_ok(symbols, bonds, max_rings: int) -> bool:
    """The filters a molecule keeps failing once it fails (checked while growing)."""
    n = len(symbols)
    if len(bonds) - n + 1 > max_rings:
        return False
    if any(symbols[i] in HETERO and symbols[j] in HETERO for i, j in bonds):
        return False
    if max(_multiple_bond_counts(n, bonds), default=0) > 1:
        return False
    if len(bonds) >= n:  # has a ring: check multiple bonds in rings
        Chem, _ = _chem()
        mol = Chem.RWMol()
        for s in symbols:
            mol.AddAtom(Chem.Atom(s))
        for i, j in bonds:
            mol.AddBond(i, j, Chem.BondType.SINGLE)
        Chem.FastFindRings(mol)
        info = mol.GetRingInfo()
        for (i, j), order in bonds.items():
            if order == 1:
                continue
            bond = mol.GetBondBetweenAtoms(i, j)
            if order == 3 and info.NumBondRings(bond.GetIdx()) > 0:
                return False
            if order == 2 and (info.IsBondInRingOfSize(bond.GetIdx(), 3) or info.IsBondInRingOfSize(bond.GetIdx(), 4)):
                return False
    return True


def _children(smiles: str, elements: Iterable[str], max_rings: int, *, grow: bool = True,
              close: bool = True) -> tuple[set[str], set[str]]:
    """The molecules one move away from ``smiles`` that pass the hereditary filters: ``(same number of heavy
    atoms -- ring closures and raised bonds --, one heavy atom more)``."""
    symbols, bonds = _graph(_kekule(smiles))
    free = _free_valence(symbols, bonds)
    n = len(symbols)
    same, bigger = set(), set()

    def consider(new_symbols, new_bonds):
        if _hereditary_ok(new_symbols, new_bonds, max_rings):
            smi = _smiles_of(new_symbols, new_bonds)
            if smi is not None:
                (bigger if len(new_symbols) > n else same).add(smi)

    for i in range(n if grow else 0):
        if free[i] == 0:
            continue
        for element in elements:
            if symbols[i] in HETERO and element in HETERO:
                continue
            for order in range(1, min(free[i], VALENCE[element], 3) + 1):
                consider(symbols + [element], {**bonds, (i, n): order})
    for i in range(n if close else 0):
        for j in range(i + 1, n):
            if free[i] == 0 or free[j] == 0:
                continue
            if (i, j) in bonds:
                if bonds[(i, j)] < 3:
                    consider(symbols, {**bonds, (i, j): bonds[(i, j)] + 1})
            elif not (symbols[i] in HETERO and symbols[j] in HETERO):
                consider(symbols, {**bonds, (i, j): 1})
    return same, bigger


def _final_ok(smiles: str) -> bool:
    """The filters checked on a finished molecule (see the module docstring)."""
    Chem, _ = _chem()
    mol = Chem.MolFromSmiles(smiles)
    info = mol.GetRingInfo()
    rings = [set(r) for r in info.AtomRings()]
    for atom in mol.GetAtoms():
        k = atom.GetIdx()
        mine = [r for r in rings if k in r]
        if sum(len(r) <= 4 for r in mine) >= 2:
            return False
        if len(mine) >= 2 and not atom.GetIsAromatic():
            if any(b.GetBondType() == Chem.BondType.DOUBLE for b in atom.GetBonds()):
                return False
    for atom in mol.GetAtoms():
        if atom.GetSymbol() != "C":
            continue
        multiple = any(b.GetBondTypeAsDouble() > 1.5 and not b.GetIsAromatic() for b in atom.GetBonds())
        hetero_h = [n for n in atom.GetNeighbors() if n.GetSymbol() in ("N", "O") and n.GetTotalNumHs() > 0
                    and mol.GetBondBetweenAtoms(atom.GetIdx(), n.GetIdx()).GetBondType() == Chem.BondType.SINGLE]
        double_to = {b.GetOtherAtom(atom).GetSymbol() for b in atom.GetBonds()
                     if b.GetBondType() == Chem.BondType.DOUBLE}
        # enols, ynols, N-H enamines and imidic acids tautomerise; acids, amides and amidines are fine
        if multiple and hetero_h and "O" not in double_to and not ("N" in double_to and
                                                                  all(n.GetSymbol() == "N" for n in hetero_h)):
            return False
        if atom.GetHybridization() == Chem.HybridizationType.SP3:
            hetero = [n for n in atom.GetNeighbors() if n.GetSymbol() in HETERO]
            if len(hetero) >= 2 and any(n.GetSymbol() != "F" and n.GetTotalNumHs() > 0 for n in hetero):
                return False
    return True


@functools.lru_cache(maxsize=4)
def _enumerate_cached(max_heavy: int, elements: tuple[str, ...], max_rings: int) -> tuple[tuple[str, ...], ...]:
    _, RDLogger = _chem()
    RDLogger.DisableLog("rdApp.*")
    try:
        levels = []
        current = {_smiles_of([e], {}) for e in elements}
        for n in range(1, max_heavy + 1):
            # close rings and raise bond orders until nothing new appears; collect the molecules one atom larger
            frontier, grown = set(current), set()
            while frontier:
                found = set()
                for smi in frontier:
                    same, bigger = _children(smi, elements, max_rings, grow=n < max_heavy)
                    found |= same
                    if n < max_heavy:
                        grown |= bigger
                frontier = found - current
                current |= frontier
            levels.append(tuple(sorted(current)))
            current = grown
        return tuple(tuple(s for s in level if _final_ok(s)) for level in levels)
    finally:
        RDLogger.EnableLog("rdApp.*")


def enumerate_molecules(max_heavy: int = 7, *, elements: Iterable[str] = ("C", "N", "O", "F"),
                        max_rings: int = 2) -> list[list[str]]:
    """All filtered molecules with 1 ... ``max_heavy`` heavy atoms, by heavy-atom count.

    Returns
    -------
    list of lists of str
        ``result[k - 1]`` holds the canonical (non-isomeric) SMILES with ``k`` heavy atoms, sorted.
    """
    max_heavy = as_int(max_heavy, "max_heavy", minimum=1, maximum=9)
    max_rings = as_int(max_rings, "max_rings", minimum=0)
    elements = tuple(sorted(set(elements)))
    unknown = [e for e in elements if e not in VALENCE]
    if unknown or not elements:
        raise ValueError(f"elements must be a non-empty subset of {sorted(VALENCE)}, got {list(elements)}")
    return [list(level) for level in _enumerate_cached(max_heavy, elements, max_rings)]


def grow_randomly(seeds: list[str], n_heavy: int, count: int, *, rng=0, elements: Iterable[str] = ("C", "N", "O", "F"),
                  max_rings: int = 2, exclude: Iterable[str] = ()) -> list[str]:
    """``count`` distinct filtered molecules with ``n_heavy`` heavy atoms, grown by random moves from ``seeds``.

    Used for the small extrapolation split (8-9 heavy atoms), where a full enumeration would be too large:
    each molecule is a random seed grown one random atom at a time, with a random number of ring closures and
    bond-order raises at the end. Seeded and deterministic for a given ``rng`` seed.
    """
    Chem, RDLogger = _chem()
    rng = as_rng(rng)
    count = as_int(count, "count", minimum=1)
    elements = tuple(sorted(set(elements)))
    excluded = set(exclude)
    found: list[str] = []
    seen: set[str] = set()
    RDLogger.DisableLog("rdApp.*")
    try:
        for _ in range(200 * count):
            if len(found) == count:
                break
            smi = seeds[int(rng.integers(len(seeds)))]
            ok = True
            while Chem.MolFromSmiles(smi).GetNumAtoms() < n_heavy:
                options = sorted(_children(smi, elements, max_rings, close=False)[1])
                if not options:
                    ok = False
                    break
                smi = options[int(rng.integers(len(options)))]
            if not ok:
                continue
            for _ in range(int(rng.integers(0, 3))):
                options = sorted(_children(smi, elements, max_rings, grow=False)[0])
                if options:
                    smi = options[int(rng.integers(len(options)))]
            if smi not in seen and smi not in excluded and _final_ok(smi):
                seen.add(smi)
                found.append(smi)
    finally:
        RDLogger.EnableLog("rdApp.*")
    if len(found) < count:
        raise RuntimeError(f"random growth found only {len(found)} of {count} molecules with {n_heavy} heavy atoms")
    return found


def heavy_atom_count(smiles: str) -> int:
    """Number of heavy (non-hydrogen) atoms."""
    Chem, _ = _chem()
    return Chem.MolFromSmiles(smiles).GetNumAtoms()


def functional_groups(smiles: str) -> dict[str, bool]:
    """Which common groups a molecule has (SMARTS matches), for describing the data set."""
    Chem, _ = _chem()
    mol = Chem.MolFromSmiles(smiles)
    return {name: mol.HasSubstructMatch(_patterns()[name]) for name in _patterns()}


@functools.lru_cache(maxsize=1)
def _patterns():
    Chem, _ = _chem()
    smarts = {
        "alcohol": "[CX4][OX2H]", "ether": "[#6][OX2][#6]", "aldehyde/ketone": "[#6][CX3](=O)[#1,#6]",
        "carboxylic acid/ester": "[CX3](=O)[OX2]", "amide": "[CX3](=O)[NX3]", "amine": "[NX3;!$(N-C=[O,N])]",
        "nitrile": "C#N", "imine": "[CX3]=[NX2]", "alkene": "[CX3]=[CX3]", "alkyne": "C#C", "aromatic": "a",
        "fluoride": "[#6]F", "ring": "[R]", "three- or four-membered ring": "[r3,r4]",
    }
    return {k: Chem.MolFromSmarts(v) for k, v in smarts.items()}


def summary(smiles_list: list[str]) -> dict:
    """Heavy-atom histogram and functional-group counts of a list of SMILES."""
    counts = np.bincount([heavy_atom_count(s) for s in smiles_list])
    groups: dict[str, int] = {}
    for s in smiles_list:
        for name, present in functional_groups(s).items():
            groups[name] = groups.get(name, 0) + int(present)
    return {"heavy_atoms": {int(k): int(v) for k, v in enumerate(counts) if v}, "groups": groups}
