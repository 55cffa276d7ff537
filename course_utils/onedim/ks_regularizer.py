"""A neural xc functional trained through the Kohn-Sham SCF, or without it (notebook 09; Hartree atomic units).

Li, Hoyer, Pederson, Sun, Cubuk, Riley and Burke, "Kohn-Sham equations as regularizer: building prior knowledge
into machine-learned physics", Phys. Rev. Lett. 126, 036401 (2021), train a network xc functional by
differentiating a loss on the *self-consistent* energy and density through the Kohn-Sham equations. Here the same
idea with the solver of :mod:`course_utils.onedim.differentiable`, differentiated implicitly at the fixed point by
the adjoint of the Dyson equation (one linear solve per molecule and step), against the same network fitted to
exact xc energies of exact densities with no SCF in the loop.

The molecules (:data:`MOLECULES`) share one grid (:data:`GRID`) and the soft-Coulomb interaction: 1D H2 at several
bond lengths (stretched ones included), He, HeH+, and the three-electron Li, Be+ and linear H3 (with only
two-electron singlets exchange is exactly ``-E_H/2`` and a network would learn correlation only).
:func:`reference` gives their exact energies, spin densities and exact xc energies
``E_xc = E - T_s[n_up, n_down] - V_ext - E_H``, with ``T_s`` from reverse-engineered Kohn-Sham orbitals of each
spin density.
"""

from __future__ import annotations

import numpy as np

from .._checks import ConvergenceError, as_number, one_of
from . import differentiable, exact, kohn_sham, reverse
from .systems import molecule

__all__ = ["GRID", "MOLECULES", "TRAIN", "HELDOUT", "system", "h2", "reference", "loss_and_gradient", "evaluate",
           "train", "load_shipped", "network_from", "references_from"]

GRID = {"n_points": 100, "half_width": 10.0}
"""One grid for every molecule: 100 points on [-10, 10] bohr, 13-point stencil."""

MOLECULES = {
    "H2 R=1.0": ([-0.5, 0.5], [1.0, 1.0], "ud"),
    "H2 R=1.5": ([-0.75, 0.75], [1.0, 1.0], "ud"),
    "H2 R=2.5": ([-1.25, 1.25], [1.0, 1.0], "ud"),
    "H2 R=4.0": ([-2.0, 2.0], [1.0, 1.0], "ud"),
    "H2 R=6.0": ([-3.0, 3.0], [1.0, 1.0], "ud"),
    "He": ([0.0], [2.0], "ud"),
    "HeH+ R=1.5": ([-0.75, 0.75], [2.0, 1.0], "ud"),
    "Li": ([0.0], [3.0], "uud"),
    "Be+": ([0.0], [4.0], "uud"),
    "H3 R=2.0": ([-2.0, 0.0, 2.0], [1.0, 1.0, 1.0], "uud"),
}
"""name -> (nuclear positions in bohr, charges, spin string)."""

TRAIN = ("H2 R=1.5", "H2 R=4.0", "He", "Li")
HELDOUT = ("H2 R=1.0", "H2 R=2.5", "H2 R=6.0", "HeH+ R=1.5", "Be+", "H3 R=2.0")


def system(name: str):
    """The :class:`~course_utils.onedim.System` of a molecule of :data:`MOLECULES` on :data:`GRID`."""
    one_of(name, "name", tuple(MOLECULES))
    positions, charges, electrons = MOLECULES[name]
    return molecule(positions, charges, electrons, name=name, **GRID)


def h2(separation: float):
    """1D H2 at bond length ``separation`` (bohr) on :data:`GRID`."""
    r = as_number(separation, "separation", minimum=0.0)
    return molecule([-0.5 * r, 0.5 * r], [1.0, 1.0], "ud", name=f"H2 R={r:g}", **GRID)


def _spin_kinetic(sys, density, electrons: int) -> float:
    if electrons == 0:
        return 0.0
    sub = sys.with_electrons("u" * electrons)
    ks = reverse.solve(sub, density)
    phi = ks.orbitals[:, :electrons]
    return float(np.sum(phi * (sys.kinetic_matrix() @ phi)) * sys.dx)


