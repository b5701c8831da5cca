"""How many people the camera sees, from a sample of frames.

The pose model tracks one person per frame, so a bystander in full view leaves no trace in the
recording. This check samples one frame every :data:`EVERY_S` seconds (at most
:data:`MAX_SAMPLES`), detects up to :data:`MAX_PEOPLE` people in each with the landmarker in
IMAGE mode, and counts those *in full view* — shoulders, hips and knees inside the frame with one
side visible (:func:`screen.scene.framing.seen`). It records, for the result:

``people_in_full_view``
    the most people in full view on any sampled frame;
``several_fraction``
    the fraction of sampled frames with more than one person in full view;
``similar_fraction``
    the fraction of sampled frames where the second-largest person in full view is at least
    :data:`SIMILAR_SIZE` of the largest's height: then "the largest person" does not single out
    the subject.

Cost: one IMAGE-mode detection per sampled frame (one per 2 s of video, at most 10, ≈ 40 ms
each with the full model). During an analysis the detections run as a tap of the tracking
(:func:`tap`, :class:`screen.sources.pose.Tap`): on the frames the tracking decodes anyway, in
whichever process keeps them; :func:`count` reads the frames itself.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import mediapipe as mp
import numpy as np

from screen.scene.framing import BODY, seen
from screen.sources.subject import body_height

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from screen.sources.pose import Tap

EVERY_S = 2.0
MAX_SAMPLES = 10
MAX_PEOPLE = 4
SIMILAR_SIZE = 0.8


def sample_frames(n_frames: int, fps: float) -> NDArray[np.int64]:
    """Indices of the sampled frames of a video declaring ``n_frames`` at ``fps``: one every
    :data:`EVERY_S` seconds from the first, at most :data:`MAX_SAMPLES` (none when the count is
    unknown)."""
    fps = fps if np.isfinite(fps) and fps > 0 else 30.0
    return np.arange(0, max(n_frames, 0), max(1, int(round(EVERY_S * fps))))[:MAX_SAMPLES]


_LOCK = threading.Lock()
_LANDMARKERS: dict[str, Any] = {}  # model path → IMAGE-mode landmarker, open for the process's life
# (not closed at exit: MediaPipe's own dispatcher has shut down by the time atexit runs)


def _landmarker(model_path: str) -> Any:
    from screen.sources.pose import open_landmarker, quiet_native_logs

    if model_path not in _LANDMARKERS:
        for old in _LANDMARKERS.values():
            old.close()
        _LANDMARKERS.clear()
        with quiet_native_logs():
            _LANDMARKERS[model_path] = open_landmarker(Path(model_path), mode="image",
                                                       num_poses=MAX_PEOPLE)
    return _LANDMARKERS[model_path]


def detect(rgb: NDArray[np.uint8], model_path: str) -> NDArray[np.float32]:
    """Image landmarks (MAX_PEOPLE, 33, 5) of up to :data:`MAX_PEOPLE` people on one RGB frame
    (H, W, 3) (NaN for empty slots), by an IMAGE-mode landmarker kept open in this process."""
    from screen.sources.pose import landmarks_to_arrays

    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
    with _LOCK:
        result = _landmarker(str(model_path)).detect(image)
    return landmarks_to_arrays(result, MAX_PEOPLE)[0]


def tap(model_path: str | Path) -> Tap:
    """The people count as a tap of the tracking (:func:`screen.sources.pose.estimate`); its
    results go to :func:`from_tap`."""
    from screen.sources.pose import Tap

    return Tap(sample_frames, functools.partial(detect, model_path=str(model_path)))


def from_tap(results: dict[int, Any]) -> dict[str, Any]:
    """The counts of the module docstring from a tap's results (frame → detections); the first
    error a detection raised is raised here."""
    for r in results.values():
        if isinstance(r, BaseException):
            raise r
    return summarise(np.stack([results[i] for i in sorted(results)])) if results else {}


def count(video: str | Path, model_path: Path) -> dict[str, Any]:
    """The people counts of the module docstring for a video file (empty when unreadable)."""
    from screen.scene.vertical import read_frames

    cap = cv2.VideoCapture(str(video))
    n, fps = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), cap.get(cv2.CAP_PROP_FPS)
    cap.release()
    frames = read_frames(video, sample_frames(n, fps))
    return from_tap({k: detect(cv2.cvtColor(f, cv2.COLOR_BGR2RGB), str(model_path))
                     for k, f in enumerate(frames)})


def summarise(people: np.ndarray) -> dict[str, Any]:
    """Counts from sampled detections ``people`` (S, K, 33, 5) (NaN for empty slots)."""
    s, k = people.shape[:2]
    full = seen(people.reshape(s * k, 33, 5), BODY).reshape(s, k)
    height = np.where(full, body_height(people), np.nan)
    n_full = full.sum(axis=1)
    ordered = -np.sort(-np.nan_to_num(height, nan=0.0), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        similar = (n_full > 1) & (ordered[:, 1] >= SIMILAR_SIZE * ordered[:, 0])
    return {"samples": int(s), "people_in_full_view": int(n_full.max()) if s else 0,
            "several_fraction": float(np.mean(n_full > 1)) if s else 0.0,
            "similar_fraction": float(np.mean(similar)) if s else 0.0}
