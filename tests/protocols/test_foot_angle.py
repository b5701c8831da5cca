"""Foot angle protocol on exact synthetic recordings (tests/synthetic_gait.py).

Ground truth by construction: standing with toe-out 12° (left) and 5° (right); walking 7 m →
2.8 m toward the camera (or away from it, seen from behind) with per-stance toe-out left
8, 12, 5, 15° and right 2, 6, 10, 4° (the first left stance starts at t = 0 and is cut off, so
left has 3 complete steps, right 4).

Bounds enforced:
* noiseless, camera yaw ±15°, roll ±5°: standing median ≤ 0.5°; every walking step ≤ 0.5°;
* 2-px image noise + 5-mm world-landmark noise (Gaussian per coordinate and frame), yaw ±15°,
  roll ±5°, 10 seeds, toward and away: every step found, each step ≤ 2.5° (worst seen 1.81°),
  the median of steps ≤ 2° (worst seen 1.37°). (With 1-cm world noise, not enforced: 3.54° and
  2.64°.)
"""

import dataclasses

import numpy as np
import pytest
import synthetic_gait as G
from camera import front_camera, side_camera, to_recording

from screen import analyze
from screen.errors import MovescreenError
from screen.landmarks import FEET
from screen.protocols import foot_angle
from screen.recording import Recording

FL, FR = [8.0, 12.0, 5.0, 15.0], [2.0, 6.0, 10.0, 4.0]
STEPS = {"left": FL[1:], "right": FR}
M = "foot_progression_angle"


def _walk(heading=1.0, **cam):
    _, pts = G.walking(FL, FR, heading=heading, start_x=-1.0 if heading > 0 else 4.2)
    return pts, front_camera(distance=7.0, **cam)


def _steps(r, side):
    return np.array([s["value"] for s in r.measurement(M, side).reps])


@pytest.mark.parametrize("heading", [1.0, -1.0])
@pytest.mark.parametrize("yaw,roll", [(0, 0), (15, 5), (-15, -5)])
def test_standing_exact_and_not_rated(heading, yaw, roll):
    rec = to_recording(G.standing(12.0, 5.0, heading=heading),
                       front_camera(yaw_deg=yaw, roll_deg=roll))
    r = analyze(rec, test="foot_angle")
    assert r.view["view"] == ("front" if heading > 0 else "back")
    assert r.view["mode"] == "standing"
    for side, truth in (("left", 12.0), ("right", 5.0)):
        m = r.measurement(M, side)
        assert m.value == pytest.approx(truth, abs=0.5)
        assert m.status == "not_rated"  # Staheli's norm is for walking
        assert m.statistic.startswith("median of frames")


@pytest.mark.parametrize("heading", [1.0, -1.0])
@pytest.mark.parametrize("yaw,roll", [(0, 0), (15, 5), (-15, -5)])
def test_walking_steps_exact(heading, yaw, roll):
    pts, cam = _walk(heading, yaw_deg=yaw, roll_deg=roll)
    r = analyze(to_recording(pts, cam), test="foot_angle")
    assert r.view["mode"] == "walking"
    for side, truth in STEPS.items():
        v = _steps(r, side)
        assert len(v) == len(truth) and np.abs(v - truth).max() <= 0.5
        m = r.measurement(M, side)
        assert m.value == pytest.approx(np.median(truth), abs=0.5)
        q1, q3 = np.percentile(truth, [25, 75])
        assert m.spread == pytest.approx(q3 - q1, abs=0.5)  # interquartile range of the steps
        assert m.status == "normal"  # −3° ≤ value ≤ 20° (Staheli 1985)
    heel_contacts = [s["t_s"] for s in r.measurement(M, "right").reps]
    assert heel_contacts == pytest.approx([0.5, 1.5, 2.5, 3.5], abs=0.1)
    assert r.frames["right_stance"].sum() > 0


