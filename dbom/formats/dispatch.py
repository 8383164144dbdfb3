"""Route a detected shard to the reader of its format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dbom.formats.arrow import inspect_arrow
from dbom.formats.base import Detected, Inspection
from dbom.formats.csv import inspect_csv
from dbom.formats.jsonl import inspect_json, inspect_jsonl
from dbom.formats.parquet import inspect_parquet
from dbom.formats.text import inspect_text
from dbom.formats.warc import inspect_warc
from dbom.formats.webdataset import inspect_webdataset

_READERS: dict[str, Callable[[Path, Detected], Inspection]] = {
    "parquet": inspect_parquet,
    "arrow": inspect_arrow,
    "arrow-stream": inspect_arrow,
    "jsonl": inspect_jsonl,
    "json": inspect_json,
    "csv": inspect_csv,
    "tsv": inspect_csv,
    "text": inspect_text,
    "webdataset": inspect_webdataset,
    "warc": inspect_warc,
}
# The formats whose reader takes `records_digest=True` (see dbom.formats.records_digest).
DIGEST_FORMATS = frozenset({"parquet", "arrow", "arrow-stream", "jsonl", "json", "csv", "tsv", "text"})
# The formats whose reader takes `profile=` (an InlineProfile of dbom.profile.dataset_profile).
PROFILE_FORMATS = frozenset({"jsonl", "text", "parquet"})


def inspect_shard(path: str | Path, detected: Detected, records_digest: bool = False,
                  content: bytes | memoryview | None = None, profile: Any = None) -> Inspection:
    """Read what the shard at `path` (a Path or a str) says about itself: records, columns, uncompressed size.

    With `records_digest`, formats in `DIGEST_FORMATS` also compute the order-independent digest of
    their records (dbom.formats.records_digest), which reads every record.

    Raises FormatError (one line: the path as given, then the cause) when the file is not
    valid in its detected format: bad magic bytes, corrupt or truncated content or
    compression, invalid JSON or UTF-8, ragged CSV, a WARC record cut short. OSError from opening
    or reading the file itself propagates. Heavy libraries (pyarrow, zstandard, fastwarc) are
    imported on first use; a missing optional one (fastwarc, the `warc` extra) raises DbomError.

    `content`, when given, is the file's whole content as it was just hashed: a Parquet file is
    then parsed from it (the same bytes the digests are of) without opening the file again.

    `profile` (a dbom.profile InlineProfile), for a format in `PROFILE_FORMATS`: the content profile is made
    from the blocks the reader reads, and is the Inspection's `profile`; other formats ignore it.
    """
    if content is not None and detected.format == "parquet":
        return inspect_parquet(path, detected, records_digest, content=content, profile=profile)
    path = Path(path)  # made only here: a file parsed from its content needs none (3 to 10 µs a file)
    reader = _READERS.get(detected.format)
    if reader is None:
        raise ValueError(f"unknown shard format {detected.format!r}")
    if profile is not None and detected.format in PROFILE_FORMATS:
        return reader(path, detected, records_digest=records_digest, profile=profile)  # type: ignore[call-arg]
    if records_digest and detected.format in DIGEST_FORMATS:
        return reader(path, detected, records_digest=True)  # type: ignore[call-arg]
    return reader(path, detected)
