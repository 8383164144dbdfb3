"""The streaming read side: the same answers as reading the whole document, in memory that does not hold it.

Each test compares the streaming path with the whole-document one on the same bytes: the document
rebuilt from the stream equals json.load of the file; validation, check, report and diff say the
same whichever way the DBOM was read.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpers import run_dbom

import dbom
from dbom.compare.diff import diff
from dbom.compare.render import render
from dbom.compliance.check import check, dataset_labels, render_text
from dbom.compliance.report import render as render_report
from dbom.cyclonedx import reader, stream
from dbom.cyclonedx.document import NotCycloneDX
from dbom.cyclonedx.validate import validate_document, validate_file
from dbom.errors import DbomFileError
from dbom.model import Column, Dataset, Dbom, DocFile, License, ModelInfo, Shard, ShardSummary


def _shard(path: str, **changes: object) -> Shard:
    seed = path.encode()
    fields: dict[str, object] = dict(path=path, bytes=100 + len(path), format="parquet",
                                     xxh3_128=hashlib.md5(seed).hexdigest(), sha256=hashlib.sha256(seed).hexdigest(),
                                     records=5, columns=(Column("text", "string"), Column("license", "string")))
    fields.update(changes)
    return Shard(**fields)  # type: ignore[arg-type]


def _dataset(name: str, shards: list[Shard], **changes: Any) -> Dataset:
    docs = (DocFile(path="README.md", kind="card", bytes=3, xxh3_128="ab" * 16, sha256="cd" * 32),)
    fields: dict[str, Any] = dict(name=name, shards=tuple(shards), docs=docs, license=License("CC-BY-4.0"),
                                  digest=hashlib.sha256(name.encode()).hexdigest())
    fields.update(changes)
    return Dataset(**fields)


def _model(web_shards: int = 1500) -> Dbom:
    """Three datasets with every kind of shard the summary tells apart: broken, uncounted, schemaless, compressed."""
    web = [_shard(f"web/part-{i:05d}.parquet", records_digest=f"xxh3-64:{i:016x}") for i in range(web_shards)]
    mixed = [_shard(f"m/{i}.jsonl.gz", format="jsonl", compression="gzip", uncompressed_bytes=1000 + i,
                    columns=(Column("text", "string"), Column("id", "int64" if i % 2 else "string")))
             for i in range(300)]
    mixed += [_shard("m/broken.parquet", error="not a Parquet file", records=None, columns=None),
              _shard("m/notes.txt", format="text", records=None, columns=None)]
    return Dbom(model=ModelInfo(name="m", version="1"), tool_version="0.1.0", datasets=(
        _dataset("web", web), _dataset("mixed", mixed, description="text and ids"), _dataset("empty", [])))


@pytest.fixture()
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document is read the streaming way, however small (the threshold is a mebibyte)."""
    monkeypatch.setattr(stream, "WHOLE_BYTES", 0)


class _Collect:
    spans = True

    def __init__(self) -> None:
        self.items: list[tuple[dict[str, Any], Any, stream.SpanFile, int]] = []

    def begin(self, spec_version: Any) -> None:
        self.spec_version = spec_version

    def reset(self) -> None:
        self.items = []

    def item(self, component: dict[str, Any], loc: Any, text: bytes, source: stream.SpanFile, offset: int) -> None:
        self.items.append((component, loc, source, offset))


def _rebuilt(path: Path) -> tuple[Any, _Collect]:
    """The document as the stream hands it over, put back together."""
    sink = _Collect()
    rest = stream.stream_document(path, sink)
    for component, ((array_loc, index)), _, _ in sink.items:
        (_, i), key = array_loc
        target = rest["components"][i][key]
        assert len(target) == index  # handed over in order, at their place
        target.append(component)
    return rest, sink


