"""Writing the camera frames of a trial to a video file on its own thread.

Every captured frame is queued (never dropped: the recording is what the camera saw, at its
rate, so it can be re-analysed later, e.g. with a larger model); encoding runs on a writer
thread so it never holds up capture, inference or display."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from screen.errors import MovescreenError


class VideoRecorder:
    """``put`` RGB frames (H, W, 3); ``close`` writes what is queued and closes the file.
    MPEG-4 Part 2 (``mp4v``) at ``fps`` frames per second."""

    def __init__(self, path: str | Path, fps: float, size: tuple[int, int]) -> None:
        self.path = Path(path)
        self.frames = 0  # written
        self.queued = 0  # handed over with put
        self._writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"),
                                       float(fps), size)
        if not self._writer.isOpened():
            raise MovescreenError(f"{self.path}: cannot write a video here")
        self._queue: queue.Queue[NDArray[np.uint8] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="movescreen-video", daemon=True)
        self._thread.start()

    def put(self, rgb: NDArray[np.uint8]) -> None:
        self.queued += 1
        self._queue.put(rgb)

    def _run(self) -> None:
        while (rgb := self._queue.get()) is not None:
            self._writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
            self.frames += 1

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._writer.release()
