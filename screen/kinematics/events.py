"""Repetitions in a movement signal, found by peak detection over time."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.conditioning.signal import sample_rate
from screen.kinematics.windows import Windows


def find_reps(x: ArrayLike, t: ArrayLike, /, *, min_prominence: float,
              min_separation_s: float) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Peaks of ``x`` (T,) that rise at least ``min_prominence`` above the surrounding valleys
    and are at least ``min_separation_s`` apart.

    Returns ``(peaks, bounds)``: peak indices (R,) and window boundaries (R + 1,), each rep ``r``
    spanning ``bounds[r]:bounds[r + 1]``; boundaries are the lowest samples between peaks.
    NaN samples never form peaks.
    """
    from scipy.signal import find_peaks  # imported on first use: scipy.signal costs ~0.5 s

    x = np.asarray(x, dtype=float)
    finite = np.isfinite(x)
    if not np.any(finite):
        return np.array([], dtype=np.intp), np.array([0], dtype=np.intp)
    filled = np.where(finite, x, np.nanmin(x))
    distance = max(1, int(round(min_separation_s * sample_rate(t)))) if len(x) > 1 else 1
    peaks, _ = find_peaks(filled, prominence=min_prominence, distance=distance)
    between = Windows.of(peaks[:-1], peaks[1:])  # the first lowest sample between two peaks
    valleys = between.frame[between.first_argmin(filled[between.frame],
                                                 np.ones(len(between.frame), dtype=bool))]
    bounds = np.concatenate([[0], valleys, [len(x)]]).astype(np.intp)
    return peaks.astype(np.intp), bounds
