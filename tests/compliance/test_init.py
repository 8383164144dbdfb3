"""`dbom init`: a commented manifest that loads, proposes what the files say, and once filled in passes `check`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from corpora import copy_samples, write_parquet
from helpers import commit_all, init_repo, run_dbom

from dbom.compliance.init_manifest import FACT_HELP, MODEL_FACT_HELP
from dbom.manifest import DATASET_FACT_KEYS, MODEL_FACT_KEYS, SECTION_FACT_KEYS, load_manifest

NAMES = ("web-text", "forum-qa", "recipes", "code-docs")
CLASSES = {"web-text": "public", "forum-qa": "obtainable", "recipes": "open", "code-docs": "unshareable"}


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A copy of the sample datasets outside git, with the manifest folder beside them."""
    return copy_samples(tmp_path / "samples")


def _init(tmp_path: Path, *paths: Path, output: Path | None = None, force: bool = False) -> Path:
    output = output or tmp_path / "project" / "dbom.yaml"
    output.parent.mkdir(parents=True, exist_ok=True)
    done = run_dbom("init", *map(str, paths), "-o", str(output), *(["--force"] if force else []))
    assert done.returncode == 0, done.stderr
    return output


_EMPTY = re.compile(r"^(?P<indent>\s*)(?P<key>[a-z_]+):\s*$")
_COMMENTED_MODEL_KEY = re.compile(r"^  # (?P<key>version|supplier|license|commercial|contact|authorised_representative"
                                  r"|dependencies|market_date|continuous_training|summary_version|other_public_data"
                                  r"|other_private_data|cop_signatory): .*$")


def fill(text: str) -> str:
    """Fill in every empty key and the model's commented keys, the way a user would, line by line."""
    values = {"version": '"1.0"', "location": "https://example.org/data/{name}", "eu_category": '"2.1"',
              "personal_data": '"no"', "commercial": "false", "supplier": "Example Lab",
              "license": "CC0-1.0", "modality": "text", "content_types": "[notes]", "languages": "[en]",
              "collection_period": "2024-01/2024-02", "labeling": "none", "contact": "ai@example.org",
              "authorised_representative": "none, established in the EU", "dependencies": "none",
              "market_date": '"2026-01-15"', "continuous_training": "false", "summary_version": '"1.0"',
              "other_public_data": "none", "other_private_data": "none", "cop_signatory": "false",
              "user_data_from": "model"}
    out, dataset, section = [], None, None
    for line in text.splitlines():
        if re.match(r"^[a-z]+:", line):
            section = line.split(":")[0]
        name = re.match(r'^  - name: "(.*)"$', line)
        if name:
            dataset = name.group(1)
        empty = _EMPTY.match(line)
        commented = _COMMENTED_MODEL_KEY.match(line) if section == "model" else None
        if empty and empty.group("key") not in ("datasets", "model", "dbom", "steps"):
            key = empty.group("key")
            if key == "osaid_class":
                value = CLASSES[dataset or ""]
            else:
                value = values.get(key, f"Stated {key} of {dataset or 'the model'}.").format(name=dataset)
            line = f"{empty.group('indent')}{key}: {value}"
        elif commented:
            key = commented.group("key")
            line = f"  {key}: {values[key]}"
        out.append(line)
    return "\n".join(out) + "\n"


def test_every_fact_key_is_explained() -> None:
    assert set(FACT_HELP) == set(DATASET_FACT_KEYS)
    assert set(MODEL_FACT_HELP) == set(MODEL_FACT_KEYS)


def test_init_proposes_names_relative_paths_licenses_and_card_facts(samples: Path, tmp_path: Path) -> None:
    output = _init(tmp_path, *(samples / n for n in NAMES))
    text = output.read_text(encoding="utf-8")
    manifest = load_manifest(output)
    assert [d.name for d in manifest.datasets] == list(NAMES)
    assert '    path: "../samples/web-text"' in text  # relative to the manifest's folder
    assert [d.path for d in manifest.datasets] == [(samples / n).resolve() for n in NAMES]
    # Licenses found in the cards are shown, not asserted (the scan reads them again).
    assert "# B8: detected: CC-BY-NC-4.0 (from README.md)" in text
    assert all(d.license is None for d in manifest.datasets)
    web = manifest.datasets[0]
    assert web.facts == {"languages": "en, de, fr"}  # the card's languages; every other fact is left to fill
    assert web.description and "web pages" in web.description
    assert '# include: ["**/*.jsonl.gz"]' in text and '# include: ["**/*.arrow"]' in text
    for key in DATASET_FACT_KEYS:
        assert text.count(f"\n    {key}:") == len(NAMES), key  # present for every dataset
        assert f"# {FACT_HELP[key][0]}: " in text
    for key in MODEL_FACT_KEYS:  # the model facts of the EU summary, empty, each with its section and row
        assert f"\n  # {MODEL_FACT_HELP[key][0]}: {MODEL_FACT_HELP[key][1]}\n  {key}:\n" in text, key
    assert '\n  # eu_comments: {"2.1": "...", "3.3": "..."}\n' in text
    assert manifest.model_info().facts == {} and manifest.model_info().eu_comments == {}
    assert manifest.dbom == {"license": None} and manifest.steps == ()
    assert str(tmp_path) not in text  # no absolute path


