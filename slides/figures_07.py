"""Figures and measured values of deck 07 (SchNet), computed when the deck is built.

From the cached ``ethanol_md`` data set, the shipped SchNet models and their training record
(``schnet_ethanol.json``, whose test errors notebook 07 recomputes and asserts), the shipped NVT sample
(``schnet_ethanol_nvt``) and ``xtb_vs_dft``. The one live network evaluation is a parity plot on every tenth
held-out frame. TensorFlow is imported inside the functions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from deck_style import figure, styled

KCAL = 23.060547830619026  # eV -> kcal/mol (schnet.EV_TO_KCAL_PER_MOL, without importing TensorFlow)
PARITY_STRIDE = 10  # every tenth held-out frame in the live parity plot



@lru_cache(maxsize=1)
def _record():
    import json

    from course_utils.data import DATA_DIR

    return json.loads((DATA_DIR / "schnet_ethanol.json").read_text())


@lru_cache(maxsize=1)
def _parity():
    from course_utils import data
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    from course_utils.learn import schnet

    ethanol = data.load("ethanol_md")
    rows = schnet.ethanol_split(ethanol, seed=0)["test"][::PARITY_STRIDE]
    test = schnet.frames(ethanol, rows)
    model, _ = schnet.load_pretrained(1000)
    return test, schnet.evaluate(model, test)


@lru_cache(maxsize=1)
def _nvt_arrays():
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    from course_utils.learn import schnet

    return schnet.load_nvt_distributions()


@lru_cache(maxsize=1)
def _nvt():
    from course_utils.atoms.md import histogram_overlap

    arrays, record = _nvt_arrays()
    out = {"record": record, "arrays": arrays}
    centres = 0.5 * (arrays["bond_edges"][1:] + arrays["bond_edges"][:-1])
    for who in ("schnet", "xtb"):
        counts = arrays[f"{who}_bond_counts"].sum(axis=0)
        p = counts / counts.sum()
        mean = (p * centres).sum()
        out[who] = {"mean": mean, "width": np.sqrt((p * (centres - mean) ** 2).sum())}
    out["bond_overlap"] = histogram_overlap(arrays["schnet_bond_counts"].sum(axis=0),
                                            arrays["xtb_bond_counts"].sum(axis=0))
    out["dihedral_overlap"] = histogram_overlap(arrays["schnet_dihedral_counts"].sum(axis=0),
                                                arrays["xtb_dihedral_counts"].sum(axis=0))
    return out


# ---------------------------------------------------------------------------------------------------- figures


@styled
def parity():
    test, result = _parity()
    fig, (a, b) = figure(2, figsize=(8.6, 3.5))
    f_ref, f_net = test["forces"].ravel() * KCAL, result["forces"].ravel() * KCAL
    lim = np.abs(f_ref).max()
    a.plot(f_ref, f_net, ".", ms=3, alpha=0.4, color="#0072B2")
    a.plot([-lim, lim], [-lim, lim], "k--", lw=1)
    a.set(xlabel="xTB force (kcal/mol/Å)", ylabel="SchNet force (kcal/mol/Å)", title="Force components")
    e0 = test["energy"].min()
    a_e, b_e = (test["energy"] - e0) * KCAL, (result["energy"] - e0) * KCAL
    b.plot(a_e, b_e, "o", ms=5, color="#D55E00")
    hi = a_e.max()
    b.plot([0, hi], [0, hi], "k--", lw=1)
    b.set(xlabel="xTB energy (kcal/mol)", ylabel="SchNet energy (kcal/mol)", title="Energies (offset)")
    fig.suptitle(f"SchNet (1,000 frames) on {len(test['energy'])} held-out frames, against GFN2-xTB")
    return fig


@styled
def nvt():
    arrays, _ = _nvt_arrays()
    summary = _nvt()
    fig, (a, b) = figure(2, figsize=(8.6, 4.4))
    for who, label, colour in (("xtb", "GFN2-xTB", "#0072B2"), ("schnet", "SchNet", "#D55E00")):
        for ax, key, edges in ((a, "bond", arrays["bond_edges"]), (b, "dihedral", arrays["dihedral_edges"])):
            counts = arrays[f"{who}_{key}_counts"].sum(axis=0)
            ax.stairs(counts / counts.sum() / np.diff(edges), edges, color=colour, lw=2.5, label=label)
    a.set(xlabel="C–O bond length (Å)", ylabel="probability density (1/Å)", xlim=(1.28, 1.58),
          title=f"C–O bond (overlap {summary['bond_overlap']:.2f})")
    b.set(xlabel="H–O–C–C dihedral (degrees)", ylabel="prob. density (1/degree)",
          title=f"Dihedral (overlap {summary['dihedral_overlap']:.2f})")
    b.set_xticks(np.arange(-180, 181, 90))
    fig.legend(*a.get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=14)
    fig.suptitle("Distributions at 500 K: SchNet NVT sample and xTB trajectories")
    return fig


FIGURES = {"parity": parity, "nvt": nvt}

# ----------------------------------------------------------------------------------------------------- values


def _test(n, key):
    return _record()["models"][str(n)]["test"][key]


def _xtb_vs_dft():
    from course_utils import data
    from course_utils.atoms import xtb_vs_dft

    return xtb_vs_dft.summary(data.load("xtb_vs_dft"))


def _live_force_mae():
    return f"{_parity()[1]['force_mae'] * KCAL:.2f}"


VALUES = {
    "E_MAE_100": lambda: f"{_test(100, 'energy_mae_kcal_mol'):.2f}",
    "F_MAE_100": lambda: f"{_test(100, 'force_mae_kcal_mol_a'):.2f}",
    "E_MAE_1000": lambda: f"{_test(1000, 'energy_mae_kcal_mol'):.2f}",
    "F_MAE_1000": lambda: f"{_test(1000, 'force_mae_kcal_mol_a'):.2f}",
    "N_TEST": lambda: str(_record()["split"]["n_test"]),
    "N_WEIGHTS": lambda: f"{_record()['models']['1000']['n_weights']:,}",
    "TRAIN_SECONDS": lambda: f"{_record()['models']['1000']['train_seconds']:.0f}",
    "LIVE_F_MAE": _live_force_mae,
    "LIVE_FRAMES": lambda: str(len(_parity()[0]["energy"])),
    "BOND_OVERLAP": lambda: f"{_nvt()['bond_overlap']:.2f}",
    "DIHEDRAL_OVERLAP": lambda: f"{_nvt()['dihedral_overlap']:.2f}",
    "BOND_DMEAN": lambda: f"{1000 * (_nvt()['schnet']['mean'] - _nvt()['xtb']['mean']):+.1f}",
    "TRANS_SCHNET": lambda: f"{_nvt()['record']['summary']['schnet_trans_fraction']:.2f}",
    "TRANS_XTB": lambda: f"{_nvt()['record']['summary']['xtb_trans_fraction']:.2f}",
    "NVT_REPLICAS": lambda: str(_nvt()["record"]["settings"]["n_replicas"]),
    "NVT_PS": lambda: f"{_nvt()['record']['settings']['production_fs'] / 1000:.0f}",
    "XTB_DFT_F_MAE": lambda: f"{_xtb_vs_dft()['ethanol_force_mae'] * KCAL:.2f}",
}
