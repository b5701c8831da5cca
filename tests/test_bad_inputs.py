"""The bad-input corpus (issue 12): every kind of bad input or hostile environment the tool has
met ends with exit 2 and one stderr line naming the problem (or, where the data is merely too
poor, insufficient_data with the reason) — never a traceback, exit 70, a crash or a number from
degenerate geometry — and leaves nothing half-written behind.

Every input is generated here (OpenCV, numpy, bytes); nothing is downloaded. Failures of the
environment that cannot be staged portably (a full disk, a read-only file system, a permission
the test runner — often root — would bypass) are injected with the errno the OS gives. Expected
values come from the definitions: the exit-code contract in the README, the file the test made,
and exact geometry for the zero-length vectors. Batch environment cases (full database disk, no
loopback, the Dask scheduler refusing strangers) are in tests/batch/test_security.py; live ones
(read-only --record, low coverage, a replay that ends early) in tests/live/test_coverage.py.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from synthetic import knee_drives, recording

from screen.cli import main
from screen.kinematics.geometry import angle_between, inclination, tilt_of
from screen.recording import FORMAT, MAX_FRAMES, Recording

ANALYSIS_TIMEOUT_S = 300


# ---- helpers ----------------------------------------------------------------------------------

def cli(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(code: int, err: str, match: str) -> None:
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("movescreen: error: "), err
    assert match in lines[0], lines[0]
    assert "Traceback" not in err


def assert_no_leftovers(out: Path) -> None:
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith((f".{out.name}.", ".movescreen"))]


def write_video(path: Path, n: int, *, size: tuple[int, int] = (160, 120)) -> Path:
    """``n`` frames of a box sliding over grey, 30 fps, MPEG-4."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (w, h))
    for i in range(n):
        frame = np.full((h, w, 3), 90, np.uint8)
        cv2.rectangle(frame, (10 + i, 20), (50 + i, 90), (30, 160, 220), -1)
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture(scope="module")
def landmarks(tmp_path_factory) -> Path:
    """A valid landmarks file: three synthetic knee drives (tests/synthetic.py)."""
    _, incl = knee_drives()
    return recording(incl).save(tmp_path_factory.mktemp("lm") / "good.npz")


@pytest.fixture(scope="module")
def lite(shared) -> Path:
    return shared / "models" / "pose_landmarker_lite.task"


# ---- videos -----------------------------------------------------------------------------------

def test_01_missing_file(tmp_path, capsys, lite):
    code, _, err = cli(capsys, "analyze", tmp_path / "nope.mp4", "--model", lite, "--out", tmp_path / "o")
    assert_one_line(code, err, "no such file")
    assert_no_leftovers(tmp_path / "o")


def test_02_zero_byte_video(tmp_path, capsys, lite):
    (tmp_path / "empty.mp4").touch()
    code, _, err = cli(capsys, "analyze", tmp_path / "empty.mp4", "--model", lite)
    assert_one_line(code, err, "not a video (empty")


def test_03_text_renamed_mp4(tmp_path, capsys, lite):
    (tmp_path / "notes.mp4").write_text("not a video\n" * 100)
    code, _, err = cli(capsys, "analyze", tmp_path / "notes.mp4", "--model", lite)
    assert_one_line(code, err, "not a video OpenCV can read")


def test_04_jpeg_renamed_mp4(tmp_path, capsys, lite):
    ok, jpeg = cv2.imencode(".jpg", np.full((120, 160, 3), 128, np.uint8))
    (tmp_path / "photo.mp4").write_bytes(jpeg.tobytes())
    code, _, err = cli(capsys, "analyze", tmp_path / "photo.mp4", "--model", lite, "--out", tmp_path / "o")
    assert_one_line(code, err, "only one decodable frame (a still image?)")
    assert_no_leftovers(tmp_path / "o")


def test_05_one_frame_video(tmp_path, capsys, lite):
    path = write_video(tmp_path / "one.mp4", 1)
    code, _, err = cli(capsys, "analyze", path, "--model", lite)
    assert_one_line(code, err, "only one decodable frame")


