"""Counting the people in view from sampled frames (screen.sources.people).

The frames are read on in order rather than sought; the reference is what seeking to each
sampled frame gives (OpenCV ``CAP_PROP_POS_FRAMES``), computed here."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from screen.sources import people


@pytest.mark.parametrize("clip", ["knee_to_wall_side.mp4", "two_people_side.mp4"])
def test_count_detects_on_the_frames_seeking_would_give(shared, model_path, clip, monkeypatch):
    path = shared / "samples" / clip
    cap = cv2.VideoCapture(str(path))
    step = int(round(people.EVERY_S * cap.get(cv2.CAP_PROP_FPS)))
    sought = []
    for f in np.arange(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), step)[:people.MAX_SAMPLES]:
        cap.set(cv2.CAP_PROP_POS_FRAMES, int(f))
        sought.append(cv2.cvtColor(cap.read()[1], cv2.COLOR_BGR2RGB))
    cap.release()
    seen = []
    real = people.mp.Image

    def spy(*, image_format, data):
        seen.append(data.copy())
        return real(image_format=image_format, data=data)

    monkeypatch.setattr(people.mp, "Image", spy)
    counts = people.count(path, model_path)
    assert counts["samples"] == len(sought) == len(seen)
    assert all(np.array_equal(a, b) for a, b in zip(seen, sought, strict=True))

