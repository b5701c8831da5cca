"""The guided self-check (``movescreen live --check``): a state machine over plain observations.

A check walks a person alone at home through each test as the clinical material describes it
(GUIDE §1): place the camera (and level it), get into position, perform the movement on one side
until enough repetitions are counted, repeat on the other side, then compare. The steps and their
wording come from ``checks.toml`` (one section per protocol); this module only decides which step
is current and whether its condition is met. It draws nothing and measures nothing: the live
session (:mod:`screen.live.session`) feeds it :class:`Observation` s — what the rolling window
and the progress analysis (the same :func:`screen.analysis.analyze` as offline) saw — and acts on
the :class:`Action` it returns (start or finish a trial, build the session report).

Every waiting step says what to change when its condition is not met, and advances only after
the condition has held for :attr:`CheckTiming.hold_s` (a person passing through the right pose
for one frame does not count).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from screen.errors import MovescreenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CHECKS_FILE = Path(__file__).with_name("checks.toml")
SIDES = ("left", "right")


@dataclass(frozen=True)
class ReadoutSpec:
    """A live value a check shows: the protocol frame-measure ``trace`` (``{side}`` filled in),
    its thresholds.toml measure ``rule`` and the ``label`` shown."""

    trace: str
    rule: str
    label: str


@dataclass(frozen=True)
class CheckSpec:
    """One test's guided self-check (a section of ``checks.toml``; its keys are documented
    there)."""

    test: str
    title: str
    view: str
    per_side: bool
    reps: int
    hold_s: float
    camera: tuple[str, ...]
    position: tuple[str, ...]
    movement: tuple[str, ...]
    other_side: tuple[str, ...]
    readouts: tuple[ReadoutSpec, ...]
    gauge: str

    def sides(self) -> tuple[str | None, ...]:
        """The trials of the check: one per side, or one (None: the analysis finds the sides)."""
        return SIDES if self.per_side else (None,)

    def text(self, lines: tuple[str, ...], side: str | None) -> list[str]:
        """``lines`` with ``{side}``, ``{Side}``, ``{reps}`` and ``{hold}`` filled in."""
        s = side or "test"
        return [line.format(side=s, Side=s.capitalize(), reps=self.reps, hold=f"{self.hold_s:g}")
                for line in lines]


def load_checks(path: str | Path = CHECKS_FILE) -> dict[str, CheckSpec]:
    """Every check in ``path``, by protocol name. A malformed file is a MovescreenError."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        return {test: CheckSpec(
            test=test, title=str(d["title"]), view=str(d["view"]), per_side=bool(d["per_side"]),
            reps=int(d["reps"]), hold_s=float(d["hold_s"]), camera=tuple(d["camera"]),
            position=tuple(d["position"]), movement=tuple(d["movement"]),
            other_side=tuple(d["other_side"]),
            readouts=tuple(ReadoutSpec(r["trace"], r["rule"], r["label"]) for r in d["readouts"]),
            gauge=str(d["gauge"])) for test, d in raw.items()}
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as err:
        raise MovescreenError(f"{path}: not a valid checks file ({err})") from err


@dataclass(frozen=True)
class CheckTiming:
    """Every value that changes how a check proceeds (seconds unless named otherwise).

    ``hold_s``: a waiting step's condition must hold this long; ``level_give_up_s``: with no
    reliable level estimate after this long, the camera step continues and says the level could
    not be checked (a bare wall has no straight edges) — and a camera found tilted by no more
    than ``level_correctable_deg`` is then accepted too, saying so (the analysis measures
    against the true vertical it finds; a larger tilt must be straightened); ``after_last_rep_s``: once enough
    repetitions are counted the trial still records this long (the last one completes);
    ``show_result_s``: a trial's result stays up this long before the next step;
    ``max_attempts``: a side whose trial published nothing is tried this often in all;
    ``preroll_s``: a trial begins with the seconds before the position was accepted (more than
    ``hold_s``: a movement begun while the position held is not cut)."""

    hold_s: float = 1.0
    level_give_up_s: float = 4.0
    level_correctable_deg: float = 3.0
    after_last_rep_s: float = 1.0
    show_result_s: float = 4.0
    max_attempts: int = 3
    preroll_s: float = 2.0


class Kind(str, Enum):
    INTRO = "intro"
    CAMERA = "camera"
    POSITION = "position"
    PERFORM = "perform"
    RESULT = "result"
    SUMMARY = "summary"


@dataclass(frozen=True)
class Step:
    """One step: ``kind``, the ``test`` and ``side`` it belongs to, and its title."""

    kind: Kind
    test: str
    side: str | None
    title: str


