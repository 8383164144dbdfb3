"""`dbom attach`: a real tiny model folder gets the DBOM, its weight hashes and an updated model card."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
import yaml
from corpora import make_tiny_model
from helpers import load_json, props, run_dbom

import dbom
from dbom.model import Dataset, Dbom, License, ModelInfo
from dbom.publish import attach as attachment
from dbom.publish.model_card import MARK_END, MARK_START

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".onnx", ".pt", ".pth")


def _manifest(corpus: Path, name: str = "tiny-lm", version: str = "1.0") -> Path:
    manifest = corpus / "dbom.yaml"
    manifest.write_text(
        f"model: {{name: {name}, version: '{version}', license: Apache-2.0}}\n"
        "datasets:\n"
        "  - name: alpha\n    path: alpha/\n    location: https://huggingface.co/datasets/acme/alpha\n"
        "  - name: beta\n    path: beta/\n    license: CC-BY-NC-SA-4.0\n    location: the data team's share\n"
    )
    return manifest


@pytest.fixture
def dbom_file(corpus: Path, tmp_path: Path) -> Path:
    out = tmp_path / "dbom.cdx.json"
    dbom.write(dbom.scan(manifest=_manifest(corpus)), out)
    return out


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    return make_tiny_model(tmp_path / "tiny-lm")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _front_matter(card: str) -> dict[str, object]:
    assert card.startswith("---\n")
    return yaml.safe_load(card[4:card.index("\n---\n", 4)])


def _attach(dbom_path: Path, folder: Path, *extra: str) -> None:
    result = run_dbom("attach", str(dbom_path), str(folder), *extra)
    assert result.returncode == 0, result.stderr


def test_attach_binds_the_weights_writes_the_dbom_and_the_card(dbom_file: Path, model_dir: Path) -> None:
    weights = sorted(p.name for p in model_dir.iterdir() if p.name.endswith(WEIGHT_SUFFIXES))
    assert weights  # save_pretrained wrote at least model.safetensors
    result = run_dbom("attach", str(dbom_file), str(model_dir))
    assert result.returncode == 0, result.stderr
    assert "SHA-256 of" in result.stderr and "weight file" in result.stderr

    written = model_dir / "dbom.cdx.json"
    assert dbom.validate_file(written) == []
    doc = load_json(written)
    model = doc["metadata"]["component"]
    files = {c["name"]: c for c in model["components"]}
    assert sorted(files) == weights
    lines = ""
    for name in weights:
        expected = hashlib.sha256((model_dir / name).read_bytes()).hexdigest()
        assert files[name]["hashes"] == [{"alg": "SHA-256", "content": expected}]
        assert props(files[name])["dbom:role"] == "weights"
        assert props(files[name])["dbom:bytes"] == str((model_dir / name).stat().st_size)
        lines += f"{name}\t{expected}\n"
    assert model["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(lines.encode()).hexdigest()}]
    # Everything else is the DBOM as it was.
    before, after = dbom.load(dbom_file), dbom.load(written)
    assert after.datasets == before.datasets and after.model.name == before.model.name == "tiny-lm"
    assert after.model.files and not before.model.files

    card = (model_dir / "README.md").read_text(encoding="utf-8")
    assert _front_matter(card) == {"datasets": ["acme/alpha"]}
    assert card.count(MARK_START) == 1 and card.count(MARK_END) == 1
    section = card[card.index(MARK_START):]
    assert "## Training data" in section and "[dbom.cdx.json](dbom.cdx.json)" in section
    assert "| alpha | not stated | CC-BY-4.0 | 200 |" in section
    assert "[acme/alpha](https://huggingface.co/datasets/acme/alpha)" in section
    assert "| beta | not stated | CC-BY-NC-SA-4.0 | 75 |" in section and "the data team's share" in section
    assert "**Attribution** (alpha (CC-BY-4.0), beta (CC-BY-NC-SA-4.0))" in section
    assert "**Non-commercial** (beta (CC-BY-NC-SA-4.0))" in section
    assert "**Share-alike** (beta (CC-BY-NC-SA-4.0))" in section
    assert hashlib.sha256(lines.encode()).hexdigest() in section


def test_running_twice_gives_the_same_folder_as_once(dbom_file: Path, model_dir: Path) -> None:
    _attach(dbom_file, model_dir)
    once = _snapshot(model_dir)
    _attach(dbom_file, model_dir)
    assert _snapshot(model_dir) == once
    _attach(model_dir / "dbom.cdx.json", model_dir)  # the folder's own DBOM, attached again
    assert _snapshot(model_dir) == once
    assert not [p for p in model_dir.iterdir() if p.name.endswith(".tmp")]


USER_CARD = (
    "---\n"
    "# the model's metadata, kept as the author wrote it\n"
    "license: apache-2.0\n"
    "language:\n  - en\n"
    "datasets:\n"
    "  - user/own-data   # mine\n"
    "  - ACME/Alpha\n"
    "  - someone/else\n"
    "tags: [tiny, test]\n"
    "---\n"
    "# Tiny LM\n\n"
    "A tiny model. *Nothing* here may change.\n"
    "\n## Usage\n\n```python\nprint('hi')\n```\n"
)


def test_the_card_outside_the_section_is_untouched_byte_for_byte(corpus: Path, tmp_path: Path,
                                                                 model_dir: Path) -> None:
    manifest = _manifest(corpus)
    with manifest.open("a") as fh:
        fh.write("  - name: gamma\n    path: alpha/\n    location: hf://datasets/org2/gamma@main/data\n")
    dbom_path = tmp_path / "three.cdx.json"
    dbom.write(dbom.scan(manifest=manifest), dbom_path)
    (model_dir / "README.md").write_text(USER_CARD, encoding="utf-8")
    _attach(dbom_path, model_dir)
    card = (model_dir / "README.md").read_text(encoding="utf-8")
    # acme/alpha is already listed (as ACME/Alpha): only org2/gamma is new, inserted as the list's last item.
    expected_head = USER_CARD.replace("  - someone/else\n", "  - someone/else\n  - org2/gamma\n")
    assert card.startswith(expected_head + "\n" + MARK_START + "\n")
    assert card.endswith(MARK_END + "\n")
    assert _front_matter(card)["datasets"] == ["user/own-data", "ACME/Alpha", "someone/else", "org2/gamma"]

    # The user edits around the section; a re-run with another DBOM replaces the section only.
    edited = card.replace(MARK_END + "\n", MARK_END + "\n\n## Citation\n\nCite us.\n")
    (model_dir / "README.md").write_text(edited, encoding="utf-8")
    _attach(tmp_path / "three.cdx.json", model_dir)
    assert (model_dir / "README.md").read_text(encoding="utf-8") == edited
    two = tmp_path / "two.cdx.json"
    dbom.write(dbom.scan(manifest=_manifest(corpus)), two)
    _attach(two, model_dir)
    again = (model_dir / "README.md").read_text(encoding="utf-8")
    start, end = again.index(MARK_START), again.index(MARK_END) + len(MARK_END)
    assert again[:start] == edited[:edited.index(MARK_START)]  # datasets: never loses an entry
    assert again[end:] == "\n\n## Citation\n\nCite us.\n"
    assert again.count(MARK_START) == 1 and "gamma" not in again[start:end]


def test_front_matter_edits_keep_crlf_and_byte_order_mark(dbom_file: Path, model_dir: Path) -> None:
    original = "\ufeff---\r\nlicense: mit\r\ndatasets: [x/y]   # flow\r\n---\r\nBody\r\n"
    (model_dir / "README.md").write_bytes(original.encode("utf-8"))
    _attach(dbom_file, model_dir)
    card = (model_dir / "README.md").read_bytes().decode("utf-8")
    head = "\ufeff---\r\nlicense: mit\r\ndatasets: [x/y, acme/alpha]   # flow\r\n---\r\nBody\r\n\r\n"
    assert card.startswith(head + MARK_START + "\r\n")
    assert "\n" not in card.replace("\r\n", "")  # every line break is still CRLF


def test_a_broken_card_is_reported_and_nothing_is_written(dbom_file: Path, model_dir: Path) -> None:
    broken = "---\nlicense: [mit\ndatasets: x\n---\n# Card\n"
    (model_dir / "README.md").write_text(broken, encoding="utf-8")
    before = _snapshot(model_dir)
    result = run_dbom("attach", str(dbom_file), str(model_dir))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "README.md: invalid YAML front matter" in result.stderr
    assert _snapshot(model_dir) == before

    (model_dir / "README.md").write_text("---\nlicense: mit\n# never closed\n", encoding="utf-8")
    result = run_dbom("attach", str(dbom_file), str(model_dir))
    assert result.returncode == 1 and "never closed" in result.stderr

    (model_dir / "README.md").write_text(f"# Card\n{MARK_START}\nold\n", encoding="utf-8")
    before = _snapshot(model_dir)
    result = run_dbom("attach", str(dbom_file), str(model_dir))
    assert result.returncode == 1 and "markers" in result.stderr
    assert _snapshot(model_dir) == before


def test_a_dbom_of_another_model_is_refused_unless_forced(dbom_file: Path, model_dir: Path) -> None:
    (model_dir / "README.md").write_text("---\nmodel_name: big-lm\n---\n# Big LM\n", encoding="utf-8")
    before = _snapshot(model_dir)
    result = run_dbom("attach", str(dbom_file), str(model_dir))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "the DBOM describes model tiny-lm but README.md (model_name) names big-lm" in result.stderr
    assert "--force" in result.stderr
    assert _snapshot(model_dir) == before
    _attach(dbom_file, model_dir, "--force")
    assert (model_dir / "dbom.cdx.json").is_file()


def test_config_name_or_path_is_checked_unless_it_is_the_base_model(dbom_file: Path, model_dir: Path) -> None:
    config = model_dir / "config.json"
    saved = json.loads(config.read_text())
    config.write_text(json.dumps({**saved, "_name_or_path": "acme/other-lm"}, indent=2))
    result = run_dbom("attach", str(dbom_file), str(model_dir))
    assert result.returncode == 1
    assert "config.json (_name_or_path) names acme/other-lm" in result.stderr and "base_model" in result.stderr
    (model_dir / "README.md").write_text("---\nbase_model: acme/other-lm\n---\n# A fine-tune\n", encoding="utf-8")
    _attach(dbom_file, model_dir)
    config.write_text(config.read_text().replace('"acme/other-lm"', '"acme/Tiny-LM"'))
    _attach(dbom_file, model_dir)  # the same name, with an org and another case, agrees
    config.write_text(config.read_text().replace('"acme/Tiny-LM"', '"/home/someone/runs/checkpoint-500"'))
    _attach(dbom_file, model_dir)  # a local path names nothing


def test_a_dbom_of_another_version_in_the_folder_is_not_replaced_unless_forced(corpus: Path, tmp_path: Path,
                                                                              dbom_file: Path,
                                                                              model_dir: Path) -> None:
    _attach(dbom_file, model_dir)
    newer = tmp_path / "v2.cdx.json"
    dbom.write(dbom.scan(manifest=_manifest(corpus, version="2.0")), newer)
    result = run_dbom("attach", str(newer), str(model_dir))
    assert result.returncode == 1 and "already holds the DBOM of tiny-lm 1.0, not of tiny-lm 2.0" in result.stderr
    _attach(newer, model_dir, "--force")
    assert dbom.load(model_dir / "dbom.cdx.json").model.version == "2.0"


def test_a_file_that_is_not_a_dbom_is_never_overwritten(dbom_file: Path, model_dir: Path) -> None:
    config = (model_dir / "config.json").read_bytes()
    for extra in ((), ("--force",)):
        result = run_dbom("attach", str(dbom_file), str(model_dir), "--name", "config.json", *extra)
        assert result.returncode == 1 and "exists and is not a DBOM; not overwritten" in result.stderr
        assert (model_dir / "config.json").read_bytes() == config


@pytest.mark.parametrize("name", ["../../x.json", "sub/x.json", "..json", "x.txt", "README.md", ".hidden.json",
                                  "/tmp/abs.json"])
def test_names_that_leave_the_folder_are_refused(dbom_file: Path, model_dir: Path, name: str) -> None:
    before = _snapshot(model_dir)
    result = run_dbom("attach", str(dbom_file), str(model_dir), "--name", name)
    assert result.returncode == 1 and "not a plain file name" in result.stderr
    assert _snapshot(model_dir) == before
    assert not (model_dir.parent.parent / "x.json").exists()


def test_symlinks_out_of_the_folder_are_not_followed(dbom_file: Path, model_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.bin").write_bytes(b"not the model's")
    (model_dir / "extra.bin").symlink_to(outside / "secret.bin")
    (model_dir / "sub").mkdir()
    (model_dir / "sub" / "adapter.safetensors").write_bytes(b"in the folder")
    (model_dir / "linked.safetensors").symlink_to(model_dir / "sub" / "adapter.safetensors")  # stays inside
    result = run_dbom("attach", str(dbom_file), str(model_dir))
    assert result.returncode == 0, result.stderr
    assert "warning: model folder: extra.bin: skipped symlink pointing outside the model folder" in result.stderr
    doc = load_json(model_dir / "dbom.cdx.json")
    names = [c["name"] for c in doc["metadata"]["component"]["components"]]
    assert "extra.bin" not in names and {"linked.safetensors", "sub/adapter.safetensors"} <= set(names)
    warnings = [p["value"] for p in doc["metadata"]["properties"] if p["name"] == "dbom:warning"]
    assert warnings == ["model folder: extra.bin: skipped symlink pointing outside the model folder"]
    assert str(tmp_path) not in (model_dir / "dbom.cdx.json").read_text()

    # A card that is a symlink (to a file outside) is refused, not read and not replaced.
    (outside / "README.md").write_text("---\nlicense: mit\n---\nsomeone else's\n")
    (model_dir / "README.md").unlink()
    (model_dir / "README.md").symlink_to(outside / "README.md")
    result = run_dbom("attach", str(dbom_file), str(model_dir))
    assert result.returncode == 1 and "README.md: is a symlink" in result.stderr
    assert (outside / "README.md").read_text() == "---\nlicense: mit\n---\nsomeone else's\n"


def test_a_folder_without_weights_is_refused(dbom_file: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "config.json").write_text("{}")
    (empty / "training_args.bin").write_bytes(b"trainer state, not weights")
    result = run_dbom("attach", str(dbom_file), str(empty))
    assert result.returncode == 1 and "no weight files found" in result.stderr
    assert sorted(p.name for p in empty.iterdir()) == ["config.json", "training_args.bin"]
    result = run_dbom("attach", str(dbom_file), str(tmp_path / "missing"))
    assert result.returncode == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("fail_at", ["dbom.cdx.json", "README.md"])
def test_an_interrupted_attach_leaves_each_file_old_or_new(dbom_file: Path, model_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch, fail_at: str) -> None:
    (model_dir / "README.md").write_text(USER_CARD, encoding="utf-8")
    before = _snapshot(model_dir)
    real_replace = os.replace

    def replace_or_die(src: str, dst: str) -> None:  # interrupted just before renaming `fail_at` into place
        if Path(dst).name == fail_at:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(attachment.os, "replace", replace_or_die)
    with pytest.raises(KeyboardInterrupt):
        dbom.attach(dbom_file, model_dir)
    after = _snapshot(model_dir)
    assert after["README.md"] == before["README.md"]  # the card is renamed last
    if fail_at == "dbom.cdx.json":
        assert after == before
    else:
        assert set(after) == {*before, "dbom.cdx.json"} and dbom.validate_file(model_dir / "dbom.cdx.json") == []
    assert not [p for p in model_dir.iterdir() if p.name.endswith(".tmp")]


def test_the_python_api_takes_the_internal_model(model_dir: Path) -> None:
    model = Dbom(model=ModelInfo(name="tiny-lm", version="0.1"),
                 datasets=(Dataset(name="web", digest="ab" * 32, license=License("ODC-By-1.0"),
                                   homepage="https://hf.co/datasets/acme/web/tree/main"),))
    result = dbom.attach(model, model_dir, name="data-bom.json")
    assert isinstance(result, dbom.AttachResult)
    assert result.dbom_path == model_dir / "data-bom.json" and result.card_created
    assert result.hub_datasets == ("acme/web",) and result.added_datasets == ("acme/web",)
    loaded = dbom.load(result.dbom_path)
    assert loaded.model.files == result.weights and loaded.model.weights_digest == result.weights_digest
    for f in result.weights:
        assert f.sha256 == hashlib.sha256((model_dir / f.path).read_bytes()).hexdigest()
    card = result.card_path.read_text(encoding="utf-8")
    assert card.startswith("---\ndatasets:\n- acme/web\n---\n# tiny-lm\n\n" + MARK_START)
    assert "[data-bom.json](data-bom.json)" in card and "**Attribution** (web (ODC-By-1.0))" in card
    with pytest.raises(dbom.DbomError, match="not a plain file name"):
        dbom.attach(model, model_dir, name="../escape.json")


@pytest.mark.parametrize(("before", "after"), [
    ("# T\n", "---\ndatasets:\n- a/b\n---\n# T\n"),
    ("---\n---\nx\n", "---\ndatasets:\n- a/b\n---\nx\n"),
    ("---\nlicense: mit\n---\nx\n", "---\nlicense: mit\ndatasets:\n- a/b\n---\nx\n"),
    ("---\n  license: mit\n---\n", "---\n  license: mit\n  datasets:\n  - a/b\n---\n"),
    ("---\ndatasets:\nlicense: mit\n---\n", "---\ndatasets:\n- a/b\nlicense: mit\n---\n"),
    ("---\ndatasets: ~\n---\n", "---\ndatasets: [a/b]\n---\n"),
    ("---\ndatasets: []\n---\n", "---\ndatasets: [a/b]\n---\n"),
    ("---\ndatasets: x/y\n---\n", "---\ndatasets: [x/y, a/b]\n---\n"),
    ("---\ndatasets: 'x/y'  # c\n---\n", "---\ndatasets: ['x/y', a/b]  # c\n---\n"),
    ("---\ndatasets: [\n  x/y,\n]\n---\n", "---\ndatasets: [\n  x/y, a/b,\n]\n---\n"),
    ("---\ndatasets:\n- x/y\n# - old/one\nlicense: mit\n---\n",
     "---\ndatasets:\n- x/y\n- a/b\n# - old/one\nlicense: mit\n---\n"),
    ("---\ndatasets:\n    -   x/y\n---\n", "---\ndatasets:\n    -   x/y\n    -   a/b\n---\n"),
    ("---\ndatasets:\n  - name: x\n    split: train\n---\n",
     "---\ndatasets:\n  - name: x\n    split: train\n  - a/b\n---\n"),
    ("---\ndatasets:\n- |\n  x/y\n---\n", "---\ndatasets:\n- |\n  x/y\n- a/b\n---\n"),
    ("---\ndatasets:\n- A/B\n---\n", "---\ndatasets:\n- A/B\n---\n"),
])
def test_datasets_front_matter_is_extended_textually(before: str, after: str) -> None:
    from dbom.publish.model_card import merge_datasets, parse_card

    card, added = merge_datasets(parse_card(before.encode(), "README.md"), ["a/b"], "README.md")
    assert card.text == after
    assert added == (() if before == after else ("a/b",))
    assert parse_card(after.encode(), "README.md").meta == card.meta


def test_ambiguous_ids_are_quoted_and_odd_front_matter_is_refused() -> None:
    from dbom.publish.model_card import merge_datasets, parse_card

    card, _ = merge_datasets(parse_card(b"x\n", "README.md"), ["null", "org/2024"], "README.md")
    assert card.text == '---\ndatasets:\n- "null"\n- org/2024\n---\nx\n'
    assert card.meta == {"datasets": ["null", "org/2024"]}
    for text in ("---\ndatasets: {a: b}\n---\n", "---\ndatasets: |\n  x\n---\n", "---\n{license: mit}\n---\n",
                 "---\n- a\n---\n"):
        with pytest.raises(dbom.DbomError):
            merge_datasets(parse_card(text.encode(), "README.md"), ["a/b"], "README.md")
    with pytest.raises(dbom.DbomError, match="not UTF-8"):
        parse_card(b"\xff\xfe---\n", "README.md")


def test_hub_ids_come_only_from_what_the_dbom_records() -> None:
    from dbom.model import HubInfo
    from dbom.publish.model_card import hub_id

    assert hub_id(Dataset(name="a", hub=HubInfo(repo_id="org/a", revision="1" * 40))) == "org/a"
    assert hub_id(Dataset(name="m", hub=HubInfo(repo_id="org/m", revision="1" * 40, repo_type="model"))) is None
    assert hub_id(Dataset(name="b", location="https://huggingface.co/datasets/org/b/tree/main/data")) == "org/b"
    assert hub_id(Dataset(name="c", location="hf://datasets/org/c@v1/train/*.parquet")) == "org/c"
    assert hub_id(Dataset(name="d", homepage="https://huggingface.co/datasets/squad")) == "squad"
    assert hub_id(Dataset(name="e", location="https://huggingface.co/org/a-model")) is None
    assert hub_id(Dataset(name="f", location="https://example.org/datasets/org/f")) is None
    assert hub_id(Dataset(name="g", location="https://huggingface.co/datasets/org/..")) is None
    assert hub_id(Dataset(name="h", facts={"source": "org/h"})) is None


def test_the_table_escapes_what_the_dbom_says(model_dir: Path) -> None:
    from dbom.model import HubInfo

    hostile = Dataset(name=f"x | y <b>{MARK_END}", digest="cd" * 32, version="v3",
                      hub=HubInfo(repo_id="org/x", revision="abcdef0123456789" * 2 + "abcdefgh"[:8]))
    dbom.attach(Dbom(model=ModelInfo(name="tiny-lm"), datasets=(hostile,)), model_dir)
    card = (model_dir / "README.md").read_text(encoding="utf-8")
    assert card.count(MARK_END) == 1  # the name cannot close the section early
    assert "| x \\| y &lt;b&gt;&lt;!-- dbom:training-data:end --&gt; | v3 (abcdef012345) |" in card
    assert "[org/x](https://huggingface.co/datasets/org/x/tree/" in card
    assert "**License unknown**" in card
    dbom.attach(Dbom(model=ModelInfo(name="tiny-lm"), datasets=(hostile,)), model_dir)
    assert (model_dir / "README.md").read_text(encoding="utf-8") == card


def test_the_section_renders_as_a_markdown_table(dbom_file: Path, model_dir: Path) -> None:
    from markdown_it import MarkdownIt

    _attach(dbom_file, model_dir)
    card = (model_dir / "README.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(card[card.index(MARK_START):])
    cells, row, in_table = [], [], False
    for token in tokens:
        in_table = {"table_open": True, "table_close": False}.get(token.type, in_table)
        if in_table and token.type == "inline":
            row.append(token.content)
        elif token.type == "tr_close":
            cells.append(row)
            row = []
    assert cells[0] == ["Dataset", "Revision", "License", "Records", "Size", "Where to obtain"]
    assert [r[0] for r in cells[1:]] == ["alpha", "beta"] and all(len(r) == 6 for r in cells)
    assert cells[1][5] == "[acme/alpha](https://huggingface.co/datasets/acme/alpha)"
