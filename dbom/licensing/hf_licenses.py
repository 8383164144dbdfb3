"""Hugging Face Hub license identifiers (a card's `license:` field) translated to SPDX.

The Hub accepts a fixed list of lower-case identifiers (https://huggingface.co/docs/hub/repositories-licenses).
Each one is translated here to exactly one of:

* an SPDX license id from the list in the CycloneDX schema (`apache-2.0` -> `Apache-2.0`);
* `LicenseRef-hf-<id>` for the Hub's licenses that have no SPDX id (`llama3`, `gemma`, `openrail`...);
  the Hub identifier is kept as the license name;
* `NOASSERTION`, the Hub identifier kept as the name, for the unversioned families (`bsd`, `cc`, `gfdl`,
  `gpl`, `lgpl`, `open-mdw`): a family is not one license, and picking a version would be a guess.

`other` takes its name from the card's `license_name` (`LicenseRef-<license_name>`), and `unknown` is
`NOASSERTION`. Notes on the less obvious lines:

* `gpl-2.0`, `gpl-3.0`, `lgpl-2.1`, `lgpl-3.0`, `agpl-3.0` become the `-only` ids: the Hub id does not say
  "or later", and SPDX defined its deprecated bare ids (`GPL-3.0`) as meaning `-only`.
* `odc-by` and `odbl` are listed by the Hub as "families", but each has only ever had version 1.0.
* `lgpl-lr` is SPDX's `LGPLLR` (the Lesser General Public License For Linguistic Resources).
* The Hub spells the OpenMDW license `open-mdw`, without a version; OpenMDW has 1.0 and 1.1, so it is a
  family here. A card that writes an SPDX id directly (`OpenMDW-1.0`, `CC-BY-4.0`) is taken as that id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from dbom.model import NOASSERTION, License

# Hub identifier -> SPDX id, every one checked against cyclonedx.spdx.is_supported_id by the tests.
_SPDX: Final = {
    "apache-2.0": "Apache-2.0",
    "mit": "MIT",
    "afl-3.0": "AFL-3.0",
    "artistic-2.0": "Artistic-2.0",
    "bsl-1.0": "BSL-1.0",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd-3-clause-clear": "BSD-3-Clause-Clear",
    "c-uda": "C-UDA-1.0",
    "cc0-1.0": "CC0-1.0",
    "cc-by-2.0": "CC-BY-2.0",
    "cc-by-2.5": "CC-BY-2.5",
    "cc-by-3.0": "CC-BY-3.0",
    "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-3.0": "CC-BY-SA-3.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "cc-by-nc-2.0": "CC-BY-NC-2.0",
    "cc-by-nc-3.0": "CC-BY-NC-3.0",
    "cc-by-nc-4.0": "CC-BY-NC-4.0",
    "cc-by-nd-4.0": "CC-BY-ND-4.0",
    "cc-by-nc-nd-3.0": "CC-BY-NC-ND-3.0",
    "cc-by-nc-nd-4.0": "CC-BY-NC-ND-4.0",
    "cc-by-nc-sa-2.0": "CC-BY-NC-SA-2.0",
    "cc-by-nc-sa-3.0": "CC-BY-NC-SA-3.0",
    "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0",
    "cdla-sharing-1.0": "CDLA-Sharing-1.0",
    "cdla-permissive-1.0": "CDLA-Permissive-1.0",
    "cdla-permissive-2.0": "CDLA-Permissive-2.0",
    "wtfpl": "WTFPL",
    "ecl-2.0": "ECL-2.0",
    "epl-1.0": "EPL-1.0",
    "epl-2.0": "EPL-2.0",
    "etalab-2.0": "etalab-2.0",
    "eupl-1.1": "EUPL-1.1",
    "eupl-1.2": "EUPL-1.2",
    "agpl-3.0": "AGPL-3.0-only",
    "gpl-2.0": "GPL-2.0-only",
    "gpl-3.0": "GPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only",
    "lgpl-3.0": "LGPL-3.0-only",
    "isc": "ISC",
    "lppl-1.3c": "LPPL-1.3c",
    "ms-pl": "MS-PL",
    "mpl-2.0": "MPL-2.0",
    "odc-by": "ODC-By-1.0",
    "odbl": "ODbL-1.0",
    "osl-3.0": "OSL-3.0",
    "postgresql": "PostgreSQL",
    "ofl-1.1": "OFL-1.1",
    "ncsa": "NCSA",
    "unlicense": "Unlicense",
    "zlib": "Zlib",
    "pddl": "PDDL-1.0",
    "lgpl-lr": "LGPLLR",
}

# Hub licenses with no SPDX id: `LicenseRef-hf-<id>`, the Hub identifier kept as the name.
_HUB_ONLY: Final = (
    "openrail", "openrail++", "bigscience-openrail-m", "creativeml-openrail-m", "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m", "h-research", "intel-research", "apple-ascl", "apple-amlr",
    "deepfloyd-if-license", "fair-noncommercial-research-license",
    "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma",
)

# Unversioned families: NOASSERTION, the Hub identifier kept as the name.
FAMILIES: Final = frozenset({"bsd", "cc", "gfdl", "gpl", "lgpl", "open-mdw"})

OTHER = "other"
UNKNOWN = "unknown"

_IDSTRING_BAD = re.compile(r"[^A-Za-z0-9.-]+")


def license_ref(name: str, prefix: str = "") -> str | None:
    """`LicenseRef-<prefix><name>`, the name sanitised to SPDX's `[A-Za-z0-9.-]`; None if nothing is left.

    `+` becomes `-plus` so that `openrail++` and `openrail` stay distinct; every other run of
    characters outside the set becomes one `-`.
    """
    idstring = _IDSTRING_BAD.sub("-", name.strip().replace("+", "-plus")).strip("-.")
    idstring = re.sub(r"-{2,}", "-", idstring)
    return f"LicenseRef-{prefix}{idstring}" if idstring else None


def _table() -> dict[str, str]:
    table = dict(_SPDX)
    for hub_id in _HUB_ONLY:
        ref = license_ref(hub_id, "hf-")
        assert ref is not None
        table[hub_id] = ref
    for hub_id in (*sorted(FAMILIES), OTHER, UNKNOWN):
        table[hub_id] = NOASSERTION
    return table


HF_LICENSES: Final[Mapping[str, str]] = MappingProxyType(_table())
"""Every Hub license identifier -> an SPDX id, a `LicenseRef-hf-…`, or NOASSERTION (`other` is decided
with the card's `license_name` by `hf_license`)."""


def hf_license(identifier: str, license_name: str | None = None) -> License:
    """The license one entry of a card's `license:` field states, as a License without source.

    `identifier` is compared case-insensitively with the Hub's list. Values outside the list are taken
    when they are an SPDX id or an SPDX expression of known ids (`CC-BY-4.0`, `MIT OR Apache-2.0`);
    anything else is NOASSERTION with the value kept as the name. `license_name` is only used for `other`.
    """
    raw = identifier.strip()
    key = raw.lower()
    if key == OTHER:
        ref = license_ref(license_name) if license_name else None
        if ref is None:
            return License(expression=NOASSERTION)
        return License(expression=ref, name=license_name.strip() if license_name else None)
    if key in (UNKNOWN, NOASSERTION.lower()) or not key:
        return License(expression=NOASSERTION)
    target = HF_LICENSES.get(key)
    if target is not None:
        name = raw if target == NOASSERTION or target.startswith("LicenseRef-") else None
        return License(expression=target, name=name)
    from cyclonedx.spdx import fixup_id, is_expression  # the SPDX tables load on first use only
    from license_expression import get_spdx_licensing

    spdx = fixup_id(raw)
    if spdx is not None:
        return License(expression=spdx)
    if is_expression(raw):
        return License(expression=str(get_spdx_licensing().parse(raw).render()))
    return License(expression=NOASSERTION, name=raw)
