"""The results database (SQLAlchemy 2 Core): SQLite by default, any SQLAlchemy URL otherwise.

Tables (schema version :data:`SCHEMA_VERSION`, recorded in ``schema_version``):

* ``patients(id, code)`` — ``code`` as the sidecar names the patient (unique).
* ``sessions(id, patient_id, date)`` — one per patient and day (unique together).
* ``runs(id, started_at, finished_at, command, analysed, skipped, failed)`` — one per batch;
  ``finished_at`` stays empty when a batch was killed.
* ``trials(id, session_id, run_id, path, file_name, content_sha256, model_name, model_sha256,
  settings_sha256, settings_json, requested_test, test, view, frames, frames_with_pose,
  tool_version, out_dir, summary_json, analysed_at)`` — one analysed video; unique on
  (content_sha256, model_sha256, settings_sha256), so a video is stored once per model and
  settings however often a batch is re-run. ``summary_json`` is the whole ``summary.json``.
* ``measurements(id, trial_id, name, side, value, statistic, median, spread, unit, status,
  reason, n_reps, threshold_json, reps_json)`` — one row per measure and side, whatever the
  test, so a new test needs no schema change (``statistic`` says what ``value`` is, e.g.
  "best rep").
* ``failures(id, run_id, path, content_sha256, reason, failed_at)`` — one per failed file per
  run (failed files are tried again by the next run).

A new SQLite database file is created owner-only (0600; SQLite gives its journal files the same
mode): it holds patient codes. A write that fails (disk full, read-only, locked) is one
MovescreenError naming the database and the reason, never the SQL.

Every write is one transaction: a trial and all its measurements are stored together or not at
all. Migrations (:data:`MIGRATIONS`, one function per version) run in one transaction too
(SQLite's DDL included), so an interrupted upgrade leaves the previous version intact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from screen.batch.jobs import Job, TrialKey
from screen.errors import MovescreenError

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime(timezone=True), nullable=False))

patients = Table(
    "patients", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(200), nullable=False, unique=True))

sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False),
    Column("date", Date),
    UniqueConstraint("patient_id", "date", name="uq_session_patient_date"))

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("command", Text, nullable=False),
    Column("analysed", Integer),
    Column("skipped", Integer),
    Column("failed", Integer))

trials = Table(
    "trials", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", ForeignKey("sessions.id")),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("file_name", String(400), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("model_name", String(200)),
    Column("model_sha256", String(64), nullable=False),
    Column("settings_sha256", String(64), nullable=False),
    Column("settings_json", Text, nullable=False),
    Column("requested_test", String(100), nullable=False),
    Column("test", String(100), nullable=False),
    Column("view", String(50)),
    Column("frames", Integer, nullable=False),
    Column("frames_with_pose", Integer, nullable=False),
    Column("tool_version", String(50), nullable=False),
    Column("out_dir", Text),
    Column("summary_json", Text, nullable=False),
    Column("analysed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("content_sha256", "model_sha256", "settings_sha256", name="uq_trial_key"))

measurements = Table(
    "measurements", metadata,
    Column("id", Integer, primary_key=True),
    Column("trial_id", ForeignKey("trials.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("side", String(20), nullable=False),
    Column("value", Float),
    Column("statistic", String(100)),
    Column("median", Float),
    Column("spread", Float),
    Column("unit", String(20), nullable=False),
    Column("status", String(40), nullable=False),
    Column("reason", Text),
    Column("n_reps", Integer, nullable=False),
    Column("threshold_json", Text),
    Column("reps_json", Text, nullable=False))

failures = Table(
    "failures", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("content_sha256", String(64)),
    Column("reason", Text, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False))

V1_TABLES = (patients, sessions, runs, trials, measurements, failures)


def _v1(conn: Connection) -> None:
    """Version 1: the tables above. (When the schema changes, freeze these definitions here and
    add a version-2 function that alters the tables; never edit a released migration.)"""
    metadata.create_all(conn, tables=list(V1_TABLES))


MIGRATIONS: list[Callable[[Connection], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def url_for(db: str | Path) -> str:
    """A SQLAlchemy URL as given (``dialect://...``), else a SQLite file path."""
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_transactions(engine: Engine) -> None:
    """Make SQLite transactions real (pysqlite otherwise commits DDL outside them) and enforce
    foreign keys; the recipe from SQLAlchemy's SQLite dialect documentation."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")


def connect(db: str | Path, *, migrations: Sequence[Callable[[Connection], None]] = MIGRATIONS,
            create: bool = True) -> Engine:
    """An engine on ``db``, migrated to the latest schema. ``create=False`` refuses to create a
    missing SQLite file (for read-only commands such as ``history``)."""
    url = url_for(db)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not create and not path.is_file():
            raise MovescreenError(f"{path}: no such results database")
        if not path.parent.is_dir():
            raise MovescreenError(f"{path.parent}: no such folder for the results database")
        _create_private(path)
    try:
        engine = create_engine(url, connect_args={"timeout": 60} if url.startswith("sqlite") else {})
        if engine.dialect.name == "sqlite":
            _sqlite_transactions(engine)
        migrate(engine, migrations)
    except (SQLAlchemyError, ImportError, ValueError) as err:
        raise MovescreenError(f"cannot open the results database {db} ({_reason(err)})") from None
    return engine


DB_FILE_MODE = 0o600


def _create_private(path: Path) -> None:
    """Create an empty SQLite file with owner-only permissions (SQLite would use the umask)."""
    if path.exists():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DB_FILE_MODE))
        os.chmod(path, DB_FILE_MODE)
    except FileExistsError:
        pass  # created meanwhile by another batch
    except OSError as err:
        raise MovescreenError(f"cannot create the results database {path} "
                              f"({err.strerror or err})") from err


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` whose database failures (disk full, read-only, locked) become one
    MovescreenError with the driver's reason, without the SQL and its parameters."""
    try:
        with engine.begin() as conn:
            yield conn
    except IntegrityError:
        raise
    except DBAPIError as err:
        raise MovescreenError(f"cannot write to the results database "
                              f"{engine.url.database or engine.url} ({_reason(err)})") from None


def _reason(err: Exception) -> str:
    """The database driver's own message, on one line, without SQLAlchemy's SQL dump."""
    inner = getattr(err, "orig", None) or err
    return " ".join(str(inner).split("\n[SQL:")[0].split())[:300]


def current_version(conn: Connection) -> int:
    schema_version.create(conn, checkfirst=True)
    return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)


