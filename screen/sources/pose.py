"""MediaPipe Tasks PoseLandmarker → :class:`~screen.recording.Recording`, on every core.

**Chunks.** The frame range ``[0, T)`` (``T`` = the frame count the container declares, at the
nominal frame rate) is cut into ``n`` chunks: the largest power of two ≤ :data:`MAX_CHUNKS`
leaving every chunk ≥ :data:`MIN_CHUNK_S` (:func:`plan_chunks`). Chunk ``k > 0`` keeps frames
``[keep_k, keep_k+1)`` but is decoded from ``keep_k − W`` (a seek,
:meth:`~screen.sources.video.VideoFile.seek`): its first ``W = OVERLAP_S·fps`` frames are a
warm-up — tracked so that the landmarker, started afresh, has settled — and are discarded. The
last chunk reads to the end of the file. Every chunk decodes about the same number of frames
(chunk 0, which needs no warm-up, keeps ``W`` more).

**Workers.** :func:`estimate` tracks the chunks on ``workers`` processes (default every core):
the last chunk in the calling process, the others in a ``concurrent.futures.ProcessPoolExecutor``
with the ``spawn`` context (MediaPipe and ``fork`` do not mix), each chunk with a fresh landmarker
in VIDEO mode; the calling process also takes any chunk no worker has started when it is free. In a
daemon process (a Dask worker) the chunks run one after the other in that process. A worker
starts in ≈ 1 s of CPU (it imports MediaPipe, this module and its taps' modules only:
``screen`` imports its analysis stack lazily), so the workers are kept warm for the calling
process's life (:class:`_Workers`; :func:`close_workers`): the next video in the same process
starts tracking at once. They ignore SIGINT; an error or Ctrl-C in the calling process stops them (SIGTERM).
``spawn`` re-imports the caller's main module in every worker: a script
that analyses a video must keep its work under ``if __name__ == "__main__":``, else the workers
die on start and the video is tracked in one process (``meta["parallel_fallback"]``).

**Taps.** Other work that needs a few frames of the same video — the people count
(:func:`screen.sources.people.tap`), the scene edges of the camera's roll
(:func:`screen.scene.vertical.tap`) — is handed to :func:`estimate` as :class:`Tap` objects and
done on those frames as the tracking decodes them, by whichever process keeps them: decoding is
≈ 3 ms of CPU per 720p frame, and a second pass to reach the last sampled frame cost ≈ 1.2 s of
CPU on ``knee_to_wall_side.mp4`` (a sixth of the tracking). A seek into a chunk still decodes from
the key frame before it (0.4 s of CPU to reach frame 103 of that clip).

**Deterministic, whatever the number of workers.** The cut points depend only on ``T`` and the
frame rate, and each chunk is a fresh landmarker over fixed frames, so a run gives the same
landmarks bit for bit on every run and with 1, 2 or any number of workers (tested). What the
cut points do change is the tracking itself: from ``keep_k`` on, the landmarks come from a
restarted track. The tracker never re-converges exactly with an uninterrupted run: after a cut
the two stay ≈ 2 px apart (median over the 33 landmarks; its own frame-to-frame noise), on
``knee_to_wall_side.mp4`` with the full model: per-rep tibial inclination within 0.05°, ankle
dorsiflexion within 0.5° of an uninterrupted run. A clip shorter than 2 × :data:`MIN_CHUNK_S`
is one chunk: exactly the uninterrupted run.

**Stitching is checked.** The warm-up frames of chunk ``k`` are also the last frames of chunk
``k − 1``: both decoders must have seen the same container times and pixels (a digest of every
:data:`DIGEST_STEP`-th pixel), and once settled both tracks must see the same people
(:func:`same_people`: a fresh start can miss someone that continuous tracking held — it does on
``two_people_side.mp4``, where the man on the box is lost from frame 122). If they differ (a seek
that was not frame-exact, a lost person), a chunk ends early (a file shorter than it declares),
the container has no usable frame times, or the worker processes cannot start, the whole video
is tracked again in one uninterrupted pass and ``meta["parallel_fallback"]`` says why.

**Refinement with the heavy model** (:func:`refine`). The frames that decide a result (each
rep's end range and its neighbourhood, the baseline) are tracked again with
:data:`REFINE_MODEL` in windows of ± ``context_s`` around them, each after a ``warmup_s``
warm-up, and replace the lighter model's landmarks there; :func:`model_disagreement` gives the
per-frame pixel disagreement of the two models (for the measurement's confidence). On
``knee_to_wall_side.mp4`` the refined frames lie within a median 0–0.9 px (max 2.4 px) of a
whole-clip heavy run's, where the full model's lay 6 px away.

**Default model.** On real side-view squats the shin angle at depth was within ±5° of a by-eye
reading on 1 of 5 clips with lite, 4 of 5 with full and 5 of 5 with heavy; heavy costs ≈ 3× full
per frame. Hence ``full`` tracks whole clips (analyze, batch and live:
:data:`screen.sources.models.DEFAULT_MODEL`) and offline analysis refines the decisive frames
with ``heavy``, so the end range comes from the best model while most frames cost the full
model's price. Live has no second pass and keeps ``full`` (lite was right on 1 clip in 5).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("GLOG_minloglevel", "2")  # keep MediaPipe's C++ info lines off stderr

import mediapipe as mp  # noqa: E402
import numpy as np  # noqa: E402
from mediapipe.tasks.python import BaseOptions, vision  # noqa: E402
from numpy.typing import ArrayLike, NDArray  # noqa: E402

from screen.errors import MovescreenError  # noqa: E402
from screen.landmarks import HIPS, N_LANDMARKS  # noqa: E402
from screen.sources.models import ModelFile, resolve  # noqa: E402
from screen.sources.subject import SUBJECT_RULE, link_tracks, main_subject  # noqa: E402
from screen.sources.video import MIN_DECODED_FRACTION, VideoFile  # noqa: E402

if TYPE_CHECKING:  # imported where used: a worker process never needs it (nor pandas)
    from screen.recording import Recording


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
# Parallel tracking (see the module docstring). Every value that changes a result is here.
# The landmarker settles within ~8 frames of a fresh start (median landmark distance to an
# uninterrupted run falls from 3.5–5 px on the first frames to its floor of ~2 px, the tracker's
# own noise, which no longer warm-up reduces: knee_to_wall_side.mp4, full model).
OVERLAP_S = 0.5  # warm-up tracked and discarded before each chunk after the first, seconds
MIN_CHUNK_S = 3.0  # no chunk shorter than this (the warm-up would cost more than it saves)
MAX_CHUNKS = 8  # chunks per video at most (a power of two: they share out evenly over 2, 4, 8 cores)
# Refinement of the decisive frames.
REFINE_MODEL = "heavy"
REFINE_CONTEXT_S = 1.0  # refined window: ± this around each decisive frame, seconds
REFINE_WARMUP_S = 1.0  # tracked and discarded before each refined window, seconds
DIGEST_STEP = 16  # the stitch check's pixel digest samples every 16th row and column
# The overlap must show the same people in both chunks (tracking noise is ~0.003 of the frame).
SAME_PERSON_TOL = 0.05  # hip midpoints this close (normalised image units) are the same person
SETTLED_AGREEMENT = 0.8  # share of the warm-up's second half on which the two chunks must agree


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


# --------------------------------------------------------------------------------------------
# One span of frames tracked by one landmarker (in this process or a worker process)


@dataclass(frozen=True)
class Span:
    """Frames one landmarker tracks: decoded from ``start``, kept from ``keep`` (the frames
    before are warm-up), up to ``stop`` exclusive (None: to the end of the file)."""

    start: int
    keep: int
    stop: int | None


@dataclass
class Tap:
    """Other work on chosen frames of a video, done by whichever process decodes them for the
    tracking, so that no frame is decoded twice (decoding a 720p frame costs ≈ 3 ms of CPU, a
    tenth of tracking it). :func:`estimate` calls ``choose(declared frames, nominal fps)`` here
    for the frame indices, then ``fn(rgb)`` — RGB (H, W, 3) uint8, container rotation applied —
    once on each of those frames that is decoded, in the process that keeps it (``fn`` must be
    picklable: a module-level function or a ``functools.partial`` of one). ``frames`` is what
    ``choose`` gave; ``results`` maps each frame index to what ``fn`` returned, or to the
    exception it raised (it never stops the tracking); frames past the real end of the file are
    missing."""

    choose: Callable[[int, float], Sequence[int]]
    fn: Callable[[NDArray[np.uint8]], Any]
    frames: frozenset[int] = frozenset()
    results: dict[int, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tracked:
    """What one span gives back. ``t`` (D,) seconds and ``digest`` (D,) of every decoded frame
    (warm-up included); ``image`` (K_kept, P, 33, 5) and ``world`` (K_kept, P, 33, 3) of the
    kept frames for up to P people; ``nominal`` when the container had no usable times; ``warm``
    the image landmarks of the warm-up frames (for :func:`same_people`); ``tapped`` one dict per
    tap given to :func:`track_span` (see :class:`Tap`)."""

    span: Span
    t: NDArray[np.float64]
    digest: NDArray[np.uint32]
    image: NDArray[np.float32]
    world: NDArray[np.float32]
    nominal: bool
    warm: NDArray[np.float32]  # (W, P, 33, 5) image landmarks of the warm-up frames
    tapped: tuple[dict[int, Any], ...] = ()

    @property
    def kept_t(self) -> NDArray[np.float64]:
        return self.t[self.span.keep - self.span.start:]


_PROGRESS: Any = None  # in a worker process: the queue its kept frames are reported on
_CALL = 0  # in a worker process: the run_spans call its current span belongs to


def _init_worker(progress: Any) -> None:
    global _PROGRESS
    _PROGRESS = progress
    progress.cancel_join_thread()  # at exit, reports nobody will read never hold the worker up
    # Ctrl-C is the calling process's to handle (it stops the workers): a warm worker waiting
    # for its next span must not die of it with a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _report_to_queue(index: int) -> None:
    if _PROGRESS is not None:
        _PROGRESS.put((_CALL, index))


def _track_for(call: int, *args: Any) -> Tracked:
    """:func:`track_span` in a worker process, its progress reports tagged with ``call``."""
    global _CALL
    _CALL = call
    return track_span(*args)


def _digest(rgb: NDArray[np.uint8]) -> int:
    return zlib.crc32(np.ascontiguousarray(rgb[::DIGEST_STEP, ::DIGEST_STEP]).tobytes())


TapWork = tuple[frozenset[int], Callable[[NDArray[np.uint8]], Any]]  # a Tap's frames and fn


def track_span(path: str, model_path: str, people: int, span: Span,
               taps: Sequence[TapWork] = (), report: Callable[[int], None] | None = None
               ) -> Tracked:
    """Track ``span`` of the video at ``path`` with a fresh landmarker (VIDEO mode, timestamps
    in ms strictly increasing) for up to ``people`` persons, and run each tap's function on its
    frames among the kept ones (:class:`Tap`). ``report(i)`` is called after each kept frame
    ``i`` (in a worker process: put on the progress queue)."""
    report = report or _report_to_queue
    tapped: tuple[dict[int, Any], ...] = tuple({} for _ in taps)
    times: list[float] = []
    digests: list[int] = []
    images: list[NDArray] = []
    worlds: list[NDArray] = []
    warm: list[NDArray] = []
    with (VideoFile(path) as video, quiet_native_logs(),
          open_landmarker(Path(model_path), num_poses=people) as landmarker):
        if span.start:
            video.seek(span.start)
        last_ms = -1
        with contextlib.closing(video.frames()) as frames:
            for frame in frames:
                if span.stop is not None and frame.index >= span.stop:
                    break
                ms = max(int(round(frame.t * 1000)), last_ms + 1)  # VIDEO mode: strictly increasing
                image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame.rgb)
                img, wld = landmarks_to_arrays(landmarker.detect_for_video(image, ms), people)
                times.append(frame.t)
                digests.append(_digest(frame.rgb))
                last_ms = ms
                if frame.index >= span.keep:
                    images.append(img)
                    worlds.append(wld)
                    for (frames_of, fn), out in zip(taps, tapped, strict=True):
                        if frame.index in frames_of:
                            try:
                                out[frame.index] = fn(frame.rgb)
                            except Exception as err:  # noqa: BLE001 — the tap's caller decides
                                out[frame.index] = err
                    report(frame.index)
                else:
                    warm.append(img)
        nominal = video.nominal_timing
    empty = (0, people, N_LANDMARKS)
    return Tracked(span, np.asarray(times, dtype=float), np.asarray(digests, dtype=np.uint32),
                   np.stack(images) if images else np.zeros((*empty, 5), np.float32),
                   np.stack(worlds) if worlds else np.zeros((*empty, 3), np.float32), nominal,
                   np.stack(warm) if warm else np.zeros((*empty, 5), np.float32), tapped)


class _Progress:
    """Aggregates kept frames from every span into ``on_frame(done - 1, declared)`` calls, one
    per frame, in the calling thread."""

    def __init__(self, on_frame: Callable[[int, int], None] | None, declared: int) -> None:
        self.on_frame, self.declared, self.done = on_frame, declared, 0

    def add(self, n: int) -> None:
        if self.on_frame is not None:
            for _ in range(n):
                self.on_frame(self.done, self.declared)
                self.done += 1
        else:
            self.done += n

    def drain(self, queue: Any, call: int, timeout: float = 0.0) -> None:
        """Count the frames reported on ``queue`` for run ``call`` (late reports of an earlier
        run on the same warm workers are dropped), waiting up to ``timeout`` s for the first."""
        import queue as queue_mod

        n = 0
        with contextlib.suppress(queue_mod.Empty):
            if timeout:
                n += queue.get(timeout=timeout)[0] == call
            while True:
                n += queue.get_nowait()[0] == call
        self.add(n)


class _Workers:
    """The worker processes, kept warm for the life of the calling process: a worker costs
    ≈ 1 s of CPU to start (spawn, import MediaPipe), as much as tracking 35 frames with the
    full model, so repeated analyses (a notebook, a script over several videos, the benchmark)
    start it once. One pool of one size at a time (another size replaces it), used by one
    :func:`run_spans` at a time (a concurrent call gets a pool of its own, closed after it). Any
    error or interrupt while it is in use closes it (the next call starts new workers);
    :func:`close_workers` closes it on demand, and it is closed when the interpreter exits.
    Which process tracks a span never changes its result."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool: ProcessPoolExecutor | None = None
        self.queue: Any = None
        self.size = 0
        self.calls = 0

    @contextlib.contextmanager
    def get(self, size: int) -> Iterator[tuple[ProcessPoolExecutor, Any, int]]:
        """A pool of ``size`` processes, its progress queue and this call's tag."""
        if not self.lock.acquire(blocking=False):  # in use: a pool of this call's own
            pool, queue = _new_pool(size)
            try:
                yield pool, queue, 0
            except BaseException:
                _stop(pool)
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            return
        try:
            if self.pool is None or self.size != size:
                self.close()
                self.pool, self.queue = _new_pool(size)
                self.size = size
            self.calls += 1
            try:
                yield self.pool, self.queue, self.calls
            except BaseException:
                self.close(stop=True)
                raise
        finally:
            self.lock.release()

    def close(self, *, stop: bool = False) -> None:
        """Shut the pool down; ``stop``: without letting running spans finish."""
        if self.pool is not None:
            if stop:
                _stop(self.pool)
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.queue.close()
            self.queue.join_thread()
        self.pool, self.queue, self.size = None, None, 0


