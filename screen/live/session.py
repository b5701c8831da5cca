"""The live pipeline: capture → inference → rolling window → display, trials and their analysis.

Threads (none waits on a slower one, so the display never falls behind the camera):

* **capture** (:mod:`screen.live.capture`): reads the camera or paces a file, stamps each frame
  with its capture time and publishes it to two one-frame slots (inference, display). A slot
  keeps only the newest frame: stale frames are dropped and counted.
* **inference** (this module, :meth:`Session._infer_loop`): MediaPipe PoseLandmarker in VIDEO
  mode on its own thread, fed with the source timestamps (strictly increasing); raw landmarks go
  to the open trial, One-Euro-smoothed pixels (:mod:`screen.live.smoothing`) to a rolling window.
* **display** (the calling thread, :meth:`Session.run`): takes the newest captured frame, gives
  it a bounded moment for its own landmarks (``pose_wait_s``), draws the newest skeleton and,
  from the rolling window, the protocol's own ``frame_measures``, a
  gauge against the threshold, guidance from :func:`screen.scene.view.classify_view` and
  :func:`screen.scene.framing.check_framing`, and the shown/analysed frame rates and latencies.

An **analyst** thread (:meth:`Session._analyst_loop`) does what is too slow for the display,
about once a second: the open trial's progress (repetitions counted by the same
:func:`screen.analysis.analyze` that ends it), the camera's level from the picture
(:func:`screen.scene.vertical.from_frames`, shown while setting up), and with ``--test auto`` the
test recognised from the last seconds of movement (:func:`screen.scene.detect.detect`, as
``analyze`` recognises a clip). A guided check (:mod:`screen.live.guide`) reads all of it.

A trial records the *raw* landmarks of every analysed frame; when it ends they become a
:class:`~screen.recording.Recording` analysed by :func:`screen.analysis.analyze` — the same core
``movescreen analyze`` runs — and, with a record directory, written by
:func:`screen.outputs.files.write`. Camera loss, a closed window and Ctrl-C all end the open trial
that way first, so what was recorded is kept.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from screen.analysis import analyze
from screen.errors import MovescreenError
from screen.kinematics.geometry import up_vector
from screen.landmarks import N_LANDMARKS
from screen.live import guide as guide_mod
from screen.live import overlay, panel
from screen.live.capture import CapturedFrame, FrameSource, LatestSlot, SourceEnded
from screen.live.overlay import ResultPanel
from screen.live.recorder import VideoRecorder
from screen.live.smoothing import OneEuro
from screen.live.window import WINDOW_NAME, show_loading, window_open
from screen.protocols import PROTOCOLS
from screen.recording import Recording
from screen.results.result import Result
from screen.results.thresholds import load as load_thresholds
from screen.scene import vertical
from screen.scene.framing import check_framing
from screen.scene.vertical import LEVEL_TOLERANCE_DEG, Vertical
from screen.scene.view import classify_view
from screen.session import TrialSpec
from screen.sources.models import ModelFile

SIDES_CYCLE = (None, "left", "right")
KEYS_HELP = "SPACE start/stop trial | t test | s side | q quit"
CHECK_KEYS = "SPACE continue / stop early | q quit"


@dataclass
class LiveOptions:
    """What one live session does. ``window_s``: length of the rolling window the live
    measures and guidance are computed over (seconds). ``lossless``: the source waits for the
    inference (every frame analysed, none dropped; for tests and offline replays).
    ``auto_trial``: one trial from the first frame to the end of the source. ``display_max``:
    longest side of the shown image (pixels; the camera image is scaled to it).
    ``linger_s``: with a window, how long the last frame and result stay up after the source
    ends (None: until a key). ``pose_wait_s``: how long after its capture a frame may wait for
    its own landmarks before it is shown with the newest there are (0: never wait; the
    skeleton then trails the image by about one inference).

    Coverage: the fraction of a trial's frames that were analysed — of the frames captured
    while it was open, or, for a whole-run trial on a replayed file that ran to its end, of the
    frames the file declares (a file that ends early counts as frames missed). Below ``coverage_warn_below``
    (0.75) the result carries a warning; below ``coverage_min`` (0.30: fewer than ~9 analysed
    frames per second of a 30 fps camera, too sparse to catch a 2 s end-range hold reliably)
    every measure is insufficient_data with the reason.

    ``check``: run the guided self-check of that test (or ``all``) instead of free trials.
    ``annotated_video``: with a record directory, each trial's shown images (camera, skeleton
    and the info column) are written to ``annotated.mp4`` at the source's rate.
    ``speak``: say each new instruction with a speech engine when one is installed.
    ``analyst_every_s``: how often the analyst thread re-analyses the open trial (repetitions so
    far), re-estimates the level and (``test`` auto) recognises the test from the last
    ``recognise_s`` seconds; ``level_frames``: frames (one per analyst pass) the live level
    estimate pools."""

    test: str = "auto"
    side: str | None = None
    check: str | None = None  # a guided check: a protocol name or "all" (screen.live.guide)
    camera_tilt_deg: float | None = None
    thresholds: str | Path | None = None
    record_dir: Path | None = None
    record_video: bool = False
    annotated_video: bool = False
    speak: bool = False
    window: bool = True
    auto_trial: bool = False
    lossless: bool = False
    window_s: float = 2.0
    display_max: int = 960
    linger_s: float | None = None
    snapshot: Path | None = None
    pose_wait_s: float = 0.05
    smoothing: OneEuro = field(default_factory=OneEuro)
    coverage_warn_below: float = 0.75
    coverage_min: float = 0.30
    analyst_every_s: float = 1.0
    recognise_s: float = 4.0
    level_frames: int = 6


@dataclass
class PoseState:
    """The newest inference output the display draws."""

    seq: int
    frame_index: int
    t: float
    t_capture: float
    points: NDArray  # (33, 2) One-Euro-smoothed pixels, NaN where not visible


@dataclass
class Stats:
    """Pipeline figures over the whole session (perf_counter seconds)."""

    shown_at: list[float] = field(default_factory=list)
    latency_s: list[float] = field(default_factory=list)  # capture → shown, the image
    pose_latency_s: list[float] = field(default_factory=list)  # capture → shown, its skeleton
    analysed_at: list[float] = field(default_factory=list)
    frames_captured: int = 0
    dropped_inference: int = 0
    dropped_display: int = 0
    started_at: float = field(default_factory=time.perf_counter)  # the Session was made
    started_wall: float = field(default_factory=time.time)
    model_ready_at: float | None = None
    first_frame_at: float | None = None  # the first camera image shown
    first_skeleton_at: float | None = None  # the first image shown with a skeleton

    @staticmethod
    def _rate(times: list[float]) -> float:
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else float("nan")

    def summary(self) -> dict[str, float]:
        """Displayed fps, analysed fps, median and 95th-percentile latencies (ms), and when the
        model was ready, the first image and the first skeleton were shown (s after the
        session started; ``started_wall``: that start as Unix time, for timing from outside)."""
        lat = np.asarray(self.latency_s) * 1000
        pose = np.asarray(self.pose_latency_s) * 1000

        def since(t: float | None) -> float:
            return float("nan") if t is None else t - self.started_at

        from screen.live import window

        return {"started_wall": self.started_wall, "window_shown_wall": window.first_shown_wall,
                "model_ready_s": since(self.model_ready_at),
                "first_frame_s": since(self.first_frame_at),
                "first_skeleton_s": since(self.first_skeleton_at),
                "displayed_fps": self._rate(self.shown_at),
                "analysed_fps": self._rate(self.analysed_at),
                "latency_median_ms": _pct(lat, 50), "latency_p95_ms": _pct(lat, 95),
                "pose_latency_median_ms": _pct(pose, 50), "pose_latency_p95_ms": _pct(pose, 95),
                "frames_captured": self.frames_captured, "frames_shown": len(self.shown_at),
                "frames_analysed": len(self.analysed_at),
                "dropped_inference": self.dropped_inference,
                "dropped_display": self.dropped_display}


def _pct(a: NDArray, q: float) -> float:
    return float(np.percentile(a, q)) if len(a) else float("nan")


class RollingWindow:
    """The latest ``size`` analysed frames: times (N,), raw image landmarks (N, 33, 5), world
    landmarks (N, 33, 3, metres) and smoothed pixels (N, 33, 2), oldest first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._t = np.full(size, np.nan)
        self._image = np.full((size, N_LANDMARKS, 5), np.nan, dtype=np.float32)
        self._world = np.full((size, N_LANDMARKS, 3), np.nan, dtype=np.float32)
        self._points = np.full((size, N_LANDMARKS, 2), np.nan)
        self._item = np.zeros(size, dtype=int)
        self._n = 0
        self._lock = threading.Lock()

    def push(self, t: float, image: NDArray, world: NDArray, points: NDArray,
             item: int = 0) -> None:
        with self._lock:
            i = self._n % self.size
            self._t[i], self._image[i], self._world[i], self._points[i] = t, image, world, points
            self._item[i] = item
            self._n += 1

    def last(self, seconds: float) -> tuple[NDArray, NDArray, NDArray, int | None]:
        """The raw (t, image, world) of the last ``seconds`` of the newest clip (a replayed
        playlist's frames of an earlier file are not included), and that clip's number."""
        with self._lock:
            n = min(self._n, self.size)
            order = (np.arange(n) + (self._n - n)) % self.size
            t, item = self._t[order], self._item[order]
            if n == 0:
                return t, self._image[order], self._world[order], None
            keep = order[(t >= t[-1] - seconds) & (item == item[-1])]
            return self._t[keep], self._image[keep], self._world[keep], int(item[-1])

    def arrays(self) -> tuple[NDArray, NDArray, NDArray, NDArray]:
        """Copies (t, image, world, points) in time order."""
        with self._lock:
            n = min(self._n, self.size)
            order = (np.arange(n) + (self._n - n)) % self.size
            return self._t[order], self._image[order], self._world[order], self._points[order]


