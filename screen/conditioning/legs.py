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

SWAP_RATIO = 0.5  # swapping must explain the motion at least twice as well as keeping
MIN_SEPARATION = 0.25  # torso lengths summed over knee, ankle, heel and toe
PAIRED = tuple(zip(LEG["left"], LEG["right"], strict=True))  # hip, knee, ankle, heel, toe
COMPARED = PAIRED[1:]  # the hips sit together in a side view: the lower leg decides


def swap_frames(xy: NDArray, /) -> NDArray[np.bool_]:
    """(T,) True where the labels must be swapped to keep each leg under one label.

    ``xy`` (T, 33, 2) are gated pixels (NaN where doubtful or no person)."""
    xy = np.asarray(xy, dtype=float)
    left = xy[:, [a for a, _ in COMPARED]]
    right = xy[:, [b for _, b in COMPARED]]
    both = np.all(np.isfinite(left), axis=(1, 2)) & np.all(np.isfinite(right), axis=(1, 2))
    torso = torso_length(xy)
    scale = float(np.nanmedian(torso)) if np.any(np.isfinite(torso)) else np.nan
    if not np.isfinite(scale) or scale <= 0 or both.sum() < 2:
        return np.zeros(len(xy), dtype=bool)
    # The previous frame with both legs, carried forward over frames without them.
    flat = np.where(both[:, None], np.concatenate([left, right], axis=1).reshape(len(xy), -1), np.nan)
    prev = np.full_like(flat, np.nan)
    prev[1:] = ffill(flat)[:-1]
    prev = prev.reshape(len(xy), -1, 2)
    k = left.shape[1]
    prev_l, prev_r = prev[:, :k], prev[:, k:]
    keep = (np.linalg.norm(left - prev_l, axis=-1) + np.linalg.norm(right - prev_r, axis=-1)).sum(1)
    swap = (np.linalg.norm(left - prev_r, axis=-1) + np.linalg.norm(right - prev_l, axis=-1)).sum(1)
    apart = np.linalg.norm(prev_l - prev_r, axis=-1).sum(1) >= MIN_SEPARATION * scale
    with np.errstate(invalid="ignore"):
        event = both & apart & (swap < SWAP_RATIO * keep)
    flip = (np.cumsum(event) % 2).astype(bool)
    # Keep the labels MediaPipe gave on most frames: which leg is called left is its majority.
    return ~flip if flip[both].sum() > both.sum() / 2 else flip


def repair(rec: Recording, /) -> tuple[Recording, int]:
    """A copy of ``rec`` with the leg labels (hip to toe) swapped back where :func:`swap_frames`
    finds them swapped (image and world landmarks alike), and the number of frames changed.
    The frames changed are recorded in ``meta["legs_repaired_frames"]``."""
    read = sorted({i for pair in COMPARED for i in pair} | {*SHOULDERS, *HIPS})  # what swap_frames reads
    xy = np.full((rec.n_frames, rec.image.shape[1], 2), np.nan)
    part = np.multiply(rec.image[:, read, :2], np.array([rec.meta["width"], rec.meta["height"]]),
                       dtype=float)  # pixels, as Recording.pixels()
    with np.errstate(invalid="ignore"):
        part[~(rec.image[:, read, 3] >= 0.5)] = np.nan
    xy[:, read] = part
    flip = swap_frames(xy)
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
