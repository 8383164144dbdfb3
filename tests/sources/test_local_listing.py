"""A walk's Listing: the LocalFiles it makes in bulk are those it makes one at a time."""

from __future__ import annotations

import os
from pathlib import Path

from dbom.sources.local import FileStat, LocalFile, walk


def test_files_in_bulk_are_the_files_one_by_one(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for relpath in ("b.jsonl", "a/x.parquet", "a/y/z.csv", "c.txt"):
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(os.urandom(len(relpath)))
    listing = walk(root, lambda message: None)
    indices = [3, 0, 2, 2, 1]  # any order, repeats too
    files = listing.files(indices)
    assert files == [listing[i] for i in indices]
    for file in files:
        assert type(file) is LocalFile and type(file.stat) is FileStat
        assert file.location == str(root / file.relpath) and file.stat.st_size == len(file.relpath)
    single = walk(root / "c.txt", lambda message: None)  # a root that is one file
    assert single.files([0]) == [single[0]] and single.files([0])[0].location == str(root / "c.txt")
    assert listing.files([]) == []


def test_a_file_is_data_by_the_end_of_its_name_whatever_its_folders_are_named() -> None:
    from dbom.scanning.catalog import doc_kind

    assert doc_kind("part/LICENSE.parquet") is None and doc_kind("x/Y.JSONL") is None
    assert doc_kind("tables.parquet/LICENSE") == "license"  # a folder named like data: its files by their names
    assert doc_kind("docs.csv/README.md") == "card" and doc_kind("a.arrow/run.py") == "code"
    assert doc_kind("notes.txt") is None


def test_the_total_size_of_some_files_or_all_is_the_sum_of_their_sizes(tmp_path: Path) -> None:
    for i in range(7):
        (tmp_path / f"{i}.bin").write_bytes(b"x" * (i * 1000 + 3))
    listing = walk(tmp_path, lambda message: None)
    sizes = listing.sizes()
    assert listing.total_size() == sum(sizes) == sum(i * 1000 + 3 for i in range(7))
    assert listing.total_size([1, 4, 6]) == sizes[1] + sizes[4] + sizes[6]
    assert listing.total_size([]) == 0
    assert walk(tmp_path / "0.bin", lambda message: None).total_size() == 3  # a one-file dataset
