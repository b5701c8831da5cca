"""Live-mode pipeline figures on a replayed 30 fps clip, headless. Prints; asserts nothing.

    python benchmarks/bench_live.py [--shared ../shared] [--models lite full] [--repeats 2]
                                    [--modes]

live   : ``movescreen live --source CLIP --no-window`` (paced at the clip's 30 fps, stale frames
         dropped): displayed fps, analysed fps, capture→display latency of the shown image and
         of the skeleton drawn on it (median, 95th percentile), frames dropped.
--startup: ``movescreen live --source CLIP`` with its window (on Xvfb when no display is set),
         whole process: seconds from the process start to the window's first image (the loading
         state), to the first camera image and to the first image with a skeleton.
--modes: capture→landmarks latency of the two MediaPipe ways to run live on the same paced
         replay — VIDEO mode on a dedicated thread fed from a latest-frame slot (what
         ``screen.live`` does) and LIVE_STREAM mode (``detect_async`` on every frame, results by
         callback, MediaPipe dropping frames it has no time for).

Goals (issue 4): displayed fps = source rate, analysed fps ≥ 25 with lite, median latency
≤ 60 ms. Issue 13: the first image within 1 s of the start, with a loading state.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from screen.live.capture import FileReplay, LatestSlot, SourceEnded
from screen.live.session import LiveOptions, Session
from screen.sources.models import resolve

CLIP = "knee_to_wall_side.mp4"
KEYS = ("displayed_fps", "analysed_fps", "latency_median_ms", "latency_p95_ms",
        "pose_latency_median_ms", "pose_latency_p95_ms", "dropped_inference", "frames_captured")


def live_run(clip: Path, model_path: Path, pose_wait_s: float) -> dict[str, float]:
    session = Session(FileReplay(clip), resolve(str(model_path)),
                      LiveOptions(window=False, auto_trial=False, pose_wait_s=pose_wait_s),
                      log=lambda s: None)
    session.run()
    return session.stats.summary()


def _replay(clip: Path, send) -> None:
    """Replay ``clip`` paced at its frame rate into a latest-frame slot (stale frames dropped)
    and call ``send(frame, ms)`` for each frame taken, ms strictly increasing (VIDEO mode)."""
    slot, src, last = LatestSlot(), FileReplay(clip), -1
    src.start([slot])
    while True:
        try:
            f = slot.get(1.0)
        except SourceEnded:
            break
        if f is None:
            continue
        ms = max(int(round(f.t * 1000)), last + 1)
        send(f, ms)
        last = ms
    src.stop()


def video_thread_latency(clip: Path, model_path: Path) -> tuple[list[float], int]:
    """VIDEO mode on its own thread, newest frame only: capture → landmarks (s), frames done."""
    import mediapipe as mp

    from screen.sources.pose import open_landmarker, quiet_native_logs

    lat: list[float] = []
    with quiet_native_logs():
        lm = open_landmarker(model_path)

    def send(f, ms: int) -> None:
        with quiet_native_logs():
            lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=f.rgb), ms)
        lat.append(time.perf_counter() - f.t_capture)

    with lm:
        _replay(clip, send)
    return lat, len(lat)


def live_stream_latency(clip: Path, model_path: Path) -> tuple[list[float], int]:
    """LIVE_STREAM mode: every captured frame to ``detect_async``; capture → callback (s)."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from screen.sources.pose import quiet_native_logs

    captured: dict[int, float] = {}
    lat: list[float] = []
    lock = threading.Lock()

    def done(result, image, ms: int) -> None:
        with lock:
            lat.append(time.perf_counter() - captured[ms])

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.LIVE_STREAM, num_poses=1, result_callback=done)
    with quiet_native_logs():
        lm = vision.PoseLandmarker.create_from_options(options)

    def send(f, ms: int) -> None:
        captured[ms] = f.t_capture
        lm.detect_async(mp.Image(image_format=mp.ImageFormat.SRGB, data=f.rgb), ms)

    with lm:
        _replay(clip, send)
        time.sleep(0.5)
    return lat, len(lat)


