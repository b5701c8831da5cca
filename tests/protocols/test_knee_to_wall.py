"""Knee-to-wall protocol on exact synthetic recordings (tests/synthetic.py).

Ground truth by construction: three knee drives from 2° to 25° tibial inclination with the foot
pitched 3° (heel landmark above toe), so end-range dorsiflexion is 25 − 3 = 22°.
"""

import numpy as np
import pytest
import synthetic as S

from screen import analyze

T, INCL = S.knee_drives(3)
PEAK, DF_PEAK = 25.0, 22.0
K2W = "knee_to_wall"


def _values(result, name):
    return np.array([r["value"] for r in result.measurement(name, "left").reps])


def test_noiseless_three_reps_exact():
    r = analyze(S.recording(INCL, 3.0), test=K2W)
    incl, df = _values(r, "tibial_inclination"), _values(r, "ankle_dorsiflexion")
    assert len(incl) == 3
    assert np.abs(incl - PEAK).max() <= 0.5 and np.abs(df - DF_PEAK).max() <= 0.5
    m = r.measurement("tibial_inclination", "left")
    # 36.5° (Backman & Danielson) is an athlete injury-risk cut-off, not a restriction limit
    assert m.status == "not_rated" and m.threshold["injury_risk_below"] == 36.5
    assert r.measurement("ankle_dorsiflexion", "left").status == "normal"  # 22° ≥ 10°
    assert r.measurement("tibial_inclination", "right").status == "insufficient_data"


@pytest.mark.parametrize("tilt", [-5.0, 5.0])
def test_tilt_given_and_two_pixel_noise_bounds(tilt):
    """Stated bound: with ±5° roll passed as camera_tilt_deg and 2-px noise, every rep's
    inclination is within 2.5° and dorsiflexion within 3.5° (worst seen over 20 seeds: 1.7° and
    2.7°), and the median over reps within 1.5°."""
    for seed in range(5):
        r = analyze(S.recording(INCL, 3.0, tilt_deg=tilt, noise_px=2.0, seed=seed), test=K2W,
                    camera_tilt_deg=tilt)
        incl, df = _values(r, "tibial_inclination"), _values(r, "ankle_dorsiflexion")
        assert len(incl) == 3
        assert np.abs(incl - PEAK).max() <= 2.5
        assert np.abs(df - DF_PEAK).max() <= 3.5
        assert abs(r.measurement("tibial_inclination", "left").median - PEAK) <= 1.5


def test_untold_tilt_shifts_inclination_by_the_tilt_only():
    r = analyze(S.recording(INCL, 3.0, tilt_deg=5.0), test=K2W)
    assert np.abs(_values(r, "tibial_inclination") - (PEAK + 5.0)).max() <= 0.5
    assert np.abs(_values(r, "ankle_dorsiflexion") - DF_PEAK).max() <= 0.5


def test_heel_lift_at_peak_is_excluded_and_warned():
    pitch = np.full_like(INCL, 3.0)
    rep2 = (T > 3.9) & (T < 5.1)  # around the second peak at 4.5 s
    pitch[rep2] = 3.0 + 15.0  # heel up 15° while the knee is deepest
    r = analyze(S.recording(INCL, pitch), test=K2W)
    incl = _values(r, "tibial_inclination")
    # rep 2 is measured at its deepest heel-down frame: the inclination at t = 3.9 s
    expected = np.interp(3.9, T, INCL)
    assert incl[1] == pytest.approx(expected, abs=1.0)
    assert incl[1] < PEAK - 3
    assert any("heel lifted" in w and "[2]" in w for w in r.quality["warnings"])


def test_label_swaps_do_not_change_the_result():
    swap = np.random.default_rng(3).random(len(T)) < 0.3
    r = analyze(S.recording(INCL, 3.0, swap=swap), test=K2W)
    assert r.measurement("tibial_inclination", "left").value == pytest.approx(PEAK, abs=0.5)


def test_side_override_uses_that_label():
    r = analyze(S.recording(INCL, 3.0), test=K2W, side="right")  # the back leg: no knee drive
    assert r.measurement("tibial_inclination", "right").status == "insufficient_data"
    assert "no knee drive" in r.measurement("tibial_inclination", "right").reason


def test_front_view_gives_insufficient_data_with_reason():
    r = analyze(S.recording(INCL, 3.0, facing_camera=True), test=K2W)
    assert r.view["view"] == "front"
    assert all(m.status == "insufficient_data" and m.value is None for m in r.measurements)
    assert "side view" in r.measurements[0].reason


def test_json_has_the_promised_fields():
    d = analyze(S.recording(INCL, 3.0), test=K2W).to_dict()
    assert {"tool_version", "source", "model", "test", "view", "measurements", "quality"} <= set(d)
    m = d["measurements"][0]
    assert {"name", "side", "value", "unit", "status", "threshold", "reps"} <= set(m)
    assert "source" in m["threshold"] and d["test"] == "knee_to_wall"
    assert {"frames", "frames_with_pose", "warnings"} <= set(d["quality"])
