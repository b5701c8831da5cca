"""Seated hip-rotation protocol on exact synthetic recordings (tests/synthetic_seated.py).

No real seated hip-rotation clip exists in this project (GUIDE §6): the protocol is validated on
exact synthetic geometry only.

Ground truth by construction: two IR and two ER movements per side — left leg IR 35°, ER 25°;
right leg moving the other way at 0.6× (IR 15°, ER 21°) — each movement's end range exactly on a
frame. Bounds enforced per movement's end range:
* noiseless, camera square or off-axis (yaw ±15°, roll ±5° not given), 3-D path: ≤ 0.5°;
* 2-px image noise and 1-cm world-landmark noise (Gaussian per coordinate and frame), 10 seeds:
  3-D path ≤ 2.5° at yaw 0 and ±15°; 2-D path, roll given, yaw 0: ≤ 2.5°. These are
  regression guards (marked ``regression``), not accuracy specifications: no instrument anchor
  exists for a seated shank angle from video; the clinical anchor is the MDC of a phone on the
  shank, 10.9–16.5° (GUIDE §3), which each bound is far inside.

Scene: a seated leg swinging its foot out reads, to the scene's activity rule, as one foot moving
faster than the other — "walking" — so every measurement test passes ``SCENE`` (activity
thresholds out of reach) to test the protocol's geometry; the default behaviour is the strict
xfail ``test_seated_rotation_is_measured_with_default_scene_settings`` (a bug in
screen/scene/segments.py).
"""

import dataclasses

import numpy as np
import pytest
import synthetic_seated as S
from camera import front_camera, side_camera, to_recording

from screen import analyze
from screen.errors import MovescreenError
from screen.landmarks import LM
from screen.protocols import hip_rotation
from screen.recording import Recording
from screen.scene.segments import SceneSettings

SCENE = SceneSettings(walking_speed=1e3, stepping_speed=1e3)  # see the module docstring

T, TRACE = S.movements(35.0, 25.0)
TRUTH = {("left", "internal_rotation"): 35.0, ("left", "external_rotation"): 25.0,
         ("right", "internal_rotation"): 15.0, ("right", "external_rotation"): 21.0}
WINDOWS = S.movement_windows()


def _rec(*, yaw=0.0, roll=0.0, noise_px=0.0, world_noise_m=0.0, seed=0, camera=None, **kw):
    # right leg: IR when the left leg externally rotates and vice versa, 0.6× (IR 15, ER 21)
    pts = S.skeleton(TRACE, -0.6 * TRACE, **kw)
    cam = camera or front_camera(yaw_deg=yaw, roll_deg=roll)
    return to_recording(pts, cam, noise_px=noise_px, world_noise_m=world_noise_m, seed=seed)


def _analyze(rec, **kw):
    return analyze(rec, test="hip_rotation", scene=SCENE, **kw)


def _values(r, side, name):
    return np.array([rep["value"] for rep in r.measurement(name, side).reps])


@pytest.mark.parametrize("yaw,roll", [(0, 0), (15, 5), (-15, -5)])
def test_noiseless_end_ranges_exact(yaw, roll):
    """Bound ≤ 0.5° per movement against the construction (the 3-D path is exact under yaw and
    roll). Statuses from thresholds.toml: IR 35° within the 30–40° normal range of the starting
    material; IR 15° below it (restricted, above the < 10° severe limit)."""
    r = _analyze(_rec(yaw=yaw, roll=roll))
    assert r.view["path"] == "3d"
    for (side, name), truth in TRUTH.items():
        v = _values(r, side, name)
        assert len(v) == 2
        assert np.abs(v - truth).max() <= 0.5
        m = r.measurement(name, side)
        assert m.value == pytest.approx(truth, abs=0.5)
        assert m.statistic == "end range"
    assert r.measurement("internal_rotation", "left").status == "normal"  # 35 in 30–40
    assert r.measurement("internal_rotation", "right").status == "restricted"  # 10 ≤ 15 < 30
    assert r.measurement("external_rotation", "left").status == "not_rated"
    assert not any("movement" in w for w in r.quality["warnings"])


def test_end_range_is_the_largest_excursion_not_the_mean():
    """Two IR movements of the left leg to 35° and 25°: the reported end range is 35° (the
    largest), the median 30°. A mean or a median reported as the value would read 30°."""
    t, first = S.movements(35.0, 25.0, n_reps=1)
    _, second = S.movements(25.0, 25.0, n_reps=1)
    trace = np.concatenate([first, second])
    r = _analyze(to_recording(S.skeleton(trace, -0.6 * trace), front_camera()))
    m = r.measurement("internal_rotation", "left")
    assert sorted(_values(r, "left", "internal_rotation")) == pytest.approx([25.0, 35.0], abs=0.5)
    assert m.value == pytest.approx(35.0, abs=0.5) and m.median == pytest.approx(30.0, abs=0.5)


def test_seated_rotation_is_measured_with_default_scene_settings():
    r = analyze(_rec(), test="hip_rotation")
    assert len(_values(r, "left", "internal_rotation")) == 2
    assert {s["activity"] for s in r.to_dict()["segments"]} == {"in_place"}


def test_end_range_times_and_both_paths_listed():
    r = _analyze(_rec())
    reps = r.measurement("internal_rotation", "left").reps
    peaks = [(a + b - 1) / 2 / 30.0 for a, b in WINDOWS["ir"]]  # the middle of each movement
    assert [rep["t_s"] for rep in reps] == pytest.approx(peaks, abs=0.05)
    assert all(abs(rep["flags"]["value_2d"] - 35.0) <= 0.5
               and abs(rep["flags"]["value_3d"] - 35.0) <= 0.5 for rep in reps)


