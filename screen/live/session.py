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
from screen.live import overlay
from screen.live.capture import CapturedFrame, FrameSource, LatestSlot, SourceEnded
from screen.live.recorder import VideoRecorder
from screen.live.smoothing import OneEuro
from screen.protocols import PROTOCOLS
from screen.recording import Recording
from screen.results.result import Result
from screen.results.thresholds import load as load_thresholds
from screen.scene.framing import check_framing
from screen.scene.view import classify_view
from screen.sources.models import ModelFile

WINDOW_NAME = "movescreen live"
SIDES_CYCLE = (None, "left", "right")
KEYS_HELP = "SPACE start/stop trial | t test | s side | q quit"


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
    every measure is insufficient_data with the reason."""

    test: str = "knee_to_wall"
    side: str | None = None
    camera_tilt_deg: float | None = None
    thresholds: str | Path | None = None
    record_dir: Path | None = None
    record_video: bool = False
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

    @staticmethod
    def _rate(times: list[float]) -> float:
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else float("nan")

    def summary(self) -> dict[str, float]:
        """Displayed fps, analysed fps, median and 95th-percentile latencies (ms)."""
        lat = np.asarray(self.latency_s) * 1000
        pose = np.asarray(self.pose_latency_s) * 1000
        return {"displayed_fps": self._rate(self.shown_at),
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
        self._n = 0
        self._lock = threading.Lock()

    def push(self, t: float, image: NDArray, world: NDArray, points: NDArray) -> None:
        with self._lock:
            i = self._n % self.size
            self._t[i], self._image[i], self._world[i], self._points[i] = t, image, world, points
            self._n += 1

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


def protocol_settings(test: str, **given: Any) -> Any:
    """The protocol's ``Settings`` from the options it has (others are ignored: e.g. a test
    without a side); None values mean the protocol's default."""
    cls = PROTOCOLS[test].Settings
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in given.items() if k in names and v is not None})


def guidance(test: str, image: NDArray, points: NDArray, measures: dict[str, NDArray],
             settings: Any) -> list[str]:
    """Plain instructions from the rolling window: framing (:func:`check_framing` on raw image
    landmarks (T, 33, 5)), view (:func:`classify_view` on smoothed pixels (T, 33, 2)) against
    the protocol's ``VIEWS``, and a heel-lift cue when the test's frame measures have
    ``heel_rise`` (foot lengths) above the protocol's ``heel_rise_max``."""
    framing = check_framing(image)
    if framing.frames_with_person == 0:
        return list(framing.guidance)
    out = [g.split(": ", 1)[-1] for g in framing.guidance]
    views = getattr(PROTOCOLS[test], "VIEWS", ())
    view = classify_view(points)
    if views and view.view not in views and view.view != "unknown":
        out.append("turn sideways to the camera" if "side" in views else "face the camera")
    lift = measures.get("heel_rise")
    limit = getattr(settings, "heel_rise_max", None)
    if lift is not None and limit is not None and len(lift) and lift[-1] >= limit:
        out.append("keep your heel down")
    return out


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


def rule_for(table: dict[str, Any], test: str, name: str) -> dict[str, Any] | None:
    """The threshold rule of a frame measure: ``[test.name]``, or for a per-side trace
    ``left_<m>`` / ``right_<m>`` the rule ``[test.<m>]``; None when the table has none."""
    rules = table.get(test, {})
    for key in (name, name.removeprefix("left_").removeprefix("right_")):
        if isinstance(rules.get(key), dict):
            return rules[key]
    return None


def gauge_measure(table: dict[str, Any], test: str, names: list[str],
                  side: str | None) -> str | None:
    """The measure the gauge shows: the first with a threshold rule, preferring the chosen
    ``side``'s trace when there is one."""
    rated = [n for n in names if rule_for(table, test, n) is not None]
    preferred = [n for n in rated if side is not None and n.startswith(f"{side}_")]
    return (preferred or rated or [None])[0]


def latest(values: NDArray) -> float:
    """The newest finite value of a trace, NaN if its last sample is missing."""
    return float(values[-1]) if len(values) and np.isfinite(values[-1]) else float("nan")


