"""Seated hip rotation measures (screen.kinematics.rotation) on exact synthetic geometry
(tests/synthetic_seated.py): each lower leg is turned about its thigh axis by a known angle,
IR positive (foot lateral), and seen through the pinhole camera of tests/camera.py.

Bounds enforced, per frame, noiseless:
* camera square to the person (yaw 0), roll given to the 2-D path: 2-D and 3-D ≤ 0.001°;
* yaw ±15°, roll ±5°: 3-D ≤ 0.001° (roll not given: it needs none); 2-D (roll given) is
  foreshortened — |value| never exceeds |truth| by more than 0.001°, and the error stays
  ≤ 1.8° for rotations up to 35° (worst seen 1.64°, left IR 35° at yaw +15°);
* roll θ not given to the 2-D path: every value shifts by exactly ±θ (opposite on the two legs).
Noise bounds are enforced on the protocol's per-rep values (tests/protocols/test_hip_rotation.py).
"""

import numpy as np
import pytest
import synthetic_seated as S
from camera import front_camera, to_recording

from screen.kinematics.geometry import up_vector
from screen.kinematics.rotation import knee_flexion_3d, lateral_signs, rotation_2d, rotation_3d

T, TRACE = S.movements(35.0, 25.0, n_reps=1)
LEFT, RIGHT = TRACE, -0.6 * TRACE  # the right leg turns the other way, by less


def _rec(*, yaw=0.0, roll=0.0, back=False, **kw):
    pts = S.skeleton(LEFT, RIGHT, **kw)
    if back:  # turn the person 180° about the vertical: the camera now sees their back
        pts = pts * np.array([-1.0, 1.0, -1.0])
    return to_recording(pts, front_camera(yaw_deg=yaw, roll_deg=roll))


def test_square_camera_both_paths_exact():
    rec = _rec()
    r2, r3 = rotation_2d(rec.pixels()), rotation_3d(rec.world)
    for r in (r2, r3):
        assert np.abs(r["left"] - LEFT).max() <= 1e-3
        assert np.abs(r["right"] - RIGHT).max() <= 1e-3


@pytest.mark.parametrize("yaw,roll", [(15, 5), (-15, -5), (15, -5), (-15, 5)])
def test_off_axis_3d_exact_2d_foreshortened(yaw, roll):
    rec = _rec(yaw=yaw, roll=roll)
    r3 = rotation_3d(rec.world)
    r2 = rotation_2d(rec.pixels(), up_vector(roll))
    for s, truth in (("left", LEFT), ("right", RIGHT)):
        assert np.abs(r3[s] - truth).max() <= 1e-3
        assert np.all(np.abs(r2[s]) <= np.abs(truth) + 1e-3)
        assert np.abs(r2[s] - truth).max() <= 1.8


@pytest.mark.parametrize("roll", [5.0, -5.0])
def test_untold_roll_shifts_2d_by_the_roll(roll):
    """The image's up is taken as true up. With a roll θ a vertical shank appears θ clockwise
    on screen (x right, y down), so knee→ankle turns toward the image's left — the left leg's
    medial side and the right leg's lateral side in a front view: left −θ, right +θ."""
    rec = _rec(roll=roll)
    r2 = rotation_2d(rec.pixels())
    assert np.abs(r2["left"] - (LEFT - roll)).max() <= 1e-3
    assert np.abs(r2["right"] - (RIGHT + roll)).max() <= 1e-3
    r3 = rotation_3d(rec.world)
    assert np.abs(r3["left"] - LEFT).max() <= 1e-3


def test_back_view_keeps_the_sign():
    """Seen from behind the person's left is on the image's left; IR stays positive."""
    rec = _rec(back=True)
    assert lateral_signs(rec.pixels(), up_vector(0.0)) == {"left": -1.0, "right": 1.0}
    r2, r3 = rotation_2d(rec.pixels()), rotation_3d(rec.world)
    for r in (r2, r3):
        assert np.abs(r["left"] - LEFT).max() <= 1e-3
        assert np.abs(r["right"] - RIGHT).max() <= 1e-3


def test_3d_is_relative_to_the_resting_pelvis_2d_to_gravity():
    """Trunk lean and pelvis tilt (knees and feet unmoved) change neither path's value: the
    3-D path takes the thigh axis and hip line as medians over the recording."""
    tilt = np.where(TRACE > 20, 8.0, 0.0)
    rec = _rec(lean_deg=tilt, pelvis_tilt_deg=tilt)
    r2, r3 = rotation_2d(rec.pixels()), rotation_3d(rec.world)
    assert np.abs(r2["left"] - LEFT).max() <= 1e-3
    assert np.abs(r3["left"] - LEFT).max() <= 1e-3


def test_knee_flexion_is_ninety_when_seated_zero_when_standing():
    assert np.abs(knee_flexion_3d(_rec().world)["left"] - 90.0).max() <= 1e-3
    standing = to_recording(S.skeleton(0.0, 0.0, seated=False), front_camera())
    assert np.abs(knee_flexion_3d(standing.world)["right"]).max() <= 1e-3


def test_missing_points_give_nan_and_bad_shapes_raise():
    rec = _rec()
    w = rec.world.astype(float).copy()
    w[10:20, 27] = np.nan  # left ankle
    r3 = rotation_3d(w)
    assert np.all(np.isnan(r3["left"][10:20])) and np.all(np.isfinite(r3["right"]))
    with pytest.raises(ValueError, match=r"\(T, 33, 2\)"):
        rotation_2d(rec.world)
