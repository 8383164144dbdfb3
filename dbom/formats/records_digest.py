"""Order-independent digests over the records of a shard (opt-in: `dbom scan --records-digest`).

A shard's records digest is `<scheme>:<16 hex digits>`: the sum, modulo 2^64, of a 64-bit hash
of each record. A sum does not depend on the order of the records nor on how they are split
into files, so the digests of a dataset's shards add up (`Dataset.records_digest`) to a digest
of its records as a multiset: re-sharding the same records keeps it; changing, adding,
removing or duplicating a record changes it (but for a 2^-64 chance: these hashes are for
noticing change, not for resisting an adversary). The shard's record count is recorded beside it
(`dbom:records`), so the pair (count, sum) is what `dbom diff` compares.

Digests of different schemes are never compared. The schemes and what a record hash covers:

- `json` (JSON Lines, JSON): XXH3-64 of the record's canonical JSON, i.e. the value re-encoded
  with keys sorted, no whitespace, non-ASCII characters as UTF-8 (not escaped), integers as
  digits and floats by their shortest round-trip form. Re-serialising a record (key order,
  spacing, escapes) keeps its hash; a JSON Lines and a JSON array file of the same records agree.
- `csv` (CSV, TSV): XXH3-64 of the row's fields as a canonical JSON array of strings, seeded
  with the XXH3-64 of the header's canonical JSON array. Column order matters; a CSV and a TSV
  of the same table agree.
- `text`: XXH3-64 of each line's bytes without its line ending (LF or CRLF).
- `arrow` (Parquet, Arrow IPC file and stream): a hash of each row computed on the Arrow data,
  column by column with NumPy (see `arrow_row_hashes`); the only per-value Python call is the
  C-level XXH3 of a string or binary value. Columns are keyed by name and summed, so column
  order does not matter, and neither does the physical layout: row groups and batches,
  compression, dictionary encoding, `string` vs `large_string` vs `binary`, integer widths.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import xxhash

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

SCHEME_JSON = "json"
SCHEME_CSV = "csv"
SCHEME_TEXT = "text"
SCHEME_ARROW = "arrow"
SCHEMES = (SCHEME_JSON, SCHEME_CSV, SCHEME_TEXT, SCHEME_ARROW)

MASK64 = (1 << 64) - 1

_hash64 = xxhash.xxh3_64_intdigest
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def format_digest(scheme: str, total: int) -> str:
    """The digest string `<scheme>:<16 hex digits>` of a sum of record hashes."""
    return f"{scheme}:{total & MASK64:016x}"


def canonical_json(value: Any) -> bytes:
    """The canonical JSON encoding of a parsed JSON value (see the `json` scheme)."""
    return _CANONICAL.encode(value).encode("utf-8")


class JsonRecords:
    """Accumulates the `json` scheme over parsed records."""

    def __init__(self) -> None:
        self.total = 0
        self._dumps = _CANONICAL.encode

    def add(self, value: Any) -> None:
        """Add one parsed JSON record."""
        self.total += _hash64(self._dumps(value).encode("utf-8"))

    def digest(self) -> str:
        """The digest of the records added so far."""
        return format_digest(SCHEME_JSON, self.total)


class CsvRecords:
    """Accumulates the `csv` scheme over rows, once the header is known."""

    def __init__(self, header: list[str]) -> None:
        self._dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
        self._seed = _hash64(self._dumps(header).encode("utf-8"))
        self.total = 0

    def add(self, row: list[str]) -> None:
        """Add one data row."""
        self.total += _hash64(self._dumps(row).encode("utf-8"), self._seed)

    def digest(self) -> str:
        """The digest of the rows added so far."""
        return format_digest(SCHEME_CSV, self.total)


class TextRecords:
    """Accumulates the `text` scheme over a stream of byte blocks, in bounded memory.

    A line may span blocks (or be longer than memory allows): its bytes go to a streaming
    XXH3-64, its last byte held back until the line ends, so that the "\r" of a CRLF is dropped.
    """

    def __init__(self) -> None:
        self.total = 0
        self._open: Any = None  # a streaming hash of the line not yet ended, if any
        self._held = b""  # its last byte, not yet hashed

    def feed(self, block: bytes) -> None:
        """Add the lines that end in `block` (after the one left open by the previous block)."""
        first = block.find(b"\n")
        if first < 0:
            self._extend(block)
            return
        self._extend(block[:first])
        self._close()
        last = block.rfind(b"\n")
        if last > first:
            lines = block[first + 1 : last + 1].replace(b"\r\n", b"\n").split(b"\n")
            lines.pop()  # the empty piece after the final newline
            self.total += sum(map(_hash64, lines))
        if last + 1 < len(block):
            self._extend(block[last + 1 :])

    def _extend(self, piece: bytes) -> None:
        if not piece:
            return
        if self._open is None:
            self._open = xxhash.xxh3_64()
        self._open.update(self._held)
        self._open.update(memoryview(piece)[:-1])
        self._held = piece[-1:]

    def _close(self) -> None:
        if self._open is None:
            self.total += _hash64(b"")
            return
        if self._held != b"\r":
            self._open.update(self._held)
        self.total += self._open.intdigest()
        self._open = None
        self._held = b""

    def digest(self) -> str:
        """The digest of every line fed, the last one included even without a newline."""
        if self._open is not None:
            self._close()
        return format_digest(SCHEME_TEXT, self.total)


# --- Arrow -------------------------------------------------------------------------------------
#
# Every value gets a 64-bit hash, every null (at any depth) the constant NULL_HASH:
#   integers of any width (and dates, times, timestamps, durations, booleans, by their integer
#   storage): mix(value as a 64-bit two's complement ^ TAG_INT);
#   floating point of any width: mix(IEEE float64 bits ^ TAG_FLOAT), every NaN as one NaN;
#   decimals: the little-endian 64-bit words w0, w1... of the value folded as h = mix(h ^ w),
#   starting from TAG_DECIMAL;
#   strings, binaries (any offset width, views, fixed size): XXH3-64 of the bytes;
#   lists (and fixed-size lists, maps as lists of key/value structs): with e_t the hash of the
#   t-th element, mix(sum_t mix(e_t + (t+1)*POSITION) ^ mix(length ^ TAG_LIST));
#   structs and rows: mix((sum_f h_f * (XXH3-64(field name) | 1)) ^ TAG_STRUCT), i.e. each field's
#   hash times an odd multiplier derived from the field's name;
#   dictionaries: the hash of the value the index points to; other types (unions): XXH3-64 of
#   the repr of the Python value.
# mix is SplitMix64's finaliser; sums are modulo 2^64.

NULL_HASH = 0x6A09E667F3BCC908
TAG_INT = 0xBB67AE8584CAA73B
TAG_FLOAT = 0x3C6EF372FE94F82B
TAG_DECIMAL = 0xA54FF53A5F1D36F1
TAG_LIST = 0x510E527FADE682D1
TAG_STRUCT = 0x9B05688C2B3E6C1F
POSITION = 0x9E3779B97F4A7C15
_CANONICAL_NAN = 0x7FF8000000000000
# Above this mean length, string values are hashed as slices of the Arrow buffer rather than as
# Python bytes objects (cheaper per value for short ones, no copy for long ones). Same hashes.
LONG_VALUE_BYTES = 256


def _mix(x: np.ndarray, tag: int = 0) -> np.ndarray:
    """SplitMix64's finaliser of `x ^ tag` on a uint64 array (a bijection); returns a new array, `x` is kept."""
    import numpy as np

    y = x ^ np.uint64(tag) if tag else x.copy()
    t = y >> np.uint64(30)
    y ^= t
    y *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(y, np.uint64(27), out=t)
    y ^= t
    y *= np.uint64(0x94D049BB133111EB)
    np.right_shift(y, np.uint64(31), out=t)
    y ^= t
    return y


