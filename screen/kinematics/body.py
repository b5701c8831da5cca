"""Whole-body quantities shared by every stage, one implementation each (axis 0 is time).

``midpoint``
    of two landmarks (T, C).
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


def midpoint(points: ArrayLike, pair: tuple[int, int], /) -> F:
    """(T, C) midpoint of landmarks ``pair`` of points (T, 33, C): ``points[:, pair].mean(axis=1)``
    bit for bit ((a + b + 0.0) / 2: numpy's sum starts from +0), without copying the two
    points out first."""
    p = np.asarray(points)
    a, b = pair
    return (np.add(p[:, a], p[:, b], dtype=float) + 0.0) / 2


def trunk_vector(points: ArrayLike, /) -> F:
    return midpoint(points, SHOULDERS) - midpoint(points, HIPS)


def torso_length(points: ArrayLike, /) -> F:
    return norm(trunk_vector(points))


def trunk_lean(points: ArrayLike, up: ArrayLike, sign: float | ArrayLike, /) -> F:
    return inclination(trunk_vector(points), up, sign)


def trunk_lean_3d(world: ArrayLike, /) -> F:
    v = trunk_vector(world)
    return angle_between(v, np.array([0.0, -1.0, 0.0]))
