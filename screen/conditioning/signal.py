"""Signal conditioning of landmark trajectories, vectorised over frames and channels.

Every function takes ``x`` shaped (T, ...) with time on axis 0 and timestamps ``t`` (T,) in
seconds (strictly increasing, not necessarily uniform), and returns a new array of the same
shape. Missing samples are NaN. The order used by :func:`condition` is

1. visibility gating: samples the model itself doubts become NaN;
2. outlier rejection: a Hampel filter (rolling median ± k·MAD over a time window);
3. bounded gap filling: linear interpolation in time across gaps no longer than ``max_gap_s``
   (longer gaps stay NaN: a measure is never invented across them);
4. zero-lag low-pass: 2nd-order Butterworth run forward and backward (``sosfiltfilt``), default
   cut-off 6 Hz — the usual choice for human movement captured at 25–60 fps (Winter,
   *Biomechanics and Motor Control of Human Movement*), well above the < 2 Hz content of the
   screening movements and below the frame-to-frame landmark jitter.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.interpolate import interp1d
from scipy.signal import butter, sosfiltfilt

F = NDArray[np.float64]


@dataclass(frozen=True)
class Conditioning:
    """Settings of :func:`condition`; the defaults are the documented ones."""

    min_visibility: float = 0.5
    outlier_window_s: float = 0.5
    outlier_sigmas: float = 6.0
    outlier_min_px: float = 2.0  # floor of the jitter scale: a jump must exceed 6 × 2 = 12 px
    max_gap_s: float = 0.25
    cutoff_hz: float = 6.0
    order: int = 2


def _as_2d(x: NDArray, /) -> tuple[F, tuple[int, ...]]:
    x = np.asarray(x, dtype=float)
    return x.reshape(len(x), -1), x.shape


def gate(x: NDArray, visibility: NDArray, /, *, min_visibility: float = 0.5) -> F:
    """NaN where ``visibility`` (T, L) is below ``min_visibility``; ``x`` is (T, L, C)."""
    out = np.array(x, dtype=float)
    out[~(np.asarray(visibility) >= min_visibility)] = np.nan
    return out


def sample_rate(t: NDArray, /) -> float:
    """Median sampling rate (Hz) of timestamps ``t`` in seconds."""
    dt = np.diff(np.asarray(t, dtype=float))
    return float(1.0 / np.median(dt)) if len(dt) else float("nan")


def _window(t: NDArray, seconds: float) -> int:
    n = int(round(seconds * sample_rate(t)))
    return max(3, n | 1)  # odd, at least 3


MEDIAN_BLOCK = 1024  # frames per block of the rolling median (bounds its scratch memory, ~3 MB)


def rolling_median(x: NDArray, /, window: int) -> F:
    """Centred rolling median over axis 0 of ``x`` (T, C) with an odd ``window``, the ends
    padded with the first and last rows (``scipy.ndimage.median_filter(mode="nearest")``'s
    result, exactly: the same order statistic). Runs as a partial sort (``np.partition``) of
    each window, in blocks of :data:`MEDIAN_BLOCK` frames over contiguous channels: ≈ 7× faster
    than ndimage's rank filter on (108000, 24)."""
    x = np.asarray(x, dtype=float)
    h = window // 2
    padded = np.ascontiguousarray(np.concatenate([np.repeat(x[:1], h, 0), x,
                                                  np.repeat(x[-1:], h, 0)]).T)  # (C, T + 2h)
    out = np.empty((x.shape[1], len(x)))
    for s in range(0, len(x), MEDIAN_BLOCK):  # blocks of frames; each block vectorised
        windows = np.lib.stride_tricks.sliding_window_view(padded[:, s:s + MEDIAN_BLOCK + 2 * h],
                                                           window, axis=1)
        out[:, s:s + MEDIAN_BLOCK] = np.partition(windows, h, axis=-1)[..., h]
    return out.T


