# Solution to notebook 06, exercise 3 (check: exercises.check_nb06_local_network(network))
import keras

keras.utils.set_random_seed(0)
network = keras.Sequential([
    keras.Input((None, 1)),  # (batch, N, 1): any number of grid points, one feature (the density)
    keras.layers.Dense(16, activation="tanh"),  # Dense acts on the last axis: point by point
    keras.layers.Dense(16, activation="tanh"),
    keras.layers.Dense(1),  # eps_xc at each point (Ha)
])
network.summary()
