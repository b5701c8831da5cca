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

Cost: one IMAGE-mode detection per sampled frame (one per 2 s of video, at most 10), and
decoding the video up to the last sampled frame, once, in order (no seeks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import mediapipe as mp
import numpy as np

from screen.scene.framing import BODY, seen
from screen.sources.subject import body_height

EVERY_S = 2.0
MAX_SAMPLES = 10
MAX_PEOPLE = 4
SIMILAR_SIZE = 0.8


def count(video: str | Path, model_path: Path) -> dict[str, Any]:
    """The people counts of the module docstring for a video file (empty when unreadable)."""
    from screen.sources.pose import landmarks_to_arrays, open_landmarker, quiet_native_logs

    cap = cv2.VideoCapture(str(video))
    try:
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        if n <= 0:
            return {}
        step = max(1, int(round(EVERY_S * fps)))
        frames = np.arange(0, n, step)[:MAX_SAMPLES]
        found = []
        at = 0  # index of the frame the next read returns
        with quiet_native_logs(), open_landmarker(model_path, mode="image",
                                                  num_poses=MAX_PEOPLE) as lm:
            for f in frames:
                # read on, not seek: a seek decodes again from the key frame before its target
                # (on knee_to_wall_side.mp4 the 4 seeks cost 1.2 s of CPU, reading on 0.5 s)
                while at < f and cap.grab():
                    at += 1
                ok, bgr = cap.read()
                at += 1
                if not ok or at - 1 != f:
                    break
                image = mp.Image(image_format=mp.ImageFormat.SRGB,
                                 data=np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
                img, _ = landmarks_to_arrays(lm.detect(image), MAX_PEOPLE)
                found.append(img)
    finally:
        cap.release()
    return summarise(np.stack(found)) if found else {}


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
