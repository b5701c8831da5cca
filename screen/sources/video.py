"""Frame sources. A video file is streamed frame by frame (memory does not grow with length),
with each frame's own container timestamp and the container's rotation applied."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # FFmpeg's own stderr lines: our errors say it
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from screen.errors import MovescreenError  # noqa: E402

PREFETCH = 8  # decoded frames buffered ahead of the consumer
DECODE_THREADS = 1  # FFmpeg threads per open file (see _open)
MIN_FRAMES = 2  # fewer decodable frames (a still image renamed .mp4, a 1-frame file) is refused
# A video whose decodable frames fall short of this fraction of the count its container declares
# is truncated or damaged (OpenCV otherwise stops quietly at the first broken packet, and the
# analysis would silently cover only the first part); landmarks with more frames than the declared
# count over this fraction were not taken from that video (screen.scene.vertical.from_video).
MIN_DECODED_FRACTION = 0.9


@dataclass(frozen=True)
class VideoInfo:
    """Facts about a video file. ``width``/``height`` are of the displayed frame, after the
    rotation in the container's metadata (``rotation_deg``) has been applied."""

    path: str
    width: int
    height: int
    fps_nominal: float
    frames_nominal: int
    rotation_deg: int


@dataclass(frozen=True)
class Frame:
    index: int
    t: float  # seconds, from the container's presentation timestamp
    rgb: NDArray[np.uint8]  # (H, W, 3)


def _open(path: Path) -> cv2.VideoCapture:
    if not path.exists():
        raise MovescreenError(f"{path}: no such file")
    if not path.is_file() or path.stat().st_size == 0:
        raise MovescreenError(f"{path}: not a video (empty or not a regular file)")
    # one decoding thread: frames are decoded on a thread of their own beside the model anyway,
    # and FFmpeg's frame threads cost ≈ 20% more CPU per frame (0.70 → 0.58 s for the 220
    # frames of knee_to_wall_side.mp4), CPU every other chunk's process needs
    cap = cv2.VideoCapture(str(path), cv2.CAP_ANY, [cv2.CAP_PROP_N_THREADS, DECODE_THREADS])
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    if not cap.isOpened():
        raise MovescreenError(f"{path}: not a video OpenCV can read")
    return cap


class VideoFile:
    """A video file opened for streaming. Use as a context manager::

        with VideoFile(path) as video:
            for frame in video.frames():
                ...

    Timestamps: each frame's ``t`` is the container's presentation time (OpenCV's
    ``CAP_PROP_POS_MSEC`` after the read), so variable-frame-rate files keep their real timing.
    If the container gives no usable time (non-increasing), the nominal ``index / fps`` is used
    and :attr:`nominal_timing` becomes True. A file with fewer than :data:`MIN_FRAMES` decodable
    frames is a MovescreenError (a movement needs a video, not a still image).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._cap = _open(self.path)
        self._head = self._read_head()
        first = self._head[0][0]
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.info = VideoInfo(
            path=str(self.path), width=int(first.shape[1]), height=int(first.shape[0]),
            fps_nominal=fps if fps > 0 else float("nan"),
            frames_nominal=int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
            rotation_deg=int(self._cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0))
        self._start = 0  # index of the first frame :meth:`frames` yields
        self.nominal_timing = False

    def _read_head(self) -> list[tuple[NDArray[np.uint8], float]]:
        """The first :data:`MIN_FRAMES` frames (BGR, seconds), read at opening to refuse a file
        that has fewer."""
        head = []
        while len(head) < MIN_FRAMES:
            ok, bgr = self._cap.read()
            if not ok or bgr is None:
                self._cap.release()
                what = "no decodable frames" if not head else "only one decodable frame (a still " \
                    f"image?); a movement needs at least {MIN_FRAMES}"
                raise MovescreenError(f"{self.path}: contains {what}")
            head.append((bgr, self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0))
        return head

    def __enter__(self) -> VideoFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._cap.release()

    def rewind(self) -> None:
        """Start again from the first frame (the file is reopened: seeking is not exact in
        every container)."""
        self._cap.release()
        self._cap = _open(self.path)
        self._head = self._read_head()
        self._start = 0
        self.nominal_timing = False

    def seek(self, index: int) -> None:
        """Continue from frame ``index`` (0-based): :meth:`frames` then yields that frame first,
        with its own index and container time. Frame-exact on every clip in ../shared (checked
        pixel by pixel against a sequential decode); callers that need certainty compare the
        frames they overlap (see :mod:`screen.sources.pose`)."""
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, first = self._cap.read()
        if not ok or first is None:
            raise MovescreenError(f"{self.path}: cannot seek to frame {index}")
        self._head = [(first, self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)]
        self._start = index
        self.nominal_timing = False

    def _decoded(self) -> Iterator[tuple[NDArray[np.uint8], float]]:
        yield from self._head
        while True:
            ok, bgr = self._cap.read()
            if not ok:
                return
            yield bgr, self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0

    def frames(self) -> Iterator[Frame]:
        """Frames in order, decoded and converted to RGB on a background thread (so decoding
        overlaps the consumer's work), at most :data:`PREFETCH` ahead."""
        buf: queue.Queue[tuple[NDArray[np.uint8], float] | BaseException | None] = queue.Queue(PREFETCH)
        stop = threading.Event()

        def produce() -> None:
            try:
                for bgr, t in self._decoded():
                    if stop.is_set():
                        return
                    buf.put((cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), t))
            except BaseException as err:  # handed to the consumer, re-raised there
                buf.put(err)
            buf.put(None)

        worker = threading.Thread(target=produce, name="movescreen-decode", daemon=True)
        worker.start()
        try:
            yield from self._consume(buf)
        finally:
            stop.set()
            while worker.is_alive():  # unblock a producer waiting on a full queue
                try:
                    buf.get(timeout=0.05)
                except queue.Empty:
                    pass
            worker.join()

    def _consume(self, buf: queue.Queue) -> Iterator[Frame]:
        index, last_t = self._start, -np.inf
        period = 1.0 / self.info.fps_nominal if np.isfinite(self.info.fps_nominal) else 1 / 30
        while (item := buf.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            rgb, t = item
            if not t > last_t:  # container gave no usable time: fall back to nominal timing
                self.nominal_timing = True
                t = last_t + period if np.isfinite(last_t) else 0.0
            yield Frame(index, t, rgb)
            index, last_t = index + 1, t
