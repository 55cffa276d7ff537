"""Checks for notebook 06 (deep learning functionals in Python). TensorFlow is imported inside the checks that
need it. Every check explains in words what is wrong and recognises the typical mistakes."""

from __future__ import annotations

import numpy as np

from ..onedim import datasets
from ._feedback import checker, is_placeholder


def _number(value, name: str):
    if is_placeholder(value):
        raise NotImplementedError
    if isinstance(value, bool) or not np.isscalar(value) and np.ndim(value) != 0:
        raise TypeError(f"{name} must be a single number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} is not finite ({value})")
    return value


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol


# ----------------------------------------------------------------------------------------------------------------
# Exercise 1: the exact xc energy from its pieces
# ----------------------------------------------------------------------------------------------------------------


@checker("the exact xc energy of a two-electron system")
def check_nb06_xc_energy(xc_energy, system):
    """E_xc = E - T_s - E_H - integral v_ext n, with T_s from the Kohn-Sham orbital of the reverse-engineered
    potential (both electrons in it)."""
    from ..onedim import exact, kohn_sham

    answer = _number(xc_energy, "xc_energy")
    ref = datasets.xc_reference(system)
    expected = ref["xc_energy"]
    if _close(answer, expected, 1e-6):
        return True, (f"E_xc = {answer:.6f} Ha (T_s = {ref['kinetic_energy_ks']:.5f}, E_H = "
                      f"{ref['hartree_energy']:.5f}, integral v_ext n = {ref['external_energy']:.5f} Ha).")
    e, t_s, e_h, e_ext = ref["energy"], ref["kinetic_energy_ks"], ref["hartree_energy"], ref["external_energy"]
    t_exact = exact.solve(system).kinetic_energy
    dx = system.dx
    lda = kohn_sham.solve(system, xc="lda", tol=1e-7).xc_energy
    mistakes = [
        (e - t_exact - e_h - e_ext, "you used the interacting kinetic energy T of the exact wavefunction. E_xc is "
         "defined with the Kohn-Sham kinetic energy T_s (non-interacting electrons with the same density); the "
         "difference T - T_s is the kinetic part of correlation and belongs to E_xc."),
        (e - 0.5 * t_s - e_h - e_ext, "your T_s is half what it should be: both electrons (spin up and down) occupy "
         "the one Kohn-Sham orbital, so T_s = 2 <phi|T|phi>."),
        (e - 2 * t_s - e_h - e_ext, "your T_s is twice what it should be: the orbital phi = sqrt(n/2) holds one "
         "electron of each spin, so T_s = 2 <phi|T|phi> with phi normalised to one, not to two."),
        (e - t_s - 2 * e_h - e_ext, "you subtracted integral v_H n dx, which is twice the Hartree energy: "
         "E_H = (1/2) integral v_H n dx (use onedim.kohn_sham.hartree_energy)."),
        (e - t_s + e_h - e_ext, "the Hartree energy has the wrong sign: E = T_s + integral v_ext n + E_H + E_xc."),
        (e - t_s - e_h - e_ext / dx, "integral v_ext n dx lacks the grid spacing: multiply the sum by dx."),
        (e - t_s - e_h / dx - e_ext, "the Hartree energy lacks a factor dx."),
        (lda, "that is the LDA's xc energy; the exercise asks for the exact one, from the exact total energy."),
    ]
    for value, message in mistakes:
        if _close(answer, value, 1e-6):
            return False, message
    return False, (f"got {answer:.6f} Ha, expected {expected:.6f} Ha. Use E_xc = E - T_s - E_H - integral v_ext n dx "
                   f"with E from exact.solve, T_s from the orbital of reverse.solve and E_H from "
                   f"kohn_sham.hartree_energy.")


# ----------------------------------------------------------------------------------------------------------------
# Exercise 2: an honest split and augmentation
# ----------------------------------------------------------------------------------------------------------------


def _as_indices(value, name):
    if is_placeholder(value):
        raise NotImplementedError
    array = np.asarray(value)
    if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise TypeError(f"{name} must be a 1D array of integer sample indices, got shape {array.shape} and dtype "
                        f"{array.dtype}")
    return array


