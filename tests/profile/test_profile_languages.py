"""Languages by CLD2, as bytes per ISO 639 code, on real text written in the tests."""

from __future__ import annotations

import pytest
from profile_texts import TEXTS

from dbom.profile.languages import UNDETERMINED, LanguageIdentifier


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_each_language_is_identified_as_its_iso_code(language: str) -> None:
    text = TEXTS[language]
    shares = dict(LanguageIdentifier().languages(text))
    size = len(text.encode())
    assert sum(shares.values()) == size
    assert max(shares, key=shares.__getitem__) == language
    assert shares[language] >= 0.9 * size


def test_a_mixed_text_is_shared_by_bytes() -> None:
    text = TEXTS["en"] + "\n\n" + TEXTS["de"] * 2
    shares = dict(LanguageIdentifier().languages(text))
    size = len(text.encode())
    assert sum(shares.values()) == size
    assert 0.2 * size < shares["en"] < 0.45 * size and 0.5 * size < shares["de"] < 0.8 * size


def test_old_codes_are_mapped_to_iso_639_and_noise_is_undetermined() -> None:
    hebrew = ("הנהר עלה לאט במשך הלילה, ובבוקר השדות הנמוכים היו מתחת למים. החקלאים העבירו את בעלי החיים אל "
              "הגבעה שמאחורי הכנסייה, שם האדמה נשארת יבשה גם באביב הגשום ביותר.")
    assert max(dict(LanguageIdentifier().languages(hebrew)).items(), key=lambda item: item[1])[0] == "he"
    assert LanguageIdentifier().languages("1234 5678 ---- ####") == [(UNDETERMINED, 19)]
    assert LanguageIdentifier().languages("") == []


def test_control_characters_that_cld2_refuses_do_not_stop_it() -> None:
    text = TEXTS["fr"].replace(" ", "\x00 ", 3) + "\x85\x9f\ufffe\ud800"
    shares = dict(LanguageIdentifier().languages(text))
    assert max(shares, key=shares.__getitem__) == "fr"
