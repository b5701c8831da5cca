"""What the live view's info column says, as typed view-models for :mod:`screen.live.overlay`.

Pure functions from what was measured (the protocol's frame-measure traces over the rolling
window, a trial's :class:`~screen.results.result.Result`) and the check's declarations
(:class:`~screen.live.guide.CheckSpec`: which traces to show, with which thresholds rule) to
:class:`~screen.live.overlay.Readout`, :class:`~screen.live.overlay.Gauge` and
:class:`~screen.live.overlay.ResultPanel`. Only the current test and side are listed; a leg
that is not the test leg is never listed; every value has its unit and its normal range, every
missing value its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from screen.live.guide import CheckSpec, ReadoutSpec
from screen.live.overlay import Gauge, Readout, ResultPanel, ResultRow, normal_text
from screen.results.result import Result
from screen.results.verdict import LABELS

UNIT_TEXT = {"deg": "deg"}  # Hershey fonts are ASCII: no degree sign


def unit_text(unit: str) -> str:
    return UNIT_TEXT.get(unit, unit)


def traces_for(spec: CheckSpec, side: str | None) -> list[tuple[str, ReadoutSpec, str | None]]:
    """(trace name, its spec, its side) of each readout for the test ``side``: a per-side trace
    (``{side}`` in its name) for that side only, or for both sides when ``side`` is None."""
    out = []
    for r in spec.readouts:
        if "{side}" in r.trace:
            for s in (side,) if side else ("left", "right"):
                out.append((r.trace.format(side=s), r, s))
        else:
            out.append((r.trace, r, side))
    return out


def _label(r: ReadoutSpec, side: str | None, per_side_trace: bool, side_known: bool) -> str:
    if per_side_trace or side_known:
        return f"{r.label} ({side})" if side else r.label
    return r.label


def readouts(spec: CheckSpec, measures: Mapping[str, NDArray], table: Mapping[str, Any],
             side: str | None) -> list[Readout]:
    """The readouts of ``spec`` present in ``measures`` (the frame measures of the current
    view: a trace the view cannot give is not listed), with the newest value of each; a
    per-side trace whose leg has not been seen in the whole window (the hidden leg) is left
    out."""
    rules = table.get(spec.test, {})
    out = []
    for name, r, s in traces_for(spec, side):
        values = measures.get(name)
        if values is None:
            continue
        if "{side}" in r.trace and side is None and not np.isfinite(values).any():
            continue  # the hidden leg
        rule = rules.get(r.rule, {})
        out.append(Readout(_label(r, s, "{side}" in r.trace, side is not None),
                           latest(values), unit_text(str(rule.get("unit", ""))),
                           normal_text(rule)))
    return out


def gauge_trace(spec: CheckSpec, measures: Mapping[str, NDArray], side: str | None) -> str | None:
    """The trace the gauge shows: the check's ``gauge`` for ``side`` (for a per-side trace
    without a side, the first side seen in the window); None when the check has no gauge or the
    current view cannot give it."""
    if not spec.gauge:
        return None
    names = [spec.gauge.format(side=s) for s in ((side,) if side else ("left", "right"))] \
        if "{side}" in spec.gauge else [spec.gauge]
    present = [n for n in names if n in measures]
    return next((n for n in present if np.isfinite(measures[n]).any()),
                present[0] if present else None)


def gauge(spec: CheckSpec, measures: Mapping[str, NDArray], table: Mapping[str, Any],
          side: str | None, best: float) -> Gauge | None:
    """The gauge of :func:`gauge_trace` against its readout's rule, with the trial's ``best``."""
    name = gauge_trace(spec, measures, side)
    r = next((r for r in spec.readouts if r.trace == spec.gauge), None)
    if name is None or r is None:
        return None
    s = side or next((x for x in ("left", "right") if name.startswith(f"{x}_")), None)
    rule = table.get(spec.test, {}).get(r.rule, {})
    return Gauge(_label(r, s, "{side}" in spec.gauge, side is not None),
                 latest(measures[name]), unit_text(str(rule.get("unit", ""))), rule, best)


def result_panel(result: Result, title: str, side: str | None = None) -> ResultPanel:
    """A trial's result: one row per measurement (of ``side`` only, when given), value, unit
    and status in words, and for every value not published the reason; the result's warnings
    (e.g. frames dropped) as notes."""
    rows = []
    for m in result.measurements:
        if side is not None and m.side not in (side, "both"):
            continue
        who = "" if m.side == "both" else f"{m.side.capitalize()} "
        label = LABELS.get(m.name, m.name.replace("_", " "))
        if m.value is None:
            rows.append(ResultRow(f"{who}{label}: not measured", "insufficient_data",
                                  m.reason or "no reason recorded"))
            continue
        rows.append(ResultRow(f"{who}{label}: {m.value:.1f} {unit_text(m.unit)}", m.status,
                              _risk(m.value, m.threshold or {})))
    notes = [str(w) for w in result.quality.get("warnings", [])]
    return ResultPanel(title, rows, notes)


def _risk(value: float, rule: Mapping[str, Any]) -> str:
    cut = rule.get("injury_risk_below")
    if cut is not None and value < cut:
        return f"below the {cut:g} injury-risk cut-off of {rule.get('population', 'one population')}"
    return ""


def side_published(result: Result, side: str | None) -> tuple[bool, str]:
    """Whether ``result`` published a value for ``side`` (any side when None), and if not the
    first reason given."""
    ms = [m for m in result.measurements if side is None or m.side in (side, "both")]
    if any(m.value is not None for m in ms):
        return True, ""
    reasons = [m.reason for m in ms if m.reason]
    return False, reasons[0] if reasons else "no measure had a value"


def latest(values: NDArray) -> float:
    """The newest finite value of a trace, NaN if its last sample is missing."""
    return float(values[-1]) if len(values) and np.isfinite(values[-1]) else float("nan")