def reject_outliers(x: NDArray, t: NDArray, /, *, window_s: float = 0.5, n_sigmas: float = 6.0,
                    min_scale: float = 0.0) -> F:
    """Hampel-type filter: NaN where a sample lies more than ``n_sigmas`` robust standard
    deviations from the centred rolling median over ``window_s`` seconds. The deviation scale is
    1.4826 × the median absolute residual of the channel over the whole recording, so it
    measures the jitter around the local trend, not the movement itself. Over a monotone
    stretch the rolling median *is* the sample, the residuals vanish and so would the scale:
    ``min_scale`` (in the units of ``x``, e.g. the landmark jitter in pixels) is its floor."""
    x2, shape = _as_2d(x)
    w = _window(t, window_s)
    missing = ~np.isfinite(x2)
    if not x2.size:
        return x2.reshape(shape).copy()
    # Medians run on data whose NaNs are bridged by the nearest sample; missing samples stay
    # missing and are never judged.
    bridged = pd.DataFrame(x2).ffill().bfill().fillna(0.0).to_numpy()
    resid = np.abs(bridged - rolling_median(bridged, w))
    with warnings.catch_warnings():  # an all-missing channel has no scale: nothing to judge
        warnings.simplefilter("ignore", RuntimeWarning)
        jitter = np.nanmedian(np.where(missing, np.nan, resid), axis=0)
    scale = np.maximum(1.4826 * np.nan_to_num(jitter), min_scale)
    bad = (resid > n_sigmas * np.where(scale > 0, scale, np.inf)) & ~missing
    out = x2.copy()
    out[bad] = np.nan
    return out.reshape(shape)


def fill_gaps(x: NDArray, t: NDArray, /, *, max_gap_s: float = 0.25) -> F:
    """Linear interpolation in time across interior NaN runs whose span (last valid sample
    before to first valid sample after) is at most ``max_gap_s`` seconds."""
    x2, shape = _as_2d(x)
    t = np.asarray(t, dtype=float)
    df = pd.DataFrame(x2, index=pd.Index(t))
    valid_t = pd.DataFrame(np.where(np.isfinite(x2), t[:, None], np.nan), index=df.index)
    span = (valid_t.bfill() - valid_t.ffill()).to_numpy()
    filled = df.interpolate(method="index", limit_area="inside").to_numpy()
    out = np.where(np.isfinite(x2) | ~(span <= max_gap_s + 1e-9), x2, filled)
    return out.reshape(shape)


def lowpass(x: NDArray, t: NDArray, /, *, cutoff_hz: float = 6.0, order: int = 2) -> F:
    """Zero-lag Butterworth low-pass over time.

    Non-uniform timestamps are handled by resampling onto a uniform grid at the median rate,
    filtering, and interpolating back. NaN samples are bridged for the filter only and are NaN
    again in the output. The cut-off is capped at 0.4× the sampling rate. Channels with fewer
    than two valid samples, or recordings too short to pad, are returned unfiltered.
    """
    x2, shape = _as_2d(x)
    t = np.asarray(t, dtype=float)
    missing = ~np.isfinite(x2)
    fs = sample_rate(t)
    ok = np.sum(~missing, axis=0) >= 2
    if len(t) < 4 * (order + 1) or not np.any(ok):
        return x2.reshape(shape).copy()
    bridged = pd.DataFrame(x2[:, ok], index=pd.Index(t)).interpolate(
        method="index", limit_direction="both").to_numpy()
    # The grid never passes t[-1] (rounding could put its last point a hair beyond it, outside
    # the range interp1d may interpolate in).
    grid = np.minimum(t[0] + np.arange(int(np.floor((t[-1] - t[0]) * fs + 1e-6)) + 1) / fs, t[-1])
    uniform = len(grid) == len(t) and np.allclose(grid, t, atol=0.01 / fs)
    y = bridged if uniform else interp1d(t, bridged, axis=0, assume_sorted=True)(grid)
    sos = butter(order, min(cutoff_hz, 0.4 * fs), fs=fs, output="sos")
    y = sosfiltfilt(sos, y, axis=0, padlen=min(3 * (2 * len(sos) + 1), len(y) - 1))
    if not uniform:
        y = interp1d(grid, y, axis=0, assume_sorted=True, fill_value="extrapolate")(t)
    out = x2.copy()
    out[:, ok] = y
    out[missing] = np.nan
    return out.reshape(shape)


def condition(x: NDArray, visibility: NDArray, t: NDArray, /, settings: Conditioning) -> F:
    """The full chain (gate → outliers → gaps → low-pass) on points ``x`` (T, L, C) with
    per-landmark ``visibility`` (T, L). Returns conditioned points, NaN where unsupported."""
    y = gate(x, visibility, min_visibility=settings.min_visibility)
    y = reject_outliers(y, t, window_s=settings.outlier_window_s, n_sigmas=settings.outlier_sigmas,
                        min_scale=settings.outlier_min_px)
    y = fill_gaps(y, t, max_gap_s=settings.max_gap_s)
    return lowpass(y, t, cutoff_hz=settings.cutoff_hz, order=settings.order)
