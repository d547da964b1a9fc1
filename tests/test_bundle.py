"""Bundles: round trip, atomic publication, tampering and untrusted content refused."""

import hashlib
import json

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
