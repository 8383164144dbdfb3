"""What a dataset's profile says: its figures (estimates with their 95% intervals when sampled) and the
`dbom:profile:*` properties a DBOM records them as (issue 18's names and JSON forms).

One more property is not a figure of the records: `dbom:profile:modality`, the files' bytes by
modality, written by `dbom.profile.modality`. `dbom.profile.recorded` reads them all back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dbom.profile.accumulator import ProfileAccumulator
from dbom.profile.domain_counts import DomainCount
from dbom.profile.pii import PII_KINDS
from dbom.profile.sampling import Estimate, extrapolate

SHARE_DIGITS = 4  # language shares are rounded to 4 decimals, so the JSON is the same on every platform


@dataclass(frozen=True)
class Profile:
    """A dataset's content profile, ready to be recorded."""

    mode: str  # "exact" or "sample"
    records: int
    sampled_records: int
    sampled_bytes: int
    text_bytes: int
    characters: int
    words: Estimate | None
    tokens: Estimate | None
    tokenizer: dict[str, str] | None
    languages: list[tuple[str, float]]
    fields: dict[str, list[str]]
    domains_distinct: int
    domains: list[DomainCount]
    domains_exact: bool
    domains_error_bound: int
    pii: dict[str, Estimate | None]
    pii_per_million: dict[str, float]
    period: tuple[str, str] | None

    def properties(self) -> list[tuple[str, str]]:
        """The `dbom:profile:*` properties, in a fixed order; a figure that was not computed is left out."""
        props = [("dbom:profile:mode", self.mode), ("dbom:profile:sampled-records", str(self.sampled_records)),
                 ("dbom:profile:sampled-bytes", str(self.sampled_bytes)),
                 ("dbom:profile:characters", str(self.characters))]
        if self.words is not None:
            props.append(("dbom:profile:words", str(self.words.value)))
        if self.tokens is not None and self.tokenizer is not None:
            props.append(("dbom:profile:tokens", str(self.tokens.value)))
            if self.mode == "sample":
                props.append(("dbom:profile:tokens-ci", _dumps([self.tokens.low, self.tokens.high])))
            props.append(("dbom:profile:tokenizer", _dumps(self.tokenizer)))
        if self.languages:
            props.append(("dbom:profile:languages",
                          _dumps([{"language": code, "share": share} for code, share in self.languages])))
        if self.fields["url"]:
            props.append(("dbom:profile:url-field", ", ".join(self.fields["url"])))
            props.append(("dbom:profile:domains-distinct", str(self.domains_distinct)))
            domains = [{"domain": d.domain, "bytes": d.bytes, "records": d.records} for d in self.domains]
            props.append(("dbom:profile:domains", _dumps(domains)))
            if not self.domains_exact:
                props.append(("dbom:profile:domains-error-bytes", str(self.domains_error_bound)))
        if self.sampled_records:
            pii: dict[str, Any] = {"estimate": True}
            for kind in PII_KINDS:
                estimate = self.pii[kind]
                if estimate is not None:
                    pii[kind] = {"count": estimate.value, "per-million-characters": self.pii_per_million[kind]}
            props.append(("dbom:profile:pii", _dumps(pii)))
        if self.period is not None:
            props.append(("dbom:profile:period", _dumps({"first": self.period[0], "last": self.period[1]})))
        return props


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def profile_of(acc: ProfileAccumulator, sme: bool = False) -> Profile:
    """The figures of a (merged) accumulator: totals extrapolated by bytes, the top domains, the language shares."""
    rate = acc.sample.rate

    def total(key: str) -> Estimate | None:
        sums = acc.sums.get(key)
        if sums is None:
            return None
        return extrapolate(sums, acc.sampled_bytes, acc.sampled_xx, acc.x_total, rate)

    text_bytes, characters = acc.text_bytes, acc.characters
    if acc.presampled:  # some records were never parsed: their text's bytes and characters are estimated too
        text_bytes = (total("text_bytes") or Estimate(0, 0, 0)).value
        characters = (total("characters") or Estimate(0, 0, 0)).value

    language_total = sum(acc.language_bytes.values())
    languages = sorted(((code, round(size / language_total, SHARE_DIGITS))
                        for code, size in acc.language_bytes.items() if size), key=lambda item: (-item[1], item[0]))
    pii = {kind: total(kind) for kind in PII_KINDS}
    per_million = {kind: round(acc.sums[kind].y * 1e6 / acc.sampled_characters, 3) if acc.sampled_characters else 0.0
                   for kind in PII_KINDS}
    period = (acc.first_date, acc.last_date) if acc.first_date and acc.last_date else None
    return Profile(
        mode="exact" if acc.sample.exact else "sample", records=acc.records, sampled_records=acc.sampled_records,
        sampled_bytes=acc.sampled_bytes, text_bytes=text_bytes, characters=characters,
        words=total("words") if acc.text_records else None, tokens=total("tokens") if acc.text_records else None,
        tokenizer=acc.tokenizer_identity, languages=languages,
        fields={role: sorted(names) for role, names in acc.fields_seen.items()},
        domains_distinct=acc.domains.distinct(), domains=acc.domains.top(sme), domains_exact=acc.domains.exact,
        domains_error_bound=acc.domains.error_bound, pii=pii, pii_per_million=per_million, period=period)
