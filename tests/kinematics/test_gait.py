"""Gait events and per-step foot progression (screen.kinematics.gait and
foot_progression.walking) on
exact synthetic walks (tests/synthetic_gait.py): a straight walk at 1.2 m/s, stride 1 s, stance
0.6 s (heel contact → toe-off times known by construction), each stance with its own toe-out.

Bounds enforced (noiseless, points straight from tests/camera.py, no conditioning), walking
toward or away from the camera, camera yaw 0/±15° and roll 0/±5°:
* every complete stance in the clip is found (left 3: the first left stance starts at t = 0 and
  is cut off; right 4), heel contact and toe-off each within 0.05 s of the truth (in every case
  here exactly one frame, 0.033 s, inside the stance: the foot is still slow on the frames
  next to contact);
* the facing direction (perpendicular to the median hip line) is the true walking direction
  within 0.01° (the synthetic pelvis does not rotate);
* each step's FPA (median over the middle half of its stance) within 0.5° of truth.
Noise bounds: tests/protocols/test_foot_angle.py.
"""

import numpy as np
import pytest
import synthetic_gait as G
from camera import front_camera, to_recording

from screen.kinematics import foot_progression as fp
from screen.kinematics import gait
from screen.kinematics.geometry import unit

FL, FR = [8.0, 12.0, 5.0, 15.0], [2.0, 6.0, 10.0, 4.0]
TRUTH = G.stance_truth(4)
CASES = [(1.0, 0.0, 0.0), (1.0, 15.0, 5.0), (1.0, -15.0, -5.0), (-1.0, 0.0, 0.0),
         (-1.0, 15.0, -5.0), (-1.0, -15.0, 5.0)]


def _walk(heading=1.0, yaw=0.0, roll=0.0):
    _, pts = G.walking(FL, FR, heading=heading, start_x=-1.0 if heading > 0 else 4.2)
    cam = front_camera(distance=7.0, yaw_deg=yaw, roll_deg=roll)
    return to_recording(pts, cam), cam


def _in_camera_axes(cam, v, roll):
    """A world vector ``v`` in the camera-aligned, rolled axes of the landmarks."""
    right, down, forward = cam.basis()
    v = np.asarray(v, dtype=float)
    th = np.radians(roll)
    a, b = v @ right, v @ down
    return np.array([a * np.cos(th) - b * np.sin(th), a * np.sin(th) + b * np.cos(th), v @ forward])


@pytest.mark.parametrize("heading,yaw,roll", CASES)
def test_events_direction_and_steps(heading, yaw, roll):
    rec, cam = _walk(heading, yaw, roll)
    phases = gait.stance_phases(rec.pixels(), rec.t)
    up = fp.floor_up(rec.world)
    d = fp.facing(rec.world, up)
    true_up = _in_camera_axes(cam, [0.0, 1.0, 0.0], roll)
    truth_d = _in_camera_axes(cam, [heading, 0.0, 0.0], roll)
    cos = float(unit(fp.on_floor(d, true_up)) @ truth_d)
    assert np.degrees(np.arccos(min(cos, 1.0))) <= 0.01

    f = fp.walking(rec.world, d, up=up)
    for side, fpa, truth in (("left", FL[1:], TRUTH["left"][1:]), ("right", FR, TRUTH["right"])):
        times = rec.t[phases[side]]
        assert times.shape == truth.shape
        assert np.abs(times - truth).max() <= 0.05
        steps = gait.per_step(f[side], phases[side], rec.t)
        assert np.abs(np.array([s["value"] for s in steps]) - fpa).max() <= 0.5
        assert [s["rep"] for s in steps] == list(range(1, len(fpa) + 1))


def test_swing_alternates_and_standing_has_no_steps():
    rec, _ = _walk()
    sw = gait.swing(rec.pixels(), rec.t)
    assert not np.any(sw["left"] & sw["right"])  # never both feet in the air
    still = to_recording(G.standing(10.0, 10.0), front_camera())
    phases = gait.stance_phases(still.pixels(), still.t)
    assert all(len(p) == 0 for p in phases.values())


def test_missing_feet_drop_the_stance():
    rec, _ = _walk()
    p = rec.pixels()
    p[24:27, 30] = np.nan  # right heel lost inside its first stance (0.5–1.1 s)
    phases = gait.stance_phases(p, rec.t)
    assert len(phases["right"]) == 3 and len(phases["left"]) == 3


def test_stance_mask_and_per_step_without_valid_frames():
    mask = gait.stance_mask(np.array([[2, 4], [7, 8]]), 10)
    assert mask.tolist() == [False, False, True, True, True, False, False, True, True, False]
    steps = gait.per_step(np.full(30, np.nan), np.array([[2, 20]]), np.arange(30) / 30)
    assert steps == [{"rep": 1, "t_s": 2 / 30, "toe_off_t_s": 20 / 30, "value": None}]
