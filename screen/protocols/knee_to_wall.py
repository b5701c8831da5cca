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
  the highest point of a quadratic in time fitted by least squares to the tibial inclination of
  the heel-down frames within ± ``end_range_window_s`` of it
  (:meth:`~screen.kinematics.windows.Windows.quadratic_max`; the mean of them when fewer than
  ``end_range_min_frames``), never above the largest frame (a parabola through a held plateau
  with a quick release bulges above it: +0.9° on knee_to_wall_side's first repetition). Robust
  to landmark noise: a maximum of a noisy trace is biased upward, a mean over a curved top
  downward (−1.5° at ± 0.4 s on the synthetic drives), the fit is neither and averages ≈ 30
  frames; ankle dorsiflexion is
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

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import Conditioning
from screen.kinematics.geometry import components, norm, up_vector
from screen.kinematics.sagittal import forward_sign, heel_rise, leg_measures
from screen.kinematics.stats import nanmedian
from screen.kinematics.windows import Windows
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

F = NDArray[np.float64]

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
    end_range_window_s: float = setting(0.5, 0.0, 2.0, "seconds each side of the largest inclination")
    end_range_min_frames: int = setting(5, 3, 300, "heel-down frames needed for the quadratic fit")
    foot_still_s: float = setting(0.5, 0.0, 5.0)


# Knee drives take ≥ 1.5 s and the end range is read from single frames, so a 3 Hz cut-off
# (instead of the general 6 Hz) removes more landmark jitter without flattening the movement.
CONDITIONING = Conditioning(cutoff_hz=3.0)


def _traces(points: NDArray, up: NDArray, frames: NDArray | None = None) -> dict[str, Any]:
    """Per leg its :func:`leg_measures`, the forward sign (from ``frames``, default all) and,
    per frame, whether the left leg is the front leg (``front_left``) and whether any leg was
    seen (``seen``)."""
    legs = {s: np.take(points, LEG[s], axis=1) for s in SIDES}
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
    foot = nanmedian(norm(toe - heel))
    speed = (norm(np.gradient(toe, trial.t, axis=0)) / foot if n > 1
             else np.zeros(n))
    with np.errstate(invalid="ignore"):
        incl = np.where(speed > settings.max_foot_speed, np.nan, incl)
    mask = allowed[REPS]
    found = Findings(kind="rep", sides=SIDES if settings.side is None else (settings.side,))
    cands = candidates(trial, incl, mask, min_prominence=settings.min_rep_prominence_deg,
                       min_separation_s=settings.min_rep_separation_s)
    behind = [settings.side is not None and bool(x["seen"][c.bottom])
              and bool(x["front_left"][c.bottom]) != (settings.side == "left") for c in cands]
    judged = iter(_reps(trial, x, left, [c for c, b in zip(cands, behind, strict=True) if not b],
                        settings, allowed))
    for c, is_behind in zip(cands, behind, strict=True):
        side: Side = "left" if left[c.bottom] else "right"
        if is_behind:
            other = "right" if settings.side == "left" else "left"
            found.rejected.append(Rejected(c.bottom, (
                f"the {settings.side} leg was behind at the deepest point (the {other} leg drove "
                f"toward the wall): not a knee drive of the {settings.side} leg")))
            continue
        why, values = next(judged)
        if why:
            found.rejected.append(Rejected(c.bottom, why))
            continue
        rep = len(found.reps) + 1
        found.reps.append(Rep(rep, c.start, c.bottom, c.end, c.segment))
        found.values += [Value(name, side, rep, frame, value, flags)
                         for name, (frame, value, flags) in values.items()]
    _explain(found, settings)
    # one object array of three shared strings (no string per frame): "", "left", "right"
    code = np.where(x["seen"], np.where(left, 1, 2), 0)
    found.frames = {"front_leg": np.array(["", "left", "right"], dtype=object)[code],
                    "test_tibial_inclination": incl}
    for s in SIDES:
        for name in ("tibial_inclination", "ankle_dorsiflexion", "knee_over_toe"):
            found.frames[f"{s}_{name}"] = x["per"][s][name]
    return found


def _reps(trial: Trial, x: dict[str, Any], left: NDArray[np.bool_], cands: list[Candidate],
          settings: Settings, allowed: dict[str, NDArray[np.bool_]]
          ) -> list[tuple[str | None, dict[str, tuple]]]:
    """Per candidate: why it is not a knee drive (None if it is) and its values
    ``{measure: (frame, value, flags)}``, for the leg in front at its deepest frame (``left``
    (T,) True: the left leg). Each candidate is judged on its own frames only, every candidate
    at once (:class:`~screen.kinematics.windows.Windows`: one flat array of N elements, the
    candidates' frames end to end; per-candidate results are (W,) arrays)."""
    if not cands:
        return []
    start, end, bottom = (np.array([getattr(c, k) for c in cands]) for k in ("start", "end", "bottom"))
    win = Windows.of(start, end)
    f, g, b = win.frame, win.group, win.at(bottom)  # frame and candidate of each element; bottoms
    on_left = left[bottom]  # (W,) the test leg of each candidate
    legs = np.where(on_left[g, None, None], x["legs"]["left"][f], x["legs"]["right"][f])
    m = {k: np.where(on_left[g], x["per"]["left"][k][f], x["per"]["right"][k][f])
         for k in ("tibial_inclination", "foot_pitch", "knee_over_toe")}
    t, heel, toe, incl = trial.t[f], legs[:, 3], legs[:, 4], m["tibial_inclination"]
    foot = norm(toe - heel)
    foot_len = win.median(foot, np.isfinite(foot))
    seen = np.isfinite(foot_len) & np.isfinite(heel[b, 0]) & np.isfinite(heel[b, 1])
    # the heel along the floor (its rise is the heel-lift check), not the toe: MediaPipe's toe
    # point slides as the ankle flexes over a planted foot
    along, _ = components(heel - heel[b][g], trial.up, x["fwd"])
    with np.errstate(invalid="ignore"):
        planted = np.abs(along) <= settings.max_foot_travel * foot_len[g]
        moved = win.any(~planted & (np.abs(t - t[b][g]) <= settings.planted_s))
    kot = m["knee_over_toe"]
    travel = np.where(win.any(planted & np.isfinite(kot)),
                      kot[b] - win.min(kot, planted), np.nan)
    low = win.min(incl, planted)
    with np.errstate(invalid="ignore"):
        base = planted & (incl <= (low + 0.5 * (incl[b] - low))[g])
    rise = _heel_rise(win, x["legs"], on_left, start, end, heel, toe, trial.up, base)
    with np.errstate(invalid="ignore"):
        down = (rise < settings.heel_rise_max) & np.isfinite(incl)
    any_down = win.any(down)
    read = {}  # per measure: whether any frame was read, its frame and value per candidate
    done: tuple = ()  # the last (frames allowed, end-range reading): measures often share them
    for name in ("tibial_inclination", "ankle_dorsiflexion"):
        ok = down & allowed[name][f]
        if done and np.array_equal(ok, done[0]):
            j, has, tj, value = done[1]
        else:
            j = win.first_argmax(incl, ok)
            has = j < len(f)
            tj = t[np.minimum(j, len(f) - 1)][g]
            value = win.quadratic_max(t, incl, ok & (np.abs(t - tj) <= settings.end_range_window_s),
                                      settings.end_range_min_frames)
            done = (ok, (j, has, tj, value))
        if name == "ankle_dorsiflexion":
            # 90° − ∠(s, f) = inclination − foot pitch in the image; the planted foot is still,
            # so its pitch (the noisiest term: a short segment) is the median over the
            # heel-down frames within ± foot_still_s
            pitch = m["foot_pitch"]
            value = value - win.median(pitch, down & np.isfinite(pitch)
                                       & (np.abs(t - tj) <= settings.foot_still_s))
        read[name] = (has, f[np.minimum(j, len(f) - 1)], value)
    out: list[tuple[str | None, dict[str, tuple]]] = []
    # per candidate as Python values (one conversion per array, not per element)
    listed = {name: (has.tolist(), frame.tolist(), value.tolist())
              for name, (has, frame, value) in read.items()}
    for i, (foot_seen, foot_moved, kt, r, r_down, some_down) in enumerate(zip(
            seen.tolist(), moved.tolist(), travel.tolist(), rise[b].tolist(), down[b].tolist(),
            any_down.tolist(), strict=True)):
        if not foot_seen:
            out.append(("the front foot was not visible at the deepest point", {}))
        elif foot_moved:
            out.append(("the front foot moved at the deepest point (a step, not a knee drive over "
                        "a planted foot)", {}))
        elif not kt >= settings.min_knee_travel:
            out.append((f"the knee travelled only {kt:.2f} foot lengths forward over "
                        f"the planted foot (a knee drive needs ≥ {settings.min_knee_travel:g})", {}))
        else:
            flags = {"heel_rise_at_bottom": None if not math.isfinite(r) else round(r, 3),
                     "heel_down_at_bottom": r_down, "knee_travel": round(kt, 3)}
            out.append((None, {name: (frame[i], value[i], flags) if has[i]
                               else (None, None, flags | {"heel_lifted": not some_down})
                               for name, (has, frame, value) in listed.items()}))
    return out


def _heel_rise(win: Windows, legs: dict[str, NDArray], on_left: NDArray[np.bool_],
               start: NDArray, end: NDArray, heel: NDArray, toe: NDArray, up: NDArray,
               baseline: NDArray[np.bool_]) -> F:
    """(N,) :func:`~screen.kinematics.sagittal.heel_rise` of each window's heel and toe (N, 2)
    over its own ``baseline`` (N,), in foot lengths. The heel heights are taken window by
    window, as ``heel_rise`` takes them: a matrix product whose last bit (BLAS) depends on the
    rows' place in the array."""
    height = np.concatenate([legs["left" if lft else "right"][a:z, 3] @ up
                             for lft, a, z in zip(on_left, start, end, strict=True)])
    base = (baseline & np.isfinite(heel[:, 0]) & np.isfinite(heel[:, 1]) & np.isfinite(toe[:, 0])
            & np.isfinite(toe[:, 1]))
    foot = win.median(norm(toe - heel), base)
    level = win.median(height, base)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((foot > 0)[win.group], (height - level[win.group]) / foot[win.group], np.nan)


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
