"""License classes: what a data license lets a model trainer do, coarsely, with an order of restrictiveness.

The classes, from least to most restrictive (Creative Commons' own "most free to least free"
order, with the unknown last because nothing may be assumed of it):

=================  ===========================================================================
permissive         use for any purpose, little more than keeping a notice (CC0, PDDL, MIT...)
attribution        any purpose, with credit given to the authors (CC-BY, ODC-By)
share-alike        adaptations must be shared under the same terms (CC-BY-SA, ODbL, GPL...)
non-commercial     no commercial use (CC-BY-NC, CC-BY-NC-SA)
no-derivatives     no adapted material may be shared (CC-BY-ND, CC-BY-NC-ND)
unknown            no license, NOASSERTION, a `LicenseRef-` or an id not in the table
=================  ===========================================================================

`CLASS_TABLE` is the one table: SPDX ids, or families as a prefix ending in `*`, each with its
class; the first match wins, so specific rows come before the families they belong to (every
version and port of a Creative Commons license, e.g. `CC-BY-NC-SA-2.0-UK`, is covered by its
family's row). Ids are matched without regard to case, as SPDX says. A compound expression
takes the most restrictive class of `AND` (all terms apply) and the least restrictive of `OR`
(the user may choose); `WITH` an exception keeps the license's class.

This is a coarse, small table for the common data licenses: it is what `dbom diff` uses to call
out a dataset whose license became more restrictive. It is not legal advice.
"""

from __future__ import annotations

import re
from typing import Final

PERMISSIVE = "permissive"
ATTRIBUTION = "attribution"
SHARE_ALIKE = "share-alike"
NON_COMMERCIAL = "non-commercial"
NO_DERIVATIVES = "no-derivatives"
UNKNOWN = "unknown"

# From least to most restrictive.
CLASSES: Final = (PERMISSIVE, ATTRIBUTION, SHARE_ALIKE, NON_COMMERCIAL, NO_DERIVATIVES, UNKNOWN)

CLASS_TABLE: Final[tuple[tuple[str, str], ...]] = (
    # public domain dedications and permissive licenses
    ("CC0-1.0", PERMISSIVE),
    ("CC-PDDC", PERMISSIVE),
    ("PDDL-1.0", PERMISSIVE),
    ("Unlicense", PERMISSIVE),
    ("MIT*", PERMISSIVE),
    ("Apache-*", PERMISSIVE),
    ("BSD-*", PERMISSIVE),
    ("0BSD", PERMISSIVE),
    ("ISC", PERMISSIVE),
    ("Zlib", PERMISSIVE),
    ("BSL-1.0", PERMISSIVE),
    ("CDLA-Permissive-*", PERMISSIVE),
    # attribution
    ("ODC-By-*", ATTRIBUTION),
    ("OGL-UK-*", ATTRIBUTION),
    # the Creative Commons family, most specific first
    ("CC-BY-NC-ND-*", NO_DERIVATIVES),
    ("CC-BY-ND-*", NO_DERIVATIVES),
    ("CC-BY-NC-SA-*", NON_COMMERCIAL),
    ("CC-BY-NC-*", NON_COMMERCIAL),
    ("CC-BY-SA-*", SHARE_ALIKE),
    ("CC-BY-*", ATTRIBUTION),
    # share-alike (copyleft)
    ("ODbL-*", SHARE_ALIKE),
    ("CDLA-Sharing-*", SHARE_ALIKE),
    ("GPL-*", SHARE_ALIKE),
    ("LGPL-*", SHARE_ALIKE),
    ("AGPL-*", SHARE_ALIKE),
    ("GFDL-*", SHARE_ALIKE),
    ("MPL-*", SHARE_ALIKE),
    ("EPL-*", SHARE_ALIKE),
)

_RANK: Final = {name: rank for rank, name in enumerate(CLASSES)}
_TOKENS = re.compile(r"\(|\)|[^\s()]+")


def restrictiveness(license_class: str) -> int:
    """The rank of a class: 0 for permissive, higher for more restrictive, highest for unknown."""
    return _RANK.get(license_class, _RANK[UNKNOWN])


def id_class(spdx_id: str) -> str:
    """The class of one SPDX license id (a trailing `+`, "or later", is ignored)."""
    key = spdx_id.removesuffix("+").casefold()
    for pattern, license_class in CLASS_TABLE:
        folded = pattern.casefold()
        if (folded.endswith("*") and key.startswith(folded[:-1])) or key == folded:
            return license_class
    return UNKNOWN


def license_class(expression: str | None) -> str:
    """The class of an SPDX license expression (see the module's rules); `unknown` for None or NOASSERTION."""
    if not expression:
        return UNKNOWN
    tokens = _TOKENS.findall(expression)
    try:
        result, end = _or(tokens, 0)
    except IndexError:
        return UNKNOWN
    return result if end == len(tokens) else UNKNOWN


def is_more_restrictive(new_class: str, old_class: str) -> bool:
    """True when `new_class` restricts more than `old_class` (an escalation)."""
    return restrictiveness(new_class) > restrictiveness(old_class)


# A tiny recursive-descent parser: or-expr := and-expr ("OR" and-expr)*;
# and-expr := term ("AND" term)*; term := "(" or-expr ")" | id ["WITH" exception].

def _or(tokens: list[str], at: int) -> tuple[str, int]:
    best, at = _and(tokens, at)
    while at < len(tokens) and tokens[at].upper() == "OR":
        other, at = _and(tokens, at + 1)
        best = min(best, other, key=restrictiveness)
    return best, at


def _and(tokens: list[str], at: int) -> tuple[str, int]:
    worst, at = _term(tokens, at)
    while at < len(tokens) and tokens[at].upper() == "AND":
        other, at = _term(tokens, at + 1)
        worst = max(worst, other, key=restrictiveness)
    return worst, at


def _term(tokens: list[str], at: int) -> tuple[str, int]:
    if tokens[at] == "(":
        inner, at = _or(tokens, at + 1)
        if tokens[at] != ")":
            raise IndexError("unbalanced parenthesis")
        return inner, at + 1
    if tokens[at] == ")" or tokens[at].upper() in ("AND", "OR", "WITH"):
        raise IndexError("an operator where a license was expected")
    found = id_class(tokens[at])
    at += 1
    if at < len(tokens) and tokens[at].upper() == "WITH":
        at += 2  # the exception does not change the class
        if at > len(tokens):
            raise IndexError("WITH without an exception")
    return found, at
