"""A model folder as `save_pretrained` (or a GGUF/ONNX export) leaves it: its weight files and its name.

`weight_files` finds and fingerprints the weights (SHA-256, plus the XXH3-128 every dbom file
carries) without following symlinks out of the folder; `name_claims` reads what the folder says
the model is called, so that `dbom attach` can refuse a DBOM written for another model.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbom.errors import DbomError
from dbom.fingerprint.hashing import hash_file
from dbom.model import HASH_SHA256, DocFile
from dbom.sources.local import LocalFile, walk

# What counts as weights, by file name suffix (compared case-insensitively).
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".onnx", ".pt", ".pth")
# Files with those suffixes that a Trainer checkpoint holds beside the weights: training state, not the model.
TRAINING_STATE_NAMES = frozenset({"training_args.bin", "optimizer.pt", "optimizer.bin", "scheduler.pt",
                                  "scaler.pt", "rng_state.pth"})
_RNG_STATE = re.compile(r"^rng_state_\d+\.pth$")
MAX_CONFIG_BYTES = 16 << 20  # a config.json larger than this is not read for the model's name
# A Hub-style model id (`name` or `org/name`); anything else in `_name_or_path` is a local path.
_HUB_NAME = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")
_CHECKPOINT = re.compile(r"^checkpoint-\d+$")
WARNING_PREFIX = "model folder: "  # how warnings about the model folder start (in the DBOM's dbom:warning)


def is_weight_file(relpath: str) -> bool:
    """True when the file at `relpath` (relative to the model folder) holds model weights."""
    name = relpath.rsplit("/", 1)[-1].lower()
    if name in TRAINING_STATE_NAMES or _RNG_STATE.match(name):
        return False
    return name.endswith(WEIGHT_SUFFIXES)


def weight_files(folder: Path, warn: Callable[[str], None], jobs: int = 0) -> tuple[DocFile, ...]:
    """Fingerprint every weight file under `folder`, sorted by path (kind "weights", SHA-256 computed).

    Symlinks that leave the folder, and special files, are skipped and reported through `warn`
    (as `<folder name>/<path>: ...`, never an absolute path). Raises DbomError when `folder` is not a
    folder, when a weight file cannot be read, or when there is no weight file at all.
    """
    if not folder.is_dir():
        raise DbomError(str(folder), "not a model folder (no such folder)")
    def walk_warn(message: str) -> None:
        warn(WARNING_PREFIX + message.replace("the dataset root", "the model folder"))

    found = [f for f in walk(folder, walk_warn) if is_weight_file(f.relpath)]
    if not found:
        raise DbomError(str(folder), f"no weight files found (looked for {', '.join(WEIGHT_SUFFIXES)})")
    workers = jobs or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(found)))) as pool:
        return tuple(pool.map(lambda f: _fingerprint(folder, f), found))


def _fingerprint(folder: Path, found: LocalFile) -> DocFile:
    try:
        digests = hash_file(found.path, (HASH_SHA256,))
    except OSError as exc:
        raise DbomError(str(folder / found.relpath), f"cannot read: {exc.strerror or exc}") from None
    return DocFile(path=found.relpath, kind="weights", bytes=digests.size, xxh3_128=digests.xxh3_128,
                   sha256=digests.sha256)


@dataclass(frozen=True)
class NameClaim:
    """A name the model folder gives the model, and where it says so (for the refusal message)."""

    name: str
    source: str  # e.g. "config.json (_name_or_path)"
    weak: bool = False  # config.json's `_name_or_path` may name the base model a fine-tune started from


def name_claims(folder: Path, card_meta: dict[str, Any], warn: Callable[[str], None]) -> list[NameClaim]:
    """What the folder says the model is called.

    From the model card's front matter (`card_meta`): `model_name`, and the first `model-index` entry's
    `name`. From config.json: `_name_or_path` (or `name_or_path`) when it is a Hub-style id (`name` or
    `org/name`, not a local path, not a `checkpoint-N` folder) and not listed in the card's `base_model`
    (a fine-tune saved from a Hub checkpoint keeps its base model's id there).
    """
    claims: list[NameClaim] = []
    model_name = card_meta.get("model_name")
    if isinstance(model_name, str) and model_name.strip():
        claims.append(NameClaim(model_name.strip(), "README.md (model_name)"))
    index = card_meta.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict):
        indexed = index[0].get("name")
        if isinstance(indexed, str) and indexed.strip():
            claims.append(NameClaim(indexed.strip(), "README.md (model-index)"))
    bases = {_norm(b) for b in _strings(card_meta.get("base_model"))}
    config = _read_config(folder / "config.json", warn)
    for key in ("_name_or_path", "name_or_path"):
        value = config.get(key)
        if not isinstance(value, str) or not _HUB_NAME.match(value) or ".." in value:
            continue
        if _CHECKPOINT.match(value.rsplit("/", 1)[-1]) or _norm(value) in bases:
            continue
        claims.append(NameClaim(value, f"config.json ({key})", weak=True))
    return claims


def contradiction(model_name: str, claims: Iterable[NameClaim]) -> NameClaim | None:
    """The first claim that names another model than `model_name`, or None when all agree.

    Names are compared without their `org/` prefix and case-insensitively: `acme/Tiny-LM` agrees
    with `tiny-lm`.
    """
    wanted = _norm(model_name)
    for claim in claims:
        if _norm(claim.name) != wanted:
            return claim
    return None


def _norm(name: str) -> str:
    return name.strip().rstrip("/").rsplit("/", 1)[-1].casefold()


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


class NotRegularFile(OSError):
    """A path that is a folder, a FIFO, a socket or a device: never read (a FIFO would block forever)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"a {kind}, not a regular file")
        self.kind = kind


