"""Update a model card (README.md) in place: its `datasets:` front matter and a "Training data" section.

Edits are textual and minimal, so the rest of the card stays byte for byte as the user wrote it:
- the YAML front matter is located with PyYAML's composer (node positions), and only the
  `datasets:` value gains the missing Hub ids (a block list gets new `- id` lines in the same
  indentation, a flow list `[a, b]` new items before its `]`, a missing key a new `datasets:` block
  at the end of the front matter). The result is parsed again and must equal the old mapping plus
  the new ids, or nothing is written;
- the "Training data" section, rendered from `templates/model-card-training-data.md.j2`, sits
  between the lines `<!-- dbom:training-data:start -->` and `<!-- dbom:training-data:end -->`; a
  re-run replaces what is between them, a first run appends the section at the end of the card.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

from dbom.errors import DbomError
from dbom.licensing.record_licenses import MISSING as NO_RECORD_LICENSE
from dbom.model import NOASSERTION, Dataset, Dbom, LicenseShare
from dbom.util.humanize import human_bytes
from dbom.util.redact import clean_url, is_url

CARD_NAME = "README.md"
MARK_START = "<!-- dbom:training-data:start -->"
MARK_END = "<!-- dbom:training-data:end -->"
MAX_CARD_BYTES = 8 << 20  # a model card larger than this is refused rather than rewritten
TEMPLATE_NAME = "model-card-training-data.md.j2"
HUB = "https://huggingface.co"

_BOM = "\ufeff"
_START_LINE = re.compile(r"^" + re.escape(MARK_START) + r"[ \t]*(?=\r?$)", re.M)
_END_LINE = re.compile(r"^" + re.escape(MARK_END) + r"[ \t]*(?=\r?$)", re.M)
# A Hub repo id: `name` (legacy canonical datasets) or `org/name`.
_HUB_ID = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")
_HUB_URL_PATHS = ("tree", "blob", "resolve", "viewer", "discussions", "commit", "commits")
_ITEM_PREFIX = re.compile(r"^[ \t]*-[ \t]+$")


# --- reading and splitting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A model card's text, split: `bom` + text[:fm_start] + front matter + text[fm_end:]."""

    text: str  # without a leading byte-order mark
    bom: str = ""
    fm_start: int | None = None  # character offsets of the YAML between the `---` lines, if any
    fm_end: int | None = None
    meta: dict[str, Any] | None = None  # the parsed front matter ({} when there is none)

    @property
    def newline(self) -> str:
        """The card's line ending: CRLF when its first line ends so, LF otherwise."""
        first = self.text.find("\n")
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"


def read_card_bytes(path: Path) -> bytes | None:
    """The card's bytes, or None when there is no card. Refuses a symlink and a too-large file."""
    if path.is_symlink():
        raise DbomError(str(path), "is a symlink; dbom attach does not follow it (replace it with a file)")
    from dbom.publish.model_folder import NotRegularFile, read_regular

    try:
        data = read_regular(path, MAX_CARD_BYTES)
    except NotRegularFile as exc:
        raise DbomError(str(path), f"is a {exc.kind}, not a model card; not read or replaced") from None
    except OSError as exc:
        raise DbomError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if data is None:
        return None
    if len(data) > MAX_CARD_BYTES:
        raise DbomError(str(path), f"larger than {MAX_CARD_BYTES >> 20} MiB; not a model card dbom will rewrite")
    return data


def parse_card(data: bytes, label: str) -> Card:
    """Decode and split a card. Raises DbomError for text that is not UTF-8 or broken front matter."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DbomError(label, f"not UTF-8 text (byte {exc.start}); not rewritten") from None
    bom = _BOM if text.startswith(_BOM) else ""
    text = text[len(bom):]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return Card(text=text, bom=bom, meta={})
    start = len(lines[0])
    offset = start
    for line in lines[1:]:
        if line.rstrip() == "---":
            break
        offset += len(line)
    else:
        raise DbomError(label, "invalid YAML front matter: the '---' on line 1 is never closed; not rewritten")
    meta = _load_mapping(text[start:offset], label)
    return Card(text=text, bom=bom, fm_start=start, fm_end=offset, meta=meta)


def _compose(source: str, label: str) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (with positions) and the data it stands for."""
    loader = yaml.SafeLoader(source)  # the pure-Python loader: its marks are character offsets
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise DbomError(label, f"invalid YAML front matter: {_yaml_reason(exc)}; not rewritten") from None
    finally:
        loader.dispose()
    return node, data


def _load_mapping(source: str, label: str) -> dict[str, Any]:
    _, data = _compose(source, label)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DbomError(label, f"invalid YAML front matter: a {type(data).__name__}, not a mapping of keys; "
                               "not rewritten")
    return data


