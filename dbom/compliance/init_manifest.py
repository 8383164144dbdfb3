"""`dbom init`: write a commented manifest (dbom.yaml) for a set of dataset folders.

A quick look at each path proposes what the files can tell (the dataset's name, its card's
description, homepage, languages and citation, the license its card or LICENSE file states, the git
remote it comes from); every fact only people know is present as an empty key with a comment
saying what it is for, so that `dbom check` reports it as missing until it is filled in. The
manifest is rendered from `templates/dbom.yaml.j2`; every value is written as a quoted YAML string.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbom.errors import DbomError
from dbom.manifest import DATASET_FACT_KEYS, EU_CATEGORIES, EU_COMMENT_SECTIONS, MODEL_FACT_KEYS, OSAID_CLASSES
from dbom.util.atomic import replacing

# What each per-dataset fact is for: (requirement rows, who asks, explanation). Every key of
# dbom.manifest.DATASET_FACT_KEYS has an entry (tests/test_init.py checks it).
FACT_HELP: dict[str, tuple[str, str]] = {
    "osaid_class": ("B2, OSAID", f"OSAID data class: {' | '.join(OSAID_CLASSES)}. It decides what else is "
                                 "required: where to obtain it (open, public, obtainable) or a schema-level "
                                 "description (unshareable)"),
    "eu_category": ("B3, EU", f"EU summary section: {' | '.join(EU_CATEGORIES)} (2.1 public datasets, 2.2.1 licensed "
                              "from rightsholders, 2.2.2 other third-party private, 2.3 own crawl, 2.4 user data, "
                              "2.5 synthetic, 2.6 other); quote it"),
    "supplier": ("B9, OSAID (1)", "who originated or published the data (provenance)"),
    "access": ("B7, OSAID (3)", "how others obtain it: direct download, registration, purchase; the fee and "
                                "vendor for obtainable data"),
    "obtained": ("B11, OSAID (1), EU 2.3", "how the data was obtained: download, API, crawl (crawler name and "
                                           "behaviour), purchase, generation"),
    "collection_period": ("B11, A7, EU 1.3", "when it was collected, YYYY-MM/YYYY-MM"),
    "selection": ("B12, OSAID (1)", "how it was selected: criteria for inclusion and exclusion, sampling"),
    "labeling": ("B13, OSAID (1)", "the labeling or annotation procedure, or `none`"),
    "processing": ("C1, OSAID (1), EU 3.2", "processing and filtering applied (the code goes under `steps`)"),
    "modality": ("A5, EU 1.3", "text | image | audio | video | other"),
    "content_types": ("A6, EU 1.3", "types of content, as a list: [forum posts, source code, ...]"),
    "languages": ("A8, EU 1.3", "languages, as a list of ISO 639-1 codes: [en, de]"),
    "classification": ("E3", "confidentiality: public | internal | confidential | restricted"),
    "personal_data": ("E1, OSAID FAQ", "does it hold personal data? \"yes\" | \"no\" | \"unknown\", with the "
                                       "categories (quote yes and no)"),
    "sensitive_data": ("E1, E2", "how personal or sensitive data was handled (removed, masked, kept and why)"),
    "illegal_content": ("E5, EU 3.2", "measures taken to avoid or remove illegal content (filters, blocklists, "
                                  "takedown handling); not the general processing, which is `processing`"),
    "tdm_opt_out": ("E4, EU 3.1", "for data crawled or scraped (EU 2.3): how reservations of rights were honoured "
                              "(robots.txt, ai.txt, TDMRep, other opt-out protocols) before and during collection"),
    "known_biases": ("E6, OSAID FAQ", "known biases, limitations and gaps"),
    "intended_use": ("A10", "what the data is used for in training (pre-training, fine-tuning, evaluation...)"),
    "citation": ("E10", "how to cite the dataset"),
    "size": ("A5, EU 1.3", "only for audio, video or `other` data, or data without files: its size in the "
                           "modality's unit (hours of audio or video, ...); text and images are counted by the scan"),
    "crawler": ("F5, EU 2.3", "only for eu_category 2.3 (own crawl): the crawler's name(s) and user agent(s)"),
    "crawler_purpose": ("F5, EU 2.3", "only for 2.3: the purposes of the crawler"),
    "crawler_behaviour": ("F5, EU 2.3", "only for 2.3: how the crawler behaves: robots.txt and other opt-out "
                                        "protocols honoured, captchas, paywalls, logins"),
    "user_data_from": ("F6, EU 2.4", "only for eu_category 2.4 (user data): interactions with the `model`, the "
                                     "provider's other `services`, or both as a list"),
    "generator_models": ("F7, EU 2.5", "only for eu_category 2.5 (synthetic): the general-purpose AI models on the "
                                       "market that generated it, each with a link to its summary, or `none`"),
    "other_generator_models": ("F7, EU 2.5", "only for 2.5: other models that generated it (the provider's own, "
                                             "not on the market) with a general description of their training "
                                             "data, or `none`"),
    "documentation": ("A11", "links to its documentation: paper, data card, datasheet, technical report"),
    "ethical_review": ("E7", "the ethical review it went through and its social impact, or that there was none"),
    "maintenance": ("E8", "how it is maintained: updates, versioning, deprecation"),
    "takedown_contact": ("E8", "the contact for takedown and opt-out requests"),
    "funding": ("E9", "who funded its creation"),
}

# What each model fact is for (every key of dbom.manifest.MODEL_FACT_KEYS): (EU template section and
# requirement row, explanation). They serve the EU public summary of training content.
MODEL_FACT_HELP: dict[str, tuple[str, str]] = {
    "contact": ("EU 1.1, A3", "the provider's contact details (address, e-mail)"),
    "authorised_representative": ("EU 1.1, A3", "name and contact of the authorised representative in the EU, for "
                                                "a provider established outside it; else say it does not apply"),
    "dependencies": ("EU 1.2, A4", "the general-purpose AI models this model modifies or fine-tunes, each with a "
                                   "link to its summary: [name (url), ...], or `none`"),
    "market_date": ("EU 1.2, A4", "the date of placement of the model on the Union market; quote it: \"2026-01-15\""),
    "continuous_training": ("EU 1.3, A7", "true/false: is the model trained on new data after the latest collection "
                                          "date?"),
    "summary_version": ("EU header, A1", "the version of the public summary of training content; quote it"),
    "other_public_data": ("EU 2.1, F2", "a general description of the publicly available datasets used and not "
                                        "listed in the manifest, or `none`"),
    "other_private_data": ("EU 2.2.2, F4", "a general description of the non-publicly known private datasets "
                                           "obtained from third parties, or `none`"),
    "cop_signatory": ("EU 3.1, E4", "true/false: is the provider a signatory of the Code of Practice for "
                                    "general-purpose AI models?"),
}


@dataclass
class Found:
    """What a quick look at one dataset path found."""

    name: str
    path: str
    description: str | None = None
    homepage: str | None = None
    license: str | None = None
    license_note: str | None = None
    citation: str | None = None
    languages: list[str] = field(default_factory=list)
    remote: str | None = None
    commit: str | None = None
    data_files: int = 0
    patterns: list[str] = field(default_factory=list)


def _relative(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive on Windows: keep it absolute, the user sees it in their own file
        return path.as_posix()


def look(path: Path, base: Path) -> Found:
    """Read what a dataset path says about itself: card, license files, git remote; count its data files."""
    from dbom.licensing.cards import find_card, read_card
    from dbom.licensing.detect import resolve_license
    from dbom.licensing.license_files import find_license_files
    from dbom.provenance.hub import snapshot_repo_name
    from dbom.scanning.catalog import doc_kind

    if not path.exists():
        raise DbomError(str(path), "no such file or folder")
    absolute = path.resolve()
    name = snapshot_repo_name(absolute) or (absolute.name if absolute.is_dir() else absolute.stem)
    found = Found(name=name, path=_relative(absolute, base))
    root = absolute if absolute.is_dir() else absolute.parent
    if absolute.is_dir():
        card_path = find_card(root)
        card = None
        if card_path is not None:
            try:
                card = read_card(card_path)
            except DbomError:
                card = None  # a broken card proposes nothing; `dbom scan` will report it
        files = find_license_files(root)
        resolution = resolve_license(card, files, root)
        lic = resolution.license
        if lic.is_known:
            found.license = lic.expression if lic.expression != "NOASSERTION" else lic.name
            where = {"card": card_path.name if card_path else "the card",
                     "license-file": next((f.name for f in files), "a license file")}.get(lic.source or "", "")
            found.license_note = f"detected: {found.license} (from {where})"
        if card is not None:
            found.description = card.description
            found.homepage = card.homepage
            found.citation = card.citation
            found.languages = list(card.language)
        data = [p for p in _files(root) if doc_kind(p.relative_to(root).as_posix()) is None]
        found.data_files = len(data)
        found.patterns = _patterns(data)
    try:
        from dbom.provenance.git import vcs_info
    except ImportError:  # pragma: no cover - provenance is part of dbom; kept for a stripped-down install
        vcs_info = None  # type: ignore[assignment]
    if vcs_info is not None:
        info = vcs_info(absolute)
        if info is not None:
            found.commit = info.commit
            if info.url and info.url != "local":
                found.remote = info.url
    return found


def _files(root: Path, limit: int = 100_000) -> list[Path]:
    out: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out += [Path(folder) / n for n in names if not n.startswith(".")]
        if len(out) >= limit:
            break
    return out


_COMPRESSIONS = (".gz", ".zst", ".bz2", ".xz")


def _patterns(files: Sequence[Path]) -> list[str]:
    """Include globs for the file types found, most frequent first (`**/*.jsonl.gz`, `**/*.parquet`)."""
    counts: dict[str, int] = {}
    for path in files:
        suffixes = [s.lower() for s in path.suffixes[-2:]]
        if not suffixes:
            continue
        suffix = "".join(suffixes) if len(suffixes) == 2 and suffixes[1] in _COMPRESSIONS else suffixes[-1]
        counts[suffix] = counts.get(suffix, 0) + 1
    return [f"**/*{s}" for s, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]


_QUOTE_SAFE = re.compile(r"[\r\n\t]+")


def yaml_quote(value: Any) -> str:
    """A value as a YAML scalar that reads back as the same string: JSON-quoted (JSON strings are YAML)."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    return json.dumps(" ".join(str(value).split()), ensure_ascii=False)


