"""`dbom check`: does a DBOM meet OSAID's "sufficiently detailed data information"?

Each rule implements rows of ../shared/requirements.md (A1..F9) and belongs to profiles: `osaid`
(the Open Source AI Definition 1.0: data information (1), (2), (3), Code, the DBOM's own terms)
and `eu` (the EU AI Office's public summary of training content). Rules in neither profile ask for
fields the other data-documentation standards demand (datasheets, Data Cards, SPDX, Croissant);
they run under `--profile all`, the default. The `mof` profile says which class of the Model
Openness Framework the data side supports (data card, datasets, data preprocessing code); its
rules are a classification, not gaps, and do not run under `all`.

A rule gives, per dataset (or once for the whole DBOM), `pass`, `missing` or `not-applicable`, a
reason, and the manifest keys that would fix a `missing`. The DBOM meets the requirement when no
selected rule is missing. License conflicts (non-commercial data in a commercial model, ...) are
findings: reported beside the rules, failing the check only with `strict`.

Everything is evaluated on the internal model, as read back from the DBOM file: the check works on
any DBOM dbom wrote.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dbom.licensing import classes as lt
from dbom.licensing.record_licenses import MISSING as NO_RECORD_LICENSE
from dbom.manifest import EU_CATEGORIES, SECTION_FACT_KEYS
from dbom.model import Dataset, Dbom, License, ProcessingStep
from dbom.profile import recorded
from dbom.util.humanize import human_bytes, plural

PASS = "pass"
MISSING = "missing"
NOT_APPLICABLE = "not-applicable"
STATUSES = (PASS, MISSING, NOT_APPLICABLE)

OSAID = "osaid"
EU = "eu"
MOF = "mof"
PROFILES = (OSAID, EU, MOF, "all")



@dataclass(frozen=True)
class Outcome:
    """What one rule found for one dataset (or for the whole DBOM when `dataset` is None)."""

    rule: str
    status: str
    reason: str
    fix: tuple[str, ...] = ()
    dataset: str | None = None

    def fix_keys(self) -> tuple[str, ...]:
        """The fix keys as manifest paths: `datasets[<name>].<key>` for a dataset's keys."""
        if self.dataset is None:
            return self.fix
        return tuple(k if k.startswith(("steps", "model.", "dbom.")) else f"datasets[{self.dataset}].{k}"
                     for k in self.fix)


@dataclass(frozen=True)
class Rule:
    """One requirement: an id, the requirement rows it implements, its profiles, and how to evaluate it."""

    id: str
    rows: tuple[str, ...]
    profiles: tuple[str, ...]
    title: str
    scope: str  # "dbom" or "dataset"
    evaluate: Callable[..., tuple[str, str, tuple[str, ...]]] = field(repr=False, compare=False)

    def in_profile(self, profile: str) -> bool:
        """True when the rule runs under `profile`: `all` runs every rule but the MOF's (a class, not a gap)."""
        return profile in self.profiles or (profile == "all" and MOF not in self.profiles)


@dataclass(frozen=True)
class Finding:
    """A matter worth a publisher's attention: a license conflict with the model's use, a license duty, or
    processing told in prose without the code that did it."""

    id: str
    severity: str  # "conflict" | "warning" | "duty"
    dataset: str
    message: str
    rows: tuple[str, ...] = ("B8",)
    fix: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """The whole verdict: every selected rule's outcomes and the license findings."""

    profile: str
    rules: tuple[Rule, ...]
    outcomes: tuple[Outcome, ...]
    findings: tuple[Finding, ...] = ()

    @property
    def meets(self) -> bool:
        """True when no selected rule is missing for any dataset."""
        return all(o.status != MISSING for o in self.outcomes)

    @property
    def conflicts(self) -> tuple[Finding, ...]:
        """The findings of severity `conflict`."""
        return tuple(f for f in self.findings if f.severity == "conflict")

    def rule_status(self, rule_id: str) -> str:
        """A rule's overall status: missing if any outcome is, pass if any passes, else not-applicable."""
        found = {o.status for o in self.outcomes if o.rule == rule_id}
        if MISSING in found:
            return MISSING
        return PASS if PASS in found else NOT_APPLICABLE

    def counts(self) -> dict[str, int]:
        """How many outcomes have each status."""
        return {s: sum(1 for o in self.outcomes if o.status == s) for s in STATUSES}

    def missing_keys(self) -> tuple[str, ...]:
        """Every manifest key that would fix a missing outcome, in order, without repeats."""
        keys: list[str] = []
        for o in self.outcomes:
            if o.status == MISSING:
                keys += [k for k in o.fix_keys() if k not in keys]
        return tuple(keys)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: verdict, counts, rules with their outcomes, findings (and the MOF class)."""
        mof = {"mof_class": mof_class(self)} if self.profile == MOF else {}
        return {
            "profile": self.profile,
            **mof,
            "meets": self.meets,
            "counts": self.counts(),
            "missing_keys": list(self.missing_keys()),
            "rules": [
                {
                    "id": r.id, "rows": list(r.rows), "profiles": list(r.profiles), "title": r.title,
                    "scope": r.scope, "status": self.rule_status(r.id),
                    "results": [
                        {"dataset": o.dataset, "status": o.status, "reason": o.reason, "fix": list(o.fix_keys())}
                        for o in self.outcomes if o.rule == r.id
                    ],
                }
                for r in self.rules
            ],
            "findings": [
                {"id": f.id, "severity": f.severity, "dataset": f.dataset, "message": f.message,
                 "rows": list(f.rows), "fix": list(f.fix)}
                for f in self.findings
            ],
        }


# --- helpers -------------------------------------------------------------------------------------------

Verdict = tuple[str, str, tuple[str, ...]]


def _pass(reason: str) -> Verdict:
    return PASS, reason, ()


def _missing(reason: str, *fix: str) -> Verdict:
    return MISSING, reason, tuple(fix)


def _na(reason: str) -> Verdict:
    return NOT_APPLICABLE, reason, ()


def _short(text: str, limit: int = 70) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _fact(ds: Dataset, key: str) -> str | None:
    value = ds.facts.get(key)
    return value if value and value.strip() else None


def _facts_rule(*keys: str, what: str) -> Callable[[Dataset, Dbom], Verdict]:
    """A rule that passes when every fact in `keys` is stated for the dataset."""

    def evaluate(ds: Dataset, dbom: Dbom) -> Verdict:
        absent = [k for k in keys if _fact(ds, k) is None and measured_fact(ds, k) is None]
        if absent:
            return _missing(f"{what} not stated ({', '.join(absent)})", *absent)
        limit = 60 // len(keys) + 20
        return _pass("; ".join(f"{k}: {_short(ds.facts[k], limit)}" if _fact(ds, k) is not None
                               else f"{k} ({MEASURED}, not stated): {_short(measured_fact(ds, k) or '', limit)}"
                               for k in keys))

    return evaluate


MEASURED = "measured by the content profile"


def measured_fact(ds: Dataset, key: str) -> str | None:
    """What the content profile measured in place of the manifest fact `key`; None when it measured nothing.

    `languages` (the ISO codes with their shares of the text), `collection_period` (the first and
    last date of the records' date field) and `modality` (the modalities of the files' bytes) count as
    filled when measured; a stated fact always wins over a measured one.
    """
    if key == "languages":
        return recorded.languages_text(ds.profile)
    if key == "collection_period":
        return recorded.period_text(ds.profile)
    if key == "modality":
        return ", ".join(measured_modalities(ds)) or None
    return None


def stated_or_measured(ds: Dataset, key: str) -> str | None:
    """The manifest's fact `key`, else what the content profile measured for it, else None."""
    return _fact(ds, key) or measured_fact(ds, key)


