"""Guard against transcription errors in benchmarks/validation_expectations.toml: it parses, it
covers every clip of both MANIFESTs, and its numbers agree with the by-eye ANNOTATIONS.tsv text
(rep/step counts, bottom or foot-strike frames, shin ranges, yes/no verdicts, "n/a" columns).

Expected values come from ANNOTATIONS.tsv itself (the independent by-eye source), parsed here
with regular expressions separate from the hand transcription. The shared data folder is
../shared beside the clone (tests/conftest.py), or the folder named by $MOVESCREEN_SHARED (for a
git worktree, whose ../shared is elsewhere); without it these tests are skipped with that reason.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import validate  # noqa: E402  (benchmarks/validate.py, not a package)

SHARED_DIR = Path(os.environ.get("MOVESCREEN_SHARED", SHARED))
EXPECT = tomllib.loads((ROOT / "benchmarks" / "validation_expectations.toml").read_text())
CLIPS = EXPECT["clips"]
REFUSING = ("refuse", "insufficient")


def tsv(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared data folder is missing "
                    "(put it at ../shared or set MOVESCREEN_SHARED)")
    with open(path, newline="") as fh:
        return {row["file"].removesuffix(".mp4"): row
                for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}


@pytest.fixture(scope="module")
def annotations() -> dict[str, dict[str, str]]:
    return tsv(SHARED_DIR / "validation" / "ANNOTATIONS.tsv")


def test_every_manifest_clip_has_exactly_one_entry_in_its_set():
    for set_name in validate.SETS:
        listed = set(tsv(SHARED_DIR / set_name / "MANIFEST.tsv"))
        mine = {clip for clip, e in CLIPS.items() if e["set"] == set_name}
        assert mine == listed, set_name
    assert len(CLIPS) == 11 + 13


def test_every_entry_uses_known_outcomes_and_words():
    outcomes = {"squat", "knee_to_wall", "foot_angle", "hip_rotation", *REFUSING}
    names = {n for members in EXPECT["families"].values() for n in members}
    for clip, e in CLIPS.items():
        runs = [e, *e.get("forced", {}).values()]
        for r in runs:
            assert {r["handling"], *r.get("accept", [])} <= outcomes, clip
            assert r.get("toe_out", "slightly") in EXPECT["verdicts"]["toe_out"], clip
            for f in r.get("forbid", []) + r.get("forbid_unless_low", []):
                assert f[1:] in EXPECT["families"] if f.startswith("@") else f in names, (clip, f)


def leading_count(text: str) -> int | list[int]:
    """'3 (bottoms ...' → 3; '~24-25 foot strikes' → [24, 25]; '... range 6-7' → [6, 7]."""
    span = re.search(r"range (\d+)-(\d+)", text) or re.match(r"~(\d+)-(\d+)", text)
    return [int(span[1]), int(span[2])] if span else int(re.match(r"\d+", text)[0])


@pytest.mark.parametrize("clip", ["yuyoujiang_squat", "joelo_landmine_squat", "mrpose_airsquat_front_side",
                                  "kt_squat_front_fitnessblender", "cas737_squat_front_lowexposure",
                                  "dvir_treadmill_front_legs", "adith_walking_back",
                                  "bog_gait_circumduction", "nowva_goblet_squat_front"])
def test_count_agrees_with_annotation(annotations, clip):
    assert CLIPS[clip]["count"] == leading_count(annotations[clip]["reps_or_steps"])


def annotated_frames(text: str) -> list[int]:
    """Frames inside the '(bottoms ...)' or '(... foot strikes (...)' group, else every 'fNNN'
    (the mixed-view clip lists its bottoms per segment)."""
    group = re.search(r"bottoms ([^)]*)\)", text) or re.search(r"strikes \(([^)]*)\)", text)
    if group:
        return [int(n) for n in re.findall(r"\d+", group[1])]
    return [int(n) for n in re.findall(r"\bf(\d+)", text)]


@pytest.mark.parametrize("clip", ["yuyoujiang_squat", "joelo_landmine_squat", "mrpose_airsquat_front_side",
                                  "kt_squat_front_fitnessblender", "adith_walking_back",
                                  "nowva_goblet_squat_front"])
def test_event_frames_agree_with_annotation(annotations, clip):
    assert CLIPS[clip]["events"] == annotated_frames(annotations[clip]["reps_or_steps"])


def test_lunge_holds_and_shins_agree_with_annotation(annotations):
    row = annotations["kt_lunge_side_white"]
    forced = CLIPS["kt_lunge_side_white"]["forced"]["knee_to_wall"]
    holds = re.findall(r"bottom(?: hold)? f(\d+)-(\d+)", row["reps_or_steps"])
    assert forced["events"] == [[int(a), int(b)] for a, b in holds]
    shins = [int(n) for n in re.findall(r"~(\d+) rep\d", row["shin_angle_at_depth_deg"])]
    assert [(lo + hi) / 2 for lo, hi in forced["shin_reps"]] == shins  # centred, ±5° (README)


def test_shin_ranges_agree_with_annotation(annotations):
    """An explicit range is copied; '~N' becomes N ± 5° (the README's reading accuracy)."""
    for clip, e in CLIPS.items():
        if e["set"] != "validation" or "shin" not in e:
            continue
        text = annotations[clip]["shin_angle_at_depth_deg"]
        explicit = re.search(r"\((\d+)-(\d+)", text)
        approx = int(re.match(r"~(\d+)", text)[1])
        expected = [float(explicit[1]), float(explicit[2])] if explicit else [approx - 5.0, approx + 5.0]
        assert e["shin"] == expected, clip


@pytest.mark.parametrize(("key", "column"), [("heel_lift", "heel_lift"),
                                             ("knees_cave_in", "knees_cave_in")])
def test_yes_no_verdicts_agree_with_annotation(annotations, key, column):
    checked = 0
    for clip, e in CLIPS.items():
        if e["set"] == "validation" and key in e:
            word = annotations[clip][column].split()[0]
            assert e[key] == {"yes": True, "no": False}[word], clip
            checked += 1
    assert checked >= 3


def test_toe_out_words_agree_with_annotation(annotations):
    for clip, e in CLIPS.items():
        if e["set"] == "validation" and "toe_out" in e:
            assert annotations[clip]["feet_turned_out"].split()[0] == e["toe_out"], clip


@pytest.mark.parametrize(("column", "measure"), [("shin_angle_at_depth_deg", "tibial_inclination"),
                                                  ("knees_cave_in", "knee_valgus"),
                                                  ("feet_turned_out", "foot_angle")])
def test_not_applicable_columns_are_forbidden(annotations, column, measure):
    """A column the annotation marks 'n/a' must not be published: the clip refuses, or forbids it."""
    for clip, row in annotations.items():
        e = CLIPS[clip]
        if not row[column].startswith("n/a") or e["handling"] in REFUSING:
            continue
        names = e.get("forbid", []) + e.get("forbid_unless_low", [])
        assert measure in validate.family_members(names, EXPECT["families"]), clip


# ---- the scorer itself, on hand-made result dicts (expected values worked out by hand) --------

def measurement(name, value, status="normal", reps=(), statistic="median of reps", **extra):
    return {"name": name, "side": "left", "value": value, "status": status, "reps": list(reps),
            "statistic": statistic, **extra}


def test_events_match_one_to_one_within_tolerance_and_windows_widen():
    # 100 matches 95 (5 frames); 111 is 11 from 100 and 89 from 200 → unmatched; window [30, 40]
    # takes 48 (8 beyond 40); a second expected 100 cannot reuse the frame 95.
    assert validate.matched([100, 200, [30, 40], 100], [95, 111, 48], tol=10) == 2


def test_current_contract_count_and_frames_come_from_rep_times():
    t = [i / 30 for i in range(300)]
    reps = [{"rep": 1, "bottom_t_s": 1.0, "t_s": 1.2, "value": 20.0},
            {"rep": 2, "bottom_t_s": 5.0, "t_s": 5.1, "value": 22.0}]
    d = {"test": "squat", "measurements": [measurement("ankle_dorsiflexion", 21.0, reps=reps),
                                           measurement("heel_lift", None, "insufficient_data")]}
    obs = validate.observe(d, np.asarray(t))
    assert (obs.category, obs.count, obs.events, obs.boundaries) == ("squat", 2, [30, 150], None)
    assert [m["name"] for m in obs.published] == ["ankle_dorsiflexion"]


def test_new_contract_segments_repetitions_and_wrong_view_reps():
    d = {"test": "squat",
         "segments": [{"index": 0, "start_frame": 0, "view": "front", "activity": "exercise"},
                      {"index": 1, "start_frame": 200, "view": "side", "activity": "exercise"},
                      {"index": 2, "start_frame": 610, "view": "side", "activity": "exercise"},
                      {"index": 3, "start_frame": 640, "view": "front", "activity": "exercise"}],
         "repetitions": {"kind": "rep", "counted": [{"bottom_frame": 70}, {"bottom_frame": 260}]},
         "measurements": [measurement("knee_valgus", 2.0, "not_rated",
                                      reps=[{"rep": 1, "value": 2.0, "segment": 0},
                                            {"rep": 2, "value": 5.0, "segment": 1}],
                                      confidence={"level": "high"})]}
    obs = validate.observe(d, None)
    assert (obs.count, obs.events, obs.boundaries) == (2, [70, 260], [200, 640])
    exp = {"handling": "squat", "count": 9, "changes": [[190, 215], [615, 645]], "knees_cave_in": False}
    row = validate.score("clip", exp, obs, EXPECT)
    assert (row.handling_ok, row.count_ok, row.changes, row.verdicts["knee"]) == (True, False, (2, 2), True)
    assert row.wrong == ["knee_valgus/left=2.0: rep 2 measured in a side segment"]


def test_confidently_wrong_counts_forbidden_contradicted_and_refused_values():
    published = [measurement("tibial_inclination", 28.0), measurement("foot_angle", 31.0),
                 measurement("knee_valgus", 3.0, confidence={"level": "low"}),
                 measurement("squat_depth", 5.0, "insufficient_data")]
    obs = validate.Observed("squat", published=[m for m in published if m["status"] != "insufficient_data"])
    exp = {"handling": "squat", "shin": [35.0, 45.0], "toe_out": "slightly",
           "forbid_unless_low": ["knee_valgus"]}
    # 28° is outside 35-45 and 31° outside "slightly" (0-25); the low-confidence valgus is excused
    assert len(validate.score("c", exp, obs, EXPECT).wrong) == 2
    assert len(validate.score("c", {"handling": "refuse"}, obs, EXPECT).wrong) == 3
