"""Builders for batch tests: jobs and summary dicts with values chosen by the test, the bad
files, and reading back what a batch stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from sqlalchemy import select

from screen.batch import store
from screen.batch.jobs import Job


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_job(content: str = "video-1", *, patient: str | None = "P1",
             date: dt.date | None = dt.date(2026, 1, 5), model: str = "model",
             settings: str = "settings", test: str = "knee_to_wall") -> Job:
    return Job(path=f"/clinic/{content}.mp4", content_sha256=sha(content),
               model_sha256=sha(model), settings_sha256=sha(settings), test=test,
               patient=patient, date=date)


def make_summary(values: dict[tuple[str, str], float | None], *, test: str = "knee_to_wall",
                 unit: str | None = "deg") -> dict[str, Any]:
    """A summary.json-shaped dict: ``values`` maps (measure, side) to the best value (None =
    insufficient data)."""
    ms = [{"name": name, "side": side, "value": v, "unit": unit,
           "status": "insufficient_data" if v is None else "normal",
           "threshold": None if v is None else {"restricted_below": 10.0, "source": "test"},
           "median": v, "statistic": "best rep", "spread": None if v is None else 0.5,
           "reps": [] if v is None else [{"t_s": 1.0, "value": v}],
           "reason": "no reps" if v is None else None}
          for (name, side), v in values.items()]
    return {"tool_version": "0.1.0", "source": "x.mp4", "model": {"name": "lite", "sha256": "m"},
            "test": test, "view": {"view": "side"}, "measurements": ms,
            "quality": {"frames": 100, "frames_with_pose": 99, "warnings": []},
            "settings": {"protocol": {}}}


GOOD = ("squat_front_single_rep.mp4", "knee_to_wall_side.mp4")
BAD = {"empty.mp4": "not a video (empty or not a regular file)",  # file → start of its reason
       "notes.mp4": "not a video OpenCV can read",
       "truncated.mp4": "truncated or damaged: only",
       "no_person.mp4": "no person found in any of 90 frames"}


def make_no_person_clip(path: Path, n: int = 90) -> None:
    """A plain synthetic scene (a box sliding over grey), ``n`` frames at 30 fps."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (320, 240))
    for i in range(n):
        frame = np.full((240, 320, 3), 90, np.uint8)
        cv2.rectangle(frame, (40 + i, 60), (120 + i, 180), (30, 160, 220), -1)
        writer.write(frame)
    writer.release()


def summaries(db: Path) -> dict[str, dict]:
    """``{file name: stored summary}`` of every trial in a results database."""
    engine = store.connect(db, create=False)
    with engine.connect() as conn:
        rows = conn.execute(select(store.trials.c.file_name, store.trials.c.summary_json)).all()
    engine.dispose()
    assert len({name for name, _ in rows}) == len(rows), "a video is stored twice"
    return {name: json.loads(s) for name, s in rows}
