"""MediaPipe Tasks PoseLandmarker → :class:`~screen.recording.Recording`."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")  # keep MediaPipe's C++ info lines off stderr

import mediapipe as mp  # noqa: E402
import numpy as np  # noqa: E402
from mediapipe.tasks.python import BaseOptions, vision  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from screen.landmarks import N_LANDMARKS  # noqa: E402
from screen.models import ModelFile  # noqa: E402
from screen.recording import Recording  # noqa: E402
from screen.video import VideoFile  # noqa: E402


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Send what MediaPipe's C++ core writes to file descriptor 2 (INFO/W0000 lines that do not
    honour Python logging) to a scratch file for the duration. ``MOVESCREEN_NATIVE_LOGS=1``
    keeps them."""
    if os.environ.get("MOVESCREEN_NATIVE_LOGS") == "1":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def open_landmarker(model_path: Path, *, mode: str = "video") -> vision.PoseLandmarker:
    """A PoseLandmarker for one person in VIDEO (default) or IMAGE mode. Close it (or use
    ``with``) so MediaPipe's graph is torn down deterministically."""
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE,
        num_poses=1)
    return vision.PoseLandmarker.create_from_options(options)


def landmarks_to_arrays(result: vision.PoseLandmarkerResult) -> tuple[NDArray, NDArray]:
    """One detection result → image (33, 5) and world (33, 3) arrays; NaN when no person."""
    image = np.full((N_LANDMARKS, 5), np.nan, dtype=np.float32)
    world = np.full((N_LANDMARKS, 3), np.nan, dtype=np.float32)
    if result.pose_landmarks:
        image[:] = [(p.x, p.y, p.z, p.visibility, p.presence) for p in result.pose_landmarks[0]]
        world[:] = [(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]]
    return image, world


def estimate(video_path: str | os.PathLike[str], model: ModelFile, *,
             on_frame: Callable[[int, int], None] | None = None) -> Recording:
    """Run the pose model over every frame of a video file.

    Frames without a person are kept as NaN rows (gaps), never dropped. ``on_frame(i, n)``
    is called after each frame with the nominal frame count ``n`` (0 if unknown).
    """
    times: list[float] = []
    images: list[NDArray] = []
    worlds: list[NDArray] = []
    with VideoFile(video_path) as video, quiet_native_logs(), \
            open_landmarker(model.path) as landmarker:
        last_ms = -1
        for frame in video.frames():
            ms = max(int(round(frame.t * 1000)), last_ms + 1)  # VIDEO mode: strictly increasing
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame.rgb)
            img, wld = landmarks_to_arrays(landmarker.detect_for_video(image, ms))
            times.append(frame.t)
            images.append(img)
            worlds.append(wld)
            last_ms = ms
            if on_frame is not None:
                on_frame(frame.index, video.info.frames_nominal)
        info = video.info
        meta = {"source": str(video_path), "width": info.width, "height": info.height,
                "rotation_deg": info.rotation_deg, "fps_nominal": info.fps_nominal,
                "timestamps": "nominal" if video.nominal_timing else "container",
                "model": model.name, "model_sha256": model.sha256}
    return Recording(t=np.asarray(times), image=np.stack(images), world=np.stack(worlds), meta=meta)
