"""What a new user meets first at the command line: defaults, messages and summaries that say what happened."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from corpora import copy_samples, write_jsonl_gz
from helpers import datasets_by_name, load_json, run_dbom


def test_an_unsupported_url_is_one_line_without_its_credentials(tmp_path: Path) -> None:
    done = run_dbom("scan", "ftp://user:secret@example.org/data", "-o", str(tmp_path / "out.json"))
    assert done.returncode == 1
    assert done.stderr == ("dbom: error: ftp://example.org/data: unsupported URL scheme ftp:// "
                           "(dbom reads s3, gs, az, hf, http and https)\n")
    assert not (tmp_path / "out.json").exists()


def test_a_missing_extra_is_named(tmp_path: Path) -> None:
    # gcsfs made unimportable, as on a machine without the extra
    script = "import sys; sys.modules['gcsfs'] = None; from dbom.cli import run; sys.argv[0] = 'dbom'; run()"
    done = subprocess.run([sys.executable, "-c", script, "scan", "gs://bucket/data", "-o", str(tmp_path / "o.json")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr == ("dbom: error: gs://bucket/data: reading gs:// needs the gcsfs package: "
                           "pip install 'dbom[gcs]'\n")


def test_a_bare_scan_profiles_a_sample_and_without_the_extra_says_it_does_not(tmp_path: Path) -> None:
    data = copy_samples(tmp_path / "samples") / "web-text"
    out = tmp_path / "out.json"
    done = run_dbom("scan", str(data), "-o", str(out))
    assert done.returncode == 0 and "note" not in done.stderr
    properties = {p["name"]: p["value"] for p in datasets_by_name(load_json(out))["web-text"]["properties"]}
    assert properties["dbom:profile:mode"] in ("sample", "exact") and "dbom:profile:languages" in properties
    # pycld2 made unimportable, as on a machine without the profile extra: no profile, and a note that says so
    script = "import sys; sys.modules['pycld2'] = None; from dbom.cli import run; sys.argv[0] = 'dbom'; run()"
    bare = subprocess.run([sys.executable, "-c", script, "scan", str(data), "-o", str(out)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert bare.returncode == 0, bare.stderr
    notes = [line for line in bare.stderr.splitlines() if line.startswith("dbom: note:")]
    assert len(notes) == 1 and "pip install 'dbom[profile]'" in notes[0]
    properties = {p["name"]: p["value"] for p in datasets_by_name(load_json(out))["web-text"]["properties"]}
    assert not any(name.startswith("dbom:profile:") for name in properties)
    asked = subprocess.run([sys.executable, "-c", script, "scan", str(data), "-o", str(out), "--profile", "sample"],
                           capture_output=True, text=True, timeout=120, check=False)
    assert asked.returncode == 1 and "dbom[profile]" in asked.stderr and len(asked.stderr.splitlines()) == 1


def test_keep_going_summary_says_what_was_counted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for index in range(4):
        write_jsonl_gz(data / f"part-{index}.jsonl.gz", 10)
    (data / "part-4.jsonl.gz").write_bytes(b"not gzip at all")
    done = run_dbom("scan", str(data), "-o", str(tmp_path / "out.json"), "--keep-going", "--no-cache")
    assert done.returncode == 0, done.stderr
    summary = done.stderr.splitlines()[-1]
    assert "40 records (counted in 4 of 5 shards)" in summary
    assert "1 broken shard recorded" in summary and "1 datasets" not in summary


def test_a_path_that_is_a_manifest_dataset_is_that_dataset(tmp_path: Path) -> None:
    samples = copy_samples(tmp_path / "samples")
    out = tmp_path / "out.json"
    done = run_dbom("scan", str(samples / "forum-qa"), "-c", str(samples / "dbom.yaml"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    by_name = datasets_by_name(load_json(out))
    assert "forum-qa" in by_name and len(by_name) == 4  # merged, not "two datasets have this name"


def test_quiet_still_prints_warnings(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_dbom("scan", str(empty), "-o", str(tmp_path / "out.json"), "-q")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["dbom: warning: empty: no shards found under " + os.path.relpath(empty)]


def test_an_empty_dataset_is_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl_gz(folder / "a.jsonl.gz", 3)
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text("model: {name: m}\ndatasets:\n  - name: c\n    path: corpus/\n    include: ['**/*.parquet']\n")
    done = run_dbom("scan", "-c", str(manifest), "-o", str(tmp_path / "out.json"))
    assert done.returncode == 0
    assert "dbom: warning: c: no shards found under" in done.stderr
    assert "(include/exclude select none)" in done.stderr
    assert "1 warning." in done.stderr


def test_a_cached_scan_reports_no_rate_of_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl_gz(data / "a.jsonl.gz", 5)
    first = run_dbom("scan", str(data), "-o", str(tmp_path / "out.json"))
    second = run_dbom("scan", str(data), "-o", str(tmp_path / "out.json"))
    assert " at " in first.stderr.splitlines()[-1]
    last = second.stderr.splitlines()[-1]
    assert "read 0 files (0 B, 1 from cache)" in last and "0 B/s" not in last and " at " not in last


def test_readers_default_to_what_scan_writes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl_gz(data / "a.jsonl.gz", 5)
    missing = run_dbom("check", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr == "dbom: error: dbom.cdx.json: no such file; run `dbom scan` first, or name the DBOM file\n"
    assert run_dbom("scan", "data", cwd=tmp_path).returncode == 0
    assert run_dbom("validate", cwd=tmp_path).stdout == "dbom.cdx.json: valid\n"
    assert "dbom.cdx.json" in run_dbom("check", cwd=tmp_path).stdout
    assert run_dbom("report", "-o", "r.md", cwd=tmp_path).returncode == 0 and (tmp_path / "r.md").is_file()
    (tmp_path / "dbom.cdx.json").rename(tmp_path / "old.json")
    assert run_dbom("scan", "data", cwd=tmp_path).returncode == 0
    same = run_dbom("diff", "old.json", cwd=tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr


def test_progress_bar_speaks_binary_units_like_the_summary() -> None:
    pytest.importorskip("tqdm")
    import io

    from dbom import cli

    stream = io.StringIO()
    stream.isatty = lambda: True  # type: ignore[method-assign]
    bar = cli._Bar(enabled=True)
    original = sys.stderr
    sys.stderr = stream
    try:
        bar.start_dataset("d", 1, 3 * 1024 * 1024)
        bar.bar.delay = 0
        bar.advance(1536 * 1024)
        bar.bar.refresh()
    finally:
        bar.finish()
        sys.stderr = original
    shown = stream.getvalue()
    assert re.search(r"1\.5 MiB/3\.0 MiB at [\d.]+ (B|KiB|MiB|GiB)/s", shown), shown
    assert "MB" not in shown.replace("MiB", "")


def test_check_speaks_plain_english_on_a_bare_scan(tmp_path: Path) -> None:
    samples = copy_samples(tmp_path / "samples")
    out = tmp_path / "out.json"
    assert run_dbom("scan", str(samples / "forum-qa"), "-o", str(out)).returncode == 0
    text = " ".join(run_dbom("check", str(out)).stdout.split())
    assert "1 dataset, 3 shards" in text
    assert "where to obtain it is not stated and no revision or version pins it" in text
    assert "1 datasets" not in text and "no where" not in text and "no a " not in text
