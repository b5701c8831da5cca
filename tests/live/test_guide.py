"""The guided self-check's state machine (screen/live/guide.py) on plain observations: no window,
no model. Expected steps come from the clinical self-checks (GUIDE §1: set up, one side, the
other side, compare) and from checks.toml; times are the CheckTiming defaults."""

from __future__ import annotations

import pytest

from screen.errors import MovescreenError
from screen.live import guide
from screen.live.guide import Action, Kind, Observation, Outcome
from screen.protocols import PROTOCOLS
from screen.results.thresholds import load

SIDE_OK = dict(person=True, view="side")


def at(g: guide.Guide, t: float, **seen) -> Action:
    return g.update(Observation(now=t, **seen))


def ktw() -> guide.Guide:
    return guide.build("knee_to_wall")


def test_every_check_is_a_registered_test_with_rules_and_views_it_can_be_read_from():
    checks = guide.load_checks()
    table = load(None)
    assert set(checks) == set(PROTOCOLS)
    for name, spec in checks.items():
        assert spec.view in PROTOCOLS[name].VIEWS, name
        for r in spec.readouts:
            assert r.rule in table[name], (name, r.rule)
        assert not spec.gauge or spec.gauge in {r.trace for r in spec.readouts}, name
        assert spec.reps > 0 or spec.hold_s > 0, name


def test_knee_to_wall_walks_set_up_left_right_and_compare():
    g = ktw()
    kinds = [(s.kind, s.side) for s in g.steps]
    assert kinds == [(Kind.INTRO, None), (Kind.CAMERA, None),
                     (Kind.POSITION, "left"), (Kind.PERFORM, "left"), (Kind.RESULT, "left"),
                     (Kind.POSITION, "right"), (Kind.PERFORM, "right"), (Kind.RESULT, "right"),
                     (Kind.SUMMARY, None)]
    assert g.heading() == "Step 1 of 9: Knee-to-wall (ankle)"


def test_intro_waits_for_space():
    g = ktw()
    assert at(g, 0.0) is Action.NONE and g.step.kind is Kind.INTRO
    assert at(g, 5.0, key="x") is Action.NONE and g.step.kind is Kind.INTRO
    at(g, 6.0, key=" ")
    assert g.step.kind is Kind.CAMERA


def camera_step() -> guide.Guide:
    g = ktw()
    at(g, 0.0, key=" ")
    return g


def test_a_tilted_camera_is_told_which_way_to_turn_and_holds_the_step():
    g = camera_step()
    for t in (1.0, 2.0, 10.0):
        at(g, t, person=True, level_roll_deg=3.5, level_reliable=True)
    assert g.step.kind is Kind.CAMERA
    assert g.problems == ("the camera is tilted 3.5 deg: turn it anticlockwise",)
    at(g, 11.0, person=True, level_roll_deg=-5.0, level_reliable=True)
    assert "turn it clockwise" in g.problems[0]


def test_a_small_tilt_is_accepted_after_a_while_saying_it_is_corrected():
    """1.3° (beyond the 1° of level, within the 3° the analysis corrects): told to turn the
    camera for 4 s, then accepted with a note."""
    g = camera_step()
    at(g, 1.0, person=True, level_roll_deg=1.3, level_reliable=True)
    assert g.problems == ("the camera is tilted 1.3 deg: turn it anticlockwise",)
    at(g, 4.1, person=True, level_roll_deg=1.3, level_reliable=True)
    assert g.problems == () and "measured against the true vertical" in g.note
    at(g, 5.2, person=True, level_roll_deg=1.3, level_reliable=True)
    assert g.step.kind is Kind.POSITION


def test_a_level_camera_passes_after_the_hold():
    g = camera_step()
    at(g, 1.0, person=True, level_roll_deg=0.4, level_reliable=True)
    at(g, 1.9, person=True, level_roll_deg=0.4, level_reliable=True)
    assert g.step.kind is Kind.CAMERA  # held 0.9 s of the 1 s
    at(g, 2.05, person=True, level_roll_deg=0.4, level_reliable=True)
    assert g.step.kind is Kind.POSITION


def test_no_reliable_level_waits_then_goes_on_saying_so():
    g = camera_step()
    at(g, 1.0, person=True)
    assert g.problems == ("checking the level...",)
    at(g, 3.5, person=True)  # 3.5 s in: still checking
    assert g.step.kind is Kind.CAMERA and g.problems == ("checking the level...",)
    at(g, 4.1, person=True)  # 4 s without an estimate: go on, saying so
    assert g.problems == () and "could not be checked" in g.note
    at(g, 5.2, person=True)
    assert g.step.kind is Kind.POSITION and g.note == ""


def position_step() -> guide.Guide:
    g = camera_step()
    for t in (1.0, 2.1):
        at(g, t, person=True, level_roll_deg=0.0, level_reliable=True)
    assert g.step.kind is Kind.POSITION
    return g


