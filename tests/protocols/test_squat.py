"""Squat protocol on exact synthetic recordings (tests/synthetic_squat.py, tests/camera.py).

Ground truth by construction: three squats (period 3 s, bottoms at 1.5, 4.5, 7.5 s) from
standing (tibial inclination 2°, thigh −88°, trunk 0°) to a bottom with tibial inclination 30°,
thigh 10° below horizontal, trunk lean 25°, foot pitch 3° throughout. So at the bottom: ankle
dorsiflexion = 30 − 3 = 27°, depth = 10° (below parallel), torso–tibia = 30 − 25 = 5°, heel
lift 0°.

Where each expectation comes from
* Side camera square to the leg (yaw 0, roll given or 0): the legs lie in planes parallel to the
  image, so the construction's 3-D angles are the 2-D truth (bound: ≤ 0.5° per rep; measured
  < 0.001°).
* Off-axis (yaw 15°, roll 5° given) and every knee-valgus case: the 2-D value is *not* the 3-D
  angle, so the expectation is computed by projecting the constructed skeleton with the same
  camera and reading the same definition with independent code (arccos-based helpers in
  synthetic_squat.py), per rep over the same frames (bound ≤ 0.5°). How far the 2-D reading is
  from 3-D truth off-axis is asserted separately and documented (README_squat).
* Noise (2 px Gaussian on every landmark, 10 seeds): the accuracy *specifications* were written
  before measuring, from GUIDE §3's instrument anchors — tibial inclination per rep inside the
  smartphone inclinometer's limits of agreement (−1.8…+1.5°), ankle dorsiflexion per rep within
  the weight-bearing-lunge MDC (4.6°), knee valgus per rep within the 2-D FPPA MDC (7.5°). The
  tighter per-measure bounds set from measured runs are regression guards (marked
  ``regression``), not accuracy claims.
* Turned-out feet seen from the side (a common squat stance): the 2-D reading is checked
  against the projected skeleton (the protocol does what it documents) and, separately, against
  the 3-D truth (strict xfail: see the test).
"""

import numpy as np
import pytest
import synthetic_squat as Q
from camera import front_camera, side_camera, to_recording

from screen import analyze
from screen.conditioning.conditioned import conditioned_points
from screen.kinematics.geometry import up_vector
from screen.kinematics.sagittal import thigh_angle
from screen.landmarks import LEG, LM
from screen.protocols import squat

FPS, PERIOD = 30.0, 3.0
T, S = Q.squat_cycle(3, period_s=PERIOD, fps=FPS)
BOTTOMS = [int(round((r + 0.5) * PERIOD * FPS)) for r in range(3)]
INCL, THIGH, TRUNK = Q.between(S, 2, 30), Q.between(S, -88, 10), Q.between(S, 0, 25)
PITCH = 3.0
TRUTH = {"ankle_dorsiflexion": 27.0, "tibial_inclination": 30.0, "squat_depth": 10.0,
         "torso_tibia_angle": 5.0, "heel_lift": 0.0}
WORLD = Q.skeleton(INCL, THIGH, TRUNK, PITCH)


def _reps(result, name, side):
    return np.array([np.nan if r["value"] is None else r["value"]
                     for r in result.measurement(name, side).reps])


def _windows():
    half = int(PERIOD * FPS / 2)
    return [np.arange(max(0, b - half), min(len(T), b + half)) for b in BOTTOMS]


# ---- side view -------------------------------------------------------------------------------

def test_thigh_angle_hand_computed():
    """Hip 100 px behind the knee and 100 px below it: 45° below horizontal; 100 px above it:
    −45°; straight above: −90°; facing either way gives the same; a 5° roll passed as ``up``
    with the points rolled by 5° leaves it unchanged (float64: 1e-9)."""
    knee = np.zeros((4, 2))
    hip = np.array([[-100.0, 100.0], [-100.0, -100.0], [0.0, -100.0], [100.0, 100.0]])
    np.testing.assert_allclose(thigh_angle(hip, knee, [0.0, -1.0]), [45, -45, -90, 45],
                               atol=1e-9)
    a = np.radians(5.0)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    np.testing.assert_allclose(thigh_angle(hip @ rot.T, knee, up_vector(5.0)),
                               [45, -45, -90, 45], atol=1e-9)


