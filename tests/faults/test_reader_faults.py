"""Every command that reads a DBOM refuses what `dbom validate` refuses, in one line, in bounded memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpora import write_jsonl_gz
from helpers import run_dbom

READERS = (("validate",), ("check",), ("report", "-o", "r.md"), ("diff", "GOOD"), ("diff-new",))


def _good(tmp_path: Path) -> Path:
    write_jsonl_gz(tmp_path / "data" / "a.jsonl.gz", 3)
    out = tmp_path / "good.json"
    assert run_dbom("scan", str(tmp_path / "data"), "-o", str(out)).returncode == 0
    return out


def _run(command: tuple[str, ...], bad: Path, good: Path, cwd: Path) -> tuple[int, str]:
    if command[0] == "diff-new":
        done = run_dbom("diff", str(good), str(bad), cwd=cwd)
    elif command[0] == "diff":
        done = run_dbom("diff", str(bad), str(good), cwd=cwd)
    else:
        done = run_dbom(command[0], str(bad), *command[1:], cwd=cwd)
    return done.returncode, done.stderr


def _variants(good: Path) -> dict[str, str]:
    doc = json.loads(good.read_text(encoding="utf-8"))
    duplicate = json.loads(json.dumps(doc))
    dataset = next(c for c in duplicate["components"] if c["type"] == "data")
    dataset["components"].append(dict(dataset["components"][0]))  # a second component with the same bom-ref
    nan = good.read_text(encoding="utf-8").replace('"dbom:bytes","value":"', '"dbom:x","value":NaN,"y":"', 1)
    assert "NaN" in nan
    return {"deep": "[" * 100_000 + "]" * 100_000, "deep-object": '{"a":' * 50_000 + "1" + "}" * 50_000,
            "duplicate-bom-ref": json.dumps(duplicate), "nan": nan}


@pytest.mark.parametrize("case", ["deep", "deep-object", "duplicate-bom-ref", "nan"])
def test_every_reader_refuses_in_one_line(tmp_path: Path, case: str) -> None:
    good = _good(tmp_path)
    bad = tmp_path / f"{case}.json"
    bad.write_text(_variants(good)[case], encoding="utf-8")
    for command in READERS:
        code, stderr = _run(command, bad, good, tmp_path)
        assert code in (1, 2), (command, stderr)
        assert "Traceback" not in stderr and "internal error" not in stderr, (command, stderr)
        if command[0] == "validate":
            continue  # validate lists the problems, one line each
        assert stderr.startswith(f"dbom: error: {bad}: ") and len(stderr.splitlines()) == 1, (command, stderr)
    assert not (tmp_path / "r.md").exists()


def test_a_large_json_array_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with open(big, "w", encoding="utf-8") as out:  # 4 MiB: over the size at which files are looked at first
        out.write("[" + ",".join(['{"a": 1, "b": "xxxxxxxxxxxxxxxx"}'] * 120_000) + "]")
    done = run_dbom("validate", str(big))
    assert done.returncode == 1
    assert done.stderr == f"{big}: (root): not a CycloneDX document: expected a JSON object, found an array\n"
    for command in ("check", "report"):
        refused = run_dbom(command, str(big), "-o", str(tmp_path / "r.md")) if command == "report" else \
            run_dbom(command, str(big))
        assert refused.stderr == f"dbom: error: {big}: not a CycloneDX document: expected a JSON object, " \
                                 "found an array\n"


def test_a_large_object_that_is_not_cyclonedx_is_refused_streaming(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    rows = ",".join(['{"a": 1}'] * 400_000)
    big.write_text('{"data": [' + rows + '], "bomFormat": "SPDX"}', encoding="utf-8")
    done = run_dbom("check", str(big))
    assert done.returncode == 1
    assert done.stderr == f'dbom: error: {big}: not a CycloneDX document (bomFormat is "SPDX", expected "CycloneDX")\n'