def test_position_says_what_to_change_and_starts_the_trial_when_held():
    g = position_step()
    at(g, 3.0, person=True, view="front")
    assert g.problems == ("turn sideways to the camera",)
    at(g, 3.5, person=True, view="side", problems=("step back so your whole body is visible",))
    assert g.problems == ("step back so your whole body is visible",)
    assert at(g, 4.0, **SIDE_OK) is Action.NONE
    assert at(g, 5.0, **SIDE_OK) is Action.START_TRIAL
    assert (g.step.kind, g.step.side) == (Kind.PERFORM, "left")
    assert any("Left foot forward" in line for line in g.prompt())


def perform_step() -> guide.Guide:
    g = position_step()
    at(g, 4.0, **SIDE_OK)
    at(g, 5.0, **SIDE_OK)
    return g


def test_perform_ends_a_second_after_the_repetitions_are_counted():
    g = perform_step()
    assert at(g, 6.0, reps=2, **SIDE_OK) is Action.NONE
    assert at(g, 7.0, reps=3, **SIDE_OK) is Action.NONE
    assert g.progress(3, 2.0) == "repetitions counted: 3 of 3"
    assert at(g, 8.0, reps=3, **SIDE_OK) is Action.FINISH_TRIAL
    assert (g.step.kind, g.step.side) == (Kind.RESULT, "left")


def test_perform_ends_when_the_clip_ends_or_on_space():
    g = perform_step()
    assert at(g, 6.0, reps=1, trial_ended=True, **SIDE_OK) is Action.FINISH_TRIAL
    g = perform_step()
    assert at(g, 6.0, reps=0, key=" ", **SIDE_OK) is Action.FINISH_TRIAL


def test_a_side_with_nothing_measured_is_tried_again_then_given_up():
    g = perform_step()
    at(g, 6.0, trial_ended=True, **SIDE_OK)
    g.record(Outcome("knee_to_wall", "left", False, "only half a repetition"))
    assert g.prompt()[0] == "Nothing could be measured: only half a repetition"
    at(g, 7.0, key=" ")
    assert (g.step.kind, g.step.side) == (Kind.POSITION, "left")
    for _attempt in (2, 3):
        at(g, 8.0, **SIDE_OK)
        at(g, 9.1, **SIDE_OK)
        at(g, 10.0, trial_ended=True, **SIDE_OK)
        g.record(Outcome("knee_to_wall", "left", False, "no repetition"))
        at(g, 10.5, key=" ")
    assert (g.step.kind, g.step.side) == (Kind.POSITION, "right")  # three attempts: moves on


def test_the_other_side_then_the_summary_finishes_the_check():
    g = perform_step()
    at(g, 6.0, trial_ended=True, **SIDE_OK)
    g.record(Outcome("knee_to_wall", "left", True))
    at(g, 6.5)
    at(g, 10.6)  # the result stays up 4 s
    assert (g.step.kind, g.step.side) == (Kind.POSITION, "right")
    assert any("right foot is forward" in line for line in g.prompt())
    at(g, 11.0, **SIDE_OK)
    assert at(g, 12.1, **SIDE_OK) is Action.START_TRIAL
    at(g, 13.0, trial_ended=True, **SIDE_OK)
    g.record(Outcome("knee_to_wall", "right", True))
    assert at(g, 13.5, key=" ") is Action.FINISHED
    assert g.finished and g.step.kind is Kind.SUMMARY
    assert at(g, 14.0) is Action.NONE  # the report is built once


def test_a_hold_check_ends_after_its_seconds_still():
    g = guide.build("foot_angle")
    assert [s.kind for s in g.steps].count(Kind.PERFORM) == 1  # both feet in one trial
    at(g, 0.0, key=" ")
    at(g, 1.0, person=True, level_roll_deg=0.0, level_reliable=True)
    at(g, 2.1, person=True, level_roll_deg=0.0, level_reliable=True)
    front = dict(person=True, view="front")
    at(g, 3.0, **front)
    assert at(g, 4.1, **front) is Action.START_TRIAL
    assert at(g, 6.0, trial_s=4.0, **front) is Action.NONE
    assert at(g, 7.0, trial_s=5.0, **front) is Action.NONE
    assert g.progress(0, 5.0) == "held 5 of 5 s"
    assert at(g, 8.1, trial_s=6.1, **front) is Action.FINISH_TRIAL


def test_all_chains_every_test_and_unknown_checks_are_refused():
    g = guide.build("all")
    intros = [s.test for s in g.steps if s.kind is Kind.INTRO]
    assert intros == list(guide.load_checks())
    with pytest.raises(MovescreenError, match="no guided check for 'bench_press'"):
        guide.build("bench_press")