def arrow_row_hashes(columns: Iterable[tuple[str, pa.Array]], num_rows: int) -> np.ndarray:
    """The hash of each row of a table given as (name, array) columns, as a uint64 array."""
    import numpy as np

    fields = [(name, _hash_array(array)) for name, array in columns]
    return _struct_hash(fields, num_rows, np)


def arrow_batch_sum(batch: pa.RecordBatch) -> int:
    """The sum modulo 2^64 of the row hashes of a record batch."""
    import numpy as np

    hashes = arrow_row_hashes(zip(batch.schema.names, batch.columns, strict=True), batch.num_rows)
    return int(hashes.sum(dtype=np.uint64))


def _struct_hash(fields: list[tuple[str, np.ndarray]], n: int, np: Any) -> np.ndarray:
    total = np.zeros(n, dtype=np.uint64)
    for name, hashes in fields:
        hashes *= np.uint64(_hash64(name.encode("utf-8")) | 1)  # the arrays are this function's to change
        total += hashes
    return _mix(total, TAG_STRUCT)


def _hash_array(array: pa.Array) -> np.ndarray:
    """One uint64 hash per value of `array` (see the rules above)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    n = len(array)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    if pa.types.is_null(kind):
        return np.full(n, NULL_HASH, dtype=np.uint64)
    if isinstance(kind, pa.ExtensionType):
        return _hash_array(array.storage)
    if pa.types.is_dictionary(kind):
        values = _hash_array(array.dictionary)
        indices = np.asarray(array.indices.fill_null(0).cast(pa.int64()))
        hashes = values[indices] if len(values) else np.full(n, NULL_HASH, dtype=np.uint64)
    elif pa.types.is_run_end_encoded(kind):
        return _hash_array(pc.run_end_decode(array))
    elif pa.types.is_boolean(kind):
        bits = np.unpackbits(np.frombuffer(array.buffers()[1], dtype=np.uint8), bitorder="little")
        hashes = _mix(bits[array.offset : array.offset + n].astype(np.uint64), TAG_INT)
    elif pa.types.is_integer(kind) or _is_temporal(kind, pa):
        hashes = _hash_integers(array, pa, np)
    elif pa.types.is_floating(kind):
        width = {16: np.float16, 32: np.float32, 64: np.float64}[kind.bit_width]
        values = _raw_values(array, width, np).astype(np.float64)
        bits = values.view(np.uint64)
        bits[np.isnan(values)] = np.uint64(_CANONICAL_NAN)
        hashes = _mix(bits, TAG_FLOAT)
    elif pa.types.is_decimal(kind):
        hashes = _hash_decimals(array, np)
    elif _is_binary_like(kind, pa):
        hashes = _hash_binaries(array, pa, np)
    elif pa.types.is_map(kind):
        entries = pa.struct([kind.key_field, kind.item_field])
        return _hash_array(array.cast(pa.list_(pa.field("entries", entries, nullable=False))))
    elif pa.types.is_list_view(kind) or pa.types.is_large_list_view(kind):
        return _hash_array(array.cast(pa.large_list(kind.value_field)))
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        hashes = _hash_lists(array, pc, np)
    elif pa.types.is_struct(kind):
        children = array.flatten()
        hashes = _struct_hash([(kind.field(i).name, _hash_array(c)) for i, c in enumerate(children)], n, np)
    else:  # unions and whatever Arrow adds later
        hashes = np.fromiter((_hash64(repr(v).encode("utf-8")) for v in array.to_pylist()), np.uint64, n)
    if array.null_count:
        hashes[np.asarray(array.is_null())] = np.uint64(NULL_HASH)
    return hashes


def _is_temporal(kind: pa.DataType, pa: Any) -> bool:
    return bool(pa.types.is_temporal(kind) and not pa.types.is_interval(kind))


def _is_binary_like(kind: pa.DataType, pa: Any) -> bool:
    t = pa.types
    return bool(t.is_string(kind) or t.is_large_string(kind) or t.is_binary(kind) or t.is_large_binary(kind)
                or t.is_fixed_size_binary(kind) or t.is_string_view(kind) or t.is_binary_view(kind))


def _raw_values(array: pa.Array, dtype: Any, np: Any) -> np.ndarray:
    """The values buffer of a fixed-width array as NumPy, without a copy (null slots hold anything)."""
    buffer = array.buffers()[1]
    return np.frombuffer(buffer, dtype=dtype, count=array.offset + len(array))[array.offset :]


def _hash_integers(array: pa.Array, pa: Any, np: Any) -> np.ndarray:
    kind = array.type
    signed = not pa.types.is_unsigned_integer(kind)  # temporal types are signed integers underneath
    width = {8: "int8", 16: "int16", 32: "int32", 64: "int64"}[kind.bit_width]
    values = _raw_values(array, getattr(np, width if signed else "u" + width), np)
    values = values.astype(np.int64 if signed else np.uint64).view(np.uint64)  # a copy of our own
    return _mix(values, TAG_INT)


def _hash_decimals(array: pa.Array, np: Any) -> np.ndarray:
    width = array.type.bit_width // 8
    raw = np.frombuffer(array.buffers()[1], dtype=np.uint8)[array.offset * width : (array.offset + len(array)) * width]
    raw = raw.reshape(len(array), width)
    if width % 8:  # decimal32: sign-extend to one 64-bit word
        signed = raw.view(np.int32 if width == 4 else np.int64).astype(np.int64)
        words = signed.view(np.uint64).reshape(len(array), 1)
    else:
        words = np.ascontiguousarray(raw).view(np.uint64)
    hashes = np.full(len(array), TAG_DECIMAL, dtype=np.uint64)
    for column in range(words.shape[1]):
        hashes = _mix(hashes ^ words[:, column])
    return hashes


def _hash_binaries(array: pa.Array, pa: Any, np: Any) -> np.ndarray:
    kind = array.type
    if pa.types.is_string(kind):
        array = array.cast(pa.binary())
    elif pa.types.is_large_string(kind) or pa.types.is_string_view(kind) or pa.types.is_binary_view(kind):
        array = array.cast(pa.large_binary())
    n = len(array)
    if not pa.types.is_fixed_size_binary(kind):
        offsets_buffer, data_buffer = array.buffers()[1:3]
        width = np.int64 if pa.types.is_large_binary(array.type) else np.int32
        offsets = np.frombuffer(offsets_buffer, dtype=width)[array.offset : array.offset + n + 1]
        if data_buffer is not None and n and (offsets[-1] - offsets[0]) > LONG_VALUE_BYTES * n:
            # long values: hash slices of the buffer in place (a copy per value would cost more than the hash)
            data = memoryview(data_buffer)
            slices = map(slice, offsets[:-1].tolist(), offsets[1:].tolist())
            return np.fromiter(map(_hash64, map(data.__getitem__, slices)), np.uint64, n)
    if array.null_count and not pa.types.is_fixed_size_binary(kind):
        array = array.fill_null(b"")
    values = array.to_numpy(zero_copy_only=False)
    if pa.types.is_fixed_size_binary(kind) and array.null_count:
        return np.fromiter((0 if v is None else _hash64(v) for v in values), np.uint64, len(array))
    return np.fromiter(map(_hash64, values), np.uint64, len(array))


def _hash_lists(array: pa.Array, pc: Any, np: Any) -> np.ndarray:
    lengths = np.asarray(pc.list_value_length(array).fill_null(0)).astype(np.int64)
    elements = _hash_array(array.flatten())
    starts = np.cumsum(lengths) - lengths
    position = np.arange(len(elements), dtype=np.uint64) - np.repeat(starts, lengths).astype(np.uint64)
    terms = _mix(elements + (position + np.uint64(1)) * np.uint64(POSITION))
    sums = np.concatenate(([np.uint64(0)], np.cumsum(terms, dtype=np.uint64)))
    ends = starts + lengths
    segment = sums[ends] - sums[starts]
    return _mix(segment ^ _mix(lengths.astype(np.uint64) ^ np.uint64(TAG_LIST)))
