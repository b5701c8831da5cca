"""Throughput of the analysis pipeline against the bare MediaPipe model, on every core, and of the
analysis alone on one hour of landmarks. Prints figures and ratios; asserts nothing (not a test).

    python benchmarks/bench_pipeline.py [--shared ../shared] [--repeats 3] [--analysis-only]

On one clip (knee_to_wall_side.mp4), in one run:
bare       : the loop a user would write — OpenCV read → RGB → PoseLandmarker.detect_for_video —
             one process, for the full and the heavy model.
analyze    : screen.analyze(video) end to end with every core (chunks on worker processes, decode
             thread, taps, conditioning, protocol), default model, in this process with its
             workers warm (one uncounted run starts them); runs alternate with bare full runs and
             the ratio is the median of each analyze's frames/s over the bare run's just before
             it (the VM's speed drifts within minutes). A fresh process (memory lines) pays the
             workers' ≈ 1-s start and the imports.
at once    : as many bare loops as cores, in fresh processes started together, after each analyze:
             their frames/s together over one bare loop's — what the cores give together on this
             machine (2.0 on two independent cores; a VM's two vCPUs may give less), the ceiling
             of any parallel ratio.
refine     : screen.sources.pose.refine of the result's rep end frames with the heavy model.
memory     : peak RSS of a fresh process running analyze (and of its largest worker), on the clip
             and on the clip ten times longer (written to a temporary file); goal: flat.
analysis   : screen.analyze(recording) on 1 h of 30 fps landmarks (108,000 frames), no model
             (``--analysis-only``: this line alone, after one analyze of the clip for its landmarks).
The machine is shared: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
import psutil

from screen import Recording, analyze
from screen.sources import pose
from screen.sources.models import DEFAULT_MODEL
from screen.sources.pose import open_landmarker, quiet_native_logs

CLIP = "knee_to_wall_side.mp4"
LONGER = 10  # the long clip is the clip this many times over


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


def full(clip: Path, model: Path) -> tuple[float, int, object]:
    start = time.perf_counter()
    result = analyze(clip, model=str(model))
    return time.perf_counter() - start, result.quality["frames"], result


def end_frames(result: object) -> list[int]:
    """Frame indices of every rep's end range in a result (``frame``, else from ``t_s``)."""
    t = result.recording.t
    frames = set()
    for m in result.measurements:
        for rep in m.reps:
            if rep.get("frame") is not None:
                frames.add(int(rep["frame"]))
            elif rep.get("t_s") is not None:
                frames.add(int(np.argmin(np.abs(t - rep["t_s"]))))
    return sorted(frames)


