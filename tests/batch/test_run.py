"""Batches on real clips (lite model) plus deliberately bad files, on local Dask clusters.

Expected values: the stored summaries must be exactly what ``screen.analysis.analyze`` returns
for the same clip when called directly in this process (the batch adds no analysis of its own);
the bad files are made by the fixtures, so which must fail, and why, is known in advance."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from batch.builders import BAD, GOOD, summaries
from screen.batch import store
from screen.batch.discover import Entry, Video
from screen.batch.jobs import Job, make_jobs
from screen.batch.run import analyse_job, run_batch
from screen.sources.assets import sha256_of

pytestmark = pytest.mark.video


def test_good_files_stored_bad_files_reported(two_workers, direct):
    code, where = two_workers
    assert code == 1  # some files failed
    assert summaries(where / "r.sqlite") == direct
    engine = store.connect(where / "r.sqlite", create=False)
    with engine.connect() as conn:
        failed = dict(conn.execute(select(store.failures.c.path, store.failures.c.reason)).all())
        n_meas = len(conn.execute(select(store.measurements.c.id)).all())
    engine.dispose()
    assert {Path(p).name for p in failed} == set(BAD)
    for path, reason in failed.items():
        assert reason.startswith(BAD[Path(path).name]) and "\n" not in reason
    assert n_meas == sum(len(d["measurements"]) for d in direct.values())


def test_files_and_combined_table(two_workers, direct):
    _, where = two_workers
    dirs = sorted(p for p in (where / "out").iterdir() if p.is_dir())
    assert [d.name.rsplit("-", 1)[0] for d in dirs] == sorted(Path(g).stem for g in GOOD)
    for d in dirs:
        name = d.name.rsplit("-", 1)[0] + ".mp4"
        assert json.loads((d / "summary.json").read_text()) == direct[name]
        assert {"frames.csv", "frames.parquet", "landmarks.npz"} <= {f.name for f in d.iterdir()}
    table = (where / "out" / "results.csv").read_text().splitlines()
    assert len(table) == 1 + sum(len(d["measurements"]) for d in direct.values())


def crashing_task(job: Job, *args):
    """Kills its worker process on a file named crash*, else the real task."""
    if Path(job.path).name.startswith("crash"):
        os._exit(13)
    return analyse_job(job, *args)


def test_a_worker_crash_is_that_files_failure(clinic, lite, tmp_path, direct):
    crash = tmp_path / "crash.mp4"
    crash.write_bytes(b"never read: the task kills its worker first")
    videos = [Video(crash, Entry(test="knee_to_wall")),
              Video(clinic / GOOD[0], Entry(test="knee_to_wall"))]
    jobs, unreadable, _ = make_jobs(videos, model_sha256=sha256_of(lite))
    engine = store.connect(tmp_path / "r.sqlite")
    report = run_batch(jobs, engine, model=str(lite), workers=1, task=crashing_task,
                       unreadable=unreadable)
    engine.dispose()
    assert report.analysed == [str(clinic / GOOD[0])]  # the batch went on
    assert [(p, r.split(" (")[0]) for p, r in report.failed] == [
        (str(crash), "the worker process analysing it died")]
    assert report.exit_code == 1
    assert summaries(tmp_path / "r.sqlite") == {GOOD[0]: direct[GOOD[0]]}
