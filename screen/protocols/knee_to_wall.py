"""Knee-to-wall (weight-bearing lunge) test, side view.

Protocol (GUIDE §1): the person faces a wall with the test foot about 10 cm from it and drives
the knee toward the wall with the heel kept down, several times. Measured per repetition, at end
range *with the heel down*: tibial inclination and ankle dorsiflexion (definitions in
:mod:`screen.kinematics.sagittal`).

How the numbers are obtained
* Frames: only side-view segments with the person in place (:mod:`screen.scene.segments`), the
  body turned at most each measure's ``max_turn_deg`` from side-on (below).
* Legs are re-paired before any smoothing (:mod:`screen.conditioning.legs`), so each physical
  leg keeps one label.
* Repetition signal: the tibial inclination of the *front* leg — per frame the leg whose ankle is
  further forward (toward the toes); where only one leg is seen (the far leg is often hidden in a
  side view), that leg — on the frames where that foot is still (its toe slower than
  ``max_foot_speed`` foot lengths per second: stepping into or out of a lunge is not a drive).
  Candidates are its peaks (``min_rep_prominence_deg`` high,
  ``min_rep_separation_s`` apart) inside each segment.
* The test leg of a repetition is the front leg at its deepest frame, so a clip with both legs
  tested (alternating lunges) reports each leg's repetitions under its own side; ``side``
  measures that labelled leg only, and a repetition in which it is the back leg is rejected
  (the back shin also tilts as the body lunges: measured as a test leg it read 36.7° tibial
  inclination and −4.2° dorsiflexion on the sample clip — a confident wrong number).
* A candidate counts as a knee drive only when (reasons are listed for those that do not):
  the front foot is planted — its heel stays within ``max_foot_travel`` foot lengths (along the
  floor) of where it is at the deepest frame over ± ``planted_s`` around it (the heel, not the
  toe: MediaPipe's toe point slides ≈ 0.3 foot lengths as the ankle flexes over a planted
  foot) — and the knee travels at least ``min_knee_travel`` foot lengths forward over that
  planted foot (knee-over-toe, from the least to the deepest frame of the repetition).
* Heel down: heel rise (:func:`screen.kinematics.sagittal.heel_rise`) below ``heel_rise_max``
  foot lengths over the repetition's own baseline — the frames of the repetition with the foot
  planted and the shin in the lower half of its excursion (knee back, a quiet part of the same
  movement, never one frame).
* End range: the heel-down frame of the repetition with the largest tibial inclination, and
  the *mean* tibial inclination over the heel-down frames within ± ``end_range_window_s`` of it
  (robust to landmark noise: a maximum of a noisy trace is biased upward); ankle dorsiflexion is
  that inclination minus the foot pitch (the identity 90° − ∠(s, f) = inclination − pitch in
  the image), the pitch being the median over the heel-down frames within ± ``foot_still_s`` —
  the planted foot is still and, short in the image, its pitch is the noisiest term.
  ``benchmarks/end_range_noise.py`` prints the bias and spread of both under noise. A repetition whose
  heel was up throughout yields no value.
* The reported value is the best repetition (the clinical convention: the furthest drive).

Turn limits (docs/turn_limits.md, from benchmarks/turn_sensitivity.py on exact synthetic
skeletons, camera turned either way): ankle dorsiflexion passes its 3° bound at ≈ 12.8°
(declared 11°), tibial inclination its 1.5° bound at ≈ 13.3° (declared 13°).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import Conditioning
from screen.kinematics.geometry import components, up_vector
from screen.kinematics.sagittal import forward_sign, heel_rise, leg_measures
from screen.kinematics.stats import nanmedian
from screen.landmarks import HIPS, LEG, SHOULDERS, SIDES, Side
from screen.protocols.base import (
    REPS,
    Candidate,
    Findings,
    MeasureSpec,
    Protocol,
    Rejected,
    Rep,
    Value,
    candidates,
    register,
    setting,
)
from screen.trial import Trial

LANDMARKS = tuple(sorted({*LEG["left"], *LEG["right"], *SHOULDERS, *HIPS}))
LOWER_LEG = {s: LEG[s][1:] for s in SIDES}  # knee, ankle, heel, toe
MEASURES = (
    MeasureSpec("tibial_inclination", "deg", ("side",), max_turn_deg=13.0, bounds=(-30.0, 70.0),
                bounds_source="weight-bearing lunge values reported 20–55° (Bennell et al. 1998; "
                "Hoch & McKeon 2011); beyond −30…70° the shank cannot be on a planted foot",
                statistic="best rep", landmarks=LOWER_LEG),
    MeasureSpec("ankle_dorsiflexion", "deg", ("side",), max_turn_deg=11.0, bounds=(-30.0, 60.0),
                bounds_source="ankle range of motion about 50° plantarflexion to 20° dorsiflexion "
                "non-weight-bearing (AAOS), up to ≈ 45–50° weight-bearing",
                statistic="best rep", landmarks=LOWER_LEG),
)


@dataclass(frozen=True)
class Settings:
    side: Side | None = None
    heel_rise_max: float = setting(0.12, 0.0, 1.0, "foot lengths of heel rise that count as lifted")
    min_rep_prominence_deg: float = setting(5.0, 0.5, 60.0)
    min_rep_separation_s: float = setting(0.8, 0.1, 30.0)
    min_knee_travel: float = setting(0.3, 0.0, 3.0, "foot lengths")
    max_foot_travel: float = setting(0.25, 0.0, 3.0, "foot lengths of heel travel")
    max_foot_speed: float = setting(1.0, 0.0, 20.0, "foot lengths per second")
    planted_s: float = setting(0.3, 0.0, 5.0)
    end_range_window_s: float = setting(0.1, 0.0, 2.0)
    foot_still_s: float = setting(0.5, 0.0, 5.0)


# Knee drives take ≥ 1.5 s and the end range is read from single frames, so a 3 Hz cut-off
# (instead of the general 6 Hz) removes more landmark jitter without flattening the movement.
CONDITIONING = Conditioning(cutoff_hz=3.0)


def _traces(points: NDArray, up: NDArray, frames: NDArray | None = None) -> dict[str, Any]:
    """Per leg its :func:`leg_measures`, the forward sign (from ``frames``, default all) and,
    per frame, whether the left leg is the front leg (``front_left``) and whether any leg was
    seen (``seen``)."""
    legs = {s: points[:, list(LEG[s])] for s in SIDES}
    sel = slice(None) if frames is None else frames
    fwd = forward_sign(np.concatenate([legs[s][sel, 3] for s in SIDES]),
                       np.concatenate([legs[s][sel, 4] for s in SIDES]), up)
    per = {s: leg_measures(legs[s], up, fwd) for s in SIDES}
    ahead = {s: components(legs[s][:, 2], up, fwd)[0] for s in SIDES}
    left_ok, right_ok = np.isfinite(ahead["left"]), np.isfinite(ahead["right"])
    with np.errstate(invalid="ignore"):
        front_left = np.where(left_ok & right_ok, ahead["left"] >= ahead["right"], left_ok)
    return {"legs": legs, "per": per, "fwd": fwd, "front_left": front_left,
            "seen": left_ok | right_ok}


def frame_measures(points: NDArray, settings: Settings, *, up: NDArray | None = None
                   ) -> dict[str, NDArray]:
    """Per-frame traces (T,) of the front leg (or ``settings.side``): tibial inclination and
    ankle dorsiflexion (deg), and heel rise (foot lengths) over the window's frames with the
    shin in its lowest quarter (knee back), from conditioned pixels (T, 33, 2)."""
    up = up_vector(0.0) if up is None else up
    x = _traces(np.asarray(points, dtype=float), up)
    left = x["front_left"] if settings.side is None else np.full(len(points), settings.side == "left")
    out = {name: np.where(left, x["per"]["left"][name], x["per"]["right"][name])
           for name in ("tibial_inclination", "ankle_dorsiflexion")}
    leg = np.where(left[:, None, None], x["legs"]["left"], x["legs"]["right"])
    incl = out["tibial_inclination"]
    with np.errstate(invalid="ignore"):
        base = incl <= np.nanpercentile(incl, 25) if np.isfinite(incl).any() else np.zeros(len(incl), bool)
    out["heel_rise"] = heel_rise(leg[:, 3], leg[:, 4], up, base)
    return out


def find(trial: Trial, settings: Settings, allowed: dict[str, NDArray[np.bool_]]) -> Findings:
    x = _traces(trial.points, trial.up, allowed[REPS])
    n = trial.n_frames
    if settings.side is None:
        left = x["front_left"]
    else:
        left = np.full(n, settings.side == "left")
    incl = np.where(left, x["per"]["left"]["tibial_inclination"],
                    x["per"]["right"]["tibial_inclination"])
    incl = np.where(x["seen"] | (settings.side is not None), incl, np.nan)
    # A knee drive happens over a planted foot: frames where the front foot moves (stepping in
    # or out of a lunge) are left out of the repetition signal.
    toe = np.where(left[:, None], x["legs"]["left"][:, 4], x["legs"]["right"][:, 4])
    heel = np.where(left[:, None], x["legs"]["left"][:, 3], x["legs"]["right"][:, 3])
    foot = nanmedian(np.linalg.norm(toe - heel, axis=-1))
    speed = (np.linalg.norm(np.gradient(toe, trial.t, axis=0), axis=-1) / foot if n > 1
             else np.zeros(n))
    with np.errstate(invalid="ignore"):
        incl = np.where(speed > settings.max_foot_speed, np.nan, incl)
    mask = allowed[REPS]
    found = Findings(kind="rep", sides=SIDES if settings.side is None else (settings.side,))
    cands = candidates(trial, incl, mask, min_prominence=settings.min_rep_prominence_deg,
                       min_separation_s=settings.min_rep_separation_s)
    for c in cands:
        side: Side = "left" if left[c.bottom] else "right"
        if settings.side is not None and x["seen"][c.bottom] and \
                bool(x["front_left"][c.bottom]) != (settings.side == "left"):
            other = "right" if settings.side == "left" else "left"
            found.rejected.append(Rejected(c.bottom, (
                f"the {settings.side} leg was behind at the deepest point (the {other} leg drove "
                f"toward the wall): not a knee drive of the {settings.side} leg")))
            continue
        why, values = _rep(trial, x, side, c, settings, allowed)
        if why:
            found.rejected.append(Rejected(c.bottom, why))
            continue
        rep = len(found.reps) + 1
        found.reps.append(Rep(rep, c.start, c.bottom, c.end, c.segment))
        found.values += [Value(name, side, rep, frame, value, flags)
                         for name, (frame, value, flags) in values.items()]
    _explain(found, settings)
    found.frames = {"front_leg": np.where(x["seen"], np.where(left, "left", "right"), "").astype(object),
                    "test_tibial_inclination": incl}
    for s in SIDES:
        for name in ("tibial_inclination", "ankle_dorsiflexion", "knee_over_toe"):
            found.frames[f"{s}_{name}"] = x["per"][s][name]
    return found


def _rep(trial: Trial, x: dict[str, Any], side: Side, c: Candidate, settings: Settings,
         allowed: dict[str, NDArray[np.bool_]]) -> tuple[str | None, dict[str, tuple]]:
    """Why the candidate is not a knee drive (None if it is) and its values
    ``{measure: (frame, value, flags)}``. Works on the candidate's own frames only."""
    w = slice(c.start, c.end)
    leg, m, t = x["legs"][side][w], {k: v[w] for k, v in x["per"][side].items()}, trial.t[w]
    heel, toe, incl = leg[:, 3], leg[:, 4], m["tibial_inclination"]
    b = c.bottom - c.start
    foot_len = nanmedian(np.linalg.norm(toe - heel, axis=-1))
    if not np.isfinite(foot_len) or not np.all(np.isfinite(heel[b])):
        return "the front foot was not visible at the deepest point", {}
    # the heel along the floor (its rise is the heel-lift check), not the toe: MediaPipe's toe
    # point slides as the ankle flexes over a planted foot
    along, _ = components(heel - heel[b], trial.up, x["fwd"])
    planted = np.abs(along) <= settings.max_foot_travel * foot_len
    if not np.all(planted[np.abs(t - t[b]) <= settings.planted_s]):
        return ("the front foot moved at the deepest point (a step, not a knee drive over a "
                "planted foot)"), {}
    kot = m["knee_over_toe"][planted]
    travel = float(m["knee_over_toe"][b] - np.nanmin(kot)) if np.any(np.isfinite(kot)) else np.nan
    if not travel >= settings.min_knee_travel:
        return (f"the knee travelled only {travel:.2f} foot lengths forward over the planted foot "
                f"(a knee drive needs ≥ {settings.min_knee_travel:g})"), {}
    low = np.nanmin(incl[planted])
    with np.errstate(invalid="ignore"):
        rise = heel_rise(heel, toe, trial.up, planted & (incl <= low + 0.5 * (incl[b] - low)))
        down = (rise < settings.heel_rise_max) & np.isfinite(incl)
    flags = {"heel_rise_at_bottom": None if not np.isfinite(rise[b]) else round(float(rise[b]), 3),
             "heel_down_at_bottom": bool(down[b]), "knee_travel": round(travel, 3)}
    values: dict[str, tuple] = {}
    for name in ("tibial_inclination", "ankle_dorsiflexion"):
        ok = down & allowed[name][w]
        if not ok.any():
            values[name] = (None, None, flags | {"heel_lifted": not down.any()})
            continue
        j = int(np.flatnonzero(ok)[np.argmax(incl[ok])])
        value = float(np.mean(incl[ok & (np.abs(t - t[j]) <= settings.end_range_window_s)]))
        if name == "ankle_dorsiflexion":
            # 90° − ∠(s, f) = inclination − foot pitch in the image; the planted foot is still,
            # so its pitch (the noisiest term: a short segment) is the median over the
            # heel-down frames within ± foot_still_s
            still = down & np.isfinite(m["foot_pitch"]) & (np.abs(t - t[j]) <= settings.foot_still_s)
            value -= float(np.median(m["foot_pitch"][still]))
        values[name] = (c.start + j, value, flags)
    return None, values


