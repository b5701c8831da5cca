"""Frame sources for the live mode, each on its own thread, and the slots that hand frames on.

A source reads frames as fast as they come (a camera) or paced at the file's own frame rate (a
replayed video, so it behaves like a camera) and *publishes* each one, stamped with
:func:`time.perf_counter` at the moment it becomes available, into one or more
:class:`LatestSlot` s. A consumer that is slower than the source never sees a queue build up: a
slot keeps only the newest frame and counts the ones it overwrote (dropped as stale). A slot
made with ``lossless=True`` makes the source wait for the consumer instead (every frame is
analysed; used for tests and offline replays).

Frames carry RGB pixels (what the pose model takes); the display converts to BGR once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from screen.errors import MovescreenError
from screen.sources.video import VideoFile


@dataclass(frozen=True)
class CapturedFrame:
    """One frame from a source.

    ``index`` counts frames read from the source (0-based, gaps mean nothing: every read frame
    gets the next index); ``t`` is the source's time in seconds (container time for a file, time
    since the first frame for a camera), strictly increasing; ``t_capture`` is
    :func:`time.perf_counter` seconds when the frame became available to the pipeline (the start
    of every capture-to-display latency); ``rgb`` is (H, W, 3) uint8.
    """

    index: int
    t: float
    t_capture: float
    rgb: NDArray[np.uint8]
    item: int = 0  # which clip of a replayed playlist it comes from (0 for a camera)


class SourceEnded(Exception):
    """Raised by :meth:`LatestSlot.get` once the source has finished and the slot is empty.
    ``error`` is the reason when the source failed (e.g. a camera unplugged), else None."""

    def __init__(self, error: str | None = None) -> None:
        super().__init__(error or "source ended")
        self.error = error


class LatestSlot:
    """A one-frame hand-over between a producer thread and a consumer thread.

    ``put`` replaces an untaken frame (counted in :attr:`dropped`) unless the slot is
    ``lossless``, in which case ``put`` waits until the consumer has taken the previous frame.
    ``get`` waits for a frame newer than the last one taken. ``on_put`` lets a consumer that
    waits on something else learn that a new frame has arrived.
    """

    def __init__(self, *, lossless: bool = False,
                 on_put: Callable[[], None] | None = None) -> None:
        self.lossless = lossless
        self.on_put = on_put  # called (on the producer's thread) after each new frame
        self.dropped = 0
        self.taken = 0
        self._frame: CapturedFrame | None = None
        self._ended: SourceEnded | None = None
        self._cond = threading.Condition()
        self._closed = False

    def put(self, frame: CapturedFrame) -> None:
        with self._cond:
            while self.lossless and self._frame is not None and not self._closed:
                self._cond.wait(0.1)
            if self._closed:
                return
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self._cond.notify_all()
        if self.on_put is not None:
            self.on_put()

    @property
    def pending(self) -> bool:
        """Whether a frame is waiting to be taken."""
        return self._frame is not None

    def end(self, error: str | None = None) -> None:
        """The source has finished (``error`` says why when it failed)."""
        with self._cond:
            self._ended = SourceEnded(error)
            self._cond.notify_all()

    def close(self) -> None:
        """The consumer has gone: unblock a waiting lossless producer for good."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def get(self, timeout: float | None = None) -> CapturedFrame | None:
        """The newest untaken frame; None after ``timeout`` seconds without one; raises
        :class:`SourceEnded` when the source has finished and nothing is left."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._frame is not None or self._ended is not None,
                                       timeout):
                return None
            if self._frame is None:
                assert self._ended is not None
                raise self._ended
            frame, self._frame = self._frame, None
            self.taken += 1
            self._cond.notify_all()
            return frame


class FrameSource:
    """Base of the sources: :meth:`start` runs :meth:`_frames` on a thread and publishes every
    frame to the slots (and first to ``on_frame``, if set); :meth:`stop` ends it. Subclasses
    set ``width``, ``height``, ``fps``, ``name`` and implement ``_frames`` (yielding
    ``(t, rgb)``; raising MovescreenError on a failure such as a camera lost)."""

    width: int
    height: int
    fps: float
    name: str
    nominal_timing: bool = False
    frames_expected: int = 0  # frames the source declares it will deliver (0: unknown, a camera)
    exhausted: bool = False  # the source ran out of frames by itself (a replayed file's end)

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_read = 0
        self.item = 0  # the clip being read (a playlist of replayed files)
        self.error: str | None = None
        self.on_frame: Callable[[CapturedFrame], None] | None = None  # sees every frame

    def _frames(self) -> Iterator[tuple[float, NDArray[np.uint8]]]:
        raise NotImplementedError

    def start(self, slots: Sequence[LatestSlot]) -> None:
        self._thread = threading.Thread(target=self._run, args=(list(slots),),
                                        name="movescreen-capture", daemon=True)
        self._thread.start()

    def _run(self, slots: list[LatestSlot]) -> None:
        error = None
        try:
            for t, rgb in self._frames():
                if self._stop.is_set():
                    break
                frame = CapturedFrame(self.frames_read, t, time.perf_counter(), rgb, self.item)
                self.frames_read += 1
                if self.on_frame is not None:
                    self.on_frame(frame)
                for slot in slots:
                    slot.put(frame)
        except MovescreenError as err:
            error = str(err)
        except Exception as err:  # handed to the consumer as the reason the source ended
            error = f"{type(err).__name__}: {err}"
        self.error = error
        for slot in slots:
            slot.end(error)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.close()

    def close(self) -> None:
        """Release the device or file."""


class FileReplay(FrameSource):
    """Video files replayed one after another as if they were one camera: frame ``i`` is
    released at ``start + (t_i − t_0)`` of the files' own timestamps (``pace=False``: as fast as
    the consumers take them); each later file continues the time line one frame interval after
    the previous one ended, and its frames carry the next ``item`` number (a live trial never
    spans two files: a file's end is the end of what the person did). With
    :attr:`hold_between_clips` (a guided check) each later file waits, with :attr:`waiting`
    True, until :meth:`allow_next_clip` (the check asks for the next trial's set-up, as a person
    would start the next recording). Rotation and timestamps as
    :class:`screen.sources.video.VideoFile`; every file must have the first one's size."""

    def __init__(self, path: str | Path | Sequence[str | Path], *, pace: bool = True) -> None:
        super().__init__()
        paths = [path] if isinstance(path, (str, Path)) else list(path)
        self._videos = []
        try:
            for p in paths:
                self._videos.append(VideoFile(p))
        except BaseException:
            self.close()
            raise
        info = self._videos[0].info
        for p, v in zip(paths[1:], self._videos[1:], strict=True):
            if (v.info.width, v.info.height) != (info.width, info.height):
                self.close()
                raise MovescreenError(f"{p}: {v.info.width}x{v.info.height}, not the "
                                      f"{info.width}x{info.height} of {paths[0]}: replayed clips "
                                      "must have one size")
        self.width, self.height = info.width, info.height
        self.fps = info.fps_nominal
        self.name = str(paths[0])
        self.rotation_deg = info.rotation_deg
        self.frames_expected = sum(max(v.info.frames_nominal, 0) for v in self._videos)
        self.pace = pace
        self.hold_between_clips = False
        self.waiting = False
        self._allowed = 1  # files that may start
        self._clips = threading.Condition()

    def allow_next_clip(self) -> None:
        """Let the next file start (with :attr:`hold_between_clips`)."""
        with self._clips:
            self._allowed += 1
            self._clips.notify_all()

    def _frames(self) -> Iterator[tuple[float, NDArray[np.uint8]]]:
        start: float | None = None
        offset, t0, last = 0.0, 0.0, None
        step = 1.0 / self.fps if np.isfinite(self.fps) and self.fps > 0 else 1 / 30
        for item, video in enumerate(self._videos):
            if item > 0 and self.hold_between_clips:
                with self._clips:  # the next file waits to be asked for
                    self.waiting = True
                    while self._allowed <= item and not self._stop.is_set():
                        self._clips.wait(0.1)
                    self.waiting = False
                if self._stop.is_set():
                    return
                start = None  # paced again from its first frame
            self.item = item
            first = None
            for frame in video.frames():
                if first is None:
                    first = frame.t
                    offset = 0.0 if last is None else last + step - first
                t = frame.t + offset
                if start is None:
                    start, t0 = time.perf_counter(), t
                if self.pace:
                    wait = start + (t - t0) - time.perf_counter()
                    if wait > 0 and self._stop.wait(wait):
                        return
                self.nominal_timing = video.nominal_timing
                last = t
                yield t, frame.rgb
        self.exhausted = True

    def close(self) -> None:
        for v in self._videos:
            v.close()


class Camera(FrameSource):
    """A camera by OpenCV index. Frames are timestamped on arrival (seconds since the first).
    A camera that cannot be opened is a MovescreenError; one that stops delivering frames
    (unplugged) ends the source with that reason."""

    READ_FAILURES = 10  # consecutive failed reads before the camera counts as lost

    def __init__(self, index: int) -> None:
        super().__init__()
        if index < 0:  # OpenCV crashes (SIGSEGV) on -1
            raise MovescreenError(f"camera {index}: camera numbers are 0 or more")
        level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # our error says it
        try:
            self._cap = cv2.VideoCapture(index)
        finally:
            cv2.utils.logging.setLogLevel(level)
        if not self._cap.isOpened():
            self._cap.release()
            raise MovescreenError(f"camera {index}: cannot be opened (no camera with that number, "
                                  "or it is in use by another program)")
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise MovescreenError(f"camera {index}: opened but delivers no frames")
        self._first = first
        self.height, self.width = first.shape[:2]
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if fps > 0 else float("nan")
        self.name = f"camera {index}"
        self.rotation_deg = 0

    def _frames(self) -> Iterator[tuple[float, NDArray[np.uint8]]]:
        t0 = time.perf_counter()
        yield 0.0, cv2.cvtColor(self._first, cv2.COLOR_BGR2RGB)
        failures, last = 0, 0.0
        while not self._stop.is_set():
            ok, bgr = self._cap.read()
            if not ok or bgr is None:
                failures += 1
                if failures >= self.READ_FAILURES:
                    raise MovescreenError(f"{self.name} stopped delivering frames "
                                          "(unplugged or taken by another program)")
                time.sleep(0.01)
                continue
            failures = 0
            t = max(time.perf_counter() - t0, last + 1e-6)
            last = t
            yield t, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        self._cap.release()


def open_source(*, camera: int | None = None,
                video: str | Path | Sequence[str | Path] | None = None,
                pace: bool = True) -> FrameSource:
    """A :class:`Camera` (``camera`` index) or a :class:`FileReplay` of ``video`` (one file or
    several played one after another)."""
    if video is not None and not (isinstance(video, Sequence) and not isinstance(video, str)
                                  and len(video) == 0):
        return FileReplay(video, pace=pace)
    return Camera(0 if camera is None else camera)
