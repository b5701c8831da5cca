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

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from screen.speed import MEDIAN_BLOCK, MEDIAN_SHARE, NETWORK_UP_TO, PASS_BLOCK

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


def ffill(x: NDArray, /) -> F:
    """``x`` (T, C) with every NaN replaced by the last earlier non-NaN value of its column
    (leading NaNs stay): pandas' ``DataFrame.ffill``, vectorised over frames."""
    x = np.asarray(x, dtype=float)
    last = np.maximum.accumulate(np.where(np.isnan(x), 0, np.arange(len(x))[:, None]), axis=0)
    return np.take_along_axis(x, last, axis=0)


def bfill(x: NDArray, /) -> F:
    """``x`` (T, C) with every NaN replaced by the next later non-NaN value (trailing NaNs stay)."""
    return ffill(np.asarray(x)[::-1])[::-1]


def interpolate(x: NDArray, at: NDArray, /, *, inside_only: bool) -> F:
    """``x`` (T, C) with NaNs filled linearly in ``at`` (T,) (increasing: times, or frame
    numbers) from the non-NaN samples of their column — pandas' ``interpolate`` (method
    ``index``), which calls ``np.interp`` the same way. ``inside_only``: NaNs before the first or
    after the last non-NaN sample stay (``limit_area="inside"``); else they take the nearest
    value (``limit_direction="both"``). Loops over columns, not frames."""
    return _interpolate(np.array(x, dtype=float), at, inside_only)


def _interpolate(out: F, at: NDArray, inside_only: bool) -> F:
    """:func:`interpolate` of ``out`` (T, C), filled in place (and returned)."""
    at = np.asarray(at, dtype=float)
    for c in range(out.shape[1]):
        col = out[:, c]
        missing = np.isnan(col)
        if missing.all() or not missing.any():
            continue
        valid = np.flatnonzero(~missing)
        if inside_only:
            missing[:valid[0]] = missing[valid[-1]:] = False
        col[missing] = np.interp(at[missing], at[valid], col[valid])
    return out


