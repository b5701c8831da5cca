"""Fetch-or-mirror with hash checks, models and samples manifests. No network: downloads are
exercised with file:// URLs."""

import hashlib

import pytest

from screen.errors import MovescreenError
from screen.sources import models, samples
from screen.sources.assets import Asset, install


def _asset(tmp_path, data=b"pose model bytes"):
    src = tmp_path / "mirror" / "m.task"
    src.parent.mkdir()
    src.write_bytes(data)
    return Asset("m.task", src.as_uri(), len(data), hashlib.sha256(data).hexdigest()), src


def test_download_verifies_and_places(tmp_path):
    asset, _ = _asset(tmp_path)
    dest = tmp_path / "out" / "m.task"
    assert install(asset, dest) == "official"
    assert dest.read_bytes() == b"pose model bytes"


def test_mirror_with_official_bytes(tmp_path):
    asset, src = _asset(tmp_path)
    assert install(asset, tmp_path / "m.task", mirror=src.parent) == "official"


def test_mirror_build_accepted_only_via_its_sha256sums(tmp_path):
    asset, src = _asset(tmp_path)
    src.write_bytes(b"rebuilt bundle")
    with pytest.raises(MovescreenError, match="failed verification"):
        install(asset, tmp_path / "m.task", mirror=src.parent)
    assert list(tmp_path.glob("m.task*")) == []  # nothing half-written left behind
    digest = hashlib.sha256(b"rebuilt bundle").hexdigest()
    (src.parent / "SHA256SUMS").write_text(f"{digest}  m.task\n")
    assert install(asset, tmp_path / "m.task", mirror=src.parent) == "mirror build"


def test_corrupt_download_is_refused(tmp_path):
    asset, src = _asset(tmp_path)
    src.write_bytes(b"truncated")
    with pytest.raises(MovescreenError, match="failed verification"):
        install(asset, tmp_path / "m.task")
    assert not (tmp_path / "m.task").exists()


def test_unreachable_url_is_one_clear_error(tmp_path):
    asset = Asset("m.task", (tmp_path / "nowhere.task").as_uri(), 1, "0" * 64)
    with pytest.raises(MovescreenError, match="could not download"):
        install(asset, tmp_path / "m.task")


def test_manifest_matches_provenance(shared):
    text = (shared / "models" / "PROVENANCE.md").read_text()
    for asset in models.manifest().values():
        assert asset.sha256 in text and asset.url in text and str(asset.size) in text


def test_missing_model_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MOVESCREEN_MODELS", str(tmp_path))
    with pytest.raises(MovescreenError, match="movescreen models install full"):
        models.resolve("full")


def test_install_model_from_mirror_verifies_and_loads(tmp_path, monkeypatch, shared):
    monkeypatch.setenv("MOVESCREEN_MODELS", str(tmp_path))
    path, kind = models.install_model("lite", mirror=shared / "models")
    assert kind == "mirror build" and path.is_file()
    assert models.resolve("lite").path == path


def test_sample_manifest_matches_shared(shared):
    import csv

    with open(shared / "samples" / "MANIFEST.tsv", newline="") as fh:
        expected = {r["file"]: r["sha256"] for r in csv.DictReader(fh, delimiter="\t")}
    assert {k: a.sha256 for k, (a, _) in samples.manifest().items()} == expected


def test_manifests_are_package_data():
    """The manifests ship inside the package (an installed wheel has no clone around it)."""
    from importlib import resources

    data = resources.files("screen.sources") / "data"
    assert (data / "models.toml").is_file() and (data / "samples.tsv").is_file()
    assert set(models.manifest()) == {"lite", "full", "heavy"}


def test_model_lookup_order(tmp_path, monkeypatch):
    """$MOVESCREEN_MODELS alone when set; else the per-user data folder, then the clone's models/."""
    monkeypatch.setenv("MOVESCREEN_MODELS", str(tmp_path / "pinned"))
    assert models.search_dirs() == [tmp_path / "pinned"]
    monkeypatch.delenv("MOVESCREEN_MODELS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    dirs = models.search_dirs()
    assert dirs[0] == tmp_path / "xdg" / "movescreen" / "models" == models.models_dir()
    assert dirs[1:] == [models.clone_root() / "models"]


def test_models_list_explains_a_mirror_build(tmp_path, monkeypatch, shared):
    monkeypatch.setenv("MOVESCREEN_MODELS", str(tmp_path))
    models.install_model("lite", mirror=shared / "models")
    (row,) = [r for r in models.installed() if r[0] == "lite"]
    assert row[1] == tmp_path / "pose_landmarker_lite.task"
    assert row[2].startswith(f"mirror build from {(shared / 'models').resolve()}")
    assert "SHA256SUMS" in row[2] and "not the official" in row[2]
    (tmp_path / "pose_landmarker_lite.task.provenance.json").unlink()  # bytes of unknown origin
    (row,) = [r for r in models.installed() if r[0] == "lite"]
    assert row[2].startswith("unverified")


def test_samples_go_to_env_or_clone(tmp_path, monkeypatch):
    monkeypatch.setenv("MOVESCREEN_SAMPLES", str(tmp_path))
    assert samples.samples_dir() == tmp_path
    monkeypatch.delenv("MOVESCREEN_SAMPLES")
    assert samples.samples_dir() == models.clone_root() / "samples"
