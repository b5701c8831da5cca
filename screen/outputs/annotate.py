"""Pictures of measured frames and the annotated video.

The end-range picture of a repetition is the video frame at that repetition's measured frame
with the skeleton (the recording's landmarks) and the measured angle drawn from the *conditioned*
landmarks the protocol measured from — so the drawn lines are the ones whose angle is reported.
Image coordinates are pixels of the displayed frame, x right, y down (GUIDE §2).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from screen.errors import MovescreenError
from screen.kinematics.sagittal import forward_sign
from screen.landmarks import LEG, SKELETON
from screen.results.result import Measurement, Result

F = NDArray[np.float64]
SKELETON_BGR = (235, 235, 235)
JOINT_BGR = (40, 200, 255)
ANGLE_BGR = (0, 0, 230)
REFERENCE_BGR = (255, 160, 0)
JPEG_QUALITY = 85


@dataclass(frozen=True)
class AngleDrawing:
    """What is drawn for one measured angle on one frame (pixels, x right, y down):
    the angle's ``vertex``, the measured segment from the vertex to ``segment_end``, the
    reference direction from the vertex to ``reference_end`` (true vertical or another segment),
    and the ``label`` written beside it (the reported value)."""

    measure: str
    frame: int
    vertex: tuple[float, float]
    segment_end: tuple[float, float]
    reference_end: tuple[float, float]
    value: float
    label: str


@dataclass(frozen=True)
class Picture:
    """One end-range picture: ``jpeg`` bytes (a photograph: JPEG keeps the report small), the
    ``frame`` index, rep number and what was drawn
    (None when the measure has no drawable angle, e.g. foot progression from world landmarks)."""

    rep: int
    frame: int
    value: float
    jpeg: bytes
    drawing: AngleDrawing | None
    width: int
    height: int


def measured_frames(result: Result, m: Measurement) -> list[tuple[int, int, float]]:
    """``(rep, frame, value)`` for each repetition of ``m`` with a value: the frame is the rep's
    ``frame`` (result contract) or, failing that, the frame whose time is nearest its ``t_s``."""
    t = result.recording.t
    out = []
    for i, rep in enumerate(m.reps):
        if rep.get("value") is None:
            continue
        frame = rep.get("frame")
        if frame is None and rep.get("t_s") is not None:
            frame = int(np.argmin(np.abs(t - float(rep["t_s"]))))
        if frame is not None:
            out.append((int(rep.get("rep", i + 1)), int(frame), float(rep["value"])))
    return out


def end_range_frame(result: Result, m: Measurement) -> int | None:
    """The frame of the repetition whose value is the measurement's reported value (the best
    rep), or of the rep nearest it; None without reps."""
    frames = measured_frames(result, m)
    if not frames or m.value is None:
        return None
    return min(frames, key=lambda r: abs(r[2] - m.value))[1]


def conditioned(result: Result) -> F:
    """(T, 33, 2) the conditioned pixels the result's protocol measured from (its trial's)."""
    return result.trial.points


def vertical(result: Result) -> F:
    """(2,) image direction of true up used by the analysis."""
    return result.trial.up


def test_leg_points(result: Result, side: str) -> tuple[F, F, float]:
    """The measured leg's chain (T, 5, 2) hip, knee, ankle, heel, toe; true up (2,); and the
    forward sign. Legs are re-paired before measuring, so the labelled ``side`` is the measured
    leg; where the protocol chose the near leg per frame (a ``sagittal_leg`` column), each frame
    takes that one."""
    pts = conditioned(result)
    legs = {s: pts[:, list(LEG[s])] for s in ("left", "right")}
    if "sagittal_leg" in result.frames.columns:
        left = (result.frames["sagittal_leg"].to_numpy() == "left")[:, None, None]
        leg = np.where(left, legs["left"], legs["right"])
    else:
        leg = legs["left" if side == "left" else "right"]
    up = vertical(result)
    fwd = forward_sign(leg[:, 3], leg[:, 4], up)
    return leg, up, 1.0 if not np.isfinite(fwd) else fwd


def angle_drawing(result: Result, m: Measurement, frame: int, value: float) -> AngleDrawing | None:
    """The lines of measure ``m`` on ``frame`` (see :class:`AngleDrawing`); None for a measure
    with no single drawable 2-D angle."""
    if m.side not in ("left", "right"):
        return None
    leg, up, fwd = test_leg_points(result, m.side)
    hip, knee, ankle, heel, toe = leg[frame]
    u = "°" if m.unit == "deg" else f" {m.unit}"
    if m.name == "tibial_inclination":
        vertex, seg, ref = ankle, knee, ankle + up * np.linalg.norm(knee - ankle)
    elif m.name == "ankle_dorsiflexion":
        vertex, seg, ref = ankle, knee, ankle + (toe - heel)
    elif m.name in ("internal_rotation", "external_rotation"):
        vertex, seg, ref = knee, ankle, knee - up * np.linalg.norm(ankle - knee)
    else:
        return None
    if not np.all(np.isfinite([vertex, seg, ref])):
        return None
    return AngleDrawing(m.name, frame, _xy(vertex), _xy(seg), _xy(ref), value, f"{value:.1f}{u}")


def drawn_angle(d: AngleDrawing) -> float:
    """The angle (degrees) between the drawn segment and the drawn reference, unsigned, for
    dorsiflexion reported as 90° − that angle (the definition in GUIDE §2)."""
    a = np.subtract(d.segment_end, d.vertex)
    b = np.subtract(d.reference_end, d.vertex)
    ang = float(np.degrees(np.arctan2(abs(a[0] * b[1] - a[1] * b[0]), float(np.dot(a, b)))))
    return 90.0 - ang if d.measure == "ankle_dorsiflexion" else ang


def _xy(p: F) -> tuple[float, float]:
    return float(p[0]), float(p[1])


def read_frame(path: str | Path, index: int) -> NDArray[np.uint8]:
    """The BGR image of frame ``index`` of the video at ``path`` (seeks by index)."""
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise MovescreenError(f"{path}: cannot open the video for the report pictures")
        cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, img = cap.read()
    finally:
        cap.release()
    if not ok:
        raise MovescreenError(f"{path}: cannot read frame {index} for the report pictures")
    return img


def draw_skeleton(img: NDArray[np.uint8], px: F) -> None:
    """Skeleton lines and joints of one frame's landmarks ``px`` (33, 2) pixels, in place."""
    for a, b in SKELETON:
        if np.all(np.isfinite(px[[a, b]])):
            cv2.line(img, _pt(px[a]), _pt(px[b]), SKELETON_BGR, 2, cv2.LINE_AA)
    for p in px:
        if np.all(np.isfinite(p)):
            cv2.circle(img, _pt(p), 4, JOINT_BGR, -1, cv2.LINE_AA)


