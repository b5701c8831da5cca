"""One-Euro filter (Casiez, Roussel & Vogel, CHI 2012) for live landmarks, vectorised over
landmarks and coordinates.

A first-order low-pass whose cut-off rises with speed: still points are smoothed hard (little
jitter), fast ones lightly (little lag) — what an interactive display needs, where the zero-lag
Butterworth of :mod:`screen.conditioning.signal` (it needs the future) cannot run. It is used only for what
the live view *draws*; the end-of-trial result comes from the recorded raw landmarks through
:func:`screen.analysis.analyze`.

For each channel, with ``dt`` the time since the previous sample (seconds)::

    alpha(fc)  = 1 / (1 + 1 / (2π · fc · dt))          smoothing factor of a cut-off fc (Hz)
    dx         = (x − x̂_prev) / dt                      raw speed (units/s)
    dx̂         = dx̂_prev + alpha(d_cutoff) · (dx − dx̂_prev)
    fc         = min_cutoff + beta · |dx̂|
    x̂          = x̂_prev + alpha(fc) · (x − x̂_prev)

Units: ``min_cutoff_hz`` and ``d_cutoff_hz`` in Hz; ``beta`` in Hz per (unit/s) — with pixel
points, 1/px. A missing sample (NaN) outputs NaN and resets that channel: the next valid sample
starts it afresh (no smoothing across a gap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

F = NDArray[np.float64]


def alpha(cutoff_hz: ArrayLike, dt: float) -> F:
    """Smoothing factor of a first-order low-pass with cut-off ``cutoff_hz`` (Hz) sampled every
    ``dt`` seconds: 1 / (1 + τ/dt) with τ = 1 / (2π·fc)."""
    tau = 1.0 / (2.0 * np.pi * np.asarray(cutoff_hz, dtype=float))
    return 1.0 / (1.0 + tau / dt)


@dataclass
class OneEuro:
    """Online One-Euro filter over arrays of any fixed shape (e.g. (33, 2) pixel points).

    Defaults suit pixel landmarks of a person a few metres away at 25–30 fps: 1 Hz minimum
    cut-off (jitter of a still pose is removed), ``beta`` 0.02/px (at 100 px/s the cut-off rises
    to 3 Hz), speeds smoothed at 1 Hz.
    """

    min_cutoff_hz: float = 1.0
    beta: float = 0.02
    d_cutoff_hz: float = 1.0

    def __post_init__(self) -> None:
        if self.min_cutoff_hz <= 0 or self.d_cutoff_hz <= 0 or self.beta < 0:
            raise ValueError("One-Euro needs min_cutoff_hz > 0, d_cutoff_hz > 0, beta ≥ 0")
        self.reset()

    def reset(self) -> None:
        self._x: F | None = None
        self._dx: F | None = None
        self._t: float | None = None

    def __call__(self, x: ArrayLike, t: float) -> F:
        """Filter one sample ``x`` taken at time ``t`` (seconds, increasing); returns x̂."""
        x = np.asarray(x, dtype=float)
        if self._x is None or self._t is None or self._x.shape != x.shape or not t > self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), float(t)
            return x.copy()
        dt = float(t) - self._t
        fresh = ~np.isfinite(self._x)  # channels (re)starting after a gap: no history
        dx = np.where(fresh, 0.0, (x - self._x) / dt)
        dx_hat = np.where(fresh, 0.0, self._dx + alpha(self.d_cutoff_hz, dt) * (dx - self._dx))
        a = alpha(self.min_cutoff_hz + self.beta * np.abs(dx_hat), dt)
        x_hat = np.where(fresh, x, self._x + a * (x - self._x))
        self._x, self._dx, self._t = x_hat, np.where(np.isfinite(x_hat), dx_hat, 0.0), float(t)
        return x_hat.copy()
