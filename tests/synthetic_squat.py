"""Exact synthetic ground truth for the squat: a parametric squatting skeleton with known angles.

World frame (metres): X forward (the way the person faces), Y up, Z toward a side camera; the
person's left is −Z (as in :mod:`synthetic`). Render with :func:`camera.side_camera` (toes point
image-right, the right leg is nearer) or :func:`camera.front_camera` (facing the camera, the
person's left on the image's right) and :func:`camera.to_recording`.

Parameters (degrees; scalars or (T,) arrays), and what they are by construction:

``incl`` α
    tibial inclination: the shank (ankle → knee) leans α forward of vertical, in the leg's
    sagittal plane (before the valgus tilt).
``thigh`` δ
    thigh angle below horizontal (+ = hip below knee; −90° = standing, hip straight above knee).
    Knee flexion = 90° + α + δ (the angle between the shank and the thigh's extension).
``trunk`` λ
    trunk lean: hip midpoint → shoulder midpoint, λ forward of vertical. Hip flexion = 90° + δ + λ.
``pitch`` p
    foot pitch: the toe stays on the floor and the heel rises; the heel→toe line makes p with the
    floor. With ``turnout`` and ``valgus`` 0 the leg is planar and
    ankle dorsiflexion = 90° − ∠(shank, heel→toe) = α − p exactly; heel lift = rise of p.
``valgus`` v (per side, (left, right))
    the shank is tilted medially by v/2 and the thigh laterally by v/2 about the forward axis, so
    with α = 0 and δ = −90° (standing) the 3-D knee angle in the frontal plane is exactly v
    (frontal plane projection angle, + = knee medial).
``turnout`` φ (per side)
    heel and toe are turned φ about the vertical through the ankle, toes outward (foot
    progression angle φ, + = toe-out); ankle, shank and thigh do not move, so the hip line stays
    along Z (forward = +X).
``lean`` ε
    each leg chain (knee, hip) is rotated ε about the forward axis through its ankle toward the
    person's left: the pelvis shifts left over the feet.

Every other landmark (trunk, head, arms) is placed rigidly on the trunk.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.landmarks import LEG, LM, SIDES

SHANK, THIGH, FOOT, TRUNK = 0.42, 0.45, 0.20, 0.50
STANCE = 0.30  # distance between the toes, m
MEDIAL = {"left": 1.0, "right": -1.0}  # the +Z sign of each leg's medial direction


def _rot_x(v: NDArray, angle: NDArray) -> NDArray:
    """Rotate vectors (T, 3) about the world X axis by ``angle`` (T,) radians (+Y toward +Z)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([v[:, 0], v[:, 1] * c - v[:, 2] * s, v[:, 1] * s + v[:, 2] * c], axis=1)