@pytest.mark.parametrize("roll", [0.0, -5.0, 5.0])
def test_side_noiseless_square_camera_exact(roll):
    """Bound ≤ 0.5° per rep against the 3-D construction (roll passed as camera_tilt_deg).
    Statuses (thresholds.toml) and why each is clinically right: depth 10° below parallel meets
    the FMS deep-squat criterion (thigh below horizontal); torso–tibia 5° meets "torso parallel
    to the tibia or more upright"; dorsiflexion 27° is above the 20° normal of the starting
    material; the heel does not move (FMS: heels down); tibial inclination has no squat norm."""
    r = analyze(to_recording(WORLD, side_camera(roll_deg=roll)), test="squat",
                camera_tilt_deg=roll)
    assert r.view["view"] == "side"
    for name, truth in TRUTH.items():
        got = _reps(r, name, "right")  # the right leg is nearer a camera on the +Z side
        assert len(got) == 3, name
        assert np.abs(got - truth).max() <= (0.01 if name == "heel_lift" else 0.5), (name, got)
    assert r.measurement("squat_depth", "right").status == "normal"
    assert all(rep["flags"]["below_parallel"] for rep in r.measurement("squat_depth", "right").reps)
    assert r.measurement("torso_tibia_angle", "right").status == "normal"
    assert r.measurement("ankle_dorsiflexion", "right").status == "normal"
    assert r.measurement("heel_lift", "right").status == "normal"
    assert r.measurement("tibial_inclination", "right").status == "not_rated"
    assert r.measurement("ankle_dorsiflexion", "left").status == "insufficient_data"
    assert "far leg" in r.measurement("ankle_dorsiflexion", "left").reason
    assert "foot_angle" not in {m.name for m in r.measurements}  # toe-out not from squats


def test_side_untold_roll_shifts_vertical_measures_only():
    """A 5° roll not given: tibial inclination off by exactly the roll; dorsiflexion and the
    torso–tibia difference (both relative angles) unchanged (≤ 0.5°)."""
    r = analyze(to_recording(WORLD, side_camera(roll_deg=5.0)), test="squat")
    assert np.abs(_reps(r, "tibial_inclination", "right") - 35.0).max() <= 0.5
    assert np.abs(_reps(r, "ankle_dorsiflexion", "right") - 27.0).max() <= 0.5
    assert np.abs(_reps(r, "torso_tibia_angle", "right") - 5.0).max() <= 0.5


def _expected_side(cam, roll, world=WORLD):
    """Per-rep 2-D expectations from the projected skeleton (independent code): the shank from
    vertical and the foot's heel→toe line, thigh and trunk, read at each bottom frame."""
    px = cam.project(world)
    up = up_vector(roll)
    hip, knee, ankle, heel, toe = (px[:, LEG["right"][i]] for i in range(5))
    df = 90.0 - Q.deg_between(knee - ankle, toe - heel)
    incl = Q.projected_from_vertical(knee - ankle, up, 1.0)
    thigh = Q.deg_between(hip - knee, np.broadcast_to(up, hip.shape)) - 90.0
    mid = (px[:, LM.LEFT_SHOULDER] + px[:, LM.RIGHT_SHOULDER]) / 2 - (
        px[:, LM.LEFT_HIP] + px[:, LM.RIGHT_HIP]) / 2
    trunk = Q.projected_from_vertical(mid, up, 1.0)
    out = {"ankle_dorsiflexion": df[BOTTOMS], "tibial_inclination": incl[BOTTOMS],
           "squat_depth": thigh[BOTTOMS], "torso_tibia_angle": incl[BOTTOMS] - trunk[BOTTOMS]}
    return {k: np.asarray(v) for k, v in out.items()}


