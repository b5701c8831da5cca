"""Issue 9 on real footage: six clips of ../shared/validation chosen for the patterns they show
(a walk-off after the last rep, hip hinges between squats, cuts between front and side views, a
40° oblique camera, a clip that starts at the bottom, forward lunges forced through the
knee-to-wall test).

Landmarks: the full model's, from the cache /work/cache/full/<stem>.npz when present, else the
model is run on the clip (once per clip per session).

Expected values come ONLY from ../shared/validation/ANNOTATIONS.tsv (by-eye, no pose model;
frame numbers 0-based; shin angles ±5° per its README), transcribed below with the column each
comes from. Tolerances are issue 9's: repetition bottoms ±10 frames, view changes ±15 frames.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from screen import analyze
from screen.recording import Recording
from screen.results.result import Result

pytestmark = [pytest.mark.video]

CACHE = Path("/work/cache/full")
BOTTOM_TOL, CHANGE_TOL, SHIN_TOL = 10, 15, 5.0

# ---- transcribed from ANNOTATIONS.tsv ------------------------------------------------------
# reps_or_steps column: count and bottom frames ("~f76" → 76; a hold "f32-72" → (32, 72)).
BOTTOMS: dict[str, list] = {
    "yuyoujiang_squat": [76, 170, 250],  # "3 (bottoms ~f76, f170, f250)"
    "joelo_landmine_squat": [141, 201, 267, 333, 399],  # "5 (bottoms ~f141, f201, ...)"
    "mrpose_airsquat_front_side": [68, 152, 260, 372, 482, 588, 690, 772, 860],  # "9 total = ..."
    "kt_squat_front_fitnessblender": [56, 168, 272, 380, 484, 584, 692, 796, 900],  # "9 (...)"
    "cas737_squat_front_lowexposure": [],  # "0 complete (clip starts in the bottom position ...)"
}
# shin_angle_at_depth_deg column ("~40 (35-45 ...)" → the range; "~31" → ± 5° per the README).
SHIN = {
    "yuyoujiang_squat": (35.0, 45.0),  # "~40 (35-45; ...)"
    "joelo_landmine_squat": (31.0 - SHIN_TOL, 31.0 + SHIN_TOL),  # "~31 (two reps checked ~30-31)"
    "mrpose_airsquat_front_side": (31.0 - SHIN_TOL, 31.0 + SHIN_TOL),  # "~31 (side segment ...)"
}
# view column: mrpose "front f0-~190; cross-dissolve; side ... f~215-615; dissolve; front
# f~645-925; CrossFit end card f~945-989" → the change happens inside each window.
MRPOSE_CHANGES = [(190, 215), (615, 645), (945, 945)]
# reps_or_steps: yuyoujiang "then walks toward camera f~285-321 (not a rep)".
YUYOU_WALK = 285
# movement: joelo "bar pick-up hinge f40-95 and put-down hinge f460-520 are not squats".
JOELO_HINGES = [(40, 95), (460, 520)]
# kt_lunge reps_or_steps: "rep1 ... bottom hold f32-72 ...; rep2 ... bottom f164-204";
# shin_angle_at_depth_deg: "~10 (front shin: ~9 rep1, ~12 rep2)"; front_leg: "rep1 front = FAR
# leg, rep2 front = NEAR leg (alternating)".
LUNGE_HOLDS = [(32, 72), (164, 204)]
LUNGE_SHIN = [9.0, 12.0]

_RESULTS: dict[tuple[str, str], Result] = {}


@pytest.fixture(scope="module")
def clip(shared):
    """``clip(stem, test)`` → the Result of a validation clip (cached landmarks or the model)."""

    def get(stem: str, test: str = "auto") -> Result:
        key = (stem, test)
        if key not in _RESULTS:
            _RESULTS[key] = analyze(_recording(shared, stem), test=test)
        return _RESULTS[key]

    return get


_RECORDINGS: dict[str, Recording] = {}


def _recording(shared: Path, stem: str) -> Recording:
    if stem not in _RECORDINGS:
        cached = CACHE / f"{stem}.npz"
        if cached.is_file():
            _RECORDINGS[stem] = Recording.load(cached)
        else:
            from screen.sources import models, pose

            model = models.resolve(str(shared / "models" / "pose_landmarker_full.task"))
            _RECORDINGS[stem] = pose.estimate(shared / "validation" / f"{stem}.mp4", model)
    return _RECORDINGS[stem]


def _bottoms(r: Result) -> list[int]:
    return [c["bottom_frame"] for c in r.to_dict()["repetitions"]["counted"]]


def _view_changes(r: Result) -> list[int]:
    segs = r.to_dict()["segments"]
    return [b["start_frame"] for a, b in pairwise(segs) if a["view"] != b["view"]]


def _published(r: Result) -> list:
    return [m for m in r.measurements if m.value is not None and m.status != "insufficient_data"]


# ---- handling and counts -----------------------------------------------------------------

@pytest.mark.parametrize("stem", ["yuyoujiang_squat", "joelo_landmine_squat",
                                  "mrpose_airsquat_front_side", "kt_squat_front_fitnessblender"])
def test_squat_clips_are_handled_as_squats(clip, stem):
    """expected_tool_behaviour: "squat side: 3 reps" / "squat side: 5 reps" / "9 reps across 3
    segments" / "9 reps" — a squat under auto recognition."""
    assert clip(stem).test == "squat"


