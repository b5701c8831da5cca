"""Exact synthetic ground truth, part 1: a pinhole camera that turns posed 3-D skeletons into
:class:`~screen.recording.Recording` objects the way MediaPipe would report them.

World frame (metres): Y up; X and Z horizontal (each pose builder says which way the person
faces). A :class:`Camera` sits at ``position`` looking at ``target`` and may be rolled.

Image landmarks: perspective projection to pixels (x right, y down), then a roll of the image
about its centre by ``roll_deg`` so that true vertical appears ``roll_deg`` clockwise from the
image's up (the convention of :func:`screen.kinematics.geometry.up_vector`), then optional Gaussian pixel
noise; stored normalised by width and height, visibility = presence = 1.

World landmarks: as MediaPipe reports them — metres, origin at the hip midpoint, axes aligned
with the camera (x image-right, y image-down, z away from the camera), rolled with the image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.landmarks import LM
from screen.recording import Recording

W, H, FOCAL = 1280, 720, 800.0
F = NDArray[np.float64]


def _unit(v: F) -> F:
    return v / np.linalg.norm(v)


@dataclass(frozen=True)
class Camera:
    """A pinhole camera. ``roll_deg`` rolls the image (true vertical appears that many degrees
    clockwise from image up); the optical axis never points straight up or down."""

    position: tuple[float, float, float] = (0.0, 0.85, 3.0)
    target: tuple[float, float, float] = (0.0, 0.85, 0.0)
    roll_deg: float = 0.0
    focal_px: float = FOCAL
    width: int = W
    height: int = H

    def basis(self) -> tuple[F, F, F]:
        """Unit vectors (right, down, forward) of the unrolled camera in world coordinates."""
        forward = _unit(np.subtract(self.target, self.position).astype(float))
        right = _unit(np.cross(forward, [0.0, 1.0, 0.0]))
        return right, np.cross(forward, right), forward

    def _roll(self, a: F, b: F) -> tuple[F, F]:
        th = np.radians(self.roll_deg)
        return a * np.cos(th) - b * np.sin(th), a * np.sin(th) + b * np.cos(th)

    def project(self, world: ArrayLike) -> F:
        """(..., 3) world points → (..., 2) pixels (x right, y down)."""
        right, down, forward = self.basis()
        rel = np.asarray(world, dtype=float) - np.asarray(self.position)
        depth = rel @ forward
        du = self.focal_px * (rel @ right) / depth
        dv = self.focal_px * (rel @ down) / depth
        u, v = self._roll(du, dv)
        return np.stack([self.width / 2 + u, self.height / 2 + v], axis=-1)

    def world_landmarks(self, world: ArrayLike) -> F:
        """(T, 33, 3) world points → MediaPipe-style world landmarks (see module docstring)."""
        w = np.asarray(world, dtype=float)
        hips = w[:, [LM.LEFT_HIP, LM.RIGHT_HIP]].mean(axis=1, keepdims=True)
        right, down, forward = self.basis()
        rel = w - hips
        x, y = self._roll(rel @ right, rel @ down)
        return np.stack([x, y, rel @ forward], axis=-1)


def side_camera(*, yaw_deg: float = 0.0, roll_deg: float = 0.0, distance: float = 3.0,
                height: float = 0.85, target: tuple[float, float, float] = (0.0, 0.85, 0.0)
                ) -> Camera:
    """A camera on the +Z side of ``target`` (looking along −Z, so world +X is image right),
    swung ``yaw_deg`` about the vertical through the target (off-axis view)."""
    a = np.radians(yaw_deg)
    pos = (target[0] + distance * np.sin(a), height, target[2] + distance * np.cos(a))
    return Camera(position=pos, target=(target[0], height, target[2]), roll_deg=roll_deg)


def front_camera(*, yaw_deg: float = 0.0, roll_deg: float = 0.0, distance: float = 3.0,
                 height: float = 0.85, target: tuple[float, float, float] = (0.0, 0.85, 0.0)
                 ) -> Camera:
    """A camera on the +X side of ``target`` looking along −X (a person facing +X faces it;
    their left, world −Z, appears on the image's right), swung ``yaw_deg`` about the vertical."""
    a = np.radians(yaw_deg)
    pos = (target[0] + distance * np.cos(a), height, target[2] - distance * np.sin(a))
    return Camera(position=pos, target=(target[0], height, target[2]), roll_deg=roll_deg)


def to_recording(world: ArrayLike, camera: Camera, *, fps: float = 30.0, noise_px: float = 0.0,
                 seed: int = 0, world_noise_m: float = 0.0,
                 swap: ArrayLike | None = None) -> Recording:
    """A Recording of posed world points (T, 33, 3) seen by ``camera``. ``swap`` (T,) bool
    exchanges left and right labels on those frames, as MediaPipe sometimes does."""
    world = np.asarray(world, dtype=float)
    rng = np.random.default_rng(seed)
    px = camera.project(world)
    if noise_px:
        px = px + rng.normal(0.0, noise_px, px.shape)
    wld = camera.world_landmarks(world)
    if world_noise_m:
        wld = wld + rng.normal(0.0, world_noise_m, wld.shape)
    n = len(px)
    image = np.ones((n, 33, 5), dtype=np.float32)
    image[..., 0] = px[..., 0] / camera.width
    image[..., 1] = px[..., 1] / camera.height
    image[..., 2] = 0.0
    wld = wld.astype(np.float32)
    if swap is not None:
        left = [1, 2, 3, *range(7, 33, 2)]
        right = [4, 5, 6, *range(8, 33, 2)]
        order = np.arange(33)
        order[left], order[right] = right, left
        swap = np.asarray(swap, dtype=bool)
        image[swap] = image[swap][:, order]
        wld[swap] = wld[swap][:, order]
    meta = {"width": camera.width, "height": camera.height, "source": "synthetic",
            "model": "synthetic"}
    return Recording(t=np.arange(n) / fps, image=image, world=wld, meta=meta)
