"""Scene segments (screen/scene/segments.py) and the per-measure turn gating they drive
(screen/protocols/base.py), on exact synthetic skeletons seen by a turning camera
(tests/synthetic_turn.py).

Expected values are exact geometry: the body turn of a person seen by a camera swung ``a`` from
side-on is 90° − |a| by construction; repetition bottoms fall on known frames
(tests/synthetic_squat.py: (r + 0.5) · period); the measures' truth is the posed angle. Turn
limits are read from the protocols' own declarations (``MeasureSpec.max_turn_deg``): the tests
check that gating obeys them, not what they should be (that is docs/turn_limits.md).
"""

from __future__ import annotations

import numpy as np
import pytest
import synthetic_turn as ST
from camera import side_camera

from screen import analyze
from screen.protocols import PROTOCOLS
from screen.recording import Recording
from screen.scene.segments import body_turn, build

FPS = 30.0
TOL_FRAMES = 15  # issue 9: segments at the view changes ± 15 frames


def _scene(rec: Recording):
    from screen.conditioning.conditioned import gated_points

    return build(rec.image, gated_points(rec), rec.world, rec.t)


# ---- the turning camera itself -------------------------------------------------------------

@pytest.mark.parametrize("swing", [0.0, 20.0, -35.0, 90.0])
def test_render_is_the_swung_camera(swing):
    """Turning the points by −a in front of a still camera = swinging the camera by a."""
    _, world, _ = ST.knee_drives(1)
    got = ST.render(world, swing).pixels()
    want = side_camera(yaw_deg=swing).project(world)
    assert np.abs(got - want).max() < 1e-3  # float32 storage of normalised coordinates


@pytest.mark.parametrize("swing", [0.0, 10.0, -25.0, 45.0, 80.0, 90.0])
def test_body_turn_is_the_camera_swing(swing):
    _, world, _, _ = ST.squats(1)
    turn = body_turn(ST.render(world, swing).world)
    assert np.allclose(turn, 90.0 - abs(swing), atol=1e-3)


# ---- segments ------------------------------------------------------------------------------

def _front_then_side(n_reps=4, switch=180):
    t, world, truth, bottoms = ST.squats(n_reps)
    swing = ST.front_then_side(len(t), switch=switch, ramp=10)
    return ST.render(world, swing), truth, bottoms


def test_front_to_side_turn_gives_two_segments_at_the_turn():
    rec, _, _ = _front_then_side()
    scene = _scene(rec)
    assert [(s.view, s.activity) for s in scene.segments] == [("front", "in_place"),
                                                              ("side", "in_place")]
    assert abs(scene.segments[1].start - 180) <= TOL_FRAMES
    assert scene.segments[0].turn_deg == pytest.approx(0.0, abs=0.5)
    assert scene.segments[1].turn_deg == pytest.approx(90.0, abs=0.5)


def test_front_to_side_each_family_from_its_own_segment():
    """Squats 1–2 seen from the front, 3–4 from the side: all four counted at their bottoms;
    sagittal values only from side-view reps (and equal to the posed 30° shin), frontal values
    only from front-view reps."""
    rec, truth, bottoms = _front_then_side()
    r = analyze(rec, test="squat")
    d = r.to_dict()
    counted = d["repetitions"]["counted"]
    assert len(counted) == 4
    assert all(abs(c["bottom_frame"] - b) <= 10 for c, b in zip(counted, bottoms, strict=True))
    seg_view = {s["index"]: s["view"] for s in d["segments"]}
    side = r.measurement("tibial_inclination", "right")
    assert side.value is not None
    published = [e for e in side.reps if e["value"] is not None]
    assert [e["rep"] for e in published] == [3, 4]
    assert all(seg_view[e["segment"]] == "side" for e in published)
    assert all(abs(e["value"] - truth["incl"][bottoms[e["rep"] - 1]]) <= 1.0 for e in published)
    drop = r.measurement("hip_drop", "left")
    front = [e for e in drop.reps if e["value"] is not None]
    assert [e["rep"] for e in front] == [1, 2]
    assert all(seg_view[e["segment"]] == "front" for e in front)


def test_cut_starts_a_new_segment():
    """The figure jumps 1 m sideways between frames 149 and 150 (an edited cut): same view,
    but a new segment starts exactly there."""
    _, world, _, _ = ST.squats(4)
    world = world.copy()
    world[150:, :, 0] += 1.0  # along the image's x for a side camera
    scene = _scene(ST.render(world, 0.0))
    assert scene.cut[150] and scene.cut.sum() == 1
    assert [s.start for s in scene.segments] == [0, 150]
    assert all(s.view == "side" for s in scene.segments)


def test_person_leaving_the_frame_is_an_absent_segment():
    """Frames 240 on have no landmarks (no person): an ``absent`` segment from there, views
    ``unknown``; repetitions and values only from the frames with a person."""
    _, world, _, _ = ST.squats(4)
    rec = ST.render(world, 0.0)
    image = rec.image.copy()
    image[240:] = np.nan
    gone = Recording(rec.t, image, np.where(np.arange(len(rec.t))[:, None, None] >= 240, np.nan,
                                            rec.world), rec.meta)
    scene = _scene(gone)
    assert [(s.view, s.activity) for s in scene.segments] == [("side", "in_place"),
                                                              ("unknown", "absent")]
    assert abs(scene.segments[1].start - 240) <= TOL_FRAMES


