"""A dataset's shard summary kept in a form that can be updated shard by shard, both ways.

`ShardSummary` (dbom.model) holds what a dataset's component says of its shards: totals, and some
"first" facts in path order (the first shard of each format, the first with each column...). A
rescan where a few files changed must give the same summary as a scan of every file, without
reading the 10^6 others again. So the kept lines of a dataset (dbom.scanning.snapshot_lines) keep
this index beside them: every total, and for each group that a "first" fact depends on (a format, a
schema, the shards without a count or a schema) its count and first path. Removing a shard and
adding another is then exact, except when the removed shard was the first of a group that keeps
others and no shard before it came back (a changed file is removed and added again): its successor
is not known, and `NotExact` sends the rescan to the full path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from dbom.model import Column, FormatTotals, Shard, ShardSummary


class NotExact(Exception):
    """The index cannot tell the summary after this change (the first shard of a group was removed)."""


class _Group:
    """Shards that share something: how many, and the first of them by path.

    Removing the first while others remain leaves the first unknown (`lost`), until a shard at or
    before the lost path is added (a changed file is removed, then added again): it is the first then.
    """

    __slots__ = ("count", "first", "lost")

    def __init__(self, count: int = 0, first: str | None = None) -> None:
        self.count = count
        self.first = first
        self.lost: str | None = None

    def add(self, path: str) -> None:
        self.count += 1
        if self.lost is not None:
            if path <= self.lost:
                self.first, self.lost = path, None
        elif self.first is None or path < self.first:
            self.first = path

    def remove(self, path: str) -> None:
        self.count -= 1
        if self.count == 0:
            self.first = self.lost = None
        elif path == self.first:
            self.first, self.lost = None, path


class SummaryIndex:
    """The totals and groups a ShardSummary is made of; `add` and `remove` shards, then `summary`."""

    def __init__(self) -> None:
        self.shards = self.bytes = self.text_bytes = self.records = self.license_column_bytes = 0
        self.uncounted = _Group()
        self.errors = _Group()
        self.schemaless = _Group()
        self.undigested = 0  # shards without a records digest (or with one that does not parse)
        self.formats: dict[tuple[str, str | None], tuple[_Group, list[int]]] = {}  # group, [records, bytes]
        self.schemas: dict[str, _Group] = {}  # by the schema's JSON text
        self.digests: dict[str, list[int]] = {}  # scheme -> [shards, sum of their digests mod 2^64]
        self._texts: dict[int, tuple[tuple[Column, ...], str, bool]] = {}  # by id: (columns, text, license column)

    @classmethod
    def of(cls, shards: Iterable[Shard]) -> SummaryIndex:
        """The index of `shards`."""
        index = cls()
        for shard in shards:
            index.add(shard)
        return index

    def add(self, shard: Shard) -> None:
        """Count `shard` in."""
        self._apply(shard, 1)

    def remove(self, shard: Shard) -> None:
        """Count `shard` out (NotExact when the summary cannot follow)."""
        self._apply(shard, -1)

    def _apply(self, shard: Shard, sign: int) -> None:
        path = shard.path
        self.shards += sign
        self.bytes += sign * shard.bytes
        self.text_bytes += sign * (shard.uncompressed_bytes or shard.bytes)
        if shard.records is None:
            _change(self.uncounted, path, sign)
        else:
            self.records += sign * shard.records
        if shard.error:
            _change(self.errors, path, sign)
        kind = (shard.format, shard.compression)
        known = self.formats.get(kind)
        if known is None:
            known = self.formats[kind] = (_Group(), [0, 0])
        _change(known[0], path, sign)
        known[1][0] += sign * (shard.records or 0)
        known[1][1] += sign * shard.bytes
        if not known[0].count:
            del self.formats[kind]
        if shard.columns is None:
            _change(self.schemaless, path, sign)
        else:
            _columns, text, licensed = self._schema(shard.columns)
            group = self.schemas.get(text)
            if group is None:
                group = self.schemas[text] = _Group()
            _change(group, path, sign)
            if not group.count:
                del self.schemas[text]
            if licensed and not shard.error:
                self.license_column_bytes += sign * shard.bytes
        scheme, value = _digest(shard.records_digest)
        if scheme is None:
            self.undigested += sign
        else:
            totals = self.digests.setdefault(scheme, [0, 0])
            totals[0] += sign
            totals[1] = (totals[1] + sign * value) % (1 << 64)
            if not totals[0]:
                del self.digests[scheme]

    def _schema(self, columns: tuple[Column, ...]) -> tuple[tuple[Column, ...], str, bool]:
        known = self._texts.get(id(columns))
        if known is None:
            from dbom.formats.base import schema_text
            from dbom.licensing.record_licenses import license_column  # it imports dbom.model

            known = self._texts[id(columns)] = (columns, schema_text(columns), license_column(columns) is not None)
        return known

    def summary(self) -> ShardSummary:
        """The ShardSummary of the shards counted in (as ShardSummary.of would make it from them); NotExact
        when the first shard of a group was removed and none before it added since."""
        groups = [self.uncounted, self.errors, self.schemaless, *(g for g, _ in self.formats.values()),
                  *self.schemas.values()]
        if any(group.lost is not None for group in groups):
            raise NotExact("the first shard of a group was removed")
        columns: dict[str, str] = {}
        column_types: dict[str, set[str]] = {}
        for text, _group in sorted(self.schemas.items(), key=lambda item: item[1].first or ""):
            for name, kind in json.loads(text):
                columns.setdefault(name, kind)
                column_types.setdefault(name, set()).add(kind)
        formats = sorted(self.formats.items(), key=lambda item: item[1][0].first or "")
        digest = None
        if not self.undigested and len(self.digests) == 1:
            scheme, (_count, value) = next(iter(self.digests.items()))
            digest = f"{scheme}:{value:016x}"
        return ShardSummary(
            shards=self.shards, bytes=self.bytes, records=None if self.uncounted.count else self.records,
            text_bytes=self.text_bytes, errors=self.errors.count, first_error=self.errors.first,
            uncounted=self.uncounted.count, first_uncounted=self.uncounted.first, schemaless=self.schemaless.count,
            first_schemaless=self.schemaless.first, columns=tuple(Column(n, t) for n, t in columns.items()),
            column_types=tuple((n, tuple(sorted(t))) for n, t in column_types.items()),
            formats=tuple(FormatTotals(f, c, group.count, totals[0], totals[1])
                          for (f, c), (group, totals) in formats),
            license_column_bytes=self.license_column_bytes, records_digest=digest)

    def to_json(self) -> dict[str, Any]:
        """The index as JSON data (`from_json` reads it back)."""
        return {
            "totals": [self.shards, self.bytes, self.text_bytes, self.records, self.license_column_bytes,
                       self.undigested],
            "uncounted": [self.uncounted.count, self.uncounted.first],
            "errors": [self.errors.count, self.errors.first],
            "schemaless": [self.schemaless.count, self.schemaless.first],
            "formats": [[f, c, g.count, g.first, *totals] for (f, c), (g, totals) in self.formats.items()],
            "schemas": [[text, g.count, g.first] for text, g in self.schemas.items()],
            "digests": [[scheme, *totals] for scheme, totals in self.digests.items()],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SummaryIndex:
        """The index `to_json` made `data` from (KeyError, TypeError or ValueError when it is not one)."""
        index = cls()
        (index.shards, index.bytes, index.text_bytes, index.records, index.license_column_bytes,
         index.undigested) = (int(v) for v in data["totals"])
        index.uncounted, index.errors, index.schemaless = (
            _Group(int(data[k][0]), data[k][1]) for k in ("uncounted", "errors", "schemaless"))
        index.formats = {(f, c): (_Group(int(n), first), [int(records), int(size)])
                         for f, c, n, first, records, size in data["formats"]}
        index.schemas = {str(text): _Group(int(n), first) for text, n, first in data["schemas"]}
        index.digests = {str(scheme): [int(n), int(value)] for scheme, n, value in data["digests"]}
        return index


def _change(group: _Group, path: str, sign: int) -> None:
    if sign > 0:
        group.add(path)
    else:
        group.remove(path)


def _digest(digest: str | None) -> tuple[str | None, int]:
    """(scheme, value) of a shard's records digest, as ShardTally reads it; (None, 0) when it has none."""
    scheme, _, hex_sum = (digest or "").partition(":")
    if not scheme or len(hex_sum) != 16:
        return None, 0
    try:
        return scheme, int(hex_sum, 16)
    except ValueError:
        return None, 0
