"""Foot progression angle from world landmarks (screen.kinematics.foot_progression) on exact synthetic
skeletons (tests/synthetic_gait.py): each foot's heel→toe axis is turned by a known toe-out
angle on a level floor; the skeleton is seen through tests/camera.py, whose world landmarks are
camera-aligned and rolled with the image, as MediaPipe's are.

Bounds enforced: noiseless ≤ 0.05° per frame for any camera yaw (±15°) and roll (±5°), front or
back (float32 landmarks; the worst seen is 0.017°). With 1 cm Gaussian world-landmark noise per
coordinate and frame, the median over 60 frames ≤ 2° (worst over 10 seeds: 1.66°).
"""

import numpy as np
import pytest
import synthetic_gait as G
from camera import front_camera, to_recording

from screen.kinematics import foot_progression as fp


def _world(fl, fr, *, yaw=0.0, roll=0.0, heading=1.0, pitch=3.0, noise=0.0, seed=0, swap=None):
    pts = G.standing(fl, fr, heading=heading, pitch_deg=pitch)
    cam = front_camera(yaw_deg=yaw, roll_deg=roll)
    return to_recording(pts, cam, world_noise_m=noise, seed=seed, swap=swap).world, cam


@pytest.mark.parametrize("heading", [1.0, -1.0])
@pytest.mark.parametrize("yaw,roll", [(0, 0), (15, 5), (-15, -5), (15, -5)])
@pytest.mark.parametrize("fl,fr", [(12.0, 5.0), (-8.0, 25.0), (0.0, 0.0)])
def test_standing_exact_any_camera(fl, fr, yaw, roll, heading):
    """Toe-out positive, toe-in negative, per side, front (heading +1) or back view."""
    world, _ = _world(fl, fr, yaw=yaw, roll=roll, heading=heading)
    f = fp.standing(world)
    assert np.abs(f["left"] - fl).max() <= 0.05
    assert np.abs(f["right"] - fr).max() <= 0.05


def test_floor_up_is_true_vertical_in_camera_axes():
    """With heel and toe at one height (pitch 0) the fitted floor normal is exactly true up,
    expressed in the camera-aligned, rolled axes: (up·right, up·down, up·forward) rolled by the
    camera roll (tests/camera.py convention)."""
    world, cam = _world(10.0, 10.0, yaw=15, roll=5, pitch=0.0)
    right, down, forward = cam.basis()
    up = np.array([0.0, 1.0, 0.0])
    th = np.radians(5.0)
    a, b = up @ right, up @ down
    expected = np.array([a * np.cos(th) - b * np.sin(th), a * np.sin(th) + b * np.cos(th),
                         up @ forward])
    assert fp.floor_up(world) == pytest.approx(expected, abs=1e-5)


def test_floor_up_falls_back_to_camera_up_without_enough_points():
    world, _ = _world(10.0, 10.0)
    world[:, list(fp.FOOT_POINTS["left"])] = np.nan
    world[1:] = np.nan  # one frame, two points
    assert fp.floor_up(world) == pytest.approx(fp.CAMERA_UP)


def test_mirrored_labels_report_each_labelled_foot_consistently():
    """MediaPipe may mirror left/right (e.g. from behind): the foot labelled left is then the
    right foot, and its own toe-out (5°) is what is reported for that label — no sign flip."""
    world, _ = _world(12.0, 5.0, swap=np.ones(60, bool))
    f = fp.standing(world)
    assert np.abs(f["left"] - 5.0).max() <= 0.05 and np.abs(f["right"] - 12.0).max() <= 0.05


def test_walking_relative_to_a_given_direction():
    """Relative to a direction turned 10° toward the person's left, the left foot's toe-out
    reads 10° less and the right foot's 10° more (exact)."""
    world, _ = _world(12.0, 5.0)  # camera square to the person, level
    up = fp.floor_up(world)
    walk = np.array([0.0, 0.0, -1.0])  # toward the camera, in camera-aligned axes
    left = np.cross(up, walk)  # candidate; the function itself decides which side is left
    turned = np.cos(np.radians(10)) * walk + np.sin(np.radians(10)) * left
    f0, f1 = fp.walking(world, walk, up=up), fp.walking(world, turned, up=up)
    d = f1["left"] - f0["left"]
    assert np.abs(np.abs(d) - 10.0).max() <= 0.05
    assert np.abs((f1["right"] - f0["right"]) + d).max() <= 0.05  # opposite for the other foot
    assert np.abs(f0["left"] - 12.0).max() <= 0.05 and np.abs(f0["right"] - 5.0).max() <= 0.05


def test_noise_median_bound():
    """1 cm world noise, 15° yaw, 5° roll: the median over 60 frames within 2° of truth (worst
    over these 10 seeds: 1.66°)."""
    worst = 0.0
    for seed in range(10):
        world, _ = _world(12.0, 5.0, yaw=15, roll=5, noise=0.01, seed=seed)
        f = fp.standing(world)
        worst = max(worst, abs(np.median(f["left"]) - 12.0), abs(np.median(f["right"]) - 5.0))
    assert worst <= 2.0


def test_bad_shape_is_rejected():
    with pytest.raises(ValueError, match=r"\(T, 33, 3\)"):
        fp.standing(np.zeros((5, 33, 2)))
