"""Vectorised vector and angle primitives.

Arrays carry time on axis 0 and coordinates on the last axis; any leading shape broadcasts.
Angles are in degrees. The direction of a zero-length (or NaN) vector is undefined, so every
angle involving one is NaN — never 0° (an ankle landmark on the knee has no shank direction).
2-D vectors are image vectors (x right, y down), so a positive
*screen-clockwise* rotation turns +x toward +y.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

F = NDArray[np.float64]


def norm(v: ArrayLike, /) -> F:
    """Euclidean length over the last axis. For 2-D vectors √(x·x + y·y) elementwise:
    ``np.linalg.norm``'s values bit for bit (the same squares, :func:`_dot2`) without its
    reduction over an axis of two (slow on many short rows)."""
    v = np.asarray(v, dtype=float)
    if v.shape[-1:] == (2,):
        return np.sqrt(_dot2(v, v))
    return np.linalg.norm(v, axis=-1)


def _dot2(u: NDArray, v: NDArray) -> F:
    """``np.sum(u * v, axis=-1)`` of 2-D vectors bit for bit (NaN signs included): the same
    products, taken per coordinate (no inner loop over an axis of two), summed elementwise;
    ``+ 0.0`` turns a −0 sum into +0 as ``np.sum`` (which starts from +0) does — without a
    reduction over an axis of two."""
    return u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1] + 0.0


def unit(v: ArrayLike, /) -> F:
    """``v`` scaled to length 1 over the last axis (NaN where the length is 0 or NaN)."""
    v = np.asarray(v, dtype=float)
    n = norm(v)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, v / n, np.nan)


def angle_between(u: ArrayLike, v: ArrayLike, /) -> F:
    """Unsigned angle between ``u`` and ``v`` (…, 2|3), in degrees, in [0, 180]; NaN where
    either vector has zero length.

    Uses atan2(|u×v|, u·v), which stays accurate near 0° and 180° where arccos does not.
    """
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    if u.shape[-1] == 2 and v.shape[-1] == 2:
        cross = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
        dot = _dot2(u, v)
    else:
        cross = norm(np.cross(u, v))
        dot = np.sum(u * v, axis=-1)
    angle = np.degrees(np.arctan2(cross, dot))
    return np.where((norm(u) > 0) & (norm(v) > 0), angle, np.nan)


def up_vector(tilt_deg: float | ArrayLike, /) -> F:
    """Image direction of true "up" for a vertical that appears ``tilt_deg`` screen-clockwise
    from the image's own up (−y). ``tilt_deg = 0`` is a level camera: (0, −1)."""
    a = np.radians(np.asarray(tilt_deg, dtype=float))
    return np.stack([np.sin(a), -np.cos(a)], axis=-1)


def tilt_of(up: ArrayLike, /) -> F:
    """Inverse of :func:`up_vector`: the screen-clockwise tilt (degrees) of an up vector (NaN
    for a zero vector)."""
    up = np.asarray(up, dtype=float)
    return np.where(norm(up) > 0, np.degrees(np.arctan2(up[..., 0], -up[..., 1])), np.nan)


def components(v: ArrayLike, up: ArrayLike, forward_sign: float | ArrayLike, /) -> tuple[F, F]:
    """Split image vectors ``v`` (…, 2) into (forward, up) components.

    ``up`` is the image direction of true up (…, 2); forward is perpendicular to it, pointing
    toward image +x when ``forward_sign`` is +1 and toward −x when it is −1 (the direction the
    person's toes point in a side view).
    """
    v = np.asarray(v, dtype=float)
    up = np.asarray(up, dtype=float)
    right = np.stack([-up[..., 1], up[..., 0]], axis=-1)  # up rotated 90° clockwise on screen
    fwd = np.asarray(forward_sign, dtype=float)[..., None] * right
    return _dot2(v, fwd), _dot2(v, up)


def inclination(v: ArrayLike, up: ArrayLike, forward_sign: float | ArrayLike, /) -> F:
    """Signed angle (degrees, in (−180, 180]) of image vectors ``v`` (…, 2) from true up:
    positive when ``v`` leans toward the forward direction of :func:`components`.
    E.g. tibial inclination is ``inclination(knee − ankle, up, toes_sign)``; trunk lean is
    ``inclination(shoulder_mid − hip_mid, up, sign)``. NaN where ``v`` has zero length."""
    fwd, upc = components(v, up, forward_sign)
    return np.where(norm(v) > 0, np.degrees(np.arctan2(fwd, upc)), np.nan)
