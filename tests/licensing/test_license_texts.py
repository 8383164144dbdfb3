"""Finding license files and recognising the common licenses in them, conservatively."""

from __future__ import annotations

from pathlib import Path

import pytest
from cyclonedx.spdx import is_supported_id
from license_texts import (
    BSD_4,
    CC4_TEXTS,
    CC_BY_3,
    CC_BY_4,
    CC_BY_NC_4,
    LGPL_3,
    MIT,
    RECOGNISED,
    UNKNOWN,
    X11,
    cc3,
    variants,
)

from dbom.errors import DbomError
from dbom.licensing import license_files
from dbom.licensing.license_files import find_license_files, recognise_file, recognise_text
from dbom.model import NOASSERTION

CASES = [(spdx, name, text) for spdx, base in RECOGNISED.items() for name, text in variants(base).items()]


@pytest.mark.parametrize(("spdx", "variant", "text"), CASES, ids=[f"{s}-{v}" for s, v, _ in CASES])
def test_each_known_license_is_recognised_however_formatted(spdx: str, variant: str, text: str) -> None:
    assert is_supported_id(spdx)
    assert recognise_text(text) == spdx


@pytest.mark.parametrize("variant", sorted(variants(CC_BY_NC_4)))
def test_a_non_commercial_text_is_never_reported_as_cc_by(variant: str) -> None:
    assert recognise_text(variants(CC_BY_NC_4)[variant]) == "CC-BY-NC-4.0"


def test_the_cc_variants_are_told_apart() -> None:
    found = {spdx: recognise_text(text) for spdx, text in CC4_TEXTS.items()}
    assert found == {spdx: spdx for spdx in CC4_TEXTS}


def test_cc_by_3_is_not_cc_by_4() -> None:
    assert recognise_text(CC_BY_3) == "CC-BY-3.0"
    assert recognise_text(CC_BY_4) == "CC-BY-4.0"
    assert recognise_text("Licensed under CC BY 3.0 Unported (creativecommons.org)") == "CC-BY-3.0"


@pytest.mark.parametrize("text", [
    UNKNOWN,
    "",
    "See the dataset card.",
    LGPL_3,  # quotes the GPL's name but is not the GPL
    cc3("Attribution", "United States"),  # a ported 3.0: not CC-BY-3.0
    "Creative Commons Attribution 2.5 Generic",  # a version this recogniser does not claim
    "Licensed under CC BY 3.0.",  # 3.0 of which port?
    "Text is CC BY-NC 4.0; images are CC BY 4.0.",  # two licenses in one file
    MIT + "\n\n" + CC_BY_4,  # two license texts in one file
    "Attribution 4.0 International",  # a CC-looking title with no Creative Commons anywhere
])
def test_anything_else_is_noassertion(text: str) -> None:
    assert recognise_text(text) == NOASSERTION


def test_full_texts_of_variants_are_told_from_their_base() -> None:
    # The phrase rules decline these; matching the full SPDX texts names them exactly.
    assert recognise_text(X11) == "X11"  # MIT plus the X11 clause, not MIT
    assert recognise_text(BSD_4) == "BSD-4-Clause"  # BSD with the advertising clause, not BSD-3-Clause


def test_an_spdx_identifier_line_is_taken_when_valid() -> None:
    assert recognise_text("SPDX-License-Identifier: CC-BY-SA-4.0\n") == "CC-BY-SA-4.0"
    assert recognise_text("# SPDX-License-Identifier: cc-by-4.0") == "CC-BY-4.0"  # case repaired
    assert recognise_text("/* SPDX-License-Identifier: MIT OR Apache-2.0 */") == "MIT OR Apache-2.0"
    assert recognise_text("SPDX-License-Identifier: MIT\n\n" + MIT) == "MIT"


def test_an_spdx_identifier_line_is_not_trusted_blindly() -> None:
    assert recognise_text("SPDX-License-Identifier: Example-Research-License") == NOASSERTION
    assert recognise_text("SPDX-License-Identifier: CC-BY-4.0\n\n" + CC_BY_NC_4) == NOASSERTION
    assert recognise_text("SPDX-License-Identifier: MIT\nSPDX-License-Identifier: ISC") == NOASSERTION


def test_license_files_are_found_at_the_top_level_only(tmp_path: Path) -> None:
    names = ["LICENSE", "LICENSE.md", "licence.txt", "COPYING", "DATA_LICENSE", "LICENSE-DATA.txt",
             "License-MIT", "NOTICE", "README.md", "license_plate.parquet", "licenses_notes.csv"]
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "LICENSE").write_text("x", encoding="utf-8")
    (tmp_path / "LICENSES").mkdir()  # a folder, not a file
    found = [p.name for p in find_license_files(tmp_path)]
    assert found == ["DATA_LICENSE", "LICENSE-DATA.txt", "COPYING", "LICENSE", "LICENSE.md", "License-MIT",
                     "licence.txt"]


def test_reading_a_file_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "LICENSE"
    path.write_text(MIT + "\n" + "padding line\n" * 1000, encoding="utf-8")
    assert recognise_file(path) == "MIT"
    monkeypatch.setattr(license_files, "MAX_LICENSE_BYTES", 200)  # cuts the MIT text short
    assert recognise_file(path) == NOASSERTION


def test_binary_and_unreadable_files(tmp_path: Path) -> None:
    binary = tmp_path / "LICENSE.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x01" + MIT.encode())
    assert recognise_file(binary) == NOASSERTION
    with pytest.raises(DbomError, match=r"LICENSE\.missing: cannot read"):
        recognise_file(tmp_path / "LICENSE.missing")
