"""A patient's history: values chosen here, changes computed by hand."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from batch.builders import make_job, make_summary
from screen.batch import store
from screen.batch.export import combined_table, export
from screen.batch.history import format_history, history
from screen.errors import MovescreenError

TI, DF = "tibial_inclination", "ankle_dorsiflexion"


@pytest.fixture
def engine(tmp_path):
    eng = store.connect(tmp_path / "r.sqlite")
    run = store.start_run(eng, "test")
    visits = [  # (content, date, {(measure, side): value}), stored out of date order
        ("v3", dt.date(2026, 3, 1), {(TI, "left"): 31.5, (TI, "right"): 30.0, (DF, "left"): 12.0}),
        ("v1", dt.date(2026, 1, 5), {(TI, "left"): 22.0, (TI, "right"): None, (DF, "left"): 8.5}),
        ("v2", dt.date(2026, 2, 2), {(TI, "left"): 25.0, (TI, "right"): 27.5, (DF, "left"): None}),
    ]
    for content, day, values in visits:
        store.record_trial(eng, make_job(content, patient="P1", date=day), make_summary(values),
                           run_id=run)
    store.record_trial(eng, make_job("other", patient="P2"), make_summary({(TI, "left"): 5.0}),
                       run_id=run)
    yield eng
    eng.dispose()


def _series(df: pd.DataFrame, measure: str, side: str) -> list[tuple]:
    rows = df[(df.measure == measure) & (df.side == side)]
    return [(str(r.date), None if math.isnan(r.value) else r.value,
             None if math.isnan(r.change) else round(r.change, 9)) for r in rows.itertuples()]


def test_changes_since_the_first_session(engine):
    df = history(engine, "P1")
    assert _series(df, TI, "left") == [("2026-01-05", 22.0, 0.0), ("2026-02-02", 25.0, 3.0),
                                       ("2026-03-01", 31.5, 9.5)]
    # the first session had no value for the right leg: changes count from the first that did
    assert _series(df, TI, "right") == [("2026-01-05", None, None), ("2026-02-02", 27.5, 0.0),
                                        ("2026-03-01", 30.0, 2.5)]
    assert _series(df, DF, "left") == [("2026-01-05", 8.5, 0.0), ("2026-02-02", None, None),
                                       ("2026-03-01", 12.0, 3.5)]
    assert set(df.file_name) == {"v1.mp4", "v2.mp4", "v3.mp4"}  # P2's trial is not included


def test_text_form(engine):
    text = format_history(history(engine, "P1"), "P1")
    assert text.splitlines()[0] == "patient P1: 3 trial(s), 2026-01-05 to 2026-03-01"
    assert "knee_to_wall — left" in text and "knee_to_wall — right" in text
    line = next(t for t in text.splitlines() if "2026-03-01" in t and TI in t and "v3" in t)
    assert "31.5°" in line and "+9.5°" in line


def test_unknown_patient_lists_known_ones(engine):
    with pytest.raises(MovescreenError, match="no measurements for patient 'P3'; patients "
                                              "stored: P1, P2"):
        history(engine, "P3")


def test_combined_table_and_files(engine, tmp_path):
    df = combined_table(engine)
    assert len(df) == 3 * 3 + 1  # one row per measurement
    assert list(df.patient.unique()) == ["P1", "P2"]
    p1 = df[df.patient == "P1"]
    assert list(p1.session_date.astype(str).unique()) == ["2026-01-05", "2026-02-02", "2026-03-01"]
    csv_path, parquet_path = export(engine, tmp_path / "out")
    from_csv, from_parquet = pd.read_csv(csv_path), pd.read_parquet(parquet_path)
    assert len(from_csv) == len(from_parquet) == len(df)
    assert list(from_csv.columns) == list(from_parquet.columns) == list(df.columns)
    pd.testing.assert_series_equal(from_csv.value, from_parquet.value)
    assert set(df.statistic.dropna()) == {"best rep"} and set(df.spread.dropna()) == {0.5}
    assert not list((tmp_path / "out").glob(".*"))  # no temporary file left behind
