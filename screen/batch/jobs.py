"""One unit of batch work — a video, the test and settings to analyse it with — and its identity.

A trial is identified by three SHA-256 digests: of the video's bytes, of the pose model file, and
of the analysis settings (requested test, the protocol settings passed to ``analyze``, and the
bytes of the thresholds file). Two runs with the same three analyse the same thing; the database
keeps one trial per identity (see :mod:`screen.batch.store`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screen.batch.discover import Video
from screen.errors import MovescreenError
from screen.sources.assets import sha256_of

TrialKey = tuple[str, str, str]  # (content sha256, model sha256, settings sha256)
AUTO = "auto"  # the test name that asks analyze to recognise the test


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to analyse one video, and what the client stores with it."""

    path: str  # absolute
    content_sha256: str
    model_sha256: str
    settings_sha256: str
    test: str  # the test asked for ("auto" when nothing names one)
    settings: dict[str, Any] = field(default_factory=dict)  # passed to analyze as keywords
    patient: str | None = None
    date: dt.date | None = None
    frames_nominal: int = 0  # the container's frame count (0 if unreadable), for progress only

    @property
    def key(self) -> TrialKey:
        return (self.content_sha256, self.model_sha256, self.settings_sha256)

    @property
    def name(self) -> str:
        """A stable, unique name for this trial's files: the video's stem + 12 hex digits of its
        identity (the same video analysed with other settings gets another name)."""
        digest = hashlib.sha256("/".join(self.key).encode()).hexdigest()
        return f"{Path(self.path).stem}-{digest[:12]}"


def protocol_settings(test: str, side: str | None) -> dict[str, Any]:
    """The keywords for ``analyze``: ``side`` only when the test's protocol has a ``side``
    setting, or for ``auto`` (``analyze`` passes it on when the recognised test has one). Any
    other test unknown here gets no settings (``analyze`` then reports it as that file's
    failure)."""
    from screen.protocols import PROTOCOLS

    if side is not None and test == AUTO:
        return {"side": side}
    protocol = PROTOCOLS.get(test)
    if side is None or protocol is None:
        return {}
    names = {f.name for f in dataclasses.fields(protocol.Settings)}
    return {"side": side} if "side" in names else {}


def settings_digest(test: str, settings: dict[str, Any], thresholds_sha256: str) -> str:
    """SHA-256 of the canonical JSON of what, besides the video and model, decides a result."""
    blob = json.dumps({"test": test, "settings": settings, "thresholds_sha256": thresholds_sha256},
                      sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def thresholds_digest(thresholds: str | Path | None) -> str:
    from screen.results.thresholds import DEFAULT

    path = Path(thresholds) if thresholds is not None else DEFAULT
    if not path.is_file():
        raise MovescreenError(f"{path}: no such thresholds file")
    return sha256_of(path)


def _protocols() -> dict[str, Any]:
    from screen.protocols import PROTOCOLS

    return PROTOCOLS


def frame_count(path: Path) -> int:
    """The container's declared frame count, for the progress bar's estimate only: 0 when the
    file does not open as a video (the analysis then reports why, as that file's failure)."""
    from screen.sources.video import VideoFile

    try:
        with VideoFile(path) as video:
            return max(video.info.frames_nominal, 0)
    except MovescreenError:
        return 0


def make_jobs(videos: Sequence[Video], *, model_sha256: str, default_test: str = "auto",
              thresholds: str | Path | None = None
              ) -> tuple[list[Job], list[tuple[str, str]], list[str]]:
    """Jobs for ``videos`` (test from the sidecar, else ``default_test``), the videos that could
    not be read as ``(path, reason)``, and warnings (a side given for a test that takes none)."""
    th = thresholds_digest(thresholds)
    jobs, unreadable, warnings = [], [], []
    for video in videos:
        e = video.entry
        test = e.test or default_test
        settings = protocol_settings(test, e.side)
        if e.side and not settings and test in _protocols():
            warnings.append(f"{video.path}: side '{e.side}' ignored (test {test} takes no side)")
        try:
            content = sha256_of(video.path)
        except OSError as err:
            unreadable.append((str(video.path), f"cannot read the file ({err.strerror or err})"))
            continue
        jobs.append(Job(path=str(video.path), content_sha256=content, model_sha256=model_sha256,
                        settings_sha256=settings_digest(test, settings, th), test=test,
                        settings=settings, patient=e.patient, date=e.date,
                        frames_nominal=frame_count(video.path)))
    return jobs, unreadable, warnings
