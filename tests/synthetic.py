"""Exact synthetic ground truth: a skeleton posed in 3-D with known angles, projected through a
pinhole camera, packed as a :class:`~screen.recording.Recording`.

World frame (metres): X forward (the way the person faces and the toes point), Y up, Z toward
the camera. The camera (:func:`camera.side_camera`) sits at (0, 0.85, 3.0) looking along −Z with
focal length 800 px on a 1280×720 image, so the sagittal plane of each leg (constant Z) is
parallel to the image plane and angles in it project without distortion. ``tilt_deg`` rolls the
image about its centre so that true vertical appears ``tilt_deg`` clockwise from image up (the
convention of :func:`screen.kinematics.geometry.up_vector`).

Ground truth by construction, for the test (front) leg:
  tibial inclination = ``incl_deg``; foot pitch (heel above toe) = ``pitch_deg``;
  ankle dorsiflexion = 90° − ∠(shank, heel→toe) = ``incl_deg − pitch_deg``.
"""

from __future__ import annotations

import numpy as np
from camera import side_camera, to_recording
from numpy.typing import ArrayLike, NDArray

from screen.landmarks import LEG, LM
from screen.recording import Recording

SHANK, THIGH, FOOT = 0.42, 0.45, 0.20


def _leg(x_toe: float, z: float, incl: NDArray, pitch: NDArray) -> dict[str, NDArray]:
    """Toe fixed on the floor; the foot pivots about it by ``pitch``; shank at ``incl``."""
    n = len(incl)
    a, p = np.radians(incl), np.radians(pitch)
    toe = np.tile([x_toe, 0.02, z], (n, 1))
    heel = toe + FOOT * np.stack([-np.cos(p), np.sin(p), np.zeros(n)], axis=1)
    # ankle sits 5 cm ahead of and 7 cm above the heel, in the foot's own frame
    ankle = heel + np.stack([0.05 * np.cos(p) + 0.07 * np.sin(p),
                             0.07 * np.cos(p) - 0.05 * np.sin(p), np.zeros(n)], axis=1)
    knee = ankle + SHANK * np.stack([np.sin(a), np.cos(a), np.zeros(n)], axis=1)
    hip = knee + THIGH * np.stack([-np.sin(np.radians(35)) * np.ones(n),
                                   np.cos(np.radians(35)) * np.ones(n), np.zeros(n)], axis=1)
    return {"hip": hip, "knee": knee, "ankle": ankle, "heel": heel, "toe": toe}


def skeleton(incl_deg: ArrayLike, pitch_deg: ArrayLike, *, back_incl_deg: float = 5.0,
             facing_camera: bool = False) -> NDArray:
    """(T, 33, 3) world points of a person in a knee-to-wall stance, left leg in front (the
    far leg, as seen by the camera)."""
    incl = np.asarray(incl_deg, dtype=float)
    pitch = np.broadcast_to(np.asarray(pitch_deg, dtype=float), incl.shape)
    n = len(incl)
    front = _leg(0.40, -0.10, incl, pitch)
    back = _leg(-0.25, 0.10, np.full(n, back_incl_deg), np.full(n, pitch[0]))
    pts = np.zeros((n, 33, 3))
    for i, name in enumerate(("hip", "knee", "ankle", "heel", "toe")):
        pts[:, LEG["left"][i]] = front[name]
        pts[:, LEG["right"][i]] = back[name]
    # Pelvis and trunk: hips 0.2 m apart along Z, shoulders 0.36 m apart, torso 0.5 m.
    pelvis = (front["hip"] + back["hip"]) / 2
    pts[:, LM.LEFT_HIP] = pelvis - [0, 0, 0.10]  # facing +X with +Y up, the person's left is −Z
    pts[:, LM.RIGHT_HIP] = pelvis + [0, 0, 0.10]
    pts[:, LM.LEFT_SHOULDER] = pelvis + [0.10, 0.50, -0.18]
    pts[:, LM.RIGHT_SHOULDER] = pelvis + [0.10, 0.50, 0.18]
    head = pelvis + [0.15, 0.72, 0.0]
    for i in range(11):  # face landmarks around the head
        pts[:, i] = head + [0.05, 0.01 * (i % 3), 0.02 * (i % 2)]
    for i in range(13, 23):  # arms reaching forward to the wall
        pts[:, i] = pelvis + [0.25 + 0.02 * i, 0.55, -0.18 if i % 2 else 0.18]
    if facing_camera:  # turn the person 90° about the vertical: now facing +Z, the camera
        c = pelvis[:, None, :]
        rel = pts - c
        pts = c + np.stack([rel[..., 2] * -1, rel[..., 1], rel[..., 0]], axis=-1)
    return pts


def project(world: NDArray, *, tilt_deg: float = 0.0) -> NDArray:
    """(T, 33, 3) world → (T, 33, 2) pixels; true vertical appears ``tilt_deg`` clockwise."""
    return side_camera(roll_deg=tilt_deg).project(world)


def recording(incl_deg: ArrayLike, pitch_deg: ArrayLike = 3.0, *, fps: float = 30.0,
              tilt_deg: float = 0.0, noise_px: float = 0.0, seed: int = 0,
              facing_camera: bool = False, swap: ArrayLike | None = None) -> Recording:
    """A Recording of the posed skeleton seen from the side (see :mod:`camera`). ``swap`` (T,)
    bool exchanges left and right labels on those frames."""
    world = skeleton(incl_deg, pitch_deg, facing_camera=facing_camera)
    return to_recording(world, side_camera(roll_deg=tilt_deg), fps=fps, noise_px=noise_px,
                        seed=seed, swap=swap)


def knee_drives(n_reps: int = 3, *, period_s: float = 3.0, low: float = 2.0, high: float = 25.0,
                fps: float = 30.0) -> tuple[NDArray, NDArray]:
    """Timestamps and a tibial-inclination trace of ``n_reps`` smooth knee drives from ``low``
    to ``high`` degrees; peaks fall exactly on frames at (r + 0.5) · period."""
    t = np.arange(int(round(n_reps * period_s * fps))) / fps
    return t, low + (high - low) * 0.5 * (1 - np.cos(2 * np.pi * t / period_s))