def reference(sys, *, tol: float = 1e-10) -> dict:
    """Exact ground state of ``sys`` and its exact xc energy (spin-resolved Kohn-Sham decomposition).

    Returns a dict of ``energy`` (Ha, electronic), ``density_up``, ``density_down`` (1/bohr, ``(N,)``),
    ``kinetic_energy_ks`` ``T_s`` and ``xc_energy`` (Ha).
    """
    ground = exact.solve(sys, tol=tol)
    kinetic = _spin_kinetic(sys, ground.density_up, sys.n_up) + _spin_kinetic(sys, ground.density_down, sys.n_down)
    external = float(sys.v_ext @ ground.density) * sys.dx
    hartree = kohn_sham.hartree_energy(sys, ground.density)
    return {"energy": float(ground.energy), "density_up": ground.density_up, "density_down": ground.density_down,
            "kinetic_energy_ks": kinetic, "xc_energy": float(ground.energy) - kinetic - external - hartree}


def loss_and_gradient(xc, systems, references, *, through_scf: bool = True, density_weight: float = 1.0,
                      initial_densities=None):
    """Training loss and its gradient with respect to ``xc.params`` (flattened).

    ``through_scf=True`` (Kohn-Sham regularised): ``L = mean_m [(E_m - E_m^exact)^2 + w integral (n_m - n_m^exact)^2
    dx]`` of self-consistent energies and densities; the energy term's gradient is Hellmann-Feynman (``dE/dtheta =
    dE_xc/dtheta`` at the fixed density), the density term's the adjoint of the Dyson equation. ``False``: ``L =
    mean_m (E_xc[n_m^exact] - E_xc,m^exact)^2`` with no SCF (the same as the total-energy error evaluated on exact
    densities).

    Returns
    -------
    loss : float
        Ha^2.
    gradient : ndarray (P,)
    densities : list of ndarray
        The self-consistent total densities (warm starts for the next step; exact densities without the SCF).
    """
    tf = differentiable._tf()
    if len(systems) != len(references):
        raise ValueError(f"got {len(systems)} systems and {len(references)} references")
    density_weight = as_number(density_weight, "density_weight", minimum=0.0)
    count = len(systems)
    loss, grad, densities = 0.0, 0.0, []
    for k, (sys, ref) in enumerate(zip(systems, references, strict=True)):
        n_ref = ref["density_up"] + ref["density_down"]
        if not through_scf:
            with tf.GradientTape() as tape:
                e_xc = xc.energy(tf.constant(ref["density_up"]), tf.constant(ref["density_down"]), sys.dx)
                term = (e_xc - ref["xc_energy"]) ** 2 / count
            loss += float(term)
            grad = grad + np.concatenate([g.numpy().reshape(-1) for g in tape.gradient(term, xc.params)])
            densities.append(n_ref)
            continue
        start = None if initial_densities is None else initial_densities[k]
        result = differentiable.solve(sys, xc, initial_density=start, tol=1e-7, energy_tol=1e-8)
        n = result.density.numpy()
        energy_error = float(result.energy) - ref["energy"]
        density_error = n - n_ref
        loss += (energy_error**2 + density_weight * float(np.sum(density_error**2)) * sys.dx) / count
        g = np.tile(2.0 * density_weight * density_error / count, (2, 1))
        cotangent = differentiable.Response(result).adjoint(density_weight=g)
        grad = grad + differentiable.xc_vjp(result, cotangent) + (
            2.0 * energy_error / count) * differentiable.xc_energy_gradient(result)
        densities.append(n)
    return loss, np.asarray(grad), densities


def evaluate(xc, systems, references) -> dict:
    """Self-consistent errors of ``xc`` on each system: ``energy_error`` (Ha) and ``density_error`` (integral
    ``|n - n_exact| dx``, electrons); ``nan`` where the SCF does not converge."""
    energy_errors, density_errors = [], []
    for sys, ref in zip(systems, references, strict=True):
        try:
            result = differentiable.solve(sys, xc, tol=1e-8, energy_tol=1e-9, max_iterations=150)
        except ConvergenceError:
            energy_errors.append(np.nan)
            density_errors.append(np.nan)
            continue
        energy_errors.append(float(result.energy) - ref["energy"])
        n_ref = ref["density_up"] + ref["density_down"]
        density_errors.append(float(np.sum(np.abs(result.density.numpy() - n_ref)) * sys.dx))
    return {"energy_error": np.array(energy_errors), "density_error": np.array(density_errors)}


