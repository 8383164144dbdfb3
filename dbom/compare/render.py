"""Render a DiffResult (dbom.compare.diff) as text for a terminal, Markdown tables, or JSON.

Every format opens with the summary (datasets added, removed, changed; net records and bytes;
license escalations), then the escalations, then dataset by dataset. Text and Markdown list at
most `max_items` shards per kind of change and dataset (0: all); JSON always lists everything.
Files are named by the labels given (the CLI passes the file names, never a full local path).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from dbom.compare.diff import (
    ADDED,
    CHANGED,
    REMOVED,
    UNCHANGED,
    DatasetDiff,
    DiffResult,
    Escalation,
    LicenseChange,
    ProfileDiff,
    ShardChange,
    ShardInfo,
    ShardMove,
    Summary,
    Totals,
)
from dbom.licensing.classes import license_class
from dbom.util.humanize import human_bytes

FORMATS = ("text", "markdown", "json")
_T = TypeVar("_T")


def render(result: DiffResult, fmt: str, old_label: str, new_label: str, max_items: int = 20) -> str:
    """The report in `fmt` (text, markdown or json), ending with a newline."""
    if fmt == "json":
        doc = {"old": old_label, "new": new_label, "differs": result.differs(), **result.to_json()}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return "\n".join(_markdown(result, old_label, new_label, max_items)) + "\n"
    if fmt == "text":
        return "\n".join(_text(result, old_label, new_label, max_items)) + "\n"
    raise ValueError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")


# --- words and numbers, shared by text and Markdown --------------------------------------------


def _count(n: int | None) -> str:
    return "unknown" if n is None else f"{n:,}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _change(old: int | None, new: int | None, as_bytes: bool = False) -> str:
    """`old → new (+d)`, or `value (unchanged)`."""
    show = human_bytes if as_bytes else _count
    if old == new:
        return f"{show(old) if old is not None else 'unknown'} (unchanged)"
    text = f"{show(old) if old is not None else 'unknown'} → {show(new) if new is not None else 'unknown'}"
    if old is not None and new is not None:
        d = new - old
        text += f" ({'+' if d > 0 else ''}{human_bytes(d) if as_bytes else f'{d:,}'})"
    return text


def _net(old: int | None, new: int | None, as_bytes: bool = False) -> str:
    """`+d (old → new)` for the summary."""
    show = human_bytes if as_bytes else _count
    if old is None or new is None:
        before = show(old) if old is not None else "unknown"
        return f"unknown ({before} → {show(new) if new is not None else 'unknown'})"
    d = new - old
    return f"{'+' if d >= 0 else ''}{human_bytes(d) if as_bytes else f'{d:,}'} ({show(old)} → {show(new)})"


def _summary_parts(s: Summary) -> list[str]:
    datasets = f"{_plural(s.added, 'dataset')} added, {s.removed:,} removed, {s.changed:,} changed"
    if s.renamed:
        datasets += f" ({s.renamed:,} renamed)"
    datasets += f", {s.unchanged:,} unchanged"
    return [datasets, f"net records {_net(s.old_records, s.new_records)}",
            f"net bytes {_net(s.old_bytes, s.new_bytes, as_bytes=True)}",
            f"shards {s.old_shards:,} → {s.new_shards:,}", _plural(s.escalations, "license escalation")]


def _license(expression: str | None, klass: str | None = None) -> str:
    if expression is None:
        return "none"
    return f"{expression} ({klass or license_class(expression)})"


def _license_change(lc: LicenseChange) -> str:
    return f"{_license(lc.old, lc.old_class)} → {_license(lc.new, lc.new_class)}"


def _escalation(e: Escalation) -> tuple[str, str, str]:
    """(dataset, before, after) of an escalation."""
    if e.old_license is None:
        return (f"{e.dataset} (added)", f"at most {e.old_class} in the old DBOM", _license(e.new_license, e.new_class))
    return (e.dataset, _license(e.old_license, e.old_class), _license(e.new_license, e.new_class))


def _totals(t: Totals) -> str:
    return f"{_plural(t.shards, 'shard')}, {_count(t.records)} records, {human_bytes(t.bytes)}"


def _models(result: DiffResult) -> str:
    if result.old_model == result.new_model:
        return result.old_model
    return f"{result.old_model} → {result.new_model}"


_MATCHED_BY = {
    "digest": "same shards, same content",
    "records-digest": "same records",
    "shards": "most shards the same",
}


def _sentences(d: DatasetDiff) -> list[str]:
    """What to say about a changed dataset before its lists: rename, re-sharding."""
    said = []
    if d.old_name:
        said.append(f"renamed from {d.old_name} ({_MATCHED_BY.get(d.matched_by, d.matched_by)})")
    if d.reshard is not None:
        r = d.reshard
        if r.old_shards != r.new_shards:
            said.append(f"same {r.records:,} records, re-sharded from {r.old_shards:,} to {r.new_shards:,} files")
        else:
            said.append(f"same {r.records:,} records, rewritten in {r.new_shards:,} files")
    elif d.old is not None and d.new is not None and d.old.records == d.new.records:
        if d.records_same is False:
            said.append(f"same number of records ({_count(d.new.records)}) but not the same records "
                        "(records digest)")
        elif d.records_same is None and (d.shards_added or d.shards_removed or d.shards_changed):
            said.append("same number of records; scan both releases with --records-digest to tell whether "
                        "they are the same records")
    return said


def _share(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _profile_rows(p: ProfileDiff | None) -> list[tuple[str, str, str]]:
    """(what, before, after) for each change of a content profile: tokens, characters, languages, domains, rest."""
    if p is None:
        return []
    rows = [(f"profile {what}", _count(pair[0]), _count(pair[1]))
            for what, pair in (("tokens", p.tokens), ("characters", p.characters)) if pair is not None]
    rows += [(f"profile language {c.language}", _share(c.old), _share(c.new)) for c in p.languages]
    if p.domains_entered:
        rows.append(("profile top domains entered", "—", ", ".join(p.domains_entered)))
    if p.domains_left:
        rows.append(("profile top domains left", ", ".join(p.domains_left), "—"))
    rows += [(f"profile {c.name}", c.old or "—", c.new or "—") for c in p.other]
    return rows


def _limited(items: Sequence[_T], max_items: int) -> tuple[Sequence[_T], int]:
    if max_items and len(items) > max_items:
        return items[:max_items], len(items) - max_items
    return items, 0


def _value(text: str | None) -> str:
    return "(none)" if text is None else text


# --- text --------------------------------------------------------------------------------------


def _text(r: DiffResult, old: str, new: str, max_items: int) -> list[str]:
    out = [f"dbom diff {old} → {new} (model {_models(r)})", "", "Summary: " + "; ".join(_summary_parts(r.summary))]
    if not r.categories:
        return [*out, "", "No differences."]
    if r.escalations:
        out += ["", "LICENSE ESCALATIONS (more restrictive):"]
        out += ["  ! {}: {} → {}".format(*_escalation(e)) for e in r.escalations]
    for status, title, mark, side in ((ADDED, "Added datasets:", "+", "new"),
                                      (REMOVED, "Removed datasets:", "-", "old")):
        chosen = [d for d in r.datasets if d.status == status]
        if chosen:
            out += ["", title]
            for d in chosen:
                totals = d.new if side == "new" else d.old
                lic = d.new_license if side == "new" else d.old_license
                out.append(f"  {mark} {d.name}: {_totals(totals) if totals else ''}; license {_license(lic)}")
    changed = [d for d in r.datasets if d.status == CHANGED]
    if changed:
        out += ["", "Changed datasets:"]
        for d in changed:
            out += _text_dataset(d, max_items)
    unchanged = [d.name for d in r.datasets if d.status == UNCHANGED]
    if unchanged:
        out += ["", "Unchanged datasets: " + ", ".join(unchanged)]
    if r.steps:
        out += ["", "Processing steps:"]
        for step in r.steps:
            out.append(f"  {_MARKS.get(step.status, '~')} {step.name} ({step.status})")
            out += [f"      {f.name}: {_value(f.old)} → {_value(f.new)}" for f in step.fields]
    if r.model:
        out += ["", "Model:"]
        out += [f"  {f.name}: {_value(f.old)} → {_value(f.new)}" for f in r.model]
    return out


_MARKS = {ADDED: "+", REMOVED: "-", CHANGED: "~"}


def _text_dataset(d: DatasetDiff, max_items: int) -> list[str]:
    assert d.old is not None and d.new is not None
    out = [f"  {d.name}"]
    out += [f"    {s}" for s in _sentences(d)]
    if d.license is not None:
        out.append(f"    license: {_license_change(d.license)} [{d.license.direction.replace('-', ' ')}]")
    out.append(f"    records {_change(d.old.records, d.new.records)}; bytes {_change(d.old.bytes, d.new.bytes, True)}; "
               f"shards {_change(d.old.shards, d.new.shards)}")
    out += _text_list("added", "+", d.shards_added, _shard_line, max_items)
    out += _text_list("removed", "-", d.shards_removed, _shard_line, max_items)
    out += _text_list("changed", "~", d.shards_changed, _changed_line, max_items)
    out += _text_list("moved", ">", d.shards_moved, lambda s: f"{s.old_path} → {s.new_path}", max_items)
    out += [f"    {c.name}: {_value(c.old)} → {_value(c.new)}" for c in d.attributes]
    out += [f"    column {c.name}: {_value(c.old)} → {_value(c.new)}" for c in d.schema]
    out += [f"    {what}: {before} → {after}" for what, before, after in _profile_rows(d.profile)]
    out += [f"    {doc.kind} file {doc.path}: {doc.change}" for doc in d.docs]
    return out


def _shard_line(s: ShardInfo) -> str:
    return f"{s.path} ({_count(s.records)} records, {human_bytes(s.bytes)})"


def _changed_line(s: ShardChange) -> str:
    return f"{s.path}: records {_change(s.old_records, s.new_records)}, bytes {_change(s.old_bytes, s.new_bytes, True)}"


def _text_list(what: str, mark: str, items: Sequence[_T], show: Callable[[_T], str], max_items: int) -> list[str]:
    if not items:
        return []
    shown, more = _limited(items, max_items)
    out = [f"    shards {what} ({len(items):,}):"]
    out += [f"      {mark} {show(s)}" for s in shown]
    if more:
        out.append(f"      ... and {more:,} more")
    return out


# --- Markdown ----------------------------------------------------------------------------------


def _cell(text: object) -> str:
    """Text safe in a Markdown table cell: on one line, backslashes and pipes escaped."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")


