"""The validation memo: a re-scan does not validate again the component lines that passed before."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from helpers import run_dbom
from xxhash import xxh3_128_digest

import dbom
from dbom.cyclonedx.validate import StreamingValidator
from dbom.cyclonedx.validation_memo import ValidationMemo
from dbom.cyclonedx.writer import write_dbom
from dbom.model import Dataset, Dbom, ModelInfo, Shard

REPO = Path(__file__).resolve().parents[2]


def _shard(path: str, **changes: object) -> Shard:
    seed = path.encode()
    fields: dict[str, object] = dict(path=path, bytes=10, format="parquet", xxh3_128=hashlib.md5(seed).hexdigest(),
                                     sha256=hashlib.sha256(seed).hexdigest(), records=1)
    fields.update(changes)
    return Shard(**fields)  # type: ignore[arg-type]


def _dbom(*shards: Shard) -> Dbom:
    return Dbom(model=ModelInfo(name="m"), tool_version="0.1.0",
                datasets=(Dataset(name="d", shards=shards, digest="ab" * 32),))


def _lines(model: Dbom) -> list[bytes]:
    """The one-line shard components of `model` as the writer writes them."""
    out = io.BytesIO()
    write_dbom(model, out)
    return [line.strip().rstrip(b",") for line in out.getvalue().splitlines() if line.strip().startswith(b'{"bom-ref')]


def test_a_second_write_remembers_every_line_and_gives_the_same_bytes(tmp_path: Path) -> None:
    model = _dbom(*(_shard(f"p{i}.parquet") for i in range(700)))
    out, cache = tmp_path / "x.json", tmp_path / "cache"
    dbom.write(model, out, memo_dir=cache)
    first = out.read_bytes()
    memo = ValidationMemo(cache, out, "1.6")
    lines = {xxh3_128_digest(line) for line in _lines(model)}
    assert lines < memo.load() and len(memo.load()) == 701  # and the rest of the document
    dbom.write(model, out, memo_dir=cache)
    assert out.read_bytes() == first
    assert ValidationMemo(cache, out, "1.7").path != memo.path  # another spec version, another memo


def test_a_known_line_still_needs_a_bom_ref_of_its_own(tmp_path: Path) -> None:
    out, cache = tmp_path / "x.json", tmp_path / "cache"
    dbom.write(_dbom(_shard("a.parquet"), _shard("b.parquet")), out, memo_dir=cache)
    twice = _dbom(_shard("a.parquet"), _shard("b.parquet"), _shard("a.parquet"))  # every line known
    with pytest.raises(dbom.DbomError, match=re.escape('duplicate bom-ref "file:d/a.parquet"')):
        dbom.write(twice, out, memo_dir=cache)


def test_an_invalid_line_is_never_remembered(tmp_path: Path) -> None:
    out, cache = tmp_path / "x.json", tmp_path / "cache"
    good = _dbom(_shard("a.parquet"))
    dbom.write(good, out, memo_dir=cache)
    bad = _dbom(_shard("a.parquet"), _shard("b.parquet", sha256="nope"))
    with pytest.raises(dbom.DbomError, match="did not validate"):
        dbom.write(bad, out, memo_dir=cache)
    assert ValidationMemo(cache, out, "1.6").load() == set()  # a failed write leaves nothing to trust
    with pytest.raises(dbom.DbomError, match="did not validate"):
        dbom.write(bad, out, memo_dir=cache)
    assert out.read_bytes().count(b'"file:d/') == 1  # still the good DBOM


def test_the_validator_skips_the_checks_of_known_lines_only() -> None:
    bad = _dbom(_shard("a.parquet", sha256="nope"))
    (line,) = _lines(bad)
    for known, expect_problem in ((set(), True), ({xxh3_128_digest(line)}, False)):
        checker = StreamingValidator("1.6", known)
        write_dbom(bad, io.BytesIO(), "1.6", checker)
        assert bool(checker.problems) is expect_problem, checker.problems


def test_an_unreadable_memo_is_an_empty_one(tmp_path: Path) -> None:
    memo = ValidationMemo(tmp_path, tmp_path / "x.json", "1.6")
    assert memo.load() == set()
    memo.path.parent.mkdir(parents=True)
    memo.path.write_bytes(b"\x01" * 17)  # not a whole number of digests
    assert memo.load() == set()
    memo.store([b"\x01" * 16, b"\xff" * 16])
    assert memo.load() == {b"\x01" * 16, b"\xff" * 16}


def test_the_cli_keeps_a_memo_in_the_cache_dir_and_no_cache_leaves_it(tmp_path: Path) -> None:
    corpus = REPO / "sample_datasets"
    env = {"DBOM_CACHE_DIR": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "0"}
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run_dbom("scan", "-c", str(corpus / "dbom.yaml"), "-o", str(first), "-q", env=env).returncode == 0
    assert len(ValidationMemo(tmp_path / "cache", first, "1.6").load()) > 10
    assert run_dbom("scan", "-c", str(corpus / "dbom.yaml"), "-o", str(second), "-q", "--no-cache",
                    env=env).returncode == 0
    assert not ValidationMemo(tmp_path / "cache", second, "1.6").path.exists()
    assert first.read_bytes() == second.read_bytes()



def test_a_known_rest_of_the_document_skips_its_schema_run_but_not_its_integrity_rules() -> None:
    bad_digest = Dbom(model=ModelInfo(name="m"), datasets=(Dataset(name="d", digest="xyz"),))  # not hex
    first = StreamingValidator("1.6", set())
    write_dbom(bad_digest, io.BytesIO(), "1.6", first)
    assert any("hashes[0].content" in p for p in first.problems)
    document = first._lines[-1]  # the digest of the rest of the document, as `finish` computed it
    trusting = StreamingValidator("1.6", {document})
    write_dbom(bad_digest, io.BytesIO(), "1.6", trusting)
    assert trusting.problems == []
    # the integrity rules still run on a known document: a duplicate bom-ref across the stream is found
    twice = _dbom(_shard("a.parquet"), _shard("a.parquet"))
    probe = StreamingValidator("1.6", set())
    write_dbom(twice, io.BytesIO(), "1.6", probe)
    again = StreamingValidator("1.6", {probe._lines[-1]})
    write_dbom(twice, io.BytesIO(), "1.6", again)
    assert [p for p in again.problems if "duplicate bom-ref" in p] == [p for p in probe.problems
                                                                       if "duplicate bom-ref" in p] != []
