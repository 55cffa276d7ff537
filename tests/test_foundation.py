"""The course_utils skeleton: light import, argument checks, exercise feedback, plotting style."""

import subprocess
import sys

import numpy as np
import pytest

from course_utils import _checks, exercises
from course_utils.exercises import Feedback, checker


def test_import_is_light():
    code = ("import sys, course_utils, course_utils.data, course_utils.exercises, course_utils.plots, "
            "course_utils.units, course_utils.env; "
            "heavy = [m for m in ('tensorflow', 'keras', 'torch', 'pyscf', 'tblite', 'rdkit', 'matplotlib', 'sklearn') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"import course_utils pulled in heavy modules: {out}"


def test_lazy_submodule_and_unknown_attribute():
    import course_utils

    assert course_utils.units.HARTREE_TO_EV > 27
    with pytest.raises(AttributeError, match="no attribute"):
        course_utils.not_a_module  # noqa: B018


class TestChecks:
    def test_array_shape_and_ndim(self):
        assert _checks.as_real_array([1, 2], "x", ndim=1).dtype == float
        with pytest.raises(ValueError, match="x must be 2-dimensional, got shape"):
            _checks.as_real_array([1, 2], "x", ndim=2)
        with pytest.raises(ValueError, match=r"must have shape \(3, any\)"):
            _checks.as_real_array(np.zeros((2, 2)), "x", shape=(3, None))

    def test_array_type_and_finite(self):
        with pytest.raises(TypeError, match="array of numbers"):
            _checks.as_real_array("abc", "x")
        with pytest.raises(TypeError, match="real numbers"):
            _checks.as_real_array([{}], "x")
        with pytest.raises(ValueError, match="NaN or infinite"):
            _checks.as_real_array([1, np.nan], "x")

    def test_numbers(self):
        assert _checks.as_number(2, "a", minimum=0) == 2.0
        with pytest.raises(TypeError, match="a must be a real number"):
            _checks.as_number("2", "a")
        with pytest.raises(TypeError):
            _checks.as_number(True, "a")
        with pytest.raises(ValueError, match="greater than 0"):
            _checks.as_number(0, "a", minimum=0, strict_minimum=True)
        with pytest.raises(ValueError, match="at most 1"):
            _checks.as_number(2, "a", maximum=1)
        with pytest.raises(ValueError, match="finite"):
            _checks.as_number(float("inf"), "a")
        assert _checks.as_int(3, "n", minimum=1) == 3
        with pytest.raises(TypeError, match="integer"):
            _checks.as_int(3.0, "n")
        with pytest.raises(ValueError, match="at least 1"):
            _checks.as_int(0, "n", minimum=1)
        with pytest.raises(ValueError, match="must be one of 'a', 'b'"):
            _checks.one_of("c", "mode", ("a", "b"))

    def test_rng(self):
        assert _checks.as_rng(1).integers(100) == np.random.default_rng(1).integers(100)
        generator = np.random.default_rng(0)
        assert _checks.as_rng(generator) is generator
        with pytest.raises(ValueError):
            _checks.as_rng(-1)


class TestFeedback:
    def test_placeholder_and_wrong_type_never_raise(self):
        for answer in (..., None, "text", [1, 2], float("nan")):
            feedback = exercises.check_box_energy(answer)
            assert isinstance(feedback, Feedback) and not feedback.passed
        assert "placeholder" in exercises.check_box_energy(...).message

    def test_right_and_typical_wrong_answers(self):
        exact_ha = 3 * np.pi**2 / 200
        assert exercises.check_box_energy(exact_ha * 27.211386245988).passed
        assert "Hartree" in exercises.check_box_energy(exact_ha).message
        assert "ground-state" in exercises.check_box_energy(exact_ha / 3 * 27.211386245988).message

    def test_exception_in_check_becomes_feedback(self):
        @checker("demo")
        def check_demo(answer):
            return 1 / answer == 1, "fine"

        feedback = check_demo(0)
        assert not feedback and "ZeroDivisionError" in feedback.message
        assert check_demo(1).passed
        assert "<div" in feedback._repr_html_() and "❌" in str(feedback)


def test_course_style_is_applied_by_call_only():
    code = ("import matplotlib as mpl; before = mpl.rcParams['axes.grid']; import course_utils.plots as p; "
            "unchanged = mpl.rcParams['axes.grid'] == before; p.use_course_style(); "
            "print(unchanged, mpl.rcParams['axes.grid'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True"]


def test_check_labelled_finds_missing_labels():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils.plots import check_labelled

    fig, (a, b) = plt.subplots(1, 2)
    a.plot([0, 1]), b.plot([0, 1])
    a.set_xlabel("x (bohr)"), a.set_ylabel("E (Ha)"), b.set_title("unlabelled")
    assert check_labelled(fig) == ["unlabelled"]
    plt.close(fig)


def test_environment_report_names_pins():
    from course_utils import env

    rows = env.check_environment()
    names = {row.name for row in rows}
    assert {"numpy", "scikit-learn", "keras"} <= names
    assert all(row.ok for row in rows), [f"{r.name}: {r.status}" for r in rows if not r.ok]
    assert "pinned versions" in env.report()
    assert env.supported_pythons() == ["3.11", "3.12", "3.13"]
    assert "the course supports Python" not in env.report()  # this interpreter is one of them
    missing = env.PackageStatus("nothing", "1.0", None)
    assert not missing.ok and missing.status == "MISSING"


def test_environment_report_flags_an_unsupported_python(monkeypatch):
    from course_utils import env

    monkeypatch.setattr(env, "supported_pythons", lambda: ["2.6", "2.7"])
    assert "! the course supports Python 2.6 or 2.7;" in env.report()


def test_widget_helpers_validate():
    from course_utils.widgets import float_slider, int_slider

    assert float_slider("a", 1.0, 0.0, 2.0, 0.1).value == 1.0
    with pytest.raises(ValueError, match="between"):
        float_slider("a", 3.0, 0.0, 2.0, 0.1)
    with pytest.raises(ValueError, match="step"):
        int_slider("n", 1, 0, 2, 0)


def test_exercise_checks_are_found_by_name_and_unique():
    checks = exercises.all_checks()
    assert "check_box_energy" in checks
    assert all(callable(c) and hasattr(c, "exercise") for c in checks.values()), "every check must use @checker"
    with pytest.raises(AttributeError, match="the checks are"):
        exercises.check_does_not_exist  # noqa: B018
