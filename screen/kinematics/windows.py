"""Reductions over many frame windows at once (one per repetition candidate), without a Python
loop over the windows, with exactly the values numpy gives window by window.

:class:`Windows` lays W windows ``start[i]:end[i]`` of a (T,) trace end to end in flat arrays of
N = Σ (end − start) elements: a per-frame trace ``x`` (T, ...) becomes ``x[w.frame]`` (N, ...),
and each reduction returns one value per window (W,), over the elements where a mask ``where``
(N,) is True. Exactness (compared with the same numpy call on each window, in the tests):

* min, max, any, count, median and the first position of a maximum are order statistics: the
  same values whatever the order of the work;
* :meth:`Windows.mean` sums left to right from 0.0, which is what numpy's pairwise summation does
  for fewer than 8 terms; a window with more terms is summed by ``np.mean`` itself (not
  ``np.add.reduceat``: its sums differ from ``np.sum``'s in the last bit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

F = NDArray[np.float64]
PAIRWISE_FROM = 8  # numpy sums 8 or more terms pairwise (8 accumulators), fewer left to right


@dataclass(frozen=True, eq=False)
class Windows:
    """W windows of frames laid end to end.

    Attributes
    ----------
    frame : (N,) intp
        the frame of each element.
    group : (N,) intp
        the window of each element.
    offset : (W + 1,) intp
        where each window starts in the flat arrays (``offset[-1]`` = N).
    """

    frame: NDArray[np.intp]
    group: NDArray[np.intp]
    offset: NDArray[np.intp]

    @classmethod
    def of(cls, start: ArrayLike, end: ArrayLike) -> Windows:
        """The windows ``start[i]:end[i]`` (frames, end exclusive; empty when end ≤ start)."""
        start = np.asarray(start, dtype=np.intp)
        length = np.maximum(np.asarray(end, dtype=np.intp) - start, 0)
        offset = np.concatenate([[0], np.cumsum(length)]).astype(np.intp)
        group = np.repeat(np.arange(len(start), dtype=np.intp), length)
        frame = np.arange(offset[-1], dtype=np.intp) - offset[group] + start[group]
        return cls(frame, group, offset)

    @property
    def n(self) -> int:
        """W, the number of windows."""
        return len(self.offset) - 1

    def at(self, frame: ArrayLike) -> NDArray[np.intp]:
        """(W,) flat index of the frame ``frame[i]`` (W,) of each window (which must hold it)."""
        return self.offset[:-1] + np.asarray(frame, dtype=np.intp) - self.frame[self.offset[:-1]]

    def count(self, where: NDArray[np.bool_]) -> NDArray[np.intp]:
        """(W,) how many elements of each window ``where`` (N,) selects."""
        return np.bincount(self.group[where], minlength=self.n)

    def any(self, where: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """(W,) True where ``where`` (N,) selects some element of the window."""
        return self.count(where) > 0

    def _reduce(self, ufunc: np.ufunc, values: NDArray, empty: float) -> F:
        """(W,) ``ufunc.reduce`` of ``values`` (N,) per window, ``empty`` for an empty window
        (``reduceat`` over the starts of the non-empty windows only)."""
        out = np.full(self.n, empty)
        full = self.offset[1:] > self.offset[:-1]
        if full.any():
            out[full] = ufunc.reduceat(values, self.offset[:-1][full])
        return out

    def min(self, values: NDArray, where: NDArray[np.bool_]) -> F:
        """(W,) least of ``values`` (N,) where ``where`` selects (NaN selected: ignored as
        ``np.nanmin``); NaN where nothing non-NaN is selected."""
        keep = where & ~np.isnan(values)
        out = self._reduce(np.minimum, np.where(keep, values, np.inf), np.inf)
        out[~self.any(keep)] = np.nan
        return out

    def max(self, values: NDArray, where: NDArray[np.bool_]) -> F:
        """(W,) largest of ``values`` (N,) where ``where`` selects (NaN ignored); NaN where
        nothing non-NaN is selected."""
        return -self.min(-np.asarray(values, dtype=float), where)

    def first_argmax(self, values: NDArray, where: NDArray[np.bool_]) -> NDArray[np.intp]:
        """(W,) flat index of the first largest selected value of each window (``np.argmax``
        over the selected elements, which must not be NaN); N where none is selected."""
        n = len(values)
        top = self.max(values, where)
        hit = where & (values == top[self.group])
        first = self._reduce(np.minimum, np.where(hit, np.arange(n), n), n)
        return first.astype(np.intp)

    def first_argmin(self, values: NDArray, where: NDArray[np.bool_]) -> NDArray[np.intp]:
        """(W,) flat index of the first least selected value (as :meth:`first_argmax`)."""
        return self.first_argmax(-np.asarray(values, dtype=float), where)

    def _ranked(self, where: NDArray[np.bool_], values: NDArray | None = None
                ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
        """The selected elements' flat indices (in window order, by value within a window when
        ``values`` are given: equal values in any order), their rank within their window, and
        each window's count and first place in those indices."""
        idx = np.flatnonzero(where)
        if values is not None:  # by value (ties in any order: equal values), then by window
            idx = idx[np.argsort(values[idx])]  # (stable: a radix sort on 16-bit windows)
            idx = idx[np.argsort(self.group[idx].astype(np.int16 if self.n < 2**15 else np.intp),
                                 kind="stable")]
        count = np.bincount(self.group[idx], minlength=self.n)
        first = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.intp)
        rank = np.arange(len(idx)) - first[self.group[idx]]
        return idx, rank, count, first

    def median(self, values: NDArray, where: NDArray[np.bool_]) -> F:
        """(W,) ``np.median`` of the selected ``values`` (N,) of each window (the caller selects
        finite values); NaN where none is selected. As ``np.median``: the middle value, or the
        mean of the two middle ones, summed from 0.0."""
        idx, rank, count, _ = self._ranked(where, values)
        g = self.group[idx]
        lo = np.full(self.n, np.nan)
        hi = np.full(self.n, np.nan)
        lo[g[rank == (count[g] - 1) // 2]] = values[idx[rank == (count[g] - 1) // 2]]
        hi[g[rank == count[g] // 2]] = values[idx[rank == count[g] // 2]]
        return np.where(count % 2 == 1, 0.0 + lo, (0.0 + lo + hi) / 2)

    def mean(self, values: NDArray, where: NDArray[np.bool_]) -> F:
        """(W,) ``np.mean`` of the selected ``values`` (N,) of each window, the same bits: the
        sum of fewer than :data:`PAIRWISE_FROM` terms is taken left to right from 0.0 (one
        vectorised step per position), a longer one by ``np.mean``. NaN where none is selected."""
        idx, rank, count, first = self._ranked(where)
        g = self.group[idx]
        total = np.zeros(self.n)
        for k in range(min(PAIRWISE_FROM - 1, int(count.max(initial=0)))):
            at = rank == k
            total[g[at]] += values[idx[at]]
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        for i in np.flatnonzero(count >= PAIRWISE_FROM):  # long windows only (rare)
            out[i] = np.mean(values[idx[first[i]:first[i] + count[i]]])
        return out

    def quadratic_max(self, t: NDArray, values: NDArray, where: NDArray[np.bool_],
                      min_count: int = 5) -> F:
        """(W,) the highest value, at the selected elements, of the least-squares quadratic
        ``a + b·(t − c) + c₂·(t − c)²`` fitted to the selected ``values`` (N,) of each window
        against their times ``t`` (N,, seconds), c the window's mean selected time (it only
        conditions the fit), but never above the highest selected value (a parabola through a
        plateau with a steep side bulges above it). A peak's height from many noisy frames
        without the downward bias of a mean over a curved top or the upward bias of a maximum.
        Windows with fewer than ``min_count`` (≥ 3) selected elements get the :meth:`mean` of
        them; NaN where none is selected. Selected values must be finite, and each window's
        frames distinct (they are: a window is a run of frames)."""
        idx = np.flatnonzero(where)  # the selected elements, in window order
        g, tx, y = self.group[idx], t[idx], values[idx]
        n = np.bincount(g, minlength=self.n)
        fit = n >= max(min_count, 3)  # ≥ 3 distinct frames: a regular system
        out = self.mean(values, where & ~fit[self.group])  # NaN where fitted (or none selected)
        if not fit.any():
            return out
        keep = fit[g]
        idx, g, tx, y = idx[keep], g[keep], tx[keep], y[keep]
        centre = np.bincount(g, tx, minlength=self.n) / np.maximum(n, 1)
        dt = tx - centre[g]
        powers = np.empty((len(dt), 5))  # (M, 5): dt⁰ … dt⁴
        powers[:, 0], powers[:, 1] = 1.0, dt  # what pow gives for 0 and 1 (exact results)
        powers[:, 2:] = dt[:, None] ** np.arange(2, 5)  # pow for the others (not dt·dt: last bits)
        moments = np.stack([np.bincount(g, powers[:, k], minlength=self.n) for k in range(5)], -1)
        rhs = np.stack([np.bincount(g, y * powers[:, k], minlength=self.n) for k in range(3)], -1)
        normal = moments[fit][:, [[0, 1, 2], [1, 2, 3], [2, 3, 4]]]  # (F, 3, 3) Σ dt^(i+j)
        coef = np.zeros((self.n, 3))
        coef[fit] = np.linalg.solve(normal, rhs[fit][..., None])[..., 0]
        curve = coef[g, 0] + coef[g, 1] * dt + coef[g, 2] * powers[:, 2]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])  # g is sorted: runs per window
        # never above the highest selected value: a parabola through a held plateau with a quick
        # release bulges above it (+0.9° on knee_to_wall_side's first repetition at ± 0.5 s)
        out[g[starts]] = np.minimum(np.maximum.reduceat(curve, starts),
                                    np.maximum.reduceat(y, starts))
        return out
