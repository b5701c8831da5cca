"""Conditioning: each step on signals whose right answer is known analytically."""

import numpy as np
import pytest

from screen.conditioning.signal import Conditioning, condition, fill_gaps, gate, lowpass, reject_outliers


def test_gate_blanks_low_visibility():
    x = np.ones((3, 2, 2))
    vis = np.array([[1.0, 0.2], [0.6, 0.5], [0.0, 1.0]])
    out = gate(x, vis, min_visibility=0.5)
    assert np.isnan(out[0, 1]).all() and np.isnan(out[2, 0]).all()
    assert np.isfinite(out[1]).all()


def test_lowpass_keeps_slow_movement_without_lag():
    t = np.arange(300) / 30
    slow = 10 * np.sin(2 * np.pi * 0.5 * t)
    out = lowpass(slow[:, None], t, cutoff_hz=6.0)[:, 0]
    # a 0.5 Hz sinusoid is far below 6 Hz: zero-phase filtering leaves it within 0.05 (0.5%)
    np.testing.assert_allclose(out[30:-30], slow[30:-30], atol=0.05)


def test_lowpass_removes_fast_jitter():
    t = np.arange(300) / 30
    jitter = np.where(np.arange(300) % 2, 1.0, -1.0)  # 15 Hz, the Nyquist rate
    assert np.abs(lowpass(jitter, t, cutoff_hz=6.0)[30:-30]).max() < 0.05


def test_lowpass_handles_nonuniform_timestamps():
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.uniform(0.025, 0.042, 300))  # variable frame rate ≈ 30 fps
    slow = np.sin(2 * np.pi * 0.5 * t)
    np.testing.assert_allclose(lowpass(slow, t)[30:-30], slow[30:-30], atol=0.01)


@pytest.mark.parametrize("seed", range(10))
def test_lowpass_on_a_30fps_clip_with_dropped_frames(seed):
    """Timestamps of a 30 fps clip with frames dropped (as the live view's trials have): the
    resampling grid must stay inside [t0, t_end] — rounding once put its last point 1e-13 s
    beyond, which interp1d refused — and a slow movement passes unchanged."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.choice(np.arange(220) / 30, size=122, replace=False))
    slow = np.sin(2 * np.pi * 0.5 * t)
    np.testing.assert_allclose(lowpass(slow, t)[10:-10], slow[10:-10], atol=0.02)


def test_lowpass_keeps_nan_positions():
    t = np.arange(100) / 30
    x = np.sin(t)
    x[40:60] = np.nan
    out = lowpass(x, t)
    assert np.isnan(out[40:60]).all() and np.isfinite(out[:40]).all()


def test_fill_gaps_bridges_short_gaps_only():
    t = np.arange(30) / 30  # 33.3 ms frames
    x = t * 3.0
    x[5:7] = np.nan  # span 3 frames = 0.1 s: filled
    x[15:25] = np.nan  # span 11 frames = 0.37 s: kept missing
    out = fill_gaps(x, t, max_gap_s=0.25)
    np.testing.assert_allclose(out[5:7], t[5:7] * 3.0)
    assert np.isnan(out[15:25]).all()


def test_fill_gaps_never_extrapolates_at_edges():
    t = np.arange(10) / 30
    x = np.r_[np.nan, np.arange(9.0)]
    assert np.isnan(fill_gaps(x, t)[0])


def test_reject_outliers_removes_a_spike_and_little_else():
    t = np.arange(600) / 30
    x = np.sin(t) + np.random.default_rng(1).normal(0, 0.01, 600)  # 1 rad/s movement + jitter
    x[300] += 0.5  # a 50-sigma jump, like a landmark snapping to the other leg
    out = reject_outliers(x, t, min_scale=0.01)
    assert np.isnan(out[300])
    assert np.isnan(np.delete(out, 300)).mean() < 0.01  # false rejections are rare (and refilled)


def test_condition_chain_recovers_a_known_movement():
    """A 0.5 Hz movement of A = 100 px on every landmark (T, 33, 2), with, per step of the
    chain, a defect whose right answer is known:
    * ±1-px 15-Hz jitter everywhere: removed by the 6-Hz low-pass, so away from the repairs the
      output is the clean movement within 0.2 px;
    * a 60-px spike on one sample (> the 12-px outlier floor): rejected and refilled, then
      within 1 px (the jitter at its neighbours) + the chord error A·ω²·h²/8 of a linear fill
      over h = 2 frames;
    * a 3-frame low-visibility gap (0.1 s ≤ 0.25 s): bridged, within 1 px + A·ω²·h²/8 with
      h = 4 frames;
    * a 15-frame one (0.5 s > 0.25 s): stays NaN; its edges within 1 px (the filter restarts).
    The clip's first and last 0.3 s (filter start-up) are left out."""
    t = np.arange(300) / 30
    amp, w = 100.0, 2 * np.pi * 0.5
    clean = np.broadcast_to((amp * np.sin(w * t))[:, None, None], (300, 33, 2)).copy()
    x = clean + np.where(np.arange(300) % 2, 1.0, -1.0)[:, None, None]
    x[150, 5, 0] += 60.0
    vis = np.ones((300, 33))
    vis[100:103, 7] = 0.1
    vis[200:215, 9] = 0.1
    out = condition(x, vis, t, Conditioning())
    assert out.shape == x.shape
    assert np.isnan(out[200:215, 9]).all() and np.isfinite(out[200:215, 8]).all()
    err = np.abs(out - clean)
    near = np.zeros((300, 33), dtype=bool)
    chord = {5: 2 / 30, 7: 4 / 30}
    for lm, (a, b) in ((5, (150, 151)), (7, (100, 103)), (9, (200, 215))):
        near[a - 9:b + 9, lm] = True
        bound = 1.0 + amp * w ** 2 * chord.get(lm, 0.0) ** 2 / 8
        e = err[a - 9:b + 9, lm]
        assert np.nanmax(e) <= bound, (lm, np.nanmax(e), bound)
    inner = np.zeros(300, dtype=bool)
    inner[9:-9] = True
    assert err[inner[:, None] & ~near].max() <= 0.2