def _code(text: str) -> str:
    """An inline code span holding `text`, safe in a table cell (a pipe is escaped, as GFM asks)."""
    ticks = "`"
    while ticks in text:
        ticks += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{' '.join(text.split()).replace('|', chr(92) + '|')}{pad}{ticks}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _markdown(r: DiffResult, old: str, new: str, max_items: int) -> list[str]:
    out = [f"## Training data changes: {_code(old)} → {_code(new)}", "", f"Model: {_cell(_models(r))}", ""]
    parts = [_cell(p) for p in _summary_parts(r.summary)]
    if r.summary.escalations:
        parts[-1] = f"**{parts[-1]}**"
    out += [" · ".join(parts), ""]
    if not r.categories:
        return [*out, "No differences."]
    if r.escalations:
        out += ["### License escalations", ""]
        out += _table(("dataset", "before", "after"), ([_cell(x) for x in _escalation(e)] for e in r.escalations))
    rows = [_md_row(d) for d in r.datasets if d.status != UNCHANGED]
    if rows:
        out += ["### Datasets", ""]
        out += _table(("dataset", "change", "records", "bytes", "shards", "license"), rows)
    unchanged = [d.name for d in r.datasets if d.status == UNCHANGED]
    if unchanged:
        out += ["Unchanged: " + ", ".join(_code(n) for n in unchanged) + ".", ""]
    for d in r.datasets:
        if d.status == CHANGED:
            out += _md_dataset(d, max_items)
    if r.steps:
        out += ["### Processing steps", ""]
        rows = []
        for step in r.steps:
            if not step.fields:
                rows.append([_code(step.name), step.status, "—", "—"])
            rows += [[_code(step.name), f"{step.status}: {_cell(f.name)}", _cell(f.old or "—"), _cell(f.new or "—")]
                     for f in step.fields]
        out += _table(("step", "change", "before", "after"), rows)
    if r.model:
        out += ["### Model", ""]
        out += _table(("attribute", "before", "after"),
                      ([_cell(f.name), _cell(f.old or "—"), _cell(f.new or "—")] for f in r.model))
    while out and out[-1] == "":
        out.pop()
    return out


