"""What the live info column lists (screen/live/panel.py), from frame-measure traces and
results built by hand: the expected rows follow checks.toml and thresholds.toml (the rules'
values are read from the file, not from the code under test)."""

from __future__ import annotations

import numpy as np

from screen.live import guide, panel
from screen.results.result import Measurement, Result
from screen.results.thresholds import load

TABLE = load(None)
CHECKS = guide.load_checks()


def test_knee_to_wall_lists_the_test_side_with_units_and_normal_ranges():
    m = {"tibial_inclination": np.array([20.0, 25.0]), "ankle_dorsiflexion": np.array([15.0, 17.5]),
         "heel_rise": np.array([0.0, 0.0])}
    rows = panel.readouts(CHECKS["knee_to_wall"], m, TABLE, "left")
    assert [(r.label, r.value, r.unit) for r in rows] == [
        ("Shin angle (left)", 25.0, "deg"), ("Ankle bend (left)", 17.5, "deg")]
    limit = TABLE["knee_to_wall"]["ankle_dorsiflexion"]["restricted_below"]
    assert rows[1].normal == f"normal >= {limit:g} deg"
    risk = TABLE["knee_to_wall"]["tibial_inclination"]["injury_risk_below"]
    assert rows[0].normal == f"risk below {risk:g} deg"
    g = panel.gauge(CHECKS["knee_to_wall"], m, TABLE, "left", best=21.0)
    assert (g.label, g.value, g.best) == ("Ankle bend (left)", 17.5, 21.0)
    assert g.rule["restricted_below"] == limit


def test_the_hidden_leg_is_not_listed_and_a_missing_view_gives_no_row():
    """Hip rotation without a chosen side: the right knee never seen in the window is left out;
    a squat seen from the front has no ankle traces (side view only): no ankle row, no gauge."""
    m = {"left_rotation": np.array([12.0, 14.0]), "right_rotation": np.array([np.nan, np.nan]),
         "trunk_lean": np.array([1.0, 1.0]), "pelvis_tilt": np.array([0.0, 0.0])}
    rows = panel.readouts(CHECKS["hip_rotation"], m, TABLE, None)
    assert [r.label for r in rows] == ["Hip rotation inward (left)"]
    front = {"depth": np.array([0.1]), "left_knee_valgus": np.array([3.0]),
             "right_knee_valgus": np.array([2.0])}
    assert panel.readouts(CHECKS["squat"], front, TABLE, None) == []
    assert panel.gauge(CHECKS["squat"], front, TABLE, None, float("nan")) is None


def test_result_panel_gives_every_missing_value_its_reason_and_the_side_only():
    rule = TABLE["knee_to_wall"]["ankle_dorsiflexion"]
    ms = [Measurement(name="ankle_dorsiflexion", side="left", value=18.2, unit="deg",
                      status="normal", threshold=rule),
          Measurement(name="tibial_inclination", side="left", value=None, unit="deg",
                      status="insufficient_data", reason="only half a repetition"),
          Measurement(name="ankle_dorsiflexion", side="right", value=None, unit="deg",
                      status="insufficient_data", reason="not the test leg")]
    result = Result(tool_version="x", source="s", model={}, test="knee_to_wall", view={},
                    measurements=ms, quality={"warnings": ["only 150 of 220 frames were analysed"]},
                    settings={}, frames=None, recording=None)
    p = panel.result_panel(result, "trial 1 result", "left")
    assert [(r.text, r.status, r.reason) for r in p.rows] == [
        ("Left ankle bend (dorsiflexion): 18.2 deg", "normal", ""),
        ("Left shin angle (tibial inclination): not measured", "insufficient_data",
         "only half a repetition")]
    assert p.notes == ["only 150 of 220 frames were analysed"]
    assert panel.side_published(result, "left") == (True, "")
    assert panel.side_published(result, "right") == (False, "not the test leg")