@pytest.mark.parametrize("yaw,roll", [(15.0, 5.0), (-15.0, -5.0), (8.0, 0.0)])
def test_side_off_axis_matches_projected_truth_within_turn_limits(yaw, roll):
    """Yaw up to ±15°, roll ≤ 5° (given): each measure whose declared turn limit covers the
    body's turn from side-on reads each rep within 0.5° of the projected 2-D value; each one
    whose limit does not is withheld naming its limit."""
    cam = side_camera(yaw_deg=yaw, roll_deg=roll)
    r = analyze(to_recording(WORLD, cam), test="squat", camera_tilt_deg=roll)
    assert r.view["view"] == "side"
    off = 90.0 - r.to_dict()["segments"][0]["turn_deg"]
    assert off == pytest.approx(abs(yaw), abs=0.5)
    read = 0
    for name, exp in _expected_side(cam, roll).items():
        limit = squat.PROTOCOL.measure(name).max_turn_deg
        if off > limit:
            m = r.measurement(name, "right")
            assert m.status == "insufficient_data" and f"at most {limit:g}°" in m.reason, name
            continue
        read += 1
        got = _reps(r, name, "right")
        assert len(got) == 3 and np.abs(got - exp).max() <= 0.5, (name, got, exp)
    assert read >= 1


def _noisy_side(seeds=range(10)):
    for seed in seeds:
        yield seed, analyze(to_recording(WORLD, side_camera(roll_deg=5.0), noise_px=2.0,
                                         seed=seed), test="squat", camera_tilt_deg=5.0)


def test_side_two_pixel_noise_within_instrument_anchors():
    """Specification (module docstring): roll 5° given, 2-px noise, 10 seeds; every rep found;
    tibial inclination per rep within the inclinometer's limits of agreement (−1.8…+1.5°);
    dorsiflexion per rep within the lunge MDC (4.6°)."""
    for seed, r in _noisy_side():
        incl = _reps(r, "tibial_inclination", "right") - TRUTH["tibial_inclination"]
        df = _reps(r, "ankle_dorsiflexion", "right") - TRUTH["ankle_dorsiflexion"]
        assert len(incl) == 3 and incl.min() >= -1.8 and incl.max() <= 1.5, (seed, incl)
        assert len(df) == 3 and np.abs(df).max() <= 4.6, (seed, df)


@pytest.mark.regression
def test_side_two_pixel_noise_regression():
    """Regression guard (bounds from measured runs): per rep dorsiflexion ≤ 2.5°, depth
    ≤ 1.5°, torso–tibia ≤ 2.0°, heel lift ≤ 0.05 foot lengths."""
    bounds = {"ankle_dorsiflexion": 2.5, "squat_depth": 1.5, "torso_tibia_angle": 2.0,
              "heel_lift": 0.05}
    for seed, r in _noisy_side():
        for name, bound in bounds.items():
            got = _reps(r, name, "right")
            assert len(got) == 3 and np.abs(got - TRUTH[name]).max() <= bound, (seed, name, got)


TURNOUT_SIDE = 25.0


def test_side_turned_out_feet_match_the_projected_foot():
    """Feet turned out 25° (both), seen from the side: the foot is foreshortened and, nearer the
    camera at the toe, pitched in the image. Each rep's dorsiflexion, inclination, depth and
    torso–tibia within 0.5° of the projected skeleton read by independent code; the heel does
    not rise (heel lift ≤ 0.01 foot lengths)."""
    world = Q.skeleton(INCL, THIGH, TRUNK, PITCH, turnout=(TURNOUT_SIDE, TURNOUT_SIDE))
    cam = side_camera()
    r = analyze(to_recording(world, cam), test="squat")
    for name, exp in _expected_side(cam, 0.0, world).items():
        got = _reps(r, name, "right")
        assert len(got) == 3 and np.abs(got - exp).max() <= 0.5, (name, got, exp)
    assert np.abs(_reps(r, "heel_lift", "right")).max() <= 0.01


