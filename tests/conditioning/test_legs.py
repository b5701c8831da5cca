"""Leg re-pairing (screen/conditioning/legs.py) and the knee-to-wall test leg
(screen/protocols/knee_to_wall.py) on exact synthetic knee drives (tests/synthetic.py).

Ground truth by construction: three knee drives of the left (front) leg from 2° to 25° tibial
inclination, foot pitched 3° (dorsiflexion 22° at each peak), peaks exactly on frames 45, 135,
225 (30 fps); the right (back) leg stands still at 5°, 0.65 m behind — the legs are apart.
"""

from __future__ import annotations

import numpy as np
import synthetic as S
import synthetic_turn as ST

from screen import analyze
from screen.conditioning.legs import repair
from screen.landmarks import LEG
from screen.recording import Recording

T, INCL = S.knee_drives(3)
PEAKS = [45, 135, 225]
K2W = "knee_to_wall"
LEGS = [i for s in ("left", "right") for i in LEG[s]]  # re-pairing swaps hip to toe only


def _reps(result, name, side):
    return [(e["frame"], e["value"]) for e in result.measurement(name, side).reps]


# ---- re-pairing --------------------------------------------------------------------------

def test_sustained_swap_is_undone_before_smoothing():
    """MediaPipe swaps the leg labels on frames 60–150 (91 frames, less than half the clip):
    re-pairing restores the original landmarks exactly, and every per-rep value equals the
    unswapped run's."""
    swap = np.zeros(len(T), dtype=bool)
    swap[60:151] = True
    clean = S.recording(INCL, 3.0)
    fixed, n = repair(S.recording(INCL, 3.0, swap=swap))
    assert n == 91
    assert np.array_equal(fixed.image[:, LEGS], clean.image[:, LEGS])
    assert np.array_equal(fixed.world[:, LEGS], clean.world[:, LEGS])
    a, b = analyze(S.recording(INCL, 3.0, swap=swap), test=K2W), analyze(clean, test=K2W)
    for name in ("tibial_inclination", "ankle_dorsiflexion"):
        assert _reps(a, name, "left") == _reps(b, name, "left")
        assert len(_reps(a, name, "left")) == 3


def test_single_frame_swap_is_undone():
    swap = np.zeros(len(T), dtype=bool)
    swap[137] = True  # at the second drive's end range
    fixed, n = repair(S.recording(INCL, 3.0, swap=swap))
    assert n == 1
    assert np.array_equal(fixed.image[:, LEGS], S.recording(INCL, 3.0).image[:, LEGS])


def test_each_leg_keeps_the_name_the_model_gave_it_most_often():
    """Labels swapped on frames 0–199 of 270: the front leg is called "right" on most frames, so
    after re-pairing it is "right" throughout (frames 200 on are the ones flipped)."""
    swap = np.zeros(len(T), dtype=bool)
    swap[:200] = True
    fixed, n = repair(S.recording(INCL, 3.0, swap=swap))
    assert n == len(T) - 200
    always = S.recording(INCL, 3.0, swap=np.ones(len(T), bool))
    assert np.array_equal(fixed.image[:, LEGS], always.image[:, LEGS])


def test_no_swap_no_change():
    rec = S.recording(INCL, 3.0, noise_px=1.0)
    fixed, n = repair(rec)
    assert n == 0 and fixed is rec


# ---- the test leg ------------------------------------------------------------------------------

def _far_leg_hidden() -> Recording:
    """The drives seen from the other side (camera on −Z): the driving left leg is now the NEAR
    leg, fully visible; the far (right) leg's visibility is 0.2 on 80% of the frames, as a
    side view hides it."""
    rec = ST.render(S.skeleton(INCL, 3.0), 180.0)
    image = rec.image.copy()
    hidden = np.random.default_rng(1).random(len(T)) < 0.8
    for i in LEG["right"]:
        image[hidden, i, 3:5] = 0.2
    return Recording(rec.t, image, rec.world, rec.meta)


def test_far_leg_low_visibility_the_visible_leg_is_measured():
    rec = _far_leg_hidden()
    assert np.mean(rec.image[:, LEG["right"][1], 3] < 0.5) > 0.7
    r = analyze(rec, test=K2W)
    incl = _reps(r, "tibial_inclination", "left")
    assert len(r.to_dict()["repetitions"]["counted"]) == 3
    assert len(incl) == 3
    assert all(abs(f - p) <= 10 for (f, _), p in zip(incl, PEAKS, strict=True))
    assert all(abs(v - 25.0) <= 1.0 for _, v in incl)
    assert r.measurement("tibial_inclination", "right").status == "insufficient_data"


def _lifting_pitch() -> np.ndarray:
    """Heel rises with the knee: pitch 3° up to 15° shin, then +12° by 20° shin (15° at end
    range: heel rise (sin 15° − sin 3°) = 0.207 foot lengths ≥ 0.2)."""
    return 3.0 + 12.0 * np.clip((INCL - 15.0) / 5.0, 0.0, 1.0)


def test_rising_heel_is_flagged_and_measured_at_the_deepest_heel_down_frame():
    pitch = _lifting_pitch()
    r = analyze(S.recording(INCL, pitch), test=K2W)
    m = r.measurement("tibial_inclination", "left")
    assert len(m.reps) == 3
    for e, peak in zip(m.reps, PEAKS, strict=True):
        assert e["flags"]["heel_down_at_bottom"] is False
        assert e["flags"]["heel_rise_at_bottom"] >= 0.18  # 0.207 posed, after smoothing
        j = e["frame"]
        assert j != peak and abs(j - peak) <= 20
        # read where the heel is still (nearly) down: well short of the 25° peak, and within
        # the posed shin angles of the ± 0.1 s (3-frame) end-range window the value averages
        assert e["value"] < 22.0
        lo, hi = INCL[j - 3:j + 4].min(), INCL[j - 3:j + 4].max()
        assert lo - 0.5 <= e["value"] <= hi + 0.5
        assert pitch[j] < 3.0 + 12.0 * 0.7  # heel rise there below ~0.14 foot lengths posed
    assert any("heel lifted" in w for w in r.quality["warnings"])


def test_flat_heel_is_not_flagged():
    r = analyze(S.recording(INCL, 3.0), test=K2W)
    m = r.measurement("tibial_inclination", "left")
    assert len(m.reps) == 3
    for e, peak in zip(m.reps, PEAKS, strict=True):
        assert e["flags"]["heel_down_at_bottom"] is True
        assert abs(e["flags"]["heel_rise_at_bottom"]) <= 0.02
        assert abs(e["frame"] - peak) <= 3 and abs(e["value"] - 25.0) <= 0.5
    assert not any("heel lifted" in w for w in r.quality["warnings"])


def test_side_setting_measures_that_labelled_leg_only():
    """With ``side="left"`` only the left leg is reported (the driving leg: 3 reps at 25°)."""
    r = analyze(S.recording(INCL, 3.0), test=K2W, side="left")
    assert {m.side for m in r.measurements} == {"left"}
    assert [round(v) for _, v in _reps(r, "tibial_inclination", "left")] == [25, 25, 25]
