"""Bytes by modality (text, image, audio, video, other) of a dataset's files: `dbom:profile:modality`.

Found from what the scan recorded of each shard, and from the files' own headers where they tell more:

- text formats (JSON Lines, JSON, CSV, TSV, plain text) are text;
- a WebDataset tar by its members' extensions (jpg/png/webp... image, wav/flac/mp3... audio,
  mp4/webm... video, txt/json... text, anything else other), each member's size read from its tar
  header; when the archive cannot be read, the shard goes to its extensions' one modality, or to
  `other` when they are of several;
- a table (Parquet, Arrow) by its columns: a binary column (or a `datasets` Image/Audio feature, a
  struct holding `bytes: binary`) named for a medium (image, audio, video...) is that medium, the
  other columns text when one holds strings, else other. Parquet's footer gives each column's
  bytes; an Arrow file's whole size goes to its media column's modality (one medium) or `other`;
- a WARC file by its payloads' media types: text when they are all text (HTML, JSON, XML...), the
  medium when they are all one, else other.

The bytes are the files' (compressed where they are): what a reader of the DBOM can check on disk.
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from dbom.model import Column, Shard

MODALITIES = ("text", "image", "audio", "video", "other")
MODALITY_FORMAT = 1  # part of the scan's profile identity: a change here must not reuse older kept lines
TEXT_FORMATS = frozenset({"jsonl", "json", "csv", "tsv", "text"})
TABLE_FORMATS = frozenset({"parquet", "arrow", "arrow-stream"})

EXTENSIONS: dict[str, str] = {
    **dict.fromkeys(("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"), "image"),
    **dict.fromkeys(("wav", "flac", "mp3", "ogg", "opus", "m4a"), "audio"),
    **dict.fromkeys(("mp4", "webm", "mkv", "avi", "mov"), "video"),
    **dict.fromkeys(("txt", "text", "json", "jsonl", "html", "md", "xml", "cls", "caption", "csv"), "text"),
}
# A column named for a medium: a word of its name (split at `_`, `-`, `.`, digits).
_MEDIA_WORDS: dict[str, str] = {
    **dict.fromkeys(("image", "images", "img", "picture", "photo", "jpg", "png"), "image"),
    **dict.fromkeys(("audio", "speech", "sound", "wav", "flac", "mp3"), "audio"),
    **dict.fromkeys(("video", "videos", "mp4", "clip"), "video"),
}
_WORDS = re.compile(r"[a-z]+")


def modality_bytes(shards: Sequence[Shard], root: Path | None = None) -> dict[str, int]:
    """Bytes by modality of the dataset's readable shards (under `root`, a folder or the one file), in
    MODALITIES order, the modalities without a byte left out; {} when no shard is readable.
    """
    totals = dict.fromkeys(MODALITIES, 0)
    folder = root is not None and root.is_dir()
    for shard in shards:
        if shard.error:
            continue
        # no file to look into for a text format: 10^6 paths cost seconds
        path = None if root is None or shard.format in TEXT_FORMATS else (root / shard.path if folder else root)
        for modality, size in shard_modalities(shard, path).items():
            totals[modality] += size
    return {m: size for m, size in totals.items() if size}


def shard_modalities(shard: Shard, path: Path | None) -> dict[str, int]:
    """A readable shard's bytes by modality, all its bytes counted (its file at `path`, where the split is
    read from it: see `file_needed`)."""
    if shard.format in TEXT_FORMATS:
        return {"text": shard.bytes}
    found = _shard_modalities(shard, path) or {"other": shard.bytes}
    rest = shard.bytes - sum(found.values())
    if rest > 0:  # what no member or column holds (tar headers, a Parquet footer) goes with the most bytes
        found[max(found, key=lambda m: (found[m], -MODALITIES.index(m)))] += rest
    return found


def file_needed(shard: Shard) -> bool:
    """Whether `shard_modalities` reads the shard's file (an uncompressed WebDataset tar's members, or an
    uncompressed Parquet file's column sizes where a column holds a medium): without it, the split differs."""
    if shard.compression is not None:
        return False
    if shard.format == "webdataset":
        return True
    return shard.format == "parquet" and any(column_medium(c) is not None for c in shard.columns or ())


