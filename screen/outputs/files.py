"""Writing a result's files: all or nothing.

Files are written into a temporary directory beside the target and renamed into place only when
every file is complete, so an interrupted or failed run never leaves a half-written directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from screen.errors import MovescreenError
from screen.results.result import Result

SUMMARY = "summary.json"
FRAMES_CSV = "frames.csv"
FRAMES_PARQUET = "frames.parquet"
LANDMARKS = "landmarks.npz"


def write(result: Result, out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``summary.json``, ``frames.csv``, ``frames.parquet`` and ``landmarks.npz``.

    An existing non-empty ``out_dir`` is replaced only with ``overwrite``.
    """
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise MovescreenError(f"{out} already exists and is not empty; pass --overwrite to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / SUMMARY).write_text(result.to_json() + "\n", encoding="utf-8")
        result.frames.to_csv(tmp / FRAMES_CSV, index=False, float_format="%.4f")
        result.frames.to_parquet(tmp / FRAMES_PARQUET, index=False)
        result.recording.save(tmp / LANDMARKS)
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