def comment(value: Any) -> Any:
    """Text fit for a YAML comment: on one line (a newline would end the comment)."""
    from markupsafe import Markup

    return Markup(_QUOTE_SAFE.sub(" ", "" if value is None else str(value)))


def render_manifest(paths: Sequence[Path], output: Path) -> tuple[str, int]:
    """The manifest text for `paths` (names and paths relative to `output`'s folder) and the dataset count."""
    import jinja2
    from markupsafe import Markup

    from dbom.util.templating import templates_dir

    base = (output.parent if str(output.parent) else Path(".")).resolve()
    found = [look(Path(p), base) for p in paths]
    names = [f.name for f in found]
    for name in names:
        if names.count(name) > 1:
            raise DbomError(name, "two paths give this dataset name; rename a folder or edit `name:` afterwards")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir("dbom.yaml.j2"))), autoescape=False,
                             finalize=yaml_quote, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["comment"] = comment
    env.filters["flow"] = lambda items: Markup("[" + ", ".join(yaml_quote(i) for i in items) + "]")
    help_rows = [{"key": Markup(k), "rows": Markup(FACT_HELP[k][0]), "help": Markup(FACT_HELP[k][1])}
                 for k in DATASET_FACT_KEYS]
    model_rows = [{"key": Markup(k), "rows": Markup(MODEL_FACT_HELP[k][0]), "help": Markup(MODEL_FACT_HELP[k][1])}
                  for k in MODEL_FACT_KEYS]
    text = env.get_template("dbom.yaml.j2").render(
        datasets=found, facts=help_rows, model_facts=model_rows,
        comment_sections=Markup(", ".join(EU_COMMENT_SECTIONS)),
        model_name=base.name or "my-model",
        output_name=Markup(comment(output.name)),
    )
    return text, len(found)


def write_manifest(paths: Sequence[Path], output: Path, force: bool = False) -> int:
    """Write the commented manifest to `output` (never over a file unless `force`); return the dataset count."""
    from dbom.manifest import load_manifest

    if output.exists() and not force:
        raise DbomError(str(output), "already exists; use --force to overwrite it")
    text, count = render_manifest(paths, output)
    with replacing(output) as (fh, tmp):
        fh.write(text)
        fh.flush()
        load_manifest(tmp)  # what we write must load: a template bug must not reach the user's folder
    return count
