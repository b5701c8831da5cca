"""Throughput of the analysis pipeline against the bare MediaPipe model, and of the analysis
alone on one hour of landmarks. Prints figures and ratios; asserts nothing (not a test).

    python benchmarks/bench_pipeline.py [--shared ../shared] [--repeats 3] [--models lite full]

bare      : the loop a user would write — OpenCV read → RGB → PoseLandmarker.detect_for_video.
analyze   : screen.analyze(video) end to end (decode thread, pose, conditioning, protocol).
analysis  : screen.analyze(recording) on 1 h of 30 fps landmarks (108,000 frames), no model.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np

from screen import Recording, analyze
from screen.sources.pose import open_landmarker, quiet_native_logs

CLIP = "knee_to_wall_side.mp4"


def bare(clip: Path, model: Path) -> tuple[float, int]:
    cap = cv2.VideoCapture(str(clip))
    n = 0
    start = time.perf_counter()
    with quiet_native_logs(), open_landmarker(model) as lm:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            lm.detect_for_video(image, int(round(cap.get(cv2.CAP_PROP_POS_MSEC))))
            n += 1
    cap.release()
    return time.perf_counter() - start, n


def full(clip: Path, model: Path) -> tuple[float, int, Recording]:
    start = time.perf_counter()
    result = analyze(clip, model=str(model))
    return time.perf_counter() - start, result.quality["frames"], result.recording


def hour_of_landmarks(rec: Recording, fps: float = 30.0) -> Recording:
    """Tile a real recording to one hour at ``fps`` with 1-px jitter so no two reps are equal."""
    n = int(3600 * fps)
    reps = -(-n // rec.n_frames)
    image = np.tile(rec.image, (reps, 1, 1))[:n].copy()
    rng = np.random.default_rng(0)
    image[..., :2] += rng.normal(0, 1.0 / rec.meta["width"], image[..., :2].shape).astype(np.float32)
    world = np.tile(rec.world, (reps, 1, 1))[:n]
    return Recording(t=np.arange(n) / fps, image=image, world=world, meta=rec.meta)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--models", nargs="+", default=["lite", "full"])
    args = ap.parse_args()
    clip = args.shared / "samples" / CLIP
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, mediapipe {mp.__version__}, OpenCV {cv2.__version__}")
    print(f"clip: {clip.name}; medians of {args.repeats} runs, bare and analyze interleaved")
    rec = None
    for name in args.models:
        model = args.shared / "models" / f"pose_landmarker_{name}.task"
        b, a = [], []
        for _ in range(args.repeats):
            seconds, n = bare(clip, model)
            b.append(n / seconds)
            seconds, n, rec = full(clip, model)
            a.append(n / seconds)
        mb, ma = statistics.median(b), statistics.median(a)
        print(f"{name:5s} bare PoseLandmarker {mb:6.1f} frames/s ({1000 / mb:5.1f} ms/frame) | "
              f"analyze {ma:6.1f} frames/s ({1000 / ma:5.1f} ms/frame) | ratio {ma / mb:.3f}")
    hour = hour_of_landmarks(rec)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        analyze(hour)
        times.append(time.perf_counter() - start)
    print(f"analysis only, 1 h of 30 fps landmarks ({hour.n_frames} frames): "
          f"median {statistics.median(times):.3f} s (goal ≤ 1 s)")


if __name__ == "__main__":
    main()
