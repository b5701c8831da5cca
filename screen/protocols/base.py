"""What a screening protocol declares, and the shared code that applies the declarations.

A protocol (one module in this package) builds one :class:`Protocol` and registers it with
:func:`register`. It declares:

* the landmarks it reads and its conditioning;
* its ``Settings`` (a frozen dataclass; every value that can change its result, each field with
  ``metadata={"range": (lo, hi)}`` where it is numeric);
* its measures (:class:`MeasureSpec`): unit, the views each can be read from and the largest
  body turn away from that view, physiological plausibility bounds with their source, how the
  per-repetition values are summarised;
* the activities it measures (``in_place`` for the exercises, ``walking`` for gait);
* ``find(trial, settings, allowed) -> Findings``: repetitions (counted and rejected, with
  reasons) and per-repetition values, measured only on the frames ``allowed`` for each measure;
* ``frame_measures(points, settings)`` for the live overlay.

Shared code (:func:`allowed_frames`, :func:`measurements`) decides which frames each measure may
use (segments whose view and turn support it), turns values into
:class:`~screen.results.result.Measurement` objects (plausibility, summary statistic,
threshold, confidence) and says ``insufficient_data`` with the reason wherever a number cannot
be supported. A protocol never builds a Measurement itself.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import Conditioning
from screen.errors import MovescreenError
from screen.results import confidence as conf
from screen.results.result import Measurement
from screen.results.thresholds import classify, rule
from screen.trial import Trial

Statistic = Literal["best rep", "median of reps", "worst rep", "median of steps",
                    "end range"]
Kind = Literal["rep", "step", "movement", "frames"]


@dataclass(frozen=True)
class MeasureSpec:
    """One measure of a protocol.

    ``views`` the camera views it can be read from; ``max_turn_deg`` the largest turn of the body
    away from the ideal view (side: 90° − turn; front/back: turn) at which its error stays
    within its stated bound (the derivation is in the protocol's doc); ``bounds`` the
    physiologically plausible range (unit) with ``bounds_source``: a value outside is never
    published; ``statistic`` how per-repetition values are summarised; ``sides`` ``each`` (left
    and right) or ``midline`` (one value, side ``both``); ``landmarks`` those whose evidence
    (visibility, jitter) its confidence reads, as ``{side: indices}``."""

    name: str
    unit: str
    views: tuple[str, ...]
    max_turn_deg: float
    bounds: tuple[float, float]
    bounds_source: str
    statistic: Statistic
    landmarks: Mapping[str, tuple[int, ...]]
    sides: Literal["each", "midline"] = "each"
    max_spread: float = 20.0  # unit; per-rep values spread wider than this are inconsistent
    activities: tuple[str, ...] | None = None  # None: the protocol's


@dataclass(frozen=True)
class Rep:
    """One counted repetition (or step, or movement): frames ``start``..``end`` (exclusive),
    ``bottom`` its deepest frame, in segment ``segment``; ``partial`` when the clip cuts it."""

    index: int
    start: int
    bottom: int
    end: int
    segment: int
    partial: bool = False


@dataclass(frozen=True)
class Rejected:
    """A candidate repetition that was not counted, and why."""

    bottom: int
    reason: str


@dataclass(frozen=True)
class Value:
    """One per-repetition value of measure ``name`` on ``side`` (``both`` for midline measures),
    read at ``frame`` (None with ``value`` None when the rep had no usable frame)."""

    name: str
    side: str
    rep: int
    frame: int | None
    value: float | None
    flags: dict[str, Any] = field(default_factory=dict)


@dataclass
class Findings:
    """What a protocol found. ``sides`` are the sides it reports (e.g. only the test leg plus
    the other leg as missing); ``missing`` gives the reason for a (measure, side) that has no
    value by design (the far leg, not the test leg); ``frames`` per-frame columns (T,);
    ``details`` how the protocol measured (e.g. the hip-rotation path), added to the result's
    ``view``."""

    kind: Kind
    reps: list[Rep] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    missing: dict[tuple[str, str], str] = field(default_factory=dict)
    no_value: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    frames: dict[str, NDArray] = field(default_factory=dict)
    sides: tuple[str, ...] = ("left", "right")
    details: dict[str, Any] = field(default_factory=dict)  # how it was measured (result's view)


@dataclass(frozen=True)
class Protocol:
    """A registered screening protocol (see the module docstring)."""

    name: str
    title: str
    landmarks: tuple[int, ...]
    conditioning: Conditioning
    world_conditioning: Conditioning
    settings: type
    measures: tuple[MeasureSpec, ...]
    activities: tuple[str, ...]
    rep_views: tuple[str, ...]
    rep_activities: tuple[str, ...]
    find: Callable[[Trial, Any, dict[str, NDArray[np.bool_]]], Findings]
    frame_measures: Callable[..., dict[str, NDArray]]
    doc: str = ""

    # The names the live view and batch read (one object, whatever the caller).
    @property
    def NAME(self) -> str:  # noqa: N802
        return self.name

    @property
    def Settings(self) -> type:  # noqa: N802
        return self.settings

    @property
    def CONDITIONING(self) -> Conditioning:  # noqa: N802
        return self.conditioning

    @property
    def VIEWS(self) -> tuple[str, ...]:  # noqa: N802
        return tuple(dict.fromkeys(v for m in self.measures for v in m.views))

    def measure(self, name: str) -> MeasureSpec:
        return next(m for m in self.measures if m.name == name)


REGISTRY: dict[str, Protocol] = {}
REPS = "_repetitions"  # key of the frames where repetitions are counted (``allowed``)
_FAMILY = {"side": "sagittal", "front": "frontal", "back": "frontal"}


def register(protocol: Protocol) -> Protocol:
    """Add ``protocol`` to :data:`REGISTRY` under its name (once)."""
    if protocol.name in REGISTRY:
        raise ValueError(f"protocol {protocol.name} registered twice")
    REGISTRY[protocol.name] = protocol
    return protocol


# ---- settings ---------------------------------------------------------------------------------

def make_settings(protocol: Protocol, given: Mapping[str, Any]) -> Any:
    """The protocol's Settings from ``given`` (strings from the command line are converted to
    the field's type). Unknown keys, values of the wrong type, values outside a field's
    ``metadata["range"]`` and non-finite numbers are a :class:`MovescreenError` naming the key
    and what is allowed."""
    fields = {f.name: f for f in dataclasses.fields(protocol.settings)}
    hints = typing.get_type_hints(protocol.settings)
    out = {}
    for key, raw in given.items():
        if raw is None:
            continue
        if key not in fields:
            raise MovescreenError(f"unknown setting '{key}' for {protocol.name}; valid: "
                                  f"{', '.join(sorted(fields))}")
        out[key] = _convert(protocol.name, key, raw, hints[key], fields[key].metadata)
    return protocol.settings(**out)


def _convert(test: str, key: str, raw: Any, hint: Any, meta: Mapping[str, Any]) -> Any:
    allowed = [a for a in _literal_values(hint)]
    if allowed:
        if raw not in allowed:
            raise MovescreenError(f"setting {key}={raw!r} for {test}: choose from "
                                  f"{', '.join(str(a) for a in allowed if a is not None)}")
        return raw
    kind = float if _is(hint, float) else int if _is(hint, int) else bool if _is(hint, bool) else str
    try:
        value = (raw.lower() in ("1", "true", "yes") if kind is bool and isinstance(raw, str)
                 else kind(raw))
    except (TypeError, ValueError):
        raise MovescreenError(f"setting {key}={raw!r} for {test}: not a {kind.__name__}") from None
    if kind in (float, int):
        lo, hi = meta.get("range", (-math.inf, math.inf))
        if not math.isfinite(value) or not lo <= value <= hi:
            raise MovescreenError(f"setting {key}={raw!r} for {test}: must be a number from "
                                  f"{lo:g} to {hi:g}")
    return value


def _literal_values(hint: Any) -> tuple[Any, ...]:
    if typing.get_origin(hint) is Literal:
        return typing.get_args(hint)
    out: tuple[Any, ...] = ()
    for arg in typing.get_args(hint):
        out += _literal_values(arg)
    return out


def _is(hint: Any, kind: type) -> bool:
    return hint is kind or kind in typing.get_args(hint)


def setting(default: Any, lo: float = -math.inf, hi: float = math.inf, doc: str = "") -> Any:
    """A Settings field with its allowed range (and a one-line doc)."""
    return field(default=default, metadata={"range": (lo, hi), "doc": doc})


# ---- which frames each measure may use ---------------------------------------------------------

def turn_off(view: str, turn: NDArray | float) -> NDArray:
    """How far a body turn (degrees, 0 front/back … 90 side) is from the ideal of ``view``."""
    turn = np.asarray(turn, dtype=float)
    return 90.0 - turn if view == "side" else turn


def allowed_frames(trial: Trial, protocol: Protocol) -> tuple[dict[str, NDArray[np.bool_]],
                                                              dict[str, str]]:
    """Per measure, the frames (T,) it may be read from: inside a segment whose view is one of
    the measure's views, whose median turn is within its ``max_turn_deg`` of that view, and
    whose activity the protocol measures. Also, per measure with no such frame, the reason."""
    masks, why = {}, {}
    segs = trial.scene.segments
    for m in protocol.measures:
        mask = np.zeros(trial.n_frames, dtype=bool)
        for s in segs:
            if (s.view in m.views and s.activity in (m.activities or protocol.activities)
                    and np.isfinite(s.turn_deg) and turn_off(s.view, s.turn_deg) <= m.max_turn_deg):
                mask[s.frames()] = True
        masks[m.name] = mask
        if not mask.any():
            why[m.name] = _view_reason(m, protocol, trial)
    return masks, why


def rep_frames(trial: Trial, protocol: Protocol) -> NDArray[np.bool_]:
    """(T,) frames where repetitions are counted: segments with one of the protocol's
    ``rep_views`` and ``rep_activities`` (a rep in a view that supports no measure is still counted,
    so the count does not depend on which measures the view allows)."""
    mask = np.zeros(trial.n_frames, dtype=bool)
    for s in trial.scene.segments:
        if s.view in protocol.rep_views and s.activity in protocol.rep_activities:
            mask[s.frames()] = True
    return mask


def _view_reason(m: MeasureSpec, protocol: Protocol, trial: Trial) -> str:
    seen = "; ".join(f"{s.view}"
                     + (f" (turned {s.turn_deg:.0f}°)" if np.isfinite(s.turn_deg) else "")
                     + f" {s.activity.replace('_', ' ')} {trial.t[s.start]:.1f}–{trial.t[s.end - 1]:.1f} s"
                     for s in trial.scene.segments) or "no person"
    ideal = " or ".join(m.views)
    return (f"{m.name.replace('_', ' ')} needs a {ideal} view (body turned at most "
            f"{m.max_turn_deg:g}° from it) with the person "
            f"{' or '.join(a.replace('_', ' ') for a in (m.activities or protocol.activities))};"
            f" this clip shows: {seen}")


# ---- measurements from findings ---------------------------------------------------------------

def measurements(protocol: Protocol, trial: Trial, findings: Findings,
                 why_view: Mapping[str, str], thresholds: dict[str, Any]) -> list[Measurement]:
    """One :class:`Measurement` per declared measure and reported side (module docstring)."""
    out = []
    for m in protocol.measures:
        sides = ("both",) if m.sides == "midline" else findings.sides
        for side in sides:
            out.append(_measurement(protocol, trial, findings, m, side, why_view, thresholds))
    return out


def _measurement(protocol: Protocol, trial: Trial, findings: Findings, m: MeasureSpec, side: str,
                 why_view: Mapping[str, str], thresholds: dict[str, Any]) -> Measurement:
    r = rule(thresholds, protocol.name, m.name)
    values = [v for v in findings.values if v.name == m.name and v.side == side]
    reps = [_rep_entry(v, trial, m) for v in values]

    def insufficient(why: str) -> Measurement:
        return Measurement(name=m.name, side=side, value=None, unit=m.unit,
                           status="insufficient_data", threshold=r, reason=why, reps=reps,
                           statistic=m.statistic)

    if m.name in why_view:
        return insufficient(why_view[m.name])
    if (m.name, side) in findings.missing:
        return insufficient(findings.missing[(m.name, side)])
    usable = [v for v in values if v.value is not None and not v.flags.get("implausible")]
    if not usable:
        if any(v.flags.get("implausible") for v in values):
            return insufficient(f"every value fell outside the plausible range "
                                f"{m.bounds[0]:g}…{m.bounds[1]:g} {m.unit} ({m.bounds_source}): "
                                "the landmarks do not describe this body")
        return insufficient(findings.no_value.get(m.name)
                            or f"no {findings.kind} found to measure")
    vals = np.array([v.value for v in usable], dtype=float)
    value = _summary(m.statistic, vals)
    c = conf.assess(trial, m, usable, n_partial=sum(
        1 for v in usable if v.flags.get("partial")), spread=float(np.ptp(vals)))
    if c.score < conf.PUBLISH_AT_LEAST:
        return insufficient(f"confidence too low to publish ({c.score:.2f} < "
                            f"{conf.PUBLISH_AT_LEAST}): {c.weakest}")
    return Measurement(name=m.name, side=side, value=value, unit=m.unit,
                       status=classify(value, r), threshold=r, median=float(np.median(vals)),
                       reps=reps, statistic=m.statistic, spread=_spread(m.statistic, vals),
                       confidence=c.to_dict())


def _spread(statistic: str, vals: NDArray) -> float | None:
    """Interquartile range around a median statistic, the range (max − min) otherwise; None
    with one value."""
    if len(vals) < 2:
        return None
    if statistic.startswith("median"):
        q1, q3 = np.percentile(vals, [25, 75])
        return float(q3 - q1)
    return float(np.ptp(vals))


def _summary(statistic: str, vals: NDArray) -> float:
    if statistic in ("best rep", "end range", "worst rep"):
        return float(np.max(vals))
    return float(np.median(vals))


def _rep_entry(v: Value, trial: Trial, m: MeasureSpec) -> dict[str, Any]:
    seg = int(trial.scene.segment_index[v.frame]) if v.frame is not None else -1
    return {"rep": v.rep, "frame": v.frame,
            "t_s": None if v.frame is None else float(trial.t[v.frame]),
            "value": v.value, "segment": None if seg < 0 else seg,
            "flags": dict(v.flags)}


def vet(values: list[Value], protocol: Protocol, allowed: Mapping[str, NDArray[np.bool_]]
        ) -> list[Value]:
    """``values`` with ``flags["implausible"]`` set where outside their measure's bounds, and
    the value withdrawn (None, ``flags["outside_view"]``) where it was read on a frame its
    measure may not use (the body turned beyond that measure's limit)."""
    out = []
    bounds = {m.name: m.bounds for m in reversed(protocol.measures)}  # as protocol.measure
    for v in values:
        if v.value is not None and v.frame is not None and not allowed[v.name][v.frame]:
            out.append(dataclasses.replace(v, frame=None, value=None,
                                           flags=v.flags | {"outside_view": True}))
            continue
        lo, hi = bounds[v.name]
        bad = v.value is not None and not lo <= v.value <= hi
        out.append(dataclasses.replace(v, flags=v.flags | {"implausible": True}) if bad else v)
    return out


# ---- repetition candidates --------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """A peak of a protocol's repetition signal inside one segment: ``bottom`` its frame,
    ``start``..``end`` its window (valleys either side, exclusive end), ``partial`` when the
    clip (or the segment) cuts it before it returned on one side."""

    bottom: int
    start: int
    end: int
    segment: int
    partial: bool


def candidates(trial: Trial, signal: NDArray, allowed: NDArray[np.bool_], *,
               min_prominence: float, min_separation_s: float,
               pad_ends: bool = False) -> list[Candidate]:
    """Peaks of ``signal`` (T,) at least ``min_prominence`` above the valleys either side and
    ``min_separation_s`` apart, found in each stretch of consecutive ``allowed`` frames; a
    stretch also ends at a cut (:attr:`screen.scene.segments.Scene.cut`) and where the view
    changes between side and front/back, so a repetition never spans two shots or views. A
    flicker between a view and oblique (a body turned near a view limit) does not split a
    repetition. With ``pad_ends`` each stretch is padded with its lowest
    value, so a repetition cut by the clip's (or the stretch's) ends still counts
    (``partial``). Each candidate's ``segment`` is that of its bottom."""
    from screen.kinematics.events import find_reps

    out = []
    x = np.asarray(signal, dtype=float)
    idx = np.flatnonzero(allowed)
    if len(idx) < 3:
        return out
    names = sorted(set(_FAMILY.values()))
    family = np.zeros(trial.n_frames, dtype=np.int8)  # 0: no family, else 1 + its place in names
    for view, name in _FAMILY.items():
        family[trial.scene.view == view] = 1 + names.index(name)
    last = np.maximum.accumulate(np.where(family != 0, np.arange(len(family)), -1))  # its family
    changed = np.zeros(trial.n_frames, dtype=bool)
    changed[1:] = (last[1:] >= 0) & (last[:-1] >= 0) & (family[last[1:]] != family[last[:-1]])
    breaks = np.flatnonzero((np.diff(idx) > 1) | trial.scene.cut[idx[1:]] | changed[idx[1:]]) + 1
    segment = trial.scene.segment_index
    for part in np.split(idx, breaks):
        out += _candidates_in(trial.t, x, part, segment, min_prominence, min_separation_s,
                              pad_ends, find_reps)
    return out


def _candidates_in(t: NDArray, x: NDArray, part: NDArray, segment: NDArray[np.intp],
                   min_prominence: float, min_separation_s: float, pad_ends: bool,
                   find_reps: Callable) -> list[Candidate]:
    """The candidates of one stretch ``part`` (frame indices); ``segment`` (T,) is each frame's
    segment index (−1 outside every segment)."""
    y, tt = x[part], t[part]
    if np.sum(np.isfinite(y)) < 3:
        return []
    # Gaps (a landmark hidden at the bottom) are bridged for peak finding only: a missing
    # stretch must not read as a valley splitting one repetition into two.
    ok = np.isfinite(y)
    y = np.interp(tt, tt[ok], y[ok])
    if pad_ends:
        low = float(np.nanmin(y))
        dt = float(np.median(np.diff(tt)))
        y = np.concatenate([[low], y, [low]])
        tt = np.concatenate([[tt[0] - dt], tt, [tt[-1] + dt]])
    peaks, bounds = find_reps(y, tt, min_prominence=min_prominence,
                              min_separation_s=min_separation_s)
    shift = 1 if pad_ends else 0
    n = len(part)
    yy = y[shift:len(y) - shift] if pad_ends else y
    before = np.minimum.accumulate(yy)  # lowest level reached up to each frame
    after = np.minimum.accumulate(yy[::-1])[::-1]  # ... from each frame on
    a = np.clip(bounds[:len(peaks)] - shift, 0, n - 1)  # each peak's window, in the stretch
    b = np.clip(bounds[1:len(peaks) + 1] - shift, 1, n)
    pk = np.clip(peaks - shift, 0, n - 1)
    half = yy[pk] - 0.5 * (yy[pk] - np.min(yy))
    # cut by the stretch's start or end before coming back half-way to its lowest level
    partial = ((a == 0) & ~(before[pk] < half)) | ((b == n) & ~(after[pk] < half))
    return [Candidate(*c) for c in zip(part[pk].tolist(), part[a].tolist(), (part[b - 1] + 1).tolist(),
                                         segment[part[pk]].tolist(), partial.tolist(), strict=True)]