@pytest.mark.xfail(strict=True, reason="screen/protocols/squat.py: side-view dorsiflexion reads the "
                   "heel→toe line in the image; feet turned out 25° (a usual squat stance) read "
                   "≈ 19° for a true 27° (perspective pitches the foot), with no correction, "
                   "turn-out limit or warning")
def test_side_turned_out_feet_dorsiflexion_within_its_stated_bound():
    """The 3° bound the protocol states for its side-view dorsiflexion (turn limits), applied to
    turned-out feet; or the value is withheld / warned about."""
    world = Q.skeleton(INCL, THIGH, TRUNK, PITCH, turnout=(TURNOUT_SIDE, TURNOUT_SIDE))
    r = analyze(to_recording(world, side_camera()), test="squat")
    m = r.measurement("ankle_dorsiflexion", "right")
    warned = any("turn" in w and "feet" in w for w in r.quality["warnings"])
    assert m.value is None or warned or abs(m.value - TRUTH["ankle_dorsiflexion"]) <= 3.0


def test_side_label_swaps_keep_the_near_leg():
    """Labels swapped (image and world) for the whole second rep (3–6 s, switching while
    standing): a sustained swap. The near leg is still measured, every rep within 0.5°, reported
    under the majority label "right", and the leg column names the label it carries."""
    swap = (T >= 3.0) & (T < 6.0)
    r = analyze(to_recording(WORLD, side_camera(), swap=swap), test="squat")
    for name in ("ankle_dorsiflexion", "squat_depth", "torso_tibia_angle"):
        assert np.abs(_reps(r, name, "right") - TRUTH[name]).max() <= 0.5, name
    assert (r.frames["sagittal_leg"] == "right").all()  # re-paired before the protocol


def test_side_override_trusts_the_label():
    r = analyze(to_recording(WORLD, side_camera()), test="squat", side="left")
    assert r.measurement("ankle_dorsiflexion", "left").value == pytest.approx(27.0, abs=0.5)
    assert r.measurement("ankle_dorsiflexion", "right").status == "insufficient_data"


HEEL_UP = np.clip(np.minimum(T - 3.6, 5.4 - T) / 0.3, 0.0, 1.0)


def _heel_raised(deg):
    """Foot pitch 3° → 3° + ``deg`` around the second bottom (smooth 0.3-s ramps, held
    3.9–5.1 s): the toe stays down, the heel rises by FOOT·(sin(3° + deg) − sin 3°), i.e.
    sin(3° + deg) − sin 3° foot lengths (the foot lies in a plane parallel to the image)."""
    lift = deg * np.sin(np.pi / 2 * HEEL_UP) ** 2
    return PITCH + lift, np.sin(np.radians(PITCH + deg)) - np.sin(np.radians(PITCH))


def test_side_heel_lift_in_foot_lengths_per_rep():
    """Heel pitched up 15° at the second bottom: that rep's heel lift is
    sin 18° − sin 3° = 0.257 foot lengths (± 0.01), the others 0 (± 0.01). Dorsiflexion is read
    at the bottom whatever the heel does: rep 2 = 30 − 18 = 12° (± 0.5)."""
    pitch, rise = _heel_raised(15.0)
    r = analyze(to_recording(Q.skeleton(INCL, THIGH, TRUNK, pitch), side_camera()), test="squat")
    lift = _reps(r, "heel_lift", "right")
    assert lift[1] == pytest.approx(rise, abs=0.01) and np.abs(lift[[0, 2]]).max() <= 0.01
    assert r.measurement("heel_lift", "right").value == pytest.approx(rise, abs=0.01)  # worst rep
    df = _reps(r, "ankle_dorsiflexion", "right")
    assert df[1] == pytest.approx(30.0 - 18.0, abs=0.5) and np.abs(df[[0, 2]] - 27.0).max() <= 0.5


