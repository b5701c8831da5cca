"""Per-frame view, body turn and activity, smoothed into time segments.

A clip can change view (a person turning, a cut or a cross-dissolve in an edited video) and
can hold frames that are not the exercise (walking in or out, an empty end card). Each frame
gets:

``turn_deg``
    the body's turn away from facing the camera, in degrees: 0 = the shoulder line square to
    the camera (front or back view), 90 = the shoulder line pointing at the camera (side view).
    From MediaPipe's world landmarks: atan2(|Δz|, |Δx|) of the left→right shoulder vector (the
    hip line where the shoulders are missing), rolling median over :attr:`SceneSettings.smooth_s`.
    The shoulder line is used first because a split stance (knee-to-wall, lunge) turns the
    pelvis while the trunk faces the wall (knee_to_wall_side: hips ≈ 57°, shoulders ≈ 82°).
``view``
    side (turn ≥ 90° − ``view_tolerance_deg``), front or back (turn ≤ ``view_tolerance_deg``;
    front when the person's left shoulder is on the image's right), oblique in between, unknown
    without shoulders or hips. These are labels for segments; each measure applies its own,
    tighter turn limit (declared by its protocol).
``activity``
    absent (no person, or shoulders, hips and knees not all inside the frame with one side
    visible — :func:`screen.scene.framing.seen`), walking (the ankle midpoint moves faster than
    ``walking_speed`` torso lengths per second, or one foot moves faster than the other by more
    than ``stepping_speed`` — the feet alternating, which a camera following the walker does
    not hide — both as rolling medians over ``smooth_s``) unless seated (the knees less than
    ``seated_below`` torso lengths below the hips: a foot swinging out in the seated hip-rotation
    test is no step), else in_place.

Frames are grouped into runs of equal (view, activity); runs shorter than ``min_segment_s`` are
merged into their longer neighbour, and a jump of the hip midpoint by more than ``cut_jump``
torso lengths between consecutive frames (a cut, or the tracker switching to another figure)
always starts a new segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import interpolate, rolling_nanmedian, rolling_nanmedian_above
from screen.kinematics.body import midpoint, torso_length
from screen.kinematics.gait import MIDFOOT, mid_foot_speed_difference
from screen.kinematics.stats import nanmedian
from screen.landmarks import FEET, HIPS, LM, SIDES
from screen.scene.framing import BODY, seen
from screen.scene.view import View

Activity = Literal["in_place", "walking", "absent"]
F = NDArray[np.float64]


@dataclass(frozen=True)
class SceneSettings:
    """Every value that shapes the segments (recorded in the result's settings)."""

    smooth_s: float = 1.0
    view_tolerance_deg: float = 20.0
    walking_speed: float = 0.4  # torso lengths per second (squats ≤ 0.12 median, walks ≥ 0.5)
    stepping_speed: float = 0.5  # torso lengths per second between the two feet
    feet_smooth_s: float = 0.25  # median over the feet positions before their speed
    seated_below: float = 0.3  # knee drop below the hips, torso lengths: seated, never walking
    min_segment_s: float = 0.7
    cut_jump: float = 0.5  # torso lengths of hip-midpoint travel in one frame


@dataclass(frozen=True)
class Segment:
    """Frames ``start`` to ``end`` (exclusive) with one view and activity; ``turn_deg`` is the
    median body turn over them (degrees; NaN when unknown)."""

    index: int
    start: int
    end: int
    view: View
    turn_deg: float
    activity: Activity

    def frames(self) -> slice:
        return slice(self.start, self.end)


@dataclass(frozen=True)
class Scene:
    """Per-frame ``turn_deg`` (T,), ``view`` (T,) and ``activity`` (T,) labels, the
    ``segments`` built from them, and ``cut`` (T,): True where a new shot or figure starts;
    ``torso_px``: the median torso length (pixels) of the gated points it was built from (the
    scale of a cut's jump), NaN when never seen."""

    turn_deg: F
    view: NDArray[np.object_]
    activity: NDArray[np.object_]
    segments: tuple[Segment, ...]
    cut: NDArray[np.bool_]
    settings: SceneSettings = field(default_factory=SceneSettings)
    torso_px: float = float("nan")

    def segment_of(self, frame: int) -> Segment | None:
        return next((s for s in self.segments if s.start <= frame < s.end), None)

    @cached_property
    def segment_index(self) -> NDArray[np.intp]:
        """(T,) the ``index`` of the segment holding each frame (the first listed, as
        :meth:`segment_of`), −1 in none."""
        out = np.full(len(self.turn_deg), -1, dtype=np.intp)
        for s in reversed(self.segments):  # loops over segments, not frames
            out[s.start:s.end] = s.index
        return out

    def to_list(self, t: NDArray) -> list[dict[str, object]]:
        """JSON-ready segments with their times (s) from the frame timestamps ``t``."""
        return [{"index": s.index, "start_frame": s.start, "end_frame": s.end,
                 "start_s": float(t[s.start]), "end_s": float(t[s.end - 1]),
                 "view": s.view, "turn_deg": None if not np.isfinite(s.turn_deg) else round(
                     float(s.turn_deg), 1), "activity": s.activity} for s in self.segments]


def body_turn(world: NDArray, /) -> F:
    """(T,) unsmoothed body turn in degrees from world landmarks (T, 33, 3) (module docstring).
    Only the shoulders and hips are read (and converted to float64)."""
    w = np.asarray(world)

    def yaw(a: int, b: int) -> F:
        dx, dz = (np.subtract(w[:, a, c], w[:, b, c], dtype=float) for c in (0, 2))  # m
        return np.degrees(np.arctan2(np.abs(dz), np.abs(dx)))

    shoulders = yaw(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)
    return np.where(np.isfinite(shoulders), shoulders, yaw(LM.LEFT_HIP, LM.RIGHT_HIP))


def frame_views(turn: NDArray, points: NDArray, settings: SceneSettings) -> NDArray[np.object_]:
    """(T,) view label per frame from the smoothed turn (T,) and gated pixels (T, 33, 2)."""
    return _VIEW_LABELS[_view_codes(turn, points, settings)]


def _view_codes(turn: NDArray, points: NDArray, settings: SceneSettings) -> NDArray[np.intp]:
    """(T,) :func:`frame_views` as places in :data:`VIEWS` sorted (no string per frame)."""
    facing = points[:, LM.LEFT_SHOULDER, 0] - points[:, LM.RIGHT_SHOULDER, 0]
    front_back = np.where(facing > 0, _VIEW["front"], _VIEW["back"])
    tol = settings.view_tolerance_deg
    with np.errstate(invalid="ignore"):
        view = np.where(turn >= 90.0 - tol, _VIEW["side"],
                        np.where(turn <= tol, front_back, _VIEW["oblique"]))
    view[~np.isfinite(turn) | ~np.isfinite(facing)] = _VIEW["unknown"]
    return view


def frame_activity(image: NDArray, points: NDArray, t: NDArray, settings: SceneSettings, *,
                   torso: NDArray | None = None) -> NDArray[np.object_]:
    """(T,) activity per frame from the raw image landmarks (T, 33, 5) and gated pixels
    ``points`` (T, 33, 2); ``torso`` (T,) is their torso length in pixels if already known. The
    feet are median-smoothed over ``feet_smooth_s`` (short next to a stride of ≈ 1 s) *before*
    their speed is taken: landmark noise
    alone (jumps of a few pixels each frame) must not read as walking — the confidence judges
    that noise, not the activity. Only the feet are copied (smoothed), not ``points``."""
    return _ACTIVITY_LABELS[_activity_codes(image, points, t, settings, torso=torso)]


def _activity_codes(image: NDArray, points: NDArray, t: NDArray, settings: SceneSettings, *,
                    torso: NDArray | None = None) -> NDArray[np.intp]:
    """(T,) :func:`frame_activity` as places in :data:`ACTIVITIES` sorted."""
    if len(t) < 2:
        return np.where(seen(image, BODY), _ACTIVITY["in_place"], _ACTIVITY["absent"])
    n = max(3, int(round(settings.smooth_s / np.median(np.diff(t)))))
    torso_px = torso_length(points) if torso is None else torso
    torso = rolling_nanmedian(torso_px, n)
    k = max(3, int(round(settings.feet_smooth_s / np.median(np.diff(t)))))
    feet = rolling_nanmedian(np.asarray(points, dtype=float)[:, list(FEET)].reshape(len(t), -1),
                             k).reshape(len(t), len(FEET), 2)  # (T, len(FEET), 2) smoothed
    at = {lm: j for j, lm in enumerate(FEET)}
    ankles = feet[:, [at[LM.LEFT_ANKLE], at[LM.RIGHT_ANKLE]]]
    seen_ankles = np.isfinite(ankles).sum(axis=1)
    with np.errstate(invalid="ignore"):
        mid = np.where(seen_ankles > 0, np.nansum(ankles, axis=1) / np.maximum(seen_ankles, 1),
                       np.nan)
    mid = interpolate(mid, np.arange(len(mid)), inside_only=True)
    # the rolling medians below are only compared with a threshold: rolling_nanmedian_above
    # gives those booleans without every window's median
    fast = rolling_nanmedian_above(np.linalg.norm(np.gradient(mid, t, axis=0), axis=-1) / torso,
                                   n, settings.walking_speed)
    mid_feet = {s: feet[:, [at[i] for i in MIDFOOT[s]]] for s in SIDES}
    stepping = rolling_nanmedian_above(np.abs(mid_foot_speed_difference(mid_feet, t, torso_px)),
                                       n, settings.stepping_speed)
    # seated (knees level with the hips): a foot swinging out in the hip-rotation test is not a step
    knee_drop = (points[:, LM.LEFT_KNEE, 1] + points[:, LM.RIGHT_KNEE, 1]
                 - points[:, LM.LEFT_HIP, 1] - points[:, LM.RIGHT_HIP, 1]) / 2
    # median < seated_below ⇔ the median of the negated values (its negation, exactly) > −that
    seated = rolling_nanmedian_above(-(knee_drop / torso), n, -settings.seated_below)
    walking = (fast | stepping) & ~seated
    return np.where(~seen(image, BODY), _ACTIVITY["absent"],
                    np.where(walking, _ACTIVITY["walking"], _ACTIVITY["in_place"]))


VIEWS: tuple[str, ...] = ("side", "front", "back", "oblique", "unknown")
ACTIVITIES: tuple[str, ...] = ("in_place", "walking", "absent")
# per frame a label is coded by its place in the sorted labels, and a (view, activity) pair by
# view × len(ACTIVITIES) + activity (:func:`_decode`); the labels are shared strings
_VIEW_LABELS = np.array(sorted(VIEWS), dtype=object)
_ACTIVITY_LABELS = np.array(sorted(ACTIVITIES), dtype=object)
_VIEW = {v: i for i, v in enumerate(_VIEW_LABELS)}
_ACTIVITY = {a: i for i, a in enumerate(_ACTIVITY_LABELS)}


def _decode(code: int) -> tuple[str, str]:
    v, a = divmod(int(code), len(ACTIVITIES))
    return sorted(VIEWS)[v], sorted(ACTIVITIES)[a]


def _runs(codes: NDArray[np.intp], cut: NDArray[np.bool_]) -> list[list[int]]:
    """[start, end] runs of equal codes (T,), a new run also at every cut."""
    change = np.ones(len(codes), dtype=bool)
    change[1:] = codes[1:] != codes[:-1]
    change |= cut
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], len(codes))
    return [[int(a), int(b)] for a, b in zip(starts, ends, strict=True)]