@pytest.mark.parametrize("stem", list(BOTTOMS))
def test_repetition_count_is_exact(clip, stem):
    assert len(_bottoms(clip(stem, "squat"))) == len(BOTTOMS[stem])


def _bottom_params():
    out = []
    for stem, frames in BOTTOMS.items():
        for i, f in enumerate(frames):
            marks = []
            if (stem, f) == ("mrpose_airsquat_front_side", 260):
                marks = [pytest.mark.xfail(strict=True, reason=(
                    "bottom counted at frame 271, 11 frames after the annotated ~f260 (first rep "
                    "of the side segment, just after the cross-dissolve): outside ±10"))]
            out.append(pytest.param(stem, i, f, marks=marks, id=f"{stem}-{f}"))
    return out


@pytest.mark.parametrize("stem,i,frame", _bottom_params())
def test_repetition_bottom_at_the_annotated_frame(clip, stem, i, frame):
    bottoms = _bottoms(clip(stem, "squat"))
    assert len(bottoms) > i and abs(bottoms[i] - frame) <= BOTTOM_TOL


# ---- the patterns ----------------------------------------------------------------------------

def test_yuyoujiang_walk_off_is_a_new_segment_and_not_a_rep(clip):
    r = clip("yuyoujiang_squat", "squat")
    assert any(abs(c - YUYOU_WALK) <= CHANGE_TOL for c in _view_changes(r))
    assert all(b < YUYOU_WALK for b in _bottoms(r))
    last = r.to_dict()["segments"][-1]
    assert last["start_frame"] >= YUYOU_WALK - CHANGE_TOL and not last["measured"]


def test_joelo_hinges_are_not_squats(clip):
    r = clip("joelo_landmine_squat", "squat")
    assert not any(a <= b <= z for b in _bottoms(r) for a, z in JOELO_HINGES)


@pytest.mark.parametrize("lo,hi", MRPOSE_CHANGES)
def test_mrpose_view_changes_at_the_annotated_frames(clip, lo, hi):
    changes = _view_changes(clip("mrpose_airsquat_front_side", "squat"))
    assert any(lo - CHANGE_TOL <= c <= hi + CHANGE_TOL for c in changes)


def test_mrpose_reps_in_each_views_segment(clip):
    """view + reps_or_steps: 2 front, 4 side, 3 front reps; each rep in a segment of the view
    the annotation gives for its frames."""
    d = clip("mrpose_airsquat_front_side", "squat").to_dict()
    view = {s["index"]: s["view"] for s in d["segments"]}
    got = [view[c["segment"]] for c in d["repetitions"]["counted"]]
    assert got == ["front"] * 2 + ["side"] * 4 + ["front"] * 3


def _shin_params():
    bugs = {"yuyoujiang_squat": "published 27.6°, annotated 35–45°",
            "mrpose_airsquat_front_side": "published 25.3°, annotated ~31° ± 5°"}
    return [pytest.param(s, marks=[pytest.mark.xfail(strict=True, reason=(
        f"shin at depth below the annotated range: {bugs[s]} (the squat's tibial inclination "
        "is a ±0.1 s mean at the depth-signal bottom; cause not yet investigated)"))]
        if s in bugs else [], id=s) for s in SHIN]


@pytest.mark.parametrize("stem", _shin_params())
def test_shin_angle_at_depth_inside_the_annotated_range(clip, stem):
    lo, hi = SHIN[stem]
    r = clip(stem, "squat")
    shins = [m for m in _published(r) if m.name == "tibial_inclination"]
    assert shins and all(lo <= m.value <= hi for m in shins)


def test_kt_squat_oblique_withholds_both_families(clip):
    """expected_tool_behaviour: "~40 deg oblique = neither clean front (valgus) nor clean side
    (ankle) -> a careful tool should flag view/low confidence for both metric families"."""
    r = clip("kt_squat_front_fitnessblender", "squat")
    assert all(m.confidence is not None and m.confidence["level"] == "low" for m in _published(r))


def test_cas737_half_rep_is_refused(clip):
    """expected_tool_behaviour: "insufficient_data: 0 complete reps (half rep only) ... must not
    fabricate a rep or confidently report valgus"."""
    r = clip("cas737_squat_front_lowexposure", "squat")
    d = r.to_dict()
    assert d["repetitions"]["counted"] == []
    assert any("half" in x["reason"] for x in d["repetitions"]["rejected"])
    assert all(m.status == "insufficient_data" and m.reason for m in r.measurements)


def test_kt_lunge_forced_knee_to_wall_two_reps_alternating_legs(clip):
    r = clip("kt_lunge_side_white", "knee_to_wall")
    bottoms = _bottoms(r)
    assert len(bottoms) == 2
    assert all(a - BOTTOM_TOL <= b <= z + BOTTOM_TOL
               for b, (a, z) in zip(bottoms, LUNGE_HOLDS, strict=True))
    reps = sorted((e["rep"], m.side, e["value"]) for m in r.measurements
                  if m.name == "tibial_inclination" for e in m.reps if e["value"] is not None)
    assert [rep for rep, _, _ in reps] == [1, 2]
    assert reps[0][1] != reps[1][1]  # the front leg switches between the two lunges
    for (_, _, value), seen in zip(reps, LUNGE_SHIN, strict=True):
        assert abs(value - seen) <= SHIN_TOL
