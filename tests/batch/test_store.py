"""The results database: schema and migrations, one trial per identity, all-or-nothing writes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, func, inspect, select, text

from batch.builders import make_job, make_summary
from screen.batch import store
from screen.errors import MovescreenError


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


@pytest.fixture
def engine(tmp_path):
    eng = store.connect(tmp_path / "r.sqlite")
    yield eng
    eng.dispose()


def test_fresh_database_has_every_table_and_version(engine):
    names = set(inspect(engine).get_table_names())
    assert {"schema_version", "patients", "sessions", "runs", "trials", "measurements",
            "failures"} <= names
    with engine.connect() as conn:
        assert conn.execute(select(store.schema_version.c.version)).scalars().all() == [1]


def test_reopening_does_not_migrate_again(tmp_path, engine):
    again = store.connect(tmp_path / "r.sqlite")
    assert count(again, store.schema_version) == 1
    again.dispose()


def _v2_add_note(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE trials ADD COLUMN note TEXT"))


def test_a_new_migration_is_applied_once_and_keeps_data(tmp_path, engine):
    run = store.start_run(engine, "test")
    store.record_trial(engine, make_job(), make_summary({("m", "left"): 1.0}), run_id=run)
    v2 = store.connect(tmp_path / "r.sqlite", migrations=[*store.MIGRATIONS, _v2_add_note])
    v2b = store.connect(tmp_path / "r.sqlite", migrations=[*store.MIGRATIONS, _v2_add_note])
    with v2.connect() as conn:
        assert conn.execute(select(store.schema_version.c.version)).scalars().all() == [1, 2]
        assert conn.execute(text("SELECT note, file_name FROM trials")).all() == [
            (None, "video-1.mp4")]
    v2.dispose(), v2b.dispose()


def test_a_failing_migration_leaves_the_previous_version_intact(engine):
    def v2_broken(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        store.migrate(engine, [*store.MIGRATIONS, v2_broken])
    assert "half_done" not in inspect(engine).get_table_names()  # the DDL was rolled back too
    with engine.connect() as conn:
        assert conn.execute(select(func.max(store.schema_version.c.version))).scalar() == 1


def test_a_newer_database_is_refused(tmp_path, engine):
    store.migrate(engine, [*store.MIGRATIONS, lambda conn: None])
    with pytest.raises(MovescreenError, match="schema version 2, newer"):
        store.connect(tmp_path / "r.sqlite")


def test_trial_key_is_unique_and_duplicates_write_nothing(engine):
    run = store.start_run(engine, "test")
    summary = make_summary({("tibial_inclination", "left"): 20.0,
                            ("tibial_inclination", "right"): None})
    first = store.record_trial(engine, make_job(), summary, run_id=run)
    assert first is not None
    assert store.record_trial(engine, make_job(), summary, run_id=run) is None
    assert count(engine, store.trials) == 1 and count(engine, store.measurements) == 2
    # another model or other settings are another trial
    store.record_trial(engine, make_job(model="other"), summary, run_id=run)
    store.record_trial(engine, make_job(settings="side=left"), summary, run_id=run)
    assert count(engine, store.trials) == 3
    assert store.done_keys(engine, [make_job().key, make_job("video-2").key]) == {make_job().key}


def test_patients_and_sessions_are_shared(engine):
    run = store.start_run(engine, "test")
    s = make_summary({("m", "left"): 1.0})
    store.record_trial(engine, make_job("a", patient="P1", date=dt.date(2026, 1, 5)), s, run_id=run)
    store.record_trial(engine, make_job("b", patient="P1", date=dt.date(2026, 1, 5)), s, run_id=run)
    store.record_trial(engine, make_job("c", patient="P1", date=None), s, run_id=run)
    store.record_trial(engine, make_job("d", patient="P1", date=None), s, run_id=run)
    store.record_trial(engine, make_job("e", patient=None, date=None), s, run_id=run)
    assert count(engine, store.patients) == 1
    assert count(engine, store.sessions) == 2  # 2026-01-05 and one undated session
    with engine.connect() as conn:
        assert conn.execute(select(store.trials.c.session_id).where(
            store.trials.c.file_name == "e.mp4")).scalar() is None


def test_a_failed_write_leaves_nothing(engine):
    """A measurement without a unit violates NOT NULL: the trial, patient and session written
    before it in the same transaction must be gone too."""
    run = store.start_run(engine, "test")
    bad = make_summary({("m", "left"): 1.0}, unit=None)
    with pytest.raises(Exception, match="NOT NULL"):
        store.record_trial(engine, make_job(patient="P9"), bad, run_id=run)
    assert [count(engine, t) for t in (store.trials, store.measurements, store.patients,
                                       store.sessions)] == [0, 0, 0, 0]


def test_bad_database_location(tmp_path):
    with pytest.raises(MovescreenError, match="no such folder"):
        store.connect(tmp_path / "nope" / "r.sqlite")
    with pytest.raises(MovescreenError, match="no such results database"):
        store.connect(tmp_path / "missing.sqlite", create=False)
