"""A clinic's data kept private: the local Dask cluster accepts only its own clients (mutual TLS
with per-batch temporary credentials), exported tables do not run formulas, the database and the
exports are owner-only, and database failures are one line without the SQL.

Expected values come from the definitions: who holds the batch's credentials (only the batch),
which leading characters a spreadsheet treats as a formula (OWASP CSV injection: = + - @ tab CR),
and the permission bits asked for (0600 files)."""

from __future__ import annotations

import contextlib
import stat
import subprocess
import sys

import pandas as pd
import pytest
from sqlalchemy import event, func, select

from batch.builders import GOOD, make_job, make_summary
from screen.batch import export, run, store
from screen.cli import main
from screen.errors import MovescreenError


def stand_in_task(job, *_args):
    """Runs on the batch's own worker: proves that the legitimate client and workers connect."""
    return {"error": "stand-in task ran on the batch's worker", "frames": 0}


# Another local process trying the scheduler: prints "connected" or "refused: <error>". Run as
# its own process (as an intruder would be), which also keeps a refused client's clean-up out of
# the test process (its garbage collection can deadlock with a client being started there).
INTRUDER = """
import sys
from distributed import Client
from distributed.security import Security
url, how = sys.argv[1], sys.argv[2]
kw = {"security": Security.temporary()} if how == "other" else {}
try:
    Client(url, timeout="5s", **kw).close()
    print("connected")
except Exception as err:
    print(f"refused: {type(err).__name__}")
"""


def _intrude(url: str, how: str) -> str:
    out = subprocess.run([sys.executable, "-c", INTRUDER, url, how], capture_output=True,
                         text=True, timeout=120)
    lines = out.stdout.strip().splitlines()
    return lines[-1] if lines else f"no answer: {out.stderr.strip()[-200:]}"


def test_the_batch_scheduler_refuses_clients_without_its_credentials(tmp_path, monkeypatch):
    seen: dict[str, str] = {}
    real = run.dask_client

    @contextlib.contextmanager
    def intruded(*args, **kwargs):
        with real(*args, **kwargs) as client:  # the batch's cluster is up: try to get in
            address = seen["address"] = client.scheduler.address
            for name, url, how in [("no credentials", address, "none"),
                                   ("other temporary credentials", address, "other"),
                                   ("plain tcp", address.replace("tls://", "tcp://"), "none")]:
                seen[name] = _intrude(url, how)
            yield client

    monkeypatch.setattr(run, "dask_client", intruded)
    engine = store.connect(tmp_path / "r.sqlite")
    report = run.run_batch([make_job()], engine, model="m", workers=1, task=stand_in_task,
                           progress=False)
    engine.dispose()
    assert seen["address"].startswith("tls://127.0.0.1:")
    for name in ("no credentials", "other temporary credentials", "plain tcp"):
        assert seen[name].startswith("refused"), (name, seen[name])
    assert report.failed == [("/clinic/video-1.mp4", "stand-in task ran on the batch's worker")]


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_loopback_is_one_clear_error(monkeypatch):
    """A host the machine does not have stands in for a missing loopback interface. (Dask leaks
    the socket it failed to bind: its ResourceWarning is collected and ignored here.)"""
    import gc

    monkeypatch.setattr(run, "LOCAL_HOST", "192.0.2.1")  # TEST-NET-1: assigned to no machine
    with pytest.raises(MovescreenError, match="cannot start the local Dask cluster on 192.0.2.1"):
        with run.dask_client(1):
            pass
    gc.collect()


@pytest.mark.parametrize("code", ["=HYPERLINK(\"http://x\",\"P1\")", "@SUM(1+1)", "+1", "-2+3",
                                  "\tP1", "\rP1"])
def test_formula_leading_patient_codes_are_neutralised(tmp_path, code):
    engine = store.connect(tmp_path / "r.sqlite")
    store.record_trial(engine, make_job(patient=code), make_summary({("m", "left"): -3.5}),
                       run_id=store.start_run(engine, "t"))
    csv_path, parquet_path = export.export(engine, tmp_path / "out")
    engine.dispose()
    for table in (pd.read_csv(csv_path, keep_default_na=False), pd.read_parquet(parquet_path)):
        assert table["patient"].tolist() == ["'" + code]
        assert table["value"].tolist() == [-3.5]  # numbers are data, not formulas: untouched
    assert f"'{code[0]}" in csv_path.read_bytes().decode()


def test_plain_codes_are_untouched():
    df = pd.DataFrame({"patient": ["P1", "A-1", None], "value": [-1.0, 2.0, 3.0]})
    assert export.neutralise(df).equals(df)


def test_database_and_exports_are_owner_only(tmp_path):
    engine = store.connect(tmp_path / "r.sqlite")
    store.record_trial(engine, make_job(), make_summary({("m", "left"): 1.0}),
                       run_id=store.start_run(engine, "t"))
    paths = export.export(engine, tmp_path / "out" / "deep")
    engine.dispose()
    for path in (tmp_path / "r.sqlite", *paths, tmp_path / "out", tmp_path / "out" / "deep"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def _full_after_creation(monkeypatch):
    """store.connect whose engine cannot grow the database file beyond its size at opening
    (SQLite's max_page_count: writes needing a new page fail with SQLITE_FULL, as on a full
    disk)."""
    real = store.connect

    def connect(db, **kwargs):
        engine = real(db, **kwargs)
        engine.dispose()

        @event.listens_for(engine, "connect")
        def _cap(dbapi_conn, _record):
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")
        return engine

    monkeypatch.setattr(store, "connect", connect)


def test_full_database_disk_is_one_line_without_sql(tmp_path, monkeypatch):
    _full_after_creation(monkeypatch)
    engine = store.connect(tmp_path / "r.sqlite")
    run_id = store.start_run(engine, "t")
    big = make_summary({(f"measure_{i}", "left"): float(i) for i in range(200)})
    with pytest.raises(MovescreenError) as caught:
        store.record_trial(engine, make_job(), big, run_id=run_id)
    engine.dispose()
    message = str(caught.value)
    assert message.startswith(f"cannot write to the results database {tmp_path / 'r.sqlite'}")
    assert "full" in message and "INSERT" not in message and "\n" not in message


def test_full_database_disk_ends_the_batch_with_exit_2(tmp_path, monkeypatch, capsys, shared, lite):
    _full_after_creation(monkeypatch)
    code = main(["batch", str(shared / "samples" / GOOD[0]), "--test", "squat", "--model", str(lite),
                 "--db", str(tmp_path / "r.sqlite"), "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("movescreen: error: cannot write to the results "
                                               "database") and "full" in err[0], err
    monkeypatch.undo()
    engine = store.connect(tmp_path / "r.sqlite", create=False)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.trials)).scalar() == 0
        assert conn.execute(select(store.runs.c.finished_at)).scalar() is None  # marked unfinished
    engine.dispose()


def test_unwritable_out_is_refused_before_any_analysis(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code = main(["batch", str(tmp_path), "--db", str(tmp_path / "r.sqlite"),
                 "--out", str(tmp_path / "file" / "out")])
    err = capsys.readouterr().err.splitlines()
    assert code == 2 and len(err) == 1 and "is a file, not a folder" in err[0]
    assert not (tmp_path / "r.sqlite").exists()  # nothing started
