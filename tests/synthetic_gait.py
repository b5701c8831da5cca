"""Exact synthetic ground truth for foot progression: standing and walking skeletons.

World frame (metres): Y up, floor at Y = 0. The person faces (and walks toward) ``heading``:
+X by default, which faces :func:`camera.front_camera`; ``heading=-1`` faces −X, walking away
from that camera (a back view). With heading +X the person's left is −Z.

Ground truth by construction
* Foot progression angle (toe-out positive): the heel→toe axis of the left foot is turned by
  ``fpa`` degrees toward the person's left, the right foot toward their right. The foot's pitch
  (heel above toe) is ``pitch_deg`` (MediaPipe's heel point sits a little above the toe point).
* Walking (:func:`walking`): pelvis moves at constant speed along the heading with a lateral sway
  of ``sway_m`` toward the stance foot; left heel contacts at t = 0, 1, 2, … s (stride 1 s), right
  at 0.5, 1.5, …; each stance lasts ``stance_s`` (heel contact → toe-off); the foot is flat and
  still on the floor during stance, with the step's own FPA; in swing it travels one stride
  (1.2 m) with zero velocity at both ends, lifted up to 10 cm, its yaw blending to the next
  step's FPA.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.landmarks import LM

FOOT, HIP_W, SHOULDER_W = 0.22, 0.20, 0.36
STRIDE_S, SPEED = 1.0, 1.2  # s, m/s
F = NDArray[np.float64]


def _put_foot(pts: F, side: str, heel: F, yaw_rad: F, heading: float, pitch_deg: float) -> None:
    """Heel (T, 3), toe, ankle of one side; ``yaw_rad`` (T,) turns the toes toward that side's
    lateral (toe-out positive); the toe sits ``pitch_deg`` below the heel's level."""
    fwd = np.array([heading, 0.0, 0.0])
    lat = np.array([0.0, 0.0, -heading if side == "left" else heading])
    p = np.radians(pitch_deg)
    horiz = np.cos(yaw_rad)[:, None] * fwd + np.sin(yaw_rad)[:, None] * lat
    dirn = np.cos(p) * horiz + np.array([0.0, -np.sin(p), 0.0])
    i = "LEFT" if side == "left" else "RIGHT"
    pts[:, LM[f"{i}_HEEL"]] = heel
    pts[:, LM[f"{i}_FOOT_INDEX"]] = heel + FOOT * dirn
    pts[:, LM[f"{i}_ANKLE"]] = heel + 0.05 * horiz + [0, 0.07, 0]


def _body(pts: F, pelvis: F, heading: float) -> None:
    """Hips, knees, trunk, arms and face around ``pelvis`` (T, 3); feet must already be set."""
    across = np.array([0.0, 0.0, -heading])  # toward the person's left
    fwd = np.array([heading, 0.0, 0.0])
    pts[:, LM.LEFT_HIP] = pelvis + across * HIP_W / 2
    pts[:, LM.RIGHT_HIP] = pelvis - across * HIP_W / 2
    for side in ("LEFT", "RIGHT"):
        hip, ankle = pts[:, LM[f"{side}_HIP"]], pts[:, LM[f"{side}_ANKLE"]]
        pts[:, LM[f"{side}_KNEE"]] = (hip + ankle) / 2 + fwd * 0.04
    pts[:, LM.LEFT_SHOULDER] = pelvis + [0, 0.50, 0] + across * SHOULDER_W / 2
    pts[:, LM.RIGHT_SHOULDER] = pelvis + [0, 0.50, 0] - across * SHOULDER_W / 2
    for k, side in ((1, "LEFT"), (-1, "RIGHT")):
        sh = pts[:, LM[f"{side}_SHOULDER"]]
        pts[:, LM[f"{side}_ELBOW"]] = sh + [0, -0.28, 0] + k * across * 0.03
        for name in ("WRIST", "PINKY", "INDEX", "THUMB"):
            pts[:, LM[f"{side}_{name}"]] = sh + [0, -0.55, 0] + k * across * 0.04
    head = pelvis + [0, 0.72, 0]
    for i in range(11):  # face landmarks, in front of the head
        pts[:, i] = head + fwd * 0.08 + [0, 0.01 * (i % 3), 0] + across * 0.02 * ((i % 5) - 2)