MODALITIES = ("text", "image", "audio", "video", "other")
TOKEN_BOUND = 10**9  # EU 1.3's first text range: "Less than 1 billion tokens"


def model_fact(dbom: Dbom, key: str) -> str | None:
    """A model fact of the manifest (dbom.manifest.MODEL_FACT_KEYS) as text, or None when not stated."""
    value = dbom.model.facts.get(key)
    return value if value and value.strip() else None


def eu_category(ds: Dataset) -> str | None:
    """The dataset's section of the EU summary (2.1 ... 2.6) as the manifest states it, or None."""
    cat = _fact(ds, "eu_category")
    return cat if cat in EU_CATEGORIES else None


def in_section(dbom: Dbom, section: str) -> list[Dataset]:
    """The datasets the manifest puts in EU summary section `section`."""
    return [d for d in dbom.datasets if eu_category(d) == section]


def eu_used(dbom: Dbom, section: str) -> bool | None:
    """The EU summary's answer to "was data of section `section` used?": None when the DBOM cannot tell.

    Yes when a dataset is in the section; No only when every dataset has its category (a dataset
    without one might be of that kind) and there is at least one dataset.
    """
    if in_section(dbom, section):
        return True
    if not dbom.datasets or any(eu_category(d) is None for d in dbom.datasets):
        return None
    return False


def user_data_sources(ds: Dataset) -> tuple[str, ...] | None:
    """Where a user-data dataset (EU 2.4) comes from: `model` and/or `services`; None when not stated."""
    value = _fact(ds, "user_data_from")
    return tuple(part.strip() for part in value.split(",") if part.strip()) if value else None


def eu_user_data(dbom: Dbom, source: str) -> bool | None:
    """The EU summary's answer on user data from `source` (`model` or `services`): None when it cannot tell."""
    members = in_section(dbom, "2.4")
    if any(source in (user_data_sources(d) or ()) for d in members):
        return True
    if eu_used(dbom, "2.4") is None or any(user_data_sources(d) is None for d in members):
        return None
    return False


def stated_modalities(ds: Dataset) -> list[str]:
    """The modalities the manifest states (text, image, audio, video, other; an unknown one is `other`)."""
    raw = ds.facts.get("modality") or ""
    found = [m.strip().lower() for m in raw.split(",") if m.strip()]
    return list(dict.fromkeys(m if m in MODALITIES else "other" for m in found))


def measured_modalities(ds: Dataset) -> list[str]:
    """The modalities the scan found bytes of (`dbom:profile:modality`), in MODALITIES order."""
    found = recorded.modality_bytes(ds.profile) or {}
    return [m for m in MODALITIES if found.get(m, 0) > 0]


def modalities(ds: Dataset) -> list[str | None]:
    """The dataset's modalities: as stated, else as measured from its files; `[None]` when neither."""
    return [*(stated_modalities(ds) or measured_modalities(ds))] or [None]


def text_row(dbom: Dbom) -> list[Dataset]:
    """The datasets of EU 1.3's text row: text, and not read by a processing step (the data after it)."""
    return [d for d in dbom.datasets if "text" in modalities(d) and not consumed(dbom, d.name)]


def token_bound(ds: Dataset) -> int:
    """An upper bound of the dataset's tokens: the high end of the counted tokens' interval, else its text bytes.

    A byte-level tokenizer (byte-level BPE, SentencePiece with byte fallback) makes at most one token of
    each byte, so the bytes of the data (uncompressed where known) bound the count from above.
    """
    counted = recorded.tokens(ds.profile)
    return counted.high if counted is not None else ds.summary.text_bytes


def unsized_reason(ds: Dataset, modality: str | None, row: Iterable[Dataset] = ()) -> str | None:
    """Why the DBOM cannot put the dataset's size in `modality` in the EU template's ranges; None when it can.

    Text is sized by the tokens the content profile counted, else placed below 1 billion tokens when the
    bytes of the whole text `row` (EU 1.3's, see `text_row`) bound its tokens below that; images are
    counted as records; durations (audio, video) and the unit of an `other` modality are not recorded,
    nor is any size without data files.
    """
    if not ds.summary.shards:
        return "no data files are recorded"
    if modality == "text" and recorded.tokens(ds.profile) is None:
        bound = sum(token_bound(d) for d in row)
        if bound >= TOKEN_BOUND:
            return (f"its tokens are not counted, and the {human_bytes(bound)} of text bound the tokens only above "
                    "1 billion: rescan with `dbom scan --profile sample --tokenizer PATH`")
    if modality == "image" and ds.total_records is None:
        return "the image count (records) is unknown"
    if modality in ("audio", "video"):
        return f"{modality} durations are not recorded"
    if modality == "other":
        return "the size of an `other` modality is not measured"
    return None