@checker("an honest split by potential, then augmentation by reflection")
def check_nb06_split(train_idx, val_idx, test_idx, train_densities, arrays):
    """Wells potentials split ~70/15/15 into disjoint sets covering the family; training densities = the training
    samples plus their mirror images, and no mirror image of a validation or test potential among them."""
    parts = {"train_idx": _as_indices(train_idx, "train_idx"), "val_idx": _as_indices(val_idx, "val_idx"),
             "test_idx": _as_indices(test_idx, "test_idx")}
    if is_placeholder(train_densities):
        raise NotImplementedError
    names = [str(n) for n in arrays["family_names"]]
    wells = set(np.flatnonzero(np.asarray(arrays["family"]) == names.index("wells")).tolist())
    together = np.concatenate(list(parts.values()))
    if len(set(together.tolist())) != together.size:
        return False, ("some potentials appear in two sets (or twice in one): the training, validation and test sets "
                       "must be disjoint, or the test score measures memory, not generalisation.")
    others = set(together.tolist()) - wells
    if others:
        return False, (f"{len(others)} indices are not 'wells' potentials: the 'double' and 'shallow' families are "
                       "kept out of every split; they test extrapolation to systems never trained on.")
    if set(together.tolist()) != wells:
        return False, (f"{len(wells) - together.size} 'wells' potentials are in none of the three sets; split all "
                       f"{len(wells)} of them.")
    sizes = {k: v.size / len(wells) for k, v in parts.items()}
    target = {"train_idx": 0.7, "val_idx": 0.15, "test_idx": 0.15}
    off = [k for k in parts if abs(sizes[k] - target[k]) > 0.02]
    if off:
        return False, ("the sizes should be about 70 %, 15 % and 15 %: got "
                       + ", ".join(f"{k} {100 * sizes[k]:.0f} %" for k in parts) + ".")
    density = np.asarray(arrays["density"])
    train_n = np.asarray(train_densities, dtype=float)
    if train_n.ndim != 2 or train_n.shape[1] != density.shape[1]:
        return False, f"train_densities must have shape (samples, {density.shape[1]}), got {train_n.shape}."

    def rows_in(candidates, pool):
        # exact matches up to float noise, by a rounded hash of each row
        keys = {tuple(np.round(r, 10)) for r in pool}
        return np.array([tuple(np.round(r, 10)) in keys for r in candidates], dtype=bool)

    held_out = np.concatenate([parts["val_idx"], parts["test_idx"]])
    leaks = rows_in(train_n, np.concatenate([density[held_out], density[held_out][:, ::-1]]))
    if leaks.any():
        return False, (f"{int(leaks.sum())} training densities are validation/test densities or their mirror images: "
                       "you augmented before splitting (or split the augmented set). Split the potentials first, "
                       "then add the mirror images of the training set only.")
    originals = density[parts["train_idx"]]
    if train_n.shape[0] == originals.shape[0]:
        return False, ("train_densities has one row per training potential: add the mirror images (x -> -x, "
                       "density[:, ::-1]) to double the training set.")
    if train_n.shape[0] != 2 * originals.shape[0]:
        return False, (f"expected {2 * originals.shape[0]} training densities (each training potential and its mirror "
                       f"image), got {train_n.shape[0]}.")
    have = rows_in(np.concatenate([originals, originals[:, ::-1]]), train_n)
    if not have.all():
        return False, ("train_densities should hold exactly the densities of train_idx and their mirror images "
                       f"density[train_idx][:, ::-1]; {int((~have).sum())} of them are missing.")
    return True, (f"{parts['train_idx'].size} / {parts['val_idx'].size} / {parts['test_idx'].size} potentials, "
                  f"{train_n.shape[0]} training densities after augmentation, and no held-out potential leaks into "
                  "training.")


# ----------------------------------------------------------------------------------------------------------------
# The local network (used by the check of exercise 4)
# ----------------------------------------------------------------------------------------------------------------


def _activations(network) -> set[str]:
    found = set()
    for layer in getattr(network, "layers", []):
        config = layer.get_config() if hasattr(layer, "get_config") else {}
        activation = config.get("activation")
        if isinstance(activation, str):
            found.add(activation)
        found |= _activations(layer)
    return found


