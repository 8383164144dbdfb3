"""Bytes by modality (`dbom:profile:modality`), from files built here and scanned by the real command."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from helpers import run_dbom


def _tar(path: Path, members: dict[str, bytes]) -> dict[str, int]:
    """A WebDataset tar of `members`; returns their sizes by member name."""
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data))
    return {name: len(data) for name, data in members.items()}


def _scan(folder: Path, tmp_path: Path, manifest_extra: str = "") -> dict[str, str]:
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(f"model:\n  name: m\ndatasets:\n  - name: d\n    path: {folder}\n{manifest_extra}",
                        encoding="utf-8")
    out = tmp_path / "out.json"
    done = run_dbom("scan", "-c", str(manifest), "-o", str(out), "-q", "--profile", "sample")
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    component = next(c for c in doc["components"] if c["name"] == "d")
    return {p["name"]: p["value"] for p in component["properties"]}


def test_webdataset_members_parquet_columns_and_text_files_give_their_modalities(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    sizes = _tar(data / "shard-0000.tar", {"0001.png": png, "0001.txt": b"a cat on a mat", "0002.jpg": png[:5000],
                                            "0002.json": b'{"caption": "a dog"}', "0003.wav": b"RIFF" + bytes(3000)})
    table = pa.table({"image": pa.array([{"bytes": png, "path": "a.png"}] * 20,
                                        pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
                      "caption": pa.array(["a picture of a cat"] * 20)})
    pq.write_table(table, data / "images.parquet", compression="NONE")
    (data / "notes.jsonl").write_text('{"text": "plain words"}\n' * 30, encoding="utf-8")

    found = json.loads(_scan(data, tmp_path)["dbom:profile:modality"])

    meta = pq.ParquetFile(data / "images.parquet").metadata
    column = {meta.row_group(0).column(i).path_in_schema: meta.row_group(0).column(i).total_compressed_size
              for i in range(meta.row_group(0).num_columns)}
    tar_bytes = (data / "shard-0000.tar").stat().st_size
    parquet_bytes = (data / "images.parquet").stat().st_size
    tar_image = sizes["0001.png"] + sizes["0002.jpg"]
    tar_overhead = tar_bytes - sum(sizes.values())  # headers and padding go with the most bytes: the images
    parquet_text = column["caption"]
    assert found == {
        "text": sizes["0001.txt"] + sizes["0002.json"] + parquet_text + (data / "notes.jsonl").stat().st_size,
        "image": tar_image + tar_overhead + parquet_bytes - parquet_text,
        "audio": sizes["0003.wav"],
    }
    assert list(found) == ["text", "image", "audio"]  # in a fixed order


def test_the_eu_summary_uses_the_measured_modality_when_none_is_stated(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    png = bytes(range(256)) * 20
    _tar(data / "shard-0000.tar", {f"{i:04d}.png": png for i in range(3)})
    props = _scan(data, tmp_path, "    eu_category: \"2.6\"\n")
    assert json.loads(props["dbom:profile:modality"]) == {"image": (data / "shard-0000.tar").stat().st_size}
    eu = tmp_path / "eu.md"
    assert run_dbom("report", str(tmp_path / "out.json"), "--format", "eu", "-o", str(eu)).returncode == 0
    text = re.sub(r"\\([\\`*_\[\]<>|#])", r"\1", eu.read_text(encoding="utf-8"))
    row = next(line for line in text.splitlines() if line.startswith("| Image"))
    assert row.startswith("| Image (measured from the files of d) | Less than 1 million images (3 images (records))")
    # a stated modality wins
    _scan(data, tmp_path, "    eu_category: \"2.6\"\n    modality: other\n")
    assert run_dbom("report", str(tmp_path / "out.json"), "--format", "eu", "-o", str(eu)).returncode == 0
    text = eu.read_text(encoding="utf-8")
    assert "| Other |" in text and "| Image" not in text
