"""Clinical thresholds from the versioned data file ``thresholds.toml`` (or a clinic's copy)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

from screen.errors import MovescreenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT = Path(__file__).with_name("thresholds.toml")
Status = Literal["normal", "restricted", "severe", "insufficient_data"]


def load(path: str | Path | None = None) -> dict[str, Any]:
    """The thresholds table; ``path`` replaces the packaged file (its name is recorded)."""
    path = Path(path) if path is not None else DEFAULT
    try:
        with open(path, "rb") as fh:
            table = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise MovescreenError(f"{path}: cannot read thresholds ({err})") from err
    table["file"] = str(path)
    return table


def rule(table: dict[str, Any], test: str, measure: str) -> dict[str, Any]:
    try:
        return table[test][measure]
    except KeyError as err:
        raise MovescreenError(f"thresholds file {table.get('file')} has no [{test}.{measure}]") from err


def classify(value: float, rule: dict[str, Any]) -> Status:
    """normal / restricted / severe for ``value`` against one rule (see thresholds.toml)."""
    if "severe_below" in rule and value < rule["severe_below"]:
        return "severe"
    if "restricted_below" in rule and value < rule["restricted_below"]:
        return "restricted"
    return "normal"
