"""A recording's landmarks after the conditioning chain of :mod:`screen.conditioning.signal`: what every
protocol measures from. Only the landmarks a protocol reads are conditioned (the others are NaN);
a landmark outside the frame counts as not visible."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import (
    Conditioning,
    before_lowpass,
    clean_gated,
    condition,
    lowpass_channels,
)
from screen.landmarks import N_LANDMARKS
from screen.recording import Recording
from screen.speed import PASS_BLOCK


@dataclass(frozen=True, eq=False)
class Cleaned:
    """Pixels of some landmarks after the chain's steps before the low-pass (gate, outliers,
    gaps: :func:`screen.conditioning.signal.clean`); the low-pass is each protocol's own.

    Attributes
    ----------
    landmarks : tuple of int
        the L landmarks cleaned, in the order of ``values``' axis 1.
    values : (T, L, 2) float64
        their cleaned pixels (x right, y down); NaN where a sample was doubted, an outlier, or in
        a gap too long to bridge.
    settings : Conditioning
        the chain the steps used (its ``cutoff_hz`` and ``order`` are not used here).
    """

    landmarks: tuple[int, ...]
    values: NDArray[np.float64]
    settings: Conditioning

    def serves(self, settings: Conditioning, landmarks: Sequence[int]) -> bool:
        """True when these cleaned pixels are those a chain ``settings`` would give
        ``landmarks`` (same steps before the low-pass, every landmark cleaned)."""
        return (before_lowpass(self.settings) == before_lowpass(settings)
                and set(landmarks) <= set(self.landmarks))


def cleaned_points(rec: Recording, settings: Conditioning,
                   landmarks: Sequence[int] = range(N_LANDMARKS)) -> Cleaned:
    """The :class:`Cleaned` pixels of ``landmarks`` (the chain's steps before the low-pass); the
    gate is applied in the pass that reads the pixels (:func:`_gated`)."""
    idx = list(landmarks)
    return Cleaned(tuple(idx), clean_gated(_gated(rec, idx, settings.min_visibility), rec.t, settings),
                   settings)


def conditioned_points(rec: Recording, settings: Conditioning,
                       landmarks: Sequence[int] = range(N_LANDMARKS),
                       cleaned: Cleaned | None = None) -> NDArray[np.float64]:
    """(T, 33, 2) pixels after the conditioning chain, for ``landmarks`` only (the others are
    NaN: a protocol conditions what it uses). A landmark outside the frame counts as not
    visible. ``cleaned``: the steps before the low-pass, already run (:func:`cleaned_points`,
    e.g. on more landmarks, while the scene was built); used when it :meth:`~Cleaned.serves`
    this chain and these landmarks (the same bits: every step works channel by channel)."""
    idx = list(landmarks)
    if cleaned is None or not cleaned.serves(settings, idx):
        cleaned = cleaned_points(rec, settings, idx)
    cols = [cleaned.landmarks.index(i) for i in idx]
    values = cleaned.values if cols == list(range(len(cleaned.landmarks))) else cleaned.values[:, cols]
    smooth = lowpass_channels(values.reshape(rec.n_frames, -1), rec.t,
                              cutoff_hz=settings.cutoff_hz, order=settings.order)  # (2L, T)
    out = np.empty((rec.n_frames, N_LANDMARKS, 2))
    # written as (T, 66) columns, x and y of each landmark, block by block: each block filled
    # with NaN and the channels' traces transposed into it while it is in the caches
    xy = (2 * np.array(idx, dtype=np.intp)[:, None] + [0, 1]).ravel()
    flat = out.reshape(rec.n_frames, 2 * N_LANDMARKS)
    for b in _blocks(rec.n_frames):
        block = flat[b]
        block.fill(np.nan)
        block[:, xy] = smooth[:, b].T
    return out


def conditioned_world(rec: Recording, settings: Conditioning,
                      landmarks: Sequence[int] = range(N_LANDMARKS)) -> NDArray[np.float64]:
    """(T, 33, 3) world landmarks (m) after the same chain, visibility taken from the image
    landmarks; ``settings`` are in metres here (``outlier_min_px`` is the outlier-scale floor in
    metres)."""
    idx = list(landmarks)
    return _conditioned(rec, rec.world[:, idx].astype(float), settings, idx)


def gated_points(rec: Recording, landmarks: Sequence[int] = range(N_LANDMARKS),
                 min_visibility: float = 0.5) -> NDArray[np.float64]:
    """(T, 33, 2) pixels after the first step of the chain only (doubtful or out-of-frame
    samples → NaN), for whole-recording statistics that need no smoothing (test recognition).
    One pass over blocks of :data:`screen.speed.PASS_BLOCK` frames (pixels and gate together)."""
    idx = _which(landmarks)
    if isinstance(idx, list):
        out = np.full((rec.n_frames, N_LANDMARKS, 2), np.nan)
        out[:, idx] = _gated(rec, idx, min_visibility)
        return out
    out = np.empty((rec.n_frames, N_LANDMARKS, 2))
    for b in _blocks(rec.n_frames):
        block = rec.image[b]
        _gate_into(out[b], block[..., 0], block[..., 1], block[..., 3], rec.meta, min_visibility)
    return out


def _gated(rec: Recording, idx: list[int], min_visibility: float) -> NDArray[np.float64]:
    """(T, len(idx), 2) pixels of those landmarks, NaN where not visible (below
    ``min_visibility`` or outside the frame): :func:`screen.conditioning.signal.gate` of
    :func:`_pixels_of` and :func:`_visibility_of`, in one pass over blocks of frames."""
    out = np.empty((rec.n_frames, len(idx), 2))
    for b in _blocks(rec.n_frames):
        block = rec.image[b]  # x, y and visibility of those landmarks, one gathered at a time
        _gate_into(out[b], *(block[:, idx, c] for c in (0, 1, 3)), rec.meta, min_visibility)
    return out


def _gate_into(out: NDArray, x: NDArray, y: NDArray, visibility: NDArray, meta: dict,
               min_visibility: float) -> None:
    """``out`` (B, L, 2) ← the pixels of image landmarks whose coordinates are ``x`` and ``y``
    (B, L) (as :func:`_pixels_of`), NaN where :func:`_visibility_of` (from ``visibility``
    (B, L)) is below ``min_visibility`` — each written in place, one coordinate at a time (no
    inner axis of two to loop over)."""
    with np.errstate(invalid="ignore"):
        seen = visibility >= min_visibility
        inside = x >= 0
        inside &= x <= 1
        inside &= y >= 0
        inside &= y <= 1
    seen &= inside
    if 0.0 >= min_visibility:  # outside the frame the visibility is 0: seen at such a threshold
        seen |= ~inside
    for c, (coord, size) in enumerate(((x, meta["width"]), (y, meta["height"]))):
        np.multiply(coord, size, out=out[..., c], dtype=float)
    out[~seen] = np.nan


def _which(landmarks: Sequence[int]) -> list[int] | slice:
    """The landmarks as an index: every landmark in order is a slice (a view, no copy)."""
    idx = list(landmarks)
    return slice(None) if idx == list(range(N_LANDMARKS)) else idx


def _blocks(n: int) -> list[slice]:
    """Consecutive blocks of :data:`screen.speed.PASS_BLOCK` frames covering ``n`` frames."""
    return [slice(s, s + PASS_BLOCK) for s in range(0, n, PASS_BLOCK)]


def _pixels_of(image: NDArray, idx: list[int] | slice, meta: dict) -> NDArray[np.float64]:
    """(B, L, 2) pixels of landmarks ``idx`` of image landmarks (B, 33, 5) (as
    :meth:`Recording.pixels`: the float32 coordinates times the frame size in float64)."""
    return np.multiply(image[:, idx, :2], np.array([meta["width"], meta["height"]]), dtype=float)


def _visibility_of(image: NDArray, idx: list[int] | slice) -> NDArray:
    """(B, L) the model's visibility of landmarks ``idx``, 0 where a landmark lies outside the
    frame (the image landmarks' type: float32)."""
    xy = image[:, idx, :2]
    x, y = xy[..., 0], xy[..., 1]
    with np.errstate(invalid="ignore"):
        in_frame = (x >= 0) & (x <= 1) & (y >= 0) & (y <= 1)
    return np.where(in_frame, image[:, idx, 3], 0.0)


def _visibility(rec: Recording, idx: list[int]) -> NDArray:
    """(T, len(idx)) :func:`_visibility_of`, block by block."""
    out = np.empty((rec.n_frames, len(idx)), dtype=np.result_type(rec.image.dtype, 0.0))
    for b in _blocks(rec.n_frames):
        out[b] = _visibility_of(rec.image[b], idx)
    return out


def _conditioned(rec: Recording, values: NDArray, settings: Conditioning,
                 idx: list[int]) -> NDArray[np.float64]:
    """(T, 33, C) with the conditioned ``values`` (T, len(idx), C) at ``idx``, NaN elsewhere."""
    out = np.full((rec.n_frames, N_LANDMARKS, values.shape[-1]), np.nan)
    out[:, idx] = condition(values, _visibility(rec, idx), rec.t, settings)
    return out