def hour_of_landmarks(rec: Recording, fps: float = 30.0) -> Recording:
    """Tile a real recording to one hour at ``fps`` with 1-px jitter so no two reps are equal."""
    n = int(3600 * fps)
    reps = -(-n // rec.n_frames)
    image = np.tile(rec.image, (reps, 1, 1))[:n].copy()
    rng = np.random.default_rng(0)
    image[..., :2] += rng.normal(0, 1.0 / rec.meta["width"], image[..., :2].shape).astype(np.float32)
    world = np.tile(rec.world, (reps, 1, 1))[:n]
    return Recording(t=np.arange(n) / fps, image=image, world=world, meta=rec.meta)


def longer_clip(clip: Path, times: int, folder: Path) -> Path:
    """The clip ``times`` over, one after the other, as an MPEG-4 file in ``folder``."""
    cap = cv2.VideoCapture(str(clip))
    frames = []
    while (got := cap.read())[0]:
        frames.append(got[1])
    fps = cap.get(cv2.CAP_PROP_FPS)
    cap.release()
    out = folder / f"{clip.stem}_x{times}.mp4"
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for _ in range(times):
        for f in frames:
            writer.write(f)
    writer.release()
    return out


def child(clip: str, model: str) -> None:
    """Run in a fresh process: analyze ``clip`` and print the wall time and frames as JSON."""
    start = time.perf_counter()
    result = analyze(clip, model=model)
    meta = result.recording.meta
    print(json.dumps({"wall": time.perf_counter() - start, "frames": result.quality["frames"],
                      "chunks": len(meta["chunks"]), "fallback": meta.get("parallel_fallback")}))


def bare_child(clip: str, model: str) -> None:
    """Run in a fresh process: say ready, wait for a line on stdin, then run :func:`bare` and print
    its wall time and frames as JSON (so that two such processes start tracking together)."""
    import mediapipe  # noqa: F401 — imported before the start signal, not timed

    print("ready", flush=True)
    sys.stdin.readline()
    seconds, n = bare(Path(clip), Path(model))
    print(json.dumps({"wall": seconds, "frames": n}), flush=True)


def bare_at_once(clip: Path, model: Path, processes: int) -> float:
    """Frames/s of ``processes`` bare loops (:func:`bare`) run at the same time in fresh processes,
    all frames over the slowest one's wall time: what the machine's cores give together."""
    procs = [subprocess.Popen([sys.executable, __file__, "--bare-child", str(clip), str(model)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True) for _ in range(processes)]
    for p in procs:
        while p.stdout.readline().strip() != "ready":
            pass
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    out = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    return sum(o["frames"] for o in out) / max(o["wall"] for o in out)


def fresh_process(clip: Path, model: Path) -> dict:
    """Analyze ``clip`` in a fresh process while sampling, every 20 ms, the resident memory of
    that process and of its worker processes (psutil, which dask.distributed brings). Peaks in
    MB: ``rss_mb`` of the analysing process, ``total_mb`` of it and its workers together."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(clip), str(model)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    watched = psutil.Process(proc.pid)
    own = total = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            rss = [watched.memory_info().rss] + [c.memory_info().rss for c in watched.children(True)]
            own, total = max(own, rss[0]), max(total, sum(rss))
        time.sleep(0.02)
    out = json.loads(proc.stdout.read().strip().splitlines()[-1])
    return {**out, "rss_mb": own / 2**20, "total_mb": total / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--analysis-only", action="store_true",
                    help="only the 1-h analysis (its landmarks from one analyze of the clip)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--bare-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.bare_child:
        bare_child(*args.bare_child)
        return
    clip = args.shared / "samples" / CLIP
    models = {name: args.shared / "models" / f"pose_landmarker_{name}.task" for name in ("full", "heavy")}
    print(f"date: {datetime.datetime.now().isoformat(timespec='minutes')}; machine: "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, mediapipe {mp.__version__}, OpenCV {cv2.__version__}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.analysis_only:
        hour_analysis(full(clip, models[DEFAULT_MODEL])[2].recording, args.repeats)
        return
    print(f"clip: {clip.name}; medians of {args.repeats} runs (heavy bare and refinement: "
          f"{min(3, args.repeats)}); default model: {DEFAULT_MODEL}")
    # bare full and analyze alternate, and each analyze is compared with the bare run just before
    # it: the shared VM's speed drifts by ±20% within minutes, more than the effect measured
    full(clip, models[DEFAULT_MODEL])  # starts the warm workers (and the imports): not counted
    pairs, together, result = [], [], None
    cores = os.cpu_count() or 1
    for _ in range(args.repeats):
        seconds, n = bare(clip, models[DEFAULT_MODEL])
        a_seconds, a_n, result = full(clip, models[DEFAULT_MODEL])
        pairs.append((n / seconds, a_n / a_seconds))
        together.append(bare_at_once(clip, models[DEFAULT_MODEL], cores) / (n / seconds))
    rates = {DEFAULT_MODEL: statistics.median(b for b, _ in pairs)}
    heavy = [(lambda s, n: n / s)(*bare(clip, models["heavy"])) for _ in range(min(3, args.repeats))]
    rates["heavy"] = statistics.median(heavy)
    for name in ("full", "heavy"):
        print(f"{name:5s} bare PoseLandmarker, 1 process: {rates[name]:6.1f} frames/s "
              f"({1000 / rates[name]:5.1f} ms/frame)")
    print(f"full  bare PoseLandmarker, {cores} processes at once (what the cores give together): "
          f"{statistics.median(together):.2f}× one (each: {', '.join(f'{r:.2f}' for r in sorted(together))})")
    ma = statistics.median(a for _, a in pairs)
    ratios = sorted(a / b for b, a in pairs)
    print(f"{DEFAULT_MODEL:5s} analyze, {cores} cores ({len(result.recording.meta['chunks'])} "
          f"chunks, workers warm): {ma:6.1f} frames/s ({1000 / ma:5.1f} ms/frame) | ratio to the bare "
          f"run before it: median {statistics.median(ratios):.2f} (each: "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; goal ≥ 1.7 on 2 cores)")
    frames = end_frames(result)
    r = []
    for _ in range(min(3, args.repeats)):
        start = time.perf_counter()
        refined = pose.refine(result.recording, clip, frames, model=str(models["heavy"]))
        r.append(time.perf_counter() - start)
    spans = refined.meta["refined"]["frames"]
    kept = sum(b - a for a, b in spans)
    print(f"heavy refinement of {len(frames)} rep end frames (± {pose.REFINE_CONTEXT_S:g} s, "
          f"{pose.REFINE_WARMUP_S:g} s warm-up): {kept} of {result.recording.n_frames} frames in "
          f"{len(spans)} windows, {statistics.median(r):.2f} s = "
          f"{statistics.median(r) / (result.recording.n_frames / ma):.2f}× the analyze time; a whole-clip "
          f"heavy run takes {result.recording.n_frames / rates['heavy']:.2f} s on one core")
    with tempfile.TemporaryDirectory() as tmp:
        long_clip = longer_clip(clip, LONGER, Path(tmp))
        for label, path in ((f"clip ({CLIP})", clip), (f"clip × {LONGER}", long_clip)):
            m = fresh_process(path, models[DEFAULT_MODEL])
            note = f" (fallback: {m['fallback']})" if m["fallback"] else ""
            print(f"memory, fresh process, {label}, {m['frames']} frames in {m['chunks']} chunks{note}: "
                  f"peak RSS {m['rss_mb']:.0f} MB, "
                  f"with its workers {m['total_mb']:.0f} MB; analyze {m['frames'] / m['wall']:.1f} frames/s "
                  f"= {m['frames'] / m['wall'] / rates[DEFAULT_MODEL]:.2f}× bare")
    hour_analysis(result.recording, args.repeats)


def hour_analysis(rec: Recording, repeats: int) -> None:
    """Print the median wall and CPU time of ``analyze`` on one hour of ``rec`` tiled."""
    hour = hour_of_landmarks(rec)
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        analyze(hour)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    from screen import speed

    print(f"analysis only, 1 h of 30 fps landmarks ({hour.n_frames} frames), "
          f"{speed.THREADS} thread(s) (screen/speed.py THREADS): median of {repeats} "
          f"{statistics.median(times):.3f} s, CPU {statistics.median(cpu):.3f} s (goal ≤ 1 s)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
