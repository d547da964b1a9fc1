"""Bundles: round trip, atomic publication, tampering and untrusted content refused."""

import hashlib
import json

import pytest
import skops.io as sio

from predict.bundle import load_bundle, save_bundle
from predict.records import QawlError


class Planted:
    """Stands for an attacker's object: loading it would run __setstate__."""

    def __setstate__(self, state):
        open(state["marker"], "w").write("executed")


@pytest.fixture(scope="module")
def bundle(small_models, schema, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "m"
    save_bundle(small_models, path, {"labels": schema["labels"]}, {"note": "test"})
    return path


def test_round_trip(bundle, small_models):
    models, schema, metadata = load_bundle(bundle)
    assert list(models.stance.classes_) == list(small_models.stance.classes_)
    assert metadata["note"] == "test" and len(schema["labels"]) == 12
    assert set(metadata["files"]) == {"quote_filter.skops", "speaker_ranker.skops", "stance.skops", "schema.json"}


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


def test_other_version_is_refused(tmp_path, small_models, schema):
    path = save_bundle(small_models, tmp_path / "m", {"labels": schema["labels"]}, {})
    metadata = json.loads((path / "metadata.json").read_text())
    metadata["versions"]["scikit-learn"] = "0.1"
    (path / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(QawlError, match="trained with scikit-learn 0.1"):
        load_bundle(path)


def test_half_written_is_refused(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "stance.skops").write_bytes(b"partial")
    with pytest.raises(QawlError, match="half-written"):
        load_bundle(tmp_path / "m")


def test_planted_object_is_refused_not_executed(tmp_path, small_models, schema):
    path = save_bundle(small_models, tmp_path / "m", {"labels": schema["labels"]}, {}).resolve()
    marker = tmp_path / "pwned"
    planted = Planted()
    planted.__dict__["marker"] = str(marker)
    sio.dump(planted, path / "stance.skops")
    # an attacker can also rewrite the hashes, so the type check must stop it on its own
    metadata = json.loads((path / "metadata.json").read_text())
    metadata["files"]["stance.skops"] = hashlib.sha256((path / "stance.skops").read_bytes()).hexdigest()
    (path / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(QawlError, match="refused to load.*Planted"):
        load_bundle(path)
    assert not marker.exists()
