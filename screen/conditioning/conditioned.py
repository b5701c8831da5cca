"""A recording's landmarks after the conditioning chain of :mod:`screen.conditioning.signal`: what every
protocol measures from. Only the landmarks a protocol reads are conditioned (the others are NaN);
a landmark outside the frame counts as not visible."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import Conditioning, condition, gate
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
    out = np.full((rec.n_frames, N_LANDMARKS, 2), np.nan)
    out[:, idx] = gate(_pixels(rec, idx), _visibility(rec, idx), min_visibility=min_visibility)
    return out


def _pixels(rec: Recording, idx: list[int]) -> NDArray[np.float64]:
    """(T, len(idx), 2) pixels of those landmarks (as :meth:`Recording.pixels`, for a subset)."""
    return rec.image[:, idx, :2].astype(float) * np.array([rec.meta["width"], rec.meta["height"]])


def _visibility(rec: Recording, idx: list[int]) -> NDArray[np.float64]:
    xy = rec.image[:, idx, :2]
    with np.errstate(invalid="ignore"):
        in_frame = np.all((xy >= 0) & (xy <= 1), axis=-1)
    return np.where(in_frame, rec.image[:, idx, 3], 0.0)


def _conditioned(rec: Recording, values: NDArray, settings: Conditioning,
                 idx: list[int]) -> NDArray[np.float64]:
    """(T, 33, C) with the conditioned ``values`` (T, len(idx), C) at ``idx``, NaN elsewhere."""
    out = np.full((rec.n_frames, N_LANDMARKS, values.shape[-1]), np.nan)
    out[:, idx] = condition(values, _visibility(rec, idx), rec.t, settings)
    return out
