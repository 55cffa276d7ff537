# Solution to 06, exercise 4 (check: exercises.check_nb06_trained_local(model_4, history_4, val_error_4, arrays))
import keras
import numpy as np

from course_utils.learn import xc, xc_networks
from course_utils.onedim import datasets

arrays = datasets.load_xc_data(progress=False)  # as in the notebook
dx = arrays["dx"]
split = xc.standard_split(arrays)
train = xc.training_arrays(arrays, split["train"], augment=True)
validation = xc.training_arrays(arrays, split["validation"])

# 1. Build: Dense layers act on the last axis only, so the network treats every grid point separately.
keras.utils.set_random_seed(0)
network = keras.Sequential([
    keras.Input((None, 1)),  # (batch, N, 1): any number of grid points, one feature (the density)
    keras.layers.Dense(16, activation="tanh"),  # smooth: v_xc is a derivative of the network
    keras.layers.Dense(16, activation="tanh"),
    keras.layers.Dense(1),  # eps_xc at each point (Ha)
])
model_4 = xc_networks.XCFunctional(network, dx, "local")  # E_xc = sum n eps dx, v_xc by GradientTape

# 2. Train: a short run with validation data and early stopping (a few seconds on 2 cores).
history_4 = xc_networks.fit(model_4, train, validation, max_epochs=20, patience=10)

# 3. Evaluate on the validation systems (the test set stays untouched until the end).
errors_4 = xc.potential_errors(model_4, validation[0], validation[1]["v_xc"], validation[1]["xc_energy"], dx)
val_error_4 = 1000 * np.median(np.abs(errors_4.e_error))  # mHa
print(f"{len(history_4['loss'])} epochs, median |E_xc error| on validation {val_error_4:.1f} mHa, "
      f"median v_xc error {1000 * np.median(errors_4.v_rms):.1f} mHa")