def build(image: NDArray, points: NDArray, world: NDArray, t: NDArray,
          settings: SceneSettings | None = None) -> Scene:
    """The scene of one recording: ``image`` (T, 33, 5) raw landmarks, ``points`` (T, 33, 2)
    gated pixels, ``world`` (T, 33, 3) metres, ``t`` (T,) seconds."""
    settings = settings or SceneSettings()
    t = np.asarray(t, dtype=float)
    if len(t) == 0:
        return Scene(np.zeros(0), np.zeros(0, dtype=object), np.zeros(0, dtype=object), (),
                     np.zeros(0, dtype=bool), settings)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0 / 30
    n = max(1, int(round(settings.smooth_s / dt)))
    turn = rolling_nanmedian(body_turn(world), n)
    view_code = _view_codes(turn, points, settings)
    torso_px = torso_length(points)  # (T,) px, read twice below
    activity_code = _activity_codes(image, points, t, settings, torso=torso_px)
    view_code[activity_code == _ACTIVITY["absent"]] = _VIEW["unknown"]

    hip = midpoint(points, HIPS)
    torso = nanmedian(torso_px)
    jump = np.zeros(len(t))
    jump[1:] = np.linalg.norm(np.diff(hip, axis=0), axis=-1) / torso
    with np.errstate(invalid="ignore"):
        cut = jump > settings.cut_jump

    codes = view_code * len(ACTIVITIES) + activity_code
    runs = _merge_short(_runs(codes, cut), codes, max(1, int(round(settings.min_segment_s / dt))),
                        cut)
    segments = []
    for i, (a, b) in enumerate(runs):
        v, act = _decode(_majority(codes[a:b]))
        tv = turn[a:b][np.isfinite(turn[a:b])]
        segments.append(Segment(i, a, b, v, float(np.median(tv)) if len(tv) else float("nan"), act))
    return Scene(turn, _VIEW_LABELS[view_code], _ACTIVITY_LABELS[activity_code], tuple(segments),
                 cut, settings, torso)


