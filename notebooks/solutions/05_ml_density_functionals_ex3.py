# Solution to notebook 05, exercise 3 (check: exercises.check_xc_extrapolation_reach(reach))
import numpy as np

from course_utils import units
from course_utils.learn import kernels
from course_utils.onedim import curves

separations = np.round(np.arange(0.5, 10.01, 0.5), 2)  # as in section 6
curve = curves.h2_curve(separations)
XC_SIGMAS, XC_LAMS = np.logspace(-1.5, 1.5, 31), np.logspace(-12, -2, 11)

reach = {}
for r_max in (3.0, 4.0, 5.0, 6.0):
    inside = separations <= r_max
    xc_fit = kernels.KernelFunctionalCV(sigmas=XC_SIGMAS, lams=XC_LAMS).fit(curve.density[inside], curve.xc[inside])
    error = np.abs(xc_fit.predict(curve.density) - curve.xc) * units.HARTREE_TO_KCAL_PER_MOL
    reach[r_max] = r_max
    for r, e in zip(separations[~inside], error[~inside], strict=True):
        if e >= 1.0:
            break
        reach[r_max] = float(r)
    print(f"trained on R <= {r_max:g} bohr: below 1 kcal/mol up to R = {reach[r_max]:g} bohr; "
          f"error at R = {separations[-1]:g}: {error[-1]:.0f} kcal/mol")
