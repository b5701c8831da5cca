"""Tracking a video in chunks on several processes, and refining frames with the heavy model.

Expected values: the chunk plans and window merges are hand-computed from the documented rules
(screen.sources.pose); the disagreement helper is checked on exact synthetic shifts; on the real
clip (knee_to_wall_side.mp4) the reference is an uninterrupted single-process run of the model
(for the stitch) and a whole-clip heavy run (for the refinement), each computed here.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np
import pytest

from screen.errors import MovescreenError
from screen.recording import Recording
from screen.sources import pose
from screen.sources.models import resolve
from screen.sources.pose import Span, Tracked

CLIP = "knee_to_wall_side.mp4"  # 220 frames, 30 fps, 720×1280


# ---------------------------------------------------------------------------- plans (pure)


def test_plan_for_the_sample_clip_is_two_chunks_with_a_half_second_warm_up():
    # 220 frames: 220 / (3 s · 30) = 2.4 → 2 chunks; W = 15; each decodes (220 + 15) / 2 = 117.5
    # → chunk 0 keeps [0, 118), chunk 1 decodes from 118 − 15 = 103 and keeps [118, end).
    assert pose.plan_chunks(220, 30.0) == [Span(0, 0, 118), Span(103, 118, None)]


@pytest.mark.parametrize(("n_frames", "chunks"), [(89, 1), (179, 1), (180, 2), (359, 2), (360, 4),
                                                  (30 * 24, 8), (30 * 3600, 8)])
def test_plan_covers_every_frame_once_in_a_power_of_two_of_chunks(n_frames, chunks):
    spans = pose.plan_chunks(n_frames, 30.0)
    assert len(spans) == chunks
    keeps = [s.keep for s in spans] + [n_frames]
    assert keeps[0] == 0 and all(b - a >= 3.0 * 30 - 15 for a, b in zip(keeps, keeps[1:], strict=False))
    assert [s.stop for s in spans] == keeps[1:-1] + [None]
    assert [s.keep - s.start for s in spans] == [0] + [15] * (chunks - 1)


def test_plan_without_a_frame_count_or_rate_is_one_pass():
    assert pose.plan_chunks(0, 30.0) == [Span(0, 0, None)]
    assert pose.plan_chunks(1000, float("nan")) == [Span(0, 0, None)]


def test_refine_windows_merge_when_closer_than_a_warm_up():
    # ±30 frames around 100 and 200 at 30 fps: [70, 131) and [170, 231); 39 frames apart > W = 30
    # → two windows with 30 frames of warm-up each. Around 100 and 180: [150, 211) starts 19
    # frames after 131 → one window [70, 211).
    assert pose.refine_spans(np.array([200, 100]), 1000, 30.0) == [Span(40, 70, 131),
                                                                   Span(140, 170, 231)]
    assert pose.refine_spans(np.array([100, 180]), 1000, 30.0) == [Span(40, 70, 211)]
    assert pose.refine_spans(np.array([5, 995]), 1000, 30.0) == [Span(0, 0, 36), Span(935, 965, 1000)]


# --------------------------------------------------------------------------- stitch (pure)


def _tracked(start: int, keep: int, stop: int, *, shift_digest: bool = False,
             nominal: bool = False, warm_hips_x: float = 0.5) -> Tracked:
    """A chunk of one person standing still (every landmark at 0.5, 0.5), the nose's x set to
    ``keep`` to tell chunks apart; its warm-up sees the hips at ``warm_hips_x``."""
    frames = np.arange(start, stop)
    image = np.full((stop - keep, 1, 33, 5), 0.5, np.float32)
    image[:, :, 0, 0] = keep
    warm = np.full((keep - start, 1, 33, 5), 0.5, np.float32)
    warm[:, :, [23, 24], 0] = warm_hips_x
    return Tracked(Span(start, keep, stop), frames / 30.0, (frames + 1000 * shift_digest).astype(np.uint32),
                   image, np.zeros((stop - keep, 1, 33, 3), np.float32), nominal, warm)


def test_stitch_keeps_each_chunks_own_frames_in_order():
    t, image, world = pose.stitch([_tracked(0, 0, 50), _tracked(40, 50, 90)])
    assert np.array_equal(t, np.arange(90) / 30.0)
    assert np.array_equal(image[:, 0, 0, 0], [0] * 50 + [50] * 40) and world.shape == (90, 1, 33, 3)


def test_stitch_refuses_overlaps_that_do_not_match():
    assert "not frame-exact" in pose.stitch([_tracked(0, 0, 50), _tracked(40, 50, 90, shift_digest=True)])
    assert "ended early" in pose.stitch([_tracked(0, 0, 45), _tracked(40, 50, 90)])
    assert "frame times" in pose.stitch([_tracked(0, 0, 50), _tracked(40, 50, 90, nominal=True)])
    # the later chunk settles on someone else (hips 0.2 of the width away): a person was lost
    lost = pose.stitch([_tracked(0, 0, 50), _tracked(40, 50, 90, warm_hips_x=0.7)])
    assert "did not find the people" in lost
    noise = pose.stitch([_tracked(0, 0, 50), _tracked(40, 50, 90, warm_hips_x=0.52)])  # within 0.05
    assert not isinstance(noise, str)


def test_same_people_needs_every_person_of_either_track_matched():
    one = np.full((10, 2, 33, 5), np.nan, np.float32)
    one[:, 0, :, :2] = 0.4
    two = one.copy()
    two[:, 1, :, :2] = 0.8  # the later track also sees a second person
    assert pose.same_people(one, one.copy())
    assert not pose.same_people(one, two) and not pose.same_people(two, one)
    two[:7, 1] = np.nan  # ... seen in 3 of the 5 settled frames: 2 of 5 agree (40% < 80%)
    assert not pose.same_people(one, two)
    two[:9, 1] = np.nan  # ... seen in 1 of 5: 4 of 5 agree (80%)
    assert pose.same_people(one, two)


# ----------------------------------------------------------------- disagreement (synthetic)


def _rec(image: np.ndarray) -> Recording:
    n = len(image)
    return Recording(t=np.arange(n) / 30.0, image=image.astype(np.float32),
                     world=np.zeros((n, 33, 3), np.float32), meta={"width": 100, "height": 200})


def test_model_disagreement_is_the_median_pixel_distance_of_landmarks_seen_by_both():
    a = np.zeros((3, 33, 5))
    a[..., 3] = 1.0
    b = a.copy()
    b[:, :, 0] += 0.03  # 3 px in x on a 100 px wide frame
    b[1, :10, 1] += 0.02  # frame 1: 10 landmarks also 4 px down → 5 px; the median stays 3
    b[2, :, 3] = 0.1  # frame 2: nothing seen by both
    d = pose.model_disagreement(_rec(a), _rec(b))
    assert d[:2] == pytest.approx([3.0, 3.0]) and np.isnan(d[2])
    assert pose.model_disagreement(_rec(a), _rec(b), landmarks=range(10))[1] == pytest.approx(5.0)


def test_refine_rejects_frames_outside_the_recording():
    rec = _rec(np.zeros((5, 33, 5)))
    with pytest.raises(MovescreenError, match=r"frame indices must lie in \[0, 5\)"):
        pose.refine(rec, "unused.mp4", [2, 5])
    assert pose.refine(rec, "unused.mp4", []) is rec


# ------------------------------------------------------------------------- the real clip


@pytest.fixture(scope="module")
def full_model(shared):
    return resolve(str(shared / "models" / "pose_landmarker_full.task"))


# frames for the taps: both sides of the cut at 118, the warm-up [103, 118) that both chunks
# decode (only chunk 0 keeps it), the ends, and one past the end of the file
TAPPED = (0, 50, 103, 117, 118, 119, 219, 500)


@pytest.fixture(scope="module")
def chunked(shared, full_model):
    """The sample clip tracked with 1 and with 2 worker processes (progress calls recorded), with
    two taps: a CRC-32 of every chosen frame's RGB pixels, and ``int``, which raises on an image."""
    out = {}
    for workers in (1, 2):
        calls: list[tuple[int, int]] = []
        taps = (pose.Tap(lambda n, fps: TAPPED, zlib.crc32), pose.Tap(lambda n, fps: (5,), int))
        rec = pose.estimate(shared / "samples" / CLIP, full_model, workers=workers,
                            on_frame=lambda i, n, calls=calls: calls.append((i, n)), taps=taps)
        out[workers] = rec, calls, taps
    return out