def read_regular(path: Path, limit: int | None = None) -> bytes | None:
    """Up to `limit` + 1 bytes (all, without a limit) of the regular file at `path`; None when there is none.

    A symlink is followed. The file is opened without blocking and checked to be a regular file before
    anything is read, so a FIFO is refused instead of waited on. Raises NotRegularFile for anything
    else, OSError when it cannot be read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:  # a socket cannot be opened at all (ENXIO)
        kind = _kind(path)
        if kind is not None:
            raise NotRegularFile(kind) from None
        raise exc from None
    with os.fdopen(fd, "rb") as handle:
        kind = _kind_of(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotRegularFile(kind)
        os.set_blocking(fd, True)
        return handle.read() if limit is None else handle.read(limit + 1)


def _kind(path: Path) -> str | None:
    try:
        return _kind_of(os.stat(path).st_mode)
    except OSError:
        return None


def _kind_of(mode: int) -> str | None:
    """None for a regular file, else what it is."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file"


def _read_config(path: Path, warn: Callable[[str], None]) -> dict[str, Any]:
    """config.json as a mapping; {} (with a warning when it exists) when it cannot be used."""
    if path.is_symlink() and not _inside(path, path.parent):
        warn(WARNING_PREFIX + "config.json: skipped symlink pointing outside the model folder")
        return {}
    try:
        data = read_regular(path, MAX_CONFIG_BYTES)
    except NotRegularFile as exc:
        warn(f"{WARNING_PREFIX}config.json: not read ({exc.kind}, not a regular file); the model's name is not "
             "checked against it")
        return {}
    except OSError as exc:
        warn(f"{WARNING_PREFIX}config.json: not read ({exc.strerror or exc}); the model's name is not checked "
             "against it")
        return {}
    if data is None:
        return {}
    if len(data) > MAX_CONFIG_BYTES:
        warn(WARNING_PREFIX + "config.json: larger than 16 MiB, not read; the model's name is not checked against it")
        return {}
    try:
        config = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        warn(WARNING_PREFIX + "config.json: not valid JSON; the model's name is not checked against it")
        return {}
    return config if isinstance(config, dict) else {}


def _inside(path: Path, folder: Path) -> bool:
    target = os.path.realpath(path)
    root = os.path.realpath(folder)
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)
