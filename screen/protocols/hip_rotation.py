"""Seated hip rotation test, front view: internal and external rotation per side.

Protocol (GUIDE §1): the person sits facing the camera, knees at 90°, and turns one knee inward
without moving the lower back — the foot swings outward (internal rotation, IR) — then outward —
the foot swings inward (external rotation, ER). Definitions and signs: :mod:`screen.kinematics.rotation`
(IR positive = foot lateral; ER reported as a positive magnitude, degrees).

No real seated hip-rotation clip exists in this project: the test is validated on exact
synthetic geometry only (tests/synthetic_seated.py).

How the numbers are obtained
* View: front (:mod:`screen.scene.view`); anything else → insufficient_data with the reason.
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
  (:func:`screen.kinematics.events.find_reps`), at least ``min_rep_prominence_deg`` high and
  ``min_rep_separation_s`` apart; a movement's end range is its peak. Reported value: the end
  range (largest excursion over the movements), with the median and interquartile range.
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
import pandas as pd
from numpy.typing import NDArray

from screen.conditioning.conditioned import conditioned_world
from screen.conditioning.signal import Conditioning
from screen.errors import MovescreenError
from screen.kinematics.events import find_reps
from screen.kinematics.geometry import components, inclination, up_vector
from screen.kinematics.rotation import knee_flexion_3d, lateral_signs, rotation_2d, rotation_3d
from screen.landmarks import HIPS, LEG, SHOULDERS, SIDES, Side
from screen.protocols import Outcome, insufficient, seen_fraction
from screen.recording import Recording
from screen.results.result import Measurement
from screen.results.thresholds import classify, rule
from screen.scene.view import classify_view

NAME = "hip_rotation"
VIEWS = ("front",)
REPORTED = {"internal_rotation": 1.0, "external_rotation": -1.0}  # sign of the angle
LANDMARKS = sorted({*SHOULDERS, *HIPS, *(i for s in SIDES for i in LEG[s][:3])})
# Slow deliberate movements with the end range read from single frames: 3 Hz, as knee-to-wall.
CONDITIONING = Conditioning(cutoff_hz=3.0)
WORLD_CONDITIONING = Conditioning(cutoff_hz=3.0, outlier_min_px=0.02)  # metres
Path = Literal["auto", "3d", "2d"]


@dataclass(frozen=True)
class Settings:
    side: Side | None = None
    camera_tilt_deg: float = 0.0
    path: Path = "auto"
    min_rep_prominence_deg: float = 5.0
    min_rep_separation_s: float = 1.0
    max_trunk_lean_change_deg: float = 10.0
    max_pelvis_tilt_change_deg: float = 5.0
    max_knee_drop: float = 0.5
    knee_flexion_range: tuple[float, float] = (60.0, 120.0)
    min_legs_in_frame: float = 0.5

    def __post_init__(self) -> None:
        if self.path not in ("auto", "3d", "2d"):
            raise MovescreenError(f"hip rotation path must be auto, 3d or 2d; got {self.path!r}")


def frame_measures(points: NDArray, settings: Settings) -> dict[str, NDArray]:
    """Per-frame traces (T,) from pixel points (T, 33, 2): ``left_rotation``,
    ``right_rotation`` (2-D path, deg, IR +), ``trunk_lean`` (deg, + toward the person's left)
    and ``pelvis_tilt`` (deg, + left hip higher)."""
    up = up_vector(settings.camera_tilt_deg)
    rot = rotation_2d(points, up)
    trunk, pelvis = _compensation_traces(points, up)
    return {"left_rotation": rot["left"], "right_rotation": rot["right"],
            "trunk_lean": trunk, "pelvis_tilt": pelvis}


def _compensation_traces(points: NDArray, up: NDArray) -> tuple[NDArray, NDArray]:
    left = lateral_signs(points, up)["left"]
    trunk_v = points[:, list(SHOULDERS)].mean(axis=1) - points[:, list(HIPS)].mean(axis=1)
    across, rise = components(points[:, HIPS[0]] - points[:, HIPS[1]], up, left)
    return inclination(trunk_v, up, left), np.degrees(np.arctan2(rise, across))


def run(rec: Recording, points: NDArray, settings: Settings, thresholds: dict[str, Any]) -> Outcome:
    """Analyse a conditioned recording; ``points`` (T, 33, 2) are conditioned pixels."""
    view = classify_view(points)
    view_d: dict[str, Any] = {"view": view.view, "width_ratio": view.width_ratio,
                              "reason": view.reason}
    frames = pd.DataFrame({"t_s": rec.t, "frame": np.arange(rec.n_frames),
                           "has_pose": rec.has_pose})
    sides = (settings.side,) if settings.side else SIDES
    if view.view not in VIEWS:
        why = (f"seated hip rotation needs a front view (the shank swings in the frontal plane); "
               f"this clip looks like a {view.view} view ({view.reason})")
        return Outcome(_insufficient(sides, why), view_d, [], frames)
    up = up_vector(settings.camera_tilt_deg)
    why = _legs_missing(points, rec.has_pose, settings) or _not_seated(points, up, settings)
    if why:
        return Outcome(_insufficient(sides, why), view_d, [], frames)

    world = conditioned_world(rec, WORLD_CONDITIONING, LANDMARKS)
    rot2, rot3 = rotation_2d(points, up), rotation_3d(world)
    path, path_why = _choose_path(world, rec.has_pose, settings)
    view_d |= {"path": path, "path_reason": path_why}
    warnings = [] if path == "3d" else [f"2-D image angle used: {path_why}"]
    primary = rot3 if path == "3d" else rot2
    trunk, pelvis = _compensation_traces(points, up)
    comp = {"trunk_lean_change_deg": (trunk, settings.max_trunk_lean_change_deg),
            "pelvis_tilt_change_deg": (pelvis, settings.max_pelvis_tilt_change_deg)}

    measurements = []
    for s in sides:
        for name, sign in REPORTED.items():
            angle = sign * primary[s]
            reps = _movements(angle, rec.t, settings, {"value_2d": sign * rot2[s],
                                                       "value_3d": sign * rot3[s]}, comp)
            warnings += [f"{s} {name.replace('_', ' ')} movement {r['rep']}: "
                         f"{'; '.join(r['compensation'])}" for r in reps if r["compensation"]]
            measurements.append(_measurement(name, s, reps, angle, thresholds))
        frames[f"{s}_rotation_2d"] = rot2[s]
        frames[f"{s}_rotation_3d"] = rot3[s]
        frames[f"{s}_rotation"] = primary[s]
    if settings.side:
        other = "right" if settings.side == "left" else "left"
        measurements += _insufficient((other,), f"not requested (side={settings.side})")
    frames["trunk_lean_deg"] = trunk
    frames["pelvis_tilt_deg"] = pelvis
    return Outcome(measurements, view_d, warnings, frames)


def _movements(angle: NDArray, t: NDArray, settings: Settings, also: dict[str, NDArray],
               comp: dict[str, tuple[NDArray, float]]) -> list[dict[str, Any]]:
    """One dict per movement toward positive ``angle`` (T,): end range, time, both paths'
    values at that frame, compensation changes and flags."""
    clipped = np.where(np.isfinite(angle), np.maximum(angle, 0.0), np.nan)
    peaks, bounds = find_reps(clipped, t, min_prominence=settings.min_rep_prominence_deg,
                              min_separation_s=settings.min_rep_separation_s)
    reps = []
    for i, p in enumerate(peaks):
        a = int(bounds[i])
        rest = a + np.nonzero(clipped[a:p] < 0.2 * clipped[p])[0]  # before the movement
        rest = rest if len(rest) else np.array([a])
        rep: dict[str, Any] = {"rep": i + 1, "t_s": float(t[p]), "value": float(angle[p]),
                               "start_t_s": float(t[rest[-1]])}
        rep |= {k: float(v[p]) for k, v in also.items()}
        flags = []
        for key, (trace, limit) in comp.items():
            base = trace[rest][np.isfinite(trace[rest])]
            change = float(trace[p] - np.median(base)) if len(base) else float("nan")
            rep[key] = change
            if abs(change) > limit:
                what = "trunk lean" if key.startswith("trunk") else "pelvis tilt (hip lift)"
                flags.append(f"{what} changed by {change:+.1f}° (limit {limit:g}°)")
        rep["compensation"] = flags
        reps.append(rep)
    return reps


def _measurement(name: str, side: Side, reps: list[dict[str, Any]], angle: NDArray,
                 thresholds: dict[str, Any]) -> Measurement:
    vals = [r["value"] for r in reps if np.isfinite(r["value"])]
    if not vals:
        seen = np.nanmax(angle) if np.any(np.isfinite(angle)) else float("nan")
        why = (f"no {name.replace('_', ' ')} movement found (largest excursion "
               f"{seen:.1f}°, below the movement threshold)")
        return _insufficient((side,), why, names=(name,))[0]
    r = rule(thresholds, NAME, name)
    best = float(np.max(vals))
    q1, q3 = np.percentile(vals, [25, 75])
    return Measurement(name=name, side=side, value=best, unit="deg", status=classify(best, r),
                       threshold=r, median=float(np.median(vals)), reps=reps,
                       statistic="end range (largest excursion)", spread=float(q3 - q1))


def _choose_path(world: NDArray, has_pose: NDArray, settings: Settings) -> tuple[str, str]:
    if settings.path != "auto":
        return settings.path, "set by the path setting"
    n = max(int(has_pose.sum()), 1)
    seen = np.all(np.isfinite(world[:, LANDMARKS]), axis=(1, 2))
    if seen[has_pose].sum() < settings.min_legs_in_frame * n:
        return "2d", "world landmarks missing on too many frames"
    flex = knee_flexion_3d(world)
    lo, hi = settings.knee_flexion_range
    med = {s: float(np.nanmedian(flex[s][seen])) for s in SIDES}
    if all(lo <= v <= hi for v in med.values()):
        return "3d", (f"world landmarks consistent with sitting (knee flexion "
                      f"{med['left']:.0f}°/{med['right']:.0f}° left/right)")
    return "2d", (f"world-landmark knee flexion {med['left']:.0f}°/{med['right']:.0f}° "
                  f"(left/right) is outside {lo:g}–{hi:g}°: the 3-D thigh axis is not trusted")


def _legs_missing(points: NDArray, has_pose: NDArray, settings: Settings) -> str | None:
    seen = seen_fraction(points[:, LANDMARKS], has_pose)
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
            drops.append(np.nanmedian(rise / np.linalg.norm(knee - ankle, axis=-1)))
    drop = float(max(drops))
    if drop <= settings.max_knee_drop:
        return None
    return (f"the person does not look seated: the knees are {drop:.2f} shank lengths below the "
            f"hips (seated ≤ {settings.max_knee_drop:g}); the test is done sitting, knees at 90°")


def _insufficient(sides: tuple[Side, ...], why: str, *,
                  names: tuple[str, ...] = tuple(REPORTED)) -> list[Measurement]:
    return insufficient(names, sides, why, statistic="end range (largest excursion)")
