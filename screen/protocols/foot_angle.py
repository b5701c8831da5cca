"""Foot angle / toe-out test: foot progression angle (FPA) per side, front or back view.

Protocol (GUIDE §1): the person stands naturally, or walks toward or away from the camera.
Definition, sign and vertical: :mod:`screen.kinematics.foot_progression` (FPA = angle of the heel→toe axis
on the floor from the direction of progression, toe-out positive, degrees). It needs world
landmarks (depth): a single image cannot give the foot's turn-out.

How the numbers are obtained
* View: front or back (:mod:`screen.scene.view`). From a side view the foot's turn-out lies along the
  line of sight and is not observable: every measure is insufficient_data with that reason.
* Feet: ankle, heel and toe of both legs must survive conditioning in ≥ ``min_feet_in_frame`` of
  the frames with a person, else insufficient_data.
* Standing or walking, from the pelvis motion in the image (``mode="auto"``): with the torso
  length L (shoulder midpoint to hip midpoint, pixels), the person walks when the apparent size
  changes (90th / 10th percentile of L) by more than ``walking_scale_change`` (walking toward or
  away from the camera) or the hip midpoint travels (90th − 10th percentile, either image axis)
  more than ``walking_travel`` × median L, and each foot swings at least once
  (:func:`screen.kinematics.gait.swing`). A person standing still moves neither; a squat moves the pelvis
  but not the feet.
* Standing: FPA per frame relative to forward = perpendicular to the hip line
  (:func:`screen.kinematics.foot_progression.standing`); value = median over the frames with both feet,
  spread = interquartile range over those frames. Rated against
  ``[foot_angle.foot_progression_angle_standing]``: the published norm (Staheli 1985) is for
  walking, so a standing value is not_rated unless a clinic adds a rule.
* Walking: direction of progression = the direction the pelvis faces over the walk
  (:func:`screen.kinematics.foot_progression.facing`; why not the pelvis path: see that module), stance
  phases heel contact → toe-off from the feet's image motion (:mod:`screen.kinematics.gait`, swing hysteresis
  ``swing_enter`` / ``swing_leave`` torso lengths per second); each step's FPA is the median over
  the middle half of its stance; value = median of the steps, spread = interquartile range of the
  steps, rated against ``[foot_angle.foot_progression_angle]`` (Staheli 1985). A side with no
  complete stance phase is insufficient_data; fewer than ``min_steps`` steps on a side adds a
  warning.
* World landmarks are conditioned here with :data:`WORLD_CONDITIONING` (metres).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from screen.conditioning.conditioned import conditioned_world
from screen.conditioning.signal import Conditioning
from screen.errors import MovescreenError
from screen.kinematics import foot_progression as fp
from screen.kinematics import gait
from screen.landmarks import FEET, HIPS, LEG, SHOULDERS, SIDES, Side
from screen.protocols import Outcome, feet_hidden, insufficient, seen_fraction
from screen.recording import Recording
from screen.results.result import Measurement
from screen.results.thresholds import classify, rule
from screen.scene.view import classify_view

NAME = "foot_angle"
VIEWS = ("front", "back")
MEASURE = "foot_progression_angle"
LANDMARKS = sorted({*FEET, *HIPS, *SHOULDERS, LEG["left"][1], LEG["right"][1]})
CONDITIONING = Conditioning()
# Gait events are read from the foot trajectories at 6 Hz (steps ≈ 1 Hz); 2-cm outlier floor
# over a 0.2-s window (see screen.kinematics.foot_progression.WORLD_CONDITIONING).
WORLD_CONDITIONING = fp.WORLD_CONDITIONING
Mode = Literal["auto", "standing", "walking"]


@dataclass(frozen=True)
class Settings:
    side: Side | None = None
    mode: Mode = "auto"
    walking_scale_change: float = 0.15
    walking_travel: float = 0.5
    swing_enter: float = 0.5
    swing_leave: float = 0.25
    stance_middle: float = 0.5
    min_steps: int = 2
    min_feet_in_frame: float = 0.5

    def __post_init__(self) -> None:
        if self.mode not in ("auto", "standing", "walking"):
            raise MovescreenError(
                f"foot angle mode must be auto, standing or walking; got {self.mode!r}")


def frame_measures(points: NDArray, settings: Settings, *,
                   world: NDArray | None = None) -> dict[str, NDArray]:
    """Per-frame FPA traces (T,) ``left_fpa``, ``right_fpa`` (deg, toe-out +) of a standing
    person. FPA needs world landmarks: without ``world`` (T, 33, 3) the traces are NaN (the
    pixel ``points`` alone cannot give it; see :mod:`screen.kinematics.foot_progression`)."""
    n = len(points)
    if world is None:
        return {f"{s}_fpa": np.full(n, np.nan) for s in SIDES}
    f = fp.standing(world)
    return {f"{s}_fpa": f[s] for s in SIDES}


def motion(points: NDArray, t: NDArray, settings: Settings
           ) -> tuple[Literal["standing", "walking"], str]:
    """Standing or walking from pixel points (T, 33, 2) and timestamps (T,), with the reason:
    walking needs the pelvis to move (module docstring) *and* each foot to swing at least once
    (:func:`screen.kinematics.gait.swing`) — a squat moves the pelvis but not the feet."""
    sh = points[:, list(SHOULDERS)].mean(axis=1)
    hip = points[:, list(HIPS)].mean(axis=1)
    torso = np.linalg.norm(sh - hip, axis=-1)
    ok = np.isfinite(torso) & np.all(np.isfinite(hip), axis=1)
    if ok.sum() < 2:
        return "standing", "pelvis not seen on enough frames to detect walking"
    lo, hi = np.percentile(torso[ok], [10, 90])
    scale = hi / lo - 1.0
    travel = float(np.max(np.ptp(np.percentile(hip[ok], [10, 90], axis=0), axis=0))
                   / np.median(torso[ok]))
    moves = scale > settings.walking_scale_change or travel > settings.walking_travel
    swings = gait.swing(points, t, enter=settings.swing_enter, leave=settings.swing_leave)
    n_swings = {s: int(np.sum(np.diff(swings[s].astype(int)) == 1) + swings[s][0]) for s in SIDES}
    why = (f"apparent size changed by {100 * scale:.0f}% (limit "
           f"{100 * settings.walking_scale_change:.0f}%), pelvis travelled {travel:.2f} torso "
           f"lengths (limit {settings.walking_travel:g}), foot swings left {n_swings['left']}, "
           f"right {n_swings['right']}")
    walking = moves and min(n_swings.values()) >= 1
    return ("walking" if walking else "standing"), why


def run(rec: Recording, points: NDArray, settings: Settings, thresholds: dict[str, Any]) -> Outcome:
    """Analyse a conditioned recording; ``points`` (T, 33, 2) are conditioned pixels."""
    view = classify_view(points)
    frames = pd.DataFrame({"t_s": rec.t, "frame": np.arange(rec.n_frames),
                           "has_pose": rec.has_pose})
    view_d: dict[str, Any] = {"view": view.view, "width_ratio": view.width_ratio,
                              "reason": view.reason}
    sides = (settings.side,) if settings.side else SIDES
    if view.view not in VIEWS:
        why = (f"foot angle needs a front or back view; this clip looks like a {view.view} view "
               f"({view.reason}); from the side the foot's turn-out lies along the line of sight "
               "and cannot be measured")
        return Outcome(_insufficient(sides, why), view_d, [], frames)
    missing = _feet_missing(points, rec.has_pose, settings.min_feet_in_frame)
    if missing:
        return Outcome(_insufficient(sides, missing), view_d, [], frames)

    mode, why = (motion(points, rec.t, settings) if settings.mode == "auto"
                 else (settings.mode, "set by the mode setting"))
    view_d |= {"mode": mode, "mode_reason": why}
    world = conditioned_world(rec, WORLD_CONDITIONING, LANDMARKS)
    warnings: list[str] = []
    if mode == "standing":
        measurements, per_frame = _standing(world, sides, thresholds)
    else:
        measurements, per_frame, stance = _walking(rec, points, world, sides, settings,
                                                   thresholds)
        for s in SIDES:
            frames[f"{s}_stance"] = stance[s]
        warnings += [f"{m.side} foot: only {len(m.reps)} step(s) found; walk for longer (at "
                     f"least {settings.min_steps} steps per foot)" for m in measurements
                     if m.value is not None and len(m.reps) < settings.min_steps]
    if settings.side:
        other = "right" if settings.side == "left" else "left"
        measurements += _insufficient((other,), f"not requested (side={settings.side})")
    for s in SIDES:
        frames[f"{s}_fpa"] = per_frame[s]
    frames["mode"] = mode
    return Outcome(measurements, view_d, warnings, frames)


def _standing(world: NDArray, sides: tuple[Side, ...], thresholds: dict[str, Any]
              ) -> tuple[list[Measurement], dict[Side, NDArray]]:
    fpa = fp.standing(world)
    r = rule(thresholds, NAME, f"{MEASURE}_standing")  # the gait norm does not apply
    out = []
    for s in sides:
        v = fpa[s][np.isfinite(fpa[s])]
        if len(v) == 0:
            out += _insufficient((s,), "the foot was never seen with the hips in world landmarks")
            continue
        med = float(np.median(v))
        q1, q3 = np.percentile(v, [25, 75])
        out.append(Measurement(name=MEASURE, side=s, value=med, unit="deg",
                               status=classify(med, r), threshold=r, median=med,
                               statistic="median of frames (standing)", spread=float(q3 - q1)))
    return out, fpa


def _walking(rec: Recording, points: NDArray, world: NDArray, sides: tuple[Side, ...],
             settings: Settings, thresholds: dict[str, Any]
             ) -> tuple[list[Measurement], dict[Side, NDArray], dict[Side, NDArray]]:
    n = rec.n_frames
    phases = gait.stance_phases(points, rec.t, enter=settings.swing_enter,
                                leave=settings.swing_leave)
    stance = {s: gait.stance_mask(phases[s], n) for s in SIDES}
    on_floor = stance["left"] | stance["right"]
    up = fp.floor_up(world, frames=on_floor if on_floor.any() else None)  # feet on the floor
    direction = fp.facing(world, up)
    if not np.all(np.isfinite(direction)):
        nan = {s: np.full(n, np.nan) for s in SIDES}
        return (_insufficient(sides, "the hips were not seen in world landmarks: no walking "
                              "direction"), nan, stance)
    fpa = fp.walking(world, direction, up=up)
    r = rule(thresholds, NAME, MEASURE)
    out = []
    for s in sides:
        steps = gait.per_step(fpa[s], phases[s], rec.t, middle=settings.stance_middle)
        vals = [st["value"] for st in steps if st["value"] is not None]
        if not vals:
            out += _insufficient((s,), "no complete stance phase (heel contact to toe-off) of "
                                 "this foot was found", reps=steps)
            continue
        med = float(np.median(vals))
        q1, q3 = np.percentile(vals, [25, 75])
        out.append(Measurement(name=MEASURE, side=s, value=med, unit="deg",
                               status=classify(med, r), threshold=r, median=med, reps=steps,
                               statistic="median of steps (walking)", spread=float(q3 - q1)))
    return out, fpa, stance


def _feet_missing(points: NDArray, has_pose: NDArray, min_fraction: float) -> str | None:
    """Why the feet cannot be measured (None when they can): ankles, heels and toes of both
    legs must survive conditioning in ``min_fraction`` of the frames with a person."""
    seen = seen_fraction(points[:, list(FEET)], has_pose)
    return None if seen >= min_fraction else feet_hidden(seen)


def _insufficient(sides: tuple[Side, ...], why: str, *,
                  reps: list[dict[str, Any]] | None = None) -> list[Measurement]:
    return insufficient((MEASURE,), sides, why, statistic="median", reps=reps)