def _yaml_reason(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark is not None else ""
        return f"{exc.problem or exc.context or 'unparsable'}{where}"
    return " ".join(str(exc).split()) or type(exc).__name__


# --- the datasets: key ------------------------------------------------------------------------------------


def hub_id(ds: Dataset) -> str | None:
    """The dataset's Hugging Face Hub id when the DBOM records one, else None.

    From the dataset's Hub provenance (`hub.repo_id`) when present; failing that, from a location or
    homepage that is a Hub dataset URL (`https://huggingface.co/datasets/ORG/NAME...` or
    `hf://datasets/ORG/NAME...`). Nothing else is taken for a Hub id.
    """
    if ds.hub is not None and ds.hub.repo_type == "dataset" and _valid_hub_id(ds.hub.repo_id):
        return ds.hub.repo_id
    for url in (ds.location, ds.homepage):
        found = _hub_id_from_url(url) if url else None
        if found:
            return found
    return None


def _valid_hub_id(text: str) -> bool:
    return bool(_HUB_ID.match(text)) and ".." not in text and "--" not in text


def _hub_id_from_url(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname in ("huggingface.co", "hf.co"):
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) < 2 or segments[0] != "datasets":
            return None
        segments = segments[1:]
    elif parts.scheme == "hf" and parts.netloc == "datasets":  # hf://datasets/ORG/NAME[@REVISION]/PATH
        segments = [s.split("@", 1)[0] for s in parts.path.split("/") if s][:2]
    else:
        return None
    if not segments:
        return None
    candidate = segments[0] if len(segments) == 1 or segments[1] in _HUB_URL_PATHS else "/".join(segments[:2])
    return candidate if _valid_hub_id(candidate) else None


def merge_datasets(card: Card, ids: Sequence[str], label: str) -> tuple[Card, tuple[str, ...]]:
    """The card with `ids` added to its front matter's `datasets:` (never removing an entry).

    Returns the new card and the ids actually added (those not already listed, compared
    case-insensitively). Raises DbomError when `datasets:` is not a list or a string, or when the
    front matter cannot take the ids without being rewritten.
    """
    meta = card.meta or {}
    old = meta.get("datasets")
    if old is not None and not isinstance(old, (str, list)):
        raise DbomError(label, f"the front matter's datasets: is a {type(old).__name__}, not a list; not rewritten")
    existing = [old] if isinstance(old, str) else list(old or [])
    listed = {item.casefold() for item in existing if isinstance(item, str)}
    to_add: list[str] = []
    for item in ids:
        if item.casefold() not in listed:
            listed.add(item.casefold())
            to_add.append(item)
    if not to_add:
        return card, ()
    nl = card.newline
    if card.fm_start is None or card.fm_end is None:
        front = "---" + nl + "datasets:" + nl + "".join(f"- {_yaml_scalar(i)}{nl}" for i in to_add) + "---" + nl
        new_text = front + card.text
        return Card(text=new_text, bom=card.bom, fm_start=3 + len(nl), fm_end=len(front) - 3 - len(nl),
                    meta={**meta, "datasets": to_add}), tuple(to_add)
    source = card.text[card.fm_start:card.fm_end]
    edited = _edit_front_matter(source, to_add, nl, label)
    expected = {**meta, "datasets": existing + to_add}
    if _load_mapping(edited, label) != expected:
        raise DbomError(label, "the front matter cannot take the datasets without being rewritten; add "
                               f"{', '.join(to_add)} to its datasets: by hand and run again")
    new_text = card.text[:card.fm_start] + edited + card.text[card.fm_end:]
    return (Card(text=new_text, bom=card.bom, fm_start=card.fm_start, fm_end=card.fm_start + len(edited),
                 meta=expected), tuple(to_add))


def _edit_front_matter(source: str, to_add: list[str], nl: str, label: str) -> str:
    """`source` (the YAML between the fences) with `to_add` appended to its `datasets:` value, textually."""
    root, _ = _compose(source, label)
    items = [_yaml_scalar(i) for i in to_add]
    if not isinstance(root, yaml.MappingNode) or not root.value:
        return _append(source, "datasets:" + nl + "".join(f"- {i}{nl}" for i in items), nl)
    pairs = [(k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "datasets"]
    if not pairs:
        indent = " " * root.value[0][0].start_mark.column
        return _append(source, f"{indent}datasets:{nl}" + "".join(f"{indent}- {i}{nl}" for i in items), nl)
    key, value = pairs[-1]  # with a repeated key, YAML keeps the last
    if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
        first = value.value[0].start_mark
        line_start = source.rfind("\n", 0, first.index) + 1
        prefix = source[line_start:first.index]
        if not _ITEM_PREFIX.match(prefix):
            raise DbomError(label, "the front matter's datasets: list has a layout dbom cannot extend; not rewritten")
        end = value.value[-1].end_mark
        at = end.index if end.column == 0 else _line_end(source, end.index)
        lines = "".join(f"{prefix}{i}{nl}" for i in items)
        if at == len(source) and source and not source.endswith("\n"):
            lines = nl + lines
        return source[:at] + lines + source[at:]
    if isinstance(value, yaml.SequenceNode):  # a flow list: [a, b]
        if value.value:
            at = value.value[-1].end_mark.index
            return source[:at] + "".join(f", {i}" for i in items) + source[at:]
        at = value.start_mark.index + 1
        return source[:at] + ", ".join(items) + source[at:]
    if isinstance(value, yaml.ScalarNode) and value.style not in ("|", ">"):
        start, end = value.start_mark.index, value.end_mark.index
        if start == end:  # `datasets:` with nothing after it
            indent = " " * key.start_mark.column
            at = _line_end(source, key.end_mark.index)
            lines = "".join(f"{indent}- {i}{nl}" for i in items)
            if at == len(source) and not source.endswith("\n"):
                lines = nl + lines
            return source[:at] + lines + source[at:]
        if value.tag == "tag:yaml.org,2002:null":
            return source[:start] + "[" + ", ".join(items) + "]" + source[end:]
        return source[:start] + "[" + source[start:end] + "".join(f", {i}" for i in items) + "]" + source[end:]
    raise DbomError(label, "the front matter's datasets: has a layout dbom cannot extend; not rewritten")


def _line_end(text: str, index: int) -> int:
    """The offset just after the line break that ends the line holding `index` (or the end of `text`)."""
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _append(source: str, block: str, nl: str) -> str:
    if source and not source.endswith("\n"):
        source += nl
    return source + block


def _yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar: plain when it reads back as the same string, double-quoted otherwise."""
    try:
        plain_ok = yaml.safe_load(text) == text and ":" not in text and "#" not in text
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- the training-data section ------------------------------------------------------------------------------


def replace_section(card: Card, section: str, label: str) -> Card:
    """The card with the training-data section replaced (between its markers) or appended at the end.

    `section` is the section's text from MARK_START to MARK_END inclusive, with "\\n" line breaks.
    Raises DbomError when the markers are unbalanced, repeated or out of order.
    """
    nl = card.newline
    section = section.replace("\n", nl)
    body_from = 0 if card.fm_end is None else _line_end(card.text, card.fm_end)
    starts = [m for m in _START_LINE.finditer(card.text) if m.start() >= body_from]
    ends = [m for m in _END_LINE.finditer(card.text) if m.start() >= body_from]
    if not starts and not ends:
        text = card.text
        if text and not text.endswith("\n"):
            text += nl
        if text and not text.endswith(nl + nl):
            text += nl
        return Card(text=text + section + nl, bom=card.bom, fm_start=card.fm_start, fm_end=card.fm_end,
                    meta=card.meta)
    if len(starts) != 1 or len(ends) != 1 or ends[0].start() < starts[0].end():
        raise DbomError(label, f"the markers {MARK_START} and {MARK_END} must each appear once, in that order, "
                               "on lines of their own; fix them or remove them, then run again")
    text = card.text[:starts[0].start()] + section + card.text[ends[0].end():]
    return Card(text=text, bom=card.bom, fm_start=card.fm_start, fm_end=card.fm_end, meta=card.meta)


def new_card(model_name: str) -> Card:
    """A minimal card for a folder that has none: a title (the section and front matter are added after)."""
    return Card(text=f"# {md_text(model_name)}\n", meta={})


def render_section(dbom: Dbom, dbom_name: str, spec_version: str) -> str:
    """The training-data section (markers included) from the Jinja2 template."""
    import jinja2

    from dbom.util.templating import templates_dir

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir(TEMPLATE_NAME))), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    template = env.get_template(TEMPLATE_NAME)
    body = template.render(**section_context(dbom, dbom_name, spec_version))
    return f"{MARK_START}\n{body.strip()}\n{MARK_END}"


def section_context(dbom: Dbom, dbom_name: str, spec_version: str) -> dict[str, Any]:
    """What the template renders, every text already escaped for Markdown."""
    model = dbom.model
    weights = model.files
    return {
        "model_name": md_text(model.name),
        "model_version": md_text(model.version) if model.version else None,
        "dbom_name": md_text(dbom_name),
        "dbom_link": quote(dbom_name),
        "spec_version": spec_version,
        "weights_count": len(weights),
        "weights_bytes": human_bytes(sum(f.bytes for f in weights)),
        "weights_digest": model.weights_digest,
        "datasets": [_row(ds) for ds in dbom.datasets],
        "duties": license_duties(dbom.datasets),
    }


def _row(ds: Dataset) -> dict[str, str]:
    hub = hub_id(ds)
    commit = ds.hub.revision[:12] if ds.hub is not None and ds.hub.revision else None
    revision = f"{ds.version} ({commit})" if ds.version and commit else ds.version or commit
    records = ds.total_records
    return {
        "name": md_text(ds.name),
        "revision": md_text(str(revision)) if revision else "not stated",
        "license": md_text(license_text(ds)) + "".join(
            f"{'; per record: ' if i == 0 else ', '}{md_text(share.license)} ({share.records:,})"
            for i, share in enumerate(_record_shares(ds))),
        "records": f"{records:,}" if records is not None else "not all counted",
        "size": human_bytes(ds.total_bytes),
        "where": _where(ds, hub),
    }


def _record_shares(ds: Dataset) -> list[LicenseShare]:
    """The licenses the dataset's records state (a per-record license column), without the records stating none."""
    return [share for share in ds.record_licenses if share.license != NO_RECORD_LICENSE]


def license_text(ds: Dataset) -> str:
    """The dataset's license as the table shows it: the SPDX expression, a named license, or unknown."""
    lic = ds.license
    if lic.expression != NOASSERTION:
        return lic.expression
    return lic.name or "unknown"


def _where(ds: Dataset, hub: str | None) -> str:
    if hub:
        pinned = ds.hub.url if ds.hub is not None and ds.hub.repo_id == hub else None  # at its revision
        target = pinned if pinned and pinned.startswith(f"{HUB}/") else f"{HUB}/datasets/{hub}"
        return f"[{md_text(hub)}]({_link_target(target)})"
    if ds.location and is_url(ds.location):
        url = clean_url(ds.location)
        return f"[{md_text(url)}]({_link_target(url)})" if url.startswith(("http://", "https://")) else md_text(url)
    if ds.location:
        return md_text(ds.location)
    return "not stated"


def _link_target(url: str) -> str:
    return quote(url, safe=":/?#[]@!$&'*+,;=%-._~")


_DUTIES = (
    ("attribution", "Attribution",
     "these licenses require crediting the source (and keeping its license notice) when the data, or material "
     "adapted from it, is shared.",
     re.compile(r"^(CC-BY(-[A-Z]+)*-\d\.\d.*|ODC-By-\d\.\d|ODbL-\d\.\d)$")),
    ("non-commercial", "Non-commercial",
     "these licenses do not allow commercial use of the data; check whether that restricts the uses of this model.",
     re.compile(r"^CC-BY(-[A-Z]+)*-NC(-[A-Z]+)*-\d\.\d.*$")),
    ("share-alike", "Share-alike",
     "material adapted from these datasets must be shared under the same license.",
     re.compile(r"^(CC-BY(-[A-Z]+)*-SA-\d\.\d.*|ODbL-\d\.\d)$")),
)
_SPDX_TOKEN = re.compile(r"[A-Za-z0-9.+:-]+")
_OPERATORS = frozenset({"AND", "OR", "WITH"})


def license_duties(datasets: Iterable[Dataset]) -> list[dict[str, str]]:
    """The duties the datasets' licenses carry (attribution, non-commercial, share-alike), plus unknowns.

    Each entry: `title`, `datasets` (names with their license, escaped) and `text`. A duty is listed when
    any license id of a dataset's expression carries it, or of a license its records state (a per-record
    license column: then with the number of those records).
    """
    found: dict[str, list[str]] = {key: [] for key, *_ in _DUTIES}
    unknown: list[str] = []
    for ds in datasets:
        shares = _record_shares(ds)
        stated = [(ds.license.expression, md_text(license_text(ds)))] if ds.license.is_known else []
        stated += [(share.license, f"{md_text(share.license)}, {share.records:,} records") for share in shares]
        every_record_licensed = ds.total_records is not None and sum(s.records for s in shares) >= ds.total_records
        if not ds.license.is_known and not (shares and every_record_licensed):
            unknown.append(md_text(ds.name))
        for expression, shown in stated:
            ids = [t for t in _SPDX_TOKEN.findall(expression) if t not in _OPERATORS]
            for key, _, _, pattern in _DUTIES:
                if any(pattern.match(i) for i in ids):
                    found[key].append(f"{md_text(ds.name)} ({shown})")
    duties = [{"title": title, "datasets": ", ".join(found[key]), "text": text}
              for key, title, text, _ in _DUTIES if found[key]]
    if unknown:
        duties.append({"title": "License unknown", "datasets": ", ".join(unknown),
                       "text": "no license could be determined for these datasets; check their terms before use."})
    return duties


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_text(text: str) -> str:
    """`text` safe inside a Markdown table cell or line: one line, Markdown and HTML characters escaped."""
    one_line = " ".join(str(text).split())
    escaped = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def card_bytes(card: Card) -> bytes:
    """The card as UTF-8 bytes, with its byte-order mark if it had one."""
    return (card.bom + card.text).encode("utf-8")