def rolling_nanmedian(x: NDArray, /, window: int) -> F:
    """Centred rolling median over axis 0 of ``x`` (T, C) (or (T,)) in ``window`` frames (the
    frame itself, ``(window − 1) // 2`` after it and the rest before it), of the finite samples
    only, NaN where there is none; windows are cut short at the ends — pandas'
    ``rolling(window, center=True, min_periods=1).median()``, the same values (the middle
    sample, or the mean of the two middle ones). The finite samples of each window are counted
    from a running sum; the middle samples of the windows with no NaN are found by
    :func:`_window_ranks` (NaN taken as +∞, which sorts where numpy's sort puts NaN: last), and
    only the windows holding a NaN (the ends, gaps) are sorted, for their own middle ranks."""
    x = np.asarray(x, dtype=float)
    x2 = x.reshape(len(x), -1)
    n, after = len(x), (window - 1) // 2
    padded = np.full((n + window - 1 + _SHARE_PAD * window, x2.shape[1]), np.inf)
    padded[window - 1 - after:window - 1 - after + n] = np.where(np.isfinite(x2), x2, np.inf)
    seen = np.zeros((n + window, x2.shape[1]), dtype=np.int32)  # running counts (< 2³¹ frames)
    np.cumsum(np.isfinite(padded[:n + window - 1]), axis=0, dtype=np.int32, out=seen[1:])
    count = seen[window:] - seen[:-window]  # (T, C) finite samples in each frame's window
    lo, hi = _window_ranks(padded, window, ((window - 1) // 2, window // 2), n)
    short = count < window  # +∞ (NaN) in the window: its own middle ranks
    if short.any():
        rows, cols = np.nonzero(short)
        part = np.sort(np.lib.stride_tricks.sliding_window_view(padded, window, axis=0)[rows, cols],
                       axis=-1)
        ks = count[short][:, None]
        lo[short] = np.take_along_axis(part, np.maximum((ks - 1) // 2, 0), axis=-1)[:, 0]
        hi[short] = np.take_along_axis(part, np.maximum(ks // 2, 0), axis=-1)[:, 0]
        lo[count == 0] = np.nan  # no finite sample: NaN (not +∞)
    median = lo + hi
    median /= 2  # (lo + hi) / 2, the mean of the two middle samples, in place
    np.copyto(median, lo, where=count % 2 == 1)  # ... or the middle one
    return median.reshape(x.shape)


_SHARE_PAD = 1  # windows of padding past the end: room for the last group of :func:`_window_ranks`


def _window_ranks(padded: NDArray, window: int, ranks: tuple[int, ...], n: int) -> list[F]:
    """Per rank r of ``ranks``, (n, C): the r-th smallest sample (0: the smallest) of each window
    ``padded[i:i + window]`` (i < n) of ``padded`` (at least n + window − 1 + window frames, C
    channels; no NaN, ±∞ allowed). Each value is one of the window's samples, selected, never
    computed (the same bits as sorting each window and reading rank r; only a zero may come out
    with the other sign when −0 and +0 tie at that rank).

    The B = :data:`screen.speed.MEDIAN_SHARE` windows starting at frames g·B … g·B + B − 1
    have a core in common, the window − B + 1 frames from g·B + B − 1, sorted once for all B
    (by :func:`_network_sorted` when at most :data:`screen.speed.NETWORK_UP_TO` frames long, else
    by ``np.sort``); each window adds B − 1 samples of its own (before and after the core),
    sorted by :func:`_network_sorted`.
    The r-th smallest of the union of two sorted lists S (core) and E (own samples) is
    min over i + j = r + 1 of max(S[i − 1], E[j − 1]) (an empty prefix counting as −∞). Blocks
    of about :data:`screen.speed.MEDIAN_BLOCK` samples (frames × channels) bound the scratch."""
    share = max(1, min(MEDIAN_SHARE, window))
    core, own = window - share + 1, share - 1
    out = [np.empty((n, padded.shape[1])) for _ in ranks]
    step = max(1, MEDIAN_BLOCK // max(1, padded.shape[1]) // share) * share
    for s in range(0, n, step):
        e = min(n, s + step)
        groups = -(-(e - s) // share)
        part = padded[s:s + groups * share + window - 1]
        # cores[i] (groups, C): the i-th smallest sample of each group's core
        if core <= NETWORK_UP_TO:
            cores = _network_sorted([part[share - 1 + i:share - 1 + i + groups * share:share]
                                     for i in range(core)])
        else:
            ordered = np.sort(np.lib.stride_tricks.sliding_window_view(part[share - 1:], core, axis=0)
                              [::share][:groups], axis=-1)  # (groups, C, core)
            cores = [ordered[..., i] for i in range(core)]
        for q in range(min(share, e - s)):  # the windows starting q frames into each group
            m = len(range(s + q, e, share))
            mine = _network_sorted([part[j:j + m * share:share] for j in range(q, own)]
                                   + [part[window + j:window + j + m * share:share] for j in range(q)])
            for o, r in zip(out, ranks, strict=True):
                best = None
                for j in range(max(0, r + 1 - core), min(own, r + 1) + 1):
                    i = r + 1 - j  # i from the core, j of its own
                    term = (cores[i - 1][:m] if j == 0 else mine[j - 1] if i == 0
                            else np.maximum(cores[i - 1][:m], mine[j - 1]))
                    best = term if best is None else np.minimum(best, term)
                o[s + q:e:share] = best
    return out


def _network_sorted(rows: list[NDArray]) -> list[NDArray]:
    """``rows`` (equal shapes, no NaN) sorted elementwise: place i holds the i-th smallest of
    the rows' values at each element (each a value of the rows, selected by ``np.minimum`` and
    ``np.maximum``: vectorised over the elements, one step per comparator of
    :func:`_comparators`)."""
    rows = list(rows)
    for i, j in _comparators(len(rows)):
        rows[i], rows[j] = np.minimum(rows[i], rows[j]), np.maximum(rows[i], rows[j])
    return rows


@functools.cache
def _comparators(n: int) -> tuple[tuple[int, int], ...]:
    """Batcher's odd–even merge sorting network for ``n`` places: pairs (i, j), i < j, each
    putting the smaller of its two values at i (≈ n·log²n / 4 pairs: 9 for 5 places, 42 for
    12) — the network for the next power of two without the pairs that reach a place ≥ n
    (their other value would be +∞: they change nothing)."""
    size = 1 << max(0, n - 1).bit_length()
    pairs = []
    p = 1
    while p < size:
        k = p
        while k >= 1:
            for j in range(k % p, size - k, 2 * k):
                for i in range(min(k, size - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p) and i + j + k < n:
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return tuple(pairs)


def rolling_nanmedian_above(x: NDArray, /, window: int, threshold: float) -> NDArray[np.bool_]:
    """(T,) ``rolling_nanmedian(x, window) > threshold`` for ``x`` (T,), the same booleans (NaN
    medians: False), without sorting every window: the finite samples of each window and those
    above ``threshold`` are counted from running sums. With k finite samples of which a lie
    above, the median's middle sample(s) — ranks (k − 1) // 2 and k // 2 of the sorted window —
    lie above exactly when fewer than rank + 1 samples are at or below it; only the windows
    whose two middle samples (k even) lie either side of ``threshold`` need their values, and
    only those are sorted (their mean is the median, computed as :func:`rolling_nanmedian`
    does)."""
    x = np.asarray(x, dtype=float)
    after = (window - 1) // 2
    padded = np.full(len(x) + window - 1, np.nan)
    padded[window - 1 - after:window - 1 - after + len(x)] = np.where(np.isfinite(x), x, np.nan)
    finite = np.isfinite(padded)
    with np.errstate(invalid="ignore"):
        above = padded > threshold  # False at NaN
    k = _window_sums(finite, window)
    a = _window_sums(above, window)
    at_or_below = k - a
    out = at_or_below <= (k - 1) // 2  # the lower middle sample lies above
    out &= k > 0
    straddle = np.flatnonzero((k % 2 == 0) & (k > 0) & (at_or_below == k // 2))
    if len(straddle):
        w = np.sort(np.lib.stride_tricks.sliding_window_view(padded, window)[straddle], axis=-1)
        ks = k[straddle][:, None]
        lo = np.take_along_axis(w, (ks - 1) // 2, axis=-1)[:, 0]
        hi = np.take_along_axis(w, ks // 2, axis=-1)[:, 0]
        out[straddle] = (lo + hi) / 2 > threshold
    return out


def _window_sums(flags: NDArray[np.bool_], window: int) -> NDArray[np.intp]:
    """(len(flags) − window + 1,) number of True in each run of ``window`` consecutive flags."""
    seen = np.concatenate([[0], np.cumsum(flags, dtype=np.intp)])
    return seen[window:] - seen[:-window]


def rolling_median(x: NDArray, /, window: int) -> F:
    """Centred rolling median over axis 0 of ``x`` (T, C) with an odd ``window``, the ends
    padded with the first and last rows (``scipy.ndimage.median_filter(mode="nearest")``'s
    result, exactly: the same order statistic). ``x`` has no NaN (a NaN has no rank here: the
    Hampel step bridges them first). The middle sample of each window is selected by
    :func:`_window_ranks` (windows that overlap share one sort): ≈ 2× faster than a partial sort
    (``np.partition``) of every window, ≈ 15× faster than ndimage's rank filter on (108000, 28)."""
    x = np.asarray(x, dtype=float)
    h = window // 2
    padded = np.concatenate([np.repeat(x[:1], h, 0), x,
                             np.repeat(x[-1:], h + _SHARE_PAD * window, 0)])
    return _window_ranks(padded, window, (h,), len(x))[0]


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
    # missing and are never judged. Only channels with a NaN need bridging (and a copy).
    bridged = x2
    gaps = np.isnan(x2).any(axis=0)
    if gaps.any():
        bridged = x2.copy()
        bridged[:, gaps] = bfill(ffill(x2[:, gaps]))
        bridged[np.isnan(bridged)] = 0.0
    resid = rolling_median(bridged, w)
    np.subtract(bridged, resid, out=resid)
    np.abs(resid, out=resid)  # |x − rolling median|, in place
    # an all-missing channel has no scale: nothing to judge (and no warning: the filters of
    # ``warnings`` are shared by every thread, so they are not changed here); a channel with
    # nothing missing takes np.median directly (what np.nanmedian runs on each such column)
    jitter = np.full(x2.shape[1], np.nan)
    seen = ~missing.any(axis=0)
    if seen.any():  # each channel's samples contiguous for np.median's partition (≈ 20% faster)
        jitter[seen] = np.median(_channels_first(resid if seen.all() else resid[:, seen]), axis=1)
    some = ~missing.all(axis=0) & ~seen
    if some.any():
        jitter[some] = np.nanmedian(np.where(missing[:, some], np.nan, resid[:, some]), axis=0)
    scale = np.maximum(1.4826 * np.nan_to_num(jitter), min_scale)
    bad = (resid > n_sigmas * np.where(scale > 0, scale, np.inf)) & ~missing
    return np.where(bad, np.nan, x2).reshape(shape)


def fill_gaps(x: NDArray, t: NDArray, /, *, max_gap_s: float = 0.25) -> F:
    """Linear interpolation in time across interior NaN runs whose span (last valid sample
    before to first valid sample after) is at most ``max_gap_s`` seconds."""
    x2, shape = _as_2d(x)
    return _fill_gaps(x2.copy(), t, max_gap_s).reshape(shape)


def _fill_gaps(x2: F, t: NDArray, max_gap_s: float) -> F:
    """:func:`fill_gaps` of ``x2`` (T, C), filled in place (and returned). Loops over the
    channels with a gap (not frames): per channel the times of the finite samples before and
    after each sample (running index maxima), and ``np.interp`` from the non-NaN samples at the
    NaN samples whose span is short enough (pandas' ``interpolate``, as :func:`interpolate`)."""
    t = np.asarray(t, dtype=float)
    n = len(x2)
    at = np.arange(n)
    for c in np.flatnonzero(~np.isfinite(x2).all(axis=0)):  # only channels with a gap change
        col = x2[:, c]
        finite = np.isfinite(col)
        before = np.maximum.accumulate(np.where(finite, at, -1))  # last finite sample up to here
        after = np.minimum.accumulate(np.where(finite, at, n)[::-1])[::-1]  # first from here
        nan = np.isnan(col)
        fill = np.flatnonzero(nan)  # the span of each NaN sample's gap: at those samples only
        fill = fill[(before[fill] >= 0) & (after[fill] < n)]
        fill = fill[t[after[fill]] - t[before[fill]] <= max_gap_s + 1e-9]
        if len(fill):
            valid = ~nan
            col[fill] = np.interp(t[fill], t[valid], col[valid])
    return x2


def _channels_first(x2: NDArray) -> F:
    """(C, T) float64 copy of ``x2`` (T, C), C-contiguous: transposed in blocks of
    :data:`screen.speed.PASS_BLOCK` frames (each block read while in the caches: ≈ 3× faster
    than one strided copy of (108000, 24))."""
    x2 = np.asarray(x2)
    out = np.empty(x2.shape[::-1])
    for s in range(0, len(x2), PASS_BLOCK):
        out[:, s:s + PASS_BLOCK] = x2[s:s + PASS_BLOCK].T
    return out


def lowpass(x: NDArray, t: NDArray, /, *, cutoff_hz: float = 6.0, order: int = 2) -> F:
    """Zero-lag Butterworth low-pass over time.

    Non-uniform timestamps are handled by resampling onto a uniform grid at the median rate,
    filtering, and interpolating back. NaN samples are bridged for the filter only and are NaN
    again in the output. The cut-off is capped at 0.4× the sampling rate. Channels with fewer
    than two valid samples, or recordings too short to pad, are returned unfiltered.
    """
    x2, shape = _as_2d(x)
    return np.ascontiguousarray(lowpass_channels(x2, t, cutoff_hz=cutoff_hz, order=order).T
                                ).reshape(shape)


def lowpass_channels(x2: NDArray, t: NDArray, /, *, cutoff_hz: float = 6.0, order: int = 2) -> F:
    """:func:`lowpass` of ``x2`` (T, C), returned channels first: (C, T), each channel's samples
    contiguous (what the filter runs on: no transposing copy back)."""
    # one copy with time on the contiguous axis: each channel is bridged and filtered in it (the
    # same numbers per channel as on any layout)
    rows = _channels_first(x2)
    t = np.asarray(t, dtype=float)
    missing = ~np.isfinite(rows)
    fs = sample_rate(t)
    ok = np.sum(~missing, axis=1) >= 2
    if len(t) < 4 * (order + 1) or not np.any(ok):
        return rows
    from scipy.interpolate import interp1d  # imported on first use: scipy.signal costs ~0.5 s
    from scipy.signal import butter, sosfiltfilt

    bridged = _interpolate((rows if ok.all() else rows[ok]).T, t, inside_only=False).T
    # The grid never passes t[-1] (rounding could put its last point a hair beyond it, outside
    # the range interp1d may interpolate in).
    grid = np.minimum(t[0] + np.arange(int(np.floor((t[-1] - t[0]) * fs + 1e-6)) + 1) / fs, t[-1])
    uniform = len(grid) == len(t) and np.allclose(grid, t, atol=0.01 / fs)
    y = bridged if uniform else interp1d(t, bridged, axis=-1, assume_sorted=True)(grid)
    sos = butter(order, min(cutoff_hz, 0.4 * fs), fs=fs, output="sos")
    y = sosfiltfilt(sos, y, axis=-1, padlen=min(3 * (2 * len(sos) + 1), y.shape[-1] - 1))
    if not uniform:
        y = interp1d(grid, y, axis=-1, assume_sorted=True, fill_value="extrapolate")(t)
    if ok.all():
        rows = y
    else:
        rows[ok] = y
    rows[missing] = np.nan
    return rows


def condition(x: NDArray, visibility: NDArray, t: NDArray, /, settings: Conditioning) -> F:
    """The full chain (gate → outliers → gaps → low-pass) on points ``x`` (T, L, C) with
    per-landmark ``visibility`` (T, L). Returns conditioned points, NaN where unsupported."""
    return lowpass(clean(x, visibility, t, settings), t, cutoff_hz=settings.cutoff_hz,
                   order=settings.order)


def clean(x: NDArray, visibility: NDArray, t: NDArray, /, settings: Conditioning) -> F:
    """The chain's first three steps (gate → outliers → gaps), no low-pass: (T, L, C) like
    ``x``. Every step works channel by channel (a channel's values never depend on another's), so
    cleaning more landmarks than needed and keeping some gives the same bits."""
    return clean_gated(gate(x, visibility, min_visibility=settings.min_visibility), t, settings)


def clean_gated(y: NDArray, t: NDArray, /, settings: Conditioning) -> F:
    """:func:`clean` of points ``y`` (T, L, C) already gated (steps 2–3: outliers → gaps)."""
    y = reject_outliers(y, t, window_s=settings.outlier_window_s, n_sigmas=settings.outlier_sigmas,
                        min_scale=settings.outlier_min_px)
    return _fill_gaps(y.reshape(len(y), -1), t, settings.max_gap_s).reshape(y.shape)


def before_lowpass(settings: Conditioning) -> tuple[float, ...]:
    """The settings of :func:`clean`'s steps (all but the low-pass's ``cutoff_hz`` and ``order``):
    two chains with the same ones clean a channel to the same bits."""
    return (settings.min_visibility, settings.outlier_window_s, settings.outlier_sigmas,
            settings.outlier_min_px, settings.max_gap_s)
