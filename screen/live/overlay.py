"""Pure drawing functions for the live view. Each draws onto a BGR uint8 image in place and
returns it; coordinates are pixels of that image (x right, y down). Nothing here measures
anything: values arrive computed by the protocol and :mod:`screen.results.thresholds`.

The live view (issue 13) is the camera image with an info column beside it, never over the
person: :func:`compose` makes the canvas, :func:`draw_column` fills the column from a
:class:`Column` view-model (header, step, prompt, problems, readouts, gauge, result, footer).
The session builds the view-models (human text, units, normal ranges); this module only lays
them out and draws them. :func:`draw_loading` is the window's first image while the pose model
loads. :func:`level_indicator` (with :func:`draw_text_lines`) is the one thing drawn on the
camera image besides the skeleton: the spirit level while setting up."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from screen.landmarks import SKELETON
from screen.results.thresholds import RULE_KEYS, classify, status_label
from screen.scene.vertical import LEVEL_TOLERANCE_DEG, Vertical

Image = NDArray[np.uint8]
BGR = tuple[int, int, int]
Box = tuple[int, int, int, int]  # x, y, w, h

SKELETON_BGR: BGR = (255, 0, 255)  # magenta: rare in real scenes, easy to find in a screenshot
JOINT_BGR: BGR = (255, 255, 255)
TEXT_BGR: BGR = (255, 255, 255)
GUIDANCE_BGR: BGR = (0, 215, 255)  # amber
BACKDROP_BGR: BGR = (0, 0, 0)
INJURY_RISK_BGR: BGR = (200, 90, 210)  # violet: a population risk marker, not a status
STATUS_BGR: dict[str, BGR] = {"normal": (80, 200, 60), "restricted": (0, 140, 255),
                              "outside_normal": (0, 140, 255), "severe": (40, 40, 230),
                              "not_rated": (180, 180, 180), "insufficient_data": (180, 180, 180),
                              "injury_risk": INJURY_RISK_BGR}
FONT = cv2.FONT_HERSHEY_SIMPLEX


def text_scale(image: Image) -> float:
    """Font scale for an image: 0.5 at 540 px on the short side, never below 0.4."""
    return max(0.4, min(image.shape[:2]) / 1080)


def draw_skeleton(image: Image, points: NDArray, *, color: BGR = SKELETON_BGR,
                  thickness: int = 3) -> Image:
    """Lines between the :data:`~screen.landmarks.SKELETON` pairs of ``points`` (33, 2) pixels
    and a dot on each joint; pairs with a missing (NaN) end are skipped."""
    p = np.asarray(points, dtype=float)
    pairs = np.array(SKELETON)
    ok = np.all(np.isfinite(p[pairs]), axis=(1, 2))
    segments = np.round(p[pairs[ok]]).astype(np.int32)
    cv2.polylines(image, list(segments), False, color, thickness, cv2.LINE_AA)
    joints = np.unique(pairs[ok])
    for x, y in np.round(p[joints]).astype(int):
        cv2.circle(image, (int(x), int(y)), thickness + 1, JOINT_BGR, -1, cv2.LINE_AA)
    return image


def _line_step(scale: float) -> int:
    thick = max(1, round(scale * 2))
    return int(cv2.getTextSize("Ag", FONT, scale, thick)[0][1] * 1.8)


def text_block_height(n_lines: int, scale: float) -> int:
    """Height in pixels of :func:`draw_text_lines` with ``n_lines`` at ``scale``."""
    return _line_step(scale) * n_lines + 6


def draw_text_lines(image: Image, lines: Sequence[str], origin: tuple[int, int], *,
                    color: BGR = TEXT_BGR, scale: float | None = None,
                    anchor_bottom: bool = False) -> Image:
    """Lines of text on a dark backdrop, top-left at ``origin`` (or bottom-left with
    ``anchor_bottom``)."""
    if not lines:
        return image
    scale = scale or text_scale(image)
    thick = max(1, round(scale * 2))
    sizes = [cv2.getTextSize(s, FONT, scale, thick)[0] for s in lines]
    step = _line_step(scale)
    x, y = origin
    if anchor_bottom:
        y -= text_block_height(len(lines), scale)
    width = max(w for w, _ in sizes) + 12
    cv2.rectangle(image, (x, y), (min(x + width, image.shape[1] - 1), y + step * len(lines) + 6),
                  BACKDROP_BGR, -1)
    for i, s in enumerate(lines):
        cv2.putText(image, s, (x + 6, y + step * (i + 1) - step // 4), FONT, scale, color, thick,
                    cv2.LINE_AA)
    return image


# ---------------------------------------------------------------------------------------------
# View-models of the info column (built by the session, drawn here)

@dataclass(frozen=True)
class Readout:
    """One live measure of the current test and side."""

    label: str  # human text, e.g. "Ankle dorsiflexion (left)"
    value: float  # NaN: not measurable on the latest frame (drawn "--")
    unit: str  # the thresholds' unit: "deg", "foot lengths", "cm"
    normal: str = ""  # e.g. "normal >= 10 deg" (:func:`normal_text`); "" = no threshold


@dataclass(frozen=True)
class Gauge:
    """The gauged measure: its value against a thresholds.toml rule and the trial's best."""

    label: str
    value: float  # current value, NaN allowed
    unit: str
    rule: Mapping[str, Any]  # a thresholds.toml rule (may have no threshold keys)
    best: float = float("nan")  # the trial's best so far


@dataclass(frozen=True)
class ResultRow:
    text: str  # "Left ankle dorsiflexion: 18.2 deg"
    status: str  # a status key (STATUS_BGR): normal, restricted, insufficient_data, ...
    reason: str = ""  # why (always given for insufficient_data); drawn wrapped under the row


