"""The manifest (`dbom.yaml`): its schema, loading, and clear errors for what it gets wrong.

The manifest holds what only people know. Its top-level keys are `model`, `dbom`,
`datasets` and `steps`; an unknown key anywhere is an error naming the key and its line.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dbom.errors import DbomError, ManifestError
from dbom.model import ModelInfo

MAX_MANIFEST_BYTES = 4 << 20
# What a manifest may hold once its aliases are expanded: far beyond any real one, far below a bomb.
MAX_VALUES = 200_000
MAX_DEPTH = 64

# The model keys a person states for the EU summary: written through as `dbom:model:fact:<key>` properties
MODEL_FACT_KEYS = (
    "contact",                    # A3, EU 1.1: the provider's contact details
    "authorised_representative",  # A3, EU 1.1: name and contact, for a provider established outside the EU
    "dependencies",               # A4, EU 1.2: the base model(s), each with a link to its own summary, or "none"
    "market_date",                # A4, EU 1.2: date of placement on the Union market (YYYY-MM-DD)
    "continuous_training",        # A7, EU 1.3: whether the model is trained on new data after the latest collection
    "summary_version",            # A1, EU header: the version of the public summary
    "other_public_data",          # B4, EU 2.1: other publicly available datasets used, not listed, or "none"
    "other_private_data",         # B4, EU 2.2.2: non-publicly known private third-party data used, or "none"
    "cop_signatory",              # E4, EU 3.1: a signatory to the Code of Practice for general-purpose AI models?
)
# The EU template's optional "additional comments", by section (3.3 is "other information"): `model.eu_comments`,
# written through as `dbom:model:eu-comment:<section>` properties.
EU_COMMENT_SECTIONS = ("1.3", "2.1", "2.2.1", "2.2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.3")
MODEL_KEYS = ("name", "version", "license", "commercial", "group", "supplier", "description",
              "tokenizer",  # the content profile's tokenizer: a tokenizer.json or a model folder holding one
              "sme",  # an SME (EU summary 2.3): the profile lists the top 5% of domains, at most 1,000
              *MODEL_FACT_KEYS, "eu_comments")

DBOM_KEYS = ("license",)

# Per-dataset keys the tool uses itself.
DATASET_CORE_KEYS = ("name", "path", "include", "exclude", "version", "description", "homepage", "location",
                     "license",
                     "text_field", "url_field", "date_field")  # the content profile's fields, when not found by name

# Per-dataset facts only people know (../shared/requirements.md, rows marked CFG). Each is
# written through as a `dbom:fact:<key>` property, so that `check` can tell what is stated.
DATASET_FACT_KEYS = (
    "osaid_class",          # B2: open | public | obtainable | unshareable
    "eu_category",          # B3: 2.1 | 2.2.1 | 2.2.2 | 2.3 | 2.4 | 2.5 | 2.6
    "supplier",             # B9: originator / publisher of the data
    "access",               # B7: how to get it: direct download, registration, purchase; fee and vendor
    "obtained",             # B11: collection mechanism (download, API, crawl, purchase, annotation, ...)
    "collection_period",    # B11 / A7: e.g. 2024-01/2024-06
    "selection",            # B12: selection rationale, inclusion and exclusion criteria, sampling
    "labeling",             # B13: annotation procedure, or "none"
    "processing",           # C1: narrative of cleaning and filtering (the code goes under `steps`)
    "modality",             # A5: text | image | audio | video | other
    "content_types",        # A6: fiction, forum posts, code, ...
    "languages",            # A8: ISO 639-1 codes
    "classification",       # E3: public | internal | confidential | restricted
    "personal_data",        # E1: yes | no | unknown, with categories
    "sensitive_data",       # E1/E2: how personal or sensitive data was handled
    "illegal_content",      # E5, EU 3.2: measures taken to avoid or remove illegal content
    "tdm_opt_out",          # E4, EU 3.1: how text-and-data-mining opt-outs (robots.txt, TDMRep) were honoured
    "known_biases",         # E6
    "intended_use",         # A10
    "citation",             # E10
    "size",                 # A5, EU 1.3: size in the modality's unit where dbom cannot count it (hours, ...)
    "crawler",              # F5, EU 2.3: crawler name(s) / user agent(s)
    "crawler_purpose",      # F5, EU 2.3: what the crawler collected data for
    "crawler_behaviour",    # F5, EU 2.3: robots.txt and other opt-out protocols honoured, captchas, paywalls, logins
    "user_data_from",       # F6, EU 2.4: model | services (interactions with the model, or other services)
    "generator_models",     # F7, EU 2.5: models on the market that generated it, with links to their summaries
    "other_generator_models",  # F7, EU 2.5: other models (own, not on the market) and their training data
    "documentation",        # A11: links to the paper, data card, technical report
    "ethical_review",       # E7: ethical review, social impact
    "maintenance",          # E8: maintenance, updates, versioning and deprecation
    "takedown_contact",     # E8: contact for takedown and opt-out requests
    "funding",              # E9: who funded the dataset's creation
)
# The facts asked only of the datasets of one EU summary section (`check` does not ask the others for them).
SECTION_FACT_KEYS = {
    "2.3": ("crawler", "crawler_purpose", "crawler_behaviour", "tdm_opt_out"),
    "2.4": ("user_data_from",),
    "2.5": ("generator_models", "other_generator_models"),
}
OSAID_CLASSES = ("open", "public", "obtainable", "unshareable")
USER_DATA_SOURCES = ("model", "services")
EU_CATEGORIES = ("2.1", "2.2.1", "2.2.2", "2.3", "2.4", "2.5", "2.6")

# Per-step keys (dbom.provenance.pipeline resolves `code` and `config` to repository, commit and digest).
STEP_KEYS = ("name", "kind", "code", "license", "entrypoint", "command", "args", "config", "inputs", "outputs",
             "documents_in", "documents_out", "bytes_in", "bytes_out")
STEP_TEXT_KEYS = ("kind", "code", "entrypoint", "command", "config")
STEP_COUNT_KEYS = ("documents_in", "documents_out", "bytes_in", "bytes_out")

TOP_KEYS = ("model", "dbom", "datasets", "steps")


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset as the manifest declares it; `path` is absolute once loaded."""

    name: str
    path: Path | None = None
    url: str | None = None  # a remote root (s3://, gs://, az://, hf://, https://) instead of `path`
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    version: str | None = None
    description: str | None = None
    homepage: str | None = None
    location: str | None = None
    license: str | None = None
    facts: Mapping[str, str] = field(default_factory=dict)
    text_field: str | None = None  # the content profile's text, URL and date fields (dots for nested ones)
    url_field: str | None = None
    date_field: str | None = None


