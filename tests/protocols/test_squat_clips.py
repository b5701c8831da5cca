"""Squat protocol on the real sample clips (../shared/samples), full pose model, each clip run
once (module-scoped cache).

Expected values come from WATCHING the clips: contact sheets of every 3rd–8th frame, and single
frames with a 20-px grid to read segment angles by eye (knee centre → ankle centre, hip → knee);
each test says what was seen. Frame numbers are the clip's own (squat_side_deep and squat_front
are 24 fps, the others 30 fps).
"""

from __future__ import annotations

import numpy as np
import pytest

from screen import analyze
from screen.results.result import Result

pytestmark = pytest.mark.video


@pytest.fixture(scope="module")
def clip(clip_recording):
    """The squat analysis of a clip, from the session's shared pose run (full model)."""
    cache: dict[str, Result] = {}

    def get(name: str) -> Result:
        if name not in cache:
            cache[name] = analyze(clip_recording(f"{name}.mp4"), test="squat")
        return cache[name]

    return get


def _frames(r: Result, m) -> list[int]:
    fps = r.recording.meta["fps_nominal"] or 30.0
    return [int(round(rep["bottom_t_s"] * fps)) for rep in m.reps]


def _measured_side(r: Result) -> str:
    return next(m.side for m in r.measurements if m.name == "squat_depth" and m.value is not None)


def test_side_deep_one_deep_rep_heels_down(clip):
    """Seen: one full-depth squat, down from frame ≈ 45, bottom held ≈ 80–115, standing by ≈ 135.
    At frame 95 (grid): shin ≈ 35° ± 5° from vertical (knee centre ≈ (272, 256), ankle centre ≈
    (306, 304) px), hip ≈ 13° below the knee's horizontal, the shoe sole flat on the floor.
    Near leg = the fully visible one, labelled left by the model."""
    r = clip("squat_side_deep")
    assert r.view["view"] == "side"
    side = _measured_side(r)
    assert side == "left"
    depth = r.measurement("squat_depth", side)
    assert len(depth.reps) == 1 and 75 <= _frames(r, depth)[0] <= 120
    assert depth.reps[0]["below_parallel"] and 5.0 <= depth.value <= 30.0
    assert depth.status == "normal"
    assert 30.0 <= r.measurement("tibial_inclination", side).value <= 42.0
    assert r.measurement("heel_lift", side).status == "normal"
    assert r.measurement("ankle_dorsiflexion", side).status == "normal"


def test_side_portrait_three_half_squats(clip):
    """Seen: three squats, bottoms ≈ frames 48–56, 160–168, 288–296, never below parallel.
    At frame 168 (grid): shin ≈ 23° ± 5° (knee ≈ (208, 468), ankle ≈ (252, 572) px), thigh
    ≈ 30° above horizontal (hip ≈ (320, 404) px)."""
    r = clip("squat_side_portrait")
    assert r.view["view"] == "side"
    side = _measured_side(r)
    depth = r.measurement("squat_depth", side)
    bottoms = _frames(r, depth)
    assert len(bottoms) == 3
    assert all(abs(b - seen) <= 12 for b, seen in zip(bottoms, (52, 164, 292), strict=True))
    assert not any(rep["below_parallel"] for rep in depth.reps)
    assert -40.0 <= depth.value <= -20.0 and depth.status == "restricted"
    assert 18.0 <= r.measurement("tibial_inclination", side).value <= 30.0
    assert any("below horizontal" in w for w in r.quality["warnings"])


def test_side_single_rep_starts_at_the_bottom(clip):
    """Seen: the clip opens in a squat (frames 0–20), he stands up by ≈ 44 and stays standing:
    one rep, counted and marked partial (its descent is not in the clip)."""
    r = clip("squat_side_single_rep")
    assert r.view["view"] == "side"
    m = r.measurement("ankle_dorsiflexion", _measured_side(r))
    assert len(m.reps) == 1 and m.reps[0]["partial"] and _frames(r, m)[0] <= 25
    assert m.value is not None
    assert any("partly" in w for w in r.quality["warnings"])


def test_front_one_rep_knees_track_outside(clip):
    """Seen: one deep squat (down ≈ 30–50, bottom ≈ 55–85, up by ≈ 95), feet turned out, and the
    knees visibly outside the hip–ankle line on the way down and up (frames 40, 90), so the
    frontal plane projection angle is negative (no valgus) on both sides."""
    r = clip("squat_front")
    assert r.view["view"] == "front"
    for s in ("left", "right"):
        v = r.measurement("knee_valgus", s)
        assert len(v.reps) == 1 and 45 <= _frames(r, v)[0] <= 90
        assert v.value < 0 and v.status == "not_rated"
        assert r.measurement("foot_angle", s).value > 0  # toes visibly turned out
        assert r.measurement("hip_drop", s).value > 1.0  # hips dropped > a thigh length
    assert r.measurement("lateral_shift", "both").value is not None


def test_front_single_rep_starts_at_the_bottom(clip):
    """Seen: opens at the bottom (frames 0–12), stands by ≈ 30; knees outside the hip–ankle
    line (frames 0–24)."""
    r = clip("squat_front_single_rep")
    assert r.view["view"] == "front"
    for s in ("left", "right"):
        v = r.measurement("knee_valgus", s)
        assert len(v.reps) == 1 and v.reps[0]["partial"] and v.value < 0


def test_front_dim_degrades_without_crashing(clip):
    """Dim light. Seen: opens half-squatted, deepest ≈ 16–36, stands by ≈ 52; knees outside the
    hip–ankle line. The model still tracks him: one rep, or insufficient_data with a reason —
    never a crash or a value without a status."""
    r = clip("squat_front_dim")
    assert r.view["view"] in ("front", "oblique", "unknown")
    for m in r.measurements:
        assert (m.value is None) == (m.status == "insufficient_data")
        assert m.value is not None or m.reason
    v = r.measurement("knee_valgus", "left")
    if v.value is not None:
        assert len(v.reps) == 1 and v.value < 0


def test_front_occluded_is_insufficient_data_with_reason(clip):
    """Seen: he squats behind an office chair that hides both legs below the hips for the
    whole clip; the model guesses legs through the chair at low visibility. Every measure is
    insufficient_data with the reason, and the framing warns about the feet."""
    r = clip("squat_front_occluded")
    assert all(m.status == "insufficient_data" and m.value is None for m in r.measurements)
    assert all("visible" in (m.reason or "") for m in r.measurements)
    assert any("feet" in w for w in r.quality["warnings"])
    assert np.isfinite(r.view["width_ratio"])
