"""Writing a result's files: all or nothing, owner-only.

Files are written into a temporary directory beside the target and renamed into place only when
every file is complete, so an interrupted or failed run never leaves a half-written directory.
Patient data stays private by default: result folders (and the folders created above them) are
:data:`PRIVATE_DIR_MODE` (0700) and every file :data:`PRIVATE_FILE_MODE` (0600), whatever the
umask; share them on purpose (``chmod``) when needed.
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
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def _existing_ancestor(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_writable(out_dir: str | Path, *, overwrite: bool = False) -> None:
    """Fail early (MovescreenError) when ``out_dir`` cannot receive results: it exists and is not
    empty (without ``overwrite``), it or a parent is a file, or its nearest existing folder does
    not accept a new directory (read-only, no permission). Leaves nothing behind."""
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise MovescreenError(f"{out} already exists and is not empty; pass --overwrite to replace it")
    check_folder(out.parent, what=f"results to {out}")


def check_folder(folder: str | Path, *, what: str = "here") -> None:
    """Fail early (MovescreenError) unless files can be created in ``folder`` (or, when it does
    not exist yet, in its nearest existing parent): not a file, not read-only, permitted —
    tried for real (a temporary directory made and removed), so it holds for root too."""
    base = _existing_ancestor(Path(folder))
    if not base.is_dir():
        raise MovescreenError(f"cannot write {what}: {base} is a file, not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".movescreen-check.", dir=base))
    except OSError as err:
        raise MovescreenError(f"cannot write {what}: {base} is not writable "
                              f"({err.strerror or err})") from err


def private_mkdir(path: Path) -> None:
    """``mkdir -p`` with owner-only permissions on every folder it creates."""
    missing = []
    while not path.exists() and path.parent != path:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask


def write(result: Result, out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``summary.json``, ``frames.csv``, ``frames.parquet`` and ``landmarks.npz``.

    An existing non-empty ``out_dir`` is replaced only with ``overwrite``. Any failure to write
    (no permission, read-only or full disk, a file in the way) is one MovescreenError and leaves
    nothing behind.
    """
    out = Path(out_dir)
    check_writable(out, overwrite=overwrite)
    tmp: Path | None = None
    try:
        private_mkdir(out.parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))  # mode 0700
        (tmp / SUMMARY).write_text(result.to_json() + "\n", encoding="utf-8")
        result.frames.to_csv(tmp / FRAMES_CSV, index=False, float_format="%.4f")
        result.frames.to_parquet(tmp / FRAMES_PARQUET, index=False)
        result.recording.save(tmp / LANDMARKS)
        for name in (SUMMARY, FRAMES_CSV, FRAMES_PARQUET, LANDMARKS):
            os.chmod(tmp / name, PRIVATE_FILE_MODE)
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        os.replace(tmp, out)
    except OSError as err:
        raise MovescreenError(f"cannot write results to {out} ({err.strerror or err})") from err
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out
