"""Throughput of ``movescreen batch`` with 1 and 2 local workers, and peak memory per worker.
Prints figures and the 2-worker/1-worker ratio (goal ≥ 1.7); asserts nothing (not a test).

    python benchmarks/bench_batch.py [--shared ../shared] [--repeats 3] [--model lite]

Each run analyses the same set of distinct sample clips into a fresh database through
:func:`screen.batch.run.run_batch` (the code path of the command), on a local cluster started
beforehand with the batch's own settings and warmed up (MediaPipe imported and one landmarker
created in every worker), so the figures are steady-state throughput; the cluster's start-up time
is printed separately. Runs for 1 and 2 workers are interleaved; medians are reported.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

import dask
from distributed import Client, LocalCluster

from screen.batch import store
from screen.batch.discover import Entry, Video
from screen.batch.jobs import make_jobs
from screen.batch.run import DASK_CONFIG, LOCAL_CLUSTER, run_batch
from screen.sources import models

CLIPS = ("squat_front_single_rep.mp4", "squat_side_single_rep.mp4", "squat_front_dim.mp4",
         "squat_front_occluded.mp4", "squat_front.mp4", "squat_side_deep.mp4",
         "knee_to_wall_side.mp4", "lunge_side.mp4")


def _warm(model_path: str) -> int:
    """Run in each worker: import MediaPipe and create one landmarker; returns the pid."""
    from screen.sources.pose import open_landmarker, quiet_native_logs

    with quiet_native_logs():
        open_landmarker(Path(model_path)).close()
    return os.getpid()


def _peak_rss_mib() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds (user + system, all threads) this process has used."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def start(workers: int, model_path: str) -> tuple[LocalCluster, Client, float]:
    t0 = time.perf_counter()
    with dask.config.set(DASK_CONFIG):
        cluster = LocalCluster(n_workers=workers, **LOCAL_CLUSTER)
    client = Client(cluster)
    client.run(_warm, model_path)
    return cluster, client, time.perf_counter() - t0


def one_run(jobs, model: str, cluster: LocalCluster, client: Client
            ) -> tuple[float, int, int, float, float]:
    """One batch on the cluster of ``client``: (seconds, files, frames, cores used by the
    workers, cores used by the batch's client — this process)."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.connect(Path(tmp) / "bench.sqlite")
        workers0, client0 = sum(client.run(_cpu_s).values()), _cpu_s()
        t0 = time.perf_counter()
        report = run_batch(jobs, engine, model=model, scheduler=cluster.scheduler_address,
                           progress=False)
        seconds = time.perf_counter() - t0
        workers1, client1 = sum(client.run(_cpu_s).values()), _cpu_s()
        engine.dispose()
    if report.failed:
        raise SystemExit(f"benchmark batch failed: {report.failed}")
    return (seconds, len(report.analysed), report.frames, (workers1 - workers0) / seconds,
            (client1 - client0) / seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--model", default="lite", help="lite, full or heavy")
    args = ap.parse_args()
    logging.getLogger("distributed").setLevel(logging.ERROR)  # also while clusters close

    model_path = str(args.shared / "models" / f"pose_landmarker_{args.model}.task")
    videos = [Video((args.shared / "samples" / c).resolve(), Entry(test="knee_to_wall"))
              for c in CLIPS]
    jobs, unreadable, _ = make_jobs(videos, model_sha256=models.resolve(model_path).sha256)
    assert not unreadable, unreadable
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"model {args.model}; {len(jobs)} clips, {sum(j.frames_nominal for j in jobs)} frames; "
          f"load average before: {os.getloadavg()[0]:.2f}")

    clusters = {n: start(n, model_path) for n in (1, 2)}
    for n, (_, _, startup) in clusters.items():
        print(f"{n} worker(s): cluster start + warm-up {startup:.1f} s")
    times: dict[int, list[float]] = {1: [], 2: []}
    frames = files = 0
    cores: dict[int, list[float]] = {1: [], 2: []}
    for r in range(args.repeats):
        for n in (1, 2):
            seconds, files, frames, used, by_client = one_run(jobs, model_path, *clusters[n][:2])
            times[n].append(seconds)
            cores[n].append(used)
            print(f"  run {r + 1}, {n} worker(s): {seconds:.2f} s; CPU cores busy: workers "
                  f"{used:.2f}, client {by_client:.2f}; load average {os.getloadavg()[0]:.1f}")
    rates = {}
    for n in (1, 2):
        client = clusters[n][1]
        rss = client.run(_peak_rss_mib)
        med = statistics.median(times[n])
        cpu_ms = 1000 * statistics.median(
            c * t for c, t in zip(cores[n], times[n], strict=True)) / frames
        rates[n] = frames / med
        print(f"{n} worker(s): median {med:.2f} s → {files / med:.2f} files/s, "
              f"{frames / med:.1f} frames/s; peak RSS per worker: "
              + ", ".join(f"{v:.0f} MiB" for v in rss.values())
              + f"; cores kept busy by the workers: {statistics.median(cores[n]):.2f} "
              f"({cpu_ms:.1f} CPU ms per frame)")
    print(f"ratio 2 workers / 1 worker: {rates[2] / rates[1]:.2f} (goal ≥ 1.7); "
          f"load average after: {os.getloadavg()[0]:.2f}")
    for cluster, client, _ in clusters.values():
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
