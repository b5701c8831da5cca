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


# ---- progress report (`movescreen history PATIENT --report FILE`) ------------------------------
# A set-up change between sessions makes a difference in a measure uninterpretable. Compared
# with the first session of the same test, side and measure: the camera view, the model, the
# thresholds file/version must be equal; camera roll may differ by at most ROLL_TOLERANCE_DEG
# (the smartphone inclinometer's limits of agreement are about ±1.8°, GUIDE §3) and the body
# turn by at most TURN_TOLERANCE_DEG.
ROLL_TOLERANCE_DEG = 2.0
TURN_TOLERANCE_DEG = 15.0
SETUP_KEYS = ("view", "model_sha256", "thresholds", "thresholds_file")


def setups(engine: Engine, trial_ids: list[int]) -> dict[int, dict]:
    """``{trial_id: set-up}`` from each trial's stored summary: its ``setup`` (written by
    ``movescreen session``), else what the summary itself says (view, model, thresholds and the
    result's vertical when it has one)."""
    import json

    with engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.summary_json).where(t.c.id.in_(trial_ids))).all()
    out = {}
    for trial_id, text in rows:
        summary = json.loads(text)
        setup = summary.get("setup") or {}
        thresholds = (summary.get("settings") or {}).get("thresholds") or {}
        vertical = summary.get("vertical") or {}
        out[int(trial_id)] = {
            "view": setup.get("view", (summary.get("view") or {}).get("view")),
            "model_sha256": setup.get("model_sha256", (summary.get("model") or {}).get("sha256")),
            "thresholds": setup.get("thresholds", thresholds.get("version")),
            "thresholds_file": setup.get("thresholds_file",
                                         str(thresholds.get("file") or "").rsplit("/", 1)[-1]),
            "roll_deg": setup.get("roll_deg", vertical.get("roll_deg")),
            "turn_deg": setup.get("turn_deg")}
    return out


def setup_change(first: dict, this: dict) -> list[str]:
    """What changed in ``this`` trial's set-up compared with ``first`` (empty: comparable)."""
    changes = [f"{k.replace('_', ' ')} {first.get(k)} → {this.get(k)}" for k in SETUP_KEYS
               if first.get(k) != this.get(k)]
    for key, tol, name in (("roll_deg", ROLL_TOLERANCE_DEG, "camera roll"),
                           ("turn_deg", TURN_TOLERANCE_DEG, "body turn")):
        a, b = first.get(key), this.get(key)
        if a is not None and b is not None and abs(b - a) > tol:
            changes.append(f"{name} {a:.1f}° → {b:.1f}° (more than {tol:g}°)")
        elif (a is None) != (b is None):
            changes.append(f"{name} known in only one session")
    return changes


def with_interpretation(df: pd.DataFrame, engine: Engine, table: dict) -> pd.DataFrame:
    """``df`` (from :func:`history`) plus ``mdc``, ``setup_change`` (text, empty when
    comparable with the group's first session) and ``meaning``: "first session", "set-up
    changed — not compared", "no documented MDC", "no real change (within ±MDC)" or "change
    beyond the MDC"."""
    info = setups(engine, [int(x) for x in df["trial_id"].unique()])
    df = df.copy()
    df["mdc"] = [((table.get(test) or {}).get(measure) or {}).get("mdc")
                 for test, measure in zip(df["test"], df["measure"], strict=True)]
    changes, meanings = [], []
    for _, block in df.groupby(GROUP, sort=False):
        first = info[int(block["trial_id"].iloc[0])]
        for k, (i, r) in enumerate(block.iterrows()):
            change = "; ".join(setup_change(first, info[int(r["trial_id"])]))
            changes.append((i, change))
            meanings.append((i, _meaning(k, change, r["change"], r["mdc"])))
    df["setup_change"] = pd.Series(dict(changes))
    df["meaning"] = pd.Series(dict(meanings))
    return df


def _meaning(k: int, change: str, delta: float, mdc: float | None) -> str:
    if k == 0:
        return "first session"
    if change:
        return "set-up changed — not compared"
    if mdc is None or pd.isna(mdc):
        return "no documented MDC"
    if pd.isna(delta):
        return "no value"
    return "no real change (within ±MDC)" if abs(delta) <= mdc else "change beyond the MDC"


def write_report(df: pd.DataFrame, patient: str, path: str, table: dict) -> str:
    """An HTML progress report (one chart and table per test, side and measure) at ``path``."""
    from pathlib import Path

    import jinja2

    from screen.outputs.plots import history_chart
    from screen.outputs.report import TEMPLATES, data_uri

    blocks = []
    for (test, side, measure), block in df.groupby(GROUP, sort=True):
        mdc = block["mdc"].iloc[0]
        mdc = None if mdc is None or pd.isna(mdc) else float(mdc)
        png = history_chart(block, f"{test} {side} {measure}".replace("_", " "), block["unit"].iloc[0],
                            mdc, [bool(c) for c in block["setup_change"]])
        blocks.append({"test": test, "side": side, "measure": measure, "mdc": mdc,
                       "chart": data_uri(png), "rows": block.to_dict("records")})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html"]))
    env.filters["num"] = lambda x: "—" if x is None or pd.isna(x) else f"{x:+.1f}"
    html = env.get_template("history.html").render(patient=patient, blocks=blocks)
    Path(path).write_text(html, encoding="utf-8")
    return path
