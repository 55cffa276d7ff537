"""Figures and measured values of deck 08 (deep learning spectroscopy), computed when the deck is built.

From the cached ``molecules_small`` data set, the four shipped spectrum networks and their training record
(``spectra_models.json``: the learning curves, whose full-size test errors notebook 08 recomputes and asserts), and
``xtb_vs_dft``. Live: the mean-spectrum baseline, the reference spectra, and the screen of the unseen nitrile pool
from force-field geometries with every shipped model. TensorFlow is imported inside the functions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from deck_style import COLOURS, figure, styled

LABELS = {"cm_mlp": "CM + MLP", "cm_conv": "CM + 1D conv", "schnet": "SchNet + head", "cm_levels": "CM + levels"}
WINDOW = (12.0, None)  # a hit: first peak at 12 eV or above (the notebook's screen)
N_PICKS = 20



@lru_cache(maxsize=1)
def _learned():
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    from course_utils.learn import spectra as learned

    return learned


@lru_cache(maxsize=1)
def _record():
    import json

    from course_utils.data import DATA_DIR

    return json.loads((DATA_DIR / "spectra_models.json").read_text())


@lru_cache(maxsize=1)
def _data():
    from course_utils import data
    from course_utils.atoms import spectra as spec

    mols = data.load("molecules_small")
    parts = _learned().split(mols, seed=0)
    reference = {part: spec.broaden(spec.occupied_levels(mols["orbital_energies"][parts[part]],
                                                         mols["occupations"][parts[part]]))
                 for part in ("test", "pool")}
    return mols, parts, reference


@lru_cache(maxsize=1)
def _baseline():
    """Errors of the mean training spectrum (the same curve for every test molecule)."""
    from course_utils.atoms import spectra as spec

    mols, parts, reference = _data()
    mean = _learned().targets("cm_mlp", mols, parts["train"][:2000]).mean(axis=0)
    return spec.spectral_errors(np.tile(mean, (len(parts["test"]), 1)), reference["test"])


@lru_cache(maxsize=1)
def _screens():
    from course_utils.atoms import spectra as spec

    learned = _learned()
    mols, parts, reference = _data()
    rows = parts["pool"]
    actual = spec.first_peak(reference["pool"])
    out = {}
    for name in learned.MODEL_NAMES:
        model, _ = learned.load_pretrained(name)
        x = learned.inputs(name, mols, rows, start=True)  # force-field (ETKDG/MMFF) geometries
        s, _ = learned.predict_spectra(name, model, x, mols["numbers"][rows])
        guess = np.nan_to_num(spec.first_peak(s), nan=0.0)
        out[name] = spec.screen(guess, actual, WINDOW, n_picks=N_PICKS, seed=0)
    return out


# ---------------------------------------------------------------------------------------------------- figures


@styled
def spectra():
    from course_utils.atoms import spectra as spec

    mols, parts, reference = _data()
    fig, ax = figure()
    for k, colour in enumerate(COLOURS[:3]):
        row = parts["test"][k]
        levels = spec.occupied_levels(mols["orbital_energies"][row:row + 1], mols["occupations"][row:row + 1])[0]
        ax.plot(spec.GRID, reference["test"][k] + 2.5 * k, color=colour, label=str(mols["smiles"][row]))
        ax.vlines(levels[np.isfinite(levels)], 2.5 * k, 2.5 * k + 0.6, color=colour, lw=1.2)
    ax.set(xlabel=r"binding energy $-\epsilon_k$ (eV)", ylabel="$S(E)$ (1/eV), offset by 2.5",
           title="GFN2-xTB occupied levels (sticks) and broadened spectra")
    ax.legend(loc="upper right", fontsize=14)
    return fig


@styled
def learning_curves():
    records = _record()["models"]
    base = _baseline()
    fig, (a, b) = figure(2, figsize=(8.6, 4.5))
    for ax, key, label in ((a, "mean_rmse", "spectral RMSE (1/eV)"), (b, "mean_first_peak", "first-peak error (eV)")):
        for name, colour in zip(LABELS, COLOURS, strict=True):
            curve = records[name]["learning_curve"]
            sizes = np.array(sorted(int(n) for n in curve))
            ax.plot(sizes, [curve[str(n)]["test"][key] for n in sizes], "o-", color=colour, label=LABELS[name])
        ax.axhline(base[key], color="k", ls="--", lw=1.5, label="mean spectrum")
        ax.set_xscale("log")
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.minorticks_off()
        ax.set(xlabel="training molecules", ylabel=label)
    a.set_title("Spectrum error")
    b.set_title("First-peak position error")
    b.legend(loc="center right", fontsize=13)
    fig.suptitle("Test errors (400 molecules) against training-set size")
    return fig


@styled
def screening():
    screens = _screens()
    fig, ax = figure(figsize=(8.2, 4.3))
    names = list(LABELS)
    rates = [screens[name]["hit_rate"] for name in names]
    ax.bar(range(len(names)), rates, color=COLOURS, width=0.6, label=f"top {N_PICKS} picks of a model")
    base = screens[names[0]]["base_rate"]
    ax.axhline(base, color="k", ls="--", lw=2, label="base rate (random picks, on average)")
    ax.set_xticks(range(len(names)), [LABELS[name] for name in names])
    ax.set(xlabel="model (input: force-field geometries)", ylabel="hit rate", ylim=(0, 1),
           title="Screening unseen nitriles for a first peak at 12 eV or above")
    ax.legend(loc="upper left", fontsize=14)
    return fig


FIGURES = {"spectra": spectra, "learning_curves": learning_curves, "screening": screening}

# ----------------------------------------------------------------------------------------------------- values


def _test(name, key, digits=2):
    return f"{_record()['models'][name]['test'][key]:.{digits}f}"


def _best(key):
    return LABELS[min(LABELS, key=lambda name: _record()["models"][name]["test"][key])]


def _enrichment_range():
    values = [s["enrichment"] for s in _screens().values()]
    return f"{min(values):.1f} to {max(values):.1f}"


def _xtb_ie_mae():
    from course_utils import data
    from course_utils.atoms import xtb_vs_dft

    return f"{xtb_vs_dft.summary(data.load('xtb_vs_dft'))['ie_mae_xtb']:.2f}"


VALUES = {
    "N_TRAIN": lambda: str(_record()["models"]["cm_mlp"]["n_train"]),
    "N_TEST": lambda: str(_record()["split"]["n_test"]),
    "N_POOL": lambda: str(_record()["split"]["n_pool"]),
    "N_MOLECULES": lambda: f"{len(_data()[0]['smiles']):,}",
    "RMSE_SCHNET": lambda: _test("schnet", "mean_rmse", 3),
    "RMSE_MLP": lambda: _test("cm_mlp", "mean_rmse", 3),
    "RMSE_MEAN": lambda: f"{_baseline()['mean_rmse']:.3f}",
    "PEAK_LEVELS": lambda: _test("cm_levels", "mean_first_peak"),
    "PEAK_MLP": lambda: _test("cm_mlp", "mean_first_peak"),
    "PEAK_MEAN": lambda: f"{_baseline()['mean_first_peak']:.2f}",
    "BEST_RMSE": lambda: _best("mean_rmse"),
    "BEST_PEAK": lambda: _best("mean_first_peak"),
    "BASE_RATE": lambda: f"{next(iter(_screens().values()))['base_rate']:.2f}",
    "ENRICHMENT": _enrichment_range,
    "N_PICKS": lambda: str(N_PICKS),
    "XTB_IE_MAE": _xtb_ie_mae,
}