def train(xc, systems, references, *, steps: int, learning_rate: float, through_scf: bool = True,
          density_weight: float = 1.0, progress: bool = False) -> dict:
    """Adam on :func:`loss_and_gradient` (NumPy Adam, deterministic); the SCF is warm-started from the last step.

    Returns a dict of ``loss`` (per step, before the update, Ha^2) and ``seconds`` (wall time per step).
    """
    import time

    from .._checks import as_int

    steps = as_int(steps, "steps", minimum=0)
    learning_rate = as_number(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    shapes = [tuple(p.shape) for p in xc.params]
    sizes = [int(np.prod(s)) for s in shapes]
    theta = np.concatenate([p.numpy().reshape(-1) for p in xc.params])
    first, second = np.zeros_like(theta), np.zeros_like(theta)
    losses, seconds, densities = [], [], None
    loop = range(steps)
    if progress:
        from tqdm.auto import tqdm

        loop = tqdm(loop, desc="training through the SCF" if through_scf else "training on exact densities")
    for step in loop:
        start = time.perf_counter()
        loss, grad, densities = loss_and_gradient(xc, systems, references, through_scf=through_scf,
                                                  density_weight=density_weight, initial_densities=densities)
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad**2
        t = step + 1
        theta = theta - learning_rate * (first / (1 - beta1**t)) / (np.sqrt(second / (1 - beta2**t)) + eps)
        offset = 0
        for p, shape, size in zip(xc.params, shapes, sizes, strict=True):
            p.assign(theta[offset:offset + size].reshape(shape))
            offset += size
        losses.append(loss)
        seconds.append(time.perf_counter() - start)
    return {"loss": np.array(losses), "seconds": np.array(seconds)}


def load_shipped() -> tuple[dict, dict]:
    """The shipped results of ``scripts/train_neural_xc.py``: ``(arrays, record)``.

    ``arrays`` holds both networks' weights (``weights_scf_k``, ``weights_direct_k``), the exact references of
    :data:`TRAIN` + :data:`HELDOUT` (``names``, ``energy``, ``xc_energy``, ``density_up``, ``density_down``), the
    H2 curve (``curve_R``, ``curve_energy``), the training losses and the self-consistent errors; ``record`` the
    recipe and the errors (JSON). Raises ``ValueError`` when the file's SHA-256 differs from the record's.
    """
    import hashlib
    import json

    from ..data import DATA_DIR

    weights, meta = DATA_DIR / "neural_xc_1d.npz", DATA_DIR / "neural_xc_1d.json"
    record = json.loads(meta.read_text())
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != record["sha256"]:
        raise ValueError(f"{weights} has SHA-256 {digest}, the record says {record['sha256']}: re-train with "
                         "python scripts/train_neural_xc.py")
    with np.load(weights) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return arrays, record


def network_from(arrays: dict, record: dict, label: str):
    """The shipped :class:`~course_utils.onedim.differentiable.NeuralXC` ``"scf"`` or ``"direct"``."""
    one_of(label, "label", ("scf", "direct"))
    network = differentiable.NeuralXC(tuple(record["hidden"]), seed=record["seed"])
    network.set_weights([arrays[f"weights_{label}_{k}"] for k in range(len(network.params))])
    return network


def references_from(arrays: dict, names) -> list[dict]:
    """Reference dicts (as :func:`reference` returns) of molecules ``names`` from the shipped arrays."""
    index = [str(n) for n in arrays["names"]]
    out = []
    for name in names:
        one_of(name, "name", tuple(index))
        k = index.index(name)
        out.append({"energy": float(arrays["energy"][k]), "xc_energy": float(arrays["xc_energy"][k]),
                    "density_up": arrays["density_up"][k], "density_down": arrays["density_down"][k]})
    return out
