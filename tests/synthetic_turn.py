"""Exact synthetic ground truth, seen by a camera whose yaw changes over time.

The skeletons of :mod:`synthetic` (knee drives) and :mod:`synthetic_squat` (squats) and
:mod:`synthetic_seated` (seated hip rotation) face world +X with Y up; a side camera
(:func:`camera.side_camera`) sits on +Z, a front camera on +X. Here the camera swings about the
vertical through its target by ``swing_deg`` per frame (T,), from the side position (0°) toward
the person's front (+90° = :func:`camera.front_camera`'s position): the person's **body turn**
from facing the camera (the convention of :mod:`screen.scene.segments`: 0° front, 90° side) is
``90 − |swing|``.

Swinging the camera by ``a`` about the vertical through the target is the same as turning the
posed points by ``−a`` about that vertical and keeping the camera still; :func:`render` does
that, vectorised over frames, and packs the result with :func:`camera.to_recording` (pixels and
MediaPipe-style world landmarks), so every frame is projected exactly as a camera at that
swing would project it (checked against :func:`camera.side_camera` in
tests/scene/test_segments.py).
"""

from __future__ import annotations

import numpy as np
import synthetic as S
import synthetic_squat as Q
from camera import side_camera, to_recording
from numpy.typing import ArrayLike, NDArray

from screen.recording import Recording

F = NDArray[np.float64]
TARGET = (0.0, 0.85, 0.0)  # the cameras' target (camera.side_camera's default)


def swung(world: ArrayLike, swing_deg: ArrayLike) -> F:
    """(T, 33, 3) world points turned by ``−swing_deg`` (scalar or (T,)) about the vertical
    through :data:`TARGET`: what a camera swung by ``swing_deg`` from the side position
    toward +X sees, in the still camera's world."""
    w = np.asarray(world, dtype=float)
    a = -np.radians(np.broadcast_to(np.asarray(swing_deg, dtype=float), (len(w),)))[:, None]
    x, z = w[..., 0] - TARGET[0], w[..., 2] - TARGET[2]
    c, s = np.cos(a), np.sin(a)  # rotation about +Y by angle a: +X toward −Z
    out = w.copy()
    out[..., 0] = TARGET[0] + x * c + z * s
    out[..., 2] = TARGET[2] - x * s + z * c
    return out


def render(world: ArrayLike, swing_deg: ArrayLike, *, fps: float = 30.0, noise_px: float = 0.0,
           seed: int = 0) -> Recording:
    """A Recording of posed points (T, 33, 3) seen by a camera swung ``swing_deg`` (scalar or
    (T,), degrees) from the side position toward the person's front (module docstring)."""
    return to_recording(swung(world, swing_deg), side_camera(), fps=fps, noise_px=noise_px,
                        seed=seed)


def project(world: ArrayLike, swing_deg: ArrayLike) -> F:
    """(T, 33, 2) pixels of posed points seen by the swung camera (no Recording)."""
    return side_camera().project(swung(world, swing_deg))


def body_turn(swing_deg: ArrayLike) -> F:
    """The true body turn (degrees, 0 front … 90 side) for a camera swing (degrees)."""
    return 90.0 - np.abs(np.asarray(swing_deg, dtype=float))


def off_side(deg: float) -> float:
    """The swing of a camera turned ``deg`` away from side-on (toward the person's front)."""
    return float(deg)


def off_front(deg: float) -> float:
    """The swing of a camera turned ``deg`` away from square to the front."""
    return 90.0 - float(deg)


def front_then_side(n: int, *, switch: int, ramp: int = 10) -> F:
    """(n,) swing schedule: front (90°) until ``switch − ramp // 2``, a linear turn over
    ``ramp`` frames, then side (0°): the person turns a quarter turn mid-clip."""
    i = np.arange(n, dtype=float)
    a, b = switch - ramp / 2, switch + ramp / 2
    return 90.0 * np.clip((b - i) / max(b - a, 1e-9), 0.0, 1.0)


# ---- the moving skeletons, with their truth -------------------------------------------------

KNEE_DRIVE = {"peak_incl": 25.0, "pitch": 3.0}  # tests/synthetic.py: dorsiflexion 22° at the peak


def knee_drives(n_reps: int = 3, *, period_s: float = 3.0, fps: float = 30.0
                ) -> tuple[F, F, list[int]]:
    """Timestamps (T,), knee-to-wall world points (T, 33, 3) (left = front, test leg; truth in
    :data:`KNEE_DRIVE`) and the frames of each drive's end range."""
    t, incl = S.knee_drives(n_reps, period_s=period_s, fps=fps,
                            high=KNEE_DRIVE["peak_incl"])
    peaks = [int(round((r + 0.5) * period_s * fps)) for r in range(n_reps)]
    return t, S.skeleton(incl, KNEE_DRIVE["pitch"]), peaks


SQUAT = {"incl": (0.0, 30.0), "thigh": (-90.0, 10.0), "trunk": (10.0, 35.0), "pitch": 3.0}


def squats(n_reps: int = 3, *, period_s: float = 3.0, fps: float = 30.0,
           valgus: tuple[float, float] = (0.0, 0.0), turnout: tuple[float, float] = (0.0, 0.0)
           ) -> tuple[F, F, dict[str, F], list[int]]:
    """Timestamps (T,), squat world points (T, 33, 3), the per-frame truth (T,) of each
    parameter of :mod:`synthetic_squat` (``incl``, ``thigh``, ``trunk``, ``pitch``) from
    standing to the bottom values of :data:`SQUAT`, and the bottom frames. ``valgus`` and
    ``turnout`` (per side, degrees) are constant."""
    t, s = Q.squat_cycle(n_reps, period_s=period_s, fps=fps)
    truth = {k: Q.between(s, *SQUAT[k]) for k in ("incl", "thigh", "trunk")}
    truth["pitch"] = np.full(len(t), SQUAT["pitch"])
    world = Q.skeleton(truth["incl"], truth["thigh"], truth["trunk"], truth["pitch"],
                       valgus=valgus, turnout=turnout)
    bottoms = [int(round((r + 0.5) * period_s * fps)) for r in range(n_reps)]
    return t, world, truth, bottoms


def sweep(world: ArrayLike, offs: ArrayLike, *, ideal: str) -> list[tuple[float, Recording]]:
    """The yaw sweep: for each turn ``off`` (degrees) away from the ``ideal`` view ("side" or
    "front"), the Recording of ``world`` seen by a camera turned that far."""
    to_swing = off_side if ideal == "side" else off_front
    return [(float(o), render(world, to_swing(float(o)))) for o in np.asarray(offs, dtype=float)]
