"""Camera roll from the scene on every real clip, and how well it follows a known extra roll.

For each clip in ../shared/samples and ../shared/validation: the scene estimate of the roll
(:func:`screen.scene.vertical.from_frames` on the frames ``from_video`` samples, the person masked
with cached landmarks when /work/cache2/full/<stem>.npz or --cache has them), its uncertainty and
the time it took, and the body estimate (:func:`~screen.scene.vertical.from_body`, from the cached
landmarks); then the same frames rolled by ±2, ±3, ±5° (rotated about the centre with
OpenCV's warpAffine and enlarged so no border shows, landmarks mapped alike) and the recovered
change of roll minus the applied one. Also the knee-to-wall clip's own roll read off its frames
(the plumb left edge of the red-brick pillar, fitted on the temporal median frame).

Usage: PYTHONPATH=. python benchmarks/vertical_report.py [--shared DIR] [--cache DIR] [clip-stem ...]
The output goes into docs/vertical.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

import cv2
import numpy as np

from screen.recording import Recording
from screen.scene import vertical as V

ROOT = Path(__file__).resolve().parents[1]
ROLLS = (-5.0, -3.0, -2.0, 2.0, 3.0, 5.0)
TOLERANCE_DEG = 1.0


def clips(shared: Path) -> list[Path]:
    return sorted((shared / "samples").glob("*.mp4")) + sorted((shared / "validation").glob("*.mp4"))


def pillar_edge_roll(path: Path) -> tuple[float, float]:
    """knee_to_wall_side: lean (degrees, this module's sign) of the red pillar's left edge, the
    boundary between white side-wall bricks and red pillar bricks near x = 653 px, on the
    temporal median of all frames (the person moves away from it). Per row y < 1150, the x of
    the strongest rise of red minus green in 630 ≤ x < 700; a line x = a + b·y fitted with
    outlier trimming. Returns (lean, rows used / rows)."""
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    frames = []
    while (got := cap.read())[0]:
        frames.append(got[1])
    cap.release()
    med = np.median(np.stack(frames), axis=0)
    red_minus_green = med[:1150, 630:700, 2] - med[:1150, 630:700, 1]
    x = np.argmax(np.diff(red_minus_green, axis=1), axis=1) + 630.5
    y = np.arange(len(x), dtype=float)
    keep = np.ones(len(x), bool)
    for _ in range(5):
        b, a = np.polyfit(y[keep], x[keep], 1)
        r = np.abs(x - (a + b * y))
        keep = r < 2.5 * np.median(r[keep]) + 0.5
    return float(np.degrees(np.arctan(-b))), float(keep.mean())


def one_clip(path: Path, cache: Path) -> dict:
    npz = cache / f"{path.stem}.npz"
    rec = Recording.load(npz) if npz.is_file() else None
    t0 = time.perf_counter()
    base = V.from_video(path, landmarks=rec)
    seconds = time.perf_counter() - t0
    n = rec.n_frames if rec is not None else int(cv2.VideoCapture(str(path)).get(cv2.CAP_PROP_FRAME_COUNT))
    idx = V.sample_indices(n, V.DEFAULT_SETTINGS.n_frames)
    frames = V.read_frames(path, idx)
    pts = V.person_points(rec, idx[:len(frames)]) if rec is not None else [None] * len(frames)
    rolled = {}
    for roll in ROLLS:
        pairs = [V.roll_frame(f, roll, p) for f, p in zip(frames, pts, strict=True)]
        est = V.from_frames([f for f, _ in pairs], person_points=[p for _, p in pairs])
        rolled[roll] = est
    body = V.from_body(rec) if rec is not None else None
    return {"clip": path.stem, "masked": rec is not None, "base": base, "seconds": seconds,
            "rolled": rolled, "body": body}


def fmt(v: V.Vertical) -> str:
    if v.source == "assumed_level":
        return "none"
    return f"{v.roll_deg:+.2f} ± {v.uncertainty_deg:.2f}"


def report(rows: list[dict], references: dict[str, float]) -> None:
    head = " | ".join(f"{r:+.0f}°" for r in ROLLS)
    print(f"| clip | scene (°) | edges | reliable | s | body (°) | recovered − applied, {head} |")
    print("|---|---|---|---|---|---|" + "---|" * len(ROLLS))
    errors, both_reliable = [], []
    for row in rows:
        b = row["base"]
        cells = []
        for roll in ROLLS:
            e = row["rolled"][roll]
            if b.source == "assumed_level" or e.source == "assumed_level":
                cells.append("–")
                continue
            err = e.roll_deg - b.roll_deg - roll
            cells.append(f"{err:+.2f}" + ("" if e.reliable else "*"))
            errors.append(err)
            if b.reliable and e.reliable:
                both_reliable.append(err)
        mask = "" if row["masked"] else " (no landmarks)"
        body = fmt(row["body"]) if row["body"] is not None else "–"
        print(f"| {row['clip']}{mask} | {fmt(b)} | {b.n_lines} | {'yes' if b.reliable else 'no'} | "
              f"{row['seconds']:.1f} | {body} | " + " | ".join(cells) + " |")
    n_rel = sum(r["base"].reliable for r in rows)
    n_est = sum(r["base"].source == "scene" for r in rows)
    print(f"\n{len(rows)} clips: {n_est} with a scene estimate, {n_rel} reliable "
          f"(uncertainty ≤ {V.RELIABLE_UNCERTAINTY_DEG}°); others → assumed_level.")
    for name, errs in (("all estimates", errors), ("reliable before and after", both_reliable)):
        if errs:
            a = np.abs(errs)
            print(f"recovered − applied roll, {name}: n = {len(a)}, median |err| {np.median(a):.2f}°, "
                  f"max {a.max():.2f}°, within {TOLERANCE_DEG}°: {np.mean(a <= TOLERANCE_DEG):.0%}")
    for row in rows:  # clips whose own roll was read off the frames: estimate − (reference + applied)
        ref = references.get(row["clip"])
        if ref is None:
            continue
        cells = [f"unrotated {fmt(row['base'])} ({'reliable' if row['base'].reliable else 'not reliable'})"
                 f" → {row['base'].roll_deg - ref:+.2f}"]
        for roll in ROLLS:
            e = row["rolled"][roll]
            cells.append("–" if e.source == "assumed_level" else
                         f"{roll:+.0f}°: {e.roll_deg - roll - ref:+.2f}" + ("" if e.reliable else "*"))
        print(f"{row['clip']}, estimate − (reference {ref:+.2f}° + applied): " + ", ".join(cells))
    times = [r["seconds"] for r in rows]
    print(f"from_video time per clip: median {np.median(times):.2f} s, max {max(times):.2f} s")
    print("(* = that rolled estimate is not reliable)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--cache", type=Path, default=Path("/work/cache2/full"))
    ap.add_argument("clips", nargs="*")
    args = ap.parse_args()
    shared = args.shared if args.shared.is_dir() else Path("/work/shared")
    cpu = platform.processor() or platform.machine()
    print(f"# vertical_report — {datetime.date.today()} on {platform.node()} ({cpu}, {os.cpu_count()} CPUs), "
          f"OpenCV {cv2.__version__}\n")
    rows = [one_clip(p, args.cache) for p in clips(shared) if not args.clips or p.stem in args.clips]
    references = {}
    ktw = shared / "samples" / "knee_to_wall_side.mp4"
    if ktw.is_file() and any(r["clip"] == ktw.stem for r in rows):
        lean, used = pillar_edge_roll(ktw)
        references[ktw.stem] = lean
        print(f"knee_to_wall_side reference: pillar edge lean {lean:+.2f}° ({used:.0%} of rows fitted)\n")
    report(rows, references)


if __name__ == "__main__":
    main()