@dataclass(frozen=True)
class Manifest:
    """A loaded manifest; `source` is the file it came from (None when built in code)."""

    model: Mapping[str, Any] = field(default_factory=dict)
    dbom: Mapping[str, Any] = field(default_factory=dict)
    datasets: tuple[DatasetEntry, ...] = ()
    steps: tuple[Mapping[str, Any], ...] = ()
    source: Path | None = None

    def model_info(self, name: str | None = None, default_name: str = "unnamed-model") -> ModelInfo:
        """The model the manifest describes; `name` overrides its `model.name`, `default_name` stands in for none."""
        m = self.model
        return ModelInfo(
            name=name or _text(m.get("name")) or default_name,
            version=_text(m.get("version")),
            license=_text(m.get("license")),
            commercial=m.get("commercial"),
            group=_text(m.get("group")),
            supplier=_text(m.get("supplier")),
            description=_text(m.get("description")),
            facts={key: _fact_value(m[key]) for key in MODEL_FACT_KEYS if m.get(key) is not None},
            eu_comments={str(k): str(v).strip() for k, v in (m.get("eu_comments") or {}).items()
                         if v is not None and str(v).strip()},
        )

    @property
    def dbom_license(self) -> str | None:
        """The license of the DBOM document itself (`dbom.license`)."""
        return _text(self.dbom.get("license"))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _fact_value(value: Any) -> str:
    """A model fact as text: a list (of base models) joined, a yes/no answer as `yes` or `no`, a date in ISO form."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, datetime.date):  # YAML reads an unquoted 2025-08-02 as a date
        return value.isoformat()
    return str(value)


@functools.cache
def _line_loader() -> Any:
    """A safe YAML loader class that remembers the line of every mapping key (PyYAML loads on first use)."""
    import yaml

    class _LineLoader(yaml.SafeLoader):
        pass

    _LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    return _LineLoader


def _construct_mapping(loader: Any, node: Any) -> dict[str, Any]:
    import yaml

    mapping = _KeyLines()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if isinstance(key, (dict, list)):  # `{}: x`, `[a]: x`: valid YAML, no manifest key
            raise yaml.constructor.ConstructorError(None, None, "a key must be a plain value, not a "
                                                    f"{'mapping' if isinstance(key, dict) else 'list'}",
                                                    key_node.start_mark)
        if key in mapping.lines:  # YAML forbids it; PyYAML would keep the last one silently
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (lines {mapping.lines[key]} and {line})", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


def _check_size(root: Any, label: str) -> None:
    """ManifestError when the document, its aliases expanded, would exceed MAX_VALUES values or MAX_DEPTH levels.

    Measured on the node graph (each node once, children before parents), so that a few lines of nested
    aliases cost what they are, not what they would expand to.
    """
    if root is None:
        return
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        value = node.value
        children = [n for pair in value for n in pair] if isinstance(value, list) and value and \
            isinstance(value[0], tuple) else (value if isinstance(value, list) else [])
        if not children_done:
            if len(stack) > MAX_DEPTH * 64:
                raise ManifestError(label, f"line {node.start_mark.line + 1}: nested too deeply")
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
        depths[id(node)] = 1 + max((depths[id(child)] for child in children), default=0)
        if sizes[id(node)] > MAX_VALUES:
            raise ManifestError(label, f"line {node.start_mark.line + 1}: expands to more than {MAX_VALUES:,} values "
                                       "(YAML aliases?)")
        if depths[id(node)] > MAX_DEPTH:
            raise ManifestError(label, f"line {node.start_mark.line + 1}: nested too deeply "
                                       f"(more than {MAX_DEPTH} levels)")


class _KeyLines(dict):  # type: ignore[type-arg]
    """A dict that also knows on which line each key was written."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}


