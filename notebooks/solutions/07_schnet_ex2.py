# Solution to notebook 07, exercise 2 (check: exercises.check_nb07_energy_drift(energy_drift))
import numpy as np


def energy_drift(time_fs, total_energy):
    slope_per_fs, _ = np.polyfit(time_fs, total_energy, 1)  # eV/fs, through every point
    return slope_per_fs * 1000.0  # eV/ps
