"""dbom.write validates the document as it writes it (StreamingValidator), without reading it back.

The claim to test: what the streaming validator finds in a document is what `validate_file` finds in
the written file: nothing for a good DBOM, the same problems (same locations, same words) for a bad one.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

import dbom
from dbom.cyclonedx.validate import StreamingValidator, validate_document
from dbom.cyclonedx.writer import write_dbom
from dbom.model import Column, Dataset, Dbom, DocFile, ModelInfo, Shard

REPO = Path(__file__).resolve().parents[2]


def _shard(path: str, **changes: object) -> Shard:
    seed = path.encode()
    fields: dict[str, object] = dict(path=path, bytes=100, format="parquet", xxh3_128=hashlib.md5(seed).hexdigest(),
                                     sha256=hashlib.sha256(seed).hexdigest(), records=5,
                                     columns=(Column("text", "string"),))
    fields.update(changes)
    return Shard(**fields)  # type: ignore[arg-type]


def _dbom(*datasets: Dataset) -> Dbom:
    return Dbom(model=ModelInfo(name="m", version="1"), datasets=datasets, tool_version="0.1.0")


def _dataset(name: str, *shards: Shard) -> Dataset:
    docs = (DocFile(path="README.md", kind="card", bytes=3, xxh3_128="ab" * 16, sha256="cd" * 32),)
    return Dataset(name=name, shards=shards, docs=docs, digest=hashlib.sha256(name.encode()).hexdigest())


def _both_ways(tmp_path: Path, model: Dbom, version: str = "1.6") -> tuple[list[str], list[str]]:
    """(the streaming validator's problems, the whole-document validation's problems of the same bytes)."""
    checker = StreamingValidator(version)
    out = tmp_path / f"doc-{version}.json"
    with out.open("w+b") as fh:
        write_dbom(model, fh, version, checker)
    return checker.problems, validate_document(json.loads(out.read_bytes()))


@pytest.mark.parametrize("version", ["1.6", "1.7"])
def test_a_good_dbom_has_no_problems_either_way(tmp_path: Path, version: str) -> None:
    model = _dbom(_dataset("a", *(_shard(f"part-{i}.parquet") for i in range(1200))), _dataset("b", _shard("x.csv")))
    streamed, whole = _both_ways(tmp_path, model, version)
    assert streamed == whole == []


def test_the_samples_dbom_validates_both_ways(tmp_path: Path) -> None:
    model = dbom.scan(manifest=REPO / "sample_datasets" / "dbom.yaml")
    streamed, whole = _both_ways(tmp_path, model)
    assert streamed == whole == []


BAD_SHARDS = [
    # a schema violation deep in a shard far into the stream (not in the first batch)
    ("not-hex", 700, {"sha256": "not a digest"}, "components[0].components[700].hashes[0].content"),
    # an integrity rule the schema cannot express: 40 hex digits are a valid pattern, wrong for SHA-256
    ("short-sha", 3, {"sha256": "ab" * 20}, "components[0].components[3].hashes[0]: SHA-256 hash has 40"),
    # the schema's enum on a property of a streamed component
    ("bad-blake3", 1, {"blake3": "zz"}, "components[0].components[1].hashes[1].content"),
]


@pytest.mark.parametrize(("case", "index", "changes", "expected"), BAD_SHARDS, ids=[c[0] for c in BAD_SHARDS])
def test_a_bad_shard_is_found_at_its_place_and_worded_as_validate_file_words_it(
        tmp_path: Path, case: str, index: int, changes: dict[str, object], expected: str) -> None:
    shards = [_shard(f"part-{i:04d}.parquet", **(changes if i == index else {})) for i in range(800)]
    streamed, whole = _both_ways(tmp_path, _dbom(_dataset("a", *shards)))
    assert any(p.startswith(expected) for p in streamed), streamed
    assert sorted(streamed) == sorted(whole)


def test_a_duplicate_shard_path_is_a_duplicate_bom_ref_across_the_stream(tmp_path: Path) -> None:
    shards = [_shard("same.parquet"), *(_shard(f"p{i}.parquet") for i in range(600)), _shard("same.parquet")]
    streamed, whole = _both_ways(tmp_path, _dbom(_dataset("a", *shards)))
    duplicate = ('components[0].components[601]: duplicate bom-ref "file:a/same.parquet" '
                 "(first at components[0].components[0])")
    assert streamed == [duplicate]
    # the whole-file schema run also says the array breaks uniqueItems (quoting the array): the same fault
    assert duplicate in whole and len(whole) == 2 and "components[0].components: [" in whole[0]


def test_a_streamed_bom_ref_that_clashes_with_one_outside_the_stream_is_found(tmp_path: Path) -> None:
    # a dataset named "file:a/x" would have the bom-ref "data:file:a/x"; make the clash with two datasets
    # whose shards share a bom-ref instead: dataset "a" with shard "b/c" and dataset "a/b" with shard "c"
    model = _dbom(_dataset("a", _shard("b/c.parquet")), _dataset("a/b", _shard("c.parquet")))
    streamed, whole = _both_ways(tmp_path, model)
    assert any("duplicate bom-ref \"file:a/b/c.parquet\"" in p for p in streamed), streamed
    assert sorted(streamed) == sorted(whole)


def test_dbom_write_refuses_a_bad_shard_and_writes_nothing(tmp_path: Path) -> None:
    model = _dbom(_dataset("a", _shard("ok.parquet"), _shard("bad.parquet", sha256="nope")))
    out = tmp_path / "x.cdx.json"
    with pytest.raises(dbom.DbomError, match=r"did not validate.*components\[0\]\.components\[1\]\.hashes"):
        dbom.write(model, out)
    assert list(tmp_path.iterdir()) == []


def test_the_sink_does_not_change_the_bytes(tmp_path: Path) -> None:
    model = _dbom(_dataset("a", *(_shard(f"part-{i}.parquet") for i in range(50))))
    plain, checked = io.BytesIO(), io.BytesIO()
    write_dbom(model, plain)
    write_dbom(model, checked, "1.6", StreamingValidator("1.6"))
    assert plain.getvalue() == checked.getvalue()


def test_two_equal_components_without_bom_ref_break_unique_items() -> None:
    checker = StreamingValidator("1.6")
    array = ((None, "components"), 0), "components"
    component = {"type": "file", "name": "a.txt"}
    checker.item(dict(component), (array, 0))
    checker.item({"type": "file", "name": "b.txt"}, (array, 1))
    checker.item(dict(component), (array, 2))
    skeleton = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                "components": [{"type": "data", "name": "d", "bom-ref": "data:d", "components": []}]}
    assert checker.finish(skeleton) == [
        "components[0].components[2]: the same component twice in one array (the schema asks for uniqueItems)"
    ]