@dataclass
class Observation:
    """What the live session saw, passed to :meth:`Guide.update` on every shown frame.

    ``problems``: what is wrong with the framing or view over the last second (the live
    guidance, e.g. "step back so your whole body is visible"); ``view``: the view classified
    over that second ("side", "front", "back", "oblique", "unknown"); ``person``: a person was
    found; ``level_roll_deg`` / ``level_reliable``: the live scene estimate of the camera roll
    (None while there is none); ``reps``: repetitions counted so far in the open trial by the
    progress analysis; ``trial_s``: how long the open trial has recorded; ``key``: the key
    pressed (" " for SPACE), or None; ``trial_ended``: the open trial ended by itself (the
    replayed clip ended) — the guide then finishes it."""

    now: float
    person: bool = False
    view: str = "unknown"
    problems: tuple[str, ...] = ()
    level_roll_deg: float | None = None
    level_reliable: bool = False
    level_tolerance_deg: float = 1.0
    reps: int = 0
    trial_s: float = 0.0
    key: str | None = None
    trial_ended: bool = False


class Action(str, Enum):
    NONE = "none"
    START_TRIAL = "start_trial"
    FINISH_TRIAL = "finish_trial"
    FINISHED = "finished"  # every step done: build the session and its report


@dataclass
class Outcome:
    """A finished trial as the guide sees it: the side it was for and whether it published a
    value on that side (``ok``), with a line saying why not."""

    test: str
    side: str | None
    ok: bool
    why: str = ""