def period_end(period: str | None) -> tuple[int, int] | None:
    """(year, month) of the end of a `YYYY-MM/YYYY-MM` collection period (or of a single date)."""
    if not period:
        return None
    found = re.findall(r"(\d{4})-(\d{2})", period)
    if not found:
        return None
    year, month = found[-1]
    return int(year), int(month)


def osaid_class(ds: Dataset) -> str | None:
    """The dataset's OSAID data class as the manifest states it, or None."""
    return _fact(ds, "osaid_class")


def revision(ds: Dataset) -> str | None:
    """The pinned revision: its version (a Hub snapshot's revision), its clean git commit, its `datasets` revision."""
    if ds.version:
        return ds.version
    if ds.vcs is not None and ds.vcs.commit and not ds.vcs.dirty:
        return f"commit {ds.vcs.commit}"
    if ds.datasets_info is not None and ds.datasets_info.revision:
        return f"Hub revision {ds.datasets_info.revision}"  # a `datasets` object's download revision
    return None


def where_to_obtain(ds: Dataset) -> str | None:
    """Where a copy can be obtained: the manifest's location (or Hub URL), else the git remote if not local."""
    if ds.location:
        return ds.location
    if ds.vcs is not None and ds.vcs.url and ds.vcs.url != "local":
        return ds.vcs.url
    return None


def steps_producing(dbom: Dbom, name: str) -> list[ProcessingStep]:
    """The processing steps that list the dataset among their outputs."""
    return [s for s in dbom.steps if name in s.outputs]


def consumed(dbom: Dbom, name: str) -> bool:
    """True when the model was not trained on the dataset: a processing step read it (see Dbom.trained_on), so
    the EU summary's 1.3 ("the training data after pre-processing") does not count it."""
    return all(d.name != name for d in dbom.trained_on)


def step_code(step: ProcessingStep) -> str | None:
    """A step's code reference as one line: `<url>@<commit>:<path>` or the path when resolved, else as written."""
    if step.code_ref is not None:
        from dbom.provenance.pipeline import code_text

        return code_text(step.code_ref)
    return step.code or None


def step_problem(step: ProcessingStep) -> tuple[str, str] | None:
    """What keeps a step from being the full specification OSAID asks for: (reason, fix key), or None.

    The code must be referenced and pinned (a commit, or the digest of its content), and how it was
    run must be stated: a command, an entrypoint, arguments or a configuration file.
    """
    if step.code_ref is None:
        if step.code:
            return f"step {step.name}: code {step.code!r} is not pinned to a commit or a digest", "steps[].code"
        return f"step {step.name} has no code reference", "steps[].code"
    ref = step.code_ref
    if not ref.sha256 and not (ref.vcs and ref.vcs.commit):
        return f"step {step.name}: code {ref.path!r} is not pinned to a commit or a digest", "steps[].code"
    if not (step.command or step.entrypoint or step.args or step.config):
        return f"step {step.name}: how it was run (command, entrypoint, args or config) is not stated", "steps[].args"
    return None


# --- dataset rules ---------------------------------------------------------------------------------------

def _rule_osaid_class(ds: Dataset, dbom: Dbom) -> Verdict:
    cls = osaid_class(ds)
    if cls is None:
        return _missing("no OSAID data class (open, public, obtainable or unshareable)", "osaid_class")
    return _pass(f"OSAID class {cls}")


def _rule_eu_category(ds: Dataset, dbom: Dbom) -> Verdict:
    cat = _fact(ds, "eu_category")
    if cat is None:
        return _missing("no EU summary category (2.1 ... 2.6)", "eu_category")
    return _pass(f"EU summary section {cat}")


def _rule_where_to_obtain(ds: Dataset, dbom: Dbom) -> Verdict:
    cls = osaid_class(ds)
    if cls == "unshareable":
        return _na("unshareable data is described at schema level instead (osaid.1.unshareable)")
    item = {"open": "OSAID (2), open data", "public": "OSAID (2), public data",
            "obtainable": "OSAID (3), obtainable data"}.get(cls or "", "shareable data")
    where, pinned = where_to_obtain(ds), revision(ds)
    absent = [k for k, v in (("location", where), ("version", pinned)) if v is None]
    if absent:
        what = {"location": "where to obtain it is not stated", "version": "no revision or version pins it"}
        return _missing(f"{item}: {' and '.join(what[k] for k in absent)}", *absent)
    return _pass(f"{item}: {_short(where, 60)} at {pinned}")


def _rule_access(ds: Dataset, dbom: Dbom) -> Verdict:
    cls = osaid_class(ds)
    if cls == "unshareable":
        return _na("unshareable data cannot be obtained by others")
    if _fact(ds, "access") is None:
        if cls == "obtainable":
            return _missing("obtainable data: the terms to obtain it (vendor, fee, registration) are not stated",
                            "access")
        return _missing("how to obtain it (direct download, registration, fee) is not stated", "access")
    return _pass(f"access: {_short(ds.facts['access'])}")


def _rule_license(ds: Dataset, dbom: Dbom) -> Verdict:
    lic = ds.license
    if not lic.is_known:
        return _missing("no license could be determined (NOASSERTION): state it in the manifest", "license")
    shown = lic.expression if lic.expression != "NOASSERTION" else f"named license {lic.name!r}"
    return _pass(f"{shown} (from {lic.source or 'the DBOM'})")


def _rule_provenance(ds: Dataset, dbom: Dbom) -> Verdict:
    supplier = _fact(ds, "supplier")
    if supplier is None:
        return _missing("the originator or publisher of the data is not stated", "supplier")
    extra = []
    if ds.ancestors:
        extra.append(f"derived from {', '.join(ds.ancestors)}")
    if steps_producing(dbom, ds.name):
        extra.append("produced by " + ", ".join(s.name for s in steps_producing(dbom, ds.name)))
    return _pass(f"supplier: {_short(supplier, 50)}" + (f"; {'; '.join(extra)}" if extra else ""))


