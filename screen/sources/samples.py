"""The sample-clip manifest (``samples/manifest.tsv``): public source URL and sha256 per clip,
installed into ``samples/`` by download or from a local mirror (see :mod:`screen.sources.assets`)."""

from __future__ import annotations

import csv
from pathlib import Path

from screen.errors import MovescreenError
from screen.sources.assets import Asset, install
from screen.sources.models import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "samples" / "manifest.tsv"


def manifest() -> dict[str, tuple[Asset, str]]:
    """``{file: (Asset, description)}``."""
    with open(MANIFEST, newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return {r["file"]: (Asset(r["file"], r["url"], int(r["size_bytes"]), r["sha256"]),
                            r["description"]) for r in rows}


def fetch(names: list[str], *, mirror: Path | None = None) -> list[Path]:
    """Install the named clips (all when ``names`` is empty) into ``samples/``."""
    known = manifest()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise MovescreenError(f"unknown sample(s): {', '.join(unknown)}; see `movescreen samples`")
    paths = []
    for name in names or list(known):
        dest = MANIFEST.parent / name
        install(known[name][0], dest, mirror=mirror)
        paths.append(dest)
    return paths
