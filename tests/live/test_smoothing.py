"""One-Euro filter against closed forms of a first-order low-pass (exact ground truth)."""

from __future__ import annotations

import numpy as np
import pytest

from screen.live.smoothing import OneEuro, alpha

DT = 1 / 30


def run(f: OneEuro, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.stack([f(xi, ti) for xi, ti in zip(x, t, strict=True)])


def test_alpha_is_the_first_order_smoothing_factor():
    """alpha = 1 / (1 + 1/(2π fc dt)); at fc = 1 Hz, dt = 1/30 s: 2π / (2π + 30)."""
    assert alpha(1.0, DT) == pytest.approx(2 * np.pi / (2 * np.pi + 30))
    assert alpha(5.0, 0.1) == pytest.approx(1 / (1 + 1 / (2 * np.pi * 5 * 0.1)))


def test_step_response_with_beta_zero_is_exponential():
    """beta = 0 → a fixed low-pass: a unit step (after a first sample at 0) reaches exactly
    1 − (1 − a)^n after n more samples."""
    t = np.arange(31) * DT
    x = np.r_[0.0, np.ones(30)]
    y = run(OneEuro(min_cutoff_hz=1.0, beta=0.0), x, t)
    a = alpha(1.0, DT)
    np.testing.assert_allclose(y[1:], 1 - (1 - a) ** np.arange(1, 31), rtol=1e-12)


def test_constant_input_passes_unchanged():
    t = np.arange(50) * DT
    x = np.full((50, 33, 2), 123.25)
    np.testing.assert_array_equal(run(OneEuro(), x, t), x)


def _ramp_lag(v: float, beta: float, min_cutoff: float, dt: float) -> float:
    """Steady-state lag L on a ramp of speed v. A discrete first-order low-pass lags a ramp by
    exactly v·τ = v / (2π·fc) (since (1 − a)/a = τ/dt). The One-Euro speed estimate is taken
    against the previous *filtered* value (Casiez et al. 2012), so in steady state it reads
    v + L/dt and fc = min_cutoff + beta·(v + L/dt); L solves
    (2π·beta/dt)·L² + 2π·(min_cutoff + beta·v)·L − v = 0."""
    a, b = 2 * np.pi * beta / dt, 2 * np.pi * (min_cutoff + beta * v)
    return v / b if a == 0 else (-b + np.sqrt(b * b + 4 * a * v)) / (2 * a)


@pytest.mark.parametrize(("beta", "expected"), [(0.0, 47.75), (0.02, 4.825)])
def test_ramp_lag_shrinks_with_speed(beta, expected):
    """Ramp of v = 300 px/s at 30 fps, min cut-off 1 Hz: lag 300/(2π) = 47.7 px without speed
    adaptation, 4.8 px with beta = 0.02/px (closed form in :func:`_ramp_lag`)."""
    v = 300.0
    t = np.arange(600) * DT
    y = run(OneEuro(min_cutoff_hz=1.0, beta=beta, d_cutoff_hz=1.0), v * t, t)
    lag = v * t[-1] - y[-1]
    assert lag == pytest.approx(_ramp_lag(v, beta, 1.0, DT), rel=1e-6)
    assert lag == pytest.approx(expected, abs=0.01)


def test_non_uniform_time_uses_each_step():
    """One step of dt = 0.1 s at beta = 0 moves by exactly alpha(fc, 0.1) of the jump."""
    f = OneEuro(min_cutoff_hz=2.0, beta=0.0)
    f(np.zeros(3), 0.0)
    y = f(np.full(3, 10.0), 0.1)
    np.testing.assert_allclose(y, 10 * alpha(2.0, 0.1))


def test_missing_sample_restarts_the_channel():
    """A NaN sample gives NaN and the channel restarts at the next raw value (no smoothing
    across a gap); other channels are untouched."""
    f = OneEuro(beta=0.0)
    f(np.array([0.0, 0.0]), 0.0)
    f(np.array([10.0, 10.0]), DT)
    y = f(np.array([np.nan, 10.0]), 2 * DT)
    assert np.isnan(y[0]) and np.isfinite(y[1])
    y = f(np.array([50.0, 10.0]), 3 * DT)
    assert y[0] == 50.0
    y = f(np.array([60.0, 10.0]), 4 * DT)
    assert y[0] == pytest.approx(50 + alpha(1.0, DT) * 10)


def test_channels_are_independent():
    """Filtering (T, 33, 2) at once equals filtering each channel alone."""
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.uniform(0.02, 0.05, 40))
    x = np.cumsum(rng.normal(0, 5, (40, 33, 2)), axis=0)
    together = run(OneEuro(), x, t)
    alone = run(OneEuro(), x[:, 7, 1], t)
    np.testing.assert_allclose(together[:, 7, 1], alone, rtol=1e-12)


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        OneEuro(min_cutoff_hz=0.0)
