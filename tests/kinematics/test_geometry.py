"""Geometry primitives against hand-computed values."""

import numpy as np
import pytest

from screen.kinematics.geometry import angle_between, components, tilt_of, unit, up_vector


def test_angle_between_right_angle_and_parallel():
    assert angle_between([1, 0], [0, 1]) == pytest.approx(90.0)
    assert angle_between([1, 0, 0], [2, 0, 0]) == pytest.approx(0.0)
    assert angle_between([1, 0], [-1, 0]) == pytest.approx(180.0)


def test_angle_between_is_vectorised_over_frames():
    u = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    np.testing.assert_allclose(angle_between(u, [[1.0, 0.0]]), [0.0, 45.0, 90.0])


def test_angle_between_accurate_near_zero():
    # arccos loses this; atan2 keeps it (0.001° from hand computation: atan(1e-5/1) in degrees)
    assert angle_between([1, 0], [1, 1e-5]) == pytest.approx(np.degrees(1e-5), rel=1e-6)


def test_up_vector_level_and_tilted():
    np.testing.assert_allclose(up_vector(0), [0, -1], atol=1e-12)
    # 90° clockwise on screen from up is image +x
    np.testing.assert_allclose(up_vector(90), [1, 0], atol=1e-12)
    assert tilt_of(up_vector(-5.0)) == pytest.approx(-5.0)


def test_components_forward_and_up():
    fwd, up = components([3.0, -4.0], up_vector(0), 1.0)  # 3 px right, 4 px up
    assert (fwd, up) == (pytest.approx(3.0), pytest.approx(4.0))
    fwd, _ = components([3.0, -4.0], up_vector(0), -1.0)  # toes pointing to image left
    assert fwd == pytest.approx(-3.0)


def test_unit_of_zero_is_nan():
    assert np.all(np.isnan(unit([0.0, 0.0])))