def _rule_scope(ds: Dataset, dbom: Dbom) -> Verdict:
    summary = ds.summary
    if not summary.shards:
        return _missing("no data files (shards) were found for this dataset", "path", "include")
    if summary.errors:
        return _missing(f"{plural(summary.errors, 'shard')} could not be read, e.g. {summary.first_error}: "
                        "repair or exclude them", "exclude")
    if summary.uncounted:
        return _missing(f"{plural(summary.uncounted, 'shard')} without a record count, e.g. {summary.first_uncounted}",
                        "exclude")
    return _pass(f"{plural(summary.shards, 'shard')}, {plural(summary.records or 0, 'record')}, "
                 f"{plural(summary.bytes, 'byte')}")


def _rule_processing(ds: Dataset, dbom: Dbom) -> Verdict:
    narrative = _fact(ds, "processing")
    if narrative is None:
        return _missing("the processing and filtering methods are not described", "processing")
    producing = steps_producing(dbom, ds.name)
    problems = [p for p in (step_problem(s) for s in producing) if p is not None]
    if problems:
        return _missing("; ".join(reason for reason, _ in problems), *dict.fromkeys(key for _, key in problems))
    if producing:
        return _pass(f"steps {', '.join(s.name for s in producing)} with code; {_short(narrative, 40)}")
    return _pass(f"processing: {_short(narrative)}")


def _rule_tdm_opt_out(ds: Dataset, dbom: Dbom) -> Verdict:
    if _fact(ds, "eu_category") != "2.3":
        return _na("not data crawled by the provider (EU 2.3)")
    return _facts_rule("tdm_opt_out", what="measures honouring text-and-data-mining opt-outs")(ds, dbom)


def _rule_unshareable(ds: Dataset, dbom: Dbom) -> Verdict:
    if osaid_class(ds) != "unshareable":
        return _na("only unshareable data needs a schema-level description")
    summary = ds.summary
    if not summary.shards:
        return _missing("unshareable data: no shards, so no schema to describe", "path")
    schemaless = summary.schemaless
    if schemaless and not ds.description:
        return _missing(f"unshareable data: {plural(schemaless, 'shard')} without a readable schema (e.g. "
                        f"{summary.first_schemaless}); describe the record structure", "description")
    columns = [c.name for c in summary.columns]
    described = f"{len(columns)} fields ({', '.join(columns[:6])}{', …' if len(columns) > 6 else ''})"
    return _pass(f"schema-level description: {described}, {plural(ds.total_records or 0, 'record')}"
                 + ("; structure described in `description`" if schemaless else ""))


def _rule_citation(ds: Dataset, dbom: Dbom) -> Verdict:
    if _fact(ds, "citation") is None and ds.datasets_info is not None and ds.datasets_info.citation:
        return _pass(f"citation (from the `datasets` info): {_short(ds.datasets_info.citation)}")
    return _facts_rule("citation", what="citation")(ds, dbom)


def _in_section(section: str, rule: Callable[[Dataset, Dbom], Verdict]) -> Callable[[Dataset, Dbom], Verdict]:
    """`rule` for the datasets of EU summary section `section`; not applicable to the others."""

    def evaluate(ds: Dataset, dbom: Dbom) -> Verdict:
        if eu_category(ds) != section:
            return _na(f"only for EU summary section {section}")
        return rule(ds, dbom)

    return evaluate


def _rule_eu_size(ds: Dataset, dbom: Dbom) -> Verdict:
    if consumed(dbom, ds.name):
        return _na("read by a processing step: EU 1.3 counts the data after pre-processing")
    row = text_row(dbom)
    reasons = [r for r in (unsized_reason(ds, m, row) for m in modalities(ds) if m is not None) if r]
    if not reasons:
        if modalities(ds) == [None]:
            return _na("no modality stated (osaid.1.characteristics)")
        return _pass(f"sized by the DBOM ({', '.join(m for m in modalities(ds) if m)})")
    size = _fact(ds, "size")
    if size is None:
        return _missing(f"the size for EU 1.3 cannot be counted ({reasons[0]}): state it in the modality's unit",
                        "size")
    return _pass(f"size as stated: {_short(size)}")


def _rule_eu_collection_date(ds: Dataset, dbom: Dbom) -> Verdict:
    period = _fact(ds, "collection_period")
    if period is None and (found := measured_fact(ds, "collection_period")) is not None:
        return _pass(f"collected {found} ({MEASURED}: the records' dates, not stated)")
    if period_end(period) is None:
        if period is None:
            return _missing("no collection period (EU 1.3: latest date of data acquisition)", "collection_period")
        return _missing(f"collection period {_short(period, 30)!r} has no YYYY-MM date", "collection_period")
    return _pass(f"collected {_short(period or '', 40)}")


def _rule_eu_public_list(ds: Dataset, dbom: Dbom) -> Verdict:
    if osaid_class(ds) == "unshareable":
        return _na("unshareable data has no link")
    where = where_to_obtain(ds)
    if where is None:
        return _missing("EU 2.1 lists each public dataset with its link: where to obtain it is not stated",
                        "location")
    return _pass(f"listed with {_short(where, 60)}")


def _rule_eu_domains(ds: Dataset, dbom: Dbom) -> Verdict:
    listed = dict(ds.profile).get("dbom:profile:domains")
    if listed is None:
        return _missing("EU 2.3 lists the most relevant domain names crawled: the DBOM holds no content profile; "
                        "rescan with `dbom scan --profile sample` (the records' URLs are counted by bytes)")
    return _pass(f"{len(json.loads(listed))} top domains counted by the content profile")


def _rule_eu_user_data(ds: Dataset, dbom: Dbom) -> Verdict:
    absent = [k for k in ("user_data_from", "obtained") if _fact(ds, k) is None]
    if absent:
        what = {"user_data_from": "whether it comes from interactions with the model or with other services",
                "obtained": "a description of the services or products that collected it"}
        return _missing(f"EU 2.4: {' and '.join(what[k] for k in absent)} not stated", *absent)
    return _pass(f"user data from {', '.join(user_data_sources(ds) or ())}")