@checker("a pointwise network for the local xc energy per electron")
def check_nb06_local_network(network):
    """(batch, N, 1) -> (batch, N, 1), acting on each grid point separately, smooth, small."""
    if is_placeholder(network):
        raise NotImplementedError
    if not callable(network):
        return False, f"network must be a Keras model (callable), got {type(network).__name__}."
    rng = np.random.default_rng(0)
    density = rng.uniform(0.0, 1.5, size=(3, 100, 1))
    try:
        out = np.asarray(network(density))
    except Exception as error:  # noqa: BLE001 - explain any failure in words
        return False, (f"calling the network on densities of shape (batch, N, 1) = (3, 100, 1) failed: "
                       f"{type(error).__name__}: {str(error)[:200]}. Start from keras.Input((None, 1)).")
    if out.shape != (3, 100, 1):
        return False, (f"the output has shape {out.shape}, expected (3, 100, 1): one energy per electron at every "
                       "grid point (end with Dense(1)).")
    if not np.all(np.isfinite(out)):
        return False, "the network returns NaN or infinite values."
    bumped = density.copy()
    bumped[0, 50, 0] += 0.05
    change = np.abs(np.asarray(network(bumped)) - out)[0, :, 0]
    if np.max(np.delete(change, 50)) > 1e-6 * max(1.0, float(np.max(change))):
        return False, ("changing the density at one point changed the output at other points: the network mixes "
                       "neighbouring points (a Conv1D with kernel_size > 1, or a layer over the flattened grid). A "
                       "local functional acts on each point alone: Dense layers on the last axis do that.")
    if change[50] == 0:
        return False, "the output does not depend on the density at all."
    relu = {a for a in _activations(network) if "relu" in a}
    if relu:
        return False, (f"the activation {sorted(relu)} is piecewise linear: v_xc = d(n eps_xc)/dn would jump at its "
                       "kinks and the trained potential would be jagged. Use a smooth one (tanh, softplus, gelu).")
    params = int(network.count_params()) if hasattr(network, "count_params") else -1
    if params > 20000:
        return False, f"{params} parameters is far more than a function of one variable needs; keep it under ~1000."
    return True, f"a pointwise network with {params} parameters: local, smooth and of the right shape."


# ----------------------------------------------------------------------------------------------------------------
# Exercise 3: derivative features
# ----------------------------------------------------------------------------------------------------------------


@checker("semi-local features: the density and its squared slope")
def check_nb06_features(semilocal_features, densities, dx):
    """``semilocal_features(n, dx)`` -> (..., N, 2) = [n, (dn/dx)^2], central differences, n = 0 beyond the walls."""
    from ..learn import xc

    if is_placeholder(semilocal_features):
        raise NotImplementedError
    if not callable(semilocal_features):
        return False, ("semilocal_features must be a function (density, dx) -> features, got "
                       f"{type(semilocal_features).__name__}.")
    densities = np.asarray(densities, dtype=float)
    expected = xc.derivative_features(densities, dx)
    try:
        got = semilocal_features(densities, dx)
    except Exception as error:  # noqa: BLE001
        try:
            semilocal_features(densities[0], dx)
        except Exception:  # noqa: BLE001
            raise error from None
        return False, ("it works for one density but not for a batch of shape (M, N): write the differences with "
                       "[..., 2:] and [..., :-2] slices so that any leading axes pass through.")
    if got is None or got is Ellipsis:
        raise NotImplementedError
    got = np.asarray(got, dtype=float)
    if got.shape == (2,) + expected.shape[:-1]:
        return False, (f"shape {got.shape}: stack the two features along the last axis "
                       f"(np.stack([...], axis=-1)) to get {expected.shape}.")
    if got.shape != expected.shape:
        return False, f"the features have shape {got.shape}, expected {expected.shape} = (..., N, 2)."
    scale = np.max(np.abs(expected), axis=tuple(range(expected.ndim - 1)))
    if np.max(np.abs(got[..., 0] - expected[..., 0])) > 1e-8 * scale[0]:
        return False, "the first feature should be the density itself."
    err = np.max(np.abs(got[..., 1] - expected[..., 1])) / scale[1]
    if err < 1e-6:
        return True, ("[n, (dn/dx)^2] correct; both are unchanged by x -> -x, so any network of them gives a "
                      "reflection-symmetric functional.")
    slope = np.gradient(densities, dx, axis=-1)
    if np.max(np.abs(got[..., 1] - slope)) < 1e-3 * np.max(np.abs(slope)):
        return False, ("the second feature is the slope dn/dx itself; use its square. The slope changes sign under "
                       "x -> -x, so a network of it would not be reflection-symmetric (and a slope of either sign "
                       "should give the same energy density).")
    ratio = np.sum(got[..., 1] * expected[..., 1]) / np.sum(expected[..., 1] ** 2)
    for factor, message in ((dx**2, "forgot to divide the difference by dx"),
                            (4 * dx**2, "used n[i+1] - n[i-1] without dividing by 2 dx"),
                            (4.0, "divided n[i+1] - n[i-1] by dx instead of 2 dx")):
        if abs(ratio / factor - 1) < 1e-3:
            return False, f"(dn/dx)^2 is off by a factor {factor:.4g}: you probably {message}."
    if err < 1e-2:
        return False, ("close, but not the central difference with n = 0 beyond the walls "
                       "(n'_i = (n_{i+1} - n_{i-1}) / (2 dx)); check the two end points.")
    return False, ("the squared slope does not match (n_{i+1} - n_{i-1})^2 / (2 dx)^2 "
                   f"(largest relative error {err:.2g}).")