def test_side_heel_baseline_is_the_standing_period_not_one_frame():
    """The person settles in: heels up 10° for the first 0.2 s, then flat on the floor for the
    rest of the clip (heels never leave the floor during the squats). The heel-lift baseline is
    the standing period (median over ≥ 0.3 s of standing frames), so every rep reads 0 ± 0.01
    foot lengths; a baseline taken from the first frame would read every rep ≈ −0.17."""
    pitch = np.where(T < 0.2, PITCH + 10.0, PITCH)
    r = analyze(to_recording(Q.skeleton(INCL, THIGH, TRUNK, pitch), side_camera()), test="squat")
    assert np.abs(_reps(r, "heel_lift", "right")).max() <= 0.01


def test_side_gross_heel_lift_is_outside_normal():
    """Heels pitched up 40° at every bottom (ramped in as the squat passes 50–80% of its depth,
    held below): heel sin 43° − sin 3° = 0.63 foot lengths up (± 0.01), ≈ 16 cm for a 25-cm
    foot. The heels clearly leave the floor, which fails FMS's "heels stay down" whatever limit
    the threshold review settles on below tiptoe: rated outside_normal."""
    ramp = np.clip((S - 0.5) / 0.3, 0.0, 1.0)
    pitch = PITCH + 40.0 * np.sin(np.pi / 2 * ramp) ** 2
    rise = np.sin(np.radians(PITCH + 40.0)) - np.sin(np.radians(PITCH))
    r = analyze(to_recording(Q.skeleton(INCL, THIGH, TRUNK, pitch), side_camera()), test="squat")
    m = r.measurement("heel_lift", "right")
    assert np.abs(_reps(r, "heel_lift", "right") - rise).max() <= 0.01
    assert m.value == pytest.approx(rise, abs=0.01) and m.status == "outside_normal"


def test_side_one_rep_with_a_gross_heel_lift_is_reported():
    pitch, rise = _heel_raised(40.0)
    r = analyze(to_recording(Q.skeleton(INCL, THIGH, TRUNK, pitch), side_camera()), test="squat")
    m = r.measurement("heel_lift", "right")
    assert m.value == pytest.approx(rise, abs=0.01) and m.status == "outside_normal"


def test_shallow_squat_is_above_parallel_and_restricted():
    """Bottom thigh angle −30° (above parallel): depth −30° ± 0.5°, restricted — FMS's deep
    squat requires the thigh below horizontal; trunk leaning 35° past a 30° tibia: torso–tibia
    −5° ± 0.5°, restricted — FMS requires the torso parallel to the tibia or more upright."""
    world = Q.skeleton(INCL, Q.between(S, -88, -30), Q.between(S, 0, 35), PITCH)
    r = analyze(to_recording(world, side_camera()), test="squat")
    assert np.abs(_reps(r, "squat_depth", "right") + 30.0).max() <= 0.5
    assert r.measurement("squat_depth", "right").status == "restricted"
    assert not any(rep["flags"]["below_parallel"] for rep in r.measurement("squat_depth", "right").reps)
    assert np.abs(_reps(r, "torso_tibia_angle", "right") + 5.0).max() <= 0.5
    assert r.measurement("torso_tibia_angle", "right").status == "restricted"


def test_clip_starting_at_the_bottom_is_a_rejected_half_rep():
    """Starts at the bottom, stands up over 1.5 s, stands 0.5 s: half a repetition, rejected
    with the reason, not counted; no value."""
    t = np.arange(60) / FPS
    s = np.where(t < 1.5, 0.5 * (1 + np.cos(np.pi * t / 1.5)), 0.0)
    world = Q.skeleton(Q.between(s, 2, 30), Q.between(s, -88, 10), Q.between(s, 0, 25), PITCH)
    r = analyze(to_recording(world, side_camera()), test="squat")
    reps = r.to_dict()["repetitions"]
    assert reps["counted"] == [] and len(reps["rejected"]) == 1
    assert reps["rejected"][0]["bottom_frame"] == 0 and "half a repetition" in reps["rejected"][0]["reason"]
    assert r.measurement("ankle_dorsiflexion", "right").value is None