@dataclass(frozen=True)
class ResultPanel:
    title: str
    rows: Sequence[ResultRow]
    notes: Sequence[str] = ()  # warnings (e.g. coverage), drawn wrapped, amber


@dataclass(frozen=True)
class Column:
    """Everything the info column shows, top to bottom; the footer sits at the bottom."""

    header: str  # "Knee-to-wall | left | recording trial 1"
    step: str | None = None  # "Step 2 of 7: set up the camera"
    prompt: Sequence[str] = ()  # instructions, large, wrapped to the column
    problems: Sequence[str] = ()  # what to change now (amber), wrapped
    readouts: Sequence[Readout] = ()  # at most MAX_READOUTS are drawn
    gauge: Gauge | None = None
    result: ResultPanel | None = None
    footer: Sequence[str] = ()  # fps/latency line, key help (small)


COLUMN_WIDTH = 400  # px of the info column beside a 960-px camera image
MIN_HEIGHT = 480  # a shorter camera image is padded below to this height
# draw_column draws at most this many readouts (the first ones; the rest are dropped: the session
# lists only the current test and side, which never has more).
MAX_READOUTS = 4
COLUMN_BGR: BGR = (34, 30, 28)  # the column's background (dark, faintly blue-grey)
PANEL_BGR: BGR = (58, 52, 50)  # the result panel
PANEL_EDGE_BGR: BGR = (120, 110, 105)
RULE_LINE_BGR: BGR = (90, 84, 80)  # separators
MUTED_BGR: BGR = (185, 185, 185)  # secondary text (step, normal range, reasons, footer)
SCALE_BGR: BGR = (200, 200, 200)  # gauge scale ticks and numbers
TRACK_BGR: BGR = (75, 75, 75)  # gauge track where no zone applies
TARGET_BGR: BGR = (255, 255, 0)  # cyan: the value to reach
BEST_BGR: BGR = (255, 255, 255)  # white: the trial's best so far
NEUTRAL_BGR: BGR = (215, 165, 95)  # steel blue: a value without a threshold (not rated)
PAD = 12  # column padding (px at COLUMN_WIDTH; scaled with the column)

# Text roles: (font scale, thickness) at COLUMN_WIDTH; both grow with a wider column.
ROLES: dict[str, tuple[float, int]] = {
    "header": (0.66, 2), "step": (0.6, 1), "prompt": (0.95, 2), "problem": (0.76, 2),
    "label": (0.64, 1), "value": (0.8, 2), "small": (0.54, 1), "title": (0.76, 2),
    "row": (0.64, 1), "status": (0.66, 2), "reason": (0.56, 1), "footer": (0.48, 1),
}
STATUS_WORDS = {"injury_risk": "injury risk", "below_injury_risk_cutoff": "below the risk cut-off"}


def status_text(status: str, rule: Mapping[str, Any] | None = None) -> str:
    """A status key in the words of the HTML report (:func:`screen.results.thresholds.
    status_label`, in lower case): "outside normal", "not rated", "insufficient data",
    "restricted (provisional limit)" with a provisional ``rule``; never snake_case."""
    if status in STATUS_WORDS:
        return STATUS_WORDS[status]
    return status_label(status, dict(rule or {})).lower().replace("_", " ")


def _num(v: float) -> str:
    """A threshold or scale number: 36.5, 10, -3, 0.4."""
    return f"{round(float(v), 2):g}"


def format_value(value: float, unit: str = "") -> str:
    """``18.2 deg``, ``0.23 foot lengths``, ``--`` for NaN (one decimal for degrees and cm,
    two for ratios such as foot lengths)."""
    if not np.isfinite(value):
        return "--"
    digits = 1 if unit in ("deg", "cm", "") or abs(value) >= 10 else 2
    v = round(float(value), digits) + 0.0  # no "-0.0"
    return f"{v:.{digits}f} {unit}".rstrip()


def normal_text(rule: Mapping[str, Any]) -> str:
    """The rule's normal range in words, for :attr:`Readout.normal`: "normal >= 10 deg",
    "normal -3 to 20 deg", "normal <= 0.4 foot lengths", "severe < 10, normal >= 30 deg",
    "risk below 36.5 deg"; "" when the rule has no threshold."""
    u = rule.get("unit", "")
    parts = []
    if "severe_below" in rule and "restricted_below" in rule:
        parts.append(f"severe < {_num(rule['severe_below'])}")
    lo = rule.get("restricted_below", rule.get("normal_min"))
    if lo is None and "severe_below" in rule:
        lo = rule["severe_below"]
    hi = rule.get("normal_max")
    if lo is not None and hi is not None:
        parts.append(f"normal {_num(lo)} to {_num(hi)}")
    elif lo is not None:
        parts.append(f"normal >= {_num(lo)}")
    elif hi is not None:
        parts.append(f"normal <= {_num(hi)}")
    if "injury_risk_below" in rule:
        parts.append(f"risk below {_num(rule['injury_risk_below'])}")
    text = f"{', '.join(parts)} {u}".strip() if parts else ""
    return f"{text} (provisional)" if text and rule.get("provisional") else text


def target_value(rule: Mapping[str, Any]) -> tuple[str, float] | None:
    """The value to reach on a gauge and its rule key: ``restricted_below``, else
    ``normal_min``, else ``injury_risk_below``; None when the rule has none of them."""
    for key in ("restricted_below", "normal_min", "injury_risk_below"):
        if key in rule:
            return key, float(rule[key])
    return None


# ---------------------------------------------------------------------------------------------
# Text primitives