def test_the_result_is_the_same_bit_for_bit_with_any_number_of_workers(chunked):
    (one, _, _), (two, _, _) = chunked[1], chunked[2]
    assert one.meta["chunks"] == two.meta["chunks"] == [[0, 118], [118, 220]]
    assert "parallel_fallback" not in two.meta
    assert np.array_equal(one.t, two.t)
    assert np.array_equal(one.image, two.image, equal_nan=True)
    assert np.array_equal(one.world, two.world, equal_nan=True)


def test_progress_is_reported_once_per_frame_in_order_across_processes(chunked):
    _, calls, _ = chunked[2]
    assert calls == [(i, 220) for i in range(220)]


def test_the_workers_stay_warm_for_the_next_video_and_stop_on_demand(shared, full_model, chunked):
    """The worker process that tracked ``chunked``'s second run tracks the next one too (same
    process, same bits, progress counted for this run only); close_workers ends it."""
    two, _, _ = chunked[2]
    warm = pose._WORKERS.pool
    assert warm is not None and pose._WORKERS.size == 1
    before = {p.pid for p in warm._processes.values()}
    calls: list[tuple[int, int]] = []
    again = pose.estimate(shared / "samples" / CLIP, full_model, workers=2,
                          on_frame=lambda i, n: calls.append((i, n)))
    assert pose._WORKERS.pool is warm and {p.pid for p in warm._processes.values()} == before
    assert np.array_equal(again.image, two.image, equal_nan=True)
    assert calls == [(i, 220) for i in range(220)]
    processes = list(warm._processes.values())
    pose.close_workers()
    assert pose._WORKERS.pool is None and not any(p.is_alive() for p in processes)


