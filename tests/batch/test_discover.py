"""Finding a batch's videos and reading the sidecar table. Expected values are the files and
rows the tests create themselves."""

from __future__ import annotations

import datetime as dt

import pytest

from screen.batch.discover import Entry, discover, find_videos, read_sidecar
from screen.errors import MovescreenError


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    for name in ["a/one.mp4", "a/two.MOV", "a/deep/three.mp4", "a/notes.txt", "a/._one.mp4",
                 "b/four.mp4", "b/five.avi"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "a" / ".tmp").mkdir()
    (tmp_path / "a" / ".tmp" / "hidden.mp4").write_bytes(b"x")
    return tmp_path


def test_folder_is_searched_recursively_for_videos_only(tree):
    found = find_videos([str(tree / "a")])
    assert [p.relative_to(tree).as_posix() for p in found] == [
        "a/deep/three.mp4", "a/one.mp4", "a/two.MOV"]  # no .txt, no hidden file or folder


def test_globs_files_and_repeats(tree):
    found = find_videos([str(tree / "b" / "*.mp4"), str(tree / "a" / "one.mp4"),
                         str(tree / "**" / "one.mp4"), str(tree / "a" / "notes.txt")])
    assert [p.relative_to(tree).as_posix() for p in found] == [
        "b/four.mp4", "a/one.mp4", "a/notes.txt"]  # an explicit file is taken as given
    assert all(p.is_absolute() for p in found)


@pytest.mark.parametrize("spec, match", [("missing", "no such file, folder or pattern"),
                                         ("b/*.mkv", "matches no video files")])
def test_specs_that_name_nothing(tree, spec, match):
    with pytest.raises(MovescreenError, match=match):
        find_videos([str(tree / spec)])


def test_empty_folder(tmp_path):
    with pytest.raises(MovescreenError, match="no video files found"):
        find_videos([str(tmp_path)])


def test_sidecar_rows(tree):
    csv = tree / "a" / "movescreen.csv"
    csv.write_text("File,Patient,Date,Test,Side\n"
                   "one.mp4,P7,2026-03-01,knee-to-wall,Left\n"
                   "deep/three.mp4,,,,\n"
                   "two.MOV,P8,,knee_to_wall,\n", encoding="utf-8")
    entries = read_sidecar(csv)
    assert entries == {
        (tree / "a" / "one.mp4").resolve(): Entry("P7", dt.date(2026, 3, 1), "knee_to_wall", "left"),
        (tree / "a" / "deep" / "three.mp4").resolve(): Entry(),
        (tree / "a" / "two.MOV").resolve(): Entry("P8", None, "knee_to_wall", None)}


def test_folder_sidecar_is_used_and_unknown_rows_warned(tree):
    (tree / "a" / "movescreen.csv").write_text("file,patient\none.mp4,P1\ngone.mp4,P2\n")
    videos, warnings = discover([str(tree / "a")])
    by_name = {v.path.name: v.entry for v in videos}
    assert by_name["one.mp4"] == Entry(patient="P1") and by_name["two.MOV"] == Entry()
    assert len(warnings) == 1 and "gone.mp4" in warnings[0]


@pytest.mark.parametrize("body, match", [
    ("file,patient,pateint\n", "unknown: pateint"),
    ("patient\nP1\n", "'file' column"),
    ("file,date\none.mp4,01/03/2026\n", ":2: date must be YYYY-MM-DD"),
    ("file,side\none.mp4,middle\n", ":2: side must be left or right"),
    ("file,test\none.mp4,jumping\n", ":2: unknown test 'jumping'"),
    ("file\none.mp4\n./one.mp4\n", ":3: ./one.mp4 is listed twice"),
    ("file,patient\n,P1\n", ":2: empty 'file' cell"),
])
def test_bad_sidecar_is_one_clear_error(tree, body, match):
    csv = tree / "a" / "side.csv"
    csv.write_text(body)
    with pytest.raises(MovescreenError, match=match):
        read_sidecar(csv)
