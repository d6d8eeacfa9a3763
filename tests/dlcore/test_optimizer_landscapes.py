"""The 2-D loss surfaces of notebook 05 and the paths optimizers take on them."""

import numpy as np
import pytest

from dlcore.gradcheck import numerical_gradient
from dlcore.optimizers import functional, landscapes


@pytest.mark.parametrize("name", sorted(landscapes.LANDSCAPES))
def test_gradient_matches_the_numerical_gradient(name):
    surface = landscapes.get(name)
    for point in ([0.3, -0.7], [-1.2, 1.0], [2.0, 0.5]):
        w = np.array(point)
        numeric = numerical_gradient(lambda v: float(surface.value(v)), w.copy())
        np.testing.assert_allclose(surface.gradient(w), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(landscapes.LANDSCAPES))
def test_minimum_has_value_zero_and_zero_gradient(name):
    surface = landscapes.get(name)
    assert surface.value(np.array(surface.minimum)) == 0.0
    np.testing.assert_array_equal(surface.gradient(np.array(surface.minimum)), [0.0, 0.0])


def test_value_and_gradient_work_on_a_grid():
    X, Y, Z = landscapes.Rosenbrock().grid(7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    assert landscapes.ElongatedBowl().gradient(np.zeros((4, 5, 2))).shape == (4, 5, 2)
    assert landscapes.Rosenbrock(a=2.0).minimum == (2.0, 4.0)


def test_descend_runs_a_rule_and_returns_the_whole_path():
    bowl = landscapes.ElongatedBowl()
    path = landscapes.descend(functional.sgd_update, bowl.start, bowl.gradient, 3, lr=0.1)
    assert path.shape == (4, 2)
    x0, y0 = bowl.start
    np.testing.assert_allclose(path[1], [x0 * (1 - 0.1 * bowl.a), y0 * (1 - 0.1 * bowl.b)])


def test_a_diverging_path_stops_early_without_warnings():
    path = landscapes.optimizer_path("sgd", "bowl", 500, lr=0.5)  # 1 - 10 lr = -4: explodes
    assert len(path) < 501 and np.isfinite(path).all()


def test_momentum_beats_sgd_on_the_elongated_bowl():
    def steps_to_arrive(path):
        return int(np.argmax(np.linalg.norm(path, axis=1) < 0.1))

    sgd = landscapes.optimizer_path("sgd", "bowl", 150, lr=0.19)
    momentum = landscapes.optimizer_path("momentum", "bowl", 150, lr=0.5, momentum=0.9)
    assert steps_to_arrive(momentum) < steps_to_arrive(sgd) / 2


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="unknown landscape 'banana'"):
        landscapes.get("banana")
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\); received \(3,\)"):
        landscapes.ElongatedBowl().value(np.ones(3))
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        landscapes.optimizer_path("sgd", "bowl", -1)
    with pytest.raises(ValueError, match="ElongatedBowl b must be a number > 0"):
        landscapes.ElongatedBowl(b=0.0)
