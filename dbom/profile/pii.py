"""Counts of personal data in text: e-mail addresses, phone numbers, IP addresses, payment cards and IBANs.

Only counts leave this module: no matched value is kept or returned. The definitions (ASCII patterns; a value
is counted once where it occurs, and a candidate that fails its check is not counted):

- email: `local@domain.tld`: a local part of 1 to 64 of `A-Z a-z 0-9 . _ % + -`, a domain of dot-separated
  labels of letters, digits and inner hyphens, and a last label of 2 to 24 letters.
- phone: an international number, `+` and a country code then groups of digits separated by single spaces,
  dots or hyphens (one kind, besides those around an area code in parentheses), 8 to 15 digits in all
  (E.164's longest; a number followed by more groups ends at the last group that keeps it so); or a
  national number with an area code, `(030) 1234 5678`, `555-123-4567`, `020 7946 0018`: three groups,
  the first in parentheses or followed by a space, dot or hyphen, 10 or 11 digits in all. Bare digit runs
  are not phone numbers.
- ip: an IPv4 address in dotted-quad form (each part 0 to 255, no leading zero; version numbers with four
  such parts count too), or an IPv6 address that Python's `ipaddress` accepts (with at least one digit).
- card: 13 to 19 digits, contiguous or grouped by single spaces or single hyphens (one kind of separator),
  starting with an issuer prefix of Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay
  or Maestro at a length that issuer uses, whose Luhn checksum holds.
- iban: two capital letters of a country in the IBAN registry, two check digits and the account number
  (capitals and digits, optionally grouped by single spaces), of that country's IBAN length, whose ISO 13616
  mod-97 checksum is 1.

None of them may be glued to a letter or digit on either side (nor a phone or card number to another group
of digits), so `x4111111111111111` or a longer digit run is not a card number.
"""

from __future__ import annotations

import ipaddress
import re

PII_KINDS = ("email", "phone", "ip", "card", "iban")

# An e-mail address is looked for around each `@` (a fast literal search), its local part backwards from it.
_EMAIL_LOCAL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}\Z")
_EMAIL_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])")
# Phone, IP and card numbers are made of digits, `+ ( ) . -` and spaces before a digit: the text is scanned
# once for such runs and the patterns below run only inside them, not over the whole text each.
_RUN = re.compile(r"[\d+(](?:[\d().-]|[+ ](?=[\d(+]))*")
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){1,7}(?!\w|[.-]?\d)")
_PHONE_NATIONAL = re.compile(r"(?<![\w+.-])(?<!\d[ .-])(?:\(\d{2,5}\) ?|\d{2,5}[ .-])\d{3,4}[ .-]\d{3,5}"
                             r"(?!\w|[.-]\d| \d)")
_PHONE_GROUP = re.compile(r"([ .-]?)(\(\d{1,4}\)|\d{1,4})")
_IPV4 = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
                   r"(?!\w|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:]|\.\d)")
_CARD = re.compile(r"(?<![\w.-])(?<!\d[ -])\d(?:[ -]?\d){12,18}(?!\w|[ -]\d|\.\d)")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")

# IBAN lengths by country (the SWIFT IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
    "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

# Payment card issuers: (lowest prefix, highest prefix, lengths), prefixes compared on as many digits as they have.
_ISSUERS = (
    ("4", "4", (13, 16, 19)),  # Visa
    ("51", "55", (16,)), ("2221", "2720", (16,)),  # Mastercard
    ("34", "34", (15,)), ("37", "37", (15,)),  # American Express
    ("6011", "6011", range(16, 20)), ("644", "649", range(16, 20)), ("65", "65", range(16, 20)),  # Discover
    ("3528", "3589", range(16, 20)),  # JCB
    ("300", "305", range(14, 20)), ("36", "36", range(14, 20)), ("38", "39", range(14, 20)),  # Diners Club
    ("62", "62", range(16, 20)),  # UnionPay
    ("50", "50", range(13, 20)), ("56", "58", range(13, 20)), ("6304", "6304", range(13, 20)),  # Maestro
    ("6759", "6759", range(13, 20)), ("6761", "6763", range(13, 20)),
)


