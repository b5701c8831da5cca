"""Choosing and following the main subject when the pose model reports several people.

MediaPipe returns the people of a frame in no stable order, so the candidates are first linked
into tracks, frame to frame, by the nearest hip midpoint; then the main subject is the track with
the largest *presence* — the sum over its frames of the person's height in the image (so the
person who is in view longest and nearest the camera wins, and one brief passer-by never does).

Linking: a candidate continues a track when its hip midpoint lies within
``MAX_JUMP × body height + MAX_SPEED × body height × elapsed time`` of the track's last position
(normalised image units); otherwise it starts a new track. Linking is inherently sequential (each
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
        free = set(range(len(last_pos)))
        for j in np.argsort(-np.nan_to_num(height[i], nan=-1.0)):  # largest first
            if not np.all(np.isfinite(hip[i, j])):
                continue
            best, best_d = -1, np.inf
            for track in free:
                d = float(np.linalg.norm(hip[i, j] - last_pos[track]))
                reach = last_h[track] * (MAX_JUMP + MAX_SPEED * (t[i] - last_t[track]))
                if d <= reach and d < best_d:
                    best, best_d = track, d
            if best < 0:
                best = len(last_pos)
                last_pos.append(hip[i, j])
                last_t.append(float(t[i]))
                last_h.append(float(height[i, j]))
            else:
                free.discard(best)
            ids[i, j] = best
            last_pos[best], last_t[best] = hip[i, j], float(t[i])
            if np.isfinite(height[i, j]):
                last_h[best] = float(height[i, j])
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
