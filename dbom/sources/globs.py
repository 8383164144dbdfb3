"""Glob patterns over dataset-relative POSIX paths, with `**` spanning folders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: str, patterns: Iterable[str]) -> bool:
    """True when the relative POSIX `path` matches any of the glob `patterns`.

    `*` and `?` stay within one folder level, `**` spans levels (`**/x` also matches `x`),
    and a pattern ending in `/` matches everything below that folder.
    """
    for pattern in patterns:
        pattern = pattern.lstrip("./") if pattern.startswith("./") else pattern
        if pattern.endswith("/"):
            pattern += "**"
        if _compile(pattern).match(path):
            return True
    return False


def selected(path: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """True when `path` is kept by the include globs (all, if none) and not dropped by exclude."""
    if include and not matches(path, include):
        return False
    return not (exclude and matches(path, exclude))