@dataclass
class Guide:
    """The steps of one check (``specs``: the tests, in order) and the current step.

    :meth:`update` is called with each :class:`Observation`; :meth:`record` with the outcome of
    each trial the guide asked to finish. :meth:`prompt` gives what the screen says."""

    specs: list[CheckSpec]
    timing: CheckTiming = field(default_factory=CheckTiming)
    steps: list[Step] = field(init=False)
    index: int = 0
    _since: float | None = None  # when the current condition started to hold
    _entered: float | None = None  # when the current step began
    _done_at: float | None = None  # when the perform step's target was reached
    _attempts: dict[tuple[str, str | None], int] = field(default_factory=dict)
    _last: Outcome | None = None
    problems: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if not self.specs:
            raise MovescreenError("a check needs at least one test")
        self.steps = []
        for spec in self.specs:
            self.steps.append(Step(Kind.INTRO, spec.test, None, spec.title))
            self.steps.append(Step(Kind.CAMERA, spec.test, None, "set up the camera"))
            for i, side in enumerate(spec.sides()):
                what = f"{side} side" if side else "the movement"
                self.steps.append(Step(Kind.POSITION, spec.test, side,
                                       "get into position" if i == 0 else f"now the {side} side"))
                self.steps.append(Step(Kind.PERFORM, spec.test, side, what))
                self.steps.append(Step(Kind.RESULT, spec.test, side, f"result, {what}"))
        self.steps.append(Step(Kind.SUMMARY, self.specs[-1].test, None, "compare and save"))

    # ---- what the screen shows -----------------------------------------------------------

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    @property
    def spec(self) -> CheckSpec:
        return next(s for s in self.specs if s.test == self.step.test)

    @property
    def finished(self) -> bool:
        return self.step.kind is Kind.SUMMARY

    def heading(self) -> str:
        """``Step 3 of 12: set up the camera``."""
        return f"Step {self.index + 1} of {len(self.steps)}: {self.step.title}"

    def prompt(self) -> list[str]:
        """The instructions of the current step."""
        st, spec = self.step, self.spec
        if st.kind is Kind.INTRO:
            return [f"{spec.title}.", *({True: ["One side, then the other, then compare."],
                                         False: []}[spec.per_side]),
                    "Press SPACE to begin (q quits)."]
        if st.kind is Kind.CAMERA:
            return spec.text(spec.camera, None)
        if st.kind is Kind.POSITION:
            first = st.side is None or spec.sides().index(st.side) == 0
            lines = spec.position if first else spec.other_side + spec.position[-1:]
            return spec.text(lines, st.side)
        if st.kind is Kind.PERFORM:
            return [*spec.text(spec.movement, st.side), "SPACE: stop early."]
        if st.kind is Kind.RESULT:
            out = self._last
            if out is not None and not out.ok:
                return [f"Nothing could be measured: {out.why}", "Let's try that again."]
            return ["Result recorded. SPACE: continue."]
        return ["All done. The comparison and report are saved.", "Press q to finish."]

    # ---- progress ------------------------------------------------------------------------

    def update(self, obs: Observation) -> Action:
        """Advance on ``obs``; returns what the session must do now."""
        if self._entered is None:
            self._entered = obs.now
        handler = {Kind.INTRO: self._intro, Kind.CAMERA: self._camera,
                   Kind.POSITION: self._position, Kind.PERFORM: self._perform,
                   Kind.RESULT: self._result}.get(self.step.kind)
        # the summary does nothing: the session was built when it was entered
        return handler(obs) if handler is not None else Action.NONE

    def _intro(self, obs: Observation) -> Action:
        self.problems = ()
        return self._next(obs) if obs.key == " " else Action.NONE

    def _position(self, obs: Observation) -> Action:
        problems = list(obs.problems)
        if not obs.person:
            problems = ["no person found: stand in front of the camera"]
        elif obs.view == "unknown":
            problems.append("hold still so the camera can see how you stand")
        elif obs.view != self.spec.view and not any("turn" in p or "face" in p for p in problems):
            problems.append("turn sideways to the camera" if self.spec.view == "side"
                            else "face the camera")
        self.problems = tuple(dict.fromkeys(problems))
        if self._held(not self.problems, obs.now):
            return self._next(obs, Action.START_TRIAL)
        return Action.NONE

    def _result(self, obs: Observation) -> Action:
        self.problems = ()
        waited = obs.now - (obs.now if self._entered is None else self._entered) >= self.timing.show_result_s
        if obs.key != " " and not waited:
            return Action.NONE
        if self._last is not None and not self._last.ok and self._retry_allowed():
            self.index -= 2  # back to the position step of the same side
            self._reset(obs.now)
            return Action.NONE
        return self._next(obs)

    def record(self, outcome: Outcome) -> None:
        """The outcome of the trial the guide asked to finish (or that ended by itself)."""
        key = (outcome.test, outcome.side)
        self._attempts[key] = self._attempts.get(key, 0) + 1
        self._last = outcome

    def _retry_allowed(self) -> bool:
        st = self.step
        return self._attempts.get((st.test, st.side), 0) < self.timing.max_attempts

    def _camera(self, obs: Observation) -> Action:
        waited = obs.now - (obs.now if self._entered is None else self._entered)
        problems: list[str] = [] if obs.person else ["no person found: stand in front of the camera"]
        self.note = ""
        if obs.level_roll_deg is not None and obs.level_reliable:
            roll = obs.level_roll_deg
            turn = "anticlockwise" if roll > 0 else "clockwise"
            if abs(roll) <= obs.level_tolerance_deg:
                pass
            elif waited >= self.timing.level_give_up_s and \
                    abs(roll) <= self.timing.level_correctable_deg:
                self.note = (f"the camera is tilted {abs(roll):.1f} deg: the angles are measured "
                             "against the true vertical found in the picture")
            else:
                problems.append(f"the camera is tilted {abs(roll):.1f} deg: turn it {turn}")
        elif waited >= self.timing.level_give_up_s:
            self.note = ("the level could not be checked (too few straight edges in view): "
                         "make sure the camera stands upright")
        else:
            problems.append("checking the level...")
        self.problems = tuple(problems)
        return self._next(obs) if self._held(not problems, obs.now) else Action.NONE

    def _perform(self, obs: Observation) -> Action:
        spec, t = self.spec, self.timing
        self.problems = tuple(obs.problems)
        if obs.trial_ended or obs.key == " ":
            return self._next(obs, Action.FINISH_TRIAL)
        reached = (obs.reps >= spec.reps if spec.reps > 0
                   else obs.trial_s >= spec.hold_s and not obs.problems)
        if reached and self._done_at is None:
            self._done_at = obs.now
        if not reached and spec.reps == 0:
            self._done_at = None
        if self._done_at is not None and obs.now - self._done_at >= t.after_last_rep_s:
            return self._next(obs, Action.FINISH_TRIAL)
        return Action.NONE

    def progress(self, reps: int, trial_s: float) -> str:
        """``repetitions 2 of 3`` (or the seconds held) for the perform step."""
        spec = self.spec
        if spec.reps > 0:
            return f"repetitions counted: {min(reps, spec.reps)} of {spec.reps}"
        return f"held {min(trial_s, spec.hold_s):.0f} of {spec.hold_s:g} s"

    def _held(self, ok: bool, now: float) -> bool:
        if not ok:
            self._since = None
            return False
        if self._since is None:
            self._since = now
        return now - self._since >= self.timing.hold_s

    def _reset(self, now: float) -> None:
        self._since, self._entered, self._done_at, self.note = None, now, None, ""

    def _next(self, obs: Observation, action: Action = Action.NONE) -> Action:
        self.index = min(self.index + 1, len(self.steps) - 1)
        self._reset(obs.now)
        if self.finished:
            return Action.FINISHED if action is Action.NONE else action
        return action


def build(check: str, checks: dict[str, CheckSpec] | None = None,
          timing: CheckTiming | None = None) -> Guide:
    """The guide for ``check``: a protocol name or ``all`` (every test in ``checks.toml``)."""
    checks = checks if checks is not None else load_checks()
    names = list(checks) if check == "all" else [check]
    unknown = [n for n in names if n not in checks]
    if unknown:
        raise MovescreenError(f"no guided check for '{unknown[0]}'; choose from "
                              f"{', '.join(n.replace('_', '-') for n in checks)} or all")
    return Guide([checks[n] for n in names], timing or CheckTiming())
