"""The pose-model manifest (package data ``screen/sources/data/models.toml``) and installing,
listing and resolving models.

Where models are looked for, in order (the first folder holding the file wins):

1. ``--model PATH``: a ``.task`` file given by path (checked to load before it is used);
2. ``$MOVESCREEN_MODELS`` when set — then it is the *only* folder searched and the one
   ``models install`` writes to (a clinic or a test pins exactly which files are used);
3. the per-user data folder, ``platformdirs.user_data_dir("movescreen")/models`` (e.g.
   ``~/.local/share/movescreen/models`` on Linux), where ``models install`` writes by default;
4. ``models/`` of a source clone (``make demo`` installs there by setting ``MOVESCREEN_MODELS``).

A model is named ``lite``, ``full`` or ``heavy`` (see the manifest) or given as a path.
"""

from __future__ import annotations

import json
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

DATA = Path(__file__).resolve().parent / "data"  # package data: present in every install
MANIFEST = DATA / "models.toml"
DEFAULT_MODEL = "full"
ENV_DIR = "MOVESCREEN_MODELS"
APP_NAME = "movescreen"
PROVENANCE_SUFFIX = ".provenance.json"  # beside an installed model: how it was installed


def clone_root() -> Path | None:
    """The source clone this package runs from (an editable install or ``PYTHONPATH``), or None
    for an installed wheel."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "screen").is_dir() else None


def user_dir(kind: str) -> Path:
    """``platformdirs.user_data_dir("movescreen")/kind``: the per-user home of installed files."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / kind


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


def search_dirs() -> list[Path]:
    """The folders a model name is looked up in, in order (see the module docstring)."""
    if os.environ.get(ENV_DIR):
        return [Path(os.environ[ENV_DIR]).expanduser()]
    root = clone_root()
    return [user_dir("models")] + ([root / "models"] if root is not None else [])


def models_dir() -> Path:
    """Where ``models install`` writes: ``$MOVESCREEN_MODELS``, else the per-user data folder."""
    return search_dirs()[0]


def _how_to_get(name: str) -> str:
    where = " or ".join(str(d) for d in search_dirs())
    return (f"pose model '{name}' is not installed (looked in {where}); run "
            f"`movescreen models install {name}` (add --mirror DIR to copy from a local mirror)")


def find(name: str) -> Path | None:
    """The installed file of manifest model ``name``, or None."""
    for folder in search_dirs():
        path = folder / manifest()[name].file
        if path.is_file():
            return path
    return None


def resolve(spec: str = DEFAULT_MODEL) -> ModelFile:
    """A model name from the manifest or a path to a ``.task`` file → :class:`ModelFile`.

    A file given by path is checked to load as a pose landmarker first, so a corrupt,
    truncated or wrong file is one clear MovescreenError, not a crash later."""
    known = manifest()
    if spec in known:
        path = find(spec)
        if path is None:
            raise MovescreenError(_how_to_get(spec))
        return ModelFile(spec, path, sha256_of(path))
    path = Path(spec)
    if not path.is_file():
        raise MovescreenError(
            f"model '{spec}' is neither one of {', '.join(known)} nor an existing file")
    try:
        digest = sha256_of(path)
    except OSError as err:
        raise MovescreenError(f"{path}: cannot read the model file ({err.strerror or err})") from err
    check_loads(path)
    return ModelFile(path.stem, path, digest)


def install_model(name: str, *, mirror: Path | None = None) -> tuple[Path, str]:
    """Install one model by name (download, or copy from ``mirror``), verify its hash, then
    verify that MediaPipe loads it. Returns (path, "official" | "mirror build"); how it was
    installed is written beside it (``<file>.provenance.json``) for ``models list``."""
    known = manifest()
    if name not in known:
        raise MovescreenError(f"unknown model '{name}'; choose from {', '.join(known)}")
    dest = models_dir() / known[name].file
    try:
        kind = install(known[name], dest, mirror=mirror)
    except OSError as err:
        raise MovescreenError(f"cannot install into {dest.parent} ({err.strerror or err})") from err
    try:
        check_loads(dest)
    except MovescreenError:
        dest.unlink(missing_ok=True)
        raise
    record = {"kind": kind, "from": str(Path(mirror).resolve()) if mirror else known[name].url,
              "sha256": sha256_of(dest)}
    _provenance_path(dest).write_text(json.dumps(record) + "\n")
    return dest, kind


def _provenance_path(model: Path) -> Path:
    return model.with_name(model.name + PROVENANCE_SUFFIX)


def check_loads(path: Path) -> None:
    """Raise MovescreenError unless MediaPipe's PoseLandmarker can be created from ``path``."""
    from screen.sources.pose import open_landmarker, quiet_native_logs

    try:
        with quiet_native_logs():
            open_landmarker(path).close()
    except Exception as err:  # MediaPipe raises RuntimeError, ValueError, OSError... on bad bytes
        reason = " ".join(str(err).split())[:160]
        raise MovescreenError(f"{path} does not load as a pose landmarker model ({reason})") from err


def describe(name: str, path: Path) -> str:
    """One line on where an installed model's bytes come from. ``official``: the manifest's
    sha256. Otherwise a mirror build when it was installed from a mirror whose SHA256SUMS lists
    it (rebuilt bundles differ from the official download in metadata only), else unknown bytes."""
    asset = manifest()[name]
    digest = sha256_of(path)
    if digest == asset.sha256:
        return f"official, sha256 {digest[:12]}…"
    try:
        record = json.loads(_provenance_path(path).read_text())
    except (OSError, ValueError):
        record = {}
    if record.get("kind") == "mirror build" and record.get("sha256") == digest:
        return (f"mirror build from {record.get('from')}: not the official download's bytes "
                f"(sha256 {digest[:12]}…, official {asset.sha256[:12]}…) but listed in that "
                "mirror's SHA256SUMS; results record this sha256")
    return (f"unverified: sha256 {digest[:12]}… is neither the official {asset.sha256[:12]}… nor "
            f"a recorded mirror build; reinstall with `movescreen models install {name}`")


def installed() -> list[tuple[str, Path | None, str]]:
    """(name, path or None, provenance) for every model in the manifest."""
    rows: list[tuple[str, Path | None, str]] = []
    for name in manifest():
        path = find(name)
        rows.append((name, path, "not installed" if path is None else describe(name, path)))
    return rows
