"""Quiet NaN-aware summaries: NaN (not a RuntimeWarning) when nothing is finite."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def nanmedian(x: ArrayLike, /) -> float:
    """Median of the finite values of ``x`` (any shape), NaN when there is none."""
    a = np.asarray(x, dtype=float)
    a = a[np.isfinite(a)]
    return float(np.median(a)) if a.size else float("nan")


def nanmax(x: ArrayLike, /) -> float:
    """Largest finite value of ``x``, NaN when there is none."""
    a = np.asarray(x, dtype=float)
    a = a[np.isfinite(a)]
    return float(np.max(a)) if a.size else float("nan")