@pytest.mark.parametrize("heading", [1.0, -1.0])
def test_walking_noise_bounds(heading):
    pts, _ = _walk(heading)
    for seed in range(10):
        cam = front_camera(distance=7.0, yaw_deg=15.0 * (-1) ** seed,
                           roll_deg=5.0 * (-1) ** (seed // 2))
        r = analyze(to_recording(pts, cam, noise_px=2.0, world_noise_m=0.005, seed=seed),
                    test="foot_angle")
        for side, truth in STEPS.items():
            v = _steps(r, side)
            assert len(v) == len(truth) and np.abs(v - truth).max() <= 2.5
            assert abs(r.measurement(M, side).value - np.median(truth)) <= 2.0


def test_toe_in_is_outside_normal():
    _, pts = G.walking([-8.0] * 4, [-6.0] * 4, start_x=-1.0)
    r = analyze(to_recording(pts, front_camera(distance=7.0)), test="foot_angle")
    m = r.measurement(M, "left")
    assert m.value == pytest.approx(-8.0, abs=0.5) and m.status == "outside_normal"


def test_side_view_is_insufficient_with_reason():
    pts, _ = _walk()
    r = analyze(to_recording(pts, side_camera(distance=7.0)), test="foot_angle")
    assert r.view["view"] == "side"
    assert all(m.status == "insufficient_data" and m.value is None for m in r.measurements)
    assert "line of sight" in r.measurements[0].reason


def test_feet_hidden_is_insufficient_with_reason():
    rec = to_recording(G.standing(12.0, 5.0), front_camera())
    image = rec.image.copy()
    image[:, list(FEET), 3] = 0.1  # the model doubts the feet
    r = analyze(Recording(t=rec.t, image=image, world=rec.world, meta=rec.meta), test="foot_angle")
    assert all(m.status == "insufficient_data" for m in r.measurements)
    assert "feet are out of frame" in r.measurements[0].reason


def test_too_short_walk_warns_and_mode_can_be_forced():
    pts, cam = _walk()
    rec = to_recording(pts[:45], cam)  # 1.5 s: right stance 0.5–1.1 s only; left 1.0–1.6 cut
    r = analyze(rec, test="foot_angle")
    assert any("right foot: only 1 step" in w for w in r.quality["warnings"])
    assert "no complete stance phase" in r.measurement(M, "left").reason
    standing = to_recording(G.standing(12.0, 5.0), front_camera())
    r = analyze(standing, test="foot_angle", mode="walking")
    assert r.view["mode"] == "walking"
    assert all(m.status == "insufficient_data" for m in r.measurements)  # no steps


def test_side_setting_frame_measures_and_settings():
    rec = to_recording(G.standing(12.0, 5.0), front_camera())
    r = analyze(rec, test="foot_angle", side="right")
    assert r.measurement(M, "right").value == pytest.approx(5.0, abs=0.5)
    assert "not requested" in r.measurement(M, "left").reason
    s = foot_angle.Settings()
    assert s.side is None and dataclasses.is_dataclass(s)
    traces = foot_angle.frame_measures(rec.pixels(), s, world=rec.world)
    assert np.abs(traces["left_fpa"] - 12.0).max() <= 0.05
    assert np.all(np.isnan(foot_angle.frame_measures(rec.pixels(), s)["right_fpa"]))


def test_pelvis_moving_without_steps_is_standing():
    """A squat-like bob (everything above the feet 0.35 m down and up, twice) moves the pelvis
    in the image but no foot swings: standing, and the FPA is still exact."""
    pts = G.standing(12.0, 5.0, n=120)
    drop = 0.35 * 0.5 * (1 - np.cos(2 * np.pi * np.arange(120) / 60))
    above = [i for i in range(33) if i not in FEET]
    pts[:, above, 1] -= drop[:, None]
    r = analyze(to_recording(pts, front_camera()), test="foot_angle")
    assert r.view["mode"] == "standing" and "foot swings left 0, right 0" in r.view["mode_reason"]
    assert r.measurement(M, "left").value == pytest.approx(12.0, abs=0.5)


def test_unknown_mode_is_a_clear_error():
    with pytest.raises(MovescreenError, match="mode must be auto, standing or walking"):
        analyze(to_recording(G.standing(12.0, 5.0), front_camera()), test="foot_angle",
                mode="running")
