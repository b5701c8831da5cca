"""The ``session`` subcommand (registered by :mod:`screen.cli`): several clips → one screening
with an HTML report."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

from screen.errors import MovescreenError

REPORT = "report.html"
SESSION_JSON = "session.json"


def register(sub: argparse._SubParsersAction) -> None:
    from screen.cli import TESTS

    s = sub.add_parser("session", help="analyse several clips as one screening and write a report",
                       description="Analyse several trials (e.g. knee-to-wall left and right, squat "
                                   "side and front) as one screening session: verdicts per test and "
                                   "side, left-right comparisons across trials, an HTML report, a plan.")
    s.add_argument("clips", nargs="*", metavar="CLIP", help="videos or landmarks.npz files")
    s.add_argument("--sidecar", type=Path, metavar="CSV",
                   help="table of file, patient, date, test, side (the batch sidecar) naming the clips")
    s.add_argument("--test", action="append", choices=list(TESTS), default=[],
                   help="the test: once for every clip, or once per clip in order (default auto)")
    s.add_argument("--patient", help="patient code shown in the report")
    s.add_argument("--date", help="session date, YYYY-MM-DD (default: today)")
    s.add_argument("--height-cm", type=float, help="the person's height: scales the knee-to-wall "
                   "distance estimate in cm")
    s.add_argument("--model", default="full", help="lite, full, heavy, or a .task path (default full)")
    s.add_argument("--thresholds", type=Path, help="a clinic's own thresholds.toml")
    s.add_argument("--out", type=Path, required=True, metavar="DIR", help="write the report and files here")
    s.add_argument("--overwrite", action="store_true", help="replace a non-empty --out directory")
    s.add_argument("--pdf", action="store_true", help="also write report.pdf (needs Chromium)")
    s.add_argument("--annotated-video", action="store_true",
                   help="write each clip with skeleton, live angle, rep counter and measured frames")
    s.add_argument("--db", metavar="FILE_OR_URL",
                   help="also store the trials in this results database (for `movescreen history`)")
    s.set_defaults(handler=_session)


def _date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise MovescreenError(f"--date must be YYYY-MM-DD, got {text!r}") from err


def specs_from(args: argparse.Namespace) -> tuple[list, str | None, dt.date]:
    """The trials, patient and date from the clips, ``--test`` and the sidecar."""
    from screen.cli import TESTS
    from screen.session import TrialSpec

    patient, date = args.patient, _date(args.date) if args.date else None
    entries = {}
    if args.sidecar is not None:
        from screen.batch.discover import read_sidecar

        entries = read_sidecar(args.sidecar)
    clips = [Path(c) for c in args.clips] or list(entries)
    if not clips:
        raise MovescreenError("session needs at least one CLIP (or a --sidecar naming clips)")
    if len(args.test) not in (0, 1, len(clips)):
        raise MovescreenError(f"--test given {len(args.test)} times for {len(clips)} clips; "
                              "give it once for all clips or once per clip")
    specs = []
    for i, clip in enumerate(clips):
        if not clip.is_file():
            raise MovescreenError(f"{clip}: no such file")
        e = entries.get(clip.resolve())
        test = (args.test[i] if len(args.test) == len(clips) else args.test[0]) if args.test else None
        specs.append(TrialSpec(str(clip), TESTS[test] if test else (e.test if e and e.test else "auto"),
                               e.side if e else None))
        patient = patient or (e.patient if e else None)
        date = date or (e.date if e else None)
    return specs, patient, date or dt.date.today()


def _prepare(out: Path, overwrite: bool) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if not overwrite:
            raise MovescreenError(f"{out} already exists and is not empty; pass --overwrite to replace it")
        shutil.rmtree(out) if out.is_dir() else out.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _session(args: argparse.Namespace) -> int:
    from screen.session import run_session

    if args.height_cm is not None and not 50 <= args.height_cm <= 250:
        raise MovescreenError(f"--height-cm must be between 50 and 250, got {args.height_cm:g}")
    specs, patient, date = specs_from(args)
    session = run_session(specs, patient=patient, date=date, model=args.model,
                          thresholds=args.thresholds, height_cm=args.height_cm)
    _prepare(args.out, args.overwrite)
    write_session(session, args.out, pdf=args.pdf, annotated_video=args.annotated_video)
    if args.db:
        _store(session, args)
    for v in (v for t in session.trials for v in t.verdicts):
        print(v.headline)
    for a in session.asymmetry:
        verdict = "not rated" if a["notable"] is None else ("NOTABLE" if a["notable"] else "within")
        print(f"left-right {a['test']} {a['name']}: {a['left']:.1f} vs {a['right']:.1f} {a['unit']}, "
              f"difference {a['difference']:+.1f} ({verdict})")
    print(f"report written to {args.out / REPORT}")
    return 0


def write_session(session, out: Path, *, pdf: bool = False, annotated_video: bool = False) -> None:
    """Write a session into ``out`` (created): each trial's files (``NN-name/``, as
    ``analyze --out``), ``session.json`` and ``report.html`` (and ``report.pdf`` with ``pdf``;
    each clip annotated with ``annotated_video``). The one writer for ``movescreen session``
    and a completed ``movescreen live --check``."""
    from screen.outputs import annotate, report
    from screen.outputs import files as outputs

    out.mkdir(parents=True, exist_ok=True)
    for i, trial in enumerate(session.trials):
        stem = f"{i + 1:02d}-{Path(trial.spec.path).stem}"
        outputs.write(trial.result, out / stem)
        if annotated_video:
            annotate.write_annotated_video(trial.result, out / f"{stem}.annotated.mp4")
    (out / SESSION_JSON).write_text(json.dumps(session_dict(session), indent=2, ensure_ascii=False,
                                               default=str) + "\n", encoding="utf-8")
    report.write(session, out / REPORT, pdf=out / "report.pdf" if pdf else None)


def session_dict(session) -> dict:
    """The session as JSON-able data: patient, date, each trial's summary (with its set-up and
    verdicts), the left–right comparisons and the plan."""
    import dataclasses

    return {"patient": session.patient, "date": session.date, "height_cm": session.height_cm,
            "trials": [t.result.to_dict() | {"setup": t.setup,
                                              "verdicts": [dataclasses.asdict(v) for v in t.verdicts]}
                       for t in session.trials],
            "asymmetry": session.asymmetry, "plan": dataclasses.asdict(session.plan)}


def _store(session, args: argparse.Namespace) -> None:
    """Record each trial in the results database (as ``movescreen batch`` does), its set-up in
    the stored summary, so ``movescreen history`` can chart it."""
    from screen.batch import store
    from screen.batch.jobs import Job

    engine = store.connect(args.db)
    try:
        run_id = store.start_run(engine, json.dumps({"command": "session", "clips": args.clips}))
        stored = 0
        for t in session.trials:
            summary = t.result.to_dict() | {"setup": t.setup}
            content = hashlib.sha256(Path(t.spec.path).read_bytes()).hexdigest()
            settings = hashlib.sha256(json.dumps(summary["settings"], sort_keys=True).encode()).hexdigest()
            job = Job(path=str(Path(t.spec.path).resolve()), content_sha256=content,
                      model_sha256=summary["model"].get("sha256") or "", settings_sha256=settings,
                      test=t.spec.test, patient=session.patient, date=session.date)
            stored += store.record_trial(engine, job, summary, run_id=run_id) is not None
        store.finish_run(engine, run_id, analysed=stored, skipped=len(session.trials) - stored, failed=0)
    finally:
        engine.dispose()
