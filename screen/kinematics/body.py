"""Whole-body quantities shared by every stage, one implementation each (axis 0 is time).

``trunk_vector``
    hip midpoint → shoulder midpoint, (T, C) for points (T, 33, C) (pixels or metres).
``torso_length``
    its length (T,): the body scale every image feature is normalised by.
``trunk_lean``
    image angle (degrees) of the trunk vector from true up, positive toward ``sign`` × the
    image direction perpendicular to up (:func:`screen.kinematics.geometry.inclination`): in a
    side view, + = leaning toward the toes when ``sign`` is the forward sign.
``trunk_lean_3d``
    unsigned angle (degrees) of the world trunk vector from MediaPipe's world up (−y), for a
    level camera: how far the trunk is hinged forward or sideways, whatever the view.
``knee_flexion_3d`` (:mod:`screen.kinematics.rotation`) is the 3-D knee angle.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.kinematics.geometry import angle_between, inclination, norm
from screen.landmarks import HIPS, SHOULDERS

F = NDArray[np.float64]


def trunk_vector(points: ArrayLike, /) -> F:
    """(T, C): each midpoint as ``mean(axis=1)`` of the two points computes it, bit for bit
    ((a + b + 0.0) / 2: the sum starts from +0), without copying the two points out first."""
    p = np.asarray(points)
    (ls, rs), (lh, rh) = SHOULDERS, HIPS
    shoulders = (np.add(p[:, ls], p[:, rs], dtype=float) + 0.0) / 2
    return shoulders - (np.add(p[:, lh], p[:, rh], dtype=float) + 0.0) / 2


def torso_length(points: ArrayLike, /) -> F:
    return norm(trunk_vector(points))


def trunk_lean(points: ArrayLike, up: ArrayLike, sign: float | ArrayLike, /) -> F:
    return inclination(trunk_vector(points), up, sign)


def trunk_lean_3d(world: ArrayLike, /) -> F:
    v = trunk_vector(world)
    return angle_between(v, np.array([0.0, -1.0, 0.0]))