def draw_angle(img: NDArray[np.uint8], d: AngleDrawing) -> None:
    """The measured segment (red), its reference (blue) and the value label, in place."""
    scale = max(img.shape[:2]) / 1000
    cv2.line(img, _pt(d.vertex), _pt(d.reference_end), REFERENCE_BGR, max(2, int(3 * scale)), cv2.LINE_AA)
    cv2.line(img, _pt(d.vertex), _pt(d.segment_end), ANGLE_BGR, max(2, int(4 * scale)), cv2.LINE_AA)
    org = (int(d.vertex[0] + 15 * scale), int(d.vertex[1] - 20 * scale))
    for colour, thick in (((0, 0, 0), 6), ((255, 255, 255), 2)):
        cv2.putText(img, d.label, org, cv2.FONT_HERSHEY_SIMPLEX, 1.2 * scale, colour,
                    max(1, int(thick * scale)), cv2.LINE_AA)


def _pt(p: Any) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def video_path(result: Result) -> Path | None:
    """The analysed video (``recording.meta["source"]``; for a re-analysed landmarks file the
    video it was recorded from, ``recording.meta["recorded_from"]``; else ``result.source``) if
    it exists and is not a landmarks file."""
    meta = result.recording.meta
    for cand in (meta.get("source"), meta.get("recorded_from"), result.source):
        if cand and Path(cand).is_file() and Path(cand).suffix.lower() != ".npz":
            return Path(cand)
    return None


def end_range_pictures(result: Result, m: Measurement, *, max_width: int = 480) -> list[Picture]:
    """One :class:`Picture` per measured repetition of ``m``; [] without a readable video."""
    path = video_path(result)
    if path is None or m.value is None:
        return []
    px = result.recording.pixels()
    out = []
    for rep, frame, value in measured_frames(result, m):
        img = read_frame(path, frame)
        draw_skeleton(img, px[frame])
        d = angle_drawing(result, m, frame, value)
        if d is not None:
            draw_angle(img, d)
        h, w = img.shape[:2]
        if w > max_width:
            img = cv2.resize(img, (max_width, round(h * max_width / w)), interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        out.append(Picture(rep, frame, value, buf.tobytes(), d, img.shape[1], img.shape[0]))
    return out


def write_annotated_video(result: Result, out: str | Path) -> Path:
    """The analysed clip with the skeleton, the live value of the first measure that has a
    per-frame trace, a repetition counter, and the measured frames marked (red border and
    "MEASURED"). Written as MP4 (``mp4v``) at the clip's frame rate."""
    from screen.outputs.plots import trace

    path = video_path(result)
    if path is None:
        raise MovescreenError(f"{result.source}: the video is not available for --annotated-video")
    live = next(((m, y) for m in result.measurements if m.value is not None
                 for y in [trace(result, m)] if y is not None), None)
    measured = sorted({f for m in result.measurements if m.value is not None
                       for _, f, _ in measured_frames(result, m)})
    px = result.recording.pixels()
    cap = cv2.VideoCapture(str(path))
    fps = result.recording.meta.get("fps_nominal") or 30.0
    size = (result.recording.meta["width"], result.recording.meta["height"])
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), float(fps), size)
    try:
        for i in range(result.recording.n_frames):
            ok, img = cap.read()
            if not ok:
                break
            if img.shape[1::-1] != size:
                img = cv2.resize(img, size)
            _annotate_frame(img, px[i], i, live, measured)
            writer.write(img)
    finally:
        cap.release()
        writer.release()
    return Path(out)


def _annotate_frame(img: NDArray[np.uint8], px: F, i: int, live: tuple[Measurement, F] | None,
                    measured: list[int]) -> None:
    draw_skeleton(img, px)
    scale = max(img.shape[:2]) / 1000
    lines = [f"rep {sum(f <= i for f in measured)}"]
    if live is not None and np.isfinite(live[1][i]):
        m, y = live
        unit = " deg" if m.unit == "deg" else f" {m.unit}"  # OpenCV's font has no degree sign
        lines.insert(0, f"{m.side} {m.name.replace('_', ' ')}: {y[i]:.1f}{unit}")
    if i in measured:
        cv2.rectangle(img, (0, 0), (img.shape[1] - 1, img.shape[0] - 1), ANGLE_BGR, max(4, int(12 * scale)))
        lines.append("MEASURED")
    for k, text in enumerate(lines):
        org = (int(20 * scale), int((50 + 45 * k) * scale))
        for colour, thick in (((0, 0, 0), 6), ((255, 255, 255), 2)):
            cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, 1.1 * scale, colour,
                        max(1, int(thick * scale)), cv2.LINE_AA)
