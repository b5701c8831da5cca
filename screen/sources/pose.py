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

from screen.errors import MovescreenError  # noqa: E402
from screen.landmarks import N_LANDMARKS  # noqa: E402
from screen.recording import Recording  # noqa: E402
from screen.sources.models import ModelFile  # noqa: E402
from screen.sources.subject import SUBJECT_RULE, link_tracks, main_subject  # noqa: E402
from screen.sources.video import VideoFile  # noqa: E402


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


MAX_PEOPLE = 3  # people detected per frame once more than one has been seen
# A video whose decodable frames fall short of this fraction of the count its container declares
# is truncated or damaged (OpenCV otherwise stops quietly at the first broken packet, and the
# analysis would silently cover only the first part).
MIN_DECODED_FRACTION = 0.9


def open_landmarker(model_path: Path, *, mode: str = "video",
                    num_poses: int = 1) -> vision.PoseLandmarker:
    """A PoseLandmarker in VIDEO (default) or IMAGE mode for up to ``num_poses`` people. Close
    it (or use ``with``) so MediaPipe's graph is torn down deterministically."""
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE,
        num_poses=num_poses)
    return vision.PoseLandmarker.create_from_options(options)


def landmarks_to_arrays(result: vision.PoseLandmarkerResult, slots: int | None = None
                        ) -> tuple[NDArray, NDArray]:
    """One detection result → image (33, 5) and world (33, 3) arrays of the first person, or,
    with ``slots``, (slots, 33, 5) and (slots, 33, 3) for up to that many people; NaN where
    nobody."""
    k = 1 if slots is None else slots
    image = np.full((k, N_LANDMARKS, 5), np.nan, dtype=np.float32)
    world = np.full((k, N_LANDMARKS, 3), np.nan, dtype=np.float32)
    for j, (lms, wlms) in enumerate(zip(result.pose_landmarks[:k], result.pose_world_landmarks[:k],
                                        strict=True)):
        image[j] = [(p.x, p.y, p.z, p.visibility, p.presence) for p in lms]
        world[j] = [(p.x, p.y, p.z) for p in wlms]
    return (image[0], world[0]) if slots is None else (image, world)


def _detect_all(video: VideoFile, model: ModelFile, people: int,
                on_frame: Callable[[int, int], None] | None) -> tuple[NDArray, NDArray, NDArray]:
    """One pass of the model over the video: timestamps (T,), image (T, K, 33, 5) and world
    (T, K, 33, 3) landmarks of up to ``people`` = K persons per frame (NaN where fewer)."""
    times: list[float] = []
    images: list[NDArray] = []
    worlds: list[NDArray] = []
    with open_landmarker(model.path, num_poses=people) as landmarker:
        last_ms = -1
        for frame in video.frames():
            ms = max(int(round(frame.t * 1000)), last_ms + 1)  # VIDEO mode: strictly increasing
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame.rgb)
            img, wld = landmarks_to_arrays(landmarker.detect_for_video(image, ms), people)
            times.append(frame.t)
            images.append(img)
            worlds.append(wld)
            last_ms = ms
            if on_frame is not None:
                on_frame(frame.index, video.info.frames_nominal)
    return np.asarray(times), np.stack(images), np.stack(worlds)


def estimate(video_path: str | os.PathLike[str], model: ModelFile, *,
             on_frame: Callable[[int, int], None] | None = None) -> Recording:
    """Run the pose model over every frame of a video file.

    Frames without a person are kept as NaN rows (gaps), never dropped. ``on_frame(i, n)``
    is called after each frame with the nominal frame count ``n`` (0 if unknown).

    The model tracks one person. When the tracked position jumps as if another person had been
    taken for the first (:func:`screen.sources.subject.link_tracks` finds more than one track), a second
    pass detects up to :data:`MAX_PEOPLE` people per frame and the main subject is chosen and
    followed (:mod:`screen.sources.subject`); ``meta["people_max"]`` records how many were seen at once.
    Detecting several people costs more than tracking one (≈ 1.5× the CPU on a one-person clip),
    hence the second pass only when needed.
    """
    with VideoFile(video_path) as video, quiet_native_logs():
        t, image, world = _detect_all(video, model, 1, on_frame)
        declared = video.info.frames_nominal
        if declared and len(t) < MIN_DECODED_FRACTION * declared:
            raise MovescreenError(f"{video_path}: truncated or damaged: only {len(t)} of the "
                                  f"{declared} frames its container declares could be decoded")
        people = 1
        if link_tracks(image, t).max() > 0:
            video.rewind()
            t, image, world = _detect_all(video, model, MAX_PEOPLE, on_frame)
            people = int(np.isfinite(image[:, :, 0, 0]).sum(axis=1).max())
        info = video.info
        meta = {"source": str(video_path), "width": info.width, "height": info.height,
                "rotation_deg": info.rotation_deg, "fps_nominal": info.fps_nominal,
                "timestamps": "nominal" if video.nominal_timing else "container",
                "model": model.name, "model_sha256": model.sha256, "people_max": people}
    if image.shape[1] > 1:
        image, world = _follow(image, world, t)
        meta["subject_rule"] = SUBJECT_RULE
    else:
        image, world = image[:, 0], world[:, 0]
    return Recording(t=t, image=image, world=world, meta=meta)


def _follow(image: NDArray, world: NDArray, t: NDArray) -> tuple[NDArray, NDArray]:
    """The main subject's (T, 33, 5) and (T, 33, 3) out of every person's (T, K, 33, ·)."""
    pick = main_subject(image, t)
    rows = np.arange(len(t))
    img, wld = image[rows, np.maximum(pick, 0)], world[rows, np.maximum(pick, 0)]
    img[pick < 0], wld[pick < 0] = np.nan, np.nan
    return img, wld
