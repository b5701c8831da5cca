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
Status = Literal["normal", "restricted", "severe", "outside_normal", "not_rated",
                 "insufficient_data"]


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
    """The status of ``value`` against one rule (see the rule keys in thresholds.toml):
    ``severe_below`` → severe, ``restricted_below`` → restricted, outside
    [``normal_min``, ``normal_max``] → outside_normal, else normal. A rule with none of these
    keys (a measure without a documented threshold) gives not_rated."""
    if not RULE_KEYS & rule.keys():
        return "not_rated"
    if "severe_below" in rule and value < rule["severe_below"]:
        return "severe"
    if "restricted_below" in rule and value < rule["restricted_below"]:
        return "restricted"
    if value < rule.get("normal_min", -float("inf")) or value > rule.get("normal_max", float("inf")):
        return "outside_normal"
    return "normal"


RULE_KEYS = {"severe_below", "restricted_below", "normal_min", "normal_max"}
