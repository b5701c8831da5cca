"""The trial video writer: every frame put is in the file, in order."""

from __future__ import annotations

import cv2
import numpy as np

from screen.live.recorder import VideoRecorder


def test_every_frame_is_written_in_order(tmp_path):
    """12 frames of uniform grey levels 0, 20, …, 220 (a level survives compression to within a
    few units): the file has 12 frames of 64×48 at 30 fps with the levels in order."""
    path = tmp_path / "v.mp4"
    rec = VideoRecorder(path, 30.0, (64, 48))
    levels = np.arange(12) * 20
    for v in levels:
        rec.put(np.full((48, 64, 3), v, np.uint8))
    rec.close()
    assert rec.frames == 12
    cap = cv2.VideoCapture(str(path))
    got = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        assert bgr.shape == (48, 64, 3)
        got.append(float(bgr.mean()))
    assert cap.get(cv2.CAP_PROP_FPS) == 30.0
    cap.release()
    np.testing.assert_allclose(got, levels, atol=4)
