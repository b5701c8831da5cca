"""Pure drawing functions for the live view. Each draws onto a BGR uint8 image in place and
returns it; coordinates are pixels of that image (x right, y down). Nothing here measures
anything: values arrive computed by the protocol and :mod:`screen.results.thresholds`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from screen.landmarks import SKELETON
from screen.results.thresholds import RULE_KEYS, classify
from screen.scene.vertical import LEVEL_TOLERANCE_DEG, Vertical

Image = NDArray[np.uint8]
BGR = tuple[int, int, int]

SKELETON_BGR: BGR = (255, 0, 255)  # magenta: rare in real scenes, easy to find in a screenshot
JOINT_BGR: BGR = (255, 255, 255)
TEXT_BGR: BGR = (255, 255, 255)
GUIDANCE_BGR: BGR = (0, 215, 255)  # amber
BACKDROP_BGR: BGR = (0, 0, 0)
STATUS_BGR: dict[str, BGR] = {"normal": (80, 200, 60), "restricted": (0, 140, 255),
                              "outside_normal": (0, 140, 255), "severe": (40, 40, 230),
                              "not_rated": (180, 180, 180), "insufficient_data": (180, 180, 180)}
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


def readout_lines(values: Mapping[str, float], units: Mapping[str, str] | None = None
                  ) -> list[str]:
    """``name: 12.3 unit`` per measure (``--`` when not measurable on the latest frame)."""
    units = units or {}
    return [f"{name.replace('_', ' ')}: "
            + (f"{v:5.1f} {units.get(name, '')}".rstrip() if np.isfinite(v) else "--")
            for name, v in values.items()]


def gauge_range(rule: Mapping[str, Any]) -> tuple[float, float]:
    """Scale of a gauge (degrees): 0 and the rule's thresholds and typical value with margins."""
    marks = [float(rule[k]) for k in (*RULE_KEYS, "typical") if k in rule]
    return min([0.0, *marks]) - 10.0, max([10.0, *marks]) + 15.0


def draw_gauge(image: Image, name: str, value: float, rule: Mapping[str, Any], *,
               best: float = float("nan"), origin: tuple[int, int] = (10, 10),
               width: int = 300) -> Image:
    """A horizontal bar from :func:`gauge_range`: the normal zone tinted by status, a white
    tick per threshold, the current ``value`` as a filled bar coloured by its status and the
    trial's ``best`` so far as a marker."""
    lo, hi = gauge_range(rule)
    scale = text_scale(image)
    height = max(12, round(26 * scale))
    x0, y0 = origin

    def px(v: float) -> int:
        return int(round(x0 + (np.clip(v, lo, hi) - lo) / (hi - lo) * width))

    draw_text_lines(image, [f"{name.replace('_', ' ')} vs threshold"], (x0, y0), scale=scale * 0.9)
    y = y0 + round(34 * scale) + 6
    cv2.rectangle(image, (x0 - 2, y - 2), (x0 + width + 2, y + height + 2), BACKDROP_BGR, -1)
    cv2.rectangle(image, (x0, y), (x0 + width, y + height), (70, 70, 70), -1)
    if np.isfinite(value):
        status = classify(float(value), rule)
        cv2.rectangle(image, (px(min(0.0, value)), y), (px(max(0.0, value)), y + height),
                      STATUS_BGR.get(status, TEXT_BGR), -1)
    for key in ("severe_below", "restricted_below", "normal_min", "normal_max"):
        if key in rule:
            cv2.line(image, (px(rule[key]), y - 4), (px(rule[key]), y + height + 4), TEXT_BGR, 2)
    if np.isfinite(best):
        cv2.drawMarker(image, (px(best), y + height + 8), STATUS_BGR.get(classify(best, rule),
                       TEXT_BGR), cv2.MARKER_TRIANGLE_UP, max(8, height // 2), 2)
    return image


def draw_panel(image: Image, title: str, lines: Iterable[str]) -> Image:
    """A centred dark panel (trial result): ``title`` then ``lines``."""
    lines = [title, *lines]
    scale = text_scale(image)
    w = max(cv2.getTextSize(s, FONT, scale, 1)[0][0] for s in lines) + 12
    x = max(0, (image.shape[1] - w) // 2)
    y = image.shape[0] // 3
    return draw_text_lines(image, lines, (x, y), scale=scale)


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
