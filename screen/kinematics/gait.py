"""Gait events (stance phases: heel contact to toe-off) and per-step aggregation, for a person
walking toward or away from the camera. Vectorised over frames; loops run over steps only.

Stance from the feet's image motion (:func:`swing`, :func:`stance_phases`). A foot in stance
stands still on the ground while the other swings; so at every frame the *swinging* foot is
the one moving faster in the image. With the mid-foot point (mean of heel, toe and ankle) of
each side, its image speed in torso lengths per second (torso = shoulder midpoint to hip
midpoint in pixels, which also follows the person's changing size as they approach) and the
difference d = speed(left) − speed(right):

* a foot enters swing when it is faster than the other by more than ``enter`` torso lengths/s
  and leaves it when the lead falls below ``leave`` (hysteresis); pauses shorter than
  ``min_stance_s`` inside a swing are closed and swings shorter than ``min_swing_s`` are
  ignored as jitter;
* a stance phase is a run of non-swing frames with a swing on both sides: heel contact = its
  first frame, toe-off = its last. Phases cut off by the clip's ends or containing frames where
  a foot was not seen are not reported.

Using the difference of the two feet, not a speed threshold on each, keeps the method usable
with a camera that pans to follow the walker (its motion adds to both feet): on
``gait_front_cane.mp4`` (panning camera) the swings found match the frames (see
tests/protocols/test_foot_angle_clips.py). Why not the world landmarks (e.g. the heel's forward
position relative to the pelvis, Zeni et al. 2008)? For a walk toward the camera the forward
direction is MediaPipe's depth, and on that clip its depth was too noisy for the feet's
fore-aft oscillation to show the steps.

On the synthetic walks (tests/synthetic_gait.py) heel contact and toe-off are found one frame
inside the true stance. On the real clip the left foot's contacts were found up to ~10 frames
late (MediaPipe's foot points kept moving after the foot visibly landed); the per-step value
uses only the middle half of each stance (:func:`per_step`), which stayed inside the visible
stance there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.conditioning.signal import ffill, sample_rate
from screen.kinematics.body import torso_length
from screen.kinematics.geometry import norm
from screen.landmarks import LM, SIDES, Side

F = NDArray[np.float64]
MIDFOOT = {"left": (LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX, LM.LEFT_ANKLE),
           "right": (LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX, LM.RIGHT_ANKLE)}


def foot_speed_difference(points: ArrayLike, t: ArrayLike, /, *,
                          torso: ArrayLike | None = None) -> F:
    """(T,) image speed of the left mid-foot minus the right's, in torso lengths per second,
    from pixel points (T, 33, 2) and timestamps (T,) s. NaN where a point is missing.
    ``torso``: (T,) torso length in pixels of ``points``, if already known."""
    p = np.asarray(points, dtype=float)
    return mid_foot_speed_difference({s: p[:, list(MIDFOOT[s])] for s in SIDES}, t,
                                     torso_length(p) if torso is None else torso)


def mid_foot_speed_difference(feet: dict[Side, NDArray], t: ArrayLike, torso: ArrayLike, /) -> F:
    """:func:`foot_speed_difference` from each side's mid-foot points ``feet[side]`` (T, 3, 2)
    pixels (heel, toe, ankle: the order of :data:`MIDFOOT`), timestamps ``t`` (T,) s and the
    torso length ``torso`` (T,) px: no full (T, 33, 2) array needed."""
    t = np.asarray(t, dtype=float)
    speed = {}
    for s in SIDES:
        mid = feet[s].mean(axis=1)
        speed[s] = norm(np.gradient(mid, t, axis=0)) if len(t) > 1 else \
            np.full(len(t), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (speed["left"] - speed["right"]) / torso


def _runs(mask: NDArray[np.bool_]) -> NDArray[np.intp]:
    """(N, 2) [start, stop) of the runs of True in ``mask`` (T,)."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.stack([np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]], axis=1)


