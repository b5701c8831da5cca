"""Knee-to-wall protocol on exact synthetic recordings (tests/synthetic.py).

Ground truth by construction: three knee drives from 2° to 25° tibial inclination with the foot
pitched 3° (heel landmark above toe), so end-range dorsiflexion is 25 − 3 = 22°. The back leg
stands as in the real sample: shank leaning 30° with the heel up 20°, its knee past its own toes
(tests/synthetic.py), so the test-leg rule is exercised, not assumed.

Accuracy specifications (written before measuring, GUIDE §3): with a ±5° roll given and 2-px
noise, tibial inclination per rep inside the smartphone inclinometer's limits of agreement
(−1.8…+1.5°), dorsiflexion per rep within the weight-bearing-lunge MDC (4.6°); over many runs,
the 95% limits of agreement (bias ± 1.96 sd) of both per rep inside ±1.5° (issue 10: what a
clinician's inclinometer gives). Tighter bounds from measured runs are regression guards (marked
``regression``).
"""

import numpy as np
import pytest
import synthetic as S
from camera import side_camera, to_recording

from screen import analyze
from screen.landmarks import LEG
from screen.protocols import knee_to_wall

T, INCL = S.knee_drives(3)
PEAK, DF_PEAK = 25.0, 22.0
PEAKS = [45, 135, 225]  # (r + 0.5) · 3 s at 30 fps
K2W = "knee_to_wall"


def _values(result, name, side="left"):
    return np.array([np.nan if r["value"] is None else r["value"]
                     for r in result.measurement(name, side).reps])


def test_noiseless_three_reps_exact():
    """≤ 0.5° per rep. Statuses, and why: tibial inclination is not rated because its only
    published cut-off (36.5°, Backman & Danielson) is an injury-risk marker in elite junior
    basketball players, not a restriction limit — it is flagged, never called "restricted";
    22° of dorsiflexion is above the < 10° restricted limit of the starting material (normal
    ≈ 20°). So one rep is never "restricted" on one measure and "normal" on the other."""
    r = analyze(S.recording(INCL, 3.0), test=K2W)
    incl, df = _values(r, "tibial_inclination"), _values(r, "ankle_dorsiflexion")
    assert len(incl) == 3
    assert np.abs(incl - PEAK).max() <= 0.5 and np.abs(df - DF_PEAK).max() <= 0.5
    m = r.measurement("tibial_inclination", "left")
    assert m.status == "not_rated" and m.threshold["injury_risk_below"] == 36.5
    assert "restricted_below" not in m.threshold
    assert r.measurement("ankle_dorsiflexion", "left").status == "normal"
    statuses = {x.status for x in r.measurements if x.side == "left"}
    assert not {"restricted", "severe"} & statuses
    assert r.measurement("tibial_inclination", "right").status == "insufficient_data"
    assert "not the test leg" in r.measurement("tibial_inclination", "right").reason


