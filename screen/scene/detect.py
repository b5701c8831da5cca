"""Automatic recognition of which screening test a recording shows, from the landmarks alone.

Features are whole-recording statistics (medians and 5th–95th percentile ranges) of the gated
landmarks (:func:`screen.conditioning.conditioned.gated_points`: no smoothing needed for them).
Every feature is a ratio to the person's own torso length in the image (shoulder midpoint to hip
midpoint, median over frames), so it does not depend on image size or camera distance:

``seated``
    median over frames of the vertical hip→knee drop divided by torso length. Standing, the
    thigh hangs nearly vertical and the ratio is ≈ 0.8–1; sitting with the knees at 90° the thigh
    is horizontal (seen from the front it points at the camera) and the ratio is ≈ 0–0.4.
``hip_drop``
    range (95th − 5th percentile) of the hip midpoint's height: how far the hips go down and up.
``feet_travel``
    the smaller of the two ankles' ranges of position (norm of the 95th − 5th percentile
    extent in x and y): walking moves both feet far across the image (or down it, toward a
    front camera); in squats, lunges in place and knee-to-wall they barely move.
``feet_apart_change``
    the range of the left-to-right ankle vector: the feet moving relative to each other, as
    they do when stepping into and out of a lunge.
``stagger``
    median horizontal distance between the two ankles (one foot in front of the other, seen
    from the side).

Decision, in order (thresholds below; the reason names the features that decided). Measured on
the sample clips (full model, gated landmarks): squats hip_drop 0.56–1.16, knee-to-wall 0.22, gait ≤ 0.33;
walking feet_travel ≥ 1.27, everything done in place ≤ 0.18; the lunge feet_apart_change 3.08,
everything else not walking ≤ 0.18.
1. seated (``seated`` < 0.3 and ``hip_drop`` < 0.45) → hip_rotation;
2. the hips go down and up (``hip_drop`` ≥ 0.45) while the feet step apart (``feet_apart_change``
   > 1.0, or one foot in front in a side view: ``stagger`` > 0.5) → a lunge, which is not one of
   the screening tests (error: pass --test);
3. walking (``feet_travel`` > 0.8) → foot_angle;
4. the hips go down and up with the feet in place → squat;
5. side view with one foot in front → knee_to_wall;
6. standing still otherwise → foot_angle (standing).
The decision is made per run of the scene's segments with one view (:mod:`screen.scene.segments`:
a cut, a turn or a re-framed camera between views moves the ankles in the image without any
step; within a run, stepping and standing alternate as they do in a lunge), leaving out the
:data:`TRIM_SECONDS` next to each change of view, for runs of at least :data:`MIN_SECONDS`; the
decision covering the most frames wins. A clip with no such run is refused rather than named
from a handful of frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from screen.errors import MovescreenError
from screen.kinematics.body import midpoint, torso_length
from screen.landmarks import HIPS, LM
from screen.scene.segments import Scene

SEATED_BELOW = 0.3
HIP_DROP_MOVING = 0.45
FEET_TRAVEL_WALKING = 0.8
FEET_APART_CHANGE_LUNGE = 1.0
STAGGER_ABOVE = 0.5
MIN_SECONDS = 1.0
TRIM_SECONDS = 0.5
KNEES = (LM.LEFT_KNEE, LM.RIGHT_KNEE)
ANKLES = (LM.LEFT_ANKLE, LM.RIGHT_ANKLE)


@dataclass(frozen=True)
class Detection:
    """The recognised test, the view, the reason in words, and the features (torso lengths)."""

    test: str
    view: str
    reason: str
    features: dict[str, float]


def _range(x: NDArray, lo: float = 5, hi: float = 95) -> float:
    x = x[np.isfinite(x)]
    if not len(x):
        return float("nan")
    low, high = np.percentile(x, [lo, hi])  # one partition for both (the same values)
    return float(high - low)


def features(points: NDArray) -> dict[str, float]:
    """The features named in the module docstring from gated pixels (T, 33, 2)."""
    p = np.asarray(points, dtype=float)
    hip = midpoint(p, HIPS)
    torso_t = torso_length(p)
    ok = np.isfinite(torso_t)
    if not np.any(ok):
        raise MovescreenError("cannot recognise the test: shoulders and hips are never visible "
                              "together; pass --test")
    torso = float(np.median(torso_t[ok]))
    knee_drop = (p[:, list(KNEES), 1] - p[:, list(HIPS), 1]).mean(axis=1)
    ankles = p[:, list(ANKLES)]
    stagger = np.abs(ankles[:, 0, 0] - ankles[:, 1, 0])
    return {
        "seated": _median(knee_drop) / torso,
        "hip_drop": _range(hip[:, 1]) / torso,
        "feet_travel": float(np.fmin(_extent(ankles[:, 0]), _extent(ankles[:, 1]))) / torso,
        "feet_apart_change": _extent(ankles[:, 0] - ankles[:, 1]) / torso,
        "stagger": _median(stagger) / torso,
    }


def _median(x: NDArray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if len(x) else float("nan")


def _extent(xy: NDArray) -> float:
    """Norm of the 5th-to-95th percentile extent of points (T, 2), NaN rows ignored."""
    xy = xy[np.isfinite(xy[:, 0]) & np.isfinite(xy[:, 1])]
    if not len(xy):
        return float("nan")
    low, high = np.percentile(xy, [5, 95], axis=0)  # one partition for both (the same values)
    return float(np.linalg.norm(high - low))


def detect(points: NDArray, scene: Scene, t: NDArray) -> Detection:
    """Recognise the test from a recording's gated pixels (T, 33, 2) (shoulders, hips, knees and
    ankles are read), its scene and timestamps (T,) s. Raises MovescreenError when the
    movement is none of the tests or too little of it was seen."""
    rate = 1.0 / float(np.median(np.diff(t))) if len(t) > 1 else 30.0
    trim = int(round(TRIM_SECONDS * rate))
    votes: dict[str, list] = {}
    n = len(points)
    for view, a, b in _runs(scene.segments):
        # frames next to a change of view (a turn, a cut, a dissolve) are left out
        a, b = a + (trim if a > 0 else 0), b - (trim if b < n else 0)
        if b - a < MIN_SECONDS * rate:
            continue
        try:
            found: Detection | MovescreenError = _decide(points[a:b], view)
        except MovescreenError as err:
            found = err
        key = found.test if isinstance(found, Detection) else "refused"
        votes.setdefault(key, []).append((b - a, found))
    if not votes:
        raise MovescreenError("a whole body was not seen for a second in any one view: too "
                              "little to recognise the test; pass --test")
    winner = max(votes, key=lambda k: sum(n for n, _ in votes[k]))
    best = max(votes[winner], key=lambda v: v[0])[1]
    if isinstance(best, MovescreenError):
        raise best
    return best


def _runs(segments: tuple) -> list[tuple[str, int, int]]:
    """(view, start, end) of each run of consecutive segments with one view (walking and
    in-place alternate inside a run, as in a lunge); a segment without a person ends a run."""
    runs: list[list] = []
    for seg in segments:
        if seg.view == "unknown":
            runs.append(["unknown", seg.start, seg.end])
        elif runs and runs[-1][0] == seg.view:
            runs[-1][2] = seg.end
        else:
            runs.append([seg.view, seg.start, seg.end])
    return [(v, a, b) for v, a, b in runs if v != "unknown"]


def _decide(points: NDArray, view: str) -> Detection:
    f = features(points)
    said = ", ".join(f"{k} {v:.2f}" for k, v in f.items())

    def found(test: str, why: str) -> Detection:
        return Detection(test, view, f"{why}; {view} view", f)

    if f["seated"] < SEATED_BELOW and f["hip_drop"] < HIP_DROP_MOVING:
        return found("hip_rotation", "seated: thighs horizontal, hips still")
    moving = f["hip_drop"] >= HIP_DROP_MOVING
    staggered = view == "side" and f["stagger"] > STAGGER_ABOVE
    if moving and (staggered or f["feet_apart_change"] > FEET_APART_CHANGE_LUNGE):
        raise MovescreenError(
            "the movement matches none of the screening tests: the hips go down and up while the "
            f"feet move apart, as in a lunge or a jump ({said}, in torso lengths); pass --test "
            "to analyse it anyway")
    if f["feet_travel"] > FEET_TRAVEL_WALKING:
        return found("foot_angle", "walking: both feet travel across or down the image")
    if moving:
        return found("squat", "the hips go down and up with the feet in place")
    if staggered:
        return found("knee_to_wall", "one foot in front of the other, hips stay up")
    return found("foot_angle", "standing still")
