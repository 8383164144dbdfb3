"""`dbom report`: render a DBOM for people, with Jinja2 templates from `templates/`.

Formats:
- `md`: the OSAID data-information document a publisher puts next to the model (datasets, where to
  obtain them, licenses, provenance, processing, characteristics and statistics);
- `eu`: the EU AI Office's public summary of training content, sections 1 to 3 (Markdown);
- `html`: one self-contained page (inline CSS and SVG charts, no script, no external asset) with the
  content of `md` plus the corpus' composition by dataset, license class and format.

Everything a DBOM says is escaped: HTML by Jinja2's autoescape, Markdown by `md_escape`, applied to
every `{{ ... }}` in the Markdown templates unless the value is `Markup` (text the code built itself).
The output depends only on the DBOM, so two runs give identical bytes.

What the DBOM does not say is never guessed: the context gives every manifest fact (None when not
stated), and the environments print None as "to be completed" (the EU summary's own wording there),
while StrictUndefined keeps a key the context does not have an error rather than a blank.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dbom.compliance.charts import bar_chart, profile_charts
from dbom.compliance.check import (
    MODALITIES,
    CheckResult,
    check,
    consumed,
    eu_used,
    eu_user_data,
    in_section,
    measured_fact,
    modalities,
    model_fact,
    osaid_class,
    period_end,
    revision,
    stated_modalities,
    stated_or_measured,
    step_code,
    steps_producing,
    token_bound,
    unsized_reason,
    user_data_sources,
    where_to_obtain,
)
from dbom.errors import DbomError
from dbom.licensing import classes as lt
from dbom.licensing.record_licenses import MISSING as NO_RECORD_LICENSE
from dbom.manifest import DATASET_FACT_KEYS, EU_CATEGORIES, MODEL_FACT_KEYS
from dbom.model import NOASSERTION, CodeRef, Dataset, Dbom, ProcessingStep
from dbom.profile import recorded
from dbom.util.atomic import replacing
from dbom.util.humanize import human_bytes, human_count, plural
from dbom.util.templating import templates_dir

FORMATS = {"md": "report.md.j2", "eu": "eu-summary.md.j2", "html": "report.html.j2"}
EU_SECTIONS = EU_CATEGORIES
TODO = "to be completed"  # what a report prints for a fact the DBOM does not state
EU_TODO = "[to be completed by the provider]"  # the EU summary's wording for the same
UNSHAREABLE_NA = "not applicable: unshareable data"

# The EU template's fixed ranges (../shared/requirements.md, 2.2, section 1.3): (upper bound, label).
TEXT_RANGES = ((10**9, "Less than 1 billion tokens"), (10**13, "1 billion to 10 trillion tokens"),
               (None, "More than 10 trillion tokens"))
IMAGE_RANGES = ((10**6, "Less than 1 million images"), (10**9, "1 million to 1 billion images"),
                (None, "More than 1 billion images"))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(value: Any) -> str:
    """Text safe to place in Markdown (and in a table cell): specials backslashed, `&` and lines flattened."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))


_URL_SAFE = "/:?&=#%~+,;@!$'*.-_"


def safe_href(url: Any) -> str | None:
    """`url` when it is an http(s) URL fit for a link, else None (no `javascript:` or local paths)."""
    if not isinstance(url, str) or not re.match(r"^https?://[^\s<>\"']+$", url):
        return None
    return url


def md_link(url: Any, text: Any = None, todo: str = TODO) -> Any:
    """A Markdown link to an http(s) `url` (percent-encoding what would end it early), else escaped text.

    No `url` (and no `text`) reads `todo`.
    """
    from urllib.parse import quote

    from markupsafe import Markup

    href = safe_href(url)
    if href is None:  # escaped here, so Markup: the environment must not escape it twice
        shown = text if text is not None else url
        return Markup(md_escape(todo if shown is None else shown))
    target = quote(href, safe=_URL_SAFE)
    return Markup(f"[{md_escape(text if text is not None else url)}]({target})")


