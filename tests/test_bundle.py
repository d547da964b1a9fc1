"""Bundles: round trip, atomic publication, tampering and untrusted content refused."""

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from predict.bundle import STAGE_FILES, load_bundle, save_bundle
from predict.records import QawlError


class Planted:
    """Stands for an attacker's object: unpickling it would write the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def bundle(small_models, schema, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "m"
    save_bundle(small_models, path, {"labels": schema["labels"]}, {"note": "test"})
    return path


def test_round_trip(bundle, small_models):
    models, schema, metadata = load_bundle(bundle)
    assert list(models.stance.classes_) == list(small_models.stance.classes_)
    assert metadata["note"] == "test" and len(schema["labels"]) == 12
    assert set(metadata["files"]) == set(STAGE_FILES) | {"schema.json"}


def test_retraining_swaps_atomically_and_cleans_up(bundle, small_models, schema):
    first = bundle.resolve()
    save_bundle(small_models, bundle, {"labels": schema["labels"]}, {})
    assert bundle.is_symlink() and bundle.resolve() != first and not first.exists()
    load_bundle(bundle)


def test_edited_file_is_refused(tmp_path, small_models, schema):
    path = save_bundle(small_models, tmp_path / "m", {"labels": schema["labels"]}, {})
    with open(path / "schema.json", "a") as handle:
        handle.write(" ")
    with pytest.raises(QawlError, match="changed after training"):
        load_bundle(path)


def test_other_format_version_is_refused(tmp_path, small_models, schema):
    path = save_bundle(small_models, tmp_path / "m", {"labels": schema["labels"]}, {})
    metadata = json.loads((path / "metadata.json").read_text())
    metadata["format_version"] = 1
    (path / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(QawlError, match="model format 1 is not the format 2.*train the model again"):
        load_bundle(path)


def test_half_written_is_refused(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "stance.npz").write_bytes(b"partial")
    with pytest.raises(QawlError, match="half-written"):
        load_bundle(tmp_path / "m")


def _plant(path, name, content: bytes):
    """Replace a bundle file and, as an attacker could, its recorded hash."""
    (path / name).write_bytes(content)
    metadata = json.loads((path / "metadata.json").read_text())
    metadata["files"][name] = hashlib.sha256(content).hexdigest()
    (path / "metadata.json").write_text(json.dumps(metadata))


def test_planted_object_is_refused_not_executed(tmp_path, small_models, schema):
    path = save_bundle(small_models, tmp_path / "m", {"labels": schema["labels"]}, {}).resolve()
    marker = tmp_path / "pwned"
    weights = dict(np.load(path / "stance.npz"))
    weights["coef"] = np.array([Planted(str(marker))], dtype=object)  # saved by pickling
    np.savez(tmp_path / "evil.npz", **weights)
    _plant(path, "stance.npz", (tmp_path / "evil.npz").read_bytes())
    with pytest.raises(QawlError, match="stance.npz: refused to load.*allow_pickle"):
        load_bundle(path)
    assert not marker.exists()


def test_unknown_analyzer_is_refused(tmp_path, small_models, schema):
    path = save_bundle(small_models, tmp_path / "m", {"labels": schema["labels"]}, {}).resolve()
    spec = json.loads((path / "stance.json").read_text())
    spec["branches"][0]["analyzer"]["type"] = "os.system"
    _plant(path, "stance.json", json.dumps(spec).encode())
    with pytest.raises(QawlError, match="stance.npz: refused to load"):
        load_bundle(path)


def _cut_short(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _edit_metadata(path, change):
    metadata = json.loads((path / "metadata.json").read_text())
    (path / "metadata.json").write_text(json.dumps(change(metadata)))


DAMAGE = [  # (what happened to the bundle, how to do it, what load_bundle must say)
    ("half-written: a stage file missing", lambda p: (p / "stance.npz").unlink(),
     r"stance.npz: missing; the model is incomplete"),
    ("half-written: a stage file cut short", lambda p: _cut_short(p / "speaker_ranker.npz"),
     r"speaker_ranker.npz: the file was changed after training or copied incompletely"),
    ("half-written: metadata.json cut short", lambda p: _cut_short(p / "metadata.json"),
     r"metadata.json: unreadable metadata"),
    ("edited: a byte of the weights", lambda p: _flip_a_byte(p / "quote_filter.npz"),
     r"quote_filter.npz: the file was changed after training"),
    ("edited: a file dropped from the metadata", lambda p: _edit_metadata(
        p, lambda m: {**m, "files": {k: v for k, v in m["files"].items() if k != "stance.json"}}),
     r"metadata.json does not list the bundle's files"),
    ("edited: the file list is not a mapping",
     lambda p: _edit_metadata(p, lambda m: {**m, "files": list(m["files"])}),
     r"metadata.json does not list the bundle's files"),
    ("edited: metadata.json is not an object", lambda p: (p / "metadata.json").write_text("[]"),
     r"metadata.json: unreadable metadata \(not a JSON object\)"),
    ("another version: a newer format", lambda p: _edit_metadata(p, lambda m: {**m, "format_version": 3}),
     r"model format 3 is not the format 2 this qawl reads; train the model again"),
    ("another version: no format at all", lambda p: _edit_metadata(p, lambda m: {"files": m["files"]}),
     r"model format None is not the format 2"),
]


@pytest.mark.parametrize("damage, expected", [case[1:] for case in DAMAGE], ids=[case[0] for case in DAMAGE])
def test_damaged_bundle_is_refused_with_what_to_do(bundle, tmp_path, damage, expected):
    copy = tmp_path / "m"
    shutil.copytree(bundle.resolve(), copy)
    load_bundle(copy)  # the copy is sound before the damage
    damage(copy)
    with pytest.raises(QawlError, match=expected):
        load_bundle(copy)


def test_a_link_to_a_removed_bundle_says_train_one(bundle, tmp_path):
    (tmp_path / "m").symlink_to(tmp_path / ".m.gone")
    with pytest.raises(QawlError, match="no model here; train one"):
        load_bundle(tmp_path / "m")


def _hidden(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_interrupt_while_writing_keeps_the_previous_bundle(tmp_path, small_models, schema, monkeypatch):
    path = save_bundle(small_models, tmp_path / "m", {"labels": schema["labels"]}, {"note": "previous"})
    before = _hidden(tmp_path)

    def interrupted(directory):
        raise KeyboardInterrupt

    monkeypatch.setattr("predict.bundle._fsync_tree", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_bundle(small_models, path, {"labels": schema["labels"]}, {"note": "next"})
    assert load_bundle(path)[2]["note"] == "previous" and _hidden(tmp_path) == before


def test_interrupt_after_the_swap_keeps_the_new_bundle(tmp_path, small_models, schema, monkeypatch):
    path = save_bundle(small_models, tmp_path / "m", {"labels": schema["labels"]}, {"note": "previous"})
    previous, rmtree = path.resolve(), shutil.rmtree

    def interrupted_on_previous(folder, **options):  # Ctrl-C while the old bundle is removed
        if Path(folder) == previous:
            raise KeyboardInterrupt
        rmtree(folder, **options)

    monkeypatch.setattr("predict.bundle.shutil.rmtree", interrupted_on_previous)
    with pytest.raises(KeyboardInterrupt):
        save_bundle(small_models, path, {"labels": schema["labels"]}, {"note": "next"})
    assert load_bundle(path)[2]["note"] == "next"