# ---- the yaw sweep: each measure published only inside its turn limit ------------------------

def _published(m) -> bool:
    return m.value is not None and m.status != "insufficient_data"


SWEEP_CASES = [("knee_to_wall", "side"), ("squat", "side"), ("squat", "front")]
_CACHE: dict[tuple[str, str, float], object] = {}


def _analysed(protocol: str, ideal: str, off: float):
    key = (protocol, ideal, off)
    if key not in _CACHE:
        if protocol == "knee_to_wall":
            _, world, _ = ST.knee_drives(3)
        else:
            _, world, _, _ = ST.squats(3, valgus=(6.0, 6.0) if ideal == "front" else (0.0, 0.0))
        swing = ST.off_side(off) if ideal == "side" else ST.off_front(off)
        _CACHE[key] = analyze(ST.render(world, swing), test=protocol)
    return _CACHE[key]


def _sweep_params():
    out = []
    for protocol, ideal in SWEEP_CASES:
        for spec in PROTOCOLS[protocol].measures:
            views = ("side",) if ideal == "side" else ("front", "back")
            if set(spec.views) & set(views):
                out.append(pytest.param(protocol, ideal, spec.name,
                                        id=f"{protocol}-{spec.name}"))
    return out


@pytest.mark.parametrize("protocol,ideal,name", _sweep_params())
def test_published_inside_its_turn_limit_withheld_beyond(protocol, ideal, name):
    """3° inside the declared limit the measure has a value on its measured side(s); 3° beyond
    it, none anywhere, and the reason says which view and turn it needs."""
    limit = PROTOCOLS[protocol].measure(name).max_turn_deg
    inside = _analysed(protocol, ideal, max(limit - 3.0, 0.0))
    beyond = _analysed(protocol, ideal, limit + 3.0)
    assert any(_published(m) for m in inside.measurements if m.name == name)
    out = [m for m in beyond.measurements if m.name == name]
    assert out and not any(_published(m) for m in out)
    assert all(f"at most {limit:g}°" in (m.reason or "") for m in out)


# Per-rep bounds of docs/turn_limits.md (the task's stated accuracy for each measure), and the
# posed truth: knee drives peak at 25° shin, foot pitch 3° (dorsiflexion 22°); squats bottom at
# 30° shin, 3° pitch (dorsiflexion 27°), thigh 10° below horizontal, trunk 35° (torso–tibia
# −5°), knee valgus 6° in the frontal plane (tests/synthetic_turn.py SQUAT, VALGUS).
LIMIT_CASES = {
    ("knee_to_wall", "tibial_inclination"): (25.0, 1.5, "side"),
    ("knee_to_wall", "ankle_dorsiflexion"): (22.0, 3.0, "side"),
    ("squat", "tibial_inclination"): (30.0, 1.5, "side"),
    ("squat", "ankle_dorsiflexion"): (27.0, 3.0, "side"),
    ("squat", "squat_depth"): (10.0, 3.0, "side"),
    ("squat", "torso_tibia_angle"): (-5.0, 3.0, "side"),
    ("squat", "knee_valgus"): (6.0, 5.0, "front"),
}
TOO_WIDE: dict[tuple[str, str], str] = {}  # docs/turn_limits.md: every declared limit now
# lies inside the turn at which its bound is passed (limits were narrowed to the measured turns)


def _limit_params():
    out = []
    for key in LIMIT_CASES:
        marks = [pytest.mark.xfail(strict=True, reason=f"declared turn limit too wide: {TOO_WIDE[key]}")
                 ] if key in TOO_WIDE else []
        out.append(pytest.param(*key, marks=marks, id="-".join(key)))
    return out


@pytest.mark.parametrize("protocol,name", _limit_params())
def test_values_published_at_the_limit_are_within_their_bound(protocol, name):
    """Just inside the declared turn limit (0.5° in), camera turned either way, every published
    per-rep value is within the measure's bound of the posed truth."""
    truth, bound, ideal = LIMIT_CASES[(protocol, name)]
    off = PROTOCOLS[protocol].measure(name).max_turn_deg - 0.5
    if protocol == "knee_to_wall":
        _, world, _ = ST.knee_drives(3)
    else:
        _, world, _, _ = ST.squats(3, valgus=(6.0, 6.0) if ideal == "front" else (0.0, 0.0))
    for direction in (1.0, -1.0):
        swing = direction * off if ideal == "side" else 90.0 - direction * off
        r = analyze(ST.render(world, swing), test=protocol)
        values = [e["value"] for m in r.measurements if m.name == name for e in m.reps
                  if e["value"] is not None]
        assert values, f"no value published {off:g}° off {ideal}"
        assert np.abs(np.array(values) - truth).max() <= bound