def modality_property(shards: Sequence[Shard], root: Path | None = None) -> tuple[tuple[str, str], ...]:
    """The `dbom:profile:modality` property of the shards (JSON {"text": bytes, ...}); () when none."""
    found = modality_bytes(shards, root)
    return (("dbom:profile:modality", json.dumps(found, separators=(",", ":"))),) if found else ()


def _shard_modalities(shard: Shard, path: Path | None) -> dict[str, int]:
    if shard.format in TEXT_FORMATS:
        return {"text": shard.bytes}
    columns = shard.columns or ()
    if shard.format == "webdataset":
        measured = _tar_members(path) if path is not None and shard.compression is None else None
        return measured if measured is not None else _whole(shard, {_extension(c.name) for c in columns})
    if shard.format == "warc":
        media = [m for c in columns if c.name == "payload" for m in c.type.split("|")]
        return _whole(shard, {_media_type(m) for m in media} or {"other"})
    if shard.format in TABLE_FORMATS:
        return _table(shard, columns, path)
    return {"other": shard.bytes}


def _whole(shard: Shard, modalities: set[str]) -> dict[str, int]:
    """The shard's bytes to its one modality, or to `other` when it holds several (their split is unknown)."""
    return {next(iter(modalities)) if len(modalities) == 1 else "other": shard.bytes}


def _extension(name: str) -> str:
    return EXTENSIONS.get(name.rsplit(".", 1)[-1].lower(), "other")


def _media_type(media: str) -> str:
    kind = media.split(";")[0].strip().lower()
    if kind.startswith("text/") or kind in ("application/xhtml+xml", "application/json", "application/xml"):
        return "text"
    top = kind.split("/")[0]
    return top if top in ("image", "audio", "video") else "other"


def _tar_members(path: Path) -> dict[str, int] | None:
    """The sizes of a tar's regular members by their extensions' modality (headers only); None if unreadable."""
    totals: dict[str, int] = {}
    try:
        with tarfile.open(path, mode="r:") as archive:
            while (member := archive.next()) is not None:
                archive.members.clear()  # TarFile keeps every member otherwise
                if member.isfile() and "." in member.name.rsplit("/", 1)[-1]:
                    modality = _extension(member.name)
                    totals[modality] = totals.get(modality, 0) + member.size
    except (OSError, tarfile.TarError, EOFError, ValueError):
        return None
    return totals


def column_medium(column: Column) -> str | None:
    """The medium (image, audio, video) of a binary column named for one; None for any other column."""
    kind = column.type.lower()
    if "binary" not in kind and kind != "bytes":
        return None
    for word in _WORDS.findall(column.name.lower()):
        if word in _MEDIA_WORDS:
            return _MEDIA_WORDS[word]
    return None


def _rest(columns: Iterable[Column]) -> str:
    """The modality of a table's columns that hold no medium: text when one holds strings, else other."""
    return "text" if any("string" in c.type.lower() or "utf8" in c.type.lower() for c in columns) else "other"


def _table(shard: Shard, columns: Sequence[Column], path: Path | None) -> dict[str, int]:
    media = {c.name: medium for c in columns if (medium := column_medium(c)) is not None}
    rest = _rest(c for c in columns if c.name not in media)
    if not media:
        return {rest: shard.bytes}
    if shard.format == "parquet" and path is not None and shard.compression is None:
        sizes = _parquet_column_bytes(path)
        if sizes is not None:
            totals: dict[str, int] = {}
            for name, size in sizes.items():
                modality = media.get(name, rest)
                totals[modality] = totals.get(modality, 0) + size
            return totals
    return _whole(shard, set(media.values()))


def _parquet_column_bytes(path: Path) -> dict[str, int] | None:
    """Each top-level column's compressed bytes, from a Parquet footer; None when it cannot be read."""
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(path).metadata
    except (OSError, ValueError):
        return None
    sizes: dict[str, int] = {}
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            name = chunk.path_in_schema.split(".")[0]
            sizes[name] = sizes.get(name, 0) + chunk.total_compressed_size
    return sizes
