"""The ``movescreen live`` subcommand."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from screen.protocols import PROTOCOLS

CHECKS = ("knee-to-wall", "hip-rotation", "squat", "foot-angle", "all")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``live`` to the ``movescreen`` command."""
    tests = [name.replace("_", "-") for name in PROTOCOLS]
    p = subparsers.add_parser(
        "live", help="run a screening test live from a camera (or a video replayed as one)",
        description="Shows the camera image with the skeleton and, beside it, the test's "
        "angles with their normal range, a gauge against the threshold and what to change. "
        "--check TEST walks you through a self-check step by step (camera, position, the "
        "movement, the other side, the comparison and a report). Keys: SPACE start/stop a "
        "trial (in a check: continue), t next test, s side (auto/left/right), q or Esc quit. "
        "Each trial ends with the same analysis as `movescreen analyze`.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=None, metavar="N",
                     help="camera number (default 0)")
    src.add_argument("--source", type=Path, metavar="VIDEO", nargs="+",
                     help="replay video files at their own frame rate, one after another, as "
                     "if they were a camera (a trial ends with its file)")
    p.add_argument("--test", choices=["auto", *tests], default="auto",
                   help="default auto: recognised from the last seconds of movement")
    p.add_argument("--check", choices=CHECKS,
                   help="a guided self-check of one test (or all): set-up, both sides, comparison "
                   "and report (written to --record DIR/check-NNN, else the user data folder)")
    p.add_argument("--speak", action="store_true",
                   help="also say each instruction (needs espeak-ng, espeak or say)")
    p.add_argument("--side", choices=["left", "right"], help="the test side (default: found)")
    p.add_argument("--model", default="full",
                   help="lite, full, heavy, or a .task path (default full, as analyze: lite is "
                        "faster but its numbers differ, see docs/live.md)")
    p.add_argument("--camera-tilt", type=float, default=None, metavar="DEG",
                   help="how far true vertical appears clockwise from the image's up")
    p.add_argument("--thresholds", type=Path, help="a clinic's own thresholds.toml")
    p.add_argument("--record", type=Path, metavar="DIR",
                   help="write each trial's files to DIR/trial-NNN (as analyze --out)")
    p.add_argument("--record-video", action="store_true",
                   help="with --record, also save every camera frame of each trial as video.mp4")
    p.add_argument("--annotated-video", action="store_true",
                   help="with --record, also save each trial as shown (skeleton, angles, gauge, "
                   "prompts) as annotated.mp4")
    p.add_argument("--trial", choices=["manual", "all"], default=None,
                   help="manual: SPACE starts and stops trials (default with a window); all: one "
                   "trial over the whole run (default with --no-window)")
    p.add_argument("--no-window", action="store_true",
                   help="headless: no window, no keys (results and files as usual)")
    p.add_argument("--no-drop", action="store_true",
                   help="analyse every frame: a replayed file waits for the model instead of "
                   "dropping stale frames (what `analyze` sees, frame for frame)")
    p.add_argument("--linger", type=float, default=None, metavar="S",
                   help="after a replayed file ends, keep the result up S seconds (default: "
                   "until a key)")
    p.add_argument("--snapshot", type=Path, metavar="PNG",
                   help="save the last shown image (with its overlay) here on exit")
    p.add_argument("--stats", action="store_true",
                   help="print the pipeline figures (fps, latency) as JSON on stderr at exit")
    p.set_defaults(handler=run)


def has_display() -> bool:
    """Whether a window can be opened: always on Windows and macOS; on Linux and other X11
    systems only with ``DISPLAY`` or ``WAYLAND_DISPLAY`` set (Qt aborts the process otherwise)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _check(args: argparse.Namespace) -> None:
    """Every bad set-up as a one-line MovescreenError, before anything is opened."""
    from screen.errors import MovescreenError

    wrong = [
        (args.camera is not None and args.camera < 0,
         f"--camera must be a camera number, 0 or more (not {args.camera})"),
        (args.record_video and args.record is None, "--record-video needs --record DIR"),
        (args.annotated_video and args.record is None, "--annotated-video needs --record DIR"),
        (args.check and args.no_window, "--check needs the window (its steps are shown and "
                                        "keyed); drop --no-window"),
        (args.check and args.trial, "--check runs its own trials; drop --trial"),
    ]
    for bad, message in wrong:
        if bad:
            raise MovescreenError(message)
    if args.record is not None and args.record.exists() and not args.record.is_dir():
        raise MovescreenError(f"{args.record} exists and is not a directory (--record DIR)")
    if args.record is not None:  # before a trial is recorded, not when its files are due
        from screen.outputs.files import check_folder

        check_folder(args.record, what=f"trials to {args.record} (--record)")
    if args.no_window and args.trial == "manual":
        raise MovescreenError("--trial manual needs the window's keys; drop --no-window")
    if not args.no_window and not has_display():
        raise MovescreenError("no display to open a window on (DISPLAY is not set); run with "
                              "--no-window, or from a desktop session")
    for clip in args.source or []:
        if not clip.is_file():
            raise MovescreenError(f"{clip}: no such file")


def run(args: argparse.Namespace) -> int:
    """Handler of ``movescreen live``: 0 when done (results may say insufficient_data), a
    MovescreenError (exit 2) for no camera, a camera lost (after keeping the trial), bad input."""
    _check(args)
    if not args.no_window:  # the window first, with its loading state (the rest takes seconds)
        from screen.live.window import show_loading

        show_loading()
    from screen.live.capture import open_source
    from screen.live.session import LiveOptions, Session
    from screen.sources import models

    model = models.resolve(args.model)
    options = LiveOptions(
        test=args.test.replace("-", "_"), side=args.side, camera_tilt_deg=args.camera_tilt,
        check=args.check.replace("-", "_") if args.check else None, speak=args.speak,
        thresholds=args.thresholds, record_dir=args.record, record_video=args.record_video,
        annotated_video=args.annotated_video,
        window=not args.no_window, auto_trial=(args.trial or
                                               ("all" if args.no_window else "manual")) == "all",
        lossless=args.no_drop, linger_s=args.linger, snapshot=args.snapshot)
    source = open_source(camera=args.camera, video=args.source)
    try:
        session = Session(source, model, options)
    except BaseException:
        source.close()
        raise
    try:
        session.run()
    finally:
        if args.stats:
            print(json.dumps(session.stats.summary()), file=sys.stderr)
    return 0