def test_standing_still_has_no_reps_and_says_so():
    world = Q.skeleton(np.full(90, 2.0), -88.0, 0.0, PITCH)
    r = analyze(to_recording(world, side_camera()), test="squat")
    m = r.measurement("ankle_dorsiflexion", "right")
    assert m.status == "insufficient_data" and "no squat repetition" in m.reason


# ---- front / back view -----------------------------------------------------------------------

VALGUS = (Q.between(S, 0, 8), Q.between(S, 0, 3))  # left, right
TURNOUT = (15.0, 10.0)
FRONT = Q.skeleton(INCL, THIGH, TRUNK, 0.0, valgus=VALGUS, turnout=TURNOUT)


def _expected_valgus(px, side, roll=0.0):
    """Per rep: the projected FPPA at the deepest (lowest hip midpoint over the ankles) of the
    rep's frames whose projected thigh is ≥ ``min_thigh_fraction`` (0.8) of its 95th-percentile
    length (the protocol's documented rule)."""
    fppa = Q.projected_fppa(px, side)
    thigh = np.linalg.norm(px[:, LEG[side][0]] - px[:, LEG[side][1]], axis=-1)
    ok = thigh >= squat.Settings().min_thigh_fraction * np.percentile(thigh, 95)
    hips = (px[:, LM.LEFT_HIP] + px[:, LM.RIGHT_HIP]) / 2
    ankles = (px[:, LM.LEFT_ANKLE] + px[:, LM.RIGHT_ANKLE]) / 2
    height = (hips - ankles) @ up_vector(roll)
    return np.array([fppa[w[ok[w]][np.argmin(height[w[ok[w]]])]] for w in _windows()])


@pytest.mark.parametrize("yaw,roll", [(0.0, 0.0), (0.0, 5.0), (4.0, -3.0)])
def test_front_valgus_matches_projected_truth(yaw, roll):
    """Knee valgus per rep within 0.5° of the projected 2-D value (noiseless), roll ≤ 5° given,
    within the declared 5° turn limit. No valgus norm for a bilateral squat: not_rated."""
    cam = front_camera(yaw_deg=yaw, roll_deg=roll)
    r = analyze(to_recording(FRONT, cam), test="squat", camera_tilt_deg=roll)
    assert r.view["view"] == "front"
    assert r.view["turn_deg"] == pytest.approx(abs(yaw), abs=0.5)
    px = cam.project(FRONT)
    for s in ("left", "right"):
        got, exp = _reps(r, "knee_valgus", s), _expected_valgus(px, s, roll)
        assert len(got) == 3 and np.abs(got - exp).max() <= 0.5, (s, got, exp)
        assert r.measurement("knee_valgus", s).status == "not_rated"


def test_front_valgus_withheld_beyond_the_turn_limit():
    """A front camera turned 10°: projected valgus moves by ≈ the turn (module docstring), so
    knee valgus is insufficient_data naming the 5° limit; hip drop (15° limit) is still read."""
    r = analyze(to_recording(FRONT, front_camera(yaw_deg=10.0)), test="squat")
    m = r.measurement("knee_valgus", "left")
    assert m.status == "insufficient_data" and "at most 5°" in m.reason
    assert len(_reps(r, "hip_drop", "left")) == 3


