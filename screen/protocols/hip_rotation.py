"""Seated hip rotation test, front view: internal and external rotation per side.

Protocol (GUIDE §1): the person sits facing the camera, knees at 90°, and turns one knee inward
without moving the lower back — the foot swings outward (internal rotation, IR) — then outward —
the foot swings inward (external rotation, ER). Definitions and signs: :mod:`screen.kinematics.rotation`
(IR positive = foot lateral; ER reported as a positive magnitude, degrees).

No real seated hip-rotation clip exists in this project: the test is validated on exact
synthetic geometry only (tests/synthetic_seated.py).

How the numbers are obtained
* Frames: front-view segments (:mod:`screen.scene.segments`) with the person in place and the
  body turned at most 20° (the 3-D path is exact at 15° of camera yaw; the 2-D angle is off by
  1.6° there).
* Legs: hips, knees and ankles must survive conditioning in ≥ ``min_legs_in_frame`` of the
  frames with a person, else insufficient_data.
* Seated check: the knee must sit level with the hip in the image — the median drop of the knee
  below the hip (along true down) is at most ``max_knee_drop`` shank lengths (seated ≈ 0–0.2,
  standing ≈ 1). Otherwise insufficient_data: the angle of a standing person's shank is not this
  test.
* Which path (``path="auto"``): the 3-D path (:func:`screen.kinematics.rotation.rotation_3d`, rotation
  about the thigh axis relative to the pelvis) is primary when world landmarks are consistent
  with sitting — found on ≥ ``min_legs_in_frame`` of the frames and a median 3-D knee flexion
  within ``knee_flexion_range``. It is exact under camera yaw and roll, where the 2-D angle is
  off by up to 1.6° at 15° yaw and by the full roll unless ``camera_tilt_deg`` is given
  (tests/test_rotation.py). Otherwise the 2-D image angle (:func:`screen.kinematics.rotation.rotation_2d`)
  is used and a warning says why. Both are listed for every rep (``value_2d``, ``value_3d``).
* Movements: IR movements are the peaks of max(angle, 0), ER movements those of max(−angle, 0)
  (:func:`screen.protocols.base.candidates`), at least ``min_rep_prominence_deg`` high and
  ``min_rep_separation_s`` apart; a movement's end range is its peak. Reported value: the end
  range (largest excursion over the movements), with the median and range.
* Compensation: from before a movement (median over the frames between the previous movement and
  this one's peak where the angle is below 20% of the peak) to its end range, the trunk lean (hip
  midpoint → shoulder midpoint from true up, :func:`screen.kinematics.geometry.inclination`) changing by more
  than ``max_trunk_lean_change_deg`` or the hip line's tilt (pelvis lift) by more than
  ``max_pelvis_tilt_change_deg`` flags that movement and adds a warning naming it. Both limits are
  this project's choices (about the trunk's and the pelvis's visible motion), not published
  values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import Conditioning
from screen.kinematics.body import trunk_lean
from screen.kinematics.geometry import components, up_vector
from screen.kinematics.rotation import knee_flexion_3d, lateral_signs, rotation_2d, rotation_3d
from screen.landmarks import HIPS, LEG, SHOULDERS, SIDES, Side
from screen.protocols.base import (
    Findings,
    MeasureSpec,
    Protocol,
    Rep,
    Value,
    candidates,
    register,
    setting,
)
from screen.trial import Trial

REPORTED = {"internal_rotation": 1.0, "external_rotation": -1.0}  # sign of the angle
LANDMARKS = tuple(sorted({*SHOULDERS, *HIPS, *(i for s in SIDES for i in LEG[s][:3])}))
THIGH_SHANK = {s: LEG[s][:3] for s in SIDES}
MEASURES = (
    MeasureSpec("internal_rotation", "deg", ("front",), 20.0, (0.0, 60.0),
                "hip internal rotation range ≈ 35–45° (AAOS normal values), with margin",
                "end range", THIGH_SHANK),
    MeasureSpec("external_rotation", "deg", ("front",), 20.0, (0.0, 70.0),
                "hip external rotation range ≈ 45–60° (AAOS normal values), with margin",
                "end range", THIGH_SHANK),
)
# Slow deliberate movements with the end range read from single frames: 3 Hz, as knee-to-wall.
CONDITIONING = Conditioning(cutoff_hz=3.0)
WORLD_CONDITIONING = Conditioning(cutoff_hz=3.0, outlier_min_px=0.02)  # metres
Path = Literal["auto", "3d", "2d"]


@dataclass(frozen=True)
class Settings:
    side: Side | None = None
    path: Path = "auto"
    min_rep_prominence_deg: float = setting(5.0, 0.5, 60.0)
    min_rep_separation_s: float = setting(1.0, 0.1, 30.0)
    max_trunk_lean_change_deg: float = setting(10.0, 0.0, 90.0)
    max_pelvis_tilt_change_deg: float = setting(5.0, 0.0, 90.0)
    max_knee_drop: float = setting(0.5, 0.0, 3.0, "shank lengths")
    knee_flexion_min_deg: float = setting(60.0, 0.0, 180.0)
    knee_flexion_max_deg: float = setting(120.0, 0.0, 180.0)
    min_legs_in_frame: float = setting(0.5, 0.0, 1.0)


def frame_measures(points: NDArray, settings: Settings, *, up: NDArray | None = None
                   ) -> dict[str, NDArray]:
    """Per-frame traces (T,) from pixel points (T, 33, 2): ``left_rotation``,
    ``right_rotation`` (2-D path, deg, IR +), ``trunk_lean`` (deg, + toward the person's left)
    and ``pelvis_tilt`` (deg, + left hip higher)."""
    up = up_vector(0.0) if up is None else up
    rot = rotation_2d(points, up)
    trunk, pelvis = _compensation_traces(points, up)
    return {"left_rotation": rot["left"], "right_rotation": rot["right"],
            "trunk_lean": trunk, "pelvis_tilt": pelvis}


def _compensation_traces(points: NDArray, up: NDArray) -> tuple[NDArray, NDArray]:
    left = lateral_signs(points, up)["left"]
    across, rise = components(points[:, HIPS[0]] - points[:, HIPS[1]], up, left)
    return trunk_lean(points, up, left), np.degrees(np.arctan2(rise, across))


def find(trial: Trial, settings: Settings, allowed: dict[str, NDArray[np.bool_]]) -> Findings:
    sides = (settings.side,) if settings.side else SIDES
    found = Findings(kind="movement", sides=sides)
    points, up = trial.points, trial.up
    mask = allowed["internal_rotation"] | allowed["external_rotation"]
    why = _legs_missing(points, trial.has_pose & mask, settings) or _not_seated(points[mask], up,
                                                                                  settings)
    if why:
        found.missing = {(m.name, s): why for m in MEASURES for s in sides}
        return found
    rot2, rot3 = rotation_2d(points, up), rotation_3d(trial.world)
    path, path_why = _choose_path(trial.world, trial.has_pose, settings)
    found.details = {"path": path, "path_reason": path_why}
    if path != "3d":
        found.warnings.append(f"2-D image angle used: {path_why}")
    primary = rot3 if path == "3d" else rot2
    trunk, pelvis = _compensation_traces(points, up)
    comp = {"trunk_lean_change_deg": (trunk, settings.max_trunk_lean_change_deg),
            "pelvis_tilt_change_deg": (pelvis, settings.max_pelvis_tilt_change_deg)}
    for s in sides:
        for name, sign in REPORTED.items():
            _movements(found, trial, s, name, sign * primary[s], allowed[name], settings,
                       {"value_2d": sign * rot2[s], "value_3d": sign * rot3[s]}, comp)
            found.frames[f"{s}_rotation"] = primary[s]
    found.no_value = {name: f"no {name.replace('_', ' ')} movement found (the shank never swung "
                      f"≥ {settings.min_rep_prominence_deg:g}° and back)" for name in REPORTED}
    found.frames |= {"trunk_lean_deg": trunk, "pelvis_tilt_deg": pelvis}
    return found


def _movements(found: Findings, trial: Trial, side: Side, name: str, angle: NDArray,
               allowed: NDArray, settings: Settings, also: dict[str, NDArray],
               comp: dict[str, tuple[NDArray, float]]) -> None:
    """Add the movements toward positive ``angle`` (T,) as reps and values (end range, both
    paths' values, compensation changes and flags)."""
    clipped = np.where(np.isfinite(angle), np.maximum(angle, 0.0), np.nan)
    for c in candidates(trial, clipped, allowed, min_prominence=settings.min_rep_prominence_deg,
                        min_separation_s=settings.min_rep_separation_s):
        p, a = c.bottom, c.start
        rest = a + np.nonzero(clipped[a:p] < 0.2 * clipped[p])[0]  # before the movement
        rest = rest if len(rest) else np.array([a])
        flags: dict[str, Any] = {k: float(v[p]) for k, v in also.items()}
        notes = []
        for key, (trace, limit) in comp.items():
            base = trace[rest][np.isfinite(trace[rest])]
            change = float(trace[p] - np.median(base)) if len(base) else float("nan")
            flags[key] = change
            if abs(change) > limit:
                what = "trunk lean" if key.startswith("trunk") else "pelvis tilt (hip lift)"
                notes.append(f"{what} changed by {change:+.1f}° (limit {limit:g}°)")
        flags["compensation"] = notes
        index = len(found.reps) + 1
        found.reps.append(Rep(index, c.start, p, c.end, c.segment))
        found.values.append(Value(name, side, index, p, float(angle[p]), flags))
        if notes:
            found.warnings.append(f"{side} {name.replace('_', ' ')} movement {index}: "
                                  f"{'; '.join(notes)}")


def _choose_path(world: NDArray, has_pose: NDArray, settings: Settings) -> tuple[str, str]:
    if settings.path != "auto":
        return settings.path, "set by the path setting"
    n = max(int(has_pose.sum()), 1)
    seen = np.all(np.isfinite(world[:, list(LANDMARKS)]), axis=(1, 2))
    if seen[has_pose].sum() < settings.min_legs_in_frame * n:
        return "2d", "world landmarks missing on too many frames"
    flex = knee_flexion_3d(world)
    lo, hi = settings.knee_flexion_min_deg, settings.knee_flexion_max_deg
    med = {s: float(np.nanmedian(flex[s][seen])) for s in SIDES}
    if all(lo <= v <= hi for v in med.values()):
        return "3d", (f"world landmarks consistent with sitting (knee flexion "
                      f"{med['left']:.0f}°/{med['right']:.0f}° left/right)")
    return "2d", (f"world-landmark knee flexion {med['left']:.0f}°/{med['right']:.0f}° "
                  f"(left/right) is outside {lo:g}–{hi:g}°: the 3-D thigh axis is not trusted")


def _legs_missing(points: NDArray, frames: NDArray, settings: Settings) -> str | None:
    n = int(frames.sum())
    seen = float(np.all(np.isfinite(points[frames][:, list(LANDMARKS)]), axis=(1, 2)).mean()) if n else 0.0
    if seen >= settings.min_legs_in_frame:
        return None
    return (f"hips, knees or ankles out of frame or hidden in {100 * (1 - seen):.0f}% of the "
            "frames with a person; film the whole seated body with both feet in view")


def _not_seated(points: NDArray, up: NDArray, settings: Settings) -> str | None:
    drops = []
    for s in SIDES:
        hip, knee, ankle = (points[:, i] for i in LEG[s][:3])
        _, rise = components(hip - knee, up, 1.0)  # how far the hip sits above the knee
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = rise / np.linalg.norm(knee - ankle, axis=-1)
        drops.append(np.nanmedian(ratio) if np.any(np.isfinite(ratio)) else np.nan)
    if not np.any(np.isfinite(drops)):
        return None
    drop = float(np.nanmax(drops))
    if drop <= settings.max_knee_drop:
        return None
    return (f"the person does not look seated: the knees are {drop:.2f} shank lengths below the "
            f"hips (seated ≤ {settings.max_knee_drop:g}); the test is done sitting, knees at 90°")


PROTOCOL = register(Protocol(
    name="hip_rotation", title="seated hip rotation", landmarks=LANDMARKS,
    conditioning=CONDITIONING, world_conditioning=WORLD_CONDITIONING, settings=Settings,
    measures=MEASURES, activities=("in_place",),
    rep_views=("front", "oblique"), rep_activities=("in_place",), find=find, frame_measures=frame_measures,
    doc=__doc__ or ""))