@pytest.mark.regression
@pytest.mark.parametrize("yaw,roll", [(0, 0), (15, 5), (-15, -5)])
def test_noise_bounds_3d(yaw, roll):
    """Regression guard (module docstring): 2 px + 1 cm noise, 10 seeds, ≤ 2.5° per movement."""
    for seed in range(10):
        r = _analyze(_rec(yaw=yaw, roll=roll, noise_px=2.0, world_noise_m=0.01, seed=seed))
        for (side, name), truth in TRUTH.items():
            v = _values(r, side, name)
            assert len(v) == 2 and np.abs(v - truth).max() <= 2.5


@pytest.mark.regression
def test_noise_bounds_2d_roll_given():
    """Regression guard (module docstring): the 2-D path with a 5° roll given, ≤ 2.5°."""
    for seed in range(10):
        r = _analyze(_rec(roll=5.0, noise_px=2.0, world_noise_m=0.01, seed=seed), path="2d",
                     camera_tilt_deg=5.0)
        assert r.view["path"] == "2d"
        for (side, name), truth in TRUTH.items():
            v = _values(r, side, name)
            assert len(v) == 2 and np.abs(v - truth).max() <= 2.5


def test_untold_roll_is_estimated_for_the_2d_path():
    """The 2-D path reads the shank against true up: with a 5° roll given it is exact; not
    given, the analysis estimates the vertical (result's ``vertical``, not assumed level) and
    the 2-D values stay within 0.5° of the roll-given ones. (Without an estimate the roll would
    move one leg's IR up and the other's down by 5°.)"""
    told = _analyze(_rec(roll=5.0), path="2d", camera_tilt_deg=5.0)
    untold = _analyze(_rec(roll=5.0), path="2d")
    assert np.abs(_values(told, "left", "internal_rotation") - 35.0).max() <= 0.5
    assert untold.to_dict()["vertical"]["source"] != "assumed_level"
    for s in ("left", "right"):
        assert np.abs(_values(untold, s, "internal_rotation")
                      - _values(told, s, "internal_rotation")).max() <= 0.5


def test_trunk_lean_during_the_second_ir_names_that_movement():
    lean = np.zeros_like(TRACE)
    a, b = WINDOWS["ir"][1]
    lean[a:b] = 15.0 * np.sin(np.pi * np.arange(b - a) / (b - a - 1))  # 15° at the end range
    r = _analyze(_rec(lean_deg=lean))
    reps = r.measurement("internal_rotation", "left").reps
    assert [bool(rep["flags"]["compensation"]) for rep in reps] == [False, True]
    assert abs(reps[1]["flags"]["trunk_lean_change_deg"]) == pytest.approx(15.0, abs=1.0)
    assert any(w.startswith("left internal rotation movement") and "trunk lean" in w
               for w in r.quality["warnings"])
    assert abs(_values(r, "left", "internal_rotation")[1] - 35.0) <= 0.5  # value still measured


def test_pelvis_lift_during_an_er_is_flagged():
    tilt = np.zeros_like(TRACE)
    a, b = WINDOWS["er"][0]
    tilt[a:b] = 8.0 * np.sin(np.pi * np.arange(b - a) / (b - a - 1))
    r = _analyze(_rec(pelvis_tilt_deg=tilt))
    reps = r.measurement("external_rotation", "left").reps
    assert reps[0]["flags"]["pelvis_tilt_change_deg"] == pytest.approx(8.0, abs=0.5)  # left hip up
    assert any(w.startswith("left external rotation movement") and "pelvis tilt" in w
               for w in r.quality["warnings"])


def test_standing_person_is_not_measured():
    r = _analyze(_rec(seated=False))
    assert all(m.status == "insufficient_data" for m in r.measurements)
    assert "does not look seated" in r.measurements[0].reason


def test_side_view_is_insufficient_with_reason():
    r = _analyze(_rec(camera=side_camera()))
    assert all(m.status == "insufficient_data" for m in r.measurements)
    assert "front view" in r.measurements[0].reason


def test_no_movement_is_insufficient_data():
    pts = S.skeleton(np.zeros(90), np.zeros(90))
    r = _analyze(to_recording(pts, front_camera()))
    m = r.measurement("internal_rotation", "left")
    assert m.status == "insufficient_data" and "no internal rotation movement" in m.reason


def test_side_setting_and_frame_measures():
    rec = _rec()
    r = _analyze(rec, side="left")
    assert [m.side for m in r.measurements] == ["left", "left"]
    traces = hip_rotation.frame_measures(rec.pixels(), hip_rotation.Settings())
    assert set(traces) == {"left_rotation", "right_rotation", "trunk_lean", "pelvis_tilt"}
    assert np.abs(traces["left_rotation"] - TRACE).max() <= 1e-3
    assert np.abs(traces["trunk_lean"]).max() <= 1e-3


def test_settings_are_a_frozen_dataclass_with_side():
    s = hip_rotation.Settings()
    assert s.side is None and dataclasses.is_dataclass(s)
    assert hip_rotation.PROTOCOL.VIEWS == ("front",) and hip_rotation.PROTOCOL.NAME == "hip_rotation"


def test_ankles_hidden_is_insufficient_with_reason():
    rec = _rec()
    image = rec.image.copy()
    image[:, [LM.LEFT_ANKLE, LM.RIGHT_ANKLE], 3] = 0.1  # the model doubts the ankles
    r = _analyze(Recording(t=rec.t, image=image, world=rec.world, meta=rec.meta))
    assert all(m.status == "insufficient_data" for m in r.measurements)
    assert "out of frame or hidden" in r.measurements[0].reason


def test_unknown_path_is_a_clear_error():
    with pytest.raises(MovescreenError, match="path='4d'.*choose from auto, 3d, 2d"):
        _analyze(_rec(), path="4d")
