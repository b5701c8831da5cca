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

from screen.conditioning.signal import ffill
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
    return _swaps(xy[:, [a for a, _ in COMPARED]], xy[:, [b for _, b in COMPARED]], torso_length(xy))


def _swaps(left: NDArray, right: NDArray, torso: NDArray) -> NDArray[np.bool_]:
    """:func:`swap_frames` from the left and right lower-leg points (T, 4, 2) (knee, ankle,
    heel, toe; gated pixels) and the torso length (T,) in pixels."""
    n = len(left)
    both = np.all(np.isfinite(left), axis=(1, 2)) & np.all(np.isfinite(right), axis=(1, 2))
    scale = float(np.nanmedian(torso)) if np.any(np.isfinite(torso)) else np.nan
    if not np.isfinite(scale) or scale <= 0 or both.sum() < 2:
        return np.zeros(n, dtype=bool)
    # The previous frame with both legs, carried forward over frames without them.
    flat = np.where(both[:, None], np.concatenate([left, right], axis=1).reshape(n, -1), np.nan)
    prev = np.full_like(flat, np.nan)
    prev[1:] = ffill(flat)[:-1]
    prev = prev.reshape(n, -1, 2)
    k = left.shape[1]
    prev_l, prev_r = prev[:, :k], prev[:, k:]
    keep = (_dist(left, prev_l) + _dist(right, prev_r)).sum(1)
    swap = (_dist(left, prev_r) + _dist(right, prev_l)).sum(1)
    apart = _dist(prev_l, prev_r).sum(1) >= MIN_SEPARATION * scale
    with np.errstate(invalid="ignore"):
        event = both & apart & (swap < SWAP_RATIO * keep)
    flip = (np.cumsum(event) % 2).astype(bool)
    # Keep the labels MediaPipe gave on most frames: which leg is called left is its majority.
    return ~flip if flip[both].sum() > both.sum() / 2 else flip


def _dist(a: NDArray, b: NDArray) -> NDArray:
    """(T, K) image distance of points ``a`` and ``b`` (T, K, 2): ``np.linalg.norm(a − b,
    axis=-1)``'s values bit for bit (√(dx·dx + dy·dy), the same two products and one sum) without
    its reduction over an axis of two."""
    dx, dy = a[..., 0] - b[..., 0], a[..., 1] - b[..., 1]
    return np.sqrt(dx * dx + dy * dy)


def repair(rec: Recording, /) -> tuple[Recording, int]:
    """A copy of ``rec`` with the leg labels (hip to toe) swapped back where :func:`swap_frames`
    finds them swapped (image and world landmarks alike), and the number of frames changed.
    The frames changed are recorded in ``meta["legs_repaired_frames"]``."""
    left, right = [a for a, _ in COMPARED], [b for _, b in COMPARED]
    read = [*left, *right, *SHOULDERS, *HIPS]  # what swap_frames reads
    part = np.empty((rec.n_frames, len(read), 2))
    for s in range(0, rec.n_frames, PASS_BLOCK):  # pixels (as Recording.pixels()), gated
        block = rec.image[s:s + PASS_BLOCK, read]
        part[s:s + PASS_BLOCK] = np.multiply(block[..., :2], np.array([rec.meta["width"],
                                                                     rec.meta["height"]]), dtype=float)
        with np.errstate(invalid="ignore"):
            part[s:s + PASS_BLOCK][~(block[..., 3] >= 0.5)] = np.nan
    k = len(left)
    torso = np.linalg.norm(part[:, [2 * k, 2 * k + 1]].mean(axis=1)  # torso_length's trunk
                           - part[:, [2 * k + 2, 2 * k + 3]].mean(axis=1), axis=-1)
    flip = _swaps(part[:, :k], part[:, k:2 * k], torso)
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