def environment(kind: str, todo: str = TODO) -> Any:
    """A Jinja2 environment for `kind` "md" (Markdown escaping) or "html" (HTML autoescape).

    A value that is None prints as `todo` (also through the `bytes`, `count` and `link` filters), so a
    fact the DBOM does not state reads "to be completed" wherever a template shows it. A name or key the
    context does not have at all is an error (StrictUndefined), never a silent blank.
    """
    import jinja2

    loader = jinja2.FileSystemLoader(str(templates_dir()))
    common: dict[str, Any] = {"loader": loader, "undefined": jinja2.StrictUndefined, "keep_trailing_newline": True,
                              "trim_blocks": True, "lstrip_blocks": True}
    if kind == "html":
        env = jinja2.Environment(autoescape=True, finalize=lambda v: todo if v is None else v, **common)
    else:
        env = jinja2.Environment(autoescape=False, finalize=lambda v: md_escape(todo if v is None else v), **common)
    env.globals["todo"] = todo
    env.filters["bytes"] = lambda n: todo if n is None else human_bytes(n)
    env.filters["href"] = safe_href
    if kind != "html":
        env.filters["link"] = lambda url, text=None: md_link(url, text, todo)
    env.filters["count"] = lambda n: todo if n is None else human_count(n)
    env.filters["plural"] = lambda n, noun: f"{todo} {noun}s" if n is None else plural(n, noun)
    return env


def _dataset_records(ds: Dataset) -> int | None:
    """The dataset's record count; None when a file's count is unknown or no file is recorded (in memory)."""
    return ds.total_records if ds.summary.shards else None


def _dataset_bytes(ds: Dataset) -> int | None:
    """The dataset's size in bytes; None when no file is recorded (a `datasets` object held in memory)."""
    return ds.total_bytes if ds.summary.shards else None


def _sum(values: Iterable[int | None]) -> int | None:
    """The sum, or None when any value is unknown."""
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def _records(datasets: Iterable[Dataset]) -> int | None:
    return _sum(_dataset_records(ds) for ds in datasets)


def _text_bytes(ds: Dataset) -> int:
    return ds.summary.text_bytes


def _facts(ds: Dataset) -> dict[str, str | None]:
    """Every manifest fact of the dataset: its text, or None when not stated (absent or blank)."""
    facts: dict[str, str | None] = dict.fromkeys(DATASET_FACT_KEYS)
    facts.update({key: value if value and value.strip() else None for key, value in ds.facts.items()})
    return facts


def _record_license_view(ds: Dataset) -> list[dict[str, Any]]:
    """The per-record licenses (a `license` column in the data): license, class, records, bytes of record data."""
    return [{"license": "none stated" if share.license == NO_RECORD_LICENSE else share.license,
             "class": None if share.license == NO_RECORD_LICENSE else lt.license_class(share.license),
             "records": share.records, "bytes": share.bytes} for share in ds.record_licenses]


def license_parts(ds: Dataset) -> list[tuple[str, int | None, int | None]]:
    """The dataset's (license class, records, file bytes), split by its per-record licenses.

    Records with a license of their own count under that license's class. The file bytes of the shards
    that have a license column are shared out in proportion to the records' data bytes (the measure
    the per-record counts use); what no per-record license covers (other files, records without one)
    stays under the dataset's own license class.
    """
    own = lt.headline_class(ds.license)
    records, size = _dataset_records(ds), _dataset_bytes(ds)
    licensed = [s for s in ds.record_licenses if s.license != NO_RECORD_LICENSE]
    if not licensed or size is None:
        return [(own, records, size)]
    covered_bytes = ds.summary.license_column_bytes
    payload = sum(s.bytes for s in ds.record_licenses)
    parts: dict[str, list[int]] = {}
    for share in licensed:
        part = parts.setdefault(lt.license_class(share.license), [0, 0])
        part[0] += share.records
        part[1] += covered_bytes * share.bytes // payload if payload else 0
    rest_records = None if records is None else records - sum(r for r, _ in parts.values())
    rest_bytes = size - sum(b for _, b in parts.values())
    result: list[tuple[str, int | None, int | None]] = [(cls, r, b) for cls, (r, b) in parts.items() if cls != own]
    mine = parts.get(own, [0, 0])
    if own in parts or rest_records is None or rest_records > 0 or rest_bytes > 0:
        result.append((own, None if rest_records is None else rest_records + mine[0], rest_bytes + mine[1]))
    return result