def _md_row(d: DatasetDiff) -> list[str]:
    name = _code(d.name)
    if d.status in (ADDED, REMOVED):
        t = d.new if d.status == ADDED else d.old
        assert t is not None
        lic = d.new_license if d.status == ADDED else d.old_license
        return [name, d.status, _count(t.records), human_bytes(t.bytes), f"{t.shards:,}", _cell(_license(lic))]
    assert d.old is not None and d.new is not None
    change = f"renamed from {_code(d.old_name)}" if d.old_name else "changed"
    if d.license is None:
        lic = _cell(_license(d.new_license))
    else:
        lic = _cell(_license_change(d.license))
        if d.license.direction == "more-restrictive":
            lic = f"**{lic}**"
    return [name, change, _cell(_change(d.old.records, d.new.records)),
            _cell(_change(d.old.bytes, d.new.bytes, True)), _cell(_change(d.old.shards, d.new.shards)), lic]


def _md_dataset(d: DatasetDiff, max_items: int) -> list[str]:
    out = [f"### {_code(d.name)}", ""]
    out += [s[0].upper() + _cell(s[1:]) + "." for s in _sentences(d)]
    if out[-1] != "":
        out.append("")
    rows: list[list[str]] = []
    more: list[str] = []

    def add(what: str, items: Sequence[_T], row: Callable[[_T], list[str]]) -> None:
        shown, left = _limited(items, max_items)
        rows.extend(row(s) for s in shown)
        if left:
            more.append(f"{left:,} more {what}")

    add("added", d.shards_added, lambda s: _md_shard(s, "added"))
    add("removed", d.shards_removed, lambda s: _md_shard(s, "removed"))
    add("changed", d.shards_changed, _md_changed)
    add("moved", d.shards_moved, _md_moved)
    if rows:
        out += _table(("shard", "change", "records", "bytes"), rows)
        if more:
            out += ["… and " + ", ".join(more) + ".", ""]
    attrs: list[list[str]] = []
    if d.license is not None:
        attrs.append(["license", _cell(_license(d.license.old, d.license.old_class)),
                      _cell(_license(d.license.new, d.license.new_class))])
    attrs += [[_cell(c.name), _cell(c.old or "—"), _cell(c.new or "—")] for c in d.attributes]
    attrs += [[f"column {_code(c.name)}", _cell(c.old or "—"), _cell(c.new or "—")] for c in d.schema]
    attrs += [[_cell(what), _cell(before), _cell(after)] for what, before, after in _profile_rows(d.profile)]
    if attrs:
        out += _table(("attribute", "before", "after"), attrs)
    if d.docs:
        out += _table(("document", "kind", "change"), ([_code(doc.path), _cell(doc.kind), doc.change]
                                                       for doc in d.docs))
    return out


def _md_shard(s: ShardInfo, what: str) -> list[str]:
    return [_code(s.path), what, _count(s.records), human_bytes(s.bytes)]


def _md_changed(s: ShardChange) -> list[str]:
    return [_code(s.path), "changed", _cell(_change(s.old_records, s.new_records)),
            _cell(_change(s.old_bytes, s.new_bytes, True))]


def _md_moved(s: ShardMove) -> list[str]:
    return [f"{_code(s.old_path)} → {_code(s.new_path)}", "moved", _count(s.records), human_bytes(s.bytes)]