def startup(clip: Path, model_path: Path, repeats: int) -> None:
    """Time to the first window image, camera image and skeleton of the real command."""
    xvfb = None
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        if shutil.which("Xvfb") is None:
            print("  startup: no display and no Xvfb: skipped")
            return
        env["DISPLAY"] = ":87"
        xvfb = subprocess.Popen(["Xvfb", ":87", "-screen", "0", "1600x1100x24", "-nolisten",
                                 "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
    env.pop("QT_QPA_PLATFORM", None)
    rows = []
    try:
        for _ in range(repeats):
            t0 = time.time()
            run = subprocess.run([sys.executable, "-m", "screen", "live", "--source", str(clip),
                                  "--model", str(model_path), "--trial", "all", "--linger", "0",
                                  "--stats"], env=env, capture_output=True, text=True, timeout=300)
            stats = json.loads(run.stderr.strip().splitlines()[-1])
            start = stats["started_wall"]
            rows.append((stats["window_shown_wall"] - t0, start + stats["first_frame_s"] - t0,
                         start + stats["first_skeleton_s"] - t0))
    finally:
        if xvfb is not None:
            xvfb.terminate()
    for i, (w, f, k) in enumerate(rows):
        print(f"  {model_path.stem} startup run {i + 1}: first image (loading) {w:.2f} s, "
              f"first camera image {f:.2f} s, first skeleton {k:.2f} s after the process start")
    med = [statistics.median(r[j] for r in rows) for j in range(3)]
    print(f"{model_path.stem} startup median of {len(rows)}: loading state {med[0]:.2f} s, camera "
          f"image {med[1]:.2f} s, skeleton {med[2]:.2f} s")


def _ms(a: list[float], q: float) -> float:
    return 1000 * float(np.percentile(a, q)) if a else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--models", nargs="+", default=["lite", "full"])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--pose-wait", type=float, nargs="+", default=[0.05, 0.0], metavar="S",
                    help="LiveOptions.pose_wait_s values to run (default 0.05 and 0)")
    ap.add_argument("--modes", action="store_true",
                    help="also compare VIDEO-thread and LIVE_STREAM")
    ap.add_argument("--startup", action="store_true",
                    help="also time the real command's window start (Xvfb when no display)")
    args = ap.parse_args()
    clip = args.shared / "samples" / CLIP
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}; clip {CLIP} "
          f"(720×1280, 30 fps, 220 frames), paced replay, headless")
    for name in args.models:
        model = args.shared / "models" / f"pose_landmarker_{name}.task"
        for wait in args.pose_wait:
            runs = [live_run(clip, model, wait) for _ in range(args.repeats)]
            for i, r in enumerate(runs):
                print(f"  {name:5s} wait {wait * 1000:.0f} ms run {i + 1}: "
                      + ", ".join(f"{k} {r[k]:.1f}" for k in KEYS))
            _report(f"{name} (pose wait {wait * 1000:.0f} ms)", runs)
        if args.startup:
            startup(clip, model, max(args.repeats, 3))
        if args.modes:
            for label, fn in (("VIDEO thread", video_thread_latency),
                              ("LIVE_STREAM", live_stream_latency)):
                lat, n = fn(clip, model)
                print(f"  {name:5s} {label:12s}: {n} of 220 frames analysed, capture→landmarks "
                      f"median {_ms(lat, 50):.0f} ms, p95 {_ms(lat, 95):.0f} ms")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


def _report(label: str, runs: list[dict[str, float]]) -> None:
    med = {k: statistics.median(r[k] for r in runs) for k in KEYS}
    print(f"{label} median of {len(runs)}: displayed {med['displayed_fps']:.1f} fps, "
          f"analysed {med['analysed_fps']:.1f} fps, image latency median "
          f"{med['latency_median_ms']:.0f} ms / p95 {med['latency_p95_ms']:.0f} ms, skeleton "
          f"latency median {med['pose_latency_median_ms']:.0f} ms / p95 "
          f"{med['pose_latency_p95_ms']:.0f} ms, dropped {med['dropped_inference']:.0f} of "
          f"{med['frames_captured']:.0f} frames before inference")


if __name__ == "__main__":
    main()
