"""`dbom diff`: DBOMs from real scans of corpora that the tests then change, compared end to end."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from corpora import write_parquet
from helpers import run_dbom
from markdown_it import MarkdownIt

from dbom.compare.diff import CATEGORIES, DEFAULT_FAIL_ON, diff, parse_categories
from dbom.licensing.classes import CLASSES, id_class, is_more_restrictive, license_class
from dbom.model import CodeRef, Dataset, Dbom, License, ModelInfo, ProcessingStep, Shard, VcsInfo

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def scan(out: Path, *paths: Path, digest: bool = True, extra: tuple[str, ...] = ()) -> Path:
    args = ["scan", *map(str, paths), "-o", str(out), "-q", *extra]
    if digest:
        args.append("--records-digest")
    done = run_dbom(*args, env=ENV)
    assert done.returncode == 0, done.stderr
    return out


def run_diff(old: Path, new: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_dbom("diff", str(old), str(new), *args)


def diff_json(old: Path, new: Path) -> dict[str, Any]:
    done = run_diff(old, new, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def dataset(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(d for d in doc["datasets"] if d["name"] == name)


def shard_paths(items: list[dict[str, Any]]) -> list[str]:
    return [s["path"] for s in items]


@pytest.fixture
def v1(corpus: Path, tmp_path: Path) -> Path:
    """The corpus (alpha: two Parquet files, CC-BY-4.0 card; beta: two JSON Lines .gz files) scanned."""
    return scan(tmp_path / "v1.json", corpus / "alpha", corpus / "beta")


def rescan(corpus: Path, tmp_path: Path, *names: str, digest: bool = True) -> Path:
    return scan(tmp_path / "v2.json", *(corpus / n for n in (names or ("alpha", "beta"))), digest=digest)


# --- exit codes ----------------------------------------------------------------------------------


def test_same_data_exits_0_whatever_the_spec_version_and_time(corpus: Path, tmp_path: Path, v1: Path) -> None:
    again = run_dbom("scan", str(corpus / "alpha"), str(corpus / "beta"), "-o", str(tmp_path / "v2.json"), "-q",
                     "--records-digest", "--spec-version", "1.7", env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert again.returncode == 0, again.stderr
    for fmt in ("text", "markdown", "json"):
        done = run_diff(v1, tmp_path / "v2.json", "--format", fmt)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "No differences." in run_diff(v1, tmp_path / "v2.json").stdout
    assert json.loads(run_diff(v1, tmp_path / "v2.json", "--format", "json").stdout)["differs"] is False


def test_an_added_shard_exits_1_unless_fail_on_leaves_it_out(corpus: Path, tmp_path: Path, v1: Path) -> None:
    write_parquet(corpus / "alpha" / "data" / "part-2.parquet", 30, start=200)
    v2 = rescan(corpus, tmp_path)
    done = run_diff(v1, v2)
    assert done.returncode == 1, done.stderr
    assert "+ data/part-2.parquet (30 records" in done.stdout
    alpha = dataset(diff_json(v1, v2), "alpha")
    assert shard_paths(alpha["shards_added"]) == ["data/part-2.parquet"]
    assert (alpha["old"]["records"], alpha["new"]["records"]) == (200, 230)
    assert {"added-shard", "records"} <= set(alpha["categories"])
    assert run_diff(v1, v2, "--fail-on", "license-class,removed-dataset").returncode == 0
    assert run_diff(v1, v2, "--fail-on", "license-class", "--fail-on", "added-shard").returncode == 1


def test_errors_exit_2_with_one_line(corpus: Path, tmp_path: Path, v1: Path) -> None:
    not_json = tmp_path / "notes.txt"
    not_json.write_text("release notes\n")
    spdx = tmp_path / "spdx.json"
    spdx.write_text(json.dumps({"spdxVersion": "SPDX-2.3"}))
    sbom = tmp_path / "sbom.json"
    sbom.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6",
                                "metadata": {"component": {"type": "application", "name": "app"}}}))
    cases = [(not_json, "not a JSON file"), (spdx, "not a CycloneDX document"), (sbom, "not a DBOM"),
             (tmp_path / "missing.json", "no such file")]
    for bad, cause in cases:
        for old, new in ((bad, v1), (v1, bad)):
            done = run_diff(old, new)
            assert done.returncode == 2, (bad, done.stderr)
            assert done.stderr.startswith(f"dbom: error: {bad}: {cause}"), done.stderr
            assert done.stderr.count("\n") == 1 and done.stdout == ""
    done = run_diff(v1, v1, "--fail-on", "license-class,nonsense")
    assert done.returncode == 2
    assert "unknown category 'nonsense'" in done.stderr and "Traceback" not in done.stderr
    # the other commands keep exit code 1 for errors
    assert run_dbom("validate", str(tmp_path / "missing.json")).returncode == 1


# --- shards --------------------------------------------------------------------------------------


def test_removed_and_modified_shards(corpus: Path, tmp_path: Path, v1: Path) -> None:
    (corpus / "alpha" / "data" / "part-1.parquet").unlink()
    write_parquet(corpus / "alpha" / "data" / "part-0.parquet", 130)
    v2 = rescan(corpus, tmp_path)
    alpha = dataset(diff_json(v1, v2), "alpha")
    assert shard_paths(alpha["shards_removed"]) == ["data/part-1.parquet"]
    [changed] = alpha["shards_changed"]
    assert (changed["path"], changed["old_records"], changed["new_records"]) == ("data/part-0.parquet", 120, 130)
    assert changed["old_xxh3_128"] != changed["new_xxh3_128"]
    assert {"removed-shard", "changed-shard", "records"} <= set(alpha["categories"])
    text = run_diff(v1, v2).stdout
    assert "~ data/part-0.parquet: records 120 → 130 (+10)" in text
    assert "- data/part-1.parquet (80 records" in text
    assert run_diff(v1, v2, "--fail-on", "changed-shard").returncode == 1
    assert run_diff(v1, v2, "--fail-on", "added-shard,moved-shard").returncode == 0


def test_a_moved_shard_is_a_move_not_a_removal_and_an_addition(corpus: Path, tmp_path: Path, v1: Path) -> None:
    (corpus / "alpha" / "data" / "2024").mkdir()
    (corpus / "alpha" / "data" / "part-1.parquet").rename(corpus / "alpha" / "data" / "2024" / "part-1.parquet")
    v2 = rescan(corpus, tmp_path)
    alpha = dataset(diff_json(v1, v2), "alpha")
    assert alpha["shards_added"] == [] and alpha["shards_removed"] == []
    assert [(m["old_path"], m["new_path"]) for m in alpha["shards_moved"]] == [
        ("data/part-1.parquet", "data/2024/part-1.parquet")]
    assert alpha["categories"] == ["moved-shard"]
    assert "> data/part-1.parquet → data/2024/part-1.parquet" in run_diff(v1, v2).stdout
    assert run_diff(v1, v2, "--fail-on", "added-shard,removed-shard,records").returncode == 0


def test_schema_changes_are_reported_per_column(corpus: Path, tmp_path: Path, v1: Path) -> None:
    table = pq.read_table(corpus / "alpha" / "data" / "part-1.parquet")
    table = table.append_column("lang", pa.array(["en"] * table.num_rows))
    pq.write_table(table.set_column(0, "id", table.column("id").cast(pa.int32())),
                   corpus / "alpha" / "data" / "part-1.parquet")
    v2 = rescan(corpus, tmp_path)
    alpha = dataset(diff_json(v1, v2), "alpha")
    assert {(c["name"], c["old"], c["new"]) for c in alpha["schema"]} == {
        ("lang", None, "string"), ("id", "int64", "int32 / int64")}
    assert "schema" in alpha["categories"]


def test_max_items_shortens_lists_but_json_has_everything(corpus: Path, tmp_path: Path, v1: Path) -> None:
    for i in range(5):
        write_parquet(corpus / "alpha" / "extra" / f"x-{i}.parquet", 3, start=1000 + 10 * i)
    v2 = rescan(corpus, tmp_path)
    text = run_diff(v1, v2, "--max-items", "2").stdout
    assert "shards added (5):" in text and "... and 3 more" in text and "x-2.parquet" not in text
    assert "x-4.parquet" in run_diff(v1, v2, "--max-items", "0").stdout
    assert len(dataset(diff_json(v1, v2), "alpha")["shards_added"]) == 5


# --- datasets ------------------------------------------------------------------------------------


def test_a_renamed_folder_is_a_rename(corpus: Path, tmp_path: Path, v1: Path) -> None:
    (corpus / "beta").rename(corpus / "beta-2024")
    v2 = rescan(corpus, tmp_path, "alpha", "beta-2024")
    doc = diff_json(v1, v2)
    renamed = dataset(doc, "beta-2024")
    assert (renamed["status"], renamed["old_name"], renamed["matched_by"]) == ("changed", "beta", "digest")
    assert renamed["categories"] == ["renamed-dataset"]
    assert (doc["summary"]["added"], doc["summary"]["removed"], doc["summary"]["renamed"]) == (0, 0, 1)
    assert "renamed from beta (same shards, same content)" in run_diff(v1, v2).stdout
    assert run_diff(v1, v2, "--fail-on", "added-dataset,removed-dataset").returncode == 0
    assert run_diff(v1, v2, "--fail-on", "renamed-dataset").returncode == 1


def test_renamed_with_a_shard_more_is_matched_by_its_shards(corpus: Path, tmp_path: Path, v1: Path) -> None:
    (corpus / "alpha").rename(corpus / "alpha-v2")
    write_parquet(corpus / "alpha-v2" / "data" / "part-2.parquet", 10, start=500)
    v2 = rescan(corpus, tmp_path, "alpha-v2", "beta")
    renamed = dataset(diff_json(v1, v2), "alpha-v2")
    assert (renamed["old_name"], renamed["matched_by"]) == ("alpha", "shards")
    assert shard_paths(renamed["shards_added"]) == ["data/part-2.parquet"]


def test_added_and_removed_datasets_and_a_more_restrictive_newcomer(corpus: Path, tmp_path: Path) -> None:
    (corpus / "beta" / "README.md").write_text("---\nlicense: mit\n---\n# Beta\n")
    v1 = scan(tmp_path / "v1.json", corpus / "alpha", corpus / "beta")
    write_parquet(corpus / "gamma" / "g.parquet", 12)
    (corpus / "gamma" / "README.md").write_text("---\nlicense: cc-by-nc-sa-4.0\n---\n# Gamma\n")
    v2 = rescan(corpus, tmp_path, "alpha", "gamma")
    doc = diff_json(v1, v2)
    assert (dataset(doc, "gamma")["status"], dataset(doc, "beta")["status"]) == ("added", "removed")
    assert doc["summary"]["net_records"] == 12 - 75
    [escalation] = doc["escalations"]
    assert escalation == {"dataset": "gamma", "old_license": None, "old_class": "attribution",
                          "new_license": "CC-BY-NC-SA-4.0", "new_class": "non-commercial"}
    text = run_diff(v1, v2).stdout
    assert "+ gamma: 1 shard, 12 records" in text and "- beta: 2 shards, 75 records" in text
    assert "! gamma (added): at most attribution in the old DBOM → CC-BY-NC-SA-4.0 (non-commercial)" in text
    assert run_diff(v1, v2, "--fail-on", "removed-dataset").returncode == 1
    assert run_diff(v1, v2, "--fail-on", "license-class").returncode == 1
    assert run_diff(v1, v2, "--fail-on", "changed-shard").returncode == 0


def test_version_and_manifest_facts(corpus: Path, tmp_path: Path) -> None:
    manifest = corpus / "dbom.yaml"
    body = ("model: {{name: tiny, version: '{model}'}}\ndatasets:\n"
            "  - name: alpha\n    path: alpha/\n    version: '{version}'\n    location: {location}\n"
            "    osaid_class: {osaid}\n")
    manifest.write_text(body.format(model="1", version="2024-01", location="s3://a/", osaid="open"))
    v1 = scan(tmp_path / "v1.json", extra=("-c", str(manifest)))
    manifest.write_text(body.format(model="2", version="2024-06", location="s3://b/", osaid="public"))
    v2 = scan(tmp_path / "v2.json", extra=("-c", str(manifest)))
    doc = diff_json(v1, v2)
    alpha = dataset(doc, "alpha")
    assert {(c["name"], c["old"], c["new"]) for c in alpha["attributes"]} == {
        ("version", "2024-01", "2024-06"), ("location", "s3://a/", "s3://b/"),
        ("facts.osaid_class", "open", "public")}
    assert set(alpha["categories"]) == {"version", "metadata"}
    assert [(c["name"], c["old"], c["new"]) for c in doc["model"]] == [("version", "1", "2")]
    assert run_diff(v1, v2, "--fail-on", "version").returncode == 1
    assert run_diff(v1, v2, "--fail-on", "records,license").returncode == 0


def test_a_model_change_alone_does_not_fail_by_default(corpus: Path, tmp_path: Path, v1: Path) -> None:
    v2 = scan(tmp_path / "v2.json", corpus / "alpha", corpus / "beta", extra=("--model", "tiny-lm-v2"))
    done = run_diff(v1, v2)
    assert done.returncode == 0, done.stdout
    assert "name: unnamed-model → tiny-lm-v2" in done.stdout
    assert run_diff(v1, v2, "--fail-on", "model").returncode == 1
    assert run_diff(v1, v2, "--fail-on", "all").returncode == 1


# --- re-sharding ---------------------------------------------------------------------------------


def _reshard_parquet(folder: Path, parts: int) -> None:
    files = sorted(folder.glob("*.parquet"))
    table = pa.concat_tables([pq.read_table(f) for f in files])
    for f in files:
        f.unlink()
    rows = table.num_rows
    for i in range(parts):
        start, stop = rows * i // parts, rows * (i + 1) // parts
        pq.write_table(table.slice(start, stop - start), folder / f"train-{i:05d}-of-{parts:05d}.parquet",
                       compression="zstd")


def test_parquet_resharded_2_to_3_files_is_the_same_records(corpus: Path, tmp_path: Path, v1: Path) -> None:
    _reshard_parquet(corpus / "alpha" / "data", 3)
    v2 = rescan(corpus, tmp_path)
    alpha = dataset(diff_json(v1, v2), "alpha")
    assert alpha["reshard"] == {"records": 200, "old_shards": 2, "new_shards": 3}
    assert alpha["records_same"] is True
    assert len(alpha["shards_added"]) == 3 and len(alpha["shards_removed"]) == 2
    assert "records" not in alpha["categories"]
    assert "same 200 records, re-sharded from 2 to 3 files" in run_diff(v1, v2).stdout
    assert run_diff(v1, v2).returncode == 1  # the files did change
    assert run_diff(v1, v2, "--fail-on", "records,license-class,removed-dataset").returncode == 0


def test_jsonl_resharded_rewritten_and_renamed_is_matched_by_its_records(corpus: Path, tmp_path: Path,
                                                                         v1: Path) -> None:
    import gzip

    records = []
    for f in sorted((corpus / "beta").glob("*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            records += [json.loads(line) for line in fh]
        f.unlink()
    (corpus / "beta").rename(corpus / "beta-clean")
    for i in range(3):  # three plain files, keys in another order, another spacing
        chunk = records[i::3]
        (corpus / "beta-clean" / f"part-{i}.jsonl").write_text(
            "".join(json.dumps(dict(sorted(r.items())), separators=(", ", ": ")) + "\n" for r in chunk))
    v2 = rescan(corpus, tmp_path, "alpha", "beta-clean")
    beta = dataset(diff_json(v1, v2), "beta-clean")
    assert (beta["old_name"], beta["matched_by"]) == ("beta", "records-digest")
    assert beta["reshard"] == {"records": 75, "old_shards": 2, "new_shards": 3}
    assert "renamed from beta (same records)" in run_diff(v1, v2).stdout


def test_same_count_other_records_is_a_records_change(corpus: Path, tmp_path: Path, v1: Path) -> None:
    table = pq.read_table(corpus / "alpha" / "data" / "part-1.parquet").to_pylist()
    table[3]["text"] = "edited"
    pq.write_table(pa.Table.from_pylist(table), corpus / "alpha" / "data" / "part-1.parquet")
    v2 = rescan(corpus, tmp_path)
    alpha = dataset(diff_json(v1, v2), "alpha")
    assert alpha["records_same"] is False and alpha["reshard"] is None
    assert "records" in alpha["categories"]
    assert "same number of records (200) but not the same records" in run_diff(v1, v2).stdout


def test_without_records_digests_resharding_is_not_claimed(corpus: Path, tmp_path: Path) -> None:
    v1 = scan(tmp_path / "v1.json", corpus / "alpha", corpus / "beta", digest=False)
    _reshard_parquet(corpus / "alpha" / "data", 4)
    v2 = rescan(corpus, tmp_path, digest=False)
    alpha = dataset(diff_json(v1, v2), "alpha")
    assert alpha["records_same"] is None and alpha["reshard"] is None
    assert "scan both releases with --records-digest" in run_diff(v1, v2).stdout


# --- licenses ------------------------------------------------------------------------------------


def _set_card_license(corpus: Path, license_id: str) -> None:
    card = corpus / "alpha" / "README.md"
    text = card.read_text()
    start = text.index("license: ") + len("license: ")
    card.write_text(text[:start] + license_id + text[text.index("\n", start):])
    (corpus / "alpha" / "LICENSE").unlink(missing_ok=True)


def test_cc_by_to_cc_by_nc_is_the_headline(corpus: Path, tmp_path: Path, v1: Path) -> None:
    _set_card_license(corpus, "cc-by-nc-4.0")
    write_parquet(corpus / "alpha" / "data" / "part-2.parquet", 5, start=900)
    v2 = rescan(corpus, tmp_path)
    doc = diff_json(v1, v2)
    assert doc["escalations"] == [{"dataset": "alpha", "old_license": "CC-BY-4.0", "old_class": "attribution",
                                   "new_license": "CC-BY-NC-4.0", "new_class": "non-commercial"}]
    assert dataset(doc, "alpha")["license"]["direction"] == "more-restrictive"
    assert doc["summary"]["escalations"] == 1
    text = run_diff(v1, v2).stdout
    summary = next(line for line in text.splitlines() if line.startswith("Summary:"))
    assert summary.endswith("1 license escalation")
    assert text.index("LICENSE ESCALATIONS") < text.index("Changed datasets:")
    assert "! alpha: CC-BY-4.0 (attribution) → CC-BY-NC-4.0 (non-commercial)" in text
    assert run_diff(v1, v2, "--fail-on", "license-class").returncode == 1


def test_a_less_restrictive_license_is_a_change_not_an_escalation(corpus: Path, tmp_path: Path) -> None:
    _set_card_license(corpus, "cc-by-nc-4.0")
    v1 = scan(tmp_path / "v1.json", corpus / "alpha", corpus / "beta")
    _set_card_license(corpus, "cc0-1.0")
    v2 = rescan(corpus, tmp_path)
    doc = diff_json(v1, v2)
    assert doc["escalations"] == []
    assert dataset(doc, "alpha")["license"] == {"old": "CC-BY-NC-4.0", "new": "CC0-1.0", "old_class": "non-commercial",
                                                "new_class": "permissive", "direction": "less-restrictive"}
    assert run_diff(v1, v2, "--fail-on", "license-class").returncode == 0
    assert run_diff(v1, v2, "--fail-on", "license").returncode == 1


# --- Markdown ------------------------------------------------------------------------------------


def _tables(markdown: str) -> list[list[list[str]]]:
    """Every table of a CommonMark + GFM-tables document, as rows of cell texts (header row first)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables: list[list[list[str]]] = []
    row: list[str] | None = None
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            row = []
            tables[-1].append(row)
        elif token.type in ("th_open", "td_open") and row is not None:
            inline = tokens[i + 1]
            row.append("".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline")))
    return tables


def test_markdown_renders_as_tables(corpus: Path, tmp_path: Path, v1: Path) -> None:
    _set_card_license(corpus, "cc-by-nc-4.0")
    write_parquet(corpus / "alpha" / "data" / "odd|name.parquet", 7, start=700)
    (corpus / "beta").rename(corpus / "beta-2")
    v2 = rescan(corpus, tmp_path, "alpha", "beta-2")
    done = run_diff(v1, v2, "--format", "markdown")
    assert done.returncode == 1
    tables = _tables(done.stdout)
    escalations, datasets, shards = tables[0], tables[1], tables[2]
    assert escalations == [["dataset", "before", "after"],
                           ["alpha", "CC-BY-4.0 (attribution)", "CC-BY-NC-4.0 (non-commercial)"]]
    assert datasets[0] == ["dataset", "change", "records", "bytes", "shards", "license"]
    assert [row[:2] for row in datasets[1:]] == [["alpha", "changed"], ["beta-2", "renamed from beta"]]
    assert all(len(row) == 6 for row in datasets)
    assert shards[0] == ["shard", "change", "records", "bytes"]
    assert shards[1][:3] == ["data/odd|name.parquet", "added", "7"]  # the pipe did not split the cell
    html = MarkdownIt("commonmark").enable("table").render(done.stdout)
    assert html.count("<table>") == len(tables) >= 4
    assert "<strong>1 license escalation</strong>" in html


# --- the comparison itself, on hand-built models ---------------------------------------------------


def _shard(path: str, content: str, records: int = 10) -> Shard:
    return Shard(path=path, bytes=100, format="jsonl", xxh3_128=content * 32, records=records)


def test_steps_vcs_and_duplicate_content_on_built_models() -> None:
    vcs_old = VcsInfo(commit="a" * 40, url="https://example.org/data.git")
    base = Dataset("web", shards=(_shard("a.jsonl", "1"), _shard("b.jsonl", "2"), _shard("c.jsonl", "2")),
                   vcs=vcs_old, license=License("CC-BY-4.0"), digest="d1")
    step = ProcessingStep("dedup", inputs=("raw",), outputs=("web",), code_ref=CodeRef("dedup.py", "0" * 64),
                          args=(("threshold", "0.8"),))
    old = Dbom(model=ModelInfo("m", "1"), datasets=(base,), steps=(step, ProcessingStep("tokenize")))
    new_ds = Dataset("web", shards=(_shard("a.jsonl", "1"), _shard("x/b.jsonl", "2"), _shard("y/c.jsonl", "2")),
                     vcs=VcsInfo(commit="b" * 40, url="https://example.org/data.git"),
                     license=License("CC-BY-4.0"), digest="d2")
    new_step = ProcessingStep("dedup", inputs=("raw", "extra"), outputs=("web",),
                              code_ref=CodeRef("dedup.py", "1" * 64), args=(("threshold", "0.9"),))
    new = Dbom(model=ModelInfo("m", "1"), datasets=(new_ds,), steps=(new_step, ProcessingStep("filter")))
    result = diff(old, new)
    [web] = result.datasets
    assert [(m.old_path, m.new_path) for m in web.shards_moved] == [("b.jsonl", "x/b.jsonl"), ("c.jsonl", "y/c.jsonl")]
    assert [(c.name, c.old, c.new) for c in web.attributes] == [("vcs.commit", "a" * 40, "b" * 40)]
    assert web.categories == {"moved-shard", "version"}
    steps = {s.name: s for s in result.steps}
    assert (steps["tokenize"].status, steps["filter"].status, steps["dedup"].status) == ("removed", "added", "changed")
    assert {f.name for f in steps["dedup"].fields} == {"args", "code_ref.sha256", "inputs"}
    assert "steps" in result.categories
    assert result.differs() and result.differs(["steps"]) and not result.differs(["records", "license"])


def test_fail_on_categories() -> None:
    assert parse_categories(()) == DEFAULT_FAIL_ON == frozenset(CATEGORIES) - {"model"}
    assert parse_categories(["license-class, removed-dataset", "records"]) == {"license-class", "removed-dataset",
                                                                              "records"}
    assert parse_categories(["all"]) == frozenset(CATEGORIES)
    with pytest.raises(ValueError, match="unknown category 'bogus'"):
        parse_categories(["bogus"])


# --- license classes -----------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "expected"), [
    ("CC0-1.0", "permissive"), ("PDDL-1.0", "permissive"), ("MIT", "permissive"), ("Apache-2.0", "permissive"),
    ("BSD-3-Clause", "permissive"), ("CDLA-Permissive-2.0", "permissive"), ("Unlicense", "permissive"),
    ("CC-BY-4.0", "attribution"), ("CC-BY-2.5-AU", "attribution"), ("ODC-By-1.0", "attribution"),
    ("CC-BY-SA-3.0", "share-alike"), ("ODbL-1.0", "share-alike"), ("CDLA-Sharing-1.0", "share-alike"),
    ("GPL-3.0-only", "share-alike"), ("GPL-2.0+", "share-alike"), ("LGPL-2.1-or-later", "share-alike"),
    ("AGPL-3.0-only", "share-alike"),
    ("CC-BY-NC-4.0", "non-commercial"), ("cc-by-nc-sa-2.0-uk", "non-commercial"),
    ("CC-BY-ND-4.0", "no-derivatives"), ("CC-BY-NC-ND-3.0-IGO", "no-derivatives"),
    ("LicenseRef-hf-llama3", "proprietary"), ("NOASSERTION", "unknown"), (None, "unknown"), ("Foo-1.0", "unknown"),
    ("MIT AND CC-BY-NC-4.0", "non-commercial"), ("MIT OR GPL-3.0-only", "permissive"),
    ("(MIT OR CC-BY-NC-4.0) AND CC-BY-SA-4.0", "share-alike"),
    ("GPL-2.0-only WITH Classpath-exception-2.0", "share-alike"),
    ("MIT AND", "unknown"), ("(MIT", "unknown"), ("MIT OR OR MIT", "unknown"),
])
def test_license_classes(expression: str | None, expected: str) -> None:
    assert license_class(expression) == expected


