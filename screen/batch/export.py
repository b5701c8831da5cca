"""The combined results table: one row per measurement (a trial without measurements still gets
one row), with the patient, session and trial it belongs to — written as CSV and Parquet.

Both files are owner-only (0600). Text cells that a spreadsheet would run as a formula — those
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, e.g. a patient code
``=HYPERLINK(...)`` from a sidecar — are written with a leading apostrophe (OWASP's advice for
CSV injection); numbers are untouched."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from screen.batch.store import measurements as m
from screen.batch.store import patients as p
from screen.batch.store import sessions as s
from screen.batch.store import trials as t

CSV_NAME = "results.csv"
PARQUET_NAME = "results.parquet"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
FILE_MODE = 0o600


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells starting with one of :data:`FORMULA_LEADS` get a
    leading ``'`` (a spreadsheet then shows them as text instead of running them)."""
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_LEADS)
                                    else v)
    return out


def combined_table(engine: Engine) -> pd.DataFrame:
    """Every stored measurement with its context, ordered by patient, session date, trial."""
    stmt = (select(p.c.code.label("patient"), s.c.date.label("session_date"), t.c.file_name,
                   t.c.path, t.c.requested_test, t.c.test, t.c.view, m.c.name.label("measure"),
                   m.c.side, m.c.value, m.c.statistic, m.c.median, m.c.spread, m.c.unit,
                   m.c.status, m.c.n_reps, m.c.reason,
                   t.c.frames, t.c.frames_with_pose, t.c.model_name, t.c.model_sha256,
                   t.c.content_sha256, t.c.settings_sha256, t.c.tool_version, t.c.analysed_at,
                   t.c.out_dir, t.c.id.label("trial_id"))
            .select_from(t.outerjoin(m, m.c.trial_id == t.c.id)
                         .outerjoin(s, s.c.id == t.c.session_id)
                         .outerjoin(p, p.c.id == s.c.patient_id))
            .order_by(p.c.code, s.c.date, t.c.analysed_at, t.c.id, m.c.name, m.c.side))
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["session_date"] = pd.to_datetime(df["session_date"]).dt.date
    return df


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(engine: Engine, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``results.csv`` and ``results.parquet`` (the combined table, formula-leading text
    neutralised) into ``out_dir``, each replaced atomically and owner-only. Returns their paths."""
    from screen.outputs.files import private_mkdir

    out = Path(out_dir)
    private_mkdir(out)
    df = neutralise(combined_table(engine))
    csv_path, parquet_path = out / CSV_NAME, out / PARQUET_NAME
    # every text cell quoted: a carriage return inside a cell must not end the row
    _atomic(csv_path, lambda tmp: df.to_csv(tmp, index=False, quoting=csv.QUOTE_NONNUMERIC))
    _atomic(parquet_path, lambda tmp: df.to_parquet(tmp, index=False))
    return csv_path, parquet_path
