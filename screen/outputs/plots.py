"""Charts for the report (matplotlib, Agg backend): PNG bytes ready to embed.

``angle_over_time``: one measure's per-frame trace with its threshold bands and the measured
repetitions marked. ``history_chart``: one measure over sessions with the minimal detectable
change drawn as a band around the first session's value.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from screen.results.result import Measurement, Result  # noqa: E402

# Per-frame column of a measure where it is not ``test_<name>`` / ``<side>_<name>`` / ``<name>``,
# and the sign that turns that column into the reported value (hip ER is −rotation).
TRACES: dict[tuple[str, str], tuple[str, float]] = {
    ("hip_rotation", "internal_rotation"): ("{side}_rotation", 1.0),
    ("hip_rotation", "external_rotation"): ("{side}_rotation", -1.0),
    ("foot_angle", "foot_progression_angle"): ("{side}_fpa_walking", 1.0),
    ("foot_angle", "foot_progression_angle_standing"): ("{side}_fpa_standing", 1.0),
    ("squat", "heel_lift"): ("heel_rise", 1.0),
    ("squat", "squat_depth"): ("thigh_angle", 1.0),
}
BAND_COLOURS = {"severe": "#d62728", "restricted": "#ff7f0e", "normal": "#2ca02c",
                "injury_risk": "#9467bd"}
FIGSIZE = (6.4, 2.8)  # inches; 100 dpi → 640 × 280 px
DPI = 100


def trace(result: Result, m: Measurement) -> np.ndarray | None:
    """(T,) the per-frame values of measure ``m`` from ``result.frames`` (None when the protocol
    keeps no per-frame column for it)."""
    cols = result.frames.columns
    pattern, sign = TRACES.get((result.test, m.name), ("", 1.0))
    names = ([pattern.format(side=m.side)] if pattern else
             [f"test_{m.name}", f"{m.side}_{m.name}", m.name])
    for name in names:
        if name in cols:
            return sign * result.frames[name].to_numpy(dtype=float)
    return None


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _bands(ax: Any, rule: dict[str, Any], lo: float, hi: float) -> None:
    """Shade the rule's ranges between the axis limits ``lo`` and ``hi``."""
    if "severe_below" in rule:
        ax.axhspan(lo, rule["severe_below"], color=BAND_COLOURS["severe"], alpha=0.15, label="severe")
    if "restricted_below" in rule:
        ax.axhspan(rule.get("severe_below", lo), rule["restricted_below"],
                   color=BAND_COLOURS["restricted"], alpha=0.15, label="restricted")
    if {"normal_min", "normal_max"} & rule.keys():
        ax.axhspan(rule.get("normal_min", lo), rule.get("normal_max", hi),
                   color=BAND_COLOURS["normal"], alpha=0.12, label="normal range")
    if "injury_risk_below" in rule:
        ax.axhline(rule["injury_risk_below"], color=BAND_COLOURS["injury_risk"], ls="--", lw=1.2,
                   label=f"injury-risk cut-off {rule['injury_risk_below']:g} (athletes)")


def angle_over_time(result: Result, m: Measurement) -> bytes | None:
    """PNG of ``m``'s per-frame trace over time (s) with threshold bands and the measured
    repetitions (dots at each rep's measured frame and value); None without a trace."""
    from screen.outputs.annotate import measured_frames

    y = trace(result, m)
    if y is None or not np.any(np.isfinite(y)):
        return None
    t = result.recording.t
    reps = measured_frames(result, m)
    rule = m.threshold or {}
    marks = [v for k, v in rule.items() if k in ("severe_below", "restricted_below", "normal_min",
                                                  "normal_max", "injury_risk_below")]
    finite = y[np.isfinite(y)]
    lo = min([float(finite.min())] + marks) - 5
    hi = max([float(finite.max())] + marks) + 5
    fig, ax = plt.subplots(figsize=FIGSIZE)
    _bands(ax, rule, lo, hi)
    ax.plot(t, y, color="#1f77b4", lw=1.5, label=m.name.replace("_", " "))
    for rep, frame, value in reps:
        ax.axvline(t[frame], color="grey", lw=0.8, ls=":")
        ax.plot(t[frame], value, "o", color="black", ms=5)
        ax.annotate(f"rep {rep}", (t[frame], value), textcoords="offset points", xytext=(4, 6),
                    fontsize=8)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("°" if m.unit == "deg" else m.unit)
    ax.set_title(f"{m.side} {m.name.replace('_', ' ')}", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    return _png(fig)


def history_chart(df: pd.DataFrame, title: str, unit: str, mdc: float | None,
                  changed: Sequence[bool] | None = None) -> bytes:
    """PNG of one measure over sessions: ``df`` has columns ``date`` (or None) and ``value``, in
    time order. The band is the first value ± ``mdc`` (no real change inside it); sessions whose
    set-up changed (``changed``) are drawn as hollow red markers."""
    x = np.arange(len(df))
    values = df["value"].to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=FIGSIZE)
    finite = values[np.isfinite(values)]
    if mdc is not None and len(finite):
        base = float(finite[0])
        ax.axhspan(base - mdc, base + mdc, color="#7f7f7f", alpha=0.2,
                   label=f"no real change (first ± MDC {mdc:g})")
    ax.plot(x, values, "-o", color="#1f77b4", label="value")
    if changed is not None:
        idx = [i for i, c in enumerate(changed) if c]
        ax.plot(x[idx], values[idx], "o", ms=12, mfc="none", mec="#d62728", mew=2,
                label="set-up changed")
    labels = ["undated" if d is None or pd.isna(d) else str(d) for d in df["date"]]
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel("°" if unit == "deg" else unit)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="best")
    return _png(fig)