@dataclass
class Trial:
    """Raw per-frame model output of one trial (what a Recording holds)."""

    number: int
    t: list[float] = field(default_factory=list)
    image: list[NDArray] = field(default_factory=list)
    world: list[NDArray] = field(default_factory=list)
    video: VideoRecorder | None = None  # every captured frame, with --record-video
    video_path: Path | None = None
    captured: int = 0  # frames the source delivered while the trial was open
    whole_run: bool = False  # opened before the source started (auto trial)
    test: str = "auto"
    side: str | None = None
    item: int | None = None  # the replayed clip its frames come from (a trial never spans two)
    source_ended: bool = False  # its clip ended (a later clip's frames are not part of it)
    annotated: VideoRecorder | None = None  # the shown images, with --annotated-video
    annotated_path: Path | None = None
    first_index: int | None = None  # the source index of its first captured frame
    last_shown: NDArray | None = None  # the last image written to the annotated video (RGB)


def protocol_settings(test: str, **given: Any) -> Any:
    """The protocol's ``Settings`` from the options it has (others are ignored: e.g. a test
    without a side); None values mean the protocol's default."""
    cls = PROTOCOLS[test].Settings
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in given.items() if k in names and v is not None})


def look(test: str | None, image: NDArray, points: NDArray, measures: dict[str, NDArray],
         settings: Any) -> tuple[list[str], str, bool]:
    """What to tell the person, from the rolling window: (problems, view, person seen).
    Framing (:func:`check_framing` on raw image landmarks (T, 33, 5)), the view
    (:func:`classify_view` on smoothed pixels (T, 33, 2)) against the test's views, and a
    heel-lift cue when the test's frame measures have ``heel_rise`` (foot lengths) above the
    protocol's ``heel_rise_max``."""
    framing = check_framing(image)
    if framing.frames_with_person == 0:
        return list(framing.guidance), "unknown", False
    out = [g.split(": ", 1)[-1] for g in framing.guidance]
    view = classify_view(points)
    views = PROTOCOLS[test].VIEWS if test else ()
    if views and view.view not in views and view.view != "unknown":
        out.append("turn sideways to the camera" if "side" in views else "face the camera")
    lift = measures.get("heel_rise")
    limit = getattr(settings, "heel_rise_max", None)
    if lift is not None and limit is not None and len(lift) and lift[-1] >= limit:
        out.append("keep your heel down")
    return out, view.view, True


def frame_measures(test: str, points: NDArray, world: NDArray, settings: Any,
                   tilt_deg: float = 0.0) -> dict[str, NDArray]:
    """The protocol's per-frame traces over the rolling window: smoothed pixels (T, 33, 2),
    and world landmarks (T, 33, 3) for a protocol whose ``frame_measures`` takes ``world``;
    ``tilt_deg`` the camera's roll (true vertical clockwise from the image's up)."""
    fn = PROTOCOLS[test].frame_measures
    extra: dict[str, Any] = {"up": up_vector(tilt_deg)}
    if "world" in inspect.signature(fn).parameters:
        extra["world"] = world
    return fn(points, settings, **extra)


