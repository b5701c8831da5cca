"""Seated hip rotation (knees at 90°), vectorised over frames. Angles in degrees.

Definition (GUIDE §2): the angle of the shank (knee → ankle, pointing down) from the vertical,
in the frontal plane. **Sign, per side: the foot moving laterally (away from the midline, toward
that side's own side) is positive = internal rotation (IR); medially is negative = external
rotation (ER).** 0° = shank hanging straight down. Each side's value is reported as that leg's
hip rotation; the person's left and right follow MediaPipe's labels.

Two ways to measure it:

:func:`rotation_2d` (image, pixels x right / y down)
    The shank's angle from true down *in the image*. True up is ``up`` (see
    :func:`screen.kinematics.geometry.up_vector`; a level camera has (0, −1)). The lateral direction of the
    left leg is the image side on which the left hip lies (the person's left appears on the
    image's right in a front view and on its left in a back view), found from the median hip
    line, so front and back views need no flag. Exact when the camera is square to the person
    (frontal plane parallel to the image) and its roll is known; a camera rolled by θ and not
    told biases every value by ±θ (+θ on one leg, −θ on the other); a camera swung by a yaw ψ
    foreshortens the rotation to ≈ atan(tan(angle) · cos ψ) (35° → 34.1° at ψ = 15°).
:func:`rotation_3d` (world landmarks, metres)
    The rotation of the shank *about the thigh axis*, relative to the pelvis: with the thigh
    axis a = unit(knee − hip) and the hip line h = left hip − right hip (both medians over the
    recording, see the function), the neutral shank
    direction is n = ±unit(a × h), oriented away from the shoulders (downward for a seated
    person); the shank s = ankle − knee is projected onto the plane ⟂ a and its angle from n is
    measured toward the side's lateral direction (h for the left leg, −h for the right, made
    ⟂ a and n). It uses only body landmarks — no camera axis and no handedness convention — so
    it is unaffected by camera yaw and roll. With a level pelvis and thighs horizontal and
    perpendicular to the hip line it equals the 2-D definition; when the pelvis tilts (a hip
    hike) it follows the hip (femur relative to pelvis) while the 2-D angle follows the shin
    relative to gravity.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.kinematics.body import trunk_vector
from screen.kinematics.geometry import angle_between, components, inclination, unit
from screen.landmarks import LEG, LM, SIDES, Side

F = NDArray[np.float64]


def _check(points: ArrayLike, dim: int) -> F:
    p = np.asarray(points, dtype=float)
    if p.ndim != 3 or p.shape[1:] != (33, dim):
        raise ValueError(f"points must be (T, 33, {dim}); got {p.shape}")
    return p


def lateral_signs(points: ArrayLike, up: ArrayLike, /) -> dict[Side, float]:
    """Per side, +1 if that side's lateral direction is image-right (of true up), −1 if left,
    from the median position of the left hip relative to the right hip over frames (T, 33, 2).
    NaN when the hips are never seen."""
    p = _check(points, 2)
    across, _ = components(p[:, LM.LEFT_HIP] - p[:, LM.RIGHT_HIP], up, 1.0)
    m = np.nanmedian(across) if np.any(np.isfinite(across)) else np.nan
    left = float(np.sign(m)) if np.isfinite(m) and m != 0 else float("nan")
    return {"left": left, "right": -left}


def rotation_2d(points: ArrayLike, up: ArrayLike = (0.0, -1.0), /) -> dict[Side, F]:
    """Seated hip rotation per side from image points (T, 33, 2) in pixels: the shank's angle
    from true down in the image, IR positive (module docstring). Returns ``{side: (T,)}``."""
    p = _check(points, 2)
    lat = lateral_signs(p, up)
    # the knee above the ankle leans *medially* when the foot swings laterally (IR)
    return {s: inclination(p[:, LEG[s][1]] - p[:, LEG[s][2]], up, -lat[s]) for s in SIDES}


def _median_vec(v: F, frames: NDArray[np.bool_]) -> F:
    v = v[frames]
    v = v[np.all(np.isfinite(v), axis=1)]
    return np.median(v, axis=0) if len(v) else np.full(3, np.nan)


def rotation_3d(world: ArrayLike, /, *, frames: ArrayLike | None = None) -> dict[Side, F]:
    """Seated hip rotation per side from world landmarks (T, 33, 3) in metres: the shank's
    rotation about the thigh axis relative to the pelvis, IR positive (module docstring).

    The thigh axis, hip line and trunk direction are taken once, as medians over ``frames``
    ((T,) bool; default all): in this test the femur spins about its own long axis, so the axis
    and the pelvis stay put, and a 20-cm hip line re-measured every frame would add its own
    jitter (≈ 3° per cm of landmark noise) to every value. The shank (knee → ankle) is taken per
    frame. Returns ``{side: (T,)}``; NaN where the knee or ankle is missing."""
    w = _check(world, 3)
    sel = np.ones(len(w), bool) if frames is None else np.asarray(frames, dtype=bool)
    h = _median_vec(w[:, LM.LEFT_HIP] - w[:, LM.RIGHT_HIP], sel)
    trunk = _median_vec(trunk_vector(w), sel)
    out = {}
    for s in SIDES:
        hip, knee, ankle = (w[:, i] for i in LEG[s][:3])
        a = unit(_median_vec(knee - hip, sel))
        n = unit(np.cross(a, h))
        n = -n if n @ trunk > 0 else n  # pointing away from the shoulders: down when seated
        lat = h - (h @ a) * a
        lat = unit(lat - (lat @ n) * n) * (1.0 if s == "left" else -1.0)
        shank = ankle - knee
        out[s] = np.degrees(np.arctan2(shank @ lat, shank @ n))
    return out


def knee_flexion_3d(world: ArrayLike, /) -> dict[Side, F]:
    """Per side, the knee's flexion angle (degrees; 0 = straight, 90 = seated) from world
    landmarks (T, 33, 3): 180° − ∠(hip − knee, ankle − knee)."""
    w = _check(world, 3)
    out = {}
    for s in SIDES:
        hip, knee, ankle = (w[:, i] for i in LEG[s][:3])
        out[s] = 180.0 - angle_between(hip - knee, ankle - knee)
    return out
