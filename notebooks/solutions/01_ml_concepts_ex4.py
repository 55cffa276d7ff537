# Solution to notebook 01, exercise 4 (check: exercises.check_keras_energy_model(model, X_val, y_val))
import keras
import numpy as np
from sklearn.model_selection import train_test_split

from course_utils.onedim import datasets

SEED = 0
keras.utils.set_random_seed(SEED)
wells = datasets.load_wells()
X, y = wells["potential"], wells["energy"]
idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=SEED)
X_fit, X_val, y_fit, y_val = train_test_split(X[idx_train], y[idx_train], test_size=0.2, random_state=SEED)

normalise = keras.layers.Normalization(axis=None)  # one mean and one spread for all grid points
normalise.adapt(X_fit)
model = keras.Sequential([
    keras.Input(shape=(X.shape[1],)),
    normalise,
    keras.layers.Dense(32, activation="gelu"),
    keras.layers.Dense(32, activation="gelu"),
    keras.layers.Dense(1),
    # The layers above work with numbers of order 1; this layer turns them into Ha: E = output * std + mean.
    keras.layers.Rescaling(scale=float(y_fit.std()), offset=float(y_fit.mean())),
])
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
callbacks = [keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True),
             keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=5, min_lr=1e-5)]
history = model.fit(X_fit, y_fit, validation_data=(X_val, y_val), epochs=100, batch_size=64, callbacks=callbacks,
                    verbose=0)
val_mae = np.mean(np.abs(model.predict(X_val, verbose=0)[:, 0] - y_val)) * 1000
print(f"{model.count_params()} parameters, {len(history.history['loss'])} epochs, validation MAE {val_mae:.1f} mHa")
