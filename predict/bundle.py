"""Model bundles: `models/<name>/` with the fitted stages, the label schema and metadata.

Stages are stored in skops' format, which loads only types on an explicit trust list, so a
bundle from someone else cannot run code when loaded (a pickle could). Every file's SHA-256 is
recorded in `metadata.json` and checked on load. A bundle is written into a fresh directory and
published by atomically swapping the `models/<name>` symlink, so a killed run leaves the
previous bundle in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import skops.io as sio
from skops.io.exceptions import UntrustedTypesFoundException

from predict.pipeline import Models
from predict.records import QawlError

FORMAT_VERSION = 1
STAGES = ("quote_filter", "speaker_ranker", "stance")
# the project's own types; every other type in a file must be on skops' default trust list
TRUSTED_TYPES = ["predict.features.FieldDict", "predict.features.FieldText"]


def library_versions() -> dict[str, str]:
    """Versions that a bundle depends on."""
    return {name: version(name) for name in ("qawl", "scikit-learn", "skops", "numpy", "scipy", "camel-tools")}


def save_bundle(models: Models, directory: str | os.PathLike, schema: dict, metadata: dict) -> Path:
    """Write a bundle and publish it at `directory` atomically; return the published path."""
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{time.strftime('%Y%m%d-%H%M%S')}.{os.getpid()}"
    staging.mkdir()
    try:
        hashes = {}
        for stage in STAGES:
            path = staging / f"{stage}.skops"
            sio.dump(getattr(models, stage), path)
            hashes[path.name] = _sha256(path)
        (staging / "schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=1), "utf-8")
        hashes["schema.json"] = _sha256(staging / "schema.json")
        full = {"format_version": FORMAT_VERSION, "created": datetime.now(timezone.utc).isoformat(),
                "python": platform.python_version(), "versions": library_versions(),
                "files": hashes, **metadata}
        (staging / "metadata.json").write_text(json.dumps(full, ensure_ascii=False, indent=1), "utf-8")
        _fsync_tree(staging)
        _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load_bundle(directory: str | os.PathLike) -> tuple[Models, dict, dict]:
    """Load and check a bundle; return (models, schema, metadata) or raise `QawlError`."""
    directory = Path(directory)
    metadata_path = directory / "metadata.json"
    if not directory.exists():
        raise QawlError(f"{directory}: no model here; train one with `make train` "
                        f"(or `qawl train --model {directory}`)")
    if not metadata_path.exists():
        raise QawlError(f"{directory}: not a complete qawl model (metadata.json is missing); "
                        f"it may be half-written: train it again")
    try:
        metadata = json.loads(metadata_path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise QawlError(f"{metadata_path}: unreadable metadata ({error})") from None
    _check_versions(directory, metadata)
    _check_hashes(directory, metadata)
    schema = json.loads((directory / "schema.json").read_text("utf-8"))
    models = Models(**{stage: _load_stage(directory / f"{stage}.skops") for stage in STAGES})
    return models, schema, metadata


def _load_stage(path: Path):
    # one parse: skops refuses any type that is neither on its default list nor ours
    try:
        return sio.load(path, trusted=TRUSTED_TYPES)
    except UntrustedTypesFoundException as error:
        raise QawlError(f"{path}: refused to load: the file holds types qawl does not trust ({error})") from None


def _check_versions(directory: Path, metadata: dict) -> None:
    if metadata.get("format_version") != FORMAT_VERSION:
        raise QawlError(f"{directory}: model format {metadata.get('format_version')} is not the "
                        f"format {FORMAT_VERSION} this qawl reads; train the model again")
    saved = metadata.get("versions", {}).get("scikit-learn")
    if saved != version("scikit-learn"):
        raise QawlError(f"{directory}: trained with scikit-learn {saved}, but {version('scikit-learn')} "
                        f"is installed; train the model again or install scikit-learn=={saved}")


def _check_hashes(directory: Path, metadata: dict) -> None:
    files = metadata.get("files") or {}
    expected = {f"{stage}.skops" for stage in STAGES} | {"schema.json"}
    if set(files) != expected:
        raise QawlError(f"{directory}: metadata.json does not list the bundle's files; train the model again")
    for name, digest in files.items():
        path = directory / name
        if not path.exists():
            raise QawlError(f"{path}: missing; the model is incomplete, train it again")
        if _sha256(path) != digest:
            raise QawlError(f"{path}: the file was changed after training (SHA-256 does not match "
                            f"metadata.json); refusing to load it")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_tree(directory: Path) -> None:
    for path in directory.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def _publish(staging: Path, target: Path) -> None:
    """Point `target` at `staging` with one atomic rename, then remove the bundle it replaced."""
    previous = target.resolve() if target.is_symlink() else None
    if target.exists() and not target.is_symlink():
        # a plain directory (copied by hand): move it aside once, then switch to a link
        aside = target.parent / f".{target.name}.replaced-{os.getpid()}"
        target.rename(aside)
        previous = aside
    link = target.parent / f".{target.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(staging.name)
    os.replace(link, target)
    if previous is not None and previous.exists() and previous != staging.resolve():
        shutil.rmtree(previous, ignore_errors=True)
