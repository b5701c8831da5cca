"""The screening result, its JSON form and its short human summary."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd

from screen.recording import Recording
from screen.thresholds import Status


@dataclass(frozen=True)
class Measurement:
    """One measure for one side.

    ``value`` is the best (largest) end-range value over the repetitions and ``median`` their
    median; both are None when ``status`` is ``insufficient_data``, and ``reason`` says why.
    ``reps`` holds one dict per repetition (time, value, heel state).
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


@dataclass(frozen=True)
class Result:
    """Everything one analysis found. ``frames`` (the per-frame table) and ``recording`` (the
    landmarks) are not part of the JSON form; they are written beside it."""

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

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)
             if f.name not in ("frames", "recording")}
        d["measurements"] = [asdict(m) for m in self.measurements]
        return _clean(d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)

    def measurement(self, name: str, side: str) -> Measurement:
        return next(m for m in self.measurements if m.name == name and m.side == side)

    def summary(self) -> str:
        """A few lines for a person: per side and measure the best/median value, reps,
        verdict, then warnings."""
        q = self.quality
        lines = [f"{self.test} — {self.source}",
                 f"view: {self.view['view']}; frames with a person: {q['frames_with_pose']}"
                 f"/{q['frames']}; model: {self.model['name']}"]
        reasons = {m.reason for m in self.measurements}
        one_reason = len(reasons) == 1 and all(m.status == "insufficient_data" for m in self.measurements)
        if one_reason:
            lines.append(f"  insufficient data for every measure — {reasons.pop()}")
        for m in [] if one_reason else self.measurements:
            if m.status == "insufficient_data":
                lines.append(f"  {m.side:5s} {m.name}: insufficient data — {m.reason}")
                continue
            limit = m.threshold.get("restricted_below") if m.threshold else None
            ref = f" (restricted below {limit:g}{_unit(m.unit)})" if limit is not None else ""
            lines.append(f"  {m.side:5s} {m.name}: best {m.value:.1f}{_unit(m.unit)}, median "
                         f"{m.median:.1f}{_unit(m.unit)} over {len(m.reps)} rep(s) → "
                         f"{m.status.upper()}{ref}")
        lines += [f"  warning: {w}" for w in q["warnings"]]
        return "\n".join(lines)


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