def _rule_eu_other_source(ds: Dataset, dbom: Dbom) -> Verdict:
    if ds.description is None and _fact(ds, "obtained") is None:
        return _missing("EU 2.6 asks for a narrative description of the source", "description")
    return _pass(f"described: {_short(ds.description or ds.facts['obtained'])}")


_EU_DATASET_RULES: tuple[Rule, ...] = (
    Rule("eu.1.3.size", ("A5",), (EU,), "Training data size in the modality's unit (EU 1.3)", "dataset",
         _rule_eu_size),
    Rule("eu.1.3.collection-date", ("A7",), (EU,), "Collection period, for the latest date of acquisition (EU 1.3)",
         "dataset", _rule_eu_collection_date),
    Rule("eu.2.1.list", ("F2", "B5"), (EU,), "Public datasets listed with their link (EU 2.1)", "dataset",
         _in_section("2.1", _rule_eu_public_list)),
    Rule("eu.2.3.crawler", ("F5",), (EU,), "Crawler: name, purpose, behaviour (EU 2.3)", "dataset",
         _in_section("2.3", _facts_rule("crawler", "crawler_purpose", "crawler_behaviour",
                                        what="EU 2.3 crawler facts"))),
    Rule("eu.2.3.domains", ("F5",), (EU,), "The most relevant domain names crawled, from the content profile "
         "(EU 2.3); for 2.3 datasets", "dataset", _in_section("2.3", _rule_eu_domains)),
    Rule("eu.2.4.user-data", ("F6",), (EU,), "User data: from the model or other services, which (EU 2.4)",
         "dataset", _in_section("2.4", _rule_eu_user_data)),
    Rule("eu.2.5.generators", ("F7",), (EU,), "Synthetic data: the models that generated it (EU 2.5)", "dataset",
         _in_section("2.5", _facts_rule(*SECTION_FACT_KEYS["2.5"], what="EU 2.5 generator models (or `none`)"))),
    Rule("eu.2.6.description", ("F8",), (EU,), "Other sources described (EU 2.6)", "dataset",
         _in_section("2.6", _rule_eu_other_source)),
)

_DATASET_RULES: tuple[Rule, ...] = (
    Rule("dataset.osaid-class", ("B2",), (OSAID,), "OSAID data class", "dataset", _rule_osaid_class),
    Rule("dataset.eu-category", ("B3", "F3"), (EU,), "EU summary category", "dataset", _rule_eu_category),
    Rule("dataset.where-to-obtain", ("B5", "B6"), (OSAID,),
         "Where to obtain it, pinned to a revision (OSAID (2), (3))", "dataset", _rule_where_to_obtain),
    Rule("dataset.access", ("B7",), (OSAID,), "Access terms, fee and vendor (OSAID (3))", "dataset", _rule_access),
    Rule("dataset.license", ("B8",), (OSAID,), "License", "dataset", _rule_license),
    Rule("osaid.1.provenance", ("B9",), (OSAID,), "Provenance: originator, upstream sources", "dataset",
         _rule_provenance),
    Rule("osaid.1.scope", ("B10", "D1"), (OSAID,), "Scope: shards, record counts, sizes", "dataset",
         _rule_scope),
    Rule("osaid.1.characteristics", ("A5", "A6", "A8"), (OSAID, EU),
         "Characteristics: modality, types of content, languages", "dataset",
         _facts_rule("modality", "content_types", "languages", what="characteristics")),
    Rule("osaid.1.obtained", ("B11", "A7"), (OSAID,), "How the data was obtained, and when", "dataset",
         _facts_rule("obtained", "collection_period", what="how and when it was obtained")),
    Rule("osaid.1.selection", ("B12",), (OSAID,), "How the data was selected", "dataset",
         _facts_rule("selection", what="selection criteria")),
    Rule("osaid.1.labeling", ("B13",), (OSAID,), "Labeling procedures", "dataset",
         _facts_rule("labeling", what="labeling procedure (or `none`)")),
    Rule("osaid.1.processing", ("C1", "C3"), (OSAID,), "Processing and filtering methods", "dataset",
         _rule_processing),
    Rule("eu.3.1.tdm-opt-out", ("E4",), (EU,), "Text-and-data-mining opt-outs honoured (crawled data)",
         "dataset", _rule_tdm_opt_out),
    Rule("eu.3.2.illegal-content", ("E5",), (EU,), "Measures against illegal content", "dataset",
         _facts_rule("illegal_content", what="measures against illegal content")),
    Rule("osaid.1.unshareable", ("F1",), (OSAID,), "Unshareable data described at schema level", "dataset",
         _rule_unshareable),
    Rule("osaid.1.personal-data", ("E1", "E2"), (OSAID,), "Personal and sensitive data, and their handling",
         "dataset", _facts_rule("personal_data", "sensitive_data", what="personal data and its handling")),
    Rule("osaid.1.biases", ("E6", "A9"), (OSAID, EU), "Known biases, limitations, regional or demographic "
         "specificities", "dataset",
         _facts_rule("known_biases", what="known biases")),
    Rule("dataset.classification", ("E3",), (), "Confidentiality classification", "dataset",
         _facts_rule("classification", what="classification")),
    Rule("dataset.intended-use", ("A10",), (), "Intended use", "dataset",
         _facts_rule("intended_use", what="intended use")),
    Rule("dataset.citation", ("E10",), (), "Citation", "dataset", _rule_citation),
    Rule("dataset.documentation", ("A11",), (), "Documentation: paper, data card, technical report", "dataset",
         _facts_rule("documentation", what="documentation links")),
    Rule("dataset.ethical-review", ("E7",), (), "Ethical review and social impact", "dataset",
         _facts_rule("ethical_review", what="ethical review")),
    Rule("dataset.maintenance", ("E8",), (), "Maintenance, and the contact for takedown and opt-out requests",
         "dataset", _facts_rule("maintenance", "takedown_contact", what="maintenance and takedown contact")),
    Rule("dataset.funding", ("E9",), (), "Funding of the dataset's creation", "dataset",
         _facts_rule("funding", what="funding")),
    *_EU_DATASET_RULES,
)


# --- DBOM rules ------------------------------------------------------------------------------------------