@pytest.mark.parametrize("n", [1, 2, 5])
def test_lowpass_short_recordings_pass_through(n):
    t = np.arange(n) / 30
    np.testing.assert_array_equal(lowpass(np.arange(n, dtype=float), t), np.arange(n))


@pytest.mark.parametrize(("n", "window"), [(1, 3), (2, 5), (1030, 15), (2500, 31)])
def test_rolling_median_equals_scipys_median_filter(n, window):
    """Expected values from an independent implementation: scipy.ndimage.median_filter with
    edge replication (what the Hampel step used before); blocks of 1024 frames are crossed."""
    from scipy.ndimage import median_filter

    from screen.conditioning.signal import rolling_median

    x = np.random.default_rng(n).normal(size=(n, 4)).round(1)  # rounded: ties occur
    assert np.array_equal(rolling_median(x, window), median_filter(x, size=(window, 1), mode="nearest"))


@pytest.mark.parametrize(("share", "network"), [(1, 16), (2, 0), (4, 16), (4, 40), (7, 16)])
def test_rolling_nanmedian_equals_pandas(monkeypatch, share, network):
    """Expected values from an independent implementation: pandas' centred rolling median of the
    finite samples (NaN, ±∞ and ties; windows sharing one sort, screen/speed.py MEDIAN_SHARE,
    sorted by a network or np.sort, NETWORK_UP_TO)."""
    import pandas as pd

    from screen.conditioning import signal

    monkeypatch.setattr(signal, "MEDIAN_SHARE", share)
    monkeypatch.setattr(signal, "NETWORK_UP_TO", network)
    rng = np.random.default_rng(share)
    for _ in range(200):
        n, window, c = int(rng.integers(1, 90)), int(rng.integers(1, 35)), int(rng.integers(1, 4))
        x = np.round(rng.normal(0, 1, (n, c)), int(rng.integers(0, 3)))
        x[rng.random((n, c)) < rng.random() * 0.6] = np.nan
        x[rng.random((n, c)) < 0.02] = np.inf
        expected = pd.DataFrame(np.where(np.isfinite(x), x, np.nan)).rolling(
            window, center=True, min_periods=1).median().to_numpy()
        np.testing.assert_array_equal(signal.rolling_nanmedian(x, window), expected)


def test_rolling_nanmedian_above_is_the_median_compared():
    """Counting (and sorting only the windows whose middle samples straddle the threshold) gives
    the same booleans as comparing the rolling median — also for ``<`` through negation."""
    from screen.conditioning.signal import rolling_nanmedian, rolling_nanmedian_above

    rng = np.random.default_rng(1)
    for _ in range(500):
        n, window = int(rng.integers(1, 80)), int(rng.integers(1, 35))
        x = np.round(rng.normal(0, 1, n), int(rng.integers(0, 3)))  # ties, and the threshold hit
        x[rng.random(n) < rng.random() * 0.6] = np.nan
        x[rng.random(n) < 0.02] = np.inf
        thr = float(np.round(rng.normal(0, 0.5), 1))
        median = rolling_nanmedian(x, window)
        with np.errstate(invalid="ignore"):
            assert np.array_equal(rolling_nanmedian_above(x, window, thr), median > thr)
            assert np.array_equal(rolling_nanmedian_above(-x, window, -thr), median < thr)
