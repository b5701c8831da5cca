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


class VirtualClock:
    """A deterministic clock for the replay: ``perf_counter`` reads virtual seconds and waiting
    on the replay's stop event advances them by exactly the wait (no wall-clock time)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def perf_counter(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        return False  # not stopped


def _replay(path, pace: bool, clock: VirtualClock | None = None) -> list[CapturedFrame]:
    src = FileReplay(path, pace=pace)
    if clock is not None:
        src._stop.wait = clock.wait  # the replay paces itself by waiting on its stop event
    slot = LatestSlot(lossless=True)
    frames = []
    src.start([slot])
    try:
        while True:
            f = slot.get(5)
            assert f is not None
            frames.append(f)
    except SourceEnded as ended:
        assert ended.error is None
    src.stop()
    return frames


def test_file_replay_is_paced_at_its_own_frame_rate(shared, monkeypatch):
    """53 frames at 30 fps, on a virtual clock: frame i is released exactly (t_i − t_0) after
    the first (the container's own timestamps, the same as screen.sources.video gives), and
    the replay waited exactly those gaps. Unpaced, the same frames come out, with no wait."""
    import screen.live.capture as capture

    path = shared / CLIP
    clock = VirtualClock()
    monkeypatch.setattr(capture, "time", clock)
    frames = _replay(path, pace=True, clock=clock)
    with VideoFile(path) as video:
        t_file = np.array([f.t for f in video.frames()])
    t = np.array([f.t for f in frames])
    np.testing.assert_array_equal(t, t_file)
    released = np.array([f.t_capture for f in frames]) - frames[0].t_capture
    np.testing.assert_allclose(released, t - t[0], atol=1e-9)
    np.testing.assert_allclose(np.sum(clock.waits), t[-1] - t[0], atol=1e-9)
    fast_clock = VirtualClock()
    monkeypatch.setattr(capture, "time", fast_clock)
    fast = _replay(path, pace=False, clock=fast_clock)
    np.testing.assert_array_equal([f.t for f in fast], t_file)
    assert fast_clock.waits == []


def test_missing_camera_is_a_clear_error():
    with pytest.raises(MovescreenError, match="camera 97: cannot be opened"):
        Camera(97)