def _columns(ds: Dataset) -> list[dict[str, str]]:
    return [{"name": c.name, "type": c.type} for c in ds.summary.columns]


def _domains_text(ds: Dataset) -> str | None:
    """The top registered domains the content profile counted, by bytes of text; None when not profiled."""
    profile = dict(ds.profile)
    listed = profile.get("dbom:profile:domains")
    if listed is None:
        return None
    domains = json.loads(listed)
    if not domains:
        return "no URL in the records"
    shown = ", ".join(f"{d['domain']} ({human_bytes(d['bytes'])})" for d in domains[:50])
    more = f", and {len(domains) - 50} more" if len(domains) > 50 else ""
    return (f"{shown}{more} (the top {len(domains)} of {profile.get('dbom:profile:domains-distinct')} "
            f"registered domains by bytes of text, from `{profile.get('dbom:profile:url-field')}`)")


SHOWN_DOMAINS = 10  # the top domains a report lists and charts per dataset (the EU summary lists up to 50)


def _profile_view(ds: Dataset) -> dict[str, Any] | None:
    """What the reports show of the dataset's content profile; None when it was not profiled."""
    profile = dict(ds.profile)
    mode = profile.get("dbom:profile:mode")
    if mode is None:
        return None
    tokens = recorded.tokens(ds.profile)
    domains = recorded.domains(ds.profile) or []
    rates = recorded.pii_rates(ds.profile)
    modality = recorded.modality_bytes(ds.profile) or {}
    return {
        "mode": mode,
        "characters": recorded.characters(ds.profile),
        "tokens": None if tokens is None else {"value": tokens.value, "low": tokens.low, "high": tokens.high,
                                               "tokenizer": tokens.tokenizer, "sampled": tokens.sampled},
        "languages": [{"language": code, "share": share} for code, share in recorded.languages(ds.profile)],
        "domains": domains[:SHOWN_DOMAINS],
        "domains_listed": len(domains),
        "domains_distinct": profile.get("dbom:profile:domains-distinct"),
        "pii": None if rates is None else [{"kind": kind, "per_million": rate} for kind, rate in rates.items()],
        "period": recorded.period_text(ds.profile),
        "modality": [{"name": name, "bytes": size} for name, size in modality.items()],
    }


def _dataset_view(ds: Dataset, dbom: Dbom) -> dict[str, Any]:
    classes = lt.license_classes(ds.license)
    lic = ds.license
    license_text = lic.expression if lic.expression != NOASSERTION else lic.name
    vcs = ds.vcs
    formats = sorted({f.name for f in ds.summary.formats})
    facts = _facts(ds)
    data_class = osaid_class(ds)
    if data_class == "unshareable":  # check does not ask for them: the data cannot be obtained by others
        facts["access"] = facts["access"] or UNSHAREABLE_NA
    return {
        "name": ds.name,
        "description": ds.description,
        "version": ds.version,
        "revision": revision(ds),
        "homepage": ds.homepage,
        "location": where_to_obtain(ds) or (UNSHAREABLE_NA if data_class == "unshareable" else None),
        "osaid_class": data_class,
        "eu_category": facts["eu_category"],
        "license": license_text,
        "license_source": lic.source,
        "license_url": lic.url,
        "license_known": lic.is_known,
        "license_class": lt.headline_class(lic),
        "license_classes": sorted(classes),
        "record_licenses": _record_license_view(ds),
        "record_license_names": [s.license for s in ds.record_licenses if s.license != NO_RECORD_LICENSE],
        "facts": facts,
        "domains": _domains_text(ds),
        "modalities": modalities(ds),
        "modality_measured": not stated_modalities(ds) and modalities(ds) != [None],
        # a fact the manifest does not state but the content profile measured: shown marked as measured
        "measured": {key: None if facts[key] else measured_fact(ds, key)
                     for key in ("languages", "collection_period", "modality")},
        "period": stated_or_measured(ds, "collection_period"),
        "profile": _profile_view(ds),
        "shards": ds.summary.shards,
        "records": _dataset_records(ds),
        "bytes": _dataset_bytes(ds),
        "text_bytes": _text_bytes(ds),
        "formats": formats,
        "columns": _columns(ds),
        "digest": ds.digest,
        "vcs": None if vcs is None else {"url": vcs.url, "commit": vcs.commit, "ref": vcs.ref, "dirty": vcs.dirty,
                                         "path": vcs.path},
        "hub": None if ds.hub is None else {"repo_id": ds.hub.repo_id, "revision": ds.hub.revision, "url": ds.hub.url},
        "datasets_info": _datasets_info_text(ds),
        "ancestors": list(ds.ancestors),
        "steps": [s.name for s in steps_producing(dbom, ds.name)],
        "errors": ds.summary.errors,
    }