class Session:
    """One live session on an opened ``source`` with a pose ``model``. :meth:`run` blocks
    until the source ends or the user quits, and returns the results of the trials."""

    def __init__(self, source: FrameSource, model: ModelFile, options: LiveOptions,
                 *, log: Callable[[str], None] | None = None) -> None:
        if options.test != "auto" and options.test not in PROTOCOLS:
            raise MovescreenError(
                f"unknown test '{options.test}'; choose from auto, {', '.join(PROTOCOLS)}")
        self.source, self.model, self.opt = source, model, options
        self.log = log or (lambda s: print(s, file=sys.stderr, flush=True))
        self.table = load_thresholds(options.thresholds)
        self.checks = guide_mod.load_checks()
        self.guide = guide_mod.build(options.check, self.checks) if options.check else None
        if self.guide is not None and hasattr(source, "allow_next_clip"):
            source.hold_between_clips = True  # replayed clips: one per trial, when asked
        fps = source.fps if np.isfinite(source.fps) and source.fps > 0 else 30.0
        self.fps = fps
        self.window = RollingWindow(max(10, int(round(max(options.window_s, options.recognise_s)
                                                      * fps))))
        self.infer_slot = LatestSlot(lossless=options.lossless)
        self.display_slot = LatestSlot(on_put=self._frame_arrived)
        self.stats = Stats()
        self.results: list[Result] = []
        self.saved: list[Path] = []
        self.check_dir: Path | None = None
        self._lock = threading.Lock()
        self._new_pose = threading.Condition(self._lock)
        self._pose: PoseState | None = None
        self._analysing = -1  # index of the frame the inference thread works on
        self._trial: Trial | None = None
        self._trials = _highest(options.record_dir, "trial")
        self._infer_error: BaseException | None = None
        self._infer_done = threading.Event()
        self._infer_ready = threading.Event()
        self._stopping = threading.Event()
        self._panel: ResultPanel | None = None
        self._best = float("nan")
        self._last_image: NDArray | None = None
        self._last_frame: CapturedFrame | None = None
        self._cache: tuple[Any, LiveView] | None = None
        self._recognised: tuple[str | None, str] = (None, "move: the test is recognised from "
                                                    "the last seconds of movement")
        self._level: Vertical | None = None
        self._level_frames: list[tuple[NDArray, NDArray]] = []  # (edges (N, 4), person (33, 2))
        self._progress: tuple[int, int] = (0, 0)  # (trial number, repetitions counted)
        self._check_trials: list[tuple[TrialSpec, Result]] = []
        self._spoken = ""
        self._repainted = 0.0
        self._ctrl_c = False  # set by the Ctrl-C handler run() installs (see _noting_ctrl_c)
        self.side = options.side

    @property
    def recognised(self) -> tuple[str | None, str]:
        """(test recognised from the last seconds of movement or None, the reason in words)."""
        return self._recognised

    @property
    def test(self) -> str | None:
        """The test shown now: the guided check's, the chosen one, or the one recognised from
        the last seconds of movement (None while nothing is recognised)."""
        if self.guide is not None:
            return self.guide.step.test
        return self.opt.test if self.opt.test != "auto" else self._recognised[0]

    # ---- inference thread --------------------------------------------------------------------

    def _infer_loop(self) -> None:
        try:
            import mediapipe as mp

            from screen.sources import pose

            with pose.quiet_native_logs():
                landmarker = pose.open_landmarker(self.model.path, mode="video")
            self._infer_ready.set()
            self.stats.model_ready_at = time.perf_counter()
            self.log(f"pose model ready ({self.model.name})")
            with landmarker:
                self._infer_frames(landmarker, mp)
        except BaseException as err:  # re-raised on the display thread
            self._infer_error = err
        finally:
            self._infer_ready.set()
            self.infer_slot.close()
            self._infer_done.set()

    def _infer_frames(self, landmarker: Any, mp: Any) -> None:
        from screen.sources.pose import landmarks_to_arrays, quiet_native_logs

        size = np.array([self.source.width, self.source.height], dtype=float)
        smooth, last_ms, seq, quiet = self.opt.smoothing, -1, 0, True
        while True:
            try:
                frame = self.infer_slot.get(timeout=0.2)
            except SourceEnded:
                return
            if frame is None:
                continue
            with self._new_pose:  # frames before this one will get no landmarks: stop waiting
                self._analysing = frame.index
                self._new_pose.notify_all()
            ms = max(int(round(frame.t * 1000)), last_ms + 1)  # as screen.sources.pose.estimate
            mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame.rgb)
            if quiet:  # MediaPipe's C++ core logs once on its first detection: keep it off stderr
                with quiet_native_logs():
                    result = landmarker.detect_for_video(mp_image, ms)
                quiet = not result.pose_landmarks
            else:
                result = landmarker.detect_for_video(mp_image, ms)
            last_ms = ms
            image, world = landmarks_to_arrays(result)
            test = self.test
            min_vis = PROTOCOLS[test].CONDITIONING.min_visibility if test else 0.5
            xy = image[:, :2].astype(float)
            visible = np.all((xy >= 0) & (xy <= 1), axis=-1) & (image[:, 3] >= min_vis)
            points = smooth(np.where(visible[:, None], xy * size, np.nan), frame.t)
            self.window.push(frame.t, image, world, points, frame.item)
            with self._lock:
                seq += 1
                self._pose = PoseState(seq, frame.index, frame.t, frame.t_capture, points)
                self._new_pose.notify_all()
                trial = self._trial
                if trial is not None and not trial.source_ended:
                    if trial.item is None:
                        trial.item = frame.item
                    if frame.item != trial.item:  # the replayed clip changed: the trial ended
                        trial.source_ended = True
                    else:
                        trial.t.append(frame.t)
                        trial.image.append(image)
                        trial.world.append(world)
            self.stats.analysed_at.append(time.perf_counter())

    # ---- capture thread ----------------------------------------------------------------------

    def _captured(self, frame: CapturedFrame) -> None:
        """Every captured frame: to the open trial's video, if one is being recorded."""
        trial = self._trial
        if trial is not None and not trial.source_ended and frame.item == (
                trial.item if trial.item is not None else frame.item):
            trial.captured += 1
            if trial.first_index is None:  # the annotated video's frame zero
                trial.first_index = frame.index
            if trial.video is not None:
                trial.video.put(frame.rgb)

    # ---- analyst thread ----------------------------------------------------------------------

    def _analyst_loop(self) -> None:
        """About every ``analyst_every_s``: the open trial's repetitions so far, else the
        camera's level and (``--test auto``) the recognised test. Errors here only leave the
        previous figures up: they are hints for the person, never results."""
        while not self._stopping.wait(self.opt.analyst_every_s):
            try:
                trial = self._trial
                if trial is not None:
                    self._progress = (trial.number, self._reps_so_far(trial))
                    continue
                if self._setting_up():
                    self._update_level()
                if self.opt.test == "auto" and self.guide is None:
                    self._recognise()
            except MovescreenError:
                continue
            except Exception as err:  # a hint failed: say so once, keep the session going
                self.log(f"live hint failed ({type(err).__name__}: {err})")

    def _reps_so_far(self, trial: Trial) -> int:
        with self._lock:
            if len(trial.t) < 2:
                return 0
            rec = self._recording(trial)
        result = analyze(rec, test=trial.test, camera_tilt_deg=self._tilt(),
                         **_side(trial.side))
        return len(result.repetitions.get("counted", []))

    def _update_level(self) -> None:
        """Pool the newest frame's straight edges (with the person's landmarks, masked out in the
        fit) and re-estimate the camera's roll from the pooled edges."""
        frame, pose = self._last_frame, self._pose
        if frame is None or pose is None or self.opt.camera_tilt_deg is not None:
            return
        gray = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2GRAY)  # each frame's edges found once
        found = vertical.detect_segments(gray, scales_px=vertical.DEFAULT_SETTINGS.scales_px)
        self._level_frames = [*self._level_frames, (found, pose.points)][-self.opt.level_frames:]
        self._level = vertical.from_segments([f for f, _ in self._level_frames], gray.shape,
                                             None, [p for _, p in self._level_frames],
                                             vertical.DEFAULT_SETTINGS)

    def _recognise(self) -> None:
        """Recognise the test from the last ``recognise_s`` seconds, as ``analyze`` recognises
        a clip (:func:`screen.scene.detect.detect`)."""
        from screen.scene.detect import detect
        from screen.trial import scene_of

        t, image, world, _ = self.window.arrays()
        keep = t >= t[-1] - self.opt.recognise_s if len(t) else np.zeros(0, bool)
        if keep.sum() < 10:
            return
        rec = Recording(t=t[keep], image=image[keep], world=world[keep], meta=self._meta())
        try:
            fixed, _, gated, scene = scene_of(rec)
            found = detect(gated, scene, fixed.t)
            self._recognised = (found.test, found.reason)
        except MovescreenError as err:
            self._recognised = (self._recognised[0], str(err).removesuffix("; pass --test"))

    # ---- trials --------------------------------------------------------------------------------

    def start_trial(self, test: str | None = None, side: str | None = None,
                    preroll_s: float = 0.0) -> None:
        """Open a trial; with ``preroll_s`` it begins with that many seconds already in the
        rolling window (a guided check's trial starts once the position has held: the
        movement may have begun as it did)."""
        test = test or self.opt.test  # "auto": recognised by the analysis, as analyze does
        trial = Trial(self._trials + 1, whole_run=self.source.frames_read == 0, test=test,
                      side=side if side is not None else self.side)
        if preroll_s > 0:
            t, image, world, item = self.window.last(preroll_s)
            trial.t, trial.image, trial.world = list(t), list(image), list(world)
            trial.item = item
        fps = self.fps
        if self.opt.record_dir is not None and self.opt.record_video:
            trial.video_path = self._temp_video()
            trial.video = VideoRecorder(trial.video_path, fps, (self.source.width,
                                                                 self.source.height))
        if self.opt.record_dir is not None and self.opt.annotated_video:
            trial.annotated_path = self._temp_video()
        with self._lock:
            self._trial = trial
        self._trials += 1
        self._progress = (trial.number, 0)
        self._panel, self._best = None, float("nan")
        self.log(f"trial {trial.number} started ({test}, side {trial.side or 'auto'})")

    def _temp_video(self) -> Path:
        assert self.opt.record_dir is not None
        self.opt.record_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(suffix=".mp4", prefix=".trial-", dir=self.opt.record_dir)
        os.close(fd)
        return Path(name)

    def finish_trial(self) -> Result | None:
        """End the open trial: analyse it with :func:`screen.analysis.analyze` and, with a
        record directory, write its files. Returns the result (None when there was no trial or
        it could not be analysed; the reason is logged and its landmarks are still saved)."""
        with self._lock:
            trial, self._trial = self._trial, None
        if trial is None:
            return None
        if trial.annotated is not None and trial.last_shown is not None:
            for _ in range(trial.captured - trial.annotated.queued):  # frames after the last shown
                trial.annotated.put(trial.last_shown)
        for rec in (trial.video, trial.annotated):
            if rec is not None:
                rec.close()
        try:
            return self._analyse_trial(trial)
        finally:
            for path in (trial.video_path, trial.annotated_path):
                if path is not None and path.exists():
                    path.unlink()

    def _meta(self) -> dict[str, Any]:
        """What a Recording of this session says about its source and model."""
        src = self.source
        return {"source": src.name, "width": int(src.width), "height": int(src.height),
                "rotation_deg": int(getattr(src, "rotation_deg", 0)),
                "fps_nominal": float(src.fps) if np.isfinite(src.fps) else None,
                "timestamps": ("nominal" if src.nominal_timing else
                               "capture" if src.name.startswith("camera") else "container"),
                "model": self.model.name, "model_sha256": self.model.sha256, "mode": "live"}

    def _recording(self, trial: Trial) -> Recording:
        return Recording(t=np.asarray(trial.t, dtype=float), image=np.stack(trial.image),
                         world=np.stack(trial.world), meta=self._meta() | {"trial": trial.number})

    def _analyse_trial(self, trial: Trial) -> Result | None:
        name = f"trial {trial.number}"
        if len(trial.t) < 2:
            self.log(f"{name}: too short to analyse ({len(trial.t)} frame(s) recorded)")
            self._outcome(trial, None, "the trial was too short")
            return None
        rec = self._recording(trial)
        out = (self.opt.record_dir / f"trial-{trial.number:03d}"
               if self.opt.record_dir is not None else None)
        try:
            result = analyze(rec, test=trial.test, thresholds=self.opt.thresholds,
                             camera_tilt_deg=self.opt.camera_tilt_deg, **_side(trial.side))
        except Exception as err:  # the recorded landmarks are kept whatever went wrong
            self.log(f"{name}: cannot be analysed: {err}")
            self._panel = ResultPanel(f"{name}: not analysed", [], [str(err)])
            self._outcome(trial, None, str(err))
            if out is not None:
                self._keep_landmarks(name, trial, rec, out)
            if not isinstance(err, MovescreenError):
                raise
            return None
        result = with_coverage(result, *self._coverage(trial), self.opt)
        self.results.append(result)
        print(f"--- {name} ---\n{result.summary()}", flush=True)
        self._panel = panel.result_panel(result, f"{name} result", trial.side)
        self._outcome(trial, result)
        if out is not None:
            from screen.outputs import files as outputs

            try:
                outputs.write(result, out)
                for path, keep in ((trial.video_path, "video.mp4"),
                                   (trial.annotated_path, "annotated.mp4")):
                    if path is not None and path.exists():
                        shutil.move(str(path), out / keep)
            except (MovescreenError, OSError) as err:
                raise MovescreenError(f"{name}: its files could not be saved ({err}); the result "
                                      "printed above is all that is left of it") from err
            self.saved.append(out)
            self.log(f"{name}: files written to {out}")
        return result

    def _outcome(self, trial: Trial, result: Result | None, why: str = "") -> None:
        """Tell the guided check how its trial went (and keep the result for its report)."""
        if self.guide is None:
            return
        if result is None:
            self.guide.record(guide_mod.Outcome(trial.test, trial.side, False, why))
            return
        ok, why = panel.side_published(result, trial.side)
        self.guide.record(guide_mod.Outcome(trial.test, trial.side, ok, why))
        if ok:
            self._check_trials.append((TrialSpec(f"trial-{trial.number:03d}", trial.test,
                                                 trial.side), result))

    def _keep_landmarks(self, name: str, trial: Trial, rec: Recording, out: Path) -> None:
        from screen.outputs.files import PRIVATE_FILE_MODE, private_mkdir

        try:
            private_mkdir(out)
            rec.save(out / "landmarks.npz")
            os.chmod(out / "landmarks.npz", PRIVATE_FILE_MODE)
            if trial.video_path is not None and trial.video_path.exists():
                shutil.move(str(trial.video_path), out / "video.mp4")
        except OSError as err:
            raise MovescreenError(f"{name}: its landmarks could not be saved in {out} "
                                  f"({err.strerror or err}); the trial is lost") from err
        self.saved.append(out)
        self.log(f"{name}: landmarks kept in {out}")

    def _coverage(self, trial: Trial) -> tuple[int, int, bool]:
        """(frames analysed, frames expected, whether the source ended before its declared
        length) for ``trial`` (see :class:`LiveOptions`)."""
        declared = self.source.frames_expected if trial.whole_run and self.source.exhausted else 0
        expected = max(trial.captured, declared, len(trial.t))
        return len(trial.t), expected, trial.captured < declared

    def _settings(self, test: str, side: str | None = None) -> Any:
        return protocol_settings(test, side=side if side is not None else self.side)

    def _tilt(self) -> float:
        """The camera roll the live traces use: the one given, else the live scene estimate
        when reliable, else level."""
        if self.opt.camera_tilt_deg is not None:
            return self.opt.camera_tilt_deg
        level = self._level
        return level.roll_deg if level is not None and level.reliable else 0.0

    # ---- the guided check --------------------------------------------------------------------

    def _guide_step(self, view: LiveView | None, key: str | None) -> None:
        """Feed the guided check what was seen and act on what it asks."""
        assert self.guide is not None
        trial = self._trial
        level = self._level
        # a replayed file has ended and the next waits: every frame analysed, the trial is over
        pose = self._pose
        held = bool(getattr(self.source, "waiting", False)) and pose is not None and \
            pose.frame_index >= self.source.frames_read - 1
        obs = guide_mod.Observation(
            now=time.perf_counter(), person=view is not None and view.person,
            view=view.view if view is not None else "unknown",
            problems=tuple(view.problems) if view is not None else (),
            level_roll_deg=level.roll_deg if level is not None else None,
            level_reliable=level is not None and level.reliable,
            level_tolerance_deg=LEVEL_TOLERANCE_DEG,
            reps=self._progress[1] if trial is not None and self._progress[0] == trial.number else 0,
            trial_s=(trial.t[-1] - trial.t[0]) if trial is not None and len(trial.t) > 1 else 0.0,
            key=key, trial_ended=trial is not None and (trial.source_ended or held))
        before = self.guide.index
        action = self.guide.update(obs)
        if held and self.guide.step.kind is guide_mod.Kind.POSITION:
            self.source.allow_next_clip()  # a replay: the next file for the next set-up
        if action is guide_mod.Action.START_TRIAL:
            step = self.guide.step
            self.start_trial(step.test, step.side, preroll_s=self.guide.timing.preroll_s)
        elif action is guide_mod.Action.FINISH_TRIAL:
            self.finish_trial()
        if self.guide.index != before:
            self.log(f"check: {self.guide.heading()}")
            if self.guide.step.kind in (guide_mod.Kind.CAMERA, guide_mod.Kind.INTRO):
                self._level, self._level_frames = None, []  # a new test: check the level afresh
        if self.guide.finished and self.check_dir is None:
            self._panel = ResultPanel("your check", [], ["saving the comparison and report..."])
            self._repaint(every_s=0.0)
            if self.opt.window:
                cv2.waitKey(1)  # paint it before the seconds the report takes
            self._finish_check()
            self._repaint(every_s=0.0)
        self._say(" ".join(self.guide.prompt()[:1]))

    def _finish_check(self) -> None:
        """The completed check as a screening session (:mod:`screen.session`): verdicts per
        side, the left-right comparison and the plan, written with the same report as
        ``movescreen session``."""
        from screen.session import run_session
        from screen.session.cli import write_session

        if not self._check_trials:
            self.check_dir = Path()
            self._panel = ResultPanel("check finished", [], ["nothing could be measured"])
            return
        specs = [s for s, _ in self._check_trials]
        session = run_session(specs, results=[r for _, r in self._check_trials],
                              thresholds=self.opt.thresholds, model=self.model.name)
        try:
            out = _check_folder(self.opt.record_dir)
            write_session(session, out)
        except OSError as err:
            raise MovescreenError(f"the check's report could not be written "
                                  f"({err.strerror or err}); the results printed above are kept"
                                  ) from err
        if not self.guide.finished:
            self.log(f"the check ended at {self.guide.heading().lower()}; the report covers "
                     "the trials done")
        self.check_dir = out
        rows = [overlay.ResultRow(v.headline, v.level) for t in session.trials for v in t.verdicts]
        notes = [f"left-right {a['name'].replace('_', ' ')}: {a['left']:.1f} vs "
                 f"{a['right']:.1f} {panel.unit_text(a['unit'])}, difference "
                 f"{a['difference']:+.1f}" + (" (notable)" if a.get("notable") else "")
                 for a in session.asymmetry]
        self._panel = ResultPanel("your check", rows, [*notes, f"report: {out / 'report.html'}"])
        for r in rows:
            print(r.text, flush=True)
        print(*notes, sep="\n", flush=True)
        print(f"check report written to {out / 'report.html'}", flush=True)
        self.log(f"check: report written to {out / 'report.html'}")

    def _say(self, text: str) -> None:
        """Speak ``text`` once (``--speak``) with the first speech engine found."""
        if not self.opt.speak or not text or text == self._spoken:
            return
        self._spoken = text
        engine = next((e for e in ("espeak-ng", "espeak", "say") if shutil.which(e)), None)
        if engine is None:
            self.log("--speak: no speech engine found (install espeak-ng); prompts are on screen")
            self.opt.speak = False
            return
        subprocess.Popen([engine, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # ---- display thread ----------------------------------------------------------------------

    def run(self) -> list[Result]:
        """Run until the source ends, the user quits or the window is closed; every open trial
        is analysed (and saved) on the way out, also on errors and Ctrl-C. The window opens at
        once with a loading state; the camera image follows while the model loads."""
        if self.opt.window and not window_open():  # (the command line opened it already)
            show_loading(self.source.width, self.source.height)
        infer = threading.Thread(target=self._infer_loop, name="movescreen-inference", daemon=True)
        analyst = threading.Thread(target=self._analyst_loop, name="movescreen-analyst",
                                   daemon=True)
        infer.start()
        if not self.opt.window:  # headless: nothing to show while loading
            self._infer_ready.wait()
        if self.opt.auto_trial:
            self.start_trial()
        self.source.on_frame = self._captured
        self.source.start([self.infer_slot, self.display_slot])
        analyst.start()
        ended: SourceEnded | None = None
        previous = self._noting_ctrl_c()
        try:
            ended = self._display_loop()
        finally:
            try:
                self._stopping.set()
                self.source.stop()
                infer.join(timeout=10)
                analyst.join(timeout=10)
                self._collect_stats()
                try:
                    self.finish_trial()
                    if self.guide is not None and self.check_dir is None:
                        self._finish_check()  # the source ended or the person quit: what was done
                finally:
                    self._close_window(ended)
            finally:
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)
        self._raise_ctrl_c()  # a Ctrl-C whose KeyboardInterrupt was dropped (see _noting_ctrl_c)
        if self._infer_error is not None:
            raise self._infer_error
        if ended is not None and ended.error:
            kept = (f"; trial results kept in {', '.join(map(str, self.saved))}"
                    if self.saved else "")
            raise MovescreenError(f"{ended.error}{kept}")
        return self.results

    def _collect_stats(self) -> None:
        self.stats.frames_captured = self.source.frames_read
        self.stats.dropped_inference = self.infer_slot.dropped
        self.stats.dropped_display = self.display_slot.dropped

    def _noting_ctrl_c(self) -> Any:
        """From here until :meth:`run` returns, Ctrl-C (SIGINT) also sets ``_ctrl_c`` before it
        raises KeyboardInterrupt as usual. Python runs a signal's handler in the main thread at
        whatever it is executing; when that is a finalizer the garbage collector runs (a
        generator's ``finally``, a ``__del__``, a weakref callback — on the main thread
        whenever it allocates), the KeyboardInterrupt is "ignored" there and the Ctrl-C lost
        (shown by ``tests/live/test_session.py``, which drops it on purpose). The flag is not
        lost: the display loop (and :meth:`run` at its end) raises it again. Returns the
        handler to restore, or None when nothing was installed (not the main thread, or the
        application has a SIGINT handler of its own)."""
        if threading.current_thread() is not threading.main_thread() or \
                signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return None

        def note(signum: int, frame: Any) -> None:
            self._ctrl_c = True
            raise KeyboardInterrupt

        return signal.signal(signal.SIGINT, note)

    def _raise_ctrl_c(self) -> None:
        """Raise the KeyboardInterrupt of a Ctrl-C noted by :meth:`_noting_ctrl_c`."""
        if self._ctrl_c:
            raise KeyboardInterrupt

    def _display_loop(self) -> SourceEnded | None:
        while True:
            self._raise_ctrl_c()
            if self._infer_error is not None:
                return None
            try:
                frame = self.display_slot.get(timeout=0.03)
            except SourceEnded as ended:  # an error in it is raised by run() at the end
                self._infer_done.wait()  # the last frames' landmarks, then the trial ends
                return ended
            if frame is not None:
                self._wait_for_pose(frame)
                self._raise_ctrl_c()
            elif self.guide is not None:
                self._repaint()  # a held replay delivers no frames: the steps still show
            key = self._read_key() if self.opt.window else None
            if key == "quit":
                return None
            if self.guide is not None and self._infer_ready.is_set():
                self._guide_step(self._live_view(), key)
            elif key is not None:
                self._free_key(key)
            if frame is not None:
                self._show(frame)

    def _frame_arrived(self) -> None:
        with self._new_pose:
            self._new_pose.notify_all()

    def _wait_for_pose(self, frame: CapturedFrame) -> None:
        """Give ``frame`` until ``pose_wait_s`` after its capture for its own landmarks, so
        that the skeleton usually matches the image. The wait ends early when the inference
        has moved past the frame (it was dropped as stale: its landmarks will never come) or
        when the next frame has arrived (the display must not fall behind the camera); the
        frame is then shown with the newest landmarks there are."""
        left = frame.t_capture + self.opt.pose_wait_s - time.perf_counter()
        if left <= 0 or not self._infer_ready.is_set():
            return

        def done() -> bool:
            return ((self._pose is not None and self._pose.frame_index >= frame.index)
                    or self._analysing > frame.index or self.display_slot.pending
                    or self._infer_done.is_set() or self._ctrl_c)

        with self._new_pose:
            self._new_pose.wait_for(done, timeout=left)

    def _show(self, frame: CapturedFrame) -> None:
        img, state = self._render(frame)
        if self.opt.window:
            cv2.imshow(WINDOW_NAME, img)
        now = time.perf_counter()
        if self.stats.first_frame_at is None:
            self.stats.first_frame_at = now
        if state is not None and self.stats.first_skeleton_at is None and \
                np.isfinite(state.points).any():
            self.stats.first_skeleton_at = now
        self.stats.shown_at.append(now)
        self.stats.latency_s.append(now - frame.t_capture)
        if state is not None:
            self.stats.pose_latency_s.append(now - state.t_capture)
        self._last_frame, self._last_image = frame, img
        self._record_shown(frame, img)

    def _repaint(self, every_s: float = 0.25) -> None:
        """Show the last frame again with the current overlay (no new camera frame came)."""
        now = time.perf_counter()
        if self._last_frame is None or now - self._repainted < every_s:
            return
        self._repainted = now
        self._last_image, _ = self._render(self._last_frame)
        if self.opt.window:
            cv2.imshow(WINDOW_NAME, self._last_image)

    def _record_shown(self, frame: CapturedFrame, img: NDArray) -> None:
        """With ``--annotated-video``, the shown image into the open trial's annotated video at
        the position of its camera frame (repeated where the display skipped frames, so the
        video keeps the source's timing)."""
        trial = self._trial
        if trial is None or trial.annotated_path is None or trial.source_ended:
            return
        if trial.annotated is None:
            trial.annotated = VideoRecorder(trial.annotated_path, self.fps, img.shape[1::-1])
        first = trial.first_index if trial.first_index is not None else frame.index
        trial.last_shown = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        for _ in range(max(1, frame.index - first + 1 - trial.annotated.queued)):
            trial.annotated.put(trial.last_shown)

    def _render(self, frame: CapturedFrame) -> tuple[NDArray, PoseState | None]:
        """The shown image: the camera (scaled to ``display_max`` on its long side) with the
        skeleton, beside it the info column (:func:`screen.live.overlay.draw_column`)."""
        h, w = frame.rgb.shape[:2]
        k = self.opt.display_max / max(h, w)
        rgb = cv2.resize(frame.rgb, (round(w * k), round(h * k)),
                         interpolation=cv2.INTER_LINEAR) if k != 1 else frame.rgb
        img = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        with self._lock:
            state = self._pose
        if state is not None:
            overlay.draw_skeleton(img, state.points * k, thickness=max(2, round(3 * k + 0.5)))
        if self._setting_up():
            overlay.level_indicator(img, self._level or _LEVEL_PENDING)
        canvas, rect = overlay.compose(img)
        overlay.draw_column(canvas, rect, self._column())
        return canvas, state

    def _setting_up(self) -> bool:
        """Whether the level indicator is shown: in a check's camera step, or with no trial
        open in free mode (before the person starts)."""
        if self.opt.camera_tilt_deg is not None:
            return False
        if self.guide is not None:
            return self.guide.step.kind is guide_mod.Kind.CAMERA
        return self._trial is None and not self.results

    def _live_view(self) -> LiveView | None:
        """The frame measures and guidance over the rolling window; computed once per new pose
        (the display shows more frames than are analysed)."""
        with self._lock:
            seq = self._pose.seq if self._pose is not None else 0
        test = self.test
        key = (seq, test, self.side, self._trial is not None)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        t, image, world, points = self.window.arrays()
        if len(t) == 0:
            return None
        recent = t >= t[-1] - self.opt.window_s
        image, world, points = image[recent], world[recent], points[recent]
        measures: dict[str, NDArray] = {}
        if test is not None:
            measures = frame_measures(test, points, world, self._settings(test), self._tilt())
        problems, view, person = look(test, image, points, measures,
                                      self._settings(test) if test else None)
        spec = self.checks.get(test) if test else None
        if spec is not None and self._trial is not None:
            name = panel.gauge_trace(spec, measures, self.side)
            if name is not None:
                self._best = float(np.fmax(self._best, panel.latest(measures[name])))
        live = LiveView(measures, problems, view, person)
        self._cache = (key, live)
        return live

    def _column(self) -> overlay.Column:
        """The info column's view-model for the current state."""
        test = self.test
        spec = self.checks.get(test) if test else None
        title = spec.title if spec else "movescreen live"
        side = (self.guide.step.side if self.guide is not None else self.side)
        trial = self._trial
        if not self._infer_ready.is_set():
            return overlay.Column(header=title, prompt=["Loading the pose model...",
                                                        "(a few seconds the first time)"],
                                  footer=self._footer())
        view = self._live_view()
        state = ("recording" + (f" trial {trial.number}" if trial else "") if trial is not None
                 else "ready" if self.opt.window else "no trial")
        header = f"{title} | {side or 'side found'} | {state}"
        prompt: list[str] = []
        problems = list(view.problems) if view is not None else []
        step = None
        if self.guide is not None:
            step, prompt, problems = self.guide.heading(), self.guide.prompt(), \
                [*self.guide.problems, *([self.guide.note] if self.guide.note else [])]
            if self.guide.step.kind is guide_mod.Kind.PERFORM and trial is not None:
                prompt = [*prompt, self.guide.progress(self._reps_of(trial), _trial_s(trial))]
        elif test is None:
            prompt = ["Start moving: the test is recognised from the last few seconds.",
                      self._recognised[1]]
        elif trial is not None:
            prompt = [f"repetitions counted so far: {self._reps_of(trial)}"]
        readouts, gauge = [], None
        showing_result = self.guide is not None and self.guide.step.kind in (
            guide_mod.Kind.RESULT, guide_mod.Kind.SUMMARY)
        if spec is not None and view is not None and not showing_result:
            gauge = panel.gauge(spec, view.measures, self.table, side, self._best)
            readouts = [r for r in panel.readouts(spec, view.measures, self.table, side)
                        if gauge is None or r.label != gauge.label]  # the gauge shows that one
        result = self._panel if self.guide is None or self.guide.step.kind in (
            guide_mod.Kind.RESULT, guide_mod.Kind.SUMMARY) else None
        return overlay.Column(header=header, step=step, prompt=prompt, problems=problems,
                              readouts=readouts, gauge=gauge, result=result,
                              footer=self._footer())

    def _reps_of(self, trial: Trial) -> int:
        return self._progress[1] if self._progress[0] == trial.number else 0

    def _footer(self) -> list[str]:
        now = time.perf_counter()
        shown = [s for s in self.stats.shown_at[-40:] if now - s < 1.0]
        analysed = [s for s in self.stats.analysed_at[-40:] if now - s < 1.0]
        lat = self.stats.latency_s[-30:] or [float("nan")]
        pose = self.stats.pose_latency_s[-30:] or [float("nan")]
        line = overlay.stats_line(float(len(shown)), float(len(analysed)),
                                  1000 * float(np.median(lat)), 1000 * float(np.median(pose)))
        if not self.opt.window:
            return [line]
        return [line, CHECK_KEYS if self.guide is not None else KEYS_HELP]

    def _read_key(self) -> str | None:
        """The key pressed (" ", "t", "s", ...), "quit" for q, Esc or a closed window."""
        key = cv2.waitKey(1) & 0xFF
        # Qt shows the window with its first image: before that it is not "visible", not closed.
        if self._last_image is not None and not window_open():
            self.log("movescreen live: window closed")
            return "quit"
        if key in (ord("q"), 27):
            return "quit"
        return chr(key) if key != 0xFF else None

    def _free_key(self, key: str) -> None:
        """Keys outside a guided check: SPACE starts/stops a trial, t the test, s the side."""
        if key == " ":
            if self._trial is None:
                self.start_trial()
            else:
                self.finish_trial()
        elif key in ("t", "s") and self._trial is not None:
            self.log("finish the trial (SPACE) before changing the test or side")
        elif key == "t":
            names = ["auto", *PROTOCOLS]
            self.opt.test = names[(names.index(self.opt.test) + 1) % len(names)]
        elif key == "s":
            self.side = SIDES_CYCLE[(SIDES_CYCLE.index(self.side) + 1) % len(SIDES_CYCLE)]

    def _close_window(self, ended: SourceEnded | None) -> None:
        if ended is not None and ended.error:  # say it on screen too (e.g. camera unplugged)
            old = self._panel
            self._panel = ResultPanel(ended.error, list(old.rows) if old else [],
                                      [old.title, *old.notes] if old else [])
        if self._last_frame is not None:  # the last frame again, now with the trial's result
            self._last_image, _ = self._render(self._last_frame)
        if self.opt.snapshot is not None and self._last_image is not None:
            cv2.imwrite(str(self.opt.snapshot), self._last_image)
        if not self.opt.window:
            return
        if ended is not None and self._last_image is not None and window_open():
            deadline = (time.perf_counter() + self.opt.linger_s if self.opt.linger_s is not None
                        else float("inf"))
            while time.perf_counter() < deadline and window_open():
                cv2.imshow(WINDOW_NAME, self._last_image)  # the result stays up (and repainted)
                if cv2.waitKey(250) & 0xFF in (ord("q"), 27):
                    break
        cv2.destroyAllWindows()
        cv2.waitKey(1)


@dataclass(frozen=True)
class LiveView:
    """What the rolling window shows now: the protocol's frame-measure traces (T,), the
    problems to tell the person, the view classified and whether a person is there."""

    measures: dict[str, NDArray]
    problems: list[str]
    view: str
    person: bool


_LEVEL_PENDING = Vertical(0.0, float("nan"), "assumed_level", "checking the level...", 0)


def _side(side: str | None) -> dict[str, str]:
    """The side setting for :func:`~screen.analysis.analyze` (none: the analysis finds it)."""
    return {"side": side} if side else {}


def _trial_s(trial: Trial) -> float:
    return float(trial.t[-1] - trial.t[0]) if len(trial.t) > 1 else 0.0


def _check_folder(record_dir: Path | None) -> Path:
    """Where a completed check's session is written: ``DIR/check-NNN`` (next free number) in
    the record directory, else in the per-user data folder."""
    if record_dir is None:
        import platformdirs

        record_dir = Path(platformdirs.user_data_dir("movescreen")) / "checks"
    record_dir.mkdir(parents=True, exist_ok=True)
    return record_dir / f"check-{_highest(record_dir, 'check') + 1:03d}"


def with_coverage(result: Result, analysed: int, expected: int, ended_early: bool,
                  options: LiveOptions) -> Result:
    """``result`` with its coverage recorded in ``quality["coverage"]`` and, below the
    thresholds of :class:`LiveOptions`, a warning — or every measure insufficient_data."""
    from screen.results.asymmetry import asymmetry

    fraction = analysed / expected if expected else 1.0
    why = ("the source ended early" if ended_early
           else "the others were dropped while the model was busy")
    text = f"only {analysed} of {expected} frames were analysed ({fraction:.0%}; {why})"
    quality = {**result.quality, "coverage": {"analysed": analysed, "expected": expected,
                                              "fraction": round(fraction, 4)}}
    if fraction >= options.coverage_warn_below:
        return dataclasses.replace(result, quality=quality)
    quality["warnings"] = [*result.quality.get("warnings", []), text]
    if fraction >= options.coverage_min:
        return dataclasses.replace(result, quality=quality)
    reason = f"{text}, below the {options.coverage_min:.0%} a live trial needs"
    measurements = [dataclasses.replace(m, value=None, median=None, spread=None,
                                        status="insufficient_data", reason=reason)
                    for m in result.measurements]
    return dataclasses.replace(result, quality=quality, measurements=measurements,
                               asymmetry=asymmetry(measurements))


def _highest(record_dir: Path | None, prefix: str) -> int:
    """The highest ``<prefix>-NNN`` number already in ``record_dir`` (0 if none): new trials
    and checks are numbered after it, so nothing recorded before is ever replaced."""
    if record_dir is None or not record_dir.is_dir():
        return 0
    start = len(prefix) + 1
    numbers = [int(p.name[start:]) for p in record_dir.glob(f"{prefix}-[0-9][0-9][0-9]*")
               if p.name[start:].isdigit()]
    return max(numbers, default=0)
