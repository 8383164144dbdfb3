"""Finding a dataset's license files and recognising the few licenses datasets commonly use.

This is a small, deliberately conservative recogniser, not a license-matching engine (matching against
the whole SPDX license list comes later). It knows these licenses and nothing else: MIT, Apache-2.0,
BSD-2-Clause, BSD-3-Clause, CC0-1.0, the Creative Commons Attribution family in versions 4.0 and
3.0 Unported (BY, BY-SA, BY-NC, BY-ND, BY-NC-SA, BY-NC-ND), ODC-By-1.0, ODbL-1.0, PDDL-1.0,
GPL-3.0-only and Unlicense.

A text is recognised in one of two ways:

1. an `SPDX-License-Identifier: X` line whose value is an SPDX id (or expression) known to the CycloneDX
   schema; the text around it must not read as a different license;
2. the license's title and distinctive sentences, found after the text is normalised (case, whitespace,
   punctuation, quotes, "licence"/"license"), with known variants ruled out (BSD with an advertising or
   patent clause, MIT with the X11 clause, the LGPL and AGPL that quote the GPL...).

When the text matches no rule, or more than one license, or a Creative Commons title with a version or
port that is not listed above, the answer is NOASSERTION: this module never guesses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from dbom.errors import DbomError
from dbom.licensing.names import is_data_license_name, is_license_file_name
from dbom.model import NOASSERTION

MAX_LICENSE_BYTES = 1024 * 1024  # a license file is read up to this many bytes

def find_license_files(root: Path) -> list[Path]:
    """The license files at the top level of `root`: data-license files first, then the rest, by name."""
    try:
        found = [p for p in root.iterdir() if is_license_file_name(p.name) and p.is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda p: (not is_data_license_name(p.name), p.name))


def recognise_file(path: Path) -> str:
    """The SPDX id (or expression) of the license in `path`, or NOASSERTION. Reads at most MAX_LICENSE_BYTES.

    Raises DbomError naming the file when it cannot be read.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_LICENSE_BYTES)
    except OSError as exc:
        raise DbomError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if b"\x00" in data:
        return NOASSERTION  # not text
    return recognise_text(data.decode("utf-8", errors="replace"))


def recognise_text(text: str) -> str:
    """The SPDX id (or expression) of the license `text` states, or NOASSERTION when not confident.

    An `SPDX-License-Identifier:` line decides when present. Otherwise a full license text is
    matched against the SPDX list's texts (dbom.licensing.matcher), and titles and distinctive
    phrases are recognised too; when both answer they must agree.
    """
    by_phrases = _recognise_by_phrases(text)
    if _spdx_tags(text):
        return by_phrases
    from dbom.licensing.matcher import identify

    full_text = identify(text)
    if full_text is None:
        return by_phrases
    return full_text.spdx_id if by_phrases in (NOASSERTION, full_text.spdx_id) else NOASSERTION


def _recognise_by_phrases(text: str) -> str:
    norm = normalise(text)
    found = {rule.spdx for rule in _RULES if rule.matches(norm)}
    cc, cc_unsure = _creative_commons(norm)
    found |= cc
    tags = _spdx_tags(text)
    if len(tags) > 1:
        return NOASSERTION
    if tags:
        (tag,) = tags
        from license_expression import get_spdx_licensing

        keys = set(get_spdx_licensing().license_keys(tag))
        return tag if found <= keys and not cc_unsure else NOASSERTION
    if cc_unsure or len(found) != 1:
        return NOASSERTION
    return found.pop()


# --- normalising --------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, `licence` -> `license`, `&` -> `and`, every run of characters other than letters, digits
    and version dots turned into one space; the result starts and ends with a space."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"\blicenc(e|es|ed|or|ors)\b", r"licens\1", text)
    text = re.sub(r"[^a-z0-9.]+", " ", text)
    text = re.sub(r"\.(?!\d)|(?<!\d)\.", " ", text)  # keep dots only inside numbers such as 4.0
    return " " + " ".join(text.split()) + " "


@functools.cache
def _phrase(text: str) -> str:
    return normalise(text)


@dataclass(frozen=True)
class _Rule:
    """A license: every group in `all_of` must have one phrase present, no phrase of `none_of` may be."""

    spdx: str
    all_of: tuple[tuple[str, ...], ...]
    none_of: tuple[str, ...] = ()

    def matches(self, norm: str) -> bool:
        return all(any(_phrase(p) in norm for p in group) for group in self.all_of) and not any(
            _phrase(p) in norm for p in self.none_of
        )


_BSD_CLAUSES = (
    ("Redistribution and use in source and binary forms, with or without modification, are permitted "
     "provided that the following conditions are met",),
    ("Redistributions of source code must retain the above copyright notice, this list of conditions and "
     "the following disclaimer",),
    ("Redistributions in binary form must reproduce the above copyright notice, this list of conditions "
     "and the following disclaimer in the documentation and/or other materials provided with the "
     "distribution",),
    ('"AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES '
     "OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED",),
)
# Clauses that make a BSD text one of SPDX's other BSD variants.
_BSD_VARIANTS = ("advertising materials", "patent", "patents", "nuclear", "military", "acknowledgement",
                 "acknowledgment")
