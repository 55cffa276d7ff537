# Solution to notebook 02, exercise 5 (check: exercises.check_stability_precision_recall(precision, recall))
import numpy as np

from course_utils import data

alloys = data.load("alloys")
compounds = (alloys["elements"] != "").sum(axis=1) >= 2  # binaries and ternaries
truth = alloys["energy_above_hull"][compounds] <= 0.005  # stable: within 5 meV/atom of the hull
guess = alloys["formation_energy"][compounds] < 0  # the naive rule
true_positives = np.sum(truth & guess)
precision = true_positives / guess.sum()  # of the compounds flagged stable, the fraction that are
recall = true_positives / truth.sum()  # of the stable compounds, the fraction that are flagged
print(f"precision {precision:.3f}, recall {recall:.3f}")
