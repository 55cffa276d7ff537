"""Exercise checks of notebook 04: right answers pass, typical mistakes fail with a helpful message."""

import numpy as np

from course_utils import exercises, lattice
from course_utils.onedim import datasets, observables


class TestDimerBound:
    def test_right_answer_passes(self):
        feedback = exercises.check_rdm_dimer_bound(lambda dn: np.sqrt(1 - (dn / 2) ** 2))
        assert feedback.passed, feedback.message

    def test_typical_mistakes(self):
        cases = {
            "per-spin": lambda dn: 0.5 * np.sqrt(1 - (dn / 2) ** 2),
            "square root": lambda dn: 1 - (dn / 2) ** 2,
            "(Δn/2)²": lambda dn: np.sqrt(np.clip(1 - dn**2, 0, None)),
            "strong-coupling": lambda dn: np.sqrt(np.abs(dn) * (1 - np.abs(dn) / 2)),
            "even in Δn": lambda dn: np.sqrt(1 - (dn / 2) ** 2) + 0.1 * dn,
        }
        for expected_words, answer in cases.items():
            feedback = exercises.check_rdm_dimer_bound(answer)
            assert not feedback.passed
            assert expected_words in feedback.message, (expected_words, feedback.message)

    def test_placeholders_and_wrong_types_give_feedback(self):
        assert "placeholder" in exercises.check_rdm_dimer_bound(...).message

        def unfinished(delta_n):
            return ...

        assert "placeholder" in exercises.check_rdm_dimer_bound(unfinished).message
        assert "function" in exercises.check_rdm_dimer_bound(0.5).message
        assert "one number" in exercises.check_rdm_dimer_bound(lambda dn: 1.0).message
        import math

        feedback = exercises.check_rdm_dimer_bound(lambda dn: math.sqrt(1 - dn**2 / 4))
        assert not feedback.passed and "raised TypeError" in feedback.message
        with np.errstate(invalid="ignore"):
            assert "NaN" in exercises.check_rdm_dimer_bound(lambda dn: np.sqrt(0.5 - dn**2)).message


class TestNaturalOccupations:
    state = lattice.dimer_ground_state(4.0, 1.0, 1.0)

    def test_right_answer_passes_in_any_order(self):
        occupations = np.linalg.eigvalsh(0.5 * self.state.rdm1)
        assert exercises.check_rdm_natural_occupations(occupations, U=4.0, delta_v=1.0).passed
        assert exercises.check_rdm_natural_occupations(list(occupations[::-1])).passed

    def test_typical_mistakes(self):
        spin_summed = np.linalg.eigvalsh(self.state.rdm1)
        assert "spin-summed" in exercises.check_rdm_natural_occupations(spin_summed).message
        assert "diagonal" in exercises.check_rdm_natural_occupations(self.state.occupations / 2).message
        assert "Slater" in exercises.check_rdm_natural_occupations([1.0, 0.0]).message
        assert "two occupations" in exercises.check_rdm_natural_occupations([0.9, 0.05, 0.05]).message
        assert "sum to 1" in exercises.check_rdm_natural_occupations([0.9, 0.2]).message

    def test_placeholder(self):
        feedback = exercises.check_rdm_natural_occupations(...)
        assert not feedback.passed and "placeholder" in feedback.message
        assert not exercises.check_rdm_natural_occupations("0.9").passed


class TestCorrelationKinetic:
    data = datasets.load_rdm1_wells()
    index = 568

    def expected(self):
        n = self.data["density"][self.index]
        t_s = observables.rdm1_kinetic_energy(np.sqrt(np.outer(n, n)), self.data["kinetic_matrix"], self.data["dx"])
        return float(self.data["kinetic_energy"][self.index]), float(t_s)

    def test_right_answer_passes(self):
        t, t_s = self.expected()
        assert t - t_s > 0
        feedback = exercises.check_rdm_correlation_kinetic(t - t_s, index=self.index)
        assert feedback.passed, feedback.message

    def test_typical_mistakes(self):
        t, t_s = self.expected()
        check = exercises.check_rdm_correlation_kinetic
        assert "sign" in check(t_s - t, index=self.index).message
        assert "mHa" in check(1000 * (t - t_s), index=self.index).message
        assert "T_s alone" in check(t_s, index=self.index).message
        assert "exact kinetic energy" in check(t, index=self.index).message
        assert "dx" in check(t - t_s / self.data["dx"], index=self.index).message
        assert not check(t - t_s, index=self.index + 1).passed

    def test_placeholder_and_wrong_types(self):
        check = exercises.check_rdm_correlation_kinetic
        assert "placeholder" in check(..., index=self.index).message
        assert "one number" in check(np.array([0.1, 0.2]), index=self.index).message
        assert not check("abc", index=self.index).passed
