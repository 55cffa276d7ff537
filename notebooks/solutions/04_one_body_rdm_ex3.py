# Solution to notebook 04, exercise 3 (check: exercises.check_rdm_ablation(symmetry_only, bound_only, more_useful))
import numpy as np

from course_utils import lattice
from course_utils.learn import rdm_networks, training

pool = lattice.dimer_samples(256, seed=4)  # the learning curve's pool, validation and test sets (same seeds)
valid = lattice.dimer_samples(200, seed=2)
test = lattice.dimer_samples(2000, seed=3)
subset = {key: value[:32] for key, value in pool.items()}


def trained(symmetric, bounded):
    model = rdm_networks.dimer_network(symmetric=symmetric, bounded=bounded, seed=0)
    training.CompiledTrainer(model, learning_rate=1e-2).fit(
        rdm_networks.dimer_inputs(subset["delta_n"], subset["U"]), subset["gamma_12"][:, None],
        rdm_networks.dimer_inputs(valid["delta_n"], valid["U"]), valid["gamma_12"][:, None],
        max_steps=2000, check_every=100, patience=5)
    return model


symmetry_only = trained(symmetric=True, bounded=False)
bound_only = trained(symmetric=False, bounded=True)
mae = {name: float(np.mean(np.abs(rdm_networks.predict_gamma(model, test["delta_n"], test["U"]) - test["gamma_12"])))
       for name, model in (("symmetry", symmetry_only), ("bound", bound_only))}
more_useful = min(mae, key=mae.get)
print("test MAE with one constraint:", {name: round(value, 4) for name, value in mae.items()})
