"""The screening result, its JSON form and its short human summary."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from screen.recording import Recording
from screen.results.thresholds import Status, status_label

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Measurement:
    """One measure for one side.

    ``value`` is the measure's summary over the repetitions (or steps), ``statistic`` says which
    one (e.g. "best rep" — the largest end-range value — or "median of steps"), ``median`` is the
    median over repetitions and ``spread`` their spread: the interquartile range for a median
    statistic, the range (max − min) for the best or worst repetition. Values are None when ``status`` is
    ``insufficient_data``, and ``reason`` says why. ``reps`` holds one dict per repetition or step,
    the same schema for every test: ``rep``, ``frame`` (where the value was read), ``t_s``,
    ``value``, ``segment`` and ``flags``. ``confidence`` (:mod:`screen.results.confidence`):
    ``score``, ``level`` and ``factors`` of a published value.
    """

    name: str
    side: str
    value: float | None
    unit: str
    status: Status
    threshold: dict[str, Any] | None = None
    median: float | None = None
    reps: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    statistic: str = "best rep"
    spread: float | None = None
    confidence: dict[str, Any] | None = None


@dataclass(frozen=True)
class Result:
    """Everything one analysis found. ``frames`` (the per-frame table) and ``recording`` (the
    landmarks) are not part of the JSON form; they are written beside it. ``trial`` is the
    :class:`~screen.trial.Trial` measured (conditioned landmarks, scene, vertical), for outputs
    that draw on it."""

    tool_version: str
    source: str
    model: dict[str, Any]
    test: str
    view: dict[str, Any]
    measurements: list[Measurement]
    quality: dict[str, Any]
    settings: dict[str, Any]
    frames: pd.DataFrame = field(repr=False, compare=False)
    recording: Recording = field(repr=False, compare=False)
    trial: Any = field(default=None, repr=False, compare=False)
    asymmetry: list[dict[str, Any]] = field(default_factory=list)
    detection: dict[str, Any] | None = None
    segments: list[dict[str, Any]] = field(default_factory=list)
    repetitions: dict[str, Any] = field(default_factory=dict)
    vertical: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)
             if f.name not in ("frames", "recording", "trial")}
        d["measurements"] = [asdict(m) for m in self.measurements]
        return _clean(d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)

    def measurement(self, name: str, side: str) -> Measurement:
        return next(m for m in self.measurements if m.name == name and m.side == side)

    def summary(self) -> str:
        """A few lines for a person: how the test was chosen, per side and measure the summary
        value, median, reps and verdict, the left–right asymmetry, then warnings."""
        q = self.quality
        lines = [f"{self.test} — {self.source}",
                 f"view: {self.view['view']}; frames with a person: {q['frames_with_pose']}"
                 f"/{q['frames']}; model: {self.model['name']}"
                 + (f", end-range frames re-measured with {self.model['refined_by']}"
                    if self.model.get("refined_by") else "")]
        if self.detection is not None:
            lines.append(f"test recognised automatically: {self.detection['test']} "
                         f"({self.detection['reason']})")
        lines += [f"  segment {s['index']}: {s['start_s']:.1f}–{s['end_s']:.1f} s {s['view']}"
                  + (f" (turn {s['turn_deg']:.0f}°)" if s.get("turn_deg") is not None else "")
                  + f", {s['activity'].replace('_', ' ')}" for s in self.segments
                  if len(self.segments) > 1]
        reps = self.repetitions
        if reps:
            lines.append(f"  {reps['kind']}s counted: {len(reps['counted'])}"
                         + (f"; not counted: {len(reps['rejected'])} ("
                            + "; ".join(f"{r['t_s']:.1f} s {r['reason']}" for r in reps['rejected'][:4])
                            + ")" if reps.get("rejected") else ""))
        missing: dict[str, list[str]] = {}
        for m in self.measurements:
            if m.status == "insufficient_data":
                missing.setdefault(m.reason or "", []).append(f"{m.side} {m.name}")
                continue
            u = _unit(m.unit)
            median = (f", median {m.median:.1f}{u}"
                      if m.median is not None and "median" not in m.statistic else "")
            kind = reps.get("kind", "rep")
            count = f" over {len(m.reps)} {kind}(s)" if m.reps else ""
            level = f"; {m.confidence['level']} confidence" if m.confidence else ""
            lines.append(f"  {m.side:5s} {m.name}: {m.statistic} {m.value:.1f}{u}{median}{count}"
                         f" → {status_label(m.status, m.threshold)}{_reference(m)}{level}")
        for why, which in missing.items():  # one line per reason, however many measures share it
            names = "every measure" if len(which) == len(self.measurements) else ", ".join(which)
            lines.append(f"  insufficient data ({names}) — {why}")
        for a in self.asymmetry:
            u = _unit(a["unit"])
            verdict = ("" if a["notable"] is None else
                       f" — {'NOTABLE' if a['notable'] else 'within'} {a['threshold']:g}{u}")
            lines.append(f"  asymmetry {a['name']}: left {a['left']:.1f}{u} vs right "
                         f"{a['right']:.1f}{u}, difference {a['difference']:+.1f}{u}{verdict}")
        lines += [f"  warning: {w}" for w in q["warnings"]]
        return "\n".join(lines)


def _reference(m: Measurement) -> str:
    """The threshold the status was judged against, in words."""
    r, u = m.threshold or {}, _unit(m.unit)
    parts = [f"severe below {r['severe_below']:g}{u}" if "severe_below" in r else "",
             f"restricted below {r['restricted_below']:g}{u}" if "restricted_below" in r else "",
             f"normal {r.get('normal_min', float('-inf')):g}{u} to {r.get('normal_max', float('inf')):g}{u}"
             if {"normal_min", "normal_max"} & r.keys() else ""]
    text = "; ".join(p for p in parts if p)
    return f" ({text})" if text else ""


def _unit(unit: str) -> str:
    return "°" if unit == "deg" else f" {unit}"


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf → None, numpy scalars → Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