def _rot_y(v: NDArray, angle: NDArray) -> NDArray:
    """Rotate vectors (T, 3) about the world Y axis by ``angle`` (T,) radians (+X toward −Z)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([v[:, 0] * c + v[:, 2] * s, v[:, 1], -v[:, 0] * s + v[:, 2] * c], axis=1)


def _arr(x: ArrayLike, n: int) -> NDArray:
    return np.broadcast_to(np.asarray(x, dtype=float), (n,)).copy()


def _leg(side: str, n: int, incl: NDArray, thigh: NDArray, pitch: NDArray, valgus: NDArray,
         turnout: NDArray, lean: NDArray) -> dict[str, NDArray]:
    m = MEDIAL[side]
    a, d, p = np.radians(incl), np.radians(thigh), np.radians(pitch)
    b, phi, eps = np.radians(valgus) / 2, np.radians(turnout), np.radians(lean)
    toe = np.tile([0.12, 0.02, -m * STANCE / 2], (n, 1))
    u = np.array([1.0, 0.0, 0.0])  # foot direction on the floor before the turn-out
    up = np.array([0.0, 1.0, 0.0])
    heel = toe - FOOT * np.cos(p)[:, None] * u + FOOT * np.sin(p)[:, None] * up
    ankle = heel + ((0.05 * np.cos(p) + 0.07 * np.sin(p))[:, None] * u
                    + (0.07 * np.cos(p) - 0.05 * np.sin(p))[:, None] * up)
    # turn-out: heel and toe turn φ about the vertical through the ankle, toes lateral (−m·Z)
    toe, heel = (ankle + _rot_y(q - ankle, m * phi) for q in (toe, heel))
    shank = _rot_x(np.stack([np.sin(a), np.cos(a), np.zeros(n)], axis=1), m * b)
    femur = _rot_x(np.stack([-np.cos(d), -np.sin(d), np.zeros(n)], axis=1), -m * b)
    knee_rel = _rot_x(SHANK * shank, -eps)  # −eps about X turns +Y toward −Z: the person's left
    hip_rel = _rot_x(SHANK * shank + THIGH * femur, -eps)
    return {"hip": ankle + hip_rel, "knee": ankle + knee_rel, "ankle": ankle, "heel": heel,
            "toe": toe}


def skeleton(incl: ArrayLike, thigh: ArrayLike, trunk: ArrayLike = 0.0, pitch: ArrayLike = 3.0, *,
             valgus: tuple[ArrayLike, ArrayLike] = (0.0, 0.0),
             turnout: tuple[ArrayLike, ArrayLike] = (0.0, 0.0), lean: ArrayLike = 0.0) -> NDArray:
    """(T, 33, 3) world points of the posed squatter (see the module docstring)."""
    n = len(np.atleast_1d(np.asarray(incl, dtype=float)))
    args = [_arr(x, n) for x in (incl, thigh, pitch)]
    lean_a, lam = _arr(lean, n), np.radians(_arr(trunk, n))
    pts = np.full((n, 33, 3), np.nan)
    for k, s in enumerate(SIDES):
        leg = _leg(s, n, *args, _arr(valgus[k], n), _arr(turnout[k], n), lean_a)
        for i, name in enumerate(("hip", "knee", "ankle", "heel", "toe")):
            pts[:, LEG[s][i]] = leg[name]
    pelvis = (pts[:, LM.LEFT_HIP] + pts[:, LM.RIGHT_HIP]) / 2
    trunk_dir = np.stack([np.sin(lam), np.cos(lam), np.zeros(n)], axis=1)
    neck = pelvis + TRUNK * trunk_dir
    pts[:, LM.LEFT_SHOULDER] = neck + [0.0, 0.0, -0.18]
    pts[:, LM.RIGHT_SHOULDER] = neck + [0.0, 0.0, 0.18]
    head = neck + 0.22 * trunk_dir
    for i in range(11):  # face landmarks around the head
        pts[:, i] = head + [0.05, 0.01 * (i % 3), 0.02 * (i % 2) - 0.01]
    for i in range(13, 23):  # arms held forward at shoulder height
        side_z = -0.18 if i % 2 else 0.18
        pts[:, i] = neck + [0.25 + 0.02 * (i - 13), 0.0, side_z]
    return pts


def squat_cycle(n_reps: int = 3, *, period_s: float = 3.0, fps: float = 30.0,
                start_at_bottom: bool = False) -> tuple[NDArray, NDArray]:
    """Timestamps and a movement phase s in [0, 1] (0 standing, 1 bottom) of ``n_reps`` smooth
    squats; bottoms fall exactly on frames at (r + 0.5) · period (or at 0, r · period when
    ``start_at_bottom``)."""
    t = np.arange(int(round(n_reps * period_s * fps))) / fps
    shift = 0.5 * period_s if start_at_bottom else 0.0
    return t, 0.5 * (1 - np.cos(2 * np.pi * (t + shift) / period_s))


def between(s: NDArray, standing: float, bottom: float) -> NDArray:
    """A parameter moving from ``standing`` to ``bottom`` with the phase ``s``."""
    return standing + (bottom - standing) * np.asarray(s, dtype=float)


# ---- independent 2-D readings of projected points (for off-axis expectations) ---------------

def deg_between(u: NDArray, v: NDArray) -> NDArray:
    """Unsigned angle (degrees) between 2-D vectors by arccos of the normalised dot product."""
    c = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


def projected_fppa(px: NDArray, side: str) -> NDArray:
    """Frontal plane projection angle of projected points px (T, 33, 2): the turn at the knee
    from thigh to shank, signed + when the knee's perpendicular offset from the hip→ankle line
    points toward the other hip."""
    hip, knee, ankle = (px[:, LEG[side][i]] for i in range(3))
    other = px[:, LEG["right" if side == "left" else "left"][0]]
    size = deg_between(knee - hip, ankle - knee)
    axis = (ankle - hip) / np.linalg.norm(ankle - hip, axis=-1, keepdims=True)
    rel = knee - hip
    offset = rel - np.sum(rel * axis, axis=-1, keepdims=True) * axis
    return size * np.sign(np.sum(offset * (other - hip), axis=-1))


def projected_from_vertical(v: NDArray, up: NDArray, fwd_x_sign: float) -> NDArray:
    """Signed angle (degrees) of 2-D vectors v from the image direction ``up``, + toward the side
    the toes point (``fwd_x_sign`` = +1 when toes point image-right), by arcsin/arccos."""
    size = deg_between(v, np.broadcast_to(up, v.shape))
    right = np.array([-up[1], up[0]])  # up rotated 90° screen-clockwise
    return size * np.sign(fwd_x_sign * (v @ right))
