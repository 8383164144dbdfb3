"""Plain text shards: one record per line."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

from dbom.formats.base import Detected, Inspection
from dbom.formats.compression import iter_blocks
from dbom.formats.records_digest import TextRecords


def inspect_text(path: Path, detected: Detected, records_digest: bool = False, profile: Any = None) -> Inspection:
    """Count the lines of a text shard (a last line without a newline counts); no columns.

    Lines are counted on the bytes, in large blocks, without decoding: a text corpus in a legacy
    encoding is still text. Empty lines count as records. `uncompressed_bytes` is set when
    the shard is compressed. With `records_digest`, the `text` records digest of the lines is
    computed too. With `profile` (an InlineProfile), the blocks read are profiled too, and the profile is
    the Inspection's.
    """
    lines = 0
    size = 0
    last = b"\n"
    digest = TextRecords() if records_digest else None
    with closing(iter_blocks(path, detected.compression)) as blocks:
        for block in profile.tap(blocks) if profile is not None else blocks:
            if digest is not None:
                digest.feed(block)
            lines += block.count(b"\n")
            size += len(block)
            last = block[-1:]
    if last != b"\n":
        lines += 1
    return Inspection(lines, None, size if detected.compression else None, digest.digest() if digest else None,
                      profile=profile.result() if profile is not None else None)
