"""Recognise a data shard by its name and first bytes, without opening any library."""

from __future__ import annotations

import os

from dbom.formats.base import Detected

# Files that `datasets.Dataset.save_to_disk` (and older `datasets` versions) write beside the
# data: JSON, but metadata rather than records.
METADATA_NAMES = frozenset({"dataset_info.json", "dataset_infos.json", "dataset_dict.json", "state.json"})

# Formats read as a (possibly compressed) byte stream.
_STREAM_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "text",
    # WARC (ISO 28500) and its WET text extracts; read uncompressed or gzipped (dbom.formats.warc)
    ".warc": "warc",
    ".wet": "warc",
}

# Formats with their own container, never wrapped in a compression suffix.
_CONTAINER_SUFFIXES = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".tar": "webdataset",
}

COMPRESSION_SUFFIXES = {
    ".gz": "gzip",
    ".zst": "zstd",
    ".zstd": "zstd",
    ".bz2": "bz2",
    ".xz": "xz",
}

ARROW_FILE_MAGIC = b"ARROW1"
ARROW_STREAM_CONTINUATION = b"\xff\xff\xff\xff"


def detect(path: str | os.PathLike[str], head: bytes) -> Detected | None:
    """Return the format (and compression) of the shard at `path` (a path or a str), or None if it is not data.

    `head` is the first bytes of the file (512 or fewer). The extension decides whether a file
    is a shard and of which format; the bytes only tell an Arrow IPC file from an Arrow IPC
    stream (both use `.arrow`). A file whose bytes contradict its extension (a `.parquet`
    without `PAR1`, a `.gz` that is not gzip) is still returned by extension, so that
    `inspect_shard` reports it as a corrupt shard instead of it silently becoming a non-shard.
    `save_to_disk` metadata (`dataset_info.json`, `state.json`, `dataset_dict.json`) is None.
    """
    name = os.path.basename(path).lower()
    if name in METADATA_NAMES:
        return None
    stem, suffix = _split_suffix(name)
    compression = COMPRESSION_SUFFIXES.get(suffix)
    if compression is not None:
        _, suffix = _split_suffix(stem)
        fmt = _STREAM_SUFFIXES.get(suffix)
        return Detected(fmt, compression) if fmt is not None else None
    fmt = _STREAM_SUFFIXES.get(suffix) or _CONTAINER_SUFFIXES.get(suffix)
    if fmt == "arrow" and head.startswith(ARROW_STREAM_CONTINUATION):
        fmt = "arrow-stream"
    return Detected(fmt) if fmt is not None else None


def _split_suffix(name: str) -> tuple[str, str]:
    """Split "a.b.c" into ("a.b", ".c"); a name without a dot (or only a leading one) has no suffix."""
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:]
