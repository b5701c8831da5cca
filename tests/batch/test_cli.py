"""``movescreen batch`` and ``movescreen history`` as a user runs them: a batch killed with
SIGKILL mid-run and re-run, exit codes, one-line errors.

Expected values: what the two-worker batch of the same folder stored (itself checked against
direct ``analyze`` calls in test_run.py), and the bad files' known reasons."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from batch.builders import BAD, GOOD, summaries
from screen.cli import main

pytestmark = pytest.mark.video


def _trials_in(db: Path) -> int:
    """Trials committed so far, read with SQLite itself (0 before the table exists)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
            return conn.execute("SELECT count(*) FROM trials").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _wait_gone(pgid: int, timeout_s: float = 20) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_killed_batch_resumes_without_loss_or_duplicates(clinic, lite, tmp_path, two_workers):
    db = tmp_path / "r.sqlite"
    cmd = [sys.executable, "-m", "screen", "batch", str(clinic), "--workers", "1", "--db",
           str(db), "--model", str(lite)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while proc.poll() is None and _trials_in(db) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the client, its scheduler, nanny and worker
        proc.wait()
        assert _wait_gone(proc.pid), "processes of the killed batch are still running"
    assert proc.returncode == -signal.SIGKILL
    done = _trials_in(db)
    assert 1 <= done < len(GOOD), "the kill must land after a trial and before the end"

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 1, again.stderr
    lines = again.stdout.splitlines()
    assert lines[0].startswith(f"6 video(s): {len(GOOD) - done} analysed, {done} skipped "
                               f"(already analysed), {len(BAD)} failed"), again.stdout
    failed = sorted(Path(line.split(": ")[1]).name for line in lines if "  failed: " in line)
    assert failed == sorted(BAD)
    # every video exactly once (summaries() asserts no repeats), and the same as two workers
    assert summaries(db) == summaries(two_workers[1] / "r.sqlite")
    assert _trials_in(db) == len(GOOD)


def test_history_of_a_patient(two_workers, direct, capsys):
    db = two_workers[1] / "r.sqlite"
    assert main(["history", "P2", "--db", str(db)]) == 0  # P2: knee_to_wall_side.mp4 (sidecar)
    out = capsys.readouterr().out
    assert out.startswith("patient P2: 1 trial(s), 2026-02-15 to 2026-02-15")
    m = next(m for m in direct[GOOD[1]]["measurements"] if m["value"] is not None)
    row = next(line for line in out.splitlines() if m["name"] in line and "2026-02-15" in line
               and f"{m['value']:.1f}°" in line)
    assert "+0.0°" in row  # the first session is its own baseline


@pytest.mark.parametrize("argv, match", [
    (["batch", "{tmp}/nothing-here"], "no such file, folder or pattern"),
    (["batch", "{tmp}", "--workers", "0"], "no video files found"),
    (["history", "P1", "--db", "{tmp}/none.sqlite"], "no such results database"),
])
def test_bad_usage_is_one_line_exit_2(tmp_path, capsys, argv, match):
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("movescreen: error:")
    assert match in err[0]


def test_runs_on_an_existing_scheduler(clinic, lite, direct, tmp_path):
    """``--scheduler``: the same code on a cluster the batch did not start (here an in-process
    one with one thread worker, standing in for a remote cluster)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                      host="127.0.0.1",
                      dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster:
        code = main(["batch", str(clinic / GOOD[0]), "--scheduler", cluster.scheduler_address,
                     "--test", "knee-to-wall", "--db", str(tmp_path / "r.sqlite"),
                     "--model", str(lite)])
    assert code == 0
    assert summaries(tmp_path / "r.sqlite") == {GOOD[0]: direct[GOOD[0]]}