def load_manifest(path: Path) -> Manifest:
    """Read and check a manifest file; raise ManifestError naming the file, line and cause."""
    label = str(path)
    try:
        raw = path.read_bytes()[: MAX_MANIFEST_BYTES + 1]
    except OSError as exc:
        raise ManifestError(label, f"cannot read manifest: {exc.strerror or exc}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(label, f"manifest larger than {MAX_MANIFEST_BYTES} bytes")
    import yaml

    try:
        loader = _line_loader()(raw.decode("utf-8"))  # a SafeLoader: no objects
        try:
            node = loader.get_single_node()
            _check_size(node, label)  # before building: an alias bomb is small as nodes, huge as values
            doc = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        raise ManifestError(label, "manifest is not valid UTF-8") from None
    except RecursionError:
        raise ManifestError(label, f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ManifestError(label, f"{where}invalid YAML: {problem}") from None
    if doc is None:
        doc = _KeyLines()
    return replace(parse_manifest(doc, path.parent, label), source=path)


def parse_manifest(doc: Any, base: Path, label: str = "manifest") -> Manifest:
    """Check a manifest already parsed from YAML (or built in code) and resolve its paths against `base`."""
    top = _mapping(doc, label, "manifest", TOP_KEYS, "top level")
    model = _mapping(top.get("model", {}), label, "model", MODEL_KEYS, "model")
    dbom_section = _mapping(top.get("dbom", {}), label, "dbom", DBOM_KEYS, "dbom")
    if "name" not in model and "model" in top:
        raise ManifestError(label, f"{_at(top, 'model')}model: `name` is required")
    for key in ("name", "version", "license", "group", "supplier", "description", *MODEL_FACT_KEYS):
        if key in ("continuous_training", "cop_signatory") and isinstance(model.get(key), bool):
            continue
        if key == "dependencies" and isinstance(model.get(key), list):
            continue
        if key in MODEL_FACT_KEYS and model.get(key) is None:  # left empty (as `dbom init` writes it): not stated
            continue
        value = model.get(key)
        if key in model and (isinstance(value, bool) or not isinstance(value, (str, int, float, datetime.date))):
            raise ManifestError(label, f"{_at(model, key)}model.{key} must be a string")
    for key in ("commercial", "sme"):
        if key in model and not isinstance(model[key], bool):
            raise ManifestError(label, f"{_at(model, key)}model.{key} must be true or false")
    if "tokenizer" in model:
        if not isinstance(model["tokenizer"], str) or not model["tokenizer"].strip():
            raise ManifestError(label, f"{_at(model, 'tokenizer')}model.tokenizer must be a path")
        model["tokenizer"] = str((base / model["tokenizer"]).resolve())
    comments = model.get("eu_comments")
    if comments is not None:
        if not isinstance(comments, dict):
            raise ManifestError(label, f"{_at(model, 'eu_comments')}model.eu_comments must map EU summary "
                                       f"sections ({', '.join(EU_COMMENT_SECTIONS)}) to text")
        for section, text in comments.items():
            if str(section) not in EU_COMMENT_SECTIONS:
                raise ManifestError(label, f"{_at(comments, section)}model.eu_comments: {str(section)!r} is not a "
                                           f"section with comments ({', '.join(EU_COMMENT_SECTIONS)}; quote it)")
            if text is not None and (isinstance(text, bool) or not isinstance(text, (str, int, float))):
                raise ManifestError(label, f"{_at(comments, section)}model.eu_comments[{section}] must be text")
    for section, where in ((model, "model"), (dbom_section, "dbom")):
        if section.get("license") is not None:
            section["license"] = _license(section, label, f"{where}.license")

    raw_datasets = top.get("datasets", []) or []
    if not isinstance(raw_datasets, list):
        raise ManifestError(label, f"{_at(top, 'datasets')}`datasets` must be a list")
    datasets = tuple(_dataset(item, base, label, top) for item in raw_datasets)
    names = [d.name for d in datasets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ManifestError(label, f"dataset name {duplicates[0]!r} is declared twice")

    raw_steps = top.get("steps", []) or []
    if not isinstance(raw_steps, list):
        raise ManifestError(label, f"{_at(top, 'steps')}`steps` must be a list")
    steps = tuple(_step(step, label, top, set(names)) for step in raw_steps)
    step_names = [str(s["name"]) for s in steps]
    for step in steps:
        if step_names.count(str(step["name"])) > 1:
            raise ManifestError(label, f"{_at(step, 'name')}step name {step['name']!r} is declared twice")
    return Manifest(model=dict(model), dbom=dict(dbom_section), datasets=datasets, steps=steps)


def _dataset(item: Any, base: Path, label: str, parent: Mapping[str, Any]) -> DatasetEntry:
    entry = _mapping(item, label, "dataset", DATASET_CORE_KEYS + DATASET_FACT_KEYS, "datasets[]")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ManifestError(label, f"{_at(parent, 'datasets')}every dataset needs a `name`")
    path_value = entry.get("path")
    if path_value is not None and not isinstance(path_value, str):
        raise ManifestError(label, f"{_at(entry, 'path')}datasets[{name}].path must be a string")
    facts: dict[str, str] = {}
    for key in DATASET_FACT_KEYS:
        if key in entry and entry[key] is not None:
            facts[key] = _fact_text(entry[key], label, entry, key, name)
    if "osaid_class" in facts and facts["osaid_class"] not in OSAID_CLASSES:
        raise ManifestError(label, f"{_at(entry, 'osaid_class')}datasets[{name}].osaid_class must be one of "
                                   f"{', '.join(OSAID_CLASSES)}")
    if "eu_category" in facts and facts["eu_category"] not in EU_CATEGORIES:
        raise ManifestError(label, f"{_at(entry, 'eu_category')}datasets[{name}].eu_category must be one of "
                                   f"{', '.join(EU_CATEGORIES)}")
    if "user_data_from" in facts and (not facts["user_data_from"] or any(
            part.strip() not in USER_DATA_SOURCES for part in facts["user_data_from"].split(","))):
        raise ManifestError(label, f"{_at(entry, 'user_data_from')}datasets[{name}].user_data_from must be "
                                   f"{' or '.join(USER_DATA_SOURCES)}, or both as a list")
    from dbom.sources.remote import parse_remote

    try:
        remote = parse_remote(path_value) if path_value else None
    except DbomError as exc:
        raise ManifestError(label, f"{_at(entry, 'path')}datasets[{name}].path: {exc.cause}") from None
    return DatasetEntry(
        name=name.strip(),
        path=(base / path_value).resolve() if path_value and remote is None else None,
        url=remote.url if remote is not None else None,
        include=_globs(entry, "include", label, name),
        exclude=_globs(entry, "exclude", label, name),
        version=_optional_text(entry, "version", label, name),
        description=_optional_text(entry, "description", label, name),
        homepage=_optional_text(entry, "homepage", label, name),
        location=_optional_text(entry, "location", label, name),
        text_field=_text_field(entry, label, name),
        url_field=_optional_text(entry, "url_field", label, name),
        date_field=_optional_text(entry, "date_field", label, name),
        license=_license(entry, label, f"datasets[{name}].license") if entry.get("license") is not None else None,
        facts=facts,
    )


def _step(item: Any, label: str, parent: Mapping[str, Any], datasets: set[str]) -> Mapping[str, Any]:
    """Check one processing step: its keys, their types, and that its inputs and outputs are declared datasets."""
    step = _mapping(item, label, "step", STEP_KEYS, "steps[]")
    name = step.get("name")
    if not isinstance(name, (str, int)) or isinstance(name, bool) or not str(name).strip():
        raise ManifestError(label, f"{_at(parent, 'steps')}every step needs a `name`")
    for key in STEP_TEXT_KEYS:
        if key in step and not isinstance(step[key], str):
            raise ManifestError(label, f"{_at(step, key)}steps[{name}].{key} must be a string")
    for key in STEP_COUNT_KEYS:
        if key in step and (not isinstance(step[key], int) or isinstance(step[key], bool) or step[key] < 0):
            raise ManifestError(label, f"{_at(step, key)}steps[{name}].{key} must be a whole number >= 0")
    if step.get("license") is not None:
        step["license"] = _license(step, label, f"steps[{name}].license")
    if "args" in step and not isinstance(step["args"], dict):
        raise ManifestError(label, f"{_at(step, 'args')}steps[{name}].args must be a mapping of names to values")
    for key in ("inputs", "outputs"):
        value = step.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ManifestError(label, f"{_at(step, key)}steps[{name}].{key} must be a list of dataset names")
        unknown = [v for v in value if v not in datasets]
        if unknown:
            raise ManifestError(label, f"{_at(step, key)}steps[{name}].{key} names {unknown[0]!r}, "
                                       "which is not a dataset of this manifest")
    return step


def line_of(mapping: Mapping[str, Any], key: str) -> str:
    """`line N: ` for a key of a mapping loaded from a manifest file (empty when unknown), to prefix errors."""
    return _at(mapping, key)


def _mapping(value: Any, label: str, what: str, allowed: tuple[str, ...], where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ManifestError(label, f"{where}: expected a mapping for {what}, got {type(value).__name__}")
    for key in value:
        if key not in allowed:
            raise ManifestError(label, f"{_at(value, key)}unknown key {key!r} in {where} "
                                       f"(allowed: {', '.join(allowed)})")
    return value


def _at(mapping: Mapping[str, Any], key: str) -> str:
    line = getattr(mapping, "lines", {}).get(key)
    return f"line {line}: " if line else ""


def _license(section: Mapping[str, Any], label: str, where: str) -> str:
    """The section's `license`, in its SPDX form (dbom.licensing.stated); ManifestError with the line otherwise."""
    from dbom.licensing.stated import stated_license

    value = section["license"]
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ManifestError(label, f"{_at(section, 'license')}{where} must be a string")
    try:
        return stated_license(str(value))
    except ValueError as exc:
        raise ManifestError(label, f"{_at(section, 'license')}{where}: {exc}") from None


def _text_field(entry: Mapping[str, Any], label: str, name: str) -> str | None:
    """`text_field`: a field, or a list of fields whose texts the profile joins (kept as `a+b`)."""
    value = entry.get("text_field")
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) and v and "+" not in v for v in value):
            raise ManifestError(label, f"{_at(entry, 'text_field')}datasets[{name}].text_field must be a field name "
                                       "or a list of field names")
        return "+".join(value)
    return _optional_text(entry, "text_field", label, name)


def _optional_text(entry: Mapping[str, Any], key: str, label: str, name: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ManifestError(label, f"{_at(entry, key)}datasets[{name}].{key} must be a string")
    return str(value)


def _fact_text(value: Any, label: str, entry: Mapping[str, Any], key: str, name: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):  # YAML reads an unquoted 2024-06-01 as a date
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    raise ManifestError(label, f"{_at(entry, key)}datasets[{name}].{key} must be text or a list of text")


def _globs(entry: Mapping[str, Any], key: str, label: str, name: str) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(label, f"{_at(entry, key)}datasets[{name}].{key} must be a list of glob patterns")
    return tuple(value)