def test_front_valgus_standing_is_the_3d_angle_and_reps_match_projection():
    """Constant frontal valgus 10° (left) and −4° (right, varus) through a knee bend (tibia
    0 → 8°, thigh −90° → −40°), front camera at yaw 0. While standing the legs lie in a plane
    parallel to the image, so the per-frame FPPA equals the 3-D construction (bound 0.05°, the
    low-pass at the clip's first frame); per rep the value matches the projected 2-D value
    (≤ 0.5°)."""
    world = Q.skeleton(Q.between(S, 0, 8), Q.between(S, -90, -40), 0.0, 0.0, valgus=(10.0, -4.0))
    cam = front_camera()
    r = analyze(to_recording(world, cam), test="squat")
    assert r.frames["left_knee_valgus"].iloc[0] == pytest.approx(10.0, abs=0.05)
    assert r.frames["right_knee_valgus"].iloc[0] == pytest.approx(-4.0, abs=0.05)
    px = cam.project(world)
    for s in ("left", "right"):
        assert np.abs(_reps(r, "knee_valgus", s) - _expected_valgus(px, s)).max() <= 0.5


def test_front_lateral_shift_and_hip_drop():
    """Yaw 0: the legs lean 4° to the person's left only in the bottom half of each rep (a step
    at phase 0.5, so both the standing and the bottom phase are steady). Expected shift from the
    world points (exact at yaw 0: ankles symmetric about the optical axis), bound 0.01 hip
    widths; hip drop left and right equal within 0.02 thigh lengths for a symmetric squat."""
    lean = np.where(S >= 0.5, 4.0, 0.0)
    world = Q.skeleton(INCL, THIGH, TRUNK, 0.0, lean=lean)
    r = analyze(to_recording(world, front_camera()), test="squat")
    L, R = LEG["left"], LEG["right"]
    b = BOTTOMS[0]
    w = world[b]
    expect = -(((w[L[0]] + w[R[0]]) / 2 - (w[L[2]] + w[R[2]]) / 2)[2]) / np.linalg.norm(
        w[L[0]] - w[R[0]])
    got = _reps(r, "lateral_shift", "both")
    assert expect > 0.05 and np.abs(got - expect).max() <= 0.01, (got, expect)
    drop = _reps(r, "hip_drop", "left") - _reps(r, "hip_drop", "right")
    assert np.abs(drop).max() <= 0.02


def _noisy_front(seeds=range(10)):
    world = Q.skeleton(INCL, THIGH, TRUNK, 0.0, valgus=(VALGUS[0], VALGUS[0]), turnout=TURNOUT)
    cam = front_camera()
    px = cam.project(world)
    exp = {s: _expected_valgus(px, s) for s in ("left", "right")}
    for seed in seeds:
        yield exp, analyze(to_recording(world, cam, noise_px=2.0, seed=seed), test="squat")


def test_front_two_pixel_noise_within_the_fppa_mdc():
    """Specification (module docstring): yaw 0, 2-px noise, 10 seeds; knee valgus per rep
    within the 2-D FPPA MDC (7.5°, Munro et al. 2012) of the noiseless projected value."""
    for exp, r in _noisy_front():
        for s in ("left", "right"):
            got = _reps(r, "knee_valgus", s)
            assert len(got) == 3 and np.abs(got - exp[s]).max() <= 7.5, (s, got)


@pytest.mark.regression
def test_front_two_pixel_noise_regression():
    """Regression guard (from measured runs): valgus per rep ≤ 3.0°, and a symmetric squat's
    lateral shift (0 by symmetry) ≤ 0.03 hip widths."""
    for exp, r in _noisy_front():
        for s in ("left", "right"):
            assert np.abs(_reps(r, "knee_valgus", s) - exp[s]).max() <= 3.0
        assert np.abs(_reps(r, "lateral_shift", "both")).max() <= 0.03


def test_back_view_gives_the_same_frontal_measures():
    """The camera behind the person (front_camera swung 180°): view "back", medial still +."""
    cam = front_camera(yaw_deg=180.0)
    r = analyze(to_recording(FRONT, cam), test="squat")
    assert r.view["view"] == "back"
    px = cam.project(FRONT)
    for s in ("left", "right"):
        assert np.abs(_reps(r, "knee_valgus", s) - _expected_valgus(px, s)).max() <= 0.5


# ---- views, set-up, contract -----------------------------------------------------------------

