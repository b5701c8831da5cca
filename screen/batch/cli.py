"""The ``batch`` and ``history`` subcommands (registered by :mod:`screen.cli`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_DB = "movescreen.sqlite"


def register(sub: argparse._SubParsersAction) -> None:
    from screen.cli import TESTS

    b = sub.add_parser(
        "batch", help="analyse every video in folders/globs into a results database",
        description="Analyse many videos in parallel (Dask), store the results in a database, "
                    "skip videos already analysed with the same model and settings.")
    b.add_argument("paths", nargs="+", metavar="PATH", help="video files, folders, glob patterns")
    b.add_argument("--workers", type=int, default=1,
                   help="local worker processes, one pose model each (default 1)")
    b.add_argument("--db", default=DEFAULT_DB, metavar="FILE_OR_URL",
                   help=f"SQLite file or SQLAlchemy URL (default ./{DEFAULT_DB})")
    b.add_argument("--out", type=Path, metavar="DIR",
                   help="write each video's files under DIR/<name>-<id>/ and the combined table "
                        "DIR/results.csv and DIR/results.parquet")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on this Dask scheduler (e.g. tcp://host:8786) instead of a local "
                        "cluster; --workers is then ignored")
    b.add_argument("--sidecar", type=Path, metavar="CSV",
                   help="table of file, patient, date, test, side (default: movescreen.csv in a "
                        "folder given as PATH)")
    b.add_argument("--test", choices=list(TESTS), default="auto",
                   help="the test for videos the sidecar does not name one for (default auto)")
    b.add_argument("--model", default="full",
                   help="lite, full, heavy, or a .task path (default full)")
    b.add_argument("--thresholds", type=Path, help="a clinic's own thresholds.toml")
    b.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show the progress bar (default: when stderr is a terminal)")
    b.set_defaults(handler=_batch)

    h = sub.add_parser("history", help="a patient's measures over time from a results database")
    h.add_argument("patient", help="the patient code, as in the sidecar table")
    h.add_argument("--db", default=DEFAULT_DB, metavar="FILE_OR_URL",
                   help=f"SQLite file or SQLAlchemy URL (default ./{DEFAULT_DB})")
    h.add_argument("--csv", action="store_true", help="print the table as CSV instead")
    h.add_argument("--report", type=Path, metavar="FILE",
                   help="also write an HTML progress report: each measure over sessions with its "
                        "minimal detectable change, set-up changes flagged")
    h.add_argument("--thresholds", type=Path, help="the thresholds.toml whose MDCs to use")
    h.set_defaults(handler=_history)


def _batch(args: argparse.Namespace) -> int:
    from screen.batch import discover, export, jobs, run, store
    from screen.cli import TESTS
    from screen.sources import models

    if args.out is not None:  # before any video is analysed
        from screen.outputs.files import check_folder

        check_folder(args.out, what=f"results to {args.out}")
    videos, warnings = discover.discover(args.paths, args.sidecar)
    model = models.resolve(args.model)
    # workers resolve a model name themselves; a path (and a thresholds file) is made absolute
    model_spec = args.model if args.model in models.manifest() else str(model.path.resolve())
    thresholds = None if args.thresholds is None else str(args.thresholds.resolve())
    todo, unreadable, more = jobs.make_jobs(videos, model_sha256=model.sha256,
                                            default_test=TESTS[args.test], thresholds=thresholds)
    for line in warnings + more:
        print(f"movescreen: warning: {line}", file=sys.stderr)
    engine = store.connect(args.db)
    try:
        report = run.run_batch(
            todo, engine, model=model_spec, thresholds=thresholds, workers=args.workers,
            scheduler=args.scheduler, out_dir=None if args.out is None else args.out.resolve(),
            progress=args.progress,
            command=_command(args), unreadable=unreadable)
        print(report.text())
        if args.out is not None:
            csv_path, parquet_path = export.export(engine, args.out)
            print(f"combined table: {csv_path}, {parquet_path}")
    finally:
        engine.dispose()
    return report.exit_code


def _command(args: argparse.Namespace) -> str:
    """The batch's arguments as JSON, recorded with the run."""
    return json.dumps({k: v if isinstance(v, int | float | bool | list) or v is None else str(v)
                       for k, v in vars(args).items() if k != "handler"}, sort_keys=True)


def _history(args: argparse.Namespace) -> int:
    from screen.batch import history, store

    engine = store.connect(args.db, create=False)
    try:
        df = history.history(engine, args.patient)
        if args.report is not None:
            from screen.results.thresholds import load

            df = history.with_interpretation(df, engine, load(args.thresholds))
            history.write_report(df, args.patient, str(args.report), load(args.thresholds))
    finally:
        engine.dispose()
    if args.csv:
        print(df.drop(columns=["analysed_at"]).to_csv(index=False), end="")
    else:
        print(history.format_history(df, args.patient))
    if args.report is not None:
        for r in df[df["setup_change"] != ""].itertuples():
            print(f"set-up changed ({r.date}, {r.test} {r.side} {r.measure}): {r.setup_change}")
        print(f"progress report written to {args.report}")
    return 0