def migrate(engine: Engine, migrations: Sequence[Callable[[Connection], None]] = MIGRATIONS) -> int:
    """Bring the database to ``len(migrations)``, all in one transaction; returns the version.
    A database newer than this code is refused."""
    with engine.begin() as conn:
        version = current_version(conn)
        if version > len(migrations):
            raise MovescreenError(f"the results database has schema version {version}, newer than "
                                  f"this movescreen understands ({len(migrations)}); upgrade it")
        for v in range(version + 1, len(migrations) + 1):
            migrations[v - 1](conn)
            conn.execute(insert(schema_version).values(version=v, applied_at=now()))
    return len(migrations)


def done_keys(engine: Engine, keys: Iterable[TrialKey], chunk: int = 500) -> set[TrialKey]:
    """Those of ``keys`` already stored as trials."""
    wanted = set(keys)
    contents = sorted({k[0] for k in wanted})
    found: set[TrialKey] = set()
    cols = (trials.c.content_sha256, trials.c.model_sha256, trials.c.settings_sha256)
    with engine.connect() as conn:
        for i in range(0, len(contents), chunk):
            rows = conn.execute(select(*cols).where(
                trials.c.content_sha256.in_(contents[i:i + chunk])))
            found.update(k for k in map(tuple, rows) if k in wanted)
    return found


def start_run(engine: Engine, command: str) -> int:
    with writing(engine) as conn:
        return int(conn.execute(insert(runs).values(started_at=now(), command=command)
                                ).inserted_primary_key[0])


def finish_run(engine: Engine, run_id: int, *, analysed: int, skipped: int, failed: int) -> None:
    with writing(engine) as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            finished_at=now(), analysed=analysed, skipped=skipped, failed=failed))


def _session_id(conn: Connection, patient: str | None, date: dt.date | None) -> int | None:
    if patient is None:
        return None
    pid = conn.execute(select(patients.c.id).where(patients.c.code == patient)).scalar()
    if pid is None:
        pid = conn.execute(insert(patients).values(code=patient)).inserted_primary_key[0]
    same_day = sessions.c.date.is_(None) if date is None else sessions.c.date == date
    sid = conn.execute(select(sessions.c.id).where(sessions.c.patient_id == pid, same_day)).scalar()
    if sid is None:
        sid = conn.execute(insert(sessions).values(patient_id=pid, date=date)
                           ).inserted_primary_key[0]
    return int(sid)


def _measurement_rows(trial_id: int, summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"trial_id": trial_id, "name": m["name"], "side": m["side"], "value": m["value"],
             "statistic": m.get("statistic"), "median": m.get("median"),
             "spread": m.get("spread"), "unit": m["unit"], "status": m["status"],
             "reason": m.get("reason"), "n_reps": len(m.get("reps") or []),
             "threshold_json": None if m.get("threshold") is None else json.dumps(m["threshold"]),
             "reps_json": json.dumps(m.get("reps") or [])}
            for m in summary["measurements"]]


def record_trial(engine: Engine, job: Job, summary: dict[str, Any], *, run_id: int,
                 out_dir: str | None = None) -> int | None:
    """Store one analysed video (patient, session, trial, measurements) in one transaction.
    Returns the trial id, or None when a trial with the same identity is already stored (then
    nothing is written)."""
    try:
        with writing(engine) as conn:
            values = {
                "session_id": _session_id(conn, job.patient, job.date), "run_id": run_id,
                "path": job.path, "file_name": Path(job.path).name,
                "content_sha256": job.content_sha256, "model_name": summary["model"].get("name"),
                "model_sha256": job.model_sha256, "settings_sha256": job.settings_sha256,
                "settings_json": json.dumps(summary["settings"], sort_keys=True),
                "requested_test": job.test, "test": summary["test"],
                "view": (summary.get("view") or {}).get("view"),
                "frames": summary["quality"]["frames"],
                "frames_with_pose": summary["quality"]["frames_with_pose"],
                "tool_version": summary["tool_version"], "out_dir": out_dir,
                "summary_json": json.dumps(summary, allow_nan=False), "analysed_at": now()}
            trial_id = int(conn.execute(insert(trials).values(**values)).inserted_primary_key[0])
            rows = _measurement_rows(trial_id, summary)
            if rows:
                conn.execute(insert(measurements), rows)
            return trial_id
    except IntegrityError:
        if job.key in done_keys(engine, [job.key]):
            return None  # stored meanwhile by another writer; the rolled-back attempt left nothing
        raise


def record_failure(engine: Engine, *, run_id: int, path: str, content_sha256: str | None,
                   reason: str) -> None:
    with writing(engine) as conn:
        conn.execute(insert(failures).values(run_id=run_id, path=path, reason=reason,
                                             content_sha256=content_sha256, failed_at=now()))
