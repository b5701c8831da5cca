"""Frontal-plane measures (screen/frontal.py) on hand-computed points and on exact projections.

Expected values are hand-computed from the constructed points (tan of known offsets), or the
3-D construction of tests/synthetic_squat.py where the leg lies in a plane parallel to the
image (a front camera at yaw 0 projects that plane by a similarity, so 2-D = 3-D exactly).
"""

import numpy as np
import pytest
import synthetic_squat as Q
from camera import front_camera

from screen.kinematics.frontal import hip_height, knee_valgus, lateral_shift, squat_depth
from screen.kinematics.geometry import up_vector
from screen.landmarks import LEG

UP = np.array([0.0, -1.0])


def _rot(p, deg):
    """Rotate image points (…, 2) screen-clockwise by ``deg`` about the origin."""
    a = np.radians(deg)
    r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return np.asarray(p, dtype=float) @ r.T


def _leg(knee_dx):
    """Hip (0, 0), ankle (0, 200), knee at (knee_dx, 100); other hip at (+100, 0)."""
    n = len(knee_dx)
    hip = np.zeros((n, 2))
    ankle = np.tile([0.0, 200.0], (n, 1))
    knee = np.stack([knee_dx, np.full(n, 100.0)], axis=1)
    other = np.tile([100.0, 0.0], (n, 1))
    return hip, knee, ankle, other


def test_valgus_hand_computed_sign_and_size():
    """Knee 20 px toward the other hip at mid-leg: FPPA = 2·atan(20/100) = 22.62°, positive;
    the same offset away from the other hip is −22.62° (varus); in line is 0."""
    hip, knee, ankle, other = _leg(np.array([20.0, -20.0, 0.0]))
    got = knee_valgus(hip, knee, ankle, other)
    expect = 2 * np.degrees(np.arctan(0.2))
    np.testing.assert_allclose(got, [expect, -expect, 0.0], atol=1e-9)


def test_valgus_mirrored_leg_and_back_view_keep_the_sign():
    """Mirroring the image (the other leg, or the person seen from the back) keeps a medial knee
    positive: medial is read from the other hip, never from image left/right."""
    hip, knee, ankle, other = _leg(np.array([20.0]))
    flip = np.array([-1.0, 1.0])
    expect = 2 * np.degrees(np.arctan(0.2))  # 22.62°, as in the hand-computed case
    assert knee_valgus(hip * flip, knee * flip, ankle * flip, other * flip)[0] == \
        pytest.approx(expect, abs=1e-9)


@pytest.mark.parametrize("roll", [-5.0, 5.0, 30.0])
def test_valgus_is_roll_invariant(roll):
    hip, knee, ankle, other = _leg(np.array([20.0, -7.0]))
    a = knee_valgus(hip, knee, ankle, other)
    b = knee_valgus(*(_rot(p, roll) for p in (hip, knee, ankle, other)))
    np.testing.assert_allclose(a, b, atol=1e-9)


def test_valgus_nan_where_a_point_is_missing():
    hip, knee, ankle, other = _leg(np.array([20.0, 20.0]))
    knee[1] = np.nan
    got = knee_valgus(hip, knee, ankle, other)
    assert np.isfinite(got[0]) and np.isnan(got[1])


@pytest.mark.parametrize("roll", [0.0, -5.0, 5.0])
@pytest.mark.parametrize("v", [(8.0, 3.0), (-4.0, 12.0)])
def test_valgus_of_projected_standing_legs_equals_the_3d_angle(v, roll):
    """Exact 3-D truth: standing legs (shank vertical, thigh vertical) with frontal valgus v
    (left, right), seen by a front camera at yaw 0 and rolled ±5°: bound 1e-6° (float64)."""
    world = Q.skeleton([0.0], [-90.0], 0.0, 0.0, valgus=v)
    px = front_camera(roll_deg=roll).project(world)
    for k, (s, o) in enumerate((("left", "right"), ("right", "left"))):
        got = knee_valgus(px[:, LEG[s][0]], px[:, LEG[s][1]], px[:, LEG[s][2]], px[:, LEG[o][0]])
        assert got[0] == pytest.approx(v[k], abs=1e-6)


def test_lateral_shift_hand_computed_front_and_back():
    """Hips ±50 px about x = 10, ankles ±60 px about x = 0: the pelvis is 10 px toward the left
    hip = 0.1 hip widths, in a front view (left hip on the image right) and a back view."""
    lh, rh = np.array([[60.0, 0.0]]), np.array([[-40.0, 0.0]])
    la, ra = np.array([[60.0, 300.0]]), np.array([[-60.0, 300.0]])
    assert lateral_shift(lh, rh, la, ra, UP)[0] == pytest.approx(0.1)
    flip = np.array([-1.0, 1.0])  # back view: the left hip appears on the image left
    assert lateral_shift(lh * flip, rh * flip, la * flip, ra * flip, UP)[0] == pytest.approx(0.1)


def test_lateral_shift_uses_the_given_vertical():
    """A roll of 5° applied to the image and passed as ``up`` leaves the shift unchanged."""
    pts = [np.array([[60.0, 0.0]]), np.array([[-40.0, 0.0]]), np.array([[60.0, 300.0]]),
           np.array([[-60.0, 300.0]])]
    rolled = [_rot(p, 5.0) for p in pts]
    assert lateral_shift(*rolled, up_vector(5.0))[0] == pytest.approx(0.1)


def test_lateral_shift_of_projected_lean_equals_the_3d_shift():
    """Exact 3-D truth at yaw 0: legs leaning 4° to the person's left over fixed ankles that are
    symmetric about the optical axis. Expected = (hip midpoint − ankle midpoint) toward the left
    (−Z) over hip width, from the world points; bound 1e-9 hip widths."""
    world = Q.skeleton([5.0], [-60.0], 10.0, 0.0, lean=4.0)
    px = front_camera().project(world)
    L, R = LEG["left"], LEG["right"]
    w = world[0]
    expect = -(((w[L[0]] + w[R[0]]) / 2 - (w[L[2]] + w[R[2]]) / 2)[2]) / np.linalg.norm(
        w[L[0]] - w[R[0]])
    got = lateral_shift(px[:, L[0]], px[:, R[0]], px[:, L[2]], px[:, R[2]], UP)[0]
    assert expect > 0.05 and got == pytest.approx(expect, abs=1e-9)


def test_hip_height_and_depth_hand_computed():
    hips = np.array([[0.0, 100.0], [0.0, 300.0], [0.0, 100.0]])
    ankles = np.tile([0.0, 500.0], (3, 1))
    np.testing.assert_allclose(hip_height(hips, ankles, UP), [400.0, 200.0, 400.0])
    np.testing.assert_allclose(squat_depth(hips, ankles, UP, 100.0), [0.0, 2.0, 0.0])


def test_depth_all_missing_is_nan_without_warnings():
    nan = np.full((4, 2), np.nan)
    assert np.all(np.isnan(squat_depth(nan, nan, UP, 100.0)))


def test_bad_shape_raises():
    with pytest.raises(ValueError, match="image points"):
        knee_valgus(np.zeros((3, 3)), np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((3, 2)))
