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

Realism where a rule depends on it (issue 14):
* the back leg leans ``back_incl_deg`` = 30° forward with its heel raised ``back_pitch_deg`` =
  20°, so its knee is *past its own toes* (as in the real knee_to_wall_side sample, whose back
  shank leans ≈ 30°): a rule picking the leg whose knee travels furthest over its toes would
  pick it; the test leg is the front one;
* ``front`` chooses which leg drives (the far ``left`` or the near ``right``), so a rule that
  always takes one label is caught;
* ``heel_offset`` (metres, along the foot and up) moves the reported heel landmark off the true
  heel, as MediaPipe's heel point sits off the sole: a constant foot-pitch offset.
"""

from __future__ import annotations

import numpy as np
from camera import side_camera, to_recording
from numpy.typing import ArrayLike, NDArray

from screen.landmarks import LEG, LM
from screen.recording import Recording

SHANK, THIGH, FOOT = 0.42, 0.45, 0.20


def _leg(x_toe: float, z: float, incl: NDArray, pitch: NDArray,
         heel_offset: tuple[float, float] = (0.0, 0.0)) -> dict[str, NDArray]:
    """Toe fixed on the floor; the foot pivots about it by ``pitch``; shank at ``incl``. The
    reported heel is ``heel_offset`` (along the foot toward the toe, up from the sole) off the
    true heel; the ankle is placed from the true heel."""
    n = len(incl)
    a, p = np.radians(incl), np.radians(pitch)
    toe = np.tile([x_toe, 0.02, z], (n, 1))
    along = np.stack([np.cos(p), -np.sin(p), np.zeros(n)], axis=1)  # heel → toe
    normal = np.stack([np.sin(p), np.cos(p), np.zeros(n)], axis=1)  # up from the sole
    heel = toe - FOOT * along
    # ankle sits 5 cm ahead of and 7 cm above the heel, in the foot's own frame
    ankle = heel + 0.05 * along + 0.07 * normal
    knee = ankle + SHANK * np.stack([np.sin(a), np.cos(a), np.zeros(n)], axis=1)
    hip = knee + THIGH * np.stack([-np.sin(np.radians(35)) * np.ones(n),
                                   np.cos(np.radians(35)) * np.ones(n), np.zeros(n)], axis=1)
    shown = heel + heel_offset[0] * along + heel_offset[1] * normal
    return {"hip": hip, "knee": knee, "ankle": ankle, "heel": shown, "toe": toe}


def skeleton(incl_deg: ArrayLike, pitch_deg: ArrayLike, *, back_incl_deg: float = 30.0,
             back_pitch_deg: float = 20.0, front: str = "left", facing_camera: bool = False,
             heel_offset: tuple[float, float] = (0.0, 0.0)) -> NDArray:
    """(T, 33, 3) world points of a person in a knee-to-wall stance, the ``front`` leg driving
    (``left``: the far leg as seen by the camera; ``right``: the near one)."""
    incl = np.asarray(incl_deg, dtype=float)
    pitch = np.broadcast_to(np.asarray(pitch_deg, dtype=float), incl.shape)
    n = len(incl)
    back_side = "right" if front == "left" else "left"
    z = {"left": -0.10, "right": 0.10}  # facing +X with +Y up, the person's left is −Z
    legs = {front: _leg(0.40, z[front], incl, pitch, heel_offset),
            back_side: _leg(-0.25, z[back_side], np.full(n, back_incl_deg),
                            np.full(n, back_pitch_deg), heel_offset)}
    pts = np.zeros((n, 33, 3))
    for side, leg in legs.items():
        for i, name in enumerate(("hip", "knee", "ankle", "heel", "toe")):
            pts[:, LEG[side][i]] = leg[name]
    # Pelvis and trunk: hips 0.2 m apart along Z, shoulders 0.36 m apart, torso 0.5 m.
    pelvis = (legs["left"]["hip"] + legs["right"]["hip"]) / 2
    pts[:, LM.LEFT_HIP] = pelvis - [0, 0, 0.10]
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
              swap: ArrayLike | None = None, **pose) -> Recording:
    """A Recording of the posed skeleton (``pose``: the keywords of :func:`skeleton`) seen from
    the side (see :mod:`camera`). ``swap`` (T,) bool exchanges left and right labels on those
    frames."""
    world = skeleton(incl_deg, pitch_deg, **pose)
    return to_recording(world, side_camera(roll_deg=tilt_deg), fps=fps, noise_px=noise_px,
                        seed=seed, swap=swap)


def knee_drives(n_reps: int = 3, *, period_s: float = 3.0, low: float = 2.0, high: float = 25.0,
                fps: float = 30.0) -> tuple[NDArray, NDArray]:
    """Timestamps and a tibial-inclination trace of ``n_reps`` smooth knee drives from ``low``
    to ``high`` degrees; peaks fall exactly on frames at (r + 0.5) · period."""
    t = np.arange(int(round(n_reps * period_s * fps))) / fps
    return t, low + (high - low) * 0.5 * (1 - np.cos(2 * np.pi * t / period_s))
