"""Frontal-plane measures (front or back view), vectorised over frames.

Inputs are image points in pixels (x right, y down), arrays (T, 2) with time on axis 0; ``up``
is the image direction of true vertical (:func:`screen.kinematics.geometry.up_vector`; (0, −1) for a level
camera). Nothing here depends on whether the person faces the camera or turns their back to it:
"medial" and "the person's left" are taken from the hips themselves, never from the image's
left/right.

knee_valgus (frontal plane projection angle, FPPA; degrees)
    The deviation of the hip–knee–ankle line at the knee: the angle between the thigh vector
    (knee − hip) and the shank vector (ankle − knee), i.e. 180° − ∠hip-knee-ankle, in [0°, 180°],
    signed **positive when the knee lies medial** of the hip→ankle line (toward the other hip:
    knee valgus, "knees caving in") and negative when lateral (varus). 0° = the three points are
    in line in the image. It is a 2-D angle of the image: it equals the anatomical frontal-plane
    angle only when the leg lies in a plane parallel to the image; a flexed knee seen from the
    front foreshortens the thigh and magnifies the projected angle (see the squat protocol).
lateral_shift (fraction of hip width)
    The horizontal offset (perpendicular to true up) of the hip midpoint from the midpoint of the
    two ankles (the base of support), divided by that frame's hip width (distance between the two
    hip landmarks), **positive toward the person's left hip**. Camera roll must be supplied (as
    ``up``) or it leaks in as ≈ (height of hips over ankles / hip width) · sin(roll).
hip_height (pixels)
    The height of a point above a reference point along true up: (p − ref) · up.
squat_depth (reference lengths)
    How far the hips have dropped below their standing height, in units of a body length:
    (standing − h) / length where h is the hip height over the ankles and standing its 95th
    percentile over the recording. 0 = standing, 1 = the hips one length lower.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.kinematics.geometry import angle_between, norm

F = NDArray[np.float64]


def _xy(a: ArrayLike, name: str) -> F:
    a = np.asarray(a, dtype=float)
    if a.ndim < 1 or a.shape[-1] != 2:
        raise ValueError(f"{name} must be image points (..., 2); got {a.shape}")
    return a


def knee_valgus(hip: ArrayLike, knee: ArrayLike, ankle: ArrayLike, other_hip: ArrayLike) -> F:
    """Frontal plane projection angle (degrees) of one leg, positive = knee medial (valgus).

    Parameters
    ----------
    hip, knee, ankle : (T, 2) image points of the leg.
    other_hip : (T, 2) the other leg's hip: the medial direction is from ``hip`` toward it.

    Returns (T,) degrees in [−180, 180]; NaN where a point is missing, 0 where the knee lies on
    the hip→ankle line.
    """
    hip, knee, ankle = _xy(hip, "hip"), _xy(knee, "knee"), _xy(ankle, "ankle")
    other_hip = _xy(other_hip, "other_hip")
    size = angle_between(knee - hip, ankle - knee)
    axis = ankle - hip
    medial = other_hip - hip
    # The knee's side of the hip→ankle line, and the medial side, as signs of 2-D cross products.
    knee_side = np.sign(axis[..., 0] * (knee - hip)[..., 1] - axis[..., 1] * (knee - hip)[..., 0])
    medial_side = np.sign(axis[..., 0] * medial[..., 1] - axis[..., 1] * medial[..., 0])
    return size * knee_side * medial_side


def lateral_shift(left_hip: ArrayLike, right_hip: ArrayLike, left_ankle: ArrayLike,
                  right_ankle: ArrayLike, up: ArrayLike) -> F:
    """Horizontal offset of the hip midpoint from the ankle midpoint over hip width, (T,);
    positive toward the person's left hip (see the module docstring)."""
    lh, rh = _xy(left_hip, "left_hip"), _xy(right_hip, "right_hip")
    la, ra = _xy(left_ankle, "left_ankle"), _xy(right_ankle, "right_ankle")
    up = np.asarray(up, dtype=float)
    horizontal = np.stack([-up[..., 1], up[..., 0]], axis=-1)  # perpendicular to up
    offset = np.sum(((lh + rh) / 2 - (la + ra) / 2) * horizontal, axis=-1)
    toward_left = np.sign(np.sum((lh - rh) * horizontal, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return offset * toward_left / norm(lh - rh)


def hip_height(point: ArrayLike, ref: ArrayLike, up: ArrayLike) -> F:
    """(T,) height of ``point`` above ``ref`` along true ``up``, in pixels."""
    return np.sum((_xy(point, "point") - _xy(ref, "ref")) * np.asarray(up, dtype=float), axis=-1)


def squat_depth(hip: ArrayLike, ankle: ArrayLike, up: ArrayLike, length: float) -> F:
    """(T,) drop of the hips below their standing height, in units of ``length`` (pixels).

    ``hip`` and ``ankle`` are (T, 2) (e.g. the midpoints of both sides); standing is the 95th
    percentile of the hip height over the ankles over all frames. NaN where a point is missing
    or when no frame has both points."""
    h = hip_height(hip, ankle, up)
    if not np.any(np.isfinite(h)) or not np.isfinite(length) or length <= 0:
        return np.full(h.shape, np.nan)
    return (np.nanpercentile(h, 95) - h) / length
