"""Reading a dataset card: the README.md with YAML front matter that Hugging Face datasets carry.

A card is Markdown whose first line may be `---`; the lines up to the next `---` line are YAML
metadata (the "front matter": `license`, `license_name`, `license_link`, `pretty_name`, `language`...).
The body gives what the metadata often lacks: a description (the first prose paragraph under the first
heading), a homepage (a "Homepage:" line) and a BibTeX citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbom.errors import DbomError
from dbom.licensing.names import CARD_FILE_NAMES

MAX_CARD_BYTES = 1024 * 1024  # a card is read up to this many bytes; the rest is ignored
MAX_DESCRIPTION_CHARS = 1000

_SCALARS = (str, int, float)


@dataclass(frozen=True)
class Card:
    """What a dataset card says. Fields are None (or empty) when the card does not say.

    `license` holds the raw identifiers of the card's `license:` field as written (the Hub allows a
    string or a list); translating them is `hf_licenses`' job.
    """

    license: tuple[str, ...] = ()
    license_name: str | None = None
    license_link: str | None = None
    pretty_name: str | None = None
    description: str | None = None
    homepage: str | None = None
    language: tuple[str, ...] = ()
    citation: str | None = None
    task_categories: tuple[str, ...] = ()

    def facts(self) -> dict[str, str]:
        """The manifest facts this card states, by manifest key: languages, citation, modality (from its tasks)."""
        found: dict[str, str] = {}
        if self.language:
            found["languages"] = ", ".join(self.language)
        if self.citation:
            found["citation"] = self.citation
        modalities = sorted({m for task in self.task_categories if (m := task_modality(task))})
        if modalities:
            found["modality"] = ", ".join(modalities)
        return found


# The Hub's task categories, by the modality of the data they take (the first word of the task decides).
_TASK_MODALITIES = (
    (("text", "token", "table-question", "question", "summarization", "translation", "fill-mask", "sentence",
      "zero-shot-classification", "feature-extraction", "multiple-choice", "conversational"), "text"),
    (("image", "object-detection", "depth-estimation", "mask-generation", "zero-shot-image",
      "zero-shot-object", "unconditional-image", "keypoint"), "image"),
    (("audio", "automatic-speech-recognition", "voice-activity"), "audio"),
    (("video",), "video"),
    (("tabular", "time-series"), "tabular"),
)


def task_modality(task: str) -> str | None:
    """The modality of the data a Hub task category takes (`text-generation` is text), or None."""
    lowered = task.strip().lower()
    for prefixes, modality in _TASK_MODALITIES:
        if lowered.startswith(prefixes):
            return modality
    return None


def find_card(root: Path) -> Path | None:
    """The card at the top of a dataset root (README.md first, names compared case-insensitively), or None."""
    try:
        names = {p.name.lower(): p for p in root.iterdir() if p.name.lower() in CARD_FILE_NAMES}
    except OSError:
        return None
    for name in CARD_FILE_NAMES:
        if name in names and names[name].is_file():
            return names[name]
    return None


def read_card(path: Path) -> Card:
    """Read a card (at most MAX_CARD_BYTES of it).

    Raises DbomError naming the file when it cannot be read, or when its YAML front matter is broken
    ("invalid YAML front matter: <reason>"), so that the caller can decide to warn and go on. A card without
    front matter gives only what its body says (description, homepage, citation).
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CARD_BYTES + 1)
    except OSError as exc:
        raise DbomError(str(path), f"cannot read: {exc.strerror or exc}") from None
    truncated = len(data) > MAX_CARD_BYTES
    text = data[:MAX_CARD_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
    meta, body = _split(text, str(path), truncated)
    body_fields = _read_body(body)
    description = _clean(_scalar(meta.get("description"))) or body_fields.description
    homepage = _scalar(meta.get("homepage")) or _scalar(meta.get("url")) or body_fields.homepage
    return Card(
        license=_strings(meta.get("license")),
        license_name=_scalar(meta.get("license_name")),
        license_link=_scalar(meta.get("license_link")),
        pretty_name=_scalar(meta.get("pretty_name")),
        description=description,
        homepage=homepage,
        language=_strings(meta.get("language")),
        citation=_scalar(meta.get("citation")) or body_fields.citation,
        task_categories=_strings(meta.get("task_categories")),
    )


# --- front matter ---------------------------------------------------------------------------------------


def _split(text: str, where: str, truncated: bool = False) -> tuple[dict[str, Any], str]:
    """(front matter mapping, body). The front matter is the YAML between a first `---` line and the next.

    `truncated`: `text` is the first MAX_CARD_BYTES of a larger file (a front matter not closed in it is too large).
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            break
    else:
        if truncated:
            raise DbomError(where, f"YAML front matter larger than the {MAX_CARD_BYTES:,} bytes a card is read to: "
                                   "not read")
        raise DbomError(where, "invalid YAML front matter: the '---' on line 1 is never closed")
    source = "".join(lines[1:index])
    import yaml  # here, not at the top: only a card with front matter needs it

    try:
        meta = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # a safe loader
    except yaml.YAMLError as exc:
        raise DbomError(where, f"invalid YAML front matter: {_yaml_reason(exc)}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DbomError(where, f"invalid YAML front matter: a {type(meta).__name__}, not a mapping of keys")
    return meta, "".join(lines[index + 1:])


def _yaml_reason(exc: Exception) -> str:
    """One line: what PyYAML found wrong and on which line of the file (front matter starts on line 2)."""
    import yaml

    if isinstance(exc, yaml.MarkedYAMLError):
        problem = exc.problem or exc.context or "unparsable"
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark is not None else ""
        return f"{problem}{where}"
    return " ".join(str(exc).split()) or type(exc).__name__


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        return None
    text = str(value).strip()
    return text or None


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        text = _scalar(item)
        if text is not None and text not in out:
            out.append(text)
    return tuple(out)


# --- body -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    kind: str  # "heading" | "paragraph" | "code"
    lines: tuple[str, ...]
    info: str = ""  # a code fence's info string (its language)


@dataclass(frozen=True)
class _BodyFields:
    description: str | None
    homepage: str | None
    citation: str | None


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([^`\s]*)")
_ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_NOT_PROSE = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|\||>|\[\^|!\[|\[!\[)")
_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")
_BIBTEX_ENTRY = re.compile(r"^\s*@\w+\s*\{")
_PLACEHOLDERS = frozenset({"more information needed", "needs more information", "todo", "tbd"})
# The opening sentence of the Hub's card template, left in place by authors who never edited it.
_TEMPLATE_TEXT = "this dataset card aims to be a base template for new datasets"


def _read_body(body: str) -> _BodyFields:
    blocks = list(_blocks(_COMMENT.sub("", body)))
    return _BodyFields(_description(blocks), _homepage(blocks), _citation(blocks))


def _blocks(body: str) -> Iterator[_Block]:
    """Split Markdown into headings, paragraphs and fenced code blocks (enough of CommonMark for cards)."""
    paragraph: list[str] = []
    lines = iter(body.splitlines())
    for line in lines:
        fence = _FENCE.match(line)
        if fence:
            if paragraph:
                yield _Block("paragraph", tuple(paragraph))
                paragraph = []
            marker = fence.group(1)
            code = []
            for inner in lines:
                if inner.strip().startswith(marker[0] * len(marker)) and not inner.strip().strip(marker[0]):
                    break
                code.append(inner)
            yield _Block("code", tuple(code), fence.group(2).lower())
        elif _ATX.match(line):
            if paragraph:
                yield _Block("paragraph", tuple(paragraph))
                paragraph = []
            yield _Block("heading", (line,))
        elif not line.strip():
            if paragraph:
                yield _Block("paragraph", tuple(paragraph))
                paragraph = []
        elif _SETEXT.match(line) and paragraph:
            yield _Block("heading", tuple(paragraph))
            paragraph = []
        else:
            paragraph.append(line)
    if paragraph:
        yield _Block("paragraph", tuple(paragraph))


def _description(blocks: list[_Block]) -> str | None:
    """The first prose paragraph after the first heading (or from the top when there is no heading)."""
    start = next((i + 1 for i, b in enumerate(blocks) if b.kind == "heading"), 0)
    for block in blocks[start:]:
        if block.kind != "paragraph" or _NOT_PROSE.match(block.lines[0]):
            continue
        text = _clean(" ".join(block.lines))
        if text is None or not re.search(r"[^\W\d_]", text):
            continue
        if text.strip("[]().:!* ").lower() in _PLACEHOLDERS or text.lower().startswith(_TEMPLATE_TEXT):
            continue
        if _homepage_line(block.lines[0]):
            continue
        return text
    return None


def _homepage(blocks: list[_Block]) -> str | None:
    for block in blocks:
        if block.kind == "code":
            continue
        for line in block.lines:
            if _homepage_line(line):
                url = _URL.search(line)
                if url:
                    return url.group(0).rstrip(".,;:")
    return None


def _homepage_line(line: str) -> bool:
    """A line such as `Homepage: …` or `- **Homepage:** [link](…)`."""
    bare = re.sub(r"[*_`\[\]]", "", line).strip()
    bare = re.sub(r"^[-+]\s*", "", bare).lower()
    return bool(re.match(r"homepage\b", bare))


def _citation(blocks: list[_Block]) -> str | None:
    """The first ```bibtex block; failing that, the first untagged fence that holds a BibTeX entry."""
    codes = [b for b in blocks if b.kind == "code" and any(line.strip() for line in b.lines)]
    for block in codes:
        if block.info in ("bibtex", "bib"):
            return "\n".join(block.lines).strip()
    for block in codes:
        text = "\n".join(block.lines).strip()
        if block.info in ("", "text", "latex", "tex") and _BIBTEX_ENTRY.match(text):
            return text
    return None


_MARKDOWN = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # <https://…>
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),  # HTML tags
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!])"), r"\1"),
)


def _clean(text: str | None) -> str | None:
    """Markdown emphasis, links and tags removed, whitespace collapsed, capped at MAX_DESCRIPTION_CHARS."""
    if text is None:
        return None
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    if len(text) > MAX_DESCRIPTION_CHARS:
        cut = text[: MAX_DESCRIPTION_CHARS - 1]
        space = cut.rfind(" ")
        text = (cut[:space] if space > MAX_DESCRIPTION_CHARS // 2 else cut).rstrip(" ,;:") + "…"
    return text or None
