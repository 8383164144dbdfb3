"""The one license class table (dbom/data/license_classes.csv): well-formed, sourced, and ordered right."""

from __future__ import annotations

import pytest
from cyclonedx.spdx import is_supported_id

from dbom.licensing import classes as lc


def test_every_row_has_known_classes_and_a_source() -> None:
    rows = lc.class_table()
    assert len(rows) >= 40
    for pattern, classes, source in rows:
        assert classes and classes <= set(lc.CLASSES), pattern
        assert source.startswith(("http://", "https://", "(")), pattern


def test_plain_ids_in_the_table_are_real_spdx_ids() -> None:
    plain = [p for p, _, _ in lc.class_table() if "*" not in p and not p.startswith("licenseref-")]
    ids = {i.casefold(): i for i in ("CC0-1.0", "CC-PDDC", "PDDL-1.0", "Unlicense", "0BSD", "MIT-0", "WTFPL",
                                      "ISC", "Zlib", "BSL-1.0", "PSF-2.0", "Python-2.0", "Artistic-2.0",
                                      "UPL-1.0", "NCSA", "X11", "OFL-1.1", "C-UDA-1.0")}
    assert set(plain) <= set(ids)
    assert all(is_supported_id(ids[p]) for p in plain)


@pytest.mark.parametrize(("spdx_id", "classes", "headline"), [
    ("CC-BY-NC-SA-4.0", {"attribution", "non-commercial", "share-alike"}, "non-commercial"),
    ("CC-BY-NC-ND-4.0", {"attribution", "non-commercial", "no-derivatives"}, "no-derivatives"),
    ("CC-BY-SA-3.0", {"attribution", "share-alike"}, "share-alike"),
    ("CC-BY-4.0", {"attribution"}, "attribution"),
    ("cc-by-nc-2.0", {"attribution", "non-commercial"}, "non-commercial"),
    ("Apache-2.0", {"permissive", "attribution"}, "permissive"),
    ("MIT-0", {"permissive"}, "permissive"),
    ("LicenseRef-hf-h-research", {"research-only", "non-commercial"}, "research-only"),
    ("LicenseRef-acme-terms", {"proprietary"}, "proprietary"),
    ("Not-A-License", {"unknown"}, "unknown"),
])
def test_specific_rows_win_over_their_families(spdx_id: str, classes: set[str], headline: str) -> None:
    assert set(lc.id_classes(spdx_id)) == classes
    assert lc.id_class(spdx_id) == headline


def test_open_terms() -> None:
    assert lc.is_open_terms("CC-BY-4.0") and lc.is_open_terms("MIT OR CC-BY-NC-4.0")
    assert not lc.is_open_terms("CC-BY-NC-4.0") and not lc.is_open_terms(None)