def test_06_zero_frame_video(tmp_path, capsys, lite):
    path = tmp_path / "zero.mp4"
    cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (64, 64)).release()
    code, _, err = cli(capsys, "analyze", path, "--model", lite)
    assert_one_line(code, err, str(path))


def test_07_truncated_video(tmp_path, capsys, lite):
    whole = write_video(tmp_path / "whole.mp4", 90).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[:len(whole) // 3])
    code, _, err = cli(capsys, "analyze", cut, "--model", lite, "--out", tmp_path / "o")
    assert_one_line(code, err, str(cut))
    assert_no_leftovers(tmp_path / "o")


# ---- landmarks files --------------------------------------------------------------------------

def test_08_landmarks_all_on_one_point(tmp_path, capsys, landmarks):
    rec = Recording.load(landmarks)
    image = rec.image.copy()
    image[..., :2] = 0.5
    path = Recording(t=rec.t, image=image, world=rec.world, meta=rec.meta).save(tmp_path / "p.npz")
    code, _, err = cli(capsys, "analyze", path, "--out", tmp_path / "o")
    assert_one_line(code, err, f"{rec.n_frames} frame(s) have all 33 landmarks on one point")
    assert_no_leftovers(tmp_path / "o")


def _npz_with_headers(path: Path, frames: int) -> Path:
    """A tiny .npz whose array headers claim ``frames`` frames (the data is not even there):
    refusing it must not need to decompress anything."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, shape in (("t", (frames,)), ("image", (frames, 33, 5)), ("world", (frames, 33, 3))):
            with zf.open(f"{name}.npy", "w") as fh:
                np.lib.format.write_array_header_1_0(
                    fh, {"descr": "<f4", "fortran_order": False, "shape": shape})
        meta = np.array(json.dumps({"format": FORMAT, "width": 10, "height": 10}))
        with zf.open("meta.npy", "w") as fh:
            np.lib.format.write_array(fh, meta)
    return path


def test_09_landmarks_frame_cap(tmp_path, capsys):
    path = _npz_with_headers(tmp_path / "bomb.npz", 1_000_000)
    assert path.stat().st_size < 10_000
    code, _, err = cli(capsys, "analyze", path)
    assert_one_line(code, err, f"1000000 frames, more than the {MAX_FRAMES}")


def test_10_text_renamed_npz(tmp_path, capsys):
    (tmp_path / "x.npz").write_text("hello")
    code, _, err = cli(capsys, "analyze", tmp_path / "x.npz")
    assert_one_line(code, err, "cannot read landmarks file")


def test_11_npz_of_other_arrays(tmp_path, capsys):
    np.savez_compressed(tmp_path / "other.npz", a=np.zeros(3))
    code, _, err = cli(capsys, "analyze", tmp_path / "other.npz")
    assert_one_line(code, err, "not a movescreen landmarks file")


def test_12_one_frame_landmarks(tmp_path, capsys, landmarks):
    rec = Recording.load(landmarks)
    one = Recording(t=rec.t[:1], image=rec.image[:1], world=rec.world[:1], meta=rec.meta)
    code, _, err = cli(capsys, "analyze", one.save(tmp_path / "one.npz"))
    assert_one_line(code, err, "1 frame(s); at least 2 are needed")


def test_13_landmarks_with_wrong_shape(tmp_path, capsys, landmarks):
    rec = Recording.load(landmarks)
    with open(tmp_path / "shape.npz", "wb") as fh:
        np.savez_compressed(fh, t=rec.t, image=rec.image[:, :17], world=rec.world,
                            meta=np.array(json.dumps({"format": FORMAT, **rec.meta})))
    code, _, err = cli(capsys, "analyze", tmp_path / "shape.npz")
    assert_one_line(code, err, "array 'image' has shape")


def test_14_edited_landmarks_are_not_passed_off_as_the_video(tmp_path, capsys, landmarks):
    """Re-analysing a landmarks file records the file (and its sha256) as the source, and the
    video it came from separately."""
    rec = Recording.load(landmarks)
    rec.meta["source"] = "clinic/patient7.mp4"
    edited = Recording(t=rec.t, image=rec.image, world=rec.world,
                       meta={k: v for k, v in rec.meta.items()
                             if k not in ("recorded_from", "source_kind", "landmarks_sha256")})
    path = edited.save(tmp_path / "edited.npz")
    code, out, err = cli(capsys, "analyze", path, "--test", "knee-to-wall", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["source"] == str(path)
    video = summary["settings"]["video"]
    assert video["source_kind"] == "landmarks"
    assert video["landmarks_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert video["recorded_from"] == "clinic/patient7.mp4"


# ---- models -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "make"), [
    ("random bytes", lambda p, lite: p.write_bytes(np.random.default_rng(1).bytes(50_000))),
    ("empty file", lambda p, lite: p.touch()),
    ("truncated model", lambda p, lite: p.write_bytes(lite.read_bytes()[:len(lite.read_bytes()) // 2])),
    ("zip of other files", lambda p, lite: np.savez(p.with_suffix(""), a=np.zeros(3))
     or p.with_suffix(".npz").rename(p)),
])
def test_15_corrupt_model_files(tmp_path, capsys, lite, kind, make):
    """Every corrupt model given with --model is refused before any frame is decoded. (A
    landmarks file needs no model: --model is not used, nor checked, then.)"""
    model = tmp_path / "bad.task"
    make(model, lite)
    code, _, err = cli(capsys, "analyze", write_video(tmp_path / "v.mp4", 10), "--model", model,
                       "--out", tmp_path / "o")
    assert_one_line(code, err, f"{model} does not load as a pose landmarker model")
    assert_no_leftovers(tmp_path / "o")


def test_16_model_path_is_a_folder(tmp_path, capsys):
    code, _, err = cli(capsys, "analyze", write_video(tmp_path / "v.mp4", 10), "--model", tmp_path)
    assert_one_line(code, err, "is neither one of lite, full, heavy nor an existing file")


# ---- --out ------------------------------------------------------------------------------------

def test_17_out_under_a_file(tmp_path, capsys, landmarks):
    (tmp_path / "f").write_text("x")
    code, _, err = cli(capsys, "analyze", landmarks, "--out", tmp_path / "f" / "sub" / "o")
    assert_one_line(code, err, "is a file, not a folder")
    assert (tmp_path / "f").read_text() == "x"


def test_18_out_not_empty(tmp_path, capsys, landmarks):
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "keep.txt").write_text("mine")
    code, _, err = cli(capsys, "analyze", landmarks, "--out", tmp_path / "o")
    assert_one_line(code, err, "pass --overwrite")
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["keep.txt"]


def _refuse(monkeypatch, target: object, name: str, code: int) -> None:
    def refuse(*_args, **_kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(target, name, refuse)


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_19_20_out_read_only_or_unwritable(tmp_path, capsys, monkeypatch, landmarks, code):
    """Checked before the analysis (injected: permission bits do not stop root)."""
    import screen.outputs.files as files

    _refuse(monkeypatch, files.tempfile, "mkdtemp", code)
    rc, out, err = cli(capsys, "analyze", landmarks, "--out", tmp_path / "o")
    assert_one_line(rc, err, f"is not writable ({os.strerror(code)})")
    assert out == ""  # refused before analysing
    assert_no_leftovers(tmp_path / "o")


def test_21_out_disk_full_while_writing(tmp_path, capsys, monkeypatch, landmarks):
    import screen.recording as recording_module

    _refuse(monkeypatch, recording_module.np, "savez_compressed", errno.ENOSPC)
    rc, _, err = cli(capsys, "analyze", landmarks, "--out", tmp_path / "o")
    assert_one_line(rc, err, f"cannot write results to {tmp_path / 'o'} (No space left on device)")
    assert_no_leftovers(tmp_path / "o")


def test_22_out_files_are_owner_only(tmp_path, capsys, landmarks):
    rc, _, err = cli(capsys, "analyze", landmarks, "--out", tmp_path / "new" / "o")
    assert rc == 0, err
    assert oct((tmp_path / "new").stat().st_mode & 0o777) == oct(0o700)
    assert oct((tmp_path / "new" / "o").stat().st_mode & 0o777) == oct(0o700)
    assert {oct(p.stat().st_mode & 0o777) for p in (tmp_path / "new" / "o").iterdir()} == {oct(0o600)}


# ---- output stream, camera, geometry ----------------------------------------------------------

def test_23_closed_stdout_is_one_line(landmarks):
    """``movescreen analyze --json | head -0``: the reader is gone before the result is printed."""
    proc = subprocess.Popen([sys.executable, "-m", "screen", "analyze", str(landmarks), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read()
    assert proc.wait(timeout=ANALYSIS_TIMEOUT_S) == 2, err
    assert err.splitlines() == ["movescreen: error: standard output was closed before everything "
                                "was printed (broken pipe)"]


def test_24_negative_camera_number_does_not_crash(lite):
    proc = subprocess.run([sys.executable, "-m", "screen", "live", "--camera", "-1", "--no-window",
                           "--model", str(lite)], capture_output=True, text=True,
                          timeout=ANALYSIS_TIMEOUT_S)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)  # was 139: OpenCV segfaults on -1
    assert proc.stderr.splitlines() == [
        "movescreen: error: --camera must be a camera number, 0 or more (not -1)"]


def test_25_zero_length_vectors_have_no_angle():
    """The direction of a zero vector is undefined: NaN, never 0° (exact: the inputs are zero)."""
    zero2, zero3 = np.zeros(2), np.zeros(3)
    assert np.isnan(angle_between(zero2, [0.0, -1.0]))
    assert np.isnan(angle_between([1.0, 0.0, 0.0], zero3))
    assert np.isnan(inclination(zero2, [0.0, -1.0], 1.0))
    assert np.isnan(tilt_of(zero2))
    frames = np.array([[0.0, -1.0], [0.0, 0.0], [1.0, -1.0]])  # vectorised: only the zero frame
    np.testing.assert_allclose(inclination(frames, [0.0, -1.0], 1.0), [0.0, np.nan, 45.0])


def test_26_ankle_on_the_knee_is_insufficient_data_not_zero(capsys, tmp_path):
    """Shank of zero length on every frame (ankle landmarks placed on the knees): no tibial
    inclination at all, never 0.0°."""
    from screen.landmarks import LM

    _, incl = knee_drives()
    rec = recording(incl)
    image, world = rec.image.copy(), rec.world.copy()
    for ankle, knee in ((LM.LEFT_ANKLE, LM.LEFT_KNEE), (LM.RIGHT_ANKLE, LM.RIGHT_KNEE)):
        image[:, ankle, :3], world[:, ankle] = image[:, knee, :3], world[:, knee]
    path = Recording(t=rec.t, image=image, world=world, meta=rec.meta).save(tmp_path / "z.npz")
    code, out, err = cli(capsys, "analyze", path, "--test", "knee-to-wall", "--json", "--out",
                         tmp_path / "o")
    assert code == 0, err
    summary = json.loads(out[:out.rindex("}") + 1])
    assert {m["status"] for m in summary["measurements"]} == {"insufficient_data"}
    import pandas as pd

    frames = pd.read_parquet(tmp_path / "o" / "frames.parquet")
    assert frames.filter(like="tibial_inclination").isna().all().all()


@pytest.mark.parametrize(("text", "match"), [
    ("version = 1\n[knee_to_wall]\ntibial_inclination = 5\n", "thr.toml"),  # was a TypeError
    ("version = 1\n[knee_to_wall\n", "cannot read thresholds"),  # not TOML
])
def test_27_malformed_thresholds_file(tmp_path, capsys, landmarks, text, match):
    (tmp_path / "thr.toml").write_text(text)
    code, out, err = cli(capsys, "analyze", landmarks, "--thresholds", tmp_path / "thr.toml",
                         "--out", tmp_path / "o")
    assert_one_line(code, err, match)
    assert out == ""
    assert_no_leftovers(tmp_path / "o")
