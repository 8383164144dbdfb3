"""Size limits and block sizes of the format readers, in one place."""

from __future__ import annotations

# Bytes asked of the OS (or of a decompressor) per read: large enough that Python-level
# overhead is negligible, small enough that memory stays bounded whatever the file size.
READ_BLOCK_BYTES = 1 << 20

# Compressed bytes fed to the zstd decompressor per call, adapted to the ratio seen so that each
# call yields about READ_BLOCK_BYTES: its output cannot be capped by the caller, so the feed
# starts at the minimum (even zstd's extreme ratio of ~32768 then gives tens of MiB, not GiB).
ZSTD_MIN_INPUT_BYTES = 1 << 10
ZSTD_MAX_INPUT_BYTES = 1 << 20

# The longest line (one JSON Lines record, one CSV line) that is accepted; a longer one means
# the file is not line-oriented (or is corrupt) and is refused instead of filling memory.
MAX_LINE_BYTES = 256 << 20

# A `.json` document is parsed whole, so its uncompressed size is bounded; larger corpora
# should be JSON Lines, which is read as a stream.
JSON_MAX_BYTES = 512 << 20

# The most distinct top-level keys reported as columns of a JSON / JSON Lines shard; keys first
# seen after this many are not reported (a "record" of unbounded keys is a map, not a row).
MAX_JSON_COLUMNS = 4096

# The largest CSV field accepted; the `csv` module's default (128 KiB) is too small for text
# corpora. Raised process-wide once, never lowered.
CSV_FIELD_BYTES = MAX_LINE_BYTES

# WARC: the payload text of one record that `iter_warc_texts` yields at most (after HTTP decoding); the rest of a
# longer payload is skipped, not read into memory. Common Crawl cuts its payloads at 1 MiB.
WARC_MAX_TEXT_BYTES = 64 << 20

# WARC: the most distinct payload media types reported in a shard's `payload` column; later ones are not listed.
MAX_WARC_MEDIA_TYPES = 32

# WARC: how much of the last record's start is read to find the end of its headers (FastWARC's own limit is 32 KiB).
WARC_HEADER_PROBE_BYTES = 64 << 10
