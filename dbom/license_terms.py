"""What a license expression asks of a model publisher: the terms `check` and `report` need.

A license can carry several terms at once (CC-BY-NC-SA-4.0: attribution, non-commercial and
share-alike), and `dbom check` needs each of them: a non-commercial term conflicts with a commercial
model, attribution and share-alike are duties the release owes, and the DBOM's own license must
have no restrictive term ("OSI-approved terms"). This module keeps that small, fine-grained table.

Terms: permissive, attribution, share-alike, non-commercial, no-derivatives, research-only,
proprietary (a custom `LicenseRef-`), unknown (NOASSERTION or an id this table does not know).

The one *headline* class of a license (for the report's composition by license class) comes from
the licensing module's class table, `dbom.licensing.classes`, so that `report` and `diff` name
classes alike; this module's own ranking is used only where that table is absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dbom.model import NOASSERTION, License

PERMISSIVE = "permissive"
ATTRIBUTION = "attribution"
SHARE_ALIKE = "share-alike"
NON_COMMERCIAL = "non-commercial"
NO_DERIVATIVES = "no-derivatives"
RESEARCH_ONLY = "research-only"
PROPRIETARY = "proprietary"
UNKNOWN = "unknown"

# Classes that keep a text from being "open terms" (free use, modification and redistribution).
RESTRICTIVE = frozenset({NON_COMMERCIAL, NO_DERIVATIVES, RESEARCH_ONLY, PROPRIETARY, UNKNOWN})
# From the most to the least restrictive: a dataset's headline class is the first it has.
SEVERITY = (UNKNOWN, PROPRIETARY, RESEARCH_ONLY, NON_COMMERCIAL, NO_DERIVATIVES, SHARE_ALIKE, ATTRIBUTION,
            PERMISSIVE)

_PUBLIC_DOMAIN = frozenset({"CC0-1.0", "PDDL-1.0", "Unlicense", "0BSD", "MIT-0", "CC-PDDC", "WTFPL"})
_PERMISSIVE_ATTRIBUTION = re.compile(
    r"^(MIT|Apache-\d\.\d|BSD-\d-Clause.*|ISC|Zlib|ODC-By-1\.0|CDLA-Permissive-\d\.\d|BSL-1\.0|PSF-2\.0|"
    r"Python-2\.0|Artistic-2\.0|OFL-1\.1|UPL-1\.0|NCSA|X11|CC-BY-\d\.\d(-[A-Z]{2,3})?)$")
_SHARE_ALIKE = re.compile(
    r"^(CC-BY-SA-\d\.\d.*|ODbL-1\.0|CDLA-Sharing-1\.0|(A|L)?GPL-\d\.\d.*|MPL-\d\.\d.*|EPL-\d\.\d|"
    r"GFDL-\d\.\d.*|EUPL-\d\.\d|OGL-UK-\d\.\d)$")
_CC_RESTRICTED = re.compile(r"^CC-BY(-NC)?(-ND)?(-SA)?-\d\.\d.*$")
_RESEARCH = re.compile(r"research|academic|non-?commercial", re.I)


def id_classes(spdx_id: str) -> frozenset[str]:
    """The classes of one SPDX license id (or `LicenseRef-`), `unknown` when not in the table."""
    if spdx_id in _PUBLIC_DOMAIN:
        return frozenset({PERMISSIVE})
    cc = _CC_RESTRICTED.match(spdx_id)
    if cc and (cc.group(1) or cc.group(2)):
        found = {ATTRIBUTION}
        if cc.group(1):
            found.add(NON_COMMERCIAL)
        if cc.group(2):
            found.add(NO_DERIVATIVES)
        if cc.group(3):
            found.add(SHARE_ALIKE)
        return frozenset(found)
    if _SHARE_ALIKE.match(spdx_id):
        return frozenset({ATTRIBUTION, SHARE_ALIKE})
    if _PERMISSIVE_ATTRIBUTION.match(spdx_id):
        return frozenset({PERMISSIVE, ATTRIBUTION})
    if spdx_id.startswith("LicenseRef-"):
        return frozenset({RESEARCH_ONLY if _RESEARCH.search(spdx_id) else PROPRIETARY})
    return frozenset({UNKNOWN})


_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9.+:-]+")


def expression_classes(expression: str | None) -> frozenset[str]:
    """The classes of an SPDX expression: AND adds up every part's duties, OR takes the least restrictive.

    Parentheses are flattened (OR binds looser than AND, as in SPDX); `WITH <exception>` keeps the
    license's classes.
    """
    if not expression or expression == NOASSERTION:
        return frozenset({UNKNOWN})
    tokens = [t for t in _TOKEN.findall(expression) if t not in ("(", ")")]
    alternatives: list[set[str]] = [set()]
    skip = False
    for token in tokens:
        if skip:
            skip = False
        elif token == "OR":
            alternatives.append(set())
        elif token == "AND":
            continue
        elif token == "WITH":
            skip = True
        else:
            alternatives[-1] |= id_classes(token)
    chosen = min((a for a in alternatives if a), key=_restrictiveness, default={UNKNOWN})
    return frozenset(chosen)


def _restrictiveness(classes: Iterable[str]) -> tuple[int, ...]:
    present = set(classes)
    return tuple(1 if c in present else 0 for c in SEVERITY)


def license_classes(license_: License) -> frozenset[str]:
    """The classes of a dataset's license (a named license without an SPDX form is proprietary)."""
    if license_.expression == NOASSERTION:
        return frozenset({PROPRIETARY}) if license_.name else frozenset({UNKNOWN})
    return expression_classes(license_.expression)


def headline(classes: Iterable[str]) -> str:
    """The one term that best sums up a set of terms: its most restrictive."""
    present = set(classes)
    return next((c for c in SEVERITY if c in present), UNKNOWN)


def headline_class(license_: License) -> str:
    """A dataset license's one class: from `dbom.licensing.classes` when present, else `headline` of its terms."""
    try:
        from dbom.licensing.classes import license_class
    except ImportError:  # pragma: no cover - the class table ships with dbom; kept for partial installs
        return headline(license_classes(license_))
    if license_.expression == NOASSERTION:
        return license_class(None)
    return license_class(license_.expression)


def is_open_terms(expression: str | None) -> bool:
    """True when the expression's least restrictive choice allows use, change and sharing for any purpose."""
    return not (expression_classes(expression) & RESTRICTIVE)
