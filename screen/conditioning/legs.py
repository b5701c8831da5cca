"""Leg re-pairing: keep each physical leg under one label over time, before any smoothing.

MediaPipe's left/right labels can swap between frames, for a single frame or for a sustained
stretch (GUIDE §2). Smoothing labelled trajectories across a swap blends the two legs, so the
swap must be undone first, on the raw landmarks.

Rule (vectorised over frames): between each frame and the last earlier frame where both legs
were seen, the cost of keeping the labels is the summed image distance each labelled point
moved; the cost of swapping is the distance each point moved to the *other* label's previous
position. A swap is detected when swapping is cheaper than keeping by the factor
:data:`SWAP_RATIO` and the two legs were apart (their summed separation at least
:data:`MIN_SEPARATION` torso lengths): legs drawn on top of each other (a side view with the legs
together, or legs crossing in a stride) carry no evidence, and no swap is declared there. The
labels are then flipped on every frame after an odd number of detected swaps — or on every frame
after an even number, whichever agrees with MediaPipe's labels on more frames: each physical leg
keeps the name the model gave it most often, and keeps it throughout.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from screen.kinematics.body import torso_length
from screen.landmarks import HIPS, LEG, SHOULDERS
from screen.recording import Recording
from screen.speed import PASS_BLOCK

SWAP_RATIO = 0.5  # swapping must explain the motion at least twice as well as keeping
MIN_SEPARATION = 0.25  # torso lengths summed over knee, ankle, heel and toe
PAIRED = tuple(zip(LEG["left"], LEG["right"], strict=True))  # hip, knee, ankle, heel, toe
COMPARED = PAIRED[1:]  # the hips sit together in a side view: the lower leg decides


def swap_frames(xy: NDArray, /) -> NDArray[np.bool_]:
    """(T,) True where the labels must be swapped to keep each leg under one label.

    ``xy`` (T, 33, 2) are gated pixels (NaN where doubtful or no person)."""
    xy = np.asarray(xy, dtype=float)
    left, right = xy[:, [a for a, _ in COMPARED]], xy[:, [b for _, b in COMPARED]]
    return _swaps(left[..., 0], left[..., 1], right[..., 0], right[..., 1], torso_length(xy))


def _swaps(lx: NDArray, ly: NDArray, rx: NDArray, ry: NDArray, torso: NDArray) -> NDArray[np.bool_]:
    """:func:`swap_frames` from the left and right lower-leg points (knee, ankle, heel, toe;
    gated pixels), their x and y each (T, 4), and the torso length (T,) in pixels. Each frame
    with both legs is compared with the last earlier frame with both legs (gathered by its
    index: a frame has both legs or none of the eight points counts)."""
    n = len(lx)
    both = _across(np.logical_and, np.isfinite(lx) & np.isfinite(ly) & np.isfinite(rx) & np.isfinite(ry))
    scale = float(np.nanmedian(torso)) if np.any(np.isfinite(torso)) else np.nan
    if not np.isfinite(scale) or scale <= 0 or both.sum() < 2:
        return np.zeros(n, dtype=bool)
    # The previous frame with both legs, carried forward over frames without them.
    latest = np.maximum.accumulate(np.where(both, np.arange(n), 0))
    prev = np.zeros(n, dtype=np.intp)
    prev[1:] = latest[:-1]
    judged = both & both[prev]
    judged[0] = False
    plx, ply, prx, pry = lx[prev], ly[prev], rx[prev], ry[prev]
    keep = _across(np.add, _dist(lx, ly, plx, ply) + _dist(rx, ry, prx, pry))
    swap = _across(np.add, _dist(lx, ly, prx, pry) + _dist(rx, ry, plx, ply))
    apart = _across(np.add, _dist(plx, ply, prx, pry)) >= MIN_SEPARATION * scale
    with np.errstate(invalid="ignore"):
        event = judged & apart & (swap < SWAP_RATIO * keep)
    flip = (np.cumsum(event) % 2).astype(bool)
    # Keep the labels MediaPipe gave on most frames: which leg is called left is its majority.
    return ~flip if flip[both].sum() > both.sum() / 2 else flip


def _dist(ax: NDArray, ay: NDArray, bx: NDArray, by: NDArray) -> NDArray:
    """(T, K) image distance of points a and b, their x and y each (T, K):
    ``np.linalg.norm(a − b, axis=-1)``'s values bit for bit (√(dx·dx + dy·dy), the same two
    products and one sum) without its reduction over an axis of two (in place: no temporaries)."""
    dx, dy = ax - bx, ay - by
    dx *= dx
    dy *= dy
    dx += dy
    return np.sqrt(dx, out=dx)


def _across(ufunc: np.ufunc, a: NDArray) -> NDArray:
    """(T,) ``ufunc.reduce(a, axis=1)`` of ``a`` (T, K): the columns combined left to right,
    numpy's order for a row of fewer than 8 (the same bits: ``a.sum(1)`` is
    ((a₀ + a₁) + a₂) + a₃ for K = 4), without a reduction over a short axis."""
    out = a[:, 0].copy()
    for k in range(1, a.shape[1]):  # loops over the K columns, not frames
        ufunc(out, a[:, k], out=out)
    return out


def repair(rec: Recording, /) -> tuple[Recording, int]:
    """A copy of ``rec`` with the leg labels (hip to toe) swapped back where :func:`swap_frames`
    finds them swapped (image and world landmarks alike), and the number of frames changed.
    The frames changed are recorded in ``meta["legs_repaired_frames"]``."""
    left, right = [a for a, _ in COMPARED], [b for _, b in COMPARED]
    read = [*left, *right, *SHOULDERS, *HIPS]  # what swap_frames reads, in three fours
    # x and y (3, T, 4) of the left leg, the right leg, the shoulders and hips: contiguous fours
    x, y = np.empty((3, rec.n_frames, 4)), np.empty((3, rec.n_frames, 4))
    for s in range(0, rec.n_frames, PASS_BLOCK):  # pixels (as Recording.pixels()), gated
        block = rec.image[s:s + PASS_BLOCK]
        # x, y and visibility of the landmarks read, each (3, B, 4): one coordinate gathered at a time
        xs, ys, vis = (block[:, read, c].reshape(len(block), 3, 4).transpose(1, 0, 2) for c in (0, 1, 3))
        with np.errstate(invalid="ignore"):
            doubt = ~(vis >= 0.5)
        for out, coord, size in ((x, xs, rec.meta["width"]), (y, ys, rec.meta["height"])):
            np.multiply(coord, size, out=out[:, s:s + PASS_BLOCK], dtype=float)
            out[:, s:s + PASS_BLOCK][doubt] = np.nan
    # torso_length's trunk: the shoulders' midpoint minus the hips' (a mean of two: (a + b) / 2)
    dx = (x[2, :, 0] + x[2, :, 1]) / 2 - (x[2, :, 2] + x[2, :, 3]) / 2
    dy = (y[2, :, 0] + y[2, :, 1]) / 2 - (y[2, :, 2] + y[2, :, 3]) / 2
    flip = _swaps(x[0], y[0], x[1], y[1], np.sqrt(dx * dx + dy * dy))
    n = int(flip.sum())
    if not n:
        return rec, 0
    order = np.arange(rec.image.shape[1])
    for a, b in PAIRED:
        order[a], order[b] = b, a
    image, world = rec.image.copy(), rec.world.copy()
    image[flip] = rec.image[flip][:, order]
    world[flip] = rec.world[flip][:, order]
    meta = dict(rec.meta, legs_repaired_frames=n)
    return Recording(rec.t, image, world, meta), n
