"""The sample-clip manifest (package data ``screen/sources/data/samples.tsv``): public source URL
and sha256 per clip, fetched by download or from a local mirror (see :mod:`screen.sources.assets`).

Fetched clips go to ``$MOVESCREEN_SAMPLES`` when set, else ``samples/`` of a source clone, else
the per-user data folder (``platformdirs.user_data_dir("movescreen")/samples``)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from screen.errors import MovescreenError
from screen.sources.assets import Asset, install
from screen.sources.models import DATA, clone_root, user_dir

MANIFEST = DATA / "samples.tsv"
ENV_DIR = "MOVESCREEN_SAMPLES"


def samples_dir() -> Path:
    """Where sample clips are fetched to and listed from."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]).expanduser()
    root = clone_root()
    return root / "samples" if root is not None else user_dir("samples")


def manifest() -> dict[str, tuple[Asset, str]]:
    """``{file: (Asset, description)}``."""
    with open(MANIFEST, newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return {r["file"]: (Asset(r["file"], r["url"], int(r["size_bytes"]), r["sha256"]),
                            r["description"]) for r in rows}


def fetch(names: list[str], *, mirror: Path | None = None) -> list[Path]:
    """Install the named clips (all when ``names`` is empty) into :func:`samples_dir`."""
    known = manifest()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise MovescreenError(f"unknown sample(s): {', '.join(unknown)}; see `movescreen samples`")
    paths = []
    for name in names or list(known):
        dest = samples_dir() / name
        try:
            install(known[name][0], dest, mirror=mirror)
        except OSError as err:
            raise MovescreenError(f"cannot write {dest} ({err.strerror or err})") from err
        paths.append(dest)
    return paths
