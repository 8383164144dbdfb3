"""`dbom check`: the OSAID / EU rules on real DBOMs scanned from the sample datasets and their manifest."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from corpora import copy_samples
from helpers import run_dbom, sample_manifest, scan_to_file

import dbom
from dbom.compliance.check import (
    MISSING,
    NOT_APPLICABLE,
    PASS,
    RULES,
    CheckResult,
    check,
    measured_fact,
    rules_for,
)
from dbom.licensing import classes as lt
from dbom.manifest import DATASET_FACT_KEYS, MODEL_FACT_KEYS
from dbom.model import CodeRef, Column, DatasetsInfo, Dbom, License, ProcessingStep, Shard, VcsInfo


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of sample_datasets/ outside any git repository: only the manifest pins their versions."""
    return copy_samples(tmp_path_factory.mktemp("copy") / "samples")


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The DBOM of sample_datasets/ (the committed folders) scanned with its complete manifest."""
    folder = tmp_path_factory.mktemp("sample")
    return scan_to_file(sample_manifest(folder), folder / "dbom.cdx.json", profile="sample")  # 2.3's domains


@pytest.fixture(scope="module")
def sample(sample_file: Path) -> Dbom:
    return dbom.load(sample_file)


def _outcome(result: CheckResult, rule: str, dataset: str | None = None) -> Any:
    found = [o for o in result.outcomes if o.rule == rule and o.dataset == dataset]
    assert len(found) == 1, (rule, dataset, found)
    return found[0]


def _with_dataset(model: Dbom, name: str, **changes: Any) -> Dbom:
    return replace(model, datasets=tuple(replace(d, **changes) if d.name == name else d for d in model.datasets))


def _with_facts(model: Dbom, name: str, **facts: str | None) -> Dbom:
    ds = next(d for d in model.datasets if d.name == name)
    merged = {k: v for k, v in {**ds.facts, **facts}.items() if v is not None}
    return _with_dataset(model, name, facts=merged)


# --- the complete sample manifest passes -----------------------------------------------------------------

def test_sample_dbom_meets_the_requirement(sample_file: Path) -> None:
    done = run_dbom("check", str(sample_file))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Result: meets the requirement" in done.stdout
    assert "MISSING" not in done.stdout
    for name in ("web-text", "forum-qa", "recipes", "code-docs"):
        assert f"dataset {name} (" in done.stdout


def test_text_output_gives_each_dataset_rule_overall(sample: Dbom) -> None:
    from dbom.compliance.check import render_text

    model = _with_facts(_with_facts(sample, "forum-qa", selection=None), "web-text", selection=None)
    text = render_text(check(model), "x.cdx.json")
    overall = text.split("Overall, per rule\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(overall) == len([r for r in rules_for("all") if r.scope == "dataset"])
    assert re.search(r"MISSING\s+osaid\.1\.selection\s+missing for forum-qa, web-text$", "\n".join(overall), re.M)
    assert re.search(r"n/a\s+osaid\.1\.unshareable\s", "\n".join(overall))
    assert text.rstrip().endswith("datasets[forum-qa].selection, datasets[web-text].selection")


def test_json_output_lists_every_rule_with_rows_profiles_and_per_dataset_results(sample_file: Path) -> None:
    done = run_dbom("check", str(sample_file), "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["meets"] is True and report["profile"] == "all"
    assert report["counts"]["missing"] == 0
    ids = [r["id"] for r in report["rules"]]
    assert ids == [r.id for r in rules_for("all")] and not [i for i in ids if i.startswith("mof.")]
    for required in ("dbom.license", "dataset.license", "dataset.where-to-obtain", "osaid.1.provenance",
                     "osaid.1.unshareable", "osaid.code.processing"):
        assert required in ids
    where = next(r for r in report["rules"] if r["id"] == "dataset.where-to-obtain")
    # OSAID asks for a pinned revision; the EU summary only for the link of a public dataset (eu.2.1.list).
    assert where["rows"] == ["B5", "B6"] and set(where["profiles"]) == {"osaid"}
    assert {r["dataset"] for r in where["results"]} == {"web-text", "forum-qa", "recipes", "code-docs"}
    forum = next(r for r in where["results"] if r["dataset"] == "forum-qa")
    assert forum["status"] == "pass" and "OSAID (3)" in forum["reason"] and "request-access" in forum["reason"]
    # Data-class aware: no sample is unshareable, so the schema-level rule does not apply to any.
    unshareable = next(r for r in report["rules"] if r["id"] == "osaid.1.unshareable")
    assert unshareable["status"] == "not-applicable"


def test_license_conflict_is_a_finding_that_fails_only_with_strict(sample_file: Path) -> None:
    # The samples' forum-qa is CC-BY-NC-4.0 while the manifest declares a commercial model.
    done = run_dbom("check", str(sample_file), "--format", "json")
    findings = json.loads(done.stdout)["findings"]
    conflicts = [f for f in findings if f["severity"] == "conflict"]
    assert [(f["id"], f["dataset"]) for f in conflicts] == [("license.non-commercial", "forum-qa")]
    assert "CC-BY-NC-4.0" in conflicts[0]["message"]
    duties = {f["dataset"] for f in findings if f["id"] == "license.attribution"}
    assert duties == {"web-text", "forum-qa", "code-docs"}  # recipes is CC0: no attribution owed
    strict = run_dbom("check", str(sample_file), "--strict")
    assert strict.returncode == 1
    assert "conflict license.non-commercial forum-qa" in " ".join(strict.stdout.split())


# --- removing any fact the manifest must give makes the check fail, naming it -----------------------------

def _drop_from_datasets(key: str) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        for entry in doc["datasets"]:
            entry.pop(key, None)
    return edit


def _drop_section_key(section: str, key: str) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        doc[section].pop(key)
    return edit


# The sample cards state their languages and tasks (so their modality): without the manifest's, those come
# from the cards (tests/licensing/test_card_facts.py), and check does not ask for them.
STATED_BY_THE_SAMPLE_CARDS = ("languages", "modality")
SAMPLE = yaml.safe_load((Path(__file__).resolve().parents[2] / "sample_datasets" / "dbom.yaml").read_text("utf-8"))
# Keys asked of some datasets only: EU 3.1's opt-out measures of crawled data (eu_category 2.3: web-text).
ONLY_FOR = {"tdm_opt_out": ("web-text",)}


def _stating(key: str) -> tuple[str, ...]:
    """The sample datasets whose manifest entry states `key` and are asked for it (a section's keys by its
    datasets only)."""
    return ONLY_FOR.get(key) or tuple(d["name"] for d in SAMPLE["datasets"] if key in d)


CASES = [(key, f"datasets[{{}}].{key}", _drop_from_datasets(key))
         for key in (*DATASET_FACT_KEYS, "location", "version")
         if key not in STATED_BY_THE_SAMPLE_CARDS and _stating(key)]
CASES += [("dbom.license", "dbom.license", _drop_section_key("dbom", "license")),
          ("model.version", "model.version", _drop_section_key("model", "version")),
          ("model.supplier", "model.supplier", _drop_section_key("model", "supplier"))]
CASES += [(f"model.{key}", f"model.{key}", _drop_section_key("model", key)) for key in MODEL_FACT_KEYS]


def test_the_sample_manifest_states_every_key_but_those_of_unused_sections() -> None:
    unstated = {k for k in DATASET_FACT_KEYS if not _stating(k)}
    assert unstated == {"size", "user_data_from"}  # no audio or video sample, no user data
    assert set(MODEL_FACT_KEYS) <= set(SAMPLE["model"])


@pytest.mark.parametrize(("key", "fix", "edit"), CASES, ids=[c[0] for c in CASES])
def test_removing_a_manifest_field_fails_naming_it(samples: Path, tmp_path: Path, key: str, fix: str,
                                                   edit: Any) -> None:
    manifest = sample_manifest(tmp_path / "m", edit, samples)
    out = scan_to_file(manifest, tmp_path / "dbom.cdx.json", profile="sample")  # the profile: 2.3's domains
    done = run_dbom("check", str(out), "--format", "json")
    assert done.returncode == 1, done.stdout
    report = json.loads(done.stdout)
    assert report["meets"] is False
    # what the content profile measured in place of the key (the period of the records' dates) counts as filled
    measured = {d.name for d in dbom.load(out).datasets if measured_fact(d, key) is not None}
    asked = [name for name in _stating(key) if name not in measured]
    if "{}" in fix:  # a per-dataset key: every dataset that stated it is reported, each naming its own key
        expected = {fix.format(name) for name in asked}
        assert expected <= set(report["missing_keys"]), report["missing_keys"]
        assert not {fix.format(name) for name in measured} & set(report["missing_keys"]), report["missing_keys"]
    else:
        assert fix in report["missing_keys"]
    text = run_dbom("check", str(out))
    assert text.returncode == 1
    assert "Result: does NOT meet the requirement" in text.stdout
    assert "MISSING" in text.stdout and (fix.format(asked[0]) if "{}" in fix else fix) in text.stdout


# --- data classes ----------------------------------------------------------------------------------------

def test_unshareable_data_needs_a_schema_not_a_location(sample: Dbom) -> None:
    model = _with_dataset(_with_facts(sample, "recipes", osaid_class="unshareable", access=None), "recipes",
                          location=None, version=None)
    result = check(model)
    assert result.meets, [o for o in result.outcomes if o.status == MISSING]
    assert _outcome(result, "dataset.where-to-obtain", "recipes").status == NOT_APPLICABLE
    assert _outcome(result, "dataset.access", "recipes").status == NOT_APPLICABLE
    described = _outcome(result, "osaid.1.unshareable", "recipes")
    assert described.status == PASS and "9 fields (id, title" in described.reason  # the CSV header's fields

    # Shards without a readable schema (plain text) need the structure described in `description`.
    text_shard = Shard(path="notes.txt", bytes=10, format="text", xxh3_128="0" * 32, records=2)
    blind = _with_dataset(model, "recipes", shards=(text_shard,), description=None)
    outcome = _outcome(check(blind), "osaid.1.unshareable", "recipes")
    assert outcome.status == MISSING and outcome.fix_keys() == ("datasets[recipes].description",)
    told = _with_dataset(blind, "recipes", description="One patient note per line, free text.")
    assert _outcome(check(told), "osaid.1.unshareable", "recipes").status == PASS


def test_obtainable_data_needs_its_access_terms_with_fee_and_vendor(sample: Dbom) -> None:
    result = check(_with_facts(sample, "forum-qa", access=None))
    outcome = _outcome(result, "dataset.access", "forum-qa")
    assert outcome.status == MISSING and "fee" in outcome.reason
    assert outcome.fix_keys() == ("datasets[forum-qa].access",)


def test_public_data_needs_a_pinned_revision_which_a_clean_git_commit_gives(sample: Dbom) -> None:
    unpinned = _with_dataset(sample, "web-text", version=None, vcs=None)
    outcome = _outcome(check(unpinned), "dataset.where-to-obtain", "web-text")
    assert outcome.status == MISSING and outcome.fix == ("version",)
    commit = "a" * 40
    pinned = _with_dataset(unpinned, "web-text", vcs=VcsInfo(commit=commit, url="https://example.org/r.git"))
    outcome = _outcome(check(pinned), "dataset.where-to-obtain", "web-text")
    assert outcome.status == PASS and commit in outcome.reason
    dirty = _with_dataset(unpinned, "web-text", vcs=VcsInfo(commit=commit, dirty=True, diff_digest="b" * 64))
    assert _outcome(check(dirty), "dataset.where-to-obtain", "web-text").status == MISSING
    # Without a location, a public git remote is where to obtain it; a local remote is not.
    remote = _with_dataset(pinned, "web-text", location=None)
    assert "https://example.org/r.git" in _outcome(check(remote), "dataset.where-to-obtain", "web-text").reason
    local = _with_dataset(remote, "web-text", vcs=VcsInfo(commit=commit, url="local"))
    assert _outcome(check(local), "dataset.where-to-obtain", "web-text").fix == ("location",)


def test_a_datasets_object_pins_its_revision_and_brings_its_citation(sample: Dbom) -> None:
    bare = _with_facts(_with_dataset(sample, "recipes", version=None, vcs=None), "recipes", citation=None)
    result = check(bare)
    assert _outcome(result, "dataset.where-to-obtain", "recipes").fix == ("version",)
    assert _outcome(result, "dataset.citation", "recipes").fix == ("citation",)
    info = DatasetsInfo(kind="Dataset", revision="d" * 40, citation="@misc{recipes}")
    result = check(_with_dataset(bare, "recipes", datasets_info=info))
    assert "Hub revision " + "d" * 40 in _outcome(result, "dataset.where-to-obtain", "recipes").reason
    assert _outcome(result, "dataset.citation", "recipes").status == PASS


def test_noassertion_license_is_missing(sample: Dbom) -> None:
    result = check(_with_dataset(sample, "recipes", license=License()))
    outcome = _outcome(result, "dataset.license", "recipes")
    assert outcome.status == MISSING and "NOASSERTION" in outcome.reason
    assert outcome.fix_keys() == ("datasets[recipes].license",)


def test_dbom_license_must_be_open_terms(sample: Dbom) -> None:
    assert _outcome(check(replace(sample, dbom_license="CC0-1.0")), "dbom.license").status == PASS
    outcome = _outcome(check(replace(sample, dbom_license="CC-BY-NC-4.0")), "dbom.license")
    assert outcome.status == MISSING and "not open terms" in outcome.reason and outcome.fix == ("dbom.license",)


def test_unreadable_shards_fail_the_scope_rule(sample: Dbom) -> None:
    ds = next(d for d in sample.datasets if d.name == "web-text")
    broken = replace(ds.shards[0], records=None, error="truncated Parquet footer")
    outcome = _outcome(check(_with_dataset(sample, "web-text", shards=(broken, *ds.shards[1:]))), "osaid.1.scope",
                       "web-text")
    assert outcome.status == MISSING and "could not be read" in outcome.reason


def test_processing_steps_need_pinned_code_and_how_it_was_run(sample: Dbom) -> None:
    assert _outcome(check(sample), "osaid.code.processing").status == NOT_APPLICABLE  # the samples declare none
    steps = (ProcessingStep(name="dedup", inputs=("recipes",), outputs=("web-text",),
                            command="python dedup.py --threshold 0.8"),)
    result = check(replace(sample, steps=steps))
    code = _outcome(result, "osaid.code.processing")
    assert code.status == MISSING and "dedup has no code reference" in code.reason and code.fix == ("steps[].code",)
    per_dataset = _outcome(result, "osaid.1.processing", "web-text")
    assert per_dataset.status == MISSING and per_dataset.fix_keys() == ("steps[].code",)
    assert _outcome(result, "osaid.1.processing", "recipes").status == PASS  # no step writes recipes
    # Code named but never resolved to a commit or a digest does not pin anything.
    named = check(replace(sample, steps=(replace(steps[0], code="pipeline/dedup.py"),)))
    assert "not pinned" in _outcome(named, "osaid.code.processing").reason
    pinned = replace(steps[0], code="pipeline/dedup.py", code_ref=CodeRef("pipeline/dedup.py", sha256="c" * 64))
    coded = check(replace(sample, steps=(pinned,)))
    assert coded.meets
    assert "pipeline/dedup.py" in _outcome(coded, "osaid.code.processing").reason
    # Pinned code, but nothing says how it was run: no command, entrypoint, args or config.
    silent = check(replace(sample, steps=(replace(pinned, command=None),)))
    assert _outcome(silent, "osaid.code.processing").fix == ("steps[].args",)


def test_steps_from_a_manifest_are_checked_through_the_written_dbom(samples: Path, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    (folder / "pipeline").mkdir(parents=True)
    (folder / "pipeline" / "dedup.py").write_text("print('dedup')\n", encoding="utf-8")

    def with_steps(*steps: dict[str, Any]) -> Any:
        def edit(doc: dict[str, Any]) -> None:
            doc["steps"] = list(steps)
        return edit

    dedup = {"name": "dedup", "kind": "dedup", "code": "pipeline/dedup.py", "command": "python pipeline/dedup.py",
             "args": {"threshold": 0.8}, "inputs": ["recipes"], "outputs": ["web-text"], "license": "mit"}
    out = scan_to_file(sample_manifest(folder, with_steps(dedup), samples), tmp_path / "ok.cdx.json", profile="sample")
    assert dbom.load(out).steps[0].license == "MIT"  # the manifest's license, in its SPDX form, read back
    done = run_dbom("check", str(out), "--format", "json")
    assert done.returncode == 0, done.stdout
    rule = next(r for r in json.loads(done.stdout)["rules"] if r["id"] == "osaid.code.processing")
    assert rule["status"] == "pass" and "dedup (pipeline/dedup.py)" in rule["results"][0]["reason"]
    provenance = next(r for r in json.loads(done.stdout)["rules"] if r["id"] == "osaid.1.provenance")
    web = next(r for r in provenance["results"] if r["dataset"] == "web-text")
    assert "derived from recipes" in web["reason"] and "produced by dedup" in web["reason"]

    uncoded = {k: v for k, v in dedup.items() if k != "code"}
    out = scan_to_file(sample_manifest(folder, with_steps(uncoded), samples), tmp_path / "bad.cdx.json")
    done = run_dbom("check", str(out), "--format", "json")
    assert done.returncode == 1
    assert "steps[].code" in json.loads(done.stdout)["missing_keys"]


def test_commercial_use_decides_the_non_commercial_finding(sample: Dbom) -> None:
    def severities(model: Dbom) -> list[str]:
        return [f.severity for f in check(model).findings if f.id == "license.non-commercial"]

    assert severities(sample) == ["conflict"]
    assert severities(replace(sample, model=replace(sample.model, commercial=False))) == []
    assert severities(replace(sample, model=replace(sample.model, commercial=None))) == ["warning"]
    nd = _with_dataset(sample, "recipes", license=License("CC-BY-ND-4.0", source="card"))
    assert [f.id for f in check(nd).findings if f.dataset == "recipes"] == ["license.no-derivatives",
                                                                              "license.attribution"]


# --- profiles ------------------------------------------------------------------------------------------------

def test_profiles_select_their_rules(sample_file: Path) -> None:
    osaid = {r.id for r in rules_for("osaid")}
    eu = {r.id for r in rules_for("eu")}
    assert "dataset.eu-category" in eu and "dataset.eu-category" not in osaid
    assert "osaid.1.labeling" in osaid and "osaid.1.labeling" not in eu
    assert "dataset.citation" not in osaid | eu  # asked by Croissant and Data Cards only: `all`
    done = run_dbom("check", str(sample_file), "--profile", "eu", "--format", "json")
    assert done.returncode == 0
    assert {r["id"] for r in json.loads(done.stdout)["rules"]} == eu
    # A DBOM missing only an EU field passes the OSAID profile and fails the EU one.
    no_category = _with_facts(dbom.load(sample_file), "recipes", eu_category=None)
    assert check(no_category, "osaid").meets and not check(no_category, "eu").meets


def test_every_rule_names_requirement_rows_and_known_profiles() -> None:
    rows = Path(__file__).resolve().parents[2].parent / "shared" / "requirements.md"
    table = rows.read_text(encoding="utf-8") if rows.is_file() else None
    for rule in RULES:
        assert rule.rows and set(rule.profiles) <= {"osaid", "eu", "mof"}
        for row in rule.rows:
            assert row[0] in "ABCDEF" and row[1:].isdigit()
            if table is not None:
                assert f"| {row} |" in table, row
    assert len({r.id for r in RULES}) == len(RULES)


def test_every_requirement_row_has_a_rule_or_the_readme_says_why_not() -> None:
    repo = Path(__file__).resolve().parents[2]
    # shared/ is beside the clone (CI), or beside the folder of worktrees
    rows = next((f for f in (repo.parent / "shared" / "requirements.md", repo.parent.parent / "shared" /
                             "requirements.md") if f.is_file()), None)
    if rows is None:
        pytest.skip("../shared/requirements.md is not beside the repository")
    table = re.findall(r"^\| ([A-F]\d+) \|", rows.read_text(encoding="utf-8"), re.M)
    assert len(table) == 53
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    why_not = set(re.findall(r"^\| ([A-F]\d+) \| ", readme.split("no rule checks, and why:", 1)[1], re.M))
    checked = {row for rule in RULES for row in rule.rows}
    assert set(table) == checked | why_not and not checked & why_not, set(table) - checked - why_not


def test_a_file_that_is_not_a_dbom_is_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    for target in (bad, tmp_path / "absent.json"):
        done = run_dbom("check", str(target))
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"dbom: error: {target}:")


# --- license classes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "expected"), [
    ("CC0-1.0", {lt.PERMISSIVE}),
    ("Apache-2.0", {lt.PERMISSIVE, lt.ATTRIBUTION}),
    ("CC-BY-4.0", {lt.ATTRIBUTION}),
    ("CC-BY-SA-4.0", {lt.ATTRIBUTION, lt.SHARE_ALIKE}),
    ("CC-BY-NC-SA-4.0", {lt.ATTRIBUTION, lt.NON_COMMERCIAL, lt.SHARE_ALIKE}),
    ("CC-BY-NC-ND-3.0", {lt.ATTRIBUTION, lt.NON_COMMERCIAL, lt.NO_DERIVATIVES}),
    ("ODbL-1.0", {lt.ATTRIBUTION, lt.SHARE_ALIKE}),
    ("MIT OR CC-BY-NC-4.0", {lt.PERMISSIVE, lt.ATTRIBUTION}),  # the user may choose the least restrictive
    ("CC-BY-4.0 AND CC-BY-NC-4.0", {lt.ATTRIBUTION, lt.NON_COMMERCIAL}),  # both apply
    ("(MIT AND CC-BY-NC-4.0) OR CC0-1.0", {lt.PERMISSIVE}),
    ("LicenseRef-research-only-terms", {lt.RESEARCH_ONLY, lt.NON_COMMERCIAL}),
    ("LicenseRef-acme-data", {lt.PROPRIETARY}),
    ("NOASSERTION", {lt.UNKNOWN}),
    ("Foo-1.0", {lt.UNKNOWN}),
])
def test_license_classes(expression: str, expected: set[str]) -> None:
    assert set(lt.expression_classes(expression)) == expected


def test_sample_dataset_columns_are_real(sample: Dbom) -> None:
    # The unshareable rule reads the scanned schema; make sure the scan gives one for the CSV sample.
    recipes = next(d for d in sample.datasets if d.name == "recipes")
    assert all(isinstance(c, Column) for s in recipes.shards for c in s.columns or ())
    assert any(c.name == "title" for c in recipes.shards[0].columns or ())


def test_readme_documents_every_rule() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## dbom init, check and report", 1)[1].split("\n## ", 1)[0]
    for rule in RULES:
        profiles = ", ".join(rule.profiles) or "all"
        assert f"| `{rule.id}` | {', '.join(rule.rows)} | {profiles} | " in section, rule.id


# --- processing told in prose, without its code ------------------------------------------------------------

def test_processing_prose_without_steps_is_a_finding(sample_file: Path) -> None:
    sample = dbom.load(sample_file)

    def flagged(model: Dbom, profile: str = "all") -> list[str]:
        return [f.dataset for f in check(model, profile).findings if f.id == "code.processing-without-steps"]

    # web-text (the lab's crawl) and code-docs (generated) were processed by the lab without a declared step;
    # forum-qa and recipes say their processing was the supplier's, before the data was obtained.
    assert flagged(sample) == ["code-docs", "web-text"]
    assert flagged(sample, "osaid") == ["code-docs", "web-text"] and flagged(sample, "eu") == []
    finding = next(f for f in check(sample).findings if f.dataset == "web-text" and f.severity == "warning")
    assert finding.rows == ("C1", "C3") and finding.fix == ("steps",) and "HTML stripped" in finding.message
    assert check(sample).meets  # a warning: only --strict fails on it
    step = ProcessingStep(name="clean", outputs=("web-text",), code="clean.py",
                          code_ref=CodeRef("clean.py", sha256="c" * 64), command="python clean.py")
    assert flagged(replace(sample, steps=(step,))) == ["code-docs"]
    assert flagged(_with_facts(sample, "code-docs", processing="None: used as generated.")) == ["web-text"]
    done = run_dbom("check", str(sample_file), "--profile", "osaid")
    assert done.returncode == 0
    assert re.search(r"warning +code\.processing-without-steps +web-text: its processing is described", done.stdout)


# --- the Model Openness Framework, data side -----------------------------------------------------------------

def test_mof_profile_says_the_class_the_data_side_supports_component_by_component(sample_file: Path) -> None:
    from dbom.compliance.check import mof_class

    done = run_dbom("check", str(sample_file), "--profile", "mof", "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["mof_class"] == "III"  # the data card (the DBOM, CC-BY-4.0) is open; Class I is not reached
    assert {r["id"] for r in report["rules"]} == {"mof.data-card", "mof.preprocessing-code", "mof.datasets"}
    datasets = next(r for r in report["rules"] if r["id"] == "mof.datasets")
    assert [(r["dataset"], r["status"]) for r in datasets["results"] if r["status"] == "missing"] == [
        ("forum-qa", "missing")]
    assert "CC-BY-NC-4.0 is not an open data license" in str(datasets["results"])
    code = next(r for r in report["rules"] if r["id"] == "mof.preprocessing-code")
    assert "processing of code-docs, web-text is told in prose" in code["results"][0]["reason"]
    text = run_dbom("check", str(sample_file), "--profile", "mof")
    assert ("Model Openness Framework, data side: Class III supported; missing for Class I: mof.datasets, "
            "mof.preprocessing-code.") in text.stdout

    # Open data, and the lab's processing declared as steps with pinned, open-source code: Class I.
    sample = dbom.load(sample_file)
    ref = CodeRef("clean.py", sha256="c" * 64)
    steps = tuple(ProcessingStep(name=f"clean-{n}", outputs=(n,), code="clean.py", code_ref=ref,
                                 command="python clean.py", license="Apache-2.0") for n in ("web-text", "code-docs"))
    opened = replace(_with_dataset(sample, "forum-qa", license=License("CC-BY-4.0", source="manifest")), steps=steps)
    result = check(opened, "mof")
    assert result.meets and mof_class(result) == "I"
    assert not [f for f in check(opened, "osaid").findings if f.id.startswith("code.")]
    # A step without a license, or with a closed one, keeps it at Class III; the closed one is also a finding.
    unlicensed = check(replace(opened, steps=(replace(steps[0], license=None), steps[1])), "mof")
    assert mof_class(unlicensed) == "III" and unlicensed.missing_keys() == ("steps[].license",)
    closed = replace(opened, steps=(replace(steps[0], license="LicenseRef-acme-internal"), steps[1]))
    assert mof_class(check(closed, "mof")) == "III"
    finding = next(f for f in check(closed).findings if f.id == "code.license-not-open")
    assert finding.dataset == "clean-web-text" and "LicenseRef-acme-internal, not open source" in finding.message
    # Unshareable data is not released; without an open data card there is no class at all.
    hidden = _with_facts(opened, "recipes", osaid_class="unshareable")
    assert mof_class(check(hidden, "mof")) == "III"
    assert mof_class(check(replace(opened, dbom_license=None), "mof")) is None
    # Under `all`, no MOF rule runs: the sample, with its non-commercial data, still meets the requirement.
    assert check(sample).meets and not [r for r in check(sample).rules if r.id.startswith("mof.")]


def test_the_complete_sample_manifest_fills_every_field_of_the_eu_summary(samples: Path, tmp_path: Path) -> None:
    out = scan_to_file(sample_manifest(tmp_path / "m", None, samples), tmp_path / "dbom.cdx.json", profile="sample")
    for profile in ("eu", "all"):
        done = run_dbom("check", str(out), "--profile", profile)
        assert done.returncode == 0, done.stdout
    report = tmp_path / "eu.md"
    assert run_dbom("report", str(out), "--format", "eu", "-o", str(report)).returncode == 0
    text = report.read_text(encoding="utf-8").replace("\\", "")
    assert "[to be completed" not in text
    assert "- web-text: example.com (" in text  # 2.3: the crawl's top domains, from the content profile
