"""Choosing and following the main subject when the pose model reports several people.

MediaPipe returns the people of a frame in no stable order, so the candidates are first linked
into tracks, frame to frame, by the nearest hip midpoint; then the main subject is the track with
the largest *presence* — the sum over its frames of the person's height in the image (so the
person who is in view longest and nearest the camera wins, and one brief passer-by never does).

Linking: a candidate may continue a track when its hip midpoint lies within
``MAX_JUMP × body height + MAX_SPEED × body height × elapsed time`` of the track's last position
(normalised image units); the closest candidate–track pairs are linked first, each used once, and
a candidate left over starts a new track. Linking is inherently sequential (each
frame depends on the previous one), so it runs as a loop over frames with at most a handful of
candidates each — negligible next to the pose model it follows.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from screen.landmarks import HIPS

MAX_JUMP = 0.3  # body heights between consecutive frames
MAX_SPEED = 1.5  # body heights per second while a track is unseen
SUBJECT_RULE = "the person in view longest and largest, followed frame to frame by hip position"


def body_height(image: NDArray) -> NDArray:
    """(..., 33, 5) normalised landmarks → (...) vertical extent of the visible landmarks."""
    with np.errstate(invalid="ignore"):
        seen = image[..., 3] >= 0.5
    y = image[..., 1]
    extent = np.max(np.where(seen, y, -np.inf), axis=-1) - np.min(np.where(seen, y, np.inf), axis=-1)
    return np.where(seen.any(axis=-1), extent, np.nan)


def link_tracks(candidates: NDArray, t: NDArray) -> NDArray[np.intp]:
    """Track id (T, K) of each candidate (−1 where the slot is empty), from normalised image
    landmarks ``candidates`` (T, K, 33, 5) (NaN for empty slots) and timestamps ``t`` (T,) s."""
    n, k = candidates.shape[:2]
    hip = candidates[:, :, list(HIPS), :2].mean(axis=2)  # (T, K, 2)
    height = body_height(candidates)
    ids = np.full((n, k), -1, dtype=np.intp)
    last_pos: list[NDArray] = []
    last_t: list[float] = []
    last_h: list[float] = []
    for i in range(n):
        here = [j for j in range(k) if np.all(np.isfinite(hip[i, j]))]
        pairs = sorted((float(np.linalg.norm(hip[i, j] - last_pos[tr])), j, tr)
                       for j in here for tr in range(len(last_pos))
                       if np.linalg.norm(hip[i, j] - last_pos[tr])
                       <= last_h[tr] * (MAX_JUMP + MAX_SPEED * (t[i] - last_t[tr])))
        for _, j, tr in pairs:  # closest pairs first, each candidate and track used once
            if ids[i, j] < 0 and tr not in ids[i]:
                ids[i, j] = tr
        for j in here:
            if ids[i, j] < 0:  # nobody near: a new track
                ids[i, j] = len(last_pos)
                last_pos.append(hip[i, j])
                last_t.append(0.0)
                last_h.append(float(height[i, j]))
            tr = ids[i, j]
            last_pos[tr], last_t[tr] = hip[i, j], float(t[i])
            if np.isfinite(height[i, j]):
                last_h[tr] = float(height[i, j])
    return ids


def main_subject(candidates: NDArray, t: NDArray) -> NDArray[np.intp]:
    """(T,) index of the main subject's candidate slot per frame, −1 where they are not seen."""
    ids = link_tracks(candidates, t)
    if not np.any(ids >= 0):
        return np.full(len(ids), -1, dtype=np.intp)
    height = np.nan_to_num(body_height(candidates))
    presence = np.bincount(ids[ids >= 0], weights=height[ids >= 0])
    chosen = ids == int(np.argmax(presence))
    return np.where(chosen.any(axis=1), chosen.argmax(axis=1), -1).astype(np.intp)
