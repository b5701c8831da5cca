"""One verdict per test and side, in plain words, from a Result's measurements.

A verdict reconciles the measures behind it: its ``level`` is the worst status among the test's
*rated* measures of that side (severe > restricted > outside_normal > normal); a measure without
a documented limit is shown but does not decide; an injury-risk cut-off (``injury_risk_below``
in thresholds.toml) is reported as what it is — a risk marker found in one population — and
never as a restriction. When no measure of the side has a value the verdict is
``insufficient_data`` with the protocols' reason.

Knee-to-wall also gets an estimated distance in cm when the person's height is given
(:func:`knee_to_wall_distance`; the scale and its uncertainty are in :data:`DISTANCE_SCALE`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from screen.results.result import Measurement, Result
from screen.results.thresholds import classify, risk_flags, status_label

# Order of severity; the verdict takes the highest rated one.
SEVERITY = {"severe": 4, "restricted": 3, "outside_normal": 2, "normal": 1}
# Plain names of the measures, as a clinician would say them to a patient.
LABELS = {
    "tibial_inclination": "shin angle (tibial inclination)",
    "ankle_dorsiflexion": "ankle bend (dorsiflexion)",
    "distance": "knee-to-wall distance (estimated)",
    "internal_rotation": "hip internal rotation",
    "external_rotation": "hip external rotation",
    "squat_depth": "squat depth (thigh below horizontal)",
    "torso_tibia_angle": "trunk vs shin (torso–tibia angle)",
    "heel_lift": "heel lift",
    "knee_valgus": "knee caving in (valgus)",
    "hip_drop": "hip drop",
    "lateral_shift": "sideways shift",
    "foot_angle": "foot turn-out",
    "foot_progression_angle": "toe-out when walking (foot progression angle)",
    "foot_progression_angle_standing": "toe-out when standing",
}
TEST_LABELS = {"knee_to_wall": "Knee-to-wall (weight-bearing lunge)", "squat": "Squat",
               "hip_rotation": "Seated hip rotation", "foot_angle": "Foot angle (toe-out)"}
LEVEL_WORDS = {"severe": "severely restricted", "restricted": "restricted",
               "outside_normal": "outside the normal range", "normal": "within normal limits",
               "not_rated": "no documented limit to judge against",
               "insufficient_data": "cannot be judged from this recording"}


@dataclass(frozen=True)
class DistanceScale:
    """How a knee-to-wall distance (cm) is estimated from a side view and the person's height.

    distance = knee-joint-centre travel past the toe tip along the floor × (cm per pixel)
    + ``knee_half_depth`` × height (the front of the knee touches the wall, ~half a knee depth
    ahead of the joint centre). cm per pixel = ``shank_ratio`` × height / the median shank
    (knee–ankle) length in pixels over the recording. Shank 0.246 H (Drillis & Contini 1966
    segment proportions); uncertainty (1 SD, added in quadrature): ``ratio_sd`` of the distance
    for individual variation of body proportions (assumed), ``landmark_cm`` for the knee and toe
    landmark positions (assumed), and ``knee_half_depth_sd`` × height."""

    shank_ratio: float = 0.246
    knee_half_depth: float = 0.029
    knee_half_depth_sd: float = 0.006
    ratio_sd: float = 0.05
    landmark_cm: float = 1.0


DISTANCE_SCALE = DistanceScale()


@dataclass(frozen=True)
class Finding:
    """One measure of a verdict: its value, status (as printed) and a sentence."""

    measure: str
    label: str
    value: float | None
    unit: str
    status: str
    status_text: str
    sentence: str
    decides: bool
    flags: dict[str, bool] = field(default_factory=dict)
    uncertainty: float | None = None


@dataclass(frozen=True)
class Verdict:
    """The verdict of one test for one side (``side`` left, right or both)."""

    test: str
    side: str
    level: str
    headline: str
    findings: list[Finding]
    confidence: dict[str, Any] | None = None
    reason: str | None = None


def verdicts(result: Result, *, height_cm: float | None = None) -> list[Verdict]:
    """One :class:`Verdict` per side that the result reports, in the order sides first appear."""
    sides = list(dict.fromkeys(m.side for m in result.measurements))
    extra: dict[str, list[Finding]] = {}
    if result.test == "knee_to_wall" and height_cm is not None:
        for m in result.measurements:
            if m.name == "tibial_inclination" and m.value is not None:
                extra.setdefault(m.side, []).append(
                    _distance_finding(result, m, height_cm))
    return [_verdict(result.test, side, [m for m in result.measurements if m.side == side],
                     extra.get(side, [])) for side in sides]


def _verdict(test: str, side: str, ms: list[Measurement], extra: list[Finding]) -> Verdict:
    findings = [_finding(m) for m in ms] + extra
    rated = [f for f in findings if f.decides]
    who = f"{side} side" if side in ("left", "right") else "both sides"
    name = TEST_LABELS.get(test, test)
    if not any(f.value is not None for f in findings):
        reasons = list(dict.fromkeys(m.reason for m in ms if m.reason))
        reason = "; ".join(reasons) or "no measure had a value"
        return Verdict(test, side, "insufficient_data",
                       f"{name}, {who}: cannot be judged from this recording — {reason}.",
                       findings, None, reason)
    level = max(rated, key=lambda f: SEVERITY[f.status]).status if rated else "not_rated"
    deciding = [f.label for f in rated if f.status == level]
    because = f" (decided by: {', '.join(deciding)})" if deciding else ""
    headline = f"{name}, {who}: {LEVEL_WORDS[level]}{because}."
    confidences = [c for c in (getattr(m, "confidence", None) for m in ms) if c]
    confidence = min(confidences, key=lambda c: c.get("score", 1.0)) if confidences else None
    return Verdict(test, side, level, headline, findings, confidence)


def _finding(m: Measurement) -> Finding:
    label = LABELS.get(m.name, m.name.replace("_", " "))
    rule = m.threshold or {}
    u = "°" if m.unit == "deg" else f" {m.unit}"
    if m.value is None:
        return Finding(m.name, label, None, m.unit, m.status, status_label(m.status, rule),
                       f"{label}: not measured — {m.reason}.", False)
    flags = risk_flags(m.value, rule)
    decides = m.status in SEVERITY
    sentence = f"{label}: {m.value:.1f}{u} ({m.statistic}) — {_status_words(m.status, rule, u)}"
    if flags.get("below_injury_risk_cutoff"):
        sentence += (f"; below {rule['injury_risk_below']:g}{u}, the injury-risk cut-off found in "
                     f"{rule.get('population', 'one population')} — a risk marker for that "
                     "population, not a restriction")
    elif flags:
        sentence += f"; at or above the {rule['injury_risk_below']:g}{u} injury-risk cut-off"
    return Finding(m.name, label, m.value, m.unit, m.status, status_label(m.status, rule),
                   sentence + ".", decides, flags)


def _status_words(status: str, rule: dict[str, Any], u: str) -> str:
    limits = [f"severe below {rule['severe_below']:g}{u}" if "severe_below" in rule else "",
              f"restricted below {rule['restricted_below']:g}{u}" if "restricted_below" in rule else "",
              f"normal from {rule['normal_min']:g}{u}" if "normal_min" in rule else "",
              f"normal up to {rule['normal_max']:g}{u}" if "normal_max" in rule else ""]
    text = LEVEL_WORDS.get(status, status)
    limit = ", ".join(p for p in limits if p)
    prov = ", a provisional limit" if rule.get("provisional") and status in SEVERITY else ""
    return f"{text} ({limit}{prov})" if limit else text


def _distance_finding(result: Result, incl: Measurement, height_cm: float) -> Finding:
    from screen.results.thresholds import load, rule

    value, sd = knee_to_wall_distance(result, incl, height_cm)
    r = rule(load(result.settings.get("thresholds", {}).get("file")), "knee_to_wall", "distance")
    label = LABELS["distance"]
    if value is None:
        return Finding("distance", label, None, "cm", "insufficient_data", "INSUFFICIENT DATA",
                       f"{label}: not estimated — the end-range frame has no knee or toe.", False)
    status = classify(value, r)
    sentence = (f"{label}: {value:.1f} ± {sd:.1f} cm (scale from the height given, "
                f"{height_cm:g} cm) — {_status_words(status, r, ' cm')}.")
    return Finding("distance", label, value, "cm", status, status_label(status, r), sentence,
                   True, {}, sd)


def knee_to_wall_distance(result: Result, incl: Measurement, height_cm: float,
                          scale: DistanceScale = DISTANCE_SCALE) -> tuple[float | None, float]:
    """Estimated knee-to-wall distance (cm) and its 1-SD uncertainty (cm) at the best rep's
    end-range frame of the tibial-inclination measurement ``incl`` (see :class:`DistanceScale`)."""
    from screen.outputs.annotate import end_range_frame, test_leg_points

    frame = end_range_frame(result, incl)
    if frame is None:
        return None, float("nan")
    leg, up, fwd = test_leg_points(result, incl.side)  # (T, 5, 2) hip, knee, ankle, heel, toe
    shank = np.linalg.norm(leg[:, 1] - leg[:, 2], axis=-1)
    if not np.any(np.isfinite(shank)):
        return None, float("nan")
    cm_per_px = scale.shank_ratio * height_cm / float(np.nanmedian(shank))
    right = np.array([-up[1], up[0]]) * fwd
    travel_px = float(np.dot(leg[frame, 1] - leg[frame, 4], right))
    if not np.isfinite(travel_px):
        return None, float("nan")
    travel = travel_px * cm_per_px
    distance = travel + scale.knee_half_depth * height_cm
    sd = float(np.sqrt((scale.ratio_sd * travel) ** 2 + scale.landmark_cm ** 2
                       + (scale.knee_half_depth_sd * height_cm) ** 2))
    return distance, sd
