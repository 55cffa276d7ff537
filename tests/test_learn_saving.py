"""Every Keras class of course_utils.learn is registered under one package name at import time, so a saved
model reloads with keras.saving.load_model after a plain import (in a fresh interpreter), with equal outputs."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils.learn import graph_attention, rdm_networks, schnet, xc_networks  # noqa: E402


def test_registered_under_one_package():
    for name in ("DimerFeatures", "BoundedGamma", "CoherentRDM1", "XCFunctional", "GraphAttention", "StabilityGNN",
                 "SchNet", "Interaction", "ContinuousFilterConvolution"):
        assert keras.saving.get_registered_object(f"course_utils>{name}") is not None, name
    assert rdm_networks.PACKAGE == xc_networks.PACKAGE == graph_attention.PACKAGE == schnet.PACKAGE == "course_utils"


@pytest.mark.slow
def test_saved_models_reload_after_a_plain_import(tmp_path):
    dimer = rdm_networks.dimer_network(constrained=True, hidden=(4,), seed=1)
    x_dimer = rdm_networks.dimer_inputs(np.linspace(-1.5, 1.5, 7), 3.0)
    xc_model = xc_networks.build_model("local", 0.2, seed=2, hidden=(4,))
    n = np.exp(-np.linspace(-3, 3, 30) ** 2)[None]
    np.save(tmp_path / "x_dimer.npy", x_dimer)
    np.save(tmp_path / "n.npy", n)
    np.save(tmp_path / "dimer_out.npy", np.asarray(dimer(x_dimer)))  # calling the models builds them
    np.save(tmp_path / "xc_out.npy", np.asarray(xc_model(n)["v_xc"]))
    dimer.save(tmp_path / "dimer.keras")
    xc_model.save(tmp_path / "xc.keras")
    script = textwrap.dedent(f"""
        import numpy as np, keras
        import course_utils.learn.rdm_networks, course_utils.learn.xc_networks  # registers the classes
        d = keras.saving.load_model(r"{tmp_path / 'dimer.keras'}")
        x = keras.saving.load_model(r"{tmp_path / 'xc.keras'}")
        out_d = np.asarray(d(np.load(r"{tmp_path / 'x_dimer.npy'}")))
        out_x = np.asarray(x(np.load(r"{tmp_path / 'n.npy'}"))["v_xc"])
        assert np.allclose(out_d, np.load(r"{tmp_path / 'dimer_out.npy'}"))
        assert np.allclose(out_x, np.load(r"{tmp_path / 'xc_out.npy'}"))
        print("reloaded")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "reloaded" in out.stdout, out.stderr[-2000:]
