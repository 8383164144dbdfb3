"""Hugging Face Hub license identifiers -> SPDX."""

from __future__ import annotations

import re

import pytest
from cyclonedx.spdx import is_supported_id

from dbom.licensing.hf_licenses import FAMILIES, HF_LICENSES, hf_license, license_ref
from dbom.model import NOASSERTION

# The identifiers the Hub documents for a card's `license:` field.
HUB_IDS = [
    "apache-2.0", "mit", "openrail", "bigscience-openrail-m", "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0", "bigcode-openrail-m", "afl-3.0", "artistic-2.0", "bsl-1.0", "bsd",
    "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear", "c-uda", "cc", "cc0-1.0", "cc-by-2.0",
    "cc-by-2.5", "cc-by-3.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0", "cc-by-nc-2.0", "cc-by-nc-3.0",
    "cc-by-nc-4.0", "cc-by-nd-4.0", "cc-by-nc-nd-3.0", "cc-by-nc-nd-4.0", "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0", "cdla-sharing-1.0", "cdla-permissive-1.0", "cdla-permissive-2.0",
    "wtfpl", "ecl-2.0", "epl-1.0", "epl-2.0", "etalab-2.0", "eupl-1.1", "eupl-1.2", "agpl-3.0", "gfdl",
    "gpl", "gpl-2.0", "gpl-3.0", "lgpl", "lgpl-2.1", "lgpl-3.0", "isc", "h-research", "intel-research",
    "lppl-1.3c", "ms-pl", "apple-ascl", "apple-amlr", "mpl-2.0", "odc-by", "odbl", "open-mdw",
    "openrail++", "osl-3.0", "postgresql", "ofl-1.1", "ncsa", "unlicense", "zlib", "pddl", "lgpl-lr",
    "deepfloyd-if-license", "fair-noncommercial-research-license", "llama2", "llama3", "llama3.1",
    "llama3.2", "llama3.3", "llama4", "gemma", "unknown", "other",
]

LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.-]+$")


def test_every_hub_identifier_is_mapped() -> None:
    assert sorted(set(HUB_IDS) - set(HF_LICENSES)) == []


@pytest.mark.parametrize("hub_id", sorted(HF_LICENSES))
def test_every_target_is_an_spdx_id_a_license_ref_or_noassertion(hub_id: str) -> None:
    target = HF_LICENSES[hub_id]
    assert is_supported_id(target) or LICENSE_REF.match(target) or target == NOASSERTION, target


@pytest.mark.parametrize(("hub_id", "spdx"), [
    ("apache-2.0", "Apache-2.0"), ("mit", "MIT"), ("cc-by-4.0", "CC-BY-4.0"),
    ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"),
    ("cc0-1.0", "CC0-1.0"), ("odc-by", "ODC-By-1.0"), ("odbl", "ODbL-1.0"), ("pddl", "PDDL-1.0"),
    ("c-uda", "C-UDA-1.0"), ("gpl-3.0", "GPL-3.0-only"), ("agpl-3.0", "AGPL-3.0-only"),
    ("lgpl-lr", "LGPLLR"), ("etalab-2.0", "etalab-2.0"), ("bsl-1.0", "BSL-1.0"),
])
def test_spdx_licenses(hub_id: str, spdx: str) -> None:
    found = hf_license(hub_id)
    assert (found.expression, found.name) == (spdx, None)


@pytest.mark.parametrize("hub_id", ["llama3", "llama3.1", "gemma", "openrail", "bigscience-openrail-m",
                                    "apple-amlr", "h-research"])
def test_hub_only_licenses_are_license_refs_with_the_name_kept(hub_id: str) -> None:
    found = hf_license(hub_id)
    assert found.expression == f"LicenseRef-hf-{hub_id}"
    assert found.name == hub_id


def test_openrail_plus_plus_stays_distinct() -> None:
    assert hf_license("openrail++").expression == "LicenseRef-hf-openrail-plus-plus"
    assert hf_license("openrail++").expression != hf_license("openrail").expression


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_families_are_noassertion_with_the_raw_name(family: str) -> None:
    found = hf_license(family)
    assert (found.expression, found.name) == (NOASSERTION, family)


def test_other_takes_the_card_license_name() -> None:
    found = hf_license("other", "Example Research License v2 (non-commercial)")
    assert found.expression == "LicenseRef-Example-Research-License-v2-non-commercial"
    assert found.name == "Example Research License v2 (non-commercial)"
    assert hf_license("other", "openmdw1.1-license").expression == "LicenseRef-openmdw1.1-license"
    assert hf_license("other").expression == NOASSERTION
    assert hf_license("other", "???").expression == NOASSERTION


def test_unknown_is_noassertion_without_a_name() -> None:
    assert hf_license("unknown") == hf_license("NOASSERTION") == hf_license("")
    assert (hf_license("unknown").expression, hf_license("unknown").name) == (NOASSERTION, None)


def test_values_outside_the_hub_list() -> None:
    assert hf_license("Apache-2.0").expression == "Apache-2.0"  # any case
    assert hf_license("CC-BY-NC-4.0").expression == "CC-BY-NC-4.0"
    assert hf_license("openmdw-1.0").expression == "OpenMDW-1.0"  # an SPDX id the Hub does not list
    assert hf_license("mit or apache-2.0").expression == "MIT OR Apache-2.0"
    made_up = hf_license("my-own-license")
    assert (made_up.expression, made_up.name) == (NOASSERTION, "my-own-license")


def test_license_ref_sanitising() -> None:
    assert license_ref("A b/c_d+") == "LicenseRef-A-b-c-d-plus"
    assert license_ref("  ") is None
