"""Frame hand-over slots and sources of the live mode."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from screen.errors import MovescreenError
from screen.live.capture import Camera, CapturedFrame, FileReplay, LatestSlot, SourceEnded
from screen.sources.video import VideoFile

CLIP = "samples/squat_front_single_rep.mp4"  # 53 frames, 30 fps, 1.77 s


def frame(i: int) -> CapturedFrame:
    return CapturedFrame(i, i / 30, time.perf_counter(), np.zeros((2, 2, 3), np.uint8))


def test_slot_keeps_only_the_newest_frame_and_counts_drops():
    slot = LatestSlot()
    for i in range(3):
        slot.put(frame(i))
    assert slot.get(0).index == 2
    assert slot.dropped == 2
    assert slot.get(0.01) is None  # nothing newer yet


def test_slot_end_is_raised_once_the_slot_is_empty():
    slot = LatestSlot()
    slot.put(frame(0))
    slot.end("camera 0 stopped delivering frames")
    assert slot.get(0).index == 0
    with pytest.raises(SourceEnded) as ended:
        slot.get(0)
    assert ended.value.error == "camera 0 stopped delivering frames"


def test_lossless_slot_makes_the_producer_wait():
    slot = LatestSlot(lossless=True)
    slot.put(frame(0))
    second = threading.Thread(target=slot.put, args=(frame(1),))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # blocked: frame 0 not taken yet
    assert slot.get(1).index == 0
    second.join(1)
    assert not second.is_alive() and slot.get(1).index == 1 and slot.dropped == 0


def _replay(path, pace: bool) -> tuple[list[CapturedFrame], float]:
    src = FileReplay(path, pace=pace)
    slot = LatestSlot(lossless=True)
    frames = []
    t0 = time.perf_counter()
    src.start([slot])
    try:
        while True:
            f = slot.get(5)
            assert f is not None
            frames.append(f)
    except SourceEnded as ended:
        assert ended.error is None
    src.stop()
    return frames, time.perf_counter() - t0


def test_file_replay_is_paced_at_its_own_frame_rate(shared):
    """53 frames at 30 fps: frame i is released at ≈ i/30 s after the first (the container's
    own timestamps, the same as screen.sources.video gives), never earlier; the median delay is under
    60 ms (tolerance for the shared 2-core machine). Unpaced, the same frames come out."""
    path = shared / CLIP
    frames, _ = _replay(path, pace=True)
    with VideoFile(path) as video:
        t_file = np.array([f.t for f in video.frames()])
    t = np.array([f.t for f in frames])
    np.testing.assert_array_equal(t, t_file)
    released = np.array([f.t_capture for f in frames]) - frames[0].t_capture
    assert np.all(released >= (t - t[0]) - 0.002)
    assert np.median(released - (t - t[0])) < 0.06
    fast, _ = _replay(path, pace=False)
    np.testing.assert_array_equal([f.t for f in fast], t_file)


def test_missing_camera_is_a_clear_error():
    with pytest.raises(MovescreenError, match="camera 97: cannot be opened"):
        Camera(97)