def test_taps_see_each_chosen_frame_once_as_a_plain_sequential_decode_gives_it(shared, chunked):
    """Reference: OpenCV reading the file from the start, frame by frame, converted to RGB. A
    warm-up frame decoded by both chunks is tapped once; a frame past the end is not tapped; a
    tap that raises leaves its exception as the result and the tracking whole."""
    cap = cv2.VideoCapture(str(shared / "samples" / CLIP))
    crc = {}
    for i in range(220):
        ok, bgr = cap.read()
        assert ok
        if i in TAPPED:
            crc[i] = zlib.crc32(np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
    cap.release()
    for workers in (1, 2):
        rec, _, (frames, raising) = chunked[workers]
        assert frames.results == crc  # 500 is past the end
        assert list(raising.results) == [5] and isinstance(raising.results[5], TypeError)
        assert rec.n_frames == 220


def test_after_a_cut_the_landmarks_stay_within_tracking_noise_of_an_uninterrupted_run(
        shared, full_model, chunked):
    """Frames before the cut are the uninterrupted run's exactly; after it, the restarted track
    stays within the tracker's own noise (measured: median 1–2.5 px per frame)."""
    rec, _, _ = chunked[2]
    uninterrupted = pose.estimate(shared / "samples" / CLIP, full_model, chunked=False)
    assert uninterrupted.meta["chunks"] == [[0, 220]]
    assert np.array_equal(uninterrupted.t, rec.t)
    assert np.array_equal(uninterrupted.image[:118], rec.image[:118], equal_nan=True)
    d = pose.model_disagreement(uninterrupted, rec)[118:]
    assert np.nanmedian(d) < 3.0 and np.nanmax(d) < 8.0


def test_refined_frames_are_those_of_a_whole_clip_heavy_run(shared, chunked):
    """Measured: median 0.0 px, max 2.4 px over the 172 refined frames, where the full model's
    landmarks lay a median 6.7 px from heavy's on the same frames."""
    full, _, _ = chunked[2]
    heavy_model = resolve(str(shared / "models" / "pose_landmarker_heavy.task"))
    whole = pose.track_span(str(shared / "samples" / CLIP), str(heavy_model.path), 1,
                            Span(0, 0, None), report=lambda i: None)
    heavy = Recording(t=whole.kept_t, image=whole.image[:, 0], world=whole.world[:, 0], meta=full.meta)
    ends = [36, 105, 208]  # the three knee drives' end range (frames stepped through)
    refined = pose.refine(full, shared / "samples" / CLIP, ends, model=str(heavy_model.path), workers=2)
    mask = pose.refined_mask(refined)
    assert refined.meta["refined"]["frames"] == [[6, 136], [178, 220]]  # ±30 frames, merged
    assert refined.meta["refined"]["model_sha256"] == heavy_model.sha256
    assert np.array_equal(refined.image[~mask], full.image[~mask], equal_nan=True)
    after = pose.model_disagreement(refined, heavy)[mask]
    before = pose.model_disagreement(full, heavy)[mask]
    assert np.nanmedian(before) > 4.0  # the two models do disagree there
    assert np.nanmedian(after) < 1.0 and np.nanmax(after) < 4.0


def test_refine_refuses_another_video(shared, chunked):
    full, _, _ = chunked[2]
    with pytest.raises(MovescreenError, match="another video"):
        pose.refine(full, shared / "samples" / "squat_side_deep.mp4", [10],
                    model=str(shared / "models" / "pose_landmarker_heavy.task"))
