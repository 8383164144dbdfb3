"""WebDataset tar shards."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from conftest import assert_one_line_error

from dbom.errors import FormatError
from dbom.formats import Detected, detect, inspect_shard
from dbom.model import Column


def _write_tar(path: Path, members: list[tuple[str, bytes]], fmt: int = tarfile.PAX_FORMAT) -> Path:
    with tarfile.open(path, "w", format=fmt) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        directory = tarfile.TarInfo("subdir")
        directory.type = tarfile.DIRTYPE
        archive.addfile(directory)
    return path


def _samples(count: int) -> list[tuple[str, bytes]]:
    members = []
    for i in range(count):
        key = f"sample{i:06d}"
        members += [(f"{key}.jpg", b"\xff\xd8" + bytes(600)), (f"{key}.txt", b"caption %d" % i)]
        members.append((f"{key}.JSON", b"{}"))
        if i % 2:
            members.append((f"{key}.seg.png", b"\x89PNG"))
    return members


@pytest.fixture
def shard(tmp_path: Path) -> Path:
    return _write_tar(tmp_path / "shard-000000.tar", _samples(25))


def test_webdataset_samples_and_extensions(shard: Path) -> None:
    detected = detect(shard, shard.read_bytes()[:512])
    assert detected == Detected("webdataset")
    inspection = inspect_shard(shard, detected)
    assert inspection.records == 25
    assert inspection.columns == (
        Column("jpg", "bytes"),
        Column("json", "bytes"),
        Column("seg.png", "bytes"),
        Column("txt", "bytes"),
    )


def test_webdataset_keys_include_directories_and_skip_non_samples(tmp_path: Path) -> None:
    members = [
        ("train/a/0001.jpg", b"1"),
        ("train/a/0001.cls", b"1"),
        ("train/b/0001.jpg", b"2"),  # same basename, other directory: another sample
        ("__index__", b"meta"),
        ("README", b"no extension"),
    ]
    path = _write_tar(tmp_path / "dirs.tar", members, fmt=tarfile.GNU_FORMAT)
    inspection = inspect_shard(path, Detected("webdataset"))
    assert inspection.records == 2
    assert inspection.columns == (Column("cls", "bytes"), Column("jpg", "bytes"))


def test_empty_tar(tmp_path: Path) -> None:
    path = tmp_path / "empty.tar"
    tarfile.open(path, "w").close()
    assert inspect_shard(path, Detected("webdataset")).records == 0


@pytest.mark.parametrize("cut", [700, 5000, -1024 * 10 - 1])
def test_truncated_tar(shard: Path, cut: int) -> None:
    shard.write_bytes(shard.read_bytes()[:cut])
    with pytest.raises(FormatError) as caught:
        inspect_shard(shard, Detected("webdataset"))
    assert_one_line_error(caught.value, shard, "tar archive")


def test_tar_cut_at_a_member_boundary(tmp_path: Path) -> None:
    path = _write_tar(tmp_path / "cut.tar", [("a.txt", b"x" * 512), ("b.txt", b"y" * 512)])
    path.write_bytes(path.read_bytes()[:2048])  # two whole members, no end-of-archive marker
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, Detected("webdataset"))
    assert_one_line_error(caught.value, path, "truncated tar archive", "end-of-archive marker")


def test_corrupt_header_in_the_middle(shard: Path) -> None:
    data = bytearray(shard.read_bytes())
    with tarfile.open(shard) as archive:
        tenth = archive.getmembers()[10]
    data[tenth.offset : tenth.offset + 100] = b"\x07" * 100  # garbage name, broken checksum
    shard.write_bytes(bytes(data))
    with pytest.raises(FormatError) as caught:
        inspect_shard(shard, Detected("webdataset"))
    assert_one_line_error(caught.value, shard, "corrupt tar archive", f"offset {tenth.offset}")


def test_not_a_tar(tmp_path: Path) -> None:
    path = tmp_path / "fake.tar"
    path.write_bytes(b"this is not a tar archive at all\n" * 40)
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, Detected("webdataset"))
    assert_one_line_error(caught.value, path, "corrupt tar archive")