# ----------------------------------------------------------------------------------------------------------------
# Exercise 4: build, train and evaluate a local functional
# ----------------------------------------------------------------------------------------------------------------


def _history_dict(history):
    """A Keras ``History`` object or the dict of :func:`course_utils.learn.xc_networks.fit` -> a dict of arrays."""
    if is_placeholder(history):
        raise NotImplementedError
    history = getattr(history, "history", history)
    if not isinstance(history, dict):
        raise TypeError(f"history must be the dict returned by xc_networks.fit (or a Keras History), got "
                        f"{type(history).__name__}")
    return {key: np.asarray(value, dtype=float) for key, value in history.items()}


@checker("build, train and evaluate a local functional")
def check_nb06_trained_local(model, history, val_error, arrays):
    """``model`` an ``XCFunctional`` around a pointwise, smooth network (features ``"local"``), trained with
    validation data (``history`` has ``val_loss``) to a median |E_xc error| on the validation potentials of
    :func:`course_utils.learn.xc.standard_split` below the LDA's; ``val_error`` that median in mHa."""
    from ..learn import xc, xc_networks

    if is_placeholder(model):
        raise NotImplementedError
    if not hasattr(model, "energy_per_electron") or not hasattr(model, "network"):
        return False, (f"model must be the network wrapped as xc_networks.XCFunctional(network, dx, \"local\"), got "
                       f"{type(model).__name__}: the wrapper turns eps_xc into E_xc and v_xc = dE_xc/dn.")
    if getattr(model, "features", None) != "local":
        return False, (f"the model was built with features={model.features!r}; a local functional sees only the "
                       "density: XCFunctional(network, dx, \"local\").")
    network_feedback = check_nb06_local_network(model.network)
    if not network_feedback.passed:
        return False, f"the network inside the model: {network_feedback.message}"
    stored_model = xc_networks.load_pretrained("local")
    stored = stored_model.get_weights()
    mine = model.get_weights()
    same = len(mine) == len(stored) and all(a.shape == b.shape and np.allclose(a, b)
                                            for a, b in zip(mine, stored, strict=True))
    if same:
        return False, ("that is the stored local model (models[\"local\"]); build and train a network of your own.")
    hist = _history_dict(history)
    answer = _number(val_error, "val_error")
    if "val_loss" not in hist:
        return False, ("the history has no val_loss: train with validation data (xc_networks.fit(model, train, "
                       "validation, ...)) so that early stopping watches systems the model is not fitted to.")
    split = xc.standard_split(arrays)
    dx = float(arrays["dx"])
    density, targets = xc.training_arrays(arrays, split["validation"])
    errors = xc.potential_errors(model, density, targets["v_xc"], targets["xc_energy"], dx)
    lda = xc.potential_errors(xc.lda_xc(dx), density, targets["v_xc"], targets["xc_energy"], dx)
    loss = float(np.mean(errors.v_rms**2 + model.energy_weight * errors.e_error**2))
    if not np.any(np.abs(hist["val_loss"] - loss) <= 1e-3 * loss):
        return False, (f"the model's validation loss now is {loss:.3g} Ha^2, which is none of the values in the "
                       "history: pass the model you trained together with the history fit returned (building the "
                       "model again, or training it further, starts a new history).")
    want = 1000 * float(np.median(np.abs(errors.e_error)))
    lda_e = 1000 * float(np.median(np.abs(lda.e_error)))
    if want >= lda_e:
        return False, (f"the median |E_xc error| on the validation systems is {want:.1f} mHa, no better than the "
                       f"LDA's {lda_e:.1f} mHa, after {hist['val_loss'].size} epochs: train longer (more epochs "
                       "or more patience) or check the learning rate.")
    if not _close(answer, want, 1e-3 * want + 1e-6):
        others = [(want / 1000, "in Ha; give it in mHa (multiply by 1000)."),
                  (1000 * float(np.mean(np.abs(errors.e_error))), "the mean |E_xc error|; the task asks for the "
                   "median (less sensitive to the few systems with a sharp peak in v_xc)."),
                  (1000 * float(np.median(errors.e_error)), "the median of the signed error; take the absolute "
                   "value first: errors of opposite sign must not cancel."),
                  (1000 * float(np.median(errors.v_rms)), "the median v_xc error; the task asks for the E_xc "
                   "error.")]
        for other_set in ("test", "train"):
            n, t = xc.training_arrays(arrays, split[other_set])
            e = xc.potential_errors(model, n, t["v_xc"], t["xc_energy"], dx)
            others.append((1000 * float(np.median(np.abs(e.e_error))), f"measured on the {other_set} set; evaluate "
                           "on the validation set (the test set is kept for the very end, the training set says "
                           "nothing about generalisation)."))
        for value, message in others:
            if _close(answer, value, 1e-3 * abs(value) + 1e-6):
                return False, f"val_error = {answer:.4g} is {message}"
        return False, (f"val_error = {answer:.4g}, expected {want:.4g} mHa: the median over the validation systems "
                       "of |E_xc - E_xc,exact|, from xc.potential_errors(model_4, ...).e_error, times 1000.")
    ref = xc.potential_errors(stored_model, density, targets["v_xc"], targets["xc_energy"], dx)
    v_model, v_lda, v_ref = (1000 * np.median(e.v_rms) for e in (errors, lda, ref))
    e_ref = 1000 * float(np.median(np.abs(ref.e_error)))
    return True, (f"{hist['val_loss'].size} epochs. Median errors on the validation systems: |E_xc error| {want:.1f} "
                  f"mHa (LDA {lda_e:.1f}, stored local model {e_ref:.1f}), v_xc {v_model:.1f} mHa (LDA {v_lda:.1f}, "
                  f"stored local model {v_ref:.1f}). Which error did your short training bring down first?")


