"""How much a published number can be trusted, from the evidence behind it.

Each factor is a number in [0, 1] (1 = no doubt), computed on the frames the per-repetition
values were read at (:class:`screen.protocols.base.Value`), for the landmarks the measure
declares on that side:

``visibility``
    median MediaPipe visibility of those landmarks there, mapped linearly from
    :data:`VISIBILITY_ZERO` (→ 0) to :data:`VISIBILITY_FULL` (→ 1).
``jitter``
    the frame-to-frame noise of the raw (gated) landmark positions in a window of
    ± :data:`JITTER_WINDOW_S` around those frames: σ ≈ median |second difference| / 1.65 (for
    white noise the second difference has standard deviation √6·σ, and the median of its size
    is 0.674 of that), in torso lengths, mapped linearly from 0 (→ 1) to :data:`JITTER_ZERO`
    (→ 0). A second difference ignores smooth movement, and the median ignores a few fast
    frames (a step), so what scores low is landmarks that keep jumping (a skeleton fitted to
    the wrong person, to clutter, or in the dark).
``coverage``
    fraction of those landmark samples in the same windows that the model reported as visible
    (gating keeps them): a value read across a gap is interpolated evidence.
``view``
    1 − ½ · (turn away from the ideal view) / (the measure's turn limit): 1 square to the ideal
    view, ½ at the limit (beyond it no value is read at all).
``support``
    repetitions behind the number: 0.5 + 0.25 per complete repetition (a partial one counts
    half), at most 1 — one rep 0.75, two or more 1.
``consistency``
    1 − spread of the per-repetition values / the measure's ``max_spread``: repetitions of one
    test by one person that disagree widely are more likely measurement failures than biology
    (1 for a "worst rep" measure: there the one deviant repetition is the finding).
``models`` (when two pose models measured the same frames)
    1 − median |difference| / :data:`MODEL_DISAGREEMENT_ZERO`.

The score is the geometric mean of the factors, so any factor near 0 pulls it down whatever the
others say. A value whose score is below :data:`PUBLISH_AT_LEAST` is not published (status
``insufficient_data``, the reason names the weakest factor); published values are labelled
``high`` (≥ :data:`HIGH`), ``moderate`` (≥ :data:`MODERATE`) or ``low``. These levels are this
project's choices, checked against the validation clips (docs/validation.md), not published
values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from screen.kinematics.stats import nanmedian

if TYPE_CHECKING:
    from screen.protocols.base import MeasureSpec, Value
    from screen.trial import Trial

VISIBILITY_ZERO, VISIBILITY_FULL = 0.5, 0.9
JITTER_WINDOW_S = 0.5
JITTER_ZERO = 0.03  # torso lengths (noise σ)
MODEL_DISAGREEMENT_ZERO = 10.0  # degrees
PUBLISH_AT_LEAST = 0.5
HIGH, MODERATE = 0.8, 0.65


@dataclass(frozen=True)
class Confidence:
    score: float
    factors: dict[str, float]

    @property
    def level(self) -> str:
        return "high" if self.score >= HIGH else "moderate" if self.score >= MODERATE else "low"

    @property
    def weakest(self) -> str:
        name = min(self.factors, key=self.factors.get)  # type: ignore[arg-type]
        words = {"visibility": "the landmarks were barely visible",
                 "jitter": "the landmarks jump between frames (the skeleton does not hold on "
                           "one body)",
                 "coverage": "the landmarks were missing around the measured frames",
                 "view": "the body was turned away from the view this measure needs",
                 "support": "too few repetitions",
                 "consistency": "the repetitions disagree with each other",
                 "models": "two pose models disagree on the measured frames"}
        return f"{words[name]} ({name} {self.factors[name]:.2f})"

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 3), "level": self.level,
                "factors": {k: round(v, 3) for k, v in self.factors.items()}}


def combine(factors: dict[str, float]) -> Confidence:
    """The geometric mean of ``factors`` (each clipped to [0.001, 1])."""
    f = np.clip(np.array(list(factors.values()), dtype=float), 1e-3, 1.0)
    return Confidence(float(np.exp(np.mean(np.log(f)))), dict(factors))


def assess(trial: Trial, spec: MeasureSpec, values: Sequence[Value], *, n_partial: int = 0,
           spread: float = 0.0, model_difference: float | None = None) -> Confidence:
    """The confidence of one measurement from its usable per-repetition ``values``."""
    frames = np.array([v.frame for v in values if v.frame is not None], dtype=int)
    side = values[0].side if values else "both"
    lms = list(spec.landmarks.get(side) or sorted({i for s in spec.landmarks.values() for i in s}))
    factors = _evidence(trial, frames, lms)
    off = _turn_off(trial, spec, frames)
    factors["view"] = float(np.clip(1 - 0.5 * off / max(spec.max_turn_deg, 1e-9), 0, 1))
    n_eff = len(values) - 0.5 * n_partial
    factors["support"] = float(min(1.0, 0.5 + 0.25 * n_eff))
    # the worst repetition is the finding itself (a heel lifted once): spread is no doubt there
    factors["consistency"] = 1.0 if spec.statistic == "worst rep" else float(
        np.clip(1 - spread / spec.max_spread, 0, 1))
    if model_difference is not None:
        factors["models"] = float(np.clip(1 - model_difference / MODEL_DISAGREEMENT_ZERO, 0, 1))
    return combine(factors)


def _windows(trial: Trial, frames: np.ndarray) -> np.ndarray:
    """Frame indices within ± JITTER_WINDOW_S of any of ``frames``, sorted, each once (every
    window at once: +1 where one starts, −1 after it ends; a frame is in one where the running
    sum is above 0)."""
    t = trial.t
    lo = np.searchsorted(t, t[frames] - JITTER_WINDOW_S)
    hi = np.searchsorted(t, t[frames] + JITTER_WINDOW_S, side="right")
    edges = np.bincount(lo, minlength=len(t) + 1) - np.bincount(hi, minlength=len(t) + 1)
    return np.flatnonzero(np.cumsum(edges[:-1]) > 0)


def _evidence(trial: Trial, frames: np.ndarray, lms: list[int]) -> dict[str, float]:
    if not len(frames) or not lms:
        return {"visibility": 0.0, "jitter": 0.0, "coverage": 0.0}
    vis = trial.recording.image[frames][:, lms, 3].astype(float)
    visibility = float(np.nanmedian(vis)) if np.any(np.isfinite(vis)) else 0.0
    win = _windows(trial, frames)
    raw = trial.raw[win[:, None], lms]  # (W, L, 2)
    scale = trial.raw_torso_px
    d2 = np.abs(raw[2:] - 2 * raw[1:-1] + raw[:-2]) if len(raw) > 2 else np.zeros((0, 1, 2))
    noise = nanmedian(d2) / 1.65 / scale if np.isfinite(scale) and scale > 0 else np.inf
    if not np.isfinite(noise):
        noise = np.inf
    return {"visibility": float(np.clip((visibility - VISIBILITY_ZERO)
                                        / (VISIBILITY_FULL - VISIBILITY_ZERO), 0, 1)),
            "jitter": float(np.clip(1 - noise / JITTER_ZERO, 0, 1)),
            "coverage": float(np.mean(np.isfinite(raw[..., 0]) & np.isfinite(raw[..., 1])))}


def _turn_off(trial: Trial, spec: MeasureSpec, frames: np.ndarray) -> float:
    from screen.protocols.base import turn_off

    if not len(frames):
        return float(spec.max_turn_deg)
    ideal = "side" if "side" in spec.views else "front"
    offs = turn_off(ideal, trial.scene.turn_deg[frames])
    offs = offs[np.isfinite(offs)]
    return float(np.median(offs)) if len(offs) else float(spec.max_turn_deg)