_BSD_ENDORSE = ("endorse or promote products derived from this software without specific prior written "
                "permission")

_RULES: tuple[_Rule, ...] = (
    _Rule("MIT", (
        ("Permission is hereby granted, free of charge, to any person obtaining a copy",),
        ("The above copyright notice and this permission notice shall be included in all copies or "
         "substantial portions of the Software",),
        ('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED',),
    ), none_of=("Except as contained in this notice", "shall not be used in advertising")),
    _Rule("Apache-2.0", (
        ("Apache License, Version 2.0", "Apache License Version 2.0"),
        ("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
         "you may not use this file except in compliance with the License"),
    )),
    _Rule("BSD-3-Clause", (*_BSD_CLAUSES, ("Neither the name of",), (_BSD_ENDORSE,)), none_of=_BSD_VARIANTS),
    _Rule("BSD-2-Clause", _BSD_CLAUSES, none_of=(*_BSD_VARIANTS, "endorse or promote")),
    _Rule("CC0-1.0", (
        ("CC0 1.0 Universal", "Creative Commons Zero v1.0 Universal", "Creative Commons CC0 1.0"),
    )),
    _Rule("ODC-By-1.0", (("Open Data Commons Attribution License",),)),
    _Rule("ODbL-1.0", (("Open Database License",), ("ODbL",))),
    _Rule("PDDL-1.0", (("Open Data Commons",), ("Public Domain Dedication and License",))),
    # The GPL's own text names the LGPL and the AGPL, so those are told apart by their title lines.
    _Rule("GPL-3.0-only", (("GNU General Public License Version 3, 29 June 2007",),),
          none_of=("GNU Lesser General Public License Version 3, 29 June 2007",
                   "GNU Affero General Public License Version 3, 19 November 2007")),
    _Rule("Unlicense", (
        ("This is free and unencumbered software released into the public domain",),
        ("Anyone is free to copy, modify, publish, use, compile, sell, or distribute this software",),
    )),
)


# --- Creative Commons Attribution family --------------------------------------------------------------

_CC_TITLE = re.compile(
    r" (?:attribution|cc by)"
    r"((?: (?:noncommercial|non commercial|nc|sharealike|share alike|sa|noderivatives|no derivatives"
    r"|noderivs|no derivs|nd))*)"
    r" (?:version |v)?(\d+\.\d+)(?: (international|unported|generic))?(?= )"
)
_CC_MENTION = (" creative commons ", " creativecommons.org ")
_CC_NC = ("noncommercial", "non commercial", "nc")
_CC_SA = ("sharealike", "share alike", "sa")
_CC_ND = ("noderivatives", "no derivatives", "noderivs", "no derivs", "nd")


def _creative_commons(norm: str) -> tuple[set[str], bool]:
    """({ids of the CC BY titles found}, True if some CC BY title was found that is not one we know)."""
    ids: set[str] = set()
    unsure = False
    cc_text = any(m in norm for m in _CC_MENTION)
    for match in _CC_TITLE.finditer(norm):
        if not match.group(0).startswith(" cc by") and not cc_text:
            continue  # "attribution 4.0" with no Creative Commons anywhere: not a CC title
        words = f" {match.group(1)} "
        nc = any(f" {w} " in words for w in _CC_NC)
        sa = any(f" {w} " in words for w in _CC_SA)
        nd = any(f" {w} " in words for w in _CC_ND)
        version, port = match.group(2), match.group(3)
        v4 = version == "4.0" and port in (None, "international")
        v3 = version == "3.0" and port == "unported"
        if (sa and nd) or not (v4 or v3):
            unsure = True
            continue
        elements = ("-NC" if nc else "") + ("-ND" if nd else "") + ("-SA" if sa else "")
        ids.add(f"CC-BY{elements}-{version}")
    return ids, unsure


# --- SPDX-License-Identifier lines --------------------------------------------------------------------

_SPDX_TAG = re.compile(r"SPDX-License-Identifier\s*:\s*(.*)", re.IGNORECASE)


def _spdx_tags(text: str) -> set[str]:
    """The distinct valid values of the text's `SPDX-License-Identifier:` lines (invalid ones are ignored)."""
    tags: set[str] = set()
    matches = list(_SPDX_TAG.finditer(text))
    if not matches:
        return tags
    # the SPDX tables load on first use only: a scan that matches no license text never needs them
    from cyclonedx.spdx import fixup_id, is_expression
    from license_expression import get_spdx_licensing

    for match in matches:
        value = re.split(r"\s*(?:\*/|-->|#\}|\"|')", match.group(1))[0].strip()
        spdx = fixup_id(value)
        if spdx is None and value and is_expression(value):
            spdx = str(get_spdx_licensing().parse(value).render())
        if spdx is not None:
            tags.add(spdx)
    return tags