# ----------------------------------------------------------------------------------------------------------------
# Exercise 5: the learned functional in the Kohn-Sham loop
# ----------------------------------------------------------------------------------------------------------------


@checker("a learned functional run self-consistently")
def check_nb06_scf(density_error, energy_error, model, index, arrays):
    """Self-consistent density error integral |n - n_exact| dx (electrons) and energy error E - E_exact (Ha) of the
    model's functional on sample ``index`` of the data set ``arrays`` (from ``datasets.load_xc_data``)."""
    from ..learn import xc, xc_networks
    from ..onedim import kohn_sham

    system = datasets.make_system(arrays["v_ext"][index])
    exact_density, exact_energy = arrays["density"][index], arrays["energy"][index]
    got_n = _number(density_error, "density_error")
    got_e = _number(energy_error, "energy_error")
    run = xc.self_consistent(system, xc_networks.as_xc(model, system.n_points), tol=1e-7, energy_tol=1e-8)
    if not run.converged:
        return False, f"the reference SCF with this model does not converge ({run.message}); try another system."
    result = run.result
    dx = system.dx
    want_n = xc.density_error(result.density, exact_density, dx)
    want_e = result.energy - float(exact_energy)
    ok_n = abs(got_n - want_n) <= 1e-4 + 1e-3 * want_n
    ok_e = abs(got_e - want_e) <= 2e-6 or abs(got_e - want_e) <= 1e-4 * abs(want_e)
    if ok_n and ok_e:
        return True, (f"density error {want_n:.4f} electrons and energy error {1000 * want_e:+.2f} mHa, converged in "
                      f"{result.iterations} iterations.")
    if not ok_n:
        if got_n == 0:
            return False, "a density error of zero: you compared the exact density with itself."
        if abs(got_n - want_n / dx) <= 1e-3 * want_n / dx:
            return False, "the density error lacks the grid spacing: integral |n - n_exact| dx = sum(...) * dx."
        # one step of Kohn-Sham in the potential of the exact density: the non-self-consistent answer
        v_xc, _ = xc_networks.as_xc(model, system.n_points)(exact_density)
        v_ks = system.v_ext + kohn_sham.hartree_potential(system, exact_density) + v_xc
        _, vectors = system.one_body_solver().lowest(v_ks, 1)
        one_shot = 2 * vectors[:, 0] ** 2 / dx
        if abs(got_n - xc.density_error(one_shot, exact_density, dx)) <= 1e-3 * want_n + 1e-6:
            return False, ("that is the density from a single Kohn-Sham step in the potential of the exact density; "
                           "run kohn_sham.solve so that the density and the potential are consistent.")
        return False, (f"density error {got_n:.5f}, expected {want_n:.5f} electrons. Compute "
                       "np.sum(np.abs(result.density - exact_density)) * system.dx for the converged result.")
    if abs(got_e + want_e) <= 1e-4 * abs(want_e) + 2e-6:
        return False, "the energy error has the wrong sign: use E(learned) - E(exact)."
    if abs(got_e - 1000 * want_e) <= 1e-3 * abs(1000 * want_e):
        return False, "that is in mHa; give the energy error in Ha."
    return False, (f"energy error {got_e:.6f} Ha, expected {want_e:.6f} Ha: result.energy - exact_energy, with "
                   "result.energy the total energy of the converged Kohn-Sham run.")