def _rule_dbom_license(dbom: Dbom) -> Verdict:
    if not dbom.dbom_license:
        return _missing("the DBOM has no license of its own (OSAID: data information under OSI-approved terms)",
                        "dbom.license")
    if not lt.is_open_terms(dbom.dbom_license):
        classes = ", ".join(sorted(lt.expression_classes(dbom.dbom_license)))
        return _missing(f"the DBOM's license {dbom.dbom_license} is not open terms ({classes})", "dbom.license")
    return _pass(f"the DBOM is licensed {dbom.dbom_license}")


def _rule_inventory(dbom: Dbom) -> Verdict:
    if not dbom.datasets:
        return _missing("the DBOM lists no training dataset", "datasets")
    shards = sum(d.summary.shards for d in dbom.datasets)
    return _pass(f"{plural(len(dbom.datasets), 'dataset')}, {plural(shards, 'shard')}")


def _rule_code(dbom: Dbom) -> Verdict:
    if not dbom.steps:
        return _na("no processing steps declared: the datasets are trained on as obtained "
                   "(declare `steps` with their `code` if you processed them)")
    problems = [p for p in (step_problem(s) for s in dbom.steps) if p is not None]
    if problems:
        return _missing("; ".join(reason for reason, _ in problems), *dict.fromkeys(key for _, key in problems))
    return _pass(f"{plural(len(dbom.steps), 'step')}, each with its pinned code: "
                 + ", ".join(f"{s.name} ({step_code(s)})" for s in dbom.steps[:3])
                 + (", …" if len(dbom.steps) > 3 else ""))


def _rule_provider(dbom: Dbom) -> Verdict:
    if not dbom.model.supplier:
        return _missing("the provider of the model is not named", "model.supplier")
    return _pass(f"provider: {dbom.model.supplier}")


def _model_facts_rule(*keys: str, what: str) -> Callable[[Dbom], Verdict]:
    """A rule that passes when the manifest states every model fact of `keys` (`model.<key>`)."""
    def rule(dbom: Dbom) -> Verdict:
        missing = [key for key in keys if not (dbom.model.facts.get(key) or "").strip()]
        if missing:
            return _missing(f"{what} not stated", *(f"model.{key}" for key in missing))
        return _pass("; ".join(f"{key.replace('_', ' ')}: {_short(dbom.model.facts[key], 40)}" for key in keys))
    return rule


def _rule_model_version(dbom: Dbom) -> Verdict:
    if not dbom.model.version:
        return _missing(f"the model {dbom.model.name} has no version", "model.version")
    return _pass(f"model {dbom.model.name} {dbom.model.version}")


def _rule_date(dbom: Dbom) -> Verdict:
    if not dbom.timestamp:
        return _missing("the DBOM has no date (rescan to stamp it)")
    return _pass(f"last update {dbom.timestamp[:10]}")


def _rule_other_sources(dbom: Dbom) -> Verdict:
    """2.1 and 2.2.2 each describe the datasets of their kind that are not listed: asked when the section is used."""
    asked = [key for key, section in (("other_public_data", "2.1"), ("other_private_data", "2.2.2"))
             if in_section(dbom, section)]
    if not asked:
        return _na("no dataset is in EU summary section 2.1 or 2.2.2")
    return _model_facts_rule(*asked, what="whether other public or private datasets were used")(dbom)


_DBOM_RULES: tuple[Rule, ...] = (
    Rule("dbom.license", ("A2",), (OSAID,), "The DBOM's own license, open terms", "dbom", _rule_dbom_license),
    Rule("dbom.date", ("A1",), (EU,), "Version and last-update date", "dbom", _rule_date),
    Rule("eu.1.1.provider", ("A3",), (EU,), "Provider identification", "dbom", _rule_provider),
    Rule("eu.1.2.model", ("A4",), (EU,), "Versioned model name", "dbom", _rule_model_version),
    Rule("eu.1.1.contact", ("A3",), (EU,), "Provider contact and authorised representative", "dbom",
         _model_facts_rule("contact", "authorised_representative", what="the provider's contact details")),
    Rule("eu.1.2.dependencies", ("A4",), (EU,), "Model dependencies and date placed on the market", "dbom",
         _model_facts_rule("dependencies", "market_date", what="the model's dependencies and market date")),
    Rule("eu.1.3.continuous-training", ("A7",), (EU,), "Whether the model is trained continuously", "dbom",
         _model_facts_rule("continuous_training", what="whether the model is trained continuously")),
    Rule("eu.summary-version", ("A1",), (EU,), "The version of the public summary", "dbom",
         _model_facts_rule("summary_version", what="the summary's version")),
    Rule("eu.2.other-sources", ("F2", "F4"), (EU,), "Other public (2.1) and private (2.2.2) data used but not "
         "listed (or none); asked when the section is used", "dbom", _rule_other_sources),
    Rule("eu.3.1.code-of-practice", ("E4",), (EU,), "Signatory to the Code of Practice (yes/no)", "dbom",
         _model_facts_rule("cop_signatory", what="whether the provider signed the Code of Practice")),
    Rule("osaid.1.inventory", ("B1",), (OSAID, EU), "Complete inventory of training data", "dbom",
         _rule_inventory),
    Rule("osaid.code.processing", ("C1", "C3", "C6"), (OSAID,),
         "Processing code: every step with its pinned code and how it ran", "dbom", _rule_code),
)

# --- the Model Openness Framework, data side ----------------------------------------------------------------

def _open(expression: str | None) -> bool:
    return bool(expression) and expression != "NOASSERTION" and lt.is_open_terms(expression)


def _rule_mof_data_card(dbom: Dbom) -> Verdict:
    if not _open(dbom.dbom_license):
        return _missing("the data card (this DBOM's data information) needs an open license (MOF Class III)",
                        "dbom.license")
    return _pass(f"data card: the DBOM's data information, under {dbom.dbom_license}")


