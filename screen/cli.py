"""The ``movescreen`` command."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from screen.errors import MovescreenError

TESTS = {"knee-to-wall": "knee_to_wall", "squat": "squat", "hip-rotation": "hip_rotation",
         "foot-angle": "foot_angle", "auto": "auto"}
EXIT_ERROR = 2
EXIT_BUG = 70
# Subcommands that live in their own modules: each has ``register(subparsers)``, which adds its
# parser and sets ``handler`` (a function of the parsed args returning the exit code).
EXTENSIONS: tuple[str, ...] = ("screen.batch.cli", "screen.live.cli", "screen.session.cli")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="movescreen", description=__doc__)
    p.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="analyse a video (or a saved landmarks.npz) for one test")
    a.add_argument("source", help="video file, or landmarks.npz from an earlier --out")
    a.add_argument("--test", choices=list(TESTS), default="auto",
                   help="the screening test; auto recognises it and the camera view (default)")
    a.add_argument("--side", choices=["left", "right"],
                   help="the test leg (default: found geometrically)")
    a.add_argument("--model", default="full", help="lite, full, heavy, or a .task path (default full)")
    a.add_argument("--camera-tilt", type=float, default=None, metavar="DEG",
                   help="how far true vertical appears clockwise from the image's up (default: "
                        "estimated from the scene's straight edges or the body, else level)")
    a.add_argument("--refine", metavar="MODEL", default=None,
                   help="re-measure the frames the result is read from with a second pose model "
                        "(e.g. heavy); the two models' agreement joins the confidence")
    a.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="settings",
                   help="a protocol setting, e.g. mode=walking (foot angle) or path=2d (hip "
                        "rotation); see each test's Settings in the README; repeatable")
    a.add_argument("--thresholds", type=Path, help="a clinic's own thresholds.toml")
    a.add_argument("--out", type=Path, help="write summary.json, frames.csv/.parquet, landmarks.npz here")
    a.add_argument("--overwrite", action="store_true", help="replace a non-empty --out directory")
    a.add_argument("--json", action="store_true", help="print summary.json instead of the text summary")

    m = sub.add_parser("models", help="list or install pose models")
    m.add_argument("action", nargs="?", choices=["list", "install"], default="list")
    m.add_argument("names", nargs="*", help="lite, full, heavy (install; default: all)")
    m.add_argument("--mirror", type=Path, help="copy from this local directory instead of downloading")

    s = sub.add_parser("samples", help="list or fetch the sample clips")
    s.add_argument("action", nargs="?", choices=["list", "fetch"], default="list")
    s.add_argument("names", nargs="*", help="clip file names (fetch; default: all)")
    s.add_argument("--mirror", type=Path, help="copy from this local directory instead of downloading")
    a.set_defaults(handler=_analyze)
    m.set_defaults(handler=_models)
    s.set_defaults(handler=_samples)
    for name in EXTENSIONS:
        importlib.import_module(name).register(sub)
    return p


def _analyze(args: argparse.Namespace) -> int:
    from screen.analysis import analyze
    from screen.outputs import files as outputs

    if args.out is not None:  # before minutes of analysis, not after
        outputs.check_writable(args.out, overwrite=args.overwrite)

    def progress(i: int, n: int) -> None:
        if sys.stderr.isatty() and (i % 15 == 0 or i + 1 == n):
            print(f"\r  pose: frame {i + 1}/{n or '?'}", end="", file=sys.stderr, flush=True)

    result = analyze(args.source, test=TESTS[args.test], model=args.model,
                     thresholds=args.thresholds, on_frame=progress, side=args.side,
                     camera_tilt_deg=args.camera_tilt, refine=args.refine,
                     **parse_settings(args.settings))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.out is not None:
        outputs.write(result, args.out, overwrite=args.overwrite)
    print(result.to_json() if args.json else result.summary())
    if args.out is not None and not args.json:
        print(f"files written to {args.out}")
    return 0


def parse_settings(pairs: Sequence[str]) -> dict[str, object]:
    """``["mode=walking", "heel_lift_deg=8"]`` → ``{"mode": "walking", "heel_lift_deg": 8.0}``:
    numbers become floats (whole numbers ints), true/false booleans, anything else a string."""
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise MovescreenError(f"--set needs KEY=VALUE, got {pair!r}")
        value: object = {"true": True, "false": False}.get(text.strip().lower(), text.strip())
        if isinstance(value, str):
            try:
                value = int(value) if value.lstrip("+-").isdigit() else float(value)
            except ValueError:
                pass
        out[key.strip().replace("-", "_")] = value
    return out


def _models(args: argparse.Namespace) -> int:
    from screen.sources import models

    if args.action == "install":
        for name in args.names or list(models.manifest()):
            path, kind = models.install_model(name, mirror=args.mirror)
            print(f"installed {name}: {path} ({kind}, verified and loaded)")
        return 0
    print(f"models folder: {models.models_dir()}")
    for name, path, provenance in models.installed():
        print(f"{name:6s} {provenance}" + (f"  {path}" if path else ""))
    return 0


def _samples(args: argparse.Namespace) -> int:
    from screen.sources import samples

    if args.action == "fetch":
        for path in samples.fetch(args.names, mirror=args.mirror):
            print(f"fetched {path}")
        return 0
    folder = samples.samples_dir()
    print(f"samples folder: {folder}")
    for name, (_asset, description) in samples.manifest().items():
        mark = "present" if (folder / name).is_file() else "absent "
        print(f"{mark}  {name:28s} {description[:70]}")
    return 0


def _error(message: str) -> int:
    print(f"movescreen: error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_ERROR


def _stdout_closed() -> int:
    """The reader of our standard output went away (``movescreen analyze --json | head``): say so
    once; files already written (``--out``) are complete. Later writes go to /dev/null so the
    interpreter's own flush at exit does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return _error("standard output was closed before everything was printed (broken pipe)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; exit codes: 0 done, 2 bad input or set-up (one line on stderr), 70 a bug,
    130 interrupted."""
    args = _parser().parse_args(argv)
    try:
        code = int(args.handler(args))
        sys.stdout.flush()
        return code
    except MovescreenError as err:
        return _error(str(err))
    except BrokenPipeError:
        return _stdout_closed()
    except OSError as err:  # the environment (disk full, read-only, permissions), not a bug
        where = f"{err.filename}: " if err.filename else ""
        return _error(f"{where}{err.strerror or err}")
    except KeyboardInterrupt:
        print("movescreen: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: one line, the traceback only on request
        if args.debug:
            raise
        print(f"movescreen: internal error: {type(err).__name__}: {err} (rerun with --debug)",
              file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
