"""Clinical thresholds from the versioned data file ``thresholds.toml`` (or a clinic's copy).

The file is validated against :data:`RULE_SCHEMA` when it is loaded: an unknown key, a value of
the wrong type, or a rule without ``unit`` or ``source`` is a :class:`MovescreenError` naming the
file and line, so a mistyped key can never silently turn a rated measure into "not rated".

Rule kinds (keys of one ``[test.measure]`` section):

``severe_below`` / ``restricted_below`` / ``normal_min`` / ``normal_max``
    decide the measure's status (:func:`classify`).
``injury_risk_below``
    an injury-risk cut-off from a specific population (named in ``population``): a value below it
    is *flagged* (:func:`risk_flags`), never made "restricted".
``asymmetry_above``
    a left–right difference larger than this is notable.
``mdc``
    minimal detectable change between sessions (a change inside ±mdc is "no real change").
``provisional``
    the limit comes from related (not identical) tasks or populations; shown wherever the
    status is printed.
"""

from __future__ import annotations

import re
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
NUMBER = (int, float)
# Every key a rule may carry, with the Python types its value may have.
RULE_SCHEMA: dict[str, tuple[type, ...]] = {
    "unit": (str,), "source": (str,), "restricted_below": NUMBER, "severe_below": NUMBER,
    "normal_min": NUMBER, "normal_max": NUMBER, "typical": NUMBER, "asymmetry_above": NUMBER,
    "injury_risk_below": NUMBER, "population": (str,), "mdc": NUMBER, "mdc_source": (str,),
    "provisional": (bool,), "note": (str,),
}
REQUIRED = ("unit", "source")
TOP_LEVEL: dict[str, tuple[type, ...]] = {"version": (str,)}
RULE_KEYS = {"severe_below", "restricted_below", "normal_min", "normal_max"}


def load(path: str | Path | None = None) -> dict[str, Any]:
    """The thresholds table, validated (:func:`validate`); ``path`` replaces the packaged file
    (its name is recorded under ``file``)."""
    path = Path(path) if path is not None else DEFAULT
    try:
        text = path.read_text(encoding="utf-8")
        table = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise MovescreenError(f"{path}: cannot read thresholds ({err})") from err
    validate(table, text, str(path))
    table["file"] = str(path)
    return table


def validate(table: dict[str, Any], text: str = "", name: str = "thresholds") -> None:
    """Check ``table`` (parsed from ``text``) against :data:`RULE_SCHEMA`; raise a
    MovescreenError naming ``name``, the line and the problem."""
    for key, value in table.items():
        if isinstance(value, dict):
            for measure, rule_ in value.items():
                _check_rule(rule_, f"{key}.{measure}", text, name)
        elif key not in TOP_LEVEL:
            raise MovescreenError(f"{name}:{_line(text, None, key)}: unknown top-level key '{key}'")
        elif not isinstance(value, TOP_LEVEL[key]):
            raise MovescreenError(f"{name}:{_line(text, None, key)}: '{key}' must be a string")


def _check_rule(rule_: Any, section: str, text: str, name: str) -> None:
    where = f"{name}:{_line(text, section, None)}"
    if not isinstance(rule_, dict):
        raise MovescreenError(f"{where}: [{section}] must be a table of rule keys")
    for key, value in rule_.items():
        at = f"{name}:{_line(text, section, key)}"
        if key not in RULE_SCHEMA:
            raise MovescreenError(f"{at}: unknown key '{key}' in [{section}] "
                                  f"(allowed: {', '.join(sorted(RULE_SCHEMA))})")
        types = RULE_SCHEMA[key]
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            want = "a number" if types is NUMBER else f"a {types[0].__name__}"
            raise MovescreenError(f"{at}: '{key}' in [{section}] must be {want}, got {value!r}")
    for key in REQUIRED:
        if not rule_.get(key):
            raise MovescreenError(f"{where}: [{section}] has no '{key}' (every rule needs a unit "
                                  "and the source of its numbers)")


def _line(text: str, section: str | None, key: str | None) -> int | str:
    """1-based line of ``key`` inside ``[section]`` (or of the section header when ``key`` is
    None; a top-level key when ``section`` is None) in the TOML ``text``; '?' if not found."""
    lines = text.splitlines()
    start = 0
    if section is not None:
        header = re.compile(r"^\s*\[\s*" + re.escape(section).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
        start = next((i for i, ln in enumerate(lines) if header.match(ln)), None)
        if start is None:
            return "?"
        if key is None:
            return start + 1
        start += 1
    pattern = re.compile(r"^\s*" + re.escape(key or "") + r"\s*=")
    for i in range(start, len(lines)):
        if section is not None and lines[i].lstrip().startswith("["):
            break
        if pattern.match(lines[i]):
            return i + 1
    return "?"


def rule(table: dict[str, Any], test: str, measure: str) -> dict[str, Any]:
    try:
        return table[test][measure]
    except KeyError as err:
        raise MovescreenError(f"thresholds file {table.get('file')} has no [{test}.{measure}]") from err


def classify(value: float, rule: dict[str, Any]) -> Status:
    """The status of ``value`` against one rule (see the rule keys in thresholds.toml):
    ``severe_below`` → severe, ``restricted_below`` → restricted, outside
    [``normal_min``, ``normal_max``] → outside_normal, else normal. A rule with none of these
    keys (a measure without a documented threshold) gives not_rated. ``injury_risk_below``
    never changes the status (see :func:`risk_flags`)."""
    if not RULE_KEYS & rule.keys():
        return "not_rated"
    if "severe_below" in rule and value < rule["severe_below"]:
        return "severe"
    if "restricted_below" in rule and value < rule["restricted_below"]:
        return "restricted"
    if value < rule.get("normal_min", -float("inf")) or value > rule.get("normal_max", float("inf")):
        return "outside_normal"
    return "normal"


def risk_flags(value: float | None, rule: dict[str, Any] | None) -> dict[str, bool]:
    """``{"below_injury_risk_cutoff": bool}`` when the rule has ``injury_risk_below`` and there
    is a value; else ``{}``."""
    if value is None or not rule or "injury_risk_below" not in rule:
        return {}
    return {"below_injury_risk_cutoff": bool(value < rule["injury_risk_below"])}


def status_label(status: str, rule: dict[str, Any] | None) -> str:
    """The status as printed: upper case words, with "(provisional limit)" when the rule is
    provisional and the status was judged against it."""
    text = status.upper().replace("_", " ")
    rated = status not in ("not_rated", "insufficient_data")
    return f"{text} (provisional limit)" if rated and (rule or {}).get("provisional") else text
