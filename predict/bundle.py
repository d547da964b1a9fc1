"""Model bundles: `models/<name>/` with the fitted stages, the label schema and metadata.

Each stage is stored as plain data (`predict.linear`): a JSON spec and a NumPy `.npz` read
with `allow_pickle=False`. Nothing in a bundle is an object to unpickle, so a bundle from
someone else cannot run code when loaded (a pickle could; skops' trust lists narrow that, but
loading through skops also imports the whole of scikit-learn, seconds of start-up that
prediction does not need). Every file's SHA-256 is recorded in `metadata.json` and checked on
load. A bundle is written into a fresh directory and
published by atomically swapping the `models/<name>` symlink, so a killed run leaves the
previous bundle in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import signal
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from predict.linear import LinearModel
from predict.pipeline import Models
from predict.records import QawlError

FORMAT_VERSION = 2
STAGES = ("quote_filter", "speaker_ranker", "stance")
STAGE_FILES = tuple(f"{stage}.{suffix}" for stage in STAGES for suffix in ("json", "npz"))


def library_versions() -> dict[str, str]:
    """Versions that trained the bundle, for the record (loading needs only the format version)."""
    return {name: version(name) for name in ("qawl", "scikit-learn", "numpy", "camel-tools")}


def save_bundle(models: Models, directory: str | os.PathLike, schema: dict, metadata: dict) -> Path:
    """Write a bundle and publish it at `directory` atomically; return the published path."""
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{time.strftime('%Y%m%d-%H%M%S')}.",
                                    dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a model is meant to be shared
    published, previous = False, None
    try:
        hashes = {}
        for stage in STAGES:
            for path in getattr(models, stage).save(staging / stage):
                hashes[path.name] = _sha256(path)
        (staging / "schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=1), "utf-8")
        hashes["schema.json"] = _sha256(staging / "schema.json")
        full = {"format_version": FORMAT_VERSION, "created": datetime.now(timezone.utc).isoformat(),
                "python": platform.python_version(), "versions": library_versions(),
                "files": hashes, **metadata}
        (staging / "metadata.json").write_text(json.dumps(full, ensure_ascii=False, indent=1), "utf-8")
        _fsync_tree(staging)
        with _signals_held():  # Ctrl-C or SIGTERM now would act after the swap, never halfway
            previous = _publish(staging, target)
            published = True
    finally:
        # done or interrupted: before the swap the new folder goes, after it the one it replaced
        leftover = previous if published else staging
        if leftover is not None:
            shutil.rmtree(leftover, ignore_errors=True)
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
    if not isinstance(metadata, dict):
        raise QawlError(f"{metadata_path}: unreadable metadata (not a JSON object); train the model again")
    _check_format(directory, metadata)
    _check_hashes(directory, metadata)
    schema = json.loads((directory / "schema.json").read_text("utf-8"))
    models = Models(**{stage: _load_stage(directory / stage) for stage in STAGES})
    return models, schema, metadata


def _load_stage(stem: Path) -> LinearModel:
    try:
        return LinearModel.load(stem)
    except (ValueError, KeyError, TypeError, OSError) as error:
        # ValueError includes NumPy's refusal of pickled objects (allow_pickle=False)
        raise QawlError(f"{stem}.npz: refused to load: not a qawl model stage ({error})") from None


def _check_format(directory: Path, metadata: dict) -> None:
    if metadata.get("format_version") != FORMAT_VERSION:
        raise QawlError(f"{directory}: model format {metadata.get('format_version')} is not the "
                        f"format {FORMAT_VERSION} this qawl reads; train the model again")


def _check_hashes(directory: Path, metadata: dict) -> None:
    files = metadata.get("files") or {}
    expected = set(STAGE_FILES) | {"schema.json"}
    if not isinstance(files, dict) or set(files) != expected:
        raise QawlError(f"{directory}: metadata.json does not list the bundle's files; train the model again")
    for name, digest in files.items():
        path = directory / name
        if not path.exists():
            raise QawlError(f"{path}: missing; the model is incomplete, train it again")
        if _sha256(path) != digest:
            raise QawlError(f"{path}: the file was changed after training or copied incompletely "
                            f"(SHA-256 does not match metadata.json); refusing to load it")


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


@contextmanager
def _signals_held():
    """Hold Ctrl-C and SIGTERM for the few system calls that publish a bundle; they act after."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _publish(staging: Path, target: Path) -> Path | None:
    """Point `target` at `staging` with one atomic rename; return the bundle it replaced."""
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
    directory = os.open(target.parent, os.O_RDONLY)  # make the rename durable before the old bundle goes
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return previous if previous is not None and previous.exists() and previous != staging.resolve() else None
