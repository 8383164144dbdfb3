"""Personal data counted by its documented definitions: strings built to match, and to miss, each one."""

from __future__ import annotations

import pytest

from dbom.profile.pii import PII_KINDS, count_pii, iban_valid, is_card_number, luhn_valid


def counted(text: str, kind: str) -> int:
    return count_pii(text)[PII_KINDS.index(kind)]


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("write to jane.doe+news@example.co.uk today", "email", 1),
    ("a@b.io, c_d@mail.example.com.", "email", 2),
    ("not an address: jane@localhost or @example.com or jane@.com", "email", 0),
    ("call +44 20 7946 0018 now", "phone", 1),
    ("+1 (555) 123-4567 and +33 1 23 45 67 89", "phone", 2),
    ("(555) 123-4567, 555-123-4567, 555.123.4567, 030 1234 5678", "phone", 4),
    ("2024-01-21, 12.345.678, 1,234,567, order 5551234567, +12 345", "phone", 0),
    ("hosts 192.168.0.1 and 8.8.8.8.", "ip", 2),
    ("v6 2001:db8::ff00:42:8329 and ::1", "ip", 2),
    ("999.1.1.1, 1.2.3, 01.2.3.4, 10:30:00, std::map, 1.2.3.4.5", "ip", 0),
    ("pay with 4111 1111 1111 1111 or 4111-1111-1111-1111 or 4111111111111111", "card", 3),
    ("amex 378282246310005, mastercard 5500 0000 0000 0004", "card", 2),
    ("luhn fails: 4111 1111 1111 1112; mixed separators 4111 1111-1111 1111", "card", 0),
    ("no issuer: 9111 1111 1111 1117; glued x4111111111111111; longer 41111111111111110000", "card", 0),
    ("IBAN DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432", "iban", 2),
    ("IBAN DE89 3704 0044 0532 0130 00 ABC follows", "iban", 1),
    ("bad check GB82WEST12345698765433, bad length DE89370400440532013, unknown ZZ89370400440532013000", "iban", 0),
])
def test_each_definition_matches_and_misses(text: str, kind: str, expected: int) -> None:
    assert counted(text, kind) == expected


def test_one_kind_is_not_counted_as_another() -> None:
    text = "card 4111 1111 1111 1111; iban DE89 3704 0044 0532 0130 00; ip 192.168.100.200"
    assert count_pii(text) == (0, 0, 1, 1, 1)


def test_checksums() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")
    assert is_card_number("6011 1111 1111 1117") and not is_card_number("6011 1111 1111 1118")
    assert iban_valid("NL91ABNA0417164300") and not iban_valid("NL91ABNA0417164301")
    assert not is_card_number("4111 1111 1111 111")  # 15 digits: Visa has 13, 16 or 19


def test_only_counts_leave_the_module() -> None:
    result = count_pii("jane@example.com 4111111111111111 DE89370400440532013000 +44 20 7946 0018 10.0.0.1")
    assert result == (1, 1, 1, 1, 1)
    assert all(type(value) is int for value in result)