def _datasets_info_text(ds: Dataset) -> str | None:
    """One line on the `datasets` object a dataset was recorded from: type, builder, config, fingerprints."""
    info = ds.datasets_info
    if info is None:
        return None
    parts = [info.kind]
    if info.builder:
        parts.append(f"builder {info.builder}" + (f" ({info.config})" if info.config else ""))
    if info.version:
        parts.append(f"version {info.version}")
    if info.fingerprints:
        parts.append("fingerprint " + ", ".join(f"{split}: {fp}" if split else fp for split, fp in info.fingerprints))
    return "; ".join(parts)


def _size_for(modality: str | None, datasets: list[Dataset]) -> dict[str, Any]:
    """The EU 1.3 size of one modality: the template's range and how it was found, or None for the range.

    Text is sized by the tokens the content profile counted with the model's tokenizer; without them,
    its bytes bound the tokens from above (see `check.token_bound`), which places it below 1 billion
    tokens when they are fewer. Images are counted as records. A size the DBOM cannot place (durations,
    an `other` unit, a dataset without data files, uncounted text of 1 billion bytes or more) is taken
    from the dataset's `size` fact, and without one the range is None ("to be completed").
    """
    if modality is None:  # no range without a modality; what the files say, for the provider to place
        records = _records(datasets)
        counted = human_count(records) if records is not None else "unknown"
        return {"range": None,
                "detail": f"no modality stated; {counted} records, {human_bytes(sum(d.total_bytes for d in datasets))}"}
    unsized = [d for d in datasets if unsized_reason(d, modality, datasets)]
    if unsized:
        stated = [f"{d.name}: {d.facts['size'].strip()}" for d in unsized if (d.facts.get("size") or "").strip()]
        silent = [f"{d.name} ({unsized_reason(d, modality, datasets)})" for d in unsized
                  if not (d.facts.get("size") or "").strip()]
        sized = [d for d in datasets if d not in unsized]
        counted = _size_for(modality, sized)["detail"] if sized else None
        if silent:
            return {"range": None, "detail": "no size stated for " + ", ".join(silent)
                    + (f"; as stated: {'; '.join(stated)}" if stated else "")
                    + (f"; counted: {counted}" if counted else "")}
        # a stated text size is in tokens, but in no form the DBOM can add up: the provider's words stand
        label = "As stated by the provider" if modality == "text" else "Specified in another unit"
        return {"range": label,
                "detail": "as stated: " + "; ".join(stated) + (f"; counted: {counted}" if counted else "")}
    records = _records(datasets)
    if modality == "text":
        size = _text_size(datasets)
        if records is not None:
            size["detail"] += f"; {human_count(records)} records"
        return size
    images = records or 0  # unsized_reason() made sure every count is known
    label = next(lbl for bound, lbl in IMAGE_RANGES if bound is None or images < bound)
    return {"range": label, "detail": f"{human_count(images)} images (records)"}


def _text_range(tokens: int) -> str:
    return next(lbl for bound, lbl in TEXT_RANGES if bound is None or tokens < bound)


