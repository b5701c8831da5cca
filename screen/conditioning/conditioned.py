"""A recording's landmarks after the conditioning chain of :mod:`screen.conditioning.signal`: what every
protocol measures from. Only the landmarks a protocol reads are conditioned (the others are NaN);
a landmark outside the frame counts as not visible."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import Conditioning, condition
from screen.landmarks import N_LANDMARKS
from screen.recording import Recording


def conditioned_points(rec: Recording, settings: Conditioning,
                       landmarks: Sequence[int] = range(N_LANDMARKS)) -> NDArray[np.float64]:
    """(T, 33, 2) pixels after the conditioning chain, for ``landmarks`` only (the others are
    NaN: a protocol conditions what it uses). A landmark outside the frame counts as not
    visible."""
    idx = list(landmarks)
    return _conditioned(rec, _pixels(rec, idx), settings, idx)


def conditioned_world(rec: Recording, settings: Conditioning,
                      landmarks: Sequence[int] = range(N_LANDMARKS)) -> NDArray[np.float64]:
    """(T, 33, 3) world landmarks (m) after the same chain, visibility taken from the image
    landmarks; ``settings`` are in metres here (``outlier_min_px`` is the outlier-scale floor in
    metres)."""
    idx = list(landmarks)
    return _conditioned(rec, rec.world[:, idx].astype(float), settings, idx)


def gated_points(rec: Recording, landmarks: Sequence[int] = range(N_LANDMARKS),
                 min_visibility: float = 0.5) -> NDArray[np.float64]:
    """(T, 33, 2) pixels after the first step of the chain only (doubtful or out-of-frame
    samples → NaN), for whole-recording statistics that need no smoothing (test recognition)."""
    idx = list(landmarks)
    gated = _pixels(rec, idx)  # gated in place (as gate(), without its copy)
    gated[~(_visibility(rec, idx) >= min_visibility)] = np.nan
    if idx == list(range(N_LANDMARKS)):  # every landmark: no scatter into a NaN array
        return gated
    out = np.full((rec.n_frames, N_LANDMARKS, 2), np.nan)
    out[:, idx] = gated
    return out


def _pixels(rec: Recording, idx: list[int]) -> NDArray[np.float64]:
    """(T, len(idx), 2) pixels of those landmarks (as :meth:`Recording.pixels`, for a subset:
    the float32 coordinates times the frame size in float64, in one pass)."""
    return np.multiply(rec.image[:, idx, :2], np.array([rec.meta["width"], rec.meta["height"]]),
                       dtype=float)


def _visibility(rec: Recording, idx: list[int]) -> NDArray[np.float64]:
    """(T, len(idx)) the model's visibility, 0 where the landmark lies outside the frame."""
    xy = rec.image[:, idx, :2]
    x, y = xy[..., 0], xy[..., 1]
    with np.errstate(invalid="ignore"):
        in_frame = (x >= 0) & (x <= 1) & (y >= 0) & (y <= 1)
    return np.where(in_frame, rec.image[:, idx, 3], 0.0)


def _conditioned(rec: Recording, values: NDArray, settings: Conditioning,
                 idx: list[int]) -> NDArray[np.float64]:
    """(T, 33, C) with the conditioned ``values`` (T, len(idx), C) at ``idx``, NaN elsewhere."""
    out = np.full((rec.n_frames, N_LANDMARKS, values.shape[-1]), np.nan)
    out[:, idx] = condition(values, _visibility(rec, idx), rec.t, settings)
    return out
