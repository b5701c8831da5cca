"""Guidance of the live view on exact synthetic skeletons (tests/synthetic.py): a side-on knee
drive needs no instruction; the same person facing the camera, feet out of frame or a lifted
heel each get their plain instruction."""

from __future__ import annotations

import numpy as np
import synthetic

from screen.landmarks import FEET
from screen.live.panel import latest
from screen.live.session import look, protocol_settings
from screen.protocols import PROTOCOLS

TEST = "knee_to_wall"


def advice(rec) -> list[str]:
    settings = protocol_settings(TEST)
    points = rec.pixels()
    problems, _, _ = look(TEST, rec.image, points,
                          PROTOCOLS[TEST].frame_measures(points, settings), settings)
    return problems


def test_side_view_in_frame_needs_no_guidance():
    t, incl = synthetic.knee_drives(1, period_s=2.0)
    assert advice(synthetic.recording(incl)) == []


def test_facing_the_camera_is_told_to_turn_sideways():
    t, incl = synthetic.knee_drives(1, period_s=2.0)
    assert advice(synthetic.recording(incl, facing_camera=True)) == ["turn sideways to the camera"]


def test_feet_out_of_frame_are_told_to_step_back():
    t, incl = synthetic.knee_drives(1, period_s=2.0)
    rec = synthetic.recording(incl)
    rec.image[:, list(FEET), 1] = 1.05  # below the bottom edge
    assert advice(rec) == ["step back or lower the camera so both feet are visible"]


def test_lifted_heel_is_told_to_stay_down():
    """Foot pitch 3° then 15° on the last 5 frames: the heel rises sin 18° − sin 3° = 0.26 foot
    lengths over the window's start, above the protocol's 0.12 heel-down limit."""
    n = 60
    pitch = np.r_[np.full(n - 5, 3.0), np.full(5, 15.0)]
    rec = synthetic.recording(np.full(n, 10.0), pitch)
    assert advice(rec) == ["keep your heel down"]


def test_no_person_is_told_to_stand_in_front():
    rec = synthetic.recording(np.full(10, 10.0))
    rec.image[:] = np.nan
    assert advice(rec) == ["no person found: stand in front of the camera"]


def test_latest_is_the_newest_sample_or_nan():
    assert latest(np.array([1.0, 2.0])) == 2.0
    assert np.isnan(latest(np.array([1.0, np.nan])))
    assert np.isnan(latest(np.array([])))