def test_best_rep_is_reported_not_the_mean():
    """Drives to 20°, 25° and 22°: the reported value is the best rep (25°, the clinical
    convention), the median 22°; the mean (22.3°) or the first rep would be wrong."""
    peaks = np.array([20.0, 25.0, 22.0])
    rep = np.minimum((T // 3.0).astype(int), 2)
    incl = 2.0 + (peaks[rep] - 2.0) * 0.5 * (1 - np.cos(2 * np.pi * T / 3.0))
    r = analyze(S.recording(incl, 3.0), test=K2W)
    assert _values(r, "tibial_inclination") == pytest.approx(peaks, abs=0.5)
    m = r.measurement("tibial_inclination", "left")
    assert m.value == pytest.approx(25.0, abs=0.5) and m.median == pytest.approx(22.0, abs=0.5)


def test_right_leg_in_front_is_reported_under_right():
    """The near (right) leg drives: its reps under "right", exact; the left is not the test
    leg. A rule that always takes one label fails one of this and the left-leg case."""
    r = analyze(S.recording(INCL, 3.0, front="right"), test=K2W)
    assert np.abs(_values(r, "tibial_inclination", "right") - PEAK).max() <= 0.5
    assert np.abs(_values(r, "ankle_dorsiflexion", "right") - DF_PEAK).max() <= 0.5
    assert r.measurement("tibial_inclination", "left").status == "insufficient_data"
    assert "the right leg drove" in r.measurement("tibial_inclination", "left").reason


def test_back_leg_knee_past_its_toes_is_not_the_test_leg():
    """The back shank leans 30° with its knee past its toes throughout (≈ 0.3 foot lengths),
    further than the front knee gets past the front toes at 2°: the test leg is still the front
    leg (ankle further toward the toes), every rep's frame is a front-leg peak."""
    r = analyze(S.recording(INCL, 3.0), test=K2W)
    kot = r.frames[["left_knee_over_toe", "right_knee_over_toe"]].to_numpy()
    assert np.nanpercentile(kot[:, 1], 90) > np.nanpercentile(kot[:, 0], 90)  # the trap is set
    assert (r.frames["front_leg"] == "left").all()
    assert [rep["frame"] for rep in r.measurement("tibial_inclination", "left").reps] == \
        pytest.approx(PEAKS, abs=3)


def test_specifications_tilt_given_and_two_pixel_noise():
    """Specification (module docstring): ±5° roll given, 2-px noise, 10 seeds each."""
    for tilt in (-5.0, 5.0):
        for seed in range(10):
            r = analyze(S.recording(INCL, 3.0, tilt_deg=tilt, noise_px=2.0, seed=seed), test=K2W,
                        camera_tilt_deg=tilt)
            incl = _values(r, "tibial_inclination") - PEAK
            df = _values(r, "ankle_dorsiflexion") - DF_PEAK
            assert len(incl) == 3 and incl.min() >= -1.8 and incl.max() <= 1.5, (tilt, seed, incl)
            assert np.abs(df).max() <= 4.6, (tilt, seed, df)


def test_specification_two_pixel_noise_limits_of_agreement():
    """Specification (module docstring): 2-px noise, ±5° roll given, 15 runs each (90 reps): the
    per-rep errors' 95% limits of agreement with the construction, bias ± 1.96 sd, lie inside
    ±1.5° for tibial inclination and ankle dorsiflexion (the smartphone inclinometer's limits,
    −1.8…+1.5°, are of that kind). Not a bound on the worst rep: that grows with the number of
    runs (benchmarks/end_range_noise.py prints both)."""
    err = {"tibial_inclination": [], "ankle_dorsiflexion": []}
    for tilt in (-5.0, 5.0):
        for seed in range(100, 115):
            r = analyze(S.recording(INCL, 3.0, tilt_deg=tilt, noise_px=2.0, seed=seed), test=K2W,
                        camera_tilt_deg=tilt)
            err["tibial_inclination"] += list(_values(r, "tibial_inclination") - PEAK)
            err["ankle_dorsiflexion"] += list(_values(r, "ankle_dorsiflexion") - DF_PEAK)
    for name, e in err.items():
        e = np.array(e)
        assert len(e) == 90 and np.isfinite(e).all(), name
        lo, hi = e.mean() - 1.96 * e.std(ddof=1), e.mean() + 1.96 * e.std(ddof=1)
        assert -1.5 <= lo and hi <= 1.5, (name, lo, hi)


@pytest.mark.regression
@pytest.mark.parametrize("tilt", [-5.0, 5.0])
def test_tilt_given_and_two_pixel_noise_regression(tilt):
    """Regression guard (from measured runs, not a specification): per rep dorsiflexion within
    2.5°; the best rep within 1.5°."""
    for seed in range(5):
        r = analyze(S.recording(INCL, 3.0, tilt_deg=tilt, noise_px=2.0, seed=seed), test=K2W,
                    camera_tilt_deg=tilt)
        assert np.abs(_values(r, "ankle_dorsiflexion") - DF_PEAK).max() <= 2.5
        assert abs(r.measurement("tibial_inclination", "left").value - PEAK) <= 1.5


def test_untold_tilt_shifts_inclination_by_the_tilt_only():
    r = analyze(S.recording(INCL, 3.0, tilt_deg=5.0), test=K2W)
    assert np.abs(_values(r, "tibial_inclination") - (PEAK + 5.0)).max() <= 0.5
    assert np.abs(_values(r, "ankle_dorsiflexion") - DF_PEAK).max() <= 0.5
    assert r.to_dict()["vertical"]["source"] == "assumed_level"


def test_heel_landmark_offset_shifts_dorsiflexion_only():
    """MediaPipe's heel point is not on the sole: reported 1.5 cm above the true heel, the
    heel→toe line pitches down by atan(1.5 / 20) = 4.29°, so dorsiflexion reads 22 − 4.29°
    (± 0.5) while tibial inclination is exact and no rep is taken for a lifted heel."""
    r = analyze(S.recording(INCL, 3.0, heel_offset=(0.0, 0.015)), test=K2W)
    offset = np.degrees(np.arctan2(0.015, S.FOOT))
    assert np.abs(_values(r, "tibial_inclination") - PEAK).max() <= 0.5
    assert np.abs(_values(r, "ankle_dorsiflexion") - (DF_PEAK - offset)).max() <= 0.5
    assert all(rep["flags"]["heel_down_at_bottom"]
               for rep in r.measurement("tibial_inclination", "left").reps)


def test_heel_lift_at_peak_is_excluded_and_warned():
    """The heel pitches up 15° (0.26 foot lengths, above the 0.12 heel-down limit) while the knee
    is deepest in rep 2: that rep is read at its deepest heel-down frame (t = 3.9 s)."""
    pitch = np.full_like(INCL, 3.0)
    rep2 = (T > 3.9) & (T < 5.1)  # around the second peak at 4.5 s
    pitch[rep2] = 3.0 + 15.0  # heel up 15° while the knee is deepest
    r = analyze(S.recording(INCL, pitch), test=K2W)
    incl = _values(r, "tibial_inclination")
    expected = np.interp(3.9, T, INCL)
    assert incl[1] == pytest.approx(expected, abs=1.0)
    assert incl[1] < PEAK - 3
    assert not r.measurement("tibial_inclination", "left").reps[1]["flags"]["heel_down_at_bottom"]
    assert any("heel lifted" in w and "[2]" in w for w in r.quality["warnings"])


def test_isolated_label_swaps_do_not_change_the_result():
    swap = np.random.default_rng(3).random(len(T)) < 0.3
    r = analyze(S.recording(INCL, 3.0, swap=swap), test=K2W)
    assert r.measurement("tibial_inclination", "left").value == pytest.approx(PEAK, abs=0.5)


@pytest.mark.parametrize("front", ["left", "right"])
def test_sustained_label_swap_keeps_each_leg_under_one_label(front):
    """MediaPipe swaps the labels for the whole second rep (3–6 s, a third of the clip): the
    legs are re-paired (90 frames), all three reps stay under the front leg's majority label,
    exact."""
    swap = (T >= 3.0) & (T < 6.0)
    r = analyze(S.recording(INCL, 3.0, front=front, swap=swap), test=K2W)
    assert r.quality["legs_repaired_frames"] == int(swap.sum())
    assert np.abs(_values(r, "tibial_inclination", front) - PEAK).max() <= 0.5
    assert len(_values(r, "tibial_inclination", front)) == 3


def test_swap_for_most_of_the_clip_takes_the_models_majority_name():
    """Swapped from 2 s to the end (7 of 9 s): the physical left leg is called "right" on most
    frames, so it keeps that name (documented rule of screen/conditioning/legs.py) — one label
    throughout, three exact reps."""
    swap = T >= 2.0
    r = analyze(S.recording(INCL, 3.0, swap=swap), test=K2W)
    assert np.abs(_values(r, "tibial_inclination", "right") - PEAK).max() <= 0.5
    assert r.measurement("tibial_inclination", "left").status == "insufficient_data"


def test_side_override_uses_that_label():
    r = analyze(S.recording(INCL, 3.0), test=K2W, side="right")  # the back leg: no knee drive
    assert r.measurement("tibial_inclination", "right").status == "insufficient_data"
    assert "no knee drive" in r.measurement("tibial_inclination", "right").reason


def test_a_step_is_not_a_knee_drive():
    """The front foot slides 0.15 m forward during each drive (a step): no rep is counted, each
    candidate is rejected with the reason."""
    world = S.skeleton(INCL, 3.0)
    slide = 0.15 * 0.5 * (1 - np.cos(2 * np.pi * T / 3.0))
    world[:, list(LEG["left"]), 0] += slide[:, None]
    r = analyze(to_recording(world, side_camera()), test=K2W)
    d = r.to_dict()["repetitions"]
    assert d["counted"] == []
    assert d["rejected"] and all("foot" in x["reason"] for x in d["rejected"])


def test_front_view_gives_insufficient_data_with_reason():
    r = analyze(S.recording(INCL, 3.0, facing_camera=True), test=K2W)
    assert r.view["view"] == "front"
    assert all(m.status == "insufficient_data" and m.value is None for m in r.measurements)
    assert "side view" in r.measurements[0].reason


def test_frame_measures_follow_the_front_leg():
    """The live overlay's traces are the front leg's, whichever label it carries."""
    for front in ("left", "right"):
        rec = S.recording(INCL, 3.0, front=front)
        fm = knee_to_wall.frame_measures(rec.pixels(), knee_to_wall.Settings())
        assert np.abs(fm["tibial_inclination"] - INCL).max() <= 1e-3


def test_json_has_the_promised_fields():
    d = analyze(S.recording(INCL, 3.0), test=K2W).to_dict()
    assert {"tool_version", "source", "model", "test", "view", "measurements", "quality",
            "segments", "repetitions", "vertical"} <= set(d)
    m = d["measurements"][0]
    assert {"name", "side", "value", "unit", "status", "threshold", "reps", "confidence"} <= set(m)
    assert set(m["reps"][0]) == {"rep", "frame", "t_s", "value", "segment", "flags"}
    assert "source" in m["threshold"] and d["test"] == "knee_to_wall"
    assert [c["bottom_frame"] for c in d["repetitions"]["counted"]] == pytest.approx(PEAKS, abs=3)


@pytest.mark.video
def test_a_side_that_is_the_back_leg_is_rejected_on_real_frames(clip_recording):
    """knee_to_wall_side.mp4: the man drives his left knee (seen by stepping through the frames:
    the left foot is forward at the wall in every drive). Asked for the right leg, every
    candidate is rejected as the back leg — before this rule the back shin, which tilts as the
    body lunges, was published as 36.7° / −4.2° (lite model, guided check)."""
    rec = clip_recording("knee_to_wall_side.mp4")
    r = analyze(rec, test=K2W, side="right")
    assert all(m.value is None for m in r.measurements)
    reasons = [x["reason"] for x in r.repetitions["rejected"]]
    assert reasons and all("right leg was behind" in x for x in reasons)
    assert "right leg was behind" in r.measurement("tibial_inclination", "right").reason
