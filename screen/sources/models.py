"""The pose-model manifest (``models/manifest.toml``) and installing, listing and resolving models.

Models live in ``$MOVESCREEN_MODELS`` when set, else beside the manifest in the project's
``models/`` folder. A model is named ``lite``, ``full`` or ``heavy`` or given as a path.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from screen.errors import MovescreenError
from screen.sources.assets import Asset, install, sha256_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = PROJECT_ROOT / "models" / "manifest.toml"
DEFAULT_MODEL = "full"


@dataclass(frozen=True)
class ModelFile:
    """A model file ready to load, with the facts a result records about it."""

    name: str
    path: Path
    sha256: str


def manifest() -> dict[str, Asset]:
    """``{name: Asset}`` for the official pose models."""
    with open(MANIFEST, "rb") as fh:
        return {name: Asset(**entry) for name, entry in tomllib.load(fh).items()}


def models_dir() -> Path:
    return Path(os.environ.get("MOVESCREEN_MODELS") or MANIFEST.parent)


def _how_to_get(name: str) -> str:
    return (f"pose model '{name}' is not installed in {models_dir()}; run "
            f"`movescreen models install {name}` (add --mirror DIR to copy from a local mirror)")


def resolve(spec: str = DEFAULT_MODEL) -> ModelFile:
    """A model name from the manifest or a path to a ``.task`` file → :class:`ModelFile`."""
    known = manifest()
    if spec in known:
        path = models_dir() / known[spec].file
        if not path.is_file():
            raise MovescreenError(_how_to_get(spec))
        return ModelFile(spec, path, sha256_of(path))
    path = Path(spec)
    if not path.is_file():
        raise MovescreenError(
            f"model '{spec}' is neither one of {', '.join(known)} nor an existing file")
    return ModelFile(path.stem, path, sha256_of(path))


def install_model(name: str, *, mirror: Path | None = None) -> tuple[Path, str]:
    """Install one model by name (download, or copy from ``mirror``), verify its hash, then
    verify that MediaPipe loads it. Returns (path, "official" | "mirror build")."""
    known = manifest()
    if name not in known:
        raise MovescreenError(f"unknown model '{name}'; choose from {', '.join(known)}")
    dest = models_dir() / known[name].file
    kind = install(known[name], dest, mirror=mirror)
    try:
        check_loads(dest)
    except MovescreenError:
        dest.unlink(missing_ok=True)
        raise
    return dest, kind


def check_loads(path: Path) -> None:
    """Raise MovescreenError unless MediaPipe's PoseLandmarker can be created from ``path``."""
    from screen.sources.pose import open_landmarker, quiet_native_logs

    try:
        with quiet_native_logs():
            open_landmarker(path).close()
    except (RuntimeError, ValueError, OSError) as err:
        raise MovescreenError(f"{path} does not load as a pose landmarker model ({err})") from err


def installed() -> list[tuple[str, Path | None, str]]:
    """(name, path or None, provenance) for every model in the manifest."""
    rows = []
    for name, asset in manifest().items():
        path = models_dir() / asset.file
        if not path.is_file():
            rows.append((name, None, "not installed"))
            continue
        digest = sha256_of(path)
        provenance = "official" if digest == asset.sha256 else "not the official bytes"
        rows.append((name, path, f"{provenance}, sha256 {digest[:12]}…"))
    return rows


