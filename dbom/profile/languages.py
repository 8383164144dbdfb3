"""Which languages a text is written in, as bytes per ISO 639 code, by CLD2 (`pycld2`, the `dbom[profile]` extra).

CLD2's model is compiled into the pycld2 wheel: nothing is downloaded, ever. For one text, CLD2 says its up to
three main languages and the percentage of the text's bytes in each; those percentages of the text's UTF-8
bytes are credited to those languages and the rest to `und` (undetermined, ISO 639-2), so the bytes credited
for a text always add up to its length. Only the first `LANGUAGE_SAMPLE_CHARS` characters are read; their
shares are applied to the whole text. CLD2's codes are mapped to ISO 639: its old `iw` and `jw` to `he` and
`jv`, `zh-Hant` to `zh`, its script-only codes to the language of the script, `un` to `und`.
"""

from __future__ import annotations

import re

from dbom.profile.extra import require

UNDETERMINED = "und"
# One text's language is read from its first 32,768 characters: CLD2 costs time linear in the text, and
# a text longer than that rarely changes language past it.
LANGUAGE_SAMPLE_CHARS = 32_768

_TO_ISO_639 = {"iw": "he", "jw": "jv", "zh-Hant": "zh", "xx-Bugi": "bug", "xx-Goth": "got", "un": UNDETERMINED,
               "zzp": UNDETERMINED}
# CLD2 refuses C0/C1 control characters (other than tab and line ends) and Unicode non-characters as
# "invalid UTF-8"; they carry no language, so they become spaces.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")


class LanguageIdentifier:
    """Languages of texts by CLD2; one instance per process (it holds no state between texts)."""

    def __init__(self) -> None:
        self._detect = require("pycld2").detect
        self._error = require("pycld2").error

    def languages(self, text: str, size: int | None = None) -> list[tuple[str, int]]:
        """(ISO 639 code, bytes) for each language of `text`, adding up to `size` (default: its UTF-8 length)."""
        if size is None:
            size = len(text.encode("utf-8", "surrogatepass"))
        if size == 0:
            return []
        head = text[:LANGUAGE_SAMPLE_CHARS]
        try:
            _, _, details = self._detect(head, bestEffort=True)
        except (self._error, UnicodeError):  # rare: only then is the text scanned for what CLD2 refuses
            try:
                _, _, details = self._detect(_REFUSED.sub(" ", head), bestEffort=True)
            except (self._error, UnicodeError):
                return [(UNDETERMINED, size)]
        shares: dict[str, int] = {}
        credited = 0
        for _, code, percent, _ in details:
            if percent <= 0 or code == "un":
                continue
            iso = _TO_ISO_639.get(code, code)
            share = size * percent // 100
            shares[iso] = shares.get(iso, 0) + share
            credited += share
        if credited < size:
            shares[UNDETERMINED] = shares.get(UNDETERMINED, 0) + size - credited
        return sorted(shares.items())