def swing(points: ArrayLike, t: ArrayLike, /, *, enter: float = 0.5, leave: float = 0.25,
          min_swing_s: float = 0.1, min_stance_s: float = 0.2) -> dict[Side, NDArray[np.bool_]]:
    """Per side, (T,) True while that foot swings (module docstring); pixel points (T, 33, 2).

    Pauses shorter than ``min_stance_s`` between two swings of the same foot are closed (no
    stance is that short; mid-swing, the foot's lift and its approach can cancel in the image
    and dip its speed), then swings shorter than ``min_swing_s`` are dropped as jitter."""
    t = np.asarray(t, dtype=float)
    d = foot_speed_difference(points, t)
    dt = 1.0 / sample_rate(t) if len(t) > 1 else 1.0
    out = {}
    for s, sign in (("left", 1.0), ("right", -1.0)):
        x = sign * d
        state = ffill(np.where(x > enter, 1.0, np.where(x < leave, 0.0, np.nan))[:, None])[:, 0]
        on = state > 0.5
        for a, b in _runs(~on):
            if 0 < a and b < len(on) and (b - a) * dt < min_stance_s:
                on[a:b] = True
        for a, b in _runs(on):
            if (b - a) * dt < min_swing_s:
                on[a:b] = False
        out[s] = on
    return out


def stance_phases(points: ArrayLike, t: ArrayLike, /, *, enter: float = 0.5,
                  leave: float = 0.25, min_swing_s: float = 0.1, min_stance_s: float = 0.2
                  ) -> dict[Side, NDArray[np.intp]]:
    """Per side, (N, 2) frame indices [heel contact, toe-off] (both inside the stance) of every
    complete stance phase, from pixel points (T, 33, 2) and timestamps (T,) s."""
    p = np.asarray(points, dtype=float)
    t = np.asarray(t, dtype=float)
    swinging = swing(p, t, enter=enter, leave=leave, min_swing_s=min_swing_s,
                     min_stance_s=min_stance_s)
    seen = np.all(np.isfinite(p[:, [i for s in SIDES for i in MIDFOOT[s]]]), axis=(1, 2))
    out = {}
    for s in SIDES:
        runs = _runs(~swinging[s])
        keep = [(a, b - 1) for a, b in runs
                if a > 0 and b < len(t) and t[b - 1] - t[a] >= min_stance_s
                and seen[max(a - 1, 0):b + 1].all()]
        out[s] = np.array(keep, dtype=np.intp).reshape(-1, 2)
    return out


def stance_mask(phases: NDArray[np.intp], n: int, /) -> NDArray[np.bool_]:
    """(n,) True inside any [heel contact, toe-off] phase of ``phases`` (N, 2)."""
    edges = np.zeros(n + 1, dtype=int)
    np.add.at(edges, phases[:, 0], 1)
    np.add.at(edges, phases[:, 1] + 1, -1)
    return np.cumsum(edges)[:n] > 0


def per_step(values: ArrayLike, phases: NDArray[np.intp], t: ArrayLike, /, *,
             middle: float = 0.5) -> list[dict[str, Any]]:
    """One dict per stance phase (N, 2): ``rep`` (1, 2, …), ``t_s`` (heel contact),
    ``toe_off_t_s``, ``value`` = median of ``values`` (T,) over the middle ``middle`` fraction
    of the stance (the foot-flat part, away from heel strike and push-off), NaN-ignoring (None
    when no valid frame)."""
    x = np.asarray(values, dtype=float)
    t = np.asarray(t, dtype=float)
    steps = []
    for i, (a, b) in enumerate(np.asarray(phases)):
        pad = (b - a) * (1 - middle) / 2
        seg = x[int(np.ceil(a + pad)):int(np.floor(b - pad)) + 1]
        seg = seg[np.isfinite(seg)]
        steps.append({"rep": i + 1, "t_s": float(t[a]), "toe_off_t_s": float(t[b]),
                      "value": float(np.median(seg)) if len(seg) else None})
    return steps
