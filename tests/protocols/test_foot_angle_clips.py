"""Foot angle on real clips (pose model run once per clip, module-scoped).

``gait_front_cane.mp4`` (1280×720, 30 fps, 144 frames): a man with a white cane walks toward a
panning camera. Expected values come from WATCHING the frames (feet crops every 2 frames, made
with OpenCV): swings of his right foot (image left) at frames ≈ 0–6, 36–42, 72–78, 102–121 and of
his left foot at ≈ 18–26, 54–60, 90–96, 132–137, so heel contacts at ≈ 7, 43, 80, 122 (right)
and 27, 61, 98, 138 (left) — 8 contacts, and **6 complete stance phases** inside the clip,
3 per foot: right 7–36, 43–72, 80–102; left 27–54, 61–90, 98–132. Both feet point roughly at
the camera, turned slightly outward.

Checks (full model; the lite model merged two right stances into one on this clip):
* walking is recognised from the pelvis motion and the view is front;
* every stance found lies where that foot was visibly on the ground: the middle of each found
  stance (where its FPA is read) falls inside one of the watched stance windows above; between
  5 and 8 stances in all, at least 2 per foot (found: 6, right 9–35, 42–74, 83–106 and left
  35–44, 71–89, 106–128 — the left contacts are found up to ~10 frames late);
* toe-out, not toe-in, on both feet (the frames show mild toe-out): each foot's median > 0.
  That is all the frames support — from the front the angle's size cannot be read by eye, so
  the FPA *value* on this real clip is not checked against anything (a constant 12° would pass
  this sign check); FPA accuracy is backed only by exact synthetic geometry
  (test_foot_angle.py) — see docs/accuracy.md. (The old −10…+35° band per step was wide enough
  for any plausible walker and tested nothing.)

``gait_side_barefoot.mp4`` (side view): insufficient_data with the reason.
"""

import pytest

from screen import analyze

pytestmark = pytest.mark.video
M = "foot_progression_angle"
STANCES = {"right": [(7, 36), (43, 72), (80, 102)], "left": [(27, 54), (61, 90), (98, 132)]}


@pytest.fixture(scope="module")
def cane(clip_recording):
    return analyze(clip_recording("gait_front_cane.mp4"), test="foot_angle")


def test_front_walk_is_recognised(cane):
    assert cane.view["view"] == "front"
    assert cane.view["mode"] == "walking"


def test_steps_found_where_the_feet_were_down(cane):
    """Each step's value is read at the middle of its stance (its ``frame``): that frame lies in
    one of the watched stance windows of that foot."""
    total = 0
    for side, windows in STANCES.items():
        reps = cane.measurement(M, side).reps
        assert len(reps) >= 2
        total += len(reps)
        for r in reps:
            assert any(a <= r["frame"] <= b for a, b in windows), (side, r)
    assert 5 <= total <= 8


def test_toe_out_not_toe_in(cane):
    for side in ("left", "right"):
        m = cane.measurement(M, side)
        assert m.value is not None and m.value > 0, side
        assert m.statistic == "median of steps"


def test_side_view_walk_is_insufficient_with_reason(clip_recording):
    side_walk = analyze(clip_recording("gait_side_barefoot.mp4"), test="foot_angle")
    assert side_walk.view["view"] == "side"
    for m in side_walk.measurements:
        assert m.status == "insufficient_data" and m.value is None
        assert "needs a front or back view" in m.reason