def _text_size(datasets: list[Dataset]) -> dict[str, Any]:
    """EU 1.3's text range of datasets that can be placed: from counted tokens, else from the bytes' bound."""
    counts = [count for count in (recorded.tokens(d.profile) for d in datasets) if count is not None]
    names = _unique(c.tokenizer or "unnamed" for c in counts)
    with_tokenizer = f"with the tokenizer {', '.join(f'`{n}`' for n in names)} (`dbom:profile:tokenizer`)"
    if len(counts) == len(datasets):
        value, low, high = (sum(c.value for c in counts), sum(c.low for c in counts), sum(c.high for c in counts))
        label = _text_range(value)
        detail = f"{human_count(value)} tokens counted by the content profile {with_tokenizer}"
        if any(c.sampled for c in counts):
            detail += (f", estimated from a sample of the records (95% interval {human_count(low)} to "
                       f"{human_count(high)} tokens)")
            if _text_range(low) != _text_range(high):
                edge = next(b for b, _ in TEXT_RANGES if b is not None and low < b <= high)
                detail += (f"; the interval straddles the boundary of {human_count(edge)} tokens: the range is "
                           "the estimate's")
        return {"range": label, "detail": detail}
    bound = sum(token_bound(d) for d in datasets)  # below TOKEN_BOUND: unsized_reason() made sure of it
    uncounted = [d for d in datasets if recorded.tokens(d.profile) is None]
    detail = (f"at most {human_count(bound)} tokens: the tokens are not counted for "
              f"{', '.join(d.name for d in uncounted)}, and a byte-level tokenizer makes at most one token of each "
              f"of their {human_count(sum(_text_bytes(d) for d in uncounted))} bytes of data (uncompressed where "
              "known)")
    if counts:
        detail += (f"; at most {human_count(sum(c.high for c in counts))} tokens counted {with_tokenizer} for the "
                   "others (the high end of the 95% interval when sampled)")
    return {"range": _text_range(bound), "detail": detail}


def _answer(value: bool | None) -> str | None:
    """A yes/no question's answer: Yes, No, or None ("to be completed") when the DBOM cannot tell."""
    return None if value is None else ("Yes" if value else "No")


def _listed(items: Iterable[str | None]) -> dict[str, Any]:
    """Known items without repeats, and whether one is unknown (None): the template marks it."""
    return {"known": _unique(i for i in items if i), "unknown": any(i is None for i in items)}