def _rule_mof_datasets(ds: Dataset, dbom: Dbom) -> Verdict:
    if osaid_class(ds) == "unshareable":
        return _missing("unshareable data is not released: the MOF's Datasets (Class I) are released data")
    lic = ds.license
    shown = lic.expression if lic.expression != "NOASSERTION" else lic.name
    if not lic.is_known:
        return _missing("no license: the MOF's Datasets (Class I) need an open data license", "license")
    if lic.expression == "NOASSERTION" or not lt.is_open_terms(lic.expression):
        return _missing(f"{shown} is not an open data license (MOF Class I)", "license")
    if where_to_obtain(ds) is None:
        return _missing("where the released data is obtained is not stated (MOF Class I)", "location")
    return _pass(f"released under {shown} at {_short(where_to_obtain(ds) or '', 50)}")


def _rule_mof_code(dbom: Dbom) -> Verdict:
    undeclared = [f.dataset for f in processing_findings(dbom)]
    if not dbom.steps and not undeclared:
        return _na("no processing: the datasets were trained on as obtained")
    problems = [reason for reason, _ in (p for p in (step_problem(s) for s in dbom.steps) if p is not None)]
    fix = ["steps[].code"] if problems else []
    if undeclared:
        problems.insert(0, f"processing of {', '.join(undeclared)} is told in prose, without its code")
        fix.insert(0, "steps")
    for step in dbom.steps:
        if not step.license:
            problems.append(f"step {step.name}: the code's license is not stated")
            fix.append("steps[].license")
        elif not _open(step.license):
            problems.append(f"step {step.name}: {step.license} is not an open-source license")
            fix.append("steps[].license")
    if problems:
        return _missing("data preprocessing code (MOF Class I): " + "; ".join(problems), *dict.fromkeys(fix))
    return _pass("data preprocessing code: " + ", ".join(f"{s.name} ({s.license})" for s in dbom.steps))


_MOF_RULES: tuple[Rule, ...] = (
    Rule("mof.data-card", ("A11", "A2"), (MOF,), "Data card under an open license (MOF Class III)", "dbom",
         _rule_mof_data_card),
    Rule("mof.preprocessing-code", ("C3", "C1"), (MOF,), "Data preprocessing code, pinned, under an open-source "
         "license (MOF Class I)", "dbom", _rule_mof_code),
    Rule("mof.datasets", ("B8", "B5"), (MOF,), "Datasets released under open data licenses (MOF Class I)",
         "dataset", _rule_mof_datasets),
)

RULES: tuple[Rule, ...] = _DBOM_RULES + _MOF_RULES + _DATASET_RULES


def mof_class(result: CheckResult) -> str | None:
    """The Model Openness Framework class the data side supports: `I`, `III`, or None (not even Class III).

    Class III needs the data card; Class I also the datasets and the data preprocessing code (the MOF's
    Class II adds no data component). Only meaningful for a result of the `mof` profile.
    """
    if result.rule_status("mof.data-card") != PASS:
        return None
    if MISSING in (result.rule_status("mof.datasets"), result.rule_status("mof.preprocessing-code")):
        return "III"
    return "I"


