"""Exercise checks of notebook 04: right answers pass, typical mistakes fail with a helpful message."""

import numpy as np
import pytest

from course_utils import exercises, lattice


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


@pytest.mark.slow  # imports TensorFlow and trains three small networks
class TestAblation:
    """check_rdm_ablation: trained one-constraint networks pass with the measured conclusion, mistakes fail."""

    @pytest.fixture(scope="class")
    def networks(self):
        from course_utils.learn import rdm_networks, training

        pool, valid = lattice.dimer_samples(32, seed=4), lattice.dimer_samples(200, seed=2)
        x, y = rdm_networks.dimer_inputs(pool["delta_n"], pool["U"]), pool["gamma_12"][:, None]
        xv, yv = rdm_networks.dimer_inputs(valid["delta_n"], valid["U"]), valid["gamma_12"][:, None]
        built = {}
        for symmetric, bounded in ((True, False), (False, True), (True, True)):
            model = rdm_networks.dimer_network(symmetric=symmetric, bounded=bounded, hidden=(16, 16), seed=0)
            untrained = rdm_networks.dimer_network(symmetric=symmetric, bounded=bounded, hidden=(16, 16), seed=1)
            training.CompiledTrainer(model, learning_rate=1e-2).fit(x, y, xv, yv, max_steps=1000, check_every=100,
                                                                    patience=5)
            built[(symmetric, bounded)] = model
            built[("untrained", symmetric, bounded)] = untrained
        test = lattice.dimer_samples(2000, seed=3)
        mae = {key: float(np.mean(np.abs(rdm_networks.predict_gamma(built[key], test["delta_n"], test["U"])
                                         - test["gamma_12"]))) for key in ((True, False), (False, True))}
        built["winner"] = "symmetry" if mae[(True, False)] < mae[(False, True)] else "bound"
        built["close"] = abs(np.log(mae[(True, False)] / mae[(False, True)])) < np.log(1.1)
        return built

    def test_right_answer_passes(self, networks):
        feedback = exercises.check_rdm_ablation(networks[(True, False)], networks[(False, True)], networks["winner"])
        assert feedback.passed, feedback.message
        assert "helped more" in feedback.message

    def test_wrong_conclusion_fails_unless_a_tie(self, networks):
        other = "bound" if networks["winner"] == "symmetry" else "symmetry"
        feedback = exercises.check_rdm_ablation(networks[(True, False)], networks[(False, True)], other)
        assert feedback.passed == networks["close"]
        if not networks["close"]:
            assert "say otherwise" in feedback.message

    def test_typical_mistakes(self, networks):
        check = exercises.check_rdm_ablation
        swapped = check(networks[(False, True)], networks[(True, False)], "bound")
        assert not swapped.passed and "symmetry_only" in swapped.message and "bound but not the symmetry" in (
            swapped.message)
        both = check(networks[(True, False)], networks[(True, True)], "bound")
        assert not both.passed and "both constraints" in both.message
        untrained = check(networks[("untrained", True, False)], networks[(False, True)], "bound")
        assert not untrained.passed and "untrained" in untrained.message
        assert "string" in check(networks[(True, False)], networks[(False, True)], "the bound").message
        assert "Keras network" in check(0.01, networks[(False, True)], "bound").message

    def test_placeholders(self, networks):
        assert "placeholder" in exercises.check_rdm_ablation(..., ..., ...).message
        assert "placeholder" in exercises.check_rdm_ablation(networks[(True, False)], networks[(False, True)],
                                                             ...).message
