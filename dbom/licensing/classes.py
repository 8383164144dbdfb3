"""License classes: what a license asks of someone who trains a model on data under it.

The classes, from least to most restrictive (Creative Commons' own "most free to least free"
order, then the licenses that are not open at all, with the unknown last because nothing may
be assumed of it):

=================  ===========================================================================
permissive         use for any purpose (CC0, PDDL, MIT, Apache...), at most keeping a notice
attribution        credit must be given to the authors (CC-BY, ODC-By; MIT's notice too)
share-alike        adaptations must be shared under the same terms (CC-BY-SA, ODbL, GPL...)
non-commercial     no commercial use (CC-BY-NC, CC-BY-NC-SA)
no-derivatives     no adapted material may be shared (CC-BY-ND, CC-BY-NC-ND)
research-only      research or academic use only
proprietary        a custom license (`LicenseRef-`, a named license): its own terms apply
unknown            no license, NOASSERTION, or an id not in the table
=================  ===========================================================================

A license has a *set* of classes (CC-BY-NC-SA-4.0: attribution, non-commercial, share-alike);
its *headline* class is its most restrictive one. The table is one data file with the source
of each row, `dbom/data/license_classes.csv`: SPDX ids, or families as patterns with `*`; the
first matching row wins. A compound expression adds up the classes of `AND` (all terms apply)
and takes the least restrictive alternative of `OR` (the user may choose); `WITH` an exception
keeps the license's classes. This is a coarse reading for a release checklist, not legal advice.
"""

from __future__ import annotations

import csv
import fnmatch
import functools
import importlib.resources
import re
from collections.abc import Iterable
from typing import Final

from dbom.model import NOASSERTION, License

PERMISSIVE = "permissive"
ATTRIBUTION = "attribution"
SHARE_ALIKE = "share-alike"
NON_COMMERCIAL = "non-commercial"
NO_DERIVATIVES = "no-derivatives"
RESEARCH_ONLY = "research-only"
PROPRIETARY = "proprietary"
UNKNOWN = "unknown"

# From least to most restrictive.
CLASSES: Final = (PERMISSIVE, ATTRIBUTION, SHARE_ALIKE, NON_COMMERCIAL, NO_DERIVATIVES, RESEARCH_ONLY,
                  PROPRIETARY, UNKNOWN)
# Classes that keep a text from being "open terms" (free use, modification and redistribution).
RESTRICTIVE: Final = frozenset({NON_COMMERCIAL, NO_DERIVATIVES, RESEARCH_ONLY, PROPRIETARY, UNKNOWN})

_RANK: Final = {name: rank for rank, name in enumerate(CLASSES)}
_TOKENS = re.compile(r"\(|\)|[^\s()]+")


@functools.lru_cache(maxsize=1)
def class_table() -> tuple[tuple[str, frozenset[str], str], ...]:
    """The rows of dbom/data/license_classes.csv: (pattern, classes, source)."""
    text = (importlib.resources.files("dbom") / "data" / "license_classes.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    table = []
    for row in rows:
        classes = frozenset(row["classes"].split("|"))
        unknown = classes - set(CLASSES)
        if unknown:
            raise ValueError(f"license_classes.csv: unknown class {sorted(unknown)[0]!r} for {row['pattern']}")
        table.append((row["pattern"].casefold(), classes, row["source"]))
    return tuple(table)


def restrictiveness(license_class: str) -> int:
    """The rank of a class: 0 for permissive, higher for more restrictive, highest for unknown."""
    return _RANK.get(license_class, _RANK[UNKNOWN])


def is_more_restrictive(new_class: str, old_class: str) -> bool:
    """True when `new_class` restricts more than `old_class` (an escalation)."""
    return restrictiveness(new_class) > restrictiveness(old_class)


def headline(classes: Iterable[str]) -> str:
    """The one class that sums up a set of classes: its most restrictive.

    Beside `permissive`, `attribution` means keeping a notice (MIT, BSD, Apache): the headline
    stays permissive. Alone, as in CC-BY, attribution is the headline.
    """
    present = set(classes)
    if PERMISSIVE in present:
        present.discard(ATTRIBUTION)
    return max(present, key=restrictiveness, default=UNKNOWN)


def id_classes(spdx_id: str) -> frozenset[str]:
    """The classes of one SPDX license id or `LicenseRef-` (a trailing `+`, "or later", is ignored)."""
    key = spdx_id.removesuffix("+").casefold()
    for pattern, classes, _ in class_table():
        if fnmatch.fnmatchcase(key, pattern):
            return classes
    return frozenset({UNKNOWN})


def id_class(spdx_id: str) -> str:
    """The headline class of one SPDX license id."""
    return headline(id_classes(spdx_id))


def expression_classes(expression: str | None) -> frozenset[str]:
    """The classes of an SPDX expression; `unknown` for None, NOASSERTION or a malformed expression."""
    if not expression or expression == NOASSERTION:
        return frozenset({UNKNOWN})
    tokens = _TOKENS.findall(expression)
    try:
        result, end = _or(tokens, 0)
    except IndexError:
        return frozenset({UNKNOWN})
    return result if end == len(tokens) else frozenset({UNKNOWN})


def license_class(expression: str | None) -> str:
    """The headline class of an SPDX license expression."""
    return headline(expression_classes(expression))


def license_classes(license_: License) -> frozenset[str]:
    """The classes of a dataset's license (a named license without an SPDX form is proprietary)."""
    if license_.expression == NOASSERTION:
        return frozenset({PROPRIETARY}) if license_.name else frozenset({UNKNOWN})
    return expression_classes(license_.expression)


def headline_class(license_: License) -> str:
    """The headline class of a dataset's license."""
    return headline(license_classes(license_))


def is_open_terms(expression: str | None) -> bool:
    """True when the expression's least restrictive choice allows use, change and sharing for any purpose."""
    return not (expression_classes(expression) & RESTRICTIVE)


def _strictness(classes: frozenset[str]) -> tuple[int, int]:
    return (restrictiveness(headline(classes)), len(classes))


# A small recursive-descent parser: or-expr := and-expr ("OR" and-expr)*;
# and-expr := term ("AND" term)*; term := "(" or-expr ")" | id ["WITH" exception].

def _or(tokens: list[str], at: int) -> tuple[frozenset[str], int]:
    best, at = _and(tokens, at)
    while at < len(tokens) and tokens[at].upper() == "OR":
        other, at = _and(tokens, at + 1)
        best = min(best, other, key=_strictness)
    return best, at


def _and(tokens: list[str], at: int) -> tuple[frozenset[str], int]:
    found, at = _term(tokens, at)
    while at < len(tokens) and tokens[at].upper() == "AND":
        other, at = _term(tokens, at + 1)
        found = found | other
    return found, at


def _term(tokens: list[str], at: int) -> tuple[frozenset[str], int]:
    if tokens[at] == "(":
        inner, at = _or(tokens, at + 1)
        if tokens[at] != ")":
            raise IndexError("unbalanced parenthesis")
        return inner, at + 1
    if tokens[at] == ")" or tokens[at].upper() in ("AND", "OR", "WITH"):
        raise IndexError("an operator where a license was expected")
    found = id_classes(tokens[at])
    at += 1
    if at < len(tokens) and tokens[at].upper() == "WITH":
        at += 2  # the exception does not change the classes
        if at > len(tokens):
            raise IndexError("WITH without an exception")
    return found, at
