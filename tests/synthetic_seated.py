"""Exact synthetic ground truth for the seated hip-rotation test.

World frame (metres): Y up, floor at Y = 0; the person sits facing +X (toward
:func:`camera.front_camera`), so their left is −Z. Hips at seat height 0.50 m, 0.20 m apart;
thighs horizontal along +X (0.45 m); knees flexed 90°, shanks (0.42 m) hanging down.

Ground truth by construction: each side's lower leg (knee, ankle, heel, toe) is turned about
that thigh's axis (the line hip → knee) by ``rot_left`` / ``rot_right`` degrees, positive moving
the foot laterally (internal rotation, IR), negative medially (external rotation, ER). The
shank's angle from vertical in the frontal plane therefore equals the rotation exactly, and so
does its rotation about the thigh axis relative to the pelvis (pelvis level, thigh ⟂ hip line).

Compensations: ``lean_deg`` tilts the trunk (hip midpoint → shoulder midpoint) sideways toward
the person's right by that many degrees; ``pelvis_tilt_deg`` raises the left hip and lowers
the right one about the hip midpoint (hip line tilted that many degrees in the frontal plane);
neither moves the knees, ankles or feet.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.landmarks import LM

F = NDArray[np.float64]
SEAT, HIP_W, THIGH, SHANK, TORSO, SHOULDER_W = 0.50, 0.20, 0.45, 0.42, 0.50, 0.36


def _rot_x(v: F, deg: F) -> F:
    """Rotate fixed vectors ``v`` (3,) about +X by ``deg`` (T,) → (T, 3)."""
    a = np.radians(np.asarray(deg, dtype=float))
    c, s = np.cos(a), np.sin(a)
    return np.stack([np.full_like(a, v[0]), v[1] * c - v[2] * s, v[1] * s + v[2] * c], axis=-1)


def skeleton(rot_left: ArrayLike, rot_right: ArrayLike = 0.0, *, lean_deg: ArrayLike = 0.0,
             pelvis_tilt_deg: ArrayLike = 0.0, seated: bool = True) -> F:
    """(T, 33, 3) world points; the arguments broadcast over T (the longest one sets T).
    ``seated=False`` stands the person up (thighs vertical) for the seated check."""
    rl, rr, lean, tilt = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float))
                                              for v in (rot_left, rot_right, lean_deg,
                                                        pelvis_tilt_deg)))
    n = len(rl)
    pts = np.zeros((n, 33, 3))
    mid = np.array([0.0, SEAT if seated else 0.92, 0.0])
    thigh = np.array([THIGH, 0.0, 0.0]) if seated else np.array([0.0, -THIGH, 0.0])
    for side, rot, lat in (("LEFT", rl, -1.0), ("RIGHT", rr, 1.0)):
        hip = mid + [0.0, 0.0, lat * HIP_W / 2]
        knee = hip + thigh
        # turning about +X by −lat·rot moves the foot toward this side's lateral (lat · Z)
        phi = -lat * rot
        pts[:, LM[f"{side}_KNEE"]] = knee
        pts[:, LM[f"{side}_ANKLE"]] = knee + _rot_x(np.array([0.0, -SHANK, 0.0]), phi)
        pts[:, LM[f"{side}_HEEL"]] = knee + _rot_x(np.array([-0.04, -SHANK - 0.06, 0.0]), phi)
        pts[:, LM[f"{side}_FOOT_INDEX"]] = knee + _rot_x(np.array([0.16, -SHANK - 0.07, 0.0]),
                                                         phi)
        # pelvis tilt raises the left hip (−Z side) and lowers the right one
        t = np.radians(tilt)
        pts[:, LM[f"{side}_HIP"]] = mid + np.stack(
            [np.zeros(n), -lat * HIP_W / 2 * np.sin(t), lat * HIP_W / 2 * np.cos(t)], axis=-1)
    hip_mid = pts[:, [LM.LEFT_HIP, LM.RIGHT_HIP]].mean(axis=1)
    lean = np.radians(lean)
    sh_mid = hip_mid + TORSO * np.stack([np.zeros(n), np.cos(lean), np.sin(lean)], axis=-1)
    for side, lat in (("LEFT", -1.0), ("RIGHT", 1.0)):
        sh = sh_mid + [0.0, 0.0, lat * SHOULDER_W / 2]
        pts[:, LM[f"{side}_SHOULDER"]] = sh
        pts[:, LM[f"{side}_ELBOW"]] = sh + [0.10, -0.25, 0.0]
        for name in ("WRIST", "PINKY", "INDEX", "THUMB"):  # hands resting on the thighs
            pts[:, LM[f"{side}_{name}"]] = sh + [0.30, -0.40, 0.0]
    head = sh_mid + [0.0, 0.22, 0.0]
    for i in range(11):
        pts[:, i] = head + [0.08, 0.01 * (i % 3), 0.02 * ((i % 5) - 2)]
    return pts


def movements(ir_deg: float, er_deg: float, *, n_reps: int = 2, fps: float = 30.0,
              move_s: float = 2.0, rest_s: float = 0.5) -> tuple[F, F]:
    """Timestamps and a rotation trace: rest, then ``n_reps`` × (IR out to +``ir_deg`` and
    back, ER in to −``er_deg`` and back), each half-cosine movement ``move_s`` long with its
    end range exactly on a frame, ``rest_s`` of stillness between movements."""
    m, r = int(round(move_s * fps)), int(round(rest_s * fps))
    bump = 0.5 * (1 - np.cos(2 * np.pi * np.arange(m + 1) / m))  # 0 → 1 (at m/2) → 0
    rest = np.zeros(r)
    parts = [rest]
    for _ in range(n_reps):
        parts += [ir_deg * bump, rest, -er_deg * bump, rest]
    trace = np.concatenate(parts)
    return np.arange(len(trace)) / fps, trace


def movement_windows(n_reps: int = 2, *, fps: float = 30.0, move_s: float = 2.0,
                     rest_s: float = 0.5) -> dict[str, list[tuple[int, int]]]:
    """Frame ranges [start, end) of each IR and each ER movement of :func:`movements`."""
    m, r = int(round(move_s * fps)), int(round(rest_s * fps))
    out: dict[str, list[tuple[int, int]]] = {"ir": [], "er": []}
    i = r
    for _ in range(n_reps):
        out["ir"].append((i, i + m + 1))
        i += m + 1 + r
        out["er"].append((i, i + m + 1))
        i += m + 1 + r
    return out