def test_class_order_follows_creative_commons_from_free_to_restricted() -> None:
    order = [id_class(i) for i in ("CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-ND-4.0")]
    assert order == list(CLASSES[:5])
    assert all(is_more_restrictive(b, a) for a, b in itertools.pairwise(CLASSES))
    assert is_more_restrictive("unknown", "no-derivatives") and not is_more_restrictive("permissive", "permissive")



def test_the_readme_lists_every_category() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## dbom diff"):readme.index("## Speed")]
    for name, meaning in CATEGORIES.items():
        assert f"| `{name}` | {meaning} |" in section, name



def test_a_reader_that_stops_early_gets_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`dbom diff OLD NEW | head`: a closed pipe is not an error; the exit code is still the comparison's."""
    import os
    from dataclasses import replace

    import dbom
    from dbom.cli import main

    shards = tuple(_shard(f"s/{i:05d}.jsonl", f"{i % 10}", records=i) for i in range(300))
    changed = tuple(replace(s, xxh3_128="f" * 32) for s in shards)
    dbom.write(Dbom(model=ModelInfo("m"), datasets=(Dataset("d", shards=shards, digest="a" * 64),)),
               tmp_path / "old.json")
    dbom.write(Dbom(model=ModelInfo("m"), datasets=(Dataset("d", shards=changed, digest="b" * 64),)),
               tmp_path / "new.json")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    with open(write_end, "w", encoding="utf-8") as closed_pipe:
        monkeypatch.setattr("sys.stdout", closed_pipe)
        with pytest.raises(SystemExit) as exited:
            main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "json",
                  "--fail-on", "license"])
        monkeypatch.undo()
    assert exited.value.code == 0  # shards changed, but no license did
    assert capsys.readouterr().err == ""