def _eu_view(dbom: Dbom, datasets: list[dict[str, Any]]) -> dict[str, Any]:
    by_name = {d.name: d for d in dbom.datasets}
    rows = []
    for modality in (*MODALITIES, None):
        # 1.3 is the training data after pre-processing: not the datasets that processing steps read
        members = [d for d in datasets if modality in d["modalities"] and not consumed(dbom, d["name"])]
        if not members:
            continue
        rows.append({
            "name": modality, "datasets": [d["name"] for d in members],
            "content_types": _unique(t.strip() for d in members
                                     for t in (d["facts"]["content_types"] or "").split(",")),
            "untyped": [d["name"] for d in members if not d["facts"]["content_types"]],
            "measured": [d["name"] for d in members if d["modality_measured"]],
            **_size_for(modality, [by_name[d["name"]] for d in members]),
        })
    ends = [e for e in (period_end(d["period"]) for d in datasets) if e]
    latest = f"{max(ends)[1]:02d}/{max(ends)[0]}" if ends else None
    languages = _unique(x.strip() for d in datasets for x in (d["facts"]["languages"] or "").split(","))
    measured_languages = [{"name": d["name"], "languages": d["measured"]["languages"]} for d in datasets
                          if d["measured"]["languages"]]
    sections = {}
    for section in EU_SECTIONS:
        members = [d for d in datasets if d["eu_category"] == section]
        sections[section] = {
            "used": eu_used(dbom, section),
            "answer": _answer(eu_used(dbom, section)),
            "modalities": _listed([m for d in members for m in d["modalities"]]),
            "datasets": members,
            "comment": dbom.model.eu_comments.get(section),
        }
    users = in_section(dbom, "2.4")
    sections["2.4"]["from_model"] = _answer(eu_user_data(dbom, "model"))
    sections["2.4"]["from_services"] = _answer(eu_user_data(dbom, "services"))
    sections["2.4"]["sources"] = {d.name: " and ".join(
        {"model": "interactions with the model", "services": "the provider's other services or products"}[s]
        for s in user_data_sources(d) or ()) or None for d in users}
    facts: dict[str, str | None] = {key: model_fact(dbom, key) for key in MODEL_FACT_KEYS}
    for key in ("continuous_training", "cop_signatory"):
        facts[key] = {"yes": "Yes", "no": "No"}.get((facts[key] or "").lower(), facts[key])
    # the intermediates' characteristics are asked too (osaid.1.characteristics): marked apart from the table
    vague = [d["name"] for d in datasets if consumed(dbom, d["name"])
             and (None in d["modalities"] or not d["facts"]["content_types"])]
    return {"modalities": rows, "vague_intermediates": vague, "latest_collection": latest, "languages": languages,
            "measured_languages": measured_languages,
            "measured_periods": [d["name"] for d in datasets if d["measured"]["collection_period"]],
            "sections": sections, "uncategorised": [d for d in datasets if d["eu_category"] not in EU_SECTIONS],
            "facts": facts, "comments": dict(dbom.model.eu_comments),
            # the datasets that do not state a fact, so that an overall answer says it is partial
            "undated": [d["name"] for d in datasets if not period_end(d["period"])],
            "unlanguaged": [d["name"] for d in datasets if not d["facts"]["languages"]
                            and not d["measured"]["languages"]]}


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def _composition(dbom: Dbom) -> dict[str, Any]:
    """Datasets, records and bytes by license class (per-record licenses split out) and by file format."""
    by_class: dict[str, dict[str, Any]] = {}
    for ds in dbom.datasets:
        for name, records, size in license_parts(ds):
            entry = by_class.setdefault(name, {"datasets": 0, "records": 0, "bytes": 0})
            entry["datasets"] += 1
            entry["records"] = _sum((entry["records"], records))
            entry["bytes"] = _sum((entry["bytes"], size))
    by_format: dict[str, dict[str, int]] = {}
    for ds in dbom.datasets:
        for f in ds.summary.formats:
            entry = by_format.setdefault(f.name, {"shards": 0, "records": 0, "bytes": 0})
            entry["shards"] += f.shards
            entry["records"] += f.records
            entry["bytes"] += f.bytes
    return {
        "by_class": [{"name": k, **v}
                     for k, v in sorted(by_class.items(), key=lambda kv: (-(kv[1]["bytes"] or 0), kv[0]))],
        "by_format": [{"name": k, **v} for k, v in sorted(by_format.items(), key=lambda kv: (-kv[1]["bytes"], kv[0]))],
    }


def _charts(datasets: list[dict[str, Any]], composition: dict[str, Any]) -> list[Any]:
    return [
        bar_chart("Records by dataset", [(d["name"], d["records"]) for d in datasets], human_count, "chart-records"),
        bar_chart("Bytes by dataset", [(d["name"], d["bytes"]) for d in datasets], human_bytes, "chart-bytes"),
        bar_chart("Bytes by license class", [(c["name"], c["bytes"]) for c in composition["by_class"]],
                  human_bytes, "chart-license"),
        bar_chart("Bytes by format", [(f["name"], f["bytes"]) for f in composition["by_format"]], human_bytes,
                  "chart-format"),
    ]


