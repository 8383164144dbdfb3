"""Numbers for people: sizes in binary units and counts with thousands separators."""

from __future__ import annotations


def human_bytes(n: float) -> str:
    """Bytes in binary units: `512 B`, `1.5 KiB`, `-2.0 GiB` (deltas keep their sign)."""
    sign = "-" if n < 0 else ""
    n = abs(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024:
            return f"{sign}{n:.0f} {unit}" if unit == "B" else f"{sign}{n:.1f} {unit}"
        n /= 1024
    return f"{sign}{n:.1f} PiB"


def human_count(n: float) -> str:
    """A count with thousands separators: 12,345."""
    return f"{n:,.0f}"


def plural(n: int, noun: str) -> str:
    """`n` and `noun`, with an `s` unless `n` is 1: `1 shard`, `2,048 shards`."""
    return f"{human_count(n)} {noun}{'' if n == 1 else 's'}"
