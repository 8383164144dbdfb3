"""Property tests of the readers of JSON text: the CycloneDX reader (`dbom.load`, `validate_file`) on bytes
that are not a DBOM, or almost one, and the JSON / JSON Lines shard readers on what json.loads accepts but
no UTF-8 can hold (unpaired surrogates), NaN and huge numbers: any exception but the project's own is a
failure, validate_file never raises, and what a shard reader returns can be written into a DBOM."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbom.cyclonedx.api import load, validate_file
from dbom.errors import DbomError
from dbom.formats import detect, inspect_shard
from dbom.model import Dataset, Dbom, ModelInfo, Shard

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _dbom_bytes(folder: Path) -> bytes:
    """A small valid DBOM, as dbom writes it (to `folder`/valid.json)."""
    from dbom.cyclonedx.api import write

    out = folder / "valid.json"
    if not out.exists():
        shard = Shard(path="a.parquet", bytes=10, format="parquet", xxh3_128="0" * 32, sha256="a" * 64, records=3)
        dataset = Dataset(name="d", shards=(shard,), digest="b" * 64)
        write(Dbom(model=ModelInfo(name="m"), datasets=(dataset,)), out)
    return out.read_bytes()


def _read_both(path: Path) -> None:
    problems = validate_file(path)
    assert isinstance(problems, list) and all(isinstance(p, str) and "\n" not in p for p in problems)
    with contextlib.suppress(DbomError):
        load(path)


@SETTINGS
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "doc.json"
    path.write_bytes(data)
    _read_both(path)


# JSON text (not values: what json.dumps cannot write) with the pieces readers trip on.
PIECES = st.sampled_from(['"\\ud800"', '"\\udfff\\ud800"', '"\\ud83d\\ude00"', "NaN", "-Infinity", "1e999", "-0",
                          "1" + "0" * 5000, '"\\u0000"', '"\u2028"', "[]", "{}", "null", "true", '"x"', "1.5"])
KEYS = st.sampled_from(["bomFormat", "specVersion", "components", "metadata", "component", "type", "name",
                        "bom-ref", "hashes", "properties", "dependencies", "ref", "dependsOn", "\\ud800"])


@st.composite
def json_text(draw: st.DrawFn, depth: int = 0) -> str:
    """A JSON-ish text: objects and arrays of PIECES, sometimes nested."""
    kind = draw(st.integers(0, 2)) if depth < 4 else 0
    if kind == 0:
        return draw(PIECES)
    if kind == 1:
        return "[" + ",".join(draw(st.lists(json_text(depth + 1), max_size=3))) + "]"
    items = draw(st.lists(st.tuples(KEYS, json_text(depth + 1)), max_size=4))
    return "{" + ",".join(f'"{k}":{v}' for k, v in items) + "}"


@SETTINGS
@given(body=json_text())
def test_json_text_with_surrogates_nan_and_huge_numbers(tmp_path: Path, body: str) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "x": ' + body + "}", encoding="utf-8")
    _read_both(path)


@SETTINGS
@given(cut=st.integers(min_value=0, max_value=1 << 20),
       flips=st.lists(st.tuples(st.integers(min_value=0, max_value=1 << 20), st.integers(0, 255)), max_size=4),
       splice=st.none() | json_text())
def test_a_valid_dbom_truncated_flipped_or_spliced(tmp_path: Path, cut: int, flips: list[tuple[int, int]],
                                                  splice: str | None) -> None:
    data = bytearray(_dbom_bytes(tmp_path))
    for position, value in flips:
        data[position % len(data)] = value
    if splice is not None:  # a value replaced by another, at a place where a string value starts
        starts = [i for i in range(len(data) - 1) if data[i:i + 2] == b':"']
        at = starts[cut % len(starts)] + 1
        end = data.index(b'"', at + 1) + 1
        data[at:end] = splice.encode()
    else:
        data = data[: max(1, cut % (len(data) + 1))]
    path = tmp_path / "doc.json"
    path.write_bytes(bytes(data))
    _read_both(path)


def _several_shards_bytes(folder: Path) -> bytes:
    """A valid DBOM of two datasets with a few shards each (so the streaming ways have lines to hand out)."""
    from dbom.cyclonedx.api import write

    out = folder / "several.json"
    if not out.exists():
        datasets = tuple(
            Dataset(name=name, digest="b" * 64, shards=tuple(
                Shard(path=f"p{i}.parquet", bytes=10 + i, format="parquet", xxh3_128=f"{i:032x}", sha256="a" * 64,
                      records=i) for i in range(4)))
            for name in ("d", "e"))
        write(Dbom(model=ModelInfo(name="m"), datasets=datasets), out)
    return out.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=1 << 20),
       flips=st.lists(st.tuples(st.integers(min_value=0, max_value=1 << 20), st.integers(0, 255)), max_size=4),
       splice=st.none() | json_text())
def test_the_streaming_ways_on_a_damaged_dbom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int,
                                              flips: list[tuple[int, int]], splice: str | None) -> None:
    """The lines and the events ways (forced on a small file) fail as the whole-document way does: one line."""
    from dbom.cyclonedx import stream

    monkeypatch.setattr(stream, "WHOLE_BYTES", 0)
    data = bytearray(_several_shards_bytes(tmp_path))
    for position, value in flips:
        data[position % len(data)] = value
    if splice is not None:
        starts = [i for i in range(len(data) - 1) if data[i:i + 2] == b':"']
        at = starts[cut % len(starts)] + 1
        end = data.index(b'"', at + 1) + 1
        data[at:end] = splice.encode()
    elif cut % 3:
        data = data[: max(1, cut % (len(data) + 1))]
    path = tmp_path / "doc.json"
    path.write_bytes(bytes(data))
    problems = validate_file(path)
    assert isinstance(problems, list) and all(isinstance(p, str) and "\n" not in p for p in problems)
    try:
        model = load(path, stream=True)
        shards = [shard for dataset in model.datasets for shard in dataset.shards]
    except DbomError as exc:
        assert "\n" not in str(exc)
        return
    assert problems == []  # what loads is valid
    assert len(shards) == sum(dataset.summary.shards for dataset in model.datasets)


def test_a_lone_surrogate_is_one_line_from_every_reader(tmp_path: Path) -> None:
    """json.loads accepts `"\\ud800"`; the schema engine cannot encode it: a file error, not an internal one."""
    from helpers import run_dbom

    doc = json.loads(_dbom_bytes(tmp_path))
    doc["metadata"]["component"]["description"] = "PLACEHOLDER"
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(doc).replace("PLACEHOLDER", "a\\ud800b"), encoding="utf-8")
    for args in (("validate", str(path)), ("check", str(path)), ("diff", str(path), str(tmp_path / "valid.json"))):
        done = run_dbom(*args)
        assert done.returncode in (1, 2), done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.splitlines()) == 1 and "surrogate" in done.stderr, done.stderr


SHARD_NAMES = st.sampled_from(["a.jsonl", "a.json", "a.ndjson", "a.jsonl.gz", "a.json.zst", "a.jsonl.bz2", "a.json.xz"])


def _compressed(name: str, data: bytes) -> bytes:
    import bz2
    import gzip
    import lzma

    import zstandard

    suffix = name.rsplit(".", 1)[1]
    compress = {"gz": gzip.compress, "zst": zstandard.ZstdCompressor().compress, "bz2": bz2.compress,
                "xz": lzma.compress}.get(suffix)
    return compress(data) if compress else data


@SETTINGS
@given(name=SHARD_NAMES, records=st.lists(json_text(), min_size=1, max_size=4), as_array=st.booleans())
def test_json_shards_with_surrogates_nan_and_huge_numbers(tmp_path: Path, name: str, records: list[str],
                                                          as_array: bool) -> None:
    text = "[" + ",\n".join(records) + "]" if as_array else "\n".join(records) + "\n"
    path = tmp_path / name
    path.write_bytes(_compressed(name, text.encode()))
    for digest in (False, True):
        try:
            found = inspect_shard(path, detect(path, b""), records_digest=digest)
        except DbomError:
            continue
        for column in found.columns or ():
            column.name.encode("utf-8")  # the DBOM (UTF-8 JSON) can hold it


def test_a_json_lines_shard_with_an_unpaired_surrogate_is_one_line(tmp_path: Path) -> None:
    """json.loads accepts `{"\\ud800": 1}`; its key was a column the DBOM writer could not encode."""
    from helpers import run_dbom

    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text('{"text": "ok"}\n{"\\ud800": 1}\n', encoding="utf-8")
    out = tmp_path / "out.json"
    done = run_dbom("scan", str(data), "-o", str(out))
    assert done.returncode == 1 and not out.exists()
    assert done.stderr.endswith("a.jsonl: invalid JSON on line 2: unpaired surrogate \\ud800, not Unicode text\n")
    assert len(done.stderr.splitlines()) == 1, done.stderr
    kept = run_dbom("scan", str(data), "-o", str(out), "--keep-going")
    assert kept.returncode == 0 and out.exists(), kept.stderr