def standing(fpa_left: float, fpa_right: float, *, n: int = 60, heading: float = 1.0,
             pitch_deg: float = 3.0, x: float = 0.0) -> F:
    """(n, 33, 3) world points of a person standing still at X = ``x``, feet 0.2 m apart."""
    pts = np.zeros((n, 33, 3))
    pelvis = np.tile([x, 0.92, 0.0], (n, 1))
    for side, fpa in (("left", fpa_left), ("right", fpa_right)):
        lat = -heading if side == "left" else heading
        heel = np.tile([x - heading * 0.05, 0.03, lat * HIP_W / 2], (n, 1))
        _put_foot(pts, side, heel, np.full(n, np.radians(fpa)), heading, pitch_deg)
    _body(pts, pelvis, heading)
    return pts


def stance_truth(n_strides: int, stance_s: float = 0.6) -> dict[str, F]:
    """Per side, (k, 2) heel-contact and toe-off times (s) of every stance by construction."""
    hc = np.arange(n_strides, dtype=float) * STRIDE_S
    return {"left": np.stack([hc, hc + stance_s], axis=1),
            "right": np.stack([hc + STRIDE_S / 2, hc + STRIDE_S / 2 + stance_s], axis=1)}


def walking(fpa_left: ArrayLike, fpa_right: ArrayLike, *, fps: float = 30.0,
            heading: float = 1.0, stance_s: float = 0.6, sway_m: float = 0.02,
            start_x: float = -3.0, pitch_deg: float = 3.0) -> tuple[F, F]:
    """Timestamps (T,) and world points (T, 33, 3) of a straight walk along ``heading``.

    ``fpa_left`` / ``fpa_right`` (k,) are the toe-out angles of each side's successive stances
    (see :func:`stance_truth` for their times). The clip runs from t = 0 to the last right
    toe-off plus 0.2 s. Before the first and after the last listed stance the feet move through
    virtual stances (same FPA as the nearest listed one) that the clip cuts off."""
    fl, fr = np.atleast_1d(np.asarray(fpa_left, float)), np.atleast_1d(np.asarray(fpa_right, float))
    k = len(fl)
    truth = stance_truth(k, stance_s)
    t = np.arange(int(round((truth["right"][-1, 1] + 0.2) * fps))) / fps
    n = len(t)
    pts = np.zeros((n, 33, 3))
    swing_s = STRIDE_S - stance_s
    for side, fpa in (("left", fl), ("right", fr)):
        hc = np.concatenate([[truth[side][0, 0] - STRIDE_S], truth[side][:, 0],
                             [truth[side][-1, 0] + STRIDE_S]])
        yaw = np.concatenate([[fpa[0]], fpa, [fpa[-1]]])
        land = start_x + heading * (SPEED * hc + 0.3)  # heel lands 0.3 m ahead of the pelvis
        i = np.clip(np.searchsorted(hc, t, side="right") - 1, 0, len(hc) - 2)
        tau = np.clip((t - hc[i] - stance_s) / swing_s, 0.0, 1.0)  # 0 throughout stance
        prog = tau - np.sin(2 * np.pi * tau) / (2 * np.pi)  # zero velocity at both ends
        x = land[i] + (land[i + 1] - land[i]) * prog
        lift = 0.10 * np.sin(np.pi * tau)
        lat = -heading if side == "left" else heading
        heel = np.stack([x, 0.03 + lift, np.full(n, lat * HIP_W / 2)], axis=1)
        _put_foot(pts, side, heel, np.radians(yaw[i] + (yaw[i + 1] - yaw[i]) * prog), heading,
                  pitch_deg)
    # pelvis sways toward the stance foot: furthest left at mid left stance (stance_s / 2)
    toward_left = sway_m * np.cos(2 * np.pi * (t - stance_s / 2) / STRIDE_S)
    pelvis = np.stack([start_x + heading * SPEED * t, np.full(n, 0.92), -heading * toward_left],
                      axis=1)
    _body(pts, pelvis, heading)
    return t, pts