@pytest.mark.usefixtures("streamed")
def test_a_dbom_written_by_dbom_is_read_line_by_line_and_rebuilds_to_the_same_document(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    dbom.write(_model(), out)
    rest, sink = _rebuilt(out)
    assert rest == json.loads(out.read_bytes())
    assert sink.spec_version == "1.6"
    # the lines way: each component's text is read again from the DBOM itself, at its line
    component, _, source, offset = sink.items[700]
    assert source.path == out and next(source.lines(offset, 1)).strip().rstrip(b",") == json.dumps(
        component, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize("indent", [None, 1, 4])
def test_a_foreign_document_is_read_by_parse_events_to_the_same_document(tmp_path: Path, indent: int | None) -> None:
    written = tmp_path / "d.json"
    dbom.write(_model(), written)
    foreign = tmp_path / "foreign.json"
    doc = json.loads(written.read_bytes())
    doc = {"specVersion": doc.pop("specVersion"), **doc}  # keys in another order than dbom's
    foreign.write_text(json.dumps(doc, indent=indent))
    rest, sink = _rebuilt(foreign)
    assert rest == json.loads(foreign.read_bytes())
    assert len(sink.items) == 1500 + 302 + 2 + 1  # every file component (shards and cards) of the datasets
    component, _, source, offset = sink.items[-1]
    assert json.loads(next(source.lines(offset, 1))) == component  # spooled, to be read again


@pytest.mark.usefixtures("streamed")
def test_a_line_that_is_not_a_whole_component_sends_the_file_the_events_way(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    dbom.write(_model(), out)
    lines = out.read_bytes().split(b"\n")
    at = next(i for i, line in enumerate(lines) if b'"file:web/web/part-00003.parquet"' in line)
    lines[at] = lines[at].replace(b',"type"', b',\n"type"')  # one component over two lines, mid-array
    at = next(i for i, line in enumerate(lines) if b'"file:mixed/m/7.jsonl.gz"' in line)
    lines[at] = lines[at] + b" " + lines[at + 1].strip()  # two components on one line
    del lines[at + 1]
    out.write_bytes(b"\n".join(lines))
    rest, _ = _rebuilt(out)
    assert rest == json.loads(out.read_bytes())


@pytest.mark.usefixtures("streamed")
def test_a_trailing_comma_after_the_last_component_is_not_json(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    dbom.write(_model(), out)
    text = out.read_bytes()
    last = text.index(b"\n", text.index(b'"file:web/web/part-01499.parquet"'))
    out.write_bytes(text[:last] + b"," + text[last:])
    with pytest.raises(NotCycloneDX, match="not JSON"):
        stream.stream_document(out, _Collect())
    with pytest.raises(ValueError):
        json.loads(out.read_bytes())


def _corrupt(out: Path, old: bytes, new: bytes, count: int = 1) -> None:
    text = out.read_bytes()
    assert text.count(old) >= count
    out.write_bytes(text.replace(old, new, count))


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize("fault", ["duplicate", "bad-hash", "schema", "dangling", "dataset-ref-on-a-shard"])
def test_validation_finds_the_same_problems_streaming_as_whole(tmp_path: Path, fault: str) -> None:
    out = tmp_path / "d.json"
    dbom.write(_model(), out)
    if fault == "duplicate":
        _corrupt(out, b'"bom-ref":"file:web/web/part-01200.parquet"', b'"bom-ref":"file:web/web/part-00005.parquet"')
    elif fault == "bad-hash":
        _corrupt(out, hashlib.sha256(b"web/part-00900.parquet").hexdigest().encode(), b"ab" * 20)
    elif fault == "schema":
        _corrupt(out, b'"type":"file","name":"m/9.jsonl.gz"', b'"type":"spreadsheet","name":"m/9.jsonl.gz"')
    elif fault == "dangling":
        _corrupt(out, b'"ref": "data:empty"', b'"ref": "data:nowhere"')
    else:
        _corrupt(out, b'"bom-ref":"file:web/web/part-00011.parquet"', b'"bom-ref":"data:mixed"')
    streamed = validate_file(out)
    assert len(streamed) == 1 and streamed == validate_document(json.loads(out.read_bytes()))


@pytest.mark.usefixtures("streamed")
def test_shards_on_disk_give_the_same_shards_summary_check_and_report(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    dbom.write(_model(), out)
    whole, lazy = dbom.load(out), dbom.load(out, stream=True)
    for eager_set, lazy_set in zip(whole.datasets, lazy.datasets, strict=True):
        assert isinstance(lazy_set.shards, reader.ShardsOnDisk)
        assert list(lazy_set.shards) == list(eager_set.shards) == list(lazy_set.shards)  # again, from the file
        assert len(lazy_set.shards) == len(eager_set.shards)
        if eager_set.shards:
            assert lazy_set.shards[-1] == eager_set.shards[-1] and lazy_set.shards[3:5] == eager_set.shards[3:5]
        assert lazy_set.summary == ShardSummary.of(eager_set.shards) == eager_set.summary
        assert lazy_set.docs == eager_set.docs
    mixed = lazy.datasets[1].summary
    assert (mixed.errors, mixed.first_error, mixed.uncounted, mixed.schemaless) == (1, "m/broken.parquet", 2, 2)
    assert dict(mixed.column_types)["id"] == ("int64", "string")
    assert render_text(check(lazy), "d", dataset_labels(lazy)) == render_text(check(whole), "d", dataset_labels(whole))
    for fmt in ("md", "eu", "html"):
        assert render_report(lazy, fmt) == render_report(whole, fmt)


@pytest.mark.usefixtures("streamed")
def test_shards_read_again_from_a_file_that_changed_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    dbom.write(_model(), out)
    lazy = dbom.load(out, stream=True)
    dbom.write(_model(), tmp_path / "other.json")
    os.replace(tmp_path / "other.json", out)  # another file in its place: same bytes, another inode
    with pytest.raises(DbomFileError, match="changed since it was read"):
        list(lazy.datasets[0].shards)


def _moved_model() -> Dbom:
    model = _model()
    web = list(model.datasets[0].shards)
    web[10] = _shard(web[10].path, xxh3_128="0" * 32, sha256="1" * 64)  # changed
    web[20] = _shard("web/renamed.parquet", xxh3_128=web[20].xxh3_128, sha256=web[20].sha256)  # moved
    del web[30]  # removed
    web.append(_shard("web/part-99999.parquet"))  # added
    mixed = [*model.datasets[1].shards[:-1], _shard("m/extra.csv", format="csv",
                                                     columns=(Column("text", "string"), Column("n", "int64")))]
    return Dbom(model=model.model, tool_version="0.1.0", datasets=(
        _dataset("web", sorted(web, key=lambda s: s.path)), _dataset("mixed", mixed, description="text and ids")))


@pytest.mark.usefixtures("streamed")
def test_diff_says_the_same_of_shards_on_disk_as_of_shards_in_memory(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    dbom.write(_model(), old)
    dbom.write(_moved_model(), new)
    in_memory = diff(dbom.load(old), dbom.load(new))
    on_disk = diff(dbom.load(old, stream=True), dbom.load(new, stream=True))
    assert on_disk == in_memory
    web = next(d for d in on_disk.datasets if d.name == "web")
    assert ([s.path for s in web.shards_added], [s.path for s in web.shards_removed],
            [s.path for s in web.shards_changed], [(m.old_path, m.new_path) for m in web.shards_moved]) == (
        ["web/part-99999.parquet"], ["web/part-00030.parquet"], ["web/part-00010.parquet"],
        [("web/part-00020.parquet", "web/renamed.parquet")])
    for fmt in ("text", "markdown", "json"):
        assert render(on_disk, fmt, "old", "new", 0) == render(in_memory, fmt, "old", "new", 0)


def test_a_large_dbom_is_validated_in_a_child_process_with_the_same_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "d.json"
    dbom.write(_model(), out)
    _corrupt(out, b'"bom-ref":"file:web/web/part-01200.parquet"', b'"bom-ref":"file:web/web/part-00005.parquet"')
    expected = validate_file(out)
    started: list[Path] = []
    original = reader.ChildValidation.__init__

    def spy(self: reader.ChildValidation, path: Path) -> None:
        started.append(path)
        original(self, path)

    monkeypatch.setattr(reader.ChildValidation, "__init__", spy)
    monkeypatch.setattr(reader, "CHILD_VALIDATION_BYTES", 0)
    with pytest.raises(DbomFileError) as raised:
        dbom.load(out, stream=True)
    assert started == [out] and expected[0] in str(raised.value)
    # a child that cannot run (no interpreter there): the reader validates in its own process
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-python"))
    with pytest.raises(DbomFileError) as raised:
        dbom.load(out)
    assert expected[0] in str(raised.value)


def test_the_commands_on_a_streamed_dbom_answer_as_the_api_does_in_memory(tmp_path: Path) -> None:
    out, new = tmp_path / "d.json", tmp_path / "new.json"
    dbom.write(_model(4000), out)  # over a mebibyte: the commands read it streaming
    dbom.write(_moved_model(), new)
    assert out.stat().st_size > stream.WHOLE_BYTES
    checked = run_dbom("check", str(out))
    whole = dbom.load(out)
    assert checked.returncode == 1 and checked.stdout == render_text(check(whole), str(out), dataset_labels(whole))
    assert run_dbom("report", str(out), "-o", str(tmp_path / "r.md")).returncode == 0
    assert (tmp_path / "r.md").read_text() == render_report(dbom.load(out), "md")
    changed = run_dbom("diff", str(out), str(new), "--format", "json")
    assert changed.returncode == 1
    assert changed.stdout == render(diff(dbom.load(out), dbom.load(new)), "json", "d.json", "new.json", 20)