def count_pii(text: str) -> tuple[int, int, int, int, int]:
    """How many e-mail addresses, phone numbers, IP addresses, card numbers and IBANs `text` holds."""
    emails = _count_emails(text) if "@" in text else 0
    phones = ips = cards = ibans = 0
    length = len(text)
    for run in _RUN.finditer(text):
        start, end = run.span()
        # a run shorter than any IPv4 address, phone or card number can only be an IBAN's check digits
        if end - start < 7 and (start < 2 or not text[start - 2 : start].isupper()):
            continue
        stop = min(length, end + 2)  # the patterns' look-aheads read two characters past the run
        if end - start >= 7:
            phones += sum(1 for m in _PHONE_INTERNATIONAL.finditer(text, start, stop)
                          if _is_international_phone(m.group()))
            phones += sum(1 for m in _PHONE_NATIONAL.finditer(text, start, stop) if 10 <= _digit_count(m.group()) <= 11)
            ips += sum(1 for _ in _IPV4.finditer(text, start, stop))
            cards += sum(1 for m in _CARD.finditer(text, start, stop) if is_card_number(m.group()))
        if start >= 2 and text[start - 2 : start].isupper():  # `DE89...`: an IBAN's country, then its digits
            match = _IBAN.match(text, start - 2)
            ibans += match is not None and _iban_in(match.group())
    if "::" in text or text.count(":") >= 7:
        ips += sum(1 for m in _IPV6.finditer(text) if _is_ipv6(m.group()))
    return emails, phones, ips, cards, ibans


def _count_emails(text: str) -> int:
    count = 0
    at = text.find("@")
    while at >= 0:
        if _EMAIL_DOMAIN.match(text, at + 1) and _EMAIL_LOCAL.search(text, max(0, at - 65), at):
            count += 1
        at = text.find("@", at + 1)
    return count


def _digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _is_international_phone(candidate: str) -> bool:
    """Whether `+digits...` begins with a phone number: 8 to 15 digits ending at a group, one kind of separator."""
    digits = 0
    separators: set[str] = set()
    bracketed = False
    for match in _PHONE_GROUP.finditer(candidate, 1):
        separator, group = match.groups()
        size = sum(c.isdigit() for c in group)
        if separator or group.startswith("("):  # a group boundary: the number may end before this group
            if separator and not bracketed and not group.startswith("("):  # `+1 (555) 123-4567` is one style
                separators.add(separator)
            if len(separators) > 1 or digits + size > 15:
                return 8 <= digits <= 15
        digits += size
        bracketed = group.startswith("(")
    return 8 <= digits <= 15


def _is_ipv6(candidate: str) -> bool:
    if not any(c.isalnum() for c in candidate):
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn checksum (the last digit checks the others)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_card_number(candidate: str) -> bool:
    """Whether `candidate` (digits, maybe grouped by spaces or hyphens) is a card number as defined above."""
    separators = {c for c in candidate if not c.isdigit()}
    if len(separators) > 1:
        return False
    digits = candidate.replace(" ", "").replace("-", "")
    if not 13 <= len(digits) <= 19:
        return False
    for low, high, lengths in _ISSUERS:
        if low <= digits[: len(low)] <= high and len(digits) in lengths:
            return luhn_valid(digits)
    return False


def iban_valid(iban: str) -> bool:
    """Whether `iban` (capitals and digits, no spaces) has its country's length and a mod-97 checksum of 1."""
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _iban_in(candidate: str) -> bool:
    """An IBAN at the start of the match: the whole match, or its country's length ending at a space."""
    length = IBAN_LENGTHS.get(candidate[:2])
    if length is None:
        return False
    compact = candidate.replace(" ", "")
    if len(compact) == length:
        return iban_valid(compact)
    if len(compact) < length:
        return False
    seen = 0
    for index, char in enumerate(candidate):
        if char != " ":
            seen += 1
            if seen == length:
                return candidate[index + 1 : index + 2] == " " and iban_valid(compact[:length])
    return False
