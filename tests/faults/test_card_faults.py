"""A card too large or broken is a warning naming it; the license files still decide; any text is read safely."""

from __future__ import annotations

import contextlib
from pathlib import Path

from corpora import write_jsonl_gz
from helpers import datasets_by_name, load_json, props, run_dbom
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbom.errors import DbomError
from dbom.licensing.cards import MAX_CARD_BYTES, read_card
from dbom.licensing.license_files import recognise_file


def test_a_front_matter_over_the_limit_says_so_and_the_license_file_decides(tmp_path: Path) -> None:
    data = tmp_path / "huge-card"
    write_jsonl_gz(data / "a.jsonl.gz", 3)
    filler = "".join(f"tag{i}: {'x' * 60}\n" for i in range(MAX_CARD_BYTES // 60))
    (data / "README.md").write_text(f"---\nlicense: cc-by-nc-4.0\n{filler}---\n# Huge\n")
    (data / "LICENSE").write_text("SPDX-License-Identifier: MIT\n\nPermission is hereby granted...\n")
    out = tmp_path / "out.json"
    done = run_dbom("scan", str(data), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "YAML front matter larger than the 1,048,576 bytes a card is read to: not read" in done.stderr
    assert "never closed" not in done.stderr
    dataset = datasets_by_name(load_json(out))["huge-card"]
    assert dataset["licenses"][0]["license"]["id"] == "MIT" and props(dataset)["dbom:license:source"] == "license-file"


TEXT = st.one_of(st.text(max_size=400), st.text(alphabet=st.sampled_from(list("---\nlicense: []{}&*!'\"#abc\t|>")),
                                                max_size=400))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_any_text_as_a_card_or_a_license_file_is_read_or_a_dbom_error(tmp_path: Path, text: str) -> None:
    card = tmp_path / "README.md"
    card.write_text(text, encoding="utf-8")
    with contextlib.suppress(DbomError):  # anything else fails the test
        read_card(card)
    license_file = tmp_path / "LICENSE"
    license_file.write_text(text, encoding="utf-8")
    with contextlib.suppress(DbomError):
        recognise_file(license_file)
