"""Shared, session-scoped batch fixtures on real clips (lite model): a clinic folder of good and
deliberately bad files with a sidecar table, what ``analyze`` says about each good clip when
called directly, and one batch of that folder on a local cluster of two workers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from batch.builders import BAD, GOOD, make_no_person_clip
from screen.analysis import analyze
from screen.cli import main


@pytest.fixture(scope="session")
def lite(shared) -> Path:
    return shared / "models" / "pose_landmarker_lite.task"


@pytest.fixture(scope="session")
def clinic(shared, tmp_path_factory) -> Path:
    """Two good clips and four bad files (zero bytes, a text file named .mp4, the first 30% of
    a real clip's bytes, a synthetic scene without a person); the sidecar names knee-to-wall and
    two patients, one date each."""
    folder = tmp_path_factory.mktemp("clinic")
    for name in GOOD:
        shutil.copy(shared / "samples" / name, folder / name)
    (folder / "empty.mp4").touch()
    (folder / "notes.mp4").write_text("session notes, not a video\n" * 40)
    whole = (shared / "samples" / "knee_to_wall_side.mp4").read_bytes()
    (folder / "truncated.mp4").write_bytes(whole[:int(0.3 * len(whole))])
    make_no_person_clip(folder / "no_person.mp4")
    rows = ["file,patient,date,test,side"] + [
        f"{name},P{i % 2 + 1},2026-0{i + 1}-15,knee-to-wall," for i, name in
        enumerate([*GOOD, *BAD])]
    (folder / "movescreen.csv").write_text("\n".join(rows) + "\n")
    return folder


@pytest.fixture(scope="session")
def direct(clinic, lite) -> dict[str, dict]:
    """``analyze``'s own summary of each good clip, called directly in this process."""
    return {name: analyze(clinic / name, test="knee_to_wall", model=str(lite)).to_dict()
            for name in GOOD}


@pytest.fixture(scope="session")
def two_workers(clinic, lite, tmp_path_factory) -> tuple[int, Path]:
    """``movescreen batch CLINIC --workers 2 --out ... --db ...``, in process: (exit code,
    folder holding r.sqlite and out/)."""
    where = tmp_path_factory.mktemp("two")
    code = main(["batch", str(clinic), "--workers", "2", "--db", str(where / "r.sqlite"),
                 "--out", str(where / "out"), "--model", str(lite)])
    return code, where
