"""A screening session: several trials of one patient on one day analysed as one screening.

Each trial is one clip analysed for its test (:func:`screen.analyze`); the session adds the
verdicts per test and side (:mod:`screen.results.verdict`), the left–right comparison *across*
trials (a knee-to-wall clip per leg gives both legs), the set-up of each trial (for history),
and the exercise plan (:mod:`screen.plan`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from screen.plan import Plan, plan
from screen.results.asymmetry import asymmetry
from screen.results.result import Measurement, Result
from screen.results.verdict import Verdict, verdicts


@dataclass(frozen=True)
class TrialSpec:
    """One clip of a session and how to analyse it (``test`` a protocol name or ``auto``)."""

    path: str
    test: str = "auto"
    side: str | None = None


@dataclass(frozen=True)
class Trial:
    spec: TrialSpec
    result: Result
    verdicts: list[Verdict]
    setup: dict[str, Any]


@dataclass(frozen=True)
class Session:
    """The analysed session. ``asymmetry`` entries are those of
    :func:`screen.results.asymmetry.asymmetry` plus ``test`` and the trials (file names) the
    two sides came from."""

    patient: str | None
    date: dt.date | None
    trials: list[Trial]
    asymmetry: list[dict[str, Any]]
    plan: Plan
    height_cm: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)


def setup_of(result: Result) -> dict[str, Any]:
    """What a trial's numbers depend on besides the person: ``view``, ``turn_deg`` (median over
    segments, when the result has segments), ``roll_deg`` and its ``roll_source`` (the result's
    vertical: given, estimated from the scene or the body, or assumed level), ``model`` (name
    and sha256) and ``thresholds`` (file and version)."""
    d = result.to_dict()
    vertical = d.get("vertical") or {}
    roll, source = vertical.get("roll_deg"), vertical.get("source")
    turns = [s["turn_deg"] for s in d.get("segments") or [] if s.get("turn_deg") is not None]
    return {"test": result.test, "view": (result.view or {}).get("view"),
            "turn_deg": float(np.median(turns)) if turns else None,
            "roll_deg": roll, "roll_source": source,
            "model": result.model.get("name"), "model_sha256": result.model.get("sha256"),
            "thresholds": (result.settings.get("thresholds") or {}).get("version"),
            "thresholds_file": Path((result.settings.get("thresholds") or {}).get("file") or "").name}


def analyse_trial(spec: TrialSpec, *, model: str = "full", thresholds: str | Path | None = None,
                  height_cm: float | None = None, result: Result | None = None) -> Trial:
    """Analyse one clip (or take an already computed ``result``) into a :class:`Trial`."""
    if result is None:
        from screen.analysis import analyze

        result = analyze(spec.path, test=spec.test, model=model, thresholds=thresholds,
                         side=spec.side)
    return Trial(spec, result, verdicts(result, height_cm=height_cm), setup_of(result))


def cross_trial_asymmetry(trials: list[Trial]) -> list[dict[str, Any]]:
    """Left–right differences per test over all trials of that test: for each measure and side,
    the first trial with a value on that side (the estimated knee-to-wall distance included)."""
    out = []
    for test in dict.fromkeys(t.result.test for t in trials):
        chosen: dict[tuple[str, str], tuple[Measurement, str]] = {}
        for t in (t for t in trials if t.result.test == test):
            for m in t.result.measurements + _distance_measurements(t):
                if m.value is not None and m.side in ("left", "right"):
                    chosen.setdefault((m.name, m.side), (m, Path(t.spec.path).name))
        for a in asymmetry([m for m, _ in chosen.values()]):
            a |= {"test": test, "left_trial": chosen[(a["name"], "left")][1],
                  "right_trial": chosen[(a["name"], "right")][1]}
            out.append(a)
    return out


def _distance_measurements(trial: Trial) -> list[Measurement]:
    from screen.results.thresholds import load, rule

    out = []
    for v in trial.verdicts:
        for f in v.findings:
            if f.measure == "distance" and f.value is not None:
                table = load((trial.result.settings.get("thresholds") or {}).get("file"))
                out.append(Measurement(name="distance", side=v.side, value=f.value, unit="cm",
                                       status=f.status, threshold=rule(table, trial.result.test, "distance")))
    return out


def run_session(specs: list[TrialSpec], *, patient: str | None = None, date: dt.date | None = None,
                model: str = "full", thresholds: str | Path | None = None,
                height_cm: float | None = None,
                results: list[Result] | None = None) -> Session:
    """Analyse every trial (or use ``results``, one per spec) and assemble the :class:`Session`."""
    trials = [analyse_trial(s, model=model, thresholds=thresholds, height_cm=height_cm,
                            result=None if results is None else results[i])
              for i, s in enumerate(specs)]
    all_verdicts = [v for t in trials for v in t.verdicts]
    return Session(patient, date, trials, cross_trial_asymmetry(trials), plan(all_verdicts),
                   height_cm, {"model": model, "thresholds": None if thresholds is None else str(thresholds)})


__all__ = ["Session", "Trial", "TrialSpec", "analyse_trial", "run_session", "setup_of"]