def _merge_short(runs: list[list[int]], codes: NDArray[np.intp], min_len: int,
                 cut: NDArray[np.bool_]) -> list[list[int]]:
    """Merge runs shorter than ``min_len`` frames into the longer neighbour; neighbours that end
    up with the same majority label are joined unless a cut separates them (loops over runs,
    not frames)."""
    runs = [r[:] for r in runs]
    while len(runs) > 1:
        lengths = [b - a for a, b in runs]
        i = int(np.argmin(lengths))
        if lengths[i] >= min_len:
            break
        if i == 0:
            j = 1
        elif i == len(runs) - 1:
            j = i - 1
        else:
            j = i - 1 if lengths[i - 1] >= lengths[i + 1] else i + 1
        lo, hi = min(i, j), max(i, j)
        runs[lo] = [runs[lo][0], runs[hi][1]]
        del runs[hi]
    merged: list[list[int]] = []
    for r in runs:
        same = merged and _majority(codes[merged[-1][0]:merged[-1][1]]) == _majority(codes[r[0]:r[1]])
        if same and not cut[r[0]]:
            merged[-1][1] = r[1]
        else:
            merged.append(r)
    return merged


def _majority(codes: NDArray[np.intp]) -> int:
    """The most frequent code of a run."""
    return int(np.argmax(np.bincount(codes)))
