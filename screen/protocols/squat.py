"""Bodyweight squat, side view (sagittal measures) or front/back view (frontal measures).

Protocol (GUIDE §1): the person does bodyweight squats with the whole body and both feet in
frame. The view is classified from the landmarks (:func:`screen.scene.view.classify_view`): a side view
gives the sagittal measures of one leg, a front or back view the frontal measures of both legs;
an oblique or unknown view gives ``insufficient_data`` for every measure, with the reason.

Repetitions (both views)
* Depth signal: how far the hips have dropped below their standing height over the ankles, in
  standing thigh lengths (:func:`screen.kinematics.frontal.squat_depth`; thigh length = 95th percentile of
  |hip − knee| over the recording, i.e. its standing, unforeshortened length).
* A rep is a peak of that signal (the bottom) at least ``min_rep_depth`` thigh lengths above the
  surrounding valleys and ``min_rep_separation_s`` from the next (:func:`screen.kinematics.events.find_reps`).
  The signal is padded at both ends with its standing level, so a clip that *starts at the
  bottom* and stands up (or ends at the bottom) still counts that rep: a rep needs its bottom and
  standing on at least one side of it. Such a rep is marked ``partial`` (the person is not seen
  within ``min_rep_depth / 2`` of standing on both sides). A clip that never stands has no rep.
* The bottom phase of a rep: its frames with depth ≥ 90% of the rep's peak depth.

Side view (one leg; :mod:`screen.kinematics.sagittal`)
* Leg: ``side`` if given (labels trusted); otherwise the leg nearest the camera, chosen per frame
  from MediaPipe's world landmarks (the leg whose hip, knee and ankle have the smaller mean depth
  z; where the two legs are within 3 cm in depth or z is missing, the recording's majority
  choice), reported under the label it carries in most frames. The far leg is hidden behind it
  and is reported ``insufficient_data``. Per-frame choice keeps the near leg even when MediaPipe
  swaps the labels.
* Heel lift: foot pitch (:mod:`screen.kinematics.sagittal`) minus its median over the standing frames
  (its 10th percentile if none); a frame is heel-down when that is < ``heel_lift_deg``.
* Per rep, read at the bottom (the deepest frame) or, for the ankle, at the deepest heel-down
  frame: ``tibial_inclination`` there; ``ankle_dorsiflexion`` = that inclination − the foot
  pitch (the identity 90° − ∠(s, f) = inclination − pitch in the image), the pitch being the
  median over the bottom phase's heel-down frames (the foot is still, and short in the image,
  so one frame's pitch is the noisiest term: with 2-px noise the median halved the worst
  dorsiflexion error, 4.2° → 2.0°); ``squat_depth`` — the thigh angle below
  horizontal (:func:`screen.kinematics.sagittal.thigh_angle`, + = hip below knee) with ``below_parallel``;
  ``torso_tibia_angle`` — tibial inclination − trunk lean (trunk lean = hip-midpoint →
  shoulder-midpoint vs true up, + toward the toes; :func:`screen.kinematics.geometry.inclination`), ≥ 0 =
  torso parallel to the tibia or more upright (the FMS deep-squat criterion); ``heel_lift`` —
  the median heel lift over the bottom phase.
* Vertical: level camera unless ``camera_tilt_deg`` is given (as in knee-to-wall). A roll θ not
  given biases tibial inclination, thigh angle and trunk lean by up to θ (torso–tibia difference
  and dorsiflexion are unaffected).

Front or back view (both legs; :mod:`screen.kinematics.frontal`)
* ``knee_valgus`` (frontal plane projection angle, + = knee medial): per rep, the value at the
  deepest of the rep's frames whose projected thigh is at least ``min_thigh_fraction`` of its
  standing length (default 0.8: the thigh at most ≈ 37° out of the image plane, about 40–50° of
  knee flexion in a squat), on the way down or up. Deeper frames are excluded: the thigh then
  points at the camera and its foreshortened image turns any small sideways offset of the knee
  into a large angle (2-D FPPA is published for tasks read at ≈ 45–60° of knee flexion). With
  the feet turned out, knees that track over the toes move *laterally* in the image as they
  come forward, so a sound squat reads negative (varus), increasingly so with depth: on the
  sample front squats the knees visibly stay outside the hip–ankle line.
* ``hip_drop`` per side: each hip's drop below its standing height over the ankle midpoint at
  the bottom frame, in thigh lengths; the left − right difference is pelvic obliquity.
* ``lateral_shift`` (side ``both``): hip midpoint over the ankle midpoint, in hip widths,
  + toward the person's left, median over the bottom phase minus its median over the standing
  frames (depth < ``min_rep_depth / 2``).
* ``foot_angle`` per side: foot progression angle (toe-out +) from the world landmarks
  (:func:`screen.kinematics.foot_progression.standing`), median over the bottom phase.

Summaries: ``value`` is the median over reps (``heel_lift``: the worst rep), ``spread`` the range
(max − min) over reps, ``reps`` one dict per rep (``rep``, ``t_s``, ``value``, ``partial`` and
measure-specific flags).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from screen.conditioning.signal import Conditioning, sample_rate
from screen.kinematics import foot_progression
from screen.kinematics.events import find_reps
from screen.kinematics.frontal import hip_height, knee_valgus, lateral_shift, squat_depth
from screen.kinematics.geometry import inclination, norm, up_vector
from screen.kinematics.sagittal import LEG_MEASURES, forward_sign, leg_measures, thigh_angle
from screen.landmarks import HIPS, LEG, LM, SHOULDERS, SIDES, Side
from screen.protocols import Outcome, insufficient, seen_fraction
from screen.recording import Recording
from screen.results.result import Measurement
from screen.results.thresholds import classify, rule
from screen.scene.view import classify_view

NAME = "squat"
VIEWS = ("side", "front", "back")
SAGITTAL = ("ankle_dorsiflexion", "tibial_inclination", "squat_depth", "torso_tibia_angle",
            "heel_lift")
FRONTAL = ("knee_valgus", "hip_drop", "foot_angle")  # per side
MIDLINE = ("lateral_shift",)  # one value for the body, reported with side "both"
UNITS = {"ankle_dorsiflexion": "deg", "tibial_inclination": "deg", "squat_depth": "deg",
         "torso_tibia_angle": "deg", "heel_lift": "deg", "knee_valgus": "deg",
         "hip_drop": "thigh lengths", "foot_angle": "deg", "lateral_shift": "hip widths"}
LANDMARKS = sorted({*LEG["left"], *LEG["right"], *SHOULDERS, *HIPS})
# A squat rep takes ≈ 2–4 s (< 0.5 Hz); values are read from single frames at the bottom, so a
# 3 Hz cut-off (as knee-to-wall) removes more landmark jitter than the general 6 Hz: on synthetic
# squats with 2-px noise (20 seeds) the worst per-rep error fell from 5.1° to 2.0° (dorsiflexion)
# and from 6.9° to 2.2° (knee valgus).
CONDITIONING = Conditioning(cutoff_hz=3.0)
NEAR_LEG_MIN_DZ_M = 0.03
BOTTOM_PHASE = 0.9
MAX_TURN_DEG = 10.0  # front/back view: warn when the person is turned further than this

F = NDArray[np.float64]


@dataclass(frozen=True)
class Settings:
    side: Side | None = None
    camera_tilt_deg: float = 0.0
    heel_lift_deg: float = 10.0  # see [squat.heel_lift] in thresholds.toml
    min_rep_depth: float = 0.2  # thigh lengths of hip drop
    min_rep_separation_s: float = 1.0
    min_thigh_fraction: float = 0.8  # knee valgus: thigh ≤ ≈ 37° out of the image plane
    min_feet_in_frame: float = 0.5


def run(rec: Recording, points: NDArray, settings: Settings, thresholds: dict[str, Any]) -> Outcome:
    """Analyse a conditioned recording; ``points`` (T, 33, 2) are conditioned pixels."""
    view = classify_view(points)
    view_d = {"view": view.view, "width_ratio": view.width_ratio, "reason": view.reason}
    frames = pd.DataFrame({"t_s": rec.t, "frame": np.arange(rec.n_frames), "has_pose": rec.has_pose})
    warnings: list[str] = []  # framing (body, feet in frame) is checked by screen.analysis
    if view.view not in VIEWS:
        why = (f"the squat needs a side view (ankle, depth, trunk) or a front/back view (knees, "
               f"feet); this clip looks {view.view} ({view.reason})")
        return Outcome(_insufficient(SAGITTAL + FRONTAL, SIDES, why)
                       + _insufficient(MIDLINE, ("both",), why), view_d, warnings, frames)
    turn = _turn_deg(rec)
    view_d["turn_deg"] = turn
    if view.view != "side" and turn > MAX_TURN_DEG:
        warnings.append(f"the person is turned ≈ {turn:.0f}° from square to the camera (hip line "
                        "in the world landmarks); knee valgus and lateral shift read from the "
                        "image are distorted off-axis: face the camera squarely")
    up = up_vector(settings.camera_tilt_deg)
    if view.view == "side":
        measurements, more, cols = _sagittal(rec, points, settings, thresholds, up)
    else:
        measurements, more, cols = _frontal(rec, points, settings, thresholds, up)
    for name, col in cols.items():
        frames[name] = col
    return Outcome(measurements, view_d, warnings + more, frames)


def frame_measures(points: NDArray, settings: Settings, *, world: NDArray | None = None
                   ) -> dict[str, F]:
    """Per-frame traces (T,) from pixel points (T, 33, 2) (and world landmarks (T, 33, 3) when
    given), by the functions :func:`run` uses. Always ``depth`` (thigh lengths). Side view: each
    labelled side's ``*_ankle_dorsiflexion``, ``*_tibial_inclination``, ``*_thigh_angle``, and
    ``trunk_lean``; with ``world`` (or ``settings.side``) also the measured leg's
    ``ankle_dorsiflexion``, ``tibial_inclination``, ``thigh_angle``, ``torso_tibia_angle`` and
    ``heel_lift`` (relative to the window's standing frames). Front/back view: each side's
    ``*_knee_valgus`` and ``lateral_shift``."""
    p = np.asarray(points, dtype=float)
    up = up_vector(settings.camera_tilt_deg)
    legs = {s: p[:, list(LEG[s])] for s in SIDES}
    hip, ankle = _mid(legs["left"][:, 0], legs["right"][:, 0]), _mid(legs["left"][:, 2],
                                                                    legs["right"][:, 2])
    out = {"depth": squat_depth(hip, ankle, up, _thigh_length(legs))}
    view = classify_view(p).view
    if view == "side":
        fwd = _forward(legs, up)
        for s in SIDES:
            m = leg_measures(legs[s], up, fwd)
            out[f"{s}_ankle_dorsiflexion"] = m["ankle_dorsiflexion"]
            out[f"{s}_tibial_inclination"] = m["tibial_inclination"]
            out[f"{s}_thigh_angle"] = thigh_angle(legs[s][:, 0], legs[s][:, 1], up)
        out["trunk_lean"] = _trunk_lean(p, up, fwd)
        if world is not None or settings.side is not None:
            w = world if world is not None else np.full((len(p), 33, 3), np.nan)
            x = _side_traces(p, w, settings, up)
            out |= {k: x[k] for k in ("ankle_dorsiflexion", "tibial_inclination", "thigh_angle",
                                      "torso_tibia_angle", "heel_lift")}
    elif view in ("front", "back"):
        for s, o in (("left", "right"), ("right", "left")):
            out[f"{s}_knee_valgus"] = knee_valgus(legs[s][:, 0], legs[s][:, 1], legs[s][:, 2],
                                                  legs[o][:, 0])
        out["lateral_shift"] = lateral_shift(legs["left"][:, 0], legs["right"][:, 0],
                                             legs["left"][:, 2], legs["right"][:, 2], up)
    return out


# ---- shared pieces ---------------------------------------------------------------------------

def _turn_deg(rec: Recording) -> float:
    """How far the hip line is turned out of the image plane (degrees, median over frames), from
    the world landmarks: 0 = square to the camera (front/back view), 90 = side view."""
    v = np.asarray(rec.world, dtype=float)[:, LM.LEFT_HIP] - np.asarray(
        rec.world, dtype=float)[:, LM.RIGHT_HIP]
    a = np.degrees(np.arctan2(np.abs(v[:, 2]), np.abs(v[:, 0])))
    a = a[np.isfinite(a)]
    return float(np.median(a)) if len(a) else float("nan")


def _mid(a: NDArray, b: NDArray) -> F:
    return (np.asarray(a, dtype=float) + np.asarray(b, dtype=float)) / 2


def _thigh_length(legs: dict[Side, NDArray]) -> float:
    """Standing thigh length in pixels: 95th percentile of |hip − knee| over both legs."""
    lengths = np.concatenate([norm(legs[s][:, 0] - legs[s][:, 1]) for s in SIDES])
    lengths = lengths[np.isfinite(lengths)]
    return float(np.percentile(lengths, 95)) if len(lengths) else float("nan")


def _forward(legs: dict[Side, NDArray], up: NDArray) -> float:
    return forward_sign(np.concatenate([legs[s][:, 3] for s in SIDES]),
                        np.concatenate([legs[s][:, 4] for s in SIDES]), up)


def _trunk_lean(points: NDArray, up: NDArray, fwd: float) -> F:
    shoulder = _mid(points[:, LM.LEFT_SHOULDER], points[:, LM.RIGHT_SHOULDER])
    hip = _mid(points[:, LM.LEFT_HIP], points[:, LM.RIGHT_HIP])
    return inclination(shoulder - hip, up, fwd)


def _reps(depth: F, t: NDArray, settings: Settings) -> tuple[NDArray, NDArray, list[bool]]:
    """Bottoms (R,), window bounds (R + 1,) and per-rep ``partial`` flags (see module doc)."""
    n = len(depth)
    if not np.any(np.isfinite(depth)) or n < 2:
        return np.array([], dtype=np.intp), np.array([0, n], dtype=np.intp), []
    base = float(np.nanmin(depth))
    dt = 1.0 / sample_rate(t)
    x = np.concatenate([[base], depth, [base]])
    tt = np.concatenate([[t[0] - dt], t, [t[-1] + dt]])
    peaks, bounds = find_reps(x, tt, min_prominence=settings.min_rep_depth,
                              min_separation_s=settings.min_rep_separation_s)
    if not len(peaks):
        return np.array([], dtype=np.intp), np.array([0, n], dtype=np.intp), []
    peaks = peaks - 1
    bounds = np.clip(bounds - 1, 0, n)
    bounds[0], bounds[-1] = 0, n
    near_standing = _standing(depth, settings)
    partial = [not (np.any(near_standing[a:p]) and np.any(near_standing[p:b]))
               for p, a, b in zip(peaks, bounds[:-1], bounds[1:], strict=True)]
    return peaks, bounds, partial


def _bottom_phase(depth: F, peak: int, a: int, b: int) -> NDArray:
    """Indices of the rep's frames with depth ≥ BOTTOM_PHASE × its peak depth."""
    seg = depth[a:b]
    return a + np.flatnonzero(np.where(np.isfinite(seg), seg, -np.inf)
                              >= BOTTOM_PHASE * depth[peak])


def _rep_column(bounds: NDArray, n_reps: int, n: int) -> NDArray:
    if not n_reps:
        return np.zeros(n, dtype=int)
    return np.searchsorted(bounds, np.arange(n), side="right")


def _argmax_in(x: F, idx: NDArray) -> int | None:
    """The index in ``idx`` where ``x`` is largest (finite values only), or None."""
    idx = idx[np.isfinite(x[idx])]
    return int(idx[np.argmax(x[idx])]) if len(idx) else None


def _summarise(name: str, side: str, per_rep: list[dict[str, Any]], thresholds: dict[str, Any],
               why_none: str, *, worst: bool = False) -> Measurement:
    r = rule(thresholds, NAME, name)
    vals = [rep["value"] for rep in per_rep if rep["value"] is not None]
    if not vals:
        return _insufficient((name,), (side,), why_none, reps=per_rep)[0]
    value = float(np.max(vals)) if worst else float(np.median(vals))
    return Measurement(name=name, side=side, value=value, unit=UNITS[name],
                       status=classify(value, r), threshold=r, median=float(np.median(vals)),
                       reps=per_rep, statistic="worst rep" if worst else "median of reps",
                       spread=float(np.max(vals) - np.min(vals)))


def _insufficient(names: tuple[str, ...], sides: tuple[str, ...], why: str, *,
                  reps: list[dict[str, Any]] | None = None) -> list[Measurement]:
    return insufficient(names, sides, why, statistic="median of reps", unit=UNITS, reps=reps)


def _no_reps_reason(n_reps: int) -> str:
    return ("no squat repetition found (the hips never dropped ≥ the rep threshold below a "
            "standing position seen in the clip)" if not n_reps else "")


# ---- side view -------------------------------------------------------------------------------

def _near_leg(world: NDArray, legs: dict[Side, NDArray], side: Side | None
              ) -> tuple[NDArray, NDArray]:
    """The measured leg's points (T, 5, 2) and, per frame, the label it carries; ``world``
    (T, 33, 3) are the world landmarks (depth z away from the camera)."""
    n = len(legs["left"])
    if side is not None:
        return legs[side], np.full(n, side, dtype=object)
    w = np.asarray(world, dtype=float)
    z = {s: w[:, list(LEG[s][:3]), 2].mean(axis=1) for s in SIDES}
    dz = z["left"] - z["right"]
    sure = np.isfinite(dz) & (np.abs(dz) >= NEAR_LEG_MIN_DZ_M)
    majority_left = np.sum(sure & (dz < 0)) >= np.sum(sure & (dz > 0))
    left = np.where(sure, dz < 0, majority_left)
    return (np.where(left[:, None, None], legs["left"], legs["right"]),
            np.where(left, "left", "right").astype(object))


def _side_traces(points: NDArray, world: NDArray, settings: Settings, up: NDArray
                 ) -> dict[str, Any]:
    """Per-frame side-view traces of the measured leg (:func:`_near_leg`): its
    :func:`~screen.kinematics.sagittal.leg_measures`, ``thigh_angle``, ``trunk_lean``, ``depth``,
    ``heel_lift`` (foot pitch − its median over the standing frames, else its 10th percentile),
    ``torso_tibia_angle``, plus ``leg`` (T, 5, 2), ``labels`` (T,) and ``fwd``."""
    legs = {s: points[:, list(LEG[s])] for s in SIDES}
    fwd = _forward(legs, up)
    leg, labels = _near_leg(world, legs, settings.side)
    x: dict[str, Any] = dict(leg_measures(leg, up, fwd))
    x["thigh_angle"] = thigh_angle(leg[:, 0], leg[:, 1], up)
    x["trunk_lean"] = _trunk_lean(points, up, fwd)
    x["torso_tibia_angle"] = x["tibial_inclination"] - x["trunk_lean"]
    x["depth"] = squat_depth(leg[:, 0], leg[:, 2], up, _thigh_length({"left": leg, "right": leg}))
    pitch = x["foot_pitch"]
    base = pitch[_standing(x["depth"], settings) & np.isfinite(pitch)]
    if not len(base):
        base = pitch[np.isfinite(pitch)]
        base = np.array([np.percentile(base, 10)]) if len(base) else np.array([np.nan])
    x["heel_lift"] = pitch - float(np.median(base))
    return x | {"leg": leg, "labels": labels, "fwd": fwd}


def _sagittal(rec: Recording, points: NDArray, settings: Settings, thresholds: dict[str, Any],
              up: NDArray) -> tuple[list[Measurement], list[str], dict[str, Any]]:
    x = _side_traces(points, rec.world, settings, up)
    leg, labels = x["leg"], x["labels"]
    seen = seen_fraction(leg[:, 2:], rec.has_pose)
    if not np.isfinite(x["fwd"]) or seen < settings.min_feet_in_frame:
        why = (f"the foot (ankle, heel, toe) of the measured leg is visible in only "
               f"{100 * seen:.0f}% of the frames with a person; film the whole body with the "
               "feet in view")
        return _insufficient(SAGITTAL, SIDES, why), [], {}
    found = labels[np.all(np.isfinite(leg[:, :3]), axis=(1, 2))]
    side: Side = settings.side or ("left" if np.sum(found == "left") >= np.sum(found == "right")
                                   else "right")
    peaks, bounds, partial = _reps(x["depth"], rec.t, settings)
    heel_down = x["heel_lift"] < settings.heel_lift_deg
    traces = x | {"squat_depth": x["thigh_angle"]}
    per_rep: dict[str, list[dict[str, Any]]] = {name: [] for name in SAGITTAL}
    for i, p in enumerate(peaks):
        common = {"rep": i + 1, "bottom_t_s": float(rec.t[p]), "partial": partial[i]}
        rep = _sagittal_rep(rec, traces, heel_down, int(p), int(bounds[i]), int(bounds[i + 1]),
                            settings)
        for name in SAGITTAL:
            per_rep[name].append(common | rep[name])

    none_why = _no_reps_reason(len(peaks)) or "the needed landmarks were missing in every rep"
    measurements = [_summarise(name, side, per_rep[name], thresholds,
                               "the heel was lifted throughout every repetition"
                               if name in ("ankle_dorsiflexion", "tibial_inclination") and
                               len(peaks) else none_why, worst=name == "heel_lift")
                    for name in SAGITTAL]
    other = "right" if side == "left" else "left"
    measurements += _insufficient(SAGITTAL, (other,), f"the {other} leg is the far leg in this "
                                  f"side view (hidden behind the {side} leg); film the other side")
    warnings = _sagittal_warnings(per_rep, len(peaks))
    cols: dict[str, Any] = {f"test_{k}": x[k] for k in (*LEG_MEASURES, "thigh_angle")}
    cols |= {"test_label": labels, "trunk_lean": x["trunk_lean"], "depth": x["depth"],
             "heel_lift_deg": x["heel_lift"], "heel_down": heel_down,
             "rep": _rep_column(bounds, len(peaks), rec.n_frames)}
    return measurements, warnings, cols


def _standing(depth: F, settings: Settings) -> NDArray:
    """(T,) bool: frames within ``min_rep_depth / 2`` of the recording's standing level."""
    if not np.any(np.isfinite(depth)):
        return np.zeros(depth.shape, dtype=bool)
    return np.isfinite(depth) & (depth < np.nanmin(depth) + settings.min_rep_depth / 2)


def _sagittal_rep(rec: Recording, x: dict[str, F], heel_down: NDArray, p: int, a: int, b: int,
                  settings: Settings) -> dict[str, dict[str, Any]]:
    """One rep's values (see the module docstring): ``p`` its bottom, ``a:b`` its window."""
    window = np.arange(a, b)
    lift = _median_over(rec, x["heel_lift"], _bottom_phase(x["depth"], p, a, b))
    lifted = lift["value"] is not None and lift["value"] >= settings.heel_lift_deg
    j = _argmax_in(x["depth"], window[heel_down[a:b]])  # the deepest heel-down frame
    flags = {"heel_lifted": lifted, "at_bottom": j == p}
    out = {"tibial_inclination": _val(rec, x["tibial_inclination"], j) | flags}
    # Dorsiflexion = inclination − foot pitch (= 90° − ∠(s, f) in the image). The foot is short
    # in the image and still while the heel is down, so its pitch is the median over the
    # bottom phase's heel-down frames (that frame's own pitch if there are none).
    still = _bottom_phase(x["depth"], p, a, b)
    still = still[heel_down[still] & np.isfinite(x["foot_pitch"][still])]
    if j is None:
        out["ankle_dorsiflexion"] = _val(rec, x["ankle_dorsiflexion"], None) | flags
    else:
        pitch = float(np.median(x["foot_pitch"][still])) if len(still) else x["foot_pitch"][j]
        out["ankle_dorsiflexion"] = _val(rec, x["tibial_inclination"] - pitch, j) | flags
    at_bottom = p if np.isfinite(x["squat_depth"][p]) else None
    out["squat_depth"] = _val(rec, x["squat_depth"], at_bottom) | {
        "below_parallel": None if at_bottom is None else bool(x["squat_depth"][p] > 0)}
    out["torso_tibia_angle"] = _val(rec, x["torso_tibia_angle"], p) | {
        "trunk_lean": _f(x["trunk_lean"][p]), "tibial_inclination": _f(x["tibial_inclination"][p])}
    out["heel_lift"] = lift | {"heel_lifted": lifted}
    return out


def _f(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _val(rec: Recording, x: F, j: int | None) -> dict[str, Any]:
    return ({"t_s": None, "value": None} if j is None or not np.isfinite(x[j])
            else {"t_s": float(rec.t[j]), "value": float(x[j])})


def _sagittal_warnings(per_rep: dict[str, list[dict[str, Any]]], n_reps: int) -> list[str]:
    out = []
    if not n_reps:
        out.append("no squat repetition found")
    lifted = [r["rep"] for r in per_rep["heel_lift"] if r["heel_lifted"]]
    if lifted:
        out.append(f"heel lifted during rep(s) {lifted}; ankle dorsiflexion and tibial "
                   "inclination are read from the heel-down frames only")
    shallow = [r["rep"] for r in per_rep["squat_depth"] if r["below_parallel"] is False]
    if shallow:
        out.append(f"thigh did not reach below horizontal in rep(s) {shallow}")
    partial = [r["rep"] for r in per_rep["squat_depth"] if r["partial"]]
    if partial:
        out.append(f"rep(s) {partial} only partly in the clip (started or ended at the bottom)")
    return out


# ---- front / back view -----------------------------------------------------------------------

def _frontal(rec: Recording, points: NDArray, settings: Settings, thresholds: dict[str, Any],
             up: NDArray) -> tuple[list[Measurement], list[str], dict[str, Any]]:
    seen = seen_fraction(points[:, [LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_KNEE, LM.RIGHT_KNEE,
                                    LM.LEFT_ANKLE, LM.RIGHT_ANKLE]], rec.has_pose)
    if seen < settings.min_feet_in_frame:
        why = (f"hips, knees and ankles of both legs are visible together in only "
               f"{100 * seen:.0f}% of the frames with a person; film the whole body with both "
               "legs and feet in view, nothing in front of them")
        return (_insufficient(FRONTAL, SIDES, why) + _insufficient(MIDLINE, ("both",), why),
                [], {})
    x = _frontal_traces(rec, points, settings, up)
    peaks, bounds, partial = _reps(x["depth"], rec.t, settings)
    standing = _standing(x["depth"], settings)
    base = x["lateral_shift"][standing & np.isfinite(x["lateral_shift"])]
    x["lateral_shift"] = x["lateral_shift"] - (np.median(base) if len(base) else np.nan)

    per_rep: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for i, p in enumerate(peaks):
        a, b = int(bounds[i]), int(bounds[i + 1])
        common = {"rep": i + 1, "bottom_t_s": float(rec.t[p]), "partial": partial[i]}
        bottom = _bottom_phase(x["depth"], int(p), a, b)
        window = np.arange(a, b)
        for s in SIDES:
            rated = _argmax_in(x["depth"], window[x[f"{s}_knee_valgus_rated"][a:b]])
            values = {"knee_valgus": _val(rec, x[f"{s}_knee_valgus"], rated),
                      "hip_drop": _val(rec, x[f"{s}_hip_drop"], int(p)),
                      "foot_angle": _median_over(rec, x[f"{s}_foot_angle"], bottom)}
            for name, v in values.items():
                per_rep.setdefault((name, s), []).append(common | v)
        per_rep.setdefault(("lateral_shift", "both"), []).append(
            common | _median_over(rec, x["lateral_shift"], bottom))

    none_why = _no_reps_reason(len(peaks))
    why = {"knee_valgus": "no frame with the thigh long enough in the image (≥ "
           f"{settings.min_thigh_fraction:g} of standing) in any rep",
           "hip_drop": "hip or ankle landmarks missing at every rep's bottom",
           "foot_angle": "world landmarks of the feet missing in every rep's bottom phase",
           "lateral_shift": "no standing frames to compare with, or landmarks missing"}
    keys = [(name, s) for name in FRONTAL for s in SIDES] + [("lateral_shift", "both")]
    measurements = [_summarise(name, s, per_rep.get((name, s), []), thresholds,
                               none_why or why[name]) for name, s in keys]
    warnings = [] if len(peaks) else ["no squat repetition found"]
    partial_reps = [i + 1 for i, flag in enumerate(partial) if flag]
    if partial_reps:
        warnings.append(f"rep(s) {partial_reps} only partly in the clip (started or ended at "
                        "the bottom)")
    x["rep"] = _rep_column(bounds, len(peaks), rec.n_frames)
    return measurements, warnings, x


def _frontal_traces(rec: Recording, points: NDArray, settings: Settings, up: NDArray
                    ) -> dict[str, Any]:
    """Per-frame frontal traces: depth, lateral shift (not yet relative to standing) and, per
    side, knee valgus, whether it is rated (thigh long enough), hip drop and foot angle."""
    legs = {s: points[:, list(LEG[s])] for s in SIDES}
    length = _thigh_length(legs)
    ankle = _mid(legs["left"][:, 2], legs["right"][:, 2])
    x: dict[str, Any] = {
        "depth": squat_depth(_mid(legs["left"][:, 0], legs["right"][:, 0]), ankle, up, length),
        "lateral_shift": lateral_shift(legs["left"][:, 0], legs["right"][:, 0],
                                       legs["left"][:, 2], legs["right"][:, 2], up)}
    fpa = foot_progression.standing(rec.world)
    for s, o in (("left", "right"), ("right", "left")):
        thigh = norm(legs[s][:, 0] - legs[s][:, 1])
        h = hip_height(legs[s][:, 0], ankle, up)
        x[f"{s}_knee_valgus"] = knee_valgus(legs[s][:, 0], legs[s][:, 1], legs[s][:, 2],
                                            legs[o][:, 0])
        x[f"{s}_knee_valgus_rated"] = thigh >= settings.min_thigh_fraction * _p95(thigh)
        x[f"{s}_hip_drop"] = (_p95(h) - h) / length
        x[f"{s}_foot_angle"] = fpa[s]
    return x


def _p95(x: F) -> float:
    x = x[np.isfinite(x)]
    return float(np.percentile(x, 95)) if len(x) else float("nan")


def _median_over(rec: Recording, x: F, idx: NDArray) -> dict[str, Any]:
    vals = x[idx][np.isfinite(x[idx])]
    if not len(vals):
        return {"t_s": None, "value": None}
    return {"t_s": float(np.median(rec.t[idx])), "value": float(np.median(vals))}
