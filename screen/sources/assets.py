"""Fetch-or-mirror for the project's external files (pose models, sample clips).

A file is described by its official URL, size and sha256. It is installed either by download
(streamed to a temporary file beside the destination, verified, then renamed into place) or by
copying from a local mirror directory. A mirror may hold rebuilt files whose bytes differ from the
official ones; those are accepted only if the mirror's own ``SHA256SUMS`` lists their hash, and
the install reports that the file is a mirror build. Nothing half-written is ever left in place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from screen.errors import MovescreenError

CHUNK = 1 << 20


@dataclass(frozen=True)
class Asset:
    """One external file: where it officially comes from and what its bytes must hash to."""

    file: str
    url: str
    size: int
    sha256: str


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def mirror_sums(mirror: Path) -> dict[str, str]:
    """``{file name: sha256}`` from ``mirror/SHA256SUMS`` (``sha256sum`` format), or {}."""
    sums = mirror / "SHA256SUMS"
    if not sums.is_file():
        return {}
    pairs = (line.split(maxsplit=1) for line in sums.read_text().splitlines() if line.strip())
    return {name.strip().lstrip("*"): digest.lower() for digest, name in pairs}


def _place(tmp: Path, dest: Path) -> Path:
    os.replace(tmp, dest)
    return dest


def _temp_beside(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    return Path(name)


def install(asset: Asset, dest: Path, *, mirror: Path | None = None, timeout_s: float = 60) -> str:
    """Install ``asset`` at ``dest``; return ``"official"`` or ``"mirror build"``.

    With ``mirror``, copy ``mirror/asset.file``; otherwise download ``asset.url``. Raises
    MovescreenError (one line) on a missing mirror file, a failed download or a hash mismatch.
    """
    tmp = _temp_beside(dest)
    try:
        if mirror is not None:
            src = Path(mirror) / asset.file
            if not src.is_file():
                raise MovescreenError(f"{asset.file} is not in the mirror directory {mirror}")
            shutil.copyfile(src, tmp)
        else:
            _download(asset.url, tmp, timeout_s)
        digest = sha256_of(tmp)
        if digest == asset.sha256 and tmp.stat().st_size == asset.size:
            kind = "official"
        elif mirror is not None and mirror_sums(Path(mirror)).get(asset.file) == digest:
            kind = "mirror build"
        else:
            where = f"mirror {mirror}" if mirror is not None else asset.url
            raise MovescreenError(
                f"{asset.file} from {where} failed verification: sha256 {digest[:12]}…, "
                f"expected {asset.sha256[:12]}… (or a hash listed in the mirror's SHA256SUMS)")
        _place(tmp, dest)
        return kind
    finally:
        tmp.unlink(missing_ok=True)


def _download(url: str, dest: Path, timeout_s: float) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp, open(dest, "wb") as fh:
            shutil.copyfileobj(resp, fh, CHUNK)
    except OSError as err:  # URLError and socket timeouts are OSErrors
        raise MovescreenError(
            f"could not download {url} ({err}); with no internet, use --mirror DIR") from err