class Session:
    """One live session on an opened ``source`` with a pose ``model``. :meth:`run` blocks
    until the source ends or the user quits, and returns the results of the trials."""

    def __init__(self, source: FrameSource, model: ModelFile, options: LiveOptions,
                 *, log: Callable[[str], None] | None = None) -> None:
        if options.test not in PROTOCOLS:
            raise MovescreenError(
                f"unknown test '{options.test}'; choose from {', '.join(PROTOCOLS)}")
        self.source, self.model, self.opt = source, model, options
        self.log = log or (lambda s: print(s, file=sys.stderr, flush=True))
        self.table = load_thresholds(options.thresholds)
        fps = source.fps if np.isfinite(source.fps) and source.fps > 0 else 30.0
        self.window = RollingWindow(max(10, int(round(options.window_s * fps))))
        self.infer_slot = LatestSlot(lossless=options.lossless)
        self.display_slot = LatestSlot(on_put=self._frame_arrived)
        self.stats = Stats()
        self.results: list[Result] = []
        self.saved: list[Path] = []
        self._lock = threading.Lock()
        self._new_pose = threading.Condition(self._lock)
        self._pose: PoseState | None = None
        self._analysing = -1  # index of the frame the inference thread works on
        self._trial: Trial | None = None
        self._trials = _existing_trials(options.record_dir)
        self._infer_error: BaseException | None = None
        self._infer_done = threading.Event()
        self._infer_ready = threading.Event()
        self._panel: tuple[str, list[str]] | None = None
        self._best = float("nan")
        self._last_image: NDArray | None = None
        self._last_frame: CapturedFrame | None = None
        self._cache: tuple[Any, tuple[dict[str, float], list[str]]] | None = None
        self.side = options.side

    # ---- inference thread --------------------------------------------------------------------

    def _infer_loop(self) -> None:
        import mediapipe as mp

        from screen.sources import pose

        try:
            with pose.quiet_native_logs():
                landmarker = pose.open_landmarker(self.model.path, mode="video")
            self._infer_ready.set()
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
        min_vis = PROTOCOLS[self.opt.test].CONDITIONING.min_visibility
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
            xy = image[:, :2].astype(float)
            visible = np.all((xy >= 0) & (xy <= 1), axis=-1) & (image[:, 3] >= min_vis)
            points = smooth(np.where(visible[:, None], xy * size, np.nan), frame.t)
            self.window.push(frame.t, image, world, points)
            with self._lock:
                seq += 1
                self._pose = PoseState(seq, frame.index, frame.t, frame.t_capture, points)
                self._new_pose.notify_all()
                trial = self._trial
                if trial is not None:
                    trial.t.append(frame.t)
                    trial.image.append(image)
                    trial.world.append(world)
            self.stats.analysed_at.append(time.perf_counter())

    # ---- capture thread ----------------------------------------------------------------------

    def _captured(self, frame: CapturedFrame) -> None:
        """Every captured frame: to the open trial's video, if one is being recorded."""
        trial = self._trial
        if trial is not None:
            trial.captured += 1
            if trial.video is not None:
                trial.video.put(frame.rgb)

    # ---- trials --------------------------------------------------------------------------------

    def start_trial(self) -> None:
        trial = Trial(self._trials + 1, whole_run=self.source.frames_read == 0)
        if self.opt.record_dir is not None and self.opt.record_video:
            fd, name = tempfile.mkstemp(suffix=".mp4", prefix=".trial-", dir=self._record_parent())
            os.close(fd)
            trial.video_path = Path(name)
            fps = self.source.fps if np.isfinite(self.source.fps) else 30.0
            trial.video = VideoRecorder(name, fps, (self.source.width, self.source.height))
        with self._lock:
            self._trial = trial
        self._trials += 1
        self._panel, self._best = None, float("nan")
        self.log(f"trial {trial.number} started ({self.opt.test}, side {self.side or 'auto'})")

    def _record_parent(self) -> Path:
        assert self.opt.record_dir is not None
        self.opt.record_dir.mkdir(parents=True, exist_ok=True)
        return self.opt.record_dir

    def finish_trial(self) -> Result | None:
        """End the open trial: analyse it with :func:`screen.analysis.analyze` and, with a
        record directory, write its files. Returns the result (None when there was no trial or
        it could not be analysed; the reason is logged and its landmarks are still saved)."""
        with self._lock:
            trial, self._trial = self._trial, None
        if trial is None:
            return None
        if trial.video is not None:
            trial.video.close()
        try:
            return self._analyse_trial(trial)
        finally:
            if trial.video_path is not None and trial.video_path.exists():
                trial.video_path.unlink()

    def _recording(self, trial: Trial) -> Recording:
        src = self.source
        meta = {"source": src.name, "width": int(src.width), "height": int(src.height),
                "rotation_deg": int(getattr(src, "rotation_deg", 0)),
                "fps_nominal": float(src.fps) if np.isfinite(src.fps) else None,
                "timestamps": ("nominal" if src.nominal_timing else
                               "capture" if src.name.startswith("camera") else "container"),
                "model": self.model.name, "model_sha256": self.model.sha256,
                "mode": "live", "trial": trial.number}
        return Recording(t=np.asarray(trial.t, dtype=float), image=np.stack(trial.image),
                         world=np.stack(trial.world), meta=meta)

    def _analyse_trial(self, trial: Trial) -> Result | None:
        name = f"trial {trial.number}"
        if len(trial.t) < 2:
            self.log(f"{name}: too short to analyse ({len(trial.t)} frame(s) recorded)")
            return None
        rec = self._recording(trial)
        out = (self.opt.record_dir / f"trial-{trial.number:03d}"
               if self.opt.record_dir is not None else None)
        try:
            result = analyze(rec, test=self.opt.test, thresholds=self.opt.thresholds,
                             camera_tilt_deg=self.opt.camera_tilt_deg,
                             **dataclasses.asdict(self._settings()))
        except Exception as err:  # the recorded landmarks are kept whatever went wrong
            self.log(f"{name}: cannot be analysed: {err}")
            self._panel = (f"{name}: not analysed", [str(err)[:70]])
            if out is not None:
                self._keep_landmarks(name, trial, rec, out)
            if not isinstance(err, MovescreenError):
                raise
            return None
        result = with_coverage(result, *self._coverage(trial), self.opt)
        self.results.append(result)
        print(f"--- {name} ---\n{result.summary()}", flush=True)
        self._panel = (f"{name} result", _result_lines(result))
        if out is not None:
            from screen.outputs import files as outputs

            try:
                outputs.write(result, out)
                if trial.video_path is not None and trial.video_path.exists():
                    shutil.move(str(trial.video_path), out / "video.mp4")
            except (MovescreenError, OSError) as err:
                raise MovescreenError(f"{name}: its files could not be saved ({err}); the result "
                                      "printed above is all that is left of it") from err
            self.saved.append(out)
            self.log(f"{name}: files written to {out}")
        return result

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

    def _settings(self) -> Any:
        return protocol_settings(self.opt.test, side=self.side)

    # ---- display thread ----------------------------------------------------------------------

    def run(self) -> list[Result]:
        """Run until the source ends, the user quits or the window is closed; every open trial
        is analysed (and saved) on the way out, also on errors and Ctrl-C."""
        infer = threading.Thread(target=self._infer_loop, name="movescreen-inference", daemon=True)
        infer.start()
        self._infer_ready.wait()  # the model is loaded (seconds) before the first frame is taken
        if self.opt.auto_trial:
            self.start_trial()
        self.source.on_frame = self._captured
        self.source.start([self.infer_slot, self.display_slot])
        ended: SourceEnded | None = None
        try:
            if self.opt.window:
                cv2.namedWindow(WINDOW_NAME, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
            ended = self._display_loop()
        finally:
            self.source.stop()
            infer.join(timeout=10)
            self._collect_stats()
            try:
                self.finish_trial()
            finally:
                self._close_window(ended)
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

    def _display_loop(self) -> SourceEnded | None:
        while True:
            if self._infer_error is not None:
                return None
            try:
                frame = self.display_slot.get(timeout=0.03)
            except SourceEnded as ended:  # an error in it is raised by run() at the end
                self._infer_done.wait()  # the last frames' landmarks, then the trial ends
                return ended
            if frame is not None:
                self._wait_for_pose(frame)
                self._show(frame)
            if self.opt.window and not self._handle_keys():
                return None

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
        if left <= 0:
            return

        def done() -> bool:
            return ((self._pose is not None and self._pose.frame_index >= frame.index)
                    or self._analysing > frame.index or self.display_slot.pending
                    or self._infer_done.is_set())

        with self._new_pose:
            self._new_pose.wait_for(done, timeout=left)

    def _show(self, frame: CapturedFrame) -> None:
        img, state = self._render(frame)
        if self.opt.window:
            cv2.imshow(WINDOW_NAME, img)
        now = time.perf_counter()
        self.stats.shown_at.append(now)
        self.stats.latency_s.append(now - frame.t_capture)
        if state is not None:
            self.stats.pose_latency_s.append(now - state.t_capture)
        self._last_frame, self._last_image = frame, img

    def _render(self, frame: CapturedFrame) -> tuple[NDArray, PoseState | None]:
        """The shown image (BGR, scaled to ``display_max`` on its long side) with the overlay."""
        h, w = frame.rgb.shape[:2]
        k = self.opt.display_max / max(h, w)
        rgb = cv2.resize(frame.rgb, (round(w * k), round(h * k)),
                         interpolation=cv2.INTER_LINEAR) if k != 1 else frame.rgb
        img = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        with self._lock:
            state = self._pose
        if state is not None:
            overlay.draw_skeleton(img, state.points * k, thickness=max(2, round(3 * k + 0.5)))
        self._draw_measures(img)
        self._draw_status(img)
        return img, state

    def _live_measures(self) -> tuple[dict[str, float], list[str]] | None:
        """Latest value of each frame measure and the guidance, from the rolling window;
        computed once per new pose (the display shows more frames than are analysed)."""
        with self._lock:
            seq = self._pose.seq if self._pose is not None else 0
        key = (seq, self.opt.test, self.side)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        t, image, world, points = self.window.arrays()
        if len(t) == 0:
            return None
        settings = self._settings()
        measures = frame_measures(self.opt.test, points, world, settings,
                                  self.opt.camera_tilt_deg or 0.0)
        values = {name: latest(v) for name, v in measures.items()}
        gauged = gauge_measure(self.table, self.opt.test, list(values), self.side)
        if self._trial is not None and gauged is not None and np.isfinite(values[gauged]):
            self._best = float(np.fmax(self._best, values[gauged]))
        self._cache = (key, (values, guidance(self.opt.test, image, points, measures, settings)))
        return self._cache[1]

    def _draw_measures(self, img: NDArray) -> None:
        live = self._live_measures()
        if live is None:
            return
        values, lines = live
        scale = overlay.text_scale(img)
        y = overlay.text_block_height(1, scale) + 8
        units = {n: (rule_for(self.table, self.opt.test, n) or {}).get("unit", "")
                 for n in values}
        overlay.draw_text_lines(img, overlay.readout_lines(values, units), (10, y))
        gauged = gauge_measure(self.table, self.opt.test, list(values), self.side)
        if gauged is not None:
            rule = rule_for(self.table, self.opt.test, gauged)
            assert rule is not None
            overlay.draw_gauge(img, gauged, values[gauged], rule, best=self._best,
                               origin=(10, y + overlay.text_block_height(len(values), scale) + 4),
                               width=img.shape[1] // 2)
        bottom = img.shape[0] - 8 - overlay.text_block_height(2, scale * 0.8)
        overlay.draw_text_lines(img, lines, (10, bottom), color=overlay.GUIDANCE_BGR,
                                anchor_bottom=True)

    def _draw_status(self, img: NDArray) -> None:
        trial = self._trial
        state = (f"TRIAL {trial.number} recording {len(trial.t)} frames" if trial is not None
                 else "SPACE: start a trial" if self.opt.window else "no trial")
        overlay.draw_text_lines(img, [f"{self.opt.test} | side {self.side or 'auto'} | {state}"],
                                (10, 6))
        now = time.perf_counter()
        shown = [s for s in self.stats.shown_at[-40:] if now - s < 1.0]
        analysed = [s for s in self.stats.analysed_at[-40:] if now - s < 1.0]
        lat = self.stats.latency_s[-30:] or [float("nan")]
        pose = self.stats.pose_latency_s[-30:] or [float("nan")]
        line = overlay.stats_line(float(len(shown)), float(len(analysed)),
                                  1000 * float(np.median(lat)), 1000 * float(np.median(pose)))
        lines = [line, KEYS_HELP] if self.opt.window else [line]
        overlay.draw_text_lines(img, lines, (10, img.shape[0] - 2), anchor_bottom=True,
                                scale=overlay.text_scale(img) * 0.8)
        if self._panel is not None:
            overlay.draw_panel(img, *self._panel)

    def _handle_keys(self) -> bool:
        """Keys and window state; False when the user quits or closed the window."""
        key = cv2.waitKey(1) & 0xFF
        # Qt shows the window with its first image: before that it is not "visible", not closed.
        if self._last_image is not None and not _window_open():
            self.log("movescreen live: window closed")
            return False
        if key in (ord("q"), 27):
            return False
        if key == ord(" "):
            if self._trial is None:
                self.start_trial()
            else:
                self.finish_trial()
        elif key in (ord("t"), ord("s")) and self._trial is not None:
            self.log("finish the trial (SPACE) before changing the test or side")
        elif key == ord("t"):
            names = list(PROTOCOLS)
            self.opt.test = names[(names.index(self.opt.test) + 1) % len(names)]
        elif key == ord("s"):
            self.side = SIDES_CYCLE[(SIDES_CYCLE.index(self.side) + 1) % len(SIDES_CYCLE)]
        return True

    def _close_window(self, ended: SourceEnded | None) -> None:
        if ended is not None and ended.error:  # say it on screen too (e.g. camera unplugged)
            title, lines = self._panel or ("", [])
            self._panel = (ended.error[:70], [title, *lines] if title else lines)
        if self._last_frame is not None:  # the last frame again, now with the trial's result
            self._last_image, _ = self._render(self._last_frame)
        if self.opt.snapshot is not None and self._last_image is not None:
            cv2.imwrite(str(self.opt.snapshot), self._last_image)
        if not self.opt.window:
            return
        if ended is not None and self._last_image is not None and _window_open():
            deadline = (time.perf_counter() + self.opt.linger_s if self.opt.linger_s is not None
                        else float("inf"))
            while time.perf_counter() < deadline and _window_open():
                cv2.imshow(WINDOW_NAME, self._last_image)  # the result stays up (and repainted)
                if cv2.waitKey(250) & 0xFF in (ord("q"), 27):
                    break
        cv2.destroyAllWindows()
        cv2.waitKey(1)


def _window_open() -> bool:
    """Whether the live window is still up (Qt raises once the user has closed it)."""
    try:
        return cv2.getWindowProperty(WINDOW_NAME, cv2.WND_PROP_VISIBLE) >= 1
    except cv2.error:
        return False


def _result_lines(result: Result) -> list[str]:
    lines = []
    for m in result.measurements:
        label = f"{m.side} {m.name.replace('_', ' ')}"
        if m.value is None:
            lines.append(f"{label}: insufficient data")
        else:
            lines.append(f"{label}: {m.value:.1f} {m.unit} ({m.status})")
    return lines


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


def _existing_trials(record_dir: Path | None) -> int:
    """The highest ``trial-NNN`` number already in ``record_dir`` (0 if none): new trials are
    numbered after it, so nothing recorded before is ever replaced."""
    if record_dir is None or not record_dir.is_dir():
        return 0
    numbers = [int(p.name[6:]) for p in record_dir.glob("trial-[0-9][0-9][0-9]*")
               if p.name[6:].isdigit()]
    return max(numbers, default=0)
