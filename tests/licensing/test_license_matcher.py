"""Full-text license identification against a labelled set of real license texts.

The set: Debian's own copies in /usr/share/common-licenses (independent of the SPDX data the
matcher uses) and the SPDX list's texts in several formattings (rewrapped, upper-cased and run
together, Markdown, CRLF with a filled-in copyright line). At least 95% must be identified,
and no answer may be wrong: an unsure match is NOASSERTION, never a guess.
"""

from __future__ import annotations

import importlib.resources
import json
import random
import textwrap
from pathlib import Path

import pytest

from dbom.licensing.matcher import identify, identify_id
from dbom.model import NOASSERTION

DEBIAN = Path("/usr/share/common-licenses")
DEBIAN_LABELS = {
    "Apache-2.0": "Apache-2.0", "Artistic": "Artistic-1.0-Perl", "BSD": "BSD-3-Clause", "CC0-1.0": "CC0-1.0",
    "GFDL-1.2": "GFDL-1.2-only", "GFDL-1.3": "GFDL-1.3-only", "GPL-1": "GPL-1.0-only", "GPL-2": "GPL-2.0-only",
    "GPL-3": "GPL-3.0-only", "LGPL-2": "LGPL-2.0-only", "LGPL-2.1": "LGPL-2.1-only", "LGPL-3": "LGPL-3.0-only",
    "MPL-1.1": "MPL-1.1", "MPL-2.0": "MPL-2.0",
}
SPDX_IDS = (
    "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-ND-4.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0",
    "CC-BY-3.0", "CC-BY-SA-3.0", "CC-BY-NC-3.0", "CC-BY-NC-SA-3.0", "CC0-1.0", "MIT", "BSD-2-Clause",
    "BSD-3-Clause", "ISC", "Apache-2.0", "MPL-2.0", "Unlicense", "Zlib", "PDDL-1.0", "ODbL-1.0", "EPL-1.0",
    "Artistic-2.0", "OFL-1.1", "BSL-1.0", "0BSD", "AFL-3.0", "ECL-2.0", "EUPL-1.1", "NCSA",
)
# Ids in the bundled (older) SPDX list under the names the current list uses.
_BUNDLED_NAME = {"GPL-2.0-only": "GPL-2.0"}


def _spdx_text(spdx_id: str) -> str:
    data = importlib.resources.files("spdx") / "data"
    records = json.loads((data / "db.json").read_text(encoding="utf-8"))["licenses"]
    template = next(r["template"] for r in records if r["id"] == _BUNDLED_NAME.get(spdx_id, spdx_id))
    return (data / template).read_text(encoding="utf-8", errors="replace")


def _formattings(text: str) -> dict[str, str]:
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    return {
        "as-is": text,
        "rewrapped": "\n\n".join(textwrap.fill(p, 60) for p in paragraphs),
        "upper-one-line": " ".join(text.split()).upper(),
        "markdown": "\n\n".join(f"## {p}" if len(p) < 60 else f"* {p}" for p in paragraphs),
        "crlf-copyright": "Copyright (c) 2024 Example Data Co.\r\n\r\n" + text.replace("\n", "\r\n"),
    }


def _labelled_set() -> list[tuple[str, str, str]]:
    cases = [(f"debian:{name}", label, (DEBIAN / name).read_text(errors="replace"))
             for name, label in DEBIAN_LABELS.items()]
    for spdx_id in SPDX_IDS:
        for name, text in _formattings(_spdx_text(spdx_id)).items():
            cases.append((f"spdx:{spdx_id}:{name}", spdx_id, text))
    return cases


def test_debian_license_texts_are_there() -> None:
    # The independent half of the set: Debian ships these with base-files on every machine.
    assert all((DEBIAN / name).is_file() for name in DEBIAN_LABELS)


def test_labelled_set_is_identified_with_95_percent_accuracy_and_no_wrong_answer() -> None:
    cases = _labelled_set()
    assert len(cases) >= 40
    answers = {case: identify_id(text) for case, _, text in cases}
    wrong = {case: (answers[case], label) for case, label, _ in cases
             if answers[case] not in (label, NOASSERTION)}
    right = sum(1 for case, label, _ in cases if answers[case] == label)
    assert wrong == {}
    assert right / len(cases) >= 0.95, {c: a for c, a in answers.items() if a == NOASSERTION}


@pytest.mark.parametrize("spdx_id", ["CC-BY-4.0", "CC-BY-NC-4.0", "CC-BY-SA-4.0", "CC-BY-ND-4.0", "CC-BY-3.0"])
def test_versions_and_variants_stay_distinct(spdx_id: str) -> None:
    match = identify(_spdx_text(spdx_id))
    assert match is not None and match.spdx_id == spdx_id


def _shuffled_words(text: str, seed: int) -> str:
    words = text.split()
    random.Random(seed).shuffle(words)
    return " ".join(words)


@pytest.mark.parametrize(
    "text",
    [
        "This dataset may be used for any purpose with the written permission of its authors. " * 8,
        "\n".join(f"Rule {i}: the licensee shall keep a copy of the data on a blue disk." for i in range(40)),
        _spdx_text("MIT")[: len(_spdx_text("MIT")) // 2],  # half a license is not that license
        _spdx_text("MIT") + "\n\n" + _spdx_text("Apache-2.0"),  # two licenses: not one of them
        _shuffled_words(_spdx_text("CC-BY-4.0"), 7),  # the words of a license, not its text
        "",
        "MIT",
    ],
)
def test_unknown_texts_give_noassertion(text: str) -> None:
    assert identify_id(text) == NOASSERTION
