# Solution to notebook 06, exercise 5 (check: exercises.check_nb06_scf(dn_5, de_5, model_5, index_5, arrays))
import numpy as np

from course_utils import onedim
from course_utils.learn import xc, xc_networks
from course_utils.onedim import datasets

arrays = datasets.load_xc_data(progress=False)  # as in the notebook
index_5 = xc.standard_split(arrays)["test"][3]
system_5 = datasets.make_system(arrays["v_ext"][index_5])
model_5 = xc_networks.load_pretrained("semilocal")


def learned_xc(density):
    out = model_5(density[None, :])  # a batch of one density
    return out["v_xc"].numpy()[0], float(out["xc_energy"].numpy()[0])


result = onedim.kohn_sham.solve(system_5, xc=learned_xc, tol=1e-7, energy_tol=1e-8)
dn_5 = np.sum(np.abs(result.density - arrays["density"][index_5])) * system_5.dx  # electrons
de_5 = result.energy - arrays["energy"][index_5]  # Ha
print(f"{result.iterations} iterations: density error {dn_5:.4f} electrons, energy error {1000 * de_5:+.2f} mHa")
