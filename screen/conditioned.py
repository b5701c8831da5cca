"""A recording's landmarks after the conditioning chain of :mod:`screen.signal`: what every
protocol measures from. Only the landmarks a protocol reads are conditioned (the others are NaN);
a landmark outside the frame counts as not visible."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from screen.landmarks import N_LANDMARKS
from screen.recording import Recording
from screen.signal import Conditioning, condition


def conditioned_points(rec: Recording, settings: Conditioning,
                       landmarks: Sequence[int] = range(N_LANDMARKS)) -> NDArray[np.float64]:
    """(T, 33, 2) pixels after the conditioning chain, for ``landmarks`` only (the others are
    NaN: a protocol conditions what it uses). A landmark outside the frame counts as not
    visible."""
    return _conditioned(rec, rec.pixels(), settings, landmarks)


def conditioned_world(rec: Recording, settings: Conditioning,
                      landmarks: Sequence[int] = range(N_LANDMARKS)) -> NDArray[np.float64]:
    """(T, 33, 3) world landmarks (m) after the same chain, visibility taken from the image
    landmarks; ``settings`` are in metres here (``outlier_min_px`` is the outlier-scale floor in
    metres)."""
    return _conditioned(rec, rec.world.astype(float), settings, landmarks)


def _conditioned(rec: Recording, values: NDArray, settings: Conditioning,
                 landmarks: Sequence[int]) -> NDArray[np.float64]:
    idx = list(landmarks)
    xy = rec.image[:, idx, :2]
    with np.errstate(invalid="ignore"):
        in_frame = np.all((xy >= 0) & (xy <= 1), axis=-1)
    visibility = np.where(in_frame, rec.image[:, idx, 3], 0.0)
    out = np.full(values.shape, np.nan)
    out[:, idx] = condition(values[:, idx], visibility, rec.t, settings)
    return out