def _explain(found: Findings, settings: Settings) -> None:
    """Reasons for sides and measures without a value, and warnings."""
    sides = {v.side for v in found.values}
    if not found.reps:
        why = ("no knee drive found: the front shin never moved ≥ "
               f"{settings.min_rep_prominence_deg:g}° forward and back over a planted foot")
        if found.rejected:
            why += f" ({len(found.rejected)} candidate(s) rejected: {found.rejected[0].reason})"
        found.no_value = {m.name: why for m in MEASURES}
        return
    for s in SIDES:
        if s not in sides and settings.side is None:
            other = "right" if s == "left" else "left"
            for m in MEASURES:
                found.missing[(m.name, s)] = (f"not the test leg in this clip (the {other} leg drove "
                                              "toward the wall); record the other leg separately")
    found.no_value = {m.name: "the heel was lifted throughout every repetition" for m in MEASURES}
    lifted = sorted({v.rep for v in found.values if not v.flags.get("heel_down_at_bottom")})
    if lifted:
        found.warnings.append(f"heel lifted at the deepest point of rep(s) {lifted}; those reps "
                              "are measured at their deepest heel-down frame")


PROTOCOL = register(Protocol(
    name="knee_to_wall", title="knee-to-wall (weight-bearing lunge)", landmarks=LANDMARKS,
    conditioning=CONDITIONING, world_conditioning=Conditioning(cutoff_hz=3.0, outlier_min_px=0.02),
    settings=Settings, measures=MEASURES, activities=("in_place",),
    rep_views=("side", "oblique"), rep_activities=("in_place", "walking"), find=find,
    frame_measures=frame_measures, doc=__doc__ or ""))