@functools.lru_cache(maxsize=8192)
def _text_size(text: str, scale: float, thick: int) -> tuple[tuple[int, int], int]:
    """cv2.getTextSize, cached: the column measures the same strings every frame (and OpenCV 5
    renders the Hershey names with a TrueType font, ~20 µs per measurement)."""
    (w, h), base = cv2.getTextSize(text, FONT, scale, thick)
    return (w, h), base


def _size(text: str, scale: float, thick: int) -> tuple[int, int]:
    return _text_size(text, scale, thick)[0]


def _line_height(scale: float, thick: int) -> int:
    """Vertical step of one text line: ascent + descent + a gap."""
    (_, h), base = _text_size("Ag", scale, thick)
    return h + base + max(3, round(6 * scale))


def wrap(text: str, width_px: int, scale: float, thickness: int = 1) -> list[str]:
    """``text`` broken at spaces (and explicit newlines) into lines no wider than ``width_px``
    when drawn with :data:`FONT` at ``scale``/``thickness``; a word wider than the width is cut
    (into pieces of at least one character). "" gives []."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        current = ""
        for word in para.split():
            trial = f"{current} {word}" if current else word
            if _size(trial, scale, thickness)[0] <= width_px:
                current = trial
                continue
            if current:
                lines.append(current)
            current = ""
            while _size(word, scale, thickness)[0] > width_px and len(word) > 1:
                n = len(word) - 1
                while n > 1 and _size(word[:n], scale, thickness)[0] > width_px:
                    n -= 1
                lines.append(word[:n])
                word = word[n:]
            current = word
        if current:
            lines.append(current)
    return lines


class _Pen:
    """Draws on ``img``, or only measures when ``img`` is None (the same code lays out and
    draws). ``k`` scales the text roles and line widths."""

    def __init__(self, img: Image | None, k: float = 1.0) -> None:
        self.img, self.k = img, k

    def role(self, name: str) -> tuple[float, int]:
        scale, thick = ROLES[name]
        return scale * self.k, max(1, round(thick * min(self.k, 1.4)))

    def px(self, n: float) -> int:
        return max(1, round(n * self.k))

    def text(self, s: str, x: int, y: int, role: str, color: BGR) -> tuple[int, int]:
        """One line with its top at ``y``; returns its (width, line height)."""
        scale, thick = self.role(role)
        (w, h), _ = _text_size(s, scale, thick)
        if self.img is not None and s:
            cv2.putText(self.img, s, (x, y + h), FONT, scale, color, thick, cv2.LINE_AA)
        return w, _line_height(scale, thick)

    def width(self, s: str, role: str) -> int:
        scale, thick = self.role(role)
        return _size(s, scale, thick)[0]

    def wrap(self, s: str, width: int, role: str) -> list[str]:
        scale, thick = self.role(role)
        return wrap(s, width, scale, thick)

    def lh(self, role: str) -> int:
        return _line_height(*self.role(role))

    def para(self, lines: Sequence[str], x: int, y: int, role: str, color: BGR) -> int:
        """Lines one below the other from ``y``; returns the height used."""
        for i, s in enumerate(lines):
            self.text(s, x, y + i * self.lh(role), role, color)
        return len(lines) * self.lh(role)

    def rect(self, p0: tuple[int, int], p1: tuple[int, int], color: BGR, thick: int = -1) -> None:
        if self.img is not None:
            cv2.rectangle(self.img, p0, p1, color, thick)

    def line(self, p0: tuple[int, int], p1: tuple[int, int], color: BGR, thick: int = 1) -> None:
        if self.img is not None:
            cv2.line(self.img, p0, p1, color, thick)

    def poly(self, pts: Sequence[tuple[int, int]], color: BGR) -> None:
        if self.img is not None:
            cv2.fillConvexPoly(self.img, np.array(pts, np.int32), color, cv2.LINE_AA)


# ---------------------------------------------------------------------------------------------
# Gauge

def gauge_range(rule: Mapping[str, Any]) -> tuple[float, float]:
    """Scale of a gauge: 0, the rule's thresholds (with ``injury_risk_below``) and typical value,
    with margins. Degrees: 10 below and 15 above (at least -10 to 25). Other units (cm, foot
    lengths, ...): a quarter of the span below and half above (a rule without numbers: 0 to 1)."""
    marks = [float(rule[k]) for k in (*sorted(RULE_KEYS), "injury_risk_below", "typical")
             if k in rule]
    if rule.get("unit", "deg") == "deg":
        return min([0.0, *marks]) - 10.0, max([10.0, *marks]) + 15.0
    lo, hi = min([0.0, *marks]), max([0.0, *marks])
    span = (hi - lo) or 1.0
    return lo - 0.25 * span, hi + 0.5 * span


def gauge_x(value: float, rule: Mapping[str, Any], x0: int, width: int) -> int:
    """Pixel x of ``value`` on a gauge bar drawn from ``x0`` over ``width`` px (clipped to the
    scale of :func:`gauge_range`)."""
    lo, hi = gauge_range(rule)
    return int(round(x0 + (float(np.clip(value, lo, hi)) - lo) / (hi - lo) * width))


def _dim(color: BGR, f: float = 0.38) -> BGR:
    return (int(color[0] * f), int(color[1] * f), int(color[2] * f))


def _value_colour(value: float, rule: Mapping[str, Any]) -> BGR:
    """Status colour of a value; not rated: violet below an injury-risk cut-off, else neutral
    blue (never the grey of the track)."""
    status = classify(float(value), dict(rule))
    if status != "not_rated":
        return STATUS_BGR.get(status, TEXT_BGR)
    if "injury_risk_below" in rule and value < rule["injury_risk_below"]:
        return INJURY_RISK_BGR
    return NEUTRAL_BGR


def _scale_ticks(lo: float, hi: float, width: int, pen: _Pen) -> list[float]:
    """Round scale values (steps 1, 2, 5 x 10^n) whose labels do not touch."""
    top = math.floor(math.log10(hi - lo))
    for e in range(top - 2, top + 2):
        for m in (1, 2, 5):
            step = m * 10.0 ** e
            first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
            if last - first + 1 > 9:
                continue
            values = [round(i * step, 6) + 0.0 for i in range(first, last + 1)]
            widest = max((pen.width(_num(v), "small") for v in values), default=0)
            if len(values) < 2 or step / (hi - lo) * width >= widest + pen.px(10):
                return values
    return [lo, hi]


THRESHOLD_KEYS = ("severe_below", "restricted_below", "normal_min", "normal_max",
                  "injury_risk_below")
THRESHOLD_BGR: dict[str, BGR] = {"severe_below": STATUS_BGR["severe"],
                                 "restricted_below": STATUS_BGR["restricted"],
                                 "normal_min": STATUS_BGR["normal"],
                                 "normal_max": STATUS_BGR["normal"],
                                 "injury_risk_below": INJURY_RISK_BGR}


def _threshold_label(key: str, v: float) -> str:
    return {"severe_below": f"severe {_num(v)}", "injury_risk_below": f"risk {_num(v)}"
            }.get(key, _num(v))


def _place(spans: list[tuple[int, int]]) -> list[int]:
    """Row (0, 1, ...) for each [x0, x1) label span, in the given order of priority, so that
    labels in one row do not overlap."""
    taken: list[list[tuple[int, int]]] = []
    rows: list[int] = []
    for a, b in spans:
        row = next((r for r, spans_ in enumerate(taken)
                    if all(b <= c or a >= d for c, d in spans_)), len(taken))
        if row == len(taken):
            taken.append([])
        taken[row].append((a, b))
        rows.append(row)
    return rows


@dataclass(frozen=True)
class _GaugeDraw:
    """One gauge being laid out/drawn: the pen, the view-model and the bar's x extent."""

    pen: _Pen
    g: Gauge
    x0: int
    width: int

    @property
    def inset(self) -> int:
        """The bar is inset by a marker's half-width so triangles at its ends stay in the box."""
        return self.pen.px(9)

    @property
    def bar_x(self) -> tuple[int, int]:
        return self.x0 + self.inset, self.width - 2 * self.inset

    def x(self, v: float) -> int:
        return gauge_x(v, self.g.rule, *self.bar_x)

    @property
    def marks(self) -> list[tuple[str, float]]:
        return [(k, float(self.g.rule[k])) for k in THRESHOLD_KEYS if k in self.g.rule]

    def is_target(self, key: str) -> bool:
        target = target_value(self.g.rule)
        return target is not None and key == target[0]

    @property
    def colour(self) -> BGR:
        return _value_colour(self.g.value, self.g.rule) if np.isfinite(self.g.value) else MUTED_BGR

    def head(self, y: int) -> int:
        """The label (wrapped) and the current value with unit, right-aligned."""
        pen, g = self.pen, self.g
        value_s = format_value(g.value, g.unit)
        vw = pen.width(value_s, "value")
        lines = pen.wrap(g.label, max(pen.px(60), self.width - vw - pen.px(12)), "label") or [""]
        dy = (pen.lh("value") - pen.lh("label")) // 2
        pen.text(value_s, self.x0 + self.width - vw, y, "value", self.colour)
        return max(dy + pen.para(lines, self.x0, y + dy, "label", TEXT_BGR), pen.lh("value"))

    def threshold_labels(self, y: int) -> int:
        """Each threshold's value above its tick (the target first; staggered rows when labels
        would touch) and a triangle pointing down at the target."""
        pen = self.pen
        labels = []
        for key, v in self.marks:
            target = self.is_target(key)
            text = (f"target {_num(v)}" if target and key != "injury_risk_below"
                    else _threshold_label(key, v))
            w = pen.width(text, "small")
            lx = min(max(self.x(v) - w // 2, self.x0), self.x0 + self.width - w)
            labels.append((lx, lx + w + pen.px(8), text, TARGET_BGR if target
                           else THRESHOLD_BGR[key], target))
        order = sorted(range(len(labels)), key=lambda i: (not labels[i][4], labels[i][0]))
        rows = dict(zip(order, _place([labels[i][:2] for i in order]), strict=True))
        n_rows = max(rows.values(), default=-1) + 1
        small = pen.lh("small")
        for i, (lx, _, text, col, _t) in enumerate(labels):
            pen.text(text, lx, y + (n_rows - 1 - rows[i]) * small, "small", col)
        y0, y = y, y + n_rows * small
        tri = pen.px(9)
        target = target_value(self.g.rule)
        if target is not None:
            tx = self.x(target[1])
            pen.poly([(tx - tri, y), (tx + tri, y), (tx, y + tri)], TARGET_BGR)
        return y + tri + pen.px(3) - y0

    def bar(self, y: int) -> tuple[int, int]:
        """The bar (zones tinted by status, the value filled from 0, threshold ticks, the best
        as a white line); returns (bar height, height used)."""
        pen, g, rule = self.pen, self.g, self.g.rule
        lo, hi = gauge_range(rule)
        bar_h, ext = pen.px(24), pen.px(6)
        bx, bw = self.bar_x
        pen.rect((bx, y), (bx + bw, y + bar_h), TRACK_BGR)
        if self.marks and pen.img is not None:  # zones: runs of one colour along the bar
            colours = [_dim(_value_colour(lo + (i + 0.5) / (bw + 1) * (hi - lo), rule))
                       for i in range(bw + 1)]
            start = 0
            for i in range(1, bw + 2):
                if i == bw + 1 or colours[i] != colours[start]:
                    pen.rect((bx + start, y), (bx + i - 1, y + bar_h), colours[start])
                    start = i
        if np.isfinite(g.value):
            a, b = sorted((self.x(0.0 if lo < 0.0 < hi else lo), self.x(g.value)))
            inset = pen.px(5)
            pen.rect((a, y + inset), (max(b, a + 1), y + bar_h - inset), self.colour)
        for key, v in self.marks:
            tx, target = self.x(v), self.is_target(key)
            t = pen.px(4 if target else 3)
            pen.rect((tx - t // 2 - 1, y - ext), (tx + (t - 1) // 2 + 1, y + bar_h + ext),
                     BACKDROP_BGR)  # a dark edge keeps the tick visible over the value bar
            pen.rect((tx - t // 2, y - ext), (tx + (t - 1) // 2, y + bar_h + ext),
                     TARGET_BGR if target else THRESHOLD_BGR[key])
        if np.isfinite(g.best):
            bx = self.x(g.best)
            pen.rect((bx - 1, y - pen.px(2)), (bx + 1, y + bar_h + pen.px(2)), BEST_BGR)
        return bar_h, bar_h + ext

    def scale(self, y: int) -> tuple[list[float], int]:
        """Tick marks and round numbers under the bar."""
        pen = self.pen
        lo, hi = gauge_range(self.g.rule)
        ticks = _scale_ticks(lo, hi, self.bar_x[1], pen)
        for v in ticks:
            tx, s = self.x(v), _num(v)
            pen.line((tx, y), (tx, y + pen.px(5)), SCALE_BGR, 1)
            w = pen.width(s, "small")
            pen.text(s, min(max(tx - w // 2, self.x0), self.x0 + self.width - w), y + pen.px(7),
                     "small", SCALE_BGR)
        return ticks, pen.px(7) + pen.lh("small")

    def best(self, y: int) -> int:
        """A white triangle under the best so far, labelled "best 27" (the space is kept while
        there is no best, so the column does not jump)."""
        pen, g = self.pen, self.g
        tri = pen.px(9)
        if np.isfinite(g.best):
            bx = self.x(g.best)
            pen.poly([(bx, y), (bx - tri, y + tri), (bx + tri, y + tri)], BEST_BGR)
            s = f"best {_num(round(g.best, 1 if g.unit in ('deg', 'cm') else 2))}"
            w = pen.width(s, "small")
            right = bx + tri + pen.px(4)
            pen.text(s, right if right + w <= self.x0 + self.width else bx - tri - pen.px(4) - w,
                     y, "small", BEST_BGR)
        return max(pen.lh("small"), tri + pen.px(2)) + pen.px(4)

    def words(self, y: int) -> int:
        """The status in words: "restricted | target 10 deg", "not rated | above risk 36.5 deg",
        "no threshold (not rated)"."""
        g, rule = self.g, self.g.rule
        ok = bool(np.isfinite(g.value))
        target = target_value(rule)
        if not self.marks:
            words = "no threshold (not rated)"
        elif not ok:
            words = "not measurable on this frame"
        elif RULE_KEYS & rule.keys():
            words = status_text(classify(float(g.value), dict(rule)), rule)
            if "normal_min" in rule and "normal_max" in rule:
                words += (f" | range {_num(rule['normal_min'])} to {_num(rule['normal_max'])}"
                          f" {g.unit}")
            elif target is not None and target[0] != "injury_risk_below":
                words += f" | target {_num(target[1])} {g.unit}"
            elif "normal_max" in rule:
                words += f" | limit {_num(rule['normal_max'])} {g.unit}"
        else:
            words = "not rated"
        if self.marks and ok and "injury_risk_below" in rule:
            cut = float(rule["injury_risk_below"])
            words += (" | below " if g.value < cut else " | above ") + f"risk {_num(cut)} {g.unit}"
        colour = self.colour if (ok and self.marks) else MUTED_BGR
        return self.pen.para(self.pen.wrap(words, self.width, "small"), self.x0, y, "small", colour)


def _gauge(pen: _Pen, g: Gauge, x0: int, y0: int, width: int,
           layout: dict[str, Any] | None = None) -> int:
    d = _GaugeDraw(pen, g, x0, width)
    y = y0 + d.head(y0) + pen.px(2)
    y += d.threshold_labels(y)
    by = y
    bar_h, used = d.bar(y)
    ticks, used_scale = d.scale(y + used)
    y += used + used_scale
    y += d.best(y)
    y += d.words(y)
    if layout is not None:
        target = target_value(g.rule)
        layout.update(bar=(*d.bar_x[:1], by, d.bar_x[1], bar_h), range=gauge_range(g.rule), ticks=ticks,
                      target_x=None if target is None else d.x(target[1]),
                      best_x=d.x(g.best) if np.isfinite(g.best) else None)
    return y - y0


def draw_gauge(image: Image, gauge: Gauge, *args: Any, origin: tuple[int, int] = (10, 10),
               width: int = 300, scale: float | None = None,
               layout: dict[str, Any] | None = None) -> int:
    """The gauge of ``gauge`` with its top-left at ``origin`` over ``width`` px; returns the
    height used. Top to bottom: the label and current value with unit (coloured by status);
    the thresholds as coloured ticks labelled with their value (``severe 10``, ``20``,
    ``risk 36.5``; the target of :func:`target_value` in cyan, labelled ``target 10``, with a
    triangle); the bar (inset a few px at both ends: ``layout["bar"]``; positions on it are
    :func:`gauge_x` of its x and width) with the zones tinted by status, the value filled from 0 in its status
    colour and the best so far as a white line; the numeric scale; a white triangle
    ``best 27``; the status in words. A rule without a threshold draws the scale, the value
    (blue) and "no threshold (not rated)".

    ``origin``/``width`` may also be given positionally; ``scale`` multiplies the text sizes
    (default: ``width`` / 376, the inner width of a default column); ``layout`` (a dict) receives
    ``bar`` (x, y, w, h), ``range``, ``ticks``, ``target_x`` and ``best_x``."""
    if args:
        origin = args[0]
    if len(args) > 1:
        width = args[1]
    k = scale if scale is not None else max(0.6, width / (COLUMN_WIDTH - 2 * PAD))
    return _gauge(_Pen(image, k), gauge, int(origin[0]), int(origin[1]), int(width), layout)


# ---------------------------------------------------------------------------------------------
# The info column

def compose(image: Image, column_width: int = COLUMN_WIDTH) -> tuple[Image, Box]:
    """A new canvas: ``image`` (unchanged) at the top left, the dark info column of
    ``column_width`` px to its right, at least :data:`MIN_HEIGHT` high (a shorter image is padded
    below in black). Returns (canvas, (x, y, w, h) of the column): nothing is drawn over the
    person."""
    h, w = image.shape[:2]
    height = max(h, MIN_HEIGHT)
    canvas = np.zeros((height, w + column_width, 3), np.uint8)
    canvas[:h, :w] = image
    cv2.rectangle(canvas, (w, 0), (w + column_width - 1, height - 1), COLUMN_BGR, -1)
    return canvas, (w, 0, column_width, height)


@dataclass
class ColumnLayout:
    """Where :func:`draw_column` puts each section: ``boxes`` maps "header", "step", "prompt",
    "problems", "readouts" (and "readout0".."readout3"), "gauge", "result", "footer" to
    (x, y, w, h) in canvas pixels (a section not drawn has no box); ``dropped`` names what was
    left out for lack of height ("readout 2", "prompt line 3", "step", "gauge", "footer line 1");
    ``clipped`` is True when even the result panel and problems did not fit."""

    boxes: dict[str, Box] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    clipped: bool = False


def _column_scale(rect: Box) -> float:
    return rect[2] / COLUMN_WIDTH


def _readout(pen: _Pen, r: Readout, x: int, y: int, w: int) -> int:
    value_s = format_value(r.value, r.unit)
    vw = pen.width(value_s, "value")
    colour = TEXT_BGR if np.isfinite(r.value) else MUTED_BGR
    lines = pen.wrap(r.label, max(pen.px(60), w - vw - pen.px(12)), "label") or [""]
    dy = (pen.lh("value") - pen.lh("label")) // 2
    pen.text(value_s, x + w - vw, y, "value", colour)
    h = max(dy + pen.para(lines, x, y + dy, "label", TEXT_BGR), pen.lh("value"))
    normal = r.normal or "no threshold (not rated)"
    return h + pen.para(pen.wrap(normal, w, "small"), x, y + h, "small", MUTED_BGR)


def _result_row(pen: _Pen, row: ResultRow, x: int, y: int, w: int) -> int:
    """A status-coloured bar at the left; the text; the status words (on the text's last line
    when they fit); the reason, wrapped."""
    colour = STATUS_BGR.get(row.status, MUTED_BGR)
    bar = pen.px(5)
    tx, tw = x + bar + pen.px(8), w - bar - pen.px(8)
    lines = pen.wrap(row.text, tw, "row") or [""]
    h = pen.para(lines, tx, y, "row", TEXT_BGR)
    words = status_text(row.status)
    sw = pen.width(words, "status")
    if pen.width(lines[-1], "row") + pen.px(14) + sw <= tw:  # on the last line, right-aligned
        pen.text(words, tx + tw - sw, y + h - pen.lh("row"), "status", colour)
    else:
        h += pen.para(pen.wrap(words, tw, "status"), tx, y + h, "status", colour)
    reason = row.reason or ("reason not given" if row.status == "insufficient_data" else "")
    h += pen.para(pen.wrap(reason, tw, "reason"), tx, y + h, "reason", MUTED_BGR)
    pen.rect((x, y), (x + bar - 1, y + h - pen.px(3)), colour)
    return h


def _result_body(pen: _Pen, p: ResultPanel, x: int, y: int, w: int) -> int:
    y0 = y
    y += pen.para(pen.wrap(p.title, w, "title"), x, y, "title", TEXT_BGR)
    for row in p.rows:
        y += pen.px(6)
        y += _result_row(pen, row, x, y, w)
    if p.notes:
        y += pen.px(6)
    for note in p.notes:
        y += pen.para(pen.wrap(note, w, "reason"), x, y, "reason", GUIDANCE_BGR)
    return y - y0


def _result(pen: _Pen, p: ResultPanel, x: int, y: int, w: int) -> int:
    """The result panel: a lighter box with an edge around the title, rows and notes."""
    pad = pen.px(10)
    height = _result_body(_Pen(None, pen.k), p, x + pad, y + pad, w - 2 * pad) + 2 * pad
    pen.rect((x, y), (x + w - 1, y + height), PANEL_BGR)
    pen.rect((x, y), (x + w - 1, y + height), PANEL_EDGE_BGR, 1)
    _result_body(pen, p, x + pad, y + pad, w - 2 * pad)
    return height


def _problems(pen: _Pen, problems: Sequence[str], x: int, y: int, w: int) -> int:
    y0 = y
    mark = pen.px(5)
    for i, s in enumerate(problems):
        if i:
            y += pen.px(4)
        lines = pen.wrap(s, w - mark - pen.px(8), "problem")
        h = pen.para(lines, x + mark + pen.px(8), y, "problem", GUIDANCE_BGR)
        pen.rect((x, y + pen.px(2)), (x + mark - 1, y + h - pen.px(4)), GUIDANCE_BGR)
        y += h
    return y - y0


Section = tuple[str, Callable[[_Pen, int, int, int], int]]


def _ellipsis(pen: _Pen, lines: list[str], w: int, role: str = "prompt") -> list[str]:
    """``lines`` with " ..." after the last (dropping its last words until it fits ``w``)."""
    last = lines[-1]
    while " " in last and pen.width(last + " ...", role) > w:
        last = last.rsplit(" ", 1)[0]
    while len(last) > 1 and pen.width(last + " ...", role) > w:  # one long word
        last = last[:-1]
    return [*lines[:-1], last + " ..."]


@dataclass
class _Plan:
    """What the column will show, shortened step by step until it fits."""

    column: Column
    prompt: list[list[str]]  # wrapped lines of each prompt entry
    readouts: list[Readout]
    footer: list[str]  # wrapped footer lines
    step: str | None
    gauge: Gauge | None
    prompt_cut: bool = False  # the prompt lost lines: its last line ends in "..."

    def sections(self) -> list[Section]:
        c, step, gauge = self.column, self.step, self.gauge
        out: list[Section] = [("header", lambda p, x, y, w: p.para(
            p.wrap(c.header, w, "header"), x, y, "header", TEXT_BGR))]
        if step:
            out.append(("step", lambda p, x, y, w: p.para(p.wrap(step, w, "step"), x, y, "step",
                                                         MUTED_BGR)))
        flat = [ln for ls in self.prompt for ln in ls]
        cut = self.prompt_cut
        if flat:
            out.append(("prompt", lambda p, x, y, w: p.para(_ellipsis(p, flat, w) if cut else flat,
                                                           x, y, "prompt", TEXT_BGR)))
        if c.problems:
            out.append(("problems", lambda p, x, y, w: _problems(p, c.problems, x, y, w)))
        for i, r in enumerate(self.readouts):
            out.append((f"readout{i}", lambda p, x, y, w, r=r: _readout(p, r, x, y, w)))
        if gauge is not None:
            out.append(("gauge", lambda p, x, y, w: _gauge(p, gauge, x, y, w)))
        if c.result is not None:
            res = c.result
            out.append(("result", lambda p, x, y, w: _result(p, res, x, y, w)))
        return out

    def height(self, pen: _Pen, w: int, gap: int) -> int:
        secs = self.sections()
        body = sum(f(pen, 0, 0, w) for _, f in secs) + gap * (len(secs) - 1)
        return body + (pen.lh("footer") * len(self.footer) + gap if self.footer else 0)

    def _cut_prompt(self) -> str:
        """The last prompt line goes (a whole entry's worth when several entries remain); the
        line left last ends in "..." (a word goes too when the dots do not fit)."""
        self.prompt_cut = True
        if len(self.prompt) > 1:
            self.prompt.pop()
            return f"prompt entry {len(self.prompt) + 1}"
        self.prompt[0] = self.prompt[0][:-1]
        if not self.prompt[0]:
            self.prompt.clear()
        return "prompt line"

    def shorten(self) -> str | None:
        """Drop the lowest-priority part left; its description, or None when only the header,
        problems and result remain."""
        if len(self.readouts) > 1:
            self.readouts.pop()
            return f"readout {len(self.readouts) + 1}"
        if self.step is not None:
            self.step = None
            return "step"
        if len(self.prompt) > 1 or (self.prompt and len(self.prompt[0]) > 1):
            return self._cut_prompt()
        if self.gauge is not None:
            self.gauge = None
            return "gauge"
        if self.readouts:
            self.readouts.pop()
            return "readout 1"
        if self.prompt:
            return self._cut_prompt()
        if self.footer:
            self.footer.pop(0)
            return "footer line"
        return None


def layout_column(rect: Box, column: Column) -> ColumnLayout:
    """The section boxes :func:`draw_column` uses for ``column`` in ``rect`` (nothing drawn)."""
    return _column(None, rect, column)


def draw_column(canvas: Image, rect: Box, column: Column, *,
                layout: ColumnLayout | None = None) -> Image:
    """Fill the info column ``rect`` (x, y, w, h) of ``canvas`` from ``column``: top to bottom
    the header, step, prompt (large), problems (amber), readouts (at most
    :data:`MAX_READOUTS`; each label, value with unit and normal range), gauge and result panel;
    the footer anchored at the bottom. Text wraps to the column. When the sections are taller
    than the column, the lowest-priority parts go first: readouts beyond the first, the step,
    prompt entries and lines beyond the first (the last line kept ends in "..."), the gauge, the
    last readout and prompt line, footer lines; the header, problems and result panel are never
    dropped (if even they do not fit, the bottom is clipped). ``layout`` (a
    :class:`ColumnLayout`) receives the section boxes and what was dropped."""
    out = _column(canvas, rect, column)
    if layout is not None:
        layout.boxes, layout.dropped, layout.clipped = out.boxes, out.dropped, out.clipped
    return canvas


def _column(canvas: Image | None, rect: Box, column: Column) -> ColumnLayout:
    cx, cy, cw, ch = rect
    pen = _Pen(canvas, _column_scale(rect))
    measure = _Pen(None, pen.k)
    pad, gap = pen.px(PAD), pen.px(10)
    x, w = cx + pad, cw - 2 * pad
    pen.rect((cx, cy), (cx + cw - 1, cy + ch - 1), COLUMN_BGR)
    out = ColumnLayout(dropped=[f"readout {i + 1}"
                                for i in range(MAX_READOUTS, len(column.readouts))])
    plan = _Plan(column, [ls for ls in (pen.wrap(s, w, "prompt") for s in column.prompt) if ls],
                 list(column.readouts[:MAX_READOUTS]),
                 [ln for s in column.footer for ln in pen.wrap(s, w, "footer")],
                 column.step or None, column.gauge)
    while plan.height(measure, w, gap) > ch - 2 * pad:
        dropped = plan.shorten()
        if dropped is None:
            out.clipped = True
            break
        out.dropped.append(dropped)

    y = cy + pad
    secs = plan.sections()
    for i, (name, f) in enumerate(secs):
        h = f(pen, x, y, w)
        out.boxes[name] = (x, y, w, h)
        if name.startswith("readout"):
            top = out.boxes.get("readouts", (x, y, w, 0))[1]
            out.boxes["readouts"] = (x, top, w, y + h - top)
        if name == "header":
            pen.line((x, y + h + gap // 2 - 1), (x + w, y + h + gap // 2 - 1), RULE_LINE_BGR, 1)
        y += h + (gap if i < len(secs) - 1 else 0)
    if plan.footer:
        fh = measure.lh("footer") * len(plan.footer)
        fy = cy + ch - pad - fh
        pen.line((x, fy - gap // 2), (x + w, fy - gap // 2), RULE_LINE_BGR, 1)
        pen.para(plan.footer, x, fy, "footer", MUTED_BGR)
        out.boxes["footer"] = (x, fy, w, fh)
    return out


# ---------------------------------------------------------------------------------------------
# Loading

def draw_loading(size: tuple[int, int], message: str, detail: str = "") -> Image:
    """A new BGR canvas of ``size`` (w, h): ``message`` (e.g. "movescreen: loading the pose
    model...") large and white in the middle, ``detail`` smaller in grey under it, both wrapped
    and centred; static (no animation). Shown before the first camera frame or while the model
    loads, so the window opens at once."""
    w, h = size
    img = np.zeros((h, w, 3), np.uint8)
    cv2.rectangle(img, (0, 0), (w - 1, h - 1), COLUMN_BGR, -1)
    k = max(0.6, min(w / 960, h / 540) * 1.5)
    pen = _Pen(img, k)
    width = int(w * 0.85)
    big = pen.wrap(message, width, "prompt")
    small = pen.wrap(detail, width, "row") if detail else []
    total = len(big) * pen.lh("prompt") + (pen.px(12) + len(small) * pen.lh("row") if small
                                           else 0)
    y = (h - total) // 2
    for s in big:
        pen.text(s, (w - pen.width(s, "prompt")) // 2, y, "prompt", TEXT_BGR)
        y += pen.lh("prompt")
    if small:
        y += pen.px(12)
        ly = y - pen.px(6)
        pen.line((w // 2 - pen.px(60), ly), (w // 2 + pen.px(60), ly), RULE_LINE_BGR, 1)
        for s in small:
            pen.text(s, (w - pen.width(s, "row")) // 2, y, "row", MUTED_BGR)
            y += pen.lh("row")
    return img


def stats_line(display_fps: float, analysed_fps: float, latency_ms: float,
               pose_latency_ms: float) -> str:
    """The pipeline figures shown on screen."""
    return (f"shown {display_fps:4.1f} fps | pose {analysed_fps:4.1f} fps | "
            f"latency {latency_ms:3.0f} ms (skeleton {pose_latency_ms:3.0f} ms)")


LEVEL_OK_BGR: BGR = (80, 200, 60)  # green: level within LEVEL_TOLERANCE_DEG
LEVEL_REFERENCE_BGR: BGR = (200, 200, 200)


def level_indicator(image: Image, vertical: Vertical, *, center: tuple[int, int] | None = None,
                    length: int | None = None) -> Image:
    """A spirit level for setting up the camera: a grey reference line along the image's own
    horizontal and, through the same ``center`` (default: the top quarter of the image, centred),
    the true horizontal found by :mod:`screen.scene.vertical` — turned ``vertical.roll_deg``
    clockwise, green when within :data:`~screen.scene.vertical.LEVEL_TOLERANCE_DEG` of level,
    amber otherwise — with one line of text. Straighten the camera until the lines coincide.
    Without an estimate (``source`` "assumed_level") only the reference and the reason's gist
    are shown."""
    h, w = image.shape[:2]
    cx, cy = center if center is not None else (w // 2, h // 4)
    half = (length if length is not None else int(0.6 * w)) / 2
    cv2.line(image, (int(cx - half), cy), (int(cx + half), cy), LEVEL_REFERENCE_BGR, 1, cv2.LINE_AA)
    scale = text_scale(image)
    if vertical.source == "assumed_level":
        return draw_text_lines(image, ["level: unknown (no straight edges seen)"], (10, cy + 10),
                               color=LEVEL_REFERENCE_BGR, scale=scale)
    a = np.radians(vertical.roll_deg)
    d = half * np.array([np.cos(a), np.sin(a)])  # true horizontal, turned clockwise by the roll
    ok = abs(vertical.roll_deg) <= LEVEL_TOLERANCE_DEG
    color = LEVEL_OK_BGR if ok else GUIDANCE_BGR
    p0 = np.round(np.array([cx, cy]) - d).astype(int)
    p1 = np.round(np.array([cx, cy]) + d).astype(int)
    cv2.line(image, (int(p0[0]), int(p0[1])), (int(p1[0]), int(p1[1])), color, 3, cv2.LINE_AA)
    text = (f"camera level ({vertical.roll_deg:+.1f} deg)" if ok
            else f"camera tilted {vertical.roll_deg:+.1f} deg: straighten it")
    return draw_text_lines(image, [text], (10, cy + int(abs(d[1])) + 10), color=color, scale=scale)