def _new_pool(size: int) -> tuple[ProcessPoolExecutor, Any]:
    """``size`` spawned worker processes and the queue they report progress on."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    return ProcessPoolExecutor(size, mp_context=ctx, initializer=_init_worker,
                               initargs=(queue,)), queue


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the pool's processes now (SIGTERM): on an error or Ctrl-C in the calling process,
    what they are tracking is no longer wanted."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.terminate()


_WORKERS = _Workers()
atexit.register(_WORKERS.close)


def close_workers() -> None:
    """Stop the warm worker processes now (they are also stopped when the interpreter exits;
    the next parallel run starts new ones)."""
    with _WORKERS.lock:
        _WORKERS.close()


def run_spans(path: str | os.PathLike[str], model_path: Path, people: int, spans: Sequence[Span],
              workers: int, progress: _Progress, idle: Callable[[], None] | None = None,
              taps: Sequence[TapWork] = ()) -> list[Tracked]:
    """Track every span, the last in this process and the others in up to ``workers − 1``
    spawned processes (the last: a fresh worker starts ≈ 1 s late, and every span but the first
    begins with a seek, which decodes from the key frame before it); a span no process has
    started when this one is free is taken here
    (which process tracks a span never changes its result). Returns them in order. ``idle`` (if
    given) runs in this process once it has no span left to track, while the workers finish
    theirs (after the tracking when there are no workers). ``taps``: see :func:`track_span`."""
    args = (str(path), str(model_path), people)
    # A daemon process (e.g. a Dask worker) may not start processes of its own: one process.
    if len(spans) == 1 or workers <= 1 or multiprocessing.current_process().daemon:
        parts = [track_span(*args, s, taps, report=lambda i: progress.add(1)) for s in spans]
        if idle is not None:
            idle()
        return parts
    with _WORKERS.get(min(workers, len(spans)) - 1) as (pool, queue, call):
        last = len(spans) - 1
        futures: list[Future[Tracked]] = [pool.submit(_track_for, call, *args, s, taps)
                                          for s in spans[:last]]

        def here(i: int) -> None:
            progress.add(1)
            progress.drain(queue, call)

        out: dict[int, Tracked] = {last: track_span(*args, spans[last], taps, report=here)}
        for k in range(last - 1, -1, -1):  # idle here: take what nobody has started
            if futures[k].cancel():
                out[k] = track_span(*args, spans[k], taps, report=here)
        if idle is not None:
            idle()
        while not all(f.done() for f in futures):
            progress.drain(queue, call, timeout=0.1)
        out.update({k: f.result() for k, f in enumerate(futures) if k not in out})
    parts = [out[k] for k in range(len(spans))]
    progress.add(sum(len(p.image) for p in parts) - progress.done)  # reports still in flight
    return parts


# --------------------------------------------------------------------------------------------
# Whole-video tracking


def plan_chunks(n_frames: int, fps: float) -> list[Span]:
    """The chunks of a video of ``n_frames`` frames at ``fps`` (see the module docstring): the
    largest power of two ≤ :data:`MAX_CHUNKS` that leaves every chunk ≥ :data:`MIN_CHUNK_S`,
    sized so that every chunk decodes ≈ (n_frames + (n − 1)·W) / n frames. Independent of the
    number of worker processes, so the result is too."""
    if not (n_frames > 0 and np.isfinite(fps) and fps > 0):
        return [Span(0, 0, None)]
    w = int(round(OVERLAP_S * fps))
    fit = n_frames / (MIN_CHUNK_S * fps)
    n = 1 << int(np.log2(min(MAX_CHUNKS, fit))) if fit >= 2 else 1
    if n == 1:
        return [Span(0, 0, None)]
    per = (n_frames + (n - 1) * w) / n
    keeps = [0] + [int(round(per + k * (per - w))) for k in range(n - 1)] + [n_frames]
    return [Span(max(0, keeps[k] - w) if k else 0, keeps[k], keeps[k + 1] if k < n - 1 else None)
            for k in range(n)]


def same_people(before: NDArray, after: NDArray) -> bool:
    """Whether two tracks of the same frames (N, P, 33, 5) — the end of one chunk and the
    warm-up of the next — see the same people once the later has settled: on at least
    :data:`SETTLED_AGREEMENT` of the last half of the frames, every person of either has one of
    the other within :data:`SAME_PERSON_TOL` (hip midpoint, normalised image units)."""
    hips = list(HIPS)
    a, b = before[:, :, hips, :2].mean(axis=2), after[:, :, hips, :2].mean(axis=2)  # (N, P, 2)
    d = np.linalg.norm(a[:, :, None] - b[:, None, :], axis=-1)  # (N, P, P)
    d = np.where(np.isfinite(d), d, np.inf)
    seen_a, seen_b = np.isfinite(a[..., 0]), np.isfinite(b[..., 0])
    ok = (np.all((d.min(axis=2) <= SAME_PERSON_TOL) | ~seen_a, axis=1)
          & np.all((d.min(axis=1) <= SAME_PERSON_TOL) | ~seen_b, axis=1))
    settled = ok[len(ok) // 2:]
    return bool(settled.size == 0 or settled.mean() >= SETTLED_AGREEMENT)


def stitch(parts: Sequence[Tracked]) -> tuple[NDArray, NDArray, NDArray] | str:
    """Kept frames of consecutive chunks → t (T,), image (T, P, 33, 5), world (T, P, 33, 3); or
    the reason they cannot be joined (the overlap decoded by two chunks differs, a chunk ended
    early, the container has no usable frame times)."""
    for prev, part in zip(parts, parts[1:], strict=False):
        warm = part.span.keep - part.span.start
        if prev.span.start + len(prev.t) != part.span.keep or len(part.t) < warm:
            return f"the chunk before frame {part.span.keep} ended early"
        if not (np.array_equal(prev.t[len(prev.t) - warm:], part.t[:warm])
                and np.array_equal(prev.digest[len(prev.t) - warm:], part.digest[:warm])):
            return f"seeking to frame {part.span.start} was not frame-exact"
        if not same_people(prev.image[len(prev.image) - warm:], part.warm):
            return (f"the chunk from frame {part.span.keep} did not find the people the chunk before "
                    "was tracking (a fresh start lost someone tracking had held)")
    if any(p.nominal for p in parts):
        return "the container has no usable frame times"
    return (np.concatenate([p.kept_t for p in parts]), np.concatenate([p.image for p in parts]),
            np.concatenate([p.world for p in parts]))


def _detect(path: str | os.PathLike[str], model: ModelFile, people: int, spans: list[Span],
            workers: int, progress: _Progress, idle: Callable[[], None] | None = None,
            taps: Sequence[Tap] = ()) -> tuple[NDArray, NDArray, NDArray, bool, str | None]:
    """Track the video in ``spans`` and stitch; falls back to one span in this process when the
    chunks cannot be joined. Returns t, image, world, whether the container's frame times were
    unusable (nominal timing) and the reason for a fallback (or None); fills each tap's
    ``results``. ``idle``: see :func:`run_spans`."""
    work = [(tap.frames, tap.fn) for tap in taps]

    def gather(parts: list[Tracked]) -> list[Tracked]:
        for k, tap in enumerate(taps):
            tap.results = dict(sorted(r for part in parts for r in part.tapped[k].items()))
        return parts

    try:
        joined = stitch(gather(run_spans(path, model.path, people, spans, workers, progress, idle,
                                         work)))
    except MovescreenError as err:  # e.g. a seek past the real end of a damaged file
        joined = str(err)
    except BrokenProcessPool:  # e.g. a script without `if __name__ == "__main__":` (spawn re-runs it)
        joined = "the worker processes could not start"
    if isinstance(joined, str):
        progress.done = 0
        one = gather(run_spans(path, model.path, people, [Span(0, 0, None)], 1, progress, idle,
                               work))[0]
        return one.kept_t, one.image, one.world, one.nominal, joined if len(spans) > 1 else None
    return (*joined, False, None)


def estimate(video_path: str | os.PathLike[str], model: ModelFile, *,
             on_frame: Callable[[int, int], None] | None = None,
             workers: int | None = None, chunked: bool = True,
             meanwhile: Callable[[], None] | None = None, taps: Sequence[Tap] = ()) -> Recording:
    """Run the pose model over every frame of a video file, in chunks (:func:`plan_chunks`) on
    ``workers`` processes (default: every core, ``os.cpu_count()``). The result does not depend
    on ``workers``; ``chunked=False`` is one uninterrupted pass in this process (what a live
    session's lossless replay sees). See the module docstring for how the video is split and
    stitched.

    Frames without a person are kept as NaN rows (gaps), never dropped. ``on_frame(i, n)``
    is called in the calling thread once per tracked frame, ``i`` counting 0, 1, … over the
    frames done so far by every process, with the nominal frame count ``n`` (0 if unknown).

    The model tracks one person. When the tracked position jumps as if another person had been
    taken for the first (:func:`screen.sources.subject.link_tracks` finds more than one track), a
    second pass detects up to :data:`MAX_PEOPLE` people per frame and the main subject is chosen
    and followed (:mod:`screen.sources.subject`) on the stitched result; ``meta["people_max"]``
    records how many were seen at once. Detecting several people costs more than tracking one
    (≈ 1.5× the CPU on a one-person clip), hence the second pass only when needed.

    ``taps`` (work on chosen frames, e.g. counting people: :class:`Tap`) run on those frames as
    the tracking decodes them, in whichever process keeps them; their ``results`` are filled in
    (once: a second pass for several people does not run them again). ``meanwhile`` (other
    work, e.g. imports) runs once in this process when it has tracked its chunks and waits for
    the workers' (:func:`run_spans`), so it costs no time on two or more cores. Neither ever
    changes the landmarks; ``meanwhile`` must not raise (keep its errors for later).
    """
    from screen.recording import Recording

    done: list[bool] = []

    def once() -> None:
        if meanwhile is not None and not done:
            done.append(True)
            meanwhile()

    workers = max(1, workers or os.cpu_count() or 1)
    with VideoFile(video_path) as video:  # opened here for its facts and its errors
        info = video.info
    spans = plan_chunks(info.frames_nominal, info.fps_nominal) if chunked else [Span(0, 0, None)]
    progress = _Progress(on_frame, info.frames_nominal)
    for tap in taps:
        tap.frames = frozenset(int(i) for i in tap.choose(info.frames_nominal, info.fps_nominal))
    t, image, world, nominal, fallback = _detect(video_path, model, 1, spans, workers, progress,
                                                 once, taps)
    declared = info.frames_nominal
    if declared and len(t) < MIN_DECODED_FRACTION * declared:
        raise MovescreenError(f"{video_path}: truncated or damaged: only {len(t)} of the "
                              f"{declared} frames its container declares could be decoded")
    people = 1
    if link_tracks(image, t).max() > 0:
        progress.done = 0
        t, image, world, nominal, fallback = _detect(video_path, model, MAX_PEOPLE, spans, workers,
                                                     progress)
        people = int(np.isfinite(image[:, :, 0, 0]).sum(axis=1).max())
    meta: dict[str, Any] = {
        "source": str(video_path), "width": info.width, "height": info.height,
        "rotation_deg": info.rotation_deg, "fps_nominal": info.fps_nominal,
        "timestamps": "nominal" if nominal else "container",
        "model": model.name, "model_sha256": model.sha256, "people_max": people,
        "chunks": [[s.keep, s.stop if s.stop is not None else len(t)] for s in spans]
        if fallback is None else [[0, len(t)]]}
    if fallback is not None:
        meta["parallel_fallback"] = fallback
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


# --------------------------------------------------------------------------------------------
# Refinement of the decisive frames with the heavy model


def refine_spans(frames: NDArray[np.intp], n_frames: int, fps: float, *,
                 context_s: float = REFINE_CONTEXT_S, warmup_s: float = REFINE_WARMUP_S) -> list[Span]:
    """Windows of ± ``context_s`` around ``frames`` (clipped to ``[0, n_frames)``), merged when
    they overlap or lie closer than a warm-up apart (tracking through is then cheaper than a new
    warm-up), each with ``warmup_s`` of warm-up before it."""
    half, warm = int(round(context_s * fps)), int(round(warmup_s * fps))
    starts = np.maximum(np.sort(frames) - half, 0)
    stops = np.minimum(np.sort(frames) + half + 1, n_frames)
    new = np.r_[True, starts[1:] > np.maximum.accumulate(stops)[:-1] + warm]  # opens a window
    lo = np.minimum.reduceat(starts, np.flatnonzero(new))
    hi = np.maximum.reduceat(stops, np.flatnonzero(new))
    return [Span(max(0, int(a) - warm), int(a), int(b)) for a, b in zip(lo, hi, strict=True)]


def refine(rec: Recording, video: str | os.PathLike[str], frames: ArrayLike, model: str = REFINE_MODEL,
           context_s: float = REFINE_CONTEXT_S, *, warmup_s: float = REFINE_WARMUP_S,
           workers: int | None = None) -> Recording:
    """A copy of ``rec`` whose landmarks around ``frames`` (frame indices of ``rec``) are
    re-measured with ``model`` (default :data:`REFINE_MODEL`).

    Each window (± ``context_s`` s around a frame, see :func:`refine_spans`) is tracked in
    VIDEO mode by a fresh landmarker after a ``warmup_s`` warm-up that is discarded, so tracking
    has settled by the window's first frame; windows run on ``workers`` processes (default every
    core). The windows' frame times must equal ``rec.t`` (the same video), else MovescreenError.
    On a recording that followed one subject among several people (``meta["subject_rule"]``),
    the person nearest (hip midpoint) to the recorded subject is taken in each refined frame.

    ``meta["refined"]`` records the model, its SHA-256, the refined frame ranges
    ``[[first, stop), ...]`` and the settings; :func:`refined_mask` reads it back.
    """
    from screen.recording import Recording

    idx = np.unique(np.asarray(frames, dtype=np.intp))
    if idx.size and (idx[0] < 0 or idx[-1] >= rec.n_frames):
        raise MovescreenError(f"refine: frame indices must lie in [0, {rec.n_frames})")
    if idx.size == 0:
        return rec
    with VideoFile(video) as v:
        if (v.info.width, v.info.height) != (rec.meta["width"], rec.meta["height"]):
            raise MovescreenError(f"refine: {video} is {v.info.width}×{v.info.height}, the recording "
                                  f"{rec.meta['width']}×{rec.meta['height']} (another video?)")
    model_file = resolve(model)
    dt = np.diff(rec.t)
    fps = float(1.0 / np.median(dt)) if dt.size else 30.0
    spans = refine_spans(idx, rec.n_frames, fps, context_s=context_s, warmup_s=warmup_s)
    people = MAX_PEOPLE if "subject_rule" in rec.meta else 1
    parts = run_spans(video, model_file.path, people, spans, max(1, workers or os.cpu_count() or 1),
                      _Progress(None, 0))
    image, world = rec.image.copy(), rec.world.copy()
    for part in parts:
        rows = slice(part.span.keep, part.span.stop)
        if len(part.kept_t) != part.span.stop - part.span.keep or not np.allclose(
                part.kept_t, rec.t[rows], atol=1e-6):
            raise MovescreenError(f"refine: {video} frames {part.span.keep}–{part.span.stop} do "
                                  "not match the recording's frame times (another video?)")
        pick = _nearest(part.image, rec.image[rows])
        take = np.arange(len(pick))
        image[rows], world[rows] = part.image[take, pick], part.world[take, pick]
    meta = {**rec.meta, "refined": {
        "model": model_file.name, "model_sha256": model_file.sha256,
        "frames": [[s.keep, s.stop] for s in spans], "context_s": context_s, "warmup_s": warmup_s}}
    return Recording(t=rec.t, image=image, world=world, meta=meta)


def _nearest(candidates: NDArray, reference: NDArray) -> NDArray[np.intp]:
    """(N,) slot of the candidate (N, P, 33, 5) whose hip midpoint is nearest the reference's
    (N, 33, 5); slot 0 where the reference has no hips or nobody is there."""
    hips = list(HIPS)
    d = np.linalg.norm(candidates[:, :, hips, :2].mean(axis=2)
                       - reference[:, None, hips, :2].mean(axis=2), axis=-1)  # (N, P)
    d = np.where(np.isfinite(d), d, np.inf)
    return np.argmin(d, axis=1).astype(np.intp)


def refined_mask(rec: Recording) -> NDArray[np.bool_]:
    """(T,) True on the frames :func:`refine` re-measured (from ``meta["refined"]``)."""
    mask = np.zeros(rec.n_frames, dtype=bool)
    for a, b in rec.meta.get("refined", {}).get("frames", []):
        mask[a:b] = True
    return mask


def model_disagreement(a: Recording, b: Recording, *, landmarks: Sequence[int] | None = None,
                       min_visibility: float = 0.5) -> NDArray[np.float64]:
    """(T,) per-frame disagreement of two recordings of the same video, in pixels: the median
    over ``landmarks`` (default all 33) seen by both (visibility ≥ ``min_visibility``) of the
    distance between their image positions. NaN where no landmark is seen by both. Typically
    ``a`` = the tracking model's recording, ``b`` = :func:`refine`'s, read on
    :func:`refined_mask`."""
    if a.n_frames != b.n_frames:
        raise ValueError(f"recordings differ in length: {a.n_frames} and {b.n_frames} frames")
    cols = list(range(N_LANDMARKS)) if landmarks is None else list(landmarks)
    d = np.linalg.norm(a.pixels()[:, cols] - b.pixels()[:, cols], axis=-1)  # (T, L)
    with np.errstate(invalid="ignore"):
        seen = (a.image[:, cols, 3] >= min_visibility) & (b.image[:, cols, 3] >= min_visibility)
    d = np.where(seen, d, np.nan)
    out = np.full(a.n_frames, np.nan)
    rows = seen.any(axis=1)
    out[rows] = np.nanmedian(d[rows], axis=1)
    return out
