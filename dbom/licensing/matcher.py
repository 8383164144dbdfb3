"""Identify a full license text by matching it against the SPDX license list's texts.

The reference texts come from the `spdx` package (the SPDX License List texts, bundled; no
network). A text is normalised the way SPDX's matching guidelines allow (case, punctuation,
whitespace, bullets, copyright lines, "licence"/"license", http/https), cut into overlapping
word 5-grams, and compared with every reference by containment in both directions: how much
of the license is present in the text, and how much of the text is that license.

An answer is given only when it is confident: the best reference covers at least
MIN_LICENSE_COVERAGE of its own 5-grams, the text is mostly that license, and no other
license with a different text comes close (variants such as CC-BY-4.0 and CC-BY-NC-4.0
differ by a few percent and must both be told apart and never confused). Otherwise: None.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from dataclasses import dataclass

from dbom.model import NOASSERTION

SHINGLE = 5
MIN_LICENSE_COVERAGE = 0.88  # share of the reference's 5-grams found in the text
MIN_TEXT_COVERAGE = 0.70  # share of the text's 5-grams that belong to the reference
MIN_MARGIN = 0.04  # lead over the best license with a different text
MIN_WORDS = 20  # shorter texts are notices or names, not license texts
OTHER_LICENSE_SHARE = 0.5  # a second license counts as present when this much of it is in the rest

# Ids from the bundled (older) list that the current SPDX list renamed: the text says "only".
_RENAMED = re.compile(r"^(GPL-[123]\.0|LGPL-2\.0|LGPL-2\.1|LGPL-3\.0|AGPL-[13]\.0|GFDL-1\.[123])$")

# A copyright statement: the rest of its line, or up to the sentence end when the line is a whole
# text run together (a license pasted as one line must not vanish with its first sentence).
_COPYRIGHT = re.compile(r"^[ \t]*(?:copyright\b|\(c\)|©|all rights reserved)(?:[^\n]{0,200}?\.(?=\s)|[^\n]{0,200}$)",
                        re.I | re.M)
_URL_SCHEME = re.compile(r"https?://")
_NON_WORD = re.compile(r"[^a-z0-9]+")
# SPDX template markup: variable text (<<var;...>>) and optional passages (<<beginOptional>>...).
_TEMPLATE_VAR = re.compile(r"<<var;.*?>>", re.S)
_TEMPLATE_OPTIONAL = re.compile(r"<<beginOptional.*?>>.*?<<endOptional>>", re.S)
_TEMPLATE_MARKUP = re.compile(r"<<.*?>>", re.S)
# Spelling variants SPDX treats as equal, and the word "copyright" (its statements vary by holder).
_EQUIVALENT_WORDS = re.compile(r"\blicenc(e|es)\b|\bcopyright\b")


@dataclass(frozen=True)
class Match:
    """A license identified in a text: SPDX id and the two coverages that support it."""

    spdx_id: str
    license_coverage: float
    text_coverage: float


def normalise_words(text: str) -> list[str]:
    """The words of `text` after SPDX-style normalisation (no copyright lines, no punctuation, lower case)."""
    text = _TEMPLATE_MARKUP.sub(" ", text)
    text = _COPYRIGHT.sub(" ", text)
    text = _URL_SCHEME.sub(" ", text.lower())
    text = _EQUIVALENT_WORDS.sub(lambda m: f"licens{m.group(1)}" if m.group(1) else " ", text)
    return _NON_WORD.sub(" ", text).split()


def _shingles(words: list[str]) -> frozenset[int]:
    if len(words) < SHINGLE:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    return frozenset(map(hash, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))  # windows end together


def _template_shingles(template: str) -> tuple[frozenset[int], int]:
    """5-grams of the fixed text of an SPDX template: optional passages left out, and no 5-gram
    spanning a variable (whatever a licensor put there must not count against the match)."""
    fixed = _TEMPLATE_OPTIONAL.sub(" ", template)
    shingles: set[int] = set()
    words = 0
    for segment in _TEMPLATE_VAR.split(fixed):
        segment_words = normalise_words(segment)
        words += len(segment_words)
        if len(segment_words) >= SHINGLE:
            shingles |= _shingles(segment_words)
    return frozenset(shingles), words


def _current_id(old: str) -> str:
    return f"{old}-only" if _RENAMED.match(old) else old


@functools.lru_cache(maxsize=1)
def _references() -> tuple[tuple[str, frozenset[int], frozenset[int]], ...]:
    """(SPDX id, 5-gram set, the text's identity) of every bundled reference text, built once."""
    data = importlib.resources.files("spdx") / "data"
    records = json.loads((data / "db.json").read_text(encoding="utf-8"))["licenses"]
    refs = []
    for record in records:
        raw = (data / record["template"]).read_bytes()
        text = raw.decode("utf-8", errors="replace")
        shingles, words = _template_shingles(text)
        if words < MIN_WORDS or not shingles:
            continue
        # Two ids with the same fixed text (an alias) share the 5-gram set: that set is its identity.
        refs.append((_current_id(record["id"]), shingles, shingles))
    return tuple(refs)


def identify(text: str) -> Match | None:
    """The SPDX license whose full text `text` is, or None when no answer is confident."""
    words = normalise_words(text)
    if len(words) < MIN_WORDS:
        return None
    query = _shingles(words)
    scored = []
    for spdx_id, ref, ref_text in _references():
        common = len(query & ref)
        if not common:
            continue
        scored.append((common / len(ref), common / len(query), spdx_id, ref_text))
    if not scored:
        return None
    scored.sort(key=lambda s: (-(s[0] + s[1]), s[2]))
    best_license, best_text, best_id, best_ref = scored[0]
    if best_license < MIN_LICENSE_COVERAGE or best_text < MIN_TEXT_COVERAGE:
        return None
    if _holds_another_license(query, best_ref):
        return None
    for license_cov, text_cov, _other_id, other_ref in scored[1:]:
        if other_ref == best_ref:  # the same text under another id (e.g. a deprecated alias)
            continue
        if (best_license + best_text) - (license_cov + text_cov) < MIN_MARGIN:
            return None
        break
    return Match(best_id, round(best_license, 4), round(best_text, 4))


def _holds_another_license(query: frozenset[int], best_text: frozenset[int]) -> bool:
    """True when what the best match leaves unexplained is most of some other license's text
    (a file with two licenses in it is not one of them)."""
    best = next(ref for _, ref, text in _references() if text == best_text)
    leftover = query - best
    if len(leftover) < MIN_WORDS:
        return False
    return any(text != best_text and len(leftover & ref) / len(ref) >= OTHER_LICENSE_SHARE
               for _, ref, text in _references())


def identify_id(text: str) -> str:
    """`identify` as an SPDX id string, NOASSERTION when unsure."""
    match = identify(text)
    return match.spdx_id if match else NOASSERTION
