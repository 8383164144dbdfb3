"""WebDataset shards: uncompressed tar archives of samples, one sample per key."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

from dbom.errors import FormatError
from dbom.formats.base import Detected, Inspection, shared_columns

# WebDataset's split of a member path into sample key and extension: the key is the path up to
# the first dot of the file name ("a/b/0001.seg.png" -> "a/b/0001", "seg.png").
_KEY_AND_EXTENSION = re.compile(r"^((?:.*/|)[^.]+)[.]([^/]*)$")
_BLOCK = tarfile.BLOCKSIZE


def inspect_webdataset(path: Path, detected: Detected) -> Inspection:
    """Count the samples of a WebDataset tar: the distinct keys of its regular files.

    Columns are the sorted file extensions (lower-cased, as WebDataset does), each of type
    "bytes". Members without an extension and WebDataset's `__meta__` files are not samples.
    Only the headers are read: the archive is opened seekable ("r:") and each member's data is
    skipped with a seek, never read. An archive that is truncated, has a corrupt header, or
    lacks its end-of-archive marker raises FormatError.
    """
    name = str(path)
    keys: set[str] = set()
    extensions: set[str] = set()
    with open(path, "rb") as file:
        try:
            with tarfile.open(fileobj=file, mode="r:", encoding="utf-8", errors="surrogateescape") as archive:
                while (member := archive.next()) is not None:
                    archive.members.clear()  # TarFile keeps every member otherwise
                    if not member.isfile():
                        continue
                    match = _KEY_AND_EXTENSION.match(member.name)
                    if match is None or _is_meta(member.name):
                        continue
                    keys.add(match.group(1))
                    extensions.add(_utf8_text(match.group(2).lower()))
                end = archive.offset
        except (tarfile.TarError, EOFError, ValueError) as exc:
            state = "truncated" if "end of data" in str(exc) or "truncated" in str(exc) else "corrupt"
            raise FormatError(name, f"{state} tar archive: {exc}") from None
        file.seek(end)
        marker = file.read(_BLOCK)
    if len(marker) < _BLOCK:
        raise FormatError(name, f"truncated tar archive: no end-of-archive marker at offset {end}")
    if marker.count(0) != _BLOCK:
        raise FormatError(name, f"corrupt tar archive: invalid header at offset {end}")
    return Inspection(len(keys), shared_columns(tuple((ext, "bytes") for ext in sorted(extensions))))


def _utf8_text(name: str) -> str:
    """A member name's part as text a DBOM can hold: bytes that are not UTF-8 written as `\\xe9`."""
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_meta(member: str) -> bool:
    """WebDataset's archive-level metadata files ("__index__"), which belong to no sample."""
    return "/" not in member and member.startswith("__") and member.endswith("__")