def test_unfilled_manifest_makes_check_name_every_missing_field(samples: Path, tmp_path: Path) -> None:
    output = _init(tmp_path, samples / "recipes")
    dbom_file = tmp_path / "dbom.cdx.json"
    assert run_dbom("scan", "-q", "-c", str(output), "-o", str(dbom_file)).returncode == 0
    done = run_dbom("check", str(dbom_file), "--format", "json")
    assert done.returncode == 1
    missing = set(json.loads(done.stdout)["missing_keys"])
    in_the_card = ("languages", "modality")  # the recipes card states its language and task
    # Asked only once eu_category puts the dataset in their section; `size` only when the scan cannot count it.
    conditional = {k for keys in SECTION_FACT_KEYS.values() for k in keys} | {"size"}
    expected = {f"datasets[recipes].{k}" for k in DATASET_FACT_KEYS if k not in in_the_card and k not in conditional}
    expected |= {"datasets[recipes].location", "datasets[recipes].version", "dbom.license", "model.version",
                 "model.supplier"}
    # Every model fact but those of sections no dataset is in yet (2.1, 2.2.2, 2.3: no category is stated).
    expected |= {f"model.{k}" for k in MODEL_FACT_KEYS
                 if k not in ("other_public_data", "other_private_data")}
    assert expected <= missing, expected - missing
    assert not {f"datasets[recipes].{k}" for k in conditional} & missing


def test_filled_in_manifest_passes_check(samples: Path, tmp_path: Path) -> None:
    output = _init(tmp_path, *(samples / n for n in NAMES))
    output.write_text(fill(output.read_text(encoding="utf-8")), encoding="utf-8")
    manifest = load_manifest(output)
    assert manifest.model["version"] == "1.0" and manifest.dbom == {"license": "CC0-1.0"}
    assert all(set(d.facts) == set(DATASET_FACT_KEYS) for d in manifest.datasets)
    dbom_file = tmp_path / "dbom.cdx.json"
    scanned = run_dbom("scan", "-q", "-c", str(output), "-o", str(dbom_file))
    assert scanned.returncode == 0, scanned.stderr
    done = run_dbom("check", str(dbom_file))
    assert done.returncode == 0, done.stdout
    assert "Result: meets the requirement" in done.stdout
    eu = tmp_path / "eu.md"
    assert run_dbom("report", str(dbom_file), "--format", "eu", "-o", str(eu)).returncode == 0
    assert "to be completed" not in eu.read_text(encoding="utf-8")
    # code-docs was declared unshareable: described by its schema instead of where to obtain it.
    assert re.search(r"n/a\s+dataset.where-to-obtain .* unshareable", done.stdout)
    assert re.search(r"pass\s+osaid.1.unshareable .* 7 fields", done.stdout)


def test_init_reads_the_git_remote_without_credentials(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo", remote="https://alice:s3cr3t-t0ken@example.org/org/corpus.git")
    write_parquet(repo / "corpus" / "part-0.parquet", 10)
    commit = commit_all(repo)
    output = _init(tmp_path, repo / "corpus")
    text = output.read_text(encoding="utf-8")
    assert "s3cr3t" not in text and "alice" not in text
    assert '    location: "https://example.org/org/corpus.git"' in text
    assert commit in text
    assert load_manifest(output).datasets[0].location == "https://example.org/org/corpus.git"


def test_values_are_quoted_whatever_a_card_or_folder_name_holds(tmp_path: Path) -> None:
    odd = tmp_path / 'we"ird: name #1'
    write_parquet(odd / "part-0.parquet", 5)
    (odd / "README.md").write_text('---\nlicense: mit\n---\n# T\n\nA "card": with # and\n  newlines: too.\n',
                                   encoding="utf-8")
    output = _init(tmp_path, odd)
    entry = load_manifest(output).datasets[0]
    assert entry.name == 'we"ird: name #1'
    assert entry.description == 'A "card": with # and newlines: too.'


def test_init_refuses_to_overwrite_without_force(samples: Path, tmp_path: Path) -> None:
    output = tmp_path / "dbom.yaml"
    output.write_text("# mine\n", encoding="utf-8")
    done = run_dbom("init", str(samples / "recipes"), "-o", str(output))
    assert done.returncode == 1
    assert done.stderr == f"dbom: error: {output}: already exists; use --force to overwrite it\n"
    assert output.read_text(encoding="utf-8") == "# mine\n"
    _init(tmp_path, samples / "recipes", output=output, force=True)
    assert [d.name for d in load_manifest(output).datasets] == ["recipes"]


def test_init_without_paths_writes_a_skeleton_and_bad_paths_are_one_line_errors(tmp_path: Path) -> None:
    output = _init(tmp_path)
    text = output.read_text(encoding="utf-8")
    assert load_manifest(output).datasets == ()
    for key in DATASET_FACT_KEYS:
        assert f"#   {key}:" in text
    absent = tmp_path / "absent"
    target = tmp_path / "other.yaml"
    done = run_dbom("init", str(absent), "-o", str(target))
    assert done.returncode == 1 and done.stderr == f"dbom: error: {absent}: no such file or folder\n"
    assert not target.exists()
