"""Running a batch on Dask: one code path for one worker, many, or a remote cluster.

The client submits one task per video (:func:`analyse_job`, which calls
:func:`screen.analysis.analyze` — the same core as ``movescreen analyze``) and, as each task
completes, writes its files and its database rows itself, one transaction per video. A video is
counted as done only after its transaction has committed, so killing the batch loses nothing
already reported; the database's unique trial key means a re-run never duplicates.

Local runs use ``distributed.LocalCluster`` with one single-threaded worker process per
``workers`` (one pose model running per process); ``scheduler`` connects to an existing
cluster instead. A task that raises, or whose worker process dies (crash, out of memory), is that
video's failure and the batch goes on: the scheduler retries a task whose worker died once
(``allowed-failures = 1``), then gives up on it.

Pose model per worker: each video gets a fresh MediaPipe landmarker (created by
:func:`screen.sources.pose.estimate`, ≈ 0.15 s with the lite model). Reusing one across videos is not
safe: in VIDEO mode the landmarker tracks the pose from frame to frame, so the previous video's
last pose would seed the next video's first frames and a result would depend on which worker
analysed which video before — batch results would differ from ``analyze`` and between runs.
The model file itself is read from the OS page cache after the first video.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from screen.batch import store
from screen.batch.jobs import Job
from screen.errors import MovescreenError

PROGRESS_TOPIC = "movescreen-progress"
PROGRESS_EVERY_S = 0.5
DASK_CONFIG = {
    "distributed.scheduler.allowed-failures": 1,  # a task whose worker died is retried once
    "distributed.scheduler.worker-saturation": 1.0,  # one task per worker thread at a time
    # Dask's default also sets MALLOC_TRIM_THRESHOLD_=65536 in new workers, which turns off
    # glibc's adaptive mmap threshold: every decoded frame buffer is then mapped and unmapped
    # afresh, and the pose analysis costs ~30% more CPU per frame (measured: 28.2 against
    # 21.8 ms per frame, lite model, one process). Keep only the thread limits.
    "distributed.nanny.pre-spawn-environ": {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1,
                                            "OPENBLAS_NUM_THREADS": 1},
}

# Local clusters: single-threaded worker processes, loopback only, no dashboard, quiet logs. The
# scheduler's HTTP endpoint (health checks) takes a free port instead of 8787, which another
# Dask user of the machine may hold. Every connection (client, workers, scheduler) is mutual TLS
# with credentials made afresh for each batch (``Security.temporary()``, kept in memory only):
# another local account cannot connect to the scheduler and run code as the batch's user.
LOCAL_HOST = "127.0.0.1"
LOCAL_CLUSTER: dict[str, Any] = {
    "threads_per_worker": 1, "processes": True, "dashboard_address": None, "protocol": "tls://",
    "silence_logs": logging.CRITICAL}
CLUSTER_START_TIMEOUT_S = 60  # a local cluster that has not started by then is reported


class _FrameReporter:
    """``on_frame`` for analyze: counts the frames and sends throttled progress events
    to the client (through the scheduler) when running on a Dask worker."""

    def __init__(self, name: str) -> None:
        from distributed import get_worker

        self.name, self.frames, self._last = name, 0, 0.0
        try:
            self._worker: Any = get_worker()
        except ValueError:  # called outside a worker (a direct call): no one to report to
            self._worker = None

    def __call__(self, index: int, _declared: int) -> None:
        self.frames = index + 1
        now = time.monotonic()
        if self._worker is not None and now - self._last >= PROGRESS_EVERY_S:
            self._last = now
            self._worker.log_event(PROGRESS_TOPIC, {"name": self.name, "frames": self.frames})


def analyse_job(job: Job, model: str, thresholds: str | None, keep_result: bool) -> dict[str, Any]:
    """The task every worker runs for one video.

    Returns ``{"summary": summary.json as a dict, "frames": n, "result": Result or None}``, or
    ``{"error": one-line reason, "frames": n}`` when the video cannot be analysed (bad input,
    a truncated file — see :func:`screen.sources.pose.estimate` —, a worker whose model file differs
    from the client's). Anything else raised is a bug; the client records it as this video's
    failure.
    """
    from screen.analysis import analyze

    reporter = _FrameReporter(job.name)
    try:
        result = analyze(job.path, test=job.test, model=model, thresholds=thresholds,
                         on_frame=reporter, **job.settings)
    except MovescreenError as err:
        return {"error": str(err), "frames": reporter.frames}
    n = int(result.quality["frames"])
    if result.model.get("sha256") != job.model_sha256:
        return {"error": f"analysed with model sha256 {str(result.model.get('sha256'))[:12]}…, "
                         f"not the requested {job.model_sha256[:12]}… (the worker's model file "
                         "differs)", "frames": n}
    return {"summary": result.to_dict(), "frames": n, "result": result if keep_result else None}


@dataclass
class Report:
    """What a batch did: paths analysed, skipped (already stored, or the same video twice in
    this batch) and failed with their one-line reasons."""

    analysed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    frames: int = 0
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def text(self) -> str:
        n = len(self.analysed) + len(self.skipped) + len(self.failed)
        rate = f"; {self.frames} frames in {self.seconds:.1f} s" if self.analysed else ""
        lines = [f"{n} video(s): {len(self.analysed)} analysed, {len(self.skipped)} skipped "
                 f"(already analysed), {len(self.failed)} failed{rate}"]
        lines += [f"  failed: {path}: {reason}" for path, reason in sorted(self.failed)]
        return "\n".join(lines)


def _one_line(path: str, reason: str) -> str:
    """The reason without a leading repeat of the path, on one line."""
    reason = reason.removeprefix(f"{path}: ")
    return " ".join(reason.split())


@contextlib.contextmanager
def dask_client(workers: int = 1, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client: on ``scheduler`` when given, else on a local cluster of ``workers``
    single-threaded worker processes (loopback only, no dashboard, quiet logs)."""
    import dask
    from distributed import Client

    if workers < 1:
        raise MovescreenError(f"--workers must be at least 1, not {workers}")
    with dask.config.set(DASK_CONFIG), contextlib.ExitStack() as stack:
        if scheduler is not None:
            try:
                client = stack.enter_context(Client(scheduler, timeout="20s"))
            except (OSError, TimeoutError, ValueError) as err:
                raise MovescreenError(f"cannot reach the Dask scheduler at {scheduler} "
                                      f"({err})") from err
        else:
            client = stack.enter_context(_local_client(workers))
        yield client


@contextlib.contextmanager
def _local_client(workers: int) -> Iterator[Any]:
    """A client on a new local cluster of ``workers`` processes, TLS with temporary credentials
    that only this client and its workers hold (see :data:`LOCAL_CLUSTER`)."""
    import dask
    from distributed import Client, LocalCluster
    from distributed.security import Security

    security = Security.temporary()
    timeouts = {"distributed.comm.timeouts.connect": f"{CLUSTER_START_TIMEOUT_S}s",
                "distributed.deploy.lost-worker-timeout": f"{CLUSTER_START_TIMEOUT_S}s"}
    try:
        with dask.config.set(timeouts):
            cluster = LocalCluster(n_workers=workers, host=LOCAL_HOST, security=security,
                                   scheduler_kwargs={"dashboard_address": f"{LOCAL_HOST}:0"},
                                   **LOCAL_CLUSTER)
    except (OSError, RuntimeError, TimeoutError, ValueError) as err:
        cause = err.__cause__ or err
        raise MovescreenError(f"cannot start the local Dask cluster on {LOCAL_HOST} "
                              f"({type(cause).__name__}: {cause}); is the loopback interface "
                              "up?") from err
    with cluster, Client(cluster, security=security) as client:
        yield client


class _Progress:
    """A tqdm bar over frames (files done, failures and rate in the postfix), fed from the
    main thread (completed videos) and from the client's event loop (frames of videos in
    flight); thread-safe."""

    def __init__(self, jobs: Sequence[Job], enabled: bool | None) -> None:
        from tqdm import tqdm

        self._lock = threading.Lock()
        self._inflight: dict[str, int] = {}
        self._expected = {j.name for j in jobs}
        self._files, self._done, self._failed = len(jobs), 0, 0
        self.frames, self.total = 0, sum(j.frames_nominal for j in jobs)
        self.bar = tqdm(total=self.total, unit="frame",
                        disable=None if enabled is None else not enabled, dynamic_ncols=True,
                        desc="batch", smoothing=0.1)
        self._postfix()

    def _postfix(self) -> None:
        self.bar.set_postfix_str(f"files {self._done}/{self._files}, {self._failed} failed",
                                 refresh=False)

    def on_event(self, event: tuple[float, dict[str, Any]]) -> None:
        msg = event[1]
        with self._lock:
            before = self._inflight.get(msg["name"])
            if before is None and msg["name"] not in self._expected:
                return
            self._inflight[msg["name"]] = msg["frames"]
            self._advance(msg["frames"] - (before or 0))

    def _advance(self, frames: int) -> None:
        self.frames += frames
        self.bar.update(frames)

    def finished(self, job: Job, frames: int, ok: bool) -> None:
        with self._lock:
            self._expected.discard(job.name)
            counted = self._inflight.pop(job.name, 0)
            self.total += frames - job.frames_nominal
            self.bar.total = self.total
            self._done += 1
            self._failed += not ok
            self._postfix()
            self._advance(frames - counted)

    def close(self) -> None:
        self.bar.close()


def _outcome(future: Any, job: Job) -> dict[str, Any]:
    """The task's return value, or an ``error`` entry when the task raised or its worker died."""
    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        return {"error": "the worker process analysing it died (a crash or out of memory), "
                         "also when retried", "frames": 0}
    except Exception as err:  # a bug in one video's analysis must not stop the batch
        return {"error": f"internal error: {type(err).__name__}: {err}", "frames": 0}


def _store(engine: Engine, job: Job, payload: dict[str, Any], run_id: int,
           out_dir: Path | None) -> str | None:
    """Write the video's files (if asked) then its rows. Returns an error reason, ``"stored"``
    when another writer stored the same trial meanwhile, or None."""
    from screen.outputs import files as outputs

    where = None
    if out_dir is not None:
        try:
            for stale in out_dir.glob(f".{job.name}.*"):  # left by a batch killed while writing
                shutil.rmtree(stale)
            where = str(outputs.write(payload["result"], out_dir / job.name, overwrite=True))
        except (MovescreenError, OSError) as err:
            return f"cannot write its files ({err})"
    stored = store.record_trial(engine, job, payload["summary"], run_id=run_id, out_dir=where)
    return "stored" if stored is None else None


def run_batch(jobs: Sequence[Job], engine: Engine, *, model: str, thresholds: str | None = None,
              workers: int = 1, scheduler: str | None = None, out_dir: Path | None = None,
              progress: bool | None = None, command: str = "",
              unreadable: Sequence[tuple[str, str]] = (),
              task: Callable[..., dict[str, Any]] = analyse_job) -> Report:
    """Analyse ``jobs`` not yet stored; store each result as it completes.

    ``unreadable`` are (path, reason) of files that could not even be hashed: recorded as
    failures. ``progress``: None shows the bar only on a terminal. ``task`` is the function the
    workers run (:func:`analyse_job`; tests substitute one that crashes its worker).
    """
    report, started = Report(), time.monotonic()
    run_id = store.start_run(engine, command)
    for path, reason in unreadable:
        store.record_failure(engine, run_id=run_id, path=path, content_sha256=None, reason=reason)
        report.failed.append((path, reason))
    stored = store.done_keys(engine, [j.key for j in jobs])
    pending: dict[tuple[str, str, str], Job] = {}
    for job in jobs:
        if job.key in stored or job.key in pending:
            report.skipped.append(job.path)
        else:
            pending[job.key] = job
    if pending:
        _execute(list(pending.values()), engine, report, run_id=run_id, model=model,
                 thresholds=thresholds, workers=workers, scheduler=scheduler, out_dir=out_dir,
                 progress=progress, task=task)
    report.seconds = time.monotonic() - started
    store.finish_run(engine, run_id, analysed=len(report.analysed), skipped=len(report.skipped),
                     failed=len(report.failed))
    return report


def _execute(jobs: list[Job], engine: Engine, report: Report, *, run_id: int, model: str,
             thresholds: str | None, workers: int, scheduler: str | None, out_dir: Path | None,
             progress: bool | None, task: Callable[..., dict[str, Any]]) -> None:
    from distributed import as_completed

    with dask_client(min(workers, len(jobs)), scheduler) as client, \
            contextlib.closing(_Progress(jobs, progress)) as bar:  # rate and ETA from here on
        client.subscribe_topic(PROGRESS_TOPIC, bar.on_event)
        futures = {client.submit(task, job, model, thresholds, out_dir is not None,
                                 key=f"movescreen-{job.name}-{uuid.uuid4().hex[:8]}"): job
                   for job in jobs}
        for future in as_completed(futures):
            job = futures.pop(future)
            payload = _outcome(future, job)
            future.release()
            error = payload.get("error") or _store(engine, job, payload, run_id, out_dir)
            if error == "stored":
                report.skipped.append(job.path)
            elif error:
                reason = _one_line(job.path, error)
                store.record_failure(engine, run_id=run_id, path=job.path,
                                     content_sha256=job.content_sha256, reason=reason)
                report.failed.append((job.path, reason))
            else:
                report.analysed.append(job.path)
                report.frames += payload["frames"]
            bar.finished(job, payload["frames"], error in (None, "stored"))
        client.unsubscribe_topic(PROGRESS_TOPIC)
