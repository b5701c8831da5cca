"""A patient's measures over time, per test and side, with the change since the first session."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from screen.batch.store import measurements as m
from screen.batch.store import patients as p
from screen.batch.store import sessions as s
from screen.batch.store import trials as t
from screen.errors import MovescreenError

GROUP = ["test", "side", "measure"]


def history(engine: Engine, patient: str) -> pd.DataFrame:
    """One row per stored measurement of ``patient``: session ``date``, ``test``, ``side``,
    ``measure``, ``value`` (best rep), ``unit``, ``status``, ``file_name``, ``trial_id``, and
    ``change`` = value − the value of the earliest session with a value for the same test,
    side and measure (same unit; NaN where either is missing). Rows are in time order (undated
    sessions last, then by analysis time)."""
    stmt = (select(s.c.date, t.c.test, m.c.side, m.c.name.label("measure"), m.c.value, m.c.unit,
                   m.c.status, m.c.reason, t.c.file_name, t.c.id.label("trial_id"),
                   t.c.analysed_at)
            .select_from(p.join(s, s.c.patient_id == p.c.id).join(t, t.c.session_id == s.c.id)
                         .join(m, m.c.trial_id == t.c.id))
            .where(p.c.code == patient))
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
        if df.empty:
            known = conn.execute(select(p.c.code).order_by(p.c.code).limit(20)).scalars().all()
    if df.empty:
        hint = f"; patients stored: {', '.join(known)}" if known else "; no patients are stored"
        raise MovescreenError(f"no measurements for patient '{patient}'{hint}")
    df["date"] = pd.to_datetime(df["date"])
    df["value"] = df["value"].astype(float)
    df = df.sort_values(["date", "analysed_at", "trial_id"], na_position="last", kind="stable")
    df["change"] = df["value"] - df.groupby(GROUP)["value"].transform("first")
    df["date"] = df["date"].dt.date
    return df.reset_index(drop=True)


def _unit(unit: str) -> str:
    return "°" if unit == "deg" else f" {unit}"


def _num(x: float, unit: str, sign: bool = False) -> str:
    return "—" if pd.isna(x) else f"{x:{'+' if sign else ''}.1f}{_unit(unit)}"


def format_history(df: pd.DataFrame, patient: str) -> str:
    """The table :func:`history` returns, as text: one block per test and side, rows by
    measure then date."""
    dates = df["date"].dropna()
    span = f", {dates.min()} to {dates.max()}" if len(dates) else ""
    lines = [f"patient {patient}: {df['trial_id'].nunique()} trial(s){span}"]
    for (test, side), block in df.groupby(["test", "side"], sort=True):
        lines += ["", f"{test} — {side}",
                  f"  {'date':10s}  {'measure':22s} {'value':>8s} {'change':>9s}  "
                  f"{'status':17s} file"]
        for _, r in block.sort_values(["measure"], kind="stable").iterrows():
            date = "undated" if r["date"] is None or pd.isna(r["date"]) else str(r["date"])
            lines.append(f"  {date:10s}  {r['measure']:22s} {_num(r['value'], r['unit']):>8s} "
                         f"{_num(r['change'], r['unit'], sign=True):>9s}  {r['status']:17s} "
                         f"{r['file_name']}")
    return "\n".join(lines)
