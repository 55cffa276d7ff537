"""Train the neural xc functional of notebook 09 through the Kohn-Sham SCF and without it; save small weights.

    python scripts/train_neural_xc.py           # exact references, both trainings, evaluation -> course_utils/datasets/
    python scripts/train_neural_xc.py --check   # recompute one reference, rerun the first training steps and the
                                                # evaluation of the shipped weights; compare with the record

Model: :class:`course_utils.onedim.differentiable.NeuralXC` (LDA exchange times ``1 + MLP(n^(1/3), zeta^2)``,
hidden widths ``HIDDEN``, seed ``SEED``). Data: exact ground states of the molecules of
:mod:`course_utils.onedim.ks_regularizer` (training set ``TRAIN``: H2 at 1.5 and 4.0 bohr, He, Li; held out: the
rest) and of H2 along ``CURVE_R``. Recipe: Adam (NumPy) with ``SCF`` and ``DIRECT`` below; "through the SCF" is
the Kohn-Sham-regularised loss on self-consistent energies and densities (gradient: Hellmann-Feynman plus the
adjoint Dyson solve); "direct" fits exact xc energies of exact densities.

Written: ``course_utils/datasets/neural_xc_1d.npz`` (weights of both models, the exact reference energies and
densities, the H2 curve, training histories and self-consistent errors) and ``neural_xc_1d.json`` (the record).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 0
HIDDEN = (16, 16)
SCF = {"steps": 100, "learning_rate": 2e-2, "density_weight": 1.0}
DIRECT = {"steps": 400, "learning_rate": 1e-2}
CURVE_R = (0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0)
CHECK_STEPS = {"scf": 3, "direct": 20}
OUT = ROOT / "course_utils" / "datasets" / "neural_xc_1d"


def references(names):
    from course_utils.onedim import ks_regularizer as ksr

    return [ksr.reference(ksr.system(name)) for name in names]


def curve_references():
    from course_utils.onedim import ks_regularizer as ksr

    return [ksr.reference(ksr.h2(r)) for r in CURVE_R]


def evaluate_all(xc, names, refs, curve_refs):
    from course_utils.onedim import ks_regularizer as ksr

    mols = ksr.evaluate(xc, [ksr.system(n) for n in names], refs)
    curve = ksr.evaluate(xc, [ksr.h2(r) for r in CURVE_R], curve_refs)
    return mols, curve


def run(check: bool) -> int:
    from course_utils.onedim import differentiable as dft
    from course_utils.onedim import ks_regularizer as ksr

    names = ksr.TRAIN + ksr.HELDOUT
    if check:
        shipped, record = ksr.load_shipped()
        ok = True
        ref = ksr.reference(ksr.system("H2 R=1.5"))
        k = names.index("H2 R=1.5")
        diff = abs(ref["energy"] - shipped["energy"][k])
        print(f"reference H2 R=1.5: energy differs by {diff:.2e} Ha")
        ok &= diff < 1e-8
        train_refs = ksr.references_from(shipped, ksr.TRAIN)
        systems = [ksr.system(n) for n in ksr.TRAIN]
        for label, through in (("scf", True), ("direct", False)):
            xc = dft.NeuralXC(HIDDEN, seed=SEED)
            opts = SCF if through else DIRECT
            hist = ksr.train(xc, systems, train_refs, steps=CHECK_STEPS[label], through_scf=through,
                             learning_rate=opts["learning_rate"],
                             **({"density_weight": SCF["density_weight"]} if through else {}))
            recorded = shipped[f"loss_{label}"][:CHECK_STEPS[label]]
            rel = float(np.max(np.abs(hist["loss"] - recorded) / recorded))
            print(f"first {CHECK_STEPS[label]} steps ({label}): largest relative loss difference {rel:.2e}")
            ok &= rel < 1e-6
        for label in ("scf", "direct"):
            xc = ksr.network_from(shipped, record, label)
            err = ksr.evaluate(xc, [ksr.system("HeH+ R=1.5")],
                               ksr.references_from(shipped, ["HeH+ R=1.5"]))["energy_error"][0]
            want = record["errors"][label]["energy_error_mha"]["HeH+ R=1.5"] / 1000
            print(f"shipped {label} weights, HeH+ energy error {err * 1000:.3f} mHa (record {want * 1000:.3f})")
            ok &= abs(err - want) < 1e-6
        print("OK" if ok else "MISMATCH")
        return 0 if ok else 1

    start = time.time()
    refs = references(names)
    curve_refs = curve_references()
    print(f"exact references: {time.time() - start:.1f} s")
    train_refs = refs[:len(ksr.TRAIN)]
    systems = [ksr.system(n) for n in ksr.TRAIN]
    models, histories = {}, {}
    for label, through, opts in (("scf", True, SCF), ("direct", False, DIRECT)):
        xc = dft.NeuralXC(HIDDEN, seed=SEED)
        t0 = time.time()
        histories[label] = ksr.train(xc, systems, train_refs, through_scf=through, progress=True, **opts)
        print(f"{label}: {time.time() - t0:.1f} s, loss {histories[label]['loss'][0]:.3e} -> "
              f"{histories[label]['loss'][-1]:.3e}")
        models[label] = xc
    lda = dft.scaled_lda()
    errors, arrays = {}, {}
    for label, xc in (("lda", lda), ("scf", models["scf"]), ("direct", models["direct"])):
        mols, curve = evaluate_all(xc, names, refs, curve_refs)
        errors[label] = {"energy_error_mha": dict(zip(names, (1000 * mols["energy_error"]).tolist(), strict=True)),
                         "density_error": dict(zip(names, mols["density_error"].tolist(), strict=True))}
        arrays[f"energy_error_{label}"] = mols["energy_error"]
        arrays[f"density_error_{label}"] = mols["density_error"]
        arrays[f"curve_error_{label}"] = curve["energy_error"]
    for label, xc in models.items():
        for k, w in enumerate(xc.get_weights()):
            arrays[f"weights_{label}_{k}"] = w
        arrays[f"loss_{label}"] = histories[label]["loss"]
    arrays["names"] = np.array(names)
    arrays["energy"] = np.array([r["energy"] for r in refs])
    arrays["xc_energy"] = np.array([r["xc_energy"] for r in refs])
    arrays["density_up"] = np.array([r["density_up"] for r in refs])
    arrays["density_down"] = np.array([r["density_down"] for r in refs])
    arrays["curve_R"] = np.array(CURVE_R)
    arrays["curve_energy"] = np.array([r["energy"] for r in curve_refs])
    arrays["curve_density"] = np.array([r["density_up"] + r["density_down"] for r in curve_refs])
    np.savez(OUT.with_suffix(".npz"), **arrays)
    digest = hashlib.sha256(OUT.with_suffix(".npz").read_bytes()).hexdigest()
    record = {"command": "python scripts/train_neural_xc.py", "seed": SEED, "hidden": list(HIDDEN), "scf": SCF,
              "direct": DIRECT, "train": list(ksr.TRAIN), "heldout": list(ksr.HELDOUT), "curve_R": list(CURVE_R),
              "seconds_per_step": {k: float(np.mean(h["seconds"])) for k, h in histories.items()},
              "python": sys.version.split()[0], "sha256": digest, "errors": errors}
    OUT.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(errors, indent=1))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare a short rerun with the shipped record")
    sys.exit(run(parser.parse_args().check))