def test_oblique_view_is_insufficient_for_everything():
    r = analyze(to_recording(WORLD, side_camera(yaw_deg=30.0)), test="squat")
    assert r.view["view"] == "oblique"
    assert all(m.status == "insufficient_data" and m.value is None for m in r.measurements)
    assert "this clip shows: oblique" in r.measurements[0].reason
    assert {m.name for m in r.measurements} == {m.name for m in squat.MEASURES}


def test_feet_hidden_gives_insufficient_data_not_an_error():
    rec = to_recording(WORLD, side_camera())
    for i in (*LEG["left"][2:], *LEG["right"][2:]):
        rec.image[:, i, 3] = 0.0  # the model doubts every foot point
    r = analyze(rec, test="squat")
    assert all(m.status == "insufficient_data" for m in r.measurements)
    assert any("feet out of frame" in w for w in r.quality["warnings"])


def test_frame_measures_are_the_run_traces():
    """The live-view traces equal the run's per-frame columns (same functions) and the
    construction at the bottom frame."""
    rec = to_recording(WORLD, side_camera())
    pts = conditioned_points(rec, squat.CONDITIONING, squat.LANDMARKS)
    fm = squat.frame_measures(pts, squat.Settings(), world=rec.world)
    b = BOTTOMS[1]
    assert fm["ankle_dorsiflexion"][b] == pytest.approx(27.0, abs=0.5)
    assert fm["squat_depth"][b] == pytest.approx(10.0, abs=0.5)
    assert fm["tibial_inclination"][b] == pytest.approx(30.0, abs=0.5)
    r = analyze(rec, test="squat")
    np.testing.assert_allclose(r.frames["ankle_dorsiflexion"], fm["ankle_dorsiflexion"])
    np.testing.assert_allclose(r.frames["thigh_angle"], fm["squat_depth"])
    front = squat.frame_measures(conditioned_points(to_recording(FRONT, front_camera()),
                                                    squat.CONDITIONING, squat.LANDMARKS),
                                 squat.Settings())
    assert {"left_knee_valgus", "right_knee_valgus", "depth"} <= set(front)


def test_json_has_reps_statistic_and_sources():
    d = analyze(to_recording(WORLD, side_camera()), test="squat").to_dict()
    m = next(x for x in d["measurements"] if x["name"] == "squat_depth" and x["side"] == "right")
    assert m["statistic"] == "median of reps" and len(m["reps"]) == 3
    assert set(m["reps"][0]) == {"rep", "frame", "t_s", "value", "segment", "flags"}
    assert m["reps"][0]["frame"] == BOTTOMS[0] and m["reps"][0]["segment"] == 0
    assert "Functional Movement Screen" in m["threshold"]["source"]
    assert [c["bottom_frame"] for c in d["repetitions"]["counted"]] == BOTTOMS


@pytest.mark.parametrize("camera", [side_camera(), front_camera()])
def test_frames_without_a_person_are_tolerated(camera):
    """Every 7th frame has no person (NaN rows, as pose.estimate stores them) and the first 0.5 s
    too: the reps are still found (gaps ≤ 0.25 s are bridged) and no warning or error is raised
    by the numerics (pytest turns RuntimeWarnings into failures)."""
    world = WORLD if camera.position[2] > 1 else FRONT
    rec = to_recording(world, camera)
    gone = (np.arange(len(T)) % 7 == 0) | (T < 0.5)
    rec.image[gone] = np.nan
    rec.world[gone] = np.nan
    r = analyze(rec, test="squat")
    name, side = (("squat_depth", "right") if r.view["view"] == "side" else ("knee_valgus", "left"))
    assert len(r.measurement(name, side).reps) == 3


def test_frame_measures_of_an_empty_window_are_nan():
    """The live view's first window may have no person yet: all-NaN traces, no warnings."""
    fm = squat.frame_measures(np.full((10, 33, 2), np.nan), squat.Settings(),
                              world=np.full((10, 33, 3), np.nan))
    assert set(fm) == {"depth"} and np.all(np.isnan(fm["depth"]))
