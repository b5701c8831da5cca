"""Verdicts per test and side and the plan, on exact synthetic geometry (tests/synthetic*.py)."""

from __future__ import annotations

import numpy as np
import pytest
import synthetic as S
import synthetic_seated as SS
from camera import front_camera, to_recording

from screen.analysis import analyze
from screen.plan import plan
from screen.results.verdict import verdicts


@pytest.fixture(scope="module")
def knee_to_wall():
    """Three knee drives to 25° tibial inclination with the foot pitched 3°: dorsiflexion 22°."""
    t, incl = S.knee_drives(3)
    return analyze(S.recording(incl, 3.0), test="knee_to_wall")


def test_knee_to_wall_reconciles_dorsiflexion_and_the_athlete_cutoff(knee_to_wall):
    """22° dorsiflexion is normal (≥ 10°); 25° tibial inclination is below the 36.5° athlete
    injury-risk cut-off, which is reported as a risk marker and does not decide the verdict."""
    left = next(v for v in verdicts(knee_to_wall) if v.side == "left")
    assert left.level == "normal"
    incl = next(f for f in left.findings if f.measure == "tibial_inclination")
    assert not incl.decides and incl.flags == {"below_injury_risk_cutoff": True}
    assert "not a restriction" in incl.sentence
    right = next(v for v in verdicts(knee_to_wall) if v.side == "right")
    assert right.level == "insufficient_data" and "not the test leg" in right.reason
    assert plan(verdicts(knee_to_wall)).items == []


def test_knee_to_wall_distance_from_height(knee_to_wall):
    """Synthetic geometry: shank 0.42 m, so a height of 0.42 / 0.246 m makes the scale exact.
    At 25° the knee centre is 0.42·sin 25° + 0.05 (ankle ahead of heel) − 0.20 (foot) ahead
    of the toe tip, plus the knee half-depth 0.029 H."""
    height_cm = 42.0 / 0.246
    expected = 42.0 * np.sin(np.radians(25.0)) + 5.0 - 20.0 + 0.029 * height_cm
    left = next(v for v in verdicts(knee_to_wall, height_cm=height_cm) if v.side == "left")
    dist = next(f for f in left.findings if f.measure == "distance")
    assert dist.value == pytest.approx(expected, abs=0.5) and dist.uncertainty > 1.0


def test_restricted_hip_rotation_gets_mobility_drills_first():
    """Right IR 15° (restricted: < 30°, not severe: ≥ 10°), left IR 35° (normal) → seated hip
    rotation, figure-4 and 90/90 drills, in the file's order, with the caution."""
    _, trace = SS.movements(35.0, 25.0)
    rec = to_recording(SS.skeleton(trace, -0.6 * trace), front_camera())
    r = analyze(rec, test="hip_rotation")
    vs = verdicts(r)
    right = next(v for v in vs if v.side == "right")
    assert right.level == "restricted"
    p = plan(vs)
    assert [i.key for i in p.items] == ["seated_hip_rotation", "figure_4_stretch", "hip_90_90"]
    assert p.items[0].dose == "2 s hold, 15-20 reps each side, twice daily"
    assert "professional assessment comes first" in p.caution and "radiating down" in p.caution
