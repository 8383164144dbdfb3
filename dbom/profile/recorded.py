"""A DBOM's recorded content profile read back: the `dbom:profile:*` properties of a dataset as typed values.

The properties are written by `dbom.profile.result.Profile.properties` (and `dbom.profile.modality`);
the reports, `dbom check` and `dbom diff` read them here. A property that is absent, or that does not
parse, reads as None: a DBOM written by hand or by an older version is never an error here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Properties = Iterable[tuple[str, str]]
UNDETERMINED = "und"  # pycld2's code for text whose language it could not tell


@dataclass(frozen=True)
class TokenCount:
    """The tokens a content profile counted: the estimate, its 95% interval (the value itself when exact)."""

    value: int
    low: int
    high: int
    tokenizer: str | None  # the tokenizer's name, as recorded
    sampled: bool


def _get(profile: Properties, name: str) -> str | None:
    return dict(profile).get(f"dbom:profile:{name}")


def _json(profile: Properties, name: str) -> Any:
    raw = _get(profile, name)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _int(profile: Properties, name: str) -> int | None:
    raw = _get(profile, name)
    try:
        return None if raw is None else int(raw)
    except ValueError:
        return None


def tokens(profile: Properties) -> TokenCount | None:
    """The counted tokens, with the tokenizer's name; None when the profile counted none."""
    value = _int(profile, "tokens")
    if value is None:
        return None
    interval = _json(profile, "tokens-ci")
    if not (isinstance(interval, list) and len(interval) == 2 and all(isinstance(v, int) for v in interval)):
        interval = None
    low, high = interval or (value, value)
    tokenizer = _json(profile, "tokenizer")
    name = tokenizer.get("name") if isinstance(tokenizer, dict) else None
    return TokenCount(value=value, low=low, high=high, tokenizer=name,
                      sampled=_get(profile, "mode") == "sample" and interval is not None)


def characters(profile: Properties) -> int | None:
    """The characters of text the profile counted; None when not profiled."""
    return _int(profile, "characters")


def languages(profile: Properties) -> list[tuple[str, float]]:
    """(ISO code, share of the text bytes), largest first, as recorded; [] when none was measured."""
    listed = _json(profile, "languages")
    if not isinstance(listed, list):
        return []
    return [(str(item["language"]), float(item["share"])) for item in listed
            if isinstance(item, dict) and "language" in item and "share" in item]


def known_languages(profile: Properties) -> list[tuple[str, float]]:
    """The measured languages without the undetermined share."""
    return [(code, share) for code, share in languages(profile) if code != UNDETERMINED]


def languages_text(profile: Properties) -> str | None:
    """The measured languages as `en (82%), fr (12%)`; None when none was measured."""
    found = known_languages(profile)
    return ", ".join(f"{code} ({_percent(share)})" for code, share in found) if found else None


def _percent(share: float) -> str:
    percent = share * 100
    return f"{percent:.0f}%" if percent >= 1 else "<1%"


def period(profile: Properties) -> tuple[str, str] | None:
    """(first, last) date of the records' date field; None when not measured."""
    found = _json(profile, "period")
    if not isinstance(found, dict) or not found.get("first") or not found.get("last"):
        return None
    return str(found["first"]), str(found["last"])


def period_text(profile: Properties) -> str | None:
    """The measured period as `FIRST/LAST` (the manifest's `collection_period` form); None when not measured."""
    found = period(profile)
    return None if found is None else f"{found[0]}/{found[1]}"


def domains(profile: Properties) -> list[dict[str, Any]] | None:
    """The top registered domains, each {domain, bytes, records}, largest first; None when not counted."""
    listed = _json(profile, "domains")
    if not isinstance(listed, list):
        return None
    return [d for d in listed if isinstance(d, dict) and "domain" in d and "bytes" in d]


def pii_rates(profile: Properties) -> dict[str, float] | None:
    """Each kind of personal data found, per million characters; None when none was looked for."""
    found = _json(profile, "pii")
    if not isinstance(found, dict):
        return None
    return {kind: float(v["per-million-characters"]) for kind, v in found.items()
            if isinstance(v, dict) and "per-million-characters" in v}


def modality_bytes(profile: Properties) -> dict[str, int] | None:
    """Bytes by modality (text, image, audio, video, other) from the files; None when not recorded."""
    found = _json(profile, "modality")
    if not isinstance(found, dict):
        return None
    return {str(k): int(v) for k, v in found.items() if isinstance(v, int)}
