"""Train the dipole-and-polarizability model of notebook 07 on ``ethanol_response`` (GFN2-xTB).

    python scripts/train_field_schnet.py           # train, write field_schnet_ethanol.{weights.npz,json}
    python scripts/train_field_schnet.py --check   # retrain the small check run and compare with the record

The model (``course_utils.learn.field_schnet.FieldSchNet``) is trained on the dipoles and polarizabilities of the
training frames of ``ethanol_response``; the loss is ``<|mu - mu_ref|^2> / s_mu^2 + <|alpha - alpha_ref|^2> /
s_alpha^2`` (per component, scaled by the reference spreads). ``mu(R)`` and ``alpha(R)`` are the quantities the
field energy is built from, so they equal ``-dE/dF`` and ``-d2E/dF2`` exactly (the unit tests check it); training
on them directly avoids a second-order tape in every step. The record holds the held-out errors and the check
run's metrics (a 100-frame, 30-epoch run from the same seed), which ``--check`` reproduces in a few seconds.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 0
FULL = {"epochs": 300, "batch_size": 32, "learning_rate": 3e-3, "final_learning_rate": 1e-4}
CHECK = {"n_train": 100, "epochs": 30, "batch_size": 32, "learning_rate": 3e-3, "final_learning_rate": 1e-4}
TOLERANCE = 0.15  # relative; float32 training on another CPU differs in the last bits and drifts a little


def train(model, positions, numbers, dipole, alpha, *, epochs, batch_size, learning_rate, final_learning_rate, seed):
    import keras
    import tensorflow as tf

    s_mu, s_alpha = float(dipole.std()), float(alpha.std())
    steps_per_epoch = int(np.ceil(len(positions) / batch_size))
    schedule = keras.optimizers.schedules.ExponentialDecay(
        learning_rate, decay_steps=steps_per_epoch * epochs, decay_rate=final_learning_rate / learning_rate)
    optimizer = keras.optimizers.Adam(schedule)
    optimizer.build(model.trainable_variables)

    @tf.function(autograph=False)
    def step(z, r, mu, a):
        with tf.GradientTape() as tape:
            p_mu, p_a, _ = model.dipole_and_polarizability(z, r)
            loss = tf.reduce_mean(tf.square(p_mu - mu)) / s_mu**2 + tf.reduce_mean(tf.square(p_a - a)) / s_alpha**2
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    rng = np.random.default_rng(seed)
    arrays = [numbers.astype(np.int32), positions.astype(np.float32), dipole.astype(np.float32),
              alpha.astype(np.float32)]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(positions))
        values = [float(step(*(tf.constant(a[order[b:b + batch_size]]) for a in arrays)))
                  for b in range(0, len(order), batch_size)]
        losses.append(float(np.mean(values)))
    return losses


def errors(model, arrays, rows):
    from course_utils.learn import field_schnet as fs

    mu, alpha = [], []
    for b in range(0, len(rows), 200):
        r = rows[b:b + 200]
        m, a, _ = model.dipole_and_polarizability(arrays["numbers"][r].astype(np.int32),
                                                  arrays["positions"][r].astype(np.float32))
        mu.append(np.asarray(m))
        alpha.append(np.asarray(a))
    mu, alpha = np.concatenate(mu), np.concatenate(alpha)
    iso = np.trace(alpha, axis1=1, axis2=2) / 3
    iso_ref = np.trace(arrays["polarizability"][rows], axis1=1, axis2=2) / 3
    return {"dipole_mae_debye": float(np.abs(mu - arrays["dipole"][rows]).mean() * fs.E_ANGSTROM_TO_DEBYE),
            "polarizability_mae_angstrom3": float(np.abs(alpha - arrays["polarizability"][rows]).mean()
                                                  * fs.POLARIZABILITY_TO_ANGSTROM3),
            "isotropic_mae_angstrom3": float(np.abs(iso - iso_ref).mean() * fs.POLARIZABILITY_TO_ANGSTROM3)}


def run(arrays, n_train, recipe):
    from course_utils.learn import field_schnet as fs

    train_rows = np.flatnonzero(arrays["split"] == "train")[:n_train]
    test_rows = np.flatnonzero(arrays["split"] == "heldout")
    model = fs.build_model(seed=SEED)
    start = time.perf_counter()
    losses = train(model, arrays["positions"][train_rows], arrays["numbers"][train_rows],
                   arrays["dipole"][train_rows], arrays["polarizability"][train_rows], seed=SEED,
                   **{k: v for k, v in recipe.items() if k != "n_train"})
    seconds = time.perf_counter() - start
    return model, {"n_train": int(len(train_rows)), "n_test": int(len(test_rows)), "train_seconds": round(seconds, 1),
                   "final_loss": losses[-1], "train": errors(model, arrays, train_rows),
                   "test": errors(model, arrays, test_rows)}, losses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="retrain the small check run and compare")
    args = parser.parse_args()
    from course_utils import data
    from course_utils.learn import field_schnet as fs
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    arrays = data.load("ethanol_response")
    weights_path, record_path = fs.pretrained_paths()
    if args.check:
        record = json.loads(record_path.read_text())
        _, metrics, _ = run(arrays, CHECK["n_train"], CHECK)
        failures = []
        for part in ("train", "test"):
            for key, expected in record["check"][part].items():
                found = metrics[part][key]
                status = "ok" if abs(found - expected) <= TOLERANCE * abs(expected) else "DIFFERENT"
                print(f"check {part:5s} {key:30s} recorded {expected:.4f} now {found:.4f}  {status}")
                if status != "ok":
                    failures.append(key)
        print(f"check run trained in {metrics['train_seconds']} s")
        return 1 if failures else 0
    _, check, _ = run(arrays, CHECK["n_train"], CHECK)
    model, full, losses = run(arrays, None, FULL)
    fs.save_weights(model, weights_path)
    record = {"config": model.get_config(), "seed": SEED, "recipe": FULL, "check_recipe": CHECK, "metrics": full,
              "check": {"train": check["train"], "test": check["test"]}, "loss_curve": losses,
              "weights_sha256": hashlib.sha256(weights_path.read_bytes()).hexdigest(),
              "data": {"name": "ethanol_response", "sha256": data.metadata("ethanol_response")["sha256"]},
              "python": platform.python_version(), "numpy": np.__version__,
              "tensorflow": __import__("tensorflow").__version__,
              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    record_path.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(full, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
