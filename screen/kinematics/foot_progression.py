"""Foot progression angle (FPA, toe-out) from world landmarks, vectorised over frames.

Coordinates: MediaPipe world landmarks (T, 33, 3), metres, origin at the hip midpoint of each
frame, axes aligned with the camera (x image-right, y image-down, z away from the camera; rolled
with the image). Angles in degrees.

Definition (GUIDE §2). Foot axis f = toe (foot index) − heel. With ``up`` the true vertical and
the floor the plane perpendicular to it, f and a direction of progression d are projected onto
the floor, and

    FPA = atan2(f_floor · lateral, f_floor · d),   lateral = the side's own lateral direction,

so FPA > 0 is **toe-out** (toes turned away from the midline), FPA < 0 toe-in, 0 = foot parallel
to the direction of progression. Range (−180°, 180°].

Direction of progression d
* standing (:func:`standing`): forward = perpendicular to the hip line on the floor, pointing the
  way the toes point (sign from the median of both feet's axes, so a person seen from the back,
  or mirrored left/right labels, still gives the right sign). The lateral direction of the left
  foot is the side of the hip line the *left* hip lies on (and the opposite for the right), so
  no handedness of the coordinate frame is assumed.
* walking (:func:`walking`): one fixed direction for the walk, :func:`facing` — perpendicular
  to the recording's median hip line, pointing the way the toes point. GUIDE §2 asks for the
  pelvis path; for a straight walk the two agree (the pelvis's transverse rotation, a few
  degrees each way, averages out over whole strides). The path itself is not in the world
  landmarks (their origin follows the hips); it could only be read from the feet's fore-aft
  motion relative to the pelvis, which for a walk toward the camera is MediaPipe's depth axis:
  on ``gait_front_cane.mp4`` (a man walking straight at the camera) that estimate pointed
  10–17° off, while the hip line, measured across the image, gave plausible toe-out. A curved
  walk is not followed.

The vertical (:func:`floor_up`): the normal of the least-squares plane through the heel and toe
landmarks of both feet over the frames given (feet on the floor), oriented toward the hips. This
follows the floor itself, so camera roll and pitch do not bias it. If fewer than 8 points exist,
or the fitted normal is more than :data:`MAX_FLOOR_TILT_DEG` from the camera's own up (−y), the
camera's up is used instead (the fit is then not trusted: e.g. feet in a line). An error ε in the
vertical changes FPA only through the foot's pitch (≈ ε · sin(pitch)), i.e. by a few tenths of a
degree for a 5° error.

Image-only (2-D) FPA is not provided: from a pure side view the foot's yaw is along the line of
sight (not observable); from the front or back the forward component of f is depth, which a
single image does not give. Both need world landmarks (or a view from above).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.conditioning.signal import Conditioning
from screen.kinematics.geometry import unit
from screen.landmarks import LM, SIDES, Side

F = NDArray[np.float64]
CAMERA_UP = np.array([0.0, -1.0, 0.0])  # world-landmark y points image-down
MAX_FLOOR_TILT_DEG = 30.0
# World landmarks are in metres: the outlier floor is 2 cm (a jump must exceed 6 × 2 = 12 cm).
# The outlier window is 0.2 s, not 0.5 s: a swinging foot covers ~1.2 m in 0.4 s, and over a
# 0.5-s window its own motion exceeds 12 cm and was rejected as outliers (synthetic walks).
WORLD_CONDITIONING = Conditioning(outlier_window_s=0.2, outlier_min_px=0.02)
FOOT_POINTS = {"left": (LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX),
               "right": (LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX)}


def _check(world: ArrayLike) -> F:
    w = np.asarray(world, dtype=float)
    if w.ndim != 3 or w.shape[1:] != (33, 3):
        raise ValueError(f"world landmarks must be (T, 33, 3); got {w.shape}")
    return w


def floor_up(world: ArrayLike, /, *, frames: ArrayLike | None = None) -> F:
    """(3,) unit vector of true up in world-landmark coordinates: the normal of the plane fitted
    to the heel and toe points of both feet on ``frames`` ((T,) bool; default all), pointing
    toward the hips. Falls back to the camera's up (0, −1, 0) when the fit is unsupported (see
    the module docstring)."""
    w = _check(world)
    if frames is not None:
        w = w[np.asarray(frames, dtype=bool)]
    pts = w[:, [i for s in SIDES for i in FOOT_POINTS[s]]].reshape(-1, 3)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) < 8:
        return CAMERA_UP.copy()
    centre = pts.mean(axis=0)
    normal = np.linalg.svd(pts - centre, full_matrices=False)[2][-1]
    if normal @ (-centre) < 0:  # the hips (the origin) are above the floor
        normal = -normal
    tilt = np.degrees(np.arccos(np.clip(normal @ CAMERA_UP, -1.0, 1.0)))
    return normal if tilt <= MAX_FLOOR_TILT_DEG else CAMERA_UP.copy()


def on_floor(v: ArrayLike, up: ArrayLike, /) -> F:
    """Vectors ``v`` (…, 3) with their component along ``up`` (…, 3, unit) removed."""
    v = np.asarray(v, dtype=float)
    up = np.asarray(up, dtype=float)
    return v - np.sum(v * up, axis=-1, keepdims=True) * up


def angle_to(foot: ArrayLike, forward: ArrayLike, lateral: ArrayLike, up: ArrayLike, /) -> F:
    """Signed angle (degrees) of foot axes ``foot`` (…, 3) on the floor from ``forward`` (…, 3),
    positive toward ``lateral`` (…, 3). ``forward`` and ``lateral`` are floor directions; they
    are re-projected and normalised here."""
    f = on_floor(foot, up)
    d = unit(on_floor(forward, up))
    lat = on_floor(lateral, up)
    lat = unit(lat - np.sum(lat * d, axis=-1, keepdims=True) * d)
    return np.degrees(np.arctan2(np.sum(f * lat, axis=-1), np.sum(f * d, axis=-1)))


def foot_axes(world: ArrayLike, /) -> dict[Side, F]:
    """Per side, the foot axis f = toe − heel (T, 3) in metres."""
    w = _check(world)
    return {s: w[:, FOOT_POINTS[s][1]] - w[:, FOOT_POINTS[s][0]] for s in SIDES}


def standing(world: ArrayLike, /, *, up: ArrayLike | None = None) -> dict[Side, F]:
    """Foot progression angle of a person standing (or squatting) in place, per frame.

    Parameters
    ----------
    world : (T, 33, 3) world landmarks in metres (MediaPipe axes; NaN where missing).
    up : (3,) true up in the same coordinates; default :func:`floor_up` over all frames.

    Returns
    -------
    ``{"left": (T,), "right": (T,)}`` FPA in degrees, toe-out positive, relative to forward =
    perpendicular to that frame's hip line on the floor (sign: the way the feet point). NaN on
    frames where a needed landmark is missing.
    """
    w = _check(world)
    up = floor_up(w) if up is None else unit(np.asarray(up, dtype=float))
    hip_line = on_floor(w[:, LM.LEFT_HIP] - w[:, LM.RIGHT_HIP], up)  # toward the person's left
    fwd = np.cross(hip_line, up)
    feet = foot_axes(w)
    along = np.sum((feet["left"] + feet["right"]) * fwd, axis=-1)
    sign = np.sign(np.nanmedian(along)) if np.any(np.isfinite(along)) else 1.0
    fwd = fwd * (sign or 1.0)
    return {s: angle_to(feet[s], fwd, hip_line * (1.0 if s == "left" else -1.0), up)
            for s in SIDES}


def facing(world: ArrayLike, up: ArrayLike, /) -> F:
    """(3,) unit floor direction the person faces over the recording: perpendicular to the
    median hip line (T, 33, 3 world landmarks), signed the way the median foot axes point.
    NaN when the hips were never seen."""
    w = _check(world)
    up = unit(np.asarray(up, dtype=float))
    h = w[:, LM.LEFT_HIP] - w[:, LM.RIGHT_HIP]
    h = h[np.all(np.isfinite(h), axis=1)]
    if len(h) == 0:
        return np.full(3, np.nan)
    fwd = unit(np.cross(on_floor(np.median(h, axis=0), up), up))
    feet = foot_axes(w)
    along = (feet["left"] + feet["right"]) @ fwd
    sign = np.sign(np.nanmedian(along)) if np.any(np.isfinite(along)) else 1.0
    return fwd * (sign or 1.0)


def walking(world: ArrayLike, direction: ArrayLike, /, *, up: ArrayLike) -> dict[Side, F]:
    """Foot progression angle per frame relative to a fixed direction of progression.

    ``direction`` (3,) points the way the person walks (on the floor); ``up`` (3,) is true up.
    The lateral side of each foot is taken from the hip line's median direction (the left hip's
    side is the left foot's lateral). Returns ``{side: (T,)}`` degrees, toe-out positive; the
    value is meaningful during stance (see :mod:`screen.kinematics.gait`).
    """
    w = _check(world)
    up = unit(np.asarray(up, dtype=float))
    d = unit(on_floor(np.asarray(direction, dtype=float), up))
    across = unit(np.cross(up, d))
    hip_line = w[:, LM.LEFT_HIP] - w[:, LM.RIGHT_HIP]
    left_sign = np.sign(np.nanmedian(hip_line @ across)) if np.any(np.isfinite(hip_line)) else 1.0
    left = across * (left_sign or 1.0)
    feet = foot_axes(w)
    return {s: angle_to(feet[s], d, left * (1.0 if s == "left" else -1.0), up) for s in SIDES}