def _code_view(ref: CodeRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    from dbom.provenance.pipeline import code_text

    return {"text": code_text(ref), "sha256": ref.sha256, "commit": ref.vcs.commit if ref.vcs else None,
            "dirty": bool(ref.vcs and ref.vcs.dirty)}


def _step_view(step: ProcessingStep) -> dict[str, Any]:
    run = []
    if step.entrypoint:
        run.append(f"entrypoint {step.entrypoint}")
    if step.command:
        run.append(step.command)
    if step.args:
        run.append(" ".join(f"{k}={v}" for k, v in step.args))
    config = _code_view(step.config)
    if config:
        run.append(f"config {config['text']}" + (f" (sha256 {config['sha256'][:12]})" if config["sha256"] else ""))
    counts = [f"{label} {human_count(n)}" for label, n in (
        ("documents in", step.documents_in), ("documents out", step.documents_out),
        ("bytes in", step.bytes_in), ("bytes out", step.bytes_out)) if n is not None]
    ref = step.code_ref
    unpinned = (ref is None and bool(step.code)) or (ref is not None and not ref.sha256
                                                      and not (ref.vcs and ref.vcs.commit))
    return {"name": step.name, "kind": step.kind, "code": step_code(step), "code_ref": _code_view(step.code_ref),
            "unpinned": unpinned, "license": step.license, "run": "; ".join(run), "counts": ", ".join(counts),
            "inputs": list(step.inputs), "outputs": list(step.outputs)}


def context(dbom: Dbom, result: CheckResult | None = None) -> dict[str, Any]:
    """Everything the templates show, computed once from the DBOM (and its check result)."""
    result = result or check(dbom, "all")
    datasets = [_dataset_view(ds, dbom) for ds in dbom.datasets]
    m = dbom.model
    composition = _composition(dbom)
    return {
        "model": {"name": m.name, "version": m.version, "license": m.license, "supplier": m.supplier,
                  "group": m.group, "description": m.description, "commercial": m.commercial,
                  "facts": {key: m.facts.get(key) for key in MODEL_FACT_KEYS}},
        "dbom": {"license": dbom.dbom_license, "timestamp": dbom.timestamp,
                 "date": (dbom.timestamp or "")[:10] or None, "tool_version": dbom.tool_version},
        "datasets": datasets,
        "shareable": [d for d in datasets if d["osaid_class"] in ("open", "public")],
        "obtainable": [d for d in datasets if d["osaid_class"] == "obtainable"],
        "unshareable": [d for d in datasets if d["osaid_class"] == "unshareable"],
        "unclassified": [d for d in datasets if d["osaid_class"] is None],
        "steps": [_step_view(s) for s in dbom.steps],
        "training_code": _code_view(dbom.training_code),
        "environment": [{"name": n, "version": v} for n, v in dbom.environment],
        "totals": {"datasets": len(datasets), "shards": sum(d["shards"] for d in datasets),
                   "records": _records(dbom.datasets), "bytes": _sum(d["bytes"] for d in datasets)},
        "composition": composition,
        "eu": _eu_view(dbom, datasets),
        "check": {
            "meets": result.meets, "counts": result.counts(),
            "missing": [{"rule": o.rule, "dataset": o.dataset, "reason": o.reason, "fix": list(o.fix_keys())}
                        for o in result.outcomes if o.status == "missing"],
            "findings": [{"id": f.id, "severity": f.severity, "dataset": f.dataset, "message": f.message}
                         for f in result.findings],
        },
    }


def render(dbom: Dbom, fmt: str) -> str:
    """The report of `dbom` in format `fmt` (md, eu or html), as text."""
    if fmt not in FORMATS:
        raise DbomError(None, f"unknown report format {fmt!r} (use {', '.join(FORMATS)})")
    ctx = context(dbom)
    if fmt == "html":
        ctx["charts"] = _charts(ctx["datasets"], ctx["composition"])
        for index, d in enumerate(ctx["datasets"], 1):
            d["profile_charts"] = profile_charts(d["name"], d["profile"], f"chart-ds-{index}") if d["profile"] else []
    env = environment("html" if fmt == "html" else "md", EU_TODO if fmt == "eu" else TODO)
    return env.get_template(FORMATS[fmt]).render(**ctx)


def write_report(dbom: Dbom, fmt: str, output: Path) -> None:
    """Render and write the report to `output` atomically (a temporary file beside it, then a rename)."""
    text = render(dbom, fmt)
    with replacing(output) as (fh, _):
        fh.write(text)
