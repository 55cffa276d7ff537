# Solution to notebook 02, exercise 3 (check: exercises.check_chemical_system_split(test_mask))
import numpy as np

from course_utils import data

alloys = data.load("alloys")
# A compound is held out when its set of elements contains both Ag and Au: the Ag-Au binaries and the
# ternaries Ag-Au-X, so that no training compound has Ag and Au side by side.
test_mask = np.array([{"Ag", "Au"} <= set(row) for row in alloys["elements"]])
print(f"{test_mask.sum()} compounds held out")
