"""Reductions over many windows at once give numpy's values window by window, bit for bit."""

import numpy as np
import pytest

from screen.kinematics.windows import Windows


def _random(seed: int, n_frames: int = 400, n_windows: int = 60):
    rng = np.random.default_rng(seed)
    start = rng.integers(0, n_frames - 1, n_windows)
    end = np.minimum(start + rng.integers(0, 40, n_windows), n_frames)
    x = rng.normal(0, 1, n_frames) * 10.0 ** rng.uniform(-3, 3, n_frames)
    x[rng.random(n_frames) < 0.1] = np.nan
    x[rng.random(n_frames) < 0.05] = 0.0
    x[rng.random(n_frames) < 0.05] = -0.0
    x[rng.random(n_frames) < 0.05] = x[0]  # ties
    return rng, start, end, x


@pytest.mark.parametrize("seed", range(20))
def test_reductions_match_numpy_window_by_window(seed):
    rng, start, end, x = _random(seed)
    w = Windows.of(start, end)
    v = x[w.frame]
    sel = (rng.random(len(v)) < 0.7) & np.isfinite(v)
    for i, (a, b) in enumerate(zip(start, end, strict=True)):
        assert np.array_equal(w.frame[w.offset[i]:w.offset[i + 1]], np.arange(a, max(a, b)))
    mean, median = w.mean(v, sel), w.median(v, sel)
    lo, hi, arg = w.min(v, sel), w.max(v, sel), w.first_argmax(v, sel)
    argmin = w.first_argmin(v, sel)
    for i in range(w.n):
        part, s = v[w.offset[i]:w.offset[i + 1]], sel[w.offset[i]:w.offset[i + 1]]
        if not s.any():
            assert np.isnan(mean[i]) and np.isnan(median[i]) and np.isnan(lo[i]) and np.isnan(hi[i])
            assert arg[i] == argmin[i] == len(v)
            continue
        assert np.array_equal(mean[i], np.mean(part[s]))
        assert np.signbit(mean[i]) == np.signbit(np.mean(part[s]))
        assert np.array_equal(median[i], np.median(part[s]))
        assert np.signbit(median[i]) == np.signbit(np.median(part[s]))
        assert lo[i] == np.nanmin(part[s]) and hi[i] == np.nanmax(part[s])
        assert arg[i] - w.offset[i] == np.flatnonzero(s)[np.argmax(part[s])]
        assert argmin[i] - w.offset[i] == np.flatnonzero(s)[np.argmin(part[s])]
    assert np.array_equal(w.any(sel), [sel[w.group == i].any() for i in range(w.n)])


@pytest.mark.parametrize("seed", range(5))
def test_at_finds_a_frame_in_its_window(seed):
    _, start, end, _ = _random(seed)
    start, end = start[end > start], end[end > start]
    w = Windows.of(start, end)
    inside = start + (end - start) // 2
    assert np.array_equal(w.frame[w.at(inside)], inside)
    assert np.array_equal(w.group[w.at(inside)], np.arange(w.n))


def test_no_windows():
    w = Windows.of([], [])
    assert w.n == 0 and len(w.frame) == 0
    assert w.mean(np.zeros(0), np.zeros(0, bool)).shape == (0,)
    assert w.median(np.zeros(0), np.zeros(0, bool)).shape == (0,)


def test_quadratic_max_exact_on_parabolas_and_matches_polyfit_on_noise():
    """Ground truth by construction: a parabola's highest point is read exactly (vertex on a
    frame, and between frames: the highest fitted value at the frames); on noisy data the fit
    equals ``np.polyfit`` window by window; fewer than ``min_count`` frames give their mean."""
    t = np.arange(300) / 30.0
    start, end = np.array([0, 40, 100, 200, 250]), np.array([30, 100, 160, 230, 253])
    w = Windows.of(start, end)
    apex = np.array([0.5, 2.0, 4.3 + 1 / 60, 7.2, 8.35])  # s; window 2: between two frames
    height = np.array([20.0, -3.0, 31.0, 12.0, 7.0])
    y = height[w.group] - 8.0 * (t[w.frame] - apex[w.group]) ** 2
    sel = np.ones(len(y), bool)
    got = w.quadratic_max(t[w.frame], y, sel)
    tf = t[w.frame]
    want = [y[w.group == i].max() for i in range(w.n)]  # the parabola at its best frame
    assert got[:4] == pytest.approx(want[:4], abs=1e-9)
    assert got[1] == pytest.approx(-3.0, abs=1e-9)  # vertex on a frame: exact height
    assert got[4] == pytest.approx(np.mean(y[w.group == 4]), abs=1e-12)  # 3 frames < 5: mean
    rng = np.random.default_rng(3)
    noisy = y + rng.normal(0, 1, len(y))
    got = w.quadratic_max(tf, noisy, sel)
    for i in range(4):
        k = w.group == i
        c = np.polyfit(tf[k] - apex[i], noisy[k], 2)
        assert got[i] == pytest.approx(min(np.polyval(c, tf[k] - apex[i]).max(), noisy[k].max()),
                                       abs=1e-9)
    assert np.isnan(w.quadratic_max(tf, noisy, np.zeros(len(y), bool))).all()
    # a held plateau with a quick release: the parabola bulges above it, the value does not
    tt = np.arange(31) / 30.0  # ± 0.5 s: held at 10° for 0.7 s, then released at 40°/s
    plateau = np.minimum(10.0, 10.0 - 40.0 * (tt - 0.7))
    c = np.polyfit(tt, plateau, 2)
    assert np.polyval(c, tt).max() > 10.3  # the bulge the clip guards against
    one = Windows.of([0], [31])
    assert one.quadratic_max(tt, plateau, np.ones(31, bool))[0] == 10.0
    late = w.quadratic_max(tf + 3600.0, noisy, sel)  # an hour into a recording: same fit
    assert late[:4] == pytest.approx(got[:4], abs=1e-6)
