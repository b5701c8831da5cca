"""Session fixtures: the knee-to-wall sample, its mirror (with a mirrored video for the
pictures) and a 4°-rolled copy, saved as landmarks files the CLI reads."""

from __future__ import annotations

import pytest

from session.clips import knee_to_wall, mirror, mirror_video, roll, roll_video


@pytest.fixture(scope="session")
def k2w_files(shared, clip_recording, tmp_path_factory):
    """``{"left": npz, "right": npz (mirrored, its source a mirrored video), "rolled": npz (its
    source the video rolled 4°)}``."""
    folder = tmp_path_factory.mktemp("k2w")
    rec = knee_to_wall(clip_recording)
    video = mirror_video(shared / "samples" / "knee_to_wall_side.mp4", folder / "k2w_mirrored.mp4")
    return {"left": rec.save(folder / "k2w_left.npz"),
            "right": mirror(rec, video).save(folder / "k2w_right.npz"),
            "rolled": roll(rec, 4.0, roll_video(shared / "samples" / "knee_to_wall_side.mp4",
                                                folder / "k2w_rolled4.mp4", 4.0)
                           ).save(folder / "k2w_rolled4.npz")}
