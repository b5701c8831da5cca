"""Confidence of published values (screen/results/confidence.py) on exact synthetic knee drives
(tests/synthetic.py: three drives of the left leg to 25°, peaks on frames 45, 135, 225).

Expected values: the factor formulas of the module docstring evaluated by hand on the posed
geometry (clean landmarks: visibility 1, every sample present, no jitter; the camera's turn is
exact, tests/synthetic_turn.py), and orderings (more pixel noise → lower jitter score).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import synthetic as S
import synthetic_turn as ST

from screen import analyze
from screen.results import confidence as C

T, INCL = S.knee_drives(3)
K2W = "knee_to_wall"
NAMES = ("tibial_inclination", "ankle_dorsiflexion")


def _conf(rec, name="tibial_inclination"):
    m = analyze(rec, test=K2W).measurement(name, "left")
    return m, m.confidence


def test_combine_is_the_geometric_mean():
    c = C.combine({"a": 1.0, "b": 0.25})
    assert c.score == pytest.approx(0.5)
    assert C.combine({"a": 0.0, "b": 1.0}).score == pytest.approx(math.sqrt(1e-3))  # clipped


@pytest.mark.parametrize("score,level", [(C.HIGH, "high"), (C.HIGH - 1e-6, "moderate"),
                                         (C.MODERATE, "moderate"), (C.MODERATE - 1e-6, "low")])
def test_levels(score, level):
    assert C.Confidence(score, {"x": score}).level == level


def test_weakest_names_the_lowest_factor():
    c = C.combine({"visibility": 0.9, "jitter": 0.2, "coverage": 1.0})
    assert c.weakest.startswith("the landmarks jump between frames") and "jitter 0.20" in c.weakest


@pytest.mark.parametrize("name", NAMES)
def test_clean_recording_scores_high_on_every_factor(name):
    m, c = _conf(S.recording(INCL, 3.0), name)
    assert m.value is not None and c["level"] == "high"
    f = c["factors"]
    assert f["visibility"] == 1.0 and f["coverage"] == 1.0
    assert f["view"] == 1.0  # side-on: turn 90°
    assert f["support"] == 1.0  # three complete reps: min(1, 0.5 + 0.25 · 3)
    assert f["jitter"] >= 0.95 and f["consistency"] >= 0.95


def test_view_factor_at_a_known_turn():
    """Camera turned 8° off side-on: view = 1 − ½ · 8 / limit, limit 20° (inclination) and
    11° (dorsiflexion) as declared."""
    _, world, _ = ST.knee_drives(3)
    r = analyze(ST.render(world, ST.off_side(8.0)), test=K2W)
    from screen.protocols import PROTOCOLS

    for name in NAMES:
        limit = PROTOCOLS[K2W].measure(name).max_turn_deg
        f = r.measurement(name, "left").confidence["factors"]
        assert f["view"] == pytest.approx(1 - 0.5 * 8.0 / limit, abs=2e-3)


def test_two_pixel_noise_scores_lower_jitter_than_none():
    _, clean = _conf(S.recording(INCL, 3.0))
    noisy = [_conf(S.recording(INCL, 3.0, noise_px=2.0, seed=s))[1] for s in range(3)]
    assert all(c["factors"]["jitter"] < clean["factors"]["jitter"] - 0.2 for c in noisy)
    assert all(c["score"] >= C.PUBLISH_AT_LEAST for c in noisy)  # still published


def test_eight_pixel_jumps_are_withheld_naming_jitter():
    """σ = 8 px between frames on a ≈ 135-px torso is ≈ 0.06 torso lengths, twice
    JITTER_ZERO: the value is not published and the reason names jitter."""
    for seed in range(2):
        m = analyze(S.recording(INCL, 3.0, noise_px=8.0, seed=seed), test=K2W).measurement(
            "tibial_inclination", "left")
        assert m.value is None and m.status == "insufficient_data"
        assert "confidence too low" in m.reason and "jitter" in m.reason
        assert any(e["value"] is not None for e in m.reps)  # reps were found, then withheld


def test_single_rep_support():
    t, incl = S.knee_drives(1)
    c = _conf(S.recording(incl, 3.0))[1]
    assert c["factors"]["support"] == 0.75
    assert np.isfinite(c["score"])
