"""Foot angle protocol on exact synthetic recordings (tests/synthetic_gait.py).

Ground truth by construction: standing with toe-out 12° (left) and 5° (right); walking 7 m →
2.8 m toward the camera (or away from it, seen from behind) with per-stance toe-out left
8, 12, 5, 15° and right 2, 6, 10, 4° (the first left stance starts at t = 0 and is cut off, so
left has 3 complete steps, right 4).

Bounds enforced:
* noiseless, camera yaw ±15°, roll ±5°: standing median ≤ 0.5°; every walking step ≤ 0.5°;
* 2-px image noise + 5-mm world-landmark noise (Gaussian per coordinate and frame), yaw ±15°,
  roll ±5°, 10 seeds, toward and away: every step found, the median of steps within 2.7° — the
  MDC of FPA on an instrumented walkway (GUIDE §3), written as the specification before
  measuring: a value that moved by less than that could not be told from a real change anyway.
  Each single step ≤ 2.5° is a regression guard (set from measured runs, marked
  ``regression``).
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
MS = "foot_progression_angle_standing"


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
        m = r.measurement(MS, side)
        assert m.value == pytest.approx(truth, abs=0.5)
        assert m.status == "not_rated"  # Staheli's norm is for walking
        assert r.measurement(M, side).status == "insufficient_data"  # no walking


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
        assert m.status == "normal"  # −3° ≤ value ≤ 20° (Staheli 1985)
    heel_contacts = [s["flags"]["heel_contact_t_s"] for s in r.measurement(M, "right").reps]
    assert heel_contacts == pytest.approx([0.5, 1.5, 2.5, 3.5], abs=0.1)
    assert r.frames["right_stance"].sum() > 0


def test_walking_spread_is_the_documented_interquartile_range():
    pts, cam = _walk()
    r = analyze(to_recording(pts, cam), test="foot_angle")
    q1, q3 = np.percentile(STEPS["left"], [25, 75])
    assert r.measurement(M, "left").spread == pytest.approx(q3 - q1, abs=0.5)


def _noisy_walks(heading):
    pts, _ = _walk(heading)
    for seed in range(10):
        cam = front_camera(distance=7.0, yaw_deg=15.0 * (-1) ** seed,
                           roll_deg=5.0 * (-1) ** (seed // 2))
        yield seed, analyze(to_recording(pts, cam, noise_px=2.0, world_noise_m=0.005, seed=seed),
                            test="foot_angle")


@pytest.mark.parametrize("heading", [1.0, -1.0])
def test_walking_median_within_the_walkway_mdc(heading):
    """Specification (module docstring): every step found, median of steps within 2.7°. The
    median is taken over the per-step values listed in the result: at 7 m a 2-px jitter lowers
    the confidence below the publish level on about half of the seeds (value withheld, reps
    still listed), which is the confidence model's call, not the geometry's accuracy."""
    published = 0
    for seed, r in _noisy_walks(heading):
        for side, truth in STEPS.items():
            m = r.measurement(M, side)
            assert len(_steps(r, side)) == len(truth), (seed, side)
            assert abs(np.median(_steps(r, side)) - np.median(truth)) <= 2.7, (seed, side)
            if m.value is not None:
                published += 1
                assert abs(m.value - np.median(truth)) <= 2.7, (seed, side)
    assert published >= 5


@pytest.mark.regression
@pytest.mark.parametrize("heading", [1.0, -1.0])
def test_walking_noise_per_step_regression(heading):
    """Regression guard: each step within 2.5° of its construction under that noise."""
    for seed, r in _noisy_walks(heading):
        for side, truth in STEPS.items():
            assert np.abs(_steps(r, side) - truth).max() <= 2.5, (seed, side)


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
    assert "needs a front or back view" in r.measurements[0].reason
    assert "side (turned 90°)" in r.measurements[0].reason


def test_feet_hidden_is_insufficient_with_reason():
    rec = to_recording(G.standing(12.0, 5.0), front_camera())
    image = rec.image.copy()
    image[:, list(FEET), 3] = 0.1  # the model doubts the feet
    r = analyze(Recording(t=rec.t, image=image, world=rec.world, meta=rec.meta), test="foot_angle")
    assert all(m.status == "insufficient_data" for m in r.measurements)
    assert "feet are out of frame" in r.measurement(MS, "left").reason


def test_too_short_walk_warns_and_mode_can_be_forced():
    pts, cam = _walk()
    rec = to_recording(pts[:45], cam)  # 1.5 s: right stance 0.5–1.1 s only; left 1.0–1.6 cut
    r = analyze(rec, test="foot_angle")
    assert any("right foot: fewer than 2 steps" in w for w in r.quality["warnings"])
    assert len(_steps(r, "right")) == 1
    assert "no complete stance phase" in r.measurement(M, "left").reason
    standing = to_recording(G.standing(12.0, 5.0), front_camera())
    r = analyze(standing, test="foot_angle", mode="walking")
    assert all(m.status == "insufficient_data" for m in r.measurements)  # no steps
    assert r.measurement(MS, "left").reason == "not analysed (mode=walking)"
    assert "with the person walking" in r.measurement(M, "left").reason


def test_side_setting_frame_measures_and_settings():
    rec = to_recording(G.standing(12.0, 5.0), front_camera())
    r = analyze(rec, test="foot_angle", side="right")
    assert r.measurement(MS, "right").value == pytest.approx(5.0, abs=0.5)
    assert {m.side for m in r.measurements} == {"right"}
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
    assert r.view["mode"] == "standing"
    assert {s["activity"] for s in r.to_dict()["segments"]} == {"in_place"}
    assert r.measurement(MS, "left").value == pytest.approx(12.0, abs=0.5)


def test_unknown_mode_is_a_clear_error():
    with pytest.raises(MovescreenError, match="mode='running'.*choose from auto, standing, walking"):
        analyze(to_recording(G.standing(12.0, 5.0), front_camera()), test="foot_angle",
                mode="running")