def rules_for(profile: str) -> tuple[Rule, ...]:
    """The rules that run under `profile` (osaid, eu or all)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (use {', '.join(PROFILES)})")
    return tuple(r for r in RULES if r.in_profile(profile))


# --- license findings ------------------------------------------------------------------------------------

def license_findings(dbom: Dbom) -> list[Finding]:
    """Conflicts between the datasets' licenses and the model's intended use, and the duties they bring.

    A dataset's own license is examined, and so is each license its records state (a per-record
    license column), since a mixed corpus carries the terms of every part.
    """
    findings: list[Finding] = []
    for ds in dbom.datasets:
        stated = [(ds.license, "")] if ds.license.is_known else []
        stated += [(License(expression=share.license), f" ({share.records:,} records)")
                   for share in ds.record_licenses if share.license != NO_RECORD_LICENSE]
        for lic, part in stated:
            findings += _license_findings(ds, lic, part, dbom.model.commercial)
    return findings


def _license_findings(ds: Dataset, lic: License, part: str, commercial: bool | None) -> list[Finding]:
    findings: list[Finding] = []
    classes = lt.license_classes(lic)
    shown = (lic.expression if lic.expression != "NOASSERTION" else lic.name or "") + part
    limited = classes & {lt.NON_COMMERCIAL, lt.RESEARCH_ONLY}
    if limited:
        kind = "non-commercial" if lt.NON_COMMERCIAL in limited else "research-only"
        if commercial:
            findings.append(Finding(
                "license.non-commercial", "conflict", ds.name,
                f"{shown} is {kind}, but the model is for commercial use (model.commercial: true)",
                fix=(f"datasets[{ds.name}].license", "model.commercial")))
        elif commercial is None:
            findings.append(Finding(
                "license.non-commercial", "warning", ds.name,
                f"{shown} is {kind}, and the manifest does not say whether the model is commercial",
                fix=("model.commercial",)))
    if lt.NO_DERIVATIVES in classes:
        findings.append(Finding("license.no-derivatives", "warning", ds.name,
                                f"{shown} allows no derivatives: training on it may make one"))
    if lt.PROPRIETARY in classes and commercial:
        findings.append(Finding("license.custom", "warning", ds.name,
                                f"{shown} is a custom license: confirm it allows commercial training"))
    if lt.SHARE_ALIKE in classes:
        findings.append(Finding("license.share-alike", "duty", ds.name,
                                f"{shown} is share-alike: derived data must be shared under the same terms"))
    if lt.ATTRIBUTION in classes:
        credit = _fact(ds, "citation") or _fact(ds, "supplier") or ds.name
        findings.append(Finding("license.attribution", "duty", ds.name,
                                f"{shown} requires attribution: credit {' '.join(credit.split())}"))
    return findings


# --- processing findings ---------------------------------------------------------------------------------

# Processing prose that says nothing was done, or that the supplier did it: no step of ours is missing then.
_NO_PROCESSING = re.compile(r"^\s*(none|no processing|not applicable|n/?a|nothing|unchanged|unprocessed|"
                            r"used as (is|obtained|published|downloaded)|(done |applied )?by the (supplier|publisher)"
                            r")\b", re.I)


def processing_findings(dbom: Dbom) -> list[Finding]:
    """The datasets whose `processing` prose describes processing that no declared step (with its code) produced.

    OSAID's Code asks for "the code used for processing and filtering data"; a narrative alone is not
    that code. A warning, since the processing may have been the supplier's, before the data was obtained.
    """
    findings = []
    for ds in dbom.datasets:
        prose = _fact(ds, "processing")
        if prose is None or _NO_PROCESSING.match(prose) or steps_producing(dbom, ds.name):
            continue
        findings.append(Finding(
            "code.processing-without-steps", "warning", ds.name,
            f"its processing is described ({_short(prose, 50)}) but no step with its code produces it: "
            "declare it under `steps` with its `code`, or begin `processing` with \"by the supplier\" if it was "
            "done before the data was obtained", rows=("C1", "C3"), fix=("steps",)))
    for step in dbom.steps:
        if step.license and not _open(step.license):
            findings.append(Finding(
                "code.license-not-open", "warning", step.name,
                f"the code of step {step.name} is licensed {step.license}, not open source: OSAID asks for the "
                "processing code under OSI-approved licenses", rows=("C3",), fix=("steps[].license",)))
    return findings


# --- entry points ----------------------------------------------------------------------------------------

def check(dbom: Dbom, profile: str = "all") -> CheckResult:
    """Evaluate the rules of `profile` on `dbom`; per dataset for dataset rules, once for DBOM rules."""
    selected = rules_for(profile)
    outcomes: list[Outcome] = []
    for rule in selected:
        if rule.scope == "dbom":
            status, reason, fix = rule.evaluate(dbom)
            outcomes.append(Outcome(rule.id, status, reason, fix))
    for ds in dbom.datasets:
        for rule in selected:
            if rule.scope == "dataset":
                status, reason, fix = rule.evaluate(ds, dbom)
                outcomes.append(Outcome(rule.id, status, reason, fix, ds.name))
    findings = license_findings(dbom) + (processing_findings(dbom) if profile in (OSAID, MOF, "all") else [])
    return CheckResult(profile, selected, tuple(outcomes), tuple(findings))


def check_file(path: str | os.PathLike[str], profile: str = "all") -> CheckResult:
    """Read the DBOM at `path` and check it (DbomFileError if it is not a DBOM)."""
    from dbom.cyclonedx.api import load

    return check(load(path, stream=True), profile)


_MARK = {PASS: "pass", MISSING: "MISSING", NOT_APPLICABLE: "n/a"}


def render_text(result: CheckResult, label: str, dataset_classes: dict[str, str] | None = None) -> str:
    """The human report: the DBOM's rules, each dataset's, every dataset rule overall, the findings, the verdict."""
    rules = {r.id: r for r in result.rules}
    lines = [f"dbom check {label} (profile: {result.profile})", ""]

    def block(title: str, outcomes: Iterable[Outcome]) -> None:
        items = list(outcomes)
        if not items:
            return
        lines.append(title)
        width = max(len(o.rule) for o in items)
        for o in items:
            rows = ",".join(rules[o.rule].rows)
            line = f"  {_MARK[o.status]:<7} {o.rule:<{width}}  {rows:<9} {o.reason}"
            if o.status == MISSING and o.fix:
                line += f"  -> set {', '.join(o.fix_keys())}"
            lines.append(line)
        lines.append("")

    block("DBOM", (o for o in result.outcomes if o.dataset is None))
    names: list[str] = []
    for o in result.outcomes:
        if o.dataset is not None and o.dataset not in names:
            names.append(o.dataset)
    for name in names:
        extra = f" ({dataset_classes[name]})" if dataset_classes and dataset_classes.get(name) else ""
        block(f"dataset {name}{extra}", (o for o in result.outcomes if o.dataset == name))
    dataset_rules = [r for r in result.rules if r.scope == "dataset"]
    if dataset_rules and names:
        lines.append("Overall, per rule")
        width = max(len(r.id) for r in dataset_rules)
        for rule in dataset_rules:
            status = result.rule_status(rule.id)
            short = [o.dataset for o in result.outcomes if o.rule == rule.id and o.status == MISSING]
            detail = f"missing for {', '.join(n for n in short if n)}" if short else rule.title
            lines.append(f"  {_MARK[status]:<7} {rule.id:<{width}}  {detail}")
        lines.append("")
    if result.findings:
        lines.append("Findings")
        width = max(22, *(len(f.id) for f in result.findings))
        for f in result.findings:
            lines.append(f"  {f.severity:<8} {f.id:<{width}} {f.dataset}: {f.message}")
        lines.append("")
    counts = result.counts()
    summary = f"{counts[PASS]} pass, {counts[MISSING]} missing, {counts[NOT_APPLICABLE]} not applicable"
    if result.findings:
        summary += f"; {len(result.conflicts)} license conflict(s)"
    if result.profile == MOF:
        cls = mof_class(result)
        short = [r for r in ("mof.data-card", "mof.datasets", "mof.preprocessing-code")
                 if result.rule_status(r) == MISSING]
        lines.append(f"Model Openness Framework, data side: {'Class ' + cls if cls else 'no class'} supported"
                     + (f"; missing for Class I: {', '.join(short)}" if short else "") + ".")
    if result.meets:
        lines.append(f"Result: meets the requirement ({summary}).")
    else:
        keys = result.missing_keys()
        lines.append(f"Result: does NOT meet the requirement ({summary}).")
        if keys:
            lines.append(f"Fill in the manifest: {', '.join(keys)}")
    return "\n".join(lines) + "\n"


def dataset_labels(dbom: Dbom) -> dict[str, str]:
    """Short labels for the text report's dataset headings: OSAID class and EU category."""
    labels = {}
    for ds in dbom.datasets:
        parts = [p for p in (osaid_class(ds), f"EU {ds.facts['eu_category']}" if _fact(ds, "eu_category") else None)
                 if p]
        labels[ds.name] = ", ".join(parts)
    return labels



def license_conflicts(dbom: Dbom) -> tuple[str, ...]:
    """The license conflicts of the datasets with the model's intended use, one warning line each, as `dbom scan`
    and the Recorder tell them before `dbom check` is run."""
    if not any(d.license.is_known or d.record_licenses for d in dbom.datasets):  # else there is nothing to find
        return ()
    return tuple(f"{finding.dataset}: license conflict: {finding.message}"
                 for finding in license_findings(dbom) if finding.severity == "conflict")
