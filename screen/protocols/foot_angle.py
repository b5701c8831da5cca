"""Foot angle / toe-out test: foot progression angle (FPA) per side, front or back view.

Protocol (GUIDE §1): the person stands naturally, or walks toward or away from the camera.
Definition, sign and vertical: :mod:`screen.kinematics.foot_progression` (FPA = angle of the heel→toe axis
on the floor from the direction of progression, toe-out positive, degrees). It needs world
landmarks (depth): a single image cannot give the foot's turn-out.

How the numbers are obtained
* Frames: front- or back-view segments (:mod:`screen.scene.segments`), the body turned at most
  20°. From a side view the foot's turn-out lies along the line of sight and is not observable:
  insufficient_data with that reason.
* Feet: ankle, heel and toe of both legs must survive conditioning in ≥ ``min_feet_in_frame`` of
  the frames with a person, else insufficient_data.
* Standing or walking: from the segments' activity (walking: the feet travel or alternate,
  :mod:`screen.scene.segments`). Walking segments give ``foot_progression_angle``, in-place
  segments ``foot_progression_angle_standing``; ``mode`` limits the analysis to one of them.
* Standing: FPA per frame relative to forward = perpendicular to the hip line
  (:func:`screen.kinematics.foot_progression.standing`), as the median of each
  ``standing_window_s`` of standing with both feet on the floor (neither ankle above the other
  by more than ``max_ankle_rise`` torso lengths: a balance test on one leg is not a standing
  foot angle); value = median of those windows. Rated against
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
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import Conditioning
from screen.kinematics import foot_progression as fp
from screen.kinematics import gait
from screen.kinematics.body import torso_length
from screen.landmarks import FEET, HIPS, LEG, SHOULDERS, SIDES, Side
from screen.protocols.base import Findings, MeasureSpec, Protocol, Rep, Value, register, setting
from screen.trial import Trial

LANDMARKS = tuple(sorted({*FEET, *HIPS, *SHOULDERS, LEG["left"][1], LEG["right"][1]}))
FOOT = {s: LEG[s][2:] for s in SIDES}
VIEWS = ("front", "back")
BOUNDS = (-35.0, 55.0)
BOUNDS_SOURCE = ("toe-out beyond −35…55° is outside the hip's rotation range in stance "
                 "(normal −3…+20°, Staheli 1985)")
MEASURES = (
    MeasureSpec("foot_progression_angle", "deg", VIEWS, 20.0, BOUNDS, BOUNDS_SOURCE,
                "median of steps", FOOT, max_spread=25.0, activities=("walking",)),
    MeasureSpec("foot_progression_angle_standing", "deg", VIEWS, 20.0, BOUNDS, BOUNDS_SOURCE,
                "median of reps", FOOT, max_spread=15.0, activities=("in_place",)),
)
WALKING, STANDING = (m.name for m in MEASURES)
CONDITIONING = Conditioning()
# Gait events are read from the foot trajectories at 6 Hz (steps ≈ 1 Hz); 2-cm outlier floor
# over a 0.2-s window (see screen.kinematics.foot_progression.WORLD_CONDITIONING).
WORLD_CONDITIONING = fp.WORLD_CONDITIONING
Mode = Literal["auto", "standing", "walking"]


@dataclass(frozen=True)
class Settings:
    side: Side | None = None
    mode: Mode = "auto"
    swing_enter: float = setting(0.5, 0.0, 10.0, "torso lengths per second")
    swing_leave: float = setting(0.25, 0.0, 10.0, "torso lengths per second")
    stance_middle: float = setting(0.5, 0.05, 1.0)
    min_steps: int = setting(2, 1, 100)
    min_feet_in_frame: float = setting(0.5, 0.0, 1.0)
    standing_window_s: float = setting(1.0, 0.1, 10.0)
    max_ankle_rise: float = setting(0.25, 0.0, 3.0, "torso lengths")


def frame_measures(points: NDArray, settings: Settings, *,
                   world: NDArray | None = None, up: NDArray | None = None) -> dict[str, NDArray]:
    """Per-frame FPA traces (T,) ``left_fpa``, ``right_fpa`` (deg, toe-out +) of a standing
    person. FPA needs world landmarks: without ``world`` (T, 33, 3) the traces are NaN (the
    pixel ``points`` alone cannot give it; see :mod:`screen.kinematics.foot_progression`)."""
    n = len(points)
    if world is None:
        return {f"{s}_fpa": np.full(n, np.nan) for s in SIDES}
    f = fp.standing(world)
    return {f"{s}_fpa": f[s] for s in SIDES}


def find(trial: Trial, settings: Settings, allowed: dict[str, NDArray[np.bool_]]) -> Findings:
    sides = (settings.side,) if settings.side else SIDES
    found = Findings(kind="step", sides=sides)
    wanted = {WALKING: settings.mode in ("auto", "walking"),
              STANDING: settings.mode in ("auto", "standing")}
    for name, on in wanted.items():
        if not on:
            found.missing |= {(name, s): f"not analysed (mode={settings.mode})" for s in sides}
    frames = (allowed[WALKING] & wanted[WALKING]) | (allowed[STANDING] & wanted[STANDING])
    seen = _feet_seen(trial, frames)
    if frames.any() and seen < settings.min_feet_in_frame:
        why = (f"feet are out of frame or not visible in {100 * (1 - seen):.0f}% of the frames "
               "measured; film the whole body with both feet in view")
        found.missing |= {(m.name, s): why for m in MEASURES for s in sides}
        return found
    found.details = {"mode": "walking" if allowed[WALKING].any() and wanted[WALKING] else
                     "standing" if allowed[STANDING].any() and wanted[STANDING] else "none",
                     "mode_reason": "from the activity of the measured segments"
                     if settings.mode == "auto" else "set by the mode setting"}
    if wanted[WALKING] and allowed[WALKING].any():
        _walking(found, trial, sides, settings, allowed[WALKING])
    if wanted[STANDING] and allowed[STANDING].any():
        _standing(found, trial, sides, settings, allowed[STANDING])
    found.no_value = {WALKING: "no complete stance phase (heel contact to toe-off) of this foot "
                      "was found", STANDING: "the feet were never seen with the hips in world "
                      "landmarks while standing"}
    few = [s for s in sides if 0 < sum(1 for v in found.values if v.name == WALKING and
                                       v.side == s and v.value is not None) < settings.min_steps]
    found.warnings += [f"{s} foot: fewer than {settings.min_steps} steps found; walk for longer"
                       for s in few]
    return found


def _both_feet_down(trial: Trial, settings: Settings) -> NDArray[np.bool_]:
    """(T,) True where neither ankle is above the other by more than ``max_ankle_rise`` torso
    lengths along true up (standing on one leg, or a foot lifted, is not a standing foot angle)."""
    p = trial.points
    rise = (p[:, LEG["left"][2]] - p[:, LEG["right"][2]]) @ trial.up
    with np.errstate(invalid="ignore"):
        return np.abs(rise) <= settings.max_ankle_rise * torso_length(p)


def _feet_seen(trial: Trial, frames: NDArray) -> float:
    n = int((frames & trial.has_pose).sum())
    if not n:
        return 0.0
    ok = np.all(np.isfinite(trial.points[frames & trial.has_pose][:, list(FEET)]), axis=(1, 2))
    return float(ok.mean())


def _walking(found: Findings, trial: Trial, sides: tuple[Side, ...], settings: Settings,
             allowed: NDArray) -> None:
    n = trial.n_frames
    phases = gait.stance_phases(trial.points, trial.t, enter=settings.swing_enter,
                                leave=settings.swing_leave)
    stance = {s: gait.stance_mask(phases[s], n) for s in SIDES}
    on_floor = stance["left"] | stance["right"]
    up = fp.floor_up(trial.world, frames=on_floor if on_floor.any() else None)
    direction = fp.facing(trial.world, up)
    if not np.all(np.isfinite(direction)):
        found.missing |= {(WALKING, s): "the hips were not seen in world landmarks: no walking "
                          "direction" for s in sides}
        return
    fpa = fp.walking(trial.world, direction, up=up)
    for s in sides:
        keep = [(a, b) for a, b in phases[s] if allowed[(a + b) // 2]]
        steps = gait.per_step(fpa[s], np.array(keep, dtype=np.intp).reshape(-1, 2), trial.t,
                              middle=settings.stance_middle)
        for (a, b), st in zip(keep, steps, strict=True):
            index = len(found.reps) + 1
            mid = (a + b) // 2
            seg = trial.scene.segment_of(mid)
            found.reps.append(Rep(index, int(a), mid, int(b) + 1, seg.index if seg else -1))
            found.values.append(Value(WALKING, s, index, mid, st["value"],
                                      {"heel_contact_t_s": st["t_s"],
                                       "toe_off_t_s": st["toe_off_t_s"]}))
        found.frames[f"{s}_stance"] = stance[s]
        found.frames[f"{s}_fpa_walking"] = fpa[s]


def _standing(found: Findings, trial: Trial, sides: tuple[Side, ...], settings: Settings,
              allowed: NDArray) -> None:
    """One value per ``standing_window_s`` of standing frames with both feet on the floor: the
    median FPA over it."""
    fpa = fp.standing(trial.world)
    t = trial.t
    allowed = allowed & _both_feet_down(trial, settings)
    block = np.floor((t - t[0]) / settings.standing_window_s).astype(int)
    for s in sides:
        for b in np.unique(block[allowed]):
            idx = np.flatnonzero(allowed & (block == b) & np.isfinite(fpa[s]))
            if len(idx) < 3:
                continue
            found.values.append(Value(STANDING, s, int(b) + 1, int(idx[len(idx) // 2]),
                                      float(np.median(fpa[s][idx])), {"frames": len(idx)}))
        found.frames[f"{s}_fpa_standing"] = fpa[s]


PROTOCOL = register(Protocol(
    name="foot_angle", title="foot angle / toe-out", landmarks=LANDMARKS,
    conditioning=CONDITIONING, world_conditioning=WORLD_CONDITIONING, settings=Settings,
    measures=MEASURES, activities=("in_place", "walking"),
    rep_views=("front", "back", "oblique"), rep_activities=("in_place", "walking"), find=find,
    frame_measures=frame_measures, doc=__doc__ or ""))
