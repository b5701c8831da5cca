"""Finding a batch's videos (files, folders, glob patterns) and what a sidecar table says about
each one.

Sidecar table: a CSV file with a header row. ``file`` is required (a path relative to the CSV's
own folder, or absolute); ``patient``, ``date`` (ISO ``YYYY-MM-DD``), ``test`` (a name of
``movescreen analyze --test``, e.g. ``knee-to-wall`` or ``knee_to_wall``) and ``side``
(``left``/``right``) are optional, and empty cells mean "not given". Any other column is an
error (a misspelt header would otherwise be ignored silently). A folder given on the command line
that contains ``movescreen.csv`` uses it when no sidecar is named explicitly.
"""

from __future__ import annotations

import csv
import datetime as dt
import glob
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from screen.errors import MovescreenError

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")
SIDECAR_NAME = "movescreen.csv"
SIDECAR_COLUMNS = ("file", "patient", "date", "test", "side")
SIDES = ("left", "right")


@dataclass(frozen=True)
class Entry:
    """What the sidecar says about one video; None = not given."""

    patient: str | None = None
    date: dt.date | None = None
    test: str | None = None  # protocol name, e.g. "knee_to_wall"
    side: str | None = None


@dataclass(frozen=True)
class Video:
    path: Path  # absolute
    entry: Entry


def _is_video(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in VIDEO_SUFFIXES and not path.name.startswith(".")


def _in_folder(folder: Path) -> list[Path]:
    """Video files under ``folder``, recursively, skipping hidden files and folders (such as
    macOS ``._name.mp4`` companions and unfinished output directories)."""
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).parts
        if not any(part.startswith(".") for part in rel) and _is_video(path):
            found.append(path)
    return sorted(found)


def find_videos(specs: Sequence[str]) -> list[Path]:
    """Absolute paths of the videos named by ``specs``, in order, without repeats.

    A file is taken as given (whatever its name); a folder contributes every video file under it
    (by suffix: :data:`VIDEO_SUFFIXES`); a glob pattern (``*``, ``?``, ``[``, ``**``) contributes
    the video files and folders it matches. A spec that names nothing is an error.
    """
    out: dict[Path, None] = {}
    for spec in specs:
        path = Path(spec).expanduser()
        if path.is_dir():
            hits = _in_folder(path)
        elif path.is_file():
            hits = [path]
        elif glob.has_magic(spec):
            matches = [Path(m) for m in sorted(glob.glob(str(path), recursive=True))]
            hits = [v for m in matches for v in (_in_folder(m) if m.is_dir() else [m])
                    if _is_video(v)]
            if not hits:
                raise MovescreenError(f"{spec}: the pattern matches no video files")
        else:
            raise MovescreenError(f"{spec}: no such file, folder or pattern")
        out.update((h.resolve(), None) for h in hits)
    if not out:
        raise MovescreenError(f"no video files found in {', '.join(specs)}")
    return list(out)


def _test_name(value: str) -> str:
    from screen.cli import TESTS

    name = value.strip().lower()
    if name in TESTS:
        return TESTS[name]
    if name in TESTS.values():
        return name
    raise ValueError(f"unknown test '{value}' (choose from {', '.join(TESTS)})")


def _entry(row: dict[str, str]) -> Entry:
    def cell(key: str) -> str | None:
        value = (row.get(key) or "").strip()
        return value or None

    date, test, side = cell("date"), cell("test"), cell("side")
    if side is not None and side.lower() not in SIDES:
        raise ValueError(f"side must be left or right, not '{side}'")
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise ValueError(f"date must be YYYY-MM-DD, not '{date}'") from None
    return Entry(patient=cell("patient"), date=day, test=_test_name(test) if test else None,
                 side=side.lower() if side else None)


def read_sidecar(path: str | Path) -> dict[Path, Entry]:
    """``{absolute video path: Entry}`` from a sidecar CSV (format in the module docstring).
    Errors name the file and line."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [(h or "").strip().lower() for h in reader.fieldnames or []]
            unknown = [h for h in header if h not in SIDECAR_COLUMNS]
            if "file" not in header or unknown:
                raise MovescreenError(
                    f"{path}: the header must name a 'file' column and only "
                    f"{', '.join(SIDECAR_COLUMNS)}" + (f" (unknown: {', '.join(unknown)})"
                                                      if unknown else ""))
            reader.fieldnames = header
            entries: dict[Path, Entry] = {}
            for row in reader:
                line = reader.line_num
                name = (row.get("file") or "").strip()
                if not name:
                    raise MovescreenError(f"{path}:{line}: empty 'file' cell")
                video = (path.parent / Path(name).expanduser()).resolve()
                if video in entries:
                    raise MovescreenError(f"{path}:{line}: {name} is listed twice")
                try:
                    entries[video] = _entry(row)
                except ValueError as err:
                    raise MovescreenError(f"{path}:{line}: {err}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise MovescreenError(f"{path}: cannot read the sidecar table ({err})") from err
    return entries


def _sidecars(specs: Iterable[str], sidecar: str | Path | None) -> dict[Path, Entry]:
    if sidecar is not None:
        return read_sidecar(sidecar)
    entries: dict[Path, Entry] = {}
    for spec in specs:
        candidate = Path(spec).expanduser() / SIDECAR_NAME
        if candidate.is_file():
            for video, entry in read_sidecar(candidate).items():
                if entries.setdefault(video, entry) != entry:
                    raise MovescreenError(f"{video}: two sidecar tables disagree about it")
    return entries


def discover(specs: Sequence[str], sidecar: str | Path | None = None
             ) -> tuple[list[Video], list[str]]:
    """The batch's videos with their sidecar entries (an empty Entry when the table does not
    name them), and warnings (sidecar rows naming no video of the batch)."""
    videos = find_videos(specs)
    entries = _sidecars(specs, sidecar)
    found = set(videos)
    warnings = [f"sidecar names {p}, which is not among the videos of this batch"
                for p in entries if p not in found]
    return [Video(v, entries.get(v, Entry())) for v in videos], warnings
