"""The README documents every `dbom:` property the writer can emit."""

from __future__ import annotations

from corpora import REPO

from dbom.cyclonedx.properties import PROPERTIES


def test_every_property_is_documented_with_its_meaning() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, (where, meaning) in PROPERTIES.items():
        assert f"| `{name}` | {where} | {meaning} |" in readme, name
